"""`pec export html|pdf --publico`: the public version (Ley 1712), issue 23 item 6.

Figures and the plan's indicators, and nothing of the ledger's own words: a deny list is built from
the private fields of every ledger line of a workspace that has them all, and none may appear.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import pec_at as pec

# every private field a line may carry (ids and writer aside): none may reach the public version
PRIVATE_KEYS = ("titulo", "area", "nota", "texto", "motivo", "url", "canal", "atiende", "registrado", "prev")


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def private_ws(tmp_path: Path) -> Path:
    root = tmp_path / "espacio Quetzal"
    ok(pec(None, "init", str(root)))
    acta = tmp_path / "acta reservada Ñandú.pdf"
    acta.write_bytes(b"%PDF-1.4 acta reservada\n")
    ok(pec(root, "log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista Zafiro", "--canal", "Intranet Tucán",
           "--url", "https://intranet.example/revista-zafiro", "--evidencia", str(acta), "--nota", "Entregada por Marta Ibáñez"))
    request = ok(pec(root, "log", "internas", "--tipo", "solicitud", "--area", "Oficina Jurídica Xilófono",
                     "--fecha", "2024-04-02")).strip()
    ok(pec(root, "log", "internas", "--titulo", "Boletín Ornitorrinco", "--atiende", request, "--fecha", "2024-04-03"))
    ok(pec(root, "log", "internas", "--tipo", "solicitud", "--area", "Grupo Archivo Kiwi", "--fecha", "2024-05-02"))
    event = ok(pec(root, "log", "eventos", "--tipo", "evento", "--titulo", "Visita del ministro Arándano",
                   "--fecha", "2024-05-15")).strip()
    ok(pec(root, "log", "eventos", "--tipo", "publicacion", "--titulo", "Crónica Arándano", "--atiende", event,
           "--fecha", "2024-05-16"))
    ok(pec(root, "log", "seguidores", "--red", "instagram", "--valor", "12000", "--fecha", "2024-03-01"))
    ok(pec(root, "log", "seguidores", "--red", "instagram", "--valor", "12400", "--fecha", "2024-06-30"))
    wrong = ok(pec(root, "log", "capsulas", "--titulo", "Cápsula Mandrágora", "--fecha", "2024-04-20")).strip()
    ok(pec(root, "void", wrong, "--motivo", "Duplicada por Rigoberto Salazar"))
    ok(pec(root, "note", "revista", "--trim", "II", "La revista se aplazó porque Hermenegildo renunció"))
    return root


def deny_list(root: Path) -> set[str]:
    """The ledger's private fields: every área, título, nota, observación, motivo, URL, canal, evidence
    path, name and hash, entry id, link, `registrado` timestamp and digest, the writer id and the path."""
    denied = {str(root), str(root.resolve()), (root / ".pec" / "escritor").read_text(encoding="ascii").strip()}
    for segment in (root / "ledger").rglob("*.jsonl"):
        for line in segment.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            denied.add(record["id"])
            denied |= {str(record[key]) for key in PRIVATE_KEYS if record.get(key)}
            evidence = record.get("evidencia")
            if isinstance(evidence, dict):
                denied |= {evidence["archivo"], evidence["nombre"], evidence["sha256"], evidence["sha256"][:16]}
    assert len(denied) > 25
    return denied


def test_the_public_html_holds_nothing_private(private_ws, tmp_path):
    out = tmp_path / "publico.html"
    ok(pec(private_ws, "export", "html", "--trim", "II", "--publico", "-o", str(out)))
    page = out.read_text(encoding="utf-8")
    shown = html.unescape(page)
    leaked = sorted(word for word in deny_list(private_ws) if word in shown or word in page)
    assert leaked == []
    # the figures are there: the Seguimiento table, a curve per line and activity, the networks
    assert '<table class="seg">' in page and page.count("<svg") == 4 + 8 and "<td>Instagram</td>" in page
    assert "Luisa Fernanda Pérez Luna" in shown and "Yanneth Parra" in shown  # the plan's firmas, the only names
    assert "versión pública" in shown and "Ley 1712" in shown
    # the ordinary report keeps everything it shows
    ordinary = html.unescape(ok(pec(private_ws, "export", "html", "--trim", "II", "-o", "-")))
    for kept in ("Oficina Jurídica Xilófono", "Revista Zafiro", "La revista se aplazó porque Hermenegildo renunció",
                 "acta reservada Ñandú.pdf", "Duplicada por Rigoberto Salazar"):
        assert kept in ordinary, kept


class _Markers(HTMLParser):
    """Tables without a caption as their first child, header cells without scope, images without words."""

    def __init__(self) -> None:
        super().__init__()
        self.tables = 0
        self.uncaptioned = 0
        self._after_table = False
        self.unscoped: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.pills: list[str] = []
        self._pill: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._after_table and tag != "caption":
            self.uncaptioned += 1
        self._after_table = tag == "table"
        self.tables += tag == "table"
        if tag == "th" and attributes.get("scope") not in ("col", "row"):
            self.unscoped.append(self.getpos().__repr__())
        if tag == "svg" or (tag == "div" and "bar" == attributes.get("class")):
            self.images.append(attributes)
        if tag == "span" and "pill" in (attributes.get("class") or ""):
            self._pill = []

    def handle_data(self, data):
        if self._pill is not None:
            self._pill.append(data)

    def handle_endtag(self, tag):
        if tag == "span" and self._pill is not None:
            self.pills.append("".join(self._pill))
            self._pill = None


def test_the_public_html_is_accessible(private_ws):
    page = ok(pec(private_ws, "export", "html", "--trim", "II", "--publico", "-o", "-"))
    assert '<html lang="es">' in page
    markers = _Markers()
    markers.feed(page)
    assert markers.tables > 10 and markers.uncaptioned == 0  # every table says what it is
    assert markers.unscoped == []  # every header cell says what it heads
    charts = [a for a in markers.images if "aria-label" in a]
    assert len(charts) == 12 and all(a["role"] == "img" and len(a["aria-label"] or "") > 40 for a in charts)
    assert all(a.get("aria-hidden") == "true" for a in markers.images if "aria-label" not in a)  # the bars beside a figure
    # the semáforo is a word as well as a colour
    assert markers.pills and set(markers.pills) <= {"Verde", "Amarillo", "Rojo", "Sin meta"}
    label = next(a["aria-label"] for a in charts if "Revista Gestión USPEC" in (a["aria-label"] or ""))
    assert re.search(r"programado acumulado 25 %, 50 %, 75 %, 100 %; logrado acumulado Trim\. I: [\d,]+ %, "
                     r"Trim\. II: [\d,]+ %; semáforo \w+", label), label


def test_public_is_for_the_report_in_html_or_pdf(private_ws):
    for args in (("csv", "--publico"), ("xlsx", "--publico"), ("html", "--publico", "--detalle"), ("paquete", "--publico")):
        refused = pec(private_ws, "export", *args)
        assert refused.exit_code == 2 and "La versión pública (--publico)" in refused.stderr, args


def test_without_o_the_public_file_says_so_in_its_name(private_ws, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ok(pec(private_ws, "export", "html", "--trim", "II", "--publico")) == \
        f"{tmp_path / 'seguimiento-2024-TII-publico.html'}\n"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftotext") is None, reason="chromium o pdftotext no están instalados")
def test_the_public_pdf_holds_nothing_private(private_ws, tmp_path):
    out = tmp_path / "publico.pdf"
    ok(pec(private_ws, "export", "pdf", "--trim", "II", "--publico", "-o", str(out)))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "versión pública" in flat and "Tabla de Seguimiento" in flat
    assert [word for word in deny_list(private_ws) if word in flat] == []
