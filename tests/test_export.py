"""`pec export`: the committee pack (CSV, XLSX, Markdown, JSON, HTML), driven like a user.

Every test builds its own workspace with `pec init` in tmp_path and passes
`--root`, with today pinned to 2024-07-15 (PEC_HOY). The numbers of every
export are checked against `pec status --format json`, the one source of truth.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pec_cli.cli import app

TODAY = "2024-07-15"
GOLDEN = Path(__file__).parent / "golden"
RUNNER = CliRunner()
EVIDENCE_BYTES = b"%PDF-1.4 acta de publicacion de la revista 1\n"

# A fixed ledger: the worked example of SPEC §3 for revista (one in March, three
# in April-June), a voided piece, demand activities, a gauge, campaigns and notes.
LEDGER = [
    ("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista 1", "--canal", "web"),  # + evidence
    ("log", "revista", "--fecha", "2024-04-10", "--titulo", "Revista 2", "--url", "https://www.uspec.gov.co/r2"),
    ("log", "revista", "--fecha", "2024-05-10", "--titulo", "Revista 3 <especial> & más"),
    ("log", "revista", "--fecha", "2024-06-10", "--titulo", "Revista 4"),
    ("log", "noti", "--fecha", "2024-03-08", "--titulo", "Noti 1"),
    ("log", "noti", "--fecha", "2024-04-05", "--titulo", "Noti 2"),
    ("log", "noti", "--fecha", "2024-05-03", "--titulo", "Noti 3"),
    ("log", "capsulas", "--fecha", "2024-04-20", "--titulo", "Cápsula 1"),
    ("log", "internas", "--tipo", "solicitud", "--fecha", "2024-02-01", "--area", "Talento Humano"),
    ("log", "internas", "--fecha", "2024-02-03", "--titulo", "Boletín febrero"),
    ("log", "internas", "--tipo", "solicitud", "--fecha", "2024-05-01", "--area", "Jurídica"),
    ("log", "internas", "--tipo", "solicitud", "--fecha", "2024-05-02", "--area", "Planeación"),
    ("log", "internas", "--fecha", "2024-05-03", "--titulo", "Pantallas"),
    ("log", "campanas", "--fecha", "2024-04-25", "--titulo", "Campaña de pertenencia"),
    ("log", "externas", "--fecha", "2024-03-05", "--titulo", "Externa 1", "--canal", "Instagram"),
    ("log", "externas", "--fecha", "2024-04-02", "--titulo", "Externa 2"),
    ("log", "externas", "--fecha", "2024-06-18", "--titulo", "Externa 3"),
    ("log", "seguidores", "--fecha", "2024-03-01", "--red", "instagram", "--valor", "12000"),
    ("log", "seguidores", "--fecha", "2024-03-01", "--red", "facebook", "--valor", "8000"),
    ("log", "seguidores", "--fecha", "2024-06-30", "--red", "instagram", "--valor", "12350"),
    ("log", "seguidores", "--fecha", "2024-06-30", "--red", "facebook", "--valor", "8140"),
    ("log", "eventos", "--tipo", "evento", "--fecha", "2024-02-15", "--titulo", "Rendición de cuentas"),
    ("log", "eventos", "--tipo", "publicacion", "--fecha", "2024-02-16", "--titulo", "Nota rendición"),
    ("log", "eventos", "--tipo", "evento", "--fecha", "2024-05-15", "--titulo", "Entrega de obra"),
    ("note", "revista", "--trim", "II", "La imprenta atrasó la revista 3; se publicó en mayo."),
    ("note", "campanas", "--trim", "II", "Segunda campaña aplazada a julio."),
]


def pec(root: Path | None, *args: str, env: dict[str, str | None] | None = None):
    """`pec ARGS --root ROOT` as a user runs it, today being TODAY."""
    full = list(args)
    if root is not None:  # before a "--" that ends the options
        at = full.index("--") if "--" in full else len(full)
        full[at:at] = ["--root", str(root)]
    environment: dict[str, str | None] = {"PEC_HOY": TODAY, "PEC_ROOT": None, "NO_COLOR": "1", **(env or {})}
    return RUNNER.invoke(app, full, env=environment, catch_exceptions=False)


def ok(result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.output)
    return result.stdout


def make_workspace(folder: Path) -> Path:
    ok(pec(None, "init", str(folder)))
    return folder


@pytest.fixture
def ledger_ws(tmp_path: Path) -> Path:
    """A workspace holding LEDGER, a voided duplicate and one evidence file."""
    root = make_workspace(tmp_path / "ws")
    evidence = tmp_path / "acta revista 1.pdf"
    evidence.write_bytes(EVIDENCE_BYTES)
    for n, args in enumerate(LEDGER):
        extra = ("--evidencia", str(evidence)) if n == 0 else ()
        ok(pec(root, *args, *extra))
    duplicate = ok(pec(root, "log", "revista", "--fecha", "2024-06-12", "--titulo", "Revista 4 (duplicada)")).strip()
    ok(pec(root, "void", duplicate, "--motivo", "Registrada dos veces"))
    return root


def status(root: Path, trim: str = "II") -> dict:
    return json.loads(ok(pec(root, "status", "--trim", trim, "--format", "json")))


def export(root: Path, out: Path, fmt: str, *args: str) -> Path:
    printed = ok(pec(root, "export", fmt, *args, "-o", str(out))).strip()
    assert Path(printed) == out.resolve()
    return out


# ---------------------------------------------------------------- what the committee sees, per format


def expected_rows(doc: dict) -> list[dict]:
    """The Seguimiento rows read straight from the status document: a line, then its activities."""
    by_id = {a["id"]: a for a in doc["actividades"]}
    rows = []
    for line in doc["lineas"]:
        for item in [line, *[by_id[a] for a in line["actividades"]]]:
            trims = item["trimestres"]
            rows.append({
                "id": item["id"],
                "trimestres": [trims[q]["logrado"] if q in trims else None for q in ("I", "II", "III", "IV")],
                "acumulado": item["acumulado"]["logrado"],
                "programado": item["acumulado"]["programado"],
                "semaforo": item["acumulado"]["semaforo"] or "sin meta",
            })
    return rows


def assert_same_rows(found: list[dict], doc: dict, where: str) -> None:
    want = expected_rows(doc)
    assert [r["id"] for r in found] == [r["id"] for r in want], where
    for got, exp in zip(found, want, strict=True):
        for key in ("trimestres", "acumulado", "programado"):
            g, e = got[key], exp[key]
            if isinstance(e, list):
                assert len(g) == len(e), (where, exp["id"], key)
                for a, b in zip(g, e, strict=True):
                    assert (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 0.005), (where, exp["id"], key, g, e)
            else:
                assert (g is None and e is None) or (g is not None and e is not None and abs(g - e) < 0.005), (where, exp["id"], key, g, e)
        assert got["semaforo"].lower() == exp["semaforo"], (where, exp["id"])


def spanish_number(text: str) -> float | None:
    """'40,00 %' / '40,00' / '40.00' -> 40.0; 'N/A' or '' -> None."""
    text = text.replace("%", "").strip()
    if text in ("", "N/A"):
        return None
    return float(text.replace(",", "."))


def csv_rows(path: Path, separator: str = ";") -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def rows_from_table(table: list[list[str]]) -> list[dict]:
    """Seguimiento rows from header + cells as text (CSV, Markdown, HTML)."""
    header, *body = table
    col = {name: i for i, name in enumerate(header)}
    return [
        {
            "id": cells[col["id"]],
            "trimestres": [spanish_number(cells[col[f"Trim. {q}"]]) for q in ("I", "II", "III", "IV")],
            "acumulado": spanish_number(cells[col["Acumulado"]]),
            "programado": spanish_number(cells[col["Programado acumulado"]]),
            "semaforo": cells[col["Semáforo"]],
        }
        for cells in body
    ]


def xlsx_rows(path: Path) -> tuple[list[dict], object]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Seguimiento"]
    header_row = next(r for r in range(1, 30) if ws.cell(row=r, column=1).value == "id")
    header = [c.value for c in ws[header_row]]
    col = {name: i for i, name in enumerate(header)}

    def pct(value) -> float | None:
        if value is None or value == "N/A":
            return None
        assert isinstance(value, float | int), value
        return value * 100

    rows = []
    for cells in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if cells[0] is None:
            break
        rows.append({
            "id": cells[col["id"]],
            "trimestres": [pct(cells[col[f"Trim. {q}"]]) for q in ("I", "II", "III", "IV")],
            "acumulado": pct(cells[col["Acumulado"]]),
            "programado": pct(cells[col["Programado acumulado"]]),
            "semaforo": cells[col["Semáforo"]],
        })
    return rows, wb


def markdown_rows(path: Path) -> list[dict]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("|")]
    table = [[c.strip().strip("*") for c in ln.strip("|").split("|")] for ln in lines]
    return rows_from_table([table[0], *table[2:]])  # skip the |---| separator


class _TableText(HTMLParser):
    """The text of each cell of the first <table class="seg">."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "seg") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif self._in_table and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_rows(path: Path) -> list[dict]:
    parser = _TableText()
    parser.feed(path.read_text(encoding="utf-8"))
    return rows_from_table(parser.rows)


# ---------------------------------------------------------------- tests


def test_without_o_a_named_file_lands_in_the_current_folder(ledger_ws, tmp_path, monkeypatch):
    out = tmp_path / "comite"
    out.mkdir()
    monkeypatch.chdir(out)
    names = {
        ("csv", "--trim", "II"): "seguimiento-2024-TII.csv",
        ("xlsx", "--trim", "2"): "seguimiento-2024-TII.xlsx",
        ("markdown", "--trim", "II"): "seguimiento-2024-TII.md",
        ("json", "--trim", "II"): "seguimiento-2024-TII.json",
        ("html", "--trim", "II"): "seguimiento-2024-TII.html",
        ("csv",): "seguimiento-2024-TIII.csv",  # no --trim: today's quarter, as `pec status`
        ("csv", "--detalle", "--trim", "II"): "detalle-2024-TII.csv",
        ("xlsx", "--detalle"): "detalle-2024.xlsx",  # every entry of the vigencia
    }
    for args, name in names.items():
        printed = ok(pec(ledger_ws, "export", *args))
        assert printed == f"{out / name}\n", args
        assert (out / name).stat().st_size > 0
    assert sorted(p.name for p in out.iterdir()) == sorted(names.values())
    assert "Trim. III" in (out / "seguimiento-2024-TIII.csv").read_text(encoding="utf-8-sig")


def test_dash_o_writes_to_stdout(ledger_ws):
    printed = ok(pec(ledger_ws, "export", "json", "--trim", "II", "-o", "-"))
    assert json.loads(printed) == status(ledger_ws, "II")


def test_csv_is_excel_es_co(ledger_ws, tmp_path):
    out = export(ledger_ws, tmp_path / "t.csv", "csv", "--trim", "II")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    assert b"\r\n" in data
    rows = csv_rows(out)
    assert rows[0] == [
        "id", "Planes - Proyectos / Actividades", "Indicador", "Meta % 2024", "Trim. I", "Trim. II", "Trim. III",
        "Trim. IV", "Acumulado", "Programado acumulado", "Semáforo", "Observaciones",
    ]
    revista = next(r for r in rows if r[:2] == ["revista", "Revista Gestión USPEC"])
    # SPEC §3 worked example: 10 of 25, 25 of 25, acumulado 40 of 50, amarillo
    assert revista[3:11] == ["100,00", "10,00", "25,00", "", "", "40,00", "50,00", "amarillo"]
    assert revista[11] == "Trim. II: La imprenta atrasó la revista 3; se publicó en mayo."
    campanas = next(r for r in rows if r[0] == "campanas")
    assert campanas[4] == "N/A"  # nothing programmed in Trim. I: no aplica, not zero
    # the detail: numbers without thousands separators, decimal comma
    detail = csv_rows(export(ledger_ws, tmp_path / "d.csv", "csv", "--detalle"))
    assert "12000" in [r[9] for r in detail] and "12350" in [r[9] for r in detail]
    us = csv_rows(export(ledger_ws, tmp_path / "us.csv", "csv", "--trim", "II", "--separador", ",", "--decimal", "."), ",")
    revista_us = next(r for r in us if r[:2] == ["revista", "Revista Gestión USPEC"])
    assert revista_us[3:11] == ["100.00", "10.00", "25.00", "", "", "40.00", "50.00", "amarillo"]


def test_detalle_lists_entries_with_evidence_and_sha256(ledger_ws, tmp_path):
    sha = hashlib.sha256(EVIDENCE_BYTES).hexdigest()
    rows = json.loads(export(ledger_ws, tmp_path / "d.json", "json", "--detalle", "--trim", "I").read_text())
    assert all("2024-01-01" <= r["fecha"] <= "2024-03-31" for r in rows)
    first = next(r for r in rows if r["titulo"] == "Revista 1")
    assert first["evidencia_sha256"] == sha
    assert (ledger_ws / first["evidencia"]).read_bytes() == EVIDENCE_BYTES
    everything = json.loads(export(ledger_ws, tmp_path / "all.json", "json", "--detalle").read_text())
    states = {r["titulo"]: r["estado"] for r in everything if r["actividad"] == "revista"}
    assert states["Revista 4 (duplicada)"] == "anulada" and states["Revista 4"] == "vigente"
    md = export(ledger_ws, tmp_path / "d.md", "markdown", "--detalle").read_text()
    assert sha in md and "Revista 3 <especial> & más" in md


def test_xlsx_holds_the_status_numbers(ledger_ws, tmp_path):
    from openpyxl.utils import get_column_letter

    doc = status(ledger_ws, "II")
    (tmp_path / "comite").mkdir()  # elsewhere than the workspace: links must still reach the evidence
    out = export(ledger_ws, tmp_path / "comite" / "pack.xlsx", "xlsx", "--trim", "II")
    rows, wb = xlsx_rows(out)
    assert_same_rows(rows, doc, "xlsx")
    sheet = wb["Seguimiento"]
    titles = [sheet.cell(row=r, column=c).value for r in range(1, 9) for c in (1, 2)]
    assert "Unidad de Servicios Penitenciarios y Carcelarios (USPEC)" in titles
    assert "Plan Estratégico de Comunicaciones 2024 · versión 1" in titles
    assert titles[titles.index("Trimestre") + 1] == "II"
    assert titles[titles.index("Vigencia") + 1] == 2024
    assert str(titles[titles.index("Corte") + 1])[:10] == doc["corte"]
    header_row = next(r for r in range(1, 30) if sheet.cell(row=r, column=1).value == "id")
    assert sheet.freeze_panes == f"C{header_row + 1}"
    by_key = {}
    for r in range(header_row + 1, sheet.max_row + 1):
        by_key[(sheet.cell(row=r, column=1).value, sheet.cell(row=r, column=2).value)] = r
    line = by_key[("linea_revista", "1. Revista Gestión USPEC")]
    act = by_key[("revista", "Revista Gestión USPEC")]
    assert sheet.cell(row=line, column=2).font.b and not sheet.cell(row=act, column=2).font.b
    trim_ii = sheet.cell(row=act, column=6)
    assert trim_ii.value == 0.25 and trim_ii.number_format == "0.00%" and trim_ii.data_type == "n"
    assert sheet.cell(row=act, column=9).value == pytest.approx(0.4)
    fills = {sheet.cell(row=r, column=11).value: sheet.cell(row=r, column=11).fill.fgColor.rgb[-6:] for r in by_key.values()}
    assert fills["amarillo"] == "FFEB9C" and fills["rojo"] == "FFC7CE"
    assert all(sheet.column_dimensions[get_column_letter(c)].width >= 8 for c in range(1, 13))
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["E"].width

    detail = wb["Detalle"]
    head_row = next(r for r in range(1, 30) if detail.cell(row=r, column=1).value == "Id")
    head = [c.value for c in detail[head_row]]
    entries = [dict(zip(head, cells, strict=True)) for cells in detail.iter_rows(min_row=head_row + 1)]
    revista1 = next(e for e in entries if e["Título"].value == "Revista 1")
    evidence = revista1["Evidencia"]
    assert evidence.hyperlink is not None
    # the link is relative to the workbook's folder and reaches the stored file
    assert (out.parent / evidence.hyperlink.target).resolve().read_bytes() == EVIDENCE_BYTES
    assert revista1["SHA-256"].value == hashlib.sha256(EVIDENCE_BYTES).hexdigest()
    seguidores = [e for e in entries if e["Actividad"].value == "seguidores"]
    assert sorted(e["Valor"].value for e in seguidores) == [8000, 8140, 12000, 12350]
    assert all(e["Valor"].data_type == "n" for e in seguidores)
    # one truth: the vigente pieces listed are the ones the status counts
    for act_doc in doc["actividades"]:
        for tipo, count in act_doc["acumulado"]["por_tipo"].items():
            listed = sum(1 for e in entries if e["Actividad"].value == act_doc["id"] and e["Tipo"].value == tipo
                         and e["Estado"].value == "vigente")
            assert listed == count, (act_doc["id"], tipo)
    assert {e["Estado"].value for e in entries if e["Título"].value == "Revista 4 (duplicada)"} == {"anulada"}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) no está instalado")
def test_xlsx_converts_to_pdf_with_libreoffice(ledger_ws, tmp_path):
    out = export(ledger_ws, tmp_path / "pack.xlsx", "xlsx", "--trim", "II")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / "pack.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Revista Gestión USPEC" in text and "Detalle de piezas y evidencias" in text
        assert re.search(r"40[.,]00\s?%", text)


def test_markdown_and_json(ledger_ws, tmp_path):
    doc = status(ledger_ws, "II")
    exported = json.loads(export(ledger_ws, tmp_path / "s.json", "json", "--trim", "II").read_text(encoding="utf-8"))
    assert exported == doc
    md = export(ledger_ws, tmp_path / "s.md", "markdown", "--trim", "II").read_text(encoding="utf-8")
    assert md.startswith("# Seguimiento Plan Estratégico de Comunicaciones 2024: Trim. II (corte 2024-06-30)")
    assert_same_rows(markdown_rows(tmp_path / "s.md"), doc, "markdown")


def test_html_is_one_self_contained_escaped_file(ledger_ws, tmp_path):
    (tmp_path / "comite").mkdir()
    out = export(ledger_ws, tmp_path / "comite" / "s.html", "html", "--trim", "II")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="es">' in text
    # nothing to fetch, nothing to run
    assert "<script" not in text.lower() and "<link" not in text.lower() and "@import" not in text
    assert not re.search(r"""\s(src)=""", text) and "url(" not in text
    assert re.search(r"@page\s*\{\s*size:\s*A4", text) and "@media print" in text
    # every text escaped
    assert "Revista 3 &lt;especial&gt; &amp; más" in text and "<especial>" not in text
    # title block, semáforo, curves, observaciones, evidence
    for fact in ("Unidad de Servicios Penitenciarios y Carcelarios (USPEC)", "Trim. II", "2024-06-30",
                 "Amarillo", "Curva acumulada", "La imprenta atrasó la revista 3; se publicó en mayo."):
        assert fact in text, fact
    assert text.count("<svg") == 4 + 8  # a cumulative curve per line and per activity
    sha = hashlib.sha256(EVIDENCE_BYTES).hexdigest()
    assert sha[:16] in text and sha in text  # shown short, full in the tooltip
    href = re.search(r'<a href="([^"]+)">acta revista 1\.pdf</a>', text).group(1)
    assert not href.startswith(("/", "file:", "http")) and (out.parent / href).resolve().read_bytes() == EVIDENCE_BYTES
    assert '<a href="https://www.uspec.gov.co/r2">' in text
    assert_same_rows(html_rows(out), status(ledger_ws, "II"), "html")


def test_every_format_agrees_with_status_to_the_hundredth(ledger_ws, tmp_path):
    for trim in ("I", "II", "III"):
        doc = status(ledger_ws, trim)
        folder = tmp_path / trim
        folder.mkdir()
        files = {fmt: export(ledger_ws, folder / f"s.{fmt}", fmt, "--trim", trim) for fmt in ("csv", "xlsx", "markdown", "json", "html")}
        assert json.loads(files["json"].read_text(encoding="utf-8")) == doc
        assert_same_rows(rows_from_table(csv_rows(files["csv"])), doc, f"csv {trim}")
        assert_same_rows(xlsx_rows(files["xlsx"])[0], doc, f"xlsx {trim}")
        assert_same_rows(markdown_rows(files["markdown"]), doc, f"markdown {trim}")
        assert_same_rows(html_rows(files["html"]), doc, f"html {trim}")


# ---------------------------------------------------------------- golden file


def test_golden_seguimiento_csv(ledger_ws, tmp_path):
    """The CSV the committee opens, byte for byte, for the fixed LEDGER at Trim. II.

    A difference is a change in what the committee sees: review it. To accept
    it on purpose, regenerate the file and review its diff before committing:

        PEC_REGENERATE_GOLDEN=1 python -m pytest tests/test_export.py -k golden
        git diff tests/golden/seguimiento.csv
    """
    out = export(ledger_ws, tmp_path / "seguimiento.csv", "csv", "--trim", "II")
    golden = GOLDEN / "seguimiento.csv"
    if os.environ.get("PEC_REGENERATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(out.read_bytes())
    assert out.read_bytes() == golden.read_bytes(), "the committee CSV changed: see this test's docstring"


def test_golden_status_board(ledger_ws):
    """The board `pec status --trim II` prints at 80 columns without colour, byte for byte.

    Regenerate on purpose, then review the diff:

        PEC_REGENERATE_GOLDEN=1 python -m pytest tests/test_export.py -k golden
        git diff tests/golden/status-TII.txt
    """
    board = ok(pec(ledger_ws, "status", "--trim", "II", env={"COLUMNS": "80"}))
    golden = GOLDEN / "status-TII.txt"
    if os.environ.get("PEC_REGENERATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(board, encoding="utf-8")
    assert board == golden.read_text(encoding="utf-8"), "the status board changed: see this test's docstring"


# ---------------------------------------------------------------- safety


PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", PREFIXES[:4], ids=["igual", "mas", "menos", "arroba"])
def test_no_exported_cell_runs_as_a_formula(tmp_path, prefix, fmt):
    # (a tab or carriage return cannot reach a cell: no reader accepts a ledger line with a
    # control character, see test_ledger.test_control_characters_never_leave_the_ledger)
    root = make_workspace(tmp_path / "ws")
    payload = prefix + 'cmd|" /C calc"!A0'
    ok(pec(root, "log", "revista", "--fecha", "2024-04-10", f"--titulo={payload}", f"--canal={payload}", f"--nota={payload}"))
    ok(pec(root, "note", "revista", "--trim", "II", "--", payload))
    ok(pec(root, "log", "revista", "--fecha", "2024-05-10", "--titulo=-5"))
    table = export(root, tmp_path / f"t.{fmt}", fmt, "--trim", "II")
    detail = export(root, tmp_path / f"d.{fmt}", fmt, "--detalle", "--trim", "II")
    if fmt == "csv":
        cells = [c for path in (table, detail) for row in csv_rows(path) for c in row]
        numbers = [c for row in csv_rows(table)[1:] for c in row[3:10]]
    else:
        from openpyxl import load_workbook

        books = [load_workbook(table), load_workbook(detail)]
        all_cells = [c for wb in books for sheet in wb for row in sheet.iter_rows() for c in row if c.value is not None]
        assert all(c.data_type != "f" for c in all_cells)
        cells = [c.value for c in all_cells if isinstance(c.value, str)]
        numbers = [c.value for c in all_cells if c.data_type == "n"]
    # (XML reads a carriage return back as a line feed: in xlsx a leading "\n" is a CR that got through)
    starts = (*PREFIXES, "\n") if fmt == "xlsx" else tuple(PREFIXES)
    assert not [c for c in cells if c.startswith(starts)], "a cell starts like a formula"
    if fmt == "xlsx":
        cells = [c.replace("\r", "\n") for c in cells]
        payload = payload.replace("\r", "\n")
    neutralised = [c for c in cells if c == "'" + payload]
    # título, canal and nota of the detail (twice in xlsx: the table's workbook has a Detalle
    # sheet too); the observación cell starts with "Trim. II: "
    assert len(neutralised) == (3 if fmt == "csv" else 6)
    assert "'-5" in cells  # a text that looks like a number is still text
    assert numbers and all(not isinstance(n, str) or re.fullmatch(r"-?\d+(,\d+)?|N/A|", n) for n in numbers)


def test_bad_requests_are_refused_in_spanish(ledger_ws, tmp_path):
    for args, words in [
        (("export", "pdf"), "El formato «pdf» no existe"),
        (("export", "csv", "--trim", "V"), "El trimestre «V» no existe"),
        (("export", "csv", "--separador", "|"), "El separador «|» no sirve"),
        (("export", "csv", "--separador", ",", "--decimal", ","), "no pueden ser iguales"),
        (("export", "xlsx", "-o", str(tmp_path)), "es una carpeta"),
    ]:
        result = pec(ledger_ws, *args)
        assert result.exit_code != 0 and words in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".*.tmp"))


# ---------------------------------------------------------------- headless Chromium


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes], int]:
    """A minimal PNG decoder (8-bit RGB/RGBA, no interlace): width, height, rows, bytes per pixel."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 0xFF
        elif kind == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


CHROMIUM = shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None


@pytest.mark.skipif(not CHROMIUM, reason="Chromium no está instalado")
def test_html_renders_in_headless_chromium(ledger_ws, tmp_path):
    page = export(ledger_ws, tmp_path / "s.html", "html", "--trim", "II")
    shot = tmp_path / "s.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium'}", f"--screenshot={shot}", "--window-size=1200,1600",
         page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    width, height, rows, bpp = _png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    ink = navy = red = 0
    for row in rows[::2]:
        for x in range(0, width * bpp, bpp * 2):
            r, g, b = row[x], row[x + 1], row[x + 2]
            if r < 200 or g < 200 or b < 200:
                ink += 1
            if abs(r - 0x1F) < 12 and abs(g - 0x4E) < 12 and abs(b - 0x79) < 12:
                navy += 1  # the title block and table headers: the CSS was applied
            if r > 150 and g < 80 and b < 80:
                red += 1  # a rojo semáforo or curve
    sampled = (height // 2) * (width // 2)
    assert ink > sampled * 0.05, "the page looks blank"
    assert navy > sampled * 0.02 and red > 50
