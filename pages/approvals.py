"""审批红绿灯: every project's approval checklist as green / green-late / yellow / red, with the
over-12-month and stalled-step lists (docs/domain.md §8 view 6, §5)."""
import polars as pl
import streamlit as st

from lifecycle.domain import flags, labels
from lifecycle import ui
from lifecycle.present import formats
from lifecycle.query.metrics import Metrics

T = labels.LIST_TEXT
ctx = ui.setup("审批红绿灯", "🚦")
m = ctx.metrics

st.caption(f"{flags.LABELS['approval_light']}：{m.flag_rule('approval_light')}　"
           f"{T['dept_acts']}：{flags.DEPTS['approval_light']}")

all_lights = ui.cached(ctx, Metrics.approval_lights, ctx.month, ctx.slice)
depts = sorted(d for d in all_lights["dept"].unique().to_list() if d)
c1, c2 = st.columns(2)
sel_depts = c1.multiselect(T["dept_filter"], depts, key="ap_dept", placeholder=T["all_depts"])
sel_lights = c2.multiselect(T["light_filter"], list(labels.LIGHTS), key="ap_light", placeholder=T["all_depts"],
                            format_func=labels.LIGHTS.get)
st.caption(T["unit_filter_hint"])
dsel, lsel = tuple(sel_depts) or None, tuple(sel_lights) or None

# ---- summary per light and per department -----------------------------------------------
summary = ui.cached(ctx, Metrics.approval_light_summary, ctx.month, ctx.slice, depts=dsel, lights=lsel)
total = summary.filter(pl.col("dept").is_null()).row(0, named=True)
st.subheader(T["light_summary"])
cols = st.columns(len(labels.LIGHTS) + 1)
for col, k in zip(cols, labels.LIGHTS):
    col.metric(f"{labels.LIGHT_MD[k]} {labels.LIGHTS[k]}", f"{total[k]:,}")
cols[-1].metric(labels.COLUMNS["projects"], f"{total['projects']:,}")
st.markdown(f"**{T['by_dept']}**")
by_dept = summary.with_columns(pl.col("dept").fill_null(T["total"]))
ui.show_table(by_dept, "审批红绿灯_按部门汇总", f"审批红绿灯按部门汇总（{ctx.month}）", key="ap_by_dept",
              link_projects=False)

# ---- per-project checklist ----------------------------------------------------------------
st.subheader(T["checklist"])
steps = ui.cached(ctx, Metrics.approval_checklist, ctx.month, ctx.slice, depts=dsel, lights=lsel)
if steps.is_empty():
    st.info(labels.VIEW_TEXT.get("no_data", "当前筛选条件下没有项目。"))
else:
    order = [s for s in labels.APPROVAL_STEPS if s in steps["step"].unique().to_list()]
    order += sorted(set(steps["step"].unique().to_list()) - set(order))
    cells = steps.with_columns(pl.col("light").replace_strict(labels.LIGHTS).alias("cell"))
    grid = (
        cells.pivot(on="step", index=["project_id", "name", "unit_name", "owner"], values="cell",
                    aggregate_function="first")
        .join(steps.group_by("project_id").agg(
            (pl.col("light") == "red").sum().cast(pl.Int64).alias("red"),
            pl.col("days_past_due").max().alias("days_past_due")), on="project_id")
        .sort(["red", "days_past_due", "project_id"], descending=[True, True, False], nulls_last=True)
    )
    grid = grid.select("project_id", "name", "unit_name", "owner", *order, "red", "days_past_due")
    grid = grid.with_columns(pl.col(order).fill_null(""))  # a step the project does not have: blank
    st.caption(f"{grid.height:,} 个项目 · {steps.height:,} 个审批事项 · 单元格颜色："
               + " ".join(f"{labels.LIGHT_MD[k]}{labels.LIGHTS[k]}" for k in labels.LIGHTS))
    ui.show_light_table(grid, order, key="ap_grid_tbl", height=420)
    ui.download_buttons(grid, "审批红绿灯_项目清单", f"审批红绿灯项目清单（{ctx.month}）", key="ap_grid")
    with st.expander(T["checklist_steps"]):
        ui.show_table(steps.drop("unit_code"), "审批红绿灯_事项明细", f"审批事项明细（{ctx.month}）",
                      key="ap_steps")

# ---- over 12 months and stalled steps -----------------------------------------------------
st.subheader(f"{T['over_12m']}")
st.caption(f"{T['rule']}：{m.flag_rule('approval_over_12m')}　{T['dept_acts']}：{flags.DEPTS['approval_over_12m']}")
over = ui.cached(ctx, Metrics.flag, "approval_over_12m", ctx.month, ctx.slice)
st.metric(flags.count_label("approval_over_12m"), f"{over['project_id'].n_unique():,}")
ui.show_table(formats.for_display(over.drop("unit_code")), "审批周期超12个月", f"审批周期超12个月项目清单（{ctx.month}）",
              key="ap_over")

st.subheader(T["stalled"])
st.caption(f"{T['rule']}：{m.flag_rule('step_stalled')}　{T['dept_acts']}：{flags.DEPTS['step_stalled']}")
stalled = ui.cached(ctx, Metrics.flag, "step_stalled", ctx.month, ctx.slice)
if dsel:
    stalled = stalled.filter(pl.col("dept").is_in(list(dsel)))
c1, c2 = st.columns(2)
c1.metric(flags.count_label("step_stalled"), f"{stalled.height:,}")
c2.metric(T["count"], f"{stalled['project_id'].n_unique():,}")
ui.show_table(formats.for_display(stalled.drop("unit_code")), "审批环节超期停滞", f"审批环节超期停滞清单（{ctx.month}）", key="ap_stalled")

st.subheader(T["over_12m_started"])
st.caption(f"{T['rule']}：{m.flag_rule('approval_over_12m_started')}")
started = ui.cached(ctx, Metrics.flag, "approval_over_12m_started", ctx.month, ctx.slice)
st.metric(flags.count_label("approval_over_12m_started"), f"{started['project_id'].n_unique():,}")
ui.show_table(formats.for_display(started.drop("unit_code")), "本年开工审批周期超12个月", f"本年开工项目审批周期超12个月（{ctx.month}）",
              key="ap_started")
