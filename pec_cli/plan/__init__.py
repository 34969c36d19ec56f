"""The plan: its YAML schema, the loader, the runtime model and the safe formulas.

Depends on nothing else in pec but ``errors``, ``workspace`` and ``cachefiles``;
the ledger and the reports build on it.
"""
