"""The import template (sheets 项目/审批/运行/问题 with a title row, Chinese headers, a units
row and an example row) and the export of snapshot tables in exactly that format, so that an
exported month imports back to the same snapshot (round trip)."""
from __future__ import annotations

import datetime as dt
import io

import polars as pl

from lifecycle.domain import ids, labels, schema
from lifecycle.domain.cells import merge_text, write_text
from lifecycle.domain.reference import region as get_region
from lifecycle.ingest.fields import template_header
from lifecycle.ingest.parse import ENUM_VALUES, EXAMPLE_MARK, unit_hint

_ENUM_LABELS = {"signing_type": labels.SIGNING_TYPES, "origin": labels.ORIGINS, "category": labels.CATEGORIES,
                "exit_reason": labels.EXIT_REASONS, "major_level": labels.MAJOR_LEVELS}
assert set(_ENUM_LABELS) == set(ENUM_VALUES)

NOTES = [
    "填报说明",
    "1. 每张工作表对应一张台账：项目、审批、运行（新增长点培育库月度运行）、问题（矛盾问题）。未提供的表（或只有示例行、没有数据行的表）沿用上一期数据。",
    "2. 表头所在行之上可以有标题行；表头下方的“填写说明”行和项目编号以“示例”开头的行不会导入。",
    "3. 日期可写作 2024-03-15、2024/3/15、2024.03.15、2024年3月15日，或使用 Excel 日期格式；只写年月按当月1日计（会提示）。",
    "4. 金额单位以表头为准：总投资（万元）或 总投资（亿元）均可，系统统一换算为万元。",
    "5. 所在镇街填写镇街名称（如“澄江街道”）或9位镇街代码；名录以外的名称会被拒绝，不会新建镇街。",
    "6. 项目编号是项目的唯一标识，每月保持不变；统一社会信用代码和投资项目统一代码会做格式和校验位检查。",
    "7. 是否类字段填“是”或“否”；签约类型、项目类型、产业类别、退库原因按填写说明中的选项填写。",
    "8. 一张表超过一个工作表的行数上限时，续写在“运行(2)”“运行(3)”……工作表中，导入时合并为一张表。",
    "9. 要素指标表（可选）：每个镇街/板块每年一行，填土地（批而未供、供而未用、收购储备，亩）、排放总量指标（吨）、能耗指标（吨标煤）；"
    "项目表的“尚需…指标”“本年已分配…”列填写项目的需求和本年已分配量。",
    "10. 意向签约后转为正式签约的项目：签约日期填正式签约日期，意向签约日期保留原意向签约日期；省市重大填“省重大”或“市重大”（可空）。",
    "11. 常州亿元项目库：总投资低于1亿元的项目不予入库（导入时报错并指明行号）。",
    "12. 招商线索表、审查表（均可选，不提供则线索库不变）：招商线索表每条线索一行（线索编号、阶段、渠道、产业链、项目类型、预计投资等），"
    "写入系统的线索库（只追加新版本，不覆盖历史）。修改已有线索时请保留导出时的“版本”列：系统中该线索在导出后又被修改过的，"
    "台账中的修改不导入并提示冲突。重复导入同一文件不会重复写入。导出的“入库项目编号”由项目表生成，导入时不读取。",
    "13. 审查表每条意见或结论一行：意见行填线索编号、审查轮次、审查维度（法务/商务/财务）、审查人、审查意见、日期；"
    "结论行填线索编号、审查轮次、审查结论（通过/否决/补充材料）、结论理由（否决、补充材料必填）、日期；只开启尚无意见的轮次可只填编号和轮次。"
    "“通过”须有法务、商务、财务三方面意见；已作出的结论不再修改，须重新审查时新增一轮。",
    "14. 项目表的“线索编号”列（可选）把项目关联到招商线索：被否决（或未审查通过）的线索不能入库，须新一轮审查通过后再导入。",
]


def _examples(table: str, region_key: str) -> list[dict]:
    """The example rows of a template sheet (keys starting with 示例 are never imported)."""
    if table not in schema.PIPELINE_SHEETS:
        return [_example(table, region_key)]
    from lifecycle.domain.config import pipeline_settings

    reg = get_region(region_key)
    cfg = pipeline_settings(region_key)
    unit = next(iter(reg.units.values())).name
    d = dt.date
    if table == "leads":
        return [{"lead_id": f"{EXAMPLE_MARK}1", "name": "年产5万吨高性能材料项目（示例）", "stage": "talks",
                 "channel": (cfg["channels"] or [None])[0], "industry_chain": (cfg["industry_chains"] or [None])[0],
                 "project_type": (cfg["project_types"] or [None])[0], "expected_investment_wan": 200000.0,
                 "source_body": unit, "owner": "李四", "unit_code": unit, "last_contact_on": d(2026, 3, 10),
                 "note": "客商二次考察"}]
    rows = [{"lead_id": f"{EXAMPLE_MARK}1", "round": 1, "dimension": k, "reviewer": f"{v}专家",
             "opinion": f"{v}方面符合要求", "date": d(2026, 4, 1)} for k, v in labels.REVIEW_DIMENSIONS.items()]
    return rows + [{"lead_id": f"{EXAMPLE_MARK}1", "round": 1, "verdict": "pass", "reviewer": "审查委员会",
                    "reasons": "三方面意见均符合政策要求", "date": d(2026, 4, 8)}]


def _sheet_label(table: str) -> str:
    return labels.IMPORT_TABLES.get(table) or labels.PIPELINE_SHEETS[table]


# values of the pipeline sheets written as their Chinese labels (read back by ingest/pipeline_sheets.py)
_PIPE_LABELS = {("leads", "stage"): labels.PIPELINE_STAGES, ("reviews", "dimension"): labels.REVIEW_DIMENSIONS,
                ("reviews", "verdict"): labels.REVIEW_VERDICTS}


def _example(table: str, region_key: str) -> dict:
    reg = get_region(region_key)
    tw = next(iter(reg.townships.values())).name
    d = dt.date
    if table == "projects":
        return {
            "project_id": f"{EXAMPLE_MARK}-001", "project_code": f"2024-{reg.admin_code}-34-01-000001",
            "name": "年产10万件精密轴承项目（示例）", "enterprise": "示例精密机械有限公司",
            "credit_code": ids.make_uscc("91" + reg.admin_code + "MA1X2Y3K4"), "township_code": tw,
            "park": "示例产业园", "industry_section": "C", "industry_chain": "高端装备", "origin": "new",
            "category": "industry", "is_infrastructure": True, "signing_type": "formal",
            "total_investment_wan": 150000.0, "equipment_plan_wan": 60000.0, "land_area_mu": 200.0,
            "designed_output_wan": 300000.0, "designed_tax_wan": 15000.0, "signed_on": d(2024, 1, 15),
            "filed_on": d(2024, 3, 20), "started_on": d(2024, 9, 1), "planned_started_on": d(2024, 8, 1),
            "planned_completed_on": d(2025, 10, 31), "planned_production_on": d(2025, 12, 15),
            "planned_capacity_on": d(2026, 12, 31), "year_plan_wan": 50000.0, "year_done_wan": 20000.0,
            "cumulative_done_wan": 20000.0, "equipment_done_wan": 8000.0, "lead_dept": "工信局", "owner": "张三",
            "land_acquired_on": d(2024, 8, 20), "joint_acceptance": False, "campaign": "2024Q3集中开工",
            "land_allocated_mu": 200.0, "energy_demand_tce": 3000.0, "agency_service": True,
            "tolerance_prereview": True, "parallel_approval": True, "building_area_m2": 120000.0,
            "rd_deduction_wan": 0.0,
            "intent_signed_on": d(2023, 11, 8), "major_level": "municipal",
        }
    if table == "approvals":
        return {"project_id": f"{EXAMPLE_MARK}-001", "step": labels.APPROVAL_STEPS[0], "dept": "发改委",
                "received_on": d(2024, 3, 1), "due_on": d(2024, 3, 31), "done_on": d(2024, 3, 20)}
    if table == "operations":
        return {"project_id": f"{EXAMPLE_MARK}-001", "month": d(2026, 1, 1), "orders_wan": 12000.0,
                "capacity_utilization": 0.85, "invoiced_sales_wan": 9800.0, "output_value_wan": 10500.0,
                "tax_wan": 520.0, "profit_wan": 800.0, "electricity_mwh": 1500.0, "employees": 320}
    if table == "quotas":
        unit = next(iter(reg.units.values())).name
        return {"unit_code": f"{EXAMPLE_MARK}{unit}", "year": 2026, "land_unsupplied_mu": 320.0, "land_unused_mu": 150.0,
                "land_reserve_mu": 500.0, "emission_t": 85.0, "energy_tce": 42000.0}
    return {"problem_id": f"{EXAMPLE_MARK}-Q001", "project_id": f"{EXAMPLE_MARK}-001", "raised_on": d(2024, 5, 10),
            "kind": "用地", "summary": "用地指标未落实，需协调土地报批", "assigned_dept": "资规局", "resolved_on": None,
            "deadline_on": d(2024, 6, 10)}


# Excel's last row; a table with more data rows than fit below the three heading rows is split
# over numbered sheets 运行、运行(2)、运行(3)… which the import reads back as one table.
MAX_SHEET_ROWS = 1_048_576
HEAD_ROWS = 3  # title, header, units
SLICE_ROWS = 20_000  # rows taken from a frame at a time while writing (bounded memory)


class ExportError(Exception):
    """An export that could not be written completely (message in Chinese)."""


def sheet_names(table: str, n_rows: int) -> list[str]:
    """The sheet name(s) a table of `n_rows` rows is written to."""
    per = MAX_SHEET_ROWS - HEAD_ROWS
    n = max(1, -(-n_rows // per))
    base = _sheet_label(table)
    return [base] + [f"{base}({k})" for k in range(2, n + 1)]


def write_ledger(out, region_key: str, tables: dict[str, pl.DataFrame] | None = None,
                 month: str | None = None) -> dict[str, int]:
    """Write the template (tables=None: one example row per sheet) or the given snapshot
    tables to `out` (a path or a binary file object) in the import format. Returns the data
    rows written per table.

    Rows are streamed (xlsxwriter's constant-memory mode, the frame taken a slice at a time) and
    a table longer than a sheet continues on numbered sheets, so nothing is ever dropped."""
    import xlsxwriter

    reg = get_region(region_key)
    names = {c: t.name for c, t in reg.townships.items()}
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False})
    f_title = wb.add_format({"bold": True, "font_size": 14})
    f_head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    f_head_req = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                "font_color": "#C00000", "valign": "vcenter"})
    f_unit = wb.add_format({"italic": True, "font_color": "#666666", "bg_color": "#F2F2F2", "text_wrap": True})
    f_date = wb.add_format({"num_format": "yyyy-mm-dd"})
    f_month = wb.add_format({"num_format": "yyyy-mm"})
    f_example = wb.add_format({"font_color": "#808080", "italic": True})
    f_example_date = wb.add_format({"font_color": "#808080", "italic": True, "num_format": "yyyy-mm-dd"})
    written: dict[str, int] = {}
    per_sheet = MAX_SHEET_ROWS - HEAD_ROWS

    def new_sheet(t: str, name: str, cols):
        ws = wb.add_worksheet(name)
        title = (labels.IMPORT_TITLES.get(t) or labels.PIPELINE_SHEET_TITLES[t]) + (f"（{month[:4]}年{int(month[5:])}月）" if month else "（导入模板）")
        for j, c in enumerate(cols):
            ws.set_column(j, j, max(12, min(30, len(template_header(t, c.name)) * 2 + 2)))
        ws.freeze_panes(HEAD_ROWS, 1)
        # constant-memory mode: rows are written strictly in order (set_row included)
        merge_text(ws, 0, 0, 0, min(len(cols) - 1, 8), title, f_title)
        ws.set_row(1, 32)
        for j, c in enumerate(cols):
            write_text(ws, 1, j, template_header(t, c.name), f_head_req if c.required else f_head)
        for j, c in enumerate(cols):
            write_text(ws, 2, j, unit_hint(t, c.name), f_unit)
        return ws

    for t in schema.SHEET_NAMES:
        cols = schema.TABLES[t]
        if tables is None:
            examples = _examples(t, region_key)
            n_rows = len(examples)
            row_iter = iter(examples)
            fmt, fdate = f_example, f_example_date
        else:
            df = schema.conform(t, tables[t] if t in tables else schema.empty(t))
            n_rows = df.height
            row_iter = (r for part in df.iter_slices(SLICE_ROWS) for r in part.iter_rows(named=True))
            fmt, fdate = None, f_date
        sheets = sheet_names(t, n_rows)
        ws = new_sheet(t, sheets[0], cols)
        i, k = HEAD_ROWS, 0
        for row in row_iter:
            if i - HEAD_ROWS >= per_sheet:
                k += 1
                ws, i = new_sheet(t, sheets[k], cols), HEAD_ROWS
            for j, c in enumerate(cols):
                v = row.get(c.name)
                if v is None:
                    continue
                if c.name == "township_code":
                    write_text(ws, i, j, names.get(v, v), fmt)
                elif (t, c.name) in _PIPE_LABELS:
                    write_text(ws, i, j, _PIPE_LABELS[(t, c.name)].get(v, v), fmt)
                elif t in ("quotas", "leads") and c.name == "unit_code":
                    write_text(ws, i, j, reg.units[v].name if v in reg.units else str(v), fmt)
                elif c.name in _ENUM_LABELS:
                    write_text(ws, i, j, _ENUM_LABELS[c.name].get(v, v), fmt)
                elif c.kind == "bool":
                    write_text(ws, i, j, labels.BOOL[bool(v)], fmt)
                elif c.kind == "date":
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day),
                                      f_month if c.name == "month" else fdate)
                elif c.kind in ("float", "int") and not isinstance(v, str):
                    ws.write_number(i, j, v, fmt)
                else:
                    write_text(ws, i, j, v, fmt)
            i += 1
        written[t] = (k * per_sheet + i - HEAD_ROWS) if tables is not None else 0
    ws = wb.add_worksheet("说明")
    ws.set_column(0, 0, 120)
    for i, line in enumerate(NOTES):
        write_text(ws, i, 0, line, f_title if i == 0 else None)
    wb.close()
    if tables is not None:
        for t in schema.SHEET_NAMES:
            want = tables[t].height if t in tables else 0  # a table not given is written empty
            if written[t] != want:
                raise ExportError(f"导出不完整：{_sheet_label(t)}表应有 {want} 行，只写入了 {written[t]} 行")
    return written


def ledger_bytes(region_key: str, tables=None, month=None) -> bytes:
    buf = io.BytesIO()
    write_ledger(buf, region_key, tables, month)
    return buf.getvalue()
