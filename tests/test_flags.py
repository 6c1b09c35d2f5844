"""Membership of every flag list of docs/domain.md §5 on small hand-built stores, edge by edge.

Each test publishes a few projects built to sit exactly on, just inside and just outside a rule's
edge, and states the expected membership with the date arithmetic worked out in comments.
As-of dates are month ends: 2026-08 -> 2026-08-31 (July has 31 days, so "+1 month" edges exist
exactly: 2026-07-31 + 1 month = 2026-08-31)."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from helpers import metrics_for, project, publish
from lifecycle.outputs import exports
from lifecycle.domain import flags, labels
from lifecycle.query.metrics import FLAG_KEYS, Slice

TS_A = "320281001"  # two Jiangyin townships (each its own unit)
TS_B = "320281004"
M = "2026-08"  # as-of date 2026-08-31


def ids(df: pl.DataFrame) -> set[str]:
    return set(df["project_id"].to_list())


def exited(pid, **kw):
    return project(pid, exit_on="2026-05-01", exit_reason="stalled", **kw)


# ---- approval period over 12 months -------------------------------------------------------------
def test_approval_over_12m(make_store):
    st = make_store()
    publish(st, M, [
        project("A1", filed_on="2025-08-31"),  # 2025-08-31 + 12 months = 2026-08-31 = as-of -> listed
        project("A2", filed_on="2025-09-01"),  # + 12 months = 2026-09-01 > as-of -> not yet
        project("A3", filed_on="2024-01-01", started_on="2026-08-31"),  # started on the as-of date -> not
        project("A4", filed_on="2024-01-01", started_on="2026-09-15"),  # start dated after as-of -> still waiting
        exited("A5", filed_on="2024-01-01"),  # exited -> never on an action list
        project("A6"),  # never filed -> not
    ], approvals=[
        {"project_id": "A1", "step": "立项/核准备案", "dept": "发改委", "received_on": "2025-08-01",
         "due_on": "2025-08-31", "done_on": "2025-08-31"},
        {"project_id": "A1", "step": "环评", "dept": "生态环境局", "received_on": "2025-10-01", "due_on": "2025-11-01"},
        # done after the as-of date: still open at the end of August
        {"project_id": "A1", "step": "施工许可", "dept": "住建局", "received_on": "2026-07-01",
         "due_on": "2026-09-30", "done_on": "2026-09-05"},
    ])
    m = metrics_for(st)
    df = m.flag("approval_over_12m", M)
    assert ids(df) == {"A1", "A4"}
    a1 = df.filter(pl.col("project_id") == "A1").row(0, named=True)
    # open steps in received order, each with its department
    assert a1["open_steps"] == "环评（生态环境局）、施工许可（住建局）"
    # 2025-08-31 -> 2026-08-31 is 365 days = 365 / 30.4375 = 11.99 months (12.0 on screen)
    assert a1["months_waiting"] == pytest.approx(365 / 30.4375)
    assert round(a1["months_waiting"], 1) == 12.0
    assert a1["owner"] == "张三"


def test_approval_over_12m_started_statistic(make_store):
    st = make_store()
    publish(st, M, [
        project("S1", filed_on="2025-03-01", started_on="2026-03-02"),  # 2025-03-01 + 12 = 2026-03-01 < 03-02 -> over
        project("S2", filed_on="2025-03-01", started_on="2026-03-01"),  # exactly 12 months -> not "over"
        project("S3", filed_on="2024-01-01", started_on="2025-12-31"),  # started last year -> outside the period
        # a statistic of the period, not an action list: an exited project still counts
        project("S4", filed_on="2024-01-01", started_on="2026-02-01", exit_on="2026-06-01", exit_reason="lost"),
    ])
    df = metrics_for(st).flag("approval_over_12m_started", M)
    assert ids(df) == {"S1", "S4"}
    s1 = df.filter(pl.col("project_id") == "S1").row(0, named=True)
    assert s1["approval_months"] == pytest.approx(366 / 30.4375)  # 2025-03-01 -> 2026-03-02 = 366 days


# ---- approval traffic lights and stalled steps --------------------------------------------------
def _steps(pid, rows):
    return [{"project_id": pid, "step": s, "dept": d, "received_on": "2026-01-01", "due_on": due, "done_on": done}
            for s, d, due, done in rows]


def test_approval_lights(make_store):
    st = make_store()
    publish(st, M, [project("P", filed_on="2026-01-01"), exited("E", filed_on="2026-01-01")], approvals=[
        *_steps("P", [
            ("立项/核准备案", "发改委", "2026-05-10", "2026-05-10"),  # done on the due date -> green
            ("用地预审与选址", "资规局", "2026-05-10", "2026-05-11"),  # one day late -> green_late
            ("建设用地规划许可", "资规局", None, "2026-03-01"),  # done, no due date -> green
            ("工程规划许可", "资规局", "2026-08-31", None),  # open, due on the as-of date -> yellow
            ("环评", "生态环境局", "2026-08-30", None),  # open, due the day before -> red (1 day past due)
            ("能评", "发改委", None, None),  # open, no due date -> yellow
            ("安评", "应急管理局", "2026-09-30", "2026-09-02"),  # done only after the as-of date -> yellow
        ]),
        *_steps("E", [("环评", "生态环境局", "2026-01-31", None)]),  # exited project: no lights
    ])
    m = metrics_for(st)
    lights = m.approval_lights(M)
    got = dict(zip(lights["step"], lights["light"]))
    assert set(lights["project_id"]) == {"P"}
    assert got == {"立项/核准备案": "green", "用地预审与选址": "green_late", "建设用地规划许可": "green",
                   "工程规划许可": "yellow", "环评": "red", "能评": "yellow", "安评": "yellow"}
    red = lights.filter(pl.col("light") == "red").row(0, named=True)
    assert red["days_past_due"] == 1 and red["days_open"] == (dt.date(2026, 8, 31) - dt.date(2026, 1, 1)).days
    # summary: green 2 (立项, 建设用地), green_late 1, yellow 3, red 1; all 7 steps of 1 project
    s = m.approval_light_summary(M)
    total = s.filter(pl.col("dept").is_null()).row(0, named=True)
    assert (total["green"], total["green_late"], total["yellow"], total["red"], total["steps"], total["projects"]) == (
        2, 1, 3, 1, 7, 1)
    zg = s.filter(pl.col("dept") == "资规局").row(0, named=True)
    assert (zg["green"], zg["green_late"], zg["yellow"], zg["red"]) == (1, 1, 1, 0)
    # filters: department 发改委 has 立项 (green) and 能评 (yellow); light red -> only 环评
    assert m.approval_checklist(M, depts=("发改委",))["step"].to_list() == ["立项/核准备案", "能评"]
    assert m.approval_checklist(M, lights=("red",))["step"].to_list() == ["环评"]
    # the project file shows the same lights (and also an exited project's checklist)
    pa = m.project_approvals(M, "P")
    assert dict(zip(pa["step"], pa["light"])) == got
    assert m.project_approvals(M, "E")["light"].to_list() == ["red"]


def test_step_stalled(make_store):
    st = make_store()
    publish(st, M, [project("P", filed_on="2026-01-01"), exited("E", filed_on="2025-01-01")], approvals=[
        *_steps("P", [
            ("环评", "生态环境局", "2026-07-31", None),  # 07-31 + 1 month = 08-31 = as-of: not MORE than 1 month
            ("能评", "发改委", "2026-07-30", None),  # 07-30 + 1 month = 08-30 < 08-31 -> stalled (32 days past due)
            ("安评", "应急管理局", "2026-06-01", "2026-07-01"),  # done -> not
            ("施工许可", "住建局", "2026-06-01", "2026-09-10"),  # done after the as-of date -> open -> stalled
            ("工程规划许可", "资规局", None, None),  # no due date -> never stalled
        ]),
        *_steps("E", [("环评", "生态环境局", "2025-01-01", None)]),  # exited -> not on the list
    ])
    df = metrics_for(st).flag("step_stalled", M)
    assert sorted(df["step"].to_list()) == ["施工许可", "能评"]
    assert set(df["project_id"]) == {"P"}
    neng = df.filter(pl.col("step") == "能评").row(0, named=True)
    assert neng["days_past_due"] == 32 and neng["dept"] == "发改委" and neng["owner"] == "张三"
    assert neng["months_past_due"] == pytest.approx(32 / 30.4375)


# ---- completion overdue: reminder letter / interview -------------------------------------------------
def test_completion_overdue_levels(make_store):
    st = make_store()
    publish(st, M, [
        project("C1", started_on="2025-01-01", planned_completed_on="2026-05-31"),  # +3 months = 08-31 = as-of: exactly 3 -> reminder
        project("C2", started_on="2025-01-01", planned_completed_on="2026-05-30"),  # +3 months = 08-30 < as-of -> interview
        project("C3", started_on="2025-01-01", planned_completed_on="2026-07-31"),  # +1 month = 08-31 <= as-of: exactly 1 -> reminder
        project("C4", started_on="2025-01-01", planned_completed_on="2026-08-01"),  # +1 month = 09-01 > as-of -> grace (neither)
        project("C5", started_on="2025-01-01", planned_completed_on="2026-08-31"),  # due on the as-of date: not passed
        project("C6", started_on="2025-01-01", planned_completed_on="2026-01-01", completed_on="2026-08-31"),  # completed
        project("C7", started_on="2025-01-01", planned_completed_on="2026-01-01", completed_on="2026-09-05"),  # not yet by as-of
        exited("C8", started_on="2025-01-01", planned_completed_on="2025-01-01"),  # exited -> never listed
    ])
    m = metrics_for(st)
    assert ids(m.flag("completion_reminder", M)) == {"C1", "C3"}
    assert ids(m.flag("completion_interview", M)) == {"C2", "C7"}
    allover = m.completion_overdue(M)
    assert dict(zip(allover["project_id"], allover["level"])) == {
        "C1": "reminder", "C2": "interview", "C3": "reminder", "C4": "grace", "C7": "interview"}
    c1 = allover.filter(pl.col("project_id") == "C1").row(0, named=True)
    assert c1["days_overdue"] == 92  # 2026-05-31 -> 2026-08-31: 30 + 31 + 31 days


# ---- investment behind schedule --------------------------------------------------------------------------
def test_investment_behind_gap_edge(make_store):
    st = make_store()
    m10 = "2026-10"  # time share 10/12 = 83.33 %
    publish(st, m10, [
        # 190/300 = 63.33 %: gap exactly 20 pp -> NOT listed. In floats (10/12 - 190/300) * 100 = 20.000000000000004,
        # so without the rounding guard in the SQL this project would wrongly be listed.
        project("I1", year_plan_wan=300.0, year_done_wan=190.0),
        project("I2", year_plan_wan=300.0, year_done_wan=189.0),  # 63 %: gap 20.33 pp -> listed
        project("I3", year_plan_wan=0.0, year_done_wan=0.0),  # not in this year's plan -> not
        project("I4", year_plan_wan=1000.0, year_done_wan=None),  # nothing reported = 0 %: gap 83.33 pp -> listed
        exited("I5", year_plan_wan=1000.0, year_done_wan=0.0),  # exited -> not
    ])
    assert (10 / 12.0 - 190 / 300) * 100 > 20  # the float noise the guard is there for
    df = metrics_for(st).flag("investment_behind", m10)
    assert ids(df) == {"I2", "I4"}
    i2 = df.filter(pl.col("project_id") == "I2").row(0, named=True)
    assert i2["ytd_ratio"] == pytest.approx(0.63) and i2["time_share"] == pytest.approx(10 / 12)
    assert i2["gap_pp"] == pytest.approx(20 + 1 / 3)
    assert df["project_id"].to_list() == ["I4", "I2"]  # largest gap first


# ---- low equipment share ---------------------------------------------------------------------------------
def test_low_equipment_share(make_store):
    st = make_store()
    started = dict(started_on="2025-06-01", cumulative_done_wan=1000.0)
    publish(st, M, [
        project("E1", equipment_done_wan=300.0, **started),  # 300/1000 = 30 % exactly -> not below -> not listed
        project("E2", equipment_done_wan=299.0, **started),  # 29.9 % -> listed
        project("E3", equipment_done_wan=100.0, category="service", **started),  # service project -> not
        project("E4", equipment_done_wan=100.0, cumulative_done_wan=1000.0),  # not started -> not
        project("E5", started_on="2025-06-01", cumulative_done_wan=0.0, equipment_done_wan=0.0),  # no share yet
        project("E6", equipment_done_wan=100.0, started_on="2026-08-31", cumulative_done_wan=1000.0),  # started on as-of
        project("E7", equipment_done_wan=None, started_on="2025-06-01", cumulative_done_wan=500.0),  # none = 0 %
        exited("E8", equipment_done_wan=0.0, **started),  # exited -> not
    ])
    df = metrics_for(st).flag("low_equipment_share", M)
    assert ids(df) == {"E2", "E6", "E7"}
    assert dict(zip(df["project_id"], df["equipment_share"])) == pytest.approx(
        {"E2": 0.299, "E6": 0.1, "E7": 0.0})


# ---- capacity not reached ---------------------------------------------------------------------------------
NOISY_800 = [87.6, 65.2, 58.7, 66.9, 51.2, 58.9, 67.5, 69.8, 59.3, 59.2, 58.8, 96.9]  # sums to 800.0 exactly


def _ops(pid, months, values):
    return [{"project_id": pid, "month": f"{mo}-01", "output_value_wan": v, "tax_wan": v / 10}
            for mo, v in zip(months, values)]


WINDOW = [f"2025-{m:02d}" for m in range(9, 13)] + [f"2026-{m:02d}" for m in range(1, 9)]  # 2025-09 .. 2026-08


def test_capacity_not_reached(make_store):
    st = make_store()
    prod = dict(started_on="2024-01-01", completed_on="2024-12-01", production_on="2025-01-01",
                designed_output_wan=1000.0)
    assert sum(NOISY_800) / 1000 < 0.8  # float noise: the exact 80 % sums to a hair below
    publish(st, M, [
        project("K1", planned_capacity_on="2026-01-01", **prod),  # 800/1000 = 80 % exactly -> not listed
        project("K2", planned_capacity_on="2026-01-01", **prod),  # 12 × 65 = 780 -> 78 % -> listed
        project("K3", planned_capacity_on="2026-08-31", **prod),  # capacity date = as-of: not passed -> not
        project("K4", planned_capacity_on="2026-01-01", **prod),  # no output reported -> 0 % -> listed
        exited("K5", planned_capacity_on="2026-01-01", **prod),  # exited -> not
        project("K6", planned_capacity_on="2026-01-01", **{**prod, "designed_output_wan": None}),  # no design -> not
        project("K7", planned_capacity_on="2026-01-01", **prod),  # big output outside the window only -> 79 % -> listed
    ], operations=[
        *_ops("K1", WINDOW, NOISY_800),
        *_ops("K2", WINDOW, [65.0] * 12),
        *_ops("K3", WINDOW, [0.0] * 12),
        *_ops("K5", WINDOW, [0.0] * 12),
        # K7: 2025-08 (one month before the window) and 2026-09 (after the as-of month) are ignored;
        # in the window 11 × 70 + 20 = 790 -> 79 %
        *_ops("K7", ["2025-08"] + WINDOW + ["2026-09"], [5000.0] + [70.0] * 11 + [20.0] + [5000.0]),
    ])
    df = metrics_for(st).flag("capacity_not_reached", M)
    assert ids(df) == {"K2", "K4", "K7"}
    got = dict(zip(df["project_id"], df["capacity_realisation"]))
    assert got == pytest.approx({"K2": 0.78, "K4": 0.0, "K7": 0.79})
    assert df.filter(pl.col("project_id") == "K7")["output_12m_wan"][0] == pytest.approx(790.0)


# ---- exit candidates --------------------------------------------------------------------------------------------
def test_exit_candidates(make_store):
    st = make_store()
    back, now = "2025-08", M  # 12 months apart (exit_stalled_months = 12)
    stalled_back = [
        project("X3", filed_on="2025-01-01", started_on="2025-08-31", cumulative_done_wan=5000.0),
        project("X4", filed_on="2025-01-01", started_on="2025-08-01", cumulative_done_wan=5000.0),
        project("X5", filed_on="2023-06-01", started_on="2024-01-01", cumulative_done_wan=5000.0),
        project("X6", started_on="2023-01-01", completed_on="2024-01-01", production_on="2024-06-01",
                cumulative_done_wan=8000.0),
        project("X8", signed_on="2024-01-01"),
    ]
    publish(st, back, stalled_back)
    publish(st, now, [
        project("X1", started_on="2024-01-01", completed_on="2025-01-01", production_on="2025-06-01",
                capacity_on="2026-06-01"),  # at capacity -> achieved
        project("X2", started_on="2024-01-01", completed_on="2025-01-01", production_on="2025-06-01",
                capacity_on="2026-08-31"),  # at capacity on the as-of date -> achieved
        # last milestone 2025-08-31 + 12 months = 2026-08-31 = as-of, investment 5000 = 5000 -> stalled
        project("X3", filed_on="2025-01-01", started_on="2025-08-31", cumulative_done_wan=5000.0),
        # last milestone one day later: 2025-09-01 + 12 months = 2026-09-01 > as-of -> not (here: started
        # 2025-09-01 in the current snapshot, the earlier report said 2025-08-01)
        project("X4", filed_on="2025-01-01", started_on="2025-09-01", cumulative_done_wan=5000.0),
        # old milestones, but investment changed 5000 -> 6000 in the 12 months -> not
        project("X5", filed_on="2023-06-01", started_on="2024-01-01", cumulative_done_wan=6000.0),
        # producing, unchanged: a producing project no longer invests -> not a stalled candidate
        project("X6", started_on="2023-01-01", completed_on="2024-01-01", production_on="2024-06-01",
                cumulative_done_wan=8000.0),
        # exited at capacity -> exited projects are never on action lists
        project("X7", started_on="2023-01-01", completed_on="2024-01-01", production_on="2024-06-01",
                capacity_on="2025-01-01", exit_on="2026-03-01", exit_reason="achieved"),
        project("X8", signed_on="2024-01-01"),  # only signed (2024-01-01), nothing since, 0 = 0 -> stalled
        project("X9", signed_on="2024-01-01"),  # not in the snapshot 12 months ago -> cannot compare -> not
    ])
    m = metrics_for(st)
    df = m.flag("exit_candidate", now)
    assert dict(zip(df["project_id"], df["suggested_reason"])) == {
        "X1": "achieved", "X2": "achieved", "X3": "stalled", "X8": "stalled"}
    x3 = df.filter(pl.col("project_id") == "X3").row(0, named=True)
    assert x3["last_milestone_on"] == dt.date(2025, 8, 31) and x3["cumulative_back"] == 5000.0
    # at the first month (no snapshot 12 months before it) no project can be a stalled candidate
    first = m.flag("exit_candidate", back)
    assert "stalled" not in first["suggested_reason"].to_list()


def test_exited_never_on_action_lists(make_store):
    """One exited project that would match every rule is on no action list."""
    st = make_store()
    kw = dict(filed_on="2023-01-01", planned_completed_on="2025-01-01", planned_capacity_on="2025-01-01",
              year_plan_wan=1000.0, year_done_wan=0.0, cumulative_done_wan=1000.0, equipment_done_wan=0.0,
              designed_output_wan=1000.0, started_on="2026-08-31")
    publish(st, M, [exited("Z", **kw), project("Y", **kw)], approvals=[
        *_steps("Z", [("环评", "生态环境局", "2025-01-01", None)]),
        *_steps("Y", [("环评", "生态环境局", "2025-01-01", None)]),
    ])
    m = metrics_for(st)
    action = [k for k in FLAG_KEYS if k != "approval_over_12m_started"]
    for k in action:
        assert "Z" not in ids(m.flag(k, M)), k
    # the twin that is still in the library is on the lists its data selects
    on = {k for k in action if "Y" in ids(m.flag(k, M))}
    assert on == {"step_stalled", "completion_interview", "investment_behind", "low_equipment_share",
                  "capacity_not_reached"}


# ---- changes since last month -----------------------------------------------------------------------------
def test_flag_changes(make_store):
    st = make_store()
    base = dict(started_on="2025-01-01")
    publish(st, "2026-07", [  # as-of 2026-07-31
        project("R1", planned_completed_on="2026-06-30", **base),  # +1 = 07-30 <= 07-31 -> reminder
        project("R2", planned_completed_on="2026-04-15", **base),  # +3 = 07-15 < 07-31 -> interview
        project("R3", planned_completed_on="2026-06-15", **base),  # reminder
        project("R4", planned_completed_on="2026-07-15", **base),  # +1 = 08-15 > 07-31 -> grace
    ])
    publish(st, M, [  # as-of 2026-08-31
        project("R1", planned_completed_on="2026-06-30", **base),  # +1 = 07-30 -> still reminder
        project("R2", planned_completed_on="2026-04-15", **base),  # still interview
        project("R3", planned_completed_on="2026-05-15", **base),  # +3 = 08-15 < 08-31 -> interview now
        project("R4", planned_completed_on="2026-07-15", **base),  # +1 = 08-15 <= 08-31 -> reminder now
        project("R5", planned_completed_on="2026-06-15", completed_on="2026-08-20", **base),  # new, completed
    ])
    m = metrics_for(st)
    ch = m.flag_changes("completion_reminder", M)
    assert ch["previous_month"] == "2026-07"
    assert ids(ch["new"]) == {"R4"}  # July reminder {R1, R3}; August reminder {R1, R4}
    assert ids(ch["left"]) == {"R3"}
    left = ch["left"].row(0, named=True)
    assert left["level_now"] == "interview" and left["state"] == "started"
    ch = m.flag_changes("completion_interview", M)
    assert ids(ch["new"]) == {"R3"} and ch["left"].is_empty()
    # the first month has nothing to compare with
    first = m.flag_changes("completion_reminder", "2026-07")
    assert first["previous_month"] is None and first["new"].is_empty() and first["left"].is_empty()


def test_flag_changes_left_by_exit(make_store):
    st = make_store()
    kw = dict(started_on="2025-01-01", planned_completed_on="2026-01-01")
    publish(st, "2026-07", [project("Q1", **kw), project("Q2", **kw)])
    publish(st, M, [project("Q1", **kw), project("Q2", exit_on="2026-08-10", exit_reason="lost", **kw)])
    ch = metrics_for(st).flag_changes("completion_interview", M)
    assert ch["new"].is_empty()
    assert ch["left"].select("project_id", "state").rows() == [("Q2", "exited")]


# ---- look-back (回头看) ----------------------------------------------------------------------------------------
def _lookback_store(make_store):
    st = make_store()
    q1 = "2025Q1集中开工"
    batch = [  # the batch month snapshot (2025-03, as-of 2025-03-31)
        project("L1", township_code=TS_A, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-02-15",
                started_on="2025-02-15"),
        project("L2", township_code=TS_A, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-03-10"),
        project("L3", township_code=TS_B, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-03-31"),
        project("L4", township_code=TS_B, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-01-20"),
        project("L5", township_code=TS_B, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-03-01"),
    ]
    publish(st, "2025-03", batch)
    publish(st, M, [
        # started on its planned date, reported in time -> on time now and at the batch month
        project("L1", township_code=TS_A, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-02-15",
                started_on="2025-02-15"),
        # started 2025-04-20, after its plan 2025-03-10 -> done now, not on time
        project("L2", township_code=TS_A, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-03-10",
                started_on="2025-04-20"),
        # re-planned 2025-03-31 -> 2025-06-30, started 2025-05-01: late against the baseline 2025-03-31
        project("L3", township_code=TS_B, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-06-30",
                started_on="2025-05-01"),
        # started 2025-01-10 before its plan, but only reported after the batch month -> on time now only
        project("L4", township_code=TS_B, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-01-20",
                started_on="2025-01-10"),
        # never started, exited -> stays in the batch, counts as not started
        project("L5", township_code=TS_B, campaign=q1, filed_on="2024-10-01", planned_started_on="2025-03-01",
                exit_on="2025-12-01", exit_reason="lost"),
        # 集中竣工 batch of 2025Q2 (batch month 2025-06 is not published): completed on the planned date
        project("L6", township_code=TS_A, campaign="2025Q2集中竣工", started_on="2024-01-01",
                planned_completed_on="2025-06-30", completed_on="2025-06-30"),
        # batch month 2026-12 is after the as-of month -> not looked back on yet
        project("L7", township_code=TS_A, campaign="2026Q4集中开工", planned_started_on="2026-11-01"),
        project("L8", township_code=TS_A),  # no campaign
        project("L9", township_code=TS_A, campaign="春季集中开工", planned_started_on="2025-03-01"),  # no quarter
    ])
    return st


def test_lookback_numbers(make_store):
    m = metrics_for(_lookback_store(make_store))
    lb = m.lookback(M)
    assert sorted(set(lb["campaign"])) == ["2025Q1集中开工", "2025Q2集中竣工"]
    tot = {r["campaign"]: r for r in lb.filter(pl.col("unit_code").is_null()).iter_rows(named=True)}
    q1 = tot["2025Q1集中开工"]
    # 5 projects; on time now: L1, L4 = 2 (40 %); started by now: L1-L4 = 4 (80 %);
    # on time as reported in the batch month 2025-03: L1 only = 1 (20 %)
    assert (q1["kind"], q1["batch_month"], q1["projects"]) == ("start", "2025-03", 5)
    assert (q1["on_time_now"], q1["done_now"], q1["on_time_at_batch"]) == (2, 4, 1)
    assert q1["on_time_share_now"] == pytest.approx(0.4)
    assert q1["done_share_now"] == pytest.approx(0.8)
    assert q1["on_time_share_at_batch"] == pytest.approx(0.2)
    assert q1["at_batch_published"] is True
    units = {r["unit_code"]: r for r in lb.filter((pl.col("campaign") == "2025Q1集中开工")
                                                  & pl.col("unit_code").is_not_null()).iter_rows(named=True)}
    # township A: L1, L2 -> on time 1 (L1), done 2, at batch 1; township B: L3, L4, L5 -> 1 (L4), 2, 0
    assert (units[TS_A]["projects"], units[TS_A]["on_time_now"], units[TS_A]["done_now"],
            units[TS_A]["on_time_at_batch"]) == (2, 1, 2, 1)
    assert (units[TS_B]["projects"], units[TS_B]["on_time_now"], units[TS_B]["done_now"],
            units[TS_B]["on_time_at_batch"]) == (3, 1, 2, 0)
    q2 = tot["2025Q2集中竣工"]
    # L6 completed on its planned date -> 1/1 now; the 2025-06 snapshot is not published -> no batch-month figure
    assert (q2["kind"], q2["projects"], q2["on_time_now"], q2["at_batch_published"]) == ("complete", 1, 1, False)
    assert q2["on_time_at_batch"] is None and q2["on_time_share_at_batch"] is None
    # a slice on township A keeps only its projects
    a = m.lookback(M, Slice(units=(TS_A,)))
    a_q1 = a.filter((pl.col("campaign") == "2025Q1集中开工") & pl.col("unit_code").is_null()).row(0, named=True)
    assert (a_q1["projects"], a_q1["on_time_now"]) == (2, 1)


def test_lookback_projects_agree_with_totals(make_store):
    m = metrics_for(_lookback_store(make_store))
    pr = m.lookback_projects(M, campaign="2025Q1集中开工")
    rows = {r["project_id"]: r for r in pr.iter_rows(named=True)}
    assert set(rows) == {"L1", "L2", "L3", "L4", "L5"}
    # L3: the promise is the baseline 2025-03-31, not the re-planned 2025-06-30
    assert rows["L3"]["planned_on"] == dt.date(2025, 3, 31)
    assert rows["L3"]["planned_now_on"] == dt.date(2025, 6, 30)
    assert (rows["L3"]["done_now"], rows["L3"]["on_time_now"]) == (True, False)
    assert (rows["L4"]["on_time_now"], rows["L4"]["on_time_at_batch"]) == (True, False)
    assert rows["L5"]["state"] == "exited"
    tot = m.lookback(M).filter((pl.col("campaign") == "2025Q1集中开工") & pl.col("unit_code").is_null()).row(0, named=True)
    assert pr["on_time_now"].sum() == tot["on_time_now"]
    assert pr["done_now"].sum() == tot["done_now"]
    assert pr["on_time_at_batch"].sum() == tot["on_time_at_batch"]
    assert set(m.lookback_projects(M)["campaign"]) == {"2025Q1集中开工", "2025Q2集中竣工"}


# ---- the exported sheet ---------------------------------------------------------------------------------------
def test_flag_sheet_round_trip(make_store, tmp_path):
    st = make_store()
    publish(st, M, [
        project("C1", name="甲项目", started_on="2025-01-01", planned_completed_on="2026-05-31"),
        project("C3", name="乙项目", started_on="2025-01-01", planned_completed_on="2026-07-31", owner=None),
    ])
    m = metrics_for(st)
    df = m.flag("completion_reminder", M)
    data = exports.flag_sheet_bytes(df, "completion_reminder", M, m.flag_rule("completion_reminder"), "江阴市")
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(data)
    back = exports.read_sheet(path)
    assert back["title"] == "江阴市逾期未竣工（提醒函）项目清单"
    assert back["month"] == M
    assert back["rule"] == m.flag_rule("completion_reminder")
    assert back["dept"] == flags.DEPTS["completion_reminder"]
    fr = back["frame"]
    assert fr.columns[0] == "序号" and fr.columns[-1] == labels.COLUMNS["remark"]
    assert fr["序号"].to_list() == [1.0, 2.0]
    assert fr[labels.COLUMNS["project_id"]].to_list() == ["C1", "C3"]
    assert fr[labels.COLUMNS["level"]].to_list() == ["提醒函", "提醒函"]
    assert fr[labels.COLUMNS["planned_completed_on"]].to_list() == [dt.date(2026, 5, 31), dt.date(2026, 7, 31)]
    assert fr[labels.COLUMNS["owner"]].to_list() == ["张三", None]
    assert labels.COLUMNS["unit_code"] not in fr.columns  # internal column not sent out


def test_light_summary_step_without_department(make_store):
    st = make_store()
    publish(st, M, [project("P", filed_on="2026-01-01")], approvals=_steps("P", [
        ("环评", None, "2026-08-30", None),  # no department recorded: red, counted under "unknown"
        ("能评", "发改委", "2026-05-10", "2026-05-10"),  # green
    ]))
    s = metrics_for(st).approval_light_summary(M)
    rows = {r["dept"]: r for r in s.iter_rows(named=True)}
    assert set(rows) == {labels.LIST_TEXT["dept_unknown"], "发改委", None}
    assert rows[labels.LIST_TEXT["dept_unknown"]]["red"] == 1 and rows["发改委"]["green"] == 1
    assert (rows[None]["steps"], rows[None]["red"], rows[None]["green"]) == (2, 1, 1)
