"""Design checks: rules that read a whole `designs.snapshot.DesignSnapshot` and report findings.

Snapshot in, findings out: no queries and no models, so a past version is checked exactly like
the live design and each rule is tested without a database.
"""
