"""`pec plan nueva AÑO`: next year's plan, dates moved, ids kept, checked; years without a plan refused."""

from __future__ import annotations

import datetime as dt
import json

from pec_cli.plan.loader import load_plan
from pec_cli.plan.nueva import moved, next_plan_text

from .conftest import REPO


def test_moved_keeps_month_and_day():
    assert moved(dt.date(2024, 3, 1), 2025) == dt.date(2025, 3, 1)
    assert moved(dt.date(2024, 2, 29), 2025) == dt.date(2025, 2, 28)


def test_next_plan_text_moves_windows_and_keeps_ids(tmp_path):
    source = REPO / "plan" / "2024.yaml"
    plan = load_plan(source)
    text = next_plan_text(source.read_text(encoding="utf-8"), plan, 2025, "plan/2024.yaml", dt.date(2024, 12, 1))
    path = tmp_path / "2025.yaml"
    path.write_text(text, encoding="utf-8")
    new = load_plan(path)
    assert new.vigencia == 2025 and new.version == "1"
    assert [a.id for a in new.actividades] == [a.id for a in plan.actividades]
    assert [ln.id for ln in new.lineas] == [ln.id for ln in plan.lineas]
    assert {a.id: (a.inicio, a.fin) for a in new.actividades}["revista"] == (dt.date(2025, 3, 1), dt.date(2025, 12, 31))
    assert all(a.inicio.year == a.fin.year == 2025 for a in new.actividades)
    assert [a.meta for a in new.actividades] == [a.meta for a in plan.actividades]
    # issue 22 item 5: the change log restarts with the row of version "1", which `pec plan check` asks for
    assert new.textos["cambios"] == [{
        "version": "1", "fecha": "2024-12-01", "numerales": "Todos",
        "descripcion": "Plan 2025 creado con «pec plan nueva 2025» a partir del plan 2024 (plan/2024.yaml), versión 1; "
                       "pendiente de revisión"}]
    assert new.textos["fecha"] == "enero 2025"
    assert new.textos["firmas"] == plan.textos["firmas"]  # kept for the office to confirm
    assert load_plan(path, document=True).version == "1"  # passes `pec plan check`: its version has its row
    assert new.textos["prospectiva"] == plan.textos["prospectiva"]  # the four-year plan is the same
    head = text.split("\n\n", 1)[0]
    assert head.startswith("# Plan 2025: BORRADOR hecho con «pec plan nueva 2025» a partir de plan/2024.yaml")
    for needed in ("metas", "revista: 10 Revistas", "ventanas", "revista: 2025-03-01 a 2025-12-31",
                   "campanas: abril, junio, septiembre, diciembre", "textos que aún nombran 2024: introduccion, objetivos"):
        assert needed in head, needed
    assert "# «Semanalmente» es la cadencia de trabajo" in text and "cadencia: mensual" in text  # comments kept


def test_cli_plan_nueva_then_logging_in_both_years(pec, ws):
    result = pec("plan", "nueva", "2025")
    assert result.exit_code == 0, result.output
    assert "Plan 2025 creado en plan/2025.yaml a partir de plan/2024.yaml" in result.stdout
    checked = pec("plan", "check", "--vigencia", "2025")
    assert checked.exit_code == 0, checked.output
    again = pec("plan", "nueva", "2025")
    assert again.exit_code == 1 and "Ya existe plan/2025.yaml" in again.stderr
    env = {"PEC_HOY": "2025-04-02"}
    assert pec("log", "revista", "--fecha", "2025-03-10", "--titulo", "Revista 2025", env=env).exit_code == 0
    assert pec("log", "revista", "--fecha", "2024-11-10", "--titulo", "Revista 2024", env=env).exit_code == 0
    assert sorted(p.name for p in (ws / "ledger").iterdir() if p.is_dir()) == ["2024", "2025"]
    now = json.loads(pec("status", "--format", "json", env=env).stdout)
    assert now["vigencia"] == 2025 and now["actividades"][0]["acumulado"]["realizadas"] == 1
    before = json.loads(pec("status", "--vigencia", "2024", "--format", "json", env=env).stdout)
    assert before["vigencia"] == 2024 and before["actividades"][0]["acumulado"]["realizadas"] == 1


def test_a_year_without_plan_is_refused_naming_the_file(pec, ws, tmp_path):
    result = pec("log", "revista", "--fecha", "2026-03-10", "--titulo", "x", env={"PEC_HOY": "2026-04-01"})
    assert result.exit_code == 1 and "No hay plan para 2026: cree plan/2026.yaml" in result.stderr
    assert "pec plan nueva 2026" in result.stderr
    assert not (ws / "ledger" / "2026").exists()
    csv = tmp_path / "p.csv"
    csv.write_text("actividad;fecha;titulo\nrevista;2026-03-10;x\n", encoding="utf-8")
    result = pec("import", str(csv), env={"PEC_HOY": "2026-04-01"})
    assert result.exit_code == 1 and "importe las filas de 2026 en otro CSV con --vigencia 2026" in result.stderr
    assert pec("plan", "nueva", "20x5").exit_code == 2


def test_a_plan_without_cambios_gets_its_first_row(tmp_path):
    source = REPO / "plan" / "2024.yaml"
    text = source.read_text(encoding="utf-8")
    old = text[text.index("# RESUMEN DE CAMBIOS"):text.index("# RESPONSABILIDAD Y AUTORIDAD")]
    path = tmp_path / "2024.yaml"
    path.write_text(text.replace(old, ""), encoding="utf-8")
    plan = load_plan(path)
    draft = tmp_path / "2025.yaml"
    draft.write_text(next_plan_text(path.read_text(encoding="utf-8"), plan, 2025, "plan/2024.yaml", dt.date(2024, 12, 1)),
                     encoding="utf-8")
    assert [c["version"] for c in load_plan(draft, document=True).textos["cambios"]] == ["1"]
