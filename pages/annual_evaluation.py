"""年度评价 (docs/domain.md §7.5): every producing in-library project graded A/B/C/D from 亩均税收,
亩均产出, actual vs designed tax and investment intensity (benchmarks, weights and grade
thresholds configured); the list for 表彰 (A) and the under-performers (D), downloadable."""
import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.present import charts, formats
from lifecycle.query.metrics import Metrics

T = labels.ZTF_TEXT
ctx = ui.setup(T["eval_title"])
m = ctx.metrics
st.caption(T["eval_intro"])
st.markdown(f"**{T['eval_rule']}**：{m.evaluation_rule()}")

grades = ui.cached(ctx, Metrics.evaluation_grades, ctx.month, ctx.slice)
rows = ui.cached(ctx, Metrics.evaluation, ctx.month, ctx.slice)
if rows.is_empty():
    st.info(T["eval_none"])
    st.stop()

st.subheader(T["eval_grades"])
c = st.columns(len(grades))
for col, r in zip(c, grades.iter_rows(named=True)):
    col.metric(labels.GRADES.get(r["grade"], T["grade_none"]), f"{r['grade_count']:,}个",
               help=f"总投资 {formats.yi_text(r['total_investment_wan'])}")
ui.plot(charts.grade_chart(grades), key="ev_grades")

cols = ["grade", "score", "project_id", "name", "unit_name", "total_investment_wan", "land_area_mu",
        "production_on", "tax_12m_wan", "output_12m_wan", "designed_tax_wan", "tax_per_mu", "output_per_mu",
        "tax_vs_designed", "intensity", "score_tax_per_mu", "score_output_per_mu", "score_tax_vs_designed",
        "score_intensity", "ops_months"]
view = rows.select(cols).with_columns(pl.col("tax_per_mu", "output_per_mu", "intensity").round(2))

for grade, title, file, none, key in (("A", "eval_awards", "表彰名单", "eval_no_a", "ev_a"),
                                      ("D", "eval_under", "产出不及预期", "eval_no_d", "ev_d")):
    st.subheader(T[title])
    part = view.filter(pl.col("grade") == grade)
    if part.is_empty():
        st.info(T[none])
    else:
        ui.show_table(formats.for_display(part), f"{file}_{ctx.month}", title=f"{ctx.month} {T[title]}",
                      key=key, height=320)

st.subheader(T["eval_all"])
ui.show_table(formats.for_display(view), f"年度评价_{ctx.month}", title=f"{ctx.month} {T['eval_all']}",
              key="ev_all", height=380)
