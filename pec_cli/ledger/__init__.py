"""The ledger: entries, the append-only store, totals, caches, verify, import, evidence.

Builds on ``plan`` (entries are checked against it); never imports the
reports, the CLI, or the plan's YAML loader (it reads the cached plan).
"""
