"""Verified milestones 节点核实 (issue 19; docs/domain.md §17): the store's append-only events,
the binding of a verification to the milestone date it verified, the 超期未核实 list, the
verified-only five rates, the scope of township accounts and the Chinese errors.

The hand-built store (Jiangyin; M = 2026-06, A = 2026-06-30, period = the year 2026):

| project | unit      | signed     | land       | filed      | started    |
|---------|-----------|------------|------------|------------|------------|
| P1      | 320281001 | 2026-01-10 |            | 2026-02-01 | 2026-03-01 |
| P2      | 320281001 | 2026-02-01 |            | 2026-03-01 | 2026-04-15 |
| P3      | 320281004 | 2026-03-01 | 2026-06-10 | 2026-04-01 |            |
| P4      | 320281004 | 2026-01-20 | 2026-05-31 |            |            |
| P5      | 320281001 | 2025-06-01 |            | 2026-01-15 | 2026-05-01 |

All formal signings. Verification events:
- P1 filing 2026-02-01 verified; P1 start 2026-03-01 verified;
- P2 filing verified for 2026-02-20 (not the date it carries: still 待核实); P2 start 存疑 (note);
- P3 filing 2026-04-01 verified, then pending again (the latest event counts: 待核实);
- P5 start 2026-05-01 verified.
"""
from __future__ import annotations

import datetime as dt

import pytest

from helpers import metrics_for, project, publish
from lifecycle.query.metrics import MetricsError, Scope, ScopeError, Slice
from lifecycle.store import accounts, verification
from lifecycle.store.verification import VerificationError

U1, U2 = "320281001", "320281004"
A = dt.date(2026, 6, 30)


def _projects(p1_start="2026-03-01"):
    return [
        project("P1", township_code=U1, signed_on="2026-01-10", filed_on="2026-02-01", started_on=p1_start),
        project("P2", township_code=U1, signed_on="2026-02-01", filed_on="2026-03-01", started_on="2026-04-15"),
        project("P3", township_code=U2, signed_on="2026-03-01", land_acquired_on="2026-06-10", filed_on="2026-04-01"),
        project("P4", township_code=U2, signed_on="2026-01-20", land_acquired_on="2026-05-31"),
        project("P5", township_code=U1, signed_on="2025-06-01", filed_on="2026-01-15", started_on="2026-05-01"),
    ]


@pytest.fixture
def store(make_store):
    st = make_store("jiangyin")
    publish(st, "2026-06", _projects())
    root = st.root
    verification.record(root, "P1", "filing", "2026-02-01", "verified", "amy")
    verification.record(root, "P1", "start", "2026-03-01", "verified", "amy")
    verification.record(root, "P2", "filing", "2026-02-20", "verified", "amy")
    verification.record(root, "P2", "开工", "2026-04-15", "存疑", "amy", note="现场未见施工")
    verification.record(root, "P3", "filing", "2026-04-01", "verified", "amy")
    verification.record(root, "P3", "filing", "2026-04-01", "pending", "bob")
    verification.record(root, "P5", "start", "2026-05-01", "verified", "amy")
    return st


def _pair(r, key):
    return (r[key]["numerator"], r[key]["denominator"])


def test_verified_only_rates_by_hand(store):
    m = metrics_for(store)
    allr = m.rates("2026-06")
    # filing cohort = formal signings in 2026: P1 P2 P3 P4 (P5 signed 2025); filed by A: P1 P2 P3
    assert _pair(allr, "filing_rate") == (3, 4)
    # start cohort = filed in 2026: P1 P2 P3 P5; started by A: P1 P2 P5
    assert _pair(allr, "start_rate") == (3, 4)
    ver = m.rates("2026-06", verified_only=True)
    # filing verified for its date: P1 only (P2 verified another date, P3's latest event is pending)
    assert _pair(ver, "filing_rate") == (1, 4) and ver["filing_rate"]["rate"] == pytest.approx(0.25)
    # start verified: P1 and P5 (P2 is 存疑) -> 2/4 = 50 %
    assert _pair(ver, "start_rate") == (2, 4) and ver["start_rate"]["rate"] == pytest.approx(0.5)
    # the other rates' cohorts and numerators (no verifiable milestone reached) are unchanged
    for k in ("investment_rate", "production_rate", "capacity_rate"):
        assert ver[k]["denominator"] == allr[k]["denominator"] and ver[k]["numerator"] == allr[k]["numerator"]
    # by unit: U1 = P1 P2 (filing cohort), P1 P2 P5 (start cohort); U2 = P3 P4, P3
    by = m.rates("2026-06", group_by="unit_code", verified_only=True)
    assert _pair(by[U1], "filing_rate") == (1, 2) and _pair(by[U1], "start_rate") == (2, 3)
    assert _pair(by[U2], "filing_rate") == (0, 2) and _pair(by[U2], "start_rate") == (0, 1)
    # the default path did not change
    assert m.rates("2026-06") == allr


def test_verified_only_production_rate_needs_the_completion_verified(make_store):
    """Planned-completion list of 2026 (baseline = the only snapshot 2026-06): Q1, Q2, both
    completed and producing -> 2/2; verified-only: only Q1's completion is verified -> 1/2."""
    st = make_store("jiangyin")
    kw = dict(signed_on="2024-01-01", filed_on="2024-02-01", started_on="2024-03-01",
              planned_completed_on="2026-05-31", production_on="2026-06-10")
    publish(st, "2026-06", [project("Q1", completed_on="2026-05-20", **kw),
                            project("Q2", completed_on="2026-05-25", **kw)])
    verification.record(st.root, "Q1", "completion", "2026-05-20", "verified", "amy")
    verification.record(st.root, "Q2", "completion", "2026-05-24", "verified", "amy")  # another date
    m = metrics_for(st)
    assert _pair(m.rates("2026-06"), "production_rate") == (2, 2)
    assert _pair(m.rates("2026-06", verified_only=True), "production_rate") == (1, 2)


def test_a_changed_date_makes_the_milestone_pending_again(store):
    """2026-07 reports P1's start as 2026-03-05: the verification of 2026-03-01 no longer
    counts (P1 start 待核实; verified-only start rate 2/4 -> 1/4), while 2026-06 keeps it."""
    publish(store, "2026-07", _projects(p1_start="2026-03-05"))
    m = metrics_for(store)
    rows = m.milestone_verification("2026-07", as_of=dt.date(2026, 7, 31))
    p1 = {r["milestone"]: r for r in rows.filter(rows["project_id"] == "P1").iter_rows(named=True)}
    assert p1["start"]["milestone_date"] == dt.date(2026, 3, 5)
    assert p1["start"]["verify_status"] == "pending" and p1["start"]["verify_status_label"] == "待核实"
    assert p1["start"]["verified_by"] is None
    assert p1["filing"]["verify_status"] == "verified"  # its date did not change
    assert _pair(m.rates("2026-07", verified_only=True), "start_rate") == (1, 4)
    old = m.milestone_verification("2026-06", as_of=A)
    assert old.filter((old["project_id"] == "P1") & (old["milestone"] == "start"))["verify_status"].item() == "verified"
    # verifying the new date makes it count again
    verification.record(store.root, "P1", "start", "2026-03-05", "verified", "amy")
    assert _pair(m.rates("2026-07", verified_only=True), "start_rate") == (2, 4)


def test_milestones_and_summary(store):
    m = metrics_for(store)
    rows = m.milestone_verification("2026-06", as_of=A)
    # dated milestones: 5 registrations, 2 settlements (P3 P4), 4 filings, 3 starts, no completion
    assert rows.height == 14
    p2 = {r["milestone"]: r for r in rows.filter(rows["project_id"] == "P2").iter_rows(named=True)}
    assert p2["start"]["verify_status_label"] == "存疑" and p2["start"]["verify_note"] == "现场未见施工"
    assert p2["start"]["verified_by"] == "amy" and p2["start"]["age_days"] == 76  # 2026-04-15 -> 06-30
    assert p2["filing"]["verify_status"] == "pending"  # verified for 2026-02-20, carries 2026-03-01
    s = {r["milestone"]: r for r in m.verification_summary("2026-06").iter_rows(named=True)}
    assert (s["registration"]["pending_count"], s["registration"]["total_count"]) == (5, 5)
    assert (s["settle"]["pending_count"], s["settle"]["total_count"]) == (2, 2)
    assert (s["filing"]["verified_count"], s["filing"]["pending_count"], s["filing"]["total_count"]) == (1, 3, 4)
    assert (s["start"]["verified_count"], s["start"]["doubtful_count"], s["start"]["pending_count"]) == (2, 1, 0)
    assert s["start"]["verified_share"] == pytest.approx(2 / 3)
    assert s["completion"]["total_count"] == 0 and s["completion"]["verified_share"] is None
    assert list(s) == ["registration", "settle", "filing", "start", "completion"]


def test_stale_list_with_its_day_threshold(store):
    """Not verified and dated more than N days before 2026-06-30, oldest first. Ages: P5 reg 394,
    P1 reg 171, P5 filing 166, P4 reg 161, P2 reg 149, P2 filing 121, P3 reg 121, P3 filing 90,
    P2 start 76 (存疑), P4 settle 30, P3 settle 20."""
    m = metrics_for(store)
    got = m.unverified("2026-06", older_than_days=30, as_of=A)
    assert list(zip(got["project_id"], got["milestone"], got["age_days"])) == [
        ("P5", "registration", 394), ("P1", "registration", 171), ("P5", "filing", 166),
        ("P4", "registration", 161), ("P2", "registration", 149), ("P2", "filing", 121),
        ("P3", "registration", 121), ("P3", "filing", 90), ("P2", "start", 76)]
    # 30 days old is not "older than 30"; with 29 the P4 settlement (30 days) is listed
    got29 = m.unverified("2026-06", older_than_days=29, as_of=A)
    assert got29.height == 10 and ("P4", "settle") in set(zip(got29["project_id"], got29["milestone"]))
    # the configured default ([verification] stale_days = 30)
    assert m.verification_stale_days == 30
    assert m.unverified("2026-06", as_of=A).height == 9
    with pytest.raises(MetricsError, match="超期天数应为非负整数"):
        m.unverified("2026-06", older_than_days="abc", as_of=A)


def test_stale_days_from_the_store_config(store):
    (store.root / "config.toml").write_text("[verification]\nstale_days = 100\n", encoding="utf-8")
    m = metrics_for(store)
    # older than 100 days: P5 reg 394, P1 reg 171, P5 filing 166, P4 reg 161, P2 reg 149, P2 filing 121, P3 reg 121
    assert m.unverified("2026-06", as_of=A).height == 7


def test_scope_township_sees_and_verifies_only_its_unit(store):
    root = store.root
    accounts.add(root, "town1", "township", unit=U1, password="x" * 12, region_key="jiangyin")
    accounts.add(root, "lead1", "leader", password="x" * 12)
    accounts.add(root, "pub1", "publisher", password="x" * 12)
    town, leader, pub = accounts.get(root, "town1"), accounts.get(root, "lead1"), accounts.get(root, "pub1")
    with pytest.raises(VerificationError, match="无权操作：项目 P3 不属于本账户的澄江街道"):
        verification.set_status(root, town, "P3", "filing", "verified")
    eid = verification.set_status(root, town, "P2", "备案", "已核实", seen_date="2026-03-01")
    ev = verification.events(root, "P2").row(-1, named=True)
    assert ev["event_id"] == eid and ev["verified_by"] == "town1" and ev["milestone_date"] == dt.date(2026, 3, 1)
    with pytest.raises(VerificationError, match="无权操作：登记核实结果须为"):
        verification.set_status(root, leader, "P2", "filing", "verified")
    verification.set_status(root, pub, "P3", "filing", "verified")  # any unit
    # the date the verifier saw was changed by a newer publication
    with pytest.raises(VerificationError, match="日期已变为 2026-03-01"):
        verification.set_status(root, pub, "P2", "filing", "verified", seen_date="2026-02-20")
    # viewers: a township account's metrics see its unit only
    mt = metrics_for(store)
    mt.scope = Scope.of(town)
    rows = mt.milestone_verification("2026-06", as_of=A)
    assert set(rows["project_id"]) == {"P1", "P2", "P5"}
    assert set(mt.unverified("2026-06", as_of=A)["project_id"]) <= {"P1", "P2", "P5"}
    with pytest.raises(ScopeError, match="无权查看"):
        mt.milestone_verification("2026-06", Slice(units=(U2,)))


def test_bad_input_gets_one_chinese_line(store):
    root = store.root
    with pytest.raises(VerificationError, match="核实节点“签约”无效（可选：注册、落户、备案、开工、竣工）"):
        verification.record(root, "P1", "签约", "2026-01-10", "verified", "amy")
    with pytest.raises(VerificationError, match="核实状态“ok”无效"):
        verification.record(root, "P1", "filing", "2026-02-01", "ok", "amy")
    with pytest.raises(VerificationError, match="“存疑”时须填写核实说明"):
        verification.record(root, "P1", "filing", "2026-02-01", "doubtful", "amy", note="  ")
    with pytest.raises(VerificationError, match="“存疑”时须填写核实说明"):
        verification.set_status(root, accounts.Account("pub", "publisher"), "P1", "filing", "存疑")
    with pytest.raises(VerificationError, match="没有备案日期（filed_on），无需核实"):
        verification.set_status(root, accounts.Account("pub", "publisher"), "P4", "filing", "verified")
    with pytest.raises(VerificationError, match="2026-06 月快照中没有项目 P9"):
        verification.set_status(root, accounts.Account("pub", "publisher"), "P9", "filing", "verified")
    with pytest.raises(VerificationError, match="节点日期应为日期"):
        verification.record(root, "P1", "filing", "2026-13-01", "verified", "amy")
    n = verification.events(root).height
    assert n == 7  # nothing refused was written


def test_history_is_append_only_and_current_is_the_latest_per_date(store):
    ev = verification.events(store.root, "P3")
    assert list(ev["status"]) == ["verified", "pending"] and list(ev["verified_by"]) == ["amy", "bob"]
    cur = verification.current(store.root)
    # one row per project × milestone × date: P3 filing's latest (pending); P2 filing has its own date
    assert cur.height == 6
    assert cur.filter((cur["project_id"] == "P3"))["status"].to_list() == ["pending"]
    assert verification.revision(store.root) == 7


def test_empty_store_without_verifications(make_store):
    st = make_store("jiangyin")
    publish(st, "2026-06", [project("P1", signed_on="2026-01-10")])
    m = metrics_for(st)
    assert not verification.exists(st.root)
    rows = m.milestone_verification("2026-06", as_of=A)
    assert rows.height == 1 and rows["verify_status"].item() == "pending"
    assert _pair(m.rates("2026-06", verified_only=True), "filing_rate") == (0, 1)
    assert m.unverified("2026-06", Slice(units=("320281004",)), as_of=A).is_empty()
