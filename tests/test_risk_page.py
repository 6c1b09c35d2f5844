"""AppTest of 风险预判 (pages/risk.py) on both regions, of the attribution on 总览, and of the
risk line on the project file: the page runs without an exception, lists exactly the projects
of Metrics.risk for the filters, the back-test renders, the unit pick narrows the list."""
from __future__ import annotations

import pytest
from helpers import REPO
from streamlit.testing.v1 import AppTest

from lifecycle.domain import labels
from lifecycle.present import explain

PID = labels.COLUMNS["project_id"]


def _run(page: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=180)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _list(at: AppTest):
    tables = [d.value for d in at.dataframe if labels.COLUMNS["risk_pct"] in d.value.columns]
    assert tables, "no risk list"
    return tables[0]


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_risk_page_lists_the_forecast(region_env, region):
    m = region_env(region)
    month = m.latest_month()
    expected = m.risk(month)
    assert expected.height > 0
    at = _run("risk")
    shown = _list(at)
    assert list(shown[PID]) == expected["project_id"].to_list()  # same projects, ranked by risk
    assert list(shown[labels.COLUMNS["risk_pct"]]) == pytest.approx((expected["risk"] * 100).round(1).to_list())
    assert not shown[labels.COLUMNS["drivers"]].isna().any()
    assert "nan" not in " ".join(str(v) for v in shown[labels.COLUMNS["drivers"]])
    # the back-test, on demand
    at.toggle(key="rk_bt").set_value(True).run()
    _ok(at)
    text = "\n".join(md.value for md in at.markdown)
    assert "Brier" in text
    # pick the unit with most high-risk projects: the list narrows to it
    unit = expected.group_by("unit_code").len().sort("len", descending=True)["unit_code"][0]
    at.selectbox(key="rk_unit").set_value(unit).run()
    _ok(at)
    assert set(_list(at)[PID]) == set(expected.filter(expected["unit_code"] == unit)["project_id"])


def test_risk_page_follows_shared_filters_and_horizon(region_env):
    from lifecycle.query.metrics import Slice

    m = region_env("jiangyin")
    month = m.latest_month()
    at = _run("risk", {"tier": "1to10", "month": month})
    assert set(_list(at)[PID]) == set(m.risk(month, Slice(tiers=("1to10",)))["project_id"])
    at.selectbox(key="rk_horizon").set_value(1).run()
    _ok(at)
    one = m.risk(month, Slice(tiers=("1to10",)), horizon=1)
    if one.is_empty():
        assert any(labels.RISK_TEXT["none"].format(h=1) in i.value for i in at.info)
    else:
        assert set(_list(at)[PID]) == set(one["project_id"])


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_overview_explains_each_rate(region_env, region):
    m = region_env(region)
    month = m.latest_month()
    at = _run("overview")
    from lifecycle.domain.reference import region as reg_of

    sentences = explain.attribution_sentences(m.rate_attribution(month), reg_of(m.region).unit_word)
    text = "\n".join(md.value for md in at.markdown)
    for s in sentences.values():
        assert s in text
    # the drill-down waterfall for one rate, versus the previous quarter
    n_charts = len(at.get("plotly_chart"))
    at.toggle(key="ov_attr_open").set_value(True).run()
    _ok(at)
    assert len(at.get("plotly_chart")) == n_charts + 1  # the waterfall
    tables = [d.value for d in at.dataframe if labels.COLUMNS["contribution_pp"] in d.value.columns]
    assert tables and abs(tables[0][labels.COLUMNS["contribution_pp"]].sum()
                          - m.rate_attribution(month)["rates"]["filing_rate"]["change_pp"]) < 0.01 * len(tables[0])
    at.selectbox(key="ov_attr_rate").set_value("start_rate").run()
    _ok(at)
    at.radio(key="ov_attr_vs").set_value("quarter").run()
    _ok(at)


def test_project_file_shows_risk(region_env):
    m = region_env("jiangyin")
    month = m.latest_month()
    top = m.risk(month).row(0, named=True)
    at = _run("project", {"pid": top["project_id"]})
    text = "\n".join(x.value for x in [*at.markdown, *at.caption, *at.warning, *at.info])
    assert f"{top['risk'] * 100:.1f}%" in text
    assert labels.FORECAST_MILESTONES[top["milestone"]] in text


def test_risk_page_and_overview_on_a_one_project_store(make_store, monkeypatch):
    """A thin store (one project, nothing comparable): no forecast, a clear message, no error;
    the project file says why there is no forecast; the back-test says there are too few months."""
    import streamlit as st
    from helpers import project, publish

    store = make_store()
    publish(store, "2025-06", [project("P1", filed_on="2025-01-01", planned_started_on="2025-08-01")])
    publish(store, "2025-07", [project("P1", filed_on="2025-01-01", planned_started_on="2025-08-01")])
    monkeypatch.setenv("LIFECYCLE_STORE", str(store.root))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = _run("risk")
    assert any(labels.RISK_TEXT["none"].format(h=6) in i.value for i in at.info)
    at.toggle(key="rk_bt").set_value(True).run()
    _ok(at)
    assert any("不足以回测" in i.value for i in at.info)
    at = _run("project", {"pid": "P1"})
    assert any("未作预判" in c.value for c in at.caption)
    at = _run("overview")
    assert "签约项目备案率：无可比数据" in "\n".join(md.value for md in at.markdown)
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_map_offers_high_risk_counts(region_env, region):
    m = region_env(region)
    month = m.latest_month()
    at = _run("map")
    at.selectbox(key="map_measure").set_value("high_risk").run()
    _ok(at)
    risk = m.risk(month)
    expected = int((risk["risk"] >= 0.5).sum())
    assert expected > 0
    # the legend's highest unit value equals the largest per-unit count of high-risk projects
    top = risk.filter(risk["risk"] >= 0.5).group_by("unit_code").len()["len"].max()
    assert f"{top:,}个" in "\n".join(md.value for md in at.markdown)
