"""镇街热力 (docs/domain.md §8 view 4): an offline pydeck map of the drill-down units coloured by a chosen
measure with project points sized by investment, the units ranked on that measure, and Plotly
heatmaps unit × stage and unit × month. Clicking a unit, a point or a heatmap cell lists the
projects behind it."""
import polars as pl
import streamlit as st

from lifecycle.present import charts, explain, maps
from lifecycle.domain import labels
from lifecycle import ui
from lifecycle.query.metrics import Metrics

ctx = ui.setup(ui.REGION_TITLES["map"])
T = labels.VIEW_TEXT
reg = ctx.region
UNIT, DETAIL = "map_unit", "map_detail"
unit_codes = [c for c in reg.units if ctx.slice.units is None or c in ctx.slice.units]
units = [(c, reg.units[c].name) for c in unit_codes]

# ---- data (all through the metrics API, cached per month and filters) -----------------------
unit_stage = ui.cached(ctx, Metrics.unit_stage, ctx.month, ctx.slice)
unit_month = ui.cached(ctx, Metrics.unit_month, ctx.month, ctx.slice)
rates_by_unit = ui.cached(ctx, Metrics.rates, ctx.month, ctx.slice, group_by="unit_code", period=ctx.period)
unit_ops = ui.cached(ctx, Metrics.unit_operations, ctx.month, ctx.slice)
measures = maps.unit_measures(reg.key, unit_stage, unit_month, ctx.month, rates_by_unit, unit_ops, unit_codes)
risk = ui.cached(ctx, Metrics.risk, ctx.month, ctx.slice)  # slippage forecast counts (docs/forecast.md)
measures = measures.join(explain.risk_unit_counts(risk, units).select("unit_code", "high_risk"), on="unit_code", how="left")

# ---- map: the measures layer, or the 现有产业布局 layer (docs/domain.md §16.6) ---------------
IL = labels.INDUSTRY_LAYOUT_TEXT
layer = st.radio(IL["layer"], ["measures", "industry"], format_func=lambda k: IL[f"layer_{k}"], horizontal=True,
                 key="map_layer")
if layer == "industry":
    layout = ui.cached(ctx, Metrics.industry_layout, ctx.month, ctx.slice)
    chains = maps.chain_order(layout)
    st.caption(IL["note"].format(month=ctx.month, unit_word=reg.unit_word))
    c1, c2 = st.columns(2)
    chain = c1.selectbox(IL["chain"], chains, key="map_chain") if chains else None
    value = c2.radio(IL["value"], ["project_count", "investment_yi"], format_func=lambda k: IL[
        "count" if k == "project_count" else "investment"], horizontal=True, key="map_chain_value")
    vlabel = IL["count" if value == "project_count" else "investment"]
    if not chains:
        st.info(IL["none"])
    unit_frame = maps.industry_unit_frame(layout, chain, value, unit_codes)
    st.subheader(f"{reg.unit_word}地图 · {IL['layer_industry']} · {chain or '—'}")
    deck = maps.build_deck(reg.key, unit_frame, f"{chain or ''}{vlabel}", None, focus=list(ctx.slice.units or []))
    ui.deck(deck, key="map_deck_industry", pick_key=UNIT, pick_of=lambda o: o.get("unit_code") or
            (o.get("properties") or {}).get("unit_code"), height=620)
    vals = unit_frame.sort("value")
    st.markdown(maps.legend_html(f"{chain or ''}{vlabel}", vals["value_text"][0] if vals.height else "—",
                                 vals["value_text"][-1] if vals.height else "—", points=False), unsafe_allow_html=True)
    st.subheader(IL["heatmap"].format(unit_word=reg.unit_word))
    ui.plot(charts.industry_heatmap(layout, units, chains, value), key="map_heat_chain", pick_key=UNIT,
            pick_of=lambda cd: {UNIT: cd[0], DETAIL: None})
    ui.show_table(layout.drop("unit_code").with_columns(pl.col("investment_yi").round(2)),
                  f"{reg.unit_word}产业布局_{ctx.month}", title=IL["table"].format(unit_word=reg.unit_word),
                  key="map_chain_tbl", link_projects=False)
else:
    measure = st.selectbox(T["map_measure"], list(labels.MAP_MEASURES), format_func=labels.MAP_MEASURES.get,
                           key="map_measure")
    mlabel = labels.MAP_MEASURES[measure]
    rows = measures.to_dicts()
    tip_frame = pl.DataFrame(
        {
            "unit_code": [r["unit_code"] for r in rows],
            "value": [None if r[measure] is None else float(r[measure]) for r in rows],
            "value_text": [maps.value_text(measure, r) for r in rows],
            "extra": [f"在库项目 {r['in_library']:,} 个 · 总投资 {r['total_investment_wan'] / 10000:,.2f} 亿元" for r in rows],
        },
        schema={"unit_code": pl.String, "value": pl.Float64, "value_text": pl.String, "extra": pl.String},
    )
    # the project points: the largest in-library projects of each unit (not every project: a map of
    # tens of thousands of points with a tooltip each would be tens of MB sent on every run)
    points = ui.cached(ctx, Metrics.map_points, ctx.month, ctx.slice, per_unit=maps.POINTS_PER_UNIT)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(f"{reg.unit_word}地图 · {mlabel}")
        deck = maps.build_deck(reg.key, tip_frame, mlabel, points, focus=list(ctx.slice.units or []))
        ui.deck(deck, key="map_deck", pick_key=UNIT, pick_of=lambda o: o.get("unit_code") or
                (o.get("properties") or {}).get("unit_code"), height=620)
        present = [r for r in rows if r[measure] is not None]
        lo = min(present, key=lambda r: r[measure]) if present else None
        hi = max(present, key=lambda r: r[measure]) if present else None
        st.markdown(maps.legend_html(mlabel, maps.value_text(measure, lo) if lo else "—",
                                     maps.value_text(measure, hi) if hi else "—"), unsafe_allow_html=True)
        st.caption(labels.MAP_CAPTION.format(unit_word=reg.unit_word, source=maps.source_text(reg.key))
                   + maps.points_note(points.height, int(measures["in_library"].sum()), reg.unit_word))
    with right:
        ui.plot(charts.unit_measure_chart(measures, measure, title=f"{reg.unit_word}·{mlabel}"), key="map_bars",
                pick_key=UNIT, pick_of=lambda cd: {UNIT: cd[0], DETAIL: None})

# ---- heatmaps (full width: a row per unit, readable on a big screen) -----------------------
st.subheader(f"{reg.unit_word} × 阶段（在库项目数）")
ui.plot(charts.unit_stage_heatmap(unit_stage, units), key="map_heat_stage", pick_key=UNIT,
        pick_of=lambda cd: {UNIT: cd[0], DETAIL: f"stage:{cd[1]}"})
st.subheader(f"{reg.unit_word} × 月份")
um_measure = st.selectbox(T["unit_month_measure"], list(labels.UNIT_MONTH_MEASURES),
                          format_func=labels.UNIT_MONTH_MEASURES.get, key="map_um_measure")
ui.plot(charts.unit_month_heatmap(unit_month, units, um_measure), key="map_heat_month", pick_key=UNIT,
        pick_of=lambda cd: {UNIT: cd[0], DETAIL: f"month:{cd[1]}"})

# ---- drill-down -------------------------------------------------------------------------
st.subheader(T["drill"])
months = sorted(unit_month["snapshot_month"].unique().to_list()) if not unit_month.is_empty() else [ctx.month]
c1, c2 = st.columns(2)
with c1:
    unit = ui.pick_box(f"{reg.unit_word}（也可点击地图、柱条或热力格）", unit_codes, key=UNIT,
                       format_func=lambda c: reg.units[c].name)
with c2:
    detail_opts = [f"stage:{s}" for s in labels.STAGE_ORDER] + [f"month:{m}" for m in months]
    detail = ui.pick_box("细分：阶段或月份（可选）", detail_opts, key=DETAIL,
                         format_func=lambda v: labels.STAGES[v[6:]] if v.startswith("stage:")
                         else f"{v[6:10]}年{int(v[11:])}月·{labels.UNIT_MONTH_MEASURES[um_measure]}")
if unit:
    name = reg.units[unit].name
    usl = ctx.slice.narrow(units=[unit])
    if detail and detail.startswith("stage:"):
        s = detail[6:]
        lst = ui.cached(ctx, Metrics.project_list, ctx.month, usl, stage=s)
        what = f"{name} · 当前处于「{labels.STAGES[s]}」的在库项目"
    elif detail and detail.startswith("month:"):
        m = detail[6:]
        mtxt = f"{m[:4]}年{int(m[5:])}月"
        if um_measure == "in_library":
            lst = ui.cached(ctx, Metrics.project_list, m, usl, in_library=True)
            what = f"{name} · {mtxt}末在库项目"
        elif um_measure == "started_in_month":
            lst = ui.cached(ctx, Metrics.project_list, m, usl).filter(pl.col("started_on").dt.strftime("%Y-%m") == m)
            what = f"{name} · {mtxt}开工项目"
        elif um_measure == "completed_in_month":
            lst = ui.cached(ctx, Metrics.project_list, m, usl).filter(pl.col("completed_on").dt.strftime("%Y-%m") == m)
            what = f"{name} · {mtxt}竣工项目"
        else:
            lst = ui.cached(ctx, Metrics.project_list, m, usl).filter(pl.col("year_done_wan") > 0)
            what = f"{name} · {mtxt}当年有完成投资的项目"
    else:
        lst = ui.cached(ctx, Metrics.project_list, ctx.month, usl, in_library=True)
        what = f"{name} · 在库项目"
    ui.drill_list(lst, what, f"{name}项目清单_{ctx.month}", "map_list")

# ---- table of measures ------------------------------------------------------------------
st.subheader(f"{reg.unit_word}指标一览")
tbl = measures.select(
    "unit_code", "unit_name", pl.col("in_library").alias("in_library_count"),
    (pl.col("total_investment_wan") / 10000).round(2).alias("total_investment_yi"),
    (pl.col("year_done_wan") / 10000).round(2).alias("year_done_yi"),
    *[(pl.col(k) * 100).round(1).alias(k) for k in labels.RATES],
    pl.col("tax_per_mu").round(2),
).rename({k: f"{labels.RATES[k]}（%）" for k in labels.RATES})
ui.show_table(tbl, f"{reg.unit_word}指标_{ctx.month}", title=f"{ctx.month} {reg.unit_word}指标一览", key="map_tbl",
              link_projects=False)
