"""The command line driven like a user: every command, and every refusal of SPEC §6."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pec_cli.workspace import init_workspace

from .conftest import REPO, pec_at


@pytest.fixture(autouse=True, params=["con-cache", "sin-cache"])
def cache_mode(request, monkeypatch):
    """Every CLI test runs twice: with the derived caches and with none (PEC_CACHE=0)."""
    monkeypatch.setenv("PEC_CACHE", "1" if request.param == "con-cache" else "0")
    return request.param


def ledger_bytes(ws: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in sorted((ws / "ledger").rglob("*.jsonl"))}


def refused(result, fragment: str, code: int = 1) -> str:
    """A refusal: the exit status, one Spanish sentence on stderr, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    message = result.stderr.strip().splitlines()[0]
    assert message.startswith("Error: "), message
    assert fragment in result.stderr, result.stderr
    return message


# ---------------------------------------------------------------- the loop


def test_log_prints_the_id_alone_and_status_counts_it(pec, status_json):
    result = pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "Edición de marzo")
    assert result.exit_code == 0, result.output
    entry_id = result.stdout.strip()
    assert re.fullmatch(r"2024-[a-z0-9]{5}-1", entry_id)
    assert result.stdout == entry_id + "\n"
    for day in ("2024-04-02", "2024-05-02", "2024-06-20"):
        assert pec("log", "revista", "--fecha", day, "--titulo", "Edición").exit_code == 0
    doc = status_json("II")
    assert doc["vigencia"] == 2024 and doc["trimestre"] == "II" and doc["corte"] == "2024-06-30"
    rev = next(a for a in doc["actividades"] if a["id"] == "revista")
    assert rev["trimestres"]["I"] == {"programado": 25.0, "meta": 2.5, "realizadas": 1, "por_tipo": {"publicacion": 1},
                                      "cumplimiento": 40.0, "logrado": 10.0, "celda": "número"}
    assert rev["acumulado"]["logrado"] == 40.0 and rev["acumulado"]["semaforo"] == "amarillo"
    assert [ln["id"] for ln in doc["lineas"]] == ["linea_revista", "linea_internas", "linea_externas", "linea_eventos"]


def test_every_field_is_recorded(pec, ws, tmp_path):
    evidence = tmp_path / "pantallazo.png"
    evidence.write_bytes(b"\x89PNG fake")
    result = pec("log", "externas", "--fecha", "2024-04-01", "--titulo", "Entrega de obra", "--canal", "X",
                 "--url", "https://uspec.gov.co/n/1", "--nota", "con video", "--evidencia", str(evidence))
    assert result.exit_code == 0, result.output
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    record = json.loads(segment.read_text(encoding="utf-8"))
    assert record["titulo"] == "Entrega de obra" and record["canal"] == "X" and record["nota"] == "con video"
    assert record["url"] == "https://uspec.gov.co/n/1"
    assert record["registrado"].endswith("-05:00")
    stored = ws / record["evidencia"]["archivo"]
    assert stored.read_bytes() == evidence.read_bytes() and stored.parent == ws / "evidencias" / "2024"


def test_date_defaults_to_today(pec, ws):
    result = pec("log", "revista", "--titulo", "Hoy")
    assert result.exit_code == 0, result.output
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    assert json.loads(segment.read_text())["fecha"] == "2024-07-15"


def test_prompts_on_a_terminal(pec, monkeypatch, ws):
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    result = pec("log", "internas", "--fecha", "2024-02-01", input="solicitud\nTalento Humano\n")
    assert result.exit_code == 0, result.output
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    record = json.loads(segment.read_text())
    assert record["tipo"] == "solicitud" and record["area"] == "Talento Humano"
    assert "publicacion" in result.stderr and "solicitud" in result.stderr  # the choices were offered


def test_off_a_terminal_a_missing_title_is_refused(pec, ws):
    refused(pec("log", "revista", "--fecha", "2024-03-15"), "--titulo")
    assert ledger_bytes(ws) == {}


def test_measurement_requires_network_and_value(pec):
    refused(pec("log", "seguidores", "--fecha", "2024-03-15", "--red", "instagram"), "--valor")
    refused(pec("log", "seguidores", "--fecha", "2024-03-15", "--red", "myspace", "--valor", "10"), "instagram")
    assert pec("log", "seguidores", "--fecha", "2024-03-15", "--red", "instagram", "--valor", "1200").exit_code == 0


def test_void_list_and_note(pec, ws, status_json):
    first = pec("log", "revista", "--fecha", "2024-04-02", "--titulo", "A").stdout.strip()
    pec("log", "revista", "--fecha", "2024-04-03", "--titulo", "B")
    voided = pec("void", first, "--motivo", "duplicada")
    assert voided.exit_code == 0, voided.output
    rev = next(a for a in status_json("II")["actividades"] if a["id"] == "revista")
    assert rev["acumulado"]["realizadas"] == 1
    listing = pec("list", "--actividad", "revista", "--format", "json")
    assert [e["titulo"] for e in json.loads(listing.stdout)] == ["B"]
    everything = json.loads(pec("list", "--anuladas", "--format", "json").stdout)
    assert {e["titulo"]: e["estado"] for e in everything} == {"A": "anulada", "B": "vigente"}
    refused(pec("void", first, "--motivo", "otra vez"), "ya está anulada")
    refused(pec("void", voided.stdout.strip(), "--motivo", "x"), "es una anulación")
    refused(pec("void", "2024-zzzzz-99", "--motivo", "x"), "No existe la entrada")
    note = pec("note", "revista", "--trim", "II", "Se publicó con retraso por contratación.")
    assert note.exit_code == 0, note.output
    rev = next(a for a in status_json("II")["actividades"] if a["id"] == "revista")
    assert rev["observaciones"] == {"II": ["Se publicó con retraso por contratación."]}
    out = ws / "tabla.csv"
    assert pec("export", "csv", "--trim", "II", "-o", str(out)).exit_code == 0
    assert "Trim. II: Se publicó con retraso" in out.read_text(encoding="utf-8-sig")


def test_list_filters(pec):
    pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "marzo")
    pec("log", "revista", "--fecha", "2024-05-15", "--titulo", "mayo")
    pec("log", "noti", "--fecha", "2024-05-16", "--titulo", "noti mayo")
    titles = lambda *a: [e["titulo"] for e in json.loads(pec("list", "--format", "json", *a).stdout)]  # noqa: E731
    assert titles("--trim", "II") == ["mayo", "noti mayo"]
    assert titles("--actividad", "revista") == ["marzo", "mayo"]
    assert titles("--desde", "2024-05-16") == ["noti mayo"]
    assert titles("--hasta", "2024-03-31") == ["marzo"]
    table = pec("list", "--trim", "2")
    assert table.exit_code == 0 and "mayo" in table.stdout and "marzo" not in table.stdout


def test_status_table_and_markdown(pec):
    pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A")
    table = pec("status", "--trim", "I")
    assert table.exit_code == 0
    assert "revista" in table.stdout and "10,0" in table.stdout
    md = pec("status", "--trim", "I", "--format", "markdown")
    assert md.exit_code == 0
    assert "| revista" in md.stdout and "10,00 %" in md.stdout


def test_status_json_is_alone_on_stdout_with_warnings_on_stderr(pec, ws):
    pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A")
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    with segment.open("ab") as handle:
        handle.write(b'{"v":1,"id":"roto')
    result = pec("status", "--trim", "I", "--format", "json")
    assert result.exit_code == 0
    json.loads(result.stdout)
    assert f"{segment.relative_to(ws)}:2:" in result.stderr


def test_export_csv_for_excel(pec, ws):
    pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "=HYPERLINK(\"http://x\")")
    out = ws / "seguimiento.csv"
    result = pec("export", "csv", "--trim", "I", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:5] == ["id", "Planes - Proyectos / Actividades", "Indicador", "Meta % 2024", "Trim. I"]
    revista_row = next(r for r in text.splitlines() if r.startswith("revista;Revista"))
    assert ";10,00;" in revista_row
    detail_file = ws / "detalle.csv"
    assert pec("export", "csv", "--detalle", "--trim", "I", "-o", str(detail_file)).exit_code == 0
    detail = detail_file.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in detail and ";=HYPERLINK" not in detail


def test_init_makes_a_workspace(tmp_path, monkeypatch, pec):
    target = tmp_path / "nuevo"
    result = pec("init", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "plan" / "2024.yaml").is_file() and (target / "ledger").is_dir()
    assert "merge=union" in (target / ".gitattributes").read_text()
    assert ".pec/" in (target / ".gitignore").read_text()
    refused(pec("init", str(target)), "ya es un espacio de trabajo")


@pytest.mark.skipif(__import__("shutil").which("git") is None, reason="git is not installed")
def test_what_exports_write_by_default_is_ignored_by_git(ws, pec, monkeypatch):
    """Trial item 3: after «pec init», «git add -A» committed every export written with its default name
    in the workspace; the .gitignore pec writes keeps them out (and the log of a scheduled run)."""
    from pec_cli.report import export

    # the plan's PDF is printed by a browser: its bytes stand in, its default name is the command's own
    monkeypatch.setitem(export.PLAN_DOCUMENT, "pdf", export.Document("pdf", lambda plan: b"%PDF-1.4\n"))
    assert pec("log", "revista", "--fecha", "2024-04-02", "--titulo", "Revista 1").exit_code == 0
    written: list[str] = []
    for args in (["export", "csv", "--trim", "II"], ["export", "markdown"], ["export", "csv", "--detalle"],
                 ["export", "paquete", "--trim", "II"], ["export", "fichas", "--format", "markdown"],
                 ["pendientes", "--ics"], ["plan", "show", "--format", "pdf"]):
        result = pec(*args)
        assert result.exit_code == 0, (args, result.output)
        written += [Path(line).relative_to(ws).as_posix() for line in result.stdout.splitlines()]
    assert len(written) == 8, written
    (ws / "pec.log").write_text("export semanal\n", encoding="utf-8")  # README: «>> pec.log» in a cron line
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    for name in [*written, "pec.log"]:
        assert subprocess.run(["git", "-C", str(ws), "check-ignore", "-q", name]).returncode == 0, name
    subprocess.run(["git", "-C", str(ws), "add", "-A"], check=True)
    staged = subprocess.run(["git", "-C", str(ws), "diff", "--cached", "--name-only"], check=True,
                            capture_output=True, text=True).stdout.split()
    assert {name.split("/")[0] for name in staged} == {".gitattributes", ".gitignore", "ledger", "plan"}, staged


def test_workspace_is_found_like_git_and_overridden(ws, tmp_path, monkeypatch, pec):
    sub = ws / "ledger" / "2024"
    sub.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(sub)
    assert pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A").exit_code == 0
    other = init_workspace(tmp_path / "otro")
    assert pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "B", "--root", str(other)).exit_code == 0
    monkeypatch.chdir(tmp_path)
    assert json.loads(pec("--root", str(other), "list", "--format", "json").stdout)[0]["titulo"] == "B"
    monkeypatch.setenv("PEC_ROOT", str(other))
    assert json.loads(pec("list", "--format", "json").stdout)[0]["titulo"] == "B"


def test_plan_show_and_check(pec):
    show = pec("plan", "show")
    assert show.exit_code == 0
    for text in ("revista", "campanas", "seguidores", "Publicaciones internas", "0/50/25/25", "Misión"):
        assert text in show.stdout
    check = pec("plan", "check")
    assert check.exit_code == 0 and "es válido" in check.stdout


def test_verify_a_clean_ledger(pec, ws):
    """A sound ledger passes; the damaged and tampered cases are tests/test_ledger.py's."""
    pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A")
    pec("log", "revista", "--fecha", "2024-03-16", "--titulo", "B")
    ok = pec("verify")
    assert ok.exit_code == 0 and "2 entradas" in ok.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git no está instalado")
def test_verify_names_the_ignore_lines_an_older_pec_did_not_write(pec, ws):
    """A git workspace made by an older pec has a .gitignore without the exports' lines: «git add -A»
    (the README's guide) would commit a report. verify says which lines to add, as information; git
    decides what is ignored (an anchored pattern, .git/info/exclude)."""
    assert "gitignore" not in pec("verify").stdout  # no git repository: nothing to say
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    assert "gitignore" not in pec("verify").stdout  # what pec init writes is whole
    (ws / ".gitignore").write_text("/.pec/\n*.pec-tmp \nmis-notas.txt\n", encoding="utf-8")
    (ws / ".git" / "info").mkdir(exist_ok=True)
    (ws / ".git" / "info" / "exclude").write_text("/pec.log\n", encoding="utf-8")
    result = pec("verify")
    assert result.exit_code == 0, result.output  # information, nothing wrong in the ledger
    said = " ".join(result.stdout.split())
    assert ("le faltan las líneas seguimiento-*, detalle-*, paquete-*, fichas-*, pendientes-*.ics, plan-*.pdf, "
            "que «pec init»") in said
    assert pec("export", "paquete", "-o", "paq").exit_code == 0  # about this copy, not the ledger:
    assert "gitignore" not in (ws / "paq" / "verificacion.txt").read_text(encoding="utf-8")  # not Control Interno's


# ---------------------------------------------------------------- SPEC §6


def test_missing_workspace(tmp_path, monkeypatch, pec):
    monkeypatch.chdir(tmp_path)
    refused(pec("status"), "pec init")
    refused(pec("status", "--root", str(tmp_path / "nada")), "no es un espacio de trabajo")


def test_unknown_activity_suggests_closest(pec, ws):
    message = refused(pec("log", "revsta", "--titulo", "x"), "¿quiso decir «revista»?")
    assert "revista, noti, capsulas" in message
    refused(pec("log", "campaña", "--titulo", "x"), "«campanas»")
    assert ledger_bytes(ws) == {}


@pytest.mark.parametrize("fecha", ["ayer", "2024-3-5x", "15.03.2024"])
def test_malformed_date(pec, ws, fecha):
    refused(pec("log", "revista", "--fecha", fecha, "--titulo", "x"), "AAAA-MM-DD o DD/MM/AAAA")
    assert ledger_bytes(ws) == {}
    # an impossible day and the CSV's DD/MM/AAAA: see tests/test_figures.py (issue 9.7)


def test_date_outside_window_or_in_the_future(pec, ws):
    refused(pec("log", "revista", "--fecha", "2024-02-10", "--titulo", "x"), "fuera de la ventana")
    refused(pec("log", "revista", "--fecha", "2024-08-10", "--titulo", "x"), "posterior a hoy")
    assert ledger_bytes(ws) == {}


@pytest.mark.parametrize("trim", ["V", "0", "5", "primero", ""])
def test_quarter_not_i_to_iv(pec, trim):
    refused(pec("status", "--trim", trim), "I, II, III o IV", code=2)


def test_quarter_aliases(status_json):
    assert status_json("2")["trimestre"] == "II"
    assert status_json("iv")["trimestre"] == "IV"


def test_broken_yaml_in_the_workspace(pec, ws):
    pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A")
    before = ledger_bytes(ws)
    (ws / "plan" / "2024.yaml").write_text("formato: 1\nlineas: [\n", encoding="utf-8")
    message = refused(pec("status"), "no es YAML válido")
    assert "plan/2024.yaml:3:" in message or "plan/2024.yaml:2:" in message
    refused(pec("log", "revista", "--titulo", "x"), "no es YAML válido")
    assert ledger_bytes(ws) == before


def test_yaml_tag_refused_through_the_cli(pec, ws):
    (ws / "plan" / "2024.yaml").write_text("formato: !!python/object/apply:os.system ['touch pwned']\n", encoding="utf-8")
    refused(pec("plan", "check"), "no es YAML válido")
    assert not (ws / "pwned").exists()


def test_plan_breaking_the_model_lists_each_field(pec, ws):
    plan = ws / "plan" / "2024.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("    meta: 30\n", "    meta: -3\n"), encoding="utf-8")
    result = pec("plan", "check")
    refused(result, "tiene 2 errores")
    assert "actividades[noti].meta: debe ser mayor que 0" in result.stderr
    assert "actividades[capsulas].meta" in result.stderr


def test_formula_with_unknown_variable_through_the_cli(pec, ws):
    plan = ws / "plan" / "2024.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("formula: (fin - inicio) / meta * 100", "formula: (final - inicio) / meta * 100"), encoding="utf-8")
    result = pec("status")
    refused(result, "tiene 1 error")
    assert "«final»" in result.stderr and "«seguidores»" in result.stderr and "plan/2024.yaml:" in result.stderr


def test_usage_errors_are_spanish_with_status_2(pec):
    refused(pec("status", "--formato", "json"), "La opción --formato no existe", code=2)
    refused(pec("log"), "Falta", code=2)
    refused(pec("estado"), "El comando «estado» no existe", code=2)
    refused(pec("status", "--format", "xml"), "El formato «xml» no existe", code=2)
    refused(pec("status", "--vigencia", "dos mil"), "no es un año", code=2)


def test_unknown_vigencia(pec):
    refused(pec("status", "--vigencia", "2030"), "No hay plan para la vigencia 2030")


def test_every_command_has_help_and_is_in_the_readme(pec):
    from pec_cli.cli.base import app, plan_app

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    commands += [f"plan {c.name}" for c in plan_app.registered_commands]
    for name in commands:
        result = pec(*name.split(), "--help")
        assert result.exit_code == 0 and "Uso: " in result.stdout and "Opciones:" in result.stdout, name
        assert "Usage" not in result.stdout and "Show this message" not in result.stdout
        assert f"pec {name}" in readme, f"`pec {name}` is not in the README"


def _shell(lines: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run the README's ``$`` lines in bash, as a person types them (stopping at the first that fails)."""
    result = subprocess.run(["bash", "-ec", "\n".join(lines)], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, (lines, result.stdout, result.stderr)
    return result.stdout


@pytest.mark.skipif(os.name == "nt" or any(__import__("shutil").which(t) is None for t in ("git", "bash")),
                    reason="runs the README's shell lines with git and bash")
def test_the_readme_way_of_sharing_a_workspace_runs_as_written(tmp_path):
    """Trial item 2: the README's «Compartir el espacio entre varias personas», run as written by two
    people: a bare remote, a clone, a day's work on each side merged with no conflict and nothing asked;
    the evidence and the plan copy of a closure are shared too."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Compartir el espacio entre varias personas\n", 1)[1].split("\n## ", 1)[0]
    create, join, daily = ([line[2:] for line in block.splitlines() if line.startswith("$ ")]
                           for block in section.split("```")[1::2])
    shared = tmp_path / "srv"
    home = tmp_path / "home"
    (home / "Documentos").mkdir(parents=True)
    (home / "Documentos" / "revista-3.pdf").write_bytes(b"%PDF-1.4 revista 3\n")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
           "HOME": str(home), "PEC_HOY": "2024-07-01", "GIT_AUTHOR_NAME": "Prensa", "GIT_AUTHOR_EMAIL": "p@x.co",
           "GIT_COMMITTER_NAME": "Prensa", "GIT_COMMITTER_EMAIL": "p@x.co"}
    env.pop("PEC_NOMBRE", None)
    env.pop("PEC_ROOT", None)

    def here(lines: list[str]) -> list[str]:
        return [line.replace("/srv/compartida", str(shared)) for line in lines]

    shared.mkdir()
    (tmp_path / "ana").mkdir()
    (tmp_path / "luis").mkdir()
    _shell(here(create), tmp_path / "ana", env)
    _shell(here(join), tmp_path / "luis", env)
    ana, luis = tmp_path / "ana" / "prensa", tmp_path / "luis" / "prensa"
    _shell(here(daily), luis, env)  # Luis shares a revista with its evidence
    _shell(["pec log noti --titulo 'Noti 12' --fecha 2024-06-27", "pec cierre --trim I", "git add -A",
            "git commit -qm 'Noti 12; cierre del Trim. I'"], ana, env)  # Ana works meanwhile
    _shell(here([daily[0], "git push"]), ana, env)  # a merge with no conflict and no editor
    _shell(here([daily[0]]), luis, env)
    for clone in (ana, luis):
        assert _shell(["pec verify"], clone, env).startswith("Registro íntegro: 3 entradas en 2 archivo(s)")
        listed = json.loads(_shell(["pec list --format json"], clone, env))
        assert sorted(r["titulo"] for r in listed) == ["Noti 12", "Revista No. 3"]
        tracked = _shell(["git ls-files"], clone, env).split()
        assert any(t.startswith("evidencias/2024/") for t in tracked), tracked
        assert any(t.startswith("plan/versiones/2024-v1-") for t in tracked), tracked
        assert not [t for t in tracked if t.startswith(".pec/")]


def test_impossible_date_and_repeated_key_in_the_plan_are_located(pec, ws):
    plan = ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8").replace("    inicio: 2024-03-01\n", "    inicio: 2024-02-30\n", 1)
    plan.write_text(text.replace("formato: 1\n", "formato: 1\nformato: 1\n"), encoding="utf-8")
    result = pec("plan", "check")
    refused(result, "tiene 2 errores")
    assert "actividades[revista].inicio: debe ser una fecha" in result.stderr
    assert "la clave «formato» está repetida" in result.stderr


def test_accents_and_capitals_are_forgiven_in_ids(pec, status_json):
    assert pec("log", "Campañas", "--fecha", "2024-04-20", "--titulo", "Somos USPEC").exit_code == 0
    assert pec("log", "cápsulas", "--fecha", "2024-04-20", "--titulo", "Cápsula 1").exit_code == 0
    assert pec("log", "internas", "--tipo", "Solicitud", "--area", "TH", "--fecha", "2024-04-20").exit_code == 0
    doc = status_json("II")
    counts = {a["id"]: a["acumulado"]["por_tipo"] for a in doc["actividades"]}
    assert counts["campanas"] == {"publicacion": 1} and counts["capsulas"] == {"publicacion": 1}
    assert counts["internas"]["solicitud"] == 1


def test_unquoted_title_explains_the_quotes(pec):
    message = refused(pec("log", "revista", "--titulo", "Revista", "No.", "7"), "entre comillas", code=2)
    assert "«No. 7»" in message or "«No.»" in message


def test_default_date_is_explained_when_outside_the_window(pec):
    result = pec("log", "revista", "--titulo", "x", env={"PEC_HOY": "2026-11-26"})
    refused(result, "Sin --fecha se usa la de hoy (2026-11-26)")


def test_missing_fields_are_named_together(pec):
    refused(pec("log", "seguidores", "--fecha", "2024-03-15"), "Faltan la red (--red) y el valor medido (--valor)")


def test_status_board_shows_notes_networks_and_months(pec):
    pec("log", "seguidores", "--fecha", "2024-03-01", "--red", "instagram", "--valor", "1000")
    pec("log", "seguidores", "--fecha", "2024-06-01", "--red", "instagram", "--valor", "1350")
    pec("log", "externas", "--fecha", "2024-04-03", "--titulo", "Boletín")
    pec("note", "revista", "--trim", "II", "Retraso por contratación.")
    board = pec("status", "--trim", "II").stdout
    assert "instagram 100,0 %" in board and "twitter sin medición" in board  # 350 of 350 programmed
    assert "mar 0, abr 1, may 0, jun 0" in board
    assert "Observaciones del Trim. II" in board and "revista: Retraso por contratación." in board


def test_prompts_ask_again_after_a_wrong_answer(pec, monkeypatch, ws):
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    # the first answer takes the default tipo (medicion; seguidores also measures interaccion)
    result = pec("log", "seguidores", "--fecha", "2024-03-02", input="\ninsta\ninstagram\nmil\n1.250\n")
    assert result.exit_code == 0, result.output
    assert "La red «insta» no está" in result.stderr
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    record = json.loads(segment.read_text())
    assert (record["red"], record["valor"]) == ("instagram", 1250)


def test_prompt_for_the_date_when_today_is_outside_the_window(pec, monkeypatch, ws):
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    result = pec("log", "revista", "--titulo", "x", input="2024-13-01\n2024-04-01\n", env={"PEC_HOY": "2026-11-26"})
    assert result.exit_code == 0, result.output
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    assert json.loads(segment.read_text())["fecha"] == "2024-04-01"


def test_list_observaciones_and_refused_filters(pec):
    note_id = pec("note", "revista", "--trim", "II", "Retraso.").stdout.strip()
    pec("note", "noti", "--trim", "I", "Sin presentador.")
    notes = json.loads(pec("list", "--observaciones", "--format", "json").stdout)
    assert [(n["id"], n["trimestre"], n["texto"]) for n in notes][1] == (note_id, "II", "Retraso.")
    assert len(json.loads(pec("list", "--observaciones", "--trim", "II", "--format", "json").stdout)) == 1
    table = pec("list", "--observaciones")
    assert "Sin presentador." in table.stdout and "2 observaciones." in table.stdout
    refused(pec("list", "--tipo", "foo"), "El tipo «foo» no existe")
    refused(pec("list", "--desde", "2024-05-01", "--hasta", "2024-04-01"), "posterior a --hasta")


def test_void_says_on_stderr_what_it_voided_and_prints_only_the_id(pec):
    """Trial item 4: «pec void» printed the new id alone; now one line on stderr names the entry voided,
    its activity, tipo and date (a measurement by its network and value, an observación by its quarter)."""
    piece = pec("log", "revista", "--fecha", "2024-04-02", "--titulo", "Revista No. 2").stdout.strip()
    measured = pec("log", "seguidores", "--fecha", "2024-04-03", "--red", "instagram", "--valor", "10250").stdout.strip()
    note = pec("note", "revista", "--trim", "II", "Se aplazó.").stdout.strip()
    for target, said in ((piece, "revista, publicacion, 2024-04-02: «Revista No. 2»"),
                         (measured, "seguidores, medicion, 2024-04-03: instagram 10250"),
                         (note, "observación de revista del Trim. II: «Se aplazó.»")):
        voided = pec("void", target, "--motivo", "registrada por error")
        assert voided.exit_code == 0, voided.output
        assert re.fullmatch(r"2024-[a-z0-9]+-\d+\n", voided.stdout), voided.stdout  # the id alone, for scripts
        assert voided.stderr == f"Anulada {target} ({said}); motivo: registrada por error.\n", voided.stderr


def test_list_shows_why_an_entry_was_voided(pec):
    entry = pec("log", "revista", "--fecha", "2024-04-02", "--titulo", "A").stdout.strip()
    pec("void", entry, "--motivo", "duplicada")
    table = pec("list", "--anuladas")
    assert "[anulada: duplicada]" in table.stdout


def test_void_asks_for_the_reason_on_a_terminal_and_refuses_without_one_off_it(pec, monkeypatch):
    entry = pec("log", "revista", "--fecha", "2024-04-02", "--titulo", "A").stdout.strip()
    refused(pec("void", entry), "Falta el motivo")
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    voided = pec("void", entry, input="publicada dos veces\n")
    assert voided.exit_code == 0, voided.output
    listing = json.loads(pec("list", "--anuladas", "--format", "json").stdout)
    assert listing[0]["estado"] == "anulada"


def test_note_asks_for_its_text_on_a_terminal_and_refuses_without_one_off_it(pec, monkeypatch, status_json):
    refused(pec("note", "revista", "--trim", "II"), "La observación está vacía")
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    assert pec("note", "revista", "--trim", "II", input="Aplazada.\n").exit_code == 0
    rev = next(a for a in status_json("II")["actividades"] if a["id"] == "revista")
    assert rev["observaciones"] == {"II": ["Aplazada."]}


def test_a_quarter_that_has_not_started_is_flagged_on_stderr(pec):
    result = pec("status", "--trim", "IV", "--format", "json")  # today is 2024-07-15
    assert result.exit_code == 0 and json.loads(result.stdout)["corte"] == "2024-12-31"
    assert "el Trim. IV y los siguientes aún no han empezado" in result.stderr
    assert "aún no han empezado" not in pec("status", "--trim", "III").stderr


def test_yaml_and_formula_errors_carry_no_english(pec, ws):
    plan = ws / "plan" / "2024.yaml"
    original = plan.read_text(encoding="utf-8")
    plan.write_text(original.replace("    nombre: Revista Gestión USPEC\n", "    nombre: Revista: Gestión USPEC\n", 1), encoding="utf-8")
    message = refused(pec("plan", "check"), "ponga el texto entre comillas")
    assert "mapping" not in message
    plan.write_text(original.replace("formula: publicacion / meta * 100\n", "formula: publicacion / meta * 100 +\n", 1), encoding="utf-8")
    result = pec("plan", "check")
    refused(result, "tiene 1 error")
    assert "invalid syntax" not in result.stderr and "«revista», «noti», «capsulas»" in result.stderr


def test_exports_flag_a_quarter_that_has_not_started_too(pec, ws):
    result = pec("export", "csv", "--trim", "IV", "-o", str(ws / "t.csv"))
    assert result.exit_code == 0 and "el Trim. IV y los siguientes aún no han empezado" in result.stderr


def test_what_a_review_found(pec, ws):
    """Options that were validated and then ignored, an empty date taken as today, a reversed range
    accepted under --trim, and a limit said in wrong Spanish: each refused, in Spanish."""
    refused(pec("list", "--observaciones", "--tipo", "publicacion"), "quite --tipo, --desde y --hasta", code=2)
    refused(pec("list", "--observaciones", "--desde", "2024-01-01"), "Las observaciones se filtran", code=2)
    refused(pec("list", "--trim", "III", "--desde", "2024-08-01", "--hasta", "2024-07-01"), "inviértalas")
    refused(pec("list", "--desde", ""), "no es válida")
    refused(pec("pendientes", "--fecha", ""), "no es válida")
    long_url = "https://www.uspec.gov.co/" + "x" * 2100
    refused(pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A", "--url", long_url),
            "La URL supera el límite de 2000 caracteres")


def test_the_four_year_json_stays_exact_on_an_ascii_console(ws, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PEC_HOY": "2024-07-15", "PEC_ROOT": str(ws), "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, "-m", "pec_cli", "status", "--cuatrienio", "--format", "json"],
                          capture_output=True, env=env, check=True)
    doc = json.loads(done.stdout.decode("ascii"))
    assert doc["lineas"][0]["nombre"] == "Revista Gestión USPEC"  # escaped as \u00f3, never degraded


def test_a_missing_option_value_points_to_the_commands_own_help(pec):
    refused(pec("log", "revista", "--fecha"), "vea «pec log --help»", code=2)
    # a value left out in the middle: click takes «--titulo» for the date and «Revista X» is left over
    err = refused(pec("log", "revista", "--fecha", "--titulo", "Revista X"), "La opción --fecha necesita un valor", code=2)
    assert "Sobra" not in err
    refused(pec("log", "revista", "--titulo", "Revista", "X"), "Sobra «X»", code=2)  # a title not quoted: as before
    # the same with a required option after it: «--rol» took «--nombre», and --nombre seemed missing
    refused(pec("aprobar", "--trim", "II", "--rol", "--nombre", "x", "--cargo", "y"), "La opción --rol necesita un valor",
            code=2)
    # a missing argument says what it takes (a new-user trial met «Falta el valor de FORMATO» alone)
    refused(pec("export"), "Falta el valor de FORMATO: csv, xlsx, markdown, json, html, pdf o paquete", code=2)
    refused(pec("void", "--motivo", "x"), "Falta el valor de ID: id de la entrada que se anula; vea",
            code=2)
    refused(pec("list", "--anuladas=si"), "vea «pec list --help»", code=2)
    refused(pec("plan", "check", "--vigencia"), "vea «pec plan check --help»", code=2)


def test_plan_nueva_and_a_negative_count_say_it_plainly(pec):
    refused(pec("plan", "nueva", "abc"), "por ejemplo pec plan nueva 2025", code=2)
    refused(pec("log", "seguidores", "--red", "instagram", "--valor", "-3", "--fecha", "2024-03-01"),
            "entre 0 y 1.000.000.000.000.000")


NAMES = ["init", "log", "import", "note", "void", "list", "status", "pendientes", "export", "verify", "plan"]


def _main(args: list[str], ws) -> subprocess.CompletedProcess[str]:
    """``pec ARGS`` through the installed entry point's ``main`` (the CliRunner tests skip it)."""
    code = f"import sys; sys.argv = ['pec', *{args!r}]\nfrom pec_cli.cli import main\nmain()\n"
    env = {**os.environ, "PEC_HOY": "2024-07-15", "PEC_ROOT": str(ws), "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_main_runs_the_named_command_and_help_still_lists_every_command(ws, tmp_path):
    listed = _main(["--help"], ws)
    assert listed.returncode == 0, listed.stderr
    assert all(f"  {name} " in listed.stdout for name in NAMES), listed.stdout
    assert _main(["log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1"], ws).returncode == 0
    shown = _main(["status", "--format", "json"], ws)
    assert shown.returncode == 0, shown.stderr
    assert '"realizadas": 1' in shown.stdout
    typo = _main(["statu"], ws)
    assert typo.returncode == 2 and "status" in typo.stderr and "Traceback" not in typo.stderr


def test_init_can_start_the_shared_repository(tmp_path):
    """Issue 21 item 11: «pec init --git» gives a repository whose ledger merges as a union, ready to share."""
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {"GIT_AUTHOR_NAME": "Ana", "GIT_AUTHOR_EMAIL": "a@x.co", "GIT_COMMITTER_NAME": "Ana",
           "GIT_COMMITTER_EMAIL": "a@x.co", "GIT_CONFIG_GLOBAL": "/dev/null"}
    result = pec_at(None, "init", str(tmp_path / "prensa"), "--git", env=env)
    assert result.exit_code == 0 and "repositorio git y un primer commit" in result.stdout, result.output
    git = ["git", "-C", str(tmp_path / "prensa")]
    assert subprocess.run([*git, "ls-files"], capture_output=True, text=True).stdout.split() == [
        ".gitattributes", ".gitignore", "ledger/.gitkeep", "plan/2024.yaml"]
    merge = subprocess.run([*git, "check-attr", "merge", "ledger/2024/abcde.jsonl"], capture_output=True, text=True)
    assert merge.stdout.strip().endswith("merge: union")
    inner = pec_at(None, "init", str(tmp_path / "prensa" / "otro"), "--git", env=env)  # inside a repository
    assert inner.exit_code == 0 and "ya existía" in inner.stdout
    assert subprocess.run([*git, "log", "--oneline"], capture_output=True, text=True).stdout.count("\n") == 1


def test_the_readme_opens_with_the_commands_ci_runs():
    """The README's two first commands (install, test) are the ones .ci/run runs on a fresh machine."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```", 2)[1].strip().splitlines()
    assert len(block) == 2 and "venv" in block[0] and block[1].endswith("pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert block[0] in ci and block[1] in ci
