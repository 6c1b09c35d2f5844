"""The five rates (docs/domain.md §4) on a hand-built store whose expected numbers are worked out by
hand below. As-of month M = 2025-03 (as-of date 2025-03-31, period 2025-01-01..2025-03-31).
The earliest published snapshot of 2025 is 2025-01: it fixes the planned-completion list."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import metrics_for, project, publish
from lifecycle.query.metrics import Slice

A = "320281001"  # 澄江街道
B = "320281100"  # 璜土镇

# Projects common to every snapshot, as reported at the end of 2025-03 --------------------------
# Filing rate cohort: formal signings in 2025-01-01..2025-03-31
P1 = project("P1", township_code=A, signed_on="2025-01-10", filed_on="2025-02-20",
             started_on="2025-03-31", year_plan_wan=1000.0, year_done_wan=300.0)  # started on the as-of date
P2 = project("P2", township_code=A, signed_on="2025-03-31")  # signed on the last day: in the cohort, not filed
P3 = project("P3", township_code=B, signing_type="intent", signed_on="2025-02-01")  # intent: never in cohort
P4 = project("P4", township_code=B, signed_on="2024-12-31", filed_on="2025-01-01",
             year_plan_wan=500.0, year_done_wan=None)  # signed the day before the period; filed on its 1st day
P5 = project("P5", township_code=B, signed_on="2025-01-15", exit_on="2025-02-28", exit_reason="lost")
P6 = project("P6", township_code=B, signed_on="2025-01-05", filed_on="2025-01-20", started_on="2025-02-01",
             exit_on="2025-03-10", exit_reason="hopeless")  # exited, but reached filing/start before exit
# Investment rate: only projects with year_plan_wan > 0
P7 = project("P7", township_code=B, filed_on="2023-02-01", started_on="2023-03-01",
             year_plan_wan=0.0, year_done_wan=200.0)  # no plan: excluded from both sums
# Production rate list (from the 2025-01 snapshot) and capacity rate
P8 = project("P8", township_code=B, filed_on="2023-02-01", started_on="2023-03-01", completed_on="2025-03-10",
             production_on="2025-03-31", planned_completed_on="2025-06-30", planned_capacity_on="2026-03-31",
             year_plan_wan=2000.0, year_done_wan=1500.0)
P9 = project("P9", township_code=B, filed_on="2023-02-01", started_on="2023-03-01", completed_on="2025-02-01",
             planned_completed_on="2025-12-31")  # completed, not producing
P10 = project("P10", township_code=B, filed_on="2023-02-01", started_on="2023-03-01",
              planned_completed_on="2026-03-31")  # on the list in January (2025-02-28), re-planned since
P11 = project("P11", township_code=B, filed_on="2023-02-01", started_on="2023-03-01",
              completed_on="2025-03-01", production_on="2025-03-02",
              planned_completed_on="2025-05-01")  # moved INTO 2025 after January: not on the list
P12 = project("P12", township_code=B, filed_on="2023-02-01", started_on="2023-03-01",
              planned_completed_on="2025-09-30", exit_on="2025-02-28", exit_reason="stalled")
P13 = project("P13", township_code=B, filed_on="2022-02-01", started_on="2022-03-01", completed_on="2023-12-01",
              production_on="2024-01-10", planned_capacity_on="2025-03-31", capacity_on="2025-03-31")
P14 = project("P14", township_code=B, filed_on="2022-02-01", started_on="2022-03-01", completed_on="2024-04-01",
              production_on="2024-05-01", planned_capacity_on="2025-01-31")
P15 = project("P15", township_code=B, filed_on="2022-02-01", started_on="2022-03-01", completed_on="2024-05-01",
              production_on="2024-06-01", planned_capacity_on="2025-04-01")  # planned after M: not in cohort
P16 = project("P16", township_code=B, filed_on="2021-02-01", started_on="2021-03-01", completed_on="2022-12-01",
              production_on="2023-01-01", planned_capacity_on="2024-01-01", capacity_on="2024-12-01",
              exit_on="2025-02-01", exit_reason="achieved")
P17 = project("P17", township_code=B, filed_on="2021-02-01", started_on="2021-03-01", completed_on="2023-01-01",
              production_on="2023-03-01", planned_capacity_on="2024-03-01",
              exit_on="2025-01-31", exit_reason="hopeless")

MARCH = [P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16, P17]


def _jan(p: dict, **kw) -> dict:
    q = dict(p)
    q.update(kw)
    return q


# The January snapshot: what was planned then (only the fields that matter for the list).
JANUARY = [
    _jan(P1, filed_on=None, started_on=None), _jan(P4), _jan(P7), _jan(P13, capacity_on=None),
    _jan(P14), _jan(P15), _jan(P16), _jan(P17),
    _jan(P8, completed_on=None, production_on=None),
    _jan(P9, completed_on=None),
    _jan(P10, planned_completed_on="2025-02-28"),
    _jan(P11, completed_on=None, production_on=None, planned_completed_on="2026-01-01"),
    _jan(P12, exit_on=None, exit_reason=None),
]


@pytest.fixture
def store(make_store):
    st = make_store("jiangyin")
    publish(st, "2024-12", [_jan(p) for p in JANUARY if p["project_id"] not in ("P1",)])
    publish(st, "2025-01", JANUARY)
    publish(st, "2025-03", MARCH)
    return st


def test_filing_rate(store):
    r = metrics_for(store).rates("2025-03")["filing_rate"]
    # cohort = formal signings in 2025-01-01..2025-03-31: P1, P2 (on 03-31), P5 (exited), P6 (exited)
    # not P3 (intent), not P4 (signed 2024-12-31). Filed by M: P1, P6 (filed before its exit).
    assert (r["numerator"], r["denominator"]) == (2, 4)
    assert r["rate"] == pytest.approx(0.5)


def test_start_rate(store):
    r = metrics_for(store).rates("2025-03")["start_rate"]
    # filed in the period: P1 (02-20), P4 (01-01, first day), P6 (01-20) -> 3
    # started by 03-31: P1 (on 03-31, the as-of date), P6 -> 2
    assert (r["numerator"], r["denominator"]) == (2, 3)
    assert r["rate"] == pytest.approx(2 / 3)


def test_investment_rate(store):
    r = metrics_for(store).rates("2025-03")["investment_rate"]
    # plan > 0: P1 1000 (done 300), P4 500 (done empty -> 0), P8 2000 (done 1500); P7 has no plan
    assert r["denominator"] == pytest.approx(3500.0)
    assert r["numerator"] == pytest.approx(1800.0)
    assert r["rate"] == pytest.approx(1800 / 3500)


def test_production_rate_list_fixed_at_first_snapshot_of_year(store):
    r = metrics_for(store).rates("2025-03")["production_rate"]
    # list from the 2025-01 snapshot, planned completion in 2025: P8, P9, P10 (since slipped to
    # 2026, stays on the list), P12 (exited 'stalled' -> stays, not reached). Not P11 (moved in later).
    # completed AND producing by 03-31: P8 only (P9 completed but not producing).
    assert (r["numerator"], r["denominator"]) == (1, 4)
    assert r["rate"] == pytest.approx(0.25)


def test_capacity_rate(store):
    r = metrics_for(store).rates("2025-03")["capacity_rate"]
    # producing with planned capacity <= 03-31: P13 (planned on 03-31), P14, P16 (achieved exit), P17
    # (hopeless exit) -> 4; P15 planned 04-01 is out; P8 planned 2026. Reached: P13, P16 -> 2.
    assert (r["numerator"], r["denominator"]) == (2, 4)


def test_rates_for_a_township_slice(store):
    r = metrics_for(store).rates("2025-03", Slice(units=(A,)))
    # township A holds P1 and P2 only
    assert (r["filing_rate"]["numerator"], r["filing_rate"]["denominator"]) == (1, 2)
    assert (r["start_rate"]["numerator"], r["start_rate"]["denominator"]) == (1, 1)
    assert r["investment_rate"]["denominator"] == pytest.approx(1000.0)
    assert r["production_rate"]["denominator"] == 0 and r["production_rate"]["rate"] is None


def test_rates_grouped_by_unit_add_up(store):
    m = metrics_for(store)
    total = m.rates("2025-03")
    by = m.rates("2025-03", group_by="unit_code")
    for k in total:
        assert sum(v[k]["denominator"] for v in by.values()) == pytest.approx(total[k]["denominator"])
        assert sum(v[k]["numerator"] for v in by.values()) == pytest.approx(total[k]["numerator"])


def test_january_rates_use_january_as_baseline(store):
    r = metrics_for(store).rates("2025-01")["production_rate"]
    # in January the list is P8, P9, P10 (planned 2025-02-28), P12; none completed yet
    assert (r["numerator"], r["denominator"]) == (0, 4)


def test_change_against_previous_snapshot(store):
    r = metrics_for(store).rates_with_change("2025-03")["production_rate"]
    assert r["previous_month"] == "2025-01"
    assert r["change_pp"] == pytest.approx(25.0)  # 25% now vs 0% in January


def test_quarter_period_changes_filing_cohort(store):
    r = metrics_for(store).rates("2025-03", period="mtd")["filing_rate"]
    # signed formally in 2025-03-01..03-31: P2 only, not filed
    assert (r["numerator"], r["denominator"]) == (0, 1)


def test_kpi_cli_json(store):
    out = subprocess.run([sys.executable, "-m", "lifecycle", "kpi", "--store", str(store.root),
                          "--month", "2025-03", "--json"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["month"] == "2025-03"
    assert set(data["rates"]) == {"filing_rate", "start_rate", "investment_rate", "production_rate",
                                  "capacity_rate"}
    assert data["rates"]["filing_rate"] == {"numerator": 2, "denominator": 4, "rate": 0.5}
    assert data["rates"]["capacity_rate"]["rate"] == 0.5
    out = subprocess.run([sys.executable, "-m", "lifecycle", "kpi", "--store", str(store.root),
                          "--month", "2025-03", "--township", A, "--json"],
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["rates"]["filing_rate"]["denominator"] == 2


def test_milestones_after_a_non_achieved_exit_do_not_count(make_store):
    """docs/domain.md §4.1: a 无望达效/长期停滞/暂停流失 exit counts as not reached for every milestone
    it had not reached when it left, even if a later date is reported for it. M = 2025-03."""
    st = make_store("jiangyin", "exits")
    rows = [
        # signed in the period; left (lost) 02-10; a filing date 03-01 after the exit does not count
        project("E1", signed_on="2025-01-10", filed_on="2025-03-01", exit_on="2025-02-10", exit_reason="lost"),
        # filed 02-01 before leaving (hopeless) 02-15: filed counts; the start 03-05 after the exit does not
        project("E2", signed_on="2025-01-10", filed_on="2025-02-01", started_on="2025-03-05",
                exit_on="2025-02-15", exit_reason="hopeless"),
        # no exit: filed and started
        project("E3", signed_on="2025-01-12", filed_on="2025-01-20", started_on="2025-02-10"),
        # filed on its exit date (stalled, on the as-of date): reached on the day it left
        project("E4", signed_on="2025-01-05", filed_on="2025-03-31", exit_on="2025-03-31", exit_reason="stalled"),
        # producing before leaving 02-01; capacity 03-01 after the exit does not count
        project("E5", signed_on="2020-01-01", filed_on="2020-02-01", started_on="2020-03-01",
                completed_on="2024-01-01", production_on="2024-06-01", planned_capacity_on="2025-01-31",
                capacity_on="2025-03-01", exit_on="2025-02-01", exit_reason="hopeless"),
        # production 02-20 after the exit 02-10: never producing, so not in the capacity cohort
        project("E6", signed_on="2020-01-01", filed_on="2020-02-01", started_on="2020-03-01",
                completed_on="2024-01-01", production_on="2025-02-20", planned_capacity_on="2025-01-31",
                exit_on="2025-02-10", exit_reason="lost"),
        # an exit after the as-of date changes nothing yet
        project("E7", signed_on="2025-02-01", filed_on="2025-02-15", exit_on="2025-04-10", exit_reason="lost"),
    ]
    publish(st, "2025-03", rows)
    r = metrics_for(st).rates("2025-03")
    # filing cohort (formal, signed 2025-01-01..03-31): E1 E2 E3 E4 E7 = 5; filed by then: E2 E3 E4 E7 = 4
    assert (r["filing_rate"]["numerator"], r["filing_rate"]["denominator"]) == (4, 5)
    # start cohort (filed in the period, before any exit): E2 (02-01), E3, E4 (03-31), E7 = 4 — not E1;
    # started: E3 only (E2 started after leaving)
    assert (r["start_rate"]["numerator"], r["start_rate"]["denominator"]) == (1, 4)
    # capacity cohort (producing, planned capacity <= 03-31): E5 only (E6 produced after leaving); not reached
    assert (r["capacity_rate"]["numerator"], r["capacity_rate"]["denominator"]) == (0, 1)
