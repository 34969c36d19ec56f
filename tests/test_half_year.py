"""Issue 21, «what half a year of real use still trips over»: each reading a new user stumbled on, driven like a user."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .conftest import pec_at as pec


def _ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert pec(None, "init", str(root)).exit_code == 0
    return root


def _log(root: Path, *args: str) -> str:
    result = pec(root, "log", *args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_network_says_its_denominator_in_every_format(tmp_path):
    """Item 5: «instagram 154,3 %» is against what was programmed to the corte; the annual meta beside it."""
    root = _ws(tmp_path)
    _log(root, "seguidores", "--red", "instagram", "--valor", "10000", "--fecha", "2024-03-01")
    _log(root, "seguidores", "--red", "instagram", "--valor", "10540", "--fecha", "2024-06-15")
    said = "instagram 154,3 % de lo programado al corte (540 de 350); 77,1 % de la meta anual (700)"
    assert said in _one_line(pec(root, "status", "--trim", "II").stdout)
    assert said in _one_line(pec(root, "export", "markdown", "--trim", "II", "-o", "-").stdout)
    assert said in pec(root, "export", "csv", "--trim", "II", "-o", "-").stdout
    doc = json.loads(pec(root, "status", "--trim", "II", "--format", "json").stdout)
    instagram = next(a for a in doc["actividades"] if a["id"] == "seguidores")["acumulado"]["series"]["instagram"]
    assert instagram["cumplimiento"] == 154.29 and instagram["meta"] == 350.0  # kept
    assert instagram["cumplimiento_anual"] == 77.14 and instagram["meta_anual"] == 700
    out = tmp_path / "s.xlsx"
    assert pec(root, "export", "xlsx", "--trim", "II", "-o", str(out)).exit_code == 0
    rows = list(load_workbook(out)["Redes"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Actividad")
    row = dict(zip(header, next(r for r in rows if r and r[2] == "Instagram"), strict=True))
    assert row["Meta a la fecha"] == 350 and row["% sin tope"] == pytest.approx(540 / 350, abs=1e-4)  # against what was programmed to the corte
    assert row["% de la meta anual"] == pytest.approx(540 / 700, abs=1e-4)
    html = pec(root, "export", "html", "--trim", "II", "-o", "-").stdout
    assert "% de la meta anual" in html and "77,14 %" in html and "frente a lo programado al corte" in html
    due = _one_line(pec(root, "pendientes", "--fecha", "2024-06-20").stdout)
    assert re.search(r"instagram: \+540 de 700 \(77,1 % de la meta anual; 154,3 % de lo programado al Trim\. II, 350\)",
                     due), due


def test_the_pace_of_a_calendar_follows_its_months(tmp_path):
    """Item 6: in July, with the April and June campaigns done, campañas is on pace: September is next."""
    root = _ws(tmp_path)
    _log(root, "campanas", "--titulo", "Campaña de abril", "--fecha", "2024-04-22")
    _log(root, "campanas", "--titulo", "Campaña de junio", "--fecha", "2024-06-20")
    doc = json.loads(pec(root, "pendientes", "--fecha", "2024-07-15", "--format", "json").stdout)
    ritmo = next(a for a in doc["actividades"] if a["id"] == "campanas")["ritmo"]
    assert ritmo == {"esperadas": 2, "realizadas": 2, "diferencia": 0, "estado": "al día"}
    assert "atrasado" not in next(line for line in pec(root, "pendientes", "--fecha", "2024-07-15").stdout.splitlines()
                                  if "ritmo" in line and "2 de 2" in line)
    doc = json.loads(pec(root, "pendientes", "--fecha", "2024-06-19", "--format", "json").stdout)
    ritmo = next(a for a in doc["actividades"] if a["id"] == "campanas")["ritmo"]  # June's is due by 30 June
    assert ritmo["esperadas"] == 1 and ritmo["estado"] == "al día"


def test_a_week_mostly_outside_the_window_is_no_gap(tmp_path):
    """Item 6: noti's window starts on Friday 1 March: 1-3 March is not a week «sin pieza»."""
    root = _ws(tmp_path)
    _log(root, "noti", "--titulo", "Noti 1", "--fecha", "2024-03-05")
    doc = json.loads(pec(root, "pendientes", "--fecha", "2024-03-20", "--format", "json").stdout)
    cadencia = next(a for a in doc["actividades"] if a["id"] == "noti")["cadencia"]
    assert cadencia["sin_pieza"] == [{"desde": "2024-03-11", "hasta": "2024-03-17"}]
