"""Issue 21, «what half a year of real use still trips over»: each reading a new user stumbled on, driven like a user."""

from __future__ import annotations

import csv
import io
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


def _session_for_the_committee(root: Path) -> None:
    """A little of everything a quarter's report shows: requests (one answered), a gauge, a campaign."""
    req = _log(root, "internas", "--tipo", "solicitud", "--area", "Talento Humano", "--fecha", "2024-02-01")
    _log(root, "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-02-05")
    for day in ("2024-02-02", "2024-02-03", "2024-02-06"):
        _log(root, "internas", "--titulo", f"Boletín {day}", "--fecha", day)
    _log(root, "internas", "--titulo", "Respuesta", "--fecha", "2024-02-10", "--atiende", req)
    _log(root, "seguidores", "--red", "instagram", "--valor", "1000", "--fecha", "2024-03-01")
    _log(root, "seguidores", "--red", "instagram", "--valor", "1100", "--fecha", "2024-03-20")
    _log(root, "revista", "--titulo", "Revista 1", "--fecha", "2024-03-10")


def test_charts_and_cells_that_cannot_be_misread(tmp_path):
    """Item 7: bars from zero, no «—» after the corte, one vocabulary for nada programado, and
    «Realiz.» / «Realizadas» count what the indicator counts."""
    import zipfile

    root = _ws(tmp_path)
    _session_for_the_committee(root)
    out = tmp_path / "s.xlsx"
    assert pec(root, "export", "xlsx", "--trim", "I", "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as book:
        charts = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/charts/chart")]
    bars = [c for c in charts if "barChart" in c]
    assert bars and all(re.search(r"<(c:)?valAx>.*?<(c:)?scaling>.*?<(c:)?min val=\"0(\.0)?\"", c, re.S) for c in bars)
    html = pec(root, "export", "html", "--trim", "I", "-o", "-").stdout
    after = re.findall(r'<div class="track futuro"[^>]*></div></td><td class="n">([^<]*)</td>', html)
    assert after and not any("—" in label for label in after)  # after the corte is blank, not nada programado
    board = pec(root, "status", "--trim", "I").stdout
    campanas = next(line for line in board.splitlines() if line.startswith("  campanas"))
    assert "—/0" not in campanas and re.match(r"^  campanas\s+—\*\s+—\s", campanas), campanas
    internas = next(line for line in board.splitlines() if line.startswith("  internas"))
    assert internas.rstrip().endswith(" 1/2"), internas  # solicitudes atendidas / recibidas, not 4 publications
    seguidores = next(line for line in board.splitlines() if line.startswith("  seguidores"))
    assert not re.search(r"\d+$", seguidores.rstrip())  # not a count of measurements
    legend = _one_line(board)
    assert "internas, atendidas / recibidas (solicitud de un área)" in legend and "seguidores, su cifra es el crecimiento" in legend
    table = list(csv.reader(io.StringIO(pec(root, "export", "csv", "--trim", "I", "-o", "-").stdout.lstrip("\ufeff")),
                            delimiter=";"))
    header, rows = table[0], {r[0]: r for r in table[1:]}
    realizadas, cuenta = header.index("Realizadas"), header.index("Qué cuenta")
    assert rows["internas"][realizadas] == "1" and rows["internas"][cuenta] == "atendidas de 2 (Solicitud de un área)"
    assert rows["seguidores"][realizadas] == "" and "crecimiento por red" in rows["seguidores"][cuenta]
    assert rows["revista"][realizadas] == "1" and rows["revista"][cuenta] == "Publicación"


def test_the_writers_write_no_cell_symbol_by_hand():
    """Item 7 (and issue 20 item 4): «N/A» and «—» come from the table's cell kinds, in every writer."""
    import ast

    from .conftest import REPO

    for name in ("html", "numbers", "pendientes_view", "cuatrienio", "xlsx", "markdown", "pdf", "render"):
        tree = ast.parse((REPO / "pec_cli" / "report" / f"{name}.py").read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        literals = [n.value for n in ast.walk(tree)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]
        assert not [t for t in literals if "N/A" in t or "—" in t], name


def test_what_a_piece_answers_shows_wherever_pieces_are_listed(tmp_path):
    """Item 8: the XLSX Detalle, the HTML detail and pec list (table, json, csv) say what each piece answers."""
    root = _ws(tmp_path)
    req = _log(root, "internas", "--tipo", "solicitud", "--area", "Talento Humano", "--fecha", "2024-05-02")
    answer = _log(root, "internas", "--titulo", "Boletín: pausas activas", "--fecha", "2024-05-03", "--atiende", req)
    table = pec(root, "list", "--actividad", "internas").stdout
    assert f"atiende {req}" in _one_line(table), table
    listed = json.loads(pec(root, "list", "--format", "json").stdout)
    assert next(r for r in listed if r["id"] == answer)["atiende"] == req
    rows = list(csv.reader(io.StringIO(pec(root, "list", "--format", "csv").stdout.lstrip("\ufeff")), delimiter=";"))
    assert rows[0].index("atiende") and next(r for r in rows if r[0] == answer)[rows[0].index("atiende")] == req
    out = tmp_path / "s.xlsx"
    assert pec(root, "export", "xlsx", "--trim", "II", "-o", str(out)).exit_code == 0
    sheet = list(load_workbook(out)["Detalle"].iter_rows(values_only=True))
    header = next(r for r in sheet if r and r[0] == "Id")
    assert "Atiende" in header
    assert next(r for r in sheet if r and r[0] == answer)[header.index("Atiende")] == req
    html = pec(root, "export", "html", "--trim", "II", "-o", "-").stdout
    assert f"atiende: {req}" in html


def test_on_a_terminal_a_measurement_asks_no_tipo_and_interaccion_has_its_accent(pec, monkeypatch):
    """Item 10: «--red/--valor» mean a measurement: the tipo that requires red and valor, without asking;
    the interaction series is «interacción» to a person, in a label without nested parentheses."""
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    result = pec("log", "seguidores", "--red", "youtube", "--valor", "315", "--fecha", "2024-05-02", input="")
    assert result.exit_code == 0, result.output
    assert "Tipo" not in result.stderr, result.stderr
    assert json.loads(pec("list", "--format", "json").stdout)[0]["tipo"] == "medicion"
    asked = pec("log", "seguidores", "--fecha", "2024-05-03", input="2\ninstagram\n5200\n")
    assert asked.exit_code == 0, asked.output
    assert "2. interaccion: Medición de interacción (Me gusta)" in asked.stderr and "((" not in asked.stderr
    assert "))" not in asked.stderr
    board = " ".join(pec("status", "--trim", "II").stdout.split())
    assert "seguidores: medición de interacción (Me gusta) por red: instagram" in board
    assert "interaccion por red" not in board and "))" not in board
