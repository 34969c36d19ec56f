"""`pec pendientes --ics`: RFC 5545 checked with a real parser (the icalendar package), UIDs stable."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import icalendar

from pec_cli.ledger.tally import Tally
from pec_cli.plan.loader import load_plan
from pec_cli.report.ics import _fold, milestones, render_ics

from .conftest import REPO

PLAN = load_plan(REPO / "plan" / "2024.yaml")
STAMP = dt.datetime(2024, 6, 20, 12, 0, tzinfo=dt.UTC)
_ids = itertools.count(1)


def piece(actividad, fecha):
    return {"clase": "pieza", "id": f"i-{next(_ids)}", "actividad": actividad, "tipo": "publicacion",
            "fecha": fecha, "registrado": f"{fecha}T12:00:00-05:00", "titulo": fecha}


def events(records, fecha="2024-06-20"):
    text = render_ics(PLAN, milestones(PLAN, Tally.of(records), dt.date.fromisoformat(fecha)), STAMP)
    return text, icalendar.Calendar.from_ical(text).walk("VEVENT")


def test_one_event_per_milestone_of_the_year():
    text, found = events([])
    cats = Counter(str(e["CATEGORIES"].cats[0]) for e in found)
    # revista: March-December (10 months); noti: the weeks from Monday 4 March to Sunday 29 December (the
    # partial weeks of Friday 1 March and of Tuesday 31 December hold too few days to owe a piece, issue 21
    # item 6): 43, and one note on what 43 weeks mean against a meta of 30; externas: 10 months;
    # campanas: 4; 4 closes and 4 committees
    assert cats == {"revista": 10, "noti": 44, "externas": 10, "campanas": 4, "cierre": 4, "comite": 4}
    assert len({str(e["UID"]) for e in found}) == len(found) == 76
    assert all(line.endswith("\r\n") for line in text.splitlines(keepends=True))
    assert max(len(line.encode("utf-8")) for line in text.split("\r\n")) <= 75


def test_dates_and_texts():
    _, found = events([piece("revista", "2024-05-10"), piece("externas", "2024-05-02")])
    by_uid = {str(e["UID"]): e for e in found}
    may = by_uid["2024-revista-2024-05@pec.uspec"]
    assert may["DTSTART"].dt == dt.date(2024, 5, 31) and may["DTEND"].dt == dt.date(2024, 6, 1)
    assert str(may["SUMMARY"]) == "Revista Gestión USPEC: la de mayo"
    assert str(may["DESCRIPTION"]).startswith("Cumplido al 2024-06-20: 1 de 1.")
    assert str(by_uid["2024-revista-2024-04@pec.uspec"]["DESCRIPTION"]).startswith("Vencido al 2024-06-20: 0 de 1;")
    assert str(by_uid["2024-externas-mes-2024-05@pec.uspec"]["DESCRIPTION"]).startswith("Vencido al 2024-06-20: 1 de 2;")
    assert "2024-noti-2024-S09@pec.uspec" not in by_uid  # Friday 1 to Sunday 3 March: no week owed (item 6)
    note = by_uid["2024-noti-cadencia@pec.uspec"]  # said once, on the window's first day
    assert note["DTSTART"].dt == dt.date(2024, 3, 1) and "43 semanas" in str(note["SUMMARY"])
    assert "la meta del año es 30 emisiones" in str(note["DESCRIPTION"])
    assert sum("30 emisiones" in str(e["DESCRIPTION"]) for e in found) == 1
    assert by_uid["2024-noti-2024-S10@pec.uspec"]["DTSTART"].dt == dt.date(2024, 3, 8)
    assert by_uid["2024-campanas-2024-06@pec.uspec"]["DTSTART"].dt == dt.date(2024, 6, 30)
    assert by_uid["2024-cierre-TII@pec.uspec"]["DTSTART"].dt == dt.date(2024, 6, 30)
    # committee: fifth working day after Sunday 30 June, Monday 1 July a public holiday in Colombia, is
    # Monday 8 July; after 31 December (1 and 6 January holidays), 9 January (issue 21 item 6)
    assert by_uid["2024-comite-TII@pec.uspec"]["DTSTART"].dt == dt.date(2024, 7, 8)
    assert by_uid["2024-comite-TIV@pec.uspec"]["DTSTART"].dt == dt.date(2025, 1, 9)
    assert by_uid["2024-comite-TI@pec.uspec"]["DTSTART"].dt == dt.date(2024, 4, 5)


def test_uids_are_stable_so_a_newer_file_updates_the_same_events():
    _, before = events([], "2024-04-01")
    _, after = events([piece("revista", "2024-04-20")], "2024-06-20")
    assert [str(e["UID"]) for e in before] == [str(e["UID"]) for e in after]


def test_folding_never_splits_a_character():
    line = "SUMMARY:" + "ñ" * 80
    parts = _fold(line)
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_cli_writes_the_file(pec, ws):
    assert pec("log", "revista", "--fecha", "2024-05-10", "--titulo", "R").exit_code == 0
    result = pec("pendientes", "--ics")
    assert result.exit_code == 0, result.output
    path = ws / "pendientes-2024.ics"
    assert result.stdout.strip() == str(path)
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert len(cal.walk("VEVENT")) == 76
    stdout = pec("pendientes", "--ics", "-o", "-").stdout_bytes
    assert stdout.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    bad = pec("pendientes", "-o", "x.ics")
    assert bad.exit_code == 2 and "-o solo sirve con --ics" in bad.stderr
