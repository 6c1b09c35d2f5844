"""AppTest of the list pages (审批红绿灯, 预警督办, 项目档案, 回头看) on the demo stores of both
regions: no exception, the counts on screen equal the metrics API for the same filters, the
project file opens from ?pid= and from search, and every flag list exports to an Excel sheet
that reads back with the same rows. Plus the project-file metrics on a hand-built store."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from helpers import DEMO_END, metrics_for, project, publish
from lifecycle.outputs import exports
from lifecycle.domain import flags, labels
from lifecycle.query.metrics import FLAG_KEYS
from lifecycle.store.snapshots import Store

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def page(name: str, **query) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{name}.py"), default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric_values(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def n(x: int) -> str:
    return f"{x:,}"


# ---- 审批红绿灯 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_approvals_page_counts(region_env, region):
    m = region_env(region)
    at = ok(page("approvals"))
    got = dict(metric_values(at))
    total = m.approval_light_summary(DEMO_END).filter(pl.col("dept").is_null()).row(0, named=True)
    for k in labels.LIGHTS:
        assert got[f"{labels.LIGHT_MD[k]} {labels.LIGHTS[k]}"] == n(total[k])
    assert total["red"] > 0 and total["green_late"] > 0  # the demo exercises every light
    over = m.flag("approval_over_12m", DEMO_END)
    stalled = m.flag("step_stalled", DEMO_END)
    values = [v for _, v in metric_values(at)]
    assert n(over.height) in values and n(stalled.height) in values
    # the checklist grid lists every project with a step (a page of them at a time, worst first),
    # each with a link to its file
    grids = [d.value for d in at.dataframe if "档案" in d.value.columns and "施工许可" in d.value.columns]
    assert len(grids) == 1
    grid = grids[0]
    expected = m.approval_grid(DEMO_END)["rows"]
    assert expected.height == total["projects"]
    assert list(grid[labels.COLUMNS["project_id"]]) == expected["project_id"].to_list()[: grid.shape[0]]
    assert grid.shape[0] == total["projects"] or at.number_input(key="ap_grid_page").max == -(-total["projects"] // grid.shape[0])
    first = grid.iloc[0]
    assert first["档案"].startswith(f"./project?pid={first[labels.COLUMNS['project_id']]}")


def test_approvals_page_filters(region_env):
    m = region_env("jiangyin")
    at = ok(page("approvals"))
    at.multiselect(key="ap_dept").set_value(["资规局"]).run()
    at.multiselect(key="ap_light").set_value(["red", "yellow"]).run()
    ok(at)
    s = m.approval_light_summary(DEMO_END, depts=("资规局",), lights=("red", "yellow"))
    total = s.filter(pl.col("dept").is_null()).row(0, named=True)
    got = dict(metric_values(at)[:5])  # the summary row: four lights and the project count
    assert got[f"{labels.LIGHT_MD['red']} {labels.LIGHTS['red']}"] == n(total["red"])
    assert got[f"{labels.LIGHT_MD['yellow']} {labels.LIGHTS['yellow']}"] == n(total["yellow"])
    assert got[f"{labels.LIGHT_MD['green']} {labels.LIGHTS['green']}"] == "0"
    assert got[labels.COLUMNS["projects"]] == n(total["projects"])
    # stalled steps narrowed to the department too
    stalled = m.flag("step_stalled", DEMO_END).filter(pl.col("dept") == "资规局")
    assert dict(metric_values(at))[flags.count_label("step_stalled")] == n(stalled.height)


def test_approvals_page_township_filter(region_env, demo_stores):
    m = region_env("jiangyin")
    unit = m.approval_lights(DEMO_END)["unit_code"].mode()[0]
    at = ok(page("approvals", unit=unit))
    from lifecycle.query.metrics import Slice

    total = m.approval_light_summary(DEMO_END, Slice(units=(unit,))).filter(pl.col("dept").is_null()).row(0, named=True)
    assert dict(metric_values(at)[:5])[labels.COLUMNS["projects"]] == n(total["projects"])


# ---- 预警督办 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_alerts_page_counts(region_env, region):
    m = region_env(region)
    at = ok(page("alerts"))
    # the cards at the top: each count under the label that says what it counts (项目数/事项数)
    md = "\n".join(x.value for x in at.markdown)
    for k in ("completion_reminder", "completion_interview", "investment_behind", "low_equipment_share",
              "capacity_not_reached", "exit_candidate", "approval_over_12m", "step_stalled"):
        rows = m.flag(k, DEMO_END)
        want = rows.height if k == "step_stalled" else rows["project_id"].n_unique()
        assert f"<span>{flags.count_label(k)}</span><b>{want:,}</b>" in md, k
    assert len(at.tabs) == 8
    # each tab names its rule with the configured thresholds
    texts = " ".join(md.value for md in at.markdown)
    for k in ("completion_reminder", "investment_behind", "capacity_not_reached"):
        assert m.flag_rule(k) in texts
    assert f"{m.thresholds['capacity_realisation_min']:.0%}" in m.flag_rule("capacity_not_reached")
    # the month-on-month changes are those of the metrics API
    ch = m.flag_changes("completion_interview", DEMO_END)
    deltas = [mt.delta for mt in at.metric if mt.delta]
    assert f"+{ch['new'].height} / -{ch['left'].height}（较{ch['previous_month']}）" in deltas


def test_alerts_lists_link_to_project_file(region_env):
    m = region_env("jiangyin")
    at = ok(page("alerts"))
    reminder = m.flag("completion_reminder", DEMO_END)
    tables = [d.value for d in at.dataframe if "档案" in d.value.columns]
    pid_col = labels.COLUMNS["project_id"]
    first = next(t for t in tables if t[pid_col].tolist() == reminder["project_id"].to_list())
    pid = first[pid_col].iloc[0]
    link = first["档案"].iloc[0]
    assert link.startswith(f"./project?pid={pid}")
    # following the link opens that project's file
    pf = ok(page("project", pid=pid))
    assert [h.value for h in pf.header] == [reminder.filter(pl.col("project_id") == pid)["name"][0]]


# ---- 项目档案 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_project_page_by_url(region_env, region):
    m = region_env(region)
    # a producing project with operations, approvals and problems if the demo has one
    lst = m.project_list(DEMO_END, stage="producing")
    pid = lst["project_id"][0]
    at = ok(page("project", pid=pid))
    assert [h.value for h in at.header] == [lst["name"][0]]
    subs = [s.value for s in at.subheader]
    for key in ("key_facts", "milestones", "investment_curve", "approvals", "operations", "problems", "flags"):
        assert labels.LIST_TEXT[key] in subs
    assert not at.error
    on = m.project_flags(DEMO_END, pid)
    warnings = " ".join(w.value for w in at.warning)
    for f in on:
        if f["key"] != "approval_red":
            assert flags.LABELS[f["key"]] in warnings


def test_project_page_unknown_and_empty(region_env):
    region_env("jiangyin")
    at = ok(page("project", pid="NOPE000"))
    assert at.error and "NOPE000" in at.error[0].value
    at = ok(page("project"))
    assert any(labels.LIST_TEXT["pick_prompt"] == i.value for i in at.info)


def test_project_page_search(region_env):
    m = region_env("jiangyin")
    lst = m.project_list(DEMO_END)
    row = lst.filter(pl.col("project_code").is_not_null()).row(0, named=True)
    at = ok(page("project"))
    # by investment project code: exactly that project
    at.text_input(key="pf_q").input(row["project_code"]).run()
    ok(at)
    assert at.selectbox(key="pf_pick").value == row["project_id"]
    assert [h.value for h in at.header] == [row["name"]]
    assert at.query_params["pid"] == row["project_id"]
    # by part of the enterprise name: several results, pick another one
    word = row["enterprise"][2:6]
    res = m.search_projects(DEMO_END, word)
    assert res.height >= 1
    assert (res["enterprise"].str.contains(word, literal=True) | res["name"].str.contains(word, literal=True)).all()
    at.text_input(key="pf_q").input(word).run()
    opts = at.selectbox(key="pf_pick").options
    assert len(opts) == res.height
    other = res["project_id"][-1]
    at.selectbox(key="pf_pick").set_value(other).run()
    ok(at)
    assert [h.value for h in at.header] == [res.filter(pl.col("project_id") == other)["name"][0]]
    # nothing found
    at.text_input(key="pf_q").input("没有这个项目zzz").run()
    assert any(labels.LIST_TEXT["search_none"] == w.value for w in at.warning)


# ---- 回头看 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_lookback_page(region_env, region):
    m = region_env(region)
    at = ok(page("lookback"))
    lb = m.lookback(DEMO_END)
    totals = lb.filter(pl.col("unit_code").is_null())
    assert totals.height > 0
    batch = at.selectbox(key="lb_batch").value
    assert at.selectbox(key="lb_batch").options == totals["campaign"].to_list()
    row = totals.filter(pl.col("campaign") == batch).row(0, named=True)
    got = dict(metric_values(at))
    assert got[labels.COLUMNS["projects"]] == str(row["projects"])
    assert got[labels.COLUMNS["on_time_share_now"]] == f"{row['on_time_share_now'] * 100:.1f}%"
    # pick another batch: its project list has exactly its projects
    other = totals["campaign"][-1]
    at.selectbox(key="lb_batch").set_value(other).run()
    ok(at)
    n_other = totals.filter(pl.col("campaign") == other)["projects"][0]
    tables = [d.value for d in at.dataframe if "档案" in d.value.columns]
    assert tables[-1].shape[0] == n_other


# ---- Excel sheets of every list, both regions ------------------------------------------------------------
@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_every_flag_list_exports_and_reads_back(demo_stores, region):
    m = metrics_for(Store(demo_stores[region]))
    from lifecycle.domain.reference import region as reg

    name = reg(region).name
    for k in FLAG_KEYS:
        df = m.flag(k, DEMO_END)
        back = exports.read_sheet(exports.flag_sheet_bytes(df, k, DEMO_END, m.flag_rule(k), name))
        assert back["title"] == f"{name}{flags.LABELS[k]}项目清单"
        assert (back["month"], back["rule"], back["dept"]) == (DEMO_END, m.flag_rule(k), flags.DEPTS[k])
        expected = exports.sheet_frame(df)
        expected = expected.with_columns(
            [pl.col(c).cast(pl.Float64) for c, t in expected.schema.items() if t.is_numeric()]
            + [pl.col(labels.COLUMNS["remark"]).cast(pl.String)])
        got = back["frame"]
        assert got.columns == expected.columns, k
        assert got.height == df.height, k
        if df.height:
            assert_frame_equal(got, expected.select(got.columns), check_dtypes=False)


# ---- project-file metrics on a hand-built store -------------------------------------------------------------
def test_project_file_metrics(make_store):
    st = make_store()
    kw = dict(name="年产10万件测试项目", enterprise="江阴测试科技有限公司", project_code="2024-320281-26-01-000001",
              credit_code="91320214745555318W", filed_on="2024-01-10", started_on="2024-03-01",
              completed_on="2025-03-01", production_on="2025-04-01", designed_output_wan=1200.0,
              land_area_mu=50.0, total_investment_wan=50000.0, planned_started_on="2024-02-01",
              planned_production_on="2025-04-01")
    publish(st, "2025-01", [project("P1", planned_completed_on="2024-12-31", planned_capacity_on="2025-10-01",
                                    cumulative_done_wan=40000.0, year_plan_wan=12000.0, year_done_wan=1000.0,
                                    **{**kw, "completed_on": None, "production_on": None})])
    publish(st, "2025-02", [project("P1", planned_completed_on="2025-02-28", planned_capacity_on="2025-10-01",
                                    cumulative_done_wan=45000.0, year_plan_wan=12000.0, year_done_wan=6000.0,
                                    **{**kw, "completed_on": None, "production_on": None})])
    ops = [{"project_id": "P1", "month": f"2025-{mo:02d}-01", "output_value_wan": 100.0, "tax_wan": 5.0}
           for mo in range(4, 13)]
    publish(st, "2025-12", [project("P1", planned_completed_on="2025-03-31", planned_capacity_on="2025-10-01",
                                    cumulative_done_wan=50000.0, year_plan_wan=12000.0, year_done_wan=11000.0,
                                    equipment_done_wan=20000.0, **kw)],
            operations=ops,
            problems=[{"problem_id": "Q1", "project_id": "P1", "raised_on": "2024-05-01", "kind": "用地",
                       "summary": "用地指标", "assigned_dept": "资规局", "resolved_on": "2024-06-01"},
                      {"problem_id": "Q2", "project_id": "P1", "raised_on": "2025-11-01", "kind": "用工",
                       "summary": "招工难", "assigned_dept": "人社局", "resolved_on": "2026-01-15"}])
    m = metrics_for(st)
    info = m.project("2025-12", "P1")
    # trailing 12 months 2025-01..2025-12: 9 months × 100 = 900; realisation 900 / 1200 = 75 %
    assert info["output_12m_wan"] == 900.0 and info["capacity_realisation"] == pytest.approx(0.75)
    assert info["tax_per_mu"] == pytest.approx(45.0 / 50.0)  # 9 × 5 = 45 万元 over 50 mu
    assert info["equipment_share"] == pytest.approx(0.4)  # 20000 / 50000
    assert info["intensity"] == pytest.approx(1000.0)  # 50000 / 50
    assert info["state"] == "producing"
    assert m.project("2025-12", "NOPE") is None

    ms = {r["milestone"]: r for r in m.project_milestones("2025-12", "P1").iter_rows(named=True)}
    # completion: baseline 2024-12-31 (first plan), re-planned twice, now 2025-03-31; done 2025-03-01
    c = ms["completed"]
    assert (c["baseline_on"], c["current_plan_on"], c["actual_on"]) == (
        dt.date(2024, 12, 31), dt.date(2025, 3, 31), dt.date(2025, 3, 1))
    assert c["days_vs_baseline"] == 60 and c["days_vs_plan"] == -30 and c["status"] == "done"
    assert ms["at_capacity"]["status"] == "overdue"  # planned 2025-10-01 < 2025-12-31, not reached
    rp = m.replans("2025-12", "P1")
    assert rp.filter(pl.col("planned_column") == "planned_completed_on").select(
        "changed_in", "old_date", "new_date").rows() == [
        ("2025-02", dt.date(2024, 12, 31), dt.date(2025, 2, 28)), ("2025-12", dt.date(2025, 2, 28), dt.date(2025, 3, 31))]

    hist = m.project_history("2025-12", "P1")
    assert hist["snapshot_month"].to_list() == ["2025-01", "2025-02", "2025-12"]
    assert hist["cumulative_done_wan"].to_list() == [40000.0, 45000.0, 50000.0]
    # plan path in 2025-02: cumulative at the previous year end (45000 - 6000 = 39000) + 12000 × 2/12 = 41000
    assert hist["planned_cumulative_wan"][1] == pytest.approx(41000.0)
    assert hist["year_end_target_wan"][1] == pytest.approx(51000.0)

    op = m.project_operations("2025-12", "P1")
    assert op["month"].to_list()[0] == "2025-04" and op.height == 9
    assert op["output_12m_wan"].to_list()[-1] == 900.0
    assert op["capacity_realisation"].to_list()[2] == pytest.approx(300 / 1200)  # 2025-06: 3 months so far

    pr = m.project_problems("2025-12", "P1")
    # Q2 resolved only in 2026 -> open at 2025-12-31 (60 days since 2025-11-01); Q1 resolved in 31 days
    assert pr.select("problem_id", "problem_state", "days_taken").rows() == [("Q2", "open", 60), ("Q1", "resolved", 31)]

    flags = {f["key"] for f in m.project_flags("2025-12", "P1")}
    assert flags == {"capacity_not_reached"}  # 75 % < 80 % with the capacity date passed

    for text in ("年产10万件", "测试科技", "2024-320281-26-01-000001", "91320214745555318w", "p1"):
        assert m.search_projects("2025-12", text)["project_id"].to_list() == ["P1"], text
    # LIKE wildcards in the input are literal characters, not patterns
    assert m.search_projects("2025-12", "%").is_empty()
    assert m.search_projects("2025-12", "_").is_empty()
    from lifecycle.query.metrics import MetricsError

    with pytest.raises(MetricsError):
        m.search_projects("2025-12", "  ")
