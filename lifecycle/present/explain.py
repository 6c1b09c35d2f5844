"""Plain-Chinese explanations of the look-ahead and attribution results (docs/forecast.md):
one sentence per rate for 总览 and the monthly bulletin. Pure functions: dicts/frames in, text out."""
from __future__ import annotations

import polars as pl

from lifecycle.domain import labels
from lifecycle.present import formats

MIN_PP = 0.05  # a unit's contribution below this (|pp|) is not named: it rounds to ±0.0


def _pp(v: float) -> str:
    """A contribution in points with its sign: −1.1 / +0.8 (the unit 个百分点 is said once)."""
    return f"{v:+.1f}".replace("-", "−")


def _why(rate: str, row: dict) -> str:
    T = labels.ATTRIBUTION_TEXT
    if abs(row["mix_pp"]) >= abs(row["performance_pp"]):
        if not row["entered"] and not row["left"]:
            return ""
        left = T["why_mix_left"].format(left=row["left"]) if row["left"] else ""
        reached = row["entered_reached"]
        if rate == "investment_rate":
            return T["why_mix_inv"].format(entered=row["entered"], left_part=left)
        return T["why_mix"].format(entered=row["entered"], entered_reached=f"{reached:,.0f}", left_part=left)
    if rate == "investment_rate":
        return T["why_perf_inv"].format(gained=formats.yi_text(row["gained"]))
    return T["why_perf"].format(gained=f"{row['gained']:,.0f}") if row["gained"] > 0 else ""


def rate_sentence(rate: str, res: dict, unit_word: str, top: int = 2) -> str:
    """'备案项目开工率 −2.4 个百分点，主要来自 璜土镇 −1.1、青阳园区 −0.8（进入口径 12 个、其中已达到 0 个）'.
    `res` is one rate of Metrics.rate_attribution: {'change_pp', 'units': frame}."""
    T = labels.ATTRIBUTION_TEXT
    name = labels.RATES[rate]
    change = res.get("change_pp")
    if change is None:
        return T["sentence_none"].format(rate=name)
    units: pl.DataFrame = res["units"]
    named = [r for r in units.to_dicts() if abs(r["contribution_pp"]) >= MIN_PP]
    # name the units that moved the rate the same way as the total first
    sign = 1 if change >= 0 else -1
    same = [r for r in named if r["contribution_pp"] * sign > 0] or named
    picked = same[:top]
    ctext = formats.pp_text(change).replace("-", "−")
    if not picked:
        return T["sentence_flat"].format(rate=name, change=ctext, unit_word=unit_word)
    parts = [T["part"].format(unit=r["unit_name"], pp=_pp(r["contribution_pp"])) for r in picked]
    return T["sentence"].format(rate=name, change=ctext, parts="、".join(parts)) + _why(rate, picked[0])


def attribution_sentences(att: dict, unit_word: str) -> dict[str, str]:
    """{rate: sentence} for every rate of a Metrics.rate_attribution result."""
    return {k: rate_sentence(k, v, unit_word) for k, v in att["rates"].items()}


def waterfall_frame(res: dict, top: int = 8) -> pl.DataFrame:
    """The bars of a waterfall: the `top` units by absolute contribution, the rest summed into
    '其他', in points; the start and end (previous and current rate, %) are added by the chart."""
    units: pl.DataFrame = res["units"]
    if units.is_empty():
        return pl.DataFrame(schema={"unit_code": pl.String, "label": pl.String, "contribution_pp": pl.Float64,
                                    "mix_pp": pl.Float64, "performance_pp": pl.Float64})
    head = units.head(top).select("unit_code", pl.col("unit_name").alias("label"), "contribution_pp", "mix_pp",
                                  "performance_pp")
    rest = units.slice(top)
    if rest.height:
        head = pl.concat([head, pl.DataFrame({
            "unit_code": [None], "label": [labels.ATTRIBUTION_TEXT["others"]],
            "contribution_pp": [rest["contribution_pp"].sum()], "mix_pp": [rest["mix_pp"].sum()],
            "performance_pp": [rest["performance_pp"].sum()]}, schema=head.schema)])
    return head


def risk_unit_counts(risk: pl.DataFrame, units: list[tuple[str, str]], threshold: float = 0.5) -> pl.DataFrame:
    """Per unit (every unit of `units`, zero when none): forecast projects with risk ≥
    `threshold` ('high_risk'), the others ('other') and all ('forecast_count'), from Metrics.risk."""
    base = pl.DataFrame({"unit_code": [c for c, _ in units], "unit_name": [n for _, n in units]},
                        schema={"unit_code": pl.String, "unit_name": pl.String})
    if risk.is_empty():
        agg = pl.DataFrame(schema={"unit_code": pl.String, "high_risk": pl.Int64, "forecast_count": pl.Int64})
    else:
        agg = risk.group_by("unit_code").agg((pl.col("risk") >= threshold).sum().cast(pl.Int64).alias("high_risk"),
                                             pl.len().cast(pl.Int64).alias("forecast_count"))
    out = base.join(agg, on="unit_code", how="left").with_columns(
        pl.col("high_risk").fill_null(0), pl.col("forecast_count").fill_null(0))
    return out.with_columns((pl.col("forecast_count") - pl.col("high_risk")).alias("other"))


def risk_table(risk: pl.DataFrame) -> pl.DataFrame:
    """The columns of the ranked risk list as shown and downloaded (Chinese headers from labels)."""
    return risk.select(
        "project_id", "name", "unit_name", "stage",
        pl.col("milestone").replace_strict(labels.FORECAST_MILESTONES, default=None).alias("fc_milestone"),
        pl.col("planned_on").alias("fc_planned_on"),
        (pl.col("risk") * 100).round(1).alias("risk_pct"),
        "expected_on", "low_on", "high_on", "drivers",
        (pl.col("total_investment_wan") / 10000).round(2).alias("total_investment_yi"),
    )
