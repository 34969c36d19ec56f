"""The committee report as one self-contained HTML page (inline CSS and SVG).

No network, no JavaScript, no external font or image: the file can be mailed,
opened offline and printed on A4. Standard library only. It takes plain
values built by ``export``: the status document of the requested quarter
(``render.report_to_dict``, so every figure is the one ``pec status`` prints),
the documents of the quarters before it (for the cumulative curve) and the
detail rows. Every text goes through ``html.escape``; links are only the
evidence paths pec stored and http(s) addresses (``export.Detail.rows``).
"""

from collections.abc import Iterable
from html import escape
from typing import Any, NamedTuple

from pec_cli.ledger.query import Selection
from pec_cli.plan.model import QUARTERS
from pec_cli.report.detail import piece_count
from pec_cli.report.fichas import Ficha
from pec_cli.report.numbers import count_text, pct
from pec_cli.report.plan_document import Block, Bullets, Code, Grid, Section
from pec_cli.report.table import (
    COLUMNS,
    FIRMAS_INFORME,
    LEGEND_CELLS,
    LEGEND_QUARTERS,
    SIN_APROBAR,
    SYMBOLS,
    Cell,
    CellValue,
    Column,
    Firmas,
    Kind,
    Row,
    SeriesRow,
    Table,
    cell_text,
    firmas_caption,
)

SEMAFORO_LABEL = {"verde": "Verde", "amarillo": "Amarillo", "rojo": "Rojo", None: "Sin meta"}
QUARTER_BARS = "Logrado frente a programado, por trimestre"
SEMAFORO_COLOUR = {"verde": "#1e7b34", "amarillo": "#b26a00", "rojo": "#b3261e", None: "#6b7280"}

CSS = """
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:#eef1f5;color:#1f2933;font:14px/1.45 "Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif}
main{max-width:1120px;margin:0 auto;padding:24px}
a{color:#0b5cad}
h1,h2,h3{margin:0;line-height:1.2}
.portada{background:#1f4e79;color:#fff;border-radius:10px;padding:22px 26px;margin-bottom:18px}
.portada .entidad{font-size:13px;letter-spacing:.06em;text-transform:uppercase;opacity:.85}
.portada h1{font-size:26px;margin:6px 0 12px}
.portada dl{display:flex;flex-wrap:wrap;gap:8px 28px;margin:0}
.portada dt{font-size:11px;text-transform:uppercase;letter-spacing:.05em;opacity:.75}
.portada dd{margin:0;font-size:17px;font-weight:600}
.card{background:#fff;border:1px solid #d8dee6;border-radius:10px;padding:16px 18px;margin-bottom:16px}
.card>h2{font-size:18px;margin-bottom:10px;color:#1f4e79}
.resumen{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px}
.kpi{border:1px solid #d8dee6;border-left:6px solid var(--c);border-radius:8px;padding:10px 12px;background:#fff}
.kpi .nombre{font-weight:600;min-height:2.6em}
.kpi .cifra{font-size:26px;font-weight:700;color:var(--c)}
.kpi .de{display:block;color:#52606d;font-size:13px}
.bar{position:relative;height:10px;background:#e4e8ee;border-radius:5px;overflow:hidden;margin:6px 0}
.bar span{position:absolute;left:0;top:0;bottom:0;background:var(--c)}
.bar i{position:absolute;top:-2px;bottom:-2px;width:2px;background:#1f2933}
.pill{display:inline-block;padding:1px 10px;border-radius:999px;font-size:12px;font-weight:700;white-space:nowrap;border:1px solid transparent}
.s-verde{background:#d4f0da;color:#1e6b30;border-color:#9fd6ab}
.s-amarillo{background:#fff0c2;color:#8a5200;border-color:#f0cf73}
.s-rojo{background:#fcd9d6;color:#9c1c14;border-color:#f1a39c}
.s-none{background:#eceff3;color:#52606d;border-color:#d1d7df}
table{border-collapse:collapse;width:100%}
th,td{padding:5px 7px;border-bottom:1px solid #e3e7ed;vertical-align:top;text-align:left}
thead th{background:#1f4e79;color:#fff;font-weight:600;font-size:12px;border-bottom:0}
thead{display:table-header-group}
tr{break-inside:avoid}
td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.seg td,.cuatrienio td{font-size:12.5px}
.seg tr.linea td{background:#e8f0f8;font-weight:700}
.seg tr.act td:nth-child(2){padding-left:18px}
.seg .ind{color:#52606d;font-size:11.5px}
.seg td:nth-child(2){min-width:150px}
.seg td:nth-child(3){min-width:120px}
.seg td:last-child{min-width:140px}
.seg thead th.n{white-space:normal}
.seg thead th.q{white-space:nowrap}
.seg td.n{padding-left:4px;padding-right:5px}
.linea-sec{margin-top:8px}
.linea-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:10px 16px}
.linea-head h2{font-size:20px;color:#1f4e79}
.linea-head .big{font-size:18px;font-weight:700;color:var(--c)}
.muted{color:#52606d}
.small{font-size:12px}
.graficos{display:grid;grid-template-columns:minmax(0,1fr) 330px;gap:24px;align-items:start;margin:10px 0}
.graficos h4{margin:0 0 4px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#52606d}
.qb{width:100%}
.qb th{width:58px;font-weight:600;border:0;padding:4px 6px 4px 0;font-size:12.5px}
.qb td{border:0;padding:4px 0}
.qb td.n{width:118px;padding-left:8px;font-size:12.5px}
.track{position:relative;height:16px;background:repeating-linear-gradient(135deg,#e9edf2 0 6px,#dfe4ea 6px 12px);border:1px solid #c5ccd6;border-radius:3px}
.track span{position:absolute;left:0;top:0;bottom:0;background:#1f4e79;border-radius:2px 0 0 2px}
.track.futuro{background:#f5f7fa;border-style:dashed}
.cero{font-size:12px;color:#6b7280;font-style:italic}
svg.curva{width:100%;height:auto;display:block}
article.act{border-top:1px solid #e3e7ed;padding-top:12px;margin-top:14px}
.act-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 12px}
.act-head h3{font-size:16px}
.act-head code{font-size:12px;background:#eef1f5;padding:1px 6px;border-radius:4px}
.act-head .big{font-weight:700;color:var(--c)}
.ficha{margin:4px 0 0;font-size:12.5px;color:#52606d}
.obs{margin:6px 0;padding:8px 12px;background:#fffbea;border-left:4px solid #f0cf73;border-radius:4px;font-size:13px}
.obs ul{margin:2px 0 0;padding-left:18px}
.evid{font-size:12px}
.evid th{background:#f1f4f8;color:#1f2933;font-size:11.5px}
.evid code{font-size:11px;color:#52606d}
.evid{table-layout:fixed}
.evid td{overflow-wrap:anywhere}
.evid .fecha{width:104px;white-space:nowrap}
.evid td:first-child code{font-size:10px;color:#8a96a3}
.evid .tipo{width:150px}
.evid .ev{width:210px}
.evid .estado{width:74px}
.evid .por{width:120px}
.leyenda{font-size:11px;color:#52606d;margin-top:2px}
.leyenda b{display:inline-block;width:18px;border-top:2px dashed #8a96a3;vertical-align:middle;margin-right:4px}
.leyenda b.l{border-top:3px solid var(--c)}
tr.anulada td{color:#8a96a3;text-decoration:line-through}
tr.anulada td.estado{text-decoration:none}
.meses{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}
.meses span{font-size:12px;border:1px solid #d1d7df;border-radius:4px;padding:1px 6px}
.meses span.ok{background:#d4f0da;border-color:#9fd6ab}
footer{font-size:12px;color:#52606d;margin-top:10px}
.doc{margin:6px 0 14px;font-size:13px}
.doc caption{text-align:left;font-weight:600;color:#52606d;padding:4px 0}
.doc tbody th{font-weight:600;background:#f7f9fb;min-width:140px}
.doc code,.card li code{font-size:12px;background:#eef1f5;padding:1px 4px;border-radius:4px}
.card>h3{font-size:15px;margin:14px 0 6px;color:#1f2933}
.card p{margin:6px 0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.ficha-t{margin:0 0 18px;table-layout:fixed}
.ficha-t caption{text-align:left;font-weight:700;font-size:16px;color:#1f4e79;padding:8px 0 6px}
.ficha-t th{width:200px;background:#f1f4f8;font-size:12.5px}
.ficha-t td{font-size:12.5px}
@page{size:A4;margin:12mm 10mm}
@media print{
 body{background:#fff;font-size:10pt}
 main{max-width:none;padding:0}
 .card{border:0;padding:0;margin-bottom:10pt;border-radius:0}
 .linea-sec{break-before:page}
 .act-top,.ficha-t{break-inside:avoid}
 h2,h3,.doc caption{break-after:avoid}
 .doc tbody tr{break-inside:avoid}
 .portada{border-radius:0}
 .seg td{font-size:8pt;padding:3px 4px}
 .seg .ind{font-size:7.5pt}
 .resumen{grid-template-columns:repeat(4,minmax(0,1fr));gap:8px}
 .kpi{padding:6px 8px}
 .kpi .cifra{font-size:18px}
 .portada{padding:12px 16px;margin-bottom:10pt}
 .portada h1{font-size:19px}
 thead th{font-size:8pt}
 a{color:inherit;text-decoration:none}
}
"""


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _key(semaforo: str | None) -> str:
    return f"s-{semaforo}" if semaforo else "s-none"


def pill(semaforo: str | None) -> str:
    return f'<span class="pill {_key(semaforo)}">{esc(SEMAFORO_LABEL[semaforo])}</span>'


def _pct(cell: Cell, decimals: int = 2) -> str:
    return cell_text(cell, lambda v: pct(v, decimals))


def progress_bar(acum: Cell, semaforo: str | None, marker: float | None = None) -> str:
    """A bar of the annual meta: the acumulado filled, a tick at ``marker`` (the programado acumulado)."""
    colour = SEMAFORO_COLOUR[semaforo]
    fill = max(0.0, min(100.0, acum.value or 0.0))
    tick = f'<i style="left:{min(marker, 100.0):.2f}%"></i>' if marker is not None else ""
    return f'<div class="bar" aria-hidden="true" style="--c:{colour}"><span style="width:{fill:.2f}%"></span>{tick}</div>'


def quarter_bars(row: Row) -> str:
    """Per quarter: a track as long as its programado, filled with its logrado."""
    top = max(row.programacion) or 1.0
    rows = []
    for i, q in enumerate(QUARTERS):
        p = row.programacion[i]
        cell = row.trimestres[i]
        if p <= 0:
            track = f'<span class="cero">{SYMBOLS[Kind.NOTHING]} nada programado este trimestre</span>'
            label = "0 %"
        elif cell.kind is Kind.AFTER_CUT:  # blank, as every format says a quarter after the corte
            track = f'<div class="track futuro" style="width:{100 * p / top:.2f}%"></div>'
            label = f"{_pct(cell)} / {pct(p, 0)}".strip()
        else:
            fill = max(0.0, min(100.0, 100.0 * (cell.value or 0.0) / p))  # how much of the track is filled
            track = f'<div class="track" style="width:{100 * p / top:.2f}%"><span style="width:{fill:.2f}%"></span></div>'
            label = f"{_pct(cell)} / {pct(p, 0)}"
        rows.append(f'<tr><th scope="row">Trim. {q}</th><td>{track}</td><td class="n">{esc(label)}</td></tr>')
    return f'<table class="qb"><caption class="sr">{QUARTER_BARS}</caption>{"".join(rows)}</table>'


class _Plot(NamedTuple):
    """The curve's drawing area: quarter i (0 = the vigencia's start) and a percentage to SVG units."""

    width: int = 330
    height: int = 160
    left: int = 40
    right: int = 16
    top: int = 10
    bottom: int = 22

    def x(self, i: int) -> float:
        return self.left + (self.width - self.left - self.right) * i / 4

    def y(self, value: float) -> float:
        return self.top + (self.height - self.top - self.bottom) * (1 - max(0.0, min(value, 100.0)) / 100)


def _axes(plot: _Plot) -> list[str]:
    parts = []
    for level in (0, 25, 50, 75, 100):
        y = plot.y(level)
        parts.append(
            f'<line x1="{plot.left}" x2="{plot.width - plot.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e1e6ec" stroke-width="1"/>'
            f'<text x="{plot.left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10.5" fill="#6b7280">{level} %</text>'
        )
    for i, label in enumerate(("inicio", *QUARTERS)):
        parts.append(f'<text x="{plot.x(i):.1f}" y="{plot.height - 6}" text-anchor="middle" font-size="10" fill="#6b7280">{label}</text>')
    return parts


def _programmed(plot: _Plot, programacion: list[float]) -> list[str]:
    """The programado acumulado: dashed, through 25/50/75/100 (or the plan's own programación)."""
    planned, total = [(plot.x(0), plot.y(0))], 0.0
    for i, p in enumerate(programacion, start=1):
        total += p
        planned.append((plot.x(i), plot.y(total)))
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in planned)
    return [f'<polyline points="{path}" fill="none" stroke="#8a96a3" stroke-width="2" stroke-dasharray="5 4"/>',
            *(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="#8a96a3"/>' for px, py in planned[1:])]


def _achieved(plot: _Plot, points: list[float | None], colour: str) -> list[str]:
    """The logrado acumulado: a line broken where "no aplica", a dot per quarter, the last value labelled."""
    segments: list[list[tuple[float, float]]] = [[(plot.x(0), plot.y(0))]]
    for i, value in enumerate(points, start=1):
        if value is None:
            segments.append([])
        else:
            segments[-1].append((plot.x(i), plot.y(value)))
    parts = [
        f'<polyline points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in seg)}" fill="none" stroke="{colour}" '
        'stroke-width="3" stroke-linejoin="round"/>'
        for seg in segments if len(seg) > 1
    ]
    known = [(i, v) for i, v in enumerate(points, start=1) if v is not None]
    parts += [f'<circle cx="{plot.x(i):.1f}" cy="{plot.y(v):.1f}" r="4" fill="{colour}" stroke="#fff" stroke-width="1.5"/>'
              for i, v in known]
    if known:
        i, value = known[-1]
        anchor, dx = ("end", -7) if i >= 3 else ("start", 7)
        ty = plot.y(value) - 8 if plot.y(value) > plot.top + 14 else plot.y(value) + 16
        parts.append(f'<text x="{plot.x(i) + dx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" font-size="11" font-weight="700" '
                     f'fill="{colour}">{esc(pct(value))}</text>')
    return parts


def _curve_words(name: str, points: list[float | None], programacion: list[float], semaforo: str | None) -> str:
    """What the curve shows, in words (its ``aria-label``): a reader who cannot see it hears the same."""
    planned = ", ".join(pct(sum(programacion[:i + 1]), 0) for i in range(len(programacion)))
    done = ", ".join(f"Trim. {q}: {Kind.NOT_APPLICABLE.value if v is None else pct(v)}"
                     for q, v in zip(QUARTERS[:len(points)], points, strict=True))
    return (f"Curva acumulada de {name}: programado acumulado {planned}; logrado acumulado {done or 'sin datos'}; "
            f"semáforo {SEMAFORO_LABEL[semaforo].lower()}")


def curve(points: list[float | None], programacion: list[float], semaforo: str | None, name: str = "") -> str:
    """Inline SVG: the programado acumulado (dashed, 25/50/75/100) and the logrado acumulado
    at the end of each quarter up to the cut (``points``, None where "no aplica")."""
    plot = _Plot()
    words = esc(_curve_words(name, points, programacion, semaforo))
    parts = [f'<svg class="curva" viewBox="0 0 {plot.width} {plot.height}" role="img" aria-label="{words}" '
             'xmlns="http://www.w3.org/2000/svg">',
             *_axes(plot), *_programmed(plot, programacion), *_achieved(plot, points, SEMAFORO_COLOUR[semaforo]), "</svg>"]
    legend = '<div class="leyenda"><b></b>programado acumulado &nbsp; <b class="l"></b>logrado acumulado</div>'
    return "".join(parts) + legend


def _points(history: list[Table], row_id: str) -> list[float | None]:
    """The acumulado of one activity (or line) at the end of each quarter up to the cut.

    Where nothing was programmed yet (campaigns in Trim. I) the point is 0 of 0, not a gap;
    "no aplica" (e.g. no requests) leaves a gap in the curve.
    """
    cells = (table.row(row_id).acumulado for table in history)
    return [0.0 if acum.kind is Kind.NOTHING else acum.value for acum in cells]


def _title_block(title: dict[str, Any], heading: str, facts: list[tuple[str, Any]]) -> str:
    entidad = title["entidad"] + (f" ({title['sigla']})" if title.get("sigla") else "")
    dl = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts)
    return (
        f'<header class="portada"><div class="entidad">{esc(entidad)}</div>'
        f"<h1>{esc(heading)}</h1><dl>{dl}</dl></header>"
    )


def _page(title: str, body: Iterable[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body><main>\n"
        + "\n".join(body)
        + "\n</main></body></html>\n"
    )


def _summary(table: Table) -> str:
    cards = []
    for line in table.lines():
        acum = line.acumulado
        colour = SEMAFORO_COLOUR[line.semaforo]
        cards.append(
            f'<div class="kpi" style="--c:{colour}"><div class="nombre">{esc(line.nombre)}</div>'
            f'<div><span class="cifra">{esc(_pct(acum))}</span> <span class="de">de {esc(pct(acum.programado, 0))} programado</span></div>'
            f'{progress_bar(acum, line.semaforo, acum.programado)}'
            f"{pill(line.semaforo)}</div>"
        )
    return (
        '<section class="card"><h2>Resumen por línea</h2>'
        f'<div class="resumen">{"".join(cards)}</div>'
        '<p class="small muted">Acumulado logrado frente al programado acumulado, en porcentaje de la meta anual; '
        "la marca negra de cada barra es lo programado hasta el fin del trimestre.</p></section>"
    )


def _table_cell(column: Column, value: CellValue) -> str:
    if isinstance(value, Cell):
        return f'<td class="n">{esc(_pct(value, 0 if column.key == "meta" else 2))}</td>'
    if column.kind == "semaforo":
        return f"<td>{pill(value if isinstance(value, str) else None)}</td>"
    css = {"indicador": ' class="ind"', "observaciones": ' class="small"'}.get(column.key, "")
    return f"<td{css}>{esc(value)}</td>"


def _seguimiento_table(table: Table) -> str:
    head = "".join(
        f'<th scope="col" class="{"n" if c.kind == "percent" else ""}{" q" if c.key in QUARTERS else ""}">{esc(h)}</th>'
        for c, h in zip(COLUMNS, table.headers, strict=True)
    )
    body = []
    for row in table.rows:
        cells = "".join(_table_cell(c, v) for c, v in zip(COLUMNS, table.values(row), strict=True))
        body.append(f'<tr class="{"linea" if row.is_line else "act"}">{cells}</tr>')
    legend = [f"{LEGEND_QUARTERS}; programado: 25 por trimestre salvo que el plan diga otra cosa", LEGEND_CELLS]
    if table.legend_en_curso:
        legend.append(table.legend_en_curso)
    legend += table.notas_cierre
    return (
        '<section class="card"><h2>Tabla de Seguimiento</h2>'
        f'<table class="seg"><caption class="sr">Tabla de Seguimiento {table.vigencia}, Trim. {table.trimestre_label}</caption>'
        f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        + "".join(f'<p class="small muted">{esc(text)}.</p>' for text in legend) + "</section>"
        + _acciones(table)
    )


def _acciones(table: Table) -> str:
    """«Análisis y acciones de mejora» of the closed quarters (``report.closed.action_lines``)."""
    if not table.acciones:
        return ""
    items = "".join(f"<li>{esc(text)}.</li>" for text in table.acciones)
    return f'<section class="card"><h2>Análisis y acciones de mejora</h2><ul>{items}</ul></section>'


def _evidence_table(rows: list[dict[str, Any]], tipos: dict[str, str] | None = None, por: bool = False) -> str:
    """The pieces and their evidence; with ``por``, who registered each (the detail page)."""
    if not rows:
        return '<p class="small muted">Sin piezas registradas hasta la fecha de corte.</p>'
    body = []
    for r in rows:
        pieza = esc(r["titulo"] or "")
        if r["red"] is not None:
            valor = r["valor"]
            shown = count_text(valor, thousands=".") if isinstance(valor, int | float) else valor
            pieza = f"{esc(r.get('red_nombre') or r['red'])}: {esc(shown)}"
        extra = [esc(v) for v in (r["canal"], r["area"] and f"área: {r['area']}", r["atiende"] and f"atiende: {r['atiende']}",
                                  r["nota"]) if v]
        if extra:
            joined = " · ".join(extra)
            pieza += f' <span class="muted">· {joined}</span>' if pieza else f'<span class="muted">{joined}</span>'
        if r["url_enlace"]:
            pieza += f' · <a href="{esc(r["url_enlace"])}">enlace</a>'
        evid = ""
        if r["evidencia"]:
            name = esc(r["evidencia_nombre"] or r["evidencia"])
            evid = f'<a href="{esc(r["evidencia_enlace"])}">{name}</a>' if r["evidencia_enlace"] else name
            if r["evidencia_sha256"]:
                sha = str(r["evidencia_sha256"])
                evid += f'<br><code title="SHA-256 {esc(sha)}">sha256 {esc(sha[:16])}…</code>'
        state = "anulada" if r["estado"] == "anulada" else ""
        who = f"<td>{esc(r['registrado_por'])}</td>" if por else ""
        late = '<br><span class="muted">extemporánea</span>' if r.get("extemporanea") else ""
        motivo = f'<br><span class="small">{esc(r["motivo"])}</span>' if r.get("motivo") else ""  # why it was voided
        body.append(
            f'<tr class="{state}"><td>{esc(r["fecha"])}<br><code title="id de la entrada">{esc(r["id"])}</code></td><td>{esc((tipos or {}).get(r["tipo"], r["tipo"]))}</td>'
            f'<td>{pieza}</td><td>{evid}</td>{who}<td class="estado">{esc(state)}{motivo}{late}</td></tr>'
        )
    who_col, who_head = ('<col class="por">', "<th>Registrado por</th>") if por else ("", "")
    return (
        f'<table class="evid"><colgroup><col class="fecha"><col class="tipo"><col><col class="ev">{who_col}'
        '<col class="estado"></colgroup><thead><tr><th>Fecha</th><th>Tipo</th><th>Pieza</th><th>Evidencia</th>'
        f'{who_head}<th>Estado</th></tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _ficha(act: Row) -> str:
    if act.meta_piezas is not None:
        meta = f"Meta anual: {count_text(act.meta_piezas)} {act.unidad}".strip()
    else:
        meta = f"Meta: {act.meta_texto or 'según demanda'}"
    counts = " · ".join(f"{name}: {n}" for _, name, n in act.por_tipo)
    prog = "/".join(count_text(p) for p in act.programacion)
    return (
        f'<p class="ficha">{esc(meta)} · Registradas hasta el corte: {esc(counts or "ninguna")} · '
        f"Fórmula: <code>{esc(act.formula)}</code> · Programación: {esc(prog)} %</p>"
    )


def _series(act: Row) -> str:
    """The gauge's networks, then its other measured series (interacción, shown and never counted)."""
    tables = [_series_table(act.tipo_principal, act.series)]
    tables += [_series_table(name, rows, counts=False) for name, rows in act.otras_series]
    return "".join(tables)


def _requests(act: Row) -> str:
    if not act.solicitudes:
        return ""
    rows = "".join(f'<tr><td>{esc(a.area)}</td><td class="n">{a.recibidas}</td><td class="n">{a.atendidas}</td></tr>'
                   for a in act.solicitudes)
    return ('<table class="evid"><thead><tr><th>Solicitudes por área</th><th class="n">Recibidas</th>'
            f'<th class="n">Atendidas</th></tr></thead><tbody>{rows}</tbody></table>')


def _series_table(caption: str, series: tuple[SeriesRow, ...], counts: bool = True) -> str:
    """A gauge's networks: base, last value, meta, the % without cap and, for the series that
    counts in the avance, the capped figure it contributes (SPEC §3)."""
    if not series:
        return ""

    def number(value: float | None) -> str:
        return "" if value is None else count_text(value, thousands=".")

    def percent(value: float | None, s: SeriesRow) -> str:
        return "sin medición" if s.sin_medicion else SYMBOLS[Kind.NOT_APPLICABLE] if value is None else pct(value)

    rows = "".join(
        f'<tr><td>{esc(s.nombre)}</td><td class="n">{esc(number(s.inicio))}</td><td class="n">{esc(number(s.fin))}</td>'
        f'<td class="n">{esc(number(s.meta))}</td><td class="n">{esc(percent(s.cumplimiento, s))}</td>'
        + (f'<td class="n">{esc(percent(s.cumplimiento_con_tope, s) if not s.sin_medicion else pct(0.0))}</td>'
           f'<td class="n">{esc(number(s.meta_anual))}</td><td class="n">{esc(percent(s.cumplimiento_anual, s))}</td>'
           if counts else "") + "</tr>"
        for s in series
    )
    head = f"<caption>{esc(caption)}</caption>" if caption else ""
    counted = ('<th scope="col" class="n">Cuenta en la cifra (0 a 100 %)</th><th scope="col" class="n">Meta anual</th>'
               '<th scope="col" class="n">% de la meta anual</th>') if counts else ""
    return (
        f'<table class="evid">{head}<thead><tr><th scope="col">Red</th><th scope="col" class="n">Inicio</th>'
        '<th scope="col" class="n">Fin</th>'
        f'<th scope="col" class="n">Meta a la fecha</th><th scope="col" class="n">Cumplimiento (sin tope)</th>'
        f"{counted}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        + ('<p class="small muted">Cumplimiento (sin tope): el crecimiento frente a la meta a la fecha (frente a lo '
           "programado al corte); % de la meta anual: el mismo crecimiento frente a la meta del año.</p>" if counts else "")
    )


def _months(act: Row) -> str:
    if not act.meses:
        return ""
    chips = "".join(
        f'<span class="{"ok" if m.meta is not None and m.realizadas >= m.meta else ""}">'
        f"{esc(m.mes)}: {esc(m.realizadas)}/{esc('' if m.meta is None else count_text(m.meta))}</span>"
        for m in act.meses
    )
    return f'<div class="meses" title="Piezas por mes frente a la meta mensual">{chips}</div>'


def _observations(notes: tuple[tuple[str, str], ...]) -> str:
    items = [f"<li><b>Trim. {esc(q)}:</b> {esc(text)}</li>" for q, text in notes]
    if not items:
        return ""
    return f'<div class="obs"><b>Observaciones</b><ul>{"".join(items)}</ul></div>'


def _activity(act: Row, history: list[Table], rows: list[dict[str, Any]] | None, tipos: dict[str, str]) -> str:
    """One activity's section; ``rows`` None: the public version, which lists no piece."""
    acum = act.acumulado
    evidence = "" if rows is None else f"<h4 class=\"small muted\">Evidencias ({len(rows)})</h4>{_evidence_table(rows, tipos)}"
    colour = SEMAFORO_COLOUR[act.semaforo]
    return (
        f'<article class="act" style="--c:{colour}"><div class="act-top">'
        f'<div class="act-head"><h3>{esc(act.nombre)}</h3><code>{esc(act.id)}</code>{pill(act.semaforo)}'
        f'<span>Acumulado <span class="big">{esc(_pct(acum))}</span> de {esc(pct(acum.programado, 0))} programado</span></div>'
        f"{_ficha(act)}"
        '<div class="graficos"><div><h4>Logrado frente a programado, por trimestre</h4>'
        f"{quarter_bars(act)}{_months(act)}</div>"
        f'<div><h4>Curva acumulada</h4>{curve(_points(history, act.id), list(act.programacion), act.semaforo, act.nombre)}</div></div>'
        f"{_series(act)}{_requests(act)}{_observations(act.observaciones)}</div>{evidence}</article>"
    )


def _line(line: Row, table: Table, history: list[Table], rows_by_activity: dict[str, list[dict[str, Any]]] | None) -> str:
    acum = line.acumulado
    colour = SEMAFORO_COLOUR[line.semaforo]
    activities = "".join(
        _activity(act, history, None if rows_by_activity is None else rows_by_activity.get(act.id, []),
                  {t: name for t, name, _ in act.por_tipo})
        for act in table.activities(line.id)
    )
    return (
        f'<section class="card linea-sec" style="--c:{colour}"><div class="act-top">'
        f'<div class="linea-head"><h2>{esc(line.nombre)}</h2>{pill(line.semaforo)}'
        f'<span>Acumulado <span class="big">{esc(_pct(acum))}</span> de {esc(pct(acum.programado, 0))} programado '
        f'· meta {esc(pct(line.meta, 0))}</span></div>'
        f'<p class="ficha"><b>Indicador:</b> {esc(line.indicador_nombre)}<br>'
        f'<b>Fórmula del documento:</b> {esc(line.indicador)} · <b>se calcula:</b> <code>{esc(line.formula)}</code> '
        "(promedio de sus actividades, cada una hasta 100 %)</p>"
        '<div class="graficos"><div><h4>Logrado frente a programado, por trimestre</h4>'
        f"{quarter_bars(line)}</div>"
        f'<div><h4>Curva acumulada</h4>{curve(_points(history, line.id), list(line.programacion), line.semaforo, line.nombre)}</div></div>'
        f"{_observations(line.observaciones)}</div>{activities}</section>"
    )


def _year_cell(year: dict[str, Any]) -> str:
    if year["estado"] in ("sin plan", "sin línea", "por empezar"):
        return f'<td class="muted">{esc(year["estado"])}</td>'
    ejecucion, programado, aporte = (SYMBOLS[Kind.NOT_APPLICABLE] if year[key] is None else pct(year[key], decimals)
                                     for key, decimals in (("ejecucion", 2), ("programado", 0), ("aporte", 2)))
    state = "" if year["estado"] == "cerrado" else f' <span class="small muted">({esc(year["estado"])})</span>'
    return (f'<td class="n">{esc(ejecucion)} de {esc(programado)}{state}<br>'
            f'<span class="small muted">aporta {esc(aporte)} de {esc(pct(year["meta"], 0))}</span></td>')


def cuatrienio_page(doc: dict[str, Any]) -> str:
    """The four-year prospectiva as one extra page: each line per year, and its cumulative."""
    years = [str(y) for y in doc["anios"]]
    head = "".join(f'<th scope="col" class="n">{esc(y)}</th>' for y in years)
    body = []
    for line in doc["lineas"]:
        acc = line["acumulado"]
        cells = "".join(_year_cell(line["anios"][y]) for y in years)
        body.append(
            f'<tr><td>{esc(line["numero"])}. {esc(line["nombre"])}</td>{cells}'
            f'<td class="n"><b>{esc(pct(acc["aporte"]))}</b> de {esc(pct(acc["programado"]))}<br>'
            f'<span class="small muted">meta {esc(pct(acc["meta"], 0))} en el cuatrienio</span></td></tr>'
        )
    return (
        f'<section class="card linea-sec"><h2>Prospectiva cuatrienal {esc(years[0])}-{esc(years[-1])}</h2>'
        f'<table class="cuatrienio"><caption class="sr">Ejecución de cada línea por año del cuatrienio</caption>'
        f'<thead><tr><th scope="col">Línea</th>{head}<th scope="col" class="n">Acumulado</th></tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table>'
        '<p class="small muted">Cada año: puntos de su meta anual logrados, de los programados a la fecha; aporta: '
        "esos puntos por la parte del cuatrienio que la prospectiva da al año (25 % cada año). Un año sin plan "
        f"no suma a ningún lado. Al {esc(doc['fecha'])}.</p></section>"
    )


def seguimiento_page(title: dict[str, Any], history: list[Table], rows: list[dict[str, Any]],
                     cuatrienio: dict[str, Any] | None = None) -> str:
    """The committee report of the last table's quarter: summary, Seguimiento table, one section per line.

    ``history`` holds the tables of quarters I..q (the cumulative curves); the last is the requested one.
    """
    table = history[-1]
    by_activity: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_activity.setdefault(row["actividad"], []).append(row)
    heading = f"{table.plan} {table.vigencia}: seguimiento del Trim. {table.trimestre_label}"
    corte = table.corte.isoformat()
    body = [
        _title_block(title, heading, [
            ("Vigencia", table.vigencia),
            ("Trimestre", table.trimestre_label + (f" · {table.estado}" if table.estado else "")), ("Corte", corte),
            ("Versión del plan", table.version),
        ]),
        _summary(table),
        _seguimiento_table(table),
        *[_line(line, table, history, by_activity) for line in table.lines()],
        *([cuatrienio_page(cuatrienio)] if cuatrienio else []),
        firmas_section(table.firmas),
        f'<footer>Generado con pec a partir del plan y del registro de piezas. Semáforo sobre acumulado / programado '
        f'acumulado: verde ≥ {esc(count_text(table.verde))} %, amarillo ≥ {esc(count_text(table.amarillo))} %, rojo por debajo. '
        f"Las piezas anuladas se muestran tachadas y no cuentan. Piezas hasta el {esc(corte)}: "
        f"{esc(piece_count(rows))}.</footer>",
    ]
    return _page(heading, body)


def detail_page(title: dict[str, Any], rows: list[dict[str, Any]], detail: Selection) -> str:
    """The entries of ``pec export html --detalle``: one table, evidence linked."""
    period = f"del {detail.desde} al {detail.hasta}" if detail.desde and detail.hasta else "toda la vigencia"
    heading = f"{title['plan']} {title['vigencia']}: detalle de piezas y evidencias"
    table_rows = [{**r, "tipo": f"{r['actividad_nombre']} · {r['tipo_nombre']}"} for r in rows]
    body = [
        _title_block(title, heading, [
            ("Vigencia", title["vigencia"]), ("Período", period),
            ("Piezas", piece_count(rows)),
        ]),
        f'<section class="card"><h2>Piezas</h2>{_evidence_table(table_rows, por=True)}</section>',
    ]
    return _page(heading, body)


def _lines_html(value: str) -> str:
    return "<br>".join(esc(line) for line in value.split("\n"))


def fichas_section(sheets: list[Ficha]) -> str:
    """The indicator sheets: one table per indicator, its title the caption, each label a row header."""
    tables = "".join(
        f'<table class="ficha-t" id="ficha-{esc(f.id)}"><caption>{esc(f.titulo)}</caption><tbody>'
        + "".join(f'<tr><th scope="row">{esc(label)}</th><td>{_lines_html(value)}</td></tr>' for label, value in f.campos)
        + "</tbody></table>"
        for f in sheets
    )
    return f'<section class="card linea-sec"><h2>Fichas de los indicadores</h2>{tables}</section>'


def fichas_page(title: dict[str, Any], sheets: list[Ficha]) -> str:
    """``pec export fichas --format html``: the sheets of every line and activity, from the plan."""
    heading = f"{title['plan']} {title['vigencia']}: fichas de los indicadores"
    facts = [("Vigencia", title["vigencia"]), ("Versión del plan", title["version"]), ("Indicadores", len(sheets))]
    return _page(heading, [_title_block(title, heading, facts), fichas_section(sheets)])


def _doc_cell(cell: str | Code, tag: str = "td", scope: str = "") -> str:
    text = f"<code>{esc(cell.text)}</code>" if isinstance(cell, Code) else esc(cell)
    attr = f' scope="{scope}"' if scope else ""
    return f"<{tag}{attr}>{text}</{tag}>"


def _doc_block(block: Block) -> str:
    if isinstance(block, Grid):
        head = "".join(_doc_cell(h, "th", "col") for h in block.headers)
        rows = "".join(
            "<tr>" + "".join(_doc_cell(c, "th", "row") if i == 0 and block.row_headers else _doc_cell(c)
                             for i, c in enumerate(row)) + "</tr>"
            for row in block.rows)
        return (f'<table class="doc"><caption>{esc(block.caption)}</caption><thead><tr>{head}</tr></thead>'
                f"<tbody>{rows}</tbody></table>")
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_doc_cell(item, 'span')}</li>" for item in block.items) + "</ul>"
    return f"<p>{esc(block)}</p>"


def plan_page(title: dict[str, Any], heading: str, facts: list[tuple[str, str]], sections: list[Section]) -> str:
    """``pec plan show --format html``: the plan document, one card per part of the seed, its items inside."""
    cards: list[list[str]] = []
    for section in sections:
        if section.level <= 2 or not cards:
            cards.append(['<section class="card linea-sec">' if section.new_page else '<section class="card">',
                          f"<h2>{esc(section.heading)}</h2>"])
        else:
            cards[-1].append(f"<h3>{esc(section.heading)}</h3>")
        cards[-1] += [_doc_block(block) for block in section.blocks]
    body = [_title_block(title, heading, facts), *("".join(c) + "</section>" for c in cards)]
    return _page(heading, body)


def firmas_section(signed: Firmas, publico: bool = False) -> str:
    """What every Seguimiento report ends with: the plan's Elaboró / Revisó / Aprobó (nombre, cargo, fecha)
    and this report's approvals, «sin aprobar» while it has none; the public version names no approver."""
    blocks: list[Block] = []
    if signed.plan:
        rows = tuple((label, *(getattr(f, key) for f in signed.plan))
                     for label, key in (("Nombre", "nombre"), ("Cargo", "cargo"), ("Fecha", "fecha")))
        blocks.append(Grid(firmas_caption(signed), ("", *(f.rol for f in signed.plan)), rows, True))
    else:
        blocks.append("El plan no registra firmas.")
    if signed.informe:
        fields = ("rol", "cargo", "fecha") if publico else ("rol", "nombre", "cargo", "fecha")
        blocks.append(Grid(FIRMAS_INFORME, tuple(f.capitalize() for f in fields),
                           tuple(tuple(getattr(a, f) for f in fields) for a in signed.informe), True))
    else:
        blocks.append(f"{FIRMAS_INFORME}: {SIN_APROBAR}.")
    return '<section class="card firmas"><h2>Firmas</h2>' + "".join(_doc_block(b) for b in blocks) + "</section>"


PUBLIC_NOTE = (
    "Versión pública (Ley 1712 de 2014, de transparencia y acceso a la información): las cifras del seguimiento y "
    "los indicadores del plan. No incluye las áreas que hicieron solicitudes, los títulos de las piezas, las "
    "observaciones internas del equipo, las rutas ni las huellas de las evidencias, ni otros nombres de personas que "
    "las firmas del plan."
)


def public_page(title: dict[str, Any], history: list[Table], cuatrienio: dict[str, Any] | None = None) -> str:
    """``pec export html --publico``: the figures (summary, Seguimiento table, bars and cumulative curves per
    line and activity) and the plan's indicators, from tables already stripped of the ledger's own words
    (``table.public_table``) and with no piece listed; every table captioned, every chart described in words,
    every semáforo said as a word beside its colour."""
    table = history[-1]
    heading = f"{table.plan} {table.vigencia}: seguimiento del Trim. {table.trimestre_label} (versión pública)"
    body = [
        _title_block(title, heading, [
            ("Vigencia", table.vigencia),
            ("Trimestre", table.trimestre_label + (f" · {table.en_curso}" if table.en_curso else "")),
            ("Corte", table.corte.isoformat()), ("Versión del plan", table.version),
        ]),
        f'<section class="card"><p>{esc(PUBLIC_NOTE)}</p></section>',
        _summary(table),
        _seguimiento_table(table),
        *[_line(line, table, history, None) for line in table.lines()],
        *([cuatrienio_page(cuatrienio)] if cuatrienio else []),
        firmas_section(table.firmas, publico=True),
        f"<footer>Generado con pec a partir del plan y del registro de piezas. Semáforo sobre acumulado / programado "
        f"acumulado: verde ≥ {esc(count_text(table.verde))} %, amarillo ≥ {esc(count_text(table.amarillo))} %, rojo "
        "por debajo.</footer>",
    ]
    return _page(heading, body)
