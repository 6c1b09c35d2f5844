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

every = ui.cached(ctx, Metrics.approval_light_summary, ctx.month, ctx.slice)  # unfiltered: the department options
depts = sorted(d for d in every["dept"].to_list() if d and d != T["dept_unknown"])
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

# ---- per-project checklist (one page of projects at a time; downloads hold every project) ------
GRID_PAGE = 250  # projects per grid page: the Styler costs ~0.4 ms per styled row
st.subheader(T["checklist"])
n_projects, n_steps = total["projects"], total["steps"]
if n_steps == 0:
    st.info(labels.VIEW_TEXT.get("no_data", "当前筛选条件下没有项目。"))
else:
    pages = max(1, -(-n_projects // GRID_PAGE))
    page_no = 1
    if pages > 1:
        page_no = int(st.number_input(f"页码（共 {pages:,} 页，每页 {GRID_PAGE} 个项目）", 1, pages, 1, key="ap_grid_page"))
    got = ui.cached(ctx, Metrics.approval_grid, ctx.month, ctx.slice, depts=dsel, lights=lsel,
                    offset=(page_no - 1) * GRID_PAGE, limit=GRID_PAGE)
    order, grid = got["steps"], got["rows"]

    def _grid_cells(g: pl.DataFrame) -> pl.DataFrame:
        # light labels; a step the project does not have: blank
        return g.with_columns([pl.col(s_).replace_strict(labels.LIGHTS, default=None).fill_null("") for s_ in order])

    st.caption(f"{n_projects:,} 个项目 · {n_steps:,} 个审批事项"
               + (f" · 本页第 {(page_no - 1) * GRID_PAGE + 1:,}–{(page_no - 1) * GRID_PAGE + grid.height:,} 个" if pages > 1 else "")
               + " · 单元格颜色：" + " ".join(f"{labels.LIGHT_MD[k]}{labels.LIGHTS[k]}" for k in labels.LIGHTS))
    # only this page's cells are styled (a Styler over every project would be millions of cells)
    ui.show_light_table(_grid_cells(grid), order, key="ap_grid_tbl", height=420)
    ui.download_buttons(lambda: _grid_cells(m.approval_grid(ctx.month, ctx.slice, dsel, lsel)["rows"]),
                        "审批红绿灯_项目清单", f"审批红绿灯项目清单（{ctx.month}）", key="ap_grid")
    with st.expander(T["checklist_steps"]):
        def _steps(offset: int, limit: int | None) -> pl.DataFrame:
            if limit is None:  # every step, for a download (built when clicked)
                return m.approval_checklist(ctx.month, ctx.slice, dsel, lsel).drop("unit_code")
            return ui.cached(ctx, Metrics.approval_checklist, ctx.month, ctx.slice, depts=dsel, lights=lsel,
                             offset=offset, limit=limit).drop("unit_code")

        ui.show_paged(n_steps, _steps, "审批红绿灯_事项明细", f"审批事项明细（{ctx.month}）", key="ap_steps")

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
