"""One reader and one derived file per segment (issue 20): whatever ``pec log``, ``pec import``, a
``git pull`` or a hand edit did to the segments, the totals and the keys equal a full read, and a
hit on a key's digest is confirmed on its line before anything is refused or skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pec_cli.ledger import cache, store
from pec_cli.ledger.duplicates import piece_keys
from pec_cli.ledger.entries import BATCH, PIECE, VOID, Batches, parse
from pec_cli.workspace import Workspace


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


class Other:
    """Another writer's segment, grown the way ``git pull`` grows it (a new file renamed over the old)."""

    def __init__(self, ws, writer="zq7kx"):
        self.n, self.prev = 0, store.GENESIS
        self.path = ws / "ledger" / "2024" / f"{writer}.jsonl"
        self.writer = writer

    def line(self, **record) -> bytes:
        self.n += 1
        full = {"v": 1, "id": f"2024-{self.writer}-{self.n}", "n": self.n, "prev": self.prev,
                "registrado": "2024-05-02T10:00:00-05:00", **record}
        raw = store.encode(full)
        self.prev = store.digest(raw)
        return raw + b"\n"

    def piece(self, day: str, actividad="externas", **extra) -> bytes:
        return self.line(**{"clase": "pieza", "actividad": actividad, "tipo": "publicacion", "fecha": day,
                            "titulo": f"Nota {self.n + 1}", **extra})

    def pull(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        old = self.path.read_bytes() if self.path.exists() else b""
        new = self.path.with_name(self.path.name + ".tmp")
        new.write_bytes(old + data)
        os.replace(new, self.path)


def _tally_both(ws_path, monkeypatch):
    """(cached tally, warnings), (full-read tally, warnings), and where each cached read of a segment began."""
    starts: list[tuple[str, int]] = []
    real = cache.fold

    def spy(handle, path, name, st, base, keys):
        starts.append((path.stem, base.size if base is not None else 0))
        return real(handle, path, name, st, base, keys)

    ws = Workspace(ws_path)
    monkeypatch.setattr(cache, "fold", spy)
    cached_w: list[str] = []
    cached = cache.read_tally(ws, 2024, cached_w, use_cache=True)
    monkeypatch.setattr(cache, "fold", real)
    full_w: list[str] = []
    full = cache.read_tally(ws, 2024, full_w, use_cache=False)
    return (cached.to_json(), cached_w), (full.to_json(), full_w), starts


# ---------------------------------------------------------------- totals: resumed, read again, merged in order


def test_a_pulled_segment_is_read_from_where_the_cache_left_it_and_equals_a_full_read(pec, ws, monkeypatch):
    pec("log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1")
    other = Other(ws)
    other.pull(b"".join(other.piece(f"2024-04-{d:02d}") for d in range(1, 21)) + b"not json\n")
    first, full, starts = _tally_both(ws, monkeypatch)
    assert first == full and ("zq7kx", 0) in starts
    folded = other.path.stat().st_size
    # the pull: more pieces, a void of an old one, a bad line, a measurement, a whole import batch
    pulled = b"".join(other.piece(f"2024-05-{d:02d}") for d in range(1, 11))  # lines 22-31
    pulled += other.line(clase="anulacion", actividad="externas", tipo="publicacion", fecha="2024-04-03",
                         anula="2024-zq7kx-3", motivo="repetida")
    pulled += b'{"v": 1, "broken\n'  # line 33
    pulled += other.line(clase="pieza", actividad="seguidores", tipo="medicion", fecha="2024-05-05",
                         red="facebook", valor=1200)
    pulled += other.piece("2024-06-01", lote="zq7kx-1", importe="k1") + other.piece("2024-06-02", lote="zq7kx-1",
                                                                                    importe="k2")
    other.pull(pulled + other.line(clase="lote", actividad="externas", lote="zq7kx-1", filas=2))
    (cached, cached_w), (full, full_w), starts = _tally_both(ws, monkeypatch)
    assert starts == [("zq7kx", folded)], starts  # only the new bytes were read
    assert cached == full and cached_w == full_w
    assert [w.split(": ")[0] for w in cached_w] == ["ledger/2024/zq7kx.jsonl:21", "ledger/2024/zq7kx.jsonl:33"]
    assert cached["records"] == 1 + 20 + 10 + 1 + 1 + 2  # the log, the pieces, the void, the measure, the batch
    shown = json.loads(pec("status", "--format", "json").stdout)
    assert shown == json.loads(pec("status", "--format", "json", env={"PEC_CACHE": "0"}).stdout)


def test_a_segment_edited_in_the_folded_part_is_read_again_in_full(pec, ws, monkeypatch):
    other = Other(ws)
    other.pull(b"".join(other.piece(f"2024-04-{d:02d}") for d in range(1, 21)))
    _tally_both(ws, monkeypatch)  # cached, with where to resume
    # a hand edit in the middle that keeps every length (a date moved), then a pull on top
    data = other.path.read_bytes()
    assert data.count(b'"fecha":"2024-04-10"') == 1
    other.path.write_bytes(data.replace(b'"fecha":"2024-04-10"', b'"fecha":"2024-07-10"'))
    other.pull(other.piece("2024-05-01"))
    (cached, cached_w), (full, full_w), starts = _tally_both(ws, monkeypatch)
    assert starts == [("zq7kx", 0)], starts  # the folded part changed: read from the start
    assert cached == full and cached_w == full_w
    assert ["externas", "publicacion", "2024-07-10", 1] in cached["counts"]
    # a rebase: the segment rewritten shorter than what was folded
    other.path.write_bytes(data[: len(data) // 2].rsplit(b"\n", 1)[0] + b"\n")
    (cached, _), (full, _), starts = _tally_both(ws, monkeypatch)
    assert starts == [("zq7kx", 0)] and cached == full


def test_an_unfinished_import_or_a_torn_line_at_the_end_is_never_resumed_from(pec, ws, monkeypatch):
    other = Other(ws)
    rows = other.piece("2024-06-01", lote="zq7kx-1", importe="k1")
    other.pull(other.piece("2024-04-01") + rows)  # an import whose commit line has not come yet
    (cached, _), (full, _), _ = _tally_both(ws, monkeypatch)
    assert cached == full and cached["records"] == 1
    other.pull(other.line(clase="lote", actividad="externas", lote="zq7kx-1", filas=1) + b'{"v": 1, "id": "to')
    (cached, _), (full, _), starts = _tally_both(ws, monkeypatch)
    assert starts == [("zq7kx", 0)] and cached == full and cached["records"] == 2  # the batch counts now
    other.path.write_bytes(other.path.read_bytes() + b'rn"}\n' + other.piece("2024-04-02"))
    (cached, cached_w), (full, full_w), starts = _tally_both(ws, monkeypatch)
    assert starts == [("zq7kx", 0)] and cached == full and cached_w == full_w


def test_segments_merge_in_their_order_whichever_were_cached(ws, monkeypatch):
    """A pulled segment read from its cache's end and a cached one after it: the totals, order included,
    are a full read's."""
    pulled, kept = Other(ws, "zq7kx"), Other(ws, "zzzzz")
    pulled.pull(b"".join(pulled.piece(f"2024-04-{d:02d}") for d in range(1, 6)))
    kept.pull(b"".join(kept.piece(f"2024-03-{d:02d}", actividad="revista") for d in range(1, 6)))
    _tally_both(ws, monkeypatch)  # both cached
    folded = pulled.path.stat().st_size
    pulled.pull(pulled.piece("2024-05-01", actividad="noti"))
    (from_cache, _), (full, _), starts = _tally_both(ws, monkeypatch)
    assert starts == [("zq7kx", folded)]  # zzzzz came from its cache
    assert from_cache == full  # not just equal sets: the same order


def _zq(n, **extra):
    return {"v": 1, "id": f"2024-zq7kx-{n}", "n": n, "prev": "0" * 16, "clase": "pieza", "actividad": "externas",
            "tipo": "publicacion", "fecha": "2024-04-02", "registrado": "r", **extra}


def _zq_segment(ws, data: bytes) -> Path:
    seg = ws / "ledger" / "2024" / "zq7kx.jsonl"
    seg.parent.mkdir(parents=True, exist_ok=True)
    seg.write_bytes(data)
    return seg


def test_a_damaged_cache_file_is_no_cache(ws):
    seg = _zq_segment(ws, b"".join(store.encode(_zq(n)) + b"\n" for n in range(1, 5)))
    cache.read_tally(Workspace(ws), 2024, [], use_cache=True)
    (file,) = (ws / ".pec" / "cache").glob("segment-2024-zq7kx.json")
    head, keys = file.read_bytes().split(b"\n")[:2]
    doc = json.loads(head)
    with seg.open("ab") as handle:
        handle.write(store.encode(_zq(5)) + b"\n")
    want = cache.read_tally(Workspace(ws), 2024, [], use_cache=False).to_json()
    for damage in ({**doc, "warnings": "roto"}, {**doc, "tally": {"counts": "x"}}, {**doc, "size": "1"}, None):
        file.write_bytes(b"" if damage is None else json.dumps(damage).encode() + b"\n" + keys + b"\n")
        warnings: list[str] = []
        assert cache.read_tally(Workspace(ws), 2024, warnings, use_cache=True).to_json() == want
        assert warnings == []  # was, with a string: ['r', 'o', 't', 'o']


def test_a_lone_surrogate_in_a_request_id_does_not_stop_status(pec, ws):
    raw = store.encode(_zq(1, actividad="internas", tipo="solicitud", area="Zona")).replace(b'-1"', b'-1\\ud800"', 1)
    _zq_segment(ws, raw + b"\n")
    result = pec("status", "--format", "json", env={"PEC_CACHE": "0"})
    assert result.exit_code == 0, result.output
    assert "«id» no válido" in result.stderr


def test_a_deeply_nested_line_has_one_verdict_whatever_the_stack(ws):
    """json.loads' RecursionError depends on how deep the caller's stack is: a count decides instead."""
    for depth in (10, 20, 300, 990, 5000):
        lines = [store.encode(_zq(n)) for n in range(1, 4)]
        lines.append(store.encode(_zq(4))[:-1] + b',"x":' + b"[" * depth + b"]" * depth + b"}")
        _zq_segment(ws, b"\n".join(lines) + b"\n")

        def read(frames: int) -> tuple[int, list[str]]:
            if frames:
                return read(frames - 1)
            warnings: list[str] = []
            return cache.read_tally(Workspace(ws), 2024, warnings, use_cache=False).records, warnings

        shallow, deep = read(0), read(800)
        assert shallow == deep, depth
        assert shallow[0] == (4 if depth <= 15 else 3), depth


def test_an_iso_week_date_is_not_a_valid_fecha():
    assert isinstance(parse(store.encode(_zq(1, fecha="2024-W14-2"))), str)


# ---------------------------------------------------------------- keys: what log, import and void look up


def _in_force_by_reading(root: Path) -> dict[str, str]:
    """Every key of every piece in force -> the first such piece's id, read line by line (the reference)."""
    ws = Workspace(root)
    pieces: list[dict] = []
    voided: set[str] = set()
    for path in store.segments(ws, 2024):
        counted: list[dict] = []
        batches: Batches[list[dict]] = Batches(counted, list, list.extend)
        for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
            record = parse(raw.rstrip(b"\r"))
            if isinstance(record, dict) and (into := batches.place(record, number)) is not None:
                into.append(record)
        pieces += [r for r in counted if r["clase"] == PIECE]
        voided |= {r["anula"] for r in counted if r["clase"] == VOID}
        assert not any(r["clase"] == BATCH for r in counted)
    keys: dict[str, str] = {}
    for record in pieces:
        if record["id"] not in voided:
            for key in piece_keys(record):
                keys.setdefault(key, record["id"])
    return keys


def _same_as_read_afresh(root: Path) -> None:
    """Each segment's saved keys hold exactly what reading it from scratch gives."""
    ws = Workspace(root)
    for path in store.segments(ws, 2024):
        saved = cache.current(ws, 2024, path, keys=True)
        assert saved.key == cache.stat_key(path.stat()), path
        fresh = cache.current(ws, 2024, path, keys=True, use_cache=False)
        assert saved.keys is not None and fresh.keys is not None
        assert (saved.keys.at, saved.keys.dup, saved.keys.imported) == (fresh.keys.at, fresh.keys.dup, fresh.keys.imported)
        assert saved.tally.to_json() == fresh.tally.to_json()


def _answers(root: Path, records: list[dict]) -> dict[str, str | None]:
    ledger = cache.LedgerKeys(Workspace(root), 2024)
    found = {}
    for record in records:
        hit = ledger.repeats(record, (record["actividad"],))
        for key in piece_keys(record):
            found[key] = hit[1]["id"] if hit is not None and hit[0] == key else None
    return found


def test_the_keys_kept_by_log_void_import_and_pull_equal_a_full_read(pec, ws, tmp_path):
    first = ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista Gestión 1",
                   "--url", "https://uspec.gov.co/r1")).strip()
    gone = ok(pec("log", "noti", "--fecha", "2024-03-11", "--titulo", "Noti 1")).strip()
    ok(pec("void", gone, "--motivo", "repetida"))
    source = tmp_path / "p.csv"
    source.write_text("actividad;fecha;titulo;red;valor\nnoti;2024-04-01;Noti 2;;\nnoti;2024-04-02;Noti 3;;\n"
                      "seguidores;2024-04-01;;instagram;100\nseguidores;2024-04-01;;instagram;100\n"
                      "revista;2024-03-10;revista gestion 1;;\n", encoding="utf-8")
    out = ok(pec("import", str(source)))
    assert f"fila 6: ya registrada como {first}" in out and "fila 5: repite la fila 4" in out
    assert "Importadas 3 entradas de 5 filas" in out  # the same measurement twice is one (issue 21 item 1)
    other = Other(ws)  # another writer: a committed import, an import cut short, a void of ours
    other.pull(other.piece("2024-05-01", lote="zq7kx-1", importe="a1") + other.piece("2024-05-02", lote="zq7kx-1")
               + other.line(clase="lote", actividad="externas", lote="zq7kx-1", filas=2)
               + other.piece("2024-05-03", lote="zq7kx-2", importe="a2")
               + other.line(clase="anulacion", actividad="revista", tipo="publicacion", fecha="2024-03-10",
                            anula=first, motivo="no era") + b"not json\n")
    ok(pec("log", "noti", "--fecha", "2024-04-03", "--titulo", "Noti 4"))  # reads the pulled segment's keys
    _same_as_read_afresh(ws)
    asked = [{"clase": "pieza", "actividad": a, "tipo": t, "fecha": f, "titulo": title, "url": url}
             for a, t, f, title, url in [
                 ("revista", "publicacion", "2024-03-10", "Revista Gestión 1", "https://uspec.gov.co/r1"),  # voided since
                 ("noti", "publicacion", "2024-03-11", "Noti 1", None),  # voided
                 ("noti", "publicacion", "2024-04-02", "NOTI 3", None),  # imported
                 ("externas", "publicacion", "2024-05-01", "Nota 1", None),  # pulled, committed
                 ("externas", "publicacion", "2024-05-03", "Nota 4", None),  # pulled, never committed
                 ("noti", "publicacion", "2024-04-03", "Noti 4", None)]]
    want = _in_force_by_reading(ws)
    assert _answers(ws, asked) == {k: want.get(k) for r in asked for k in piece_keys(r)}
    assert sum(v is not None for v in _answers(ws, asked).values()) == 3


def test_a_digest_collision_never_refuses_a_piece(pec, ws, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "digest_key", lambda key: "0" * 16)  # every key collides with every other
    first = ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista 1")).strip()
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista 2"))
    refused(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "revista 1"), f"ya está registrada como {first}")
    source = tmp_path / "p.csv"
    source.write_text("actividad;fecha;titulo\nrevista;2024-03-10;Revista 3\nrevista;2024-03-10;REVISTA 1\n"
                      "revista;2024-03-11;Revista 3\nrevista;2024-03-10;Revista 3 \n", encoding="utf-8")
    out = ok(pec("import", str(source)))
    assert f"fila 3: ya registrada como {first}" in out and "fila 5: repite la fila 2" in out
    assert "Importadas 2 entradas de 4 filas" in out
    assert "Importadas 0 entradas" in ok(pec("import", str(source)))


def test_an_edited_segment_is_read_again_and_a_lost_cache_rebuilt(pec, ws):
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"))
    segment = next((ws / "ledger" / "2024").glob("*.jsonl"))
    segment.write_bytes(segment.read_bytes().replace(b"Revista A", b"Revista B"))  # same length, by hand
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"))
    refused(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista B"), "ya está registrada")
    (file,) = (ws / ".pec" / "cache").glob("segment-*.json")
    for damage in (b"", b"{garbage\n", file.read_bytes()[:-5], file.read_bytes().split(b"\n")[0] + b"\nnull\n"):
        file.write_bytes(damage)
        refused(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista B"), "ya está registrada")
    file.unlink()
    refused(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"), "ya está registrada")
    _same_as_read_afresh(ws)


def test_a_segment_cut_back_is_read_again(pec, ws):
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"))
    segment = next((ws / "ledger" / "2024").glob("*.jsonl"))
    before = segment.stat().st_size
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista B"))
    os.truncate(segment, before)  # as a git reset would leave it
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista B"))  # cut off: no longer there
    refused(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"), "ya está registrada")
    _same_as_read_afresh(ws)


def test_a_torn_last_line_counts_if_whole_and_is_found_once_ended(pec, ws):
    other = Other(ws)
    other.pull(other.piece("2024-05-01")[:-1])  # a whole record without its newline (an editor dropped it)
    refused(pec("log", "externas", "--fecha", "2024-05-01", "--titulo", "Nota 1"), "ya está registrada")
    other.pull(b"\n" + other.piece("2024-05-02"))
    refused(pec("log", "externas", "--fecha", "2024-05-02", "--titulo", "Nota 2"), "ya está registrada")
    _same_as_read_afresh(ws)


def test_a_renamed_activitys_pieces_are_found_by_an_import(pec, ws, tmp_path):
    logged = ok(pec("log", "noti", "--fecha", "2024-04-05", "--titulo", "Noti de abril")).strip()
    plan = ws / "plan" / "2024.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("  - id: noti\n", "  - id: noticiero\n    antes: [noti]\n"),
                    encoding="utf-8")
    source = tmp_path / "p.csv"
    source.write_text("actividad;fecha;titulo\nnoticiero;2024-04-05;noti de abril\nnoti;2024-04-06;Otra\n",
                      encoding="utf-8")
    out = ok(pec("import", str(source)))
    assert f"fila 2: ya registrada como {logged}" in out and "Importadas 1 entrada de 2 filas" in out


def test_an_import_of_many_rows_counts_each_once(pec, ws, tmp_path, status_json):
    rows = [f"noti;2024-{4 + i % 3:02d}-{1 + i % 28:02d};Noti número {i}" for i in range(3000)]
    source = tmp_path / "p.csv"
    source.write_text("actividad;fecha;titulo\n" + "\n".join(rows + rows[:5]) + "\n", encoding="utf-8")
    out = ok(pec("import", str(source)))
    assert "Importadas 3000 entradas de 3005 filas" in out and "fila 3002: repite la fila 2" in out
    assert status_json("IV")["actividades"][1]["acumulado"]["realizadas"] == 3000
    _same_as_read_afresh(ws)
    assert "3000 filas ya estaban importadas" in ok(pec("import", str(source)))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_the_csv_reads_what_excel_writes(pec, tmp_path, encoding):
    source = tmp_path / "p.csv"
    source.write_bytes(("actividad;fecha;título\r\nnoti;02/05/2024;Edición «1»\r\n\r\n").encode(encoding))
    result = pec("import", str(source))
    assert result.exit_code == 0 and "Importadas 1 entrada de 1 fila" in result.stdout, result.output
    assert ("Windows-1252" in result.stderr) == (encoding == "cp1252")
    assert json.loads(pec("list", "--format", "json").stdout)[0]["titulo"] == "Edición «1»"
    source.write_bytes(b" \r\n\t\n")
    refused(pec("import", str(source)), "está vacío")


def test_log_void_note_and_import_keep_the_cache_current_without_reading_the_ledger_again(pec, ws, tmp_path, monkeypatch):
    first = ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A")).strip()
    starts: list[int] = []
    real = cache.fold
    monkeypatch.setattr(cache, "fold", lambda handle, path, name, st, base, keys: starts.append(
        0 if base is None else base.size) or real(handle, path, name, st, base, keys))
    ok(pec("void", first, "--motivo", "repetida"))
    ok(pec("note", "revista", "--trim", "I", "Sin novedad."))
    source = tmp_path / "p.csv"
    source.write_text("actividad;fecha;titulo\nrevista;2024-03-10;Revista A\nrevista;2024-03-11;Revista B\n",
                      encoding="utf-8")
    assert "Importadas 2 entradas" in ok(pec("import", str(source)))
    refused(pec("log", "revista", "--fecha", "2024-03-11", "--titulo", "Revista B"), "ya está registrada")
    assert 0 not in starts and starts == sorted(starts)  # each writer read its own new lines only
    _same_as_read_afresh(ws)


def test_a_rows_import_key_is_what_it_was_so_files_imported_before_stay_imported():
    """The text an ``importe`` is made of equals the earlier per-row formula."""
    import random

    from pec_cli.ledger.importer import _UNKEYED_WHEN_EMPTY, COLUMNS, _canonical, _key

    def before(fields: dict[str, str]) -> str:
        return "\x1f".join(f"{k}={fields.get(k) or ''}" for k in COLUMNS if k not in _UNKEYED_WHEN_EMPTY or fields.get(k))

    rng = random.Random(3)
    for _ in range(5000):
        columns = rng.sample(list(COLUMNS), rng.randint(1, len(COLUMNS)))
        fields = {c: rng.choice(["", "x", "Edición «1»"]) for c in columns}
        assert _canonical(fields, columns) == before(fields), fields
    fields = {"actividad": "noti", "fecha": "2024-05-02", "titulo": "Edición"}  # the key main gave it (fd8525b)
    assert _key(_canonical(fields, list(fields)), 0) == "745e5c58259853ab534bd5c0"
