"""From a raw sheet to a typed frame: find the header row and the table, map headers to fields,
then parse every column with Polars expressions (dates in every common form, numbers with units,
是/否, enumerations, township names), collecting one issue per faulty cell.

Only the failing cells are visited in Python (to word their messages); parsing is vectorised.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from lifecycle.domain import labels, schema
from lifecycle.domain.cells import UNSAFE_PREFIX_RE
from lifecycle.domain.reference import Region, industry_sections
from lifecycle.ingest import fields
from lifecycle.ingest.read import RawSheet
from lifecycle.ingest.report import ERROR, WARNING, Issue

HEADER_SCAN_ROWS = 30
KEYS = {"projects": "project_id", "approvals": "project_id", "operations": "project_id", "problems": "problem_id",
        "quotas": "unit_code", "leads": "lead_id", "reviews": "lead_id"}
EXAMPLE_MARK = "示例"
IGNORED_SHEETS = ("说明", "填表说明", "填报说明", "目录", "readme")
TOTAL_WORDS = ["合计", "总计", "小计", "累计", "全市合计", "总合计"]
FOOTER_RE = r"^\s*(填表|制表|审核|填报人|负责人|联系人|注[:：]|说明[:：]|备注[:：])"
# columns every hand-made ledger has that carry nothing to store: ignored without a warning
IGNORED_HEADERS = {"序号", "备注", "说明", "填报说明", "no", "no.", "编号说明"}

# numbers that may legitimately be negative (a loss)
SIGNED_FIELDS = {"profit_wan"}

_FW = {chr(0xFF10 + i): str(i) for i in range(10)}
_FW.update({"．": ".", "－": "-", "／": "/", "，": ",", "％": "%", "：": ":", "\u3000": " ", "—": "-", "–": "-"})


def _rev(d: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    out = {v: k for k, v in d.items()}
    out.update({k: k for k in d})
    out.update(extra)
    return out


ENUM_VALUES: dict[str, dict[str, str]] = {
    "signing_type": _rev(labels.SIGNING_TYPES, {"意向": "intent", "意向协议": "intent", "正式": "formal",
                                                "正式协议": "formal", "已签约": "formal", "签约": "formal"}),
    "origin": _rev(labels.ORIGINS, {"新建": "new", "新引进": "new", "招引": "new", "新项目": "new", "新招引项目": "new",
                                    "新开工": "new", "技术改造": "upgrade", "技改项目": "upgrade", "改扩建": "upgrade"}),
    "category": _rev(labels.CATEGORIES, {"制造业": "industry", "工业项目": "industry", "服务业项目": "service",
                                         "现代服务业": "service", "服务": "service"}),
    "exit_reason": _rev(labels.EXIT_REASONS, {"达效": "achieved", "无望": "hopeless", "停滞": "stalled",
                                              "流失": "lost", "暂停": "lost"}),
    "major_level": _rev(labels.MAJOR_LEVELS, {"省重大项目": "provincial", "省级重大": "provincial", "省级": "provincial",
                                              "省": "provincial", "市重大项目": "municipal", "市级重大": "municipal",
                                              "市级": "municipal", "市": "municipal"}),
}
BOOL_VALUES: dict[str, bool] = {
    "是": True, "否": False, "y": True, "n": False, "yes": True, "no": False, "true": True, "false": False,
    "1": True, "0": False, "√": True, "×": False, "有": True, "无": False, "涉及": True, "不涉及": False,
}


@dataclass
class SheetCtx:
    """Where a table's rows came from, to word issues: file, sheet, headers and their columns."""
    file: str
    sheet: str
    table: str
    header_row: int  # Excel row number of the header
    matches: dict[str, fields.HeaderMatch] = field(default_factory=dict)

    def issue(self, level: str, row, fld: str, value, message: str) -> Issue:
        m = self.matches.get(fld)
        return Issue(level, self.file, self.sheet, None if row is None else int(row),
                     m.header if m else (fields.template_header(self.table, fld) if fld else ""),
                     "" if value is None else str(value), message, self.table, fld,
                     m.col if m else None)


# ---- locating the table in a sheet -----------------------------------------------------------
def locate(raw: RawSheet) -> tuple[str | None, int | None, list[Issue]]:
    """(table, header row index 0-based, issues) for a raw sheet. The header row is the row among
    the first 30 that matches the most known headers; the table is given by the sheet (or file)
    name when it names one, else by the headers."""
    best: dict[str, tuple[int, int]] = {}
    for i, row in enumerate(raw.head(HEADER_SCAN_ROWS)):
        cells = [c for c in row if c]
        if len(cells) < 2:
            continue
        for t in schema.SHEET_NAMES:
            s = fields.score_row(t, cells)
            if s > best.get(t, (0, -1))[0]:
                best[t] = (s, i)
    named = fields.table_from_name(raw.sheet) or (fields.table_from_name(raw.file) if raw.kind == "csv" else None)
    if named and best.get(named, (0, 0))[0] >= 2:
        return named, best[named][1], []
    if best:
        t = max(best, key=lambda k: (best[k][0], k == "projects"))
        if best[t][0] >= 3:
            return t, best[t][1], []
    if fields.normalise(raw.sheet) in IGNORED_SHEETS or raw.grid.height == 0:
        return None, None, []
    names = "、".join(labels.IMPORT_TABLES.values())
    msg = (f"无法识别这张工作表是哪张台账（{names}）：前{HEADER_SCAN_ROWS}行中没有找到表头。"
           f"请将工作表命名为“项目”“审批”“运行”“问题”之一，或使用导入模板的表头")
    return None, None, [Issue(WARNING, raw.file, raw.sheet, None, "", "", msg + "；该工作表已忽略")]


def map_headers(raw: RawSheet, table: str, hidx: int) -> tuple[SheetCtx, list[Issue]]:
    ctx = SheetCtx(raw.file, raw.sheet, table, hidx + 1)
    issues: list[Issue] = []
    header = raw.head(hidx + 1)[hidx]
    unknown: list[tuple[int, str]] = []
    for j, h in enumerate(header):
        if not h:
            continue
        m = fields.match_header(table, h)
        if m is None:
            if fields.normalise(h) not in IGNORED_HEADERS:
                unknown.append((j, h))
            continue
        fld, unit = m
        factor = 1.0
        u = fields.units_for(fld)
        if u is not None and unit is not None:
            if unit not in u[0]:
                issues.append(Issue(ERROR, raw.file, raw.sheet, hidx + 1, h, h,
                                    f"无法识别表头中的单位“{unit}”（该列可用单位：{'、'.join(u[0])}）", table, fld, j))
                continue
            factor = u[0][unit]
        if fld in ctx.matches:
            first = ctx.matches[fld]
            issues.append(Issue(WARNING, raw.file, raw.sheet, hidx + 1, h, h,
                                f"与“{first.header}”列对应同一字段，本列已忽略", table, fld, j))
            continue
        ctx.matches[fld] = fields.HeaderMatch(fld, j, h, unit, factor)
        if u is not None and unit is None and u[1] in ("万元", "亩", "兆瓦时"):
            issues.append(Issue(WARNING, raw.file, raw.sheet, hidx + 1, h, h,
                                f"表头未注明单位，按{u[1]}读取（如为亿元请写作“{h}（亿元）”）", table, fld, j))
    known = fields.all_known_headers(table)
    for j, h in unknown:
        sug = fields.suggest(h, known)
        hint = f"；是否应为“{sug[0]}”？" if sug else ""
        issues.append(Issue(WARNING, raw.file, raw.sheet, hidx + 1, h, h, f"未识别的列，已忽略{hint}", table, "", j))
    for c in schema.TABLES[table]:
        if c.required and c.name not in ctx.matches:
            names = fields.known_headers(table, c.name)
            cand = fields.suggest(names[0], [h for _, h in unknown], n=1, cutoff=0.3)
            for n in names[1:]:
                if cand:
                    break
                cand = fields.suggest(n, [h for _, h in unknown], n=1, cutoff=0.5)
            hint = f"表中最接近的列是“{cand[0]}”，如是请将表头改为“{names[0]}”" if cand else \
                f"可用表头：{'、'.join(names[:6])}"
            issues.append(Issue(ERROR, raw.file, raw.sheet, hidx + 1, names[0], "",
                                f"缺少必填列“{names[0]}”（{labels.COLUMNS.get(c.name, c.name)}）；{hint}",
                                table, c.name, None))
    return ctx, issues


def formula_issues(raw: RawSheet, ctx: SheetCtx) -> list[Issue]:
    """A formula saved without its cached result (a workbook written by a program and never
    opened in Excel) would read as an empty cell: an error naming the cell, for every such cell
    in the header row or in a mapped column below it."""
    by_col = {m.col: f for f, m in ctx.matches.items()}
    out = []
    for row, col, text in raw.formulas:
        if row < ctx.header_row:
            continue
        fld = by_col.get(col)
        if fld is None and row != ctx.header_row:
            continue
        m = ctx.matches.get(fld) if fld else None
        out.append(Issue(ERROR, raw.file, raw.sheet, row, m.header if m else "", f"={text}" if text else "（共享公式）",
                         f"单元格{_a1(row, col + 1)}是公式但没有保存计算结果，无法读取其值：请在 Excel 中打开并保存后"
                         f"重新导入，或把公式改为数值", ctx.table, fld or "", col))
    return out


PIPELINE_HINTS: dict[tuple[str, str], str] = {
    ("leads", "lead_id"): "整数（系统中的线索编号；新线索填未用过的编号）",
    ("reviews", "lead_id"): "整数（招商线索表或系统中的线索编号）",
    ("projects", "lead_id"): "招商线索编号（可空；关联的线索须审查通过）",
    ("leads", "version"): "导出时的版本号（修改已有线索时保留，勿改）",
    ("leads", "stage"): "/".join(labels.PIPELINE_STAGES.values()),
    ("leads", "channel"): "按本地区配置的招商渠道",
    ("leads", "industry_chain"): "按本地区配置的产业链",
    ("leads", "project_type"): "按本地区配置的项目类型",
    ("leads", "unit_code"): "镇街/板块名称或代码",
    ("leads", "project_id"): "导出时填写（项目表中关联本线索的项目），导入时不读取",
    ("reviews", "round"): "该线索的第几轮审查（1、2、3…）",
    ("reviews", "dimension"): "意见行填：" + "/".join(labels.REVIEW_DIMENSIONS.values()),
    ("reviews", "verdict"): "结论行填：" + "/".join(labels.REVIEW_VERDICTS.values()),
    ("reviews", "date"): "日期（YYYY-MM-DD；结论行为结论日期）",
}


def unit_hint(table: str, fld: str) -> str:
    """The hint a template writes in its units row under a header."""
    col = schema.column(table, fld)
    if (table, fld) in PIPELINE_HINTS:  # the 招商线索 / 审查 sheets (docs/domain.md §16.5)
        return PIPELINE_HINTS[(table, fld)] + ("（必填）" if col.required else "")
    if fld == "township_code":
        return "镇街名称或9位代码（必填）"
    if fld == "unit_code":
        return "镇街/板块名称或代码（必填）"
    if fld in ENUM_VALUES:
        d = {"signing_type": labels.SIGNING_TYPES, "origin": labels.ORIGINS, "category": labels.CATEGORIES,
             "exit_reason": labels.EXIT_REASONS, "major_level": labels.MAJOR_LEVELS}[fld]
        base = "/".join(d.values())
    elif col.kind == "date":
        base = "年月（YYYY-MM）" if fld == "month" else "日期（YYYY-MM-DD）"
    elif col.kind == "bool":
        base = "是/否"
    elif col.kind in ("float", "int"):
        u = fields.units_for(fld)
        base = f"数值（{u[1]}）" if u and u[1] != "比例" else ("0～1 的小数或百分数" if u else "数值")
    elif fld == "industry_section":
        base = "门类字母 A～T"
    else:
        base = "文本"
    return base + ("（必填）" if col.required else "")


def build_frame(raw: RawSheet, ctx: SheetCtx, hidx: int) -> tuple[pl.DataFrame, list[Issue], dict]:
    """The data rows below the header as a frame of text columns (one per mapped field) plus
    `_row` (Excel row). Skips empty rows, a units row right under the header and rows whose key
    starts with 示例 (the template's example). Values merged down several data rows are filled
    into every row of the range (with a warning)."""
    issues: list[Issue] = []
    notes = {"skipped_units_row": None, "skipped_examples": [], "merged_filled": 0}
    fields_ = list(ctx.matches)
    header_row = hidx + 1
    start = max(0, header_row + 1 - raw.row0)  # grid index of the first row below the header
    n = max(0, raw.grid.height - start)
    cols = {}
    for f in fields_:
        s = raw.column(ctx.matches[f].col)
        s = pl.Series(f, [None] * n, dtype=pl.String) if s is None else s.slice(start, n).alias(f)
        cols[f] = s
    df = pl.DataFrame({"_row": pl.int_range(raw.row0 + start, raw.row0 + start + n, eager=True, dtype=pl.Int64),
                       **cols})
    if fields_:
        df = df.with_columns([
            pl.col(f).str.replace(UNSAFE_PREFIX_RE, "${1}")  # our exports' anti-formula apostrophe
            .str.strip_chars(" \t\r\n\u3000\xa0").str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "${1}")
            .replace("", None).alias(f) for f in fields_])
    # merged ranges inside the data area: fill the top-left value into the whole range
    for r1, c1, r2, c2 in raw.merged:
        if r1 <= header_row or r2 == r1:
            continue
        hit = [f for f, m in ctx.matches.items() if c1 - 1 <= m.col <= c2 - 1]
        if not hit:
            continue
        v = None
        src = raw.column(c1 - 1)
        if src is not None and 0 <= r1 - raw.row0 < src.len():
            v = _strip_text(src[r1 - raw.row0])
        in_range = pl.col("_row").is_between(r1, r2)
        df = df.with_columns([pl.when(in_range).then(pl.lit(v, pl.String)).otherwise(pl.col(f)).alias(f) for f in hit])
        notes["merged_filled"] += 1
        issues.append(ctx.issue(WARNING, r1, hit[0], v,
                                f"合并单元格{_a1(r1, c1)}:{_a1(r2, c2)}已按首格的值填入第{r1}～{r2}行，请核对"))
    if fields_:
        df = df.filter(pl.any_horizontal([pl.col(f).is_not_null() for f in fields_]))
    # the units row of the template, right under the header
    if df.height and df.item(0, "_row") == header_row + 1:
        first = df.row(0, named=True)
        filled = [(f, v) for f, v in first.items() if f != "_row" and v]
        same = sum(1 for f, v in filled if fields.normalise(v) == fields.normalise(unit_hint(ctx.table, f))
                   or v in ("单位", "填写说明"))
        if filled and same * 2 >= len(filled):
            notes["skipped_units_row"] = header_row + 1
            df = df.slice(1)
    key = KEYS[ctx.table]
    if key in df.columns:
        ex = pl.col(key).str.starts_with(EXAMPLE_MARK).fill_null(False)
        notes["skipped_examples"] = df.filter(ex).get_column("_row").to_list()
        df = df.filter(~ex)
        # a totals row (合计/小计, no key) and footer notes (填表人：…, 注：…) are not data
        others = [f for f in fields_ if f != key]
        total = pl.col(key).is_null() & pl.any_horizontal(
            [pl.col(f).str.replace_all(r"\s", "").is_in(TOTAL_WORDS) for f in others] or [pl.lit(False)])
        footer = pl.col(key).str.contains(FOOTER_RE).fill_null(False) | total.fill_null(False)
        notes["skipped_totals_and_notes"] = df.filter(footer).get_column("_row").to_list()
        df = df.filter(~footer)
    return df, issues, notes


def _strip_text(v):
    if v is None:
        return None
    v = str(v).strip(" \t\r\n\u3000\xa0")
    return v or None


def _a1(r: int, c: int) -> str:
    from lifecycle.ingest.report import col_letter
    return f"{col_letter(c - 1)}{r}"


# ---- parsing ----------------------------------------------------------------------------------
def _clean_numeric(c: str) -> pl.Expr:
    return pl.col(c).str.replace_many(_FW).str.strip_chars()


_FULL = r"^(\d{4})-(\d{1,2})-(\d{1,2})$"
_YMD8 = r"^(\d{4})(\d{2})(\d{2})$"
_YM = r"^(\d{4})-(\d{1,2})$"
_YM6 = r"^(\d{4})(\d{2})$"
_SERIAL = r"^(\d{5})$"


def parse_dates(df: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """Add `<c>__v` (date), `__mo` (month only), `__ser` (Excel serial), `__imp` (impossible
    date) and `__d` (day as written) for each text column c. Staged so that every expression
    stays small (Polars would otherwise re-plan one huge tree)."""
    if not cols:
        return df
    def clean(c):
        t = _clean_numeric(c)
        t = t.str.replace(r"[T ]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$", "").str.strip_chars()
        t = t.str.replace(r"[日号]$", "").str.replace_all(r"[年月/.]", "-").str.replace_all(r"\s*-\s*", "-")
        return t.str.strip_chars_end("-").alias(f"{c}__t")
    df = df.with_columns([clean(c) for c in cols])
    st1 = []
    for c in cols:
        t = pl.col(f"{c}__t")
        st1 += [
            pl.coalesce(t.str.extract(_FULL, 1), t.str.extract(_YMD8, 1), t.str.extract(_YM, 1),
                        t.str.extract(_YM6, 1)).cast(pl.Int32).alias(f"{c}__y"),
            pl.coalesce(t.str.extract(_FULL, 2), t.str.extract(_YMD8, 2), t.str.extract(_YM, 2),
                        t.str.extract(_YM6, 2)).cast(pl.Int32).alias(f"{c}__m"),
            pl.coalesce(t.str.extract(_FULL, 3), t.str.extract(_YMD8, 3)).cast(pl.Int32).alias(f"{c}__d"),
            (t.str.contains(_YM) | t.str.contains(_YM6)).alias(f"{c}__mo"),
            t.str.extract(_SERIAL, 1).cast(pl.Int64).alias(f"{c}__n"),
        ]
    df = df.with_columns(st1)
    st2 = []
    for c in cols:
        y, m = pl.col(f"{c}__y"), pl.col(f"{c}__m")
        ok_ym = y.is_between(1900, 2100) & m.is_between(1, 12)
        st2 += [
            pl.when(pl.col(f"{c}__mo")).then(pl.lit(1, pl.Int32)).otherwise(pl.col(f"{c}__d")).alias(f"{c}__d"),
            pl.date(pl.when(ok_ym).then(y), pl.when(ok_ym).then(m), 1).alias(f"{c}__first"),
        ]
    df = df.with_columns(st2)
    st3 = []
    for c in cols:
        d, first, n = pl.col(f"{c}__d"), pl.col(f"{c}__first"), pl.col(f"{c}__n")
        ok = first.is_not_null() & d.is_between(1, first.dt.month_end().dt.day().cast(pl.Int32))
        shaped = pl.col(f"{c}__y").is_not_null() & pl.col(f"{c}__m").is_not_null() & d.is_not_null()
        is_serial = n.is_between(10000, 80000) & pl.col(f"{c}__y").is_null()
        st3 += [
            pl.coalesce(pl.when(ok).then(first + pl.duration(days=d - 1)),
                        pl.when(is_serial).then(pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=n))).alias(f"{c}__v"),
            (pl.col(f"{c}__mo") & ok).alias(f"{c}__mo"),
            is_serial.alias(f"{c}__ser"),
            (shaped & ~ok).alias(f"{c}__imp"),
        ]
    df = df.with_columns(st3)
    return df.drop([f"{c}__{x}" for c in cols for x in ("t", "y", "m", "n", "first")])


def parse_table(df: pl.DataFrame, ctx: SheetCtx, reg: Region, month_end: dt.date,
                bounds: dict | None = None) -> tuple[pl.DataFrame, list[Issue]]:
    """Typed frame with columns `_row`, each mapped field (typed) and `<field>__raw` (text as
    written); plus the cell issues. `bounds` {field: [warn above, refuse above]} are the
    plausible magnitudes per column (config.toml [import.bounds.<table>])."""
    bounds = bounds or {}
    table = ctx.table
    issues: list[Issue] = []
    exprs: list[pl.Expr] = []
    checks: list[tuple[str, str, pl.Expr, object]] = []  # (field, level, bad-mask expr, message or fn)
    extra_cols: list[pl.Expr] = []

    date_cols = [f for f in ctx.matches if schema.column(table, f).kind == "date"]
    df = parse_dates(df, date_cols)
    num_cols = [f for f in ctx.matches if schema.column(table, f).kind in ("float", "int")]
    if num_cols:
        df = df.with_columns([_clean_numeric(f).str.replace_all(r"[,\s]", "").alias(f"{f}__nt") for f in num_cols])
    tw_map = _township_map(df, reg) if "township_code" in ctx.matches else {}
    sec_map = _section_map(df) if "industry_section" in ctx.matches else {}
    unit_map = _unit_map(df, reg) if "unit_code" in ctx.matches else {}

    for fld, hm in ctx.matches.items():
        col = schema.column(table, fld)
        raw = pl.col(fld)
        if col.required:
            checks.append((fld, ERROR, pl.col(f"{fld}__raw").is_null(), "必填项为空"))
        if col.kind == "date":
            extra_cols += [pl.col(f"{fld}__{x}") for x in ("mo", "imp", "ser", "d")]
            v = pl.col(f"{fld}__v")
            if fld == "month":  # an operating month: any day -> that month's first day
                v = v.dt.truncate("1mo")
            exprs.append(v.alias(fld))
        elif col.kind in ("float", "int"):
            t = pl.col(f"{fld}__nt")
            pct = t.str.ends_with("%")
            num = t.str.strip_chars_end("%").cast(pl.Float64, strict=False)
            num = pl.when(num.is_finite()).then(num)
            if fld == "capacity_utilization":
                num = pl.when(pct).then((num / 100).round(9)).otherwise(
                    (num * hm.factor).round(9) if hm.factor != 1.0 else num)
            else:
                num = pl.when(pct).then(None).otherwise((num * hm.factor).round(6) if hm.factor != 1.0 else num)
            exprs.append(num.alias(fld))
        elif col.kind == "bool":
            key = raw.str.replace_many(_FW).str.strip_chars().str.to_lowercase()
            exprs.append(key.replace_strict(BOOL_VALUES, default=None, return_dtype=pl.Boolean).alias(fld))
        elif fld in ENUM_VALUES:
            key = raw.str.replace_all(r"\s", "")
            lower = key.str.to_lowercase()
            mapping = ENUM_VALUES[fld]
            exprs.append(pl.coalesce(key.replace_strict(mapping, default=None, return_dtype=pl.String),
                                     lower.replace_strict(mapping, default=None, return_dtype=pl.String)).alias(fld))
        elif fld == "township_code":
            exprs.append(raw.replace_strict(tw_map, default=None, return_dtype=pl.String).alias(fld))
        elif fld == "industry_section":
            exprs.append(raw.replace_strict(sec_map, default=None, return_dtype=pl.String).alias(fld))
        elif fld == "unit_code":
            exprs.append(raw.replace_strict(unit_map, default=None, return_dtype=pl.String).alias(fld))
        elif fld == "credit_code":
            exprs.append(raw.str.replace_all(r"\s", "").str.to_uppercase().alias(fld))
        elif fld == "project_code":
            exprs.append(raw.str.replace_many(_FW).str.replace_all(r"\s", "").alias(fld))
        else:
            exprs.append(raw.alias(fld))
    typed = df.select(pl.col("_row"), *exprs, *[pl.col(f).alias(f"{f}__raw") for f in ctx.matches], *extra_cols)

    # ---- cell checks (vectorised masks; only failing rows visited) ----
    for fld in ctx.matches:
        col = schema.column(table, fld)
        raw = pl.col(f"{fld}__raw")
        parsed_null = raw.is_not_null() & pl.col(fld).is_null()
        label = labels.COLUMNS.get(fld, fld)
        if col.kind == "date":
            checks.append((fld, ERROR, pl.col(f"{fld}__imp"), _impossible_msg(fld)))
            checks.append((fld, ERROR, parsed_null & ~pl.col(f"{fld}__imp"),
                           "无法识别的日期（可写作 2024-03-15、2024/3/15、2024.03.15、2024年3月15日）"))
            if fld != "month":
                checks.append((fld, WARNING, pl.col(f"{fld}__mo"),
                               lambda r, f=fld: f"只填了年月，按该月1日（{r[f]}）计"))
                checks.append((fld, WARNING, pl.col(f"{fld}__ser") & pl.col(fld).is_not_null(),
                               lambda r, f=fld: f"按Excel日期序号读作 {r[f]}，请核对"))
            else:
                checks.append((fld, WARNING, pl.col(fld).is_not_null() & (pl.col(f"{fld}__d") > 1),
                               lambda r, f=fld: f"运行月份按所在月份计（{str(r[f])[:7]}）"))
        elif col.kind in ("float", "int"):
            checks.append((fld, ERROR, parsed_null, _number_msg(fld)))
            if fld not in SIGNED_FIELDS:
                checks.append((fld, ERROR, pl.col(fld) < 0, f"{label}不能为负数"))
            if fld == "capacity_utilization":
                checks.append((fld, ERROR, ~pl.col(fld).is_between(0, 1) & pl.col(fld).is_not_null(),
                               "产能利用率应在0到1之间（如85%请填0.85或“85%”）"))
            if col.kind == "int":
                checks.append((fld, ERROR, pl.col(fld).is_not_null() & (pl.col(fld) != pl.col(fld).floor()),
                               f"{label}应为整数"))
            if fld in bounds:
                warn, err = (float(x) for x in bounds[fld])
                size = pl.col(fld).abs()
                checks.append((fld, ERROR, size > err,
                               lambda r, f=fld, e=err: f"{labels.COLUMNS.get(f, f)}为 {r[f]:,.6g}，超过合理上限 {e:,.6g}"
                               f"（配置项 import.bounds），请检查单位或数值"))
                checks.append((fld, WARNING, (size > warn) & (size <= err),
                               lambda r, f=fld, w=warn: f"{labels.COLUMNS.get(f, f)}为 {r[f]:,.6g}，大于常见上限 {w:,.6g}，"
                               f"请核对单位或数值"))
        elif col.kind == "bool":
            checks.append((fld, ERROR, parsed_null, "应填“是”或“否”"))
        elif fld in ENUM_VALUES:
            d = {"signing_type": labels.SIGNING_TYPES, "origin": labels.ORIGINS, "category": labels.CATEGORIES,
                 "exit_reason": labels.EXIT_REASONS, "major_level": labels.MAJOR_LEVELS}[fld]
            checks.append((fld, ERROR, parsed_null, f"{label}应为以下之一：{'、'.join(d.values())}"))
        elif fld == "township_code":
            names = [t.name for t in reg.townships.values()]
            checks.append((fld, ERROR, parsed_null, lambda r, names=names: _township_msg(r["township_code__raw"], names, reg)))
        elif fld == "industry_section":
            checks.append((fld, ERROR, parsed_null, "行业门类应为国民经济行业分类门类字母 A～T（如 C 制造业）"))
        elif fld == "unit_code":
            checks.append((fld, ERROR, parsed_null, lambda r: f"未知的{reg.unit_word}“{r['unit_code__raw']}”"
                           f"（应为{reg.name}的{reg.unit_word}名称或代码，不会新建{reg.unit_word}）"))

    mask_cols = [m.fill_null(False).alias(f"__chk{i}") for i, (_, _, m, _) in enumerate(checks)]
    flagged = typed.with_columns(mask_cols)
    any_bad = pl.any_horizontal([pl.col(f"__chk{i}") for i in range(len(checks))]) if checks else pl.lit(False)
    bad_rows = flagged.filter(any_bad)
    if bad_rows.height:
        for r in bad_rows.iter_rows(named=True):
            for i, (fld, level, _, msg) in enumerate(checks):
                if r[f"__chk{i}"]:
                    text = msg(r) if callable(msg) else msg
                    issues.append(ctx.issue(level, r["_row"], fld, r.get(f"{fld}__raw"), text))
    if "employees" in typed.columns:
        typed = typed.with_columns(pl.col("employees").cast(pl.Int64, strict=False))
    typed = typed.drop([c for c in typed.columns if c.endswith(("__mo", "__imp", "__ser", "__d", "__v", "__nt"))])
    return typed, issues


def _impossible_msg(fld: str):
    def fn(r) -> str:
        import calendar
        import re

        raw = r.get(f"{fld}__raw") or ""
        nums = [int(x) for x in re.findall(r"\d+", raw.translate(str.maketrans(_FW)))]
        if len(nums) == 1 and len(str(nums[0])) == 8:
            nums = [nums[0] // 10000, nums[0] // 100 % 100, nums[0] % 100]
        if len(nums) >= 2:
            y, m = nums[0], nums[1]
            if not 1900 <= y <= 2100:
                return f"日期“{raw}”的年份{y}不合理"
            if not 1 <= m <= 12:
                return f"日期“{raw}”不存在：没有{m}月"
            if len(nums) >= 3:
                return f"日期“{raw}”不存在：{y}年{m}月只有{calendar.monthrange(y, m)[1]}天"
        return f"日期“{raw}”不存在"
    return fn


def _number_msg(fld: str):
    def fn(r) -> str:
        raw = r.get(f"{fld}__raw") or ""
        if raw.strip().endswith("%") and fld != "capacity_utilization":
            return "该列不接受百分数，请填写数值"
        return f"应为数值，实际为文本“{raw}”（请只填数字，单位写在表头）"
    return fn


def _township_msg(raw: str, names: list[str], reg: Region) -> str:
    sug = fields.difflib.get_close_matches(raw, names, n=1, cutoff=0.4)
    hint = f"；是否为“{sug[0]}”？" if sug else ""
    return f"未知的镇街“{raw}”：不在{reg.name}的镇街名录中（不会新建镇街）{hint}"


def _township_map(df: pl.DataFrame, reg: Region) -> dict[str, str]:
    out = {}
    for v in df.get_column("township_code").drop_nulls().unique().to_list():
        code = reg.resolve_township(v)
        if code is None:
            # tolerate stray spaces and full-width brackets inside a name
            import unicodedata
            alt = unicodedata.normalize("NFKC", v).replace(" ", "")
            code = reg.resolve_township(alt)
        if code is not None:
            out[v] = code
    return out


def _unit_map(df: pl.DataFrame, reg: Region) -> dict[str, str]:
    """Unit names or codes (or a township of the unit) as written -> unit code (quotas sheet)."""
    import unicodedata

    out = {}
    for v in df.get_column("unit_code").drop_nulls().unique().to_list():
        code = reg.resolve_unit(v) or reg.resolve_unit(unicodedata.normalize("NFKC", v).replace(" ", ""))
        if code is not None:
            out[v] = code
    return out


def _section_map(df: pl.DataFrame) -> dict[str, str]:
    secs = industry_sections()
    by_name = {n: s for s, n in secs.items()}
    out = {}
    for v in df.get_column("industry_section").drop_nulls().unique().to_list():
        t = v.strip().replace(" ", "")
        if len(t) >= 1 and t[0].upper() in secs and (len(t) == 1 or not t[1].isascii() or not t[1].isalpha()):
            if len(t) == 1 or t[1:] in (secs[t[0].upper()], "") or t[1:].lstrip("-_:：") == secs[t[0].upper()]:
                out[v] = t[0].upper()
                continue
        if t in by_name:
            out[v] = by_name[t]
    return out
