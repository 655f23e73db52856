"""The design as one JSON document: reading, export, import and its JSON Schema.

Format "design-workbench/1", documented in docs/design-document.md. Everything
is read from the step registry: a section is an object of its fields, an
element list an array of objects in on-page order, and a reference is the key
of the element it points at (a name, a code, "table.column"), never a database
id. Adding a field to a model and its name to the registry adds it here too.
"""

from .errors import MAX_REPORTED_ERRORS, DocumentError
from .export import document_from_snapshot, export_design, export_text
from .format import FORMAT, INDEX_COLUMNS, KEYS, KeyRule, document_json, pointer
from .importing import import_design, replace_design_content
from .reading import check_size, parse_document, read_limited, too_large
from .schema import design_schema, schema_errors
from .snapshot import snapshot_from_document

__all__ = [
    "FORMAT",
    "INDEX_COLUMNS",
    "KEYS",
    "MAX_REPORTED_ERRORS",
    "DocumentError",
    "KeyRule",
    "check_size",
    "design_schema",
    "document_from_snapshot",
    "document_json",
    "export_design",
    "export_text",
    "import_design",
    "parse_document",
    "pointer",
    "read_limited",
    "replace_design_content",
    "schema_errors",
    "snapshot_from_document",
    "too_large",
]
