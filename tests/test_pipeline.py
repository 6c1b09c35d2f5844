"""The 招商 pipeline (docs/domain.md §16): leads and the review committee in the store, the veto
rule, the funnel and stale leads on hand-built records (expected values worked out by hand)."""
from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from lifecycle.domain.config import pipeline_settings
from lifecycle.store import pipeline as p

TODAY = dt.date(2026, 10, 31)


@pytest.fixture
def store(make_store):
    return make_store("jiangyin")


def _lead(store, name, contact, inv=10000.0, unit="320281001", stage="lead", user="招商员甲"):
    return p.add_lead(store, user, name, stage=stage, channel="产业招商", industry_chain="新材料",
                      project_type="基地型", expected_investment_wan=inv, source_body="澄江街道",
                      owner="张三", unit_code=unit, last_contact_on=contact)


def _review(store, lead_id, verdict, reasons=None, on="2026-09-15", opinions=True):
    rid = p.open_review(store, lead_id, "商务局秘书")
    if opinions:
        for dim, who in (("legal", "法务专家"), ("commercial", "商务专家"), ("financial", "财务专家")):
            p.add_opinion(store, rid, dim, who, f"{who}意见")
    p.decide(store, rid, "审查委员会主任", verdict, reasons, on)
    return rid


def _six(store):
    """L1 线索 (contact 2026-08-01, 91 days), L2 洽谈 (2026-09-01, 60 days), L3 洽谈 (2026-08-31, 61 days),
    L4 审查 vetoed (2026-01-01), L5 意向签约 (2026-10-30), L6 正式签约 (2026-01-01)."""
    ids = {}
    ids["L1"] = _lead(store, "L1", "2026-08-01", 1000)
    ids["L2"] = _lead(store, "L2", "2026-09-01", 2000, stage="talks")
    ids["L3"] = _lead(store, "L3", "2026-08-31", 3000, stage="洽谈")
    ids["L4"] = _lead(store, "L4", "2026-01-01", 4000, stage="talks")
    _review(store, ids["L4"], "veto", "不符合产业政策")
    ids["L5"] = _lead(store, "L5", "2026-10-30", 5000)
    _review(store, ids["L5"], "pass")
    p.move_stage(store, ids["L5"], "招商员乙", "intent")
    ids["L6"] = _lead(store, "L6", "2026-01-01", 6000)
    _review(store, ids["L6"], "通过")
    p.move_stage(store, ids["L6"], "招商员乙", "formal")
    return ids


def test_funnel_hand_worked(store):
    _six(store)
    f = p.funnel(p.list_leads(store))
    assert f["stage"].to_list() == ["lead", "talks", "review", "intent", "formal"]
    assert f["stage_label"].to_list() == ["线索", "洽谈", "审查", "意向签约", "正式签约"]
    # now at: L1 | L2 L3 | L4 | L5 | L6
    assert f["current"].to_list() == [1, 2, 1, 1, 1]
    # reached (current at or beyond): 6, 5, 3, 2, 1
    assert f["reached"].to_list() == [6, 5, 3, 2, 1]
    assert f["vetoed"].to_list() == [0, 0, 1, 0, 0]
    assert f["expected_investment_wan"].to_list() == [1000.0, 5000.0, 4000.0, 5000.0, 6000.0]
    prev = f["pct_of_previous"].to_list()
    assert prev[0] is None
    assert prev[1:] == pytest.approx([5 / 6, 3 / 5, 2 / 3, 1 / 2])
    assert f["pct_of_first"].to_list() == pytest.approx([1.0, 5 / 6, 3 / 6, 2 / 6, 1 / 6])


def test_funnel_empty_and_zero_bases(store):
    f = p.funnel(p.list_leads(store))  # no database yet
    assert f["current"].to_list() == [0] * 5 and f["reached"].to_list() == [0] * 5
    assert f["pct_of_previous"].null_count() == 5 and f["pct_of_first"].null_count() == 5
    _lead(store, "only", "2026-10-01")
    f = p.funnel(p.list_leads(store))
    assert f["reached"].to_list() == [1, 0, 0, 0, 0]
    # 洽谈 0/1 = 0; later stages have a zero base: empty, never nan
    assert f["pct_of_previous"].to_list() == [None, 0.0, None, None, None]


def test_stale_leads_hand_worked(store):
    ids = _six(store)
    s = p.stale(p.list_leads(store), TODAY, 60)
    # L1 91 days, L3 61 days; L2 exactly 60 days is not "more than 60"; L4 vetoed and L6 signed
    # formally are closed; L5 was contacted yesterday
    assert s["name"].to_list() == ["L1", "L3"]
    assert s["days_since_contact"].to_list() == [91, 61]
    assert p.stale(p.list_leads(store), TODAY, 59)["name"].to_list() == ["L1", "L3", "L2"]
    # a contact resets the clock
    p.record_contact(store, ids["L1"], "招商员甲", "2026-10-20")
    assert p.stale(p.list_leads(store), TODAY, 60)["name"].to_list() == ["L3"]


def test_stale_without_contact_counts_from_registration(store):
    _lead(store, "never", None)
    today = dt.date.today()
    assert p.stale(p.list_leads(store), today, 0).height == 0          # registered today: 0 days
    s = p.stale(p.list_leads(store), today + dt.timedelta(days=61), 60)
    assert s["days_since_contact"].to_list() == [61]


def test_stale_days_configured():
    assert pipeline_settings("jiangyin")["stale_days"] == 60


def test_vetoed_lead_needs_a_new_passing_review(store):
    lid = _lead(store, "被否决项目", "2026-09-01", stage="talks")
    rid1 = _review(store, lid, "veto", "投资强度不足，不符合产业政策")
    for stage in ("intent", "formal", "意向签约", "正式签约"):
        with pytest.raises(p.PipelineError, match="否决.*投资强度不足"):
            p.move_stage(store, lid, "招商员甲", stage)
    with pytest.raises(p.PipelineError, match="否决"):
        p.check_admission(store, lid)                                   # nor enter the library
    assert p.get_lead(store, lid)["stage"] == "review"
    # a new round: 补充材料 still blocks
    rid2 = _review(store, lid, "more", "补充尽调报告", opinions=False)
    with pytest.raises(p.PipelineError, match="补充材料"):
        p.move_stage(store, lid, "招商员甲", "intent")
    # a third round that is still open blocks too, and a pass needs all three opinions
    rid3 = p.open_review(store, lid, "商务局秘书")
    with pytest.raises(p.PipelineError, match="尚未作出结论"):
        p.check_admission(store, lid)
    with pytest.raises(p.PipelineError, match="尚未作出结论"):
        p.open_review(store, lid, "商务局秘书")                            # one open round at a time
    p.add_opinion(store, rid3, "法务", "法务专家", "协议条款合规")
    with pytest.raises(p.PipelineError, match="缺少商务、财务意见"):
        p.decide(store, rid3, "主任", "pass", None, "2026-10-10")
    p.add_opinion(store, rid3, "commercial", "商务专家", "产业契合")
    p.add_opinion(store, rid3, "financial", "财务专家", "资金来源可靠")
    p.decide(store, rid3, "主任", "pass", None, "2026-10-10")
    p.check_admission(store, lid)                                      # now allowed
    p.move_stage(store, lid, "招商员乙", "intent")
    assert p.get_lead(store, lid)["stage"] == "intent"
    assert len({rid1, rid2, rid3}) == 3
    # the earlier veto stays on record
    assert p.opinions(store, rid1).height == 3
    with pytest.raises(p.PipelineError, match="已作出结论"):
        p.decide(store, rid1, "主任", "pass", None, "2026-10-11")


def test_unreviewed_lead_cannot_sign(store):
    lid = _lead(store, "未审查", "2026-09-01")
    with pytest.raises(p.PipelineError, match="尚未经审查委员会审查通过"):
        p.move_stage(store, lid, "甲", "formal")
    with pytest.raises(p.PipelineError, match="只能处于"):
        p.add_lead(store, "甲", "直接签约", stage="formal", expected_investment_wan=1)


def test_rules_and_validation(store):
    lid = _lead(store, "A", "2026-09-01", stage="talks")
    with pytest.raises(p.PipelineError, match="阶段只能前进"):
        p.move_stage(store, lid, "甲", "lead")
    with pytest.raises(p.PipelineError, match="不在配置的分类中"):
        p.update_lead(store, lid, "甲", channel="产业链招商")            # a Changzhou channel
    with pytest.raises(p.PipelineError, match="应为日期"):
        p.update_lead(store, lid, "甲", last_contact_on="2026-13-01")
    with pytest.raises(p.PipelineError, match="预计投资"):
        p.update_lead(store, lid, "甲", expected_investment_wan=-5)
    with pytest.raises(p.PipelineError, match="操作人不能为空"):
        p.update_lead(store, lid, " ", owner="李四")
    rid = p.open_review(store, lid, "秘书")
    with pytest.raises(p.PipelineError, match="结论理由不能为空"):
        p.decide(store, rid, "主任", "否决", "", "2026-10-01")
    with pytest.raises(p.PipelineError, match="审查维度"):
        p.add_opinion(store, rid, "技术", "专家", "x")
    with pytest.raises(p.PipelineError, match="没有编号为 999"):
        p.update_lead(store, 999, "甲", owner="x")


def test_changzhou_taxonomy(make_store):
    cz = make_store("changzhou", "cz")
    lid = p.add_lead(cz, "甲", "常州项目", channel="产业链招商", industry_chain="动力电池", project_type="龙头型",
                     expected_investment_wan=80000)
    assert p.get_lead(cz, lid)["industry_chain"] == "动力电池"
    with pytest.raises(p.PipelineError, match="不在配置的分类中"):
        p.add_lead(cz, "甲", "x", industry_chain="纺织服装", expected_investment_wan=1)
    with pytest.raises(p.PipelineError, match="预计投资（万元）不能为空"):
        p.add_lead(cz, "甲", "无投资额", industry_chain="动力电池")


def test_history_names_every_user_and_change(store):
    lid = _lead(store, "A", "2026-09-01", user="招商员甲")
    v = p.update_lead(store, lid, "招商员乙", owner="李四")
    with pytest.raises(p.PipelineError, match="已被他人修改"):
        p.update_lead(store, lid, "招商员丙", base_version=1, owner="王五")
    rid = p.open_review(store, lid, "秘书")
    h = p.history(store, lid)
    assert h["version"].to_list() == [1, 2, 3] and v == 2
    assert h["edited_by"].to_list() == ["招商员甲", "招商员乙", "秘书"]
    assert h["change"].to_list() == ["created", "edited", f"review:{rid}"]
    assert h["owner"].to_list() == ["张三", "李四", "李四"]
    assert h["stage"].to_list() == ["lead", "lead", "review"]


def test_review_queue_shows_veto_reasons_and_opinions(store):
    ids = _six(store)
    lid = _lead(store, "待审", "2026-10-01")
    rid = p.open_review(store, lid, "秘书")
    p.add_opinion(store, rid, "legal", "法务甲", "初稿")
    p.add_opinion(store, rid, "legal", "法务乙", "修改后同意")
    q = p.review_queue(store, p.list_leads(store))
    assert q["name"].to_list() == ["待审", "L4"]                        # open rounds first
    assert q["opinion_legal"].to_list() == ["法务乙：修改后同意", "法务专家：法务专家意见"]
    assert q["opinion_commercial"].to_list() == [None, "商务专家：商务专家意见"]
    assert q["verdict"].to_list() == [None, "veto"]
    assert q["reasons"].to_list() == [None, "不符合产业政策"]
    assert ids["L4"] in q["lead_id"].to_list()


def test_units_filter_and_store_files(store):
    _lead(store, "A", "2026-09-01", unit="320281001")
    _lead(store, "B", "2026-09-01", unit="320281400")
    assert p.list_leads(store, ("320281400",))["name"].to_list() == ["B"]
    con = sqlite3.connect(p.db_path(store))
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_concurrent_writers_lose_nothing(store):
    errors = []

    def add(i):
        try:
            for k in range(5):
                _lead(store, f"T{i}-{k}", "2026-09-01")
        except p.PipelineError as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert p.list_leads(store).height == 20
