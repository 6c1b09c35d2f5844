"""Quarterly review (季度点评): quarter numbers on a hand-built store (worked out by hand), the
monthly bulletin's events, and the page (AppTest)."""
from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from helpers import metrics_for, project, publish
from lifecycle.store import comments
from lifecycle.query.metrics import MetricsError, Slice, month_end
from lifecycle.store.snapshots import Store
from lifecycle.present import formats

A = "320281001"  # 澄江街道
B = "320281004"  # 南闸街道
MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09"]
D = dt.date.fromisoformat


def _truth() -> list[dict]:
    """The projects as they finally are; `_snapshot` hides what had not happened yet.
    Keys starting with '_' describe changes over time (not columns)."""
    base = dict(signed_on="2025-01-01", filed_on="2025-06-01")
    return [
        # A: plan start in Q3 (Jul 15), started Jul 10 -> started in Q3, on time (-5 days)
        project("P1", township_code=A, planned_started_on="2026-07-15", started_on="2026-07-10", **base),
        # A: quarter plan Aug 1 (as of June); re-planned to Nov 1 in the August snapshot; not started
        #    -> planned to start in Q3 (the list is fixed at quarter start), overdue
        project("P2", township_code=A, planned_started_on="2026-11-01", _plan_before_08="2026-08-01", **base),
        # A: planned May 1, started Aug 20 -> started in Q3, not planned in Q3, late by 111 days
        #    (May 1 -> Aug 20 = 31 + 30 + 31 + 19)
        project("P3", township_code=A, planned_started_on="2026-05-01", started_on="2026-08-20", **base),
        # B: started 2025; planned completion Sep 15, completed Sep 30 -> completed in Q3, late by 15 days
        project("P4", township_code=B, planned_started_on="2025-01-01", started_on="2025-01-10",
                planned_completed_on="2026-09-15", completed_on="2026-09-30", **base),
        # B: planned completion Dec 31, completed Jul 20 -> completed in Q3 (ahead: on time), not planned in Q3
        project("P5", township_code=B, planned_started_on="2025-01-01", started_on="2025-01-10",
                planned_completed_on="2026-12-31", completed_on="2026-07-20", **base),
        # B: enters the library in August with plan start Sep 20; not started by Sep 30 -> overdue
        project("P6", township_code=B, planned_started_on="2026-09-20", _first="2026-08", **base),
        # A: started Jun 30 (the day before the quarter) with that plan -> not in the quarter at all
        project("P7", township_code=A, planned_started_on="2026-06-30", started_on="2026-06-30", **base),
        # B: planned completion Jul 1 (first day of Q3), started, not completed -> overdue
        project("P9", township_code=B, planned_started_on="2025-01-01", started_on="2025-02-01",
                planned_completed_on="2026-07-01", **base),
        # B: planned start Jul 1, exited (hopeless) Aug 10 without starting -> planned in Q3, overdue
        project("P10", township_code=B, planned_started_on="2026-07-01", exit_on="2026-08-10",
                exit_reason="hopeless", **base),
        # A: formal signing Jul 5, filed Jul 25 (bulletin of July)
        project("P11", township_code=A, signed_on="2026-07-05", filed_on="2026-07-25"),
        # A: intent signing Jul 8
        project("P12", township_code=A, signing_type="intent", signed_on="2026-07-08"),
    ]


DATES = ["signed_on", "filed_on", "started_on", "completed_on", "production_on", "capacity_on", "exit_on"]


def _snapshot(month: str) -> list[dict]:
    end = month_end(month)
    out = []
    for p in _truth():
        p = dict(p)
        first = p.pop("_first", None)
        plan_before = p.pop("_plan_before_08", None)
        if first and month < first:
            continue
        if plan_before and month < "2026-08":
            p["planned_started_on"] = D(plan_before)
        for c in DATES:
            if p.get(c) is not None and p[c] > end:
                p[c] = None
        if p.get("exit_on") is None:
            p["exit_reason"] = None
        out.append(p)
    return out


@pytest.fixture
def q_store(make_store):
    st = make_store("jiangyin")
    for mo in MONTHS:
        publish(st, mo, _snapshot(mo))
    return st


def test_quarter_months_and_plan_snapshot(q_store):
    m = metrics_for(q_store)
    assert m.quarters() == ["2026Q2", "2026Q3"]
    assert m.quarter_as_of("2026Q3") == "2026-09"
    assert m.quarter_plan_month("2026Q3") == "2026-06"  # last snapshot before the quarter
    assert m.previous_quarter_as_of("2026Q3") == "2026-06"
    assert m.quarter_plan_month("2026Q2") == "2026-06"  # nothing before: the quarter's first snapshot
    assert m.previous_quarter_as_of("2026Q2") is None
    assert m.quarter_bounds("2026Q3") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    with pytest.raises(MetricsError, match="2026Q4 季度没有已发布的月度快照"):
        m.quarter_as_of("2026Q4")
    with pytest.raises(MetricsError, match="季度格式应为 YYYYQn"):
        m.quarter_as_of("2026-Q3")


def test_quarter_projects_by_hand(q_store):
    m = metrics_for(q_store)
    q = m.quarter_projects("2026Q3")
    rows = {r["project_id"]: r for r in q.iter_rows(named=True)}
    # P7 started the day before the quarter and was planned then; P11/P12 have no plan/start
    assert set(rows) == {"P1", "P2", "P3", "P4", "P5", "P6", "P9", "P10"}
    flags = {pid: (r["started_in_q"], r["completed_in_q"], r["planned_start_in_q"], r["planned_complete_in_q"])
             for pid, r in rows.items()}
    assert flags == {
        "P1": (True, False, True, False),
        "P2": (False, False, True, False),
        "P3": (True, False, False, False),
        "P4": (False, True, False, True),
        "P5": (False, True, False, False),
        "P6": (False, False, True, False),
        "P9": (False, False, False, True),
        "P10": (False, False, True, False),
    }
    assert rows["P1"]["start_status"] == "on_time" and rows["P1"]["start_delay_days"] == -5
    # P2: the quarter plan (Aug 1, from June) counts, the current plan is Nov 1, the baseline Aug 1
    assert rows["P2"]["q_planned_started_on"] == dt.date(2026, 8, 1)
    assert rows["P2"]["planned_started_on"] == dt.date(2026, 11, 1)
    assert rows["P2"]["baseline_started_on"] == dt.date(2026, 8, 1)
    assert rows["P2"]["start_status"] == "overdue"
    assert rows["P3"]["start_status"] == "late" and rows["P3"]["start_delay_days"] == 111
    assert rows["P4"]["complete_status"] == "late" and rows["P4"]["complete_delay_days"] == 15
    assert rows["P5"]["complete_status"] == "on_time" and rows["P5"]["complete_delay_days"] == -164  # Jul 20 -> Dec 31
    assert rows["P6"]["q_planned_started_on"] == dt.date(2026, 9, 20) and rows["P6"]["start_status"] == "overdue"
    assert rows["P9"]["complete_status"] == "overdue"
    assert rows["P10"]["start_status"] == "overdue" and rows["P10"]["state"] == "exited"


def test_quarter_summary_by_hand(q_store):
    m = metrics_for(q_store)
    s = {r["unit_code"]: r for r in m.quarter_summary("2026Q3").iter_rows(named=True)}
    # every Jiangyin unit has a row (21) plus the total row
    assert len(s) == 22 and s[None]["unit_name"] is None
    a, b, tot = s[A], s[B], s[None]
    # A: started P1, P3; planned start P1 (on time), P2 (overdue)
    assert (a["started_count"], a["completed_count"]) == (2, 0)
    assert (a["planned_start_count"], a["planned_start_on_time"], a["planned_start_late"],
            a["planned_start_overdue"], a["planned_start_pending"]) == (2, 1, 0, 1, 0)
    assert a["planned_complete_count"] == 0 and a["complete_on_time_rate"] is None
    assert a["start_on_time_rate"] == pytest.approx(0.5)
    # B: completed P4, P5; planned start P6, P10 (both overdue); planned completion P4 (late), P9 (overdue)
    assert (b["started_count"], b["completed_count"]) == (0, 2)
    assert (b["planned_start_count"], b["planned_start_overdue"]) == (2, 2)
    assert (b["planned_complete_count"], b["planned_complete_on_time"], b["planned_complete_late"],
            b["planned_complete_overdue"]) == (2, 0, 1, 1)
    assert b["completed_investment_wan"] == pytest.approx(100000.0)  # 2 × 50,000 万元 (fixture default)
    # total: started 2, completed 2, planned start 4 (1 on time, 3 overdue), planned completion 2
    assert (tot["started_count"], tot["completed_count"], tot["planned_start_count"], tot["planned_start_on_time"],
            tot["planned_start_overdue"], tot["planned_complete_count"]) == (2, 2, 4, 1, 3, 2)
    # a slice: only unit B (and its total)
    sb = m.quarter_summary("2026Q3", Slice(units=(B,)))
    assert sb["unit_code"].to_list() == [B, None]
    assert sb.filter(pl.col("unit_code").is_null())["completed_count"][0] == 2


def test_quarter_in_progress(q_store, make_store):
    """With the quarter's last published month August, statuses are judged as of Aug 31."""
    st = make_store("jiangyin", name="partial")
    for mo in MONTHS[:3]:
        publish(st, mo, _snapshot(mo))
    m = metrics_for(st)
    assert m.quarter_as_of("2026Q3") == "2026-08"
    rows = {r["project_id"]: r for r in m.quarter_projects("2026Q3").iter_rows(named=True)}
    # P4: plan Sep 15 not yet reached on Aug 31 -> pending; P6: plan Sep 20 -> pending
    assert rows["P4"]["complete_status"] == "pending" and not rows["P4"]["completed_in_q"]
    assert rows["P6"]["start_status"] == "pending"
    # P2: quarter plan Aug 1 passed -> overdue; P1, P3 started; P5 completed Jul 20
    assert rows["P2"]["start_status"] == "overdue"
    assert rows["P1"]["started_in_q"] and rows["P3"]["started_in_q"] and rows["P5"]["completed_in_q"]
    tot = m.quarter_summary("2026Q3").filter(pl.col("unit_code").is_null()).row(0, named=True)
    assert (tot["planned_start_pending"], tot["planned_complete_pending"]) == (1, 1)


def test_quarter_rates_change(q_store):
    m = metrics_for(q_store)
    qr = m.quarter_rates("2026Q3")
    cur, prev = m.rates("2026-09"), m.rates("2026-06")
    for k, v in qr.items():
        assert (v["numerator"], v["denominator"], v["rate"]) == (cur[k]["numerator"], cur[k]["denominator"],
                                                                  cur[k]["rate"])
        assert v["previous_month"] == "2026-06"
        if cur[k]["rate"] is not None and prev[k]["rate"] is not None:
            assert v["change_pp"] == pytest.approx((cur[k]["rate"] - prev[k]["rate"]) * 100)
    # filing rate: formal signings in 2026 = P11 (filed Jul 25) -> 1/1 in Sep; none by June
    assert (qr["filing_rate"]["numerator"], qr["filing_rate"]["denominator"]) == (1, 1)
    assert qr["filing_rate"]["previous_rate"] is None and qr["filing_rate"]["change_pp"] is None


def test_month_events_by_hand(q_store):
    m = metrics_for(q_store)
    ev = m.month_events("2026-07")
    got = sorted(zip(ev["event"].to_list(), ev["project_id"].to_list()))
    # July: P11 signed (Jul 5) and filed (Jul 25), P12 intent (Jul 8), P1 started (Jul 10), P5 completed (Jul 20)
    assert got == [("completed", "P5"), ("filed", "P11"), ("intent", "P12"), ("signed", "P11"), ("started", "P1")]
    s = {r["unit_code"]: r for r in m.month_summary("2026-07").iter_rows(named=True)}
    assert (s[A]["signed_month"], s[A]["intent_month"], s[A]["filed_month"], s[A]["started_month"]) == (1, 1, 1, 1)
    assert (s[B]["completed_month"], s[B]["started_month"]) == (1, 0)
    # year to date (Jan 1 - Jul 31): started P7 (Jun 30) and P1 (Jul 10); completed P5; formal signed P11
    assert (s[None]["started_ytd"], s[None]["completed_ytd"], s[None]["signed_ytd"]) == (2, 1, 1)
    assert s[None]["started_month_wan"] == pytest.approx(50000.0)
    # the August bulletin: only P3 started (Aug 20); P10's exit is not a milestone event
    ev8 = m.month_events("2026-08")
    assert list(zip(ev8["event"].to_list(), ev8["project_id"].to_list())) == [("started", "P3")]


# ---- the page --------------------------------------------------------------------------------
@pytest.fixture
def page_store(demo_stores, tmp_path, monkeypatch):
    """A private copy of the Jiangyin demo store (comments are written into it)."""
    import streamlit as st

    dst = tmp_path / "jy"
    shutil.copytree(demo_stores["jiangyin"], dst, symlinks=True)
    monkeypatch.setenv("LIFECYCLE_STORE", str(dst))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield dst
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(quarter: str | None = "2026Q3", **qp):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../pages/quarterly.py", default_timeout=180)
    if quarter:
        at.query_params["quarter"] = quarter
    for k, v in qp.items():
        at.query_params[k] = v
    return at


def _qp(at, key):
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) else v


def test_page_numbers_equal_api(page_store):
    from lifecycle.domain import labels

    at = _page().run()
    assert not at.exception, [e.value for e in at.exception]
    m = metrics_for(Store(page_store))
    rates = m.quarter_rates("2026Q3")
    shown = {x.label: x.value for x in at.metric}
    for k, v in rates.items():
        assert shown[labels.RATES[k]] == formats.pct_text(v["rate"])
    # the summary table's total row equals the API
    tot = m.quarter_summary("2026Q3").filter(pl.col("unit_code").is_null()).row(0, named=True)
    df = at.dataframe[0].value
    total_row = df[df[labels.COLUMNS["unit_name"]] == "合计"].iloc[0]
    assert int(total_row[labels.COLUMNS["started_count"]]) == tot["started_count"]
    assert int(total_row[labels.COLUMNS["planned_complete_overdue"]]) == tot["planned_complete_overdue"]
    assert at.selectbox(key="w_q_quarter").value == "2026Q3"


def test_page_default_quarter_follows_month(page_store):
    at = _page(quarter=None).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="w_q_quarter").value == "2026Q4"  # demo data ends 2026-10
    assert "数据截至 2026年10月末" in at.caption[0].value


def test_page_presentation_mode(page_store):
    from lifecycle.domain.reference import region

    units = list(region("jiangyin").units)
    at = _page(present="1", qunit=units[1]).run()
    assert not at.exception, [e.value for e in at.exception]

    def heading():
        return next(x.value for x in at.markdown if "<h2" in x.value)

    assert region("jiangyin").units[units[1]].name in heading() and "（2/21）" in heading()
    at.button(key="q_next").click().run()
    assert "（3/21）" in heading()
    assert _qp(at, "qunit") == units[2]
    at.button(key="q_prev").click().run()
    at.button(key="q_prev").click().run()
    assert "（1/21）" in heading()
    at.button(key="q_prev").click().run()  # wraps around to the last unit
    assert "（21/21）" in heading()
    # leaving presentation mode returns to the tabs
    at.toggle(key="w_q_present").set_value(False).run()
    assert not at.exception and len(at.tabs) == 6


def test_page_records_comment_and_shows_last_quarter(page_store, app_user):
    from lifecycle.domain.reference import region

    unit = list(region("jiangyin").units)[0]
    # a comment of the previous quarter shows as 上季度点评意见 in this quarter's presentation
    comments.add(page_store, "unit", unit, "2026Q2", "分管副市长", "上季度要求：加快审批")
    at = _page().run()
    form_text = at.text_area(key="c_text_main")
    form_text.input("开工进度偏慢，请限期推进")
    at.selectbox(key="c_follow_main").set_value("todo")
    next(b for b in at.button if b.label == "保存点评意见").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已保存点评意见" in s.value for s in at.success)
    stored = comments.list_comments(page_store, "2026Q3")
    assert stored["text"].to_list() == ["开工进度偏慢，请限期推进"]
    assert stored["author"][0] == app_user.name and stored["target_kind"][0] == "unit" and stored["target_id"][0] == unit
    assert stored["follow_up"][0] == "todo"
    shown = [d.value for d in at.dataframe]
    assert any((df.astype(str) == "开工进度偏慢，请限期推进").any().any() for df in shown)
    assert any((df.astype(str) == "上季度要求：加快审批").any().any() for df in shown)
    # an empty comment is refused with a Chinese message, nothing stored
    next(b for b in at.button if b.label == "保存点评意见").click().run()
    assert any("点评意见不能为空" in e.value for e in at.error)
    assert comments.list_comments(page_store, "2026Q3").height == 1
    # presentation mode of that unit shows both quarters' comments
    at2 = _page(present="1", qunit=unit).run()
    assert not at2.exception
    assert any("上季度点评意见" in h.value for h in at2.subheader)
    tables = [t.value for t in at2.table]
    assert any((t.astype(str) == "开工进度偏慢，请限期推进").any().any() for t in tables)
    assert any((t.astype(str) == "上季度要求：加快审批").any().any() for t in tables)


def test_page_edit_keeps_history(page_store, app_user):
    from lifecycle.domain.reference import region

    unit = list(region("jiangyin").units)[0]
    cid = comments.add(page_store, "unit", unit, "2026Q3", "张三", "初稿意见")
    at = _page().run()
    assert at.selectbox(key="q_edit_id").value == cid
    edit_area = next(t for t in at.text_area if t.value == "初稿意见")
    edit_area.input("修改后的意见")
    assert not [t for t in at.text_input if t.label == "修改人"]  # the logged-in account edits
    next(b for b in at.button if b.label == "保存修改（新版本）").click().run()
    assert not at.exception, [e.value for e in at.exception]
    h = comments.history(page_store, cid)
    assert h["text"].to_list() == ["初稿意见", "修改后的意见"] and h["edited_by"].to_list() == ["张三", app_user.name]


def test_page_changzhou(demo_stores, monkeypatch):
    """The page works for the Changzhou region too (districts as units, 常州经开区 included)."""
    import streamlit as st
    from lifecycle.domain.reference import CHANGZHOU_JKQ_CODE

    monkeypatch.setenv("LIFECYCLE_STORE", str(demo_stores["changzhou"]))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = _page().run()
        assert not at.exception, [e.value for e in at.exception]
        m = metrics_for(Store(demo_stores["changzhou"]))
        tot = m.quarter_summary("2026Q3").filter(pl.col("unit_code").is_null()).row(0, named=True)
        df = at.dataframe[0].value
        assert len(df) == 8  # 7 units + 合计
        assert int(df[df["板块"] == "合计"].iloc[0]["本季度竣工项目数"]) == tot["completed_count"]
        at = _page(present="1", qunit=CHANGZHOU_JKQ_CODE).run()
        assert not at.exception
        assert any("常州经开区" in x.value and "<h2" in x.value for x in at.markdown)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
