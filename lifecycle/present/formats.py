"""The presentation registry: how every column and value is shown, in one place.

Evidence's format tags and Rill's measure metadata are the model. For each column the
registry knows its Chinese header (`labels.COLUMNS`), its value map (English keys -> Chinese),
and its format kind:

| kind   | on screen / in a PDF        | in Excel              |
|--------|-----------------------------|-----------------------|
| pct    | 85.1%  (a share 0.851)      | 0.0%                  |
| yi     | 1,234.56 (亿元, 2 decimals) | #,##0.00              |
| wan    | 52,996 (万元, whole)        | #,##0                 |
| dec1   | 3.5 (months, points)        | 0.0                   |
| int    | 1,234                       | 0                     |
| date   | 2026-10-31                  | yyyy-mm-dd            |
| bool   | 是 / 否                     | text                  |
| text   | as is                       | text                  |

Tables on screen, CSV/Excel downloads, exports, the PDF/Excel packs, charts and maps all
format through these functions, so one value never reads two ways. Missing values are "—" in
text and blank cells in tables; never nan/None/inf.

May import: `lifecycle.domain`. Never Streamlit.
"""
from __future__ import annotations

import datetime as dt
import math

import polars as pl

from lifecycle.domain import labels

WAN_PER_YI = 10_000
MISSING = "—"

# Value labels per column (the English keys the SQL returns -> Chinese).
VALUE_MAPS: dict[str, dict] = {
    "stage": labels.STAGES,
    "prev_stage": labels.STAGES,
    "milestone": labels.STAGES,
    "state": labels.FLAG_CHANGE_STATES,
    "origin": labels.ORIGINS,
    "category": labels.CATEGORIES,
    "tier_band": {**labels.TIER_BANDS, "unknown": "未填报"},
    "exit_reason": labels.EXIT_REASONS,
    "suggested_reason": labels.EXIT_REASONS,
    "signing_type": labels.SIGNING_TYPES,
    "light": labels.LIGHTS,
    "level": labels.FLAG_LEVELS,
    "level_now": labels.FLAG_LEVELS,
    "status": labels.MILESTONE_STATUS,
    "problem_state": labels.PROBLEM_STATES,
    "planned_column": labels.PLANNED_COLUMNS,
    "start_status": labels.QUARTER_STATUS,
    "complete_status": labels.QUARTER_STATUS,
    "event": labels.MONTH_EVENTS,
    "major_level": labels.MAJOR_LEVELS,
    "target_key": labels.TARGETS,
    "grade": labels.GRADES,
    "problem_status": labels.PROBLEM_STATUSES,
    "source": labels.PROBLEM_SOURCES,
    "letter_kind": labels.LETTER_KINDS,
}

# Columns that only serve the code (joins, sorting) and are never shown or sent out.
INTERNAL = ("unit_code", "as_of", "ord", "stage_rank")

# Format kinds by column name (dtype decides for the rest: see `kind`).
PERCENT = frozenset({
    "equipment_share", "capacity_realisation", "ytd_ratio", "time_share", "on_time_share_now",
    "done_share_now", "on_time_share_at_batch", "capacity_utilization", "rate", "previous_rate",
    "filing_rate", "start_rate", "investment_rate", "production_rate", "capacity_rate",
    "start_on_time_rate", "complete_on_time_rate",
    "utilization_avg", "tax_vs_designed",
    "year_ratio", "tax_contribution", "tolerance_share", "parallel_share", "agency_share",
})
ONE_DECIMAL = frozenset({
    "months_waiting", "months_overdue", "approval_months", "months_past_due", "gap_pp", "change_pp",
    "months", "median_months", "mean_months", "p25_months", "p75_months", "max_months", "score",
    "months_in_phase", "months_over", "months_since_production", "target_to_date", "gap",
    "score_tax_per_mu", "score_output_per_mu", "score_tax_vs_designed", "score_intensity",
    "eval_approval_months", "approval_months_median",
})
YI_SUFFIX = "_yi"
WAN_SUFFIX = "_wan"

EXCEL_FORMATS = {
    "pct": "0.0%", "yi": "#,##0.00", "wan": "#,##0", "dec1": "0.0", "int": "0", "num": "#,##0.00",
    "date": "yyyy-mm-dd",
}


def kind(col: str, dtype: pl.DataType | None = None) -> str:
    """The format kind of column `col` (see the module table)."""
    if dtype is not None:
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            return "date"
        if dtype == pl.Boolean:
            return "bool"
        if not dtype.is_numeric():
            return "text"
    if col in PERCENT:
        return "pct"
    if col in ONE_DECIMAL:
        return "dec1"
    if col.endswith(YI_SUFFIX):
        return "yi"
    if col.endswith(WAN_SUFFIX):
        return "wan"
    if dtype is not None and dtype.is_integer():
        return "int"
    return "num"


def excel_format(k: str) -> str | None:
    return EXCEL_FORMATS.get(k)


def _finite(v) -> bool:
    return v is not None and not (isinstance(v, float) and (math.isnan(v) or math.isinf(v)))


def is_value(v) -> bool:
    """False for the missing values (None, NaN, ±inf) that are shown as '—' or a blank cell."""
    return _finite(v)


def text(v, k: str = "text") -> str:
    """One value as text in format kind `k`; missing (None, NaN, inf) -> '—'."""
    if not _finite(v):
        return MISSING
    if isinstance(v, bool):
        return labels.BOOL[v]
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()[:10]
    if isinstance(v, (int, float)):
        if k == "pct":
            return f"{v * 100:.1f}%"
        if k == "yi":
            return f"{v:,.2f}"
        if k in ("wan", "int"):
            return f"{v:,.0f}"
        if k == "dec1":
            return f"{v:,.1f}"
        if isinstance(v, float) and not v.is_integer():
            return f"{v:,.2f}"
        return f"{v:,.0f}"
    return str(v)


def value_text(col: str, v) -> str:
    """A value of column `col` as text: value map, then format kind."""
    if isinstance(v, str) and col in VALUE_MAPS:
        return VALUE_MAPS[col].get(v, v)
    return text(v, kind(col) if isinstance(v, (int, float)) and not isinstance(v, bool) else "text")


# ---- whole frames ---------------------------------------------------------------------------
def translate(df: pl.DataFrame, extra: dict[str, dict] | None = None) -> pl.DataFrame:
    """English enumeration keys -> Chinese labels (VALUE_MAPS) and booleans -> 是/否.
    Column names are kept."""
    maps = {**VALUE_MAPS, **(extra or {})}
    exprs = []
    for c, dtype in df.schema.items():
        if c in maps and dtype == pl.String:
            exprs.append(pl.col(c).replace(maps[c]))
        elif dtype == pl.Boolean:
            exprs.append(pl.col(c).replace_strict(labels.BOOL, return_dtype=pl.String))
    return df.with_columns(exprs) if exprs else df


def headers(columns) -> dict[str, str]:
    """Column -> unique Chinese header (a repeated label gets the column key appended)."""
    out, seen = {}, set()
    for c in columns:
        h = labels.COLUMNS.get(c, c)
        if h in seen:
            h = f"{h}（{c}）"
        seen.add(h)
        out[c] = h
    return out


def public(df: pl.DataFrame) -> pl.DataFrame:
    """Drop the internal columns."""
    return df.drop([c for c in INTERNAL if c in df.columns])


def for_display(df: pl.DataFrame) -> pl.DataFrame:
    """Screen-friendly numbers: ratio columns as percentages with one decimal (renamed
    `<col>_pct`, header “…（%）”), month counts and percentage-point gaps with one decimal."""
    exprs = []
    for c, dtype in df.schema.items():
        if not dtype.is_float():
            continue
        if c in PERCENT:
            exprs.append((pl.col(c) * 100).round(1).alias(f"{c}_pct"))
        elif c in ONE_DECIMAL:
            exprs.append(pl.col(c).round(1))
    if not exprs:
        return df
    out = df.with_columns(exprs)
    return out.select([f"{c}_pct" if (c in PERCENT and df.schema[c].is_float()) else c for c in df.columns])


def chinese(df: pl.DataFrame, drop_internal: bool = False) -> pl.DataFrame:
    """Values translated and Chinese headers: the frame a table or download shows."""
    out = translate(public(df) if drop_internal else df)
    return out.rename(headers(out.columns))


def text_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Every cell as display text (for PDFs and plain-text tables): formats by column kind,
    missing as '—'. Column names are kept."""
    out = translate(df)
    exprs = []
    for c, dtype in out.schema.items():
        k = kind(c, dtype)
        if k == "text":
            exprs.append(pl.col(c).fill_null(MISSING))
        else:
            exprs.append(pl.col(c).map_elements(lambda v, k=k: text(v, k), return_dtype=pl.String)
                         .fill_null(MISSING))
    return out.with_columns(exprs) if exprs else out


# ---- scalars used in headlines ------------------------------------------------------------
def yi(wan) -> float | None:
    """万元 -> 亿元."""
    return None if not _finite(wan) else wan / WAN_PER_YI


def yi_text(wan) -> str:
    """12,345 万元 -> '1.23亿元'; missing -> '—'."""
    return MISSING if not _finite(wan) else f"{wan / WAN_PER_YI:,.2f}亿元"


def pct_text(v) -> str:
    """A share as text: 0.8512 -> '85.1%'; missing -> '—'."""
    return text(v, "pct")


def pp_text(v) -> str:
    """A change in percentage points: +2.4 个百分点."""
    return MISSING if not _finite(v) else f"{v:+.1f} 个百分点"


def count_text(n, unit: str = "个") -> str:
    return MISSING if not _finite(n) else f"{n:,.0f}{unit}"


def month_text(month: str) -> str:
    """'2026-10' -> '2026年10月'."""
    return f"{month[:4]}年{int(month[5:7])}月"


def month_end_text(month: str) -> str:
    """'2026-10' -> '2026年10月末' (the as-of date of the snapshot)."""
    return month_text(month) + "末"


def quarter_text(quarter: str) -> str:
    """'2026Q3' -> '2026年第三季度'."""
    return f"{quarter[:4]}年第{'一二三四'[int(quarter[5]) - 1]}季度"


def slice_parts(region, sl) -> list[str]:
    """The non-default filters of a slice, each as Chinese text."""
    parts = []
    if sl.units:
        parts.append("、".join(region.units[u].name if u in region.units else u for u in sl.units))
    if sl.tiers:
        parts.append("、".join(labels.TIER_BANDS.get(t, t) for t in sl.tiers))
    if sl.sections:
        parts.append("门类" + "".join(sl.sections))
    if sl.origins:
        parts.append("、".join(labels.ORIGINS.get(o, o) for o in sl.origins))
    if sl.categories:
        parts.append("、".join(labels.CATEGORIES.get(c, c) for c in sl.categories))
    if getattr(sl, "majors", None):
        parts.append("、".join(labels.MAJOR_FILTER.get(c, c) for c in sl.majors))
    return parts


def slice_text(region, sl, default: str = "全部项目") -> str:
    """The slice as one line ('璜土镇；≥100亿'), or `default` when nothing is filtered."""
    parts = slice_parts(region, sl)
    return "；".join(parts) if parts else default


def cell_text(v, pct: bool = False, decimals: int | None = None) -> str:
    """A table cell as text for a PDF: a share as a percentage when `pct`, fixed `decimals`
    when given, otherwise large amounts whole and small ones with two decimals."""
    if pct:
        return text(v, "pct")
    if decimals is not None and _finite(v) and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:,.{decimals}f}"
    if isinstance(v, float) and _finite(v) and abs(v) >= 100:
        return f"{v:,.0f}"
    return text(v)


# ---- tables on screen (issue 11) ------------------------------------------------------------
# Column names that hold a percentage already multiplied by 100 (for_display's `<col>_pct`, or a
# Chinese header ending in （%）).
PCT_SHOWN_SUFFIXES = ("_pct", "（%）")
# printf formats for Streamlit's NumberColumn per format kind: numbers stay numbers (sortable)
SCREEN_FORMATS = {"wan": "%,.0f", "yi": "%,.2f", "dec1": "%,.1f", "int": "%,d", "num": "%,.2f",
                  "pct": "%.1f%%", "pct100": "%.1f%%"}


def screen_kind(col: str, dtype: pl.DataType) -> str:
    """The format kind of a column on screen: `kind`, plus 'pct100' for a percentage already ×100."""
    if dtype.is_numeric() and col.endswith(PCT_SHOWN_SUFFIXES):
        return "pct100"
    return kind(col, dtype)


def no_missing_numbers(df: pl.DataFrame) -> pl.DataFrame:
    """NaN and ±inf in float columns -> null (a blank cell, '—' in text; never 'nan'/'inf')."""
    exprs = [pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c)
             for c, dtype in df.schema.items() if dtype.is_float()]
    return df.with_columns(exprs) if exprs else df


def screen_frame(df: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, tuple[str, bool]]]:
    """The frame a screen table shows, and per (Chinese) header its (format kind, as_text).

    Values are translated and headers Chinese; dates read YYYY-MM-DD; empty text cells are
    blank; NaN/inf are missing. A numeric column without missing values stays numeric (the
    table can sort it; the ui formats it with `SCREEN_FORMATS[kind]`); one with missing values
    becomes text formatted here, '—' where missing (as_text=True), so no cell reads None.
    Shares (kind 'pct') are shown ×100 with a % sign."""
    src = no_missing_numbers(translate(df))
    kinds = {c: screen_kind(c, dtype) for c, dtype in src.schema.items()}
    exprs, as_text = [], {}
    for c, dtype in src.schema.items():
        k = kinds[c]
        as_text[c] = False
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            exprs.append(pl.col(c).dt.strftime("%Y-%m-%d").fill_null(""))
            kinds[c] = "text"
        elif dtype == pl.String:
            exprs.append(pl.col(c).fill_null(""))
        elif dtype == pl.Null:
            exprs.append(pl.lit("", dtype=pl.String).alias(c))
            kinds[c] = "text"
        elif dtype.is_numeric() and src[c].null_count():
            as_text[c] = True
            shown = "dec1" if k == "pct100" else k
            exprs.append(pl.col(c).map_elements(lambda v, k=shown: text(v, k), return_dtype=pl.String,
                                                skip_nulls=False).alias(c))
        elif k == "pct":
            exprs.append(pl.col(c) * 100)
        elif not (dtype.is_numeric() or dtype == pl.Boolean):
            exprs.append(pl.col(c).cast(pl.String, strict=False).fill_null(""))
            kinds[c] = "text"
    out = src.with_columns(exprs) if exprs else src
    hdr = headers(out.columns)
    out = out.rename(hdr)
    return out, {hdr[c]: (kinds[c], as_text[c]) for c in src.columns}

# 招商线索 pipeline and township targets (issue 19): the committee's verdicts in Chinese. (Its
# shares are shown as text through `pct_column`, not added to PERCENT: pages/funnel.py shows the
# library funnel's pct_of_previous already ×100.)
VALUE_MAPS["verdict"] = labels.REVIEW_VERDICTS


def pct_column(col: str) -> pl.Expr:
    """A share column as screen text in percent with one decimal ('83.3'), '—' when empty
    (a ratio with a zero base), keeping the column name (header “…（%）”)."""
    return (pl.when(pl.col(col).is_null()).then(pl.lit(MISSING))
            .otherwise((pl.col(col) * 100).round(1).cast(pl.String)).alias(col))


TARGET_STATUS_COLUMNS = ["unit_name", "measure_label", "target", "schedule_target", "actual", "gap",
                         "schedule_completion", "status_label"]


def target_status_frame(tg: pl.DataFrame) -> pl.DataFrame:
    """`Metrics.unit_targets` as the 招商任务序时进度 table of 总览 and the quarterly pack (docs/domain.md
    §16.3): per unit × measure the target, 序时 target, actual, gap (2 decimals), 序时 completion
    (a fraction, empty when the 序时 target is 0) and the status 落后 (gap < 0) / 达到序时."""
    T = labels.UNIT_TARGET_TEXT
    return tg.select(
        pl.coalesce("unit_name", "unit_code").alias("unit_name"), "measure_label",
        pl.col("target", "schedule_target", "actual", "gap").round(2), "schedule_completion",
        pl.when(pl.col("gap") < 0).then(pl.lit(T["behind"])).otherwise(pl.lit(T["on_track"])).alias("status_label"))
