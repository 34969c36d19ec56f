"""The plan file: the seed's numbers are all there, and a wrong plan is refused, located."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pec_cli.errors import PecError
from pec_cli.plan.loader import load_plan

from .conftest import REPO

SHIPPED = REPO / "plan" / "2024.yaml"
SEED = REPO.parent / "shared" / "seed" / "000_260dc861c2b4454c.txt"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "2024.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(PecError) as caught:
        load_plan(path, "plan/2024.yaml")
    return caught.value.details


def edited(old: str, new: str, count: int = 1) -> str:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, count)


def test_shipped_plan_matches_the_spec_table():
    plan = load_plan(SHIPPED)
    rows = {a.id: (a.inicio.isoformat(), a.fin.isoformat(), a.meta, a.tipos[0].id, [t.id for t in a.tipos]) for a in plan.actividades}
    assert rows == {
        "revista": ("2024-03-01", "2024-12-31", 10, "publicacion", ["publicacion"]),
        "noti": ("2024-03-01", "2024-12-31", 30, "publicacion", ["publicacion"]),
        "capsulas": ("2024-03-01", "2024-12-31", 30, "publicacion", ["publicacion"]),
        "internas": ("2024-01-01", "2024-12-31", None, "publicacion", ["publicacion", "solicitud"]),
        "externas": ("2024-03-01", "2024-12-31", 20, "publicacion", ["publicacion"]),
        "seguidores": ("2024-03-01", "2024-12-31", 700, "medicion", ["medicion", "interaccion"]),  # issue 12
        "eventos": ("2024-01-01", "2024-12-31", None, "evento", ["evento", "publicacion"]),
        "campanas": ("2024-01-01", "2024-12-31", 4, "publicacion", ["publicacion"]),
    }
    assert [s.id for s in plan.activity("seguidores").series] == ["instagram", "twitter", "tiktok", "facebook", "youtube"]
    assert all(s.meta == 700 for s in plan.activity("seguidores").series)
    assert plan.activity("campanas").calendario == (4, 6, 9, 12)
    assert plan.activity("campanas").programacion == (0, 50, 25, 25)
    assert plan.activity("externas").meta_mensual == 2
    assert plan.activity("noti").cadencia == "semanal"
    assert [ln.id for ln in plan.lineas] == ["linea_revista", "linea_internas", "linea_externas", "linea_eventos"]
    assert all(ln.programacion == (25, 25, 25, 25) and ln.meta == 100 for ln in plan.lineas)
    assert plan.textos["prospectiva"]["anios"] == [2023, 2024, 2025, 2026]
    assert all(v == [25, 25, 25, 25] for v in plan.textos["prospectiva"]["lineas"].values())
    assert len(plan.textos["reglas"]) == 7
    assert plan.vigencia == 2024 and plan.version == "1" and plan.sigla == "USPEC"


def test_indicator_texts_are_the_documents_verbatim():
    plan = load_plan(SHIPPED)
    seed = SEED.read_text(encoding="utf-8") if SEED.exists() else None
    for line in plan.lineas:
        assert line.indicador.texto
        if seed is not None:
            assert line.indicador.texto in seed, line.indicador.texto


@pytest.mark.skipif(not SEED.exists(), reason="the seed document is beside the checkout")
def test_every_number_of_the_seed_is_in_the_plan():
    seed = SEED.read_text(encoding="utf-8")
    plan_text = SHIPPED.read_text(encoding="utf-8")
    numbers = set(re.findall(r"\d+", seed))
    plan_numbers = set(re.findall(r"\d+", plan_text))
    # day numbers of the seed's own typing ("01 mar-2024", "1-mar-24") are dates in the plan
    missing = sorted(numbers - plan_numbers - {"01", "1", "24", "31"}, key=int)
    assert missing == []


def test_bundled_plan_is_the_shipped_plan():
    assert (REPO / "pec_cli" / "data" / "2024.yaml").read_bytes() == SHIPPED.read_bytes()


def test_broken_yaml_gives_file_line_and_column(tmp_path):
    path = write(tmp_path, "formato: 1\nentidad: [sin cerrar\nsigla: X\n")
    with pytest.raises(PecError) as caught:
        load_plan(path, "plan/2024.yaml")
    assert "no es YAML válido" in caught.value.message
    assert re.search(r"plan/2024\.yaml:\d+:\d+", caught.value.message)


def test_yaml_tag_that_would_build_an_object_is_refused(tmp_path):
    path = write(tmp_path, "formato: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(PecError) as caught:
        load_plan(path, "plan/2024.yaml")
    assert "plan/2024.yaml:1:" in caught.value.message


def test_every_error_is_reported_at_once_and_located(tmp_path):
    text = edited("    meta: 10\n", "    meta: diez\n")
    text = text.replace("    unidad: revistas\n", "    unidad: revistas\n    color: rojo\n")
    text = text.replace("    meta: 30\n    unidad: emisiones", "    meta: 30\n    unidad: emisiones\n    programacion: [25, 25, 25, 20]")
    details = errors_of(write(tmp_path, text))
    lines = text.splitlines()
    assert len(details) == 3, details
    by_field = {d.split(": ")[1]: d for d in details}
    meta = by_field["actividades[revista].meta"]
    line_no = int(meta.split(":")[1])
    assert lines[line_no - 1].strip() == "meta: diez"
    assert "número" in meta
    assert "campo desconocido" in by_field["actividades[revista].color"]
    assert "suma 95" in by_field["actividades[noti]"]


def test_window_outside_vigencia(tmp_path):
    details = errors_of(write(tmp_path, edited("    inicio: 2024-03-01\n", "    inicio: 2023-12-01\n")))
    assert any("actividades[revista].inicio" in d and "vigencia 2024" in d for d in details), details


def test_unknown_variable_in_formula_names_activity_and_formula(tmp_path):
    details = errors_of(write(tmp_path, edited("formula: publicacion / meta * 100\n    meta: 100\n    programacion: [25, 25, 25, 25]\n    observaciones: No aplica\n\n  - id: linea_internas",
                                               "formula: publicaciones / meta * 100\n    meta: 100\n    programacion: [25, 25, 25, 25]\n    observaciones: No aplica\n\n  - id: linea_internas")))
    assert details and all("publicaciones" in d for d in details)
    assert any("«revista»" in d for d in details) and any("lineas[linea_revista].indicador.formula" in d for d in details)


def test_forbidden_construct_in_formula(tmp_path):
    details = errors_of(write(tmp_path, edited("formula: (fin - inicio) / meta * 100", "formula: __import__('os').system('x')")))
    assert len(details) == 1 and "actividades[seguidores].formula" in details[0] and "min() y max()" in details[0]


def test_duplicate_ids(tmp_path):
    details = errors_of(write(tmp_path, edited("  - id: noti\n", "  - id: revista\n")))
    assert any("«revista» está repetido" in d for d in details)


def test_meta_formula_without_meta(tmp_path):
    details = errors_of(write(tmp_path, edited("    meta: 10\n", "    meta: null\n")))
    assert any("usa «meta»" in d and "«revista»" in d for d in details)


def test_activity_in_unknown_line(tmp_path):
    details = errors_of(write(tmp_path, edited("    linea: linea_revista\n    nombre: Noti USPEC", "    linea: videos\n    nombre: Noti USPEC")))
    assert any("línea «videos», que no existe" in d for d in details)


def test_a_plan_with_monthly_targets_is_yaml_only(tmp_path):
    """Another entity, another year, monthly-style programación: no code change."""
    plan_text = """
formato: 1
entidad: Otra Entidad
sigla: OE
titulo: Plan de Comunicaciones
vigencia: 2025
version: "2"
mision: Servir.
vision: Ser.
lineas:
  - id: boletin
    numero: 1
    nombre: Boletín
    indicador: {nombre: Boletines, texto: boletines / meta, formula: publicacion / meta * 100}
    programacion: [10, 20, 30, 40]
actividades:
  - id: boletin
    linea: boletin
    nombre: Boletín mensual
    inicio: 2025-01-01
    fin: 2025-12-31
    meta: 12
    responsable: Prensa
    calendario: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    tipos: [{id: publicacion, nombre: Boletín, requiere: [titulo]}]
"""
    path = tmp_path / "2025.yaml"
    path.write_text(plan_text, encoding="utf-8")
    plan = load_plan(path)
    assert plan.vigencia == 2025
    assert plan.activity("boletin").programacion == (25, 25, 25, 25)
    assert plan.line("boletin").programacion == (10, 20, 30, 40)
    assert yaml.safe_load(plan_text)["lineas"][0]["id"] == "boletin"


def test_file_name_and_vigencia_must_agree(tmp_path):
    path = tmp_path / "2025.yaml"
    path.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PecError) as caught:
        load_plan(path, "plan/2025.yaml")
    assert "vigencia: 2024" in caught.value.message and "2025" in caught.value.message


@pytest.mark.parametrize("old, new, where", [
    ("    meta: 10\n", "    meta: .inf\n", "actividades[revista].meta"),
    ("    calendario: [4, 6, 9, 12]", "    calendario: [4, 4]", "actividades[campanas]"),
    ("- {id: instagram, nombre: Instagram}", "- {id: instagram, nombre: Instagram, linea_base: .nan}",
     "actividades[seguidores].series[instagram].linea_base"),
])
def test_non_finite_numbers_and_repeated_months_are_refused(tmp_path, old, new, where):
    details = errors_of(write(tmp_path, edited(old, new)))
    assert any(where in d for d in details), details


def test_control_characters_in_the_plan_are_refused_where_they_are(tmp_path):
    """A quoted YAML string can hold an escape sequence ("\\e[31m"); the plan's texts reach the
    terminal from every board, so the plan check refuses it, located (issue 10 item 9)."""
    path = write(tmp_path, edited("    nombre: Revista Gestión USPEC\n", '    nombre: "Revista \\e[31mGestión\\e]8;;http://x\\a"\n'))
    problems = errors_of(path)
    assert any("lineas[linea_revista].nombre" in p and "carácter de control" in p for p in problems), problems
    assert not any("\x1b" in p for p in problems)


def _broken_plan(ws_root: Path) -> Path:
    from pec_cli.workspace import init_workspace

    init_workspace(ws_root)
    plan = ws_root / "plan" / "2024.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("    meta: 100\n", "    meta: -100\n", 1), encoding="utf-8")
    return plan

def test_a_broken_plan_is_refused_before_the_ledger_is_read(tmp_path, monkeypatch):
    """The plan is the first thing to fix: when both the plan and the ledger fail, the plan's refusal is said."""
    from pec_cli.ledger import cache

    from .conftest import pec_at

    plan = _broken_plan(tmp_path / "ws")
    root = plan.parent.parent

    def unreadable(*_args, **_kwargs):
        raise PecError("LEDGER-UNREADABLE")

    monkeypatch.setattr(cache, "read_tally", unreadable)
    done = pec_at(root, "status")
    assert done.exit_code == 1 and "meta" in done.output and "LEDGER-UNREADABLE" not in done.output, done.output
    plan.write_text((REPO / "plan" / "2024.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    done = pec_at(root, "status")
    assert done.exit_code == 1 and "LEDGER-UNREADABLE" in done.output, done.output  # the plan is fine: the ledger's




# ---------------------------------------------------------------- the plan's versions and firmas (issue 22 item 5)


def test_the_shipped_plan_keeps_the_seeds_change_log_and_firmas():
    textos = load_plan(SHIPPED).textos
    assert textos["cambios"] == [{"version": "01", "fecha": "2023-12-26", "numerales": "4", "descripcion":
                                  "Se actualizo íntegramente el documento según las acciones a revisar en la vigencia"}]
    firmas = textos["firmas"]
    assert list(firmas) == ["elaboro", "reviso", "aprobo"]
    assert firmas["reviso"] == {"nombre": "Yanneth Parra", "cargo": "Técnico operativo", "dependencia": "Dirección General"}
    assert firmas["elaboro"]["nombre"] == firmas["aprobo"]["nombre"] == "Luisa Fernanda Pérez Luna"


def test_plan_check_refuses_a_version_without_its_row_in_cambios(pec, ws):
    plan = ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('version: "1"\n', 'version: "2"\n', 1), encoding="utf-8")
    refused = pec("plan", "check")
    line = text[:text.index('version: "1"')].count("\n") + 1
    assert refused.exit_code == 1, refused.output
    assert f"plan/2024.yaml:{line}: version: la versión «2» no tiene fila en «cambios» (tiene: 01)" in refused.stderr
    assert pec("status").exit_code == 0  # counting never asks it: only the published document must have its row
    plan.write_text(text.replace('version: "1"\n', 'version: "001"\n', 1), encoding="utf-8")
    checked = pec("plan", "check")  # "001" is "01": versions written with digits compare as numbers
    assert checked.exit_code == 0, checked.output


def test_plan_check_warns_when_one_person_wrote_and_approved(pec, ws):
    checked = pec("plan", "check")
    assert checked.exit_code == 0 and "es válido" in checked.stdout
    said = [line for line in checked.stderr.splitlines() if "elaboró y aprobó" in line]
    assert said == ["aviso: la misma persona elaboró y aprobó el plan (Luisa Fernanda Pérez Luna); revise «firmas.aprobo»."]
    plan = ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8")
    approved = text[text.index("  aprobo:"):]
    plan.write_text(text.replace(approved, approved.replace("Luisa Fernanda Pérez Luna", "Otra Persona")), encoding="utf-8")
    assert "elaboró y aprobó" not in pec("plan", "check").stderr


def test_plan_show_prints_the_change_log_and_firmas(pec):
    shown = pec("plan", "show").stdout
    assert "Versión 01 (2023-12-26, numerales 4): Se actualizo íntegramente" in shown
    assert "Revisó: Yanneth Parra, Técnico operativo, Dirección General" in shown


def test_a_plan_with_the_earlier_responsabilidad_list_still_loads(tmp_path):
    """Plans written before «firmas» listed ``responsabilidad`` with a ``rol`` each: read as the same firmas."""
    shipped = load_plan(SHIPPED)
    text = SHIPPED.read_text(encoding="utf-8")
    earlier = "responsabilidad:\n" + "".join(
        f"  - rol: {rol}\n    nombre: {f['nombre']}\n    cargo: {f['cargo']}\n    dependencia: {f['dependencia']}\n"
        for rol, f in zip(("Elaboró / Actualizó", "Revisó", "Aprobó"), shipped.textos["firmas"].values(), strict=True))
    path = write(tmp_path, text[:text.index("firmas:")] + earlier)
    assert load_plan(path).textos["firmas"] == shipped.textos["firmas"]
    path = write(tmp_path, text[:text.index("firmas:")] + earlier.replace("rol: Revisó", "rol: Vio"))
    assert any("responsabilidad: campo desconocido" in d for d in errors_of(path))


def test_lines_and_activities_say_their_reading_and_objective():
    """Issue 23 item 3: what the indicator sheet shows comes from plan fields, not from YAML comments."""
    plan = load_plan(SHIPPED)
    assert all(ln.indicador.lectura and ln.objetivo for ln in plan.lineas)
    assert all(a.lectura and a.objetivo for a in plan.actividades)
    assert plan.activity("noti").lectura == plan.line("linea_revista").indicador.lectura  # its line's formula, its reading
    assert plan.activity("campanas").objetivo == "2.3" and plan.activity("internas").objetivo == "2.4"


def test_a_line_or_activity_serves_an_objective_the_plan_lists(tmp_path):
    details = errors_of(write(tmp_path, edited('    objetivo: "2.3"\n', '    objetivo: "2.9"\n')))
    assert any("actividades[campanas].objetivo: el objetivo «2.9» no está en «objetivos»; los objetivos son: "
               "2.1, 2.2, 2.3, 2.4" in d for d in details), details
