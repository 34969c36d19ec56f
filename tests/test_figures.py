"""Issue 9: figures a committee can defend, on the data a real office types (driven like a user)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NETWORKS = ("instagram", "twitter", "tiktok", "facebook", "youtube")


def ok(result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.output)
    return result.stdout


def log_gauge(pec, fecha: str, values: dict[str, int]) -> None:
    for red, valor in values.items():
        ok(pec("log", "seguidores", "--fecha", fecha, "--red", red, "--valor", str(valor)))


# ---------------------------------------------------------------- 1. followers, per network


@pytest.fixture
def gauge_ws(pec, ws: Path) -> Path:
    """Instagram 5000 -> 6750 (500 % of its 350 to June), twitter 5000 -> 4000, three flat."""
    log_gauge(pec, "2024-03-01", dict.fromkeys(NETWORKS, 5000))
    log_gauge(pec, "2024-06-30", {"instagram": 6750, "twitter": 4000, "tiktok": 5000, "facebook": 5000, "youtube": 5000})
    return ws


def test_status_clamps_each_network_and_shows_the_unclamped_detail(pec, gauge_ws):
    doc = json.loads(ok(pec("status", "--trim", "II", "--format", "json")))
    seg = next(a for a in doc["actividades"] if a["id"] == "seguidores")
    series = seg["acumulado"]["series"]
    assert series["instagram"]["cumplimiento"] == 500.0 and series["instagram"]["cumplimiento_acotado"] == 100.0
    assert series["twitter"]["cumplimiento"] == pytest.approx(-285.71) and series["twitter"]["cumplimiento_acotado"] == 0.0
    assert seg["acumulado"]["cumplimiento"] == 20.0 and seg["acumulado"]["semaforo"] == "rojo"
    board = " ".join(ok(pec("status", "--trim", "II", env={"COLUMNS": "100", "NO_COLOR": "1"})).split())
    assert "instagram 500,0 %" in board and "twitter -285,7 %" in board


@pytest.mark.parametrize("fmt", ["csv", "markdown", "html", "xlsx"])
def test_every_export_shows_the_unclamped_figure_per_network(pec, gauge_ws, tmp_path, fmt):
    out = tmp_path / f"seguimiento.{fmt}"
    ok(pec("export", fmt, "--trim", "II", "-o", str(out)))
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(out)["Seguimiento"]
        text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    else:
        text = out.read_text(encoding="utf-8-sig")
    assert "instagram 500,0 %" in text and "twitter -285,7 %" in text
