"""The plan file: the seed's numbers are all there, and a wrong plan is refused, located."""

from __future__ import annotations

import json
import re
import sys
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


def test_a_plan_checked_in_a_forked_process_fails_and_passes_as_one_checked_here(tmp_path, monkeypatch):
    """On Linux the plan is checked apart (its yaml and pydantic stay out of a big read's process):
    the same plan, the same refusal, and where there is no fork, the check here."""
    import os

    from pec_cli.plan import cache
    from pec_cli.plan.loader import read_plan_data
    from pec_cli.workspace import Workspace

    plan = _broken_plan(tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(PecError) as here:
        read_plan_data(plan, "plan/2024.yaml")
    for fork in (os.fork, None):
        if fork is None:
            monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(OSError(11, "no more processes")))
        with pytest.raises(PecError) as apart:
            cache.load_plan_cached(ws, plan)
        assert (apart.value.message, apart.value.details, apart.value.code) == (
            here.value.message, here.value.details, here.value.code)
        assert "meta" in " ".join([apart.value.message, *apart.value.details])
    monkeypatch.undo()
    shipped = REPO / "plan" / "2024.yaml"
    plan.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = cache.load_plan_cached(ws, plan)  # checked apart, then cached
    assert [(a.id, a.meta) for a in loaded.actividades] == [(a.id, a.meta) for a in load_plan(shipped).actividades]
    cached = json.loads((tmp_path / "ws" / ".pec" / "cache" / "plan-2024.json").read_text(encoding="utf-8"))
    assert cached["data"] == read_plan_data(plan, "plan/2024.yaml")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the plan is checked in a forked process on Linux")
def test_the_ledger_read_while_a_changed_plan_is_checked_changes_nothing_shown(tmp_path, monkeypatch):
    """``pec status`` reads the ledger while a changed plan is checked apart: the same board and warnings
    as reading it after; with no fork, the read comes after the plan; the plan's refusal comes first."""
    import os

    from pec_cli.workspace import init_workspace

    from .conftest import pec_at

    root = init_workspace(tmp_path / "ws")
    assert pec_at(root, "log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1").exit_code == 0
    segment = next((root / "ledger" / "2024").glob("*.jsonl"))
    with segment.open("ab") as handle:
        handle.write(b'{"v": 1, "roto\n')  # a bad line: its warning is said once, whichever path read it
    plan = root / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8")
    shown = []
    for fork in (os.fork, None):
        if fork is None:
            monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(OSError(11, "no more processes")))
        for _ in range(2):  # the plan changed (both caches stale), then the tally cache current
            plan.write_text(text + f"# {len(shown)}\n", encoding="utf-8")
            (root / ".pec" / "cache" / f"tally-2024-{segment.stem}.json").unlink(missing_ok=True)
            done = pec_at(root, "status", "--trim", "I")
            assert done.exit_code == 0, done.output
            shown.append(done.output)
    assert len(set(shown)) == 1 and shown[0].count("se omite") == 1, shown[0]
    monkeypatch.undo()
    from pec_cli.errors import PecError
    from pec_cli.ledger import store

    def unreadable(*_args):
        raise PecError("LEDGER-UNREADABLE")

    monkeypatch.setattr(store, "read_tally", unreadable)
    done = pec_at(root, "status")
    assert done.exit_code == 1 and "LEDGER-UNREADABLE" in done.output, done.output  # the plan is fine: the ledger's
    plan.write_text(text.replace("    meta: 100\n", "    meta: -100\n", 1), encoding="utf-8")
    done = pec_at(root, "status")  # both fail: the plan is the first thing to fix
    assert done.exit_code == 1 and "meta" in done.output and "LEDGER-UNREADABLE" not in done.output, done.output


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the plan is checked in a forked process on Linux")
def test_a_plan_check_interrupted_while_the_ledger_is_read_leaves_no_process(tmp_path, monkeypatch):
    """Ctrl-C while the ledger is read: the plan's process is killed and reaped, not waited for."""
    import os

    from pec_cli.plan import cache
    from pec_cli.workspace import Workspace

    plan = _broken_plan(tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    started: list[int] = []
    real = cache._Check.start

    def start(path, display):
        check = real(path, display)
        started.append(check.pid)
        return check

    monkeypatch.setattr(cache._Check, "start", start)
    with pytest.raises(KeyboardInterrupt):
        cache.load_plan_cached(ws, plan, lambda: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)  # killed and reaped: nothing left behind


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the plan is checked in a forked process on Linux")
def test_a_plan_check_that_dies_without_a_word_is_made_here_and_a_failed_fork_leaks_nothing(tmp_path, monkeypatch):
    """The plan's process killed or failing unexpectedly while the ledger read fails: the plan is checked
    here, so its refusal still comes first; a fork that fails leaves no pipe open."""
    import os

    from pec_cli.plan import cache, loader
    from pec_cli.workspace import Workspace

    plan = _broken_plan(tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    parent, real = os.getpid(), loader.read_plan_data

    def dies_in_the_child(path, display):
        if os.getpid() != parent:
            raise MemoryError  # not a PecError: the process ends without answering
        return real(path, display)

    def ledger_fails():
        raise PecError("LEDGER")

    monkeypatch.setattr(loader, "read_plan_data", dies_in_the_child)
    with pytest.raises(PecError) as refused:
        cache.load_plan_cached(ws, plan, ledger_fails)
    assert "meta" in " ".join([refused.value.message, *refused.value.details]), refused.value.message
    before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(OSError(11, "no more processes")))
    for _ in range(3):
        with pytest.raises(PecError):
            cache.load_plan_cached(ws, plan)
    assert len(os.listdir("/proc/self/fd")) == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the plan is checked in a forked process on Linux")
def test_the_ledger_is_read_before_the_plan_check_is_waited_for(tmp_path, monkeypatch):
    """The overlap itself: with a changed plan, ``meanwhile`` runs before the plan's process is waited for."""
    from pec_cli.plan import cache
    from pec_cli.workspace import Workspace, init_workspace

    root = init_workspace(tmp_path / "ws")
    events: list[str] = []
    real = cache._Check.result

    def result(self):
        events.append("plan waited for")
        return real(self)

    monkeypatch.setattr(cache._Check, "result", result)
    cache.load_plan_cached(Workspace(root), root / "plan" / "2024.yaml", lambda: events.append("ledger read"))
    assert events == ["ledger read", "plan waited for"]
    events.clear()  # the plan cached now: read after it, no process
    cache.load_plan_cached(Workspace(root), root / "plan" / "2024.yaml", lambda: events.append("ledger read"))
    assert events == ["ledger read"]
