"""`pec status` on a terminal: a board that fits 80 columns and reads without colour.

Driven like a user with CliRunner (output is not a terminal there, as when piped);
COLUMNS sets the width rich draws for, FORCE_COLOR / NO_COLOR the colour.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import pec_at

COLOUR_CODE = re.compile(r"\x1b\[[0-9;]*3[0-7](;[0-9;]*)?m")


def pec(root: Path | None, *args: str, **env: str | None) -> str:
    """What the console shows: the conftest runner at 80 columns, colour as the environment says."""
    result = pec_at(root, *args, env={"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": "80", **env})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    pec(None, "init", str(folder))
    # SPEC §3 worked example: one revista in March, three in April-June
    for day in ("2024-03-10", "2024-04-10", "2024-05-10", "2024-06-10"):
        pec(folder, "log", "revista", "--fecha", day, "--titulo", f"Revista {day}")
    pec(folder, "log", "campanas", "--fecha", "2024-04-25", "--titulo", "Campaña")
    pec(folder, "log", "internas", "--tipo", "solicitud", "--fecha", "2024-05-02", "--area", "Jurídica")
    for day in ("2024-03-05", "2024-04-05", "2024-05-05", "2024-06-05", "2024-06-20"):
        pec(folder, "log", "externas", "--fecha", day, "--titulo", f"Externa {day}")
    return folder


def rows(output: str) -> dict[str, str]:
    """Board rows by their first word (activity id, or "línea" rows under their title)."""
    found: dict[str, str] = {}
    title = ""
    for line in output.splitlines():
        if re.match(r"\d\. ", line):
            title = line
        elif line.startswith("  "):
            key = line.split()[0]
            found[f"{title[:2]}línea" if key == "línea" else key] = line
    return found


@pytest.mark.parametrize("trim", ["I", "II", "III", "IV"])
def test_fits_80_columns_with_the_key_numbers(root, trim):
    out = pec(root, "status", "--trim", trim)
    assert max(len(line) for line in out.splitlines()) <= 80, out
    assert f"Trim. {trim}" in out
    for title in ("1. Revista Gestión USPEC", "2. Publicaciones internas", "3. Publicaciones externas", "4. Apoyo a eventos"):
        assert title in out
    board = rows(out)
    assert set(board) >= {"revista", "noti", "capsulas", "internas", "campanas", "externas", "seguidores", "eventos"}
    revistas, externas = ("1/10", "1/20") if trim == "I" else ("4/10", "5/20")  # realizadas / meta anual
    assert board["revista"].endswith(revistas) and board["externas"].endswith(externas)


def test_trim_ii_numbers_bar_and_semaforo(root):
    out = pec(root, "status", "--trim", "II")
    board = rows(out)
    revista = board["revista"]
    # Trim. I 10 of 25, Trim. II 25 of 25, acumulado 40 of 50: amarillo
    assert re.search(r"\b10,0\s+25,0\s+40,0/50\b", revista), revista
    assert "● amarillo" in revista
    bar = re.search(r"(█*)(░*)", revista[revista.index("40,0/50") + 7:].lstrip())
    full, empty = len(bar.group(1)), len(bar.group(2))
    assert full + empty >= 8 and round(10 * full / (full + empty)) == 8  # 40 of 50: 80 % of the way
    # campaigns are programmed 0/50/25/25: no target in Trim. I, said so under the board
    assert re.search(r"campanas\s+—\*\s+25,0\*\s+25,0/50", board["campanas"]), board["campanas"]
    assert "campanas 0/50/25/25" in out
    assert "N/A" in board["internas"]  # no request in Trim. I: no aplica
    assert "sin meta" in board["eventos"] and "N/A" in board["eventos"]
    assert "Semáforo: verde ≥ 90 %, amarillo ≥ 70 %" in out.replace("\n  ", " ")


@pytest.mark.parametrize("width", [60, 72, 100, 132, 200])
def test_never_wider_than_the_terminal(root, width):
    out = pec(root, "status", "--trim", "IV", COLUMNS=str(width))
    assert max(len(line) for line in out.splitlines()) <= width
    assert "revista" in out and "40,0/100" in out


def test_colour_only_adds_to_words(root):
    piped = pec(root, "status", "--trim", "II")
    assert "\x1b[" not in piped  # not a terminal: plain text
    coloured = pec(root, "status", "--trim", "II", FORCE_COLOR="1")
    assert COLOUR_CODE.search(coloured) and "\x1b[1;33m● amarillo" in coloured
    no_color = pec(root, "status", "--trim", "II", FORCE_COLOR="1", NO_COLOR="1")
    assert not COLOUR_CODE.search(no_color)
    assert re.sub(r"\x1b\[[0-9;]*m", "", no_color) == piped == re.sub(r"\x1b\[[0-9;]*m", "", coloured)


def test_errors_wrap_between_words_on_a_terminal(monkeypatch, tmp_path):
    """A refusal on a narrow terminal breaks between words (a pipe still gets one line)."""
    folder = tmp_path / "ws"
    pec(None, "init", str(folder))
    piped = pec_at(folder, "log", "revsta", "--titulo", "x")
    assert piped.exit_code == 1 and len(piped.stderr.splitlines()) == 1
    monkeypatch.setattr("pec_cli.cli.base.terminal_width", lambda: 40)
    narrow = pec_at(folder, "log", "revsta", "--titulo", "x")
    lines = narrow.stderr.splitlines()
    assert narrow.exit_code == 1 and len(lines) > 3 and all(len(line) <= 40 for line in lines)
    assert " ".join(line.strip() for line in lines) == piped.stderr.strip()  # every word whole, none lost


def test_a_figure_never_splits_from_its_unit(root):
    pec(root, "log", "seguidores", "--fecha", "2024-03-01", "--red", "instagram", "--valor", "10000")
    pec(root, "log", "seguidores", "--fecha", "2024-06-01", "--red", "instagram", "--valor", "10520")
    figures = 0
    for width in range(40, 81):  # at some of these widths a naive wrap puts "%" alone at a line's start
        out = pec(root, "status", "--trim", "II", COLUMNS=str(width))
        assert not [line for line in out.splitlines() if line.lstrip().startswith("%")], (width, out)
        figures += "148,6 %" in out.replace("\n  ", " ")
    assert figures == 41  # instagram: +520 of 350 programmed


def test_plan_show_keeps_the_indentation_of_wrapped_lines(root):
    out = pec(root, "plan", "show")
    lines = out.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("   Indicador: 1. Socialización")))
    assert lines[start + 1].startswith("   ") and not lines[start + 1].startswith("    ")  # under "Indicador"
    bullets = [i for i, line in enumerate(lines) if line.startswith("  - Garantizar la difusión")]
    assert bullets and lines[bullets[0] + 1].startswith("    ")  # under the bullet's text
    assert all(line == line.rstrip() for line in lines)


def test_list_and_list_observaciones_share_one_table_style(root):
    pec(root, "note", "revista", "--trim", "II", "La revista de mayo se aplazó.")
    pieces = pec(root, "list", "--actividad", "revista").splitlines()
    notes = pec(root, "list", "--observaciones").splitlines()
    rule = re.compile(r"^ ─+ *$")
    # the same shape: a header, the same heading rule under it, then the rows and a count
    assert pieces[1].split()[0] == notes[1].split()[0] == "id" and rule.match(pieces[2]) and rule.match(notes[2])
    assert notes[1].split() == ["id", "trim.", "actividad", "registrado", "texto"]
    assert notes[-1].strip() == "1 observación." and pieces[-1].strip() == "4 entradas."


def test_a_long_list_on_a_terminal_shows_the_most_recent_and_says_how_to_see_all(root, tmp_path):
    """Issue 20: rich draws a terminal table of 100k rows in minutes, and nobody reads it; off a
    terminal the table holds every row (rich's layout, written as plain text)."""
    from pec_cli.report.terminal import TERMINAL_ROWS

    rows = [f"externas,2024-0{4 + k % 2}-{1 + k % 28:02d},Externa número {k}" for k in range(TERMINAL_ROWS + 5)]
    (tmp_path / "muchas.csv").write_text("actividad,fecha,titulo\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert pec_at(root, "import", str(tmp_path / "muchas.csv")).exit_code == 0
    total = TERMINAL_ROWS + 5 + 11  # and the fixture's eleven pieces
    piped = pec(root, "list")
    assert f"{total} entradas." in piped and "Externa número 0 " in piped and "Se muestran" not in piped
    on_terminal = re.sub(r"\x1b\[[0-9;]*m", "", pec(root, "list", FORCE_COLOR="1"))
    assert f"{total} entradas." in on_terminal
    assert f"Se muestran las {TERMINAL_ROWS} más recientes; faltan 16" in on_terminal
    assert "--format csv" in on_terminal.replace("\n", " ")
    assert "Revista 2024-03-10" not in on_terminal  # the oldest are the ones left out
