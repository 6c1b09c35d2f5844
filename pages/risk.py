"""风险预判 (docs/forecast.md): in-library projects whose next milestone is planned in the coming
months, ranked by the probability of reaching it late, with the expected date, its interval and
the drivers in plain Chinese; counts by unit (click a bar to list its projects); the back-test
against the naive rule. Shared sidebar filters; the model is fitted once per published version."""
import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.present import charts, explain, formats
from lifecycle.query.metrics import Metrics

ctx = ui.setup(labels.RISK_TEXT["title"])
T = labels.RISK_TEXT
C = labels.BACKTEST_COLUMNS
reg = ctx.region
UNIT = "rk_unit"

horizon = st.selectbox(T["horizon"], [1, 2, 3, 4, 5, 6], index=5, key="rk_horizon",
                       format_func=lambda h: f"未来 {h} 个月")
st.caption(T["intro"].format(h=horizon))
risk = ui.cached(ctx, Metrics.risk, ctx.month, ctx.slice, horizon=horizon)

if risk.is_empty():
    st.info(T["none"].format(h=horizon))
else:
    high = int((risk["risk"] >= 0.5).sum())
    vhigh = int((risk["risk"] >= 0.8).sum())
    c = st.columns(3)
    c[0].metric(labels.FORECAST_COLUMNS["forecast_count"], f"{risk.height:,}个")
    c[1].metric("延误概率 ≥50%", f"{high:,}个")
    c[2].metric("延误概率 ≥80%", f"{vhigh:,}个")

    unit_codes = [u for u in reg.units if ctx.slice.units is None or u in ctx.slice.units]
    counts = explain.risk_unit_counts(risk, [(u, reg.units[u].name) for u in unit_codes])
    st.subheader(T["by_unit"].format(unit_word=reg.unit_word))
    ui.plot(charts.risk_by_unit_chart(counts), key="rk_units", pick_key=UNIT)

    st.subheader(labels.RISK_TEXT["title"])
    left, right = st.columns(2)
    with left:
        unit = ui.pick_box(f"{reg.unit_word}（也可点击柱条）", unit_codes, key=UNIT,
                           format_func=lambda u: reg.units[u].name)
    with right:
        min_risk = st.select_slider(T["min_risk"], options=[0, 20, 50, 80], value=0, key="rk_min",
                                    format_func=lambda v: f"{v}%")
    shown = risk
    if unit:
        shown = shown.filter(pl.col("unit_code") == unit)
    if min_risk:
        shown = shown.filter(pl.col("risk") >= min_risk / 100)
    where = reg.units[unit].name if unit else formats.slice_text(reg, ctx.slice)
    st.markdown(f"**{where}：" + T["count"].format(
        n=shown.height, high=int((shown["risk"] >= 0.5).sum()), vhigh=int((shown["risk"] >= 0.8).sum())) + "**")
    ui.show_table(explain.risk_table(shown), f"风险预判_{ctx.month}",
                  title=f"{formats.month_text(ctx.month)} 风险预判（未来{horizon}个月）", key="rk_list", height=460)

# ---- back-test ------------------------------------------------------------------------------
st.subheader(T["backtest"])
st.caption(T["backtest_note"].format(h=6))
if st.toggle("显示回测结果（全市口径，按发布版本计算一次）", value=False, key="rk_bt"):
    bt = ui.cached(ctx, Metrics.risk_backtest)
    s = bt["summary"]
    if s is None:
        st.info(T["backtest_none"].format(need=18))
    else:
        st.markdown(T["summary"].format(n=s["forecasts"], late=s["late_share"], bm=s["brier_model"],
                                        bn=s["brier_naive"], tm=s["top20_model"], tn=s["top20_naive"]))
        left, right = st.columns([3, 2])
        with left:
            per = bt["origins"].select(
                "origin_month", "scored", (pl.col("late_share") * 100).round(1).alias("late_share"),
                pl.col("brier_model").round(3), pl.col("brier_naive").round(3),
                (pl.col("top20_model") * 100).round(1).alias("top20_model"),
                (pl.col("top20_naive") * 100).round(1).alias("top20_naive"))
            ui.show_table(per.rename({k: f"{C[k]}（%）" for k in ("late_share", "top20_model", "top20_naive")}),
                          "风险预判回测", key="rk_bt_tbl", link_projects=False)
        with right:
            ui.plot(charts.calibration_chart(bt["calibration"], title=T["calibration"]), key="rk_cal")
