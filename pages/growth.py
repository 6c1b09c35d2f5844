"""新增长点培育库 (docs/domain.md §7.4): completed in-library projects enter automatically; their
monthly operations (产值, 税收, 用电, 产能利用率) as small multiples, months since production,
规上 status, the ones that should have entered 规上 but have not, and 新入规 this year by unit."""
import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.present import charts, formats
from lifecycle.query.metrics import Metrics

T = labels.ZTF_TEXT
ctx = ui.setup(T["growth_title"])
m = ctx.metrics
st.caption(T["growth_intro"])
g = m.config["growth"]
rule = T["growth_rule"].format(months=g.get("above_scale_after_months", 12), sales=g.get("above_scale_sales_wan", 2000))

lib = ui.cached(ctx, Metrics.growth_projects, ctx.month, ctx.slice)
should = lib.filter(pl.col("should_be_above_scale"))
c = st.columns(4)
c[0].metric(T["growth_count"], f"{lib.height:,}个")
c[1].metric(T["growth_producing"], f"{lib.filter(pl.col('production_on').is_not_null()).height:,}个")
c[2].metric(T["growth_above"], f"{lib.filter(pl.col('is_above_scale')).height:,}个")
c[3].metric(T["growth_should"], f"{should.height:,}个", help=rule)

if lib.is_empty():
    st.info(T["growth_none"])
    st.stop()

st.subheader(T["growth_trend"])
ops = ui.cached(ctx, Metrics.growth_operations, ctx.month, ctx.slice)
ui.plot(charts.growth_multiples(ops), key="gr_ops")

st.subheader(T["growth_list"])
cols = ["project_id", "name", "unit_name", "stage", "completed_on", "production_on", "months_since_production",
        "output_12m_wan", "tax_12m_wan", "sales_12m_wan", "electricity_12m_mwh", "utilization_avg", "ops_months",
        "above_scale_on", "is_above_scale", "should_be_above_scale", "major_level"]
ui.show_table(formats.for_display(lib.select(cols)), f"新增长点培育库_{ctx.month}",
              title=f"{ctx.month} {T['growth_list']}", key="gr_list", height=380)

st.subheader(T["growth_should"])
st.caption(rule)
if should.is_empty():
    st.info(T["growth_should_none"])
else:
    ui.show_table(formats.for_display(should.select(cols)), f"应入规未入规_{ctx.month}",
                  title=f"{ctx.month} {T['growth_should']}", key="gr_should", height=300)

st.subheader(T["growth_new_scale"].format(unit=ctx.region.unit_word))
by_unit = ui.cached(ctx, Metrics.target_by_unit, ctx.month, ctx.slice).filter(pl.col("target_key") == "above_scale")
total = int(by_unit["ytd_count"].sum()) if by_unit.height else 0
st.metric(f"{ctx.month[:4]}年新入规企业（截至{formats.month_text(ctx.month)}）", f"{total:,}个")
if by_unit.height:
    ui.show_table(by_unit.select("unit_name", "ytd_count"), f"新入规_{ctx.month}",
                  title=f"{ctx.month[:4]}年新入规企业（分{ctx.region.unit_word}）", key="gr_units", link_projects=False)

st.subheader(T["growth_project"])
lib_names = dict(zip(lib["project_id"].to_list(), lib["name"].to_list()))  # one lookup, not a filter per option
pid = st.selectbox(T["growth_pick"], [None] + lib["project_id"].to_list(), key="gr_pid",
                   format_func=lambda p: labels.VIEW_TEXT["drill_none"] if p is None else f"{p} {lib_names[p]}")
if pid:
    one = ui.cached(ctx, Metrics.growth_operations, ctx.month, ctx.slice, project_id=pid)
    ui.plot(charts.growth_multiples(one), key="gr_one")
