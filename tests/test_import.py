"""Ledger import: one test per reading/validation rule, each on a real .xlsx (or .csv) made here.
Row numbers asserted are the spreadsheet rows as Excel shows them (title in row 1, a note in
row 2, header in row 3, projects from row 4)."""
from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import polars as pl
import pytest

from lifecycle import cli
from lifecycle.domain import schema
from lifecycle.ingest.importer import Source, import_ledgers, validate
from lifecycle.ingest.report import marked_workbook
from test_import_support import (
    APPROVAL_HEAD, CODE_CHENGJIANG, CODE_HIGHTECH, CODE_HUASHI, MONTH, OPS_HEAD, PREV, PROJECT_HEAD, USCC,
    build_workbook, csv_source, find, ledger, ops_rows, project_rows, tree_hash, xlsx_bytes,
)

D = dt.date
COL = {h: i for i, h in enumerate(PROJECT_HEAD)}


def rows_with(changes: dict[tuple[int, str], object]) -> list[list]:
    """project_rows() with cells replaced: {(row index 0-based, header): value}."""
    rows = project_rows()
    for (i, h), v in changes.items():
        rows[i][COL[h]] = v
    return rows


def errors_of(store, **kw):
    res = validate([ledger(**kw)], MONTH, store)
    return res.report.errors, res.report.warnings


# ---- reading real ledgers ------------------------------------------------------------------------
def test_messy_ledger_imports_cleanly(make_store):
    """Mixed date forms, township names and codes, 亿元 totals, a 经营情况 sheet with 85%."""
    st = make_store()
    res = import_ledgers([ledger(operations=ops_rows())], MONTH, st, user="王会计")
    assert res.report.errors == [], res.report.text()
    p = st.read(MONTH, "projects").sort("project_id")
    assert p["project_id"].to_list() == ["P001", "P002", "P003"]
    # 12.5亿 = 125000万; 0.8亿 = 8000万; "3"亿 (text) = 30000万
    assert p["total_investment_wan"].to_list() == [125000.0, 8000.0, 30000.0]
    # 澄江街道 / " 华士镇 " (stray spaces) / a 9-digit code
    assert p["township_code"].to_list() == [CODE_CHENGJIANG, CODE_HUASHI, CODE_HIGHTECH]
    # Excel date cell, 2024/3/15, 2024.09.01, 2024年10月31日 style, 2024年2月 (month only -> 1st)
    assert p["signed_on"].to_list() == [D(2024, 1, 15), D(2024, 2, 1), D(2026, 6, 30)]
    assert p["filed_on"].to_list() == [D(2024, 3, 15), D(2024, 4, 10), None]
    assert p["started_on"].to_list() == [D(2024, 9, 1), D(2024, 6, 1), None]
    assert p["planned_completed_on"].to_list() == [D(2025, 10, 31), D(2025, 5, 1), None]
    assert p["signing_type"].to_list() == ["formal", "formal", "intent"]
    assert p["origin"].to_list() == ["new", "upgrade", "new"]
    assert p["category"].to_list() == ["industry", "industry", "service"]
    assert p["is_infrastructure"].to_list() == [True, False, False]
    assert p["enterprise"][0] == "江阴甲新材料有限公司"  # 建设单位 is a synonym of 项目单位
    # the two month-only dates are warnings naming their cells (P002 is Excel row 5)
    mo = find(res.report.warnings, contains="只填了年月")
    assert {(i.row, i.column) for i in mo} == {(5, "签约日期"), (5, "计划竣工日期")}
    ops = st.read(MONTH, "operations").sort("month")
    assert ops["month"].to_list() == [D(2026, 9, 1), D(2026, 10, 1)]
    assert ops["capacity_utilization"].to_list() == [0.85, 0.9]
    assert ops["employees"].to_list() == [120, 125]
    appr = st.read(MONTH, "approvals")
    assert appr.height == 3 and appr.filter(pl.col("step") == "施工许可")["received_on"][0] == D(2024, 7, 1)
    rec = st.publications()[-1]
    assert rec["user"] == "王会计" and rec["source"] == ["台账.xlsx"] and rec["month"] == MONTH
    assert rec["rows"] == {"projects": 3, "approvals": 3, "operations": 2, "problems": 0}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_and_gbk(make_store, encoding):
    st = make_store()
    rows = [[r[COL[h]] if not isinstance(r[COL[h]], dt.datetime) else "2024-01-15" for h in PROJECT_HEAD]
            for r in project_rows()]
    res = validate([csv_source("项目.csv", PROJECT_HEAD, rows, encoding)], MONTH, st)
    assert res.report.errors == [], res.report.text()
    p = res.tables["projects"]
    assert p["name"].to_list() == ["年产10万吨新材料项目", "精密轴承技改项目", "科创中心项目"]
    assert p["total_investment_wan"].to_list() == [125000.0, 8000.0, 30000.0]
    # the CSV's rows are numbered as Excel shows them when opening it (header = row 1)
    assert {i.row for i in find(res.report.warnings, contains="只填了年月")} == {3}


def test_header_synonyms_brackets_and_spaces(make_store):
    st = make_store()
    head = list(PROJECT_HEAD)
    head[COL["建设单位"]] = "企业名称"
    head[COL["所属镇街（园区）"]] = " 属 地 "
    head[COL["总投资（亿元）"]] = "总投资 (亿元)"  # half-width brackets, stray space
    head[COL["累计完成投资（万元）"]] = "*累计完成投资【万元】"
    head[COL["计划竣工日期"]] = "计划竣工时间"
    res = validate([ledger(project_head=head)], MONTH, st)
    assert res.report.errors == [], res.report.text()
    p = res.tables["projects"]
    assert p["enterprise"][1] == "江阴乙机械有限公司"
    assert p["township_code"][1] == CODE_HUASHI
    assert p["total_investment_wan"][0] == 125000.0
    assert p["cumulative_done_wan"][0] == 30000.0
    assert p["planned_completed_on"][0] == D(2025, 10, 31)


def test_units_in_header_are_converted(make_store):
    st = make_store()
    head = list(PROJECT_HEAD)
    head[COL["总投资（亿元）"]] = "总投资（万元）"
    head[COL["累计完成投资（万元）"]] = "累计完成投资（元）"
    rows = rows_with({(0, "总投资（亿元）"): 125000, (0, "累计完成投资（万元）"): 300_000_000})
    res = validate([ledger(project_head=head, projects=rows)], MONTH, st)
    assert res.report.errors == [], res.report.text()
    # 125000万元 stays; 300,000,000元 = 30000万元
    assert res.tables["projects"]["total_investment_wan"][0] == 125000.0
    assert res.tables["projects"]["cumulative_done_wan"][0] == 30000.0


def test_unknown_unit_is_an_error(make_store):
    head = list(PROJECT_HEAD)
    head[COL["总投资（亿元）"]] = "总投资（美元）"
    errs, _ = errors_of(make_store(), project_head=head)
    assert len(errs) == 1 and errs[0].row == 3 and errs[0].column == "总投资（美元）" and "单位" in errs[0].message


def test_title_rows_and_position_anywhere_in_sheet(make_store):
    """The whole table starts at C5 (two empty columns, four empty rows): rows are still Excel's."""
    st = make_store()
    rows = rows_with({(1, "总投资（亿元）"): "约5"})
    res = validate([ledger(projects=rows, origin_row=5, origin_col=3)], MONTH, st)
    (e,) = res.report.errors
    # title row 5, note row 6, header row 7, P001 row 8, P002 row 9; 总投资 is column index 11 -> C+11 = N
    assert (e.row, e.column, e.value, e.cell) == (9, "总投资（亿元）", "约5", "N9")


def test_merged_cells_are_filled_with_a_warning(make_store):
    st = make_store()
    rows = rows_with({(1, "所属镇街（园区）"): None})
    g = COL["所属镇街（园区）"] + 1
    letter = openpyxl.utils.get_column_letter(g)
    res = validate([ledger(projects=rows, merges=[f"{letter}4:{letter}5"])], MONTH, st)
    assert res.report.errors == []
    assert res.tables["projects"]["township_code"].to_list()[:2] == [CODE_CHENGJIANG, CODE_CHENGJIANG]
    assert find(res.report.warnings, row=4, contains="合并单元格")


def test_sheets_recognised_by_headers_and_one_file_per_table(make_store):
    st = make_store()
    wb = build_workbook(approvals=False)
    wb["项目台账"].title = "Sheet1"
    ops = csv_source("附件3.csv", OPS_HEAD, [["P002", "2026-10", 1, 1, 0.5, 3]], "gbk")  # by headers
    appr = csv_source("审批.csv", APPROVAL_HEAD, [["P001", "环评", "生态环境局", "2024-03-01", None, None]], "utf-8")
    res = validate([Source("a.xlsx", xlsx_bytes(wb)), ops, appr], MONTH, st)
    assert res.report.errors == [], res.report.text()
    assert res.tables["operations"].height == 1 and res.tables["approvals"].height == 1
    assert res.report.summary["tables"]["operations"]["source"] == ["附件3.csv[附件3]"]


def test_template_and_its_example_rows(make_store, tmp_path):
    from lifecycle.ingest.template import ledger_bytes

    data = ledger_bytes("jiangyin")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:4] == ["项目", "审批", "运行", "问题"]
    ws = wb["项目"]
    heads = [c.value for c in ws[2]]
    assert heads[:3] == ["项目编号", "投资项目统一代码", "项目名称"] and "所在镇街" in heads
    assert ws.cell(3, 1).value.startswith("文本") and ws.cell(4, 1).value == "示例-001"  # units row, example row
    # the bare template has no data: refused (an empty 项目 table would wipe the month)
    res = validate([Source("模板.xlsx", data)], MONTH, make_store())
    assert any("没有数据行" in e.message for e in res.report.errors)
    # a clerk adds one row under the example: only that row is imported
    ws.append(["P100", None, "新项目", "某公司", USCC[0], "澄江街道"] + [None] * 6 + ["正式签约"]
              + [None] * 5 + [dt.datetime(2026, 5, 6)])
    res = validate([Source("模板.xlsx", xlsx_bytes(wb))], MONTH, make_store(name="s2"))
    assert res.report.errors == [], res.report.text()
    assert res.tables["projects"]["project_id"].to_list() == ["P100"]
    assert res.tables["approvals"].height == 0  # the approvals example row is skipped too
    assert res.report.summary["sheets"]["模板.xlsx[项目]"]["skipped_examples"] == [4]


# ---- validation rules: every fault named by file, sheet, Excel row, header, value ---------------------
def test_text_in_number_cell(make_store):
    errs, _ = errors_of(make_store(), projects=rows_with({(1, "总投资（亿元）"): "约5"}))
    (e,) = errs
    assert (e.file, e.sheet, e.row, e.column, e.value) == ("台账.xlsx", "项目台账", 5, "总投资（亿元）", "约5")
    assert "应为数值" in e.message


def test_negative_amount(make_store):
    errs, _ = errors_of(make_store(), projects=rows_with({(0, "累计完成投资（万元）"): -100}))
    (e,) = errs
    assert (e.row, e.column, e.value) == (4, "累计完成投资（万元）", "-100") and "负数" in e.message


def test_share_outside_0_1(make_store):
    errs, _ = errors_of(make_store(), operations=[["P002", "2026-10", 1, 1, 1.3, 5], ["P002", "2026-09", 1, 1, "120%", 5]])
    assert [(e.sheet, e.row, e.column) for e in errs] == [("经营情况", 2, "产能利用率"), ("经营情况", 3, "产能利用率")]
    assert all("0到1" in e.message for e in errs)


def test_impossible_and_unreadable_dates(make_store):
    rows = rows_with({(0, "开工日期"): "2024-02-30", (1, "开工日期"): "2024-13-01", (1, "竣工日期"): "去年底"})
    errs, _ = errors_of(make_store(), projects=rows)
    by = {(e.row, e.column): e.message for e in errs}
    assert "2024年2月只有29天" in by[(4, "开工日期")]
    assert "没有13月" in by[(5, "开工日期")]
    assert "无法识别的日期" in by[(5, "竣工日期")]


def test_milestone_order(make_store):
    rows = rows_with({
        (0, "开工日期"): "2024-03-01",  # before filing 2024-03-15 -> error on 开工日期
        (1, "竣工日期"): None,  # P002 produces without completion -> error on 竣工日期
    })
    errs, _ = errors_of(make_store(), projects=rows)
    assert [(e.row, e.column) for e in errs] == [(4, "开工日期"), (5, "竣工日期")]
    assert "早于备案日期（2024-03-15）" in errs[0].message
    assert "缺少竣工日期" in errs[1].message and "投产日期" in errs[1].message


def test_missing_filing_is_only_a_warning(make_store):
    errs, warns = errors_of(make_store(), projects=rows_with({(0, "备案日期"): None}))
    assert errs == []
    (w,) = find(warns, row=4, column="备案日期")
    assert "无需备案" in w.message


def test_duplicate_project_key(make_store):
    rows = project_rows() + [project_rows()[0]]
    rows[3][0] = 4
    errs, _ = errors_of(make_store(), projects=rows)
    (e,) = errs
    assert (e.row, e.column, e.value) == (7, "项目编号", "P001") and "与第4行相同" in e.message


def test_credit_code_check_character(make_store):
    bad = USCC[0][:17] + ("0" if USCC[0][17] != "0" else "1")
    errs, _ = errors_of(make_store(), projects=rows_with({(0, "统一社会信用代码"): bad, (1, "统一社会信用代码"): "91320281MA1I2B3C4X"}))
    assert [(e.row, e.column) for e in errs] == [(4, "统一社会信用代码"), (5, "统一社会信用代码")]
    assert "校验位错误" in errs[0].message and "非法字符" in errs[1].message


def test_project_code_shape(make_store):
    errs, _ = errors_of(make_store(), projects=rows_with({(0, "投资项目统一代码"): "2024-3202-26-01-1"}))
    (e,) = errs
    assert (e.row, e.column) == (4, "投资项目统一代码") and "YYYY-AAAAAA-BB-CC-NNNNNN" in e.message


def test_unknown_township_is_an_error_not_a_new_township(make_store):
    errs, _ = errors_of(make_store(), projects=rows_with({(0, "所属镇街（园区）"): "澄江镇"}))
    (e,) = errs
    assert (e.row, e.column, e.value) == (4, "所属镇街（园区）", "澄江镇")
    assert "未知的镇街" in e.message and "澄江街道" in e.message  # suggests the closest name


def test_enumerations_and_booleans(make_store):
    errs, _ = errors_of(make_store(), projects=rows_with({(0, "签约类型"): "框架协议", (1, "是否涉基建"): "不确定"}))
    assert [(e.row, e.column) for e in errs] == [(4, "签约类型"), (5, "是否涉基建")]
    assert "意向签约、正式签约" in errs[0].message


def test_required_cell_empty(make_store):
    errs, _ = errors_of(make_store(), projects=rows_with({(2, "项目名称"): None}))
    (e,) = errs
    assert (e.row, e.column) == (6, "项目名称") and "必填" in e.message


def test_missing_required_column_suggests_closest_header(make_store):
    head = list(PROJECT_HEAD)
    head[COL["项目编号"]] = "项目编码号"
    errs, _ = errors_of(make_store(), project_head=head, approvals=False)
    (e,) = [e for e in errs if e.column == "项目编号"]
    assert e.row == 3 and "缺少必填列“项目编号”" in e.message and "项目编码号" in e.message


def test_cross_table_keys(make_store):
    appr = [["P001", "环评", "生态环境局", "2024-03-01", None, None], ["P999", "环评", "生态环境局", "2024-03-01", None, None]]
    errs, _ = errors_of(make_store(), approvals=appr, operations=[["P404", "2026-10", 1, 1, 0.5, 3]])
    assert [(e.sheet, e.row, e.column, e.value) for e in errs] == [
        ("审批", 3, "项目编号", "P999"), ("经营情况", 2, "项目编号", "P404")]
    assert "在项目表中不存在" in errs[0].message


def test_duplicate_approval_step(make_store):
    appr = [["P001", "环评", "生态环境局", "2024-03-01", None, None]] * 2
    errs, _ = errors_of(make_store(), approvals=appr)
    (e,) = errs
    assert (e.sheet, e.row, e.column) == ("审批", 3, "审批事项") and "重复" in e.message


def test_every_fault_of_a_planted_ledger_in_one_run(make_store, tmp_path):
    """Nine planted faults in different rows and sheets: all reported, by spreadsheet row; refused."""
    rows = project_rows() + [
        [4, "P004", "配套项目", "丁公司", USCC[0], None, "月城镇", "正式签约", "新招引", "工业", "否", 1,
         "2025-01-01", "2025-02-01", None, None, None, None, 0],
        [5, "P005", "扩能项目", "戊公司", USCC[1], None, "青阳镇", "正式签约", "技改", "工业", "否", 2,
         "2025-03-01", None, None, None, None, None, 0],
    ]
    rows[0][COL["总投资（亿元）"]] = "约5"  # row 4: text in a number cell
    rows[1][COL["开工日期"]] = "2024-02-30"  # row 5: impossible date
    rows[2][COL["所属镇街（园区）"]] = "火星镇"  # row 6: unknown township
    rows[3][COL["统一社会信用代码"]] = USCC[0][:17] + "?"  # row 7: bad credit code
    rows[3][COL["累计完成投资（万元）"]] = -1  # row 7: negative amount
    rows[4][COL["项目编号"]] = "P001"  # row 8: duplicated key
    rows[4][COL["竣工日期"]] = "2025-06-01"  # row 8: completed without started (with a filing gap too)
    appr = [["P777", "环评", "生态环境局", "2024-03-01", None, None]]  # 审批 row 2: unknown project
    ops = [["P002", "2026-10", 1, 1, 3, 5]]  # 经营情况 row 2: share 3 > 1
    src = ledger(projects=rows, approvals=appr, operations=ops)
    st = make_store()
    before = tree_hash(st.root)
    res = import_ledgers([src], MONTH, st)
    got = {(e.sheet, e.row, e.column) for e in res.report.errors}
    assert got == {
        ("项目台账", 4, "总投资（亿元）"), ("项目台账", 5, "开工日期"), ("项目台账", 6, "所属镇街（园区）"),
        ("项目台账", 7, "统一社会信用代码"), ("项目台账", 7, "累计完成投资（万元）"), ("项目台账", 8, "项目编号"),
        ("项目台账", 8, "开工日期"), ("审批", 2, "项目编号"), ("经营情况", 2, "产能利用率"),
    }
    assert res.publication is None and st.months() == [] and tree_hash(st.root) == before


# ---- against the previous month, carrying forward, atomicity ----------------------------------------------
def test_previous_month_warnings_and_replan(make_store):
    st = make_store()
    assert import_ledgers([ledger()], PREV, st).ok
    rows = project_rows()[:2]  # P003 vanished
    rows[0][COL["累计完成投资（万元）"]] = 25000  # was 30000
    rows[0][COL["计划竣工日期"]] = "2026-03-31"  # was 2025-10-31: a re-plan
    res = import_ledgers([ledger(projects=rows)], MONTH, st)
    assert res.ok and st.months() == [PREV, MONTH]
    w = res.report.warnings
    (gone,) = find(w, contains="项目消失")
    assert gone.value == "P003" and gone.row is None
    (down,) = find(w, row=4, column="累计完成投资（万元）")
    assert "减少了5000万元" in down.message  # 30000 - 25000
    (rp,) = find(w, row=4, column="计划竣工日期")
    assert "由2025-10-31调整为2026-03-31" in rp.message
    assert res.report.summary["replans"] == 1
    # the snapshot keeps the new plan; the re-plan history is derived from the snapshots
    assert st.read(MONTH, "projects").filter(pl.col("project_id") == "P001")["planned_completed_on"][0] == D(2026, 3, 31)
    from helpers import metrics_for

    rp_rows = metrics_for(st).replans(MONTH, "P001")
    assert rp_rows.select("planned_column", "changed_in", "old_date", "new_date").rows() == [
        ("planned_completed_on", MONTH, D(2025, 10, 31), D(2026, 3, 31))]


PREV_OPS = [["P002", "2026-08", 1100, 55, 0.8, 118], ["P002", "2026年9月", 1200, 60, "85%", 120]]


def test_tables_not_supplied_are_carried_forward(make_store):
    st = make_store()
    assert import_ledgers([ledger(operations=PREV_OPS)], PREV, st).ok
    res = import_ledgers([ledger(approvals=False)], MONTH, st)
    assert res.ok
    assert res.report.summary["carried_forward"] == {"approvals": PREV, "operations": PREV, "problems": PREV}
    assert "沿用 2026-09" in res.report.summary["tables"]["approvals"]["text"]
    assert st.read(MONTH, "approvals").equals(st.read(PREV, "approvals"))
    assert st.read(MONTH, "operations").height == 2


def test_monthly_operations_keep_earlier_history(make_store):
    st = make_store()
    assert import_ledgers([ledger(operations=PREV_OPS)], PREV, st).ok  # months 2026-08, 2026-09
    res = import_ledgers([ledger(operations=[["P002", "2026-10", 5, 1, 0.95, 130]])], MONTH, st)
    assert res.ok
    # the October file lists October only: August and September are kept from the September snapshot
    assert st.read(MONTH, "operations").sort("month")["month"].to_list() == [D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1)]
    assert res.report.summary["tables"]["operations"]["kept_history_rows"] == 2


def test_operations_month_after_snapshot_is_an_error(make_store):
    errs, _ = errors_of(make_store(), operations=[["P002", "2026-11", 1, 1, 0.5, 3]])
    (e,) = errs
    assert (e.sheet, e.row, e.column) == ("经营情况", 2, "月份") and "晚于本期月末" in e.message


def test_refused_import_leaves_published_months_byte_for_byte(make_store):
    st = make_store()
    assert import_ledgers([ledger()], PREV, st).ok
    before = tree_hash(st.root)
    res = import_ledgers([ledger(projects=rows_with({(0, "签约日期"): "2024-02-30"}))], PREV, st)
    assert not res.ok and tree_hash(st.root) == before


def test_republishing_a_month_replaces_it_whole(make_store):
    st = make_store()
    assert import_ledgers([ledger(operations=ops_rows())], MONTH, st).ok
    one = [["P001", "环评", "生态环境局", "2024-03-01", "2024-03-31", "2024-03-15"]]
    # approvals 3 -> 1 shrinks the table by more than the configured share: refused until confirmed
    res = import_ledgers([ledger(projects=project_rows()[:2], approvals=one)], MONTH, st)
    assert not res.ok and any("3 行减少为 1 行" in e.message for e in res.report.errors)
    assert import_ledgers([ledger(projects=project_rows()[:2], approvals=one)], MONTH, st, allow_shrink=True).ok
    assert st.read(MONTH, "projects")["project_id"].to_list() == ["P001", "P002"]
    assert st.read(MONTH, "approvals")["step"].to_list() == ["环评"]
    # operations not supplied: carried from the month's own current version (a correction of one table)
    assert st.read(MONTH, "operations").height == 2
    assert [r["rows"]["projects"] for r in st.publications()] == [3, 2]


# ---- the report and the marked copy -------------------------------------------------------------
def test_marked_workbook_highlights_exact_cells(make_store):
    src = ledger(projects=rows_with({(1, "总投资（亿元）"): "约5"}))
    res = validate([src], MONTH, make_store())
    data = marked_workbook(src.name, src.data, res.report.errors + res.report.warnings)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    c = wb["项目台账"]["L5"]  # 总投资 is the 12th column; P002 is row 5
    assert c.value == "约5" and c.fill.fgColor.rgb.endswith("FFC7CE") and "应为数值" in c.comment.text
    assert wb["项目台账"]["L4"].comment is None
    res_sheet = wb["校验结果"]
    assert res_sheet["A2"].value == "错误" and res_sheet["D2"].value == "L5"


def test_cli_exit_codes_and_json_report(make_store, tmp_path, capsys):
    st = make_store()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(ledger(projects=rows_with({(1, "总投资（亿元）"): "约5"})).data)
    rep = tmp_path / "r.json"
    code = cli.main(["import", str(bad), "--month", MONTH, "--store", str(st.root), "--report-json", str(rep)])
    assert code == 1 and st.months() == []
    out = json.loads(rep.read_text(encoding="utf-8"))
    assert set(out) == {"errors", "warnings", "summary"}
    e = out["errors"][0]
    assert {k: e[k] for k in ("file", "sheet", "row", "column", "value")} == {
        "file": "bad.xlsx", "sheet": "项目台账", "row": 5, "column": "总投资（亿元）", "value": "约5"}
    assert "应为数值" in e["message"]
    assert "第5行" in capsys.readouterr().out
    good = tmp_path / "good.xlsx"
    good.write_bytes(ledger().data)
    assert cli.main(["import", str(good), "--month", MONTH, "--store", str(st.root), "--dry-run"]) == 0
    assert st.months() == []  # dry run writes nothing
    assert cli.main(["import", str(good), "--month", MONTH, "--store", str(st.root), "--user", "李四"]) == 0
    assert st.months() == [MONTH] and st.publications()[-1]["user"] == "李四"
    # usage errors and unreadable files: exit 2
    assert cli.main(["import", str(good), "--month", "2026-13", "--store", str(st.root)]) == 2
    assert cli.main(["import", str(tmp_path / "missing.xlsx"), "--month", MONTH, "--store", str(st.root)]) == 2
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip at all")
    assert cli.main(["import", str(junk), "--month", MONTH, "--store", str(st.root)]) == 2
    err = capsys.readouterr().err
    assert "不是有效的 .xlsx 文件" in err and "Traceback" not in err


def test_no_recognisable_sheet_is_a_validation_error(make_store):
    wb = openpyxl.Workbook()
    wb.active.append(["甲", "乙"])
    wb.active.append([1, 2])
    res = validate([Source("x.xlsx", xlsx_bytes(wb))], MONTH, make_store())
    assert any("没有识别出任何台账工作表" in e.message for e in res.report.errors)


def test_parsed_tables_conform_to_schema(make_store):
    res = validate([ledger(operations=ops_rows())], MONTH, make_store())
    for t in schema.TABLE_NAMES:
        assert res.tables[t].schema == pl.Schema(schema.polars_schema(t))


def test_carried_rows_of_vanished_projects_are_dropped_with_a_warning(make_store):
    st = make_store()
    assert import_ledgers([ledger(operations=PREV_OPS)], PREV, st).ok  # P002 has 2 operations rows
    res = import_ledgers([ledger(projects=[project_rows()[0]], approvals=False)], MONTH, st, allow_shrink=True)
    assert res.ok
    # approvals carried from PREV: P001 has 2 rows, P002 1 row (P002 vanished) -> 2 kept
    assert st.read(MONTH, "approvals")["project_id"].to_list() == ["P001", "P001"]
    assert st.read(MONTH, "operations").height == 0  # both rows belonged to P002
    msgs = [w.message for w in res.report.warnings if w.table in ("approvals", "operations")]
    assert any("审批数据中有 1 行" in m for m in msgs) and any("运行数据中有 2 行" in m for m in msgs)


def test_excel_serial_numbers_and_compact_dates(make_store):
    # a date column formatted as a number shows 45366 = 1899-12-30 + 45366 days = 2024-03-15
    rows = rows_with({(0, "备案日期"): 45366, (1, "备案日期"): "20240410", (0, "签约日期"): "2024年1月15日"})
    res = validate([ledger(projects=rows)], MONTH, make_store())
    assert res.report.errors == [], res.report.text()
    p = res.tables["projects"]
    assert p["filed_on"][:2].to_list() == [D(2024, 3, 15), D(2024, 4, 10)]
    assert p["signed_on"][0] == D(2024, 1, 15)
    (w,) = find(res.report.warnings, row=4, column="备案日期")
    assert "Excel日期序号" in w.message


def test_totals_row_and_footer_notes_are_not_data(make_store):
    rows = project_rows()
    total = [None] * len(PROJECT_HEAD)
    total[COL["项目名称"]] = "合  计"
    total[COL["总投资（亿元）"]] = 16.3
    footer = [None] * len(PROJECT_HEAD)
    footer[COL["项目编号"]] = "填表人：张三    审核人：李四"
    res = validate([ledger(projects=rows + [total, footer])], MONTH, make_store())
    assert res.report.errors == [], res.report.text()
    assert res.tables["projects"].height == 3
    assert res.report.summary["sheets"]["台账.xlsx[项目台账]"]["skipped_totals_and_notes"] == [7, 8]
