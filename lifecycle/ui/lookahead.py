"""Streamlit blocks of the look-ahead and attribution features (docs/forecast.md) that other
pages embed with one call, so their own edits stay one line: the rate sentences and the
waterfall drill-down on 总览, the risk line on the project file."""
from __future__ import annotations

import polars as pl
import streamlit as st

from lifecycle.domain import labels
from lifecycle.present import charts, explain, formats
from lifecycle.query.metrics import Metrics
from lifecycle.ui.page import Context, cached, plot, show_table


def rate_explanations(ctx: Context) -> None:
    """One sentence per rate (why it moved since last month) and a waterfall drill-down."""
    T = labels.ATTRIBUTION_TEXT
    att = cached(ctx, Metrics.rate_attribution, ctx.month, ctx.slice, versus="month", period=ctx.period)
    if att["previous_month"] is None:
        return
    sentences = explain.attribution_sentences(att, ctx.region.unit_word)
    st.markdown("<br>".join(f"· {s}" for s in sentences.values()), unsafe_allow_html=True)
    # a toggle rather than an expander: the waterfall is built only when asked for
    if st.toggle(T["drill"], value=False, key="ov_attr_open"):
        c1, c2 = st.columns([2, 3])
        rate = c1.selectbox(T["rate_pick"], list(labels.RATES), format_func=labels.RATES.get, key="ov_attr_rate")
        vs = c2.radio(T["compare"], ["month", "quarter"], horizontal=True, key="ov_attr_vs",
                      format_func=lambda v: T["vs_month"] if v == "month" else T["vs_quarter"])
        res = att if vs == "month" else cached(ctx, Metrics.rate_attribution, ctx.month, ctx.slice, versus="quarter",
                                               period=ctx.period)
        if res["previous_month"] is None:
            st.info(T["none"])
            return
        r = res["rates"][rate]
        prev = formats.month_text(res["previous_month"])
        st.markdown(explain.rate_sentence(rate, r, ctx.region.unit_word) + f"（较{prev}）")
        plot(charts.attribution_waterfall(explain.waterfall_frame(r), r["rate0"], r["rate1"],
                                          title=f"{labels.RATES[rate]}：{prev} → {formats.month_text(ctx.month)}"),
             key="ov_attr_fig")
        units = r["units"].drop("unit_code").with_columns(
            pl.col(c).round(2) for c in ("contribution_pp", "mix_pp", "performance_pp"))
        show_table(units, f"{labels.RATES[rate]}变动归因_{ctx.month}",
                   title=T["table"].format(unit_word=ctx.region.unit_word), key="ov_attr_tbl", link_projects=False)


def project_risk(ctx: Context, project_id: str) -> None:
    """The forecast line of one project on its file (or why there is none)."""
    T = labels.RISK_TEXT
    risk = cached(ctx, Metrics.risk, ctx.month)
    row = risk.filter(pl.col("project_id") == project_id)
    if row.is_empty():
        st.caption(T["file_none"].format(h=6))
        return
    r = row.row(0, named=True)
    line = T["file_risk"].format(
        ms=labels.FORECAST_MILESTONES[r["milestone"]], planned=formats.text(r["planned_on"]),
        risk=formats.pct_text(r["risk"]), expected=formats.text(r["expected_on"]),
        low=formats.text(r["low_on"]), high=formats.text(r["high_on"]))
    box = st.warning if (r["risk"] or 0) >= 0.5 else st.info
    box(line)
    st.caption(r["drivers"])
