"""Fuzzing: any bytes or structure gives a clean result or a clean error, never a traceback.

CI runs a short run (PEC_FUZZ_EXAMPLES, default 150 per test, a third of it for the mutated shipped plan,
which checks a whole plan each time and runs in full under ``-m slow``: 8 tests, 1,100 inputs).
The long run, >= 10,000 inputs per test:

    PEC_FUZZ_EXAMPLES=10000 python3 -m pytest tests/test_fuzz.py -s
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pec_cli.errors import PecError
from pec_cli.ledger import store as ledger
from pec_cli.ledger.tally import Tally
from pec_cli.plan.formula import FormulaError, compile_formula
from pec_cli.plan.loader import plan_data_from_text

from .conftest import REPO

EXAMPLES = int(os.environ.get("PEC_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
SHIPPED_DOC = yaml.safe_load((REPO / "plan" / "2024.yaml").read_text(encoding="utf-8"))
VALID_LINE = ledger.encode({"v": 1, "id": "2024-abcde-1", "n": 1, "prev": ledger.GENESIS, "clase": "pieza",
                            "actividad": "revista", "tipo": "publicacion", "fecha": "2024-03-15",
                            "registrado": "2024-03-15T10:00:00-05:00", "titulo": "A"})
COUNTS = {"ledger": 0, "plan": 0, "formula": 0}


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    """Say how many inputs the run generated (visible with -s)."""
    yield
    print(f"\nfuzz: {sum(COUNTS.values())} inputs {COUNTS}, 0 tracebacks")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=15,
)
record_like = st.fixed_dictionaries(
    {},
    optional={
        "v": st.sampled_from([1, 2, 0, "1", None, True]), "id": st.text(max_size=12) | st.integers(),
        "n": st.integers(-2, 5) | st.text(max_size=3), "prev": st.text(max_size=16) | st.none(),
        "clase": st.sampled_from(["pieza", "anulacion", "observacion", "otra", 3]),
        "actividad": st.sampled_from(["revista", "seguidores", "", "x"]) | st.integers(),
        "tipo": st.sampled_from(["publicacion", "medicion", None, 1]), "fecha": st.text(max_size=12) | st.dates().map(str),
        "registrado": st.text(max_size=10), "anula": st.text(max_size=8) | st.none(),
        "trimestre": st.sampled_from(["I", "V", 2, None, "iv"]), "texto": st.text(max_size=10) | st.integers(),
        "red": st.sampled_from(["instagram", 5, None]), "valor": json_values,
        "evidencia": json_values,
    },
)


def _read_ledger_bytes(data: bytes, tmp: Path) -> None:
    """Every reader over a segment holding ``data``: only clean values or warnings."""
    from pec_cli.workspace import Workspace

    folder = tmp / "ledger" / "2024"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "abcde.jsonl").write_bytes(data)
    warnings: list[str] = []
    entries = list(ledger.read_entries(Workspace(tmp), 2024, warnings))
    tally_warnings: list[str] = []
    tally = ledger.read_tally(Workspace(tmp), 2024, tally_warnings, use_cache=False)
    assert isinstance(tally, Tally) and tally.records == len(entries)
    tally.net()
    from pec_cli.ledger.verify import read_segment

    counted = list(read_segment(Workspace(tmp), 2024, folder / "abcde.jsonl").counted())
    assert [e.id for e in counted] == [e.id for e in entries]  # one record rule for every reader
    assert _resumed(data, tmp) == (tally.to_json(), tally_warnings)  # a cache resumed where a read stopped: the same
    COUNTS["ledger"] += 1


def _resumed(data: bytes, tmp: Path) -> tuple[dict, list[str]]:
    """The tally and warnings of ``data`` read in two goes: its first lines (cached), then the rest as if a
    ``git pull`` had grown the segment (the cache resumed from where it ended)."""
    import shutil

    from pec_cli.workspace import Workspace

    shutil.rmtree(tmp / ".pec", ignore_errors=True)
    segment = tmp / "ledger" / "2024" / "abcde.jsonl"
    cut = data.find(b"\n", len(data) // 2) + 1
    segment.write_bytes(data[:cut])
    ledger.read_tally(Workspace(tmp), 2024, [], use_cache=True)
    with segment.open("ab") as handle:
        handle.write(data[cut:])
    warnings: list[str] = []
    return ledger.read_tally(Workspace(tmp), 2024, warnings, use_cache=True).to_json(), warnings


valid_text = (st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.text(max_size=320)
              | st.text(st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010, blacklist_categories=()), max_size=4))
valid_record = st.fixed_dictionaries(
    {"v": st.just(1), "id": st.text(max_size=20), "n": st.integers(1, 10**20), "prev": st.text(max_size=16),
     "clase": st.sampled_from(["pieza", "anulacion", "observacion", "lote"]), "actividad": st.text(min_size=1, max_size=101),
     "tipo": st.text(max_size=101), "fecha": st.dates().map(str) | st.text(max_size=10), "registrado": st.text(max_size=12),
     "anula": st.text(max_size=8), "trimestre": st.sampled_from(["I", "IV", 2, 5, "2"]), "texto": valid_text,
     "lote": st.text(max_size=8), "filas": st.integers(0, 3)},
    optional={"titulo": valid_text, "url": valid_text, "red": st.sampled_from(["instagram", "", "x" * 51]),
              "valor": st.none() | st.integers(-1, 10**16) | st.floats(), "area": valid_text, "atiende": st.text(max_size=5),
              "evidencia": st.fixed_dictionaries({"archivo": st.text(max_size=4), "sha256": st.sampled_from(["a" * 64, "A" * 64]),
                                                  "nombre": st.text(max_size=3)}),
              "extra": json_values},
)


@FUZZ
@given(st.binary(max_size=400))
def test_ledger_reader_on_arbitrary_bytes(tmp_path_factory, data):
    _read_ledger_bytes(data, tmp_path_factory.mktemp("l"))


@FUZZ
@given(st.lists(record_like | valid_record, max_size=6), st.binary(max_size=40))
def test_ledger_reader_on_record_shaped_lines(tmp_path_factory, records, tail):
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass") for r in records]
    _read_ledger_bytes(b"\n".join([VALID_LINE, *lines]) + b"\n" + tail, tmp_path_factory.mktemp("l"))


@FUZZ
@given(st.data())
def test_ledger_reader_on_mutated_valid_lines(tmp_path_factory, data):
    raw = bytearray(VALID_LINE)
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    _read_ledger_bytes(bytes(raw) + b"\n", tmp_path_factory.mktemp("l"))


def _load(text: str) -> None:
    try:
        plan_data_from_text(text, "plan/2024.yaml")
    except PecError as exc:
        # one Spanish sentence naming the file, and every detail located as file:line: field: message
        assert "\n" not in exc.message and "plan/2024.yaml" in exc.message, exc.message
        assert exc.message.rstrip().endswith((".", ":", ")")), exc.message
        assert all(re.match(r"plan/2024\.yaml(:\d+)?: \S", line) for line in exc.details), exc.details
    COUNTS["plan"] += 1


@FUZZ
@given(st.text(max_size=300))
def test_plan_loader_on_arbitrary_text(text):
    _load(text)


@FUZZ
@given(json_values)
def test_plan_loader_on_arbitrary_structures(value):
    _load(yaml.safe_dump(value, allow_unicode=True))


@settings(FUZZ, max_examples=max(1, EXAMPLES // 3))  # each checks a whole plan: a third in the quick set
@given(st.data())
def test_plan_loader_on_mutated_shipped_plan(data):
    _mutated_shipped_plan(data)


@pytest.mark.slow
@FUZZ
@given(st.data())
def test_plan_loader_on_mutated_shipped_plan_in_full(data):
    _mutated_shipped_plan(data)


def _mutated_shipped_plan(data):
    """The real plan with a few values replaced by arbitrary ones."""
    doc = copy.deepcopy(SHIPPED_DOC)
    for _ in range(data.draw(st.integers(1, 3))):
        section = data.draw(st.sampled_from(["lineas", "actividades"]))
        item = data.draw(st.sampled_from(doc[section]))
        key = data.draw(st.sampled_from(sorted(item)))
        item[key] = data.draw(json_values)
    _load(yaml.safe_dump(doc, allow_unicode=True))


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("()+-*/.,0123456789 abfinmetaxpublicon_")), max_size=60),
       st.dictionaries(st.sampled_from(["a", "b", "meta", "inicio", "fin", "publicacion"]),
                       st.none() | st.floats() | st.integers(), max_size=6))
def test_formula_evaluator_on_arbitrary_input(source, values):
    allowed = {"a", "b", "meta", "inicio", "fin", "publicacion"}
    try:
        formula = compile_formula(source, allowed)
    except FormulaError:
        COUNTS["formula"] += 1
        return
    result = formula.evaluate({name: values.get(name, 1.0) for name in formula.variables})
    assert result is None or isinstance(result, float)
    COUNTS["formula"] += 1
