"""`pec plan show --format html,pdf,markdown`: the plan document as the seed lays it out (issue 23 item 7)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest
import yaml

from .conftest import REPO

SHIPPED = REPO / "plan" / "2024.yaml"


def strings(value) -> list[str]:
    """Every string value of a loaded YAML document (keys aside)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def test_every_text_of_the_plan_file_is_in_the_markdown_and_the_html(pec):
    texts = strings(yaml.safe_load(SHIPPED.read_text(encoding="utf-8")))
    assert len(texts) > 150
    markdown = pec("plan", "show", "--format", "markdown")
    page = pec("plan", "show", "--format", "html")
    assert markdown.exit_code == 0 and page.exit_code == 0, markdown.output + page.output
    shown = html.unescape(page.stdout)
    assert [t for t in texts if t not in markdown.stdout] == []
    assert [t for t in texts if t not in shown] == []


def test_the_document_follows_the_seed(pec):
    md = pec("plan", "show", "--format", "markdown").stdout
    order = ["# Plan Estratégico de Comunicaciones 2024", "Unidad de Servicios Penitenciarios y Carcelarios (USPEC)",
             "- Versión: 1", "## Introducción", "### 1.1 Misión Institucional", "### 1.2 Visión Institucional",
             "## 2. Objetivos", "## 3. Contexto actual", "### 3.1 Prospectiva de intervención cuatrienal",
             "### 3.2 Plan de intervención para la vigencia 2024", "## Seguimiento", "## Observaciones",
             "## Resumen de cambios", "## Responsabilidad y autoridad", "## Anexo: cómo se sigue el plan"]
    places = [md.index(text) for text in order]
    assert places == sorted(places)
    # the Seguimiento: the formula verbatim, meta and 25 % a quarter
    assert re.search(r"\| 1\. Revista Gestión USPEC \| Realizar 10 publicaciones al año\. \| "
                     r"`No\. De meses al año / Total de publicaciones \* 100` \| 100 % \| 25 % \| 25 % \| 25 % \| "
                     r"25 % \| No aplica \|", md)
    assert "| 01 | 2023-12-26 | 4 | Se actualizo íntegramente el documento según las acciones a revisar en la vigencia |" in md
    assert "|  | Elaboró / Actualizó | Revisó | Aprobó |" in md
    assert "| Nombre | Luisa Fernanda Pérez Luna | Yanneth Parra | Luisa Fernanda Pérez Luna |" in md
    page = pec("plan", "show", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert '<th scope="col">Elaboró / Actualizó</th>' in page and "<caption>Resumen de cambios</caption>" in page


def test_options_of_plan_show(pec, ws, tmp_path):
    table = pec("plan", "show")
    assert table.exit_code == 0 and "Líneas del Seguimiento y sus actividades" in table.stdout  # the default
    out = tmp_path / "plan.md"
    written = pec("plan", "show", "--format", "markdown", "-o", str(out))
    assert written.exit_code == 0 and written.stdout == f"{out}\n"
    assert out.read_text(encoding="utf-8").startswith("# Plan Estratégico de Comunicaciones 2024")
    refused = pec("plan", "show", "-o", str(tmp_path / "x.txt"))
    assert refused.exit_code == 2 and "--format html, pdf o markdown" in refused.stderr
    refused = pec("plan", "show", "--format", "docx")
    assert refused.exit_code == 2 and "table, html, pdf, markdown" in refused.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftotext") is None, reason="chromium o pdftotext no están instalados")
def test_the_pdf_is_written_beside_and_holds_the_firmas(pec, ws):
    done = pec("plan", "show", "--format", "pdf")
    assert done.exit_code == 0, done.output
    pdf = ws / "plan-2024.pdf"
    assert done.stdout == f"{pdf}\n" and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needed in ("Plan Estratégico de Comunicaciones 2024", "Prospectiva de intervención cuatrienal",
                   "Resumen de cambios", "Yanneth Parra", "Elaboró / Actualizó"):
        assert needed in text, needed
