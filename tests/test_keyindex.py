"""The index of duplicate keys (ledger.keyindex) and the two-pass import (issue 13 item 4).

The index is derived data: whatever pec log, pec import, a git pull or a hand edit did to
the segments, what it answers must equal a full read of the ledger, and a hash hit must
be confirmed on the real line before anything is refused or skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pec_cli.ledger import keyindex, store
from pec_cli.ledger.duplicates import piece_keys
from pec_cli.ledger.entries import BATCH, PIECE, VOID, Batches, parse
from pec_cli.ledger.spool import Spool
from pec_cli.workspace import Workspace

from .test_speed import _Other


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


def _in_force_by_scan(root: Path) -> dict[str, str]:
    """Every key of every piece in force -> the first such piece's id, read line by line (the reference)."""
    ws = Workspace(root)
    pieces: list[dict] = []
    voided: set[str] = set()
    for path in store.segments(ws, 2024):
        batches: Batches[list[dict]] = Batches(list)
        for number, raw in store.iter_lines(path):
            record = parse(raw)
            if isinstance(record, str):
                continue
            if record["clase"] == BATCH:
                done = batches.commit(record["lote"])
                found = done[1] if done else []
            elif "lote" in record:
                batches.hold(record["lote"], number).append(record)
                continue
            else:
                found = [record]
            pieces += [r for r in found if r["clase"] == PIECE]
            voided |= {r["anula"] for r in found if r["clase"] == VOID}
    keys: dict[str, str] = {}
    for record in pieces:
        if record["id"] not in voided:
            for key in piece_keys(record):
                keys.setdefault(key, record["id"])
    return keys


def _same_as_built_afresh(root: Path) -> None:
    """Each segment's saved index holds exactly what indexing it from scratch gives."""
    ws = Workspace(root)
    for path in store.segments(ws, 2024):
        saved = keyindex.SegmentIndex.from_bytes(keyindex._index_file(ws, 2024, path).read_bytes())
        assert saved is not None and saved[1] == store._cache_key(path.stat()), path
        fresh = keyindex.segment_index(ws, 2024, path, use_cache=False)
        for part in ("keys", "imports", "lotes", "voids", "size", "crc"):
            assert getattr(saved[0], part) == getattr(fresh, part), (path.name, part)


def _answers(root: Path, records: list[dict]) -> dict[str, str | None]:
    found = {}
    for record in records:
        hit = keyindex.duplicate(Workspace(root), 2024, record, (record["actividad"],))
        for key in piece_keys(record):
            found[key] = hit[1]["id"] if hit is not None and hit[0] == key else None
    return found


def test_the_index_kept_by_log_void_import_and_pull_equals_a_full_read(pec, ws, tmp_path):
    first = ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista Gestión 1",
                   "--url", "https://uspec.gov.co/r1")).strip()
    gone = ok(pec("log", "noti", "--fecha", "2024-03-11", "--titulo", "Noti 1")).strip()
    ok(pec("void", gone, "--motivo", "repetida"))
    source = tmp_path / "p.csv"
    source.write_text("actividad;fecha;titulo;red;valor\nnoti;2024-04-01;Noti 2;;\nnoti;2024-04-02;Noti 3;;\n"
                      "seguidores;2024-04-01;;instagram;100\nseguidores;2024-04-01;;instagram;100\n"
                      "revista;2024-03-10;revista gestion 1;;\n", encoding="utf-8")
    out = ok(pec("import", str(source)))
    assert f"fila 6: ya registrada como {first}" in out and "Importadas 4 entradas de 5 filas" in out
    other = _Other(ws)  # another writer: a committed import, an import cut short, a void of ours
    other.pull(other.piece("2024-05-01", lote="zq7kx-1", importe="a1") + other.piece("2024-05-02", lote="zq7kx-1")
               + other.line(clase="lote", actividad="externas", lote="zq7kx-1", filas=2)
               + other.piece("2024-05-03", lote="zq7kx-2", importe="a2")
               + other.line(clase="anulacion", actividad="revista", tipo="revista", fecha="2024-03-10",
                            anula=first, motivo="no era") + b"not json\n")
    ok(pec("log", "noti", "--fecha", "2024-04-03", "--titulo", "Noti 4"))  # reads the pulled segment: indexes it
    _same_as_built_afresh(ws)
    asked = [{"clase": "pieza", "actividad": a, "tipo": t, "fecha": f, "titulo": title, "url": url}
             for a, t, f, title, url in [
                 ("revista", "publicacion", "2024-03-10", "Revista Gestión 1", "https://uspec.gov.co/r1"),  # voided since
                 ("noti", "publicacion", "2024-03-11", "Noti 1", None),  # voided
                 ("noti", "publicacion", "2024-04-02", "NOTI 3", None),  # imported
                 ("externas", "publicacion", "2024-05-01", "Nota 1", None),  # pulled, committed
                 ("externas", "publicacion", "2024-05-03", "Nota 4", None),  # pulled, never committed
                 ("noti", "publicacion", "2024-04-03", "Noti 4", None)]]
    want = _in_force_by_scan(ws)
    assert _answers(ws, asked) == {k: want.get(k) for r in asked for k in piece_keys(r)}
    assert sum(v is not None for v in _answers(ws, asked).values()) == 3


def test_a_hash_collision_never_refuses_a_piece(pec, ws, tmp_path, monkeypatch):
    from pec_cli.ledger import importer

    for module in (keyindex, importer):
        monkeypatch.setattr(module, "key_hash", lambda key: 7)  # every key collides with every other
    monkeypatch.setattr(keyindex, "importe_hash", lambda key: 7)  # and every import key
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
    other = tmp_path / "q.csv"  # other rows, whose import keys collide with those already in
    other.write_text("actividad;fecha;titulo\nrevista;2024-03-12;Revista 4\n", encoding="utf-8")
    assert "Importadas 1 entrada de 1 fila." in ok(pec("import", str(other)))


def test_an_edited_segment_is_indexed_again_and_a_lost_index_rebuilt(pec, ws):
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"))
    segment = next((ws / "ledger" / "2024").glob("*.jsonl"))
    segment.write_bytes(segment.read_bytes().replace(b"Revista A", b"Revista B"))  # same length, by hand
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"))
    refused(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista B"), "ya está registrada")
    index = next((ws / ".pec" / "cache").glob("keys-*.idx"))
    for damage in (b"", b"PECKEYS1garbage", index.read_bytes()[:-5]):
        index.write_bytes(damage)
        refused(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista B"), "ya está registrada")
    index.unlink()
    refused(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"), "ya está registrada")
    _same_as_built_afresh(ws)


def test_a_segment_cut_back_resumes_from_an_earlier_state(pec, ws, monkeypatch):
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"))
    segment = next((ws / "ledger" / "2024").glob("*.jsonl"))
    before = segment.stat().st_size
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista B"))
    os.truncate(segment, before)  # as a git reset would leave it
    starts: list[int] = []
    real = keyindex._extend
    monkeypatch.setattr(keyindex, "_extend", lambda index, path, limit: starts.append(index.size) or real(index, path, limit))
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista B"))  # cut off: no longer there
    assert starts == [before]  # resumed where the cut left it, nothing read again
    refused(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A"), "ya está registrada")
    _same_as_built_afresh(ws)


def test_a_torn_last_line_counts_if_whole_and_is_indexed_once_ended(pec, ws):
    other = _Other(ws)
    other.pull(other.piece("2024-05-01")[:-1])  # a whole record without its newline (an editor dropped it)
    refused(pec("log", "externas", "--fecha", "2024-05-01", "--titulo", "Nota 1"), "ya está registrada")
    other.pull(b"\n" + other.piece("2024-05-02"))
    refused(pec("log", "externas", "--fecha", "2024-05-02", "--titulo", "Nota 2"), "ya está registrada")
    _same_as_built_afresh(ws)


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


def test_an_import_of_many_rows_spools_them_and_counts_each_once(pec, ws, tmp_path, monkeypatch, status_json):
    from pec_cli.ledger import spool

    monkeypatch.setattr(spool, "IN_MEMORY", 4096)  # the spool goes to a file after 4 KB
    monkeypatch.setattr(spool, "BLOCK", 1000)  # and is read back in blocks that cut frames
    rows = [f"noti;2024-{4 + i % 3:02d}-{1 + i % 28:02d};Noti número {i}" for i in range(3000)]
    source = tmp_path / "p.csv"
    source.write_text("actividad;fecha;titulo\n" + "\n".join(rows + rows[:5]) + "\n", encoding="utf-8")
    out = ok(pec("import", str(source)))
    assert "Importadas 3000 entradas de 3005 filas" in out and "fila 3002: repite la fila 2" in out
    assert status_json("IV")["actividades"][1]["acumulado"]["realizadas"] == 3000
    assert not list((ws / ".pec").glob("tmp*"))  # the spool file is gone
    _same_as_built_afresh(ws)
    assert "3000 filas ya estaban importadas" in ok(pec("import", str(source)))


def test_the_spool_gives_back_what_it_was_given(tmp_path, monkeypatch):
    from pec_cli.ledger import spool

    monkeypatch.setattr(spool, "BLOCK", 7)
    monkeypatch.setattr(spool.Spool, "FRAME", 5)
    values = [(i, {"titulo": "é" * (i % 50), "valor": i * 1000}, "x" * i, [i, 2**63]) for i in range(300)]
    with Spool(tmp_path) as kept:
        for value in values:
            kept.add(value)
        assert list(kept) == values and list(kept) == values


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_the_streamed_csv_reads_what_excel_writes(pec, tmp_path, encoding):
    source = tmp_path / "p.csv"
    source.write_bytes(("actividad;fecha;título\r\nnoti;02/05/2024;Edición «1»\r\n\r\n").encode(encoding))
    result = pec("import", str(source))
    assert result.exit_code == 0 and "Importadas 1 entrada de 1 fila" in result.stdout, result.output
    assert ("Windows-1252" in result.stderr) == (encoding == "cp1252")
    assert json.loads(pec("list", "--format", "json").stdout)[0]["titulo"] == "Edición «1»"
    source.write_bytes(b" \r\n\t\n")
    refused(pec("import", str(source)), "está vacío")


def test_log_void_note_and_import_keep_the_index_current_without_reading_the_ledger(pec, ws, tmp_path, monkeypatch):
    first = ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista A")).strip()
    read: list[tuple[str, int]] = []
    real = keyindex._extend
    monkeypatch.setattr(keyindex, "_extend", lambda index, path, limit: read.append((path.name, index.size))
                        or real(index, path, limit))
    ok(pec("void", first, "--motivo", "repetida"))
    ok(pec("note", "revista", "--trim", "I", "Sin novedad."))
    source = tmp_path / "p.csv"
    source.write_text("actividad;fecha;titulo\nrevista;2024-03-10;Revista A\nrevista;2024-03-11;Revista B\n",
                      encoding="utf-8")
    assert "Importadas 2 entradas" in ok(pec("import", str(source)))
    refused(pec("log", "revista", "--fecha", "2024-03-11", "--titulo", "Revista B"), "ya está registrada")
    assert read == []  # each writer folded its own lines into the index: nothing read back
    _same_as_built_afresh(ws)


def test_a_big_read_with_the_compiled_rule_indexes_what_the_line_by_line_rule_does(pec, ws, monkeypatch):
    other = _Other(ws)
    lines = [other.piece(f"2024-04-{d:02d}", url=f"https://x.co/{d}") for d in range(1, 9)]
    lines[2] = lines[2].replace(b"\n", b"\r\n")  # a line an editor ended with CRLF
    lines[4] = lines[4].replace(b'"Nota', b'"\\u001bNota')  # a control character: not a valid line
    data = b"\xef\xbb\xbf" + b"".join(lines[:4]) + b"\n  \n" + b"".join(lines[4:]) + b'{"v": 1, "broken\n'
    other.path.parent.mkdir(parents=True, exist_ok=True)
    other.path.write_bytes(data + other.line(clase="anulacion", actividad="externas", anula="2024-zq7kx-2",
                                             registrado="2024-05-02T10:00:00-05:00", motivo="x"))
    built = {}
    for big in (False, True):
        monkeypatch.setattr(keyindex, "FAST_SCAN_BYTES", -1 if big else 1 << 40)
        index = keyindex.segment_index(Workspace(ws), 2024, other.path, use_cache=False)
        built[big] = (index.keys, index.imports, index.lotes, index.voids, index.size, index.crc)
    assert built[True] == built[False]
    assert len(built[True][0]) == 2 * 2 * 7 and built[True][3] == [["2024-zq7kx-2", len(data), 0]]


def test_a_rows_import_key_is_what_it_was_so_files_imported_before_stay_imported():
    """The text an ``importe`` is made of, built per header now, equals the earlier per-row formula."""
    import random

    from pec_cli.ledger.importer import _UNKEYED_WHEN_EMPTY, COLUMNS, _canonical, _canonical_spec, _key

    def before(fields: dict[str, str]) -> str:
        return "\x1f".join(f"{k}={fields.get(k) or ''}" for k in COLUMNS if k not in _UNKEYED_WHEN_EMPTY or fields.get(k))

    rng = random.Random(3)
    for _ in range(5000):
        columns = rng.sample(list(COLUMNS), rng.randint(1, len(COLUMNS)))
        fields = {c: rng.choice(["", "x", "Edición «1»"]) for c in columns}
        assert _canonical(fields, _canonical_spec(columns)) == before(fields), fields
    fields = {"actividad": "noti", "fecha": "2024-05-02", "titulo": "Edición"}  # the key main gave it (fd8525b)
    assert _key(_canonical(fields, _canonical_spec(list(fields))), 0) == "745e5c58259853ab534bd5c0"


def test_the_writers_encoder_writes_what_json_dumps_writes():
    """store.encode keeps one C encoder (an import's lines in half the time): the same text, always."""
    import random

    rng = random.Random(5)
    alphabet = "aé«»\u0000\x1b\x7f\u0085\u2028\"\\/ñ€😀\n\t"

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))

    for _ in range(5000):
        values = [text(), rng.randint(-10**20, 10**20), rng.random() * 1e6, True, None, float("nan"), float("inf"),
                  {"archivo": text(), "n": [1, 2.5, text()]}]
        record = {text(): rng.choice(values) for _ in range(rng.randint(0, 8))}
        assert store.encode(record) == json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
