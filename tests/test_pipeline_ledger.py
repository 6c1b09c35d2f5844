"""The 招商线索 / 审查 sheets of the monthly ledger and the projects' 线索编号 link
(docs/domain.md §16.5): template and export, validation with one-line Chinese issues, the
append-only and idempotent write to pipeline.sqlite, conflicts with edits made in the app, the
publish order (a failed import writes nothing), the veto rule on import and the round trip.
Hand-built stores; expected values worked out by hand in each test."""
from __future__ import annotations

import sqlite3

import openpyxl
import polars as pl
import pytest

from helpers import frame, metrics_for, project, publish, rewrite_as_older_version
from lifecycle.domain import schema
from lifecycle.ingest.importer import Source, export_month, import_ledgers
from lifecycle.ingest.template import ledger_bytes, write_ledger
from lifecycle.store import pipeline as p
from lifecycle.store.snapshots import Store

M0, M1 = "2026-09", "2026-10"
A = "320281001"  # 澄江街道


def _lead(store, name, stage="talks", inv=10000.0, contact="2026-09-01"):
    return p.add_lead(store, "招商员甲", name, stage=stage, channel="产业招商", industry_chain="新材料",
                      project_type="基地型", expected_investment_wan=inv, source_body="澄江街道", owner="张三",
                      unit_code=A, last_contact_on=contact)


def _round(store, lead_id, verdict, reasons=None, on="2026-09-15", dims=("legal", "commercial", "financial")):
    rid = p.open_review(store, lead_id, "商务局秘书")
    for d in dims:
        p.add_opinion(store, rid, d, f"{d}专家", f"{d}意见")
    if verdict:
        p.decide(store, rid, "审查委员会主任", verdict, reasons, on)
    return rid


@pytest.fixture
def pstore(make_store):
    """M0 published with P1, P2 (no links). Leads: L1 洽谈 (never reviewed); L2 vetoed in round 1
    (不符合产业政策, 2026-09-15); L3 passed round 1 then 正式签约; L4 round 1 补充材料, round 2 open
    with only the legal opinion."""
    st = make_store()
    publish(st, M0, [project("P1"), project("P2")])
    ids = {"L1": _lead(st, "L1项目", inv=1000.0)}
    ids["L2"] = _lead(st, "L2项目", inv=2000.0)
    _round(st, ids["L2"], "veto", "不符合产业政策")
    ids["L3"] = _lead(st, "L3项目", inv=3000.0)
    _round(st, ids["L3"], "pass")
    p.move_stage(st, ids["L3"], "招商员乙", "formal")
    ids["L4"] = _lead(st, "L4项目", inv=4000.0)
    _round(st, ids["L4"], "more", "补充尽调报告")
    _round(st, ids["L4"], None, dims=("legal",))
    st.ids = ids
    return st


def _counts(store) -> dict:
    con = sqlite3.connect(p.db_path(store))
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("leads", "lead_versions", "reviews", "review_opinions", "review_verdicts")}
    finally:
        con.close()


def _content(store) -> tuple[pl.DataFrame, pl.DataFrame]:
    leads, reviews = p.ledger_frames(store)
    return leads.drop("version"), reviews


def _export(store, month, path):
    export_month(store, month, str(path))
    return path


def _import(path, store, month=M1, **kw):
    return import_ledgers([Source.from_path(path)], month, store, **kw)


def _cells(path, sheet) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    return [r for r in wb[sheet].iter_rows(values_only=True)]


def _edit(path, sheet, row, header, value):
    """Set the cell of `header` in Excel row `row` of `sheet`."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    col = [c.value for c in ws[2]].index(header) + 1
    ws.cell(row=row, column=col).value = value
    wb.save(path)


def _append_rows(path, sheet, rows: list[dict]):
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    heads = [c.value for c in ws[2]]
    for r in rows:
        ws.append([r.get(h) for h in heads])
    wb.save(path)


# ---- template and export ---------------------------------------------------------------------
def test_template_has_both_sheets_with_headers_example_rows_and_notes(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(ledger_bytes("changzhou"))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-3:] == ["招商线索", "审查", "说明"]
    leads = _cells(path, "招商线索")
    assert leads[1][:4] == ("线索编号", "版本", "线索名称", "阶段") and "入库项目编号" in leads[1]
    assert leads[3][0].startswith("示例") and leads[3][3] == "洽谈"
    reviews = _cells(path, "审查")
    assert reviews[1] == ("线索编号", "审查轮次", "审查维度", "审查人", "审查意见", "审查结论", "结论理由", "日期")
    # three opinions and the verdict of the example round, all marked as examples
    assert [r[2] for r in reviews[3:]] == ["法务", "商务", "财务", None] and reviews[6][5] == "通过"
    assert all(str(r[0]).startswith("示例") for r in reviews[3:])
    notes = "\n".join(r[0] for r in _cells(path, "说明"))
    assert "招商线索表、审查表（均可选" in notes and "线索编号" in notes
    assert "线索编号" in _cells(path, "项目")[1]  # the projects' link column


def test_export_writes_one_row_per_lead_and_per_opinion_and_verdict(pstore, tmp_path):
    ids = pstore.ids
    publish(pstore, M1, [project("P1"), project("P3", lead_id=ids["L3"])])
    path = _export(pstore, M1, tmp_path / "m.xlsx")
    leads = _cells(path, "招商线索")[3:]
    assert [r[0] for r in leads] == [ids["L1"], ids["L2"], ids["L3"], ids["L4"]]
    by_id = {r[0]: r for r in leads}
    # L3: created v1, review opened v2, formal v3; linked to P3 through the projects sheet
    assert by_id[ids["L3"]][1:4] == (3, "L3项目", "正式签约") and by_id[ids["L3"]][12] == "P3"
    assert by_id[ids["L2"]][3] == "审查" and by_id[ids["L1"]][3] == "洽谈" and by_id[ids["L1"]][12] is None
    assert by_id[ids["L1"]][10] == "澄江街道"  # the unit by name
    reviews = _cells(path, "审查")[3:]
    # L2: 3 opinions + veto; L3: 3 + pass; L4: round 1 3 + 补充材料, round 2 one opinion -> 4 + 4 + 5 = 13
    assert len(reviews) == 13
    veto = [r for r in reviews if r[0] == ids["L2"] and r[5]]
    assert veto == [(ids["L2"], 1, None, "审查委员会主任", None, "否决", "不符合产业政策", veto[0][7])]
    assert veto[0][7].date().isoformat() == "2026-09-15"
    assert [(r[1], r[2]) for r in reviews if r[0] == ids["L4"]] == [(1, "法务"), (1, "商务"), (1, "财务"), (1, None),
                                                                    (2, "法务")]


def test_a_ledger_without_the_sheets_imports_as_before_and_creates_no_pipeline(make_store, tmp_path):
    st = make_store()
    path = tmp_path / "m.xlsx"
    write_ledger(str(path), "jiangyin", {"projects": frame("projects", [project("P1")])}, M0)
    wb = openpyxl.load_workbook(path)
    del wb["招商线索"], wb["审查"]
    wb.save(path)
    res = _import(path, st, M0)
    assert res.ok, res.report.text(limit=5)
    assert st.months() == [M0] and not p.db_path(st).exists() and "pipeline" not in res.report.summary


# ---- round trip and idempotence --------------------------------------------------------------
def test_round_trip_into_a_fresh_store_gives_equal_pipeline_content(pstore, tmp_path):
    ids = pstore.ids
    publish(pstore, M1, [project("P1"), project("P3", lead_id=ids["L3"])])
    path = _export(pstore, M1, tmp_path / "m.xlsx")
    fresh = Store(tmp_path / "fresh")
    res = import_ledgers([Source.from_path(path)], M1, fresh, region_key="jiangyin", user="导入员")
    assert res.ok, res.report.text(limit=10)
    assert not res.report.warnings
    # 4 leads; rounds: L2 1, L3 1, L4 2; opinions 3 + 3 + 3 + 1; verdicts veto, pass, more
    assert res.report.summary["pipeline"]["counts"] == {"created": 4, "updated": 0, "rounds": 4, "opinions": 10,
                                                        "verdicts": 3, "conflicts": 0}
    a_leads, a_reviews = _content(pstore)
    b_leads, b_reviews = _content(fresh)
    assert a_leads.equals(b_leads) and a_reviews.equals(b_reviews)
    assert fresh.read(M1, "projects").filter(pl.col("project_id") == "P3")["lead_id"].to_list() == [ids["L3"]]
    # the veto and its reason survive: L2 still may not enter the library
    with pytest.raises(p.PipelineError, match="不符合产业政策"):
        p.check_admission(fresh, ids["L2"])
    p.check_admission(fresh, ids["L3"])
    # re-importing the same file adds nothing
    before = _counts(fresh)
    again = import_ledgers([Source.from_path(path)], M1, fresh, user="导入员")
    assert again.ok and not again.report.warnings
    assert set(again.report.summary["pipeline"]["counts"].values()) == {0}
    assert _counts(fresh) == before


def test_reimport_into_the_source_store_adds_nothing(pstore, tmp_path):
    path = _export(pstore, M0, tmp_path / "m.xlsx")
    before = _counts(pstore)
    res = _import(path, pstore, M0)
    assert res.ok and not res.report.warnings, res.report.text(limit=5)
    assert _counts(pstore) == before
    assert res.report.summary["pipeline"]["text"] == "招商线索与审查：与线索库一致，没有新内容"


# ---- edits, conflicts -------------------------------------------------------------------------
def test_edit_on_the_current_version_is_a_new_version_an_outdated_one_a_conflict(pstore, tmp_path):
    ids = pstore.ids
    path = _export(pstore, M0, tmp_path / "m.xlsx")
    # rows 4.. are the leads in id order: L1 on row 4, L2 on row 5
    _edit(path, "招商线索", 4, "责任人", "王五")            # L1 at version 1 in the file and the store
    _edit(path, "招商线索", 5, "预计投资（万元）", 9999)     # L2: edited in the app after the export
    p.update_lead(pstore, ids["L2"], "招商员乙", owner="赵六")  # L2 -> version 3 (created, review, edit)
    res = _import(path, pstore, M0, user="导入员")
    assert res.ok, res.report.text(limit=5)
    l1, l2 = p.get_lead(pstore, ids["L1"]), p.get_lead(pstore, ids["L2"])
    assert (l1["version"], l1["owner"], l1["edited_by"]) == (2, "王五", "导入员")
    assert p.history(pstore, ids["L1"])["change"].to_list() == ["created", "import:edited"]
    assert (l2["version"], l2["owner"], l2["expected_investment_wan"]) == (3, "赵六", 2000.0)  # app's edit kept
    (w,) = res.report.warnings
    assert (w.sheet, w.row, w.column, w.value) == ("招商线索", 5, "版本", "2")
    assert w.message.startswith(f"线索 {ids['L2']} 在系统中已更新为第3版（台账为第2版），台账中对该线索的修改未导入")
    assert res.report.summary["pipeline"]["counts"]["conflicts"] == 1


def test_new_round_from_the_ledger_reopens_a_vetoed_lead_then_it_may_sign(pstore, tmp_path):
    ids = pstore.ids
    path = _export(pstore, M0, tmp_path / "m.xlsx")
    _append_rows(path, "审查", [
        {"线索编号": ids["L2"], "审查轮次": 2, "审查维度": d, "审查人": f"{d}专家", "审查意见": "已整改", "日期": "2026-09-20"}
        for d in ("法务", "商务", "财务")] + [
        {"线索编号": ids["L2"], "审查轮次": 2, "审查结论": "通过", "审查人": "主任", "结论理由": "整改到位", "日期": "2026-09-25"}])
    _edit(path, "招商线索", 5, "阶段", "意向签约")  # L2's row, at its current version
    res = _import(path, pstore, M0)
    assert res.ok, res.report.text(limit=5)
    assert res.report.summary["pipeline"]["counts"] == {"created": 0, "updated": 1, "rounds": 1, "opinions": 3,
                                                        "verdicts": 1, "conflicts": 0}
    lead = p.get_lead(pstore, ids["L2"])
    assert (lead["stage"], lead["verdict"], str(lead["decided_on"])) == ("intent", "pass", "2026-09-25")
    # versions: created, review:1, review:2, stage:intent
    assert p.history(pstore, ids["L2"])["change"].to_list()[-1] == "stage:intent"
    p.check_admission(pstore, ids["L2"])


# ---- validation -------------------------------------------------------------------------------
def test_bad_cells_are_one_line_chinese_errors_and_nothing_is_written(pstore, tmp_path):
    ids = pstore.ids
    path = _export(pstore, M0, tmp_path / "m.xlsx")
    _edit(path, "招商线索", 4, "阶段", "已签约")
    _edit(path, "招商线索", 4, "招商渠道", "随便招商")
    _append_rows(path, "审查", [
        {"线索编号": ids["L4"], "审查轮次": 2, "审查结论": "否决", "日期": "2026-09-30"},           # no reasons
        {"线索编号": ids["L4"], "审查轮次": 2, "审查维度": "法务", "审查结论": "通过"},            # both
        {"线索编号": ids["L1"], "审查轮次": 1, "审查维度": "税务", "审查人": "甲", "审查意见": "乙"},  # bad dimension
    ])
    _edit(path, "招商线索", 5, "线索名称", "名" * 201)
    before = _counts(pstore)
    res = _import(path, pstore, M0)
    assert not res.ok
    got = {(e.sheet, e.row, e.column, e.value): e.message for e in res.report.errors}
    assert got[("招商线索", 4, "阶段", "已签约")] == "阶段“已签约”无效（可选：线索、洽谈、审查、意向签约、正式签约）"
    assert got[("招商线索", 4, "招商渠道", "随便招商")].startswith("招商渠道“随便招商”不在本地区配置的分类中（可选：")
    rows = len(_cells(path, "审查"))  # the three appended rows are the last three
    assert got[("审查", rows - 2, "结论理由", "")] == "结论为“否决”时须填写结论理由"
    assert got[("审查", rows - 1, "审查结论", "通过")].startswith("一行只能是一条意见")
    assert got[("审查", rows, "审查维度", "税务")] == "审查维度“税务”无效（可选：法务、商务、财务）"
    assert got[("招商线索", 5, "线索名称", "名" * 201)] == "线索名称过长（201字，最多200字）"
    assert all(e.file == "m.xlsx" for e in res.report.errors)
    assert _counts(pstore) == before and pstore.months() == [M0] and len(pstore.publications()) == 1


def test_store_rules_name_the_row(pstore, tmp_path):
    ids = pstore.ids
    path = _export(pstore, M0, tmp_path / "m.xlsx")
    _append_rows(path, "审查", [
        {"线索编号": 99, "审查轮次": 1, "审查维度": "法务", "审查人": "甲", "审查意见": "乙"},        # unknown lead
        {"线索编号": ids["L1"], "审查轮次": 3, "审查维度": "法务", "审查人": "甲", "审查意见": "乙"},  # gap
        {"线索编号": ids["L3"], "审查轮次": 2, "审查维度": "法务", "审查人": "甲", "审查意见": "乙"},  # signed
    ])
    n = len(_cells(path, "审查"))
    res = _import(path, pstore, M0)
    got = {(e.sheet, e.row, e.column): e.message for e in res.report.errors}
    assert got == {
        ("审查", n - 2, "线索编号"): "线索 99 既不在线索库中，也不在本台账的招商线索表中",
        ("审查", n - 1, "审查轮次"): f"线索 {ids['L1']} 在线索库中有 0 轮审查，台账中的第3轮之前缺少第1轮",
        ("审查", n, "审查轮次"): f"线索 {ids['L3']} 已正式签约，不再审查",
    }
    assert pstore.months() == [M0]


# ---- admission of linked projects --------------------------------------------------------------
def _ledger_with_project(path, store, month, rows):
    tables = {t: store.read(month, t) for t in schema.TABLE_NAMES}
    tables["projects"] = pl.concat([tables["projects"], frame("projects", rows)])
    write_ledger(str(path), "jiangyin", tables, M1)
    return path


def test_a_vetoed_lead_cannot_enter_the_library_by_import_until_a_new_review_passes(pstore, tmp_path):
    ids = pstore.ids
    path = _ledger_with_project(tmp_path / "m.xlsx", pstore, M0, [project("P9", lead_id=ids["L2"])])
    before = _counts(pstore)
    res = _import(path, pstore)
    assert not res.ok
    (e,) = res.report.errors
    assert (e.sheet, e.row, e.column, e.value) == ("项目", 6, "线索编号", str(ids["L2"]))  # P1, P2, P9 on rows 4-6
    assert e.message == (f"项目 P9 不能入库：线索 {ids['L2']} 已于 2026-09-15 被审查委员会否决（理由：不符合产业政策），"
                         "须重新审查通过后方可签约或入库")
    assert pstore.months() == [M0] and _counts(pstore) == before
    # never reviewed, or asked for more material: refused as well
    for lid, words in ((ids["L1"], "尚未经审查委员会审查通过"), (ids["L4"], "审查尚未作出结论")):
        bad = _ledger_with_project(tmp_path / f"x{lid}.xlsx", pstore, M0, [project("P9", lead_id=lid)])
        r = _import(bad, pstore, dry_run=True)
        assert [words in x.message for x in r.report.errors] == [True]
    # a new round that passes (recorded in the app) lets the same file through
    _round(pstore, ids["L2"], "pass", on="2026-10-08")
    res = _import(path, pstore)
    assert res.ok, res.report.text(limit=5)
    assert pstore.read(M1, "projects").filter(pl.col("project_id") == "P9")["lead_id"].to_list() == [ids["L2"]]


def test_a_link_published_before_is_not_checked_again(pstore, tmp_path):
    """P3 was admitted through L3 in M1; a new round opened for another lead later does not
    block re-importing M1's projects (only new links are checked)."""
    ids = pstore.ids
    path = _ledger_with_project(tmp_path / "m.xlsx", pstore, M0, [project("P3", lead_id=ids["L3"])])
    assert _import(path, pstore).ok
    again = _import(path, pstore, dry_run=True)
    assert again.ok and "pipeline" not in again.report.summary  # no sheets with rows (none exported), no new link


# ---- publish order: a failed import writes nothing -------------------------------------------
def test_a_failed_switch_rolls_the_pipeline_rows_back(pstore, tmp_path, monkeypatch):
    ids = pstore.ids
    path = _export(pstore, M0, tmp_path / "m.xlsx")
    _append_rows(path, "招商线索", [{"线索编号": 50, "线索名称": "新线索", "阶段": "线索", "预计投资（万元）": 500}])
    before = _counts(pstore)

    def boom(*a, **k):
        raise OSError("磁盘已满")

    monkeypatch.setattr(Store, "publish", boom)
    with pytest.raises(OSError):
        _import(path, pstore, M1)
    assert _counts(pstore) == before and p.get_lead(pstore, 50) is None
    monkeypatch.undo()
    res = _import(path, pstore, M1)
    assert res.ok and p.get_lead(pstore, 50)["name"] == "新线索" and pstore.months() == [M0, M1]
    assert p.get_lead(pstore, ids["L1"])["version"] == 1


def test_an_error_elsewhere_in_the_ledger_writes_no_pipeline_row(pstore, tmp_path):
    path = _export(pstore, M0, tmp_path / "m.xlsx")
    _append_rows(path, "招商线索", [{"线索编号": 50, "线索名称": "新线索", "阶段": "线索", "预计投资（万元）": 500}])
    _edit(path, "项目", 4, "签约日期", "2026-02-30")
    before = _counts(pstore)
    res = _import(path, pstore, M1)
    assert not res.ok and any(e.sheet == "项目" and "2月只有28天" in e.message for e in res.report.errors)
    assert _counts(pstore) == before and pstore.months() == [M0]


# ---- months published before the 线索编号 column ------------------------------------------------
def test_a_month_published_before_the_lead_column_still_reads_exports_and_carries(pstore, tmp_path):
    rewrite_as_older_version(pstore, M0, "projects", ["lead_id"])
    assert "lead_id" not in pstore.read(M0, "projects").columns
    m = metrics_for(Store(pstore.root))
    assert m.rates(M0) is not None
    path = _export(pstore, M0, tmp_path / "m.xlsx")
    res = _import(path, pstore, M1)
    assert res.ok, res.report.text(limit=5)
    assert pstore.read(M1, "projects")["lead_id"].to_list() == [None, None]


def test_a_changed_row_without_version_is_a_conflict_and_a_pipeline_only_ledger_carries_the_month(pstore, tmp_path):
    """Only the 招商线索 sheet, amounts in 亿元: the month's tables are carried forward from M0;
    L1 changed with its 版本 cell emptied is a conflict (kept as in the store); L2-L4 restated in
    亿元 are equal (nothing written); new lead 60 is created at 线索 with 1.5亿元 = 15000 万元."""
    ids = pstore.ids
    path = _export(pstore, M0, tmp_path / "m.xlsx")
    _edit(path, "招商线索", 4, "责任人", "王五")
    _edit(path, "招商线索", 4, "版本", None)
    _append_rows(path, "招商线索", [{"线索编号": 60, "线索名称": "新材料基地", "阶段": "线索", "预计投资（万元）": 15000}])
    wb = openpyxl.load_workbook(path)
    for name in ("项目", "审批", "运行", "问题", "要素指标", "审查"):
        del wb[name]
    wb["招商线索"].cell(row=2, column=8).value = "预计投资（亿元）"  # the header's unit counts for every row:
    for r in range(4, 8):                                          # the exported 万元 figures restated in 亿元
        c = wb["招商线索"].cell(row=r, column=8)
        c.value = c.value / 10000
    wb["招商线索"].cell(row=wb["招商线索"].max_row, column=8).value = 1.5
    wb.save(path)
    res = _import(path, pstore, M1)
    assert res.ok, res.report.text(limit=5)
    assert pstore.months() == [M0, M1] and pstore.read(M1, "projects")["project_id"].to_list() == ["P1", "P2"]
    (w,) = res.report.warnings
    assert (w.row, w.column) == (4, "版本") and "台账为未填版本" in w.message
    assert p.get_lead(pstore, ids["L1"])["owner"] == "张三"
    assert res.report.summary["pipeline"]["counts"] == {"created": 1, "updated": 0, "rounds": 0, "opinions": 0,
                                                        "verdicts": 0, "conflicts": 1}
    new = p.get_lead(pstore, 60)
    assert (new["stage"], new["expected_investment_wan"], new["version"]) == ("lead", 15000.0, 1)


def test_a_commit_failing_after_the_switch_is_reported_and_a_reimport_repairs_it(pstore, tmp_path, monkeypatch):
    """The one window left (docs/domain.md §16.5): the snapshot switched, the pipeline commit
    failed. The report says so (a warning naming the file: the month is published), and importing the same file again
    writes the rows once."""
    from contextlib import contextmanager

    real = p.ledger_transaction

    @contextmanager
    def failing(root, dry_run):
        with real(root, dry_run) as con:
            yield con
            if not dry_run:
                raise sqlite3.OperationalError("disk I/O error")

    path = _export(pstore, M0, tmp_path / "m.xlsx")
    _append_rows(path, "招商线索", [{"线索编号": 50, "线索名称": "新线索", "阶段": "线索", "预计投资（万元）": 500}])
    monkeypatch.setattr(p, "ledger_transaction", failing)
    res = _import(path, pstore, M1)
    assert pstore.months() == [M0, M1] and res.publication is not None and res.ok
    (e,) = res.report.warnings
    assert e.file == "m.xlsx" and e.message.startswith("快照已发布，但招商线索/审查写入线索库失败（disk I/O error）")
    assert p.get_lead(pstore, 50) is None
    monkeypatch.undo()
    again = _import(path, pstore, M1)
    assert again.ok and again.report.summary["pipeline"]["counts"]["created"] == 1
    assert p.get_lead(pstore, 50)["name"] == "新线索"


def test_a_change_in_the_app_between_validation_and_publication_stops_the_publication(pstore, tmp_path, monkeypatch):
    """The rows are applied again under the publication's transaction: a project linked to L1,
    admitted at validation (a passing round recorded by then), is refused when the lead was
    vetoed in a new round in between -- nothing is published or written."""
    from lifecycle.ingest import importer

    ids = pstore.ids
    _round(pstore, ids["L1"], "pass")
    path = _ledger_with_project(tmp_path / "m.xlsx", pstore, M0, [project("P9", lead_id=ids["L1"])])
    real = importer.check_against_store

    def then_veto(*a, **k):
        res = real(*a, **k)
        assert res.ok
        p.move_stage(pstore, ids["L1"], "招商员", "review")  # a new round in the app ...
        rid = int(p.get_lead(pstore, ids["L1"])["review_id"])
        p.decide(pstore, rid, "主任", "veto", "用地不符合规划", "2026-10-20")  # ... vetoed
        state.update(_counts(pstore))
        return res

    state: dict = {}
    monkeypatch.setattr(importer, "check_against_store", then_veto)
    res = _import(path, pstore)
    assert not res.ok and pstore.months() == [M0] and _counts(pstore) == state
    (e,) = res.report.errors
    assert (e.sheet, e.column) == ("项目", "线索编号") and "用地不符合规划" in e.message
