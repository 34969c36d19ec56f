"""`pec export fichas`: the hoja de vida of every indicator, from the plan alone (issue 23 item 3)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pec_cli.plan.loader import load_plan
from pec_cli.report.fichas import fichas

from .conftest import REPO

SHIPPED = REPO / "plan" / "2024.yaml"
LABELS = ("Código", "Indicador", "Objetivo", "Fórmula del documento", "Fórmula que se calcula", "Lectura", "Variables",
          "Unidad de medida", "Meta", "Programación", "Periodicidad", "Ventana", "Responsable", "Semáforo",
          "Línea base", "Versiones del plan")


def test_every_line_and_activity_has_a_sheet_with_every_field_filled():
    plan = load_plan(SHIPPED)
    sheets = fichas(plan)
    assert [f.id for f in sheets] == [
        "linea_revista", "revista", "noti", "capsulas", "linea_internas", "internas", "campanas",
        "linea_externas", "externas", "seguidores", "linea_eventos", "eventos"]
    for sheet in sheets:
        fields = dict(sheet.campos)
        assert all(label in fields for label in LABELS), sheet.id
        assert all(value.strip() for value in fields.values()), sheet.id
        assert "El plan no" not in " ".join(fields.values()), sheet.id  # the shipped plan says everything
    by_id = {f.id: dict(f.campos) for f in sheets}
    assert by_id["linea_revista"]["Fórmula del documento"] == "No. De meses al año / Total de publicaciones * 100"
    assert by_id["revista"]["Fórmula que se calcula"] == "publicacion / meta * 100 (la de su línea)"
    assert "al revés" in by_id["revista"]["Lectura"]  # the plan's reading, a field of the plan (``lectura``)
    assert by_id["seguidores"]["Fórmula que se calcula"] == "(fin - inicio) / meta * 100"
    assert by_id["seguidores"]["Línea base"].splitlines() == [
        f"{name}: su primera medición (el plan no da línea base)" for name in ("Instagram", "Twitter", "TikTok", "Facebook", "YouTube")]
    assert by_id["campanas"]["Objetivo"].startswith("2.3 Objetivo General Público Interno")
    assert by_id["noti"]["Objetivo"].startswith("2.1 ")  # its line's
    assert "Trim. I 0 %, Trim. II 50 %" in by_id["campanas"]["Programación"] and "abril, junio" in by_id["campanas"]["Programación"]
    assert "atendidas: las piezas «Solicitud de un área»" in by_id["internas"]["Variables"]
    assert "Trimestral" in by_id["eventos"]["Periodicidad"] and "semanal" in by_id["noti"]["Periodicidad"]
    assert "verde ≥ 90 %, amarillo ≥ 70 %" in by_id["externas"]["Semáforo"]
    assert by_id["externas"]["Versiones del plan"].splitlines()[1].startswith("01 (2023-12-26, numerales 4): Se actualizo")


class _Sheets(HTMLParser):
    """(caption, {row header: cell text}) of each ``table.ficha-t``."""

    def __init__(self) -> None:
        super().__init__()
        self.sheets: list[tuple[str, dict[str, str]]] = []
        self._where: str | None = None
        self._text: list[str] = []
        self._label = ""

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "ficha-t") in attrs:
            self.sheets.append(("", {}))
        elif self.sheets and tag in ("caption", "th", "td"):
            self._where, self._text = tag, []

    def handle_endtag(self, tag):
        if tag != self._where:
            return
        text = "".join(self._text).strip()
        caption, rows = self.sheets[-1]
        if tag == "caption":
            self.sheets[-1] = (text, rows)
        elif tag == "th":
            self._label = text
        else:
            rows[self._label] = text
        self._where = None

    def handle_data(self, data):
        if self._where:
            self._text.append(data)


def test_no_empty_field_in_any_format(pec, ws, tmp_path):
    from openpyxl import load_workbook

    expected = {f.titulo: dict(f.campos) for f in fichas(load_plan(SHIPPED))}

    done = pec("export", "fichas")  # xlsx by default, in the current folder, its path printed
    assert done.exit_code == 0, done.output
    assert done.stdout == f"{ws / 'fichas-2024.xlsx'}\n"
    sheet = load_workbook(ws / "fichas-2024.xlsx")["Fichas"]
    rows = [(a, b) for a, b in sheet.iter_rows(min_col=1, max_col=2, values_only=True)]
    titles = [a for a, b in rows if a in expected and b is None]
    assert titles == list(expected)
    found = {label: value for label, value in rows if label in LABELS}
    assert set(found) == set(LABELS) and all(found.values())
    assert ("Fórmula del documento", "No. De meses al año / Total de publicaciones * 100") in rows
    assert len(sheet.row_breaks.brk) == len(expected) - 1  # one printed page per indicator
    # printed one page wide: nothing (a title-block merge included) reaches past its two columns, which a
    # merge to column J did, printing every ficha at some 65 % of its size
    assert sheet.max_column == 2 and not sheet.merged_cells.ranges

    page = pec("export", "fichas", "--format", "html", "-o", "-").stdout
    parser = _Sheets()
    parser.feed(page)
    assert [caption for caption, _ in parser.sheets] == list(expected)
    for caption, cells in parser.sheets:
        assert list(cells) == list(expected[caption]), caption
        assert all(cells.values()), caption
    assert '<th scope="row">Lectura</th>' in page

    md = pec("export", "fichas", "--format", "markdown", "-o", "-").stdout
    assert md.startswith("# Fichas de los indicadores: Plan Estratégico de Comunicaciones 2024")
    cells = re.findall(r"^\| \*\*(.+?)\*\* \| (.*) \|$", md, re.M)
    assert len(cells) == sum(len(f) for f in expected.values())
    assert all(value.strip() for _, value in cells)
    assert "## Aumento de seguidores en Redes sociales y aumento de interacción (Me gusta) (seguidores)" in md


def test_the_seguimiento_workbook_has_the_fichas_sheet(pec, ws):
    from openpyxl import load_workbook

    assert pec("export", "xlsx", "--trim", "II").exit_code == 0
    workbook = load_workbook(ws / "seguimiento-2024-TII.xlsx")
    assert workbook.sheetnames[-1] == "Fichas"
    values = [c for row in workbook["Fichas"].iter_rows(values_only=True) for c in row if c]
    assert "1. Revista Gestión USPEC" in values and "Campañas de comunicación interna (campanas)" in values


def test_fichas_options_are_checked(pec):
    for args, said in ((("--format", "pdf"), "El formato «pdf» no existe: use xlsx, html, markdown"),
                       (("--trim", "II"), "Las fichas vienen del plan"),
                       (("--detalle",), "Las fichas vienen del plan")):
        refused = pec("export", "fichas", *args)
        assert refused.exit_code == 2 and said in refused.stderr, refused.output
    refused = pec("export", "csv", "--format", "html")
    assert refused.exit_code == 2 and "--format elige el formato de «pec export fichas»" in refused.stderr
