"""The 招商任务 sheet (docs/domain.md §16.3): yearly township targets imported from and exported to
Excel. One row per year × unit: 年度, 单位代码 and/or 单位名称, 正式签约项目数, 正式签约总投资（亿元；
万元 in the header is converted), 10亿元以上项目数, 50亿元以上项目数. An empty cell = no target.

`read_sheet` returns the wide frame (year, unit_code, measures) and the problems, each one Chinese
line naming file, sheet, row, column and value; `store/targets.save_wide` writes it (each year in
the sheet replaces that year's targets). `sheet_bytes` writes the same layout, so an export
imports back unchanged.
"""
from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from lifecycle.domain import labels
from lifecycle.domain.cells import write_text
from lifecycle.domain.reference import region
from lifecycle.ingest.fields import normalise, split_unit
from lifecycle.store import targets

SHEET = "招商任务"
SHEET_NAMES = ("招商任务", "招商任务分解", "招商目标", "年度招商任务", "招商任务表")
T = labels.UNIT_TARGET_TEXT
# field -> headers (the first is what the export writes); compared after fields.normalise
HEADERS: dict[str, list[str]] = {
    "year": ["年度", "年份", "任务年度", "年"],
    "unit_code": ["单位代码", "镇街代码", "板块代码", "辖市区代码", "区划代码", "代码"],
    "unit_name": ["单位名称", "镇街园区", "镇街", "板块", "辖市区", "单位", "所属单位", "镇街名称", "名称"],
    "signed_projects": ["正式签约项目数", "签约项目数", "正式签约项目", "正式签约项目个数", "签约项目任务数",
                        "正式签约项目数(个)"],
    "signed_investment_yi": ["正式签约总投资(亿元)", "正式签约总投资", "签约总投资", "正式签约投资额", "签约投资额",
                             "正式签约总投资额"],
    "projects_10yi": ["10亿元以上项目数", "10亿元以上项目", "十亿元以上项目数", "10亿以上项目数", "10亿元以上项目数(个)"],
    "projects_50yi": ["50亿元以上项目数", "50亿元以上项目", "五十亿元以上项目数", "50亿以上项目数", "50亿元以上项目数(个)"],
}
_MONEY = {"亿元": 1.0, "亿": 1.0, "万元": 1e-4, "万": 1e-4}
_LOOKUP = {normalise(h): f for f, hs in HEADERS.items() for h in hs}


def _match(cell) -> tuple[str, float] | None:
    """(field, factor) of a header cell, or None."""
    k = normalise(cell)
    if not k:
        return None
    if k in _LOOKUP:
        return _LOOKUP[k], 1.0
    base, unit = split_unit(k)
    f = _LOOKUP.get(base)
    if f is None:
        return None
    if f == "signed_investment_yi" and unit in _MONEY:
        return f, _MONEY[unit]
    if f != "signed_investment_yi" and unit in ("个", "项", None):
        return f, 1.0
    return None


def _pick_sheet(wb):
    by_norm = {normalise(n): n for n in wb.sheetnames}
    for n in SHEET_NAMES:
        if normalise(n) in by_norm:
            return by_norm[normalise(n)]
    return wb.sheetnames[0] if len(wb.sheetnames) == 1 else None


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v).strip()


def read_sheet(data: bytes | str | Path, region_key: str, file_name: str | None = None
               ) -> tuple[pl.DataFrame, list[str]]:
    """(wide frame with columns year, unit_code, unit_name, measures; the problems). Any problem
    means nothing should be saved."""
    import openpyxl

    if isinstance(data, (str, Path)):
        file_name = file_name or Path(data).name
        data = Path(data).read_bytes()
    fname = file_name or "上传文件"
    reg = region(region_key)
    empty = pl.DataFrame(schema=targets.WIDE_SCHEMA)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no xlsx workbook
        return empty, [T["err_file"].format(file=fname)]
    try:
        name = _pick_sheet(wb)
        if name is None:
            return empty, [T["err_no_sheet"].format(file=fname, sheets="、".join(wb.sheetnames))]
        rows = [tuple(r) for r in wb[name].iter_rows(values_only=True)]
    finally:
        wb.close()
    def where(row, col, value) -> str:
        return T["where"].format(file=fname, sheet=name, row=row, col=col, value=value)

    # the header: the first of the first 10 rows naming the year, a unit and a measure
    head_i, cols = None, {}
    for i, r in enumerate(rows[:10]):
        found = {}
        for j, c in enumerate(r):
            m = _match(c)
            if m and m[0] not in found:
                found[m[0]] = (j, m[1], _text(c))
        if "year" in found and ({"unit_code", "unit_name"} & set(found)) and set(found) & set(targets.MEASURES):
            head_i, cols = i, found
            break
    if head_i is None:
        return empty, [T["err_header"].format(file=fname, sheet=name,
                                              need="、".join(HEADERS[f][0] for f in ("year", "unit_code", "unit_name",
                                                                                    *targets.MEASURES)))]
    problems: list[str] = []
    out, seen = [], {}
    for i, r in enumerate(rows[head_i + 1:], start=head_i + 2):
        def cell(f, r=r):
            return r[cols[f][0]] if f in cols and cols[f][0] < len(r) else None

        if all(v is None or _text(v) == "" for v in r):
            continue
        rec: dict = {}
        bad = False
        y = cell("year")
        try:
            rec["year"] = targets.check_year(_text(y))
        except targets.TargetError as e:
            problems.append(f"{where(i, cols['year'][2], _text(y))}：{e}")
            bad = True
        code_raw, name_raw = _text(cell("unit_code")), _text(cell("unit_name"))
        code = None
        if code_raw:
            code = code_raw if code_raw in reg.units else None
            if code is None:
                problems.append(f"{where(i, cols['unit_code'][2], code_raw)}："
                                + T["err_unit"].format(value=code_raw, unit_word=reg.unit_word))
                bad = True
            elif name_raw and reg.resolve_unit(name_raw) not in (None, code):
                problems.append(f"{where(i, cols['unit_name'][2], name_raw)}："
                                + T["err_unit_mismatch"].format(name=name_raw, code=code,
                                                                 own=reg.units[code].name))
                bad = True
        elif name_raw:
            code = reg.resolve_unit(name_raw)
            if code is None or code not in reg.units:
                problems.append(f"{where(i, cols['unit_name'][2], name_raw)}："
                                + T["err_unit"].format(value=name_raw, unit_word=reg.unit_word))
                bad, code = True, None
        else:
            col = cols.get("unit_code", cols.get("unit_name"))[2]
            problems.append(f"{where(i, col, '')}：" + T["err_unit_missing"].format(unit_word=reg.unit_word))
            bad = True
        rec["unit_code"] = code
        for mkey in targets.MEASURES:
            if mkey not in cols:
                rec[mkey] = None
                continue
            raw = cell(mkey)
            try:
                v = targets.check_value(mkey, raw if not isinstance(raw, str) else raw.strip())
                if v is not None and cols[mkey][1] != 1.0:
                    v = round(v * cols[mkey][1], 6)
                rec[mkey] = v
            except targets.TargetError as e:
                problems.append(f"{where(i, cols[mkey][2], _text(raw))}：{e}")
                bad = True
        if not bad:
            key = (rec["year"], code)
            if key in seen:
                problems.append(f"{where(i, cols.get('unit_code', cols.get('unit_name'))[2], code_raw or name_raw)}："
                                + T["err_row_twice"].format(unit=reg.units[code].name, year=rec["year"],
                                                            other=seen[key]))
                continue
            seen[key] = i
            rec["unit_name"] = reg.units[code].name
            out.append(rec)
    if not out and not problems:
        problems.append(T["err_no_rows"].format(file=fname, sheet=name))
    df = pl.DataFrame(out, schema=targets.WIDE_SCHEMA) if out else empty
    return df, problems


def import_sheet(store_root, account, data, region_key: str, file_name: str | None = None) -> tuple[list[int], list[str]]:
    """Read the sheet and, when it has no problem, save it (each year replaces that year's
    targets). Returns (save ids, problems); nothing is written when there are problems."""
    df, problems = read_sheet(data, region_key, file_name)
    if problems:
        return [], problems
    try:
        return targets.save_wide(store_root, account, df, source="import"), []
    except targets.TargetError as e:
        return [], [str(e)]


def sheet_bytes(frames: pl.DataFrame) -> bytes:
    """The 招商任务 workbook of a wide frame (`targets.wide`, several years concatenated)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    num = wb.add_format({"num_format": "0.##"})
    ws = wb.add_worksheet(SHEET)
    fields = ["year", "unit_code", "unit_name", *targets.MEASURES]
    for j, f in enumerate(fields):
        write_text(ws, 0, j, HEADERS[f][0], bold)
        ws.set_column(j, j, 22 if f in targets.MEASURES else 14)
    for i, r in enumerate(frames.select(fields).iter_rows(), start=1):
        for j, v in enumerate(r):
            if v is None:
                continue
            if isinstance(v, (int, float)):
                ws.write_number(i, j, v, num)
            else:
                write_text(ws, i, j, v)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def export_frame(store_root, region_key: str, year: int | None = None) -> pl.DataFrame:
    """The effective targets of `year` (or of every year with targets) as the sheet's rows."""
    years = [int(year)] if year is not None else targets.configured_years(store_root, region_key)
    parts = [targets.wide(store_root, region_key, y) for y in years]
    return pl.concat(parts) if parts else pl.DataFrame(schema=targets.WIDE_SCHEMA)
