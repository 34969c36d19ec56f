"""Reports: the avance (SPEC §3), the Seguimiento table model and its writers.

Builds on ``plan`` and ``ledger``; the only layer that imports rich, tabulate
or XlsxWriter, each inside the writer that draws with it.
"""
