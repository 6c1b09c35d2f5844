"""Builders for the import tests: real .xlsx / .csv ledgers written with openpyxl, in the shape
clerks make them (title row, note row, Chinese headers with synonyms and units, mixed date forms,
township names). Also checks that the base ledger itself is valid."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import openpyxl

from lifecycle.domain import ids
from lifecycle.ingest.importer import Source, import_ledgers, validate
from lifecycle.store.snapshots import Store

MONTH = "2026-10"
PREV = "2026-09"
CODE_CHENGJIANG = "320281001"  # 澄江街道 (NBS 2023)
CODE_HUASHI = "320281107"  # 华士镇
CODE_HIGHTECH = "320281400"  # 江阴高新技术产业开发区

USCC = [ids.make_uscc("91320281MA1" + s) for s in ("A2B3C4", "D5E6F7", "G8H9J1")]

PROJECT_HEAD = [
    "序号", "项目编号", "项目名称", "建设单位", "统一社会信用代码", "投资项目统一代码", "所属镇街（园区）", "签约类型",
    "项目类型", "产业类别", "是否涉基建", "总投资（亿元）", "签约日期", "备案日期", "开工日期", "竣工日期", "投产日期",
    "计划竣工日期", "累计完成投资（万元）",
]


def project_rows() -> list[list]:
    return [
        [1, "P001", "年产10万吨新材料项目", "江阴甲新材料有限公司", USCC[0], "2024-320281-26-01-000001", "澄江街道",
         "正式签约", "新招引", "工业", "是", 12.5, dt.datetime(2024, 1, 15), "2024/3/15", "2024.09.01", None, None,
         "2025年10月31日", 30000],
        [2, "P002", "精密轴承技改项目", "江阴乙机械有限公司", USCC[1], "2024-320281-34-03-000002", " 华士镇 ",
         "正式签约", "技改", "工业", "否", 0.8, "2024年2月", "2024-04-10", "2024-06-01", "2025-05-20", "2025-06-30",
         "2025.5", 7800],
        [3, "P003", "科创中心项目", "江阴丙科技有限公司", USCC[2], None, CODE_HIGHTECH,
         "意向签约", "新招引", "服务业", "否", "3", "2026-06-30", None, None, None, None, None, 0],
    ]


APPROVAL_HEAD = ["项目编号", "审批事项", "办理部门", "受理日期", "承诺办结日期", "办结日期"]


def approval_rows() -> list[list]:
    return [
        ["P001", "立项/核准备案", "发改委", "2024-03-01", "2024-03-31", "2024-03-15"],
        ["P001", "施工许可", "住建局", dt.datetime(2024, 7, 1), "2024-08-15", "2024-09-01"],
        ["P002", "环评", "生态环境局", "2024-04-11", "2024-05-31", None],
    ]


OPS_HEAD = ["项目编号", "月份", "产值（万元）", "税收（万元）", "产能利用率", "用工人数"]


def ops_rows() -> list[list]:
    return [["P002", "2026年9月", 1200, 60, "85%", 120], ["P002", "2026-10", 1300.5, 65, 0.9, 125]]


def build_workbook(projects=None, approvals=None, operations=None, *, project_head=None, title=True,
                   merges=(), extra_sheets=None, origin_row=1, origin_col=1) -> openpyxl.Workbook:
    """A workbook with a 项目台账 sheet (title row, note row, header in row 3 when `title`), and
    审批 / 运行 sheets when given. `origin_row/col` shift the whole 项目 sheet (1 = A1)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目台账"
    head = project_head or PROJECT_HEAD
    rows = []
    if title:
        rows += [["2026年10月全市重大项目推进情况表"], ["填报单位：市发改委　　　金额单位：见表头"]]
    rows += [head] + (project_rows() if projects is None else projects)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None:
                ws.cell(row=origin_row + i, column=origin_col + j, value=v)
    if title:
        ws.merge_cells(start_row=origin_row, start_column=origin_col, end_row=origin_row,
                       end_column=origin_col + 8)
    for m in merges:
        ws.merge_cells(m)
    if approvals is not False:
        wa = wb.create_sheet("审批")
        for r in [APPROVAL_HEAD] + (approval_rows() if approvals is None else approvals):
            wa.append(r)
    if operations is not None:
        wo = wb.create_sheet("经营情况")
        for r in [OPS_HEAD] + operations:
            wo.append(r)
    for name, rows_ in (extra_sheets or {}).items():
        w = wb.create_sheet(name)
        for r in rows_:
            w.append(r)
    return wb


def xlsx_bytes(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ledger(name="台账.xlsx", **kw) -> Source:
    return Source(name, xlsx_bytes(build_workbook(**kw)))


def csv_source(name: str, head: list, rows: list[list], encoding: str) -> Source:
    lines = [",".join("" if v is None else str(v) for v in r) for r in [head] + rows]
    return Source(name, ("\r\n".join(lines) + "\r\n").encode(encoding))


def tree_hash(root: Path) -> dict[str, str]:
    """sha256 of every file under the store (snapshots through their month links, and the log)."""
    out = {}
    for month_dir in sorted((root / "snapshots").glob("month=*")):
        for f in sorted(month_dir.iterdir()):
            out[f"{month_dir.name}/{f.name}"] = hashlib.sha256(f.read_bytes()).hexdigest()
    log = root / "publications.jsonl"
    if log.exists():
        out["publications.jsonl"] = hashlib.sha256(log.read_bytes()).hexdigest()
    return out


def find(issues, row=None, column=None, contains=""):
    return [i for i in issues if (row is None or i.row == row) and (column is None or i.column == column)
            and contains in i.message]


def test_base_ledger_is_valid(make_store):
    st: Store = make_store()
    res = validate([ledger()], MONTH, st)
    assert res.report.errors == [], res.report.text()
    res = import_ledgers([ledger()], MONTH, st, user="tester")
    assert res.publication is not None and st.months() == [MONTH]
