"""The shape of the code, checked: layers that import only downwards, a lean start-up,
and the bugs that scattered rules once produced (issue 8)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "pec_cli"
# Each layer may import only itself and the layers listed for it.
LAYERS = {
    "errors": set(), "fields": set(), "console": set(), "files": set(), "workspace": {"errors", "files"},
    "cachefiles": {"errors", "workspace", "files"},
    "plan": {"errors", "workspace", "cachefiles", "fields", "files"},
    "ledger": {"errors", "workspace", "cachefiles", "fields", "plan", "files"},
    "report": {"errors", "console", "workspace", "fields", "plan", "ledger", "files"},
    "context": {"errors", "workspace", "plan", "ledger", "report", "files"},
    "cli": {"errors", "console", "workspace", "fields", "plan", "ledger", "report", "context", "files"},
}
HEAVY = {"rich", "yaml", "pydantic", "tabulate", "xlsxwriter"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every pec_cli module ``path`` imports, inside functions too, but not under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pec_cli"):
            assert node.level == 0, f"{path}: relative import"
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("pec_cli")}
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in _imports(path) if m in modules and m != name and not name.startswith(m + ".")}
        for name, path in modules.items()
    }


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = trail[trail.index(target):] + [target] if target in trail else [node, target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_imports_only_go_down_the_layers():
    wrong = []
    for name, targets in _graph().items():
        layer = name.split(".")[1] if "." in name else ""
        if layer not in LAYERS:
            continue
        for target in targets:
            other = target.split(".")[1]
            if other != layer and other not in LAYERS[layer]:
                wrong.append(f"{name} -> {target}")
    # the ledger reads the cached plan, never the YAML/pydantic loader
    wrong += [f"{n} -> {t}" for n, ts in _graph().items() if n.startswith("pec_cli.ledger")
              for t in ts if t in ("pec_cli.plan.loader", "pec_cli.plan.schema")]
    assert not wrong, wrong



# What touches a file: a call of ``open``, of one of these methods, or of ``os``, ``shutil`` or
# ``tempfile`` functions that do (``shutil.which`` and ``get_terminal_size`` only look things up).
FILE_METHODS = {"open", "read_bytes", "read_text", "write_bytes", "write_text", "mkdir", "rmdir", "unlink", "touch",
                "rename", "replace", "iterdir", "glob", "rglob", "stat", "lstat", "exists", "is_file", "is_dir",
                "resolve", "chmod", "symlink_to", "hardlink_to"}
FILE_MODULES = {"os": FILE_METHODS | {"fdopen", "fsync", "makedirs", "remove", "listdir", "scandir", "link", "symlink",
                                      "write", "read", "truncate"},
                "shutil": {"copy", "copy2", "copyfile", "copyfileobj", "copytree", "move", "rmtree"},
                "tempfile": {"TemporaryDirectory", "NamedTemporaryFile", "mkstemp", "mkdtemp", "TemporaryFile"},
                "io": {"open"}}
# The one exception: a PDF is printed by a browser, which reads the page from a file and writes the
# PDF to one; ``report.pdf`` keeps both in a private temporary folder it deletes before it returns.
FILE_IO_ALLOWED = {"pec_cli/report/pdf.py"}


def _file_io(path: Path) -> list[str]:
    """``path:line: call`` for every call in ``path`` that reads or writes the file system."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: open()")
        elif isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            if func.attr in FILE_MODULES.get(owner, FILE_METHODS - {"replace"}):  # str.replace is text
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {owner}.{func.attr}()")
    return found


def test_the_reports_return_documents_and_touch_no_file():
    """Issue 20 item 4: ``report/`` builds str, bytes and values; the CLI reads and writes files."""
    calls = [call for path in sorted((PACKAGE / "report").rglob("*.py"))
             if str(path.relative_to(REPO)) not in FILE_IO_ALLOWED for call in _file_io(path)]
    assert not calls, calls
    assert _file_io(REPO / "pec_cli" / "report" / "pdf.py"), "the exception is stale: remove it"

def _modules_after(args: list[str], env: dict[str, str]) -> tuple[set[str], str]:
    """The top-level modules a ``pec ARGS`` process has imported when it ends, and what it printed."""
    probe = (
        "import sys, json\n"
        f"sys.argv = ['pec', *{args!r}]\n"
        "from pec_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "sys.stderr.write(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1])), done.stdout


@pytest.mark.parametrize("args", [
    ["status", "--format", "json"],
    ["log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista No. 1"],
    ["status", "--trim", "IV"],
])
def test_start_up_imports_none_of_the_heavy_libraries(tmp_path, args):
    """With the plan cache warm, these commands import none of rich, yaml, pydantic, tabulate, xlsxwriter
    (but what typer itself imports to run any command: typer 0.29 brings pydantic, which is why
    pyproject.toml keeps typer below it; CI runs the suite against the newest typer too)."""
    env = {"PATH": "/usr/bin:/bin", "PEC_HOY": "2024-07-15", "PEC_ROOT": str(tmp_path / "ws"), "COLUMNS": "80"}
    run = [sys.executable, "-m", "pec_cli"]
    subprocess.run([*run, "init", str(tmp_path / "ws")], check=True, capture_output=True, env=env)
    subprocess.run([*run, "status"], check=True, capture_output=True, env=env)  # warms the plan cache
    loaded, _ = _modules_after(args, env)
    assert not loaded & HEAVY - _typer_floor(env), sorted(loaded & HEAVY)


def _typer_floor(env: dict[str, str]) -> set[str]:
    """The heavy libraries a one-command Typer app loads by itself."""
    probe = ("import sys, json, typer\napp = typer.Typer()\n@app.command()\ndef one() -> None: pass\n"
             "@app.command()\ndef two() -> None: pass\nsys.argv = ['x', 'one']\n"
             "try:\n    app()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1])) & HEAVY


# ---------------------------------------------------------------- bugs the scattering produced


def _requiring_evidence(ws: Path) -> None:
    plan = ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8")
    old = "      - id: publicacion\n        nombre: Publicación\n        requiere: [titulo]\n"
    assert old in text  # the revista's only tipo, the first of the plan
    plan.write_text(text.replace(old, old.replace("[titulo]", "[titulo, evidencia]"), 1), encoding="utf-8")


def test_a_tipo_requiring_evidence_can_be_logged_and_imported(pec, ws, tmp_path):
    _requiring_evidence(ws)
    acta = tmp_path / "acta.pdf"
    acta.write_bytes(b"%PDF-1.4 acta\n")
    refused = pec("log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1")
    assert refused.exit_code == 1 and "--evidencia" in refused.stderr
    done = pec("log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1", "--evidencia", str(acta))
    assert done.exit_code == 0, done.output
    csv = tmp_path / "piezas.csv"
    csv.write_text("actividad;fecha;titulo;evidencia\nrevista;2024-04-28;Revista 2;acta.pdf\n", encoding="utf-8")
    imported = pec("import", str(csv))
    assert imported.exit_code == 0, imported.output
    records = [json.loads(line) for line in next((ws / "ledger" / "2024").glob("*.jsonl")).read_text().splitlines()]
    for record in records:
        if record["clase"] == "lote":
            continue  # the commit line of the import
        stored = ws / record["evidencia"]["archivo"]
        assert stored.read_bytes() == acta.read_bytes() and record["evidencia"]["nombre"] == "acta.pdf"
    assert pec("verify").exit_code == 0


def test_the_terminal_prompt_stores_the_evidence_copied_and_hashed(pec, ws, tmp_path, monkeypatch):
    _requiring_evidence(ws)
    acta = tmp_path / "acta.pdf"
    acta.write_bytes(b"%PDF-1.4 acta\n")
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    done = pec("log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1", input=f"{acta}\n")
    assert done.exit_code == 0, done.output
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    evidencia = json.loads(segment.read_text())["evidencia"]
    assert isinstance(evidencia, dict) and evidencia["archivo"].startswith("evidencias/2024/")
    assert (ws / evidencia["archivo"]).read_bytes() == acta.read_bytes()


def test_list_forgives_capitals_in_tipo_as_log_does(pec):
    assert pec("log", "internas", "--tipo", "Solicitud", "--fecha", "2024-02-01", "--area", "Jurídica").exit_code == 0
    listed = pec("list", "--tipo", "Solicitud", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [e["tipo"] for e in json.loads(listed.stdout)] == ["solicitud"]
    wrong = pec("list", "--tipo", "solicitd")
    assert wrong.exit_code == 1 and "¿quiso decir «solicitud»?" in wrong.stderr


def test_export_json_reads_no_entry_detail(pec, monkeypatch):
    """The Seguimiento formats that show no entries never read them (export json was 20x status)."""
    pec("log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1")
    status = pec("status", "--trim", "II", "--format", "json").stdout

    def no_detail(*args, **kwargs):
        raise AssertionError("the entries were read")

    monkeypatch.setattr("pec_cli.ledger.store.read_entries", no_detail)
    for fmt in ("json", "csv", "markdown"):
        exported = pec("export", fmt, "--trim", "II", "-o", "-")
        assert exported.exit_code == 0, exported.output
    assert pec("export", "json", "--trim", "II", "-o", "-").stdout == status
