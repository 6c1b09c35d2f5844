"""阶段评估: the stage evaluations of the Jiangyin opinions (阶段性评估) — 审批 (approval cycle, 容缺预审,
并联审批, 代办服务, 签约备案率), 建设 (starts, 报建面积, investment completion), 竣工投产 (intensity,
equipment share, 研发加计扣除, capacity realisation, new above-scale enterprises, tax contribution,
employment) — per unit and per project (docs/domain.md §14)."""
import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.present import formats
from lifecycle.query.metrics import Metrics

T = labels.EVAL_TEXT
S = labels.EVAL_STAGES
C = labels.COLUMNS
ctx = ui.setup(T["title"], "📝")
reg = ctx.region
st.caption(T["rule"])
stage = st.radio(T["stage"], list(S), format_func=S.get, horizontal=True, key="ev_stage")

units = ui.cached(ctx, Metrics.evaluation_units, ctx.month, ctx.slice, period=ctx.period)
cols = Metrics.EVAL_UNIT_COLUMNS[stage]
tot = units.filter(pl.col("unit_code").is_null())
tot = tot.row(0, named=True) if tot.height else {}
show = cols[:5]
mc = st.columns(len(show))
for c, k in zip(mc, show):
    v = tot.get(k)
    k_kind = formats.kind(k, pl.Float64 if isinstance(v, float) else pl.Int64)
    c.metric(C.get(k, labels.RATES.get(k, k)), formats.text(v, k_kind))

st.subheader(T["units"].format(unit_word=reg.unit_word))
table = units.with_columns(pl.col("unit_name").fill_null(labels.LIST_TEXT["total"])).select(["unit_name", *cols])
ui.show_table(formats.for_display(table.rename({"filing_rate": "filing_rate", "investment_rate": "investment_rate"})),
              f"阶段评估_{S[stage]}_{ctx.month}", title=f"{reg.name}{S[stage]}评估（{formats.month_end_text(ctx.month)}）",
              key=f"ev_units_{stage}")

st.subheader(T["projects"])
rows = ui.cached(ctx, Metrics.evaluation_projects, ctx.month, ctx.slice, stage=stage)
if rows.is_empty():
    st.info(T["none"])
else:
    ui.show_table(formats.for_display(formats.translate(rows)), f"项目评估_{S[stage]}_{ctx.month}",
                  key=f"ev_projects_{stage}", height=420)
