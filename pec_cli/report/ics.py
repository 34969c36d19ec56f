"""The due milestones of a plan as an iCalendar file (RFC 5545), for ``pec pendientes --ics``.

One all-day VEVENT per milestone of the vigencia, each dated on its deadline:
each month of an activity with ``cadencia: mensual`` (the revista), each week
(Monday-Sunday, due on its Friday) of one with ``cadencia: semanal`` (noti),
the periods of ``pendientes.cadence_periods`` (a week mostly outside the
window owes nothing), with one note on what the cadence means against the
annual meta (noti: 43 weeks, a meta of 30 emisiones),
each month of a ``meta_mensual`` (externas' 2 a month), each month of a
``calendario`` (campañas), each quarter's close, and the committee that follows
it (the fifth working day after the close, Colombian public holidays skipped:
the seed gives no date). Every
milestone of the year is written, done or not, with its state as of the date
in its description, so that importing a newer file updates each event in place:
its UID is built from the plan and the period only (``2024-revista-2024-05@…``),
never from the run. Standard library only: the text is written here, folded at
75 octets, lines ended by CRLF.
"""

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from pec_cli.ledger.tally import Tally
from pec_cli.plan.model import MONTHS, QUARTERS, Activity, Plan, quarter_bounds
from pec_cli.plan.names import plain_id
from pec_cli.report.pendientes import cadence_periods, month_end

COMMITTEE_WORKING_DAYS = 5  # after the quarter's close; the seed does not date the committee


class Milestone(NamedTuple):
    uid: str
    day: dt.date
    summary: str
    description: str
    category: str


def _working_days_after(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day``: Monday to Friday, not a public holiday in Colombia."""
    import holidays

    festivos = holidays.Colombia(years=(day.year, day.year + 1))
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in festivos:
            n -= 1
    return day


class _Done:
    """Pieces of the default tipo per activity and day, up to the date."""

    def __init__(self, totals: Tally, fecha: dt.date) -> None:
        self.fecha = fecha.isoformat()
        self.counts = totals.counts

    def count(self, act: Activity, lo: dt.date, hi: dt.date) -> int:
        a, b = lo.isoformat(), min(hi.isoformat(), self.fecha)
        return sum(n for (activity, tipo, day), n in self.counts.items()
                   if activity == act.id and tipo == act.default_tipo and a <= day <= b)


def _state(done: int, meta: float, deadline: dt.date, fecha: dt.date) -> str:
    if done >= meta:
        return f"Cumplido al {fecha.isoformat()}: {done} de {meta:g}."
    late = "vencido" if deadline < fecha else "pendiente"
    return f"{late.capitalize()} al {fecha.isoformat()}: {done} de {meta:g}; pec pendientes dice lo que falta."


def _months(act: Activity) -> Iterator[tuple[int, dt.date, dt.date]]:
    for month in range(act.inicio.month, act.fin.month + 1):
        lo = max(dt.date(act.inicio.year, month, 1), act.inicio)
        yield month, lo, min(month_end(act.inicio.year, month), act.fin)


def _weeks(act: Activity) -> Iterator[tuple[dt.date, dt.date, dt.date]]:
    """(first day, last day, due day: its Friday, inside the window) of each week the cadence asks a piece of."""
    for lo, hi in cadence_periods("semanal", act.inicio, act.fin):
        friday = lo - dt.timedelta(days=lo.weekday() - 4)
        yield lo, hi, min(max(friday, lo), hi)


def _cadence_note(act: Activity, periods: int, each: str, unit: str, tag: str) -> Milestone:
    """What a cadence means against the annual meta, said once, on the window's first day."""
    meta = f"la meta del año es {act.meta:g} {act.unidad}".strip() if act.meta is not None else "el plan no le da meta"
    return Milestone(
        f"{tag}-{act.id}-cadencia", act.inicio, f"{act.nombre}: cadencia {act.cadencia} ({periods} {unit})",
        f"La cadencia es el ritmo de trabajo, un recordatorio {each}: {periods} {unit} en la ventana; {meta}, y el "
        "avance se mide contra ella. Un recordatorio sin pieza no es por sí solo un incumplimiento; pec pendientes "
        "dice el ritmo frente a la meta.", act.id)


def _activity_milestones(act: Activity, done: _Done, fecha: dt.date, tag: str) -> Iterator[Milestone]:
    cadencia = plain_id(act.cadencia or "")
    if cadencia == "mensual":
        months = cadence_periods("mensual", act.inicio, act.fin)
        if act.meta is not None and act.meta != len(months):
            yield _cadence_note(act, len(months), "al mes", "meses", tag)
        for lo, hi in months:
            yield Milestone(f"{tag}-{act.id}-{lo.isoformat()[:7]}", hi, f"{act.nombre}: la de {MONTHS[lo.month - 1]}",
                            _state(done.count(act, lo, hi), 1, hi, fecha), act.id)
    elif cadencia == "semanal":
        weeks = list(_weeks(act))
        if act.meta is not None and act.meta != len(weeks):
            yield _cadence_note(act, len(weeks), "por semana", "semanas", tag)
        for lo, hi, due in weeks:
            iso = lo.isocalendar()
            yield Milestone(f"{tag}-{act.id}-{iso.year}-S{iso.week:02d}", due,
                            f"{act.nombre}: la de la semana del {lo.day} de {MONTHS[lo.month - 1]}",
                            _state(done.count(act, lo, hi), 1, hi, fecha), act.id)
    if act.meta_mensual is not None:
        for month, lo, hi in _months(act):
            yield Milestone(f"{tag}-{act.id}-mes-{lo.isoformat()[:7]}", hi,
                            f"{act.nombre}: {act.meta_mensual:g} en {MONTHS[month - 1]}",
                            _state(done.count(act, lo, hi), act.meta_mensual, hi, fecha), act.id)
    for month in act.calendario:
        lo, hi = dt.date(act.inicio.year, month, 1), month_end(act.inicio.year, month)
        yield Milestone(f"{tag}-{act.id}-{lo.isoformat()[:7]}", hi, f"{act.nombre}: la de {MONTHS[month - 1]}",
                        _state(done.count(act, act.inicio, hi), act.calendario.index(month) + 1, hi, fecha), act.id)


def milestones(plan: Plan, tally: Tally, fecha: dt.date) -> list[Milestone]:
    """Every milestone of the vigencia, by date, with its state as of ``fecha``."""
    tag = f"{plan.vigencia}"
    done = _Done(tally.net(), fecha)
    out = [m for act in plan.actividades for m in _activity_milestones(act, done, fecha, tag)]
    for q in range(1, 5):
        end = quarter_bounds(plan.vigencia, q)[1]
        label = QUARTERS[q - 1]
        out.append(Milestone(f"{tag}-cierre-T{label}", end, f"Cierre del Trim. {label}",
                             "Registre con pec log lo publicado en el trimestre; pec pendientes dice lo que falta.",
                             "cierre"))
        out.append(Milestone(f"{tag}-comite-T{label}", _working_days_after(end, COMMITTEE_WORKING_DAYS),
                             f"Comité: seguimiento del Trim. {label}",
                             f"Lleve «pec export xlsx --trim {label}» (y html o csv) al comité.", "comite"))
    out.sort(key=lambda m: (m.day, m.uid))
    return out


# -- RFC 5545 text


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """A content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += width
    out.append(current)
    return out


def render_ics(plan: Plan, items: list[Milestone], stamp: dt.datetime) -> str:
    """The VCALENDAR text (CRLF line ends); ``stamp`` is the DTSTAMP, in UTC."""
    domain = f"pec.{plain_id(plan.sigla or 'plan').replace(' ', '')}"
    dtstamp = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//pec//Plan Estratégico de Comunicaciones//ES",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(f'{plan.titulo} {plan.vigencia} · {plan.sigla}'.strip())}",
             "X-WR-TIMEZONE:America/Bogota"]
    for m in items:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{m.uid}@{domain}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{m.day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(m.day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{_escape(m.summary)}",
            f"DESCRIPTION:{_escape(m.description)}",
            f"CATEGORIES:{_escape(m.category)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
