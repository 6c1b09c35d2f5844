"""要素保障: per unit and year, the land / emission / energy quotas (an optional sheet of the monthly
ledger), what was allocated to projects this year, what remains, and the projects still
waiting for an allocation — on a table, a chart and the offline unit map (docs/domain.md §13).
The seed: 统一展示和调配全市现有土地资源、环境污染排放指标和能耗指标."""
import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.present import charts, formats, maps
from lifecycle.query.metrics import Metrics

T = labels.QUOTA_TEXT
R = labels.QUOTA_RESOURCES
U = labels.QUOTA_UNITS
ctx = ui.setup(T["title"], "🧱")
reg = ctx.region
st.caption(T["rule"].format(unit_word=reg.unit_word))

rows = ui.cached(ctx, Metrics.quota_units, ctx.month, ctx.slice)
resource = st.radio(T["resource"], list(R), format_func=lambda r: f"{R[r]}（{U[r]}）", horizontal=True,
                    key="qt_resource")
d = rows.filter(pl.col("resource") == resource)
year = ctx.month[:4]
if not d["has_quota"].any():
    st.info(T["no_quotas"] + f"（{year}年）")

tot = d.select(pl.col("quota").sum(), pl.col("allocated").sum(), pl.col("waiting_projects").sum(),
               pl.col("waiting_demand").sum(), pl.col("shortfall").sum()).row(0, named=True)
has_any = bool(d["has_quota"].any())
c = st.columns(5)
c[0].metric(f"{year}年{labels.COLUMNS['quota']}（{U[resource]}）", formats.text(tot["quota"] if has_any else None))
c[1].metric(f"{labels.COLUMNS['allocated']}（{U[resource]}）", formats.text(tot["allocated"]))
c[2].metric(f"{labels.COLUMNS['remaining']}（{U[resource]}）",
            formats.text(tot["quota"] - tot["allocated"] if has_any else None))
c[3].metric(labels.COLUMNS["waiting_projects"], f"{tot['waiting_projects']:,}")
c[4].metric(f"{labels.COLUMNS['shortfall']}（{U[resource]}）", formats.text(tot["shortfall"] if has_any else None))

left, right = st.columns([3, 2], gap="large")
measure_label = f"{R[resource]}{labels.COLUMNS['remaining']}（{U[resource]}）"
with left:
    tips = d.select(
        "unit_code",
        pl.col("remaining").cast(pl.Float64).alias("value"),
        pl.format("剩余 {} {}", pl.col("remaining").round(1).cast(pl.String).fill_null("—"), pl.lit(U[resource]))
        .alias("value_text"),
        pl.format("指标 {} · 已分配 {} · 待分配项目 {} 个", pl.col("quota").round(1).cast(pl.String).fill_null("—"),
                  pl.col("allocated").round(1).cast(pl.String), pl.col("waiting_projects").cast(pl.String))
        .alias("extra"),
    )
    ui.deck(maps.build_deck(reg.key, tips, measure_label), key="qt_deck", height=560)
    present = d.filter(pl.col("remaining").is_not_null())
    lo = formats.text(present["remaining"].min()) if present.height else "—"
    hi = formats.text(present["remaining"].max()) if present.height else "—"
    st.markdown(maps.legend_html(measure_label, lo, hi), unsafe_allow_html=True)
with right:
    ui.plot(charts.unit_measure_chart(d.select("unit_code", "unit_name", "remaining"), "remaining",
                                      title=measure_label), key="qt_bars")

st.subheader(T["by_unit"].format(unit_word=reg.unit_word))
ui.show_table(d.drop("resource", "has_quota"), f"要素保障_{R[resource]}_{ctx.month}",
              title=f"{reg.name}{year}年{R[resource]}指标使用（{U[resource]}）", key="qt_table")

st.subheader(T["waiting"])
waiting = ui.cached(ctx, Metrics.quota_waiting, ctx.month, ctx.slice)
col = {"land": "land_demand_mu", "emission": "emission_demand_t", "energy": "energy_demand_tce"}[resource]
w = waiting.filter(pl.col(col) > 0)
if w.is_empty():
    st.caption(T["none_waiting"])
else:
    ui.show_table(formats.translate(w), f"待分配项目_{R[resource]}_{ctx.month}", key="qt_waiting", height=360)
