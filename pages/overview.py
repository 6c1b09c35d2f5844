"""总览 (docs/domain.md §8 view 1): the five rates with their pairs and month-on-month change, the stage
funnel, counts and investment by tier, the flag counts (linking to the alerts page) and what
changed since last month — in the order a leader reads them at a review meeting."""
import polars as pl
import streamlit as st

from lifecycle.present import charts
from lifecycle.domain import flags, labels
from lifecycle import ui
from lifecycle.query.metrics import Metrics

ctx = ui.setup("总览")
T = labels.VIEW_TEXT

rates = ui.cached(ctx, Metrics.rates_with_change, ctx.month, ctx.slice, period=ctx.period)
st.subheader(T["rates"])
ui.rate_cards(rates)
ui.rate_explanations(ctx)  # why each rate moved: one sentence each, waterfall drill-down (docs/forecast.md)

left, right = st.columns([5, 4], gap="large")
with left:
    st.subheader(T["funnel"])
    funnel = ui.cached(ctx, Metrics.funnel, ctx.month, ctx.slice)
    ui.plot(charts.funnel_chart(funnel, height=470), key="ov_funnel")
with right:
    st.subheader(T["tiers"])
    classes = ui.cached(ctx, Metrics.tier_classes, ctx.month, ctx.slice)
    st.markdown(
        "<style>.lc-tiers{display:grid;grid-template-columns:repeat(5,1fr);gap:8px;margin-bottom:6px}"
        ".lc-tier{border:1px solid #d6e4f0;border-top:5px solid #3182bd;border-radius:6px;padding:6px 10px;background:#f7fbff}"
        ".lc-tier span{font-size:0.85rem;color:#444;white-space:nowrap}.lc-tier b{display:block;font-size:1.5rem;line-height:1.25;white-space:nowrap}"
        ".lc-tier i{font-style:normal;font-size:0.85rem;color:#555;white-space:nowrap}</style><div class='lc-tiers'>"
        + "".join(
            f"<div class='lc-tier' title='在库项目中总投资{r['tier_label']}元（含）的项目；新招引{r['new_count']}个、技改{r['upgrade_count']}个'>"
            f"<span>{r['tier_label']}元</span><b>{r['count']:,}个</b><i>{r['total_investment_wan'] / 10000:,.0f}亿元</i></div>"
            for r in classes.iter_rows(named=True)
        )
        + "</div>",
        unsafe_allow_html=True,
    )
    tiers = ui.cached(ctx, Metrics.tiers, ctx.month, ctx.slice)
    ui.plot(charts.tier_count_chart(tiers, title=f"{T['tier_bands']}·{T['new_vs_upgrade']}", height=360),
            key="ov_tiers")

st.subheader(T["flags"])
counts = ui.cached(ctx, Metrics.flag_counts, ctx.month, ctx.slice)
flag_names = {**flags.LABELS, "approval_red": f"{flags.LABELS['approval_light']}·{labels.LIGHTS['red']}"}
order = ["approval_red"] + [k for k in counts if k != "approval_red"]
st.markdown(
    "<style>.lc-flags{display:grid;grid-template-columns:repeat(5,1fr);gap:10px;margin-bottom:8px}"
    ".lc-flag{display:block;border:1px solid #e3c8c8;border-left:6px solid #d7263d;border-radius:6px;"
    "padding:8px 12px;text-decoration:none!important;color:#222!important;background:#fff8f8}"
    ".lc-flag.zero{border-color:#cfe3cf;border-left-color:#2e9d4f;background:#f6fbf6}"
    ".lc-flag span{font-size:1rem;color:#444}.lc-flag b{display:block;font-size:2rem;line-height:1.2}</style>"
    "<div class='lc-flags'>"
    + "".join(
        f"<a class='lc-flag{' zero' if counts[k] == 0 else ''}' target='_self' "
        f"href='{ui.page_href('alerts', flag=k)}' title='{flags.DEPTS.get(k, flags.DEPTS['approval_light'])}'>"
        f"<span>{flag_names[k]}</span><b>{counts[k]:,}</b></a>"
        for k in order
    )
    + "</div>",
    unsafe_allow_html=True,
)
st.markdown(f"[{T['to_alerts']} →]({ui.page_href('alerts')})")

st.subheader(T["changes"])
changes = ui.cached(ctx, Metrics.changes, ctx.month, ctx.slice)
prev = ctx.metrics.previous_month(ctx.month)
if prev is None:
    st.info("这是最早一期快照，没有上月可比。")
else:
    n_by = {k: changes.filter(pl.col("change") == k).height for k in labels.CHANGES}
    advanced = changes.filter(pl.col("change") == "advanced")
    reached = {s: advanced.filter(pl.col("stage") == s).height for s in labels.STAGE_ORDER[2:]}
    c = st.columns(2 + len(reached))
    c[0].metric(labels.CHANGES["new"], f"{n_by['new']:,}个", help=f"{prev[:4]}年{int(prev[5:])}月快照中没有、本月新入库的项目")
    c[1].metric(labels.CHANGES["exited"], f"{n_by['exited']:,}个", help="上月在库、本月已退库的项目")
    for col, (s, n) in zip(c[2:], reached.items()):
        col.metric(f"新{labels.STAGES[s].split('/')[0]}", f"{n:,}个", help=f"上月尚未到达、本月进入“{labels.STAGES[s]}”阶段的项目")
    ui.show_table(
        changes.with_columns(pl.col("change").replace(labels.CHANGES)),
        f"较上月变化_{ctx.month}", title=f"{ctx.month} 较 {prev} 变化项目", key="ov_changes", height=360,
    )
