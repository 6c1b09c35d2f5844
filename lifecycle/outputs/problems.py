"""The department's problem sheet (矛盾问题督办表, docs/domain.md §11): the problems a department
is responsible for, in the sheet format of `outputs/exports.py` (title, info row with the as-of
month, the rule and the department, Chinese headers, 序号, an empty 整改情况 column), so
`exports.read_sheet` reads it back. Streamlit-free."""
from __future__ import annotations

import polars as pl

from lifecycle.domain import labels
from lifecycle.outputs import exports
from lifecycle.present import formats

SHEET_COLUMNS = ["problem_id", "project_id", "name", "unit_name", "kind", "summary", "dept", "raised_on",
                 "deadline_on", "problem_status", "resolved_on", "days_open", "overdue", "days_overdue_problem",
                 "source", "last_note", "last_by", "last_on"]
VALUE_MAPS = {"problem_status": labels.PROBLEM_STATUSES, "source": labels.PROBLEM_SOURCES}


def rule_text(deadline_days: int) -> str:
    return labels.PROBLEM_TEXT["rule"].format(days=deadline_days)


def sheet_title(dept: str, region_name: str = "") -> str:
    return labels.PROBLEM_TEXT["sheet_title"].format(region=region_name, dept=dept)


def dept_sheet_bytes(rows: pl.DataFrame, dept: str, month: str, deadline_days: int,
                     region_name: str = "") -> bytes:
    """The sheet of the problems (rows of Metrics.problems) whose responsible department is `dept`."""
    body = rows.filter(pl.col("dept") == dept).select([c for c in SHEET_COLUMNS if c in rows.columns])
    info = f"数据截至：{formats.month_end_text(month)}　　规则：{rule_text(deadline_days)}　　责任部门：{dept}"
    return exports.sheet_bytes(formats.translate(body, VALUE_MAPS), sheet_title(dept, region_name), info, sheet=dept)


def file_name(dept: str, month: str, region_name: str = "") -> str:
    return f"{sheet_title(dept, region_name)}_{month}.xlsx"
