"""Files written whole or not at all, and signals that leave nothing half-written (pec_cli.files)."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest

from pec_cli.files import TMP_SUFFIX, Terminated, catch_signals, shielded, write_atomic


def _debris(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(TMP_SUFFIX)]


def test_a_replaced_file_keeps_its_mode_and_a_new_one_takes_the_umask(tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_bytes(b"old")
    os.chmod(kept, 0o640)
    write_atomic(kept, b"new", b" bytes")
    assert kept.read_bytes() == b"new bytes"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.csv"
    umask = os.umask(0o022)
    try:
        write_atomic(fresh, b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    assert _debris(tmp_path) == []


def test_exclusive_never_replaces(tmp_path):
    target = tmp_path / "2025.yaml"
    write_atomic(target, b"first", exclusive=True)
    with pytest.raises(FileExistsError):
        write_atomic(target, b"second", exclusive=True)
    assert target.read_bytes() == b"first"
    assert _debris(tmp_path) == []


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, error, monkeypatch):
    target = tmp_path / "seguimiento.csv"
    target.write_bytes(b"old")
    real_fsync = os.fsync

    def failing_fsync(fd):
        real_fsync(fd)
        raise error

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(type(error)):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert _debris(tmp_path) == []


def test_shielded_defers_a_signal_to_the_end_of_the_block():
    previous = signal.getsignal(signal.SIGTERM)
    try:
        catch_signals()
        done = []
        with pytest.raises(Terminated) as raised:
            with shielded():
                os.kill(os.getpid(), signal.SIGTERM)
                done.append("the block ended")
        assert done == ["the block ended"]
        assert raised.value.signum == signal.SIGTERM
        with pytest.raises(Terminated):  # outside a shield it interrupts at once
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pause() if hasattr(signal, "pause") else None
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize("code", ["ELOOP", "ENXIO", "EINVAL", "ENODEV", "EOPNOTSUPP"])
def test_an_operating_system_error_is_never_said_in_english(code):
    import errno

    from pec_cli.errors import reason

    number = getattr(errno, code)
    said = reason(OSError(number, os.strerror(number)))
    assert os.strerror(number) not in said and said
    assert said == f"error del sistema {code}" or " " in said  # a Spanish phrase, or the code itself
