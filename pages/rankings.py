"""绩效排名 (docs/domain.md §8 view 5): units ranked on a composite score of the five rates and 亩均税收
(weights from config, shown here), each component, and the rank change against the end of the
previous quarter."""
import polars as pl
import streamlit as st

from lifecycle.present import charts
from lifecycle.domain import labels
from lifecycle import ui
from lifecycle.query.metrics import Metrics, quarter_of
from lifecycle.present import formats

ctx = ui.setup("绩效排名")
T = labels.VIEW_TEXT
reg = ctx.region
PICK = "rank_pick"

weights = ctx.metrics.config["ranking_weights"]
ranking = ui.cached(ctx, Metrics.ranking, ctx.month, ctx.slice)
prev_m = ranking["prev_quarter_month"][0] if ranking.height else None

st.markdown(
    f"**{T['weights']}**：" + "，".join(f"{labels.RANKING_COMPONENTS[k]} {float(w) * 100:.0f}%" for k, w in weights.items()
                                         if k in labels.RANKING_COMPONENTS)
    + "。五率按比率×100计分（0–100），亩均税收按与最高{unit}之比×100计分；某项口径分母为0时该项不计，"
      "按其余各项权重加权平均。".format(unit=reg.unit_word),
    help="权重取自配置文件 lifecycle/config.toml 的 [ranking_weights]（可在数据目录的 config.toml 中覆盖）",
)
if prev_m:
    have_prev = ranking["rank_prev"].is_not_null().any()
    st.caption(f"名次变化：与上季度末（{prev_m[:4]}年{int(prev_m[5:])}月，{quarter_of(prev_m)}）排名相比，↑为上升，↓为下降"
               + ("" if have_prev else "；上季度末无快照，暂无对比"))

left, right = st.columns([3, 2], gap="large")
with left:
    ui.plot(charts.ranking_chart(ranking, title=f"{reg.unit_word}{T['ranking']}（{quarter_of(ctx.month)}）"),
            key="rank_chart", pick_key=PICK)
with right:
    st.subheader("前三名与进步最快")
    ranked = ranking.filter(pl.col("score").is_not_null())
    for r in ranked.head(3).iter_rows(named=True):
        st.metric(f"第{r['rank']}名 · {r['unit_name']}", f"{r['score']:.1f} 分",
                  delta=None if r["rank_change"] in (None, 0) else f"{r['rank_change']:+d} 名")
    movers = ranked.filter(pl.col("rank_change") > 0).sort("rank_change", descending=True).head(3)
    for r in movers.iter_rows(named=True):
        st.markdown(f"- {r['unit_name']}：第{r['rank_prev']}名 → 第{r['rank']}名（{charts.rank_change_text(r['rank_change'])}）")

# ---- the full table ---------------------------------------------------------------------
st.subheader(f"{T['ranking']}明细")
tbl = ranking.select(
    "rank", "unit_code", "unit_name", pl.col("score").round(1),
    pl.col("rank_change").map_elements(charts.rank_change_text, return_dtype=pl.String, skip_nulls=False)
    .alias("rank_change_text"),
    "rank_prev",
    *[pl.col(f"score_{k}").round(1) for k in labels.RANKING_COMPONENTS],
    *[(pl.col(k) * 100).round(1).alias(f"{k}_pct") for k in labels.RATES],
    pl.col("tax_per_mu").round(2),
    *[c for k in labels.RATES for c in (f"{k}_num", f"{k}_den")],
).rename({f"{k}_pct": f"{labels.RATES[k]}（%）" for k in labels.RATES})
ui.show_table(tbl, f"绩效排名_{ctx.month}", title=f"{ctx.month} {reg.unit_word}绩效排名", key="rank_tbl",
              link_projects=False)

# ---- drill-down -------------------------------------------------------------------------
codes = ranking["unit_code"].to_list()
unit = ui.pick_box(f"{T['drill_pick']}", codes, key=PICK, format_func=lambda c: reg.units[c].name)
if unit:
    lst = ui.cached(ctx, Metrics.project_list, ctx.month, ctx.slice.narrow(units=[unit]), in_library=True)
    st.markdown(f"**{reg.units[unit].name} · 在库项目：共 {lst.height:,} 个，"
                f"总投资 {formats.yi_text(lst['total_investment_wan'].sum())}**")
    ui.show_table(lst, f"{reg.units[unit].name}项目清单_{ctx.month}", key="rank_list", height=380)
