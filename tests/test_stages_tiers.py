"""Stage derivation from milestone dates and investment tier boundaries (docs/domain.md §2, §3),
computed by the SQL models every page uses."""
import pytest

from helpers import metrics_for, project, publish

STAGE_CASES = [
    # pid, milestone overrides, expected stage as of 2025-03-31
    ("S0", dict(signing_type="intent", signed_on="2025-01-01"), "intent"),
    ("S1", dict(signed_on="2025-01-01"), "signed"),
    ("S2", dict(filed_on="2025-02-01"), "filed"),
    ("S3", dict(filed_on="2025-02-01", started_on="2025-03-31"), "started"),  # on the last day
    ("S4", dict(filed_on="2024-02-01", started_on="2024-03-01", completed_on="2025-01-01"), "completed"),
    ("S5", dict(filed_on="2024-02-01", started_on="2024-03-01", completed_on="2025-01-01",
                production_on="2025-02-01"), "producing"),
    ("S6", dict(filed_on="2024-02-01", started_on="2024-03-01", completed_on="2025-01-01",
                production_on="2025-02-01", capacity_on="2025-03-01"), "at_capacity"),
    # a date after the as-of date does not count (defensive: should not be in a snapshot)
    ("S7", dict(filed_on="2025-02-01", started_on="2025-04-01"), "filed"),
    # a project that needed no filing but started
    ("S8", dict(filed_on=None, started_on="2025-01-10"), "started"),
]

TIER_CASES = [
    ("T0", 9999.99, "lt1"),
    ("T1", 10000.0, "1to10"),      # exactly 1亿
    ("T2", 99999.0, "1to10"),
    ("T3", 100000.0, "10to30"),    # exactly 10亿 -> 10–30 band
    ("T4", 299999.99, "10to30"),
    ("T5", 300000.0, "30to50"),
    ("T6", 500000.0, "50to100"),
    ("T7", 999999.0, "50to100"),
    ("T8", 1000000.0, "ge100"),    # exactly 100亿
    ("T9", None, "unknown"),
]


@pytest.fixture
def m(make_store):
    st = make_store()
    rows = [project(pid, **kw) for pid, kw, _ in STAGE_CASES]
    rows += [project(pid, total_investment_wan=v) for pid, v, _ in TIER_CASES]
    publish(st, "2025-03", rows)
    return metrics_for(st)


def _by_id(m):
    return {r["project_id"]: r for r in m.project_list("2025-03").iter_rows(named=True)}


@pytest.mark.parametrize("pid,kw,expected", STAGE_CASES)
def test_stage(m, pid, kw, expected):
    assert _by_id(m)[pid]["stage"] == expected


@pytest.mark.parametrize("pid,value,expected", TIER_CASES)
def test_tier_band(m, pid, value, expected):
    assert _by_id(m)[pid]["tier_band"] == expected


def test_tier_classes_are_cumulative(m):
    df = m.tier_classes("2025-03")
    counts = dict(zip(df["tier_class"], df["count"]))
    # >=1亿: every project except T0 (9999.99) and T9 (unknown); STAGE projects have 5亿 (50000)
    n_stage = len(STAGE_CASES)
    assert counts["ge1"] == n_stage + 8
    assert counts["ge10"] == 6    # T3..T8
    assert counts["ge30"] == 4    # T5..T8
    assert counts["ge50"] == 3    # T6, T7, T8
    assert counts["ge100"] == 1   # T8


def test_funnel_percentages(m):
    f = m.funnel("2025-03")
    reached = dict(zip(f["stage"], f["reached"]))
    total = len(STAGE_CASES) + len(TIER_CASES)
    # every project reached intent; all but S0 are formal; S2.. filed etc.
    assert reached["intent"] == total
    assert reached["signed"] == total - 1
    assert reached["at_capacity"] == 1
    row = f.filter(f["stage"] == "signed").row(0, named=True)
    assert row["pct_of_first"] == pytest.approx((total - 1) / total)
    assert row["pct_of_previous"] == pytest.approx((total - 1) / total)
