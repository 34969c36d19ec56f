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
