"""What the workbench gives back: diagrams, reports and exchange formats.

Pure functions of a `designs.snapshot.DesignSnapshot` (text or bytes out, no queries, no models),
plus thin services for subprocesses and files (`dot`, PDF). A frozen version renders exactly like
the live design because both are snapshots.
"""
