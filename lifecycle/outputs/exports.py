"""Excel exports of the lists people act on (docs/domain.md §5 flags): the sheet a department sends to the
townships — a title row naming the list, a row with the as-of month, the rule and the department
that acts, then Chinese headers and one row per project (with a 序号 column first and an empty
整改情况 column last for the township to fill in) — and reading such a sheet back.

Streamlit-free (used by pages, the CLI and tests alike).
"""
from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import polars as pl

from lifecycle.domain import flags
from lifecycle.domain.cells import merge_text, unquote, write_text
from lifecycle.present import formats

INTERNAL, PERCENT, ONE_DECIMAL = formats.INTERNAL, formats.PERCENT, formats.ONE_DECIMAL

TITLE_ROW, INFO_ROW, HEADER_ROW = 0, 1, 2  # zero-based sheet rows


def sheet_frame(df: pl.DataFrame, remark: bool = True) -> pl.DataFrame:
    """The rows exactly as the sheet holds them: internal columns dropped, enumerations in
    Chinese, 序号 first, an empty 整改情况 column last, Chinese headers."""
    body = formats.translate(formats.public(df))
    body = body.with_row_index("seq", offset=1).with_columns(pl.col("seq").cast(pl.Int64))
    if remark:
        body = body.with_columns(pl.lit(None, dtype=pl.String).alias("remark"))
    return body.rename(formats.headers(body.columns))


def flag_title(key: str, region_name: str = "") -> str:
    return f"{region_name}{flags.LABELS[key]}项目清单"


def flag_info(key: str, month: str, rule: str, dept: str | None = None) -> str:
    dept = dept or flags.DEPTS.get(key, "")
    return f"数据截至：{formats.month_end_text(month)}　　规则：{rule}　　责任部门：{dept}"


def sheet_bytes(df: pl.DataFrame, title: str, info: str, sheet: str = "清单", remark: bool = True) -> bytes:
    """An .xlsx: title row, info row, Chinese header row, then the rows of `df` (see sheet_frame)."""
    import xlsxwriter

    out = sheet_frame(df, remark=remark)
    keys = ["seq", *[c for c in df.columns if c not in INTERNAL]] + (["remark"] if remark else [])
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True})
    ws = wb.add_worksheet(re.sub(r"[\[\]:*?/\\]", "", sheet)[:31] or "清单")
    f_title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    f_info = wb.add_format({"text_wrap": True, "valign": "top", "font_size": 10})
    f_head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                            "align": "center", "valign": "vcenter"})
    f_date = wb.add_format({"num_format": "yyyy-mm-dd", "border": 1})
    f_pct = wb.add_format({"num_format": "0.0%", "border": 1})
    f_dec1 = wb.add_format({"num_format": "0.0", "border": 1})
    f_num = wb.add_format({"num_format": "#,##0.00", "border": 1})
    f_wan = wb.add_format({"num_format": formats.excel_format("wan"), "border": 1})
    f_int = wb.add_format({"num_format": "0", "border": 1})
    f_text = wb.add_format({"border": 1})
    last = max(len(out.columns) - 1, 0)
    if last:
        merge_text(ws, TITLE_ROW, 0, TITLE_ROW, last, title, f_title)
        merge_text(ws, INFO_ROW, 0, INFO_ROW, last, info, f_info)
    else:
        write_text(ws, TITLE_ROW, 0, title, f_title)
        write_text(ws, INFO_ROW, 0, info, f_info)
    ws.set_row(TITLE_ROW, 30)
    ws.set_row(INFO_ROW, 15 * max(2, len(info) // 60 + 1))
    for j, (k, h) in enumerate(zip(keys, out.columns)):
        write_text(ws, HEADER_ROW, j, h, f_head)
        width = 6 if k == "seq" else 28 if k in ("name", "enterprise", "open_steps", "remark") else 14
        ws.set_column(j, j, width)
    fmts = []
    for k, dtype in zip(keys, out.dtypes):
        if dtype == pl.Date:
            fmts.append(("date", f_date))
        elif dtype.is_numeric():
            fk = formats.kind(k, dtype)
            f = {"pct": f_pct, "dec1": f_dec1, "int": f_int, "wan": f_wan}.get(fk, f_num)
            fmts.append(("num", f))
        else:
            fmts.append(("text", f_text))
    for i, row in enumerate(out.iter_rows(), start=HEADER_ROW + 1):
        for j, v in enumerate(row):
            kind, f = fmts[j]
            if not formats.is_value(v):  # None, NaN, inf: a blank cell (xlsxwriter rejects NaN)
                ws.write_blank(i, j, None, f)
            elif kind == "date":
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), f)
            elif kind == "num":
                ws.write_number(i, j, v, f)
            else:
                write_text(ws, i, j, v, f)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.set_landscape()
    ws.repeat_rows(HEADER_ROW)
    ws.fit_to_pages(1, 0)
    wb.close()
    return buf.getvalue()


def flag_sheet_bytes(df: pl.DataFrame, key: str, month: str, rule: str, region_name: str = "",
                     dept: str | None = None) -> bytes:
    """The department's sheet for flag list `key` at `month` (rule text from Metrics.flag_rule)."""
    return sheet_bytes(df, flag_title(key, region_name), flag_info(key, month, rule, dept),
                       sheet=flags.LABELS[key])


def flag_file_name(key: str, month: str, region_name: str = "") -> str:
    return f"{region_name}{flags.LABELS[key]}_{month}.xlsx"


def read_sheet(src) -> dict:
    """Read a sheet written by sheet_bytes back: {'title', 'info', 'month', 'rule', 'dept', 'frame'}.
    `src` is bytes, a path or a file object. Dates come back as dates, numbers as Float64,
    empty cells as null; headers are the Chinese ones."""
    from openpyxl import load_workbook

    if isinstance(src, (bytes, bytearray)):
        src = io.BytesIO(src)
    elif isinstance(src, (str, Path)):
        src = Path(src)
    wb = load_workbook(src, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if len(rows) <= HEADER_ROW:
        raise ValueError("不是督办清单格式：缺少标题行、说明行或表头行")
    title = rows[TITLE_ROW][0] or ""
    info = rows[INFO_ROW][0] or ""
    header = [h for h in rows[HEADER_ROW] if h is not None]
    n = len(header)
    data = [list(r[:n]) + [None] * (n - len(r[:n])) for r in rows[HEADER_ROW + 1:]]
    cols = {}
    for j, h in enumerate(header):
        vals = [_cell(r[j]) for r in data]
        present = [v for v in vals if v is not None]
        if present and all(isinstance(v, dt.date) for v in present):
            cols[h] = pl.Series(h, vals, dtype=pl.Date)
        elif present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            cols[h] = pl.Series(h, [None if v is None else float(v) for v in vals], dtype=pl.Float64)
        else:
            cols[h] = pl.Series(h, [None if v is None else unquote(str(v)) for v in vals], dtype=pl.String)
    m = re.search(r"数据截至：(\d{4})年(\d{1,2})月末", info)
    rule = re.search(r"规则：(.*?)(?:　　责任部门：|$)", info)
    dept = re.search(r"责任部门：(.*)$", info)
    return {
        "title": title,
        "info": info,
        "month": f"{m.group(1)}-{int(m.group(2)):02d}" if m else None,
        "rule": rule.group(1) if rule else None,
        "dept": dept.group(1) if dept else None,
        "frame": pl.DataFrame(cols) if cols else pl.DataFrame(),
    }


def _cell(v):
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time(0) else v
    return v
