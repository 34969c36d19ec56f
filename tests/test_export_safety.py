"""Issue 19, the export side: what a hostile ledger line or a strange ``-o`` can make
``pec export`` (and ``pec pendientes --ics``) do. Every case is driven like a user."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import pec_at


def refused_in_one_sentence(result, *words: str) -> None:
    """Exit non-zero, one ``Error:`` line on stderr naming ``words``, no traceback."""
    assert result.exit_code not in (0, None), result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output and all(w in lines[0] for w in words), lines


@pytest.fixture
def loop(tmp_path: Path) -> Path:
    """A symlink loop: ``bucle`` -> ``bucle2`` -> ``bucle``."""
    (tmp_path / "bucle").symlink_to(tmp_path / "bucle2")
    (tmp_path / "bucle2").symlink_to(tmp_path / "bucle")
    return tmp_path / "bucle"


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_root_that_is_a_symlink_loop_is_one_sentence(loop):
    """Issue 19 item 6: ``--root`` (or PEC_ROOT) a symlink loop."""
    refused_in_one_sentence(pec_at(loop, "status"), "bucle de enlaces simbólicos", "--root")
    refused_in_one_sentence(pec_at(None, "status", env={"PEC_ROOT": str(loop)}), "bucle de enlaces simbólicos")


def _workspace(tmp_path: Path) -> Path:
    """A workspace with one piece, its caches warm (so that the only synced write is the export's)."""
    from pec_cli.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    assert pec_at(ws, "log", "revista", "--fecha", "2024-04-02", "--titulo", "Uno").exit_code == 0
    assert pec_at(ws, "status").exit_code == 0
    return ws


EXPORTS = [("export", fmt, "--trim", "II") for fmt in ("csv", "xlsx", "markdown", "json", "html")] + [
    ("pendientes", "--ics")]


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_what_o_replaces_keeps_its_mode(tmp_path):
    """Issue 19 item 8: a 0600 file stays 0600 (and so does the file behind a symlink)."""
    import stat

    ws = _workspace(tmp_path)
    for args in EXPORTS:
        private = tmp_path / "privado"
        private.write_bytes(b"viejo")
        private.chmod(0o600)
        link = tmp_path / "enlace"
        link.symlink_to(private)
        for target in (private, link):
            done = pec_at(ws, *args, "-o", str(target))
            assert done.exit_code == 0, done.output
            assert stat.S_IMODE(private.stat().st_mode) == 0o600, (args, target.name)
            assert private.read_bytes() != b"viejo" and link.is_symlink()
        link.unlink()


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM ends a Windows process at once")
def test_an_export_terminated_while_it_writes_leaves_nothing_behind(tmp_path):
    """Issue 19 item 5: SIGTERM arriving as the export's bytes are synced, for every format."""
    import subprocess
    import sys

    from .conftest import TODAY

    ws = _workspace(tmp_path)
    out = tmp_path / "salida"
    out.mkdir()
    terminated_at_sync = ("import os, signal; os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGTERM)\n"
                          "from pec_cli.cli import run\nrun()")
    env = {**os.environ, "PEC_HOY": TODAY, "PEC_ROOT": str(ws)}
    for args in EXPORTS:
        done = subprocess.run([sys.executable, "-c", terminated_at_sync, *args, "-o", str(out / "o")],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode != 0 and "Traceback" not in done.stderr, (args, done.returncode, done.stderr)
        assert sorted(p.name for p in out.iterdir()) == [], args


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_nobody_reads_is_refused_at_once_and_dev_null_is_a_stream(tmp_path):
    """Issue 19 item 8: ``-o`` a FIFO with no reader waited forever; /dev/null still takes an export."""
    import subprocess
    import sys

    from .conftest import TODAY

    ws = _workspace(tmp_path)
    fifo = tmp_path / "tubo"
    os.mkfifo(fifo)
    env = {**os.environ, "PEC_HOY": TODAY, "PEC_ROOT": str(ws)}
    for args in EXPORTS:
        done = subprocess.run([sys.executable, "-m", "pec_cli", *args, "-o", str(fifo)], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and "nadie está leyendo de esa tubería" in done.stderr, done.stderr
        if os.path.exists("/dev/null"):
            assert pec_at(ws, *args, "-o", "/dev/null").exit_code == 0


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
@pytest.mark.parametrize("args", [*EXPORTS, ("export", "pdf", "--trim", "II"), ("export", "csv", "--detalle")])
def test_o_a_symlink_loop_is_one_sentence(tmp_path, loop, args):
    """Issue 19 item 6: ``-o LOOP`` ended in a RuntimeError traceback, in every format."""
    ws = _workspace(tmp_path)
    refused_in_one_sentence(pec_at(ws, *args, "-o", str(loop)), "bucle de enlaces simbólicos", "-o")
