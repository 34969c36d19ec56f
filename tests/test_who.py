"""Who registered each entry (issue 23 item 2, SPEC §4): the record field ``por``, where its name
comes from, and where it is shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pec_cli.errors import PecError
from pec_cli.ledger import store
from pec_cli.ledger.entries import Problem, decode
from pec_cli.workspace import Workspace

PIECE = {"clase": "pieza", "actividad": "revista", "tipo": "publicacion", "fecha": "2024-04-10",
         "registrado": "2024-04-10T09:00:00-05:00", "titulo": "Revista 1"}


def lines(ws: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((ws / "ledger").rglob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- the record rule


def test_every_line_append_writes_says_who_and_reads_back(ws):
    (piece,) = store.append(Workspace(ws), 2024, [PIECE], por="Ana Pérez")
    store.append(Workspace(ws), 2024, [{**PIECE, "titulo": "Revista 2"}], batch=True, on_commit=lambda ids: None,
                 por="Luis Gómez")
    written = lines(ws)
    assert [r.get("por") for r in written] == ["Ana Pérez", "Luis Gómez", "Luis Gómez"]  # the import's commit line too
    entry = decode(json.dumps(written[0]).encode())
    assert entry.id == piece and entry.get("por") == "Ana Pérez"


def test_an_old_entry_without_por_stays_valid(ws):
    store.append(Workspace(ws), 2024, [PIECE])
    (record,) = lines(ws)
    assert "por" not in record and decode(json.dumps(record).encode()).get("por") is None


@pytest.mark.parametrize("por", ["Ana\u202eepm", "Ana\x1b[31m", "Ana\nPérez", "x" * 101, 7])
def test_the_record_rule_refuses_a_bad_name(ws, por):
    good = {"v": 1, "id": "2024-abc-1", "n": 1, "prev": "0" * 16, **PIECE}
    assert isinstance(decode(json.dumps({**good, "por": por}).encode(), "f.jsonl", 1), Problem)  # readers skip it
    with pytest.raises(PecError, match="ningún lector lo aceptaría"):
        store.append(Workspace(ws), 2024, [PIECE], por=por)  # type: ignore[arg-type]
    assert lines(ws) == []

