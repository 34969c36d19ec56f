"""The shortcuts taken for speed (issue 13) change nothing a user sees.

Speed itself is measured by ``benchmarks/run.py``, never here; these tests
check that each shortcut gives what the long way gives.
"""

from __future__ import annotations

import os
import subprocess
import sys

from pec_cli.cli import app, only_the_named_command

NAMES = ["init", "log", "import", "note", "void", "list", "status", "pendientes", "export", "verify", "plan"]


def _main(args: list[str], ws) -> subprocess.CompletedProcess[str]:
    """``pec ARGS`` through the installed entry point's ``main`` (the CliRunner tests skip it)."""
    code = f"import sys; sys.argv = ['pec', *{args!r}]\nfrom pec_cli.cli import main\nmain()\n"
    env = {**os.environ, "PEC_HOY": "2024-07-15", "PEC_ROOT": str(ws), "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_a_named_command_is_built_alone_and_anything_else_builds_them_all():
    commands = app.registered_commands
    (status,) = only_the_named_command(commands, ["status"])
    assert status.callback.__name__ == "status"
    (imported,) = only_the_named_command(commands, ["import"])  # named apart from its function
    assert imported.callback.__name__ == "import_csv"
    for first in ([], ["--help"], ["statu"], ["plan"], ["--root"]):
        assert only_the_named_command(commands, first) is commands


def test_main_runs_the_named_command_and_help_still_lists_every_command(ws, tmp_path):
    listed = _main(["--help"], ws)
    assert listed.returncode == 0, listed.stderr
    assert all(f"  {name} " in listed.stdout for name in NAMES), listed.stdout
    assert _main(["log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1"], ws).returncode == 0
    shown = _main(["status", "--format", "json"], ws)
    assert shown.returncode == 0, shown.stderr
    assert '"realizadas": 1' in shown.stdout
    typo = _main(["statu"], ws)
    assert typo.returncode == 2 and "status" in typo.stderr and "Traceback" not in typo.stderr


def test_request_counts_give_what_one_value_per_request_gives():
    """The avance counts requests per (fecha, area, answered) instead of one value each: same rows, same order."""
    import datetime as dt
    import random

    from pec_cli.ledger.requests import by_area, by_area_counted, request_counts, requests_of
    from pec_cli.ledger.tally import tally_records
    from pec_cli.plan.loader import load_plan

    from .conftest import REPO

    plan = load_plan(REPO / "plan" / "2024.yaml")
    act = plan.activity("internas")
    rng = random.Random(13)
    areas = ["Talento Humano", "talento humano", "Jurídica", "jurídica", "Logística", "Zona"]
    for trial in range(40):
        records, requests = [], []
        for k in range(rng.randrange(1, 120)):
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(366))
            rid = f"2024-w{rng.randrange(3)}-{rng.randrange(1, 400)}"  # ids repeat: text order, not number order
            if rng.random() < 0.6 or not requests:
                record = {"clase": "pieza", "id": rid, "actividad": "internas", "tipo": "solicitud",
                          "fecha": day.isoformat(), "registrado": f"{day}T09:00:00-05:00", "area": rng.choice(areas)}
                requests.append(record)
            elif rng.random() < 0.8:
                record = {"clase": "pieza", "id": rid, "actividad": "internas", "tipo": "publicacion",
                          "fecha": day.isoformat(), "registrado": f"{day}T09:00:00-05:00",
                          "atiende": rng.choice(requests)["id"]}
            else:
                target = rng.choice(requests)
                record = {"clase": "anulacion", "id": rid, "actividad": "internas", "tipo": target["tipo"],
                          "fecha": target["fecha"], "anula": target["id"], "registrado": f"{day}T09:00:00-05:00"}
            records.append({"v": 1, "n": k + 1, "prev": "0" * 16, **record})
        totals = tally_records(records).totals()
        corte = dt.date(2024, rng.randrange(1, 13), 28)
        slow = requests_of(act, totals, corte)
        counts, first = request_counts(act, totals, corte)
        assert list(by_area_counted(counts, first).items()) == list(by_area(slow).items()), trial
        for start, end in (("2024-01-01", "2024-03-31"), ("2024-04-01", "2024-12-31"), ("2024-02-10", "2024-02-20")):
            want = sum(1 for r in slow if r.respondida is not None and start <= r.fecha.isoformat() <= end)
            assert sum(n for (f, _a, done), n in counts.items() if done and start <= f <= end) == want
