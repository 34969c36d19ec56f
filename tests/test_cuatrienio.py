"""`pec status --cuatrienio`: each line per year of the 2023-2026 prospectiva, by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pec_cli.ledger.tally import Tally
from pec_cli.plan.loader import load_plan
from pec_cli.plan.nueva import next_plan_text
from pec_cli.report.cuatrienio import compute_cuatrienio, cuatrienio_to_dict, render_text

from .conftest import REPO

PLAN_2024 = load_plan(REPO / "plan" / "2024.yaml")


def revistas(*days):
    return [{"clase": "pieza", "id": f"c-{d}", "actividad": "revista", "tipo": "publicacion", "fecha": d,
             "registrado": f"{d}T12:00:00-05:00", "titulo": d} for d in days]


@pytest.fixture
def plan_2025(tmp_path):
    text = next_plan_text((REPO / "plan" / "2024.yaml").read_text(encoding="utf-8"), PLAN_2024, 2025,
                          "plan/2024.yaml", dt.date(2024, 12, 1))
    path = tmp_path / "2025.yaml"
    path.write_text(text, encoding="utf-8")
    return load_plan(path)


def test_years_aportes_and_cumulative(plan_2025):
    # 2024 closed: 5 revistas of 10 (50 %), noti and cápsulas 0: line 1 is 16.67 of 100 points,
    # and gives 16.67 x 25 / 100 = 4.17 of the four-year plan. 2025 at 5 March: 1 revista against
    # Trim. I's 2.5 (40 %): the line's 13.33 % x 25 = 3.33 of 25 points, giving 0.83 of 25 x 25 / 100 = 6.25.
    years = {2024: (PLAN_2024, Tally.of(revistas("2024-03-10", "2024-04-10", "2024-05-10", "2024-06-10",
                                                     "2024-07-10"))),
             2025: (plan_2025, Tally.of(revistas("2025-03-03")))}
    doc = cuatrienio_to_dict(compute_cuatrienio(PLAN_2024, years, dt.date(2025, 3, 5)))
    assert doc["anios"] == [2023, 2024, 2025, 2026]
    line = doc["lineas"][0]
    assert line["id"] == "linea_revista"
    assert line["anios"]["2023"] == {"estado": "sin plan", "meta": 25.0, "programado": None, "ejecucion": None,
                                     "aporte": None, "aporte_programado": None, "semaforo": None}
    y24, y25 = line["anios"]["2024"], line["anios"]["2025"]
    assert (y24["estado"], y24["programado"], y24["ejecucion"], y24["aporte"], y24["aporte_programado"]) == (
        "cerrado", 100.0, 16.67, 4.17, 25.0)
    assert (y25["estado"], y25["programado"], y25["ejecucion"], y25["aporte"], y25["aporte_programado"]) == (
        "en curso", 25.0, 3.33, 0.83, 6.25)
    assert line["anios"]["2026"]["estado"] == "sin plan"
    assert line["acumulado"] == {"aporte": 5.0, "programado": 31.25, "meta": 100.0, "anios_sin_plan": [2023, 2026]}
    # eventos: no demand in either year is "no aplica": nothing programmed, nothing achieved
    assert doc["lineas"][3]["acumulado"]["programado"] == 0.0


def test_a_year_not_started_programs_nothing(plan_2025):
    doc = cuatrienio_to_dict(compute_cuatrienio(PLAN_2024, {2024: (PLAN_2024, Tally.of([])),
                                                            2025: (plan_2025, Tally.of([]))},
                                                dt.date(2024, 6, 20)))
    y25 = doc["lineas"][0]["anios"]["2025"]
    assert (y25["estado"], y25["programado"], y25["aporte_programado"]) == ("por empezar", 0.0, 0.0)
    assert doc["lineas"][0]["acumulado"]["programado"] == 12.5  # 50 of 2024's 100 x 25 %


def test_text_fits_80_columns(plan_2025):
    text = render_text(compute_cuatrienio(PLAN_2024, {2024: (PLAN_2024, Tally.of(revistas("2024-03-10")))},
                                          dt.date(2024, 6, 20)))
    assert max(len(x) for x in text.splitlines()) <= 80
    assert "2023 sin plan · 2024 en curso: " in text


def test_cli_cuatrienio(pec):
    assert pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "R").exit_code == 0
    assert pec("plan", "nueva", "2025").exit_code == 0
    env = {"PEC_HOY": "2025-03-05"}
    assert pec("log", "revista", "--fecha", "2025-03-03", "--titulo", "R25", env=env).exit_code == 0
    doc = json.loads(pec("status", "--cuatrienio", "--format", "json", env=env).stdout)
    line = doc["lineas"][0]
    assert [line["anios"][y]["estado"] for y in ("2023", "2024", "2025", "2026")] == [
        "sin plan", "cerrado", "en curso", "sin plan"]
    assert line["anios"]["2025"]["ejecucion"] == 3.33
    table = pec("status", "--cuatrienio", env=env)
    assert table.exit_code == 0 and "Prospectiva cuatrienal 2023-2026 · al 2025-03-05" in table.stdout
    bad = pec("status", "--cuatrienio", "--trim", "II")
    assert bad.exit_code == 2 and "quite --trim" in bad.stderr
    bad = pec("status", "--cuatrienio", "--format", "markdown")
    assert bad.exit_code == 2 and "table o json" in bad.stderr
