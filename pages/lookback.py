"""回头看: for each campaign batch (集中开工 / 集中竣工), the share of its projects that really
started or completed by their planned date — now and at the batch month — by township
(docs/domain.md §8 view 11)."""
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from lifecycle.domain import labels
from lifecycle import ui
from lifecycle.present import charts, formats
from lifecycle.query.metrics import Metrics

T = labels.LIST_TEXT
C = labels.COLUMNS
ctx = ui.setup("回头看", "🔁")

st.caption(T["lookback_note"])
lb = ui.cached(ctx, Metrics.lookback, ctx.month, ctx.slice)
if lb.is_empty():
    st.info(T["lookback_none"])
    st.stop()

lb = lb.with_columns(pl.col("kind").replace_strict(labels.LOOKBACK_KINDS)).rename({"kind": "kind_batch"})
totals = lb.filter(pl.col("unit_code").is_null()).drop("unit_code", "unit_name")

st.subheader(T["lookback_summary"])
chart_cols = st.columns(2)
for col, kind in zip(chart_cols, labels.LOOKBACK_KINDS.values()):
    d = totals.filter(pl.col("kind_batch") == kind).sort("batch_month")
    fig = go.Figure()
    for c_, name, color in (("on_time_share_at_batch", C["on_time_share_at_batch"], "#8cc63f"),
                            ("on_time_share_now", C["on_time_share_now"], "#2e9d4f"),
                            ("done_share_now", C["done_share_now"], "#1f77b4")):
        fig.add_trace(go.Bar(x=d["campaign"].str.slice(0, 6).to_list(), y=d[c_].to_list(), name=name,
                             marker_color=color, customdata=d["projects"].to_list(),
                             hovertemplate="%{x} " + name + "：%{y:.1%}（批次 %{customdata} 个项目）<extra></extra>"))
    fig.update_layout(title=kind, barmode="group", height=380, yaxis=dict(tickformat=".0%", range=[0, 1.05]),
                      xaxis=dict(type="category", tickangle=-60), margin=dict(l=10, r=10, t=50, b=60),
                      legend=dict(orientation="h", y=-0.2))
    col.plotly_chart(charts.localise(fig), width="stretch", key=f"lb_chart_{kind}", theme=None)
ui.show_table(formats.for_display(totals), "回头看_批次汇总", f"集中开竣工回头看（{ctx.month}）", key="lb_totals", link_projects=False)

st.subheader(T["lookback_units"])
batches = totals["campaign"].to_list()
batch = st.selectbox(T["lookback_pick"], batches, key="lb_batch")
units = lb.filter((pl.col("campaign") == batch) & pl.col("unit_code").is_not_null())
row = totals.filter(pl.col("campaign") == batch).row(0, named=True)
c = st.columns(4)
c[0].metric(C["projects"], f"{row['projects']}")
c[1].metric(C["on_time_share_now"], formats.pct_text(row["on_time_share_now"]), help=f"{row['on_time_now']} / {row['projects']}")
c[2].metric(C["on_time_share_at_batch"],
            formats.pct_text(row["on_time_share_at_batch"]) if row["at_batch_published"] else T["at_batch_unpublished"],
            help=f"{row['on_time_at_batch']} / {row['projects']}" if row["at_batch_published"] else None)
c[3].metric(C["done_share_now"], formats.pct_text(row["done_share_now"]), help=f"{row['done_now']} / {row['projects']}")
ui.show_table(formats.for_display(units.drop("unit_code")), f"回头看_{batch}_分镇街", f"{batch}回头看（{ctx.month}）",
              key="lb_units", link_projects=False)

st.subheader(T["lookback_projects"])
projects = ui.cached(ctx, Metrics.lookback_projects, ctx.month, ctx.slice, campaign=batch)
projects = formats.translate(projects.with_columns(pl.col("kind").replace_strict(labels.LOOKBACK_KINDS))
                                   .rename({"kind": "kind_batch"}))
ui.show_table(projects.drop("unit_code", "campaign"), f"回头看_{batch}_项目", f"{batch}项目明细（{ctx.month}）",
              key="lb_projects")
