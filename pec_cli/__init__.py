"""pec: the tracker of a Plan Estratégico de Comunicaciones.

Layers, each a folder, importing only downwards (a test checks it):

- ``errors``, ``workspace``, ``fields``, ``cachefiles``: what every layer shares.
- ``plan/``: the plan file: its schema, the YAML loader, the runtime model, the safe formulas,
  the resolver of names a person types.
- ``ledger/``: the append-only store of entries, the record rule, totals, caches, query,
  verify, import, evidence. Reads the cached plan, never the YAML loader.
- ``report/``: the avance of SPEC §3 (pure), the Seguimiento table model, and its writers
  (board, CSV, Markdown, XLSX, HTML, PDF, JSON, the paquete).
- ``context``: one loaded workspace, plan and day, and what commands ask of them.
- ``cli/``: one small module per command (Typer).

Glossary. Domain nouns stay Spanish wherever the plan file, the ledger or the JSON use them,
so that code, files and contract read alike: *vigencia* (the plan's year), *línea* (a line of
the Seguimiento table), *actividad*, *tipo* (a kind of entry: publicacion, solicitud,
medicion...), *meta*, *programación* / *programado* (the share of the meta planned for a
quarter), *trimestre* (quarter, I-IV), *corte* (the cut-off day of a report),
*cumplimiento* (how well a window met its own target, %), *logrado* (percentage points of
the annual meta a window contributed), *acumulado*, *semáforo*, *realizadas* (entries
counted), *observación* (a note for the committee), *anulación* (a void), *evidencia*, *red*
(a social network), *serie* (a measured series of a gauge), *cambios* (the plan's RESUMEN DE
CAMBIOS, a row per versión), *firmas* (who elaboró, revisó and aprobó the plan; a report's own are
its *aprobaciones*), *lectura* (how a computed formula reads the document's), *objetivo* (an
objective of the plan, by its numero), *ficha* (an indicator's hoja de vida), *público* (the
version of a report for publication). Everything else is English:
*entry* (one ledger record read back: a piece, a void or a note), *segment* (one writer's
file of the ledger), *tally* (entries folded into counts, measures, voids and notes: ``Tally.of(records)``,
``ledger.cache.read_tally(ws, year)``; its *net* tally has every void applied once),
*report* (the avance of every activity and line), *table* (the Seguimiento as typed rows and
cells), *writer* (a format that lays out the table), *pack* (what one export shows).
"""

__version__ = "0.2.0"
