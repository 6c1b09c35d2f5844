"""招商线索: the pipeline before the signing (docs/domain.md §16) — the lead funnel, stale leads,
the review committee's queue with the veto reasons, all leads, and the township targets with
序时 and gap."""
import datetime as dt

import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.present import charts, formats
from lifecycle.query.metrics import Metrics
from lifecycle.store import pipeline

T = labels.PIPELINE_TEXT
ctx = ui.setup(T["title"], "🤝")
root = ctx.store.root
cfg = pipeline.settings(root)
unit_names = {u.code: u.name for u in ctx.region.units.values()}
leads = pipeline.list_leads(root, ctx.slice.units)

# ---- funnel ---------------------------------------------------------------------------
st.subheader(T["funnel"])
if leads.is_empty():
    st.info(T["none"].format(path=pipeline.db_path(root).name))
st.caption(T["funnel_note"])
fun = pipeline.funnel(leads)
ui.plot(charts.pipeline_funnel_chart(fun), key="pl_funnel")
ui.show_table(fun.drop("stage").with_columns(formats.pct_column("pct_of_previous"), formats.pct_column("pct_of_first")), "招商漏斗", f"招商漏斗（{ctx.region.name}）", key="pl_funnel_t",
              link_projects=False)

# ---- stale leads ----------------------------------------------------------------------
st.subheader(T["stale"])
days = int(cfg["stale_days"])
st.caption(T["stale_note"].format(days=days))
old = pipeline.stale(leads, dt.date.today(), days)
if old.is_empty():
    st.info(T["stale_none"])
else:
    ui.show_table(pipeline.table(old, pipeline.STALE_TABLE, unit_names), "久未跟进线索", T["stale"], key="pl_stale",
                  link_projects=False)

# ---- review committee queue -----------------------------------------------------------
st.subheader(T["queue"])
st.caption(T["queue_note"])
queue = pipeline.review_queue(root, leads)
if queue.is_empty():
    st.info(T["queue_none"])
else:
    ui.show_table(pipeline.table(queue, pipeline.QUEUE_TABLE, unit_names), "审查队列", T["queue"], key="pl_queue",
                  link_projects=False)

if not leads.is_empty():
    with st.expander(T["all_leads"]):
        ui.show_table(pipeline.table(leads, pipeline.LEAD_TABLE, unit_names), "招商线索", T["all_leads"],
                      key="pl_all", link_projects=False)

# ---- township targets -----------------------------------------------------------------
st.subheader(T["targets"])
year = int(ctx.month[:4])
tg = ui.cached(ctx, Metrics.unit_targets, ctx.month, ctx.slice)
if tg.is_empty():
    st.info(T["targets_none"].format(year=year, unit_word=ctx.region.unit_word, region=ctx.region.key))
else:
    st.caption(T["targets_note"].format(year=year, m=int(ctx.month[5:7]), month=ctx.month))
    measure = st.selectbox(labels.COLUMNS["measure_label"], list(labels.TARGET_MEASURES),
                           format_func=labels.TARGET_MEASURES.get, key="pl_measure")
    one = tg.filter(pl.col("measure") == measure)
    ui.plot(charts.target_progress_chart(one, labels.TARGET_MEASURES[measure]), key="pl_targets_chart")
    shown = tg.drop("unit_code", "measure", "months_elapsed").with_columns(
        pl.col("target", "schedule_target", "actual", "gap").round(2),
        formats.pct_column("completion"), formats.pct_column("schedule_completion"))
    ui.show_table(shown, "招商任务",
                  f"{year}年招商任务完成情况（{ctx.month}）", key="pl_targets", link_projects=False)
