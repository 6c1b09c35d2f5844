"""总览 (docs/domain.md §8 view 1): the five rates with their pairs and month-on-month change, the stage
funnel, counts and investment by tier, the flag counts (linking to the alerts page) and what
changed since last month — in the order a leader reads them at a review meeting."""
import datetime as dt

import polars as pl
import streamlit as st

from lifecycle.present import charts, formats
from lifecycle.domain import labels
from lifecycle import ui
from lifecycle.query.metrics import Metrics
from lifecycle.store import problems as store_problems
from lifecycle.store import verification
from lifecycle.store import targets as store_targets

ctx = ui.setup("总览")
T = labels.VIEW_TEXT

st.subheader(T["rates"])
# 仅计已核实节点 (docs/domain.md §17.4): a toggle kept in the URL (?verified=1)
verified_only = ui.verified_toggle("ov_verified")
if verified_only:  # recorded verifications change them: keyed by the verification revision
    rates = ui.memo(ctx, ("verified_rates", ctx.month, ctx.slice, ctx.period, verification.revision(ctx.store.root)),
                    lambda: ctx.metrics.verified_rates(ctx.month, ctx.slice, ctx.period))
    st.caption(labels.VERIFY_TEXT["toggle_caption"])
else:
    rates = ui.cached(ctx, Metrics.rates_with_change, ctx.month, ctx.slice, period=ctx.period)
ui.rate_cards(rates)
if not verified_only:
    ui.rate_explanations(ctx)  # why each rate moved: one sentence each, waterfall drill-down (docs/forecast.md)

# Yearly targets with 序时进度 (docs/domain.md §7.3; Changzhou: 拿地即开工, 联合竣工验收)
targets = ui.cached(ctx, Metrics.targets, ctx.month, ctx.slice)
if targets.height:
    st.subheader(labels.ZTF_TEXT["targets"])
    trend = ui.cached(ctx, Metrics.target_trend, ctx.month, ctx.slice)
    tcols = st.columns(targets.height)
    for col, r in zip(tcols, targets.iter_rows(named=True)):
        with col:
            st.metric(f"{r['target_name']}（年度目标{r['target']}个）", f"{r['ytd_count']:,}个",
                      delta=f"{r['gap']:+.1f} 个（序时目标 {r['target_to_date']:.1f} 个）",
                      help=f"序时目标 = 年度目标 × 已过月数 / 12 = {r['target']} × {r['months_elapsed']} / 12")
            ui.plot(charts.target_trend_chart(trend.filter(pl.col("target_key") == r["target_key"]), height=300),
                    key=f"ov_target_{r['target_key']}")
    st.markdown(f"[{labels.ZTF_TEXT['target_list']}及分{ctx.region.unit_word}情况 →]({ui.page_href('phases')})")

left, right = st.columns([5, 4], gap="large")
with left:
    st.subheader(T["funnel"])
    funnel = ui.cached(ctx, Metrics.funnel, ctx.month, ctx.slice)
    ui.plot(charts.funnel_chart(funnel, height=470), key="ov_funnel")
with right:
    st.subheader(T["tiers"])
    classes = ui.cached(ctx, Metrics.tier_classes, ctx.month, ctx.slice)
    st.markdown(
        ui.TIER_CARD_CSS + "<div class='lc-tiers'>"
        + "".join(
            f"<div class='lc-tier' title='在库项目中总投资{r['tier_label']}元（含）的项目；新招引{r['new_count'] or 0}个、技改{r['upgrade_count'] or 0}个'>"
            f"<span>{r['tier_label']}元</span><b>{r['count']:,}个</b><i>{formats.yi_text(r['total_investment_wan'])}</i></div>"
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
order = ["approval_red"] + [k for k in counts if k != "approval_red"]
ui.flag_cards(counts, order)
st.markdown(f"[{T['to_alerts']} →]({ui.page_href('alerts')})")
# recorded problems and updates change these counts: keyed by their revision (and the day they're read on)
pc = ui.memo(ctx, ("problem_counts", ctx.month, ctx.slice, store_problems.revision(ctx.store.root), dt.date.today()),
             lambda: ctx.metrics.problem_counts(ctx.month, ctx.slice))
pcols = st.columns(4)
pcols[0].metric(f"{labels.PROBLEM_TEXT['title']}·{labels.PROBLEM_TEXT['open']}", f"{pc['open']:,}")
pcols[1].metric(f"{labels.PROBLEM_TEXT['title']}·{labels.PROBLEM_TEXT['overdue']}", f"{pc['overdue']:,}")
pcols[2].metric(f"{labels.PROBLEM_TEXT['title']}·{labels.PROBLEM_TEXT['closed']}", f"{pc['closed']:,}")
pcols[3].markdown(f"[{labels.PROBLEM_TEXT['title']} →]({ui.page_href('problems')})")

# 招商任务序时进度 (docs/domain.md §16.3): targets saved in the app change it, so keyed by their revision
TT = labels.UNIT_TARGET_TEXT
st.subheader(TT["overview"])
unit_tg = ui.memo(ctx, ("unit_targets", ctx.month, ctx.slice, store_targets.revision(ctx.store.root)),
                  lambda: ctx.metrics.unit_targets(ctx.month, ctx.slice))
if unit_tg.is_empty():
    st.caption(TT["overview_none"].format(year=ctx.month[:4]))
else:
    st.caption(TT["overview_note"].format(year=ctx.month[:4], m=int(ctx.month[5:7])))
    ui.plot(charts.target_schedule_heatmap(unit_tg), key="ov_unit_targets")
    with st.expander(TT["overview_table"]):
        ui.show_table(formats.target_status_frame(unit_tg).with_columns(formats.pct_column("schedule_completion")),
                      f"招商任务序时进度_{ctx.month}", title=f"{ctx.month} {TT['overview']}", key="ov_unit_targets_t",
                      link_projects=False)

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
