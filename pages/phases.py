"""分段推进 (docs/domain.md §2.3): the region's phases, each led by one department — projects in
each phase, time in the phase against the configured limit, the overdue ones, the month's
hand-overs (projects that crossed into the next phase, so the lead department changed), and
each phase's list as that department's sheet."""
import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.outputs import exports
from lifecycle.present import charts, formats
from lifecycle.query.metrics import Metrics

T = labels.ZTF_TEXT
ctx = ui.setup(T["phases_title"])
m = ctx.metrics
phases = m.phases
if not phases:
    st.info(T["phase_none"])
    st.stop()

summary = ui.cached(ctx, Metrics.phase_summary, ctx.month, ctx.slice)
st.subheader(T["phase_overview"])
cols = st.columns(len(phases))
for col, r in zip(cols, summary.iter_rows(named=True)):
    col.metric(f"{r['phase_name']}（{r['phase_dept']}）", f"{r['count']:,}个",
               delta=f"超期 {r['overdue_count']:,} 个" if r["overdue_count"] else None, delta_color="inverse",
               help=f"{r['phase_span']}；时限 {r['limit_months']} 个月（自进入本阶段起，超过即为超期）")
    col.caption(f"本月移入 {r['handed_in']:,} 个 · 移出 {r['handed_out']:,} 个"
                + (f" · {T['phase_done']} {r['done_count']:,} 个" if r["done_count"] else ""))
PICK = "ph_pick"
ui.plot(charts.phase_chart(summary), key="ph_chart", pick_key=PICK)
ui.show_table(
    summary.select("phase_name", "phase_dept", "phase_span", "limit_months", "count", "total_investment_wan",
                   "overdue_count", "handed_in", "handed_out", "done_count"),
    f"分段推进_{ctx.month}", title=f"{ctx.month} {T['phase_overview']}", key="ph_sum", link_projects=False)

# ---- the month's hand-over ------------------------------------------------------------------
st.subheader(f"{T['handover']}（{formats.month_text(ctx.month)}）")
hand = ui.cached(ctx, Metrics.phase_handover, ctx.month, ctx.slice)
if hand.is_empty():
    st.info(T["handover_none"])
else:
    ui.show_table(
        hand.select("from_phase_name", "from_dept", "to_phase_name", "to_dept", "handover_on", "project_id",
                    "name", "unit_name", "total_investment_wan", "owner"),
        f"阶段交接_{ctx.month}", title=f"{ctx.month} {T['handover']}", key="ph_hand", height=320)

# ---- one phase: its list, the overdue ones, the department's sheet --------------------------
st.subheader(T["phase_list"])
by_key = {p["key"]: p for p in phases}
pick = ui.pick_box(T["phase_pick"], list(by_key), key=PICK,
                   format_func=lambda k: f"{by_key[k]['name']}（{by_key[k]['dept']}）")
for key in ([pick] if pick else list(by_key)):
    p = by_key[key]
    lst = ui.cached(ctx, Metrics.phase_projects, ctx.month, ctx.slice, phase=key)
    overdue = lst.filter(pl.col("overdue"))
    rule = T["phase_rule"].format(name=p["name"], span=p.get("span", ""), limit=p["limit_months"])
    with st.expander(f"{p['name']} · 牵头部门 {p['dept']} · {lst.height:,} 个项目，超期 {overdue.height:,} 个",
                     expanded=bool(pick)):
        st.caption(rule)
        show = lst.select("project_id", "name", "unit_name", "stage", "total_investment_wan", "phase_entry_on",
                          "months_in_phase", "limit_months", "overdue", "months_over", "major_level", "owner")
        if lst.is_empty():
            st.info(labels.VIEW_TEXT["no_data"])
        else:
            ui.show_table(formats.for_display(show), f"{p['name']}_{ctx.month}",
                          title=f"{ctx.month} {p['name']}阶段项目", key=f"ph_list_{key}", height=320)
        if overdue.height:
            st.markdown(f"**{T['phase_overdue']}（{overdue.height:,}个）**")
            ui.show_table(formats.for_display(show.filter(pl.col("overdue"))), f"{p['name']}超期_{ctx.month}",
                          title=f"{ctx.month} {p['name']}阶段{T['phase_overdue']}", key=f"ph_over_{key}", height=260)
        ui.download(
            T["phase_export"].format(dept=p["dept"], name=p["name"]),
            lambda show=show, p=p, rule=rule: exports.sheet_bytes(  # built when clicked
                show, f"{ctx.region.name}{p['name']}阶段项目清单",
                f"数据截至：{formats.month_end_text(ctx.month)}　　规则：{rule}　　牵头部门：{p['dept']}", sheet=p["name"]),
            file_name=f"{ctx.region.name}_{p['name']}阶段_{p['dept'].replace(' / ', '、')}_{ctx.month}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"ph_sheet_{key}")

# ---- yearly targets with 序时进度 (docs/domain.md §7.3) ----------------------------------------
targets = ui.cached(ctx, Metrics.targets, ctx.month, ctx.slice)
if targets.height:
    st.subheader(T["targets"])
    st.caption(T["target_rule"].format(days=m.thresholds.get("land_to_start_days", 30)))
    ui.show_table(formats.for_display(targets.drop("target_key")), f"年度目标_{ctx.month}",
                  title=f"{ctx.month} {T['targets']}", key="ph_targets", link_projects=False)
    trend = ui.cached(ctx, Metrics.target_trend, ctx.month, ctx.slice)
    by_unit = ui.cached(ctx, Metrics.target_by_unit, ctx.month, ctx.slice)
    tabs = st.tabs(targets["target_name"].to_list())
    for tab, key in zip(tabs, targets["target_key"].to_list()):
        with tab:
            ui.plot(charts.target_trend_chart(trend.filter(pl.col("target_key") == key),
                                              title=T["target_trend"]), key=f"ph_trend_{key}")
            st.markdown(f"**{T['target_by_unit'].format(unit=ctx.region.unit_word)}**")
            ui.show_table(by_unit.filter(pl.col("target_key") == key).select("unit_name", "ytd_count"),
                          f"{labels.TARGETS[key]}_分{ctx.region.unit_word}_{ctx.month}", key=f"ph_unit_{key}",
                          link_projects=False)
            lst = ui.cached(ctx, Metrics.target_projects, ctx.month, ctx.slice, target_key=key)
            st.markdown(f"**{T['target_list']}（{lst.height:,}个）**")
            ui.show_table(lst.drop("target_key"), f"{labels.TARGETS[key]}_{ctx.month}",
                          title=f"{ctx.month[:4]}年{labels.TARGETS[key]}项目（截至{formats.month_text(ctx.month)}）",
                          key=f"ph_tlist_{key}", height=300)
