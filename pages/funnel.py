"""阶段漏斗 (docs/domain.md §8 view 2): the stage funnel and current-stage distribution of the slice,
conversion between stages, the cohort funnel by signing year, stage durations (incl. the
approval period 审批周期 filed → started), and a click-through list of a stage's projects."""
import polars as pl
import streamlit as st

from lifecycle.present import charts, formats
from lifecycle.domain import flags, labels
from lifecycle import ui
from lifecycle.query.metrics import Metrics

ctx = ui.setup("阶段漏斗")
T = labels.VIEW_TEXT
STAGE_RANK = {s: i for i, s in enumerate(labels.STAGE_ORDER)}
STATE_LABELS = {**labels.STAGES, "exited": "已退库"}
PICK = "fun_pick"

scope = st.radio(T["funnel_scope"], list(labels.FUNNEL_SCOPES), format_func=labels.FUNNEL_SCOPES.get,
                 horizontal=True, key="fun_scope")
funnel = ui.cached(ctx, Metrics.funnel, ctx.month, ctx.slice, scope=scope)
dist = ui.cached(ctx, Metrics.stage_distribution, ctx.month, ctx.slice)

left, right = st.columns(2, gap="large")
with left:
    st.subheader(T["funnel"])
    ui.plot(charts.funnel_chart(funnel), key="fun_funnel", pick_key=PICK, pick_of=lambda cd: f"reached:{cd[0]}")
with right:
    st.subheader(T["stage_distribution"])
    ui.plot(charts.stage_distribution_chart(dist), key="fun_dist", pick_key=PICK, pick_of=lambda cd: f"stage:{cd[0]}")

# ---- drill-down ------------------------------------------------------------------------------
options = [f"reached:{s}" for s in labels.STAGE_ORDER] + [f"stage:{s}" for s in STATE_LABELS]


def _pick_label(v: str) -> str:
    kind, s = v.split(":")
    if kind == "reached":
        return f"{T['reached']}「{labels.STAGES[s]}」"
    return f"{T['current']}「{STATE_LABELS[s]}」"


pick = ui.pick_box(T["drill_pick"], options, key=PICK, format_func=_pick_label)
if pick:
    kind, s = pick.split(":")
    if kind == "reached":
        lst = ui.cached(ctx, Metrics.project_list, ctx.month, ctx.slice, reached_rank=STAGE_RANK[s],
                        in_library=True if scope == "library" else None)
    else:
        lst = ui.cached(ctx, Metrics.project_list, ctx.month, ctx.slice, stage=s)
    ui.drill_list(lst, f"{T['drill']}：{_pick_label(pick)}", f"阶段项目清单_{s}_{ctx.month}", "fun_list",
                  title=f"{ctx.month} {_pick_label(pick)} 项目清单")

# ---- conversion -----------------------------------------------------------------------------
st.subheader(T["conversion"])
conv = funnel.select(
    "stage_label", "reached",
    (pl.col("pct_of_previous") * 100).round(1).alias("pct_of_previous"),
    (pl.col("pct_of_first") * 100).round(1).alias("pct_of_first"),
    (pl.col("investment_wan") / 10000).round(2).alias("investment_yi"),
)
ui.show_table(conv, f"阶段转化_{ctx.month}", title=f"{ctx.month} 阶段转化（{labels.FUNNEL_SCOPES[scope]}）",
              key="fun_conv", link_projects=False)

# ---- cohorts --------------------------------------------------------------------------------
st.subheader(T["cohort_funnel"])
cohort = ui.cached(ctx, Metrics.cohort_funnel, ctx.month, ctx.slice)
ui.plot(charts.cohort_chart(cohort), key="fun_cohort")
rec, conv_n = int(cohort["intent_recorded"].sum()), int(cohort["intent_converted"].sum())
st.metric(labels.ZTF_TEXT["intent_conversion"], formats.pct_text(conv_n / rec if rec else None),
          help=f"有意向签约记录的项目 {rec:,} 个，其中已转为正式签约 {conv_n:,} 个（意向签约日期在转正式后保留）")
st.caption(labels.ZTF_TEXT["funnel_intent_note"])
ui.show_table(cohort, f"签约年度队列_{ctx.month}", title=f"{ctx.month} 签约年度队列漏斗", key="fun_cohort_tbl",
              link_projects=False)

# ---- durations ------------------------------------------------------------------------------
st.subheader(T["durations"])
limit = ctx.metrics.thresholds["approval_period_months"]
# per-transition statistics computed in DuckDB (not every project's duration sent to the browser)
summary = ui.cached(ctx, Metrics.stage_duration_summary, ctx.month, ctx.slice, over_months=float(limit))
approval = summary.filter(pl.col("transition") == "filed_started").row(0, named=True)
c1, c2, c3 = st.columns(3)
c1.metric("审批周期中位数（备案→开工）", "—" if approval["median_months"] is None else f"{approval['median_months']:.1f} 个月",
          help="已开工项目从备案（核准）日期到开工日期的月数（天数/30.44）的中位数")
# not the 预警 list 审批周期超12个月 (in-library projects not yet started): a different count, a different label
c2.metric(labels.SCREEN_TEXT["started_after_limit"].format(limit=limit), f"{approval['over_count']:,}个",
          help=f"已开工项目中，备案至开工超过{limit}个月（天数/30.44）的项目数（不限开工年度）；"
               f"预警清单“{flags.LABELS['approval_over_12m']}”统计的是备案满{limit}个月仍未开工的在库项目")
c3.metric("已开工项目数（有备案日期）", f"{approval['n']:,}个")
ui.plot(charts.duration_summary_chart(summary), key="fun_durations")
ui.show_table(
    summary.select("transition", "n", "median_months", "p25_months", "p75_months", "mean_months", "max_months")
    .with_columns(pl.col("transition").replace(labels.TRANSITIONS),
                  pl.col("median_months", "p25_months", "p75_months", "mean_months", "max_months").round(1)),
    f"阶段耗时_{ctx.month}", title=f"{ctx.month} 阶段耗时（月）", key="fun_dur_tbl", link_projects=False,
)
