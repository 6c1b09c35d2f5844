"""AppTest of 节点核实 (pages/verification.py) and the 「仅计已核实节点」 toggle of 总览, on both
regions' demo stores (the demo seeds verifications for both): the counts per milestone equal
Metrics.verification_summary, the 超期未核实 list equals Metrics.unverified, a publisher records a
status through the form, a township account cannot verify another unit's project, a leader sees
the page read-only."""
from __future__ import annotations

import shutil

import pytest
import streamlit as st
from helpers import REPO, metrics_for
from streamlit.testing.v1 import AppTest

from lifecycle.domain import labels
from lifecycle.store import verification
from lifecycle.store.snapshots import Store

C = labels.COLUMNS
T = labels.VERIFY_TEXT


@pytest.fixture
def copy_env(demo_stores, tmp_path, monkeypatch):
    """A function pointing the app at a fresh copy of a region's demo store (writes stay there)."""
    def use(region: str):
        r = tmp_path / region
        shutil.copytree(demo_stores[region], r, symlinks=True, ignore=shutil.ignore_patterns("accounts.sqlite*",
                                                                                              "audit.*"))
        monkeypatch.setenv("LIFECYCLE_STORE", str(r))
        st.cache_data.clear()
        st.cache_resource.clear()
        return r
    yield use
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(at: AppTest | None = None, page: str = "verification") -> AppTest:
    if at is None:
        at = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest, column: str):
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert tables, f"no table with {column}"
    return tables[0]


def _no_raw(at: AppTest) -> None:
    for d in at.dataframe:
        text = d.value.astype(str).to_string()
        assert "nan" not in text.lower() and "None" not in text, text


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_verification_page(copy_env, app_user, region):
    root = copy_env(region)
    m = metrics_for(Store(root))
    month = m.latest_month()
    app_user.role = "publisher"
    at = _run()
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == T["title"]
    # counts per milestone = the API (demo: verifications seeded for this region)
    summary = m.verification_summary(month)
    shown = _table(at, C["verified_count"])
    assert list(shown[C["milestone_label"]]) == list(labels.VERIFY_MILESTONES.values())
    assert list(shown[C["verified_count"]]) == summary["verified_count"].to_list()
    assert list(shown[C["doubtful_count"]]) == summary["doubtful_count"].to_list()
    assert sum(summary["verified_count"]) > 0 and sum(summary["doubtful_count"]) > 0
    # the 超期未核实 list (paged): its first page = the API's first rows
    stale = m.unverified(month)
    assert stale.height > 0
    first = _table(at, C["age_days"])
    assert list(first[C["project_id"]])[:10] == stale["project_id"].to_list()[:10]
    _no_raw(at)
    # record a status through the form: a pending filing of the first stale list entry
    pend = m.milestone_verification(month).filter((m.milestone_verification(month)["verify_status"] == "pending")
                                                  & (m.milestone_verification(month)["milestone"] == "filing"))
    pid = pend["project_id"][0]
    at.selectbox(key="vf_set_pid").set_value(pid)
    at.selectbox(key="vf_set_ms").set_value("filing")
    at.selectbox(key="vf_set_status").set_value("doubtful")
    next(b for b in at.get("form_submit_button") if b.label == T["save"]).click()
    at = _run(at)
    assert any("须填写核实说明" in e.value for e in at.error)     # 存疑 without a note: refused
    at.text_area(key="vf_set_note").input("现场核查未完成")
    next(b for b in at.get("form_submit_button") if b.label == T["save"]).click()
    at = _run(at)
    assert not at.error, [e.value for e in at.error]
    ev = verification.events(root, pid).row(-1, named=True)
    assert (ev["milestone"], ev["status"], ev["verified_by"]) == ("filing", "doubtful", app_user.name)
    assert any("已登记" in s.value for s in at.success)


def test_township_account_cannot_verify_another_units_project(copy_env, app_user):
    root = copy_env("jiangyin")
    m = metrics_for(Store(root))
    month = m.latest_month()
    app_user.role, app_user.unit = "township", "320281001"
    at = _run()
    assert not at.error, [e.value for e in at.error]
    # it sees its own unit only
    options = at.selectbox(key="vf_set_pid").options
    own = set(m.milestone_verification(month).filter(
        m.milestone_verification(month)["unit_code"] == "320281001")["project_id"])
    assert {o.split(" · ")[0] for o in options} == own
    # the core refuses another unit's project whatever the page offers
    other = m.milestone_verification(month).filter(m.milestone_verification(month)["unit_code"] != "320281001")
    from lifecycle.store import accounts

    acc = accounts.get(root, app_user.name)
    with pytest.raises(verification.VerificationError, match="无权操作"):
        verification.set_status(root, acc, other["project_id"][0], other["milestone"][0], "verified")


def test_leader_sees_the_page_read_only(region_env, app_user):
    region_env("jiangyin")
    app_user.role = "leader"
    at = _run()
    assert not at.error
    assert not at.get("form_submit_button")
    assert any("只能查看核实情况" in c.value for c in at.caption)


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_overview_verified_only_toggle(region_env, app_user, region):
    m = region_env(region)
    month = m.latest_month()
    at = AppTest.from_file(str(REPO / "pages" / "overview.py"), default_timeout=180)
    at.query_params["verified"] = "1"
    at = _run(at, "overview")
    assert at.toggle(key="ov_verified").value is True  # read from ?verified=1
    assert any("仅计已核实节点口径" in c.value for c in at.caption)
    want = m.verified_rates(month)
    shown = {mt.label: mt.value for mt in at.metric}
    for k in ("filing_rate", "start_rate", "production_rate"):
        pct = want[k]["rate"]
        assert shown[labels.RATES[k]] == (f"{pct * 100:.1f}%" if pct is not None else "—")
    # off again: the usual rates, and the URL no longer carries ?verified
    at.toggle(key="ov_verified").set_value(False)
    at = _run(at, "overview")
    usual = m.rates(month)
    shown = {mt.label: mt.value for mt in at.metric}
    assert shown[labels.RATES["filing_rate"]] == f"{usual['filing_rate']['rate'] * 100:.1f}%"
    assert "verified" not in at.query_params
