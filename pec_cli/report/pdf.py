"""The committee report as a PDF: the HTML report printed by a headless Chromium-family browser.

Chromium, Google Chrome or Microsoft Edge print the page exactly as the HTML
export looks on A4 (its ``@page`` and print styles), with no Python PDF
library to install. ``PEC_NAVEGADOR`` names the browser to use; otherwise the
usual names and install paths are tried. Where none is installed, one Spanish
sentence says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pec_cli.errors import PecError, reason

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge", "microsoft-edge")
WINDOWS_PATHS = (
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
)
MAC_PATHS = ("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", "/Applications/Chromium.app/Contents/MacOS/Chromium")
TIMEOUT = 180  # seconds: a cold browser start on a slow desktop
# no network, no profile, no sync: the page is self-contained and nothing else is wanted
FLAGS = (
    "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-pdf-header-footer",
)
MISSING = (
    "Para exportar en PDF hace falta un navegador Chromium, Google Chrome o Microsoft Edge, y no se encontró ninguno: "
    "instale uno (en Debian o Ubuntu: sudo apt install chromium) o indique su ruta en la variable PEC_NAVEGADOR; "
    "mientras tanto, «pec export html» y «Imprimir > Guardar como PDF» en el navegador dan el mismo documento."
)


def find_browser() -> str | None:
    """The browser that prints the PDF: PEC_NAVEGADOR, else the first one installed."""
    if chosen := os.environ.get("PEC_NAVEGADOR"):
        return chosen if Path(chosen).is_file() or shutil.which(chosen) else None
    for name in NAMES:
        if found := shutil.which(name):
            return found
    return next((p for p in (*WINDOWS_PATHS, *MAC_PATHS) if Path(p).is_file()), None)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML page, as the browser prints it on A4."""
    browser = find_browser()
    if browser is None:
        raise PecError(MISSING)
    with tempfile.TemporaryDirectory(prefix="pec-pdf-") as folder:
        page, out = Path(folder) / "informe.html", Path(folder) / "informe.pdf"
        page.write_text(html, encoding="utf-8")
        flags = [*FLAGS, f"--user-data-dir={Path(folder) / 'perfil'}", f"--print-to-pdf={out}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run([browser, *flags, page.as_uri()], capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PecError(f"El navegador {browser} no terminó el PDF en {TIMEOUT} segundos; pruebe de nuevo o "
                           "exporte HTML e imprímalo desde el navegador.") from None
        except OSError as exc:
            raise PecError(f"El navegador {browser} no pudo imprimir el PDF ({reason(exc)}); revise PEC_NAVEGADOR "
                           "o exporte HTML e imprímalo desde el navegador.") from None
        if not out.is_file() or out.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["sin mensaje"]
            raise PecError(f"El navegador {browser} no produjo el PDF ({detail[0][:200]}); "
                           "exporte HTML e imprímalo desde el navegador.")
        return out.read_bytes()
