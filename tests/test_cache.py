"""The derived caches are disposable: with, without, stale or deleted, the numbers agree."""

from __future__ import annotations

import json
import os
import random
import shutil
import time

import pytest

from pec_cli.ledger import cache
from pec_cli.ledger import store as ledger
from pec_cli.ledger.tally import Tally
from pec_cli.plan.cache import load_plan_cached
from pec_cli.report.avance import compute
from pec_cli.report.render import report_to_dict
from pec_cli.workspace import Workspace

from .conftest import JULY_TODAY


def _status(ws_path, use_cache):
    ws = Workspace(ws_path)
    plan = load_plan_cached(ws, ws_path / "plan" / "2024.yaml")
    totals = cache.read_tally(ws, 2024, [], use_cache=use_cache)
    return report_to_dict(compute(plan, totals, 3, JULY_TODAY))


def _random_ledger(ws_path, count, seed):
    rng = random.Random(seed)
    ws = Workspace(ws_path)
    records, ids = [], []
    for _ in range(count):
        kind = rng.random()
        day = f"2024-{rng.randint(3, 7):02d}-{rng.randint(1, 28):02d}"
        if kind < 0.4:
            rec = {"clase": "pieza", "actividad": rng.choice(["revista", "noti", "externas", "campanas"]),
                   "tipo": "publicacion", "fecha": day, "titulo": "t"}
        elif kind < 0.6:
            rec = {"clase": "pieza", "actividad": "internas", "tipo": rng.choice(["publicacion", "solicitud"]),
                   "fecha": day, "titulo": "t", "area": "a"}
        elif kind < 0.9:
            rec = {"clase": "pieza", "actividad": "seguidores", "tipo": "medicion", "fecha": day,
                   "red": rng.choice(["instagram", "tiktok"]), "valor": rng.randint(900, 1400)}
        else:
            rec = None
        if rec is None and ids:
            target = rng.choice(ids)
            rec = {"clase": "anulacion", "actividad": target[1], "tipo": target[2], "fecha": target[3], "anula": target[0]}
        elif rec is None:
            continue
        rec["registrado"] = f"{day}T{rng.randint(0, 23):02d}:00:00-05:00"
        records.append(rec)
        (new_id,) = ledger.append(ws, 2024, [rec])
        if rec["clase"] == "pieza":
            ids.append((new_id, rec["actividad"], rec["tipo"], rec["fecha"]))
    return records


@pytest.mark.parametrize("seed", range(5))
def test_cached_uncached_and_rebuilt_agree(ws, seed):
    _random_ledger(ws, 120, seed)
    uncached = _status(ws, False)
    assert _status(ws, True) == uncached  # builds the cache
    assert _status(ws, True) == uncached  # reads it
    ledger.append(Workspace(ws), 2024, [{"clase": "pieza", "actividad": "revista", "tipo": "publicacion",
                                         "fecha": "2024-07-01", "registrado": "x", "titulo": "más"}])
    assert _status(ws, True) == _status(ws, False)  # folded by the append
    shutil.rmtree(ws / ".pec" / "cache")
    assert _status(ws, True) == _status(ws, False)


def test_one_more_log_does_not_rescan_the_ledger(ws, monkeypatch):
    _random_ledger(ws, 50, 7)
    _status(ws, True)
    ledger.append(Workspace(ws), 2024, [{"clase": "pieza", "actividad": "revista", "tipo": "publicacion",
                                         "fecha": "2024-07-01", "registrado": "x", "titulo": "más"}])

    def no_scan(*args, **kwargs):
        raise AssertionError("the segment was read again")

    monkeypatch.setattr(cache, "fold", no_scan)  # every read of a segment's lines for its totals goes through it
    rev = next(a for a in _status(ws, True)["actividades"] if a["id"] == "revista")
    monkeypatch.undo()
    assert rev == next(a for a in _status(ws, False)["actividades"] if a["id"] == "revista")


@pytest.mark.parametrize("how", ["same-size-edit", "shorter-edit", "deleted-line", "new-segment"])
def test_a_ledger_changed_behind_the_cache_gives_the_same_numbers(ws, how):
    _random_ledger(ws, 60, 3)
    before = _status(ws, True)
    time.sleep(0.05)  # past the file system's mtime tick: see the racy window in ledger.tally
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    lines = segment.read_text(encoding="utf-8").splitlines()
    voided = {json.loads(line).get("anula") for line in lines}
    index = next(i for i, line in enumerate(lines)
                 if '"revista"' in line and '"pieza"' in line and json.loads(line)["fecha"] < "2024-07-01"
                 and json.loads(line)["id"] not in voided)
    if how == "same-size-edit":
        lines[index] = lines[index].replace('"actividad":"revista"', '"actividad":"noti123"')
    elif how == "shorter-edit":
        lines[index] = lines[index].replace('"actividad":"revista"', '"actividad":"noti"')
    elif how == "deleted-line":
        del lines[index]
    if how == "new-segment":  # another writer's segment (a piece of its own: an id of its file and position)
        piece = {**json.loads(lines[index]), "id": "2024-otro1-1", "n": 1}
        (segment.parent / "otro1.jsonl").write_text(json.dumps(piece) + "\n", encoding="utf-8")
    else:
        segment.write_text("\n".join(lines) + "\n", encoding="utf-8")
    after = _status(ws, True)
    assert after == _status(ws, False)
    assert after != before


def test_voids_that_exhaust_a_compacted_day_fall_back_to_a_full_fold(ws):
    w = Workspace(ws)
    ids = [ledger.append(w, 2024, [{"clase": "pieza", "actividad": "seguidores", "tipo": "medicion",
                                    "fecha": "2024-03-10", "red": "instagram", "valor": 1000 + k,
                                    "registrado": f"2024-03-10T0{k}:00:00-05:00"}])[0] for k in range(7)]
    for entry_id, k in zip(reversed(ids[2:]), reversed(range(2, 7)), strict=True):
        ledger.append(w, 2024, [{"clase": "anulacion", "actividad": "seguidores", "tipo": "medicion",
                                 "fecha": "2024-03-10", "anula": entry_id, "registrado": "x", "motivo": str(k)}])
    for use_cache in (True, True, False):
        series = _status(ws, use_cache)
        ig = next(a for a in series["actividades"] if a["id"] == "seguidores")["acumulado"]["series"]["instagram"]
        assert ig["fin"] == 1001  # the latest measurement of the day that was not voided


def test_tally_json_round_trip():
    tally = Tally()
    tally.add({"clase": "pieza", "id": "a", "actividad": "x", "tipo": "t", "fecha": "2024-01-02", "registrado": "r",
               "red": "ig", "valor": 3})
    tally.add({"clase": "anulacion", "id": "b", "actividad": "x", "tipo": "t", "fecha": "2024-01-02", "anula": "a",
               "registrado": "r"})
    tally.add({"clase": "observacion", "id": "c", "actividad": "x", "trimestre": "II", "texto": "n", "registrado": "r"})
    again = Tally.from_json(json.loads(json.dumps(tally.to_json())))
    assert again.to_json() == tally.to_json()
    assert again.net().counts == {("x", "t", "2024-01-02"): 0}


def test_a_status_read_racing_appends_never_double_counts(ws):
    """Readers fold the segment while a writer appends 100 entries: the cache must stay exact."""
    _racing_appends(ws, appends=100)


@pytest.mark.slow
def test_a_status_read_racing_300_appends_never_double_counts(ws):
    _racing_appends(ws, appends=300)


def _racing_appends(ws, appends: int) -> None:
    import threading

    w = Workspace(ws)
    done = threading.Event()

    def writer():
        for i in range(appends):
            ledger.append(w, 2024, [{"clase": "pieza", "actividad": "noti", "tipo": "publicacion",
                                     "fecha": "2024-05-02", "registrado": "x", "titulo": f"n{i}"}])
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    while not done.is_set():
        ledger.read_tally(w, 2024, [], use_cache=True)
    thread.join()
    cached = ledger.read_tally(w, 2024, [], use_cache=True).net().counts
    assert cached == ledger.read_tally(w, 2024, [], use_cache=False).net().counts
    assert cached[("noti", "publicacion", "2024-05-02")] == appends


def _damage_caches(ws, change) -> None:
    """Rewrite every segment's cache file (head line, keys line) through ``change``; at least one must exist."""
    files = sorted((ws / ".pec" / "cache").glob("segment-*.json"))
    assert files, "no cache file to damage"
    for cache_file in files:
        head, keys = (json.loads(line) for line in cache_file.read_text().splitlines())
        change(head["tally"], keys)
        cache_file.write_text(json.dumps(head) + "\n" + json.dumps(keys) + "\n")


def test_a_damaged_cache_is_only_a_miss(pec, ws):
    pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A")
    assert pec("status", "--format", "json").exit_code == 0
    _damage_caches(ws, lambda tally, keys: tally.update(counts="basura"))
    logged = pec("log", "revista", "--fecha", "2024-03-16", "--titulo", "B")
    assert logged.exit_code == 0
    doc = json.loads(pec("status", "--trim", "I", "--format", "json").stdout)
    rev = next(a for a in doc["actividades"] if a["id"] == "revista")
    assert rev["trimestres"]["I"]["realizadas"] == 2


def _wrong_measures(tally, keys):
    tally["measures"] = [[a, r, f, [["x", 1], 5, None]] for a, r, f, _ in tally["measures"]] or \
        [["seguidores", "instagram", "2024-03-01", [["x", 1], 5, None]]]


DAMAGES = {
    "a measurement that is no row": _wrong_measures,
    "a measurement's value as text": lambda tally, keys: tally.update(
        measures=[[a, r, f, [[m[0], m[1], m[2], str(m[3])] for m in kept]] for a, r, f, kept in tally["measures"]]),
    "a void's target as a number": lambda tally, keys: tally.update(voids=[[v[0], 3, None, 7] for v in tally["voids"]]),
    "a count as text": lambda tally, keys: tally.update(counts=[[a, t, f, str(n)] for a, t, f, n in tally["counts"]]),
    "a request's ids as one text": lambda tally, keys: tally.update(
        requests=[[a, t, f, r, ",".join(ids)] for a, t, f, r, ids in tally["requests"]]),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_cache_of_the_right_key_but_wrong_shape_is_ignored(ws, damage):
    _random_ledger(ws, 40, 11)
    expected = _status(ws, False)
    _status(ws, True)
    _damage_caches(ws, DAMAGES[damage])
    assert _status(ws, True) == expected


KEY_DAMAGES = {
    "an offset as text": lambda tally, keys: keys.update(dup={d: [str(o) for o in offsets] for d, offsets in keys["dup"].items()}),
    "an entry without its line": lambda tally, keys: keys.update(at=[[row[0]] for row in keys["at"]]),
    "an import key as a number": lambda tally, keys: keys.update(imported=[1]),
}


@pytest.mark.parametrize("damage", list(KEY_DAMAGES))
def test_keys_of_the_wrong_shape_are_read_again(pec, ws, damage):
    """The keys a log looks a duplicate up in: damaged, the segment is read again and the repeat still refused."""
    first = pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A").stdout.strip()
    assert pec("log", "revista", "--fecha", "2024-03-16", "--titulo", "B").exit_code == 0
    _damage_caches(ws, KEY_DAMAGES[damage])
    again = pec("log", "revista", "--fecha", "2024-03-15", "--titulo", "A")
    assert again.exit_code != 0 and first in again.output and "Traceback" not in again.output
    voided = pec("void", first, "--motivo", "Registrada por error")
    assert voided.exit_code == 0, voided.output


def test_every_way_of_reading_gives_one_status(pec, ws, tmp_path):
    """Issue 20 item 5: requests and their answers, voids, measurements, an import and an evento, read with
    no cache, with a cache built afresh, and with caches resumed after another writer's lines: one JSON."""
    from .test_reader import Other

    request = pec("log", "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-03-20").stdout.strip()
    pec("log", "internas", "--titulo", "Boletín", "--fecha", "2024-04-02", "--atiende", request)
    evento = pec("log", "eventos", "--tipo", "evento", "--titulo", "Visita", "--fecha", "2024-05-10").stdout.strip()
    pec("log", "eventos", "--tipo", "publicacion", "--titulo", "Nota de la visita", "--fecha", "2024-05-11",
        "--atiende", evento)
    gone = pec("log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1").stdout.strip()
    pec("void", gone, "--motivo", "repetida")
    for day, valor in (("2024-03-01", "1000"), ("2024-06-01", "1200")):
        pec("log", "seguidores", "--red", "instagram", "--valor", valor, "--fecha", day)
    csv = tmp_path / "p.csv"
    csv.write_text("actividad;fecha;titulo;red;valor\nnoti;2024-04-05;Noti 1;;\nseguidores;2024-04-01;;tiktok;300\n",
                   encoding="utf-8")
    assert pec("import", str(csv)).exit_code == 0
    other = Other(ws)
    other.pull(other.piece("2024-05-02") + other.line(clase="anulacion", actividad="internas", tipo="solicitud",
                                                      fecha="2024-03-20", anula=request, motivo="no era"))

    def shown(cache: str) -> str:
        result = pec("status", "--trim", "IV", "--format", "json", env={"PEC_CACHE": cache})
        assert result.exit_code == 0, result.output
        return result.stdout

    resumed = shown("1")  # the caches of the logs resumed over the pull
    assert resumed == shown("0")
    shutil.rmtree(ws / ".pec" / "cache")
    assert shown("1") == resumed == shown("1")  # built afresh, then read
    doc = json.loads(resumed)
    internas = next(a for a in doc["actividades"] if a["id"] == "internas")
    eventos = next(a for a in doc["actividades"] if a["id"] == "eventos")
    assert internas["acumulado"]["por_tipo"] == {"publicacion": 1, "solicitud": 0}  # the request voided by the pull
    assert eventos["demanda"] == {"atendidas": 1, "recibidas": 1}


def test_a_plan_cached_in_an_earlier_shape_is_checked_again(ws):
    """A plan cached before «firmas» (its data still says ``responsabilidad``) is a miss: the unchanged
    plan file is read again, and its firmas reach the reports."""
    from pec_cli.plan import cache as plan_cache

    plan_file = ws / "plan" / "2024.yaml"
    w = Workspace(ws)
    assert load_plan_cached(w, plan_file).textos["firmas"]["reviso"]["nombre"] == "Yanneth Parra"
    (cached,) = (ws / ".pec" / "cache").glob("plan-*.json")
    data = json.loads(cached.read_text(encoding="utf-8"))
    assert data["key"][-1] == plan_cache.SHAPE
    data["key"] = data["key"][:-1]  # as the earlier pec wrote it
    data["data"]["responsabilidad"] = [{"rol": "Revisó", **data["data"].pop("firmas")["reviso"]}]
    cached.write_text(json.dumps(data), encoding="utf-8")
    assert load_plan_cached(w, plan_file).textos["firmas"]["reviso"]["nombre"] == "Yanneth Parra"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "link to a good copy"])
def test_a_cache_file_that_is_not_a_regular_file_is_ignored(pec, ws, kind):
    """A cache file turned into a FIFO (status blocked forever) or a link to /dev/zero (read without end until
    memory ran out): a cache must be a regular file reached without a link, else it is not there."""
    assert pec("log", "revista", "--fecha", "2024-04-02", "--titulo", "Uno").exit_code == 0
    expected = pec("status", "--format", "json").stdout
    for derived in sorted((ws / ".pec" / "cache").glob("*.json")):
        good = derived.with_suffix(".bien")
        derived.rename(good)
        if kind == "fifo":
            os.mkfifo(derived)
        else:
            derived.symlink_to("/dev/zero" if kind == "/dev/zero" else good)
    result = pec("status", "--format", "json")
    assert result.exit_code == 0 and result.stdout == expected
