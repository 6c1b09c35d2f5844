"""AppTest of the dashboard views 1–5 (overview, funnel, tiers, map, rankings): every page runs
without an exception on the demo data of both regions, the numbers shown equal the metrics
API's for the same filters, URL parameters restore the filters, filters survive a page switch,
and the drill-downs list exactly the projects behind the clicked stage / tier / unit / cell."""
from __future__ import annotations

import polars as pl
import pytest
from helpers import REPO
from streamlit.testing.v1 import AppTest

from lifecycle.present import charts
from lifecycle.domain import flags, labels
from lifecycle.query.metrics import Slice
from lifecycle.store.snapshots import Store
from lifecycle.present import formats

VIEW_PAGES = ["overview", "funnel", "tiers", "map", "rankings"]


def _metrics(path):
    from helpers import metrics_for

    return metrics_for(Store(path))


def _run(page: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def _table_with(at: AppTest, header: str):
    tables = [d.value for d in at.dataframe if header in d.value.columns]
    assert tables, f"no table with column {header!r}"
    return tables[0]


def _ids(at: AppTest) -> set[str]:
    return set(_table_with(at, labels.COLUMNS["project_id"])[labels.COLUMNS["project_id"]])


def _assert_list_shows(at: AppTest, expected) -> None:
    """A drill-down list: its first page (lists longer than a page are paged on the server)
    holds only projects of `expected`, as many as fit, and the header counts them all."""
    from lifecycle.ui.page import PAGE_ROWS

    shown = _ids(at)
    assert shown <= set(expected["project_id"])
    assert len(shown) == min(len(expected), PAGE_ROWS)
    assert f"共 {len(expected):,} 个" in _markdown(at)


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture
def cz_env(region_env, demo_stores):
    """The app pointed at the Changzhou demo store; yields {region: store path}."""
    region_env("changzhou")
    return demo_stores


# ---- overview -----------------------------------------------------------------------------
def _check_overview(at: AppTest, m, month: str, sl: Slice) -> None:
    rates = m.rates_with_change(month, sl)
    for k, v in rates.items():
        assert _metric(at, labels.RATES[k]) == formats.pct_text(v["rate"])
    md = _markdown(at)
    for r in m.tier_classes(month, sl).iter_rows(named=True):  # "≥10亿元 N个" tiles
        assert f"<span>{r['tier_label']}元</span><b>{r['count']:,}个</b>" in md
    counts = m.flag_counts(month, sl)
    assert f"<span>{flags.count_label('investment_behind')}</span><b>{counts['investment_behind']:,}</b>" in md
    assert "href='./alerts?" in md and "flag=approval_over_12m" in md
    changes = m.changes(month, sl)
    assert _metric(at, labels.CHANGES["new"]) == f"{changes.filter(pl.col('change') == 'new').height:,}个"
    if changes.height:
        assert _ids(at) == set(changes["project_id"])


def test_overview_numbers_equal_api(app_env):
    m = _metrics(app_env["jiangyin"])
    at = _run("overview")
    _check_overview(at, m, m.latest_month(), Slice())
    # the pair and the month-on-month change are shown for every rate
    r = m.rates_with_change(m.latest_month())["filing_rate"]
    assert f"{r['numerator']} / {r['denominator']} 个" in _markdown(at)


def test_overview_url_parameters_restore_filters(app_env):
    m = _metrics(app_env["jiangyin"])
    units = list(m.unit_stage(m.latest_month())["unit_code"].unique().sort())[:2]
    month = m.months[-3]
    at = _run("overview", {"unit": units, "month": month, "origin": "new"})
    assert at.sidebar.multiselect(key="w_unit").value == units
    assert at.sidebar.selectbox(key="w_month").value == month
    assert at.sidebar.multiselect(key="w_origin").value == ["new"]
    _check_overview(at, m, month, Slice(units=tuple(units), origins=("new",)))
    assert f"数据截至 <b>{month[:4]}年{int(month[5:])}月末</b>" in _markdown(at)


def test_overview_changzhou(cz_env):
    m = _metrics(cz_env["changzhou"])
    at = _run("overview")
    _check_overview(at, m, m.latest_month(), Slice())
    assert "常州市" in _markdown(at)


# ---- filters across pages -------------------------------------------------------------------
def test_filters_survive_page_switch_and_are_mirrored_in_url(app_env):
    m = _metrics(app_env["jiangyin"])
    month = m.latest_month()
    unit = m.unit_stage(month)["unit_code"][0]
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    _ok(at)
    at.sidebar.multiselect(key="w_unit").set_value([unit])
    at.sidebar.multiselect(key="w_tier").set_value(["1to10"])
    at.run()
    _ok(at)
    at.switch_page("pages/funnel.py")
    at.run()
    _ok(at)
    assert at.sidebar.multiselect(key="w_unit").value == [unit]
    assert at.sidebar.multiselect(key="w_tier").value == ["1to10"]
    assert at.query_params.get("unit") in (unit, [unit])
    sl = Slice(units=(unit,), tiers=("1to10",))
    conv = _table_with(at, labels.COLUMNS["reached"])
    assert list(conv[labels.COLUMNS["reached"]]) == m.funnel(month, sl)["reached"].to_list()


# ---- funnel -------------------------------------------------------------------------------
def test_funnel_page_numbers_and_drilldown(app_env):
    m = _metrics(app_env["jiangyin"])
    month = m.latest_month()
    at = _run("funnel")
    fun = m.funnel(month)
    conv = _table_with(at, labels.COLUMNS["reached"])
    assert list(conv[labels.COLUMNS["reached"]]) == fun["reached"].to_list()
    # "% of previous" shown ×100 with one decimal: e.g. 正式签约 = signed / intent-or-later
    pct = list(conv[labels.COLUMNS["pct_of_previous"]])  # text: the first stage has none ('—')
    assert pct[0] == "—"
    assert float(pct[1]) == pytest.approx(round(fun["reached"][1] / fun["reached"][0] * 100, 1))
    cohort = _table_with(at, labels.COLUMNS["signing_year"])
    assert list(cohort[labels.COLUMNS["signing_year"]]) == m.cohort_funnel(month)["signing_year"].to_list()
    # approval period: the median of filed -> started months
    dur = m.stage_durations(month).filter(pl.col("transition") == "filed_started")["months"]
    assert _metric(at, "审批周期中位数（备案→开工）") == f"{dur.median():.1f} 个月"

    # click "reached 备案" (selectbox fallback of the chart click): the projects that reached it
    at.selectbox(key="fun_pick").set_value("reached:filed")
    at.run()
    _ok(at)
    expected = m.project_list(month, reached_rank=2)
    _assert_list_shows(at, expected)
    assert len(expected) == fun.filter(pl.col("stage") == "filed")["reached"][0]

    # current stage 'exited'
    at.selectbox(key="fun_pick").set_value("stage:exited")
    at.run()
    _ok(at)
    dist = m.stage_distribution(month)
    exited = m.project_list(month, stage="exited")
    _assert_list_shows(at, exited)
    assert len(exited) == dist.filter(pl.col("stage") == "exited")["count"][0]


def test_funnel_library_scope_and_url_filter(app_env):
    m = _metrics(app_env["jiangyin"])
    month = m.latest_month()
    at = _run("funnel", {"category": "service"})
    at.radio(key="fun_scope").set_value("library")
    at.selectbox(key="fun_pick").set_value("reached:started")
    at.run()
    _ok(at)
    sl = Slice(categories=("service",))
    conv = _table_with(at, labels.COLUMNS["reached"])
    assert list(conv[labels.COLUMNS["reached"]]) == m.funnel(month, sl, scope="library")["reached"].to_list()
    assert _ids(at) == set(m.project_list(month, sl, reached_rank=3, in_library=True)["project_id"])


# ---- tiers --------------------------------------------------------------------------------
def test_tiers_page_numbers_and_drilldown(app_env):
    m = _metrics(app_env["jiangyin"])
    month = m.latest_month()
    at = _run("tiers")
    classes = m.tier_classes(month)
    for r in classes.iter_rows(named=True):
        assert _metric(at, f"{r['tier_label']}元项目") == f"{r['count']:,}个"
    bands = _table_with(at, labels.COLUMNS["stage_started"])
    assert list(bands[labels.COLUMNS["count"]]) == m.tiers(month)["count"].to_list()

    at.selectbox(key="tier_pick").set_value("class:ge10")
    at.run()
    _ok(at)
    ids = _ids(at)
    # ≥10亿 = bands 10–30, 30–50, 50–100, ≥100; in-library projects only
    expected = m.project_list(month, Slice(tiers=("10to30", "30to50", "50to100", "ge100")), in_library=True)
    assert ids == set(expected["project_id"])
    assert len(ids) == classes.filter(pl.col("tier_class") == "ge10")["count"][0]

    at.selectbox(key="tier_pick").set_value("band:1to10")
    at.run()
    _ok(at)
    assert len(_ids(at)) == m.tiers(month).filter(pl.col("tier_band") == "1to10")["count"][0]


def test_tiers_drilldown_respects_sidebar_tier_filter(app_env):
    m = _metrics(app_env["jiangyin"])
    month = m.latest_month()
    at = _run("tiers", {"tier": "ge100"})
    at.selectbox(key="tier_pick").set_value("class:ge10")
    at.run()
    _ok(at)
    # the sidebar keeps only ≥100亿, so "≥10亿" lists just those
    assert _ids(at) == set(m.project_list(month, Slice(tiers=("ge100",)), in_library=True)["project_id"])


# ---- map ----------------------------------------------------------------------------------
def test_map_page_numbers_and_drilldown(app_env):
    m = _metrics(app_env["jiangyin"])
    month = m.latest_month()
    at = _run("map")
    assert len(at.get("deck_gl_json_chart")) == 1
    md = "\n".join(c.value for c in at.caption)
    assert "示意" in md and "GCJ-02" in md
    us = m.unit_stage(month)
    tbl = _table_with(at, labels.COLUMNS["in_library_count"])
    got = dict(zip(tbl[labels.COLUMNS["unit_code"]], tbl[labels.COLUMNS["in_library_count"]]))
    expected = us.group_by("unit_code").agg(pl.col("count").sum())
    for code, n in expected.iter_rows():
        assert got[code] == n
    unit, stage, n = us.sort("count", descending=True).select("unit_code", "stage", "count").row(0)

    at.selectbox(key="map_unit").set_value(unit)
    at.run()
    _ok(at)
    assert _ids(at) == set(m.project_list(month, Slice(units=(unit,)), in_library=True)["project_id"])

    at.selectbox(key="map_detail").set_value(f"stage:{stage}")
    at.run()
    _ok(at)
    ids = _ids(at)
    assert ids == set(m.project_list(month, Slice(units=(unit,)), stage=stage)["project_id"])
    assert len(ids) == n  # the heatmap cell's number

    # a township × month cell (measure: started in that month)
    um = m.unit_month(month)
    cell = um.filter(pl.col("started_in_month") > 0).row(0, named=True)
    at.selectbox(key="map_um_measure").set_value("started_in_month")
    at.selectbox(key="map_unit").set_value(cell["unit_code"])
    at.selectbox(key="map_detail").set_value(f"month:{cell['snapshot_month']}")
    at.run()
    _ok(at)
    assert len(_ids(at)) == cell["started_in_month"]


def test_map_measures_changzhou(cz_env):
    m = _metrics(cz_env["changzhou"])
    month = m.latest_month()
    at = _run("map")
    at.selectbox(key="map_measure").set_value("start_rate")
    at.run()
    _ok(at)
    tbl = _table_with(at, labels.COLUMNS["in_library_count"])
    rates = m.rates(month, group_by="unit_code")
    col = f"{labels.RATES['start_rate']}（%）"
    for code, v in zip(tbl[labels.COLUMNS["unit_code"]], tbl[col]):
        r = (rates.get(code) or {}).get("start_rate", {}).get("rate")
        if r is None:
            assert v == "—"  # missing: a dash, never NaN/None
        else:
            assert float(v) == pytest.approx(round(r * 100, 1))
    assert "常州经开区" in set(tbl[labels.COLUMNS["unit_name"]])


# ---- rankings -----------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_rankings_page_equals_api(region, demo_stores, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("LIFECYCLE_STORE", str(demo_stores[region]))
    st.cache_data.clear()
    st.cache_resource.clear()
    m = _metrics(demo_stores[region])
    month = m.latest_month()
    at = _run("rankings")
    rk = m.ranking(month)
    tbl = _table_with(at, labels.COLUMNS["score"])
    assert list(tbl[labels.COLUMNS["unit_code"]]) == rk["unit_code"].to_list()
    assert [x for x in tbl[labels.COLUMNS["rank"]]] == rk["rank"].to_list()
    shown = list(tbl[labels.COLUMNS["rank_change_text"]])
    assert shown == [charts.rank_change_text(v) for v in rk["rank_change"].to_list()]  # '—' without a previous rank
    md = _markdown(at)
    for k, w in m.config["ranking_weights"].items():
        assert f"{labels.RANKING_COMPONENTS[k]} {float(w) * 100:.0f}%" in md
    unit = rk["unit_code"][0]
    at.selectbox(key="rank_pick").set_value(unit)
    at.run()
    _ok(at)
    assert _ids(at) == set(m.project_list(month, Slice(units=(unit,)), in_library=True)["project_id"])
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("page", ["funnel", "tiers", "map"])
def test_pages_run_on_changzhou(page, cz_env):
    _run(page)
