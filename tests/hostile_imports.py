"""Import files written to hurt, for tests/test_import_hostile.py and bench/hostile_documents.py.

Each builder returns the file's bytes as uploaded. The figures in the names are those of issue #20:
a 2 KB OpenAPI file whose example expands through its `$ref`s to 11 million values, a 9 MB MySQL
dump of 180,002 elements, 4 MB of PostgreSQL CREATE TABLE, a MySQL DEFAULT 3,000 parentheses deep.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

REF_BOMB = Path(__file__).parent / "fixtures" / "openapi" / "ref-bomb.json"


def ref_bomb(levels: int = 7, keys: int = 10) -> bytes:
    """An example whose value is an object of `keys` `$ref`s to the next level's object, `levels` deep:
    expanded, it holds (keys ** (levels + 1) - 1) / (keys - 1) values (11,111,111 for ten keys, seven levels)."""
    document: dict = {
        "openapi": "3.1.0",
        "info": {"title": "Reference bomb", "version": "1"},
        "paths": {
            "/bomb": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"example": {"$ref": "#/x-level-0"}}},
                        }
                    }
                }
            }
        },
    }
    for level in range(levels):
        document[f"x-level-{level}"] = {f"k{key}": {"$ref": f"#/x-level-{level + 1}"} for key in range(keys)}
    document[f"x-level-{levels}"] = "boom"
    return json.dumps(document).encode()


def mysql_dump(tables: int, columns: int = 16) -> bytes:
    """What `mysqldump --no-data` writes for `tables` tables of `columns` columns plus a primary key and an index."""
    parts = ["/*!40101 SET NAMES utf8mb4 */;\n"]
    for n in range(tables):
        rows = ["  `id` bigint unsigned NOT NULL AUTO_INCREMENT"]
        rows += [f"  `column_{c}` varchar(255) NOT NULL DEFAULT ''" for c in range(columns - 1)]
        rows += ["  PRIMARY KEY (`id`)", f"  KEY `table_{n}_by_column_0` (`column_0`)"]
        parts.append(
            f"DROP TABLE IF EXISTS `table_{n}`;\nCREATE TABLE `table_{n}` (\n"
            + ",\n".join(rows)
            + "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\n\n"
        )
    return "".join(parts).encode()


def postgres_tables(tables: int, columns: int = 12) -> bytes:
    """`tables` plain CREATE TABLE statements of `columns` columns each."""
    parts = []
    for n in range(tables):
        rows = ["    id bigint PRIMARY KEY"]
        rows += [f"    column_{c} text NOT NULL DEFAULT ''" for c in range(columns - 1)]
        parts.append(f"CREATE TABLE table_{n} (\n" + ",\n".join(rows) + "\n);\n\n")
    return "".join(parts).encode()


def deep_default(depth: int, dialect: str = "mysql") -> bytes:
    """A column whose DEFAULT is 1 inside `depth` parentheses."""
    quote = "`" if dialect == "mysql" else '"'
    default = "(" * depth + "1" + ")" * depth
    return f"CREATE TABLE {quote}t{quote} (\n  {quote}a{quote} int DEFAULT {default}\n);\n".encode()


# What bench/hostile_documents.py times (issue #20's inputs).
HOSTILE_IMPORTS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "OpenAPI: 2 KB, $refs in an example (11M values)": ("openapi", lambda: REF_BOMB.read_bytes()),
    "MySQL dump, 9 MB, 180,002 elements": ("mysql", lambda: mysql_dump(10_000)),
    "PostgreSQL CREATE TABLE, 4 MB": ("postgres", lambda: postgres_tables(8_200)),
    "MySQL DEFAULT 3,000 parentheses deep": ("mysql", lambda: deep_default(3_000)),
    "PostgreSQL DEFAULT 3,000 parentheses deep": ("postgres", lambda: deep_default(3_000, "postgres")),
}
