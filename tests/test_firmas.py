"""Every Seguimiento report ends with the plan's Elaboró / Revisó / Aprobó and its own approval
(issue 23 item 1, the plan's side): XLSX, HTML, PDF and Markdown."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from pec_cli.plan.loader import load_plan
from pec_cli.report.table import Firma, firmas

from .conftest import REPO

PLAN = load_plan(REPO / "plan" / "2024.yaml")
NAMES = ("Luisa Fernanda Pérez Luna", "Yanneth Parra")


def test_the_plans_firmas_are_dated_by_its_versions_row():
    signed = firmas(PLAN)
    assert signed.plan == (
        Firma("Elaboró / Actualizó", "Luisa Fernanda Pérez Luna", "Jefe de prensa (Contratista)", "2023-12-26"),
        Firma("Revisó", "Yanneth Parra", "Técnico operativo", "2023-12-26"),
        Firma("Aprobó", "Luisa Fernanda Pérez Luna", "Jefe de prensa (Contratista)", "2023-12-26"),
    )
    assert signed.informe == ()  # pec aprobar has not signed this report: «sin aprobar»


def test_markdown_and_html_end_with_the_blocks(pec):
    pec("log", "revista", "--fecha", "2024-04-10", "--titulo", "Revista 2")
    for args in (("export", "markdown", "--trim", "II", "-o", "-"), ("status", "--trim", "II", "--format", "markdown")):
        md = pec(*args).stdout
        tail = md[md.index("**Firmas del plan (versión 1, 2023-12-26)**"):]
        assert "- Revisó: Yanneth Parra, Técnico operativo, 2023-12-26\n" in tail, args
        assert tail.rstrip().endswith("**Aprobación de este informe**: sin aprobar."), args
    html = pec("export", "html", "--trim", "II", "-o", "-").stdout
    block = html[html.index('<section class="card firmas">'):]
    assert block.index("</section>") < block.index("<footer>")  # the last section, before the footer
    assert "<caption>Firmas del plan (versión 1, 2023-12-26)</caption>" in block
    assert all(name in block for name in NAMES) and '<th scope="col">Aprobó</th>' in block
    assert "<p>Aprobación de este informe: sin aprobar.</p>" in block


def test_the_workbook_ends_its_seguimiento_sheet_with_the_blocks(pec, ws):
    from openpyxl import load_workbook

    assert pec("export", "xlsx", "--trim", "II").exit_code == 0
    sheet = load_workbook(ws / "seguimiento-2024-TII.xlsx")["Seguimiento"]
    rows = [tuple(c for c in row if c is not None) for row in sheet.iter_rows(values_only=True)]
    at = rows.index(("Firmas del plan (versión 1, 2023-12-26)",))
    assert rows[at + 1:at + 5] == [
        ("Firma", "Nombre", "Cargo", "Fecha"),
        ("Elaboró / Actualizó", "Luisa Fernanda Pérez Luna", "Jefe de prensa (Contratista)", "2023-12-26"),
        ("Revisó", "Yanneth Parra", "Técnico operativo", "2023-12-26"),
        ("Aprobó", "Luisa Fernanda Pérez Luna", "Jefe de prensa (Contratista)", "2023-12-26"),
    ]
    assert rows[-1] == ("Aprobación de este informe", "sin aprobar")


def test_approvals_given_take_the_place_of_sin_aprobar():
    """Where `pec aprobar` will pass the report's sign-offs: each writer lists them instead of «sin aprobar»;
    the public version names none of them."""
    from pec_cli.report.export import firmas_markdown
    from pec_cli.report.html import firmas_section

    signed = firmas(PLAN, [Firma("Revisó", "Ana Gómez", "Jefe de prensa", "2024-07-08"),
                           Firma("Aprobó", "Carlos Ruiz", "Director General", "2024-07-10")])
    md = firmas_markdown(signed)
    assert "sin aprobar" not in md and "- Aprobó: Carlos Ruiz, Director General, 2024-07-10\n" in md
    html = firmas_section(signed)
    assert "sin aprobar" not in html and "<td>Carlos Ruiz</td>" in html
    public = firmas_section(signed, publico=True)
    assert "Carlos Ruiz" not in public and "Ana Gómez" not in public and "<td>Director General</td>" in public


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftotext") is None, reason="chromium o pdftotext no están instalados")
def test_the_pdf_ends_with_the_blocks(pec, ws, tmp_path):
    out = tmp_path / "s.pdf"
    assert pec("export", "pdf", "--trim", "II", "-o", str(out)).exit_code == 0
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    tail = text[text.index("Firmas del plan (versión 1, 2023-12-26)"):]
    assert "Yanneth Parra" in tail and "Aprobación de este informe: sin aprobar." in tail
