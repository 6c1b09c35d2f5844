"""Who may do what in the 招商 pipeline (docs/domain.md §16.4): the `reviewer` role, the township
scope enforced in the core (`pipeline.visible_leads` and the writers taking the account), and
the demo's pipeline facts (deterministic, realistic, obeying the veto rule)."""
from __future__ import annotations

import datetime as dt
import time

import polars as pl
import pytest

from lifecycle import demo
from lifecycle.domain import labels
from lifecycle.store import pipeline as p
from lifecycle.store.accounts import Account

A, B = "320281001", "320281004"  # 澄江街道, 南闸街道
TOWN_A = Account("town_a", "township", A)
TOWN_B = Account("town_b", "township", B)
PUB = Account("pub", "publisher")
REV = Account("rev", "reviewer")
LEADER = Account("boss", "leader")
ADMIN = Account("root", "admin")


@pytest.fixture
def store(make_store):
    return make_store("jiangyin")


def _enter(store, acc, name, unit=None, inv=10000.0, **kw):
    return p.enter_lead(store, acc, name, channel="产业招商", industry_chain="新材料", project_type="基地型",
                        expected_investment_wan=inv, owner="张三", unit_code=unit, **kw)


def test_township_reads_only_its_unit_in_the_core(store):
    a1 = _enter(store, TOWN_A, "A一号")              # the unit is the account's
    a2 = _enter(store, PUB, "A二号", unit=A)
    b1 = _enter(store, PUB, "B一号", unit=B)
    _enter(store, TOWN_B, "B二号")
    assert p.get_lead(store, a1)["unit_code"] == A
    assert p.visible_leads(store, TOWN_A)["lead_id"].to_list() == [a1, a2]
    assert p.visible_leads(store, TOWN_A, [A])["name"].to_list() == ["A一号", "A二号"]
    assert p.visible_leads(store, TOWN_B)["name"].to_list() == ["B一号", "B二号"]
    for acc in (PUB, REV, LEADER, ADMIN):
        assert p.visible_leads(store, acc).height == 4
    assert p.visible_leads(store, LEADER, [B])["lead_id"].to_list() == [b1, b1 + 1]
    with pytest.raises(p.PipelineError, match="^无权查看：本账户只能查看澄江街道的招商线索$"):
        p.visible_leads(store, TOWN_A, [A, B])
    with pytest.raises(p.PipelineError, match="未登录"):
        p.visible_leads(store, None)
    # the funnel of the township's view counts its own leads only: 2 at 线索
    assert p.funnel(p.visible_leads(store, TOWN_A))["reached"].to_list() == [2, 0, 0, 0, 0]


def test_township_writes_only_its_unit(store):
    b1 = _enter(store, PUB, "B一号", unit=B)
    with pytest.raises(p.PipelineError, match="^无权操作：本账户只能登记澄江街道的招商线索（所填单位：南闸街道）$"):
        _enter(store, TOWN_A, "越权", unit=B)
    for call in (lambda: p.edit_lead(store, TOWN_A, b1, owner="李四"),
                 lambda: p.contact_lead(store, TOWN_A, b1, "2026-10-01"),
                 lambda: p.advance_lead(store, TOWN_A, b1, "talks")):
        with pytest.raises(p.PipelineError, match=f"^无权操作：线索 {b1} 不属于澄江街道"):
            call()
    a1 = _enter(store, TOWN_A, "A一号")
    with pytest.raises(p.PipelineError, match="只能登记澄江街道"):
        p.edit_lead(store, TOWN_A, a1, unit_code=B)        # never moved to another unit
    assert p.edit_lead(store, TOWN_A, a1, owner="李四") == 2
    assert p.get_lead(store, b1)["version"] == 1          # nothing written on B's lead
    assert p.history(store, a1)["edited_by"].to_list() == ["town_a", "town_a"]


def test_permissions_of_the_roles(store):
    lid = _enter(store, PUB, "项目", unit=A)
    for acc in (LEADER, REV, ADMIN):
        with pytest.raises(p.PipelineError, match="^无权操作：登记、修改和推进招商线索须由数据管理员、镇街园区/板块办理$"):
            _enter(store, acc, "x", unit=A)
        with pytest.raises(p.PipelineError, match="^无权操作"):
            p.advance_lead(store, acc, lid, "review")
    p.advance_lead(store, PUB, lid, "review")
    rid = int(p.get_lead(store, lid)["review_id"])
    for acc in (PUB, TOWN_A, LEADER, ADMIN):
        with pytest.raises(p.PipelineError, match="^无权操作：录入审查意见须由审查委员会成员办理$"):
            p.record_opinion(store, acc, rid, "legal", "意见")
    for acc in (TOWN_A, LEADER, ADMIN):
        with pytest.raises(p.PipelineError, match="^无权操作：记录审查结论须由数据管理员、审查委员会成员办理$"):
            p.record_verdict(store, acc, rid, "veto", "理由", "2026-10-01")
    assert p.opinions(store).is_empty()


def test_full_path_through_the_access_layer(store):
    """Township enters and advances; the reviewer records three opinions (named as the
    reviewer); the publisher vetoes, a new round passes (reviewer's verdict), the township signs."""
    lid = _enter(store, TOWN_A, "集成电路项目", stage="talks", last_contact_on="2026-09-01")
    p.advance_lead(store, TOWN_A, lid, "审查")
    rid = int(p.get_lead(store, lid)["review_id"])
    with pytest.raises(p.PipelineError, match="缺少法务、商务、财务意见"):
        p.record_verdict(store, REV, rid, "pass", None, "2026-09-20")
    p.record_verdict(store, PUB, rid, "否决", "投资强度不达标", "2026-09-20")
    with pytest.raises(p.PipelineError, match="已于 2026-09-20 被审查委员会否决（理由：投资强度不达标）"):
        p.advance_lead(store, TOWN_A, lid, "intent")
    p.advance_lead(store, TOWN_A, lid, "review")          # a new round
    rid2 = int(p.get_lead(store, lid)["review_id"])
    assert rid2 == rid + 1
    for d in ("legal", "commercial", "financial"):
        p.record_opinion(store, REV, rid2, d, f"{d} 同意")
    assert set(p.opinions(store, rid2)["reviewer"]) == {"rev"}
    p.record_verdict(store, REV, rid2, "pass", None, "2026-10-10")
    p.advance_lead(store, TOWN_A, lid, "formal")
    p.check_admission(store, lid)
    lead = p.get_lead(store, lid)
    assert (lead["stage"], lead["verdict"], lead["version"]) == ("formal", "pass", 4)
    # the open rounds a township sees are its unit's only
    b = _enter(store, PUB, "B", unit=B)
    p.advance_lead(store, PUB, b, "review")
    rb = int(p.get_lead(store, b)["review_id"])
    assert p.open_rounds(store, p.visible_leads(store, PUB))["review_id"].to_list() == [rb]
    assert p.open_rounds(store, p.visible_leads(store, TOWN_A)).is_empty()


# ---- the demo's pipeline facts -------------------------------------------------------------
@pytest.mark.parametrize("region_key", ["jiangyin", "changzhou"])
def test_demo_pipeline_is_realistic_and_deterministic(make_store, region_key):
    s1, s2 = make_store(region_key, "one"), make_store(region_key, "two")
    t0 = time.perf_counter()
    n = demo.generate_pipeline(s1.root, region_key, "2026-10", seed=7)
    took = time.perf_counter() - t0
    assert took < 2.0
    demo.generate_pipeline(s2.root, region_key, "2026-10", seed=7)
    one, two = p.list_leads(s1.root), p.list_leads(s2.root)
    assert n == one.height and 200 <= n <= 600
    assert one.drop("created_at", "edited_at").equals(two.drop("created_at", "edited_at"))
    assert demo.generate_pipeline(s1.root, region_key, "2026-10", seed=7) == 0  # never over existing leads
    assert p.list_leads(s1.root).height == n
    cfg = p.settings(s1.root)
    assert set(one["channel"]) <= set(cfg["channels"]) and set(one["industry_chain"]) <= set(cfg["industry_chains"])
    assert set(one["unit_code"]) <= set(demo.reference.region(region_key).units)
    assert one["unit_code"].n_unique() >= 5
    signed = one.filter(pl.col("stage") == "formal").height
    vetoed = one.filter(pl.col("verdict") == "veto")
    assert signed / n < 0.2                                  # most leads never sign
    assert 0.03 <= vetoed.height / n <= 0.15                 # a minority vetoed, each with its reasons
    assert vetoed["reasons"].null_count() == 0 and set(vetoed["stage"]) == {"review"}
    for lid in one.filter(pl.col("stage").is_in(["intent", "formal"]))["lead_id"]:
        p.check_admission(s1.root, lid)                      # signed only after a passed round
    today = dt.date(2026, 11, 5)
    stale = p.stale(one, today, 60)
    assert 0.05 <= stale.height / n <= 0.4
    rounds = p.open_rounds(s1.root, one)
    assert rounds.height >= 5                                # some in review, opinions partial
    ops = p.opinions(s1.root)
    assert ops.filter(pl.col("review_id").is_in(rounds["review_id"].to_list())).height < 3 * rounds.height
    passed = one.filter(pl.col("verdict") == "pass")["review_id"].to_list()
    have = ops.filter(pl.col("review_id").is_in(passed)).group_by("review_id").agg(pl.col("dimension").n_unique())
    assert have.height == len(passed) and set(have["dimension"]) == {3}
    assert set(one["stage"]) == set(labels.PIPELINE_STAGES)  # every stage occurs


def test_demo_generate_fills_the_pipeline(tmp_path):
    """`demo.generate` writes the pipeline too (a tiny library, the region's full pipeline), and
    the generated funnel is hand-checkable: reached = leads at or beyond each stage."""
    st = demo.generate(tmp_path / "cz", "changzhou", 60, 2, seed=3, end_month="2025-06")
    leads = p.list_leads(st.root)
    assert leads.height == round(demo.PROFILES["changzhou"].signings_per_month * 30) == 510
    at = leads.group_by("stage").len()
    now = {s: (at.filter(pl.col("stage") == s)["len"].sum()) for s in p.STAGES}
    reached = [sum(now[t] for t in p.STAGES[i:]) for i in range(5)]
    assert p.funnel(leads)["reached"].to_list() == reached and reached[0] == 510
    assert max(leads["created_at"]) <= "2025-07-05T23:59:59"   # nothing after the last publication
