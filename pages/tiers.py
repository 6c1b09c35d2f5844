"""投资分档 (docs/domain.md §8 view 3): cumulative classes (≥1亿 … ≥100亿, as reports count them) and
bands (<1亿 … ≥100亿): counts, total and completed investment, stage mix, new vs upgrade;
clicking a tier lists its projects."""
import polars as pl
import streamlit as st

from lifecycle.present import charts
from lifecycle.domain import labels
from lifecycle import ui
from lifecycle.present import formats
from lifecycle.query.metrics import Metrics

ctx = ui.setup("投资分档")
T = labels.VIEW_TEXT
PICK = "tier_pick"
BANDS = list(labels.TIER_BANDS)
# cumulative class -> the bands at or above its lower bound (docs/domain.md §3)
CLASS_BANDS = {
    "ge1": ["1to10", "10to30", "30to50", "50to100", "ge100"],
    "ge10": ["10to30", "30to50", "50to100", "ge100"],
    "ge30": ["30to50", "50to100", "ge100"],
    "ge50": ["50to100", "ge100"],
    "ge100": ["ge100"],
}

classes = ui.cached(ctx, Metrics.tier_classes, ctx.month, ctx.slice)
tiers = ui.cached(ctx, Metrics.tiers, ctx.month, ctx.slice)

st.subheader(T["tier_classes"])
cols = st.columns(len(classes) or 1)
for col, r in zip(cols, classes.iter_rows(named=True)):
    col.metric(f"{r['tier_label']}元项目", f"{r['count']:,}个",
               help=f"在库项目中总投资{r['tier_label']}元（含）的项目；新招引{r['new_count']}个、技改{r['upgrade_count']}个")
    col.markdown(
        f"<div class='lc-pair'>总投资 {formats.yi_text(r['total_investment_wan'])}<br>"
        f"累计完成 {formats.yi_text(r['cumulative_done_wan'])}</div>", unsafe_allow_html=True)

left, right = st.columns(2, gap="large")
with left:
    ui.plot(charts.tier_count_chart(tiers, title=f"{T['tier_bands']}·{T['new_vs_upgrade']}"), key="tier_counts",
            pick_key=PICK, pick_of=lambda cd: f"band:{cd[0]}")
with right:
    ui.plot(charts.tier_class_chart(classes, title=f"{T['tier_classes']}·{T['new_vs_upgrade']}"), key="tier_classes",
            pick_key=PICK, pick_of=lambda cd: f"class:{cd[0]}")
left, right = st.columns(2, gap="large")
with left:
    ui.plot(charts.tier_investment_chart(tiers, title=T["tier_investment"]), key="tier_invest",
            pick_key=PICK, pick_of=lambda cd: f"band:{cd[0]}")
with right:
    ui.plot(charts.tier_stage_mix_chart(tiers, title=T["tier_stage_mix"]), key="tier_mix",
            pick_key=PICK, pick_of=lambda cd: f"band:{cd[0]}")

# ---- drill-down ------------------------------------------------------------------------------
options = [f"band:{b}" for b in BANDS] + [f"class:{c}" for c in labels.TIER_CLASSES]


def _pick_label(v: str) -> str:
    kind, k = v.split(":")
    return (labels.TIER_BANDS[k] if kind == "band" else labels.TIER_CLASSES[k]) + "元项目"


pick = ui.pick_box(T["drill_pick"], options, key=PICK, format_func=_pick_label)
if pick:
    kind, k = pick.split(":")
    wanted = [k] if kind == "band" else CLASS_BANDS[k]
    if ctx.slice.tiers:  # the sidebar's tier filter still applies
        wanted = [b for b in wanted if b in ctx.slice.tiers]
    if wanted:
        lst = ui.cached(ctx, Metrics.project_list, ctx.month, ctx.slice.narrow(tiers=wanted), in_library=True)
    else:
        lst = ui.cached(ctx, Metrics.project_list, ctx.month, ctx.slice, in_library=True).clear()
    ui.drill_list(lst, f"{T['drill']}：{_pick_label(pick)}（在库）", f"分档项目清单_{k}_{ctx.month}", "tier_list",
                  title=f"{ctx.month} {_pick_label(pick)} 清单")

# ---- tables ---------------------------------------------------------------------------------
st.subheader(T["tier_bands"])
band_tbl = tiers.select(
    "tier_label", "count", "new_count", "upgrade_count",
    *[(pl.col(c) / 10000).round(2).alias(c.replace("_wan", "_yi")) for c in
      ("total_investment_wan", "cumulative_done_wan", "year_done_wan")],
    *[f"stage_{s}" for s in labels.STAGE_ORDER],
)
ui.show_table(band_tbl, f"投资分档_{ctx.month}", title=f"{ctx.month} 在库项目投资分档", key="tier_band_tbl",
              link_projects=False)
st.subheader(T["tier_classes"])
class_tbl = classes.select(
    "tier_label", "count", "new_count", "upgrade_count",
    *[(pl.col(c) / 10000).round(2).alias(c.replace("_wan", "_yi")) for c in
      ("total_investment_wan", "cumulative_done_wan", "year_done_wan")],
)
ui.show_table(class_tbl, f"投资分档累计口径_{ctx.month}", title=f"{ctx.month} 在库项目（××亿元以上）",
              key="tier_class_tbl", link_projects=False)
