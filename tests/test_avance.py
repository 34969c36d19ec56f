"""The avance of SPEC §3, computed by hand for every kind of target in the plan."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from pec_cli.ledger.tally import Tally
from pec_cli.plan.loader import load_plan
from pec_cli.report.avance import compute, cutoff, default_quarter
from pec_cli.report.render import report_to_dict

from .conftest import REPO

PLAN = load_plan(REPO / "plan" / "2024.yaml")
JULY = dt.date(2024, 7, 15)
_ids = itertools.count(1)


def piece(actividad, fecha, tipo="publicacion", **fields):
    return {"clase": "pieza", "id": f"t-{next(_ids)}", "actividad": actividad, "tipo": tipo,
            "fecha": fecha, "registrado": f"{fecha}T12:00:00-05:00", **fields}


def void(target):
    return {"clase": "anulacion", "id": f"t-{next(_ids)}", "actividad": target["actividad"],
            "tipo": target.get("tipo"), "fecha": target.get("fecha"), "anula": target["id"],
            "registrado": "2024-07-01T00:00:00-05:00", "motivo": "error"}


def status(records, quarter=2, today=JULY, plan=PLAN):
    return report_to_dict(compute(plan, Tally.of(records), quarter, today))


def activity(doc, act_id):
    return next(a for a in doc["actividades"] if a["id"] == act_id)


def line(doc, line_id):
    return next(ln for ln in doc["lineas"] if ln["id"] == line_id)


def test_spec_worked_example_revista():
    """One revista in March, three in April-June (SPEC §3)."""
    doc = status([piece("revista", "2024-03-15"), piece("revista", "2024-04-02"),
                  piece("revista", "2024-05-02"), piece("revista", "2024-06-20")])
    rev = activity(doc, "revista")
    q1, q2 = rev["trimestres"]["I"], rev["trimestres"]["II"]
    assert (q1["meta"], q1["cumplimiento"], q1["logrado"], q1["programado"]) == (2.5, 40.0, 10.0, 25.0)
    assert (q2["cumplimiento"], q2["logrado"]) == (120.0, 25.0)
    assert rev["acumulado"] == {
        "programado": 50.0, "meta": 5.0, "realizadas": 4, "por_tipo": {"publicacion": 4},
        "cumplimiento": 80.0, "logrado": 40.0, "celda": "número", "semaforo": "amarillo",
    }
    assert q1["realizadas"] == 1 and q2["por_tipo"] == {"publicacion": 3}


def test_count_per_month_externas():
    """Meta 20 (2 por mes, March-December): March 2, April-June 6."""
    records = [piece("externas", "2024-03-05"), piece("externas", "2024-03-25")]
    records += [piece("externas", f"2024-0{m}-1{d}") for m in (4, 5, 6) for d in (1, 2)]
    ext = activity(status(records), "externas")
    assert ext["trimestres"]["I"]["meta"] == 5.0
    assert ext["trimestres"]["I"]["cumplimiento"] == 40.0 and ext["trimestres"]["I"]["logrado"] == 10.0
    assert ext["trimestres"]["II"]["cumplimiento"] == 120.0 and ext["trimestres"]["II"]["logrado"] == 25.0
    assert ext["acumulado"]["logrado"] == 40.0 and ext["acumulado"]["semaforo"] == "amarillo"
    assert ext["meses"]["2024-03"] == {"realizadas": 2, "meta": 2}
    assert ext["meses"]["2024-06"] == {"realizadas": 2, "meta": 2}
    assert list(ext["meses"]) == ["2024-03", "2024-04", "2024-05", "2024-06"]  # up to the corte


def answered_requests():
    """Four requests in February; publications answer the first three (an unlinked one answers none)."""
    requests = [piece("internas", f"2024-02-0{d}", "solicitud", area="TH") for d in range(1, 5)]
    answers = [piece("internas", f"2024-02-1{d}", atiende=requests[d - 1]["id"]) for d in range(1, 4)]
    return [*requests, *answers]


def test_unlinked_publications_answer_no_request():
    records = [piece("internas", f"2024-02-0{d}", "solicitud", area="TH") for d in range(1, 5)]
    records += [piece("internas", f"2024-02-1{d}") for d in range(1, 4)]
    internas = activity(status(records), "internas")
    assert internas["trimestres"]["I"]["por_tipo"] == {"publicacion": 3, "solicitud": 4}
    assert internas["trimestres"]["I"]["cumplimiento"] == 0.0


def test_demand_internas_and_no_aplica():
    """4 requests in Q1, 3 of them answered (atendidas / solicitud); nothing asked in Q2 is "no aplica"."""
    records = answered_requests()
    doc = status(records)
    internas = activity(doc, "internas")
    assert internas["meta"] is None
    assert internas["trimestres"]["I"]["cumplimiento"] == 75.0
    assert internas["trimestres"]["I"]["logrado"] == 18.75
    assert internas["trimestres"]["I"]["por_tipo"] == {"publicacion": 3, "solicitud": 4}
    assert internas["trimestres"]["II"]["cumplimiento"] is None
    assert internas["trimestres"]["II"]["logrado"] is None
    assert internas["acumulado"]["logrado"] == 37.5 and internas["acumulado"]["semaforo"] == "amarillo"


def test_calendar_campanas_and_line_rollup():
    """Campaigns 0/50/25/25: one in April. The line means its activities' cumplimiento."""
    records = [piece("campanas", "2024-04-20"), *answered_requests()]
    doc = status(records)
    camp = activity(doc, "campanas")
    assert camp["programacion"] == [0.0, 50.0, 25.0, 25.0]
    assert camp["trimestres"]["I"]["cumplimiento"] is None and camp["trimestres"]["I"]["logrado"] is None
    assert camp["trimestres"]["II"]["meta"] == 2.0
    assert camp["trimestres"]["II"]["cumplimiento"] == 50.0 and camp["trimestres"]["II"]["logrado"] == 25.0
    assert camp["acumulado"]["logrado"] == 25.0 and camp["acumulado"]["semaforo"] == "rojo"
    ln = line(doc, "linea_internas")
    assert ln["actividades"] == ["internas", "campanas"]
    assert ln["trimestres"]["I"]["cumplimiento"] == 75.0 and ln["trimestres"]["I"]["logrado"] == 18.75
    assert ln["trimestres"]["II"]["cumplimiento"] == 50.0 and ln["trimestres"]["II"]["logrado"] == 12.5
    assert ln["acumulado"]["cumplimiento"] == 62.5 and ln["acumulado"]["logrado"] == 31.25
    assert ln["acumulado"]["semaforo"] == "rojo"


def test_zero_programmed_quarter_has_no_semaforo():
    doc = status([], quarter=1)
    camp = activity(doc, "campanas")
    assert camp["acumulado"]["programado"] == 0.0
    assert camp["acumulado"]["semaforo"] is None and camp["acumulado"]["logrado"] is None


def test_gauge_seguidores_per_network():
    """Instagram 1000 (linea base) -> 1100 (March) -> 1300 (June); other networks unmeasured."""
    records = [
        piece("seguidores", "2024-03-01", "medicion", red="instagram", valor=1000),
        piece("seguidores", "2024-03-31", "medicion", red="instagram", valor=1100),
        piece("seguidores", "2024-06-30", "medicion", red="instagram", valor=1300),
    ]
    seg = activity(status(records), "seguidores")
    q1, q2 = seg["trimestres"]["I"], seg["trimestres"]["II"]
    ig = q1["series"]["instagram"]
    assert (ig["inicio"], ig["fin"], ig["meta"]) == (1000, 1100, 175.0)
    assert ig["cumplimiento"] == pytest.approx(57.14)
    assert q1["series"]["tiktok"] == {"inicio": None, "fin": None, "meta": 175.0, "cumplimiento": 0.0, "sin_medicion": True,
                                       "cumplimiento_acotado": 0.0,
                                       "meta_anual": 700, "cumplimiento_anual": 0.0}  # issue 21 item 5: keys added
    assert ig["meta_anual"] == 700 and ig["cumplimiento_anual"] == pytest.approx(14.29)  # 100 of 700
    assert q1["cumplimiento"] == pytest.approx(11.43) and q1["logrado"] == pytest.approx(2.86)
    assert q2["series"]["instagram"]["inicio"] == 1100 and q2["series"]["instagram"]["fin"] == 1300
    assert q2["series"]["instagram"]["cumplimiento"] == pytest.approx(114.29)  # the detail, unclamped
    assert q2["cumplimiento"] == 20.0 and q2["logrado"] == 5.0  # instagram counts 100 of the 5 networks
    acum = seg["acumulado"]
    assert acum["series"]["instagram"]["inicio"] == 1000 and acum["series"]["instagram"]["cumplimiento"] == pytest.approx(85.71)
    assert acum["cumplimiento"] == pytest.approx(17.14) and acum["logrado"] == pytest.approx(8.57)
    assert acum["semaforo"] == "rojo"


def test_a_measurement_on_a_quarters_first_day_is_inside_it():
    """A window's inicio is the last value dated strictly before it: April 1's measurement is Trim. II's
    first, so Trim. II grows from March's 1100, and Trim. I ends at March's."""
    records = [
        piece("seguidores", "2024-03-01", "medicion", red="instagram", valor=1000),
        piece("seguidores", "2024-03-31", "medicion", red="instagram", valor=1100),
        piece("seguidores", "2024-04-01", "medicion", red="instagram", valor=1200),
        piece("seguidores", "2024-06-30", "medicion", red="instagram", valor=1300),
    ]
    seg = activity(status(records), "seguidores")
    q1, q2 = seg["trimestres"]["I"]["series"]["instagram"], seg["trimestres"]["II"]["series"]["instagram"]
    assert (q1["inicio"], q1["fin"]) == (1000, 1100)
    assert (q2["inicio"], q2["fin"]) == (1100, 1300)


def test_gauge_fall_is_negative_and_logrado_floors_at_zero():
    records = [
        piece("seguidores", "2024-03-01", "medicion", red=red, valor=5000) for red in
        ("instagram", "twitter", "tiktok", "facebook", "youtube")
    ] + [piece("seguidores", "2024-03-30", "medicion", red=red, valor=4825) for red in
         ("instagram", "twitter", "tiktok", "facebook", "youtube")]
    q1 = activity(status(records, quarter=1), "seguidores")["trimestres"]["I"]
    assert q1["series"]["twitter"]["cumplimiento"] == -100.0  # the detail shows the fall
    assert q1["series"]["twitter"]["cumplimiento_acotado"] == 0.0
    assert q1["cumplimiento"] == 0.0  # a fall counts as 0, never below (SPEC §3)
    assert q1["logrado"] == 0.0


NETWORKS = ("instagram", "twitter", "tiktok", "facebook", "youtube")


def test_one_network_overshooting_never_hides_the_others():
    """Instagram +1750 (500 % of its 350 to June), four flat networks: 20 %, not verde 50/50 (issue 9.1)."""
    records = [piece("seguidores", "2024-03-01", "medicion", red=red, valor=5000) for red in NETWORKS]
    records += [piece("seguidores", "2024-06-30", "medicion", red=red, valor=6750 if red == "instagram" else 5000)
                for red in NETWORKS]
    seg = activity(status(records), "seguidores")
    acum = seg["acumulado"]
    assert acum["series"]["instagram"]["cumplimiento"] == 500.0  # unclamped, as detail
    assert acum["series"]["instagram"]["cumplimiento_acotado"] == 100.0
    assert acum["cumplimiento"] == 20.0 and acum["logrado"] == 10.0 and acum["semaforo"] == "rojo"


def test_a_falling_network_never_pulls_the_line_below_its_cells():
    """Twitter falls, the rest are unmeasured: the cell shows 0 and the line is the mean of its cells."""
    records = [piece("seguidores", "2024-03-01", "medicion", red="twitter", valor=5000),
               piece("seguidores", "2024-06-30", "medicion", red="twitter", valor=4000)]
    records += [piece("externas", f"2024-0{m}-10") for m in (4, 5, 6)] + [piece("externas", "2024-03-10")]
    doc = status(records)
    seg, ext, ln = activity(doc, "seguidores"), activity(doc, "externas"), line(doc, "linea_externas")
    assert seg["acumulado"]["series"]["twitter"]["cumplimiento"] < 0
    assert seg["acumulado"]["logrado"] == 0.0
    for q in ("I", "II"):
        cells = [seg["trimestres"][q]["logrado"], ext["trimestres"][q]["logrado"]]
        assert ln["trimestres"][q]["logrado"] == pytest.approx(sum(cells) / 2, abs=0.01)
    cells = [seg["acumulado"]["logrado"], ext["acumulado"]["logrado"]]
    assert ln["acumulado"]["logrado"] == pytest.approx(sum(cells) / 2, abs=0.01) == 10.0


def test_plan_linea_base_is_used(tmp_path: Path):
    text = (REPO / "plan" / "2024.yaml").read_text(encoding="utf-8")
    text = text.replace("- {id: instagram, nombre: Instagram}", "- {id: instagram, nombre: Instagram, linea_base: 900}")
    path = tmp_path / "2024.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    records = [piece("seguidores", "2024-03-10", "medicion", red="instagram", valor=1075)]
    ig = activity(status(records, quarter=1, plan=plan), "seguidores")["trimestres"]["I"]["series"]["instagram"]
    assert ig["inicio"] == 900 and ig["cumplimiento"] == 100.0


def test_voided_entries_and_entries_outside_window_count_nowhere():
    kept, dropped = piece("revista", "2024-04-02"), piece("revista", "2024-04-03")
    early = piece("revista", "2024-02-10")  # before the window: written by hand, never counted
    rev = activity(status([kept, dropped, void(dropped), early]), "revista")
    assert rev["acumulado"]["realizadas"] == 1
    assert rev["trimestres"]["I"]["realizadas"] == 0


def test_a_void_counts_once_even_if_merged_twice():
    target = piece("revista", "2024-04-02")
    rev = activity(status([target, piece("revista", "2024-04-05"), void(target), void(target)]), "revista")
    assert rev["acumulado"]["realizadas"] == 1


def test_corte_and_default_quarter():
    assert cutoff(PLAN, 3, JULY) == JULY
    assert cutoff(PLAN, 2, JULY) == dt.date(2024, 6, 30)
    assert default_quarter(PLAN, JULY) == 3
    assert default_quarter(PLAN, dt.date(2026, 11, 26)) == 4
    doc = status([piece("revista", "2024-07-10")], quarter=3)
    assert doc["corte"] == "2024-07-15" and doc["trimestre"] == "III"
    assert list(activity(doc, "revista")["trimestres"]) == ["I", "II", "III"]


def test_lines_cover_every_activity_once():
    doc = status([])
    mapped = [a for ln in doc["lineas"] for a in ln["actividades"]]
    assert sorted(mapped) == sorted(a["id"] for a in doc["actividades"])
    assert line(doc, "linea_revista")["actividades"] == ["revista", "noti", "capsulas"]
    assert line(doc, "linea_externas")["actividades"] == ["externas", "seguidores"]


def test_line_mean_caps_each_activity_at_100():
    records = [piece("revista", f"2024-04-{d:02d}") for d in range(1, 11)]  # 10 in Q2: 400 %
    ln = line(status(records), "linea_revista")
    assert ln["trimestres"]["II"]["cumplimiento"] == pytest.approx(100 / 3, abs=0.01)
