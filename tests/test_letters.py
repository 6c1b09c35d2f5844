"""提醒函 / 约谈 as records and documents (docs/domain.md §12): the store's records, counting once
per list month, routing to departments (configurable), the Word letters' facts, the department
sheets, the CLI, and the 提醒约谈 page and the project file on both regions' demo stores."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from helpers import DEMO_END, metrics_for, project, publish
from lifecycle import cli
from lifecycle.outputs import exports
from lifecycle.outputs import letters as docs
from lifecycle.store import letters as sl
from lifecycle.store.records import RecordError
from lifecycle.store.snapshots import Store

REPO = Path(__file__).resolve().parents[1]
D = dt.date


@pytest.fixture
def store3(make_store):
    """P1 (industry, planned completion 2026-08-31) and P2 (service, 2026-06-30), never completed;
    months 2026-09, 2026-10, 2026-11 published.
    P1: 08-31 + 1 month = 09-30 <= A(09) -> reminder at 09; + 3 months = 11-30, not < A(11) -> reminder
    through 11. P2: 06-30 + 3 months = 09-30, not < 09-30 -> reminder at 09; interview from 10."""
    st = make_store()
    ps = [project("P1", name="轴承项目", planned_completed_on="2026-08-31", cumulative_done_wan=32000.0),
          project("P2", name="物流中心", category="service", planned_completed_on="2026-06-30",
                  township_code="320281100")]
    for mo in ("2026-09", "2026-10", "2026-11"):
        publish(st, mo, ps)
    return st


def test_record_validation_and_void(tmp_path):
    lid = sl.record(tmp_path, "P1", "提醒函", "2026-09", "王五", acted_on="2026-10-03", doc_no="澄工信函〔2026〕12号")
    assert lid == 1 and sl.all_records(tmp_path).row(0, named=True)["kind"] == "reminder"
    with pytest.raises(RecordError, match="经办人不能为空"):
        sl.record(tmp_path, "P1", "reminder", "2026-09", "")
    with pytest.raises(RecordError, match="督办方式“电话”无效"):
        sl.record(tmp_path, "P1", "电话", "2026-09", "王五")
    with pytest.raises(RecordError, match="清单月份应为 YYYY-MM"):
        sl.record(tmp_path, "P1", "reminder", "2026-9", "王五")
    with pytest.raises(RecordError, match="早于清单月份"):
        sl.record(tmp_path, "P1", "reminder", "2026-09", "王五", acted_on="2026-08-31")
    with pytest.raises(RecordError, match="不能晚于今天"):
        sl.record(tmp_path, "P1", "reminder", "2026-09", "王五", acted_on=dt.date.today() + dt.timedelta(days=1))
    v = sl.void(tmp_path, lid, "李四", note="误登记")
    assert sl.effective(tmp_path).is_empty() and sl.all_records(tmp_path)["voids"].to_list() == [None, lid]
    with pytest.raises(RecordError, match="已作废"):
        sl.void(tmp_path, lid, "李四")
    with pytest.raises(RecordError, match="没有编号为"):
        sl.void(tmp_path, v, "李四")


def _row(df: pl.DataFrame, pid: str) -> dict:
    return df.filter(pl.col("project_id") == pid).row(0, named=True)


def test_lists_route_and_count_once_per_month(store3):
    st = store3
    m = metrics_for(st)
    r9 = m.letter_list("2026-09", "reminder")
    assert sorted(r9["project_id"].to_list()) == ["P1", "P2"]
    assert _row(r9, "P1")["route_dept"] == "工信局" and _row(r9, "P2")["route_dept"] == "商务局"
    assert m.letter_list("2026-10", "interview")["project_id"].to_list() == ["P2"]
    # two letters for the September list (sent 10-03 and 10-05): counted once
    sl.record(st.root, "P1", "reminder", "2026-09", "王五", acted_on="2026-10-03", doc_no="〔2026〕12号")
    sl.record(st.root, "P1", "reminder", "2026-09", "王五", acted_on="2026-10-05")
    a10, a11 = D(2026, 10, 31), D(2026, 11, 30)
    x = _row(m.letter_list("2026-10", "reminder", as_of=a10), "P1")
    assert (x["letters_sent"], x["done_this_month"], x["last_letter_on"]) == (1, False, D(2026, 10, 5))
    assert x["doc_no"] == "〔2026〕12号"
    # September's own list sees them as done for that month (at a reference date after they were sent)
    assert _row(m.letter_list("2026-09", "reminder", as_of=a10), "P1")["done_this_month"] is True
    # but not at September's month end, before they were sent
    assert _row(m.letter_list("2026-09", "reminder"), "P1")["letters_sent"] == 0
    # the October letter, sent 11-02: counted at November (2 months), not at October's month end
    lid = sl.record(st.root, "P1", "reminder", "2026-10", "王五", acted_on="2026-11-02")
    assert _row(m.letter_list("2026-10", "reminder", as_of=a10), "P1")["letters_sent"] == 1
    x = _row(m.letter_list("2026-11", "reminder", as_of=a11), "P1")
    assert (x["letters_sent"], x["done_this_month"]) == (2, False)
    # an interview for P2 in October; the November list shows both kinds of history
    sl.record(st.root, "P2", "reminder", "2026-09", "赵六", acted_on="2026-10-08")
    sl.record(st.root, "P2", "约谈", "2026-10", "赵六", acted_on="2026-10-28")
    y = _row(m.letter_list("2026-11", "interview", as_of=a11), "P2")
    assert (y["letters_sent"], y["interviews_held"], y["done_this_month"]) == (1, 1, False)
    assert docs.done_text(y) == "已发函×1　已约谈×1"
    # voiding the October letter takes it out of the count
    sl.void(st.root, lid, "王五")
    assert _row(m.letter_list("2026-11", "reminder", as_of=a11), "P1")["letters_sent"] == 1


def test_routing_is_configurable(store3):
    (Path(store3.root) / "config.toml").write_text(
        '[letters]\nroute_by = "lead_dept"\n[letters.departments]\nservice = "服务业局"\n', encoding="utf-8")
    m = metrics_for(store3)
    r = m.letter_list("2026-09", "reminder")
    # lead_dept (工信局 in the fixture) comes first when route_by = lead_dept
    assert set(r["route_dept"]) == {"工信局"}
    (Path(store3.root) / "config.toml").write_text(
        '[letters]\nroute_by = "category"\n[letters.departments]\nservice = "服务业局"\n', encoding="utf-8")
    m = metrics_for(store3)
    assert _row(m.letter_list("2026-09", "reminder"), "P2")["route_dept"] == "服务业局"


def test_letter_documents_carry_the_facts(store3):
    m = metrics_for(store3)
    rows = m.letter_list("2026-10", "reminder", as_of=D(2026, 10, 31))
    p1 = _row(rows, "P1")
    text = docs.docx_text(docs.letter_docx(p1, "reminder", "2026-10", "工信局", "江阴市", doc_no="澄工信函〔2026〕15号",
                                           date=D(2026, 11, 3)))
    # 08-31 -> 10-31 is 61 days = 2.0 months (61 / 30.4375); 总投资 50,000 万元 = 5.00亿元; done 3.20亿元
    for s in ("提醒函", "文号：澄工信函〔2026〕15号", "关于督促“轴承项目”加快竣工投产的提醒函", "项目编号P1",
              "总投资5.00亿元", "计划竣工日期为2026-08-31", "截至2026年10月末尚未竣工", "已逾期61天（约2.0个月）",
              "累计完成投资3.20亿元", "澄江街道、测试企业有限公司：", "江阴市工信局", "2026年11月3日"):
        assert s in text, s
    assert "此前已发提醒函" not in text
    iv = m.letter_list("2026-10", "interview", as_of=D(2026, 10, 31))
    t2 = docs.docx_text(docs.letter_docx(_row(iv, "P2"), "interview", "2026-10", "商务局", "江阴市"))
    assert "约谈通知" in t2 and "关于约谈“物流中心”项目单位的通知" in t2 and "已逾期123天（约4.0个月）" in t2
    assert "文号：〔　　〕　　号" in t2  # the 文号 line is there to fill in
    both = docs.docx_text(docs.letters_docx(m.letter_list("2026-09", "reminder"), "reminder", "2026-09", None, "江阴市"))
    assert both.count("加快竣工投产的提醒函") == 2 and "江阴市商务局" in both and "江阴市工信局" in both


def test_department_sheets_and_cli(store3, tmp_path, capsys):
    m = metrics_for(store3)
    rows = m.letter_list("2026-10", "reminder", as_of=D(2026, 10, 31))
    got = exports.read_sheet(docs.dept_sheet_bytes(rows, "reminder", "工信局", "2026-10",
                                                   m.flag_rule("completion_reminder"), "江阴市"))
    assert got["title"] == "江阴市工信局提醒函项目清单" and got["dept"] == "工信局" and got["month"] == "2026-10"
    assert got["frame"]["项目编号"].to_list() == ["P1"] and got["frame"]["已发函（次）"].to_list() == [0.0]
    out = tmp_path / "out"
    assert cli.main(["letters", "--store", str(store3.root), "--month", "2026-10", "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["江阴市工信局提醒函_2026-10.xlsx", "江阴市工信局提醒函_2026-10.docx",
                            "江阴市商务局约谈_2026-10.xlsx", "江阴市商务局约谈_2026-10.docx"])
    assert cli.main(["letters", "--store", str(store3.root), "--month", "2026-13", "--out", str(out)]) == 2
    assert "月份格式应为 YYYY-MM" in capsys.readouterr().err


# ---- pages ----------------------------------------------------------------------------------
def _page(name: str, **query) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{name}.py"), default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_letters_page_on_demo(region_env, region):
    m = region_env(region)
    at = _page("letters")
    assert not at.exception, [e.value for e in at.exception]
    rows = m.letter_list(DEMO_END, "reminder")
    got = {x.label: x.value for x in at.metric}
    assert got["列入清单"] == f"{rows.height:,}" and rows.height > 0
    assert len(at.tabs) == rows["route_dept"].n_unique()
    at.radio(key="lt_kind").set_value("interview").run()
    assert not at.exception
    assert {x.label: x.value for x in at.metric}["列入清单"] == f"{m.letter_list(DEMO_END, 'interview').height:,}"


def test_letters_page_records_and_project_file_shows(demo_stores, tmp_path, monkeypatch):
    import streamlit as stl

    dst = tmp_path / "store"
    shutil.copytree(demo_stores["jiangyin"], dst)
    monkeypatch.setenv("LIFECYCLE_STORE", str(dst))
    stl.cache_data.clear()
    stl.cache_resource.clear()
    try:
        at = _page("letters")
        m = metrics_for(Store(dst))
        rows = m.letter_list(DEMO_END, "reminder")
        dept = sorted(rows["route_dept"].unique().to_list())[0]
        pid = rows.filter(pl.col("route_dept") == dept)["project_id"][0]
        at.multiselect(key=f"lt_pick_reminder_{dept}").set_value([pid])
        at.text_input(key=f"lt_rec_no_reminder_{dept}").input("澄工信函〔2026〕1号")
        at.text_input(key=f"lt_rec_by_reminder_{dept}").input("测试员")
        btn = [b for b in at.button if b.label == "登记"][0]
        btn.click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("已登记" in s.value for s in at.success), [e.value for e in at.error]
        rec = sl.effective(dst, pid)
        assert rec.height == 1 and rec["recorded_by"][0] == "测试员" and rec["list_month"][0] == DEMO_END
        assert _row(m.letter_list(DEMO_END, "reminder"), pid)["done_this_month"] is True
        pf = _page("project", pid=pid)
        assert not pf.exception
        assert any("已发函×1" in c.value for c in pf.caption)
        assert any("文号" in d.value.columns and "澄工信函〔2026〕1号" in d.value["文号"].to_list()
                   for d in pf.dataframe)
    finally:
        stl.cache_data.clear()
        stl.cache_resource.clear()
