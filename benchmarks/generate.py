"""Deterministic data for the pec benchmark (issue 5): one ledger, four views of it.

For N ledger lines, writes into OUT:

* ``ws/``: a pec workspace: the shipped ``plan/2024.yaml`` and the ledger as
  ``pec log``/``pec void``/``pec note`` would have written it: JSON lines in
  ``ledger/2024/<writer>.jsonl`` (1-4 writer segments) with the exact record
  shape of ``pec_cli.ledger.append`` (v, id, n, prev chain digest, then the
  fields of ``pec_cli.records``), so ``pec verify`` passes. About 99.4 % are
  pieces covering every activity and tipo of the plan inside its window, 0.5 %
  voids ("anulacion") of earlier pieces and 0.1 % notes ("observacion").
  ``ws/.pec/escritor`` names the first writer, so a ``pec log`` there appends
  to an existing segment.
* ``journal.hledger``: the same pieces and voids as hledger transactions, one
  each: ``pec:<actividad>:<tipo>`` gets ``1 PZ`` (a void ``-1 PZ`` on the date
  of the piece it voids), balanced by ``pec:fuente``. ``hledger balance -Q``
  then gives the quarterly count of each tipo that ``pec status`` reports as
  ``por_tipo``.
* ``ledger.beancount``: the same for beancount 3 (``Assets:Pec:<Act>:<Tipo>``,
  commodity ``PZ``, open directives), queried with bean-query.
* ``import.csv``: N rows for ``pec import`` (actividad,fecha,titulo,tipo,area,
  red,valor), drawn like the ledger's pieces but on their own.
* ``meta.json``: the parameters and the expected net count of every
  (actividad, tipo, quarter), to check the tools against each other.

Usage: python benchmarks/generate.py N OUT [--seed 2024] [--writers 3]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import socket
import sys
import time
from pathlib import Path

from pec_cli.ledger.store import FORMAT_VERSION, GENESIS, digest, encode

GENERATOR_VERSION = 1
REPO = Path(__file__).resolve().parent.parent
PLAN_FILE = REPO / "plan" / "2024.yaml"
VIGENCIA = 2024
WRITER_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # as pec_cli.workspace
TZ = "-05:00"  # America/Bogota, no daylight saving
CHUNK = 50_000  # lines buffered per file before a write

# How often each (activity, tipo) is logged, roughly as a press team would.
WEIGHTS = {
    ("revista", "publicacion"): 2,
    ("noti", "publicacion"): 8,
    ("capsulas", "publicacion"): 8,
    ("internas", "publicacion"): 15,
    ("internas", "solicitud"): 10,
    ("externas", "publicacion"): 30,
    ("seguidores", "medicion"): 10,
    ("eventos", "evento"): 6,
    ("eventos", "publicacion"): 6,
    ("campanas", "publicacion"): 1,
}
TITLES = {
    "revista": "Revista Gestión USPEC, edición",
    "noti": "Noti USPEC, emisión",
    "capsulas": "Cápsula: cómo funciona la contratación, parte",
    "internas": "Boletín interno «Somos USPEC» n.º",
    "externas": "Entrega de obras en el establecimiento de reclusión, nota",
    "eventos": "Acompañamiento a la Dirección General en región, evento",
    "campanas": "Campaña de clima organizacional, fase",
}
AREAS = ("Talento Humano", "Dirección de Logística", "Oficina Jurídica", "Dirección de Infraestructura",
         "Gestión Contractual", "Atención al Ciudadano")
MOTIVOS = ("registrada dos veces", "fecha equivocada", "no se publicó")


def load_activities() -> list[dict]:
    """Window, tipos (with what each requires) and series of every activity, from the plan."""
    from pec_cli.plan.loader import load_plan

    plan = load_plan(PLAN_FILE, "plan/2024.yaml")
    return [
        {
            "id": a.id,
            "inicio": a.inicio,
            "fin": a.fin,
            "tipos": [(t.id, tuple(t.requiere)) for t in a.tipos],
            "series": [s.id for s in a.series],
        }
        for a in plan.actividades
    ]


def combos(activities: list[dict]) -> list[tuple[dict, str, tuple[str, ...], int]]:
    """(activity, tipo, required fields, weight) for every tipo of every activity."""
    out = []
    for act in activities:
        for tipo, requiere in act["tipos"]:
            out.append((act, tipo, requiere, WEIGHTS.get((act["id"], tipo), 3)))
    return out


def draw_pieces(rng: random.Random, table: list, k: int) -> list[tuple[int, int, int]]:
    """k pieces as (day ordinal, second of day, combo index), sorted in time.

    Every combo appears at least once (when k allows); dates fall inside the
    activity's window, uniformly.
    """
    base = list(range(len(table)))[:k]
    rest = rng.choices(range(len(table)), weights=[c[3] for c in table], k=k - len(base))
    spans = [(c[0]["inicio"].toordinal(), c[0]["fin"].toordinal() - c[0]["inicio"].toordinal() + 1) for c in table]
    randrange = rng.randrange
    keyed = []
    for ci in base + rest:
        lo, span = spans[ci]
        day = lo + randrange(span)
        sec = 7 * 3600 + randrange(12 * 3600)  # office hours
        keyed.append(((day * 86400 + sec) << 6) | ci)
    keyed.sort()
    return [((key >> 6) // 86400, (key >> 6) % 86400, key & 63) for key in keyed]


class Clock:
    """ISO strings of day ordinals and timestamps, memoised (a year has 366 days)."""

    def __init__(self) -> None:
        self.days: dict[int, str] = {}

    def day(self, ordinal: int) -> str:
        text = self.days.get(ordinal)
        if text is None:
            text = self.days[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def stamp(self, ordinal: int, sec: int) -> str:
        return f"{self.day(ordinal)}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}{TZ}"


def quarter_of(iso: str) -> int:
    return (int(iso[5:7]) - 1) // 3 + 1


def beancount_account(act: str, tipo: str) -> str:
    return f"Assets:Pec:{act.capitalize()}:{tipo.capitalize()}"


class Sink:
    """A text or binary file written in big chunks."""

    def __init__(self, path: Path, binary: bool = False) -> None:
        self.handle = path.open("wb" if binary else "w", encoding=None if binary else "utf-8", newline=None if binary else "")
        self.parts: list = []
        self.joiner = b"" if binary else ""

    def add(self, part) -> None:
        self.parts.append(part)
        if len(self.parts) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.handle.write(self.joiner.join(self.parts))
            self.parts = []

    def close(self) -> None:
        self.flush()
        self.handle.close()


def generate(n: int, out: Path, seed: int = 2024, writers: int = 3) -> dict:
    """Write the four views of an n-line ledger into ``out``; returns the meta dict."""
    if n < 1:
        raise ValueError("n must be >= 1")
    if not 1 <= writers <= 4:
        raise ValueError("writers must be 1-4")
    started = time.perf_counter()
    rng = random.Random(seed)
    activities = load_activities()
    table = combos(activities)
    clock = Clock()

    if out.exists():
        shutil.rmtree(out)
    ws = out / "ws"
    ledger_dir = ws / "ledger" / str(VIGENCIA)
    ledger_dir.mkdir(parents=True)
    (ws / "plan").mkdir()
    shutil.copyfile(PLAN_FILE, ws / "plan" / "2024.yaml")
    names = []
    while len(names) < writers:
        name = "".join(rng.choice(WRITER_ALPHABET) for _ in range(5))
        if name not in names:
            names.append(name)
    (ws / ".pec").mkdir()
    (ws / ".pec" / ".gitignore").write_text("*\n", encoding="ascii")
    (ws / ".pec" / "escritor").write_text(names[0] + "\n", encoding="ascii")
    # the host and folder the id is for, as pec writes them (a copy elsewhere takes a new id)
    (ws / ".pec" / "escritor-origen").write_text(f"{socket.gethostname()}\t{ws.resolve()}\n", encoding="utf-8")
    (ws / ".gitignore").write_text(".pec/\n", encoding="utf-8")

    n_notes = n // 1000
    n_voids = n // 200
    n_pieces = n - n_notes - n_voids
    pieces = draw_pieces(rng, table, n_pieces)
    # where the voids and notes fall among the pieces (after the first piece)
    extra = ["v"] * n_voids + ["o"] * n_notes
    slots = sorted(rng.sample(range(1, max(n_pieces, 1) + len(extra)), len(extra))) if extra else []
    rng.shuffle(extra)
    special = dict(zip(slots, extra, strict=True))

    segs = [Sink(ledger_dir / f"{w}.jsonl", binary=True) for w in names]
    chain = [[0, GENESIS] for _ in names]  # per writer: last n, prev digest
    hl = Sink(out / "journal.hledger")
    bc = Sink(out / "ledger.beancount")
    hl.add("; pec benchmark: one transaction per pec entry (pieces and voids)\ncommodity 1. PZ\n\n")
    bc.add('option "title" "pec benchmark"\noption "operating_currency" "PZ"\n\n1900-01-01 commodity PZ\n')
    bc.add("2024-01-01 open Income:Pec:Fuente PZ\n")
    for act, tipo, _, _ in table:
        bc.add(f"2024-01-01 open {beancount_account(act['id'], tipo)} PZ\n")
    bc.add("\n")

    expected: dict[str, int] = {}
    valores = {(a["id"], s): 1000 + 100 * i for a in activities for i, s in enumerate(a["series"])}
    piece_log: list[tuple[str, str, str, str]] = []  # id, actividad, tipo, fecha of every piece
    voided: set[int] = set()
    counters = dict.fromkeys(TITLES, 0)
    choice = rng.choice
    randrange = rng.randrange

    def write(record: dict) -> str:
        w = randrange(writers)
        state = chain[w]
        state[0] += 1
        entry_id = f"{VIGENCIA}-{names[w]}-{state[0]}"
        raw = encode({"v": FORMAT_VERSION, "id": entry_id, "n": state[0], "prev": state[1], **record})
        state[1] = digest(raw)
        segs[w].add(raw + b"\n")
        return entry_id

    pi = 0
    position = 0
    last_stamp = (pieces[0][0], pieces[0][1]) if pieces else (dt.date(VIGENCIA, 3, 1).toordinal(), 36000)
    total = n_pieces + len(extra)
    while position < total:
        kind = special.get(position)
        position += 1
        if kind == "v":
            # void a random earlier piece not yet voided (a few tries, else the latest)
            for _ in range(8):
                target = randrange(len(piece_log))
                if target not in voided:
                    break
            else:
                target = next((i for i in range(len(piece_log) - 1, -1, -1) if i not in voided), None)
                if target is None:
                    continue
            voided.add(target)
            tid, act_id, tipo, fecha = piece_log[target]
            registrado = clock.stamp(*last_stamp)
            write({"clase": "anulacion", "actividad": act_id, "anula": tid, "registrado": registrado,
                   "tipo": tipo, "fecha": fecha, "motivo": choice(MOTIVOS)})
            key = f"{act_id}|{tipo}|{quarter_of(fecha)}"
            expected[key] -= 1
            hl.add(f"{fecha} anulación de {tid}\n    pec:{act_id}:{tipo}    -1 PZ\n    pec:fuente\n\n")
            bc.add(f'{fecha} * "anulación de {tid}"\n  {beancount_account(act_id, tipo)}  -1 PZ\n'
                   "  Income:Pec:Fuente\n\n")
            continue
        if kind == "o":
            act = choice(activities)
            registrado = clock.stamp(*last_stamp)
            q = ("I", "II", "III", "IV")[quarter_of(registrado) - 1]
            write({"clase": "observacion", "actividad": act["id"], "trimestre": q, "registrado": registrado,
                   "texto": f"Observación del trimestre {q}: avance según lo programado."})
            continue
        day, sec, ci = pieces[pi]
        pi += 1
        last_stamp = (day, sec)
        act, tipo, requiere, _ = table[ci]
        act_id = act["id"]
        fecha = clock.day(day)
        record = {"clase": "pieza", "actividad": act_id, "tipo": tipo, "fecha": fecha,
                  "registrado": clock.stamp(day, sec)}
        if act_id in TITLES:
            counters[act_id] += 1
            record["titulo"] = f"{TITLES[act_id]} {counters[act_id]}"
            title = record["titulo"]
        else:
            title = f"Medición {fecha}"
        if "area" in requiere:
            record["area"] = choice(AREAS)
        if "red" in requiere:
            red = choice(act["series"])
            valores[act_id, red] += randrange(0, 12)
            record["red"] = red
            record["valor"] = valores[act_id, red]
        entry_id = write(record)
        piece_log.append((entry_id, act_id, tipo, fecha))
        key = f"{act_id}|{tipo}|{quarter_of(fecha)}"
        expected[key] = expected.get(key, 0) + 1
        hl.add(f"{fecha} ({entry_id}) {title}\n    pec:{act_id}:{tipo}    1 PZ\n    pec:fuente\n\n")
        bc.add(f'{fecha} * "{title}"\n  {beancount_account(act_id, tipo)}  1 PZ\n  Income:Pec:Fuente\n\n')

    for sink in (*segs, hl, bc):
        sink.close()

    write_csv(out / "import.csv", random.Random(seed + 1), table, activities, clock, n)

    meta = {
        "generator": GENERATOR_VERSION,
        "n": n,
        "seed": seed,
        "writers": names,
        "pieces": n_pieces,
        "voids": len(voided),
        "notes": n_notes,
        "lines": sum(s[0] for s in chain),
        "expected": dict(sorted(expected.items())),
        "seconds": round(time.perf_counter() - started, 3),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def write_csv(path: Path, rng: random.Random, table: list, activities: list[dict], clock: Clock, n: int) -> None:
    """n rows for ``pec import``, in time order, every activity and tipo. A network's counts rise at every
    row and start far above the ledger's, so a measurement never equals another of its day (that would be
    a duplicate, skipped): a second one of a day is a correction, which ``--confirmar`` accepts."""
    valores = {(a["id"], s): 10**7 + 100 * i for a in activities for i, s in enumerate(a["series"])}
    counters = dict.fromkeys(TITLES, 0)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["actividad", "fecha", "titulo", "tipo", "area", "red", "valor"])
        rows = []
        for day, _sec, ci in draw_pieces(rng, table, n):
            act, tipo, requiere, _ = table[ci]
            act_id = act["id"]
            titulo = area = red = valor = ""
            if act_id in TITLES:
                counters[act_id] += 1
                titulo = f"{TITLES[act_id]} {counters[act_id]} (importada)"
            if "area" in requiere:
                area = rng.choice(AREAS)
            if "red" in requiere:
                red = rng.choice(act["series"])
                valores[act_id, red] += rng.randrange(1, 12)
                valor = str(valores[act_id, red])
            rows.append((act_id, clock.day(day), titulo, tipo, area, red, valor))
            if len(rows) >= CHUNK:
                writer.writerows(rows)
                rows = []
        writer.writerows(rows)


PULL_ACTIVITY, PULL_TIPO = "externas", "publicacion"


def pulled_lines(segment: Path, k: int, start: int) -> tuple[bytes, dict[str, int]]:
    """k more lines of another writer's segment, as a ``git pull`` would bring them.

    They continue the segment's chain (its last ``n`` and digest), so ``pec verify``
    still passes: externas pieces dated through 2024 from the ``start``-th pulled
    line on. Returns the bytes to append and the net count each adds, keyed like
    ``meta.json``'s ``expected``.
    """
    with segment.open("rb") as handle:
        handle.seek(max(0, segment.stat().st_size - 65536))
        last = handle.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
    state = json.loads(last)
    n, prev = state["n"], digest(last)
    writer = segment.stem
    clock = Clock()
    first = dt.date(VIGENCIA, 3, 1).toordinal()
    out: list[bytes] = []
    added: dict[str, int] = {}
    for i in range(start, start + k):
        n += 1
        day = clock.day(first + i % 300)
        record = {"v": FORMAT_VERSION, "id": f"{VIGENCIA}-{writer}-{n}", "n": n, "prev": prev, "clase": "pieza",
                  "actividad": PULL_ACTIVITY, "tipo": PULL_TIPO, "fecha": day,
                  "registrado": clock.stamp(first + i % 300, 9 * 3600 + i % 3600),
                  "titulo": f"{TITLES[PULL_ACTIVITY]} traída con git pull {i + 1}"}
        raw = encode(record)
        prev = digest(raw)
        out += [raw, b"\n"]
        key = f"{PULL_ACTIVITY}|{PULL_TIPO}|{quarter_of(day)}"
        added[key] = added.get(key, 0) + 1
    return b"".join(out), added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="ledger lines to write")
    parser.add_argument("out", type=Path, help="output folder (replaced)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--writers", type=int, default=3, help="writer segments, 1-4")
    args = parser.parse_args(argv)
    meta = generate(args.n, args.out, args.seed, args.writers)
    size = sum(p.stat().st_size for p in (args.out / "ws" / "ledger").rglob("*.jsonl"))
    sys.stdout.write(
        f"{meta['lines']} lines ({meta['pieces']} pieces, {meta['voids']} voids, {meta['notes']} notes) "
        f"in {len(meta['writers'])} segments, {size / 1e6:.1f} MB, {meta['seconds']} s -> {os.fspath(args.out)}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
