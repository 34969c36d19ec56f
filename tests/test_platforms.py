"""pec where its users are: no POSIX-only import, any lock (SPEC §6, Platforms)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pec_cli.ledger.verify import verify_workspace
from pec_cli.workspace import Workspace

from . import portable
from .conftest import TODAY, set_writer

RUN_PEC = "import sys; sys.argv[0] = 'pec'\nfrom pec_cli.cli import main\nmain()\n"


CONSOLE_VARIABLES = ("PYTHONIOENCODING", "PYTHONUTF8", "PYTHONCOERCECLOCALE", "LC_ALL", "LC_CTYPE", "LANG")


def env_for(ws: Path, **console: str) -> dict[str, str]:
    """The test's environment for a pec run in ``ws``; UTF-8 output unless ``console`` says otherwise."""
    env = {k: v for k, v in os.environ.items() if k not in CONSOLE_VARIABLES}
    return {**env, "PEC_ROOT": str(ws), "PEC_HOY": TODAY, **(console or {"PYTHONIOENCODING": "utf-8"})}


def pec_with(prelude: str, ws: Path, *args: str) -> subprocess.CompletedProcess:
    """``pec ARGS`` in a fresh interpreter that first runs ``prelude``; it also reports its lock."""
    report = "import atexit\natexit.register(lambda: sys.stderr.write(f'\\n[lock={__import__(\"pec_cli.ledger.lock\").ledger.lock._chosen}]'))\n"
    return subprocess.run([sys.executable, "-c", prelude + report + RUN_PEC, *args], env=env_for(ws),
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


# ---------------------------------------------------------------- item 1: locking that is not POSIX-only


def test_every_module_of_pec_imports_without_fcntl_or_any_posix_only_module():
    script = portable.hide_posix_prelude(with_msvcrt=False) + (
        "import importlib, pkgutil, pec_cli\n"
        "names = [m.name for m in pkgutil.walk_packages(pec_cli.__path__, 'pec_cli.') if m.name != 'pec_cli.__main__']\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 40  # every module, not a lucky few


def test_log_import_void_and_status_run_through_the_portable_lock(ws, tmp_path):
    """With fcntl unimportable, pec picks msvcrt.locking (the stand-in on Linux) by itself."""
    if not portable.runnable("windows"):
        pytest.skip("no Windows lock, native or stand-in, on this machine")
    prelude = portable.hide_posix_prelude()
    source = tmp_path / "piezas.csv"
    source.write_text("actividad;fecha;titulo\nnoti;2024-05-02;Noti 1\nnoti;2024-05-09;Noti 2\n", encoding="utf-8")
    logged = pec_with(prelude, ws, "log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista Gestión No. 1")
    imported = pec_with(prelude, ws, "import", str(source))
    voided = pec_with(prelude, ws, "void", logged.stdout.split()[0], "--motivo", "duplicada")
    status = pec_with(prelude, ws, "status", "--trim", "II", "--format", "json")
    for result in (logged, imported, voided, status):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    for writer in (logged, imported, voided):
        assert "[lock=Locker(name='windows'" in writer.stderr, writer.stderr
    assert "[lock=None]" in status.stderr  # reading takes no lock
    document = json.loads(status.stdout)
    by_id = {a["id"]: a for a in document["actividades"]}
    assert by_id["noti"]["trimestres"]["II"]["realizadas"] == 2
    assert by_id["revista"]["trimestres"]["I"]["realizadas"] == 0  # voided
    problems, _ = verify_workspace(Workspace(ws))  # and the POSIX side reads the same ledger
    assert problems == []


def test_without_any_lock_pec_reads_and_refuses_to_write_in_one_sentence(ws):
    prelude = portable.hide_posix_prelude(with_msvcrt=False)
    if portable._native("msvcrt"):
        pytest.skip("msvcrt is the platform's own here")
    status = pec_with(prelude, ws, "status", "--trim", "II")
    assert status.returncode == 0, status.stderr
    logged = pec_with(prelude, ws, "log", "revista", "--fecha", "2024-03-28", "--titulo", "A")
    assert logged.returncode == 1
    assert logged.stderr.startswith("Error: Este sistema no ofrece bloqueo de archivos")
    assert "Traceback" not in logged.stderr


HOLDER = """
import os, sys
from pec_cli.ledger import lock
fd = os.open(sys.argv[1], os.O_RDWR | os.O_APPEND | os.O_CREAT)
lock.lock(fd)
print(lock.current().name, flush=True)
sys.stdin.read()  # hold until killed
"""


@pytest.mark.parametrize("locker", portable.LOCKERS)
def test_the_lock_is_exclusive_and_dies_with_its_holder(tmp_path, locker, monkeypatch):
    portable.require(locker)
    segment = tmp_path / "seg.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", portable.prelude(locker) + HOLDER, str(segment)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == locker
        portable.use_in_process(locker, monkeypatch)
        from pec_cli.ledger import lock

        fd = os.open(segment, os.O_RDWR | os.O_APPEND)
        got = threading.Event()
        waiter = threading.Thread(target=lambda: (lock.lock(fd), got.set()), daemon=True)
        waiter.start()
        assert not got.wait(0.5)  # held by the other process: we wait
        holder.kill()  # kill -9 / TerminateProcess: no chance to unlock
        holder.wait()
        assert got.wait(60)  # the operating system released it
        lock.unlock(fd)
        os.close(fd)
    finally:
        holder.kill()
        holder.wait()


# ---------------------------------------------------------------- item 2: any console encoding

POSIX_LOCALES = pytest.mark.skipif(os.name == "nt", reason="LC_ALL is a POSIX locale; Windows pipes use the ANSI code page")
ENCODINGS = {  # how a console reaches pec: the environment, and the encoding its output is in
    "LC_ALL=C": ({"LC_ALL": "C"}, "utf-8"),  # Python's UTF-8 mode takes over the C locale
    "LC_ALL=C, no UTF-8 mode": ({"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}, "ascii"),
    "ascii": ({"PYTHONIOENCODING": "ascii"}, "ascii"),
    "cp1252": ({"PYTHONIOENCODING": "cp1252"}, "cp1252"),  # a Windows task writing to a file
    "cp850": ({"PYTHONIOENCODING": "cp850"}, "cp850"),  # an old cmd window
}
DRIVER = """
import json, sys
from pec_cli.cli import app
for number, args in enumerate(json.loads(sys.argv[1])):
    for stream in (sys.stdout, sys.stderr):
        stream.write(f"\\n@@ {number}\\n")
        stream.flush()
    try:
        app(args, prog_name="pec")
        code = 0
    except SystemExit as exc:
        code = exc.code
    sys.stdout.flush()
    sys.stderr.write(f"\\n@@ rc {code}\\n")
    sys.stderr.flush()
"""
TITLE = "Revista Gestión № 1 — «edición» 📣"


def every_command(ws: Path, tmp: Path) -> list[tuple[list[str], int]]:
    """Every command of pec, once, with accents and characters no legacy code page has; and its exit status."""
    set_writer(ws, "prueba")
    (tmp / "piezas.csv").write_bytes("actividad;fecha;título\nnoti;02/05/2024;Noti ½ — mayo\n".encode("utf-8-sig"))
    (tmp / "acta.pdf").write_bytes(b"%PDF acta")
    return [
        (["--help"], 0), (["log", "--help"], 0), (["plan", "show"], 0), (["plan", "check"], 0),
        (["log", "revista", "--fecha", "2024-03-28", "--titulo", TITLE, "--evidencia", str(tmp / "acta.pdf")], 0),
        (["log", "seguidores", "--red", "instagram", "--valor", "10.250", "--fecha", "2024-03-01"], 0),
        (["note", "revista", "--trim", "II", "Se aplazó ≥ 2 semanas por contratación."], 0),
        (["import", str(tmp / "piezas.csv")], 0),
        (["log", "noti", "--fecha", "2024-05-03", "--titulo", "Otra"], 0),
        (["void", "2024-prueba-4", "--motivo", "duplicada — ver acta"], 0),
        (["list"], 0), (["list", "--anuladas", "--format", "json"], 0), (["list", "--format", "csv"], 0),
        (["list", "--observaciones"], 0),
        (["status", "--trim", "II"], 0), (["status", "--trim", "II", "--format", "json"], 0),
        (["status", "--trim", "II", "--format", "markdown"], 0),
        (["export", "csv", "--trim", "II", "-o", "-"], 0), (["export", "markdown", "--trim", "II", "-o", "-"], 0),
        (["export", "json", "--trim", "II", "-o", "-"], 0), (["export", "csv", "--detalle", "-o", "-"], 0),
        (["export", "xlsx", "--trim", "II", "-o", str(tmp / "s.xlsx")], 0),
        (["export", "html", "--trim", "II", "-o", str(tmp / "s.html")], 0),
        (["export", "paquete", "--trim", "II", "-o", str(tmp / "paquete")], 0),
        (["pendientes"], 0), (["pendientes", "--format", "json"], 0), (["pendientes", "--format", "markdown"], 0),
        (["pendientes", "--ics", "-o", str(tmp / "hitos.ics")], 0), (["status", "--cuatrienio"], 0),
        (["log", "internas", "--tipo", "solicitud", "--area", "Comunicación", "--fecha", "2024-05-06"], 0),
        (["list", "--abiertas"], 0), (["plan", "nueva", "2025"], 0),
        (["verify"], 0), (["init", str(tmp / "nuevo")], 0),
        (["log", "revsta", "--titulo", "x"], 1), (["status", "--trim", "V"], 2), (["log", "revista", "--titulo"], 2),
        (["void", "2024-prueba-99", "--motivo", "no existe"], 1),
    ]


def run_all(ws: Path, tmp: Path, env: dict[str, str], encoding: str) -> tuple[list[tuple[int, str, str]], bytes, bytes]:
    """Run every command in one interpreter under ``env``; each one's (status, stdout, stderr), read in ``encoding``."""
    commands = every_command(ws, tmp)
    result = subprocess.run([sys.executable, "-c", DRIVER, json.dumps([args for args, _ in commands])],
                            env=env_for(ws, **env), capture_output=True, timeout=300)
    out, err = result.stdout.decode(encoding, "replace"), result.stderr.decode(encoding, "replace")
    assert result.returncode == 0, err
    outs = out.split("\n@@ ")[1:]
    errs = err.split("\n@@ ")[1:]
    runs = []
    for number, (args, expected) in enumerate(commands):
        stdout = outs[number].split("\n", 1)[1]
        stderr, rc = errs[2 * number].split("\n", 1)[1], errs[2 * number + 1]
        runs.append((int(rc.split()[1]), stdout, stderr))
        assert "Traceback" not in stderr and "Error" not in stdout, (args, stderr)
        assert runs[-1][0] == expected, (args, stdout, stderr)
    return runs, result.stdout, result.stderr


@pytest.mark.parametrize("name", [pytest.param(n, marks=POSIX_LOCALES) if n.startswith("LC_ALL") else n for n in ENCODINGS])
def test_every_command_prints_under_any_console_encoding(ws, tmp_path, name):
    env, encoding = ENCODINGS[name]
    runs, raw_out, raw_err = run_all(ws, tmp_path, env, encoding)
    by_args = dict(zip((tuple(args) for args, _ in every_command(ws, tmp_path)), runs, strict=True))
    board = by_args[("status", "--trim", "II")][1]
    listing = by_args[("list",)][1]
    if encoding == "ascii":
        assert "Gestion" in board and "Semaforo" in board  # degraded, not crashed (the board's own fallback: the lead's)
        assert "Revista Gestion" in listing
        assert raw_err.decode("ascii")  # every refusal and warning said in ASCII
    else:  # the accents are in the encoding: they are kept
        assert "Gestión".encode(encoding) in raw_out and "Semáforo".encode(encoding) in raw_out
        assert "Error: La actividad «revsta»".encode(encoding) in raw_err
    for args in (("status", "--trim", "II", "--format", "json"), ("export", "json", "--trim", "II", "-o", "-")):
        document = json.loads(by_args[args][1])  # JSON is escaped, never degraded: the same values
        assert document["actividades"][0]["nombre"] == "Revista Gestión USPEC"
    csv_out = by_args[("export", "csv", "--trim", "II", "-o", "-")][1]
    assert csv_out.startswith("\ufeffid;" if encoding == "utf-8" else "id;")  # the BOM drops out, no «?»
    due = json.loads(by_args[("pendientes", "--format", "json")][1])
    assert "Gestión" in json.dumps(due, ensure_ascii=False)
    entries = json.loads(by_args[("list", "--anuladas", "--format", "json")][1])
    assert TITLE in [e.get("titulo") for e in entries]
    # The status board's own ASCII fallback (bars, rules, the semáforo dot) and its golden
    # files under each encoding belong to the terminal.py rewrite (the lead's), not to this test.


def test_what_an_encoding_lacks_degrades_to_plain_ascii():
    from pec_cli.console import ERRORS

    assert "█░─● ≥ «Semáforo» — 📣".encode("ascii", ERRORS) == b'#--* >= "Semaforo" - ?'
    assert "Gestión ≥ 90 %".encode("cp1252", ERRORS) == "Gestión >= 90 %".encode("cp1252")  # accents kept
    assert "█ línea".encode("cp850", ERRORS) == "█ línea".encode("cp850")  # cp850 has the block


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda children: st.lists(children) | st.dictionaries(st.text(), children), max_leaves=8))
def test_json_for_a_narrow_console_is_the_same_document(value):
    from pec_cli.console import json_for

    text = json.dumps(value, ensure_ascii=False, indent=2)
    for encoding in ("ascii", "cp1252", "cp850", "utf-8"):
        shown = json_for(text, SimpleNamespace(encoding=encoding))
        shown.encode(encoding)  # printable as is
        assert json.loads(shown) == value


# ---------------------------------------------------------------- item 3: Git for Windows' defaults


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "core.autocrlf=true", *args], cwd=cwd, check=True, capture_output=True,
                          text=True, env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                                          "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}).stdout


def pec_at(ws: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pec_cli", *args], env=env_for(ws), capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def shared_workspace(tmp_path: Path, attributes: bool = True) -> Path:
    """A team's repository: the plan, a README, two entries and a note, committed with LF."""
    from pec_cli.workspace import init_workspace

    origin = init_workspace(tmp_path / "origen")
    if not attributes:  # an old repository, from before pec wrote .gitattributes
        (origin / ".gitattributes").unlink()
    (origin / "README.md").write_text("# Prensa\n\nSeguimiento del PEC.\n", encoding="utf-8")
    git(origin, "init", "-q", "-b", "main")
    for args in (("log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista Gestión 1"),
                 ("log", "internas", "--tipo", "solicitud", "--area", "Talento Humano", "--fecha", "2024-05-02"),
                 ("note", "revista", "--trim", "II", "La revista de mayo se aplazó.")):
        assert pec_at(origin, *args).returncode == 0
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "base")
    return origin


def eol(clone: Path) -> dict[str, str]:
    """Each tracked file's line endings in the working tree, as git sees them."""
    lines = git(clone, "ls-files", "--eol").splitlines()
    return {line.split("\t")[-1]: line.split()[1] for line in lines}


def test_a_crlf_clone_agrees_with_an_lf_clone(tmp_path):
    origin = shared_workspace(tmp_path)
    windows = tmp_path / "windows"
    git(tmp_path, "clone", "-q", str(origin), str(windows))  # core.autocrlf=true, as Git for Windows installs it
    endings = eol(windows)
    assert endings["plan/2024.yaml"] == "w/crlf" and endings["README.md"] == "w/crlf"
    assert all(e == "w/lf" for name, e in endings.items() if name.endswith(".jsonl"))  # .gitattributes holds
    for args in (("plan", "check"), ("plan", "show"), ("status", "--trim", "II"),
                 ("status", "--trim", "II", "--format", "json"), ("list", "--format", "csv"), ("verify",)):
        lf, crlf = pec_at(origin, *args), pec_at(windows, *args)
        assert crlf.returncode == 0, crlf.stderr
        assert (crlf.stdout, crlf.stderr) == (lf.stdout, lf.stderr), args
    assert pec_at(windows, "log", "revista", "--fecha", "2024-04-28", "--titulo", "Revista 2").returncode == 0
    assert pec_at(windows, "verify").returncode == 0


def test_a_closure_holds_across_lf_and_crlf_clones(tmp_path):
    """A closure keeps the plan's SHA-256 and a copy under plan/versiones/, which git converts to CRLF in a
    Windows clone: the copy hashes as recorded in both clones, whichever of them closed the quarter."""
    origin = shared_workspace(tmp_path)
    assert pec_at(origin, "cierre", "--trim", "I").returncode == 0
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "cierre I")
    windows = tmp_path / "windows"
    git(tmp_path, "clone", "-q", str(origin), str(windows))
    assert all(e == "w/crlf" for name, e in eol(windows).items() if name.startswith("plan/"))
    for args in (("verify",), ("status", "--trim", "I", "--format", "json")):
        lf, crlf = pec_at(origin, *args), pec_at(windows, *args)
        assert crlf.returncode == 0, crlf.stdout + crlf.stderr
        assert crlf.stdout == lf.stdout, args
    assert "cambió" not in pec_at(windows, "status", "--trim", "I").stdout  # the same plan, not «el plan cambió»
    closed = pec_at(windows, "cierre", "--trim", "II")  # closed in the CRLF clone, then pulled into the LF one
    assert closed.returncode == 0, closed.stderr
    git(windows, "add", "-A")
    git(windows, "commit", "-qm", "cierre II")
    git(origin, "pull", "-q", "--no-rebase", "--no-edit", str(windows), "main")
    verify = pec_at(origin, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_ledger_checked_out_in_crlf_still_verifies_counts_and_takes_the_next_log(tmp_path):
    origin = shared_workspace(tmp_path, attributes=False)
    old = tmp_path / "vieja"
    git(tmp_path, "clone", "-q", str(origin), str(old))
    (segment,) = (old / "ledger" / "2024").glob("*.jsonl")
    assert segment.read_bytes().count(b"\r\n") == 3  # every line of the ledger got CRLF
    expected = pec_at(origin, "status", "--trim", "II", "--format", "json").stdout
    assert pec_at(old, "status", "--trim", "II", "--format", "json").stdout == expected
    assert pec_at(old, "verify").returncode == 0
    # the same writer (its id lives in .pec/, outside git) logs on into its converted segment
    set_writer(old, (origin / ".pec" / "escritor").read_text(encoding="ascii").strip())
    logged = pec_at(old, "log", "revista", "--fecha", "2024-04-28", "--titulo", "Revista 2")
    assert logged.returncode == 0, logged.stderr
    assert segment.read_bytes().endswith(b'"titulo":"Revista 2"}\n')  # one whole line of its own
    verify = pec_at(old, "verify")
    assert verify.returncode == 0 and "4 entradas" in verify.stdout, verify.stdout + verify.stderr
    assert git(old, "diff", "--numstat").split()[:2] == ["1", "0"]  # git sees one line added, nothing rewritten
    status = json.loads(pec_at(old, "status", "--trim", "II", "--format", "json").stdout)
    revista = next(a for a in status["actividades"] if a["id"] == "revista")
    assert revista["acumulado"]["realizadas"] == 2


# ---------------------------------------------------------------- item 4: Windows paths


def test_a_csv_written_on_windows_names_its_evidence_with_backslashes(pec, ws, tmp_path):
    folder = tmp_path / "lote"
    (folder / "evidencias").mkdir(parents=True)
    (folder / "evidencias" / "acta.pdf").write_bytes(b"%PDF acta")
    source = folder / "piezas.csv"
    source.write_text("actividad;fecha;titulo;evidencia\r\nnoti;2024-05-02;A;evidencias\\acta.pdf\r\n", encoding="utf-8")
    result = pec("import", str(source))
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(pec("list", "--format", "json").stdout)
    assert (ws / entry["evidencia"]).read_bytes() == b"%PDF acta"
    assert entry["evidencia"].endswith(".pdf")


@pytest.mark.parametrize("cell", ["C:\\Users\\ana\\Documentos\\acta.pdf", "C:acta.pdf", "\\\\servidor\\prensa\\acta.pdf",
                                  "\\acta.pdf", "/etc/hostname", "..\\secreto.txt", "evidencias\\..\\..\\secreto.txt"])
def test_a_csv_cell_never_reaches_outside_the_csv_folder_on_any_platform(pec, ws, tmp_path, cell):
    folder = tmp_path / "lote"
    folder.mkdir()
    (tmp_path / "secreto.txt").write_text("no")
    source = folder / "p.csv"
    source.write_text(f"actividad;fecha;titulo;evidencia\nnoti;2024-05-02;A;{cell}\n", encoding="utf-8")
    result = pec("import", str(source))
    assert result.exit_code == 1
    assert "fila 2, columna evidencia" in result.stderr and "está fuera de la carpeta del CSV" in result.stderr
    assert not (ws / "evidencias").exists()


def test_an_evidence_path_typed_on_windows_keeps_its_file_name():
    from pec_cli.ledger.evidence import kept_name

    assert kept_name(PureWindowsPath("C:\\Users\\ana\\Documentos\\Acta Final.PDF")) == (".pdf", "Acta Final.PDF")
    assert kept_name(PureWindowsPath("evidencias\\foto.jpeg")) == (".jpeg", "foto.jpeg")
    assert kept_name(PurePosixPath("/home/ana/acta.pdf")) == (".pdf", "acta.pdf")


def test_workspace_discovery_stops_at_the_drive_or_share_root():
    from pec_cli.workspace import search_folders

    drive = search_folders(PureWindowsPath("C:\\Users\\ana\\prensa\\informes"))
    assert [str(p) for p in drive] == ["C:\\Users\\ana\\prensa\\informes", "C:\\Users\\ana\\prensa", "C:\\Users\\ana",
                                       "C:\\Users", "C:\\"]
    share = search_folders(PureWindowsPath("\\\\servidor\\prensa\\pec\\informes"))
    assert [str(p) for p in share][-1] == "\\\\servidor\\prensa\\"  # a share's root, never \\servidor alone
    assert str(search_folders(PurePosixPath("/home/ana/prensa"))[-1]) == "/"


def test_discovery_finds_the_nearest_workspace_from_a_subfolder(ws, monkeypatch):
    from pec_cli.workspace import find_workspace

    monkeypatch.delenv("PEC_ROOT", raising=False)
    deep = ws / "informes" / "2024"
    deep.mkdir(parents=True)
    assert find_workspace(cwd=deep).root == ws


# ---------------------------------------------------------------- item 5: scheduled, non-interactive runs

README = Path(__file__).resolve().parent.parent / "README.md"


def scheduled(ws: Path, *args: str, stdin: int = subprocess.DEVNULL) -> subprocess.Popen:
    """pec as cron or a scheduled task starts it: `env -i PATH=… LANG=C`, no terminal, no session."""
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.defpath}", "LANG": "C"}
    if os.name == "nt":
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "C:\\Windows")
    return subprocess.Popen([sys.executable, "-m", "pec_cli", *args], cwd=ws, env=env, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=os.name != "nt")


def readme_section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_the_weekly_export_of_the_readme_runs_unattended(ws):
    section = readme_section("Scripts and scheduled runs")
    cron = next(line for line in section.splitlines() if line.startswith("0 7 * * 1 "))
    command = next(p for p in cron.split("&&") if p.strip().startswith("pec ")).split(">>")[0].split()
    assert command[:3] == ["pec", "export", "xlsx"]
    assert "schtasks /Create" in section and " ".join(command) in section.replace("\\", "/")  # same run on Windows
    run = scheduled(ws, *command[1:])
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    written = Path(out.decode().strip())
    assert written.parent == ws.resolve() and written.read_bytes()[:2] == b"PK"  # an xlsx
    pack = scheduled(ws, "export", "paquete", "-o", "paquete-semanal")
    out, err = pack.communicate(timeout=120)
    assert pack.returncode == 0, err
    assert [Path(line) for line in out.decode().splitlines()] == [ws.resolve() / "paquete-semanal",
                                                                    ws.resolve() / "paquete-semanal.zip"]
    assert (ws / "paquete-semanal.zip").is_file()


def test_a_scheduled_run_never_prompts_and_says_so_with_its_exit_status(ws):
    section = readme_section("Scripts and scheduled runs")
    for code in ("`0`", "`1`", "`2`"):
        assert code in section
    # stdin left open: a prompt would wait for it forever (and fail on the timeout)
    missing = scheduled(ws, "log", "revista", "--fecha", "2024-05-02", stdin=subprocess.PIPE)
    try:
        assert missing.wait(timeout=60) == 1
    finally:
        missing.kill()
        out, err = missing.communicate()
    assert out == b"" and err.startswith(b"Error: ") and b"--titulo" in err
    usage = scheduled(ws, "status", "--trim", "V")
    usage.communicate(timeout=60)
    assert usage.returncode == 2
    ok = scheduled(ws, "status", "--format", "json")
    out, _ = ok.communicate(timeout=60)
    assert ok.returncode == 0 and json.loads(out)["vigencia"] == 2024


# ---------------------------------------------------------------- item 6: the README's "En Windows"


def test_the_readme_tells_a_windows_office_how_to_install_run_and_share(pec):
    text = README.read_text(encoding="utf-8")
    assert text.split("```")[1] == (  # the first two: a venv first (issue 21 item 11), then the tests
        "\npython3 -m venv .venv && . .venv/bin/activate && python -m pip install -e '.[dev]'\npython -m pytest\n")
    section = readme_section("En Windows")
    for needed in ("py -m pip install", "pipx install", "py -m pec_cli", "core.autocrlf=true", ".gitattributes",
                   "pec export xlsx", "pec export csv --separador , --decimal .", "evidencias\\2024\\",
                   "ledger\\2024\\", ".pec\\", "-o"):
        assert needed in section, needed
    # every pec command line it shows is a real command with real options
    lines = [ln.strip() for ln in section.splitlines() if ln.strip().startswith("pec ")]
    assert len(lines) >= 4
    for line in lines:
        words = line.split()
        name = words[1]
        shown = pec(name, "--help")
        assert shown.exit_code == 0, line
        for option in (w for w in words if w.startswith("--")):
            assert option in shown.stdout, (line, option)


def test_a_drive_without_hard_links_still_gets_a_writer_id(pec, ws, monkeypatch):
    """FAT and exFAT drives, and some network shares, refuse os.link: the first log still works."""
    def no_links(*_args: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    result = pec("log", "revista", "--fecha", "2024-03-28", "--titulo", "A")
    assert result.exit_code == 0, result.output
    writer = (ws / ".pec" / "escritor").read_text(encoding="ascii").strip()
    assert result.stdout.strip() == f"2024-{writer}-1"
    assert [p.name for p in (ws / ".pec").iterdir() if p.name.endswith(".tmp")] == []


@POSIX_LOCALES
def test_accented_arguments_under_an_ascii_locale_are_refused_in_one_sentence(ws):
    """Without Python's UTF-8 mode an ASCII locale cannot carry «Gestión» from argv to the ledger."""
    env = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    result = subprocess.run([sys.executable, "-m", "pec_cli", "log", "revista", "--fecha", "2024-03-28",
                             "--titulo", "Revista Gestión"], env=env_for(ws, **env), capture_output=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith(b"Error: El texto recibido no es UTF-8") and b"Traceback" not in result.stderr
    assert [p.read_bytes() for p in (ws / "ledger").rglob("*.jsonl")] in ([], [b""])  # nothing recorded
    plain = subprocess.run([sys.executable, "-m", "pec_cli", "log", "revista", "--fecha", "2024-03-28",
                            "--titulo", "Revista 1"], env=env_for(ws, **env), capture_output=True, timeout=60)
    assert plain.returncode == 0, plain.stderr


def test_an_export_open_in_excel_is_named_as_the_likely_cause(pec, ws, monkeypatch):
    """Windows refuses to replace a file another program holds open: say so, status 1, the old file kept."""
    target = ws / "seguimiento.xlsx"
    target.write_bytes(b"abierto en Excel")

    def held(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", held)
    result = pec("export", "xlsx", "--trim", "II", "-o", str(target))
    assert result.exit_code == 1
    assert "si está abierto (en Excel, por ejemplo), ciérrelo y repita" in result.stderr
    assert target.read_bytes() == b"abierto en Excel"
    assert [p.name for p in ws.iterdir() if p.name.endswith(".tmp")] == []


def at_a_terminal(ws: Path, args: list[str], typed: bytes, **console: str) -> tuple[int, bytes]:
    """Run pec on a pseudo-terminal, type ``typed`` at its prompt; (exit status, all it showed). Who
    registers is known (PEC_NOMBRE), so the prompt typed at is the entry's own."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # child: pec, at a terminal
        os.execve(sys.executable, [sys.executable, "-m", "pec_cli", *args],
                  {**env_for(ws, **console), "PEC_NOMBRE": "Ana Prueba"})
    shown = b""
    typed_yet = False
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            os.kill(pid, 9)
            break
        try:
            data = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        shown += data
        if not typed_yet and b": " in shown:  # the first prompt
            os.write(fd, typed + b"\r")
            typed_yet = True
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown


@pytest.mark.skipif(os.name == "nt", reason="needs a POSIX pseudo-terminal")
def test_typing_accents_at_a_prompt_of_a_console_that_claims_ascii(ws):
    args = ["log", "revista", "--fecha", "2024-04-02"]
    code, shown = at_a_terminal(ws, args, "Gestión".encode(), PYTHONIOENCODING="ascii")
    assert code == 0 and b"Traceback" not in shown, shown
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    assert json.loads(segment.read_bytes())["titulo"] == "Gestión"
    code, shown = at_a_terminal(ws, args, b"Gesti\xf3n", PYTHONIOENCODING="ascii")  # Latin-1 bytes: not UTF-8
    assert code == 1 and b"Traceback" not in shown, shown
    assert b"Error: Lo escrito en la consola no es texto utf-8" in shown
    assert len(segment.read_bytes().splitlines()) == 1  # nothing recorded
