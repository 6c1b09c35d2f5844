"""Stage evaluations 阶段性评估 (docs/domain.md §14): every figure worked by hand on a small store,
the new optional columns through the template/import round trip, and the page on both regions."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from helpers import DEMO_END, metrics_for, project, publish
from lifecycle.domain import schema
from lifecycle.ingest.importer import Source, export_month, import_ledgers

REPO = Path(__file__).resolve().parents[1]
A, B = "320281001", "320281100"
M = "2026-10"  # A = 2026-10-31; trailing window 2025-11 .. 2026-10


@pytest.fixture
def estore(make_store):
    st = make_store()
    ps = [
        project("E1", township_code=A, filed_on="2026-01-01", started_on="2026-04-01", tolerance_prereview=True,
                parallel_approval=True, building_area_m2=10000.0, year_plan_wan=1000.0, year_done_wan=600.0),
        project("E2", township_code=A, filed_on="2025-10-31", tolerance_prereview=False, agency_service=True),
        project("E3", township_code=A, filed_on="2023-01-01", started_on="2023-07-01", completed_on="2025-06-30",
                production_on="2025-09-01", total_investment_wan=20000.0, land_area_mu=40.0, equipment_done_wan=6000.0,
                cumulative_done_wan=20000.0, rd_deduction_wan=150.0, designed_output_wan=10000.0,
                above_scale_on="2026-03-01", year_plan_wan=500.0, year_done_wan=500.0),
        project("E4", township_code=B, filed_on="2026-02-01", started_on="2026-11-15", building_area_m2=5000.0),
        project("E5", township_code=A, filed_on="2026-01-01", started_on="2026-02-01", exit_on="2026-06-01",
                exit_reason="lost", tolerance_prereview=True),
    ]
    import datetime as dt
    ops = [
        {"project_id": "E3", "month": dt.date(2026, 9, 1), "output_value_wan": 500.0, "tax_wan": 30.0,
         "invoiced_sales_wan": 600.0, "employees": 120},
        {"project_id": "E3", "month": dt.date(2026, 10, 1), "output_value_wan": 700.0, "tax_wan": 50.0,
         "invoiced_sales_wan": 1000.0, "employees": 130},
        {"project_id": "E3", "month": dt.date(2025, 9, 1), "output_value_wan": 999.0, "tax_wan": 99.0,
         "invoiced_sales_wan": 999.0, "employees": 999},  # outside the 12-month window
    ]
    publish(st, M, ps, operations=ops)
    return st


def test_project_figures_by_hand(estore):
    m = metrics_for(estore)
    rows = {r["project_id"]: r for r in m.evaluation_projects(M).iter_rows(named=True)}
    assert set(rows) == {"E1", "E2", "E3", "E4"}  # E5 has left the library
    # approval months: 90 days (01-01 -> 04-01), 365 days (not started: to A), 181 days
    assert rows["E1"]["eval_approval_months"] == pytest.approx(90 / 30.4375)
    assert rows["E2"]["eval_approval_months"] == pytest.approx(365 / 30.4375)
    assert rows["E3"]["eval_approval_months"] == pytest.approx(181 / 30.4375)
    assert rows["E4"]["eval_approval_months"] == pytest.approx(272 / 30.4375)  # 02-01 -> 10-31: start is after A
    assert (rows["E4"]["in_approve"], rows["E4"]["in_build"]) == (True, False)
    assert (rows["E1"]["started_in_year"], rows["E3"]["started_in_year"]) == (True, False)
    assert rows["E1"]["year_ratio"] == pytest.approx(0.6)
    e3 = rows["E3"]
    assert e3["in_produce"] and e3["intensity"] == pytest.approx(500.0) and e3["equipment_share"] == pytest.approx(0.3)
    assert e3["capacity_realisation"] == pytest.approx(1200 / 10000)  # the 2025-09 month is outside the window
    assert e3["tax_contribution"] == pytest.approx(80 / 1600) and e3["new_above_scale"] is True
    assert e3["employees_latest"] == 130 and e3["employees_per_yi"] == pytest.approx(65.0)
    assert m.evaluation_projects(M, stage="produce")["project_id"].to_list() == ["E3"]
    assert m.evaluation_projects(M, stage="build")["project_id"].to_list() == ["E1", "E3"]


def test_unit_aggregates_by_hand(estore):
    m = metrics_for(estore)
    u = {r["unit_code"]: r for r in m.evaluation_units(M).iter_rows(named=True)}
    a = u[A]
    assert (a["filed_n"], a["started_n"]) == (3, 2)
    assert a["approval_months_median"] == pytest.approx((90 / 30.4375 + 181 / 30.4375) / 2)
    assert a["tolerance_share"] == pytest.approx(1 / 3) and a["parallel_share"] == pytest.approx(1 / 3)
    assert a["agency_share"] == pytest.approx(1 / 3)
    assert (a["started_year_n"], a["building_area_year_m2"]) == (1, 10000.0)
    assert a["year_ratio"] == pytest.approx((600 + 500) / (1000 + 500))
    assert (a["completed_n"], a["new_above_scale_n"], a["employees_total"]) == (1, 1, 130)
    assert a["intensity"] == pytest.approx(500.0) and a["equipment_share"] == pytest.approx(0.3)
    assert a["rd_deduction_total_wan"] == 150.0 and a["capacity_realisation"] == pytest.approx(0.12)
    assert a["tax_contribution"] == pytest.approx(0.05) and a["employees_per_yi"] == pytest.approx(65.0)
    b = u[B]  # 璜土镇: one filed project, nothing started or completed: ratios are empty, never 0
    assert (b["filed_n"], b["started_n"], b["completed_n"]) == (1, 0, 0)
    assert b["approval_months_median"] is None and b["intensity"] is None and b["tax_contribution"] is None
    assert b["tolerance_share"] == 0.0 and b["building_area_year_m2"] == 0.0  # started after A: not counted
    t = u[None]
    assert (t["filed_n"], t["started_n"]) == (4, 2) and t["tolerance_share"] == pytest.approx(1 / 4)
    # the rates beside: filing rate of 澄江街道 (E1..E5 signed 2023-01-01: none in 2026's cohort) is empty
    assert a["filing_rate"] is None
    assert t["investment_rate"] == pytest.approx(m.rates(M)["investment_rate"]["rate"])


def test_new_columns_round_trip(estore, make_store, tmp_path):
    out = tmp_path / "e.xlsx"
    export_month(estore, M, str(out))
    fresh = make_store(name="fresh")
    res = import_ledgers([Source.from_path(out)], M, fresh)
    assert res.ok, res.report.text(limit=5)
    cols = ["project_id", "agency_service", "tolerance_prereview", "parallel_approval", "building_area_m2",
            "rd_deduction_wan"]
    assert_frame_equal(schema.conform("projects", estore.read(M, "projects")).select(cols).sort("project_id"),
                       fresh.read(M, "projects").select(cols).sort("project_id"))


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_evaluation_page_on_demo(region_env, region):
    m = region_env(region)
    at = AppTest.from_file(str(REPO / "pages" / "evaluation.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    tot = m.evaluation_units(DEMO_END).filter(pl.col("unit_code").is_null()).row(0, named=True)
    got = {x.label: x.value for x in at.metric}
    assert got["已备案项目数"] == f"{tot['filed_n']:,}"
    for stage in ("build", "produce"):
        at.radio(key="ev_stage").set_value(stage).run()
        assert not at.exception, [e.value for e in at.exception]
    got = {x.label: x.value for x in at.metric}
    assert got["已竣工项目数"] == f"{tot['completed_n']:,}"
