"""Figures that hold once reported (issue 22) and what the committee signs and follows up (issue 23 items 1, 5):
closures, extemporáneas, plan versions, sign-offs and improvement actions, end to end through the CLI."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from .conftest import REPO, pec_at

JULY, AUGUST, OCTOBER = {"PEC_HOY": "2024-07-05"}, {"PEC_HOY": "2024-08-01"}, {"PEC_HOY": "2024-10-03"}


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(result, *words: str) -> str:
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


def status(root: Path, trim: str = "II", env: dict[str, str] = JULY) -> dict:
    return json.loads(ok(pec_at(root, "status", "--trim", trim, "--format", "json", env=env)))


def row(doc: dict, row_id: str) -> dict:
    return next(r for r in doc["actividades"] + doc["lineas"] if r["id"] == row_id)


@pytest.fixture
def closed(ws: Path) -> Path:
    """The README's revistas (one in March, one in May), Trim. I and II closed on 5 July."""
    ok(pec_at(ws, "log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1", env=JULY))
    ok(pec_at(ws, "log", "revista", "--fecha", "2024-05-02", "--titulo", "Revista 2", env=JULY))
    ok(pec_at(ws, "cierre", "--trim", "I", env=JULY))
    ok(pec_at(ws, "cierre", "--trim", "II", env=JULY))
    return ws


def test_a_piece_logged_in_august_dated_in_may_never_moves_the_sealed_quarter(closed):
    before = row(status(closed), "revista")["trimestres"]["II"]
    assert before["logrado"] == 10.0 and "recalculado" not in before
    logged = pec_at(closed, "log", "revista", "--fecha", "2024-05-15", "--titulo", "Revista tardía", env=AUGUST)
    late_id = ok(logged).strip()
    assert "extemporánea" in logged.stderr and "Trim. II" in logged.stderr  # said when written, kept
    doc = status(closed, env=AUGUST)
    revista = row(doc, "revista")
    assert revista["trimestres"]["II"]["logrado"] == 10.0  # the sealed figure, not 20
    recalculado = revista["trimestres"]["II"]["recalculado"]
    assert recalculado["logrado"] == 20.0 and recalculado["realizadas"] == 2
    assert "1 pieza extemporánea" in recalculado["motivo"]
    assert doc["cerrado"]["II"]["fecha"] == "2024-07-05" and doc["cerrado"]["II"]["version"] == "1"
    assert len(doc["cerrado"]["II"]["sha256"]) == 64
    assert recalculado["motivo"] == "1 pieza extemporánea del Trim. II, que el cierre no vio"
    board = ok(pec_at(closed, "status", "--trim", "II", env=AUGUST))
    assert "cerrado el 2024-07-05, versión 1" in board and "extemporánea" in board
    assert ("acumulado realizadas 2 → 3 (1 pieza extemporánea hasta el Trim. II, que el cierre no vio); vale lo "
            "sellado.") in " ".join(board.split())  # the one piece said once, not once per figure
    listed = json.loads(ok(pec_at(closed, "list", "--format", "json", env=AUGUST)))
    assert [r["id"] for r in listed if r["extemporanea"]] == [late_id]
    assert "[extemporánea]" in ok(pec_at(closed, "list", env=AUGUST))
    detail = ok(pec_at(closed, "export", "csv", "--detalle", "-o", "-", env=AUGUST)).splitlines()
    assert detail[0].split(";")[-1] == "extemporanea" and detail[-1].split(";")[-1] == "sí"
    for fmt in ("markdown", "html"):
        shown = ok(pec_at(closed, "export", fmt, "--trim", "II", "-o", "-", env=AUGUST))
        assert "cerrado el 2024-07-05, versión 1" in shown and "extemporánea" in shown, fmt
    ok(pec_at(closed, "verify", env=AUGUST))  # a late piece is no damage


def test_a_late_request_never_moves_the_sealed_counts_beside_a_demands_figure(ws):
    """A new-user trial: an evento received in May, logged after Trim. II closed, left the sealed 50 % of
    eventos beside today's «1 de 3». The counts beside a demand's figure (answered of received, per area)
    are sealed with it; today's live on in the «Recalculado» note and in the next quarter."""
    first = ok(pec_at(ws, "log", "eventos", "--tipo", "evento", "--fecha", "2024-05-02", "--titulo", "Foro", env=JULY))
    ok(pec_at(ws, "log", "eventos", "--tipo", "evento", "--fecha", "2024-05-03", "--titulo", "Visita", env=JULY))
    ok(pec_at(ws, "log", "eventos", "--tipo", "publicacion", "--fecha", "2024-05-04", "--titulo", "Crónica del foro",
              "--atiende", first.strip(), env=JULY))
    asked = ok(pec_at(ws, "log", "internas", "--tipo", "solicitud", "--area", "Talento Humano", "--fecha", "2024-05-06",
                      env=JULY))
    ok(pec_at(ws, "log", "internas", "--fecha", "2024-05-07", "--titulo", "Boletín", "--atiende", asked.strip(), env=JULY))
    ok(pec_at(ws, "cierre", "--trim", "II", env=JULY))
    sealed = {act: row(status(ws), act) for act in ("eventos", "internas")}
    ok(pec_at(ws, "log", "eventos", "--tipo", "evento", "--fecha", "2024-06-20", "--titulo", "Rendición", env=AUGUST))
    ok(pec_at(ws, "log", "internas", "--tipo", "solicitud", "--area", "Talento Humano", "--fecha", "2024-06-21",
              env=AUGUST))
    doc = status(ws, env=AUGUST)
    for act in ("eventos", "internas"):
        now = row(doc, act)
        assert now["acumulado"]["cumplimiento"] == sealed[act]["acumulado"]["cumplimiento"] == (50.0 if act == "eventos" else 100.0)
        assert now["demanda"] == sealed[act]["demanda"], act
        assert now["acumulado"]["recalculado"]["cumplimiento"] < now["acumulado"]["cumplimiento"]
    assert row(doc, "eventos")["demanda"]["recibidas"] == 2 and row(doc, "internas")["demanda"]["recibidas"] == 1
    board = " ".join(ok(pec_at(ws, "status", "--trim", "II", env=AUGUST)).split())
    assert "1/2" in board and "1/3" not in board
    assert "Trim. II recibidas 2 → 3" in board and "realizadas 2 → 3" not in board  # received, beside «1/2»
    assert row(status(ws, "III", env=AUGUST), "eventos")["demanda"]["recibidas"] == 3  # an open quarter: today's
    ok(pec_at(ws, "verify", env=AUGUST))


def test_a_closure_sealed_before_pec_sealed_the_demand_still_holds(ws, monkeypatch):
    """A closure from an older pec has no sealed demand counts: verify finds its figures intact, and the
    counts beside the figure are today's, as they were."""
    from pec_cli.report import closed as closed_module

    new_sealed = closed_module.sealed
    monkeypatch.setattr(closed_module, "sealed", lambda report: {
        k: v for k, v in new_sealed(report).items() if k != closed_module.DEMANDA})
    ok(pec_at(ws, "log", "eventos", "--tipo", "evento", "--fecha", "2024-05-02", "--titulo", "Foro", env=JULY))
    ok(pec_at(ws, "cierre", "--trim", "II", env=JULY))
    monkeypatch.undo()
    (segment,) = (ws / "ledger" / "2024").glob("*.jsonl")
    assert '"demanda"' not in segment.read_text(encoding="utf-8")
    ok(pec_at(ws, "log", "eventos", "--tipo", "evento", "--fecha", "2024-05-03", "--titulo", "Visita", env=AUGUST))
    assert row(status(ws, env=AUGUST), "eventos")["demanda"]["recibidas"] == 2
    verified = ok(pec_at(ws, "verify", env=AUGUST))
    assert "Registro íntegro" in verified and "no coincide" not in verified


def test_a_late_piece_of_an_earlier_quarter_is_named_in_the_sealed_acumulado(closed):
    """A March piece logged in August, after Trim. I and II closed: Trim. II's sealed acumulado lacks it too,
    and says so (one piece the closure did not see), not «anulaciones o respuestas»."""
    ok(pec_at(closed, "log", "revista", "--fecha", "2024-03-15", "--titulo", "Revista de marzo", env=AUGUST))
    revista = row(status(closed, env=AUGUST), "revista")
    motivo = revista["acumulado"]["recalculado"]["motivo"]
    assert motivo == "1 pieza extemporánea hasta el Trim. II, que el cierre no vio", motivo
    assert "recalculado" not in revista["trimestres"]["II"]  # Trim. II itself holds no March piece


def test_close_reopen_and_close_again_each_kept_and_listed(closed):
    refused(pec_at(closed, "cierre", "--trim", "III", env=JULY), "termina el 2024-09-30")
    refused(pec_at(closed, "cierre", "--trim", "II", env=JULY), "ya está cerrado")
    refused(pec_at(closed, "cierre", "--trim", "III", "--reabrir", "--motivo", "x", env=JULY), "no está cerrado")
    refused(pec_at(closed, "cierre", "--trim", "II", "--reabrir", "--motivo", "x" * 600, env=JULY),
            "El motivo supera el límite de 500 caracteres")  # said of the option, not of a record
    ok(pec_at(closed, "log", "revista", "--fecha", "2024-05-15", "--titulo", "Revista tardía", env=AUGUST))
    reopened = ok(pec_at(closed, "cierre", "--trim", "II", "--reabrir", "--motivo", "faltaba una revista",
                         env=AUGUST)).strip()
    assert row(status(closed, env=AUGUST), "revista")["trimestres"]["II"]["logrado"] == 20.0  # open again: live
    board = pec_at(closed, "status", "--trim", "II", env=AUGUST)  # and every report says why it moved
    assert "el Trim. II se reabrió el 2024-08-01 (faltaba una revista): sus cifras son las de hoy" in board.stderr
    again = ok(pec_at(closed, "cierre", "--trim", "II", env=AUGUST)).strip()
    doc = status(closed, env=AUGUST)
    assert row(doc, "revista")["trimestres"]["II"] == {**row(doc, "revista")["trimestres"]["II"], "logrado": 20.0}
    assert "recalculado" not in row(doc, "revista")["trimestres"]["II"]  # the new closure saw the piece
    assert doc["cerrado"]["II"]["id"] == again
    assert "se reabrió" not in pec_at(closed, "status", "--trim", "II", env=AUGUST).stderr  # closed again
    events = json.loads(ok(pec_at(closed, "list", "--cierres", "--format", "json", env=AUGUST)))
    assert [e["clase"] for e in events if e["trimestre"] == "II"] == ["cierre", "reapertura", "cierre"]
    assert reopened in {e["id"] for e in events}
    assert f"{again} cierre del Trim. II" in ok(pec_at(closed, "list", env=AUGUST))
    ok(pec_at(closed, "verify", env=AUGUST))


def test_a_plan_changed_mid_year_needs_a_new_version_and_keeps_closed_quarters(closed):
    plan = closed / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "  - id: revista\n" in text and "    meta: 10\n" in text
    start = text.index("  - id: revista\n")
    edited = text[:start] + text[start:].replace("    meta: 10\n", "    meta: 12\n", 1)
    plan.write_text(edited, encoding="utf-8")
    refused(pec_at(closed, "plan", "check", env=AUGUST), "Cambió el plan sin nueva versión", "revista")
    version2 = edited.replace('version: "1"', 'version: "2"', 1).replace(
        "cambios:\n", 'cambios:\n  - version: "02"\n    fecha: 2024-08-01\n    numerales: "3.2"\n'
        "    descripcion: La meta de la revista pasa de 10 a 12\n", 1)
    plan.write_text(version2, encoding="utf-8")
    ok(pec_at(closed, "plan", "check", env=AUGUST))
    doc = status(closed, trim="III", env=OCTOBER)
    revista = row(doc, "revista")
    assert revista["trimestres"]["I"]["logrado"] == 10.0  # sealed with versión 1: not 8,33
    assert revista["trimestres"]["I"]["recalculado"]["logrado"] == 8.33
    assert "el plan cambió desde el cierre: versión 1 entonces, 2 hoy" in revista["trimestres"]["I"]["recalculado"]["motivo"]
    assert revista["meta"] == 12  # the open quarters use versión 2
    sealed = row(status(closed, trim="II", env=OCTOBER), "revista")  # the closed Trim. II report: as it was sealed
    assert sealed["meta"] == 10 and sealed["acumulado"]["logrado"] == 20.0
    assert re.search(r"revista .* 2/10\n", ok(pec_at(closed, "status", "--trim", "II", env=OCTOBER)))
    board = ok(pec_at(closed, "status", "--trim", "III", env=OCTOBER))
    assert "versión 2 del plan" in board and "cerrado el 2024-07-05, versión 1" in board
    kept = list((closed / "plan" / "versiones").glob("2024-v1-*.yaml"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == text  # the plan as it was


def test_two_clones_that_close_one_quarter_merge_into_one_standing_closure(closed, tmp_path):
    from .conftest import set_writer

    other = tmp_path / "otra"
    shutil.copytree(closed, other)
    set_writer(other, "otra1")
    segment = next((closed / "ledger" / "2024").glob("*.jsonl"))
    ok(pec_at(other, "cierre", "--trim", "II", "--reabrir", "--motivo", "revisión", env=AUGUST))
    ok(pec_at(other, "cierre", "--trim", "II", env=AUGUST))
    shutil.copy(next(p for p in (other / "ledger" / "2024").glob("*.jsonl") if p.name != segment.name),
                closed / "ledger" / "2024")  # the merge: each clone's own segment
    doc = status(closed, env=AUGUST)
    assert doc["cerrado"]["II"]["fecha"] == "2024-08-01"  # reopened, then closed again by the other clone
    result = pec_at(closed, "verify", env=AUGUST)
    assert result.exit_code == 0, result.output
    # two closures of an open quarter at once: the first stands, the other is information
    third = tmp_path / "tercera"
    shutil.copytree(closed, third)
    set_writer(third, "00000")  # its closure, made first, also comes first by id within the same second
    for root in (closed, third):
        ok(pec_at(root, "cierre", "--trim", "II", "--reabrir", "--motivo", "otra vez", env=OCTOBER))
    ok(pec_at(third, "cierre", "--trim", "II", env=OCTOBER))
    ok(pec_at(closed, "log", "revista", "--fecha", "2024-06-03", "--titulo", "Revista 3", env=OCTOBER))
    ok(pec_at(closed, "cierre", "--trim", "II", env=OCTOBER))  # other figures than the other clone's closure
    ok(pec_at(closed, "aprobar", "--trim", "II", "--rol", "aprobó", "--nombre", "Directora", "--cargo", "Directora",
              env=OCTOBER))  # signs the figures of the closure that, merged, will not stand
    shutil.copy(third / "ledger" / "2024" / "00000.jsonl", closed / "ledger" / "2024")
    result = pec_at(closed, "verify", env=OCTOBER)
    assert result.exit_code == 0 and "información" in result.stdout and "se cerró dos veces" in result.stdout
    assert "la aprobación (aprobó, Directora) es de cifras del cierre" in result.stdout
    assert "que se reabrieron" not in result.stdout  # the quarter was closed twice, not reopened
    board = pec_at(closed, "status", "--trim", "II", env=OCTOBER)
    assert "se cerró dos veces" in board.stderr  # the report says so too, not only verify
    reopened = ok(pec_at(closed, "cierre", "--trim", "II", "--reabrir", "--motivo", "una sola vez", env=OCTOBER))
    assert len(reopened.split()) == 2  # both closures reopened at once: the quarter is open, not closed by the other
    assert "II" not in status(closed, env=OCTOBER)["cerrado"]
    assert "se cerró dos veces" not in pec_at(closed, "verify", env=OCTOBER).stdout


def test_verify_names_a_closed_figure_a_plan_copy_or_a_line_edited_by_hand(closed):
    segment = next((closed / "ledger" / "2024").glob("*.jsonl"))
    original = segment.read_bytes()
    lines = original.splitlines()
    at = next(i for i, line in enumerate(lines) if b'"clase":"cierre"' in line and b'"trimestre":"II"' in line)
    record = json.loads(lines[at])
    record["cifras"]["actividades"]["revista"]["trimestres"]["II"]["logrado"] = 25.0
    lines[at] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
    segment.write_bytes(b"\n".join(lines) + b"\n")
    assert "cifras editadas a mano" in refused(pec_at(closed, "verify", env=JULY)).replace("\n", " ") or \
        "cifras editadas a mano" in pec_at(closed, "verify", env=JULY).stdout
    segment.write_bytes(original)
    copy = next((closed / "plan" / "versiones").glob("*.yaml"))
    copy.write_text(copy.read_text(encoding="utf-8").replace("meta: 10", "meta: 11", 1), encoding="utf-8")
    assert "la copia del plan" in pec_at(closed, "verify", env=JULY).stdout
    copy.unlink()
    assert "falta la copia del plan" in pec_at(closed, "verify", env=JULY).stdout


def test_sign_offs_bind_to_the_sealed_figures(closed):
    refused(pec_at(closed, "aprobar", "--trim", "III", "--rol", "aprobó", "--nombre", "A", "--cargo", "B", env=JULY),
            "no está cerrado")
    refused(pec_at(closed, "aprobar", "--trim", "II", "--rol", "firmó", "--nombre", "A", "--cargo", "B", env=JULY),
            "revisó o --rol aprobó")
    shown = ok(pec_at(closed, "export", "markdown", "--trim", "II", "-o", "-", env=JULY))
    assert "sin aprobar" in shown
    assert "Aprobación de este informe: sin aprobar." in ok(pec_at(closed, "status", "--trim", "II", env=JULY))
    ok(pec_at(closed, "aprobar", "--trim", "II", "--rol", "reviso", "--nombre", "Yanneth Parra",
              "--cargo", "Técnico operativo", env=JULY))
    ok(pec_at(closed, "aprobar", "--trim", "II", "--rol", "aprobó", "--nombre", "Luisa Pérez",
              "--cargo", "Jefe de prensa", env=JULY))
    refused(pec_at(closed, "aprobar", "--trim", "II", "--rol", "aprobó", "--nombre", "luisa perez",
                   "--cargo", "Jefe de prensa", env=JULY), "ya firmó")
    # another person in a role already signed: kept (two reviewers happen), and said (a new-user trial
    # signed twice by mistake and nothing told)
    second = pec_at(closed, "aprobar", "--trim", "II", "--rol", "revisó", "--nombre", "Otro Revisor", "--cargo", "Asesor",
                    env=JULY)
    first_id = next(e["id"] for e in json.loads(ok(pec_at(closed, "list", "--cierres", "--format", "json", env=JULY)))
                    if "Yanneth Parra" in e["detalle"])
    assert f"ya había firmado «revisó» Yanneth Parra ({first_id})" in " ".join(second.stderr.split())
    assert f"pec void {first_id}" in second.stderr
    ok(pec_at(closed, "void", _id_alone(second), "--motivo", "firmó por error", env=JULY))
    shown = ok(pec_at(closed, "export", "markdown", "--trim", "II", "-o", "-", env=JULY))
    assert "Revisó: Yanneth Parra, Técnico operativo, 2024-07-05" in shown and "sin aprobar" not in shown
    board = " ".join(ok(pec_at(closed, "status", "--trim", "II", env=JULY)).split())
    assert ("Aprobación de este informe: Revisó Yanneth Parra (Técnico operativo), 2024-07-05; Aprobó Luisa Pérez "
            "(Jefe de prensa), 2024-07-05.") in board
    assert "Trim. II: revisó Yanneth Parra (Técnico operativo)" in ok(pec_at(closed, "list", "--cierres", "--format", "csv", env=JULY))
    ok(pec_at(closed, "verify", env=JULY))
    ok(pec_at(closed, "log", "revista", "--fecha", "2024-05-15", "--titulo", "Revista tardía", env=AUGUST))
    ok(pec_at(closed, "cierre", "--trim", "II", "--reabrir", "--motivo", "faltaba una", env=AUGUST))
    ok(pec_at(closed, "cierre", "--trim", "II", env=AUGUST))
    result = pec_at(closed, "verify", env=AUGUST)  # a reopening is no damage: the old sign-offs are information
    assert result.exit_code == 0 and result.stdout.count("que se reabrieron") == 2, result.stdout
    assert "sin aprobar" in ok(pec_at(closed, "export", "markdown", "--trim", "II", "-o", "-", env=AUGUST))
    signed = ok(pec_at(closed, "aprobar", "--trim", "II", "--rol", "aprobó", "--nombre", "Luisa Pérez",
                       "--cargo", "Jefe de prensa", env=AUGUST)).strip()
    assert "Aprobó: Luisa Pérez" in ok(pec_at(closed, "export", "markdown", "--trim", "II", "-o", "-", env=AUGUST))
    ok(pec_at(closed, "void", signed, "--motivo", "firmó por error", env=AUGUST))  # a wrong sign-off can be voided
    assert "sin aprobar" in ok(pec_at(closed, "export", "markdown", "--trim", "II", "-o", "-", env=AUGUST))
    standing = status(closed, env=AUGUST)["cerrado"]["II"]["id"]
    refused(pec_at(closed, "void", standing, "--motivo", "x", env=AUGUST), "no se anula", "--reabrir")


def _id_alone(result) -> str:
    """The new id, alone on stdout (what scripts read), after a success."""
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"2024-[a-z0-9]+-\d+\n", result.stdout), result.stdout
    return result.stdout.strip()


def test_closing_signing_and_following_up_say_on_stderr_what_they_changed(ws, tmp_path):
    """Trial item 4: «pec cierre», «aprobar», «accion» and «accion cumplida» printed the new id alone; each now
    says in one line on stderr what it changed (the id stays alone on stdout)."""
    ok(pec_at(ws, "log", "revista", "--fecha", "2024-05-02", "--titulo", "Revista 2", env=JULY))
    closing = pec_at(ws, "cierre", "--trim", "II", env=JULY)
    closure = _id_alone(closing)
    (copy,) = (ws / "plan" / "versiones").iterdir()
    assert closing.stderr == ("Cerrado el Trim. II de 2024: cifras al corte 2024-06-30 selladas con el plan versión 1 "
                              f"(copia en plan/versiones/{copy.name}).\n"), closing.stderr
    signing = pec_at(ws, "aprobar", "--trim", "II", "--rol", "revisó", "--nombre", "Yanneth Parra", "--cargo",
                     "Técnico operativo", env=JULY)
    _id_alone(signing)
    assert signing.stderr == ("Yanneth Parra (Técnico operativo) firmó como «revisó» las cifras selladas del Trim. II "
                              f"de 2024 (cierre {closure}).\n"), signing.stderr
    acting = pec_at(ws, "accion", "revista", "--trim", "II", "--causa", "Contratación tardía", "--accion",
                    "Adelantar la contratación", "--responsable", "Jefe de prensa", "--fecha-compromiso", "2024-09-30",
                    env=JULY)
    action = _id_alone(acting)
    assert acting.stderr == ("Acción de mejora registrada para revista en el Trim. II de 2024: Adelantar la contratación "
                             "(responsable: Jefe de prensa; compromiso: 2024-09-30).\n"), acting.stderr
    proof = tmp_path / "acta.pdf"
    proof.write_bytes(b"%PDF-1.4 acta\n")
    done = pec_at(ws, "accion", "cumplida", action, "--evidencia", str(proof), env=AUGUST)
    _id_alone(done)
    (stored,) = (ws / "evidencias" / "2024").iterdir()
    assert done.stderr == (f"Acción {action} de revista (Trim. II: Adelantar la contratación) cumplida el 2024-08-01, "
                           f"con su evidencia (evidencias/2024/{stored.name}).\n"), done.stderr
    reopening = pec_at(ws, "cierre", "--trim", "II", "--reabrir", "--motivo", "faltaba una revista", env=AUGUST)
    _id_alone(reopening)
    assert reopening.stderr == (f"Reabierto el Trim. II de 2024 (cierre {closure}); motivo: faltaba una revista. Sus "
                                "cifras ya no están selladas: ciérrelo otra vez con «pec cierre --trim II».\n")


def test_improvement_actions_are_followed_up_until_done(closed, tmp_path):
    refused(pec_at(closed, "accion", "revista", "--trim", "II", "--causa", "c", "--accion", "a", "--responsable", "r",
                   env=JULY), "Falta --fecha-compromiso para")  # one missing: «Falta», not «Faltan»
    refused(pec_at(closed, "accion", "revista", "--trim", "II", "--causa", "c", "--accion", "a", env=JULY),
            "Faltan --responsable, --fecha-compromiso para")
    refused(pec_at(closed, "accion", "revista", "--trim", "III", "--causa", "c", "--accion", "a", "--responsable", "r",
                   "--fecha-compromiso", "2024-09-30", env=JULY), "no está cerrado")
    refused(pec_at(closed, "accion", "internas", "--trim", "II", "--causa", "c", "--accion", "a", "--responsable", "r",
                   "--fecha-compromiso", "2024-09-30", env=JULY), "no tiene semáforo", "rojo o amarillo")
    pending = json.loads(ok(pec_at(closed, "pendientes", "--format", "json", env=JULY)))
    assert {"trimestre": "II", "fila": "revista", "semaforo": "rojo"} in pending["sin_analisis"]
    action = ok(pec_at(closed, "accion", "revista", "--trim", "II", "--causa", "Contratación tardía",
                       "--accion", "Adelantar la contratación", "--responsable", "Jefe de prensa",
                       "--fecha-compromiso", "2024-09-30", env=JULY)).strip()
    pending = json.loads(ok(pec_at(closed, "pendientes", "--format", "json", env=JULY)))
    assert {"trimestre": "II", "fila": "revista", "semaforo": "rojo"} not in pending["sin_analisis"]
    assert [(a["id"], a["estado"]) for a in pending["acciones"]] == [(action, "en plazo")]
    ok(pec_at(closed, "cierre", "--trim", "III", env=OCTOBER))
    shown = ok(pec_at(closed, "export", "markdown", "--trim", "III", "-o", "-", env=OCTOBER))
    assert "Adelantar la contratación" in shown and "2024-09-30: vencida al 2024-10-03" in shown  # followed up
    later = ok(pec_at(closed, "pendientes", "--format", "json", env={"PEC_HOY": "2024-10-04"}))
    assert [a["estado"] for a in json.loads(later)["acciones"]] == ["vencida"]
    proof = tmp_path / "acta.pdf"
    proof.write_bytes(b"%PDF-1.4 acta\n")
    ok(pec_at(closed, "accion", "cumplida", action, "--evidencia", str(proof), env=OCTOBER))
    refused(pec_at(closed, "accion", "cumplida", action, env=OCTOBER), "ya se dio por cumplida")
    listed = json.loads(ok(pec_at(closed, "list", "--cierres", "--format", "json", env=OCTOBER)))
    # in the order registered (a second new-user trial saw the «cumplida», of no quarter, above the closures)
    assert [e["registrado"] for e in listed] == sorted(e["registrado"] for e in listed)
    assert listed[-1]["clase"] == "acción cumplida" and listed[0]["clase"] == "cierre", listed
    after = json.loads(ok(pec_at(closed, "pendientes", "--format", "json", env=OCTOBER)))
    assert [a["estado"] for a in after["acciones"]] == ["cumplida"]
    december = ok(pec_at(closed, "export", "markdown", "--trim", "IV", "-o", "-", env={"PEC_HOY": "2024-12-31"}))
    assert "Adelantar la contratación" in december and ": cumplida" in december
    paquete = tmp_path / "paq"
    ok(pec_at(closed, "export", "paquete", "--trim", "III", "-o", str(paquete), env=OCTOBER))
    checked = (paquete / "verificacion.txt").read_text(encoding="utf-8")
    assert "Pendiente de análisis (" in checked and "Trim. III: revista (rojo), sin acción de mejora" in checked
    assert "Trim. II: revista (" not in checked  # its action analyses it
    # an action voided after its «cumplida» (both written by pec): verify finds nothing wrong, and the row
    # awaits an analysis again (a review found verify calling the «cumplida» one of no action)
    ok(pec_at(closed, "void", action, "--motivo", "acción registrada por error", env=OCTOBER))
    verified = pec_at(closed, "verify", env=OCTOBER)
    assert verified.exit_code == 0 and "que no es una acción" not in verified.stdout, verified.stdout


def _sections(text: str) -> dict[str, list[str]]:
    """verificacion.txt's blocks (separated by a blank line), by their first line."""
    return {head: rest for head, *rest in (block.splitlines() for block in text.strip().split("\n\n"))}


def test_the_paquete_says_apart_what_it_left_out_and_what_awaits_analysis(closed, tmp_path):
    """Trial item 1: the red or amber rows of closed quarters with no improvement action were listed under
    «No incluido en este paquete», as if they were files left out; they have a section of their own."""
    import zipfile

    proof = tmp_path / "acta.pdf"
    proof.write_bytes(b"%PDF-1.4 acta\n")
    ok(pec_at(closed, "log", "revista", "--fecha", "2024-06-03", "--titulo", "Revista 3", "--evidencia", str(proof),
              env=JULY))
    for stored in (closed / "evidencias").rglob("*.pdf"):
        stored.unlink()  # the evidence file goes missing: left out of the paquete
    ok(pec_at(closed, "accion", "revista", "--trim", "II", "--causa", "c", "--accion", "a", "--responsable", "r",
              "--fecha-compromiso", "2024-09-30", env=JULY))
    pending = json.loads(ok(pec_at(closed, "pendientes", "--format", "json", env=JULY)))["sin_analisis"]
    ok(pec_at(closed, "export", "paquete", "--trim", "II", "-o", str(tmp_path / "paq"), env=JULY))
    with zipfile.ZipFile(tmp_path / "paq.zip") as archive:
        sections = _sections(archive.read("paq/verificacion.txt").decode("utf-8"))
    left_out = sections["No incluido en este paquete (1):"]
    assert len(left_out) == 1 and "evidencia no incluida en el paquete" in left_out[0], sections
    detail = (tmp_path / "paq" / "detalle-2024-TII.csv").read_text(encoding="utf-8-sig")
    assert re.search(r";evidencias/2024/[0-9a-f]{20}\.pdf \(no incluida en este paquete\);", detail), detail
    assert sections[f"Pendiente de análisis ({len(pending)}):"] == [
        f"Trim. {p['trimestre']}: {p['fila']} ({p['semaforo']}), sin acción de mejora" for p in pending]
    assert len(pending) > 2 and {"trimestre": "II", "fila": "revista", "semaforo": "rojo"} not in pending


def test_one_corte_per_report_a_request_answered_the_next_quarter(ws, tmp_path):
    """A request of March answered in April: the Trim. II report's cell of Trim. I, its curve point and its
    workbook chart agree (all count answers to the report's corte)."""
    from openpyxl import load_workbook

    request = ok(pec_at(ws, "log", "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-03-20",
                        env=JULY)).strip()
    ok(pec_at(ws, "log", "internas", "--titulo", "Boletín", "--fecha", "2024-04-02", "--atiende", request, env=JULY))
    doc = status(ws)
    assert row(doc, "internas")["trimestres"]["I"]["logrado"] == 25.0
    cell = row(doc, "linea_internas")["trimestres"]["I"]["logrado"]
    out = tmp_path / "s.xlsx"
    ok(pec_at(ws, "export", "xlsx", "--trim", "II", "-o", str(out), env=JULY))
    charts = [[c.value for c in line] for line in load_workbook(out)["Gráficos"].iter_rows()]
    start = next(i for i, line in enumerate(charts) if str(line[0]).endswith("Publicaciones internas"))
    first = next(line for line in charts[start:] if line[0] == "Trim. I")
    assert first[4] == cell, (first, cell)  # the curve's point at Trim. I is the cell, at the same corte


def test_the_shipped_plan_is_the_readmes(ws):
    assert (ws / "plan" / "2024.yaml").read_text(encoding="utf-8") == (REPO / "plan" / "2024.yaml").read_text(
        encoding="utf-8")


def test_right_after_closing_nothing_is_recalculated_and_earlier_days_are_as_they_were(ws):
    """A new user's trial: a request of March answered in April made the report right after closing say
    «Recalculado … el registro cambió» (today's Trim. I counted answers to June); and a report as of a day
    before the closure showed the sealed figures of a quarter still in progress that day."""
    request = ok(pec_at(ws, "log", "internas", "--tipo", "solicitud", "--area", "Jurídica", "--fecha", "2024-03-27",
                        env=JULY)).strip()
    ok(pec_at(ws, "log", "internas", "--titulo", "Boletín", "--fecha", "2024-04-02", "--atiende", request, env=JULY))
    ok(pec_at(ws, "log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1", env=JULY))
    for trim in ("I", "II"):
        ok(pec_at(ws, "cierre", "--trim", trim, env=JULY))
    doc = status(ws, env=JULY)
    assert not any("recalculado" in f for r in doc["actividades"] + doc["lineas"]
                   for f in (*r["trimestres"].values(), r["acumulado"])), doc
    assert "Recalculado" not in ok(pec_at(ws, "status", "--trim", "II", env=JULY))
    internas = row(doc, "internas")["trimestres"]["I"]
    assert internas["logrado"] == 0.0  # as the Trim. I report said at its corte: answered in April
    february = status(ws, trim="I", env={"PEC_HOY": "2024-02-28"})
    assert february["cerrado"] == {} and row(february, "revista")["acumulado"]["realizadas"] == 0
    february_board = ok(pec_at(ws, "status", "--trim", "I", env={"PEC_HOY": "2024-02-28"}))
    assert "cerrado" not in february_board and "en curso" in february_board


def test_a_void_of_a_closure_written_by_hand_leaves_the_quarter_closed_and_is_named(closed):
    """pec refuses to void a closure; a void of one that arrives by git pull does not count: the quarter stays
    closed with its sealed figures and verify names the line."""
    standing = status(closed)["cerrado"]["II"]["id"]
    segment = next((closed / "ledger" / "2024").glob("*.jsonl"))
    lines = segment.read_bytes().splitlines()
    last = json.loads(lines[-1])


    void = {"v": 1, "id": f"2024-{segment.stem}-{last['n'] + 1}", "n": last["n"] + 1,
            "prev": hashlib.sha256(lines[-1]).hexdigest()[:16], "clase": "anulacion", "anula": standing,
            "motivo": "a mano", "registrado": "2024-07-05T10:00:00-05:00"}
    segment.write_bytes(segment.read_bytes() + json.dumps(void).encode() + b"\n")
    doc = status(closed)
    assert doc["cerrado"]["II"]["id"] == standing
    assert "que no se anula" in pec_at(closed, "verify", env=JULY).stdout


def test_a_closure_while_another_pec_writes_is_refused_not_sealed_short(closed, monkeypatch):
    """Another «pec log» of this clone writes between the moment pec cierre reads the ledger and the moment it
    appends the closure: the closure would seal figures without that piece, so it is refused and nothing is
    written; run again, it closes with the piece."""
    from pec_cli.cli import cierre
    from pec_cli.ledger import store
    from pec_cli.workspace import Workspace, now_iso

    ok(pec_at(closed, "cierre", "--trim", "II", "--reabrir", "--motivo", "otra revista", env=AUGUST))
    sealing = cierre._closure

    def meanwhile(ctx, quarter, registrado):
        figures = sealing(ctx, quarter, registrado)
        store.append(Workspace(closed), 2024, [{"clase": "pieza", "actividad": "revista", "tipo": "publicacion",
                                                "fecha": "2024-06-20", "titulo": "A la vez", "registrado": now_iso()}])
        return figures

    monkeypatch.setattr(cierre, "_closure", meanwhile)
    refused(pec_at(closed, "cierre", "--trim", "II", env=AUGUST), "cambió mientras", "vuelva a ejecutar")
    monkeypatch.undo()
    assert "II" not in status(closed, env=AUGUST)["cerrado"]
    ok(pec_at(closed, "cierre", "--trim", "II", env=AUGUST))
    sealed = row(status(closed, env=AUGUST), "revista")["trimestres"]["II"]
    assert sealed["logrado"] == 20.0 and "recalculado" not in sealed


def test_verify_names_entries_a_closure_saw_that_are_gone_and_an_edited_version(closed):
    """The closure is the anchor: another segment's last lines lost (a bad merge kept an older copy of it; no
    chain shows a cut tail) or a closure whose plan version was edited by hand are named."""
    from .conftest import set_writer

    first = next((closed / "ledger" / "2024").glob("*.jsonl"))
    ok(pec_at(closed, "log", "revista", "--fecha", "2024-08-02", "--titulo", "Agosto", env=OCTOBER))
    set_writer(closed, "otra1")  # the closure is written by a second writer; it saw the first one's piece
    ok(pec_at(closed, "cierre", "--trim", "III", env=OCTOBER))
    ok(pec_at(closed, "verify", env=OCTOBER))
    whole = first.read_bytes()
    kept = whole.splitlines(keepends=True)
    first.write_bytes(b"".join(kept[:-1]))  # the August piece lost
    shown = pec_at(closed, "verify", env=OCTOBER).stdout.replace("\n", " ")
    assert f"vio {len(kept)} línea(s) del escritor {first.stem} y su segmento llega a {len(kept) - 1}" in shown, shown
    first.write_bytes(whole)
    other = closed / "ledger" / "2024" / "otra1.jsonl"
    lines = other.read_bytes().splitlines()
    last = json.loads(lines[-1])
    assert last["clase"] == "cierre"
    last["plan_version"] = "9"
    lines[-1] = json.dumps(last, ensure_ascii=False, separators=(",", ":")).encode()
    other.write_bytes(b"\n".join(lines) + b"\n")
    assert "dice versión 9 del plan" in pec_at(closed, "verify", env=OCTOBER).stdout.replace("\n", " ")


def test_a_closure_dated_in_the_future_neither_hides_nor_replaces_the_real_one(closed):
    """A hand-made copy of the Trim. II closure, registered earlier but dated 2099 (a line from git pull),
    stood first and, not being there yet today, left the quarter open in every report: it does not count
    before its date, the real closure stands, and verify names the forged line (as information: it moves
    nothing before its day, and a real closure seen with an earlier PEC_HOY is the same case)."""
    ok(pec_at(closed, "log", "revista", "--fecha", "2024-05-10", "--titulo", "Tardía", env=AUGUST))
    (segment,) = (closed / "ledger" / "2024").glob("*.jsonl")
    real = next(r for r in map(json.loads, segment.read_text(encoding="utf-8").splitlines())
                if r["clase"] == "cierre" and r["trimestre"] == "II")
    forged = {**real, "id": "2024-zzzzz-1", "n": 1, "prev": "0" * 16, "fecha": "2099-01-01",
              "registrado": "2024-07-01T00:00:00-05:00"}
    (segment.parent / "zzzzz.jsonl").write_text(json.dumps(forged, ensure_ascii=False) + "\n", encoding="utf-8")
    doc = status(closed, env=AUGUST)
    assert doc["cerrado"]["II"]["fecha"] == "2024-07-05"
    revista = row(doc, "revista")["trimestres"]["II"]
    assert revista["logrado"] == 10.0 and revista["recalculado"]["logrado"] == 20.0
    verify = pec_at(closed, "verify", env=AUGUST)
    assert verify.exit_code == 0
    assert ("información: ledger/2024/zzzzz.jsonl:1: el cierre del Trim. II tiene fecha 2099-01-01, posterior a hoy"
            in verify.stdout)


def test_verify_as_of_a_day_before_a_closure_blames_nothing(closed):
    """PEC_HOY shows the workspace as of an earlier day (README): a closure made later is not there yet, and
    verify said «pec no lo escribió así … revierta en git», of a closure pec wrote."""
    verify = pec_at(closed, "verify", env={"PEC_HOY": "2024-07-01"})
    assert verify.exit_code == 0, verify.stdout
    assert "posterior a hoy: no cuenta hasta ese día" in verify.stdout


@pytest.mark.parametrize("damage", ["meta_anual", "demanda"])
def test_a_closure_line_with_a_meta_that_is_not_a_number_is_skipped_and_named(closed, damage):
    """A closure arriving by git whose sealed ``meta_anual`` is a word (its figures' SHA-256 made to match)
    broke every report with a traceback: the record rule leaves it out, and status and verify name it. So
    with a sealed demand count that is a text."""
    from pec_cli.ledger.closures import digest

    (segment,) = (closed / "ledger" / "2024").glob("*.jsonl")
    real = next(r for r in map(json.loads, segment.read_text(encoding="utf-8").splitlines())
                if r["clase"] == "cierre" and r["trimestre"] == "II")
    if damage == "meta_anual":
        real["cifras"]["actividades"]["revista"]["acumulado"]["meta_anual"] = "abc"
    else:
        real["cifras"]["demanda"]["eventos"]["recibidas"] = "2"
    forged = {**real, "id": "2024-zzzzz-1", "n": 1, "prev": "0" * 16, "cifras_sha256": digest(real["cifras"]),
              "registrado": "2024-07-01T00:00:00-05:00"}
    (segment.parent / "zzzzz.jsonl").write_text(json.dumps(forged, ensure_ascii=False) + "\n", encoding="utf-8")
    for args in (("status", "--trim", "II"), ("status", "--trim", "II", "--format", "json"),
                 ("export", "html", "--trim", "II", "-o", "-"), ("export", "html", "--publico", "-o", "-")):
        result = pec_at(closed, *args, env=AUGUST)
        assert result.exit_code == 0 and "zzzzz.jsonl:1" in result.stderr and "cifras" in result.stderr, args
    assert status(closed, env=AUGUST)["cerrado"]["II"]["fecha"] == "2024-07-05"
    verify = pec_at(closed, "verify", env=AUGUST)
    assert verify.exit_code == 1 and "zzzzz.jsonl:1" in verify.stdout


def test_a_closure_longer_than_any_reader_reads_is_refused_and_writes_nothing(ws):
    """In a plan of some 400 activities a closure's line passes the 128 KB readers take: it was written,
    said «Cerrado», skipped by every reader, and its id taken again by the next entry."""
    plan = ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8")
    start = text.index("  - id: capsulas\n")
    end = text.index("\n  - id:", start + 10)
    block = text[start:end]
    plan.write_text(text[:end] + "".join("\n" + block.replace("id: capsulas", f"id: cap_{i:03d}")
                                         for i in range(400)) + text[end:], encoding="utf-8")
    ok(pec_at(ws, "log", "cap_001", "--fecha", "2024-06-02", "--titulo", "x", env=JULY))
    before = [p.read_bytes() for p in (ws / "ledger" / "2024").glob("*.jsonl")]
    refused(pec_at(ws, "cierre", "--trim", "II", env=JULY), "demasiado larga")
    assert [p.read_bytes() for p in (ws / "ledger" / "2024").glob("*.jsonl")] == before
    assert status(ws)["cerrado"] == {}
    ok(pec_at(ws, "verify", env=JULY))


def test_the_four_year_section_of_a_closed_quarters_report_shows_the_sealed_acumulado(closed):
    """The Trim. II HTML after a late piece: the Prospectiva's 2024 figure of a line was today's recomputation
    (10,00 %) beside the sealed acumulado of the same line in the table above it (6,67 %)."""
    import html as html_lib

    ok(pec_at(closed, "log", "revista", "--fecha", "2024-05-15", "--titulo", "Tardía", env=AUGUST))
    line = row(status(closed, env=AUGUST), "linea_revista")["acumulado"]
    assert "recalculado" in line  # today's figure differs from the sealed one
    sealed = f"{line['logrado']:.2f}".replace(".", ",")
    page = ok(pec_at(closed, "export", "html", "--trim", "II", "-o", "-", env=AUGUST))
    text = html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("Prospectiva", 1)[1])))
    assert re.search(r"1\. Revista Gestión USPEC sin plan (\S+) % de", text).group(1) == sealed


def test_an_activity_renamed_after_its_closure_keeps_its_sealed_figures_and_its_action(ws):
    """Versión 2 renames noti to noticiero (``antes: [noti]``) after Trim. II was closed: the row kept
    today's recomputation beside a sealed line, and no action could be recorded for the red row the reports
    listed as «noti». The sealed figures are found under the earlier id, and the action under the new one."""
    ok(pec_at(ws, "log", "noti", "--fecha", "2024-04-10", "--titulo", "N1", env=JULY))
    ok(pec_at(ws, "cierre", "--trim", "II", env=JULY))
    ok(pec_at(ws, "log", "noti", "--fecha", "2024-05-03", "--titulo", "Tardía", env=AUGUST))
    plan = ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8").replace("  - id: noti\n", "  - id: noticiero\n    antes: [noti]\n", 1)
    plan.write_text(text.replace('version: "1"', 'version: "2"', 1).replace(
        "cambios:\n", 'cambios:\n  - version: "02"\n    fecha: 2024-08-01\n    numerales: "3.2"\n'
        "    descripcion: Noti USPEC pasa a llamarse noticiero\n", 1), encoding="utf-8")
    ok(pec_at(ws, "plan", "check", env=AUGUST))
    noticiero = row(status(ws, env=AUGUST), "noticiero")
    assert noticiero["acumulado"]["realizadas"] == 1  # as sealed: the late piece is today's only
    assert noticiero["acumulado"]["recalculado"]["realizadas"] == 2
    assert noticiero["acumulado"]["semaforo"] == "rojo"
    pending = json.loads(ok(pec_at(ws, "pendientes", "--format", "json", env=AUGUST)))
    assert any(item["fila"] == "noticiero" for item in pending["sin_analisis"]), pending["sin_analisis"]
    ok(pec_at(ws, "accion", "noticiero", "--trim", "II", "--causa", "c", "--accion", "a", "--responsable", "r",
              "--fecha-compromiso", "2024-09-01", env=AUGUST))
    pending = json.loads(ok(pec_at(ws, "pendientes", "--format", "json", env=AUGUST)))
    assert not any(item["fila"] in ("noti", "noticiero") for item in pending["sin_analisis"])


def test_verify_names_control_events_pec_never_writes(closed):
    """Hand-made control lines that count nowhere, or wrongly, passed verify: a reopening of a piece, a
    sign-off of Trim. IV carrying Trim. II's figures, an action on a row the plan lacks and due before its
    own date, a «cumplida» of no action."""
    (segment,) = (closed / "ledger" / "2024").glob("*.jsonl")
    records = [json.loads(line) for line in segment.read_text(encoding="utf-8").splitlines()]
    piece = next(r["id"] for r in records if r["clase"] == "pieza")
    sealed = next(r["cifras_sha256"] for r in records if r["clase"] == "cierre" and r["trimestre"] == "II")
    when = "2024-08-01T10:00:00-05:00"
    first = next(r["id"] for r in records if r["clase"] == "cierre" and r["trimestre"] == "I")
    events = [
        {"clase": "reapertura", "trimestre": "II", "fecha": "2024-08-01", "motivo": "m", "reabre": piece},
        {"clase": "reapertura", "trimestre": "II", "fecha": "2024-08-01", "motivo": "m", "reabre": first},
        {"clase": "aprobacion", "trimestre": "IV", "fecha": "2024-08-01", "rol": "aprobó", "nombre": "N",
         "cargo": "C", "cifras_sha256": sealed},
        {"clase": "accion", "actividad": "inexistente", "trimestre": "II", "fecha": "2024-08-01", "causa": "c",
         "accion": "a", "responsable": "r", "fecha_compromiso": "2024-09-01"},
        {"clase": "accion", "actividad": "revista", "trimestre": "II", "fecha": "2024-08-01", "causa": "c",
         "accion": "a", "responsable": "r", "fecha_compromiso": "2024-07-01"},
        {"clase": "accion_cumplida", "cumple": piece, "fecha": "2024-08-01"},
    ]
    lines = [json.dumps({"v": 1, "id": f"2024-zzzzz-{n}", "n": n, "prev": "0" * 16, **event, "registrado": when},
                        ensure_ascii=False) for n, event in enumerate(events, start=1)]
    (segment.parent / "zzzzz.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = pec_at(closed, "verify", env=AUGUST)
    assert result.exit_code == 1, result.output
    for n, words in enumerate(["la reapertura del Trim. II reabre", f"reabre {first}, que no es un cierre de ese",
                               "la aprobación del Trim. IV firma cifras que "
                               "ningún cierre de ese trimestre selló", "es de «inexistente», que el plan no tiene",
                               "vence el 2024-07-01, antes de su fecha", "que no es una acción de mejora"], start=1):
        assert any(line.startswith(f"ledger/2024/zzzzz.jsonl:{n}: ") and words in line
                   for line in result.stdout.splitlines()), (n, result.stdout)


def test_a_line_carrying_another_writers_id_counts_nowhere(closed):
    """A piece forged into a new segment under the id of an honest writer's line (``2024-<w>-1``) was counted
    by status and list without a word, escaped the extemporánea rule (the closure «saw» that id) and made
    verify blame the honest closure. An id names its file and position: such a line is skipped and named."""
    (segment,) = (closed / "ledger" / "2024").glob("*.jsonl")
    forged = {"v": 1, "id": f"2024-{segment.stem}-1", "n": 1, "prev": "0" * 16, "clase": "pieza",
              "actividad": "revista", "tipo": "publicacion", "fecha": "2024-05-01",
              "registrado": "2024-06-01T10:00:00-05:00", "titulo": "FORGED"}
    (segment.parent / "zzzzz.jsonl").write_text(json.dumps(forged) + "\n", encoding="utf-8")
    result = pec_at(closed, "status", "--trim", "II", "--format", "json", env=AUGUST)
    assert "zzzzz.jsonl:1: el id" in result.stderr and "no corresponde a este archivo" in result.stderr
    assert "recalculado" not in row(json.loads(result.stdout), "revista")["trimestres"]["II"]
    listed = json.loads(ok(pec_at(closed, "list", "--format", "json", env=AUGUST)))
    assert "FORGED" not in [e.get("titulo") for e in listed]
    verify = pec_at(closed, "verify", env=AUGUST)
    assert verify.exit_code == 1 and "zzzzz.jsonl:1: el id" in verify.stdout
    assert "no coincide con un nuevo cálculo" not in verify.stdout  # the honest closure is not blamed


def test_an_action_recorded_before_a_rename_still_analyses_its_row(ws):
    """An action on noti, then a versión renaming noti to noticiero: the closure's row and the action are both
    read by today's id, so the row stays analysed."""
    ok(pec_at(ws, "log", "noti", "--fecha", "2024-04-10", "--titulo", "N1", env=JULY))
    ok(pec_at(ws, "cierre", "--trim", "II", env=JULY))
    ok(pec_at(ws, "accion", "noti", "--trim", "II", "--causa", "c", "--accion", "a", "--responsable", "r",
              "--fecha-compromiso", "2024-09-01", env=JULY))
    plan = ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8").replace("  - id: noti\n", "  - id: noticiero\n    antes: [noti]\n", 1)
    plan.write_text(text.replace('version: "1"', 'version: "2"', 1).replace(
        "cambios:\n", 'cambios:\n  - version: "02"\n    fecha: 2024-08-01\n    numerales: "3.2"\n'
        "    descripcion: Noti USPEC pasa a llamarse noticiero\n", 1), encoding="utf-8")
    pending = json.loads(ok(pec_at(ws, "pendientes", "--format", "json", env=AUGUST)))
    assert not any(item["fila"] in ("noti", "noticiero") for item in pending["sin_analisis"])


def test_only_the_last_reopening_of_a_quarter_is_announced(closed):
    ok(pec_at(closed, "cierre", "--trim", "II", "--reabrir", "--motivo", "primera", env=AUGUST))
    ok(pec_at(closed, "cierre", "--trim", "II", env=AUGUST))
    ok(pec_at(closed, "cierre", "--trim", "II", "--reabrir", "--motivo", "segunda", env=AUGUST))
    said = pec_at(closed, "status", "--trim", "II", env=AUGUST).stderr
    assert "(segunda)" in said and "(primera)" not in said


def test_a_reopening_of_another_quarters_closure_reopens_nothing(closed):
    """A hand-made Trim. II reopening that names the Trim. I closure left Trim. I unsealed in every report."""
    (segment,) = (closed / "ledger" / "2024").glob("*.jsonl")
    first = next(r["id"] for r in map(json.loads, segment.read_text(encoding="utf-8").splitlines())
                 if r["clase"] == "cierre" and r["trimestre"] == "I")
    event = {"v": 1, "id": "2024-zzzzz-1", "n": 1, "prev": "0" * 16, "clase": "reapertura", "trimestre": "II",
             "fecha": "2024-08-01", "motivo": "m", "reabre": first, "registrado": "2024-08-01T10:00:00-05:00"}
    (segment.parent / "zzzzz.jsonl").write_text(json.dumps(event) + "\n", encoding="utf-8")
    assert set(status(closed, env=AUGUST)["cerrado"]) == {"I", "II"}
