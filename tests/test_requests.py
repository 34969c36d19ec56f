"""Requests answered (`pec log --atiende`): the links, `atendidas`, `list --abiertas`, and the refusals."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from pathlib import Path

from pec_cli.ledger.requests import by_area, demand_tipos, open_requests, requests_of
from pec_cli.ledger.tally import Tally
from pec_cli.plan.loader import load_plan
from pec_cli.report.avance import compute
from pec_cli.report.render import report_to_dict

from .conftest import REPO

PLAN = load_plan(REPO / "plan" / "2024.yaml")
_ids = itertools.count(1)


def piece(actividad, fecha, tipo="publicacion", **fields):
    return {"clase": "pieza", "id": f"r-{next(_ids)}", "actividad": actividad, "tipo": tipo,
            "fecha": fecha, "registrado": f"{fecha}T12:00:00-05:00", **fields}


def void(target):
    return {"clase": "anulacion", "id": f"r-{next(_ids)}", "actividad": target["actividad"], "tipo": target["tipo"],
            "fecha": target["fecha"], "anula": target["id"], "registrado": "2024-07-01T00:00:00-05:00", "motivo": "x"}


def plan_with_atendidas(tmp_path: Path):
    """The shipped plan with internas' formula written over `atendidas` (whatever the shipped one says)."""
    text = (REPO / "plan" / "2024.yaml").read_text(encoding="utf-8")
    text = text.replace("formula: publicacion / solicitud * 100", "formula: atendidas / solicitud * 100")
    path = tmp_path / "2024.yaml"
    path.write_text(text, encoding="utf-8")
    return load_plan(path)


def test_tally_keeps_requests_and_links_and_voids_drop_them():
    req = piece("internas", "2024-03-28", "solicitud", area="Jurídica")
    ans = piece("internas", "2024-04-02", titulo="Respuesta", atiende=req["id"])
    tally = Tally.of([req, ans, piece("revista", "2024-03-01", titulo="R")])
    assert dict(tally.request_groups()) == {("internas", "solicitud", "2024-03-28", "Jurídica"): [req["id"]]}
    assert tally.links == {ans["id"]: ("internas", req["id"], "2024-04-02")}
    assert Tally.from_json(json.loads(json.dumps(tally.to_json()))).links == tally.links
    assert Tally.of([req, ans, void(ans)]).net().answered("internas") == {}
    assert Tally.of([req, ans, void(req)]).net().requests == {}
    # segments merge: the request in one, the answer in another
    left, right = Tally.of([req]), Tally.of([ans])
    left.merge(right)
    assert left.net().answered("internas") == {req["id"]: "2024-04-02"}


def test_demand_tipos_come_from_the_plan():
    assert demand_tipos(PLAN.activity("internas")) == ("solicitud",)  # requires an área
    assert demand_tipos(PLAN.activity("eventos")) == ("evento",)  # the formula divides by it
    assert demand_tipos(PLAN.activity("revista")) == ()


def test_a_request_answered_after_the_quarter_counts_for_its_quarter(tmp_path):
    """A request of 28 March answered on 2 April: Trim. I at 100 % once the answer exists, 0 % at 31 March."""
    plan = plan_with_atendidas(tmp_path)
    req = piece("internas", "2024-03-28", "solicitud", area="Jurídica")
    records = [req, piece("internas", "2024-04-02", titulo="Respuesta", atiende=req["id"]),
               piece("internas", "2024-04-10", titulo="Boletín sin solicitud")]
    doc = report_to_dict(compute(plan, Tally.of(records), 2, dt.date(2024, 6, 20)))
    internas = next(a for a in doc["actividades"] if a["id"] == "internas")
    assert internas["trimestres"]["I"]["cumplimiento"] == 100.0 and internas["trimestres"]["I"]["logrado"] == 25.0
    assert internas["trimestres"]["II"]["cumplimiento"] is None  # no request in Trim. II: no aplica
    assert internas["trimestres"]["II"]["por_tipo"] == {"publicacion": 2, "solicitud": 0}  # unlinked still counted
    assert internas["acumulado"]["cumplimiento"] == 100.0
    early = report_to_dict(compute(plan, Tally.of(records), 1, dt.date(2024, 3, 31)))
    assert next(a for a in early["actividades"] if a["id"] == "internas")["trimestres"]["I"]["cumplimiento"] == 0.0


def test_open_requests_and_areas():
    a = piece("internas", "2024-02-01", "solicitud", area="Jurídica")
    b = piece("internas", "2024-05-02", "solicitud", area="Talento Humano")
    c = piece("internas", "2024-03-15", "solicitud", area="Jurídica")
    totals = Tally.of([a, b, c, piece("internas", "2024-05-03", titulo="R", atiende=c["id"])]).net()
    assert [r.id for r in open_requests(PLAN, totals, dt.date(2024, 6, 20))] == [a["id"], b["id"]]
    assert [r.id for r in open_requests(PLAN, totals, dt.date(2024, 4, 1))] == [a["id"], c["id"]]  # b not yet made
    assert by_area(requests_of(PLAN.activity("internas"), totals, dt.date(2024, 6, 20))) == {
        "Jurídica": {"recibidas": 2, "atendidas": 1, "abiertas": 1},
        "Talento Humano": {"recibidas": 1, "atendidas": 0, "abiertas": 1},
    }


def _log(pec, *args):
    result = pec("log", *args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_log_atiende_links_and_list_abiertas(pec, ws):
    first = _log(pec, "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-03-28")
    second = _log(pec, "internas", "--tipo", "solicitud", "--area", "Talento Humano", "--fecha", "2024-05-02")
    answer = _log(pec, "internas", "--titulo", "Respuesta", "--fecha", "2024-04-02", "--atiende", first)
    record = [json.loads(x) for p in (ws / "ledger" / "2024").glob("*.jsonl") for x in p.read_text().splitlines()]
    assert next(r for r in record if r["id"] == answer)["atiende"] == first
    listed = json.loads(pec("list", "--abiertas", "--format", "json").stdout)
    assert [r["id"] for r in listed] == [second]
    assert second in pec("list", "--abiertas").stdout
    doc = json.loads(pec("status", "--trim", "II", "--format", "json").stdout)
    internas = next(a for a in doc["actividades"] if a["id"] == "internas")
    assert internas["solicitudes_por_area"] == {"Jurídica": {"recibidas": 1, "atendidas": 1, "abiertas": 0},
                                                "Talento Humano": {"recibidas": 1, "atendidas": 0, "abiertas": 1}}
    board = " ".join(pec("status", "--trim", "II").stdout.split())
    assert ("Solicitudes por área (internas, al 2024-06-30): Jurídica 1 atendida de 1; "
            "Talento Humano 0 atendidas de 1.") in board
    due = json.loads(pec("pendientes", "--fecha", "2024-06-20", "--format", "json").stdout)
    assert due["solicitudes_abiertas"] == [{"id": second, "actividad": "internas", "tipo": "solicitud",
                                            "fecha": "2024-05-02", "area": "Talento Humano", "dias": 49}]
    assert next(a for a in due["actividades"] if a["id"] == "internas")["abiertas"] == 1
    assert f"{second}  2024-05-02  internas  Talento Humano  49 días" in pec("pendientes", "--fecha", "2024-06-20").stdout


def test_eventos_link_a_publication_to_its_evento(pec):
    evento = _log(pec, "eventos", "--titulo", "Entrega de obra", "--fecha", "2024-04-10")
    _log(pec, "eventos", "--tipo", "publicacion", "--titulo", "Nota de la entrega", "--fecha", "2024-04-11",
         "--atiende", evento)


def test_atiende_refusals(pec, ws):
    req = _log(pec, "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-05-02")
    rev = _log(pec, "revista", "--titulo", "Revista", "--fecha", "2024-05-02")
    gone = _log(pec, "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-05-03")
    assert pec("void", gone, "--motivo", "duplicada").exit_code == 0
    before = {p: p.read_bytes() for p in (ws / "ledger").rglob("*.jsonl")}
    cases = [
        (("internas", "--titulo", "R", "--atiende", "2024-zzzzz-9"), "no existe en el registro de 2024"),
        # a request of another year (a second new-user trial was told it «no existe»): one vigencia for both
        (("internas", "--titulo", "R", "--atiende", "2023-zzzzz-9"), "es de otra vigencia que la pieza (2024)"),
        (("internas", "--titulo", "R", "--atiende", rev), "no de tipo «solicitud» en «internas»"),
        (("internas", "--titulo", "R", "--atiende", gone), "está anulada"),
        (("internas", "--titulo", "R", "--fecha", "2024-05-01", "--atiende", req), "es anterior a la entrada"),
        (("internas", "--tipo", "solicitud", "--area", "X", "--atiende", req), "no atiende a otra"),
        (("revista", "--titulo", "R", "--atiende", req), "«revista» no atiende solicitudes"),
    ]
    for args, fragment in cases:
        result = pec("log", *args)
        assert result.exit_code == 1 and fragment in result.stderr, (args, result.output)
        assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in (ws / "ledger").rglob("*.jsonl")} == before


def test_import_atiende_column(pec, ws, tmp_path):
    req = _log(pec, "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-05-02")
    bad = tmp_path / "malo.csv"
    bad.write_text(f"actividad;fecha;titulo;atiende\ninternas;2024-05-03;Respuesta;{req}\n"
                   "internas;2024-05-03;Otra;2024-zzzzz-1\n", encoding="utf-8")
    result = pec("import", str(bad))
    assert result.exit_code == 1 and "fila 3, columna atiende" in result.stderr
    good = tmp_path / "bueno.csv"
    good.write_text(f"actividad;fecha;titulo;atiende\ninternas;2024-05-03;Respuesta;{req}\nrevista;2024-05-04;R;\n",
                    encoding="utf-8")
    assert pec("import", str(good)).exit_code == 0
    assert json.loads(pec("list", "--abiertas", "--format", "json").stdout) == []
    # a row with no «atiende» keeps the import key it had before the column existed
    records = [json.loads(x) for p in (ws / "ledger" / "2024").glob("*.jsonl") for x in p.read_text().splitlines()]
    revista = next(r for r in records if r["actividad"] == "revista")
    old_columns = ("actividad", "fecha", "titulo", "tipo", "canal", "url", "evidencia", "area", "red", "valor", "nota")
    cells = {"actividad": "revista", "fecha": "2024-05-04", "titulo": "R"}
    canonical = "\x1f".join(f"{k}={cells.get(k, '')}" for k in old_columns)
    assert revista["importe"] == hashlib.sha256(f"{canonical}\x1f#0".encode()).hexdigest()[:24]


def test_the_prompt_offers_the_open_requests(pec, ws, monkeypatch):
    first = _log(pec, "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-05-02")
    second = _log(pec, "internas", "--tipo", "solicitud", "--area", "Planeación", "--fecha", "2024-06-02")
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    result = pec("log", "internas", "--titulo", "Respuesta", input="publicacion\n7\n2\n")
    assert result.exit_code == 0, result.output
    assert f"1. {first}  2024-05-02  Jurídica" in result.stderr and "no es una de las solicitudes" in result.stderr
    listed = json.loads(pec("list", "--abiertas", "--format", "json").stdout)
    assert [r["id"] for r in listed] == [first]
    assert second not in [r["id"] for r in listed]


def test_eventos_read_like_internas_events_covered_over_events(pec, status_json):
    """Issue 21 item 3: an evento nobody covered does not hide behind another's two publications."""
    covered = _log(pec, "eventos", "--titulo", "Entrega de obra", "--fecha", "2024-04-10")
    alone = _log(pec, "eventos", "--titulo", "Visita al ERON", "--fecha", "2024-05-10")
    for day in ("2024-04-11", "2024-04-12"):
        _log(pec, "eventos", "--tipo", "publicacion", "--titulo", f"Nota {day}", "--fecha", day, "--atiende", covered)
    _log(pec, "eventos", "--tipo", "publicacion", "--titulo", "Nota sin enlace", "--fecha", "2024-05-20")
    eventos = next(a for a in status_json("II")["actividades"] if a["id"] == "eventos")
    assert eventos["trimestres"]["II"]["cumplimiento"] == 50.0 and eventos["trimestres"]["II"]["logrado"] == 12.5
    assert eventos["trimestres"]["II"]["por_tipo"] == {"evento": 2, "publicacion": 3}  # unlinked still counted
    listed = json.loads(pec("list", "--abiertas", "--actividad", "eventos", "--format", "json").stdout)
    assert [r["id"] for r in listed] == [alone]
    due = json.loads(pec("pendientes", "--fecha", "2024-06-20", "--format", "json").stdout)
    assert [r["id"] for r in due["solicitudes_abiertas"]] == [alone]
    assert next(a for a in due["actividades"] if a["id"] == "eventos")["abiertas"] == 1


def test_the_tally_keeps_eventos_so_atendidas_counts_them():
    evento = piece("eventos", "2024-04-10", "evento", titulo="Entrega de obra")
    other = piece("eventos", "2024-05-10", "evento", titulo="Visita")
    records = [evento, other, piece("eventos", "2024-04-11", titulo="Nota", atiende=evento["id"]),
               piece("eventos", "2024-04-12", titulo="Otra nota", atiende=evento["id"])]
    doc = report_to_dict(compute(PLAN, Tally.of(records), 2, dt.date(2024, 6, 20)))
    eventos = next(a for a in doc["actividades"] if a["id"] == "eventos")
    assert eventos["trimestres"]["II"]["cumplimiento"] == 50.0
    assert "solicitudes_por_area" not in eventos or eventos["solicitudes_por_area"] == {}  # an evento has no área
    assert [r.id for r in open_requests(PLAN, Tally.of(records).net(), dt.date(2024, 6, 20))] == [other["id"]]


def test_areas_as_the_office_writes_them_are_one_row(pec, status_json, tmp_path):
    """Issue 21 item 4: «Talento Humano» and «talento  humano » are one área (case, accents, spaces folded),
    shown as first recorded, in the status JSON, the board, the XLSX and the HTML."""
    from openpyxl import load_workbook

    for area, day in (("Talento Humano", "2024-05-02"), ("talento  humano ", "2024-05-03"), ("TALENTO HUMANO", "2024-05-04"),
                      ("Jurídica", "2024-05-05"), ("juridica", "2024-05-06")):
        _log(pec, "internas", "--tipo", "solicitud", "--area", area, "--fecha", day)
    internas = next(a for a in status_json("II")["actividades"] if a["id"] == "internas")
    assert internas["solicitudes_por_area"] == {"Jurídica": {"recibidas": 2, "atendidas": 0, "abiertas": 2},
                                                "Talento Humano": {"recibidas": 3, "atendidas": 0, "abiertas": 3}}
    board = pec("status", "--trim", "II").stdout
    assert "Jurídica 0 atendidas de 2; Talento Humano 0 atendidas de 3." in " ".join(board.split())
    out = tmp_path / "s.xlsx"
    assert pec("export", "xlsx", "--trim", "II", "-o", str(out)).exit_code == 0
    areas = [row[1] for row in load_workbook(out)["Redes"].iter_rows(values_only=True) if row[0] == "internas"]
    assert areas == ["Jurídica", "Talento Humano"]
    html = pec("export", "html", "--trim", "II", "-o", "-").stdout
    assert '<td>Talento Humano</td><td class="n">3</td>' in html and "<td>TALENTO HUMANO</td>" not in html


def test_the_plan_may_list_the_areas(pec, ws):
    """With «areas:» in the plan, an área is one of them (after folding), stored as the plan writes it."""
    plan = ws / "plan" / "2024.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\nareas:\n  - Talento Humano\n  - Jurídica\n", encoding="utf-8")
    assert pec("plan", "check").exit_code == 0
    refused = pec("log", "internas", "--tipo", "solicitud", "--area", "talento humno", "--fecha", "2024-05-02")
    assert refused.exit_code == 1 and "¿quiso decir «Talento Humano»?" in refused.stderr, refused.output
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.output
    _log(pec, "internas", "--tipo", "solicitud", "--area", " talento   HUMANO", "--fecha", "2024-05-02")
    _log(pec, "internas", "--tipo", "solicitud", "--area", "juridica", "--fecha", "2024-05-03")
    listed = json.loads(pec("list", "--format", "json").stdout)
    assert [r["area"] for r in listed] == ["Talento Humano", "Jurídica"]
    plan.write_text(plan.read_text(encoding="utf-8") + "  - talento humano\n", encoding="utf-8")
    twice = pec("plan", "check")
    assert twice.exit_code == 1 and "areas" in twice.stderr + twice.stdout
