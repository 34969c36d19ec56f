"""Issue 9: figures a committee can defend, on the data a real office types (driven like a user)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NETWORKS = ("instagram", "twitter", "tiktok", "facebook", "youtube")


def ok(result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.output)
    return result.stdout


def log_gauge(pec, fecha: str, values: dict[str, int]) -> None:
    for red, valor in values.items():
        ok(pec("log", "seguidores", "--fecha", fecha, "--red", red, "--valor", str(valor)))


# ---------------------------------------------------------------- 1. followers, per network


@pytest.fixture
def gauge_ws(pec, ws: Path) -> Path:
    """Instagram 5000 -> 6750 (500 % of its 350 to June), twitter 5000 -> 4000, three flat."""
    log_gauge(pec, "2024-03-01", dict.fromkeys(NETWORKS, 5000))
    log_gauge(pec, "2024-06-30", {"instagram": 6750, "twitter": 4000, "tiktok": 5000, "facebook": 5000, "youtube": 5000})
    return ws


def test_status_clamps_each_network_and_shows_the_unclamped_detail(pec, gauge_ws):
    doc = json.loads(ok(pec("status", "--trim", "II", "--format", "json")))
    seg = next(a for a in doc["actividades"] if a["id"] == "seguidores")
    series = seg["acumulado"]["series"]
    assert series["instagram"]["cumplimiento"] == 500.0 and series["instagram"]["cumplimiento_acotado"] == 100.0
    assert series["twitter"]["cumplimiento"] == pytest.approx(-285.71) and series["twitter"]["cumplimiento_acotado"] == 0.0
    assert seg["acumulado"]["cumplimiento"] == 20.0 and seg["acumulado"]["semaforo"] == "rojo"
    board = " ".join(ok(pec("status", "--trim", "II", env={"COLUMNS": "100", "NO_COLOR": "1"})).split())
    assert "instagram 500,0 %" in board and "twitter -285,7 %" in board


@pytest.mark.parametrize("fmt", ["csv", "markdown", "html", "xlsx"])
def test_every_export_shows_the_unclamped_figure_per_network(pec, gauge_ws, tmp_path, fmt):
    out = tmp_path / f"seguimiento.{fmt}"
    ok(pec("export", fmt, "--trim", "II", "-o", str(out)))
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(out)["Seguimiento"]
        text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    else:
        text = out.read_text(encoding="utf-8-sig")
    assert "instagram 500,0 %" in text and "twitter -285,7 %" in text
    if fmt == "html":  # the gauge's table: unclamped, and what counts
        assert "Cumplimiento (sin tope)" in text and "Cuenta en la cifra (0 a 100 %)" in text


# ---------------------------------------------------------------- 2. gauge values are counts


def ledger_bytes(ws: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in (ws / "ledger").rglob("*.jsonl")}


def refused(result, *fragments: str) -> str:
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return result.stderr


@pytest.mark.parametrize(("typed", "likely"), [("18,600", "18600"), ("18.600,5", "18600"), ("1520,5", "1520")])
def test_a_gauge_value_is_a_whole_count(pec, ws, typed, likely):
    before = ledger_bytes(ws)
    refused(pec("log", "seguidores", "--fecha", "2024-03-15", "--red", "instagram", "--valor", typed),
            f"«{typed}»", f"¿quiso decir {likely}?")
    assert ledger_bytes(ws) == before
    ok(pec("log", "seguidores", "--fecha", "2024-03-15", "--red", "instagram", "--valor", "18.600"))
    assert json.loads(ok(pec("list", "--format", "json")))[0]["valor"] == 18600


def test_a_probable_typo_is_refused_unless_confirmed(pec, ws):
    ok(pec("log", "seguidores", "--fecha", "2024-05-31", "--red", "instagram", "--valor", "18600"))
    before = ledger_bytes(ws)
    refused(pec("log", "seguidores", "--fecha", "2024-06-30", "--red", "instagram", "--valor", "1860"),
            "menos de la mitad", "18600, del 2024-05-31", "--confirmar")
    refused(pec("log", "seguidores", "--fecha", "2024-06-30", "--red", "instagram", "--valor", "186000"),
            "más del triple", "18600, del 2024-05-31")
    assert ledger_bytes(ws) == before
    ok(pec("log", "seguidores", "--fecha", "2024-06-30", "--red", "instagram", "--valor", "1860", "--confirmar"))
    ok(pec("log", "seguidores", "--fecha", "2024-06-30", "--red", "facebook", "--valor", "1860"))  # no previous


def test_import_checks_measurements_in_date_order_all_or_nothing(pec, ws, tmp_path):
    ok(pec("log", "seguidores", "--fecha", "2024-03-01", "--red", "instagram", "--valor", "1000"))
    before = ledger_bytes(ws)
    csv_path = tmp_path / "redes.csv"
    # in date order 1000 -> 2000 (Apr) -> 3500 (Jun) is plausible; row 2 against the ledger alone is not
    csv_path.write_text("actividad;fecha;red;valor\nseguidores;01/06/2024;instagram;3500\n"
                        "seguidores;01/04/2024;instagram;2000\nseguidores;15/06/2024;instagram;350\n"
                        "revista;2024-04-01;;\n", encoding="utf-8")
    stderr = refused(pec("import", str(csv_path)), "fila 4, columna valor", "menos de la mitad", "3500, del 2024-06-01")
    assert "fila 2," not in stderr and "fila 3," not in stderr
    assert ledger_bytes(ws) == before  # all or nothing
    csv_path.write_text("actividad;fecha;red;valor;confirmar\nseguidores;01/06/2024;instagram;3500;\n"
                        "seguidores;01/04/2024;instagram;2000;\nseguidores;15/06/2024;instagram;350;sí\n",
                        encoding="utf-8")
    assert "Importadas 3 entradas" in ok(pec("import", str(csv_path)))


def test_import_confirmar_option_accepts_every_jump(pec, ws, tmp_path):
    ok(pec("log", "seguidores", "--fecha", "2024-03-01", "--red", "tiktok", "--valor", "1000"))
    csv_path = tmp_path / "redes.csv"
    csv_path.write_text("actividad,fecha,red,valor\nseguidores,2024-04-01,tiktok,\"18,600\"\n", encoding="utf-8")
    refused(pec("import", str(csv_path)), "fila 2, columna valor", "¿quiso decir 18600?")
    csv_path.write_text("actividad,fecha,red,valor\nseguidores,2024-04-01,tiktok,18600\n", encoding="utf-8")
    refused(pec("import", str(csv_path)), "más del triple", "1000, del 2024-03-01")
    assert "Importadas 1 entrada" in ok(pec("import", str(csv_path), "--confirmar"))


# ---------------------------------------------------------------- 4. no silent duplicates


def test_log_refuses_a_duplicate_naming_the_existing_id(pec, ws):
    first = ok(pec("log", "revista", "--fecha", "2024-05-10", "--titulo", "Revista Gestión 3")).strip()
    before = ledger_bytes(ws)
    refused(pec("log", "revista", "--fecha", "2024-05-10", "--titulo", "  REVISTA gestion 3 "),
            f"ya está registrada como {first}", "--duplicado")
    assert ledger_bytes(ws) == before
    ok(pec("log", "revista", "--fecha", "2024-05-11", "--titulo", "Revista Gestión 3"))  # another day: another piece
    ok(pec("log", "revista", "--fecha", "2024-05-10", "--titulo", "Revista Gestión 3", "--duplicado"))


def test_log_refuses_the_same_url_in_the_same_activity_only(pec, ws):
    url = "https://www.uspec.gov.co/revista-3"
    first = ok(pec("log", "revista", "--fecha", "2024-05-10", "--titulo", "Revista 3", "--url", url)).strip()
    refused(pec("log", "revista", "--fecha", "2024-05-20", "--titulo", "Otra", "--url", url + "/"),
            f"ya está registrada como {first}", "misma URL")
    ok(pec("log", "externas", "--fecha", "2024-05-10", "--titulo", "Anuncio revista 3", "--url", url))


def test_a_voided_piece_is_no_longer_in_force(pec, ws):
    first = ok(pec("log", "noti", "--fecha", "2024-05-10", "--titulo", "Noti 9")).strip()
    ok(pec("void", first, "--motivo", "fecha equivocada"))
    ok(pec("log", "noti", "--fecha", "2024-05-10", "--titulo", "Noti 9"))


def test_import_skips_a_piece_already_logged_with_a_line_per_row(pec, ws, tmp_path, status_json):
    existing = ok(pec("log", "revista", "--fecha", "2024-04-10", "--titulo", "Revista 2")).strip()
    ok(pec("log", "revista", "--fecha", "2024-03-10", "--titulo", "Revista 1"))
    csv_path = tmp_path / "revistas.csv"
    csv_path.write_text("actividad;fecha;titulo\nrevista;2024-05-10;Revista 3\nrevista;10/04/2024;revista 2 \n"
                        "revista;2024-05-10;Revista 3\n", encoding="utf-8")
    out = ok(pec("import", str(csv_path)))
    assert f"fila 3: ya registrada como {existing}" in out and "fila 4: repite la fila 2" in out
    assert "Importadas 1 entrada de 3 filas" in out
    rev = next(a for a in status_json("II")["actividades"] if a["id"] == "revista")
    assert rev["acumulado"]["realizadas"] == 3  # 3/10, not 4 or 5
    again = ok(pec("import", str(csv_path)))
    assert "Importadas 0 entradas" in again and "1 fila ya estaba importada" in again


# ---------------------------------------------------------------- 7. input a person types


def test_fecha_accepts_what_the_csv_accepts(pec, ws):
    ok(pec("log", "revista", "--fecha", "28/03/2024", "--titulo", "Revista marzo"))
    assert json.loads(ok(pec("list", "--format", "json")))[0]["fecha"] == "2024-03-28"


@pytest.mark.parametrize("fecha", ["2024-02-30", "30/02/2024"])
def test_an_impossible_day_says_it_does_not_exist(pec, ws, fecha):
    stderr = refused(pec("log", "revista", "--fecha", fecha, "--titulo", "x"), "el 30 de febrero de 2024 no existe")
    assert "escríbala como" not in stderr


def test_an_impossible_day_in_a_csv_says_it_does_not_exist(pec, tmp_path):
    csv_path = tmp_path / "p.csv"
    csv_path.write_text("actividad;fecha;titulo\nrevista;31/04/2024;x\n", encoding="utf-8")
    refused(pec("import", str(csv_path)), "fila 2, columna fecha", "el 31 de abril de 2024 no existe")


def test_x_is_twitter_and_mistyped_names_get_a_suggestion(pec, ws):
    ok(pec("log", "seguidores", "--fecha", "2024-03-15", "--red", "X", "--valor", "900"))
    assert json.loads(ok(pec("list", "--format", "json")))[0]["red"] == "twitter"
    refused(pec("log", "seguidores", "--fecha", "2024-03-15", "--red", "instagran", "--valor", "900"),
            "¿quiso decir «instagram»?")
    refused(pec("log", "internas", "--fecha", "2024-03-15", "--tipo", "solicitu", "--area", "TH"),
            "¿quiso decir «solicitud»?")


def test_note_accepts_a_line_id(pec, ws):
    ok(pec("note", "linea_externas", "--trim", "II", "La línea se reorganizó en mayo."))
    doc = json.loads(ok(pec("status", "--trim", "II", "--format", "json")))
    line = next(ln for ln in doc["lineas"] if ln["id"] == "linea_externas")
    assert line["observaciones"] == {"II": ["La línea se reorganizó en mayo."]}
    board = " ".join(ok(pec("status", "--trim", "II", env={"COLUMNS": "100", "NO_COLOR": "1"})).split())
    assert "linea_externas: La línea se reorganizó en mayo." in board
    csv_text = ok(pec("export", "csv", "--trim", "II", "-o", "-"))
    assert "Trim. II: La línea se reorganizó en mayo." in next(r for r in csv_text.splitlines() if r.startswith("linea_externas"))
    refused(pec("note", "linea_extern", "--trim", "II", "x"), "¿quiso decir «linea_externas»")
    listed = json.loads(ok(pec("list", "--observaciones", "--actividad", "linea_externas", "--format", "json")))
    assert [n["texto"] for n in listed] == ["La línea se reorganizó en mayo."]
    # every format of the committee pack (issue 11 item 5)
    markdown = ok(pec("export", "markdown", "--trim", "II", "-o", "-"))
    assert "Trim. II: La línea se reorganizó en mayo." in next(r for r in markdown.splitlines() if "| linea_externas" in r)
    html = ok(pec("export", "html", "--trim", "II", "-o", "-"))
    section = html[html.index("3. Publicaciones externas</h2>"):html.index('<article class="act"', html.index("3. Publicaciones externas</h2>"))]
    assert "La línea se reorganizó en mayo." in section  # in the line's own section, before its activities
    from openpyxl import load_workbook

    ok(pec("export", "xlsx", "--trim", "II", "-o", str(ws / "s.xlsx")))
    sheet = load_workbook(ws / "s.xlsx")["Seguimiento"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "linea_externas")
    assert "Trim. II: La línea se reorganizó en mayo." in row[11]


def test_a_date_in_a_year_without_a_plan_names_the_missing_file(pec, ws):
    # on a day of 2025 (a 2025 date on a day of 2024 is refused as after today, first)
    refused(pec("log", "revista", "--fecha", "2025-03-10", "--titulo", "x", env={"PEC_HOY": "2025-04-01"}),
            "plan/2025.yaml")


def test_log_without_activity_offers_numbered_lists_on_a_terminal(pec, ws, monkeypatch):
    refused_usage = pec("log", "--titulo", "x")  # off a terminal: a refusal naming the activities
    assert refused_usage.exit_code == 2 and "Falta la actividad" in refused_usage.stderr
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    # activity 4 is internas; its tipos: 1 publicacion, 2 solicitud; then the área it requires
    result = pec("log", "--fecha", "2024-03-15", input="4\n2\nTalento Humano\n")
    assert result.exit_code == 0, result.output
    assert "1. revista: Revista Gestión USPEC" in result.stderr and "2. solicitud" in result.stderr
    entry = json.loads(ok(pec("list", "--format", "json")))[0]
    assert (entry["actividad"], entry["tipo"], entry["area"]) == ("internas", "solicitud", "Talento Humano")


# ---------------------------------------------------------------- 3. renames never drop history


def rename_noti(ws: Path, antes: bool) -> None:
    plan = ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "  - id: noti\n" in text
    new = "  - id: noticiero\n" + ("    antes: [noti]\n" if antes else "")
    plan.write_text(text.replace("  - id: noti\n", new), encoding="utf-8")


@pytest.fixture
def noti_ws(pec, ws: Path) -> Path:
    for day in ("2024-03-08", "2024-04-05", "2024-05-03"):
        ok(pec("log", "noti", "--fecha", day, "--titulo", f"Noti {day}"))
    ok(pec("note", "noti", "--trim", "II", "Emisión aplazada."))
    return ws


def test_a_rename_without_antes_fails_plan_check_and_warns(pec, noti_ws):
    assert "es válido" in ok(pec("plan", "check"))
    rename_noti(noti_ws, antes=False)
    refused(pec("plan", "check"), "«noti» (4 entradas)", "antes: [noti]")
    for args in (("status", "--trim", "II", "--format", "json"), ("export", "csv", "--trim", "II", "-o", "-"),
                 ("export", "json", "--detalle", "-o", "-")):
        result = pec(*args)
        assert result.exit_code == 0 and "«noti» (4 entradas)" in result.stderr, result.stderr


def test_entries_under_an_earlier_id_count_for_the_activity(pec, noti_ws):
    rename_noti(noti_ws, antes=True)
    assert "es válido" in ok(pec("plan", "check"))
    result = pec("status", "--trim", "II", "--format", "json")
    assert result.exit_code == 0 and "no están en el plan" not in result.stderr
    act = next(a for a in json.loads(result.stdout)["actividades"] if a["id"] == "noticiero")
    assert act["acumulado"]["realizadas"] == 3 and act["observaciones"] == {"II": ["Emisión aplazada."]}
    assert len(json.loads(ok(pec("list", "--actividad", "noticiero", "--format", "json")))) == 3
    assert "Ids anteriores (sus entradas cuentan aquí): noti" in ok(pec("plan", "show"))
    due = json.loads(ok(pec("pendientes", "--fecha", "2024-06-30", "--format", "json")))
    assert next(a for a in due["actividades"] if a["id"] == "noticiero")["realizadas"] == 3
    # the old id still works for typing, and a duplicate under it is found
    refused(pec("log", "noti", "--fecha", "2024-04-05", "--titulo", "Noti 2024-04-05"), "ya está registrada")


def test_an_earlier_id_must_not_be_a_current_one(pec, ws):
    plan = ws / "plan" / "2024.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("  - id: noti\n", "  - id: noti\n    antes: [revista]\n"),
                    encoding="utf-8")
    refused(pec("plan", "check"), "«revista» es el id de una actividad actual")


def test_verify_accepts_entries_under_an_earlier_id(pec, noti_ws):
    rename_noti(noti_ws, antes=True)
    result = pec("verify")
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- 6. the plan's own inconsistencies


def test_plan_check_points_out_quarters_out_of_proportion_once_per_activity(pec, ws):
    result = pec("plan", "check")
    assert result.exit_code == 0 and "es válido" in result.stdout
    # one compact block (issue 21 item 10): the five activities with the same window and programación together
    # (the shipped plan's other warning, one person elaboró and aprobó it, is issue 22 item 5's)
    assert result.stderr.count("aviso: programación") == 1 and result.stderr.count("«revista»") == 1, result.stderr
    assert result.stderr.count("aviso:") == 2 and "elaboró y aprobó" in result.stderr
    block = " ".join(result.stderr.split())
    assert "«revista», «noti», «capsulas», «externas», «seguidores» (2024-03-01 a 2024-12-31)" in block
    assert "Trim. I el 25 % con 31 de sus 306 días (10,1 %)" in block
    assert "10,1/29,7/30,1/30,1" in block and "programacion: [10.1, 29.7, 30.1, 30.1]" in block
    proportion = result.stderr.split("aviso:")[1].splitlines()
    assert len(proportion) <= 5 and max(map(len, proportion)) <= 100
    # the seed's programación is kept: the committee measures against the plan as written
    doc = json.loads(ok(pec("status", "--trim", "I", "--format", "json")))
    assert next(a for a in doc["actividades"] if a["id"] == "revista")["programacion"] == [25.0, 25.0, 25.0, 25.0]


def test_a_proportional_programacion_is_not_pointed_out(pec, ws):
    plan = ws / "plan" / "2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("  - id: revista\n", "  - id: revista\n    programacion: [10.1, 29.7, 30.1, 30.1]\n"),
                    encoding="utf-8")
    result = pec("plan", "check")
    assert result.exit_code == 0 and "«revista»" not in result.stderr and "«noti»" in result.stderr


def test_the_proportional_split_adds_up_to_100():
    from pec_cli.plan.proportion import proportional

    for days in ([31, 91, 92, 92], [1, 1, 1], [0, 91, 92, 0], [90, 91, 92, 92]):
        assert round(sum(proportional(days)), 6) == 100.0


def test_on_a_terminal_a_probable_mistake_is_asked_about(pec, ws, monkeypatch):
    ok(pec("log", "revista", "--fecha", "2024-05-10", "--titulo", "Revista 3"))
    ok(pec("log", "seguidores", "--fecha", "2024-05-31", "--red", "instagram", "--valor", "18600"))
    monkeypatch.setattr("pec_cli.cli.base.interactive", lambda: True)
    before = ledger_bytes(ws)
    no = pec("log", "revista", "--fecha", "2024-05-10", "--titulo", "revista 3", input="\n")  # no by default
    assert no.exit_code == 1 and "ya está registrada" in no.stderr and "Cancelado" in no.stderr
    assert ledger_bytes(ws) == before
    assert pec("log", "seguidores", "--tipo", "medicion", "--fecha", "2024-06-30", "--red", "instagram",
               "--valor", "1860", input="s\n").exit_code == 0
    assert json.loads(ok(pec("list", "--actividad", "seguidores", "--format", "json")))[-1]["valor"] == 1860
