"""The ledger's guarantees (SPEC §4), each proved by a test that would fail without it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pec_cli.errors import PecError
from pec_cli.ledger import store as ledger
from pec_cli.ledger.verify import verify_workspace
from pec_cli.workspace import Workspace, init_workspace

from . import portable
from .conftest import TODAY

WRITER_SCRIPT = """
import sys
from pec_cli.cli import app
from pec_cli.ledger import lock
n, tag = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    app(["log", "noti", "--fecha", "2024-05-02", "--titulo", f"{tag}-{i}"], standalone_mode=False)
sys.stderr.write(f"lock={lock.current().name}")
"""


def segment_lines(ws: Path) -> list[dict]:
    out = []
    for path in sorted((ws / "ledger").rglob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in out if r.get("clase") != "lote"]  # entries, not the commit lines of imports


def env_for(ws: Path) -> dict[str, str]:
    return {**os.environ, "PEC_ROOT": str(ws), "PEC_HOY": TODAY}


@pytest.mark.parametrize("locker", portable.LOCKERS)
def test_concurrent_writers_all_land_whole(ws, locker):
    """8 processes x 12 `pec log` at the same moment, through the CLI entry point, under each lock."""
    _concurrent_writers(ws, locker, per_writer=12)


@pytest.mark.slow
@pytest.mark.parametrize("locker", portable.LOCKERS)
def test_concurrent_writers_50_each_all_land_whole(ws, locker):
    """8 processes x 50 `pec log` at the same moment, through the CLI entry point, under each lock."""
    _concurrent_writers(ws, locker, per_writer=50)


def _concurrent_writers(ws: Path, locker: str, per_writer: int) -> None:
    portable.require(locker)
    writers = 8
    procs = [
        subprocess.Popen([sys.executable, "-c", portable.prelude(locker) + WRITER_SCRIPT, str(per_writer), f"w{k}"], env=env_for(ws),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k in range(writers)
    ]
    printed = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert err.endswith(f"lock={locker}"), err  # the implementation under test did the locking
        printed += out.split()
    records = segment_lines(ws)
    titles = sorted(r["titulo"] for r in records)
    expected = sorted(f"w{k}-{i}" for k in range(writers) for i in range(per_writer))
    lost = len(set(expected) - set(titles))
    print(f"\nconcurrency ({locker} lock): {writers} writers x {per_writer} entries, {len(records)} landed, {lost} lost")
    assert titles == expected  # every entry present exactly once
    assert sorted(printed) == sorted(r["id"] for r in records)  # every printed id is in the ledger
    problems, _ = verify_workspace(Workspace(ws))
    assert problems == []


def _child_writer(root: Path, ack_fd: int) -> None:
    """Append forever, acknowledging each id once its append returned."""
    os.environ["PEC_HOY"] = TODAY
    ws = Workspace(root)
    i = 0
    while True:
        record = {"clase": "pieza", "actividad": "noti", "tipo": "publicacion", "fecha": "2024-05-02",
                  "registrado": "2024-05-02T10:00:00-05:00", "titulo": f"k-{os.getpid()}-{i}" + "x" * random.randint(0, 3000)}
        (entry_id,) = ledger.append(ws, 2024, [record])
        os.write(ack_fd, (entry_id + "\n").encode())
        i += 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("locker", portable.LOCKERS)
def test_kill_minus_nine_never_loses_an_acknowledged_entry(ws, locker, monkeypatch):
    """>= 200 writers killed at random instants, under each lock; every acknowledged entry survives intact."""
    portable.require(locker)
    portable.use_in_process(locker, monkeypatch)
    kills = 200
    rng = random.Random(20240630)
    acknowledged: list[str] = []
    for _ in range(kills):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(read_fd)
            try:
                _child_writer(ws, write_fd)
            finally:
                os._exit(0)
        os.close(write_fd)
        time.sleep(rng.uniform(0, 0.02))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(read_fd, "rb") as pipe:
            acknowledged += [line for line in pipe.read().decode().split("\n") if line]
    ids = [r["id"] for r in segment_lines_tolerant(ws)]
    missing = set(acknowledged) - set(ids)
    problems, _ = verify_workspace(Workspace(ws))
    damaged = [p for p in problems if "dañada" not in p.message and not p.info]  # debris a kill -9 left is info
    print(f"\ncrashes ({locker} lock): {kills} kills, {len(acknowledged)} acknowledged, {len(missing)} lost, "
          f"{len(damaged)} damaged, {len(problems) - len(damaged)} torn lines reported")
    assert len(acknowledged) > 0
    assert missing == set()
    assert len(ids) == len(set(ids))
    assert damaged == []  # the chain of every intact entry holds
    # and the next writer still appends cleanly on a line of its own
    (new_id,) = ledger.append(Workspace(ws), 2024, [{"clase": "pieza", "actividad": "noti", "tipo": "publicacion",
                                                    "fecha": "2024-05-03", "registrado": "x", "titulo": "after"}])
    assert segment_lines_tolerant(ws)[-1]["id"] == new_id


def segment_lines_tolerant(ws: Path) -> list[dict]:
    out = []
    for path in sorted((ws / "ledger").rglob("*.jsonl")):
        for line in path.read_bytes().split(b"\n"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def test_torn_last_line_is_warned_reported_and_written_past(pec, ws):
    pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A")
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    full = segment.read_bytes()
    with segment.open("ab") as handle:
        handle.write(full[: len(full) // 2])  # a write cut short by a crash
    name = segment.relative_to(ws)
    listing = pec("list", "--format", "json")
    assert listing.exit_code == 0 and f"{name}:2:" in listing.stderr
    bad = pec("verify")
    assert bad.exit_code == 1 and f"{name}:2: línea dañada o incompleta" in bad.stdout
    assert pec("log", "revista", "--fecha", "2024-03-16", "--titulo", "B").exit_code == 0
    lines = segment.read_bytes().split(b"\n")
    assert json.loads(lines[2])["titulo"] == "B" and json.loads(lines[2])["n"] == 2
    assert len(json.loads(pec("list", "--format", "json").stdout)) == 2


# ---------------------------------------------------------------- tampering


def _three(pec, ws) -> Path:
    for title in ("A", "B", "C"):
        pec("log", "revista", "--fecha", "2024-03-15", "--titulo", title)
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    return segment


def _tampered(pec, ws, change) -> tuple[str, str, list[str]]:
    """Three entries, the segment's lines rewritten by ``change``: (segment name, verify's output, old lines)."""
    segment = _three(pec, ws)
    lines = segment.read_text(encoding="utf-8").splitlines()
    segment.write_text("\n".join(change(list(lines))) + "\n", encoding="utf-8")
    result = pec("verify")
    assert result.exit_code == 1
    return str(segment.relative_to(ws)), result.stdout, lines


def test_edit_in_place_is_detected_and_named(pec, ws):
    def edit(lines):
        lines[0] = lines[0].replace('"2024-03-15"', '"2024-03-14"')
        return lines

    name, out, lines = _tampered(pec, ws, edit)
    first_id = json.loads(lines[0])["id"]
    assert f"{name}:1: la entrada {first_id} fue modificada" in out


def test_deleted_entry_is_detected_and_named(pec, ws):
    name, out, _ = _tampered(pec, ws, lambda lines: [lines[0], lines[2]])
    assert f"{name}:2: faltan entradas antes de esta (n=2)" in out


def test_reordered_or_duplicated_line_is_detected(pec, ws):
    _, out, _ = _tampered(pec, ws, lambda lines: [lines[0], lines[1], lines[1], lines[2]])
    assert "fuera de orden" in out and "repetido" in out


def test_moved_entry_is_detected(pec, ws):
    segment = _three(pec, ws)
    moved = ws / "ledger" / "2024" / "zzzzz.jsonl"
    lines = segment.read_text(encoding="utf-8").splitlines()
    moved.write_text(lines[0] + "\n", encoding="utf-8")
    result = pec("verify")
    assert result.exit_code == 1 and "no corresponde a este archivo" in result.stdout


def test_verify_checks_voids(pec, ws):
    entry = pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A").stdout.strip()
    ws_obj = Workspace(ws)
    bogus = {"clase": "anulacion", "actividad": "revista", "anula": "2024-nadie-9", "registrado": "x", "motivo": "m"}
    again = {"clase": "anulacion", "actividad": "revista", "anula": entry, "registrado": "x", "motivo": "m"}
    ledger.append(ws_obj, 2024, [bogus, again, again])
    result = pec("verify")
    assert "que no existe" in result.stdout and "anula otra vez" in result.stdout


# ---------------------------------------------------------------- git


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}).stdout


def pec_in(ws: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pec_cli", *args], env=env_for(ws), capture_output=True, text=True)


def test_two_clones_log_commit_and_merge_without_conflict(tmp_path):
    origin = init_workspace(tmp_path / "origen")
    git(origin, "init", "-q", "-b", "main")
    assert pec_in(origin, "log", "revista", "--fecha", "2024-03-15", "--titulo", "base").returncode == 0
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "base")
    ana, luis = tmp_path / "ana", tmp_path / "luis"
    git(tmp_path, "clone", "-q", str(origin), str(ana))
    git(tmp_path, "clone", "-q", str(origin), str(luis))
    for clone, name in ((ana, "ana"), (luis, "luis")):
        for i in range(3):
            result = pec_in(clone, "log", "revista", "--fecha", f"2024-04-0{i + 1}", "--titulo", f"{name}-{i}")
            assert result.returncode == 0, result.stderr
        git(clone, "add", "-A")
        git(clone, "commit", "-qm", name)
    git(luis, "push", "-q", "origin", "HEAD:refs/heads/luis")
    git(ana, "fetch", "-q", "origin", "luis")
    git(ana, "merge", "-q", "--no-edit", "FETCH_HEAD")  # raises on a conflict
    status = json.loads(pec_in(ana, "status", "--trim", "II", "--format", "json").stdout)
    revista = next(a for a in status["actividades"] if a["id"] == "revista")
    assert revista["acumulado"]["realizadas"] == 7  # base + 3 + 3
    verify = pec_in(ana, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "7 entradas" in verify.stdout
    assert not (ana / ".pec").exists() or ".pec" not in git(ana, "ls-files")


# ---------------------------------------------------------------- import


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_import_excel_spanish_csv_and_twice(pec, ws, tmp_path, status_json):
    source = write_csv(tmp_path / "piezas.csv",
                       "\ufeffactividad;fecha;título;tipo;area;red;valor\r\n"
                       "revista;15/03/2024;Ed. marzo;;;;\r\n"
                       "internas;2024-02-01;;solicitud;Talento Humano;;\r\n"
                       "internas;2024-02-01;;solicitud;Talento Humano;;\r\n"
                       "seguidores;2024-03-01;;;;instagram;1.520\r\n")
    first = pec("import", str(source))
    assert first.exit_code == 0, first.output
    assert "Importadas 4 entradas" in first.stdout
    doc = status_json("I")
    internas = next(a for a in doc["actividades"] if a["id"] == "internas")
    assert internas["trimestres"]["I"]["por_tipo"]["solicitud"] == 2  # identical rows are two entries
    seg = next(a for a in doc["actividades"] if a["id"] == "seguidores")
    assert seg["trimestres"]["I"]["series"]["instagram"]["fin"] == 1520
    before = ledger_snapshot(ws)
    second = pec("import", str(source))
    assert second.exit_code == 0 and "Importadas 0 entradas" in second.stdout and "4 filas ya estaban importadas y se omitieron" in second.stdout
    assert ledger_snapshot(ws) == before


def ledger_snapshot(ws: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in (ws / "ledger").rglob("*.jsonl")}


def test_import_comma_separated_without_bom(pec, tmp_path):
    source = write_csv(tmp_path / "p.csv", "actividad,fecha,titulo\nnoti,2024-05-02,\"Noti, edición 1\"\n")
    result = pec("import", str(source))
    assert result.exit_code == 0 and "Importadas 1 entrada de 1 fila." in result.stdout
    assert json.loads(pec("list", "--format", "json").stdout)[0]["titulo"] == "Noti, edición 1"


def test_import_windows_1252_is_read_with_a_warning(pec, tmp_path):
    source = write_csv(tmp_path / "p.csv", "actividad;fecha;titulo\nnoti;2024-05-02;Edición\n", "cp1252")
    result = pec("import", str(source))
    assert result.exit_code == 0 and "Windows-1252" in result.stderr
    assert json.loads(pec("list", "--format", "json").stdout)[0]["titulo"] == "Edición"


def test_import_is_all_or_nothing_with_every_error_located(pec, ws, tmp_path):
    pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "ya estaba")
    before = ledger_snapshot(ws)
    source = write_csv(tmp_path / "malo.csv",
                       "actividad;fecha;titulo;valor\n"
                       "revista;2024-03-15;bien;\n"
                       "revsta;2024-03-15;x;\n"
                       "revista;2024-02-30;x;\n"
                       "revista;2024-01-15;x;\n"
                       "seguidores;2024-03-15;;mil\n"
                       "revista;2024-03-16;;\n")
    result = pec("import", str(source))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "tiene 5 error(es) y no se registró ninguna fila" in result.stderr
    for fragment in ("fila 3, columna actividad", "fila 4, columna fecha", "fila 5, columna fecha",
                     "fila 6, columna valor", "fila 7, columna titulo"):
        assert fragment in result.stderr, fragment
    assert ledger_snapshot(ws) == before


def _row_errors(pec, tmp_path: Path, rows: str) -> list[str]:
    """Import ``rows`` under the header «actividad;fecha;titulo;red;valor»: refused, its lines naming a row."""
    result = pec("import", str(write_csv(tmp_path / "malo.csv", "actividad;fecha;titulo;red;valor\n" + rows)))
    assert result.exit_code == 1, result.output
    return [line for line in result.stderr.splitlines() if ": fila " in line]


def test_import_errors_speak_of_cells_and_come_in_the_files_order(pec, ws, tmp_path):
    """A CSV has no --fecha to correct: its cell is named; a follower count that jumps (found after
    every row is read) is listed among the other rows' problems in the file's order."""
    pec("log", "seguidores", "--fecha", "2024-03-01", "--red", "facebook", "--valor", "1000")
    lines = _row_errors(pec, tmp_path, "seguidores;2024-03-15;;facebook;9000\nrevista;2024-08-10;futura;;\n")
    assert [line.split(": fila ")[1].split(",")[0] for line in lines] == ["2", "3"], lines
    assert lines[0].endswith("(o importe con --confirmar).")
    assert "posterior a hoy" in lines[1] and lines[1].endswith("o corrija la celda.") and "--fecha" not in lines[1]


def test_import_errors_about_a_value_name_the_cell_not_an_option(pec, tmp_path):
    """A CSV has no --valor to write or to leave out: a value that is no number, or one in an activity that
    measures nothing, is said of its cell."""
    lines = _row_errors(pec, tmp_path, "seguidores;2024-03-15;;facebook;mil\nrevista;2024-03-16;Revista con valor;;5\n")
    assert len(lines) == 2 and "columna valor" in lines[0] and lines[0].endswith("por ejemplo 1520."), lines[0]
    assert "columna valor" in lines[1] and lines[1].endswith("no registra mediciones: deje la celda vacía."), lines[1]
    assert not any("--valor" in line for line in lines)
    logged = pec("log", "revista", "--fecha", "2024-03-16", "--titulo", "Otra", "--valor", "5")
    assert logged.exit_code != 0 and "quite --valor" in logged.stderr  # the command line keeps its option's name


def test_a_count_in_scientific_notation_is_refused_not_rounded(pec, tmp_path):
    """Excel saves a long count in a narrow column as 1.52E+04: read as a number it would be 15200, its last
    digits lost without a word. Neither the CSV nor --valor takes it."""
    lines = _row_errors(pec, tmp_path, "seguidores;2024-03-15;;facebook;1.52E+04\nseguidores;2024-03-15;;instagram;1,5e3\n"
                                       "seguidores;2024-03-15;;tiktok;diez\n")
    assert "notación científica" not in lines.pop() and len(lines) == 2 and all("columna valor" in line and "notación científica" in line for line in lines), lines
    logged = pec("log", "seguidores", "--fecha", "2024-03-15", "--red", "facebook", "--valor", "1.52e4")
    assert logged.exit_code == 1 and "notación científica" in logged.stderr
    assert json.loads(pec("list", "--format", "json").stdout) == []


def test_import_refuses_unknown_columns(pec, tmp_path):
    source = write_csv(tmp_path / "p.csv", "actividad;fecha;autor\nnoti;2024-05-02;yo\n")
    result = pec("import", str(source))
    assert result.exit_code == 1 and "La columna «autor»" in result.stderr


# ---------------------------------------------------------------- evidence


def test_evidence_is_copied_hashed_and_verified(pec, ws, tmp_path):
    evidence = tmp_path / "acta final.PDF"
    evidence.write_bytes(b"%PDF-1.4 acta")
    entry = pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A", "--evidencia", str(evidence))
    assert entry.exit_code == 0, entry.output
    record = segment_lines(ws)[0]
    stored = ws / record["evidencia"]["archivo"]
    assert stored.suffix == ".pdf" and stored.is_relative_to(ws / "evidencias" / "2024")
    assert pec("verify").exit_code == 0
    stored.write_bytes(b"%PDF-1.4 otra acta")
    changed = pec("verify")
    assert changed.exit_code == 1 and "cambió" in changed.stdout
    stored.unlink()
    missing = pec("verify")
    assert missing.exit_code == 1 and "falta el archivo de evidencia" in missing.stdout


def test_no_entry_field_writes_outside_the_workspace(pec, ws, tmp_path):
    evidence = tmp_path / "x.png"
    evidence.write_bytes(b"png")
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    result = pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "../../../../tmp/evil",
                 "--canal", "/etc/passwd", "--evidencia", str(evidence))
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before
    hostile = {"clase": "pieza", "actividad": "revista", "tipo": "publicacion", "fecha": "2024-03-15",
               "registrado": "x", "titulo": "t", "evidencia": {"archivo": "../../etc/passwd", "sha256": "0" * 64}}
    with pytest.raises(PecError, match="evidencia"):  # the writer refuses what no reader would accept
        ledger.append(Workspace(ws), 2024, [hostile])
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    last = json.loads(segment.read_bytes().splitlines()[-1])
    with segment.open("ab") as handle:  # by hand, chained, as a line brought by git pull could be
        handle.write(ledger.encode({"v": 1, "id": f"{last['id'].rsplit('-', 1)[0]}-{last['n'] + 1}",
                                    "n": last["n"] + 1, "prev": ledger.digest(segment.read_bytes().splitlines()[-1]),
                                    **hostile}) + b"\n")
    result = pec("verify")
    assert result.exit_code == 1 and "«evidencia» no válida" in result.stdout, result.stdout


def test_missing_evidence_file_is_refused(pec, ws, tmp_path):
    result = pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A", "--evidencia", str(tmp_path / "no.pdf"))
    assert result.exit_code == 1 and "no existe" in result.stderr
    assert ledger_snapshot(ws) == {}


@pytest.mark.parametrize("locker", portable.LOCKERS)
def test_two_simultaneous_imports_of_one_file_append_it_once(ws, tmp_path, locker):
    portable.require(locker)
    source = write_csv(tmp_path / "p.csv", "actividad;fecha;titulo\n" + "".join(
        f"noti;2024-05-{d:02d};Noti {d}\n" for d in range(1, 29)))
    script = portable.prelude(locker) + "import sys; sys.argv[0] = 'pec'\nfrom pec_cli.cli import main\nmain()\n"
    procs = [subprocess.Popen([sys.executable, "-c", script, "import", str(source)], env=env_for(ws),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    titles = [r["titulo"] for r in segment_lines(ws)]
    assert sorted(titles) == sorted(f"Noti {d}" for d in range(1, 29))
    assert sum("Importadas 28 entradas" in out for out, _ in outputs) == 1


def test_import_evidence_must_sit_beside_the_csv(pec, ws, tmp_path):
    folder = tmp_path / "lote"
    folder.mkdir()
    (folder / "acta.pdf").write_bytes(b"%PDF acta")
    (tmp_path / "secreto.txt").write_text("no")
    source = write_csv(folder / "p.csv", "actividad;fecha;titulo;evidencia\n"
                                         "noti;2024-05-02;A;acta.pdf\n"
                                         "noti;2024-05-03;B;../secreto.txt\n"
                                         "noti;2024-05-04;C;/etc/hostname\n")
    result = pec("import", str(source))
    assert result.exit_code == 1
    assert "fila 3, columna evidencia" in result.stderr and "fila 4, columna evidencia" in result.stderr
    assert not (ws / "evidencias").exists()
    ok = write_csv(folder / "ok.csv", "actividad;fecha;titulo;evidencia\nnoti;2024-05-02;A;acta.pdf\n")
    assert pec("import", str(ok)).exit_code == 0
    assert [p.read_bytes() for p in (ws / "evidencias" / "2024").iterdir()] == [b"%PDF acta"]


def test_verify_names_a_row_imported_twice(pec, ws):
    w = Workspace(ws)
    row = {"clase": "pieza", "actividad": "noti", "tipo": "publicacion", "fecha": "2024-05-02",
           "registrado": "x", "titulo": "A", "importe": "abc"}
    ledger.append(w, 2024, [row, dict(row)])  # as two clones importing one file would leave it
    result = pec("verify")
    assert result.exit_code == 1 and "fila importada dos veces" in result.stdout


def test_a_damaged_writer_id_is_refused_not_followed(pec, ws):
    pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A")
    (ws / ".pec" / "escritor").write_text("../../../evil\n")
    result = pec("log", "revista", "--fecha", "2024-03-16", "--titulo", "B")
    assert result.exit_code == 1 and "está dañado" in result.stderr
    assert not list(ws.parent.rglob("evil*"))


def test_thousands_point_in_a_measured_value(pec, ws):
    assert pec("log", "seguidores", "--fecha", "2024-03-15", "--red", "instagram", "--valor", "1.520").exit_code == 0
    assert pec("log", "seguidores", "--fecha", "2024-03-16", "--red", "instagram", "--valor", "1521").exit_code == 0
    assert [r["valor"] for r in segment_lines(ws)] == [1520, 1521]  # counts: 1520,5 is refused (test_figures)


def test_a_garbled_middle_line_is_named_once_not_as_a_deletion(pec, ws):
    segment = _three(pec, ws)
    lines = segment.read_text(encoding="utf-8").splitlines()
    lines[1] = "#" + lines[1][1:]  # a damaged byte: no longer JSON
    segment.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = pec("verify")
    assert result.exit_code == 1
    name = segment.relative_to(ws)
    assert f"{name}:2: línea dañada" in result.stdout and "borre esta línea a mano" in result.stdout
    assert "borradas" not in result.stdout and "modificada" not in result.stdout
    del lines[1]  # the repair the message suggests
    segment.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "faltan entradas antes de esta (n=2)" in pec("verify").stdout  # a deletion is still a deletion


def test_a_large_import_is_written_in_whole_line_chunks(pec, ws, tmp_path, monkeypatch, status_json):
    monkeypatch.setattr(ledger, "WRITE_CHUNK", 300)  # a few lines per write
    assert pec("status", "--format", "json").exit_code == 0  # a current cache, to be folded into
    source = write_csv(tmp_path / "p.csv", "actividad;fecha;titulo\n" + "".join(
        f"noti;2024-05-{d:02d};Noti {d}\n" for d in range(1, 29)))
    assert pec("import", str(source)).exit_code == 0
    assert sorted(r["titulo"] for r in segment_lines(ws)) == sorted(f"Noti {d}" for d in range(1, 29))
    assert pec("verify").exit_code == 0
    noti = next(a for a in status_json("II")["actividades"] if a["id"] == "noti")
    assert noti["trimestres"]["II"]["realizadas"] == 28
