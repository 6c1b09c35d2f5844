"""AppTest of 招商线索 (pages/pipeline.py) by role (docs/domain.md §16.4): a township account sees
and enters only its unit's leads; a reviewer records opinions and has no entry form and no
downloads; the publisher records a verdict (a veto without reasons is one Chinese line); every
write is in the audit log; on the demo's own pipeline facts the page shows a real funnel."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
import streamlit as st
from helpers import REPO
from streamlit.testing.v1 import AppTest

from lifecycle.domain import labels
from lifecycle.store import audit, pipeline
from lifecycle.store.accounts import Account

C = labels.COLUMNS
AX = labels.PIPELINE_ACCESS_TEXT
A, B = "320281001", "320281004"  # 澄江街道, 南闸街道


@pytest.fixture
def root(demo_stores, tmp_path, monkeypatch):
    """A copy of the Jiangyin demo store with three hand-made leads instead of the demo's:
    A一号 (A, 线索), A二号 (A, 审查, open round), B一号 (B, 洽谈)."""
    r = tmp_path / "store"
    shutil.copytree(demo_stores["jiangyin"], r, symlinks=True,
                    ignore=shutil.ignore_patterns("pipeline.sqlite*", "accounts.sqlite*", "audit.*"))
    pub = Account("pub", "publisher")
    kw = {"channel": "产业招商", "industry_chain": "新材料", "project_type": "基地型", "owner": "张三",
          "last_contact_on": dt.date.today()}
    pipeline.enter_lead(r, pub, "A一号", unit_code=A, expected_investment_wan=10000, **kw)
    a2 = pipeline.enter_lead(r, pub, "A二号", unit_code=A, stage="talks", expected_investment_wan=20000, **kw)
    pipeline.advance_lead(r, pub, a2, "review")
    pipeline.enter_lead(r, pub, "B一号", unit_code=B, stage="talks", expected_investment_wan=40000, **kw)
    monkeypatch.setenv("LIFECYCLE_STORE", str(r))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield r
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(str(REPO / "pages" / "pipeline.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _cells(at: AppTest) -> set[str]:
    return {str(v) for d in at.dataframe for c in d.value.columns for v in d.value[c].tolist()}


def _submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.get("form_submit_button") if b.label == label).click()
    return _run(at)


def _errors(at):
    return [e.value for e in at.error]


def test_township_sees_and_enters_only_its_unit(root, app_user):
    app_user.role, app_user.unit = "township", A
    at = _run()
    assert not _errors(at)
    cells = _cells(at)
    assert {"A一号", "A二号"} <= cells and "B一号" not in cells and "南闸街道" not in cells
    fun = [d.value for d in at.dataframe if C["reached"] in d.value.columns][0]
    assert list(fun[C["reached"]]) == [2, 1, 1, 0, 0]          # A一号 线索; A二号 审查
    labels_ = {b.label for b in at.get("form_submit_button")}
    assert {AX["save_add"], AX["save_move"], AX["save_contact"], AX["save_edit"]} <= labels_
    assert AX["save_opinion"] not in labels_ and AX["save_verdict"] not in labels_
    # the lead picker offers the unit's open leads only
    assert set(at.selectbox(key="pl_move_lead").options) == {"1 · A一号（线索）", "2 · A二号（审查）"}
    # enter a lead: its unit is the account's, whatever the form
    at.text_input(key="pl_add_name").input("澄江新材料项目")
    at.number_input(key="pl_add_amount").set_value(35000.0)
    at.selectbox(key="pl_add_chain").set_value("新材料")
    at = _submit(at, AX["save_add"])
    assert not _errors(at), _errors(at)
    assert any("已登记线索 4：澄江新材料项目" in s.value for s in at.success)
    new = pipeline.get_lead(root, 4)
    assert (new["unit_code"], new["created_by"], new["expected_investment_wan"]) == (A, app_user.name, 35000.0)
    # a refused write is one Chinese line (amount missing), audited as failed
    at.text_input(key="pl_add_name").input("无投资额项目")
    at.number_input(key="pl_add_amount").set_value(None)
    at = _submit(at, AX["save_add"])
    assert _errors(at) == ["预计投资（万元）不能为空"]
    log = [e for e in audit.read(root) if e["action"] == "pipeline_lead_add"]
    assert [(e["user"], e["ok"], e["scope"]) for e in log] == [(app_user.name, True, A), (app_user.name, False, A)]


def test_reviewer_records_opinions_read_only_otherwise(root, app_user):
    app_user.role, app_user.unit = "reviewer", None
    at = _run()
    assert not _errors(at)
    assert {"A一号", "A二号", "B一号"} <= _cells(at)
    labels_ = {b.label for b in at.get("form_submit_button")}
    # no lead entry; opinions, verdicts and review attachments (docs/domain.md §16.7)
    assert labels_ == {AX["save_opinion"], AX["save_verdict"], labels.ATTACHMENT_TEXT["upload"]}
    assert len(at.get("download_button")) == 0                      # no downloads (no attachment yet)
    at.selectbox(key="pl_op_dim").set_value("financial")
    at.text_area(key="pl_op_text").input("资金来源清晰")
    at = _submit(at, AX["save_opinion"])
    assert not _errors(at), _errors(at)
    ops = pipeline.opinions(root)
    assert ops.select("review_id", "dimension", "reviewer", "opinion").rows() == \
        [(1, "financial", app_user.name, "资金来源清晰")]
    queue = [d.value for d in at.dataframe if C["opinion_financial"] in d.value.columns][0]
    assert list(queue[C["opinion_financial"]]) == [f"{app_user.name}：资金来源清晰"]
    e = [x for x in audit.read(root) if x["action"] == "pipeline_opinion"][-1]
    assert (e["user"], e["role"], e["target"], e["ok"]) == (app_user.name, "reviewer", "review:1", True)


def test_publisher_records_the_verdict(root, app_user):
    app_user.role, app_user.unit = "publisher", None
    at = _run()
    labels_ = {b.label for b in at.get("form_submit_button")}
    assert AX["save_verdict"] in labels_ and AX["save_add"] in labels_ and AX["save_opinion"] not in labels_
    at.selectbox(key="pl_vd_verdict").set_value("veto")
    at = _submit(at, AX["save_verdict"])
    assert _errors(at) == ["结论理由不能为空"]
    at.selectbox(key="pl_vd_verdict").set_value("veto")
    at.text_area(key="pl_vd_reasons").input("不符合产业政策")
    at = _submit(at, AX["save_verdict"])
    assert not _errors(at), _errors(at)
    lead = pipeline.get_lead(root, 2)
    assert (lead["verdict"], lead["reasons"]) == ("veto", "不符合产业政策")
    queue = [d.value for d in at.dataframe if C["opinion_legal"] in d.value.columns][0]
    assert list(queue[C["verdict"]]) == ["否决"] and list(queue[C["reasons"]]) == ["不符合产业政策"]
    # moving the vetoed lead to a signing is refused with the reason, in one line
    at.selectbox(key="pl_move_lead").set_value(2)
    at.selectbox(key="pl_move_to").set_value("intent")
    at = _submit(at, AX["save_move"])
    errs = _errors(at)
    assert len(errs) == 1 and "被审查委员会否决（理由：不符合产业政策）" in errs[0] and "\n" not in errs[0]


def test_leader_is_read_only(root, app_user):
    app_user.role, app_user.unit = "leader", None
    at = _run()
    assert not at.get("form_submit_button")
    assert any(AX["read_only"] in c.value for c in at.caption)


@pytest.mark.parametrize("region_key", ["jiangyin", "changzhou"])
def test_page_on_the_demo_pipeline(demo_stores, tmp_path, monkeypatch, app_user, region_key):
    """The demo's own leads (a copy, so other tests' edits do not matter): the funnel starts at
    every lead and narrows; the queue shows veto reasons; a township sees its unit only."""
    from lifecycle import demo

    r = tmp_path / "demo"
    shutil.copytree(demo_stores[region_key], r, symlinks=True,
                    ignore=shutil.ignore_patterns("pipeline.sqlite*", "accounts.sqlite*", "audit.*"))
    demo.generate_pipeline(r, region_key, "2026-10", seed=7)
    leads = pipeline.list_leads(r)
    monkeypatch.setenv("LIFECYCLE_STORE", str(r))
    st.cache_data.clear()
    at = _run()
    fun = [d.value for d in at.dataframe if C["reached"] in d.value.columns][0]
    assert fun[C["reached"]].iloc[0] == leads.height
    assert list(fun[C["reached"]]) == sorted(fun[C["reached"]], reverse=True)
    queue = [d.value for d in at.dataframe if C["opinion_legal"] in d.value.columns][0]
    vetoed = queue[queue[C["verdict"]] == "否决"]
    assert len(vetoed) and all(vetoed[C["reasons"]].str.len() > 0)
    own = leads["unit_code"].mode()[0]
    app_user.role, app_user.unit = "township", own
    at = _run()
    fun = [d.value for d in at.dataframe if C["reached"] in d.value.columns][0]
    assert fun[C["reached"]].iloc[0] == leads.filter(leads["unit_code"] == own).height
    st.cache_data.clear()
