"""Slippage forecast (docs/forecast.md) on fixtures whose answer is known by hand: the
Kaplan–Meier curve, a stratum whose past projects all took longer than the plan gets high risk,
no look-ahead, the scoring of the back-test, and the back-test on the demo data."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import polars as pl
import pytest
from helpers import REPO, metrics_for, project, publish

from lifecycle.query import forecast as F

A = "320281001"  # 澄江街道
B = "320281100"  # 璜土镇


# ---- the estimator -------------------------------------------------------------------------------
def test_kaplan_meier_hand_worked():
    # durations 2, 3, 3+, 5, 8+ (+ = censored)
    #   t=2: 5 at risk, 1 event -> S = 4/5 = 0.8
    #   t=3: 4 at risk, 1 event -> S = 0.8 · 3/4 = 0.6   (the censored 3 is still at risk at 3)
    #   t=5: 2 at risk, 1 event -> S = 0.6 · 1/2 = 0.3
    c = F.kaplan_meier([2, 3, 3, 5, 8], [1, 1, 0, 1, 0])
    assert c.times.tolist() == [2, 3, 5]
    assert c.surv == pytest.approx([0.8, 0.6, 0.3])
    assert c.S([0, 1.9, 2, 4, 5, 100]).tolist() == pytest.approx([1, 1, 0.8, 0.6, 0.3, 0.3])
    assert c.median == 5  # first time S <= 0.5
    assert c.at_risk([0, 3, 4, 9]).tolist() == [5, 4, 2, 0]
    # given T > 3 (S = 0.6), the conditional median is where S falls to 0.3: t = 5
    assert c.quantile_after(np.array([3.0]), 0.5).tolist() == [5]
    # the curve never falls below 0.3: a 90 % quantile after 3 (S <= 0.06) does not exist
    assert np.isnan(c.quantile_after(np.array([3.0]), 0.9)).all()
    assert c.median_done == 3  # median of the completed spells 2, 3, 5 (the naive yardstick)


# ---- a stratum where every past project is late ------------------------------------------------------
def _history(n: int, pid: str, tier_wan: float, build_days: int, start0: dt.date) -> list[dict]:
    """n finished projects of one size: started, completed `build_days` later."""
    out = []
    for i in range(n):
        s = start0 + dt.timedelta(days=5 * i)
        out.append(project(f"{pid}{i:03d}", township_code=A, signed_on="2019-01-01", filed_on="2019-06-01",
                           started_on=s, completed_on=s + dt.timedelta(days=build_days),
                           total_investment_wan=tier_wan))
    return out


@pytest.fixture
def strata_store(make_store):
    """35 small projects (<1亿) that all built in 300 days, 35 large ones (10–30亿) that all took
    600 days; two projects under construction for 250 days, each planning completion 365 days
    after its start, i.e. 115 days after the as-of date (the plan is met by every small past
    project and by no large one)."""
    st = make_store()
    rows = _history(35, "S", 5000.0, 300, dt.date(2020, 1, 1)) + _history(35, "L", 150000.0, 600, dt.date(2020, 1, 1))
    as_of = dt.date(2025, 6, 30)
    start = as_of - dt.timedelta(days=250)
    for pid, wan in (("NEW_SMALL", 5000.0), ("NEW_LARGE", 150000.0)):
        rows.append(project(pid, township_code=B, signed_on="2024-01-01", filed_on="2024-06-01", started_on=start,
                            planned_completed_on=start + dt.timedelta(days=365), total_investment_wan=wan))
    publish(st, "2025-06", rows)
    return st


def test_stratum_where_every_project_is_late_gets_high_risk(strata_store):
    m = metrics_for(strata_store)
    risk = m.risk("2025-06")
    assert set(risk["project_id"]) == {"NEW_SMALL", "NEW_LARGE"}
    r = {row["project_id"]: row for row in risk.iter_rows(named=True)}
    # large: every comparable project took 600 > 365 days -> S(365)/S(250) = 1/1
    assert r["NEW_LARGE"]["risk"] == pytest.approx(1.0)
    assert r["NEW_LARGE"]["milestone"] == "completed" and r["NEW_LARGE"]["size"] == "10to30"
    assert r["NEW_LARGE"]["level"] >= 1  # its own size stratum, not the pooled curve
    # expected completion: start + 600 days (every comparable project took exactly 600)
    start = dt.date(2025, 6, 30) - dt.timedelta(days=250)
    assert r["NEW_LARGE"]["expected_on"] == start + dt.timedelta(days=600)
    assert "10–30亿" in r["NEW_LARGE"]["drivers"] and "已开工8.2个月" in r["NEW_LARGE"]["drivers"]
    # small: every comparable project finished in 300 <= 365 days -> S(365)/S(250) = 0/1
    assert r["NEW_SMALL"]["risk"] == pytest.approx(0.0)
    assert r["NEW_SMALL"]["expected_on"] == start + dt.timedelta(days=300)
    assert risk["project_id"][0] == "NEW_LARGE"  # ranked by risk
    # pooled naive rule: median of all 70 spells = (300 + 600) / 2 = 450 days; 250 elapsed -> not behind
    assert not r["NEW_LARGE"]["naive_late"] and not r["NEW_SMALL"]["naive_late"]


def test_risk_follows_the_slice(strata_store):
    from lifecycle.query.metrics import Slice

    m = metrics_for(strata_store)
    assert m.risk("2025-06", Slice(tiers=("lt1",)))["project_id"].to_list() == ["NEW_SMALL"]
    assert m.risk("2025-06", Slice(units=(A,))).is_empty()


# ---- no look-ahead -------------------------------------------------------------------------------
def test_forecast_at_m_ignores_later_snapshots(make_store):
    st = make_store()
    base = _history(35, "S", 5000.0, 200, dt.date(2021, 1, 1))
    live = [project(f"C{i}", township_code=B, signed_on="2024-01-01", filed_on="2024-06-01",
                    started_on=dt.date(2025, 3, 1) + dt.timedelta(days=7 * i),
                    planned_completed_on=dt.date(2025, 9, 15) + dt.timedelta(days=9 * i)) for i in range(6)]
    publish(st, "2025-06", base + live)
    publish(st, "2025-07", base + live)
    m = metrics_for(st)
    before = m.risk("2025-06")
    assert before.height == 6
    # a later snapshot changes completely: the live projects complete, history is rewritten
    later = [dict(r, completed_on=dt.date(2025, 8, 1)) for r in live]
    rewritten = [dict(r, completed_on=r["started_on"] + dt.timedelta(days=900)) for r in base]
    publish(st, "2025-08", rewritten + later)
    publish(st, "2025-07", rewritten + later)  # a correction of July
    m2 = metrics_for(st)
    after = m2.risk("2025-06")
    assert after.drop("drivers").equals(before.drop("drivers"))
    assert after["drivers"].to_list() == before["drivers"].to_list()
    # ...while the forecast at the corrected month did change
    assert not m2.risk("2025-07").equals(before)


# ---- scoring -------------------------------------------------------------------------------------
def test_score_late_definition():
    D = dt.date
    pred = pl.DataFrame({
        "project_id": ["on_day", "after", "never", "future", "achieved"],
        "milestone": ["completed", "completed", "started", "completed", "completed"],
        "planned_on": [D(2025, 3, 31), D(2025, 3, 31), D(2025, 4, 30), D(2026, 1, 31), D(2025, 5, 31)],
        "risk": [0.1, 0.9, 0.8, 0.5, 0.2],
    })
    out = pl.DataFrame({
        "project_id": ["on_day", "after", "never", "future", "achieved"],
        "as_of": [D(2025, 10, 31)] * 5,
        "started_on": [None, None, None, None, None],
        "completed_on": [D(2025, 3, 31), D(2025, 4, 1), None, None, None],
        "production_on": [None] * 5, "capacity_on": [None] * 5,
        "achieved_on": [None, None, None, None, D(2025, 5, 20)],
    }, schema_overrides={c: pl.Date for c in ("started_on", "production_on", "capacity_on", "achieved_on")})
    s = F.score(pred, out)
    late = dict(zip(s["project_id"], s["late"]))
    # reached on the planned day: on time; a day after: late; not reached by the plan: late;
    # planned after the outcome snapshot: not scored; an achieved exit before the plan: reached
    assert late == {"on_day": False, "after": True, "never": True, "achieved": False}


def test_backtest_origins():
    months = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 13)]
    # 12 months of history up to M, M + 6 <= 2025-12, every 3 months back from the last
    assert F.backtest_origins(months) == ["2024-12", "2025-03", "2025-06"]
    assert F.backtest_origins(months[:15]) == []


# ---- the back-test on the demo data must beat the naive rule ------------------------------------------
def test_backtest_beats_naive_rule_on_demo(demo_stores):
    from lifecycle.query.db import Database
    from lifecycle.store.snapshots import Store

    res = F.backtest(Database(Store(demo_stores["jiangyin"])))
    s = res["summary"]
    assert s is not None and s["origins"] >= 2 and s["forecasts"] > 50
    assert s["brier_model"] < s["brier_naive"]
    assert s["top20_model"] >= s["top20_naive"]
    assert res["calibration"]["n"].sum() == s["forecasts"]
    assert res["calibration"].height == 10


def test_backtest_command(demo_stores):
    out = subprocess.run([sys.executable, "-m", "lifecycle", "backtest", "--store", str(demo_stores["changzhou"])],
                         capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    assert "calibration by decile" in out.stdout and "model beats the naive rule" in out.stdout


def test_backtest_command_too_few_months(make_store):
    st = make_store()
    publish(st, "2025-06", [project("P1")])
    out = subprocess.run([sys.executable, "-m", "lifecycle", "backtest", "--store", str(st.root)],
                         capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    assert out.returncode == 1
    assert out.stderr.startswith("错误：已发布的快照不足以回测") and "Traceback" not in out.stderr
