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
    """Issue 19 item 5: SIGTERM arriving as the export's bytes are synced, for every format and the
    paquete (a folder that would block the retry)."""
    import subprocess
    import sys

    from .conftest import TODAY

    ws = _workspace(tmp_path)
    out = tmp_path / "salida"
    out.mkdir()
    terminated_at_sync = ("import os, signal; os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGTERM)\n"
                          "from pec_cli.cli import run\nrun()")
    env = {**os.environ, "PEC_HOY": TODAY, "PEC_ROOT": str(ws)}
    for args in [*EXPORTS, ("export", "paquete", "--trim", "II")]:
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


# ---------------------------------------------------------------- a hostile ledger line and the paquete

SECRET = b"root:$6$secreto:19000:0:99999:7:::\n"


def _hostile(tmp_path: Path, **changes) -> Path:
    """A workspace whose last ledger line, a piece with evidence, was rewritten with ``changes``
    (``evidencia`` keys merge into its evidence) keeping ``n`` and ``prev``: the chain stays valid."""
    import json

    from pec_cli.ledger.store import encode

    ws = _workspace(tmp_path)
    acta = tmp_path / "acta.pdf"
    acta.write_bytes(b"%PDF-1.4 acta\n")
    assert pec_at(ws, "log", "revista", "--fecha", "2024-04-03", "--titulo", "Dos", "--evidencia", str(acta)).exit_code == 0
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    *head, last = segment.read_bytes().splitlines(keepends=True)
    record = json.loads(last)
    record["evidencia"].update(changes.pop("evidencia", {}))
    record.update(changes)
    segment.write_bytes(b"".join(head) + encode(record) + b"\n")
    return ws


def _paquete(ws: Path, tmp_path: Path) -> Path:
    """``pec export paquete`` into a folder three levels down (room for ``../`` to land in ``tmp_path``)."""
    folder = tmp_path / "a" / "b" / "c" / "paquete"
    done = pec_at(ws, "export", "paquete", "--trim", "II", "-o", str(folder))
    assert done.exit_code == 0 and "Traceback" not in done.output, done.output  # the committee pack still builds
    return folder


def _outside(tmp_path: Path, folder: Path) -> list[str]:
    """Files the paquete left outside its folder and its zip."""
    zipped = folder.with_name(folder.name + ".zip")
    return [str(p) for p in (tmp_path / "a").rglob("*") if p.is_file() and folder not in p.parents and p != zipped]


def _members(folder: Path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(folder.with_name(folder.name + ".zip")) as archive:
        return archive.namelist()


def _segment_line(ws: Path) -> str:
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    return f"ledger/2024/{segment.name}:2:"


def _secret(tmp_path: Path) -> tuple[Path, str]:
    import hashlib

    secret = tmp_path / "shadow"
    secret.write_bytes(SECRET)
    return secret, hashlib.sha256(SECRET).hexdigest()


@pytest.mark.parametrize("changes", [
    {"id": "../../../x"},
    {"id": "2024-abcde-2/../../../../x"},
    {"id": "..\\..\\..\\x"},
    {"evidencia": {"nombre": "../../../../y.pdf"}},
    {"evidencia": {"nombre": "..\\..\\..\\y.pdf"}},
], ids=["id", "id-after-a-good-one", "id-backslash", "nombre", "nombre-backslash"])
def test_no_id_or_name_of_a_line_puts_a_file_outside_the_paquete(tmp_path, changes):
    """Issue 19 item 1: an id ``../../../x`` wrote ``x_acta.pdf`` outside the folder and a ``../``
    member in the zip (zip-slip)."""
    ws = _hostile(tmp_path, **changes)
    folder = _paquete(ws, tmp_path)
    assert _outside(tmp_path, folder) == []
    for name in _members(folder):
        assert ".." not in name.split("/") and "\\" not in name and not name.startswith("/"), name
    assert all(folder in p.parents for p in folder.rglob("*"))
    if "id" in changes:  # the line is left out, and verificacion.txt says which
        assert _segment_line(ws) in (folder / "verificacion.txt").read_text(encoding="utf-8")
        assert changes["id"] not in (folder / "detalle-2024-TII.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_no_evidence_path_of_a_line_packs_a_file_from_outside_the_workspace(tmp_path, where):
    """Issue 19 item 2: ``evidencia.archivo`` ``/etc/shadow`` (or ``../…``), its SHA-256 recorded, was packed."""
    secret, sha = _secret(tmp_path)
    ws_root = tmp_path / "ws"
    archivo = str(secret) if where == "absolute" else os.path.relpath(secret, ws_root)
    ws = _hostile(tmp_path, evidencia={"archivo": archivo, "sha256": sha})
    folder = _paquete(ws, tmp_path)
    assert not [p for p in folder.rglob("*") if p.is_file() and SECRET in p.read_bytes()]
    assert SECRET not in folder.with_name(folder.name + ".zip").read_bytes()
    assert _segment_line(ws) in (folder / "verificacion.txt").read_text(encoding="utf-8")


def test_the_paquete_checks_every_name_as_it_writes_it(tmp_path, monkeypatch):
    """Issue 19 item 1, in depth: were a hostile id ever let through (here the record rule's vocabulary and
    the paquete's admission are switched off), the writer still refuses a name that leaves the folder, in one sentence, writing nothing outside."""
    import re

    from pec_cli.ledger import entries

    ws = _hostile(tmp_path, id="../../../x")
    monkeypatch.setitem(entries._PATTERNS, "id", re.compile(".*"))  # the record rule's vocabulary, off too
    monkeypatch.setattr("pec_cli.ledger.reader.foreign_id", lambda owner, record: None)  # and the id's file
    monkeypatch.setattr("pec_cli.report.paquete.admit", lambda selection: (selection, []), raising=False)
    folder = tmp_path / "a" / "b" / "c" / "paquete"
    refused_in_one_sentence(pec_at(ws, "export", "paquete", "--trim", "II", "-o", str(folder)), "fuera de su carpeta")
    assert _outside(tmp_path, folder) == []


def _swap_for_link(stored: Path, secret: Path) -> None:
    stored.unlink()
    stored.symlink_to(secret)


def _swap_folder_for_link(stored: Path, secret: Path) -> None:
    elsewhere = secret.parent / "otra"
    elsewhere.mkdir()
    (elsewhere / stored.name).write_bytes(secret.read_bytes())
    for item in stored.parent.iterdir():
        item.unlink()
    stored.parent.rmdir()
    stored.parent.symlink_to(elsewhere)


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
@pytest.mark.parametrize("swap, same_sha", [
    (_swap_for_link, False), (_swap_for_link, True), (_swap_folder_for_link, True),
    (lambda stored, secret: stored.write_bytes(SECRET), False),
    (lambda stored, secret: stored.unlink(), False),
], ids=["file-link", "file-link-secret-sha", "folder-link-secret-sha", "edited", "missing"])
def test_evidence_is_packed_only_as_the_regular_file_pec_stored(tmp_path, swap, same_sha):
    """Issue 19 item 2: a stored copy swapped for a symlink to a secret (even with the secret's
    SHA-256 recorded, or the folder swapped) was packed; a changed or missing one crashed or went in.
    Now it is left out, the reason named in verificacion.txt, and the paquete still built."""
    secret, sha = _secret(tmp_path)
    ws = _hostile(tmp_path, evidencia={"sha256": sha} if same_sha else {})
    (stored,) = (ws / "evidencias" / "2024").iterdir()
    swap(stored, secret)
    folder = _paquete(ws, tmp_path)
    assert not list(folder.glob("evidencias/*"))
    assert not [p for p in folder.rglob("*") if p.is_file() and SECRET in p.read_bytes()]
    assert SECRET not in folder.with_name(folder.name + ".zip").read_bytes()
    checked = (folder / "verificacion.txt").read_text(encoding="utf-8")
    assert f"{_segment_line(ws)} evidencia no incluida en el paquete" in checked, checked
    assert "Dos" in (folder / "detalle-2024-TII.csv").read_text(encoding="utf-8-sig")  # the piece itself stays


def test_a_paquete_that_fails_midway_leaves_nothing_and_the_retry_builds_it(tmp_path, monkeypatch):
    """Issue 19 item 5: a full disk while the paquete was written left a partial folder that blocked
    the retry («no está vacía»). The disk fills at each file in turn: each time, one sentence and
    nothing left (no folder, no zip, no temporary); then the retry makes the whole paquete."""
    import errno

    ws = _hostile(tmp_path)
    out = tmp_path / "salida"
    out.mkdir()
    real_fsync = os.fsync

    def disk_full_at(call: int):
        synced: list[int] = []

        def fsync(fd: int) -> None:
            synced.append(fd)
            if len(synced) == call:
                raise OSError(errno.ENOSPC, "No space left on device")
            real_fsync(fd)

        return fsync

    for fails_at in range(1, 30):
        monkeypatch.setattr(os, "fsync", disk_full_at(fails_at))
        done = pec_at(ws, "export", "paquete", "--trim", "II", "-o", str(out / "paquete"))
        monkeypatch.setattr(os, "fsync", real_fsync)
        if done.exit_code == 0:
            break
        refused_in_one_sentence(done, "no queda espacio en el disco", "no quedó nada a medias")
        assert sorted(p.name for p in out.iterdir()) == [], fails_at
    assert done.exit_code == 0 and fails_at > 8  # every file of the folder, and the zip, failed once
    assert (out / "paquete" / "MANIFIESTO.txt").is_file() and (out / "paquete.zip").is_file()


@pytest.mark.parametrize("output", ["", ".", os.sep])
def test_a_paquete_needs_a_folder_of_its_own(tmp_path, monkeypatch, output):
    """Issue 19 item 6: ``-o ''`` filled the current folder, then ended in a ValueError traceback."""
    ws = _workspace(tmp_path)
    here = tmp_path / "vacia"
    here.mkdir()
    monkeypatch.chdir(here)
    refused_in_one_sentence(pec_at(ws, "export", "paquete", "-o", output), "-o", "carpeta nueva del paquete")
    assert list(here.iterdir()) == []


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_paquete_into_a_symlink_loop_says_so_and_into_a_link_to_an_empty_folder_goes_there(tmp_path, loop):
    ws = _workspace(tmp_path)
    refused_in_one_sentence(pec_at(ws, "export", "paquete", "-o", str(loop)), "bucle de enlaces simbólicos")
    empty = tmp_path / "vacia"
    empty.mkdir()
    link = tmp_path / "enlace"
    link.symlink_to(empty)
    done = pec_at(ws, "export", "paquete", "--trim", "II", "-o", str(link))
    assert done.exit_code == 0, done.output
    assert link.is_symlink() and (empty / "MANIFIESTO.txt").is_file() and (tmp_path / "vacia.zip").is_file()


def test_the_paquete_prints_its_folder_then_its_zip(tmp_path, monkeypatch):
    """Issue 21 item 8 (issue 19 item 9): a script gets both paths, one a line, the folder first."""
    ws = _workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    done = pec_at(ws, "export", "paquete", "--trim", "II")
    assert done.exit_code == 0, done.output
    here = tmp_path.resolve()
    assert done.stdout.splitlines() == [str(here / "paquete-2024-TII"), str(here / "paquete-2024-TII.zip")]
