"""Faults, hostile input and odd files (issue 10): each case fails on the code before its fix.

Every test prints what it tried, so the figures can be quoted (``pytest -s``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pec_cli.ledger import store as ledger
from pec_cli.workspace import Workspace

from .conftest import TODAY


def segment(ws: Path) -> Path:
    (path,) = (ws / "ledger" / "2024").glob("*.jsonl")
    return path


def raw_append(ws: Path, fields: dict, raw_title: bytes | None = None) -> int:
    """Append a record with a sound chain but any content (as another tool or a merge could);
    its line number. ``raw_title`` replaces the JSON of ``titulo`` byte for byte."""
    path = segment(ws)
    lines = path.read_bytes().splitlines()
    last = json.loads(lines[-1])
    record = {"v": 1, "id": f"2024-{path.stem}-{last['n'] + 1}", "n": last["n"] + 1,
              "prev": ledger.digest(lines[-1]), "clase": "pieza", "actividad": "revista", "tipo": "publicacion",
              "fecha": "2024-04-10", "registrado": f"{TODAY}T10:00:00-05:00", "titulo": "T", **fields}
    raw = json.dumps(record, ensure_ascii=False).encode()
    if raw_title is not None:
        raw = raw.replace(b'"titulo": "T"', b'"titulo": ' + raw_title)
    path.write_bytes(path.read_bytes() + raw + b"\n")
    return len(lines) + 1


def strict_json(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


HOSTILE = {
    "nan": ({"red": "instagram", "actividad": "seguidores", "tipo": "medicion"}, b'"T", "valor": NaN'),
    "infinite": ({"red": "instagram", "actividad": "seguidores", "tipo": "medicion"}, b'"T", "valor": Infinity'),
    "negative": ({"valor": -5, "red": "instagram", "actividad": "seguidores", "tipo": "medicion"}, None),
    "huge": ({"valor": 1e308, "red": "instagram", "actividad": "seguidores", "tipo": "medicion"}, None),
    "fraction": ({"valor": 1.5, "red": "instagram", "actividad": "seguidores", "tipo": "medicion"}, None),
    "escape": ({"titulo": "\x1b[2J\x1b[1;1HFalso"}, None),
    "osc-link": ({"canal": "\x1b]8;;http://evil\x1b\\clic\x1b]8;;\x1b\\"}, None),
    "csi-c1": ({"nota": "a\x9b2Jb"}, None),
    "c1-raw": (None, '"a\u0085b"'.encode()),
    "del": ({"titulo": "a\x7fb"}, None),
    "bell": ({"area": "x\x07"}, None),
    "newline": ({"titulo": "a\nb"}, None),
    "long-title": ({"titulo": "x" * 301}, None),
    "huge-title": ({"titulo": "x" * 2_000_000}, None),
    "long-id": ({"actividad": "r" * 500}, None),
    "bool-valor": ({"valor": True, "red": "instagram", "actividad": "seguidores", "tipo": "medicion"}, None),
    "bad-evidence": ({"evidencia": {"archivo": "a", "sha256": "x"}}, None),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_no_reader_accepts_a_line_the_writer_would_refuse(pec, ws, case):
    assert pec("log", "revista", "--fecha", "2024-04-02", "--titulo", "Buena").exit_code == 0
    before = pec("status", "--format", "json", "--trim", "II").stdout
    fields, raw_title = HOSTILE[case]
    line = raw_append(ws, fields or {}, raw_title)
    status = pec("status", "--format", "json", "--trim", "II")
    assert status.exit_code == 0
    assert strict_json(status.stdout) == strict_json(before)  # valid JSON, and the line is not counted
    assert f"{segment(ws).relative_to(ws)}:{line}:" in status.stderr and "se omite" in status.stderr
    listed = pec("list", "--format", "json", "--anuladas")
    assert [e["titulo"] for e in strict_json(listed.stdout)] == ["Buena"]  # type: ignore[union-attr]
    assert "\x1b" not in listed.stdout and "\x9b" not in listed.stdout
    verify = pec("verify")
    assert verify.exit_code == 1 and f"{segment(ws).relative_to(ws)}:{line}: registro" in verify.stdout \
        or f"{segment(ws).relative_to(ws)}:{line}: línea" in verify.stdout, verify.stdout
    print(f"\nrecord rule: case {case}: status/list skip line {line}, verify names it")


def test_decode_is_one_rule_returning_values():
    from pec_cli.ledger.entries import Piece, Problem, decode

    good = {"v": 1, "id": "2024-abc-1", "n": 1, "prev": "0" * 16, "clase": "pieza", "actividad": "revista",
            "tipo": "publicacion", "fecha": "2024-04-10", "registrado": "x"}
    assert isinstance(decode(json.dumps(good).encode(), "f", 3), Piece)
    bad = decode(json.dumps({**good, "titulo": "\x1b[31m"}).encode(), "f.jsonl", 3)
    assert isinstance(bad, Problem) and str(bad).startswith("f.jsonl:3: registro con caracteres de control")
    assert isinstance(decode(b'{"v": 1, "valor": NaN', "f", 1), Problem)


def test_the_writer_checks_what_it_writes_with_the_readers_rule(pec, ws):
    from pec_cli.errors import PecError

    with pytest.raises(PecError, match="ningún lector lo aceptaría"):
        ledger.append(Workspace(ws), 2024, [{"clase": "pieza", "actividad": "revista", "tipo": "publicacion",
                                              "fecha": "2024-04-10", "registrado": "x", "titulo": "\x1b]8;;x"}])
    assert not list((ws / "ledger").rglob("*.jsonl")) or segment(ws).read_bytes() == b""


def test_verify_fails_when_a_plan_does_not_load(pec, ws):
    (ws / "plan" / "2024.yaml").write_text("vigencia: [\n", encoding="utf-8")
    result = pec("verify")
    assert result.exit_code == 1, result.output
    assert "plan/2024.yaml" in result.stdout and "El registro tiene 1 problema(s)" in result.stderr
    from pec_cli.ledger.verify import CHECKS

    assert [c.__name__ for c in CHECKS][0] == "check_plans"
