"""``pec pendientes``: what is due, computed by hand from small ledgers, and through the CLI."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from pec_cli.ledger.tally import Tally
from pec_cli.plan.formula import compile_formula
from pec_cli.plan.loader import load_plan
from pec_cli.report.pendientes import compute_pendientes, pieces_needed, programmed_share
from pec_cli.report.pendientes_view import pendientes_to_dict

from .conftest import REPO

PLAN = load_plan(REPO / "plan" / "2024.yaml")
_ids = itertools.count(1)


def piece(actividad, fecha, tipo="publicacion", **fields):
    return {"clase": "pieza", "id": f"p-{next(_ids)}", "actividad": actividad, "tipo": tipo,
            "fecha": fecha, "registrado": f"{fecha}T12:00:00-05:00", **fields}


def due(records, fecha):
    return pendientes_to_dict(compute_pendientes(PLAN, Tally.of(records), dt.date.fromisoformat(fecha)))


def act(doc, act_id):
    return next(a for a in doc["actividades"] if a["id"] == act_id)


def test_faltan_for_the_quarter_and_the_year():
    # revista, meta 10, 25/25/25/25: by the end of Trim. III 7.5 are programmed, so 8 are needed;
    # one in March and one in July leave 6 for the quarter and 8 for the year.
    doc = due([piece("revista", "2024-03-28"), piece("revista", "2024-07-02"), piece("campanas", "2024-07-09")],
              "2024-08-10")
    rev = act(doc, "revista")
    assert doc["trimestre"] == "III" and doc["fin_trimestre"] == "2024-09-30" and doc["dias_restantes"] == 51
    assert rev["realizadas"] == 2 and rev["programado_acumulado"] == 75.0
    assert rev["faltan"] == {"tipo": "publicacion", "trimestre": 6, "anual": 8}
    # campanas 0/50/25/25 (calendar): 75 % of 4 is 3 by September; one done
    assert act(doc, "campanas")["faltan"] == {"tipo": "publicacion", "trimestre": 2, "anual": 3}


def test_pieces_needed_uses_the_formula_and_the_tipo_that_helps():
    shipped = PLAN.activity("eventos")  # atendidas / evento * 100 (issue 21 item 3): no count of a tipo covers one
    assert pieces_needed(shipped, {"evento": 3, "publicacion": 1, "meta": None, "atendidas": 1}) is None
    # publicacion / evento * 100 (the reading before issue 21): adding eventos never helps
    eventos = shipped._replace(formula=compile_formula("publicacion / evento * 100", {"evento", "publicacion", "meta"}))
    assert pieces_needed(eventos, {"evento": 3, "publicacion": 1, "meta": None, "atendidas": 0}) == ("publicacion", 2)
    assert pieces_needed(eventos, {"evento": 0, "publicacion": 0, "meta": None, "atendidas": 0}) is None  # N/A
    revista = PLAN.activity("revista")
    assert pieces_needed(revista, {"publicacion": 5, "meta": 5.0}) == (None, 0)
    assert pieces_needed(revista, {"publicacion": 0, "meta": 2.5}) == ("publicacion", 3)


def test_pace_prorates_the_quarter_by_days_of_the_window():
    revista = PLAN.activity("revista")  # window from 1 March: Trim. I holds 31 of its days
    assert programmed_share(revista, 2024, dt.date(2024, 3, 1)) == pytest.approx(25 / 31)
    assert programmed_share(revista, 2024, dt.date(2024, 3, 31)) == pytest.approx(25.0)
    # 20 June: Trim. I whole, Trim. II 81 of its 91 days
    assert programmed_share(revista, 2024, dt.date(2024, 6, 20)) == pytest.approx(25 + 25 * 81 / 91)
    doc = due([piece("revista", "2024-03-28"), piece("revista", "2024-04-30")], "2024-06-20")
    assert act(doc, "revista")["ritmo"] == {"esperadas": 4.73, "realizadas": 2, "diferencia": -2.73, "estado": "atrasado"}
    assert act(doc, "internas")["ritmo"] is None  # demand: no meta, no pace


def test_months_calendar_and_cadence():
    records = [piece("externas", "2024-03-05"), piece("externas", "2024-03-20"), piece("externas", "2024-04-02"),
               piece("campanas", "2024-03-10"), piece("noti", "2024-03-01"), piece("noti", "2024-03-12"),
               piece("revista", "2024-04-15")]
    doc = due(records, "2024-04-10")
    assert act(doc, "externas")["meses"] == [
        {"mes": "2024-03", "realizadas": 2, "meta": 2, "faltan": 0, "estado": "cumplido"},
        {"mes": "2024-04", "realizadas": 1, "meta": 2, "faltan": 1, "estado": "en curso"},
    ]
    # an early campaign (March) covers April, the first month due
    assert [(m["mes"], m["estado"], m["fecha"]) for m in act(doc, "campanas")["calendario"]] == [
        ("2024-04", "hecha", "2024-03-10"), ("2024-06", "programada", None),
        ("2024-09", "programada", None), ("2024-12", "programada", None)]
    noti = act(doc, "noti")["cadencia"]
    # weeks (Monday-Sunday): 1-3 March done, 4-10 empty, 11-17 done, 18-24, 25-31 and 1-7 April empty
    assert noti["tipo"] == "semanal"
    assert [g["desde"] for g in noti["sin_pieza"]] == ["2024-03-04", "2024-03-18", "2024-03-25", "2024-04-01"]
    assert noti["actual"] == {"desde": "2024-04-08", "hasta": "2024-04-14", "realizadas": 0}
    revista = act(doc, "revista")["cadencia"]  # the April revista is after the date: not counted
    assert revista["tipo"] == "mensual" and revista["sin_pieza"] == [{"desde": "2024-03-01", "hasta": "2024-03-31"}]
    assert revista["actual"]["realizadas"] == 0
    assert act(doc, "campanas")["cadencia"] is None
    doc = due(records, "2024-07-01")  # June passed with no campaign: overdue
    assert [m["estado"] for m in act(doc, "campanas")["calendario"]] == ["hecha", "vencida", "programada", "programada"]


def test_gauge_growth_and_projection():
    records = [piece("seguidores", "2024-03-01", "medicion", red="tiktok", valor=1000),
               piece("seguidores", "2024-04-01", "medicion", red="tiktok", valor=1120),
               piece("seguidores", "2024-05-01", "medicion", red="instagram", valor=500)]
    series = act(due(records, "2024-06-20"), "seguidores")["series"]
    # +120 in 31 days; the window (1 March - 31 December) is 305 days from the base: 120 x 305 / 31
    assert series["tiktok"]["crecimiento"] == 120 and series["tiktok"]["faltan"] == 580
    assert series["tiktok"]["proyeccion"] == round(120 * 305 / 31) == 1181
    assert series["instagram"]["proyeccion"] is None and series["instagram"]["crecimiento"] == 0
    assert series["youtube"]["sin_medicion"] is True and series["youtube"]["crecimiento"] is None


def test_lines_say_how_many_points_are_missing():
    doc = due([piece("revista", "2024-03-28"), piece("revista", "2024-04-30")], "2024-06-20")
    ln = next(x for x in doc["lineas"] if x["id"] == "linea_revista")
    # revista 2/5 = 40 %, noti and cápsulas 0: the line's mean 13.33 % of 50 points
    assert (ln["programado_acumulado"], ln["logrado_acumulado"], ln["faltan_puntos"]) == (50.0, 6.67, 43.33)
    assert next(x for x in doc["lineas"] if x["id"] == "linea_eventos")["logrado_acumulado"] is None


def test_entries_after_the_date_are_not_counted():
    doc = due([piece("revista", "2024-03-28"), piece("revista", "2024-04-30")], "2024-04-01")
    assert act(doc, "revista")["realizadas"] == 1


def test_cli_table_json_and_markdown(pec):
    pec("log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1")
    pec("log", "campanas", "--fecha", "2024-04-22", "--titulo", "Campaña")
    result = pec("pendientes", "--fecha", "2024-06-20")
    assert result.exit_code == 0, result.output
    assert "Pendientes 2024 al 2024-06-20 · Trim. II" in result.stdout
    assert "revistas: faltan 4 para el 50 % del Trim. II; 9 para la meta anual" in " ".join(result.stdout.split())
    assert max(len(line) for line in result.stdout.splitlines()) <= 80  # COLUMNS unset off a terminal: 80
    assert "junio: pendiente este mes" in result.stdout
    doc = json.loads(pec("pendientes", "--fecha", "2024-06-20", "--format", "json").stdout)
    assert act(doc, "revista")["faltan"]["trimestre"] == 4 and doc["fecha"] == "2024-06-20"
    default = json.loads(pec("pendientes", "--format", "json").stdout)  # today: 2024-07-15
    assert default["fecha"] == "2024-07-15" and default["trimestre"] == "III"
    md = pec("pendientes", "--format", "markdown").stdout
    assert md.startswith("# Pendientes 2024 al 2024-07-15") and "- **revista**: 1 de 10" in md


def test_cli_refusals_are_spanish(pec):
    result = pec("pendientes", "--fecha", "2023-12-01")
    assert result.exit_code == 1 and "fuera de la vigencia 2024" in result.stderr and "Traceback" not in result.output
    result = pec("pendientes", "--fecha", "31/02/2024")
    assert result.exit_code == 1 and "no es válida" in result.stderr
    result = pec("pendientes", "--format", "xml")
    assert result.exit_code == 2 and "El formato «xml» no existe" in result.stderr
    result = pec("pendientes", "--format", "json", env={"PEC_HOY": "2025-02-01"})
    assert result.exit_code == 0 and json.loads(result.stdout)["fecha"] == "2024-12-31"
    assert "fuera de la vigencia 2024" in result.stderr


def test_open_requests_name_an_area_as_the_report_does(pec):
    """Two spellings of one área: the report's row of áreas shows one name, and pendientes listed each request
    with the spelling it was typed with («talento  humano», its double space lost among the columns)."""
    for area, day in (("Talento Humano", "2024-05-02"), ("talento  humano", "2024-06-02")):
        assert pec("log", "internas", "--tipo", "solicitud", "--area", area, "--fecha", day).exit_code == 0
    doc = json.loads(pec("status", "--trim", "II", "--format", "json").stdout)
    internas = next(a for a in doc["actividades"] if a["id"] == "internas")
    assert list(internas["solicitudes_por_area"]) == ["Talento Humano"]
    shown = pec("pendientes").stdout
    assert shown.count("Talento Humano") == 2 and "talento  humano" not in shown
    # so does pec list --abiertas (a second new-user trial saw «talento  humáno» and «PLANEACION» there)
    listed = json.loads(pec("list", "--abiertas", "--format", "json").stdout)
    assert [r["area"] for r in listed] == ["Talento Humano", "Talento Humano"]


def test_the_pace_gap_is_the_difference_of_the_figures_shown(pec):
    """A new-user trial read «3 de 5 esperadas (atrasado en 1,9)»: 4,95 expected shows as 5 and the gap
    was taken from 4,95. The gap is now the difference of the two figures a reader sees."""
    for day in ("2024-03-05", "2024-04-10", "2024-05-20"):
        assert pec("log", "revista", "--fecha", day, "--titulo", f"Revista {day}").exit_code == 0
    doc = json.loads(pec("pendientes", "--fecha", "2024-06-28", "--format", "json").stdout)
    revista = next(a for a in doc["actividades"] if a["id"] == "revista")
    assert revista["ritmo"]["esperadas"] == 4.95 and revista["ritmo"]["realizadas"] == 3
    shown = " ".join(pec("pendientes", "--fecha", "2024-06-28").stdout.split())
    assert "ritmo a la fecha: 3 de 5 esperadas (atrasado en 2)" in shown
