"""Figures that hold once reported: what a closure seals, and a report with closed quarters sealed.

:func:`sealed` is what ``pec cierre`` keeps of a report: every row's figures
per quarter and its acumulado, rounded as every format shows them; their
canonical JSON's SHA-256 is the closure's ``cifras_sha256``. :func:`apply`
puts a report's closed quarters back as they were sealed (and the acumulado
too when the requested quarter is closed) and lists, per figure, where
today's recomputation differs (:class:`Recalculado`), for the report to say
beside the sealed value. Pure: plan + figures in, a report out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from pec_cli.errors import PecError
from pec_cli.ledger.closures import Closure, digest, plan_digest, quarters
from pec_cli.ledger.entries import ACTION, APPROVE, CLOSE, DONE, EVENTS, REOPEN, Entry, Problem, record_of
from pec_cli.ledger.tally import Tally
from pec_cli.plan.model import QUARTERS, Plan
from pec_cli.report.avance import Figures, Report, SeriesFigures
from pec_cli.report.numbers import r2

if TYPE_CHECKING:
    from pec_cli.ledger.verify import Check, LedgerView

COMPARED = ("logrado", "cumplimiento", "realizadas", "semaforo")  # what a committee reads of a row
DEMANDA = "demanda"  # sealed since the counts beside a demand's figure moved with a late piece (a new-user trial)


class Recalculado(NamedTuple):
    """One sealed figure that today's recomputation gives otherwise."""

    fila: str  # an activity's or a line's id
    trimestre: str  # "I".."IV", or "acumulado"
    campo: str
    sellado: Any
    recalculado: Any


def _figures(fig: Figures) -> dict[str, Any]:
    out: dict[str, Any] = {"programado": r2(fig.programado), "cumplimiento": r2(fig.cumplimiento),
                           "logrado": r2(fig.logrado), "meta": r2(fig.meta), "realizadas": fig.realizadas,
                           "por_tipo": dict(fig.por_tipo), "semaforo": fig.semaforo}
    if fig.series:
        out["series"] = {key: [r2(s.inicio), r2(s.fin), r2(s.meta), r2(s.cumplimiento), s.sin_medicion,
                               r2(s.meta_anual), r2(s.cumplimiento_anual)] for key, s in fig.series.items()}
    if fig.meta_anual is not None:  # «2/10» stays «2/10» when a versión 2 makes the meta 12
        out["meta_anual"] = r2(fig.meta_anual)
    return out


def _from_sealed(data: dict[str, Any]) -> Figures:
    series = {key: SeriesFigures(*values) for key, values in (data.get("series") or {}).items()}
    return Figures(data["programado"], data["cumplimiento"], data["logrado"], data.get("meta"), data.get("realizadas"),
                   MappingProxyType(dict(data.get("por_tipo") or {})), MappingProxyType(series),  # type: ignore[arg-type]
                   data.get("semaforo"), data.get("meta_anual"))


def sealed(report: Report) -> dict[str, Any]:
    """The figures a closure of ``report``'s quarter keeps: per activity and line, each quarter's and the acumulado."""
    def rows(reps: Any, key: Any) -> dict[str, Any]:
        return {key(rep): {"trimestres": {q: _figures(f) for q, f in rep.trimestres.items()},
                           "acumulado": _figures(rep.acumulado)} for rep in reps}

    return {"trimestre": report.trimestre_label, "corte": report.corte.isoformat(), "version": report.plan.version,
            "actividades": rows(report.actividades, lambda r: r.activity.id),
            "lineas": rows(report.lineas, lambda r: r.line.id),
            # the counts each row shows beside its figure: requests (or eventos) answered of received, per area
            DEMANDA: {rep.activity.id: {"atendidas": rep.demanda[0], "recibidas": rep.demanda[1],
                                        "areas": rep.solicitudes} for rep in report.actividades if rep.demanda}}


def as_sealed(again: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
    """``again`` (``sealed`` of a recomputation) with only the parts ``kept`` has: a closure made before pec
    sealed the demand counts has none."""
    return again if DEMANDA in kept else {k: v for k, v in again.items() if k != DEMANDA}


def apply(report: Report, closed: dict[int, Closure],
          fresh: Callable[[Closure], Report] | None = None) -> tuple[Report, list[Recalculado]]:
    """``report`` with each closed quarter up to its own as sealed; and, with ``fresh`` (a closed quarter
    computed today as its closure computed it: its own corte, today's ledger and plan), where it differs."""
    mine = {k: c for k, c in closed.items() if k <= report.trimestre}
    if not mine:
        return report, []
    differences: list[Recalculado] = []
    today = {k: _rows(fresh(c)) for k, c in mine.items()} if fresh is not None else {}

    def overlay(rep: Any, row_id: str, kind: str) -> Any:
        trimestres = dict(rep.trimestres)
        acumulado = rep.acumulado
        ids = rep.activity.ids if kind == "actividades" else (row_id,)
        for k, closure in mine.items():
            label = QUARTERS[k - 1]
            kept = closure.row(kind, ids)
            if kept is None or label not in kept.get("trimestres", {}) or label not in trimestres:
                continue  # a row the plan of the closure did not have
            now = today.get(k, {}).get(row_id)
            trimestres[label] = _sealed_figure(kept["trimestres"][label], now.trimestres.get(label) if now else None,
                                               row_id, label, differences)
            if k == report.trimestre:
                acumulado = _sealed_figure(kept["acumulado"], now.acumulado if now else None, row_id, "acumulado",
                                           differences)
                demand = closure.cifras.get(DEMANDA, {})
                if kind == "actividades" and rep.demanda and (counts := next((demand[i] for i in ids if i in demand),
                                                                             None)):
                    rep = rep._replace(demanda=(counts["atendidas"], counts["recibidas"]), solicitudes=counts["areas"])
        return rep._replace(trimestres=trimestres, acumulado=acumulado)

    actividades = tuple(overlay(rep, rep.activity.id, "actividades") for rep in report.actividades)
    lineas = tuple(overlay(rep, rep.line.id, "lineas") for rep in report.lineas)
    return report._replace(actividades=actividades, lineas=lineas), differences


def _rows(report: Report) -> dict[str, Any]:
    return {**{r.activity.id: r for r in report.actividades}, **{r.line.id: r for r in report.lineas}}


def _sealed_figure(kept: dict[str, Any], live: Figures | None, row_id: str, label: str,
                   differences: list[Recalculado]) -> Figures:
    if live is not None:
        now = _figures(live)
        differences += [Recalculado(row_id, label, campo, kept.get(campo), now.get(campo)) for campo in COMPARED
                        if kept.get(campo) != now.get(campo)]
    return _from_sealed(kept)


def recalculated(report: Report) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (row, quarter or "acumulado") whose sealed figures today's recomputation gives otherwise: the
    figures recomputed, and ``motivo``, why (extemporáneas; a plan changed since the closure)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for diff in report.recalculado:
        out.setdefault((diff.fila, diff.trimestre), {})[diff.campo] = diff.recalculado
    for (row, label), figures in out.items():
        figures["motivo"] = "; ".join(why(report, row, label))
    return out


AFTER = "anulaciones o respuestas registradas después del cierre"  # what is left when nothing else explains it


def why(report: Report, row: str, label: str, late_too: bool = True) -> list[str]:
    """Why a row's sealed figures of quarter ``label`` (or the acumulado) differ from today's: each reason (the
    late pieces only ``late_too``)."""
    quarter = report.trimestre if label == "acumulado" else QUARTERS.index(label) + 1
    closure = report.cerrados.get(quarter)
    reasons = []
    key = f"acumulado {QUARTERS[quarter - 1]}" if label == "acumulado" else label
    late = report.tardias.get((row, key), 0)
    if late and late_too:  # by position, not by clock: a piece of a clone merged after the closure is one too
        window = f"hasta el Trim. {QUARTERS[quarter - 1]}" if label == "acumulado" else f"del Trim. {label}"
        reasons.append(f"{late} pieza{'s' if late > 1 else ''} extemporánea{'s' if late > 1 else ''} {window}, que "
                       "el cierre no vio")
    if closure is not None and report.plan_sha256 and closure.plan_sha256 != report.plan_sha256:
        reasons.append(f"el plan cambió desde el cierre: versión {closure.version} entonces, {report.plan.version} hoy")
    return reasons or ([] if late else [AFTER])


def closure_mark(closure: Closure) -> str:
    """«cerrado el 2024-07-05, versión 1»: how every format marks a closed quarter."""
    return f"cerrado el {closure.fecha.isoformat()}, versión {closure.version}"


SHOWN = ("logrado", "realizadas", "semaforo")  # what a sentence says of a figure recomputed


def closure_lines(report: Report) -> list[str]:
    """The sentences every format adds under its table: each closed quarter shown, and, per row, each figure
    that today's recomputation gives otherwise (sealed → today), with why; the sealed one is what counts."""
    from pec_cli.report.numbers import decimal_text

    def shown(value: Any) -> str:
        return decimal_text(value, 2) if isinstance(value, float) else "—" if value is None else str(value)

    lines = [f"Trim. {c.label} {closure_mark(c)}: se muestran sus cifras selladas (SHA-256 {c.cifras_sha256[:12]}…)"
             for _, c in sorted(report.cerrados.items())]
    if any(c.version != report.plan.version for c in report.cerrados.values()) and report.trimestre not in report.cerrados:
        lines.append(f"Los trimestres abiertos se calculan con la versión {report.plan.version} del plan; los cerrados, "
                     "con la de su cierre")
    rows: dict[str, list[str]] = {}
    reasons: dict[str, list[str]] = {}
    # a row whose acumulado lacks late pieces says so once, for the acumulado: it holds its quarters' ones
    upto = {d.fila for d in report.recalculado if d.trimestre == "acumulado" and d.campo in SHOWN
            and report.tardias.get((d.fila, f"acumulado {report.trimestre_label}"), 0)}
    demand = {rep.activity.id for rep in report.actividades if rep.demanda is not None}  # «realizadas» counts received
    for diff in report.recalculado:
        if diff.campo in SHOWN:
            where = "acumulado" if diff.trimestre == "acumulado" else f"Trim. {diff.trimestre}"
            campo = "recibidas" if diff.campo == "realizadas" and diff.fila in demand else diff.campo
            rows.setdefault(diff.fila, []).append(f"{where} {campo} {shown(diff.sellado)} → {shown(diff.recalculado)}")
            said = reasons.setdefault(diff.fila, [])
            late_too = diff.trimestre == "acumulado" or diff.fila not in upto
            said += [reason for reason in why(report, diff.fila, diff.trimestre, late_too) if reason not in said]
    lines += [f"Recalculado hoy, {row}: {', '.join(parts)} ({'; '.join(reasons[row])}); vale lo sellado"
              for row, parts in rows.items()]
    return lines


# ---------------------------------------------------------------- pec verify: every closure recomputed
# (a check of ``ledger.verify``'s kind, kept here because it computes a report: ``pec verify`` adds it)


def check_closures(view: LedgerView, read: Callable[[Path], bytes], today: dt.date) -> Iterator[Problem]:
    """Every closure: dated by ``today``, its plan copy there and unchanged, its figures' hash theirs, and the
    figures equal to a recomputation with that plan and the entries the closure saw; sign-offs of figures no
    closure stands on. ``read`` gives a file's bytes (the CLI's: this layer reads no file)."""
    for vigencia in sorted({s.vigencia for s in view.segments}):
        entries = view.entries(vigencia)
        events = [record_of(e) for e in entries if e.clase in EVENTS]  # as written, each checked for its shape
        if not events:
            continue
        # the state as the reports read it (the tally's net: a voided sign-off or action is none)
        state = quarters(Tally.of(record_of(e) for e in entries).net().events, today)
        at = {e.id: e for e in entries}
        for record in events:
            entry = at[record["id"]]
            if record["clase"] == CLOSE and dt.date.fromisoformat(record["fecha"]) > today:
                # not there yet (PEC_HOY before it, or a line dated ahead): it counts from its day on
                yield Problem(entry.file, entry.line, f"el cierre del Trim. {record['trimestre']} tiene fecha "
                              f"{record['fecha']}, posterior a hoy: no cuenta hasta ese día (si no lo hizo "
                              "pec, revierta en git el cambio que lo trajo)", info=True)
            elif record["clase"] == CLOSE:
                yield from [Problem(entry.file, entry.line, message)
                            for message in _closure_problems(view, record, entries, read)]
        yield from [Problem(at[record["id"]].file, at[record["id"]].line, message)
                    for record, message in _event_problems(events, view.plans.get(vigencia))]
        others = {c.cifras_sha256: c for cs in state.also.values() for c in cs}
        for approval in state.stale:  # figures no closure stands on: the new ones need their own sign-off
            entry, label = at[approval.id], QUARTERS[approval.trimestre - 1]
            other = others.get(approval.cifras_sha256)
            why = (f"del cierre {other.id}, que no vale: el Trim. {label} se cerró dos veces y vale el cierre "
                   f"{state.closed[other.trimestre].id}") if other is not None else \
                f"del Trim. {label} que se reabrieron"
            yield Problem(entry.file, entry.line, f"la aprobación ({approval.rol}, {approval.nombre}) es de "
                          f"cifras {why}; vale para aquellas, no para las del cierre vigente (fírmelas con "
                          "«pec aprobar»)", info=True)
        yield from [Problem(view.ws.display(view.ws.ledger_dir / str(vigencia)), 0, text, info=True)
                    for text in state.information]


def _event_problems(events: list[dict[str, Any]], plan: Plan | None) -> Iterator[tuple[dict[str, Any], str]]:
    """What pec never writes among the control events: a reopening of no closure of its quarter, a sign-off
    of figures no closure of its quarter sealed, an action on a row the plan does not have or due before its
    own date, a «cumplida» of no action. Each counts nowhere, or wrongly: hand-made or broken lines."""
    by_id = {e["id"]: e for e in events}
    sealed = {(str(e["trimestre"]), e["cifras_sha256"]) for e in events if e["clase"] == CLOSE}
    for event in events:
        clase, label = event["clase"], f"Trim. {event.get('trimestre', '')}"
        named = by_id.get(event.get("reabre") or event.get("cumple") or "", {})
        if clase == REOPEN and (named.get("clase"), named.get("trimestre")) != (CLOSE, event["trimestre"]):
            yield event, f"la reapertura del {label} reabre {event['reabre']}, que no es un cierre de ese trimestre"
        elif clase == APPROVE and (str(event["trimestre"]), event["cifras_sha256"]) not in sealed:
            yield event, f"la aprobación del {label} firma cifras que ningún cierre de ese trimestre selló"
        elif clase == ACTION and plan is not None and plan.owner(event["actividad"]) is None \
                and plan.line(event["actividad"]) is None:
            yield event, f"la acción de mejora del {label} es de «{event['actividad']}», que el plan no tiene"
        elif clase == ACTION and event["fecha_compromiso"] < event["fecha"]:
            yield event, (f"la acción de mejora del {label} vence el {event['fecha_compromiso']}, antes de su "
                          f"fecha {event['fecha']}")
        elif clase == DONE and named.get("clase") != ACTION:
            yield event, f"dice cumplida la acción {event['cumple']}, que no es una acción de mejora"


def _closure_problems(view: LedgerView, record: dict[str, Any], entries: list[Entry],
                      read: Callable[[Path], bytes]) -> list[str]:
    """What is wrong with one closure: its plan copy, its figures' hash, its figures against a recomputation."""
    import hashlib

    closure = Closure.of(record)
    label = f"el cierre del Trim. {closure.label}"
    if digest(closure.cifras) != closure.cifras_sha256:
        return [f"{label} tiene cifras editadas a mano (su SHA-256 ya no es el sellado)"]
    try:
        kept = read(view.ws.root / closure.plan_archivo)
    except PecError as exc:
        return [f"{label}: {exc.message.rstrip('.')}"]
    except OSError:
        return [f"{label}: falta la copia del plan {closure.plan_archivo}; restáurela desde git"]
    if closure.plan_sha256 not in (plan_digest(kept), hashlib.sha256(kept).hexdigest()):  # the raw bytes: before LF
        return [f"{label}: la copia del plan {closure.plan_archivo} cambió (su SHA-256 no es el del cierre); "
                "restáurela desde git"]
    seen = Tally.of(record_of(e) for e in entries if closure.saw(e.id))
    try:
        again, version = _recomputed(kept, closure, seen)
    except PecError as exc:
        return [f"{label}: la copia del plan {closure.plan_archivo} no carga ({exc.message.rstrip('.')})"]
    top = _tops(entries)
    problems = [f"{label} vio {n} línea(s) del escritor {writer} y su segmento llega a {top.get(writer, 0)}: "
                "faltan entradas de antes del cierre; restáurelas desde git"
                for writer, n in sorted(closure.posiciones.items()) if top.get(writer, 0) < n]
    if version != closure.version:
        problems.append(f"{label} dice versión {closure.version} del plan y su copia {closure.plan_archivo} es la "
                        f"versión {version}: el cierre fue editado a mano")
    if digest(as_sealed(again, closure.cifras)) != closure.cifras_sha256:
        problems.append(f"{label} no coincide con un nuevo cálculo con su plan y las entradas que vio: sus cifras "
                        "o el registro de antes del cierre fueron editados")
    return problems


def _tops(entries: list[Entry]) -> dict[str, int]:
    """Per writer, the highest position among its entries read."""
    top: dict[str, int] = {}
    for entry in entries:
        _year, writer, n = entry.id.split("-")
        top[writer] = max(top.get(writer, 0), int(n))
    return top


def _recomputed(kept: bytes, closure: Closure, seen: Tally) -> tuple[dict[str, Any], str]:
    """The figures a closure sealed, computed again: its plan copy, the entries it saw, the closures they held;
    with the copy's plan version."""
    from pec_cli.plan.loader import plan_data_from_text  # yaml and pydantic: only for a closure to check
    from pec_cli.plan.model import plan_from_data
    from pec_cli.report.avance import compute

    try:
        text = kept.decode("utf-8")
    except UnicodeDecodeError:
        raise PecError("no es texto UTF-8") from None
    plan = plan_from_data(plan_data_from_text(text, closure.plan_archivo), closure.plan_archivo)
    report = compute(plan, seen, closure.trimestre, closure.fecha)
    earlier = {k: c for k, c in quarters(seen.net().events).closed.items() if k != closure.trimestre}
    return sealed(apply(report, earlier)[0]), plan.version


def all_checks(read: Callable[[Path], bytes], today: dt.date) -> tuple[Check, ...]:
    """What ``pec verify`` (and the paquete's verificación) run: the ledger's checks and the closures' (``read``
    gives a file's bytes) as of ``today``."""
    from functools import partial

    from pec_cli.ledger.verify import CHECKS

    return (*CHECKS, partial(check_closures, read=read, today=today))


def action_lines(report: Report, how: bool = False) -> list[str]:
    """«Análisis y acciones de mejora»: each action of the closed quarters with its state as of the day the
    report is made, then, per quarter, the red or amber rows still without one (``how``: and the command
    that records it, for ``pendientes``, never in a committee's document)."""
    day = report.hoy or report.corte
    lines = [f"Acción de mejora de {a.objetivo} (Trim. {QUARTERS[a.trimestre - 1]}): {a.accion}; causa: {a.causa}; "
             f"responsable: {a.responsable}; compromiso: {a.fecha_compromiso.isoformat()}: {a.estado(day)} al "
             f"{day.isoformat()}" for a in report.acciones]
    missing: dict[int, list[str]] = {}
    for quarter, row, semaforo in report.sin_analisis:
        missing.setdefault(quarter, []).append(f"{row} ({semaforo})")
    for q, rows in sorted(missing.items()):
        label = QUARTERS[q - 1]
        hint = (f"; regístrelos con «pec accion FILA --trim {label} --causa … --accion … --responsable … "
                "--fecha-compromiso …»") if how else ""
        lines.append(f"Sin análisis ni acción de mejora en el Trim. {label}: {', '.join(rows)}{hint}")
    return lines
