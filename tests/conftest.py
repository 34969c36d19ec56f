"""Shared fixtures: every test works in its own temporary workspace."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pec_cli.cli import app
from pec_cli.workspace import init_workspace

TODAY = "2024-07-15"  # "today" in every test: mid-July 2024, Trim. III of the shipped plan
JULY_TODAY = __import__("datetime").date(2024, 7, 15)
REPO = Path(__file__).resolve().parent.parent
RUNNER = CliRunner()


def pec_at(root: Path | None, *args: str, env: dict[str, str | None] | None = None):
    """The one way tests run pec: ``pec ARGS --root ROOT`` as a user would, today being TODAY,
    with no colour unless ``env`` says otherwise; the CliRunner result."""
    full = list(args)
    if root is not None:  # before a "--" that ends the options
        at = full.index("--") if "--" in full else len(full)
        full[at:at] = ["--root", str(root)]
    environment: dict[str, str | None] = {"PEC_HOY": TODAY, "PEC_ROOT": None, "NO_COLOR": "1", **(env or {})}
    return RUNNER.invoke(app, full, env=environment, catch_exceptions=False)


def set_writer(ws: Path, writer: str) -> None:
    """Make ``writer`` the writer id of ``ws`` as pec itself would: the id and the host and folder it is for."""
    import socket

    (ws / ".pec").mkdir(exist_ok=True)
    (ws / ".pec" / "escritor-origen").write_text(f"{socket.gethostname()}\t{ws.resolve()}\n", encoding="utf-8")
    (ws / ".pec" / "escritor").write_text(f"{writer}\n", encoding="ascii")


NOMBRE = "Ana Prueba"  # who registers through the ``pec`` fixture


@pytest.fixture(autouse=True)
def _nobody_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Who registers comes from what a test gives, never from the machine: no PEC_NOMBRE of the shell,
    no git user.name of its global or system configuration."""
    monkeypatch.delenv("PEC_NOMBRE", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A fresh workspace with the bundled 2024 plan."""
    return init_workspace(tmp_path / "ws")


@pytest.fixture
def pec(ws: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """Run ``pec ARGS`` in the workspace the way a user would, today being TODAY, registering as NOMBRE."""
    monkeypatch.chdir(ws)
    monkeypatch.delenv("PEC_ROOT", raising=False)
    monkeypatch.setenv("PEC_HOY", TODAY)
    monkeypatch.setenv("PEC_NOMBRE", NOMBRE)

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return RUNNER.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    return run


@pytest.fixture
def status_json(pec) -> Callable[[str], dict]:
    def get(trim: str = "II") -> dict:
        result = pec("status", "--trim", trim, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return get


def link_target(cell) -> str:
    """A workbook cell's hyperlink as a path relative to the workbook, read as a spreadsheet app reads it:
    Windows separators (XlsxWriter writes those) and %-escapes decoded."""
    from urllib.parse import unquote

    return unquote(cell.hyperlink.target.replace("\\", "/"))


def unbordered(sheet, first_row: int, last_row: int, columns: int) -> list[str]:
    """The cells of a workbook grid's rows that show no border: neither their own style's nor a sheet-wide
    conditional rule's (pec leaves a grid's empty cells unwritten and borders the whole grid by one rule)."""
    from openpyxl.worksheet.cell_range import CellRange

    ruled = [CellRange(str(r)) for cf in sheet.conditional_formatting for rule in cf.rules
             if rule.formula == ["TRUE"] and rule.dxf is not None and rule.dxf.border is not None
             and rule.dxf.border.left.style == "thin" for r in cf.sqref.ranges]
    return [cell.coordinate for line in sheet.iter_rows(min_row=first_row, max_row=last_row, max_col=columns)
            for cell in line
            if cell.border.left.style != "thin" and not any(cell.coordinate in r for r in ruled)]
