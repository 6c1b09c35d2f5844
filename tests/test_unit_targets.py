"""Township targets 招商任务 (docs/domain.md §16.3): progress against the yearly targets per unit
with 序时 and gap, from the library's formal signings — expected values worked out by hand."""
from __future__ import annotations

import pytest
from helpers import metrics_for, project, publish

from lifecycle.query.metrics import Slice

CONFIG = """
[regions.jiangyin.unit_targets.2026.320281001]
signed_projects = 12
signed_investment_yi = 80
projects_10yi = 4
projects_50yi = 1

[regions.jiangyin.unit_targets.2026.320281400]
signed_projects = 6
signed_investment_yi = 0
projects_10yi = 1
projects_50yi = 0
"""


@pytest.fixture
def m(make_store):
    st = make_store("jiangyin")
    (st.root / "config.toml").write_text(CONFIG, encoding="utf-8")
    a, b, c = "320281001", "320281400", "320281004"
    publish(st, "2026-09", [
        project("P1", township_code=a, signed_on="2026-02-10", total_investment_wan=120000.0),  # 12亿: ≥10
        project("P2", township_code=a, signed_on="2026-09-30", total_investment_wan=600000.0),  # 60亿: ≥10, ≥50
        project("P3", township_code=a, signed_on="2025-12-31", total_investment_wan=50000.0),   # last year
        project("P4", township_code=a, signed_on="2026-03-01", signing_type="intent",
                total_investment_wan=200000.0),                                                 # intent only
        project("P5", township_code=a, signed_on="2026-05-01", total_investment_wan=30000.0,
                exit_on="2026-07-01", exit_reason="lost"),                                      # exited: counts
        project("P6", township_code=a, signed_on="2026-10-05", total_investment_wan=90000.0),   # after A
        project("P7", township_code=b, signed_on="2026-01-15", total_investment_wan=100000.0),  # exactly 10亿
        project("P8", township_code=c, signed_on="2026-04-01", total_investment_wan=80000.0),   # unit without targets
    ])
    return metrics_for(st)


def _rows(df):
    return {(r["unit_code"], r["measure"]): r for r in df.iter_rows(named=True)}


def test_targets_schedule_and_gap_hand_worked(m):
    df = m.unit_targets("2026-09")
    assert df["unit_code"].unique(maintain_order=True).to_list() == ["320281001", "320281400"]
    assert set(df["months_elapsed"]) == {9}
    r = _rows(df)
    # 320281001: P1, P2, P5 signed formally in 2026 by 30 Sep (P3 last year, P4 intent, P6 after A)
    a = "320281001"
    exp = {  # measure: (target, 序时 = target × 9/12, actual, gap = actual − 序时, actual/target, actual/序时)
        "signed_projects": (12, 9.0, 3.0, -6.0, 0.25, 3 / 9),
        "signed_investment_yi": (80, 60.0, 75.0, 15.0, 75 / 80, 75 / 60),    # 12 + 60 + 3 亿
        "projects_10yi": (4, 3.0, 2.0, -1.0, 0.5, 2 / 3),                     # P1, P2
        "projects_50yi": (1, 0.75, 1.0, 0.25, 1.0, 1 / 0.75),                 # P2
    }
    for k, (t, s, act, gap, c, sc) in exp.items():
        row = r[(a, k)]
        assert (row["target"], row["schedule_target"], row["actual"]) == pytest.approx((t, s, act)), k
        assert row["gap"] == pytest.approx(gap) and row["completion"] == pytest.approx(c)
        assert row["schedule_completion"] == pytest.approx(sc)
    assert r[(a, "signed_projects")]["measure_label"] == "正式签约项目数（个）"
    # 320281400: P7 (exactly 10亿 counts as ≥ 10亿, 10 亿 is not ≥ 50亿)
    b = "320281400"
    assert [k for (u, k) in r if u == b] == ["signed_projects", "signed_investment_yi", "projects_10yi",
                                             "projects_50yi"]
    assert (r[(b, "projects_50yi")]["actual"], r[(b, "projects_50yi")]["gap"]) == (0.0, 0.0)
    assert r[(b, "signed_projects")]["schedule_target"] == pytest.approx(4.5)
    assert r[(b, "signed_projects")]["gap"] == pytest.approx(-3.5)
    assert r[(b, "signed_investment_yi")]["actual"] == pytest.approx(10.0)
    assert r[(b, "signed_investment_yi")]["completion"] is None          # target 0: no ratio, no nan
    assert r[(b, "signed_investment_yi")]["schedule_completion"] is None
    assert r[(b, "projects_10yi")]["actual"] == 1.0
    assert r[(b, "projects_10yi")]["schedule_completion"] == pytest.approx(1 / 0.75)


def test_targets_follow_the_unit_slice(m):
    df = m.unit_targets("2026-09", Slice(units=("320281400",)))
    assert set(df["unit_code"]) == {"320281400"}
    assert m.unit_targets("2026-09", Slice(units=("320281004",))).is_empty()


def test_no_targets_for_the_year(make_store):
    st = make_store("changzhou", "cz")
    publish(st, "2025-06", [project("Q1", township_code="320402001", signed_on="2025-03-01")])
    df = metrics_for(st).unit_targets("2025-06")                     # targets configured for 2026 only
    assert df.is_empty() and "schedule_target" in df.columns
