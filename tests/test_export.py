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
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pec_cli.plan.loader import load_plan

from .conftest import REPO, TODAY, link_target, unbordered
from .conftest import pec_at as pec

GOLDEN = Path(__file__).parent / "golden"
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


def cell_of(fig: dict | None) -> float | str | None:
    """What a cell must show for a figure of the status document (SPEC §3's one vocabulary):
    the logrado, "—" for nada programado, "N/A" for no aplica, None (blank) after the corte."""
    if fig is None:
        return None
    if fig["programado"] == 0:
        assert fig["celda"] == "nada programado"
        return "—"
    if fig["logrado"] is None:
        assert fig["celda"] == "no aplica"
        return "N/A"
    return fig["logrado"]


def expected_rows(doc: dict) -> list[dict]:
    """The Seguimiento rows read straight from the status document: a line, then its activities."""
    by_id = {a["id"]: a for a in doc["actividades"]}
    rows = []
    for line in doc["lineas"]:
        for item in [line, *[by_id[a] for a in line["actividades"]]]:
            trims = item["trimestres"]
            rows.append({
                "id": item["id"],
                "trimestres": [cell_of(trims.get(q)) for q in ("I", "II", "III", "IV")],
                "acumulado": cell_of(item["acumulado"]),
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
                    assert same_cell(a, b), (where, exp["id"], key, g, e)
            else:
                assert same_cell(g, e), (where, exp["id"], key, g, e)
        assert got["semaforo"].lower() == exp["semaforo"], (where, exp["id"])


def same_cell(got: float | str | None, want: float | str | None) -> bool:
    if isinstance(got, float | int) and isinstance(want, float | int):
        return abs(got - want) < 0.005
    return got == want


def spanish_number(text: str) -> float | str | None:
    """'40,00 %' / '40,00' / '40.00' -> 40.0; the words 'N/A' and '—' as they are; '' -> None."""
    text = text.replace("%", "").strip()
    if text in ("N/A", "—"):
        return text
    if text == "":
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

    def pct(value) -> float | str | None:
        if value is None or value in ("N/A", "—"):
            return value
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
        "Realizadas", "Qué cuenta", "Meta anual (piezas)", "Registradas por tipo",
    ]
    revista = next(r for r in rows if r[:2] == ["revista", "Revista Gestión USPEC"])
    # the counts behind the percentages: 4 revistas of 10 (one more was voided)
    assert revista[12:] == ["4", "Publicación", "10", "Publicación: 4"]
    # demand: 2 publications for 3 requests, none linked: the indicator counts requests answered (issue 21 item 7)
    internas = next(r for r in rows if r[0] == "internas")
    assert internas[12:] == ["0", "atendidas de 3 (Solicitud de un área)", "", "Publicación interna: 2 · Solicitud de un área: 3"]
    eventos = next(r for r in rows if r[0] == "eventos")  # eventos counts events covered, not pieces
    assert eventos[12:14] == ["0", "atendidas de 2 (Evento solicitado)"] and "Publicación del evento: 1" in eventos[15]
    assert next(r for r in rows if r[0] == "linea_revista")[12:] == ["", "", "", ""]
    # SPEC §3 worked example: 10 of 25, 25 of 25, acumulado 40 of 50, amarillo
    assert revista[3:11] == ["100,00", "10,00", "25,00", "", "", "40,00", "50,00", "amarillo"]
    assert revista[11] == "Trim. II: La imprenta atrasó la revista 3; se publicó en mayo."
    campanas = next(r for r in rows if r[0] == "campanas")
    assert campanas[4] == "—"  # nothing programmed in Trim. I: "nada programado", neither zero nor "no aplica"
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
    assert sha in md and "Revista 3 &lt;especial&gt; &amp; más" in md  # shown as text, never live HTML


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
    # a line's row on its fill, the header on the institution's navy, the header repeated on every printed page
    assert sheet.cell(row=line, column=1).fill.fgColor.rgb[-6:] == "DDEBF7" and not sheet.cell(row=act, column=1).fill.fill_type
    assert sheet.cell(row=header_row, column=1).fill.fgColor.rgb[-6:] == "1F4E79"
    assert sheet.print_title_rows.replace("$", "") == f"{header_row}:{header_row}"
    # each signature's position spans the wide columns D to I, as the sign-off block is laid out
    assert any(m.min_col == 4 and m.max_col == 9 and m.min_row > header_row for m in sheet.merged_cells.ranges)

    detail = wb["Detalle"]
    head_row = next(r for r in range(1, 30) if detail.cell(row=r, column=1).value == "Id")
    head = [c.value for c in detail[head_row]]
    entries = [dict(zip(head, cells, strict=True)) for cells in detail.iter_rows(min_row=head_row + 1)]
    revista1 = next(e for e in entries if e["Título"].value == "Revista 1")
    evidence = revista1["Evidencia"]
    assert evidence.hyperlink is not None
    # the link is relative to the workbook's folder and reaches the stored file
    assert (out.parent / link_target(evidence)).resolve().read_bytes() == EVIDENCE_BYTES
    assert revista1["SHA-256"].value == hashlib.sha256(EVIDENCE_BYTES).hexdigest()
    # activities, tipos and networks by the plan's names, not their ids
    seguidores = [e for e in entries if e["Actividad"].value == "Aumento de seguidores en Redes sociales y aumento de interacción (Me gusta)"]
    assert sorted(e["Valor"].value for e in seguidores) == [8000, 8140, 12000, 12350]
    assert all(e["Valor"].data_type == "n" for e in seguidores)
    assert {e["Red"].value for e in seguidores} == {"Instagram", "Facebook"}
    plan = load_plan(REPO / "plan" / "2024.yaml")
    # one truth: the vigente pieces listed are the ones the status counts
    for act_doc in doc["actividades"]:
        act = plan.activity(act_doc["id"])
        for tipo, count in act_doc["acumulado"]["por_tipo"].items():
            listed = sum(1 for e in entries if e["Actividad"].value == act.nombre and e["Tipo"].value == act.tipo(tipo).nombre
                         and e["Estado"].value == "vigente")
            assert listed == count, (act_doc["id"], tipo)
    duplicate = [e for e in entries if e["Título"].value == "Revista 4 (duplicada)"]
    assert [(e["Estado"].value, e["Motivo de la anulación"].value) for e in duplicate] == [("anulada", "Registrada dos veces")]
    assert duplicate[0]["Título"].font.strike and not revista1["Título"].font.strike  # a voided piece struck through
    # dates are dates (sortable, filterable), the header row stays in view and filters, and prints on every page
    assert revista1["Fecha"].is_date and revista1["Fecha"].number_format == "yyyy-mm-dd"
    assert detail.freeze_panes == f"B{head_row + 1}" and detail.auto_filter.ref.startswith(f"A{head_row}:")
    assert detail.print_title_rows.replace("$", "") == f"{head_row}:{head_row}"
    # ids fit their column; the Registrado timestamp does not wrap
    assert sheet.column_dimensions["A"].width >= len("linea_internas") + 1
    assert not revista1["Registrado"].alignment.wrap_text
    # the title block's texts span the sheet: the Detalle's column B is a date's, too narrow for «Período»
    periodo = next(detail.cell(row=r, column=2) for r in range(1, head_row) if detail.cell(row=r, column=1).value == "Período")
    assert any(periodo.coordinate in merged and merged.max_col >= 6 for merged in detail.merged_cells.ranges)
    assert detail.cell(row=periodo.row, column=1).alignment.vertical == "top"
    # the grid is whole: an empty cell (unwritten) is bordered by the sheet's rule, as a written one by its style
    assert revista1["Área"].value is None
    assert unbordered(detail, head_row + 1, detail.max_row, len(head)) == []


def test_a_chart_title_that_looks_like_a_cell_reference_stays_text(ledger_ws, tmp_path):
    """A line named «Revista ¡Gestión!USPEC2024» looks to XlsxWriter like a reference to cell USPEC2024 of a
    sheet: its charts must still be titled with the name, and nothing said on stderr."""
    import zipfile

    plan = ledger_ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("nombre: Revista Gestión USPEC", 'nombre: "Revista ¡Gestión!USPEC2024"', 1), encoding="utf-8")
    done = pec(ledger_ws, "export", "xlsx", "--trim", "II", "-o", str(tmp_path / "t.xlsx"))
    assert done.exit_code == 0 and "arning" not in done.stderr, done.output
    with zipfile.ZipFile(tmp_path / "t.xlsx") as book:
        charts = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/charts/chart")]
    titled = [c for c in charts if "¡Gestión!" in c]
    titles = [t for c in titled for t in re.findall(r"<c:title>(.*?)</c:title>", c, re.S)]
    assert len([t for t in titles if "Gestión" in t]) == 2 and not any("<c:f>" in t for t in titles), titles


def test_a_workbook_date_is_a_date_whatever_number_format_a_grid_passes():
    """A grid passes its column's number format, None for text: a date there must still get the date format."""
    import datetime as dt
    import io

    from openpyxl import load_workbook

    from pec_cli.report.xlsx import Book

    book = Book()
    book.sheet("Hoja").put(1, 1, dt.date(2024, 6, 30), num_format=None)
    cell = load_workbook(io.BytesIO(book.save({"plan": "PEC", "vigencia": 2024})))["Hoja"]["A1"]
    assert cell.is_date and cell.number_format == "yyyy-mm-dd" and cell.value.date() == dt.date(2024, 6, 30)


def test_xlsx_past_excels_links_a_sheet_shows_the_rest_as_text(recwarn):
    """Excel holds 65,530 links a sheet (a Detalle of some 33,000 pieces with URL and evidence): past them a
    cell is written as plain text, and nothing is said on stderr."""
    import io
    import zipfile

    from pec_cli.report.xlsx import Book

    book = Book()
    sheet = book.sheet("Detalle")
    written = [sheet.link(row, 1, f"https://www.uspec.gov.co/p{row}", f"p{row}", None) for row in range(1, 65_533)]
    assert written[:65_530] == [True] * 65_530 and written[65_530:] == [False, False]
    sheet.put(65_531, 1, "p65531")
    with zipfile.ZipFile(io.BytesIO(book.save({"plan": "PEC", "vigencia": 2024}))) as saved:
        xml = saved.read("xl/worksheets/sheet1.xml").decode()  # openpyxl takes minutes over 65,530 links
    assert xml.count("<hyperlink ") == 65_530 and 'ref="A65531"' not in xml and '<c r="A65531" t="s">' in xml
    assert not [w for w in recwarn if "xlsxwriter" in w.filename]


@pytest.mark.slow  # a render by an outside program: the quick set keeps the browser's PDF
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
    # the minutes say, as the board does under its «*» marks, whose programación is its own
    assert "\nProgramación propia por trimestre: campanas 0/50/25/25.\n" in md


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


# the board's own one-character fallbacks where a console lacks its drawing glyphs (columns keep their width)
BOARD_FALLBACK = {"█": "#", "░": ".", "─": "-", "●": "*", "—": "-", "…": "."}


@pytest.mark.parametrize("encoding", ["ascii", "cp1252", "cp850", "utf-8"])
def test_golden_board_under_each_console_encoding(ledger_ws, encoding):
    """The golden board in a console of each encoding: every glyph it has is kept, a drawing glyph it
    lacks becomes the board's ASCII fallback, any other character its plain form; no traceback."""
    from pec_cli.console import degrade

    env = {**os.environ, "PEC_HOY": TODAY, "COLUMNS": "80", "PYTHONIOENCODING": encoding, "NO_COLOR": "1",
           "PEC_ROOT": str(ledger_ws)}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run([sys.executable, "-m", "pec_cli", "status", "--trim", "II"], capture_output=True, env=env)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    board = done.stdout.decode(encoding)
    golden = (GOLDEN / "status-TII.txt").read_text(encoding="utf-8")

    def shown(ch: str) -> str:
        try:
            ch.encode(encoding)
            return ch
        except UnicodeEncodeError:
            if ch in BOARD_FALLBACK:
                return BOARD_FALLBACK[ch]
            return degrade(UnicodeEncodeError(encoding, ch, 0, 1, "x"))[0]

    assert board == "".join(shown(ch) for ch in golden)
    if encoding == "cp1252":
        assert "Gestión" in board and "████" not in board and "####" in board  # accents kept, bars in ASCII
    if encoding == "ascii":
        assert "Gestion" in board and "* rojo" in board


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
    if fmt == "csv":
        # a CSV has no cell types: text that a spreadsheet would run gets a leading apostrophe
        assert not [c for c in cells if c.startswith(tuple(PREFIXES))], "a cell starts like a formula"
        neutralised = [c for c in cells if c == "'" + payload]
        assert "'-5" in cells  # a text that looks like a number is still text
    else:
        # an XLSX string cell is text, never a formula (checked above), so it keeps its text as typed
        cells = [c.replace("\r", "\n") for c in cells]  # XML reads a carriage return back as a line feed
        neutralised = [c for c in cells if c == payload.replace("\r", "\n")]
        assert not [c for c in cells if c.startswith("'")], "a literal apostrophe in an xlsx cell"
        assert "-5" in cells
    # título, canal and nota of the detail (twice in xlsx: the table's workbook has a Detalle
    # sheet too); the observación cell starts with "Trim. II: "
    assert len(neutralised) == (3 if fmt == "csv" else 6)
    assert numbers and all(not isinstance(n, str) or re.fullmatch(r"-?\d+(,\d+)?|N/A|—|", n) for n in numbers)


def test_bad_requests_are_refused_in_spanish(ledger_ws, tmp_path):
    for args, words in [
        (("export", "docx"), "El formato «docx» no existe"),
        (("export", "csv", "-o", "/nonexistent-pec/x.csv"), "La carpeta /nonexistent-pec no existe"),
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


CHROMIUM = shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None


@pytest.mark.slow  # a browser render: the quick set keeps one, the PDF printed by the same browser
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
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    width, height = image.size
    assert (width, height) == (1200, 1600)
    sample = image.resize((width // 2, height // 2), Image.Resampling.NEAREST)
    pixels = list(sample.get_flattened_data() if hasattr(sample, "get_flattened_data") else sample.getdata())
    ink = sum(1 for r, g, b in pixels if r < 200 or g < 200 or b < 200)
    # the title block and table headers: the CSS was applied
    navy = sum(1 for r, g, b in pixels if abs(r - 0x1F) < 12 and abs(g - 0x4E) < 12 and abs(b - 0x79) < 12)
    red = sum(1 for r, g, b in pixels if r > 150 and g < 80 and b < 80)  # a rojo semáforo or curve
    sampled = len(pixels)
    assert ink > sampled * 0.05, "the page looks blank"
    assert navy > sampled * 0.02 and red > 50


# ---------------------------------------------------------------- one vocabulary (SPEC §3)


def test_one_vocabulary_for_a_cell_in_every_format(tmp_path):
    """Mid-February: campaigns have nothing programmed in Trim. I ("—"), events have had no
    demand ("N/A"), and the quarter is still running ("en curso", 45 days left), in every format."""
    root = make_workspace(tmp_path / "ws")
    env = {"PEC_HOY": "2024-02-15", "COLUMNS": "80"}
    ok(pec(root, "log", "internas", "--tipo", "solicitud", "--fecha", "2024-02-01", "--area", "Jurídica", env=env))
    doc = json.loads(ok(pec(root, "status", "--format", "json", env=env)))
    acts = {a["id"]: a for a in doc["actividades"]}
    assert acts["campanas"]["trimestres"]["I"]["celda"] == "nada programado"
    assert acts["eventos"]["trimestres"]["I"]["celda"] == "no aplica"
    assert acts["revista"]["trimestres"]["I"]["celda"] == "número"
    assert doc["en_curso"] == {"trimestre": "I", "dias_restantes": 45}

    board = ok(pec(root, "status", env=env))
    assert re.search(r"^  campanas\s+—\*\s+—\s", board, re.M), board  # nada programado: «—», not «—/0» (issue 21 item 7)
    assert re.search(r"^  eventos\s+N/A\s+N/A/25\s", board, re.M), board
    assert "corte 2024-02-15 (en curso, faltan 45 días)" in board.replace("\n  ", " ")
    assert "—: nada programado" in board and "N/A: no aplica" in board
    assert "Trim. I en curso, faltan 45 días: su programado es el del trimestre completo" in board.replace("\n  ", " ")

    rows = {}
    for fmt, parse in (("csv", lambda p: rows_from_table(csv_rows(p))), ("markdown", markdown_rows),
                       ("html", html_rows), ("xlsx", lambda p: xlsx_rows(p)[0])):
        out = tmp_path / f"t.{fmt}"
        ok(pec(root, "export", fmt, "-o", str(out), env=env))
        rows[fmt] = {r["id"]: r for r in parse(out)}
        assert rows[fmt]["campanas"]["trimestres"][0] == "—", fmt
        assert rows[fmt]["campanas"]["acumulado"] == "—", fmt
        assert rows[fmt]["eventos"]["trimestres"][0] == "N/A", fmt
        assert rows[fmt]["eventos"]["trimestres"][1] is None, fmt  # after the corte: blank
    assert "en curso, faltan 45 días" in (tmp_path / "t.markdown").read_text(encoding="utf-8")
    assert "en curso, faltan 45 días" in (tmp_path / "t.html").read_text(encoding="utf-8")


def test_xlsx_has_redes_meses_and_native_charts(ledger_ws, tmp_path):
    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, LineChart

    wb = load_workbook(export(ledger_ws, tmp_path / "t.xlsx", "xlsx", "--trim", "II"))
    # the plan's indicator sheets close the workbook (issue 23 item 3)
    assert wb.sheetnames == ["Seguimiento", "Redes", "Meses", "Gráficos", "Detalle", "Fichas"]

    def table(sheet, first_header: str) -> list[dict]:
        ws = wb[sheet]
        head_row = next(r for r in range(1, 40) if ws.cell(row=r, column=1).value == first_header)
        head = [c.value for c in ws[head_row]]
        rows = []
        for cells in ws.iter_rows(min_row=head_row + 1, values_only=True):
            if cells[0] is None:
                break
            rows.append(dict(zip(head, cells, strict=True)))
        return rows

    rows = table("Redes", "Actividad")
    redes_header = next(r for r in range(1, 40) if wb["Redes"].cell(row=r, column=1).value == "Actividad")
    assert wb["Redes"].print_title_rows.replace("$", "") == f"{redes_header}:{redes_header}"  # not «Solicitudes por área»
    redes = {r["Red"]: r for r in rows if r["Serie"] == "Medición de seguidores"}
    interaccion = [r for r in rows if r["Serie"] == "Medición de interacción (Me gusta)"]
    assert len(interaccion) == 5 and all(r["% que cuenta"] is None for r in interaccion)  # shown, never counted
    # instagram 12000 -> 12350: +350 of the 350 programmed to June; facebook 8000 -> 8140: 40 %
    assert (redes["Instagram"]["Línea base"], redes["Instagram"]["Último valor"], redes["Instagram"]["Crecimiento"]) == (12000, 12350, 350)
    assert redes["Instagram"]["Meta a la fecha"] == 350 and redes["Instagram"]["Meta anual"] == 700
    assert redes["Instagram"]["% sin tope"] == pytest.approx(1.0) and redes["Facebook"]["% que cuenta"] == pytest.approx(0.4)
    assert redes["Twitter"]["Estado"] == "sin medición" and redes["Twitter"]["% que cuenta"] == 0
    meses = [(r["Mes"], r["Realizadas"], r["Meta del mes"], r["Cumple"]) for r in table("Meses", "Actividad")]
    assert meses == [("marzo 2024", 1, 2, "no"), ("abril 2024", 1, 2, "no"), ("mayo 2024", 0, 2, "no"), ("junio 2024", 1, 2, "no")]

    charts = wb["Gráficos"]._charts
    assert [type(c) for c in charts] == [BarChart, LineChart] * 4
    # a quarter between two blanks is still drawn (a point); two lines to a printed page, their charts never cut
    import zipfile

    with zipfile.ZipFile(tmp_path / "t.xlsx") as book:
        curves = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/charts/")]
    curves = [c for c in curves if "<c:lineChart>" in c]
    assert len(curves) == 4 and not any('<c:symbol val="none"/>' in c for c in curves)
    headings = [r for r in range(1, 200) if wb["Gráficos"].cell(row=r + 1, column=1).value == "Trimestre"]
    assert len(headings) == 4 and [b.id for b in wb["Gráficos"].row_breaks.brk] == [headings[2] - 1]
    data = table("Gráficos", "Trimestre")  # the first line's block: 1. Revista Gestión USPEC
    doc = status(ledger_ws, "II")
    line = doc["lineas"][0]
    assert [r["Logrado"] for r in data] == [line["trimestres"]["I"]["logrado"], line["trimestres"]["II"]["logrado"], None, None]
    assert [r["Programado acumulado"] for r in data] == [25, 50, 75, 100]
    assert data[1]["Logrado acumulado"] == pytest.approx(line["acumulado"]["logrado"])


# ---------------------------------------------------------------- the paquete and the PDF


def test_paquete_links_reach_evidence_whose_name_has_a_hash_or_percent(ledger_ws, tmp_path):
    """A file called «informe #3 al 100%.pdf»: the report's and the workbook's links reach the folder's copy (a «#»
    left in a link would be read as a place inside the file, a «%» as an escape)."""
    import html as html_lib
    from urllib.parse import unquote

    from openpyxl import load_workbook

    evidence = tmp_path / "informe #3 al 100%.pdf"
    evidence.write_bytes(b"%PDF-1.4 informe 3\n")
    ok(pec(ledger_ws, "log", "revista", "--fecha", "2024-05-22", "--titulo", "Informe 3", "--evidencia", str(evidence)))
    folder = tmp_path / "p"
    ok(pec(ledger_ws, "export", "paquete", "--trim", "II", "-o", str(folder)))
    page = (folder / "seguimiento-2024-TII.html").read_text(encoding="utf-8")
    hrefs = [html_lib.unescape(h) for h in re.findall(r'href="(evidencias/[^"]*)"', page)]
    assert [h for h in hrefs if "informe" in h and (folder / unquote(h)).read_bytes() == evidence.read_bytes()], hrefs
    sheet = load_workbook(folder / "seguimiento-2024-TII.xlsx")["Detalle"]
    linked = [link_target(c) for row in sheet.iter_rows() for c in row if c.hyperlink and "informe" in str(c.value)]
    assert len(linked) == 1 and (folder / linked[0]).read_bytes() == evidence.read_bytes(), linked


def test_paquete_is_checkable_without_pec_and_its_zip_reproducible(ledger_ws, tmp_path):
    import zipfile

    first, *_ = ok(pec(ledger_ws, "export", "paquete", "--trim", "II", "-o", str(tmp_path / "a" / "paquete-2024-TII"))).splitlines()
    folder = tmp_path / "a" / "paquete-2024-TII"
    assert Path(first) == folder.resolve()
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert names[:1] == ["MANIFIESTO.txt"] and "verificacion.txt" in names
    for name in ("seguimiento-2024-TII.xlsx", "seguimiento-2024-TII.html", "seguimiento-2024-TII.csv", "detalle-2024-TII.csv"):
        assert name in names
    evidence = [n for n in names if n.startswith("evidencias/")]
    assert len(evidence) == 1 and evidence[0].endswith("_acta revista 1.pdf")  # under its original name
    assert (folder / evidence[0]).read_bytes() == EVIDENCE_BYTES
    assert (folder / "verificacion.txt").read_text(encoding="utf-8").startswith("Registro íntegro")
    html = (folder / "seguimiento-2024-TII.html").read_text(encoding="utf-8")
    assert 'href="evidencias/' in html  # the report links to the folder's own copy
    # the detail names the folder's copy, not the workspace's path (a new-user trial opened a missing file)
    detail = list(csv.DictReader(io.StringIO((folder / "detalle-2024-TII.csv").read_text(encoding="utf-8-sig")),
                                 delimiter=";"))
    assert [r["evidencia"] for r in detail if r["evidencia"]] == evidence
    from openpyxl import load_workbook

    sheet = load_workbook(folder / "seguimiento-2024-TII.xlsx")["Detalle"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == evidence[0]]
    assert len(cells) == 1 and link_target(cells[0]) == evidence[0]
    manifest = (folder / "MANIFIESTO.txt").read_text(encoding="utf-8")
    assert "sha256sum -c MANIFIESTO.txt" in manifest
    listed = [line.split("  ", 1)[1] for line in manifest.splitlines() if line and not line.startswith("#")]
    assert sorted(listed) == sorted(n for n in names if n != "MANIFIESTO.txt")
    if shutil.which("sha256sum"):
        checked = subprocess.run(["sha256sum", "--strict", "-c", "MANIFIESTO.txt"], cwd=folder, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        (folder / "seguimiento-2024-TII.csv").write_bytes(b"editado")
        tampered = subprocess.run(["sha256sum", "-c", "MANIFIESTO.txt"], cwd=folder, capture_output=True, text=True)
        assert tampered.returncode != 0 and "seguimiento-2024-TII.csv" in tampered.stdout
    zipped = folder.with_name("paquete-2024-TII.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert sorted(n[len("paquete-2024-TII/"):] for n in archive.namelist()) == names
    # built again, later, elsewhere: the same bytes
    import time

    time.sleep(1.1)  # a zip's timestamps have a 2-second grain: cross at least one tick of the clock
    ok(pec(ledger_ws, "export", "paquete", "--trim", "II", "-o", str(tmp_path / "b" / "paquete-2024-TII")))
    assert (tmp_path / "b" / "paquete-2024-TII.zip").read_bytes() == zipped
    refused = pec(ledger_ws, "export", "paquete", "--trim", "II", "-o", str(folder))
    assert refused.exit_code == 1 and "no está vacía" in refused.stderr


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftoppm") is None, reason="chromium o pdftoppm no están instalados")
def test_pdf_is_printed_by_the_browser_and_not_blank(ledger_ws, tmp_path):
    from PIL import Image

    pdf = export(ledger_ws, tmp_path / "informe.pdf", "pdf", "--trim", "II")
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "p")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 2
    for page in pages:
        image = Image.open(page).convert("L")
        width, height = image.size
        assert height > width  # A4 portrait
        ink = sum(image.histogram()[:200])  # pixels darker than a light grey
        assert ink > width * height * 0.03, f"{page.name} looks blank"


def test_pdf_without_a_browser_says_what_to_install(ledger_ws, tmp_path):
    result = pec(ledger_ws, "export", "pdf", "-o", str(tmp_path / "x.pdf"), env={"PEC_NAVEGADOR": str(tmp_path / "no-existe")})
    assert result.exit_code == 1 and "Chromium" in result.stderr and "PEC_NAVEGADOR" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "x.pdf").exists()


def test_what_a_reader_noticed_in_the_html_and_the_detail(ledger_ws, tmp_path):
    html = export(ledger_ws, tmp_path / "s.html", "html", "--trim", "II").read_text(encoding="utf-8")
    assert '<td><span class="muted">área: Talento Humano</span>' in html  # no stray "· área:"
    assert "Instagram: 12.350" in html and "<td>Instagram</td>" in html  # the plan's name, Colombian thousands
    assert 'class="n q">Trim. II</th>' in html  # quarter headers do not wrap on A4
    assert "Registrada dos veces" in html  # the void's reason
    footer = html[html.index("<footer>"):]  # a voided piece is not one of the pieces (a new-user trial)
    assert re.search(r"Piezas hasta el 2024-06-30: \d+ vigentes, 1 anulada\.", footer), footer
    june_28 = {"PEC_HOY": "2024-06-28"}
    out = tmp_path / "d.html"
    ok(pec(ledger_ws, "export", "html", "--detalle", "--trim", "II", "-o", str(out), env=june_28))
    detail = out.read_text(encoding="utf-8")
    assert "del 2024-04-01 al 2024-06-28" in detail  # the corte, not the quarter's last day
    assert "Revista Gestión USPEC · Publicación" in detail  # names, not ids


def test_interaction_and_requests_per_area_in_every_format(tmp_path):
    """Issue 12: interacción shown beside followers, and solicitudes by área, in the board, the
    minutes, the HTML and the workbook (never counted in the avance)."""
    from openpyxl import load_workbook

    root = make_workspace(tmp_path / "ws")
    for day, value in (("2024-03-01", 1000), ("2024-06-01", 2200)):
        ok(pec(root, "log", "seguidores", "--tipo", "interaccion", "--red", "instagram", "--valor", str(value), "--fecha", day))
    request = ok(pec(root, "log", "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-05-02")).strip()
    ok(pec(root, "log", "internas", "--titulo", "Boletín", "--atiende", request, "--fecha", "2024-05-03"))
    before = status(root, "II")
    board = ok(pec(root, "status", "--trim", "II", env={"COLUMNS": "100"})).replace("\n  ", " ")
    assert "instagram +1200" in board and "Jurídica 1 atendida de 1" in board
    md = ok(pec(root, "status", "--trim", "II", "--format", "markdown"))
    assert "instagram +1200" in md and "Jurídica 1 atendida de 1" in md
    html = export(root, tmp_path / "s.html", "html", "--trim", "II").read_text(encoding="utf-8")
    assert "<caption>Medición de interacción (Me gusta)</caption>" in html and "<td>Jurídica</td>" in html
    wb = load_workbook(export(root, tmp_path / "s.xlsx", "xlsx", "--trim", "II"))
    cells = [c for row in wb["Redes"].iter_rows(values_only=True) for c in row]
    # a new-user trial read «Medición de interacción (Me g» and «Análisis y accione»: the Serie column holds
    # the longest series name, and a title-block label wraps in column A
    series = [row[1] for row in wb["Redes"].iter_rows(values_only=True) if row[0] == "seguidores"]
    assert wb["Redes"].column_dimensions["B"].width >= max(len(name) for name in series)
    labels = [c for c in wb["Redes"]["A"] if c.value == "Cómo se cuenta"]
    assert labels and labels[0].alignment.wrap_text
    assert wb["Redes"].row_dimensions[labels[0].row].height >= 2 * 15
    assert "Medición de interacción (Me gusta)" in cells and 1200 in cells and "Jurídica" in cells
    seguidores = next(a for a in before["actividades"] if a["id"] == "seguidores")
    assert seguidores["acumulado"]["cumplimiento"] == 0  # interaction never enters the avance


def test_html_has_the_four_year_page(ledger_ws, tmp_path):
    """Issue 12 item 5: the prospectiva as one extra page of the HTML report, the same figures as
    ``pec status --cuatrienio --format json``."""
    html = export(ledger_ws, tmp_path / "s.html", "html", "--trim", "II").read_text(encoding="utf-8")
    page = html[html.index("<h2>Prospectiva cuatrienal 2023-2026</h2>"):]
    four = json.loads(ok(pec(ledger_ws, "status", "--cuatrienio", "--format", "json")))
    line = four["lineas"][0]
    assert page.count("sin plan") >= 4  # 2023, 2025 and 2026 have no plan file in this workspace
    assert f"aporta {line['anios']['2024']['aporte']:.2f} %".replace(".", ",") in page


def test_markdown_escapes_what_a_note_or_title_could_break(tmp_path):
    """Issue 10 item 9: a note with «|» and raw HTML keeps the Seguimiento table whole and inert."""
    root = make_workspace(tmp_path / "ws")
    ok(pec(root, "note", "revista", "--trim", "II", "--", "Ver | tabla <img src=x onerror=alert(1)> y [enlace](http://x)"))
    ok(pec(root, "log", "revista", "--fecha", "2024-04-10", "--titulo", "Revista | <script>alert(1)</script>"))
    for args in (("status", "--trim", "II", "--format", "markdown"), ("export", "markdown", "--trim", "II", "-o", "-"),
                 ("export", "markdown", "--detalle", "-o", "-")):
        md = ok(pec(root, *args))
        rows = [line for line in md.splitlines() if line.startswith("|")]
        widths = {line.replace("\\|", "").count("|") for line in rows}
        assert len(widths) == 1, (args, widths)  # every row has the header's number of cells
        assert "<img" not in md and "<script" not in md and "](http" not in md.replace("\\](http", "")
    md = ok(pec(root, "status", "--trim", "II", "--format", "markdown"))
    assert "Ver \\| tabla &lt;img src=x onerror=alert(1)&gt; y \\[enlace\\](http://x)" in md


def test_another_years_broken_plan_does_not_stop_this_years_report(ledger_ws, tmp_path):
    """The HTML's four-year page reads every plan/<año>.yaml; a broken 2025 plan is a warning there
    («sin plan»), never a refusal of the 2024 committee report or its paquete."""
    (ledger_ws / "plan" / "2025.yaml").write_text("vigencia: [\n", encoding="utf-8")
    result = pec(ledger_ws, "export", "html", "--trim", "II", "-o", str(tmp_path / "s.html"))
    assert result.exit_code == 0, result.output
    assert "plan/2025.yaml" in result.stderr and "sin plan" in result.stderr
    assert "Prospectiva cuatrienal" in (tmp_path / "s.html").read_text(encoding="utf-8")
    assert pec(ledger_ws, "export", "paquete", "--trim", "II", "-o", str(tmp_path / "p")).exit_code == 0


def test_a_closed_quarter_shows_one_value_per_figure_in_every_format(tmp_path):
    """Issue 22 item 1: a request of March answered in April, Trim. I and II closed on 5 July, then a piece
    dated in May logged on 15 July (extemporánea): the board, CSV, XLSX (its Gráficos too), HTML, Markdown
    and JSON show the sealed figures, one value per figure, and each says the quarter is closed."""
    from pec_cli.workspace import init_workspace

    root = init_workspace(tmp_path / "ws")
    july = {"PEC_HOY": "2024-07-05"}
    request = ok(pec(root, "log", "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-03-20",
                     env=july)).strip()
    ok(pec(root, "log", "internas", "--titulo", "Boletín", "--fecha", "2024-04-02", "--atiende", request, env=july))
    for day in ("2024-03-28", "2024-05-02"):
        ok(pec(root, "log", "revista", "--fecha", day, "--titulo", f"Revista {day}", env=july))
    for trim in ("I", "II"):
        ok(pec(root, "cierre", "--trim", trim, env=july))
    ok(pec(root, "log", "revista", "--fecha", "2024-05-20", "--titulo", "Revista tardía"))  # today: 15 July
    doc = status(root, "II")
    revista = next(a for a in doc["actividades"] if a["id"] == "revista")
    assert revista["trimestres"]["II"]["logrado"] == 10.0 and revista["trimestres"]["II"]["recalculado"]["logrado"] == 20.0
    files = {fmt: export(root, tmp_path / f"s.{fmt}", fmt, "--trim", "II") for fmt in ("csv", "xlsx", "markdown", "json", "html")}
    assert json.loads(files["json"].read_text(encoding="utf-8")) == doc
    assert_same_rows(rows_from_table(csv_rows(files["csv"])), doc, "csv")
    rows, book = xlsx_rows(files["xlsx"])
    assert_same_rows(rows, doc, "xlsx")
    assert_same_rows(markdown_rows(files["markdown"]), doc, "markdown")
    assert_same_rows(html_rows(files["html"]), doc, "html")
    for fmt in ("markdown", "html"):
        assert "cerrado el 2024-07-05, versión 1" in files[fmt].read_text(encoding="utf-8"), fmt
    assert "cerrado el 2024-07-05, versión 1" in ok(pec(root, "status", "--trim", "II"))
    charts = [[c.value for c in line] for line in book["Gráficos"].iter_rows()]  # type: ignore[attr-defined]
    start = next(i for i, line in enumerate(charts) if str(line[0]).endswith("Revista Gestión USPEC"))
    curve = {line[0]: line[4] for line in charts[start:start + 6] if str(line[0]).startswith("Trim.")}
    line = next(x for x in doc["lineas"] if x["id"] == "linea_revista")
    assert curve["Trim. II"] == line["acumulado"]["logrado"]  # the sealed acumulado, not today's
    from openpyxl import load_workbook

    detail = load_workbook(export(root, tmp_path / "d.xlsx", "xlsx", "--detalle"))["Detalle"]
    table = [[c.value for c in r] for r in detail.iter_rows()]
    head = next(r for r in table if r[0] == "Id")
    late = {r[head.index("Título")]: r[head.index("Extemporánea")] for r in table[table.index(head) + 1:]}
    assert late["Revista tardía"] == "sí" and late["Revista 2024-05-02"] == "no", late
    page = export(root, tmp_path / "d.html", "html", "--detalle").read_text(encoding="utf-8")
    tardia = page[page.index("Revista tardía"):]
    assert "extemporánea" in tardia[:tardia.index("</tr>")]
