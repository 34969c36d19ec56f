"""Interaction (Me gusta) per network: a second measured series of seguidores, beside followers, outside the avance."""

from __future__ import annotations

import datetime as dt
import itertools
import json

from pec_cli.ledger.tally import Tally
from pec_cli.plan.loader import load_plan
from pec_cli.report.avance import compute
from pec_cli.report.mediciones import measured_tipos, other_series
from pec_cli.report.render import report_to_dict

from .conftest import REPO

PLAN = load_plan(REPO / "plan" / "2024.yaml")
_ids = itertools.count(1)


def measure(fecha, red, valor, tipo="medicion"):
    return {"clase": "pieza", "id": f"m-{next(_ids)}", "actividad": "seguidores", "tipo": tipo, "fecha": fecha,
            "registrado": f"{fecha}T12:00:00-05:00", "red": red, "valor": valor}


RECORDS = [measure("2024-03-01", "instagram", 10000), measure("2024-06-15", "instagram", 10350),
           measure("2024-03-01", "instagram", 4000, "interaccion"), measure("2024-04-01", "instagram", 5200, "interaccion"),
           measure("2024-07-01", "instagram", 9000, "interaccion")]


def test_interaction_is_a_series_of_its_own():
    seguidores = PLAN.activity("seguidores")
    assert [t.id for t in measured_tipos(seguidores)] == ["interaccion"]
    assert measured_tipos(PLAN.activity("revista")) == ()
    rows = other_series(seguidores, Tally.of(RECORDS).net(), dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    instagram = rows["interaccion"][0]
    assert (instagram.red, instagram.inicio, instagram.fin, instagram.crecimiento) == ("instagram", 4000, 5200, 1200)
    assert instagram.meta is None and instagram.cumplimiento is None
    assert rows["interaccion"][1].sin_medicion  # twitter


def test_followers_avance_ignores_interaction():
    with_likes = report_to_dict(compute(PLAN, Tally.of(RECORDS), 2, dt.date(2024, 7, 15)))
    without = report_to_dict(compute(PLAN, Tally.of(RECORDS[:2]), 2, dt.date(2024, 7, 15)))
    seg = next(a for a in with_likes["actividades"] if a["id"] == "seguidores")
    alone = next(a for a in without["actividades"] if a["id"] == "seguidores")["acumulado"]
    for key in ("cumplimiento", "logrado", "series", "semaforo", "realizadas"):
        assert seg["acumulado"][key] == alone[key], key
    assert seg["acumulado"]["por_tipo"] == {"medicion": 2, "interaccion": 2}  # counted, as every tipo
    assert seg["acumulado"]["series"]["instagram"]["fin"] == 10350  # not the 9000 likes of July
    assert seg["mediciones"]["interaccion"]["instagram"] == {
        "inicio": 4000, "fin": 5200, "crecimiento": 1200, "meta": None, "cumplimiento": None, "sin_medicion": False}


def test_a_meta_for_interaction_comes_from_the_plan(tmp_path):
    text = (REPO / "plan" / "2024.yaml").read_text(encoding="utf-8").replace(
        "        nombre: Medición de interacción (Me gusta)\n",
        "        nombre: Medición de interacción (Me gusta)\n        meta: 2400\n")
    path = tmp_path / "2024.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    doc = report_to_dict(compute(plan, Tally.of(RECORDS), 2, dt.date(2024, 7, 15)))
    seg = next(a for a in doc["actividades"] if a["id"] == "seguidores")
    assert seg["mediciones"]["interaccion"]["instagram"]["cumplimiento"] == 50.0  # +1200 of 2400


def test_cli_log_status_and_pendientes(pec):
    for args in (("--red", "instagram", "--valor", "10000", "--fecha", "2024-03-01"),
                 ("--tipo", "interaccion", "--red", "instagram", "--valor", "4000", "--fecha", "2024-03-01"),
                 ("--tipo", "interaccion", "--red", "instagram", "--valor", "5200", "--fecha", "2024-04-01")):
        result = pec("log", "seguidores", *args)
        assert result.exit_code == 0, result.output
    missing = pec("log", "seguidores", "--tipo", "interaccion", "--red", "instagram")
    assert missing.exit_code == 1 and "Falta el valor medido" in missing.stderr
    doc = json.loads(pec("status", "--trim", "II", "--format", "json").stdout)
    seg = next(a for a in doc["actividades"] if a["id"] == "seguidores")
    assert seg["mediciones"]["interaccion"]["instagram"]["crecimiento"] == 1200
    assert seg["acumulado"]["series"]["instagram"]["fin"] == 10000
    board = " ".join(pec("status", "--trim", "II").stdout.split())
    # issue 21 item 10: named as the plan names the tipo, with its accent, and no nested parentheses
    assert ("seguidores: medición de interacción (Me gusta) por red: instagram +1200 (4000 a 5200), "
            "twitter sin medición") in board
    due = json.loads(pec("pendientes", "--fecha", "2024-06-20", "--format", "json").stdout)
    seg = next(a for a in due["actividades"] if a["id"] == "seguidores")
    assert seg["mediciones"]["interaccion"]["instagram"]["fin"] == 5200
    text = " ".join(pec("pendientes", "--fecha", "2024-06-20").stdout.split())
    assert "medición de interacción (Me gusta) por red: instagram +1200" in text
