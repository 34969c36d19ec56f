"""Who registered each entry (issue 23 item 2, SPEC §4): the record field ``por``, where its name
comes from, and where it is shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pec_cli.errors import PecError
from pec_cli.ledger import store
from pec_cli.ledger.entries import entry_of, parse
from pec_cli.workspace import Workspace

PIECE = {"clase": "pieza", "actividad": "revista", "tipo": "publicacion", "fecha": "2024-04-10",
         "registrado": "2024-04-10T09:00:00-05:00", "titulo": "Revista 1"}


def lines(ws: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((ws / "ledger").rglob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- the record rule


def test_every_line_append_writes_says_who_and_reads_back(ws):
    (piece,) = store.append(Workspace(ws), 2024, [PIECE], por="Ana Pérez")
    store.append(Workspace(ws), 2024, [{**PIECE, "titulo": "Revista 2"}], batch=True, on_commit=lambda ids: None,
                 por="Luis Gómez")
    written = lines(ws)
    assert [r.get("por") for r in written] == ["Ana Pérez", "Luis Gómez", "Luis Gómez"]  # the import's commit line too
    entry = entry_of(parse(json.dumps(written[0]).encode()))  # type: ignore[arg-type]
    assert entry.id == piece and entry.get("por") == "Ana Pérez"


def test_an_old_entry_without_por_stays_valid(ws):
    store.append(Workspace(ws), 2024, [PIECE])
    (record,) = lines(ws)
    assert "por" not in record and entry_of(parse(json.dumps(record).encode())).get("por") is None  # type: ignore[arg-type]


@pytest.mark.parametrize("por", ["Ana\u202eepm", "Ana\x1b[31m", "Ana\nPérez", "x" * 101, 7])
def test_the_record_rule_refuses_a_bad_name(ws, por):
    good = {"v": 1, "id": "2024-abc-1", "n": 1, "prev": "0" * 16, **PIECE}
    assert isinstance(parse(json.dumps({**good, "por": por}).encode()), str)  # readers skip it
    with pytest.raises(PecError, match="ningún lector lo aceptaría"):
        store.append(Workspace(ws), 2024, [PIECE], por=por)  # type: ignore[arg-type]
    assert lines(ws) == []


# ---------------------------------------------------------------- where the name comes from, through the CLI

LOG = ("log", "revista", "--fecha", "2024-04-02", "--titulo")


def logged_by(pec, title: str, env: dict | None = None, input: str | None = None) -> str | None:
    """Log a revista titled ``title``; who its line says registered it."""
    result = pec(*LOG, title, env=env, input=input)
    assert result.exit_code == 0, result.output
    return next(r for r in lines(Path.cwd()) if r.get("titulo") == title).get("por")


def git_config(tmp_path: Path, monkeypatch, name: str) -> None:
    """A global git configuration giving ``user.name``, as a person's machine has."""
    config = tmp_path / "gitconfig"
    config.write_text(f"[user]\n\tname = {name}\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))


def test_the_name_comes_from_pec_nombre_then_init_then_git_then_nobody(pec, ws, tmp_path, monkeypatch):
    monkeypatch.delenv("PEC_NOMBRE")
    assert logged_by(pec, "nadie") is None  # nothing says who: no field, read as «sin nombre»
    git_config(tmp_path, monkeypatch, "Luis Git")
    assert logged_by(pec, "git") == "Luis Git"
    done = pec("init", str(ws), "--nombre", "  Ana Init ")  # a clone that exists: only the name is kept
    assert done.exit_code == 0 and "Ana Init" in done.stdout, done.output
    assert (ws / ".pec" / "nombre").read_text(encoding="utf-8") == "Ana Init\n"
    assert logged_by(pec, "init") == "Ana Init"  # the clone's own name before git's
    assert logged_by(pec, "env", env={"PEC_NOMBRE": "Carla Script"}) == "Carla Script"  # and PEC_NOMBRE before all


def test_init_nombre_keeps_the_name_in_the_new_clone_never_committed(tmp_path, monkeypatch):
    from .conftest import pec_at

    made = pec_at(None, "init", str(tmp_path / "prensa"), "--nombre", "Ana Pérez")
    assert made.exit_code == 0, made.output
    assert (tmp_path / "prensa" / ".pec" / "nombre").read_text(encoding="utf-8") == "Ana Pérez\n"
    assert ".pec/" in (tmp_path / "prensa" / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert pec_at(tmp_path / "prensa", "note", "revista", "--trim", "II", "Aplazada.").exit_code == 0
    assert [r["por"] for r in lines(tmp_path / "prensa")] == ["Ana Pérez"]


def test_on_a_terminal_the_first_write_asks_the_name_once(pec, ws, tmp_path, monkeypatch):
    monkeypatch.delenv("PEC_NOMBRE")
    git_config(tmp_path, monkeypatch, "Luis Git")
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    asked = pec(*LOG, "primera", input="Ana\x1b[2J\nAna Pérez\n")  # a control character is asked again
    assert asked.exit_code == 0, asked.output
    assert "Su nombre [Luis Git]" in asked.stderr and "caracteres de control" in asked.stderr
    assert (ws / ".pec" / "nombre").read_text(encoding="utf-8") == "Ana Pérez\n"
    assert logged_by(pec, "segunda", input="") == "Ana Pérez"  # kept: not asked again
    (ws / ".pec" / "nombre").unlink()
    assert logged_by(pec, "tercera", input="\n") == "Luis Git"  # Enter takes git's name, then kept
    assert (ws / ".pec" / "nombre").read_text(encoding="utf-8") == "Luis Git\n"


def test_off_a_terminal_nothing_is_asked_and_nothing_kept(pec, ws, monkeypatch):
    monkeypatch.delenv("PEC_NOMBRE")
    assert logged_by(pec, "sin terminal") is None
    assert not (ws / ".pec" / "nombre").exists()


@pytest.mark.parametrize("bad", ["Ana\u202eZerep", "Ana\x1b]8;;http://x\x1b\\", "Ana\nPérez", "x" * 101])
def test_a_bad_pec_nombre_is_refused_in_one_sentence(pec, ws, bad):
    result = pec(*LOG, "x", env={"PEC_NOMBRE": bad})
    assert result.exit_code == 1 and result.stdout == ""
    (message,) = result.stderr.splitlines()
    assert message.startswith("Error: El nombre de quien registra (PEC_NOMBRE) ")
    assert "\u202e" not in message and "\x1b" not in message  # shown escaped, never obeyed
    assert lines(ws) == []


def test_a_bad_name_anywhere_is_refused_before_anything_is_written(pec, ws, tmp_path, monkeypatch):
    refused = pec("init", str(tmp_path / "otra"), "--nombre", "Ana\u200fPérez")
    assert refused.exit_code == 1 and "(--nombre)" in refused.stderr and not (tmp_path / "otra").exists()
    monkeypatch.delenv("PEC_NOMBRE")
    (ws / ".pec").mkdir(exist_ok=True)
    (ws / ".pec" / "nombre").write_text("Ana\x07\n", encoding="utf-8")
    edited = pec(*LOG, "x")
    assert edited.exit_code == 1 and "(.pec/nombre)" in edited.stderr and lines(ws) == []


def test_every_writing_command_records_who(pec, ws, tmp_path):
    piece = pec(*LOG, "pieza").stdout.strip()
    assert pec("note", "revista", "--trim", "II", "Nota.", env={"PEC_NOMBRE": "Beto"}).exit_code == 0
    assert pec("void", piece, "--motivo", "repetida", env={"PEC_NOMBRE": "Carla"}).exit_code == 0
    csv = tmp_path / "piezas.csv"
    csv.write_text("actividad;fecha;titulo\nexternas;2024-04-03;Boletín\n", encoding="utf-8")
    assert pec("import", str(csv), env={"PEC_NOMBRE": "Dora"}).exit_code == 0
    assert [(r["clase"], r.get("por")) for r in lines(ws)] == [
        ("pieza", "Ana Prueba"), ("observacion", "Beto"), ("anulacion", "Carla"), ("pieza", "Dora"), ("lote", "Dora")]


def test_git_that_is_missing_or_fails_is_no_error(pec, ws, monkeypatch):
    from pec_cli.cli.registrant import git_name

    monkeypatch.delenv("PEC_NOMBRE")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(ws / "no-existe" / "config"))  # git says nothing: exit 1
    assert git_name(ws) is None and logged_by(pec, "git calla") is None
    monkeypatch.setenv("PATH", str(ws))  # no git on PATH at all
    assert logged_by(pec, "sin git") is None


# ---------------------------------------------------------------- where it is shown


def test_list_and_every_detail_export_show_who_registered_and_sin_nombre_for_old_entries(pec, tmp_path):
    from openpyxl import load_workbook

    old = pec(*LOG, "antigua", env={"PEC_NOMBRE": None}).stdout.strip()  # as before pec recorded names
    new = pec(*LOG, "nueva").stdout.strip()
    table = " ".join(pec("list").stdout.split())
    assert "antigua (registró: sin nombre)" in table and "nueva (registró: Ana Prueba)" in table
    listed = json.loads(pec("list", "--format", "json").stdout)
    assert [(e["id"], e["registrado_por"]) for e in listed] == [(old, "sin nombre"), (new, "Ana Prueba")]
    head, *rows = pec("list", "--format", "csv").stdout.lstrip("\ufeff").splitlines()
    at = head.split(";").index("registrado_por")
    assert head.split(";")[at - 1] == "registrado" and [r.split(";")[at] for r in rows] == ["sin nombre", "Ana Prueba"]

    def detail(fmt: str) -> Path:
        out = tmp_path / f"detalle.{fmt}"
        assert pec("export", fmt, "--detalle", "-o", str(out)).exit_code == 0
        return out

    assert "registrado_por" in detail("csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "registrado_por" in detail("markdown").read_text(encoding="utf-8").splitlines()[0]
    assert [e["registrado_por"] for e in json.loads(detail("json").read_text(encoding="utf-8"))] == [
        "sin nombre", "Ana Prueba"]
    sheet = load_workbook(detail("xlsx"))["Detalle"]
    head_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Id")
    column = head_row.index("Registrado por")
    assert [r[column] for r in sheet.iter_rows(values_only=True) if r[0] in (old, new)] == ["sin nombre", "Ana Prueba"]
    html = detail("html").read_text(encoding="utf-8")
    assert "<th>Registrado por</th>" in html and "<td>sin nombre</td>" in html and "<td>Ana Prueba</td>" in html
