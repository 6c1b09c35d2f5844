"""Problems worked 采集 → 交办 → 会商会办 → 办结 (docs/domain.md §11): the store's records (history,
validation, concurrency), the merge of imported and recorded problems on hand-built stores
with expected values worked out by hand, the department sheet, and the 问题督办 page on both
regions' demo stores."""
from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from helpers import DEMO_END, metrics_for, project, publish, rewrite_as_older_version
from lifecycle.outputs import exports
from lifecycle.outputs import problems as problem_sheets
from lifecycle.store import problems as sp
from lifecycle.store.records import RecordError

REPO = Path(__file__).resolve().parents[1]
D = dt.date


def Q(pid, project_id="P1", **kw):
    return {"problem_id": pid, "project_id": project_id, "raised_on": "2026-09-01", "kind": "用地",
            "summary": f"问题{pid}", **kw}


# ---- the store ------------------------------------------------------------------------------
def test_add_record_history_and_validation(tmp_path):
    pid = sp.add(tmp_path, "P1", "王五", "  供电容量不足  ", kind="其他", raised_on="2026-10-10")
    assert pid == "XT00001" and (tmp_path / "workflow.sqlite").exists()
    assert sp.add(tmp_path, "P2", "王五", "环评待批", dept="生态局") == "XT00002"
    rec = sp.recorded(tmp_path)
    assert rec["problem_id"].to_list() == ["XT00001", "XT00002"]
    assert rec.row(0, named=True)["summary"] == "供电容量不足" and rec["raised_on"][0] == D(2026, 10, 10)
    # the first update: 采集 without a department, 交办 with one
    assert sp.updates(tmp_path)["status"].to_list() == ["collected", "assigned"]
    u = sp.record(tmp_path, "XT00001", "李四", "交办", acted_on="2026-10-12", dept="发改委", deadline_on="2026-11-30")
    sp.record(tmp_path, "XT00001", "李四", "consulted", acted_on=D(2026, 10, 20), note="会商：供电公司扩容")
    h = sp.updates(tmp_path, "XT00001")
    assert h["status"].to_list() == ["collected", "assigned", "consulted"]
    assert h["recorded_by"].to_list() == ["王五", "李四", "李四"] and h["update_id"][1] == u
    assert h["deadline_on"].to_list() == [None, D(2026, 11, 30), None]
    with pytest.raises(RecordError, match="经办人不能为空"):
        sp.record(tmp_path, "XT00001", "  ", "closed")
    with pytest.raises(RecordError, match="办理状态“完成”无效"):
        sp.record(tmp_path, "XT00001", "李四", "完成")
    with pytest.raises(RecordError, match="不能晚于今天"):
        sp.record(tmp_path, "XT00001", "李四", "closed", acted_on=dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(RecordError, match="会商会办请填写办理情况"):
        sp.record(tmp_path, "XT00001", "李四", "consulted")
    with pytest.raises(RecordError, match="问题类型“天气”无效"):
        sp.add(tmp_path, "P1", "王五", "下雨", kind="天气")
    with pytest.raises(RecordError, match="办结时限.*不能早于提出日期"):
        sp.add(tmp_path, "P1", "王五", "x", raised_on="2026-10-10", deadline_on="2026-10-01")
    with pytest.raises(RecordError, match="应为日期"):
        sp.record(tmp_path, "XT00001", "李四", "closed", acted_on="10月5日")
    # a stale edit is refused; the newer record stays
    latest = int(sp.updates(tmp_path, "XT00001")["update_id"].max())
    with pytest.raises(RecordError, match="已有他人登记"):
        sp.record(tmp_path, "XT00001", "赵六", "closed", base_update_id=latest - 1)
    sp.record(tmp_path, "XT00001", "赵六", "closed", base_update_id=latest)
    assert sp.updates(tmp_path, "XT00001").height == 4
    assert sp.revision(tmp_path) == 5


def test_empty_store_reads(tmp_path):
    assert sp.recorded(tmp_path).is_empty() and sp.updates(tmp_path).is_empty() and sp.revision(tmp_path) == 0
    assert not (tmp_path / "workflow.sqlite").exists()
    with pytest.raises(RecordError, match="数据目录不存在"):
        sp.add(tmp_path / "missing", "P1", "王五", "x")


def test_concurrent_records_all_kept(tmp_path):
    sp.add(tmp_path, "P1", "王五", "x")
    errors = []

    def work(i):
        try:
            for k in range(5):
                sp.record(tmp_path, "XT00001", f"用户{i}", "assigned", note=f"{i}-{k}")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sp.updates(tmp_path, "XT00001").height == 1 + 20


# ---- the merge and the rules ----------------------------------------------------------------
@pytest.fixture
def two_months(make_store):
    """P1 in 澄江街道, P2 in 璜土镇; 2026-09 and 2026-10 published. Ledger problems:
    Q1 raised 09-01, 资规局, no deadline (→ due 10-01); Q2 raised 09-15 no department, deadline
    10-31; Q3 raised 08-01, resolved 09-20 (deadline 09-10 → closed late)."""
    st = make_store()
    ps = [project("P1", township_code="320281001"), project("P2", township_code="320281100")]
    probs = [Q("Q1", assigned_dept="资规局"), Q("Q2", "P2", raised_on="2026-09-15", deadline_on="2026-10-31"),
             Q("Q3", raised_on="2026-08-01", assigned_dept="发改委", resolved_on="2026-09-20",
               deadline_on="2026-09-10")]
    publish(st, "2026-09", ps, problems=probs)
    publish(st, "2026-10", ps, problems=probs)
    return st


def _by_id(df: pl.DataFrame) -> dict:
    return {r["problem_id"]: r for r in df.iter_rows(named=True)}


def test_imported_status_deadline_and_overdue_boundary(two_months):
    m = metrics_for(two_months)
    # at 2026-09 (A = 09-30; not the latest month, so the reference date is A)
    r = _by_id(m.problems("2026-09"))
    assert r["Q1"]["problem_status"] == "assigned" and r["Q1"]["deadline_on"] == D(2026, 10, 1)
    assert r["Q1"]["overdue"] is False and r["Q1"]["days_open"] == 29  # 09-01 .. 09-30
    assert r["Q2"]["problem_status"] == "collected" and r["Q2"]["dept"] is None
    assert r["Q3"]["problem_status"] == "closed" and r["Q3"]["resolved_on"] == D(2026, 9, 20)
    assert r["Q3"]["days_open"] == 50 and r["Q3"]["closed_late"] is True and r["Q3"]["overdue"] is False
    assert {x["source"] for x in r.values()} == {"imported"}
    # the boundary: due 10-01 -> not overdue on 10-01, overdue from 10-02 (1 day)
    on_day = _by_id(m.problems("2026-10", as_of=D(2026, 10, 1)))["Q1"]
    assert on_day["overdue"] is False and on_day["days_overdue_problem"] is None
    next_day = _by_id(m.problems("2026-10", as_of=D(2026, 10, 2)))["Q1"]
    assert next_day["overdue"] is True and next_day["days_overdue_problem"] == 1
    # Q2 due 10-31 = A of 2026-10: not overdue at A
    at_a = _by_id(m.problems("2026-10", as_of=D(2026, 10, 31)))
    assert at_a["Q2"]["overdue"] is False and at_a["Q1"]["days_overdue_problem"] == 30
    assert m.problem_counts("2026-10", as_of=D(2026, 10, 31)) == {"total": 3, "open": 2, "overdue": 1, "closed": 1}


def test_recorded_updates_merge_without_losing_either(two_months):
    st = two_months
    m = metrics_for(st)
    # Q1 is consulted on 10-05 with a new deadline; Q2 assigned to 生态局 on 10-20 (after the
    # 2026-10 reference date used below? no: 10-20 <= 10-31); a new problem on P2 raised 10-10
    sp.record(st.root, "Q1", "李四", "consulted", acted_on="2026-10-05", note="会商：调整用地", deadline_on="2026-11-15")
    sp.record(st.root, "Q2", "李四", "assigned", acted_on="2026-10-20", dept="生态局")
    new = sp.add(st.root, "P2", "王五", "施工用电未接入", kind="其他", raised_on="2026-10-10")
    r = _by_id(m.problems("2026-10", as_of=D(2026, 10, 31)))
    assert set(r) == {"Q1", "Q2", "Q3", new}
    assert (r["Q1"]["problem_status"], r["Q1"]["deadline_on"], r["Q1"]["overdue"]) == ("consulted", D(2026, 11, 15), False)
    assert r["Q1"]["dept"] == "资规局" and r["Q1"]["last_note"] == "会商：调整用地" and r["Q1"]["source"] == "both"
    assert (r["Q2"]["problem_status"], r["Q2"]["dept"], r["Q2"]["last_by"]) == ("assigned", "生态局", "李四")
    assert r[new]["source"] == "recorded" and r[new]["deadline_on"] == D(2026, 11, 9)  # 10-10 + 30 days
    assert r[new]["unit_name"] == "璜土镇"
    # the earlier month does not see later updates or later problems
    r9 = _by_id(m.problems("2026-09"))
    assert set(r9) == {"Q1", "Q2", "Q3"} and r9["Q1"]["problem_status"] == "assigned"
    # a recorded 办结 on 10-25 closes Q1; the ledger still reports it open: the further state wins
    sp.record(st.root, "Q1", "李四", "closed", acted_on="2026-10-25", note="已解决")
    q1 = _by_id(m.problems("2026-10", as_of=D(2026, 10, 31)))["Q1"]
    assert (q1["problem_status"], q1["resolved_on"], q1["days_open"]) == ("closed", D(2026, 10, 25), 54)
    # the November ledger reports it resolved on 10-28 (a new publication); the recorded history
    # is kept and the earlier date of the two is the resolution date
    ps = [project("P1", township_code="320281001"), project("P2", township_code="320281100")]
    publish(st, "2026-11", ps, problems=[Q("Q1", assigned_dept="资规局", resolved_on="2026-10-28"),
                                          Q("Q2", "P2", raised_on="2026-09-15", deadline_on="2026-10-31")])
    m = metrics_for(st)
    r11 = _by_id(m.problems("2026-11", as_of=D(2026, 11, 30)))
    assert r11["Q1"]["resolved_on"] == D(2026, 10, 25) and r11["Q1"]["n_updates"] == 2
    assert "Q3" not in r11 and new in r11  # Q3 left the ledger; the recorded problem stays
    assert r11["Q2"]["dept"] == "生态局" and r11["Q2"]["overdue"] is True and r11["Q2"]["days_overdue_problem"] == 30
    # re-opening after 办结: a later non-closed update opens it again (the ledger says open)
    sp.record(st.root, new, "王五", "closed", acted_on="2026-11-01")
    sp.record(st.root, new, "王五", "assigned", acted_on="2026-11-03", dept="供电公司", note="复发")
    x = _by_id(m.problems("2026-11", as_of=D(2026, 11, 30)))[new]
    assert (x["problem_status"], x["resolved_on"], x["dept"]) == ("assigned", None, "供电公司")


def test_summary_by_dept_and_unit_and_slice(two_months):
    st = two_months
    m = metrics_for(st)
    sp.record(st.root, "Q2", "李四", "assigned", acted_on="2026-10-20", dept="资规局")
    a = D(2026, 10, 31)
    by_dept = m.problem_summary("2026-10", by="dept", as_of=a)
    rows = {r["grp"]: r for r in by_dept.iter_rows(named=True)}
    # 资规局: Q1 (overdue since 10-01, 30 days open beyond) and Q2 (due 10-31, not overdue); 发改委: Q3 closed late
    assert (rows["资规局"]["problems_total"], rows["资规局"]["open"], rows["资规局"]["overdue"]) == (2, 2, 1)
    assert rows["资规局"]["max_days_open"] == 60 and rows["资规局"]["median_days_open"] == 53.0  # 60 and 46
    assert (rows["发改委"]["closed"], rows["发改委"]["closed_late"], rows["发改委"]["open"]) == (1, 1, 0)
    assert (rows[None]["problems_total"], rows[None]["open"], rows[None]["overdue"]) == (3, 2, 1)
    by_unit = {r["grp"]: r for r in m.problem_summary("2026-10", by="unit", as_of=a).iter_rows(named=True)}
    assert by_unit["澄江街道"]["problems_total"] == 2 and by_unit["璜土镇"]["problems_total"] == 1
    assert by_unit["璜土镇"]["unit_code"] == "320281100"
    # the slice narrows the projects and so the problems
    from lifecycle.query.metrics import Slice

    only = m.problems("2026-10", Slice(units=("320281100",)), as_of=a)
    assert only["problem_id"].to_list() == ["Q2"]
    assert m.problem_counts("2026-10", Slice(units=("320281004",)), as_of=a) == \
        {"total": 0, "open": 0, "overdue": 0, "closed": 0}


def test_old_months_without_deadline_column_read(two_months):
    """A month published before deadline_on existed reads it as empty (union_by_name)."""
    st = two_months
    rewrite_as_older_version(st, "2026-09", "problems", ["deadline_on"])
    m = metrics_for(st)
    r = _by_id(m.problems("2026-09"))
    assert r["Q2"]["deadline_on"] == D(2026, 10, 15)  # 09-15 + 30 days: the default applies
    assert _by_id(m.problems("2026-10", as_of=D(2026, 10, 31)))["Q2"]["deadline_on"] == D(2026, 10, 31)


def test_dept_sheet_reads_back(two_months):
    m = metrics_for(two_months)
    rows = m.problems("2026-10", as_of=D(2026, 10, 31))
    got = exports.read_sheet(problem_sheets.dept_sheet_bytes(rows, "资规局", "2026-10", 30, "江阴市"))
    assert got["title"] == "江阴市资规局矛盾问题督办表" and got["month"] == "2026-10" and got["dept"] == "资规局"
    f = got["frame"]
    assert f["问题编号"].to_list() == ["Q1"] and f["办理状态"].to_list() == ["交办"] and f["是否超时限"].to_list() == ["是"]
    assert f["整改情况（镇街填报）"].to_list() == [None]


def test_formula_text_stays_text(two_months):
    st = two_months
    sp.add(st.root, "P1", "王五", "=HYPERLINK(\"http://x\")", dept="资规局", raised_on="2026-10-01")
    rows = metrics_for(st).problems("2026-10", as_of=D(2026, 10, 31))
    from openpyxl import load_workbook
    import io

    wb = load_workbook(io.BytesIO(problem_sheets.dept_sheet_bytes(rows, "资规局", "2026-10", 30)))
    cells = [c for row in wb.worksheets[0].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


# ---- the page -------------------------------------------------------------------------------
def _page(**query) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / "problems.py"), default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_problems_page_counts(region_env, region):
    m = region_env(region)
    at = _page()
    assert not at.exception, [e.value for e in at.exception]
    c = m.problem_counts(DEMO_END)
    got = {x.label: x.value for x in at.metric}
    assert got["问题总数"] == f"{c['total']:,}" and got["超时限"] == f"{c['overdue']:,}"
    assert got["未办结"] == f"{c['open']:,}" and c["total"] > 0
    lists = [d.value for d in at.dataframe if "问题编号" in d.value.columns]
    assert lists and lists[0].shape[0] == c["total"]


def test_problems_page_records_an_update(demo_stores, tmp_path, monkeypatch):
    import shutil

    import streamlit as stl

    dst = tmp_path / "store"
    shutil.copytree(demo_stores["jiangyin"], dst)
    monkeypatch.setenv("LIFECYCLE_STORE", str(dst))
    stl.cache_data.clear()
    stl.cache_resource.clear()
    try:
        at = _page()
        assert not at.exception
        pid = at.selectbox(key="pr_pick").value
        at.selectbox(key="pr_new_status").set_value("closed")
        at.text_area(key="pr_note").input("现场办结")
        at.text_input(key="pr_by").input("测试员")
        [b for b in at.button if b.label == "保存"][0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("已保存" in s.value for s in at.success), [e.value for e in at.error]
        h = sp.updates(dst, pid)
        assert h["status"].to_list()[-1] == "closed" and h["recorded_by"].to_list()[-1] == "测试员"
        # without 经办人 the update is refused with the Chinese message
        at.selectbox(key="pr_new_status").set_value("closed")
        [b for b in at.button if b.label == "保存"][0].click().run()
        assert any("经办人不能为空" in e.value for e in at.error)
        assert sp.updates(dst, pid).height == h.height
    finally:
        stl.cache_data.clear()
        stl.cache_resource.clear()


def test_overview_shows_problem_counts(region_env):
    m = region_env("jiangyin")
    at = AppTest.from_file(str(REPO / "pages" / "overview.py"), default_timeout=120).run()
    assert not at.exception
    got = {x.label: x.value for x in at.metric}
    c = m.problem_counts(DEMO_END)
    assert got["问题督办·未办结"] == f"{c['open']:,}" and got["问题督办·超时限"] == f"{c['overdue']:,}"


def test_pack_has_problem_tables(two_months, tmp_path):
    import io

    import openpyxl

    from lifecycle.outputs import pack

    st = two_months
    sp.record(st.root, "Q2", "李四", "assigned", acted_on="2026-10-20", dept="资规局")
    m = metrics_for(st)
    _pdf, xlsx, _name = pack.pack_bytes(m, "2026Q4")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    assert "问题按部门" in wb.sheetnames and "矛盾问题" in wb.sheetnames

    def rows(name):
        ws = wb[name]
        vals = [r for r in ws.iter_rows(values_only=True)]
        head_i = next(i for i, r in enumerate(vals) if r and ("办理部门" in r or "问题编号" in r))
        head = vals[head_i]
        return [dict(zip(head, r)) for r in vals[head_i + 1:] if any(v is not None for v in r)]

    by = {r["办理部门"]: r for r in rows("问题按部门")}
    # reference date: 2026-10 is the latest month, so today; Q1 and Q2 are open and 资规局's
    assert by["资规局"]["未办结"] == 2 and by["发改委"]["已办结"] == 1 and by["合计"]["问题数"] == 3
    assert sorted(r["问题编号"] for r in rows("矛盾问题")) == ["Q1", "Q2"]
