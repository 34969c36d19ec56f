"""The evidence checklist of the paquete for Control Interno (issue 23 item 4): ``evidencias.csv``,
checked row by row on the README's first session."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
import re
import shlex
from pathlib import Path

import pytest

from .conftest import REPO, unbordered
from .conftest import pec_at as pec

HOY = "2024-06-20"  # the day the README's session ran


def run(root: Path | None, *args: str, env: dict | None = None) -> str:
    result = pec(root, *args, env={"PEC_HOY": HOY, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout


def first_session(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The README's «A first session», run as it is written: the workspace, and each id the README shows
    -> the id this run printed."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## A first session\n", 1)[1].split("```\n", 2)[1]
    commands = [line[2:] for line in block.splitlines() if line.startswith("$ pec ")]
    shown = re.findall(r"^(\d{4}-[a-z0-9]+-\d+)$", block, re.M)
    ids: dict[str, str] = {}
    init, *rest = commands
    words = shlex.split(init.split("&&")[0])
    run(None, "init", str(tmp_path / words[2]), *words[3:])
    root = tmp_path / words[2]
    for command in rest:
        words = shlex.split(command)
        if words[1] not in ("log", "note"):
            continue
        words = [ids.get(w, w) for w in words]
        ids[shown[len(ids)]] = run(root, *words[1:]).strip()
    return root, ids


def paquete(root: Path, out: Path, env: dict | None = None) -> list[list[list[str]]]:
    """The blocks of the paquete's evidencias.csv: each a title row, a header row and its rows."""
    run(root, "export", "paquete", "--trim", "II", "-o", str(out), env=env)
    raw = (out / "evidencias.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as every CSV of pec
    text = raw.decode("utf-8-sig")
    return [list(csv.reader(io.StringIO(part), delimiter=";")) for part in text.split("\r\n\r\n")]


def records(root: Path) -> dict[str, dict]:
    return {r["id"]: r for path in (root / "ledger").rglob("*.jsonl")
            for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_the_readme_session_gives_a_checklist_row_by_row(tmp_path):
    root, ids = first_session(tmp_path)
    pieces, summary, sample = paquete(root, tmp_path / "p")
    ledger = records(root)
    title, header, *rows = pieces
    assert title[0].startswith("Piezas que cuenta el informe: 7, de la vigencia 2024 hasta el corte 2024-06-20")
    assert header == ["id", "actividad", "tipo", "red", "fecha", "título", "evidencia", "sha256", "registrado_por",
                      "registrado", "días", "extemporánea"]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    note = ids["2024-4pvya-8"]
    assert set(by_id) == set(ids.values()) - {note}  # every piece the report counts, not the observación
    for entry_id, row in by_id.items():
        record = ledger[entry_id]
        registered = dt.datetime.fromisoformat(record["registrado"]).date()
        assert (row["actividad"], row["tipo"], row["fecha"]) == (record["actividad"], record["tipo"], record["fecha"])
        assert row["registrado"] == record["registrado"] and row["registrado_por"] == "Ana Pérez"  # pec init --nombre
        assert int(row["días"]) == (registered - dt.date.fromisoformat(record["fecha"])).days
        assert row["extemporánea"] == "no"  # no quarter is closed
    revista_2 = by_id[ids["2024-4pvya-2"]]
    assert (revista_2["evidencia"], revista_2["sha256"]) == ("https://www.uspec.gov.co/revista-2", "")
    assert [by_id[ids[i]]["evidencia"] for i in ("2024-4pvya-1", "2024-4pvya-3", "2024-4pvya-7")] == ["sin evidencia"] * 3
    assert by_id[ids["2024-4pvya-1"]]["título"] == "Revista Gestión USPEC No. 1"
    assert by_id[ids["2024-4pvya-5"]]["título"] == "instagram 10250"  # a measurement: its network and value
    # the network of each measurement in a column of its own (trial item 5), empty for every other piece
    assert {i: by_id[ids[i]]["red"] for i in ("2024-4pvya-5", "2024-4pvya-6")} == {"2024-4pvya-5": "instagram",
                                                                                   "2024-4pvya-6": "instagram"}
    assert {row["red"] for row in by_id.values() if row["actividad"] != "seguidores"} == {""}

    assert summary[1] == ["actividad", "con evidencia", "contadas"]
    assert {r[0]: (int(r[1]), int(r[2])) for r in summary[2:]} == {
        "revista": (1, 2), "noti": (0, 0), "capsulas": (0, 0), "internas": (0, 2), "externas": (0, 0),
        "seguidores": (0, 2), "eventos": (0, 0), "campanas": (0, 1), "total": (1, 7)}

    # fewer than 10 pieces: all of them, drawn from the seed (the SHA-256 of the report's JSON)
    status = run(root, "status", "--trim", "II", "--format", "json")
    seed = hashlib.sha256(status.encode("utf-8")).hexdigest()
    assert sample[0][0].endswith(f"semilla: {seed})") and sample[1] == header
    expected = random.Random(seed).sample(sorted(by_id), 7)
    assert [r[0] for r in sample[2:]] == expected and all(by_id[r[0]] == dict(zip(header, r, strict=True))
                                                           for r in sample[2:])
    manifest = (tmp_path / "p" / "MANIFIESTO.txt").read_text(encoding="utf-8")
    assert f"{hashlib.sha256((tmp_path / 'p' / 'evidencias.csv').read_bytes()).hexdigest()}  evidencias.csv" in manifest


def test_the_sample_is_ten_reproducible_and_moves_with_the_seed(tmp_path):
    root, _ = first_session(tmp_path)
    acta = tmp_path / "acta.pdf"
    acta.write_bytes(b"%PDF-1.4 acta\n")
    with_file = run(root, "log", "externas", "--titulo", "=HIPERVINCULO(\"x\")", "--fecha", "2024-04-05",
                    "--evidencia", str(acta)).strip()
    for day in range(6, 14):
        run(root, "log", "externas", "--titulo", f"Boletín {day}", "--fecha", f"2024-05-{day:02d}")
    pieces, summary, sample = paquete(root, tmp_path / "a")
    assert len(pieces) - 2 == 16 and len(sample) - 2 == 10
    row = next(r for r in pieces if r[0] == with_file)
    stored = records(root)[with_file]["evidencia"]
    assert row[5] == "'=HIPERVINCULO(\"x\")"  # a title that would run as a formula, neutralised
    assert (row[6], row[7]) == (f"evidencias/{with_file}_acta.pdf", stored["sha256"])
    assert (tmp_path / "a" / row[6]).read_bytes() == acta.read_bytes()  # the file in the paquete, under that name
    assert ["externas", "1", "9"] in summary
    assert paquete(root, tmp_path / "b")[2] == sample  # the same ledger and day: the same sample

    from pec_cli.context import Context
    from pec_cli.ledger.query import Query
    from pec_cli.report.checklist import checklist

    ctx = Context.load(str(root), 2024)
    selection = ctx.entries(Query(anuladas=True, hasta=dt.date(2024, 6, 20)))
    blocks = [checklist(ctx.plan, selection, dt.date(2024, 6, 20), {}, frozenset({with_file}), seed)
              for seed in ("uno", "dos")]
    assert blocks[0][2].rows != blocks[1][2].rows  # another seed, another sample
    assert sorted(blocks[0][0].rows) == sorted(blocks[1][0].rows) and len(blocks[0][2].rows) == 10
    assert [r[-1] for r in blocks[0][0].rows if r[0] == with_file] == ["sí"]  # registered after its quarter closed
    assert {r[-1] for r in blocks[0][0].rows if r[0] != with_file} == {"no"}


def test_a_voided_piece_is_not_counted(tmp_path):
    root, ids = first_session(tmp_path)
    run(root, "void", ids["2024-4pvya-7"], "--motivo", "duplicada")
    pieces, summary, _ = paquete(root, tmp_path / "p")
    assert ids["2024-4pvya-7"] not in [r[0] for r in pieces]
    assert ["campanas", "0", "0"] in summary and ["total", "1", "6"] in summary


@pytest.mark.parametrize("rows", [0, 1])
def test_an_empty_vigencia_still_has_its_three_blocks(tmp_path, rows):
    run(None, "init", str(tmp_path / "w"))
    if rows:
        run(tmp_path / "w", "log", "noti", "--titulo", "Noti 1", "--fecha", "2024-04-04")
    pieces, summary, sample = paquete(tmp_path / "w", tmp_path / "p")
    assert len(pieces) == 2 + rows and len(sample) == 2 + rows and summary[-1] == ["total", "0", str(rows)]
    assert rows == 0 or pieces[2][8] == "sin nombre"  # off a terminal, no name anywhere


def test_the_paquete_workbook_carries_the_checklist_as_its_evidencias_sheet(tmp_path):
    from openpyxl import load_workbook

    root, _ = first_session(tmp_path)
    blocks = paquete(root, tmp_path / "p")
    workbook = load_workbook(tmp_path / "p" / "seguimiento-2024-TII.xlsx")
    assert workbook.sheetnames[-1] == "Evidencias"
    cells = [["" if v is None else str(v) for v in row] for row in workbook["Evidencias"].iter_rows(values_only=True)]
    for block in blocks:  # each block of the CSV, title, header and rows, one under the other
        title_at = next(i for i, row in enumerate(cells) if row[0] == block[0][0])
        assert [row[:len(block[1])] for row in cells[title_at + 1:title_at + len(block)]] == block[1:]
        assert unbordered(workbook["Evidencias"], title_at + 2, title_at + len(block), len(block[1])) == []
    plain = tmp_path / "s.xlsx"
    run(root, "export", "xlsx", "--trim", "II", "-o", str(plain))
    assert "Evidencias" not in load_workbook(plain).sheetnames  # the committee's workbook alone has none


def test_a_late_piece_is_listed_but_not_counted_in_a_closed_quarters_checklist(tmp_path):
    """The sealed Trim. II counts what its closure saw: a piece registered later but dated in May is listed,
    marked «extemporánea», and left out of the count, the summary and the sample, as the report leaves it out;
    the seed is the closure's SHA-256 (README)."""
    root, _ = first_session(tmp_path)
    july = {"PEC_HOY": "2024-07-05"}
    run(root, "cierre", "--trim", "II", env=july)
    late = run(root, "log", "revista", "--fecha", "2024-05-15", "--titulo", "Revista tardía", env=july).strip()
    pieces, summary, sample = paquete(root, tmp_path / "p", july)
    assert pieces[0][0].startswith("Piezas que cuenta el informe: 7 (y 1 extemporánea, listada y marcada, que las "
                                   "cifras selladas no cuentan)")
    assert [r[-1] for r in pieces[2:] if r[0] == late] == ["sí"] and len(pieces) - 2 == 8
    assert ["revista", "1", "2"] in summary and ["total", "1", "7"] in summary
    assert late not in [r[0] for r in sample[2:]] and len(sample) - 2 == 7
    status = json.loads(run(root, "status", "--trim", "II", "--format", "json", env=july))
    assert sample[0][0].endswith(f"semilla: {status['cerrado']['II']['sha256']})")
    revista = next(a for a in status["actividades"] if a["id"] == "revista")
    assert revista["acumulado"]["realizadas"] == 2  # what the summary counts for revista



def test_a_later_closure_that_saw_a_late_piece_counts_it(tmp_path):
    """Trim. II closed in July, a May piece logged in August, Trim. III closed in October: the sealed Trim. III
    acumulado counts that piece (its closure saw it), so its checklist counts it too, marked extemporánea."""
    root, _ = first_session(tmp_path)
    run(root, "cierre", "--trim", "II", env={"PEC_HOY": "2024-07-05"})
    late = run(root, "log", "revista", "--fecha", "2024-05-15", "--titulo", "Tardía", env={"PEC_HOY": "2024-08-01"})
    october = {"PEC_HOY": "2024-10-03"}
    run(root, "cierre", "--trim", "III", env=october)
    run(root, "export", "paquete", "--trim", "III", "-o", str(tmp_path / "p"), env=october)
    text = (tmp_path / "p" / "evidencias.csv").read_bytes().decode("utf-8-sig")
    pieces, summary, _ = [list(csv.reader(io.StringIO(part), delimiter=";")) for part in text.split("\r\n\r\n")]
    assert pieces[0][0].startswith("Piezas que cuenta el informe: 8, de la vigencia")
    assert [r[-1] for r in pieces[2:] if r[0] == late.strip()] == ["sí"]
    status = json.loads(run(root, "status", "--trim", "III", "--format", "json", env=october))
    revista = next(a for a in status["actividades"] if a["id"] == "revista")
    assert ["revista", "1", str(revista["acumulado"]["realizadas"])] in summary
