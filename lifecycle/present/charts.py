"""Pure chart builders: a small Polars frame from the metrics API -> a Plotly figure.

No Streamlit here (the pages render the figures). Labels come from `labels`; amounts are
shown in 亿元 (万元 / 10,000) as Chinese reports write them; fonts are large for a big screen.
Every clickable mark carries its key (stage, tier band, unit code …) in `customdata[0]` so a
page can turn a click into a drill-down list.
"""
from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl

from lifecycle.domain import labels
from lifecycle.present import formats

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
BASE_FONT = 18
STAGE_COLORS = {
    "intent": "#9ecae1",
    "signed": "#6baed6",
    "filed": "#3182bd",
    "started": "#f2a541",
    "completed": "#e4572e",
    "producing": "#54a24b",
    "at_capacity": "#1b7837",
    "exited": "#9e9e9e",
}
ORIGIN_COLORS = {"new": "#3182bd", "upgrade": "#f2a541"}
INVEST_COLORS = {"total_investment_wan": "#3182bd", "cumulative_done_wan": "#54a24b", "year_done_wan": "#f2a541"}
INVEST_LABELS = {"total_investment_wan": "总投资", "cumulative_done_wan": "累计完成投资", "year_done_wan": "当年完成投资"}
HEAT_SCALE = [[0.0, "#f7fbff"], [0.15, "#c6dbef"], [0.4, "#6baed6"], [0.7, "#2171b5"], [1.0, "#08306b"]]


# Axes read the Chinese way: no SI suffixes ("20k"), thousands separated; dates as 2024年1月
NUMBER_AXIS = dict(exponentformat="none", separatethousands=True)
DATE_AXIS = dict(tickformat="%Y年%-m月", hoverformat="%Y-%m-%d")


def localise(fig: go.Figure, height: int | None = None, date_x: bool = False) -> go.Figure:
    """The shared look and Chinese axes for a figure a page built itself: CJK fonts, white
    background, no SI suffixes, separators, and (date_x) month ticks as '2024年1月' instead of
    Plotly's English 'Jan 2024'. Layout the page already set is kept."""
    base = base_layout(None, height or (fig.layout.height or 360))
    for k in ("title", "margin", "legend", "showlegend", "clickmode", "dragmode"):
        base.pop(k, None)
    fig.update_layout(**{k: v for k, v in base.items() if k not in ("xaxis", "yaxis")})
    fig.update_xaxes(**NUMBER_AXIS, automargin=True)
    fig.update_yaxes(**NUMBER_AXIS, automargin=True)
    if date_x:
        fig.update_xaxes(**DATE_AXIS)
    return fig


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def base_layout(title: str | None = None, height: int = 460, show_legend: bool = True) -> dict:
    """Shared big-screen look: large CJK fonts, white background, horizontal legend. No named
    template (copying one costs ~0.1 s per figure); the few settings wanted are explicit."""
    return dict(
        template=None,
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(gridcolor="#e6e6e6", zerolinecolor="#cccccc", automargin=True, **NUMBER_AXIS),
        yaxis=dict(gridcolor="#e6e6e6", zerolinecolor="#cccccc", automargin=True, **NUMBER_AXIS),
        font=dict(family=FONT_FAMILY, size=BASE_FONT, color="#222"),
        title=dict(text=title, font=dict(size=BASE_FONT + 4), x=0, xanchor="left") if title else None,
        height=height,
        margin=dict(l=10, r=20, t=60 if title else 20, b=10),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=BASE_FONT - 2)),
        showlegend=show_legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, font=dict(size=BASE_FONT - 2)),
        clickmode="event+select",
        dragmode=False,
    )


def figure(traces: list, title: str | None = None, height: int = 460, show_legend: bool = True, **layout) -> go.Figure:
    """A figure with the shared look; `layout` entries are merged into it. (Building the layout
    in the constructor is ~7× faster than update_layout on an existing figure.)"""
    return go.Figure(data=traces, layout=_merge(base_layout(title, height, show_legend), layout))


def style(fig: go.Figure, title: str | None = None, height: int = 460, show_legend: bool = True) -> go.Figure:
    """Apply the shared look to an existing figure."""
    return fig.update_layout(**base_layout(title, height, show_legend))


def _empty(title: str | None, height: int = 300) -> go.Figure:
    return figure([], title, height, show_legend=False,
                  annotations=[dict(text=labels.VIEW_TEXT["no_data"], showarrow=False, font=dict(size=BASE_FONT + 2),
                                    xref="paper", yref="paper", x=0.5, y=0.5)],
                  xaxis=dict(visible=False), yaxis=dict(visible=False))


# ---- stages -----------------------------------------------------------------------------
def funnel_chart(df: pl.DataFrame, title: str | None = None, height: int = 480) -> go.Figure:
    """Stage funnel from `Metrics.funnel`: projects that reached each stage, with
    "% of previous stage" and "% of first stage" on every bar."""
    if df.is_empty():
        return _empty(title)
    rows = df.to_dicts()
    text = [
        # one short line per figure (a single long line is cut on a laptop screen)
        f"<b>{r['reached']:,}个</b>" + ("" if not formats.is_value(r["pct_of_previous"]) else
                                       f"<br>{labels.VIEW_TEXT['pct_prev']}{formats.pct_text(r['pct_of_previous'])}"
                                       f"<br>{labels.VIEW_TEXT['pct_first']}{formats.pct_text(r['pct_of_first'])}")
        for r in rows
    ]
    trace = go.Funnel(
        y=[r["stage_label"] for r in rows],
        x=[r["reached"] for r in rows],
        text=text,
        textinfo="text",
        textposition="outside",
        textfont=dict(size=BASE_FONT - 5, color="#111"),
        customdata=[[r["stage"], formats.yi(r.get("investment_wan") or 0.0)] for r in rows],
        hovertemplate="%{y}<br>已达到 %{x:,} 个<br>总投资 %{customdata[1]:,.2f} 亿元<extra></extra>",
        marker=dict(color=[STAGE_COLORS[r["stage"]] for r in rows]),
        connector=dict(line=dict(color="#bbb", width=1)),
        cliponaxis=False,
    )
    top = max(r["reached"] for r in rows) or 1
    # funnel bars are centred on 0: leave room on the right for the outside labels
    return figure([trace], title, height, show_legend=False, yaxis=dict(tickfont=dict(size=BASE_FONT + 1)),
                  xaxis=dict(visible=False, range=[-top * 0.51, top * 1.45]), margin=dict(r=10))


def stage_distribution_chart(df: pl.DataFrame, title: str | None = None, height: int = 440) -> go.Figure:
    """Projects by current stage (exited apart) from `Metrics.stage_distribution`."""
    if df.is_empty() or df["count"].sum() == 0:
        return _empty(title)
    rows = df.to_dicts()
    trace = go.Bar(
        x=[r["stage_label"] for r in rows],
        y=[r["count"] for r in rows],
        text=[f"{r['count']:,}" for r in rows],
        textposition="outside",
        customdata=[[r["stage"], formats.yi(r["investment_wan"])] for r in rows],
        hovertemplate="%{x}<br>%{y:,} 个<br>总投资 %{customdata[1]:,.2f} 亿元<extra></extra>",
        marker=dict(color=[STAGE_COLORS[r["stage"]] for r in rows]),
        cliponaxis=False,
    )
    return figure([trace], title, height, show_legend=False, yaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_count"])))


COHORT_STAGES = ["signed", "filed", "started", "completed", "producing", "at_capacity"]


def cohort_chart(df: pl.DataFrame, title: str | None = None, height: int = 460) -> go.Figure:
    """Cohort funnel by signing year (`Metrics.cohort_funnel`): per year, how many of the
    formally signed projects have reached each later milestone (hover: share of signed)."""
    if df.is_empty():
        return _empty(title)
    years = [str(y) for y in df["signing_year"].to_list()]
    signed = df["signed"].to_list()
    traces = []
    for s in COHORT_STAGES:
        vals = df[s].to_list()
        share = [(v / d) if d else None for v, d in zip(vals, signed)]
        traces.append(go.Bar(
            x=years, y=vals, name=labels.STAGES[s], marker_color=STAGE_COLORS[s],
            customdata=[[s, formats.pct_text(p)] for p in share],
            hovertemplate="%{x}年签约<br>" + labels.STAGES[s] + "：%{y:,} 个（占正式签约 %{customdata[1]}）<extra></extra>",
        ))
    return figure(traces, title, height, barmode="group", bargap=0.2,
                  xaxis=dict(title=dict(text="签约年度"), type="category"),
                  yaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_count"])))


def duration_summary(df: pl.DataFrame) -> pl.DataFrame:
    """Per stage transition: number of projects, median / quartiles / mean / max months, from
    the per-project rows of `Metrics.stage_durations` (vectorised Polars group-by), in
    lifecycle order."""
    order = pl.DataFrame({"transition": list(labels.TRANSITIONS), "ord": range(len(labels.TRANSITIONS))})
    stats = ("median_months", "p25_months", "p75_months", "mean_months", "max_months")
    if df.is_empty():
        return order.drop("ord").with_columns(pl.lit(0, pl.Int64).alias("n"),
                                              *[pl.lit(None, pl.Float64).alias(c) for c in stats])
    agg = df.group_by("transition").agg(
        pl.len().cast(pl.Int64).alias("n"),
        pl.col("months").median().alias("median_months"),
        pl.col("months").quantile(0.25, interpolation="linear").alias("p25_months"),
        pl.col("months").quantile(0.75, interpolation="linear").alias("p75_months"),
        pl.col("months").mean().alias("mean_months"),
        pl.col("months").max().alias("max_months"),
    )
    out = order.join(agg, on="transition", how="left").sort("ord").drop("ord")
    return out.with_columns(pl.col("n").fill_null(0))


def duration_chart(df: pl.DataFrame, title: str | None = None, height: int = 460) -> go.Figure:
    """Distribution of months between consecutive milestones (box per transition)."""
    if df.is_empty():
        return _empty(title)
    palette = ["#6baed6", "#3182bd", "#f2a541", "#e4572e", "#54a24b"]
    traces = []
    for i, (t, lab) in enumerate(labels.TRANSITIONS.items()):
        vals = df.filter(pl.col("transition") == t)["months"].to_list()
        if not vals:
            continue
        traces.append(go.Box(x=vals, name=lab, boxmean=True, orientation="h", marker_color=palette[i % len(palette)],
                             boxpoints="outliers", hovertemplate=lab + "<br>%{x:.1f} 个月<extra></extra>"))
    return figure(traces, title, height, show_legend=False,
                  xaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_months"]), rangemode="tozero"),
                  yaxis=dict(autorange="reversed"))


def duration_summary_chart(summary: pl.DataFrame, title: str | None = None, height: int = 460) -> go.Figure:
    """The same boxes as `duration_chart`, drawn from the per-transition statistics of
    `Metrics.stage_duration_summary` (quartiles, mean, whiskers) instead of every project's value:
    a few numbers per box are sent to the browser, not one per project."""
    rows = [r for r in summary.iter_rows(named=True) if r.get("n")]
    if not rows:
        return _empty(title)
    palette = ["#6baed6", "#3182bd", "#f2a541", "#e4572e", "#54a24b"]
    order = list(labels.TRANSITIONS)
    traces = []
    for r in rows:
        i = order.index(r["transition"]) if r["transition"] in order else 0
        lab = labels.TRANSITIONS.get(r["transition"], r["transition"])
        traces.append(go.Box(
            name=lab, orientation="h", marker_color=palette[i % len(palette)], y=[lab],
            q1=[r["p25_months"]], median=[r["median_months"]], q3=[r["p75_months"]], mean=[r["mean_months"]],
            lowerfence=[r["lower_fence"]], upperfence=[r["upper_fence"]], boxpoints=False,
            hovertemplate=lab + "<br>%{x:.1f} 个月<extra></extra>",
        ))
    return figure(traces, title, height, show_legend=False,
                  xaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_months"]), rangemode="tozero"),
                  yaxis=dict(autorange="reversed"))


# ---- tiers ------------------------------------------------------------------------------
def _total_labels(x: list, totals: list, text: list) -> go.Scatter:
    return go.Scatter(x=x, y=totals, mode="text", text=text, textposition="top center", showlegend=False,
                      hoverinfo="skip", textfont=dict(size=BASE_FONT - 1), cliponaxis=False)


def _origin_bars(df: pl.DataFrame, x: list, key_col: str) -> list:
    """One stacked bar trace per origin (new investment, upgrade) of a per-band frame with
    new_count / upgrade_count; each bar carries its band key (`key_col`) for the click-through."""
    keys = [[k] for k in df[key_col].to_list()]
    return [
        go.Bar(x=x, y=df[col].to_list(), name=labels.ORIGINS[origin], marker_color=ORIGIN_COLORS[origin],
               customdata=keys, hovertemplate="%{x}<br>" + labels.ORIGINS[origin] + "：%{y:,} 个<extra></extra>")
        for origin, col in (("new", "new_count"), ("upgrade", "upgrade_count"))
    ]


def tier_count_chart(df: pl.DataFrame, title: str | None = None, height: int = 440) -> go.Figure:
    """In-library projects per band (`Metrics.tiers`), stacked new-investment vs upgrade."""
    if df.is_empty() or df["count"].sum() == 0:
        return _empty(title)
    x = df["tier_label"].to_list()
    traces = _origin_bars(df, x, "tier_band")
    counts = df["count"].to_list()
    traces.append(_total_labels(x, counts, [f"{c:,}个" for c in counts]))
    return figure(traces, title, height, barmode="stack",
                  yaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_count"]), range=[0, max(counts) * 1.18 + 1]))


def tier_investment_chart(df: pl.DataFrame, title: str | None = None, height: int = 440) -> go.Figure:
    """Total, cumulative completed and this year's completed investment per band, in 亿元."""
    if df.is_empty() or df["count"].sum() == 0:
        return _empty(title)
    x = df["tier_label"].to_list()
    keys = [[k] for k in df["tier_band"].to_list()]
    traces = []
    for col in ("total_investment_wan", "cumulative_done_wan", "year_done_wan"):
        vals = [formats.yi(v or 0.0) for v in df[col].to_list()]
        traces.append(go.Bar(x=x, y=vals, name=INVEST_LABELS[col], marker_color=INVEST_COLORS[col], customdata=keys,
                             text=[f"{v:,.0f}" for v in vals], textposition="outside", cliponaxis=False,
                             textfont=dict(size=BASE_FONT - 4),
                             hovertemplate="%{x}<br>" + INVEST_LABELS[col] + "：%{y:,.2f} 亿元<extra></extra>"))
    return figure(traces, title, height, barmode="group",
                  yaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_yi"]), rangemode="tozero"))


def tier_stage_mix_chart(df: pl.DataFrame, title: str | None = None, height: int = 440) -> go.Figure:
    """Stage mix per band: stacked horizontal bars of the current stage of in-library projects."""
    if df.is_empty() or df["count"].sum() == 0:
        return _empty(title)
    y = df["tier_label"].to_list()
    keys = df["tier_band"].to_list()
    traces = [
        go.Bar(y=y, x=df[f"stage_{s}"].to_list(), name=labels.STAGES[s], orientation="h", marker_color=STAGE_COLORS[s],
               customdata=[[k, s] for k in keys],
               hovertemplate="%{y}<br>" + labels.STAGES[s] + "：%{x:,} 个<extra></extra>")
        for s in labels.STAGE_ORDER if f"stage_{s}" in df.columns
    ]
    return figure(traces, title, height, barmode="stack",
                  xaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_count"])), yaxis=dict(autorange="reversed"),
                  legend=dict(y=1.02, font=dict(size=BASE_FONT - 4)))


def tier_class_chart(df: pl.DataFrame, title: str | None = None, height: int = 440) -> go.Figure:
    """Cumulative classes (≥1亿 … ≥100亿, `Metrics.tier_classes`): count, new vs upgrade."""
    if df.is_empty():
        return _empty(title)
    x = df["tier_label"].to_list()
    traces = _origin_bars(df, x, "tier_class")
    counts = df["count"].to_list()
    inv = [formats.yi(v or 0.0) for v in df["total_investment_wan"].to_list()]
    traces.append(_total_labels(x, counts, [f"{c:,}个<br>{v:,.0f}亿元" for c, v in zip(counts, inv)]))
    return figure(traces, title, height, barmode="stack",
                  yaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_count"]), range=[0, max(counts or [0]) * 1.3 + 1]))


# ---- townships --------------------------------------------------------------------------
def _heat_height(n_rows: int) -> int:
    return max(320, 34 * n_rows + 140)


def _click_layer(xs: list, ys: list, keys: list, hover: list) -> go.Scatter:
    """Transparent markers over heatmap cells: heatmaps are not selectable in Plotly, these are."""
    return go.Scatter(x=xs, y=ys, mode="markers", customdata=keys, text=hover, hovertemplate="%{text}<extra></extra>",
                      marker=dict(size=26, symbol="square", color="rgba(0,0,0,0)", opacity=0.01),
                      showlegend=False, name="")


def unit_heatmap(z: list[list], units: list[tuple[str, str]], cols: list[str], col_labels: list[str],
                 hover: Callable[[str, int, int], str], title: str | None, texttemplate: str = "%{z}",
                 font_size: int = BASE_FONT - 2, unit_text: str = "项目数", xaxis: dict | None = None) -> go.Figure:
    """Units (rows, in the given order) × columns heatmap with a clickable cell layer: each
    cell's customdata is [unit code, column key]; `hover(unit name, row, column)` is its text."""
    yl = [n for _, n in units]
    heat = go.Heatmap(z=z, x=col_labels, y=yl, colorscale=HEAT_SCALE, texttemplate=texttemplate,
                      textfont=dict(size=font_size), hoverinfo="skip", xgap=2, ygap=2,
                      colorbar=dict(title=dict(text=unit_text), thickness=14))
    cells = [(i, j) for i in range(len(units)) for j in range(len(cols))]
    layer = _click_layer([col_labels[j] for _, j in cells], [yl[i] for i, _ in cells],
                         [[units[i][0], cols[j]] for i, j in cells], [hover(yl[i], i, j) for i, j in cells])
    return figure([heat, layer], title, _heat_height(len(units)), show_legend=False,
                  yaxis=dict(autorange="reversed", type="category", gridcolor="rgba(0,0,0,0)"),
                  xaxis=dict(side="top", type="category", gridcolor="rgba(0,0,0,0)", **(xaxis or {})),
                  margin=dict(t=110 if title else 50))


def unit_stage_heatmap(df: pl.DataFrame, units: list[tuple[str, str]], title: str | None = None) -> go.Figure:
    """Units × current stage of in-library projects (`Metrics.unit_stage`). `units` = the
    region's (code, name) rows in display order, so empty units still show."""
    if not units:
        return _empty(title)
    stages = labels.STAGE_ORDER
    counts = {(r["unit_code"], r["stage"]): r["count"] for r in df.select("unit_code", "stage", "count").to_dicts()}
    z = [[counts.get((u, s), 0) for s in stages] for u, _ in units]
    return unit_heatmap(z, units, list(stages), [labels.STAGES[s] for s in stages],
                        lambda name, i, j: f"{name} · {labels.STAGES[stages[j]]}：{z[i][j]} 个", title)


def unit_month_heatmap(df: pl.DataFrame, units: list[tuple[str, str]], measure: str,
                       title: str | None = None) -> go.Figure:
    """Units × snapshot month of one measure of `Metrics.unit_month` (amounts in 亿元)."""
    if not units or df.is_empty():
        return _empty(title)
    months = sorted(df["snapshot_month"].unique().to_list())
    money = measure.endswith("_wan")
    vals = {(r["unit_code"], r["snapshot_month"]): r[measure]
            for r in df.select("unit_code", "snapshot_month", measure).to_dicts()}
    z = [[(round(formats.yi(vals.get((u, m)) or 0.0), 2) if money else (vals.get((u, m)) or 0)) for m in months]
         for u, _ in units]
    unit_lab = labels.UNIT_MONTH_MEASURES.get(measure, measure)

    def hover(name, i, j):
        m, v = months[j], z[i][j]
        return f"{name} · {m[:4]}年{int(m[5:])}月<br>{unit_lab}：" + (f"{v:,.2f}" if money else f"{v:,}")
    return unit_heatmap(z, units, months, [f"{m[2:4]}年{int(m[5:])}月" for m in months], hover, title,  # 26年3月
                        texttemplate="%{z:.1f}" if money else "%{z}", font_size=BASE_FONT - 5,
                        unit_text="亿元" if money else "个",
                        xaxis=dict(tickangle=0, tickfont=dict(size=BASE_FONT - 4)))


def unit_measure_chart(df: pl.DataFrame, measure: str, title: str | None = None) -> go.Figure:
    """Units sorted by one measure (horizontal bars), the map's measure as a chart."""
    d = df.filter(pl.col(measure).is_not_null()).sort(measure, descending=True)
    if d.is_empty() or not d[measure].fill_nan(0).abs().sum():  # nothing or only zeros: no −1…1 axis
        return _empty(title)
    is_rate = measure in labels.RATES
    money = measure.endswith("_wan")
    shown = [v * 100 if is_rate else (formats.yi(v) if money else v) for v in d[measure].to_list()]
    text = [f"{v:.1f}%" if is_rate else (f"{v:,.2f}" if isinstance(v, float) else f"{v:,}") for v in shown]
    trace = go.Bar(y=d["unit_name"].to_list(), x=shown, orientation="h", text=text, textposition="outside",
                   cliponaxis=False, marker_color="#2171b5", customdata=[[c] for c in d["unit_code"].to_list()],
                   hovertemplate="%{y}<br>%{text}<extra></extra>")
    return figure([trace], title, max(_heat_height(d.height) - 60, 620), show_legend=False,
                  yaxis=dict(autorange="reversed", type="category"),
                  xaxis=dict(title=dict(text=labels.MAP_MEASURES.get(measure, measure) + ("（%）" if is_rate else ""))),
                  margin=dict(r=60))


# ---- rankings ---------------------------------------------------------------------------
def rank_change_text(v) -> str:
    """Rank change vs the previous quarter: +2 -> '↑2', -1 -> '↓1', 0 -> '–', None -> '—'."""
    if v is None:
        return "—"
    if v > 0:
        return f"↑{v}"
    if v < 0:
        return f"↓{-v}"
    return "–"


def ranking_chart(df: pl.DataFrame, title: str | None = None) -> go.Figure:
    """Composite score per unit (`Metrics.ranking`), best at the top, with rank change."""
    d = df.filter(pl.col("score").is_not_null()).sort("rank")
    if d.is_empty():
        return _empty(title)
    ch = d["rank_change"].to_list() if "rank_change" in d.columns else [None] * d.height
    colors = ["#2e9d4f" if (c or 0) > 0 else ("#d7263d" if (c or 0) < 0 else "#2171b5") for c in ch]
    text = [f"{s:.1f}  {rank_change_text(c)}" for s, c in zip(d["score"].to_list(), ch)]
    trace = go.Bar(
        y=[f"{r}. {n}" for r, n in zip(d["rank"].to_list(), d["unit_name"].to_list())],
        x=d["score"].to_list(), orientation="h", text=text, textposition="outside", cliponaxis=False,
        marker_color=colors, customdata=[[c] for c in d["unit_code"].to_list()],
        hovertemplate="%{y}<br>综合得分 %{x:.1f}<extra></extra>",
    )
    return figure([trace], title, _heat_height(d.height) - 60, show_legend=False,
                  yaxis=dict(autorange="reversed", type="category"),
                  xaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_score"]), range=[0, 112]))


# ---- 招推服 (issue 12): phases, yearly targets, 新增长点培育库, evaluation ----------------------
PHASE_COLORS = ["#6baed6", "#f2a541", "#54a24b", "#8c6bb1"]
GRADE_COLORS = {"A": "#1b7837", "B": "#54a24b", "C": "#f2a541", "D": "#d7263d", "none": "#9e9e9e"}


def phase_chart(df: pl.DataFrame, title: str | None = None, height: int = 420) -> go.Figure:
    """Projects per phase (`Metrics.phase_summary`), split on time / overdue, with the lead
    department under the phase name; `customdata[0]` is the phase key."""
    if df.is_empty() or df["count"].sum() == 0:
        return _empty(title)
    x = [f"{r['phase_name']}<br><sub>{r['phase_dept']}</sub>" for r in df.iter_rows(named=True)]
    keys = [[k] for k in df["phase"].to_list()]
    on_time = (df["count"] - df["overdue_count"]).to_list()
    traces = [
        go.Bar(x=x, y=on_time, name=labels.ZTF_TEXT["phase_ontime"], marker_color="#6baed6", customdata=keys,
               hovertemplate="%{x}<br>时限内：%{y:,} 个<extra></extra>"),
        go.Bar(x=x, y=df["overdue_count"].to_list(), name=labels.ZTF_TEXT["phase_overdue_short"], marker_color="#d7263d", customdata=keys,
               hovertemplate="%{x}<br>超期：%{y:,} 个<extra></extra>"),
    ]
    counts = df["count"].to_list()
    traces.append(_total_labels(x, counts, [f"{c:,}个" for c in counts]))
    return figure(traces, title, height, barmode="stack",
                  yaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_count"]), range=[0, max(counts) * 1.2 + 1]))


def target_trend_chart(df: pl.DataFrame, title: str | None = None, height: int = 380) -> go.Figure:
    """One yearly count's trend (`Metrics.target_trend` rows of one target): monthly counts as
    bars, the cumulative count and, where a target is set, the time-proportional target line."""
    if df.is_empty():
        return _empty(title)
    x = df["event_month"].to_list()
    traces = [
        go.Bar(x=x, y=df["count"].to_list(), name="当月", marker_color="#9ecae1",
               hovertemplate="%{x}<br>当月：%{y:,} 个<extra></extra>"),
        go.Scatter(x=x, y=df["ytd_count"].to_list(), name="累计", mode="lines+markers",
                   line=dict(color="#3182bd", width=3), hovertemplate="%{x}<br>累计：%{y:,} 个<extra></extra>"),
    ]
    if df["target_to_date"].drop_nulls().len():
        traces.append(go.Scatter(x=x, y=df["target_to_date"].to_list(), name="序时目标", mode="lines",
                                 line=dict(color="#d7263d", width=2, dash="dash"),
                                 hovertemplate="%{x}<br>序时目标：%{y:.1f} 个<extra></extra>"))
    return figure(traces, title, height, xaxis=dict(type="category"),
                  yaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_count"]), rangemode="tozero"))


GROWTH_MEASURES = {
    "output_value_wan": ("产值（亿元）", 1 / 10000),
    "tax_wan": ("税收（亿元）", 1 / 10000),
    "electricity_mwh": ("用电量（兆瓦时）", 1.0),
    "capacity_utilization": ("产能利用率（%）", 100.0),
}


def growth_multiples(df: pl.DataFrame, title: str | None = None, height: int = 520) -> go.Figure:
    """Small multiples of the 培育库's monthly operations (`Metrics.growth_operations`): 产值,
    税收, 用电, 产能利用率, one panel each, sharing the month axis."""
    from plotly.subplots import make_subplots

    if df.is_empty():
        return _empty(title)
    names = [v[0] for v in GROWTH_MEASURES.values()]
    fig = make_subplots(rows=2, cols=2, subplot_titles=names, shared_xaxes=False, vertical_spacing=0.16)
    x = df["event_month"].to_list()
    for i, (col, (name, factor)) in enumerate(GROWTH_MEASURES.items()):
        y = [None if v is None else v * factor for v in df[col].to_list()]
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=name, line=dict(color=PHASE_COLORS[i], width=3),
                                 hovertemplate="%{x}<br>" + name + "：%{y:,.2f}<extra></extra>"),
                      row=i // 2 + 1, col=i % 2 + 1)
    style(fig, title, height, show_legend=False)
    fig.update_xaxes(type="category", gridcolor="#e6e6e6")
    fig.update_yaxes(gridcolor="#e6e6e6", rangemode="tozero")
    fig.update_annotations(font=dict(size=BASE_FONT - 1))
    return fig


def grade_chart(df: pl.DataFrame, title: str | None = None, height: int = 360) -> go.Figure:
    """Producing projects per grade (`Metrics.evaluation_grades`); `customdata[0]` is the grade."""
    if df.is_empty() or df["grade_count"].sum() == 0:
        return _empty(title)
    keys = df["grade"].to_list()
    x = [labels.GRADES.get(g, labels.ZTF_TEXT["grade_none"]) for g in keys]
    counts = df["grade_count"].to_list()
    trace = go.Bar(x=x, y=counts, marker_color=[GRADE_COLORS.get(g, "#9e9e9e") for g in keys],
                   customdata=[[g] for g in keys], text=[f"{c:,}个" for c in counts], textposition="outside",
                   hovertemplate="%{x}：%{y:,} 个<extra></extra>", cliponaxis=False)
    return figure([trace], title, height, show_legend=False,
                  yaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_count"]), range=[0, max(counts) * 1.2 + 1]))
# ---- look ahead and explain (issue 14): attribution waterfall, risk, back-test ----------------
def attribution_waterfall(bars: pl.DataFrame, rate0: float | None, rate1: float | None,
                          title: str | None = None, height: int = 480) -> go.Figure:
    """Waterfall of a rate's change (`explain.waterfall_frame`): the previous rate (%), one bar
    per unit's contribution in points (hover: mix and performance), the current rate (%).
    customdata[0] is the unit code (None for '其他')."""
    T = labels.ATTRIBUTION_TEXT
    if rate0 is None or rate1 is None:
        return _empty(title)
    rows = bars.to_dicts()
    x = [T["waterfall_start"]] + [r["label"] for r in rows] + [T["waterfall_end"]]
    y = [rate0 * 100] + [r["contribution_pp"] for r in rows] + [rate1 * 100]
    measure = ["absolute"] + ["relative"] * len(rows) + ["total"]
    text = [f"{rate0 * 100:.1f}%"] + [f"{r['contribution_pp']:+.1f}" for r in rows] + [f"{rate1 * 100:.1f}%"]
    hover = ([f"{T['waterfall_start']} {rate0 * 100:.1f}%"]
             + [f"{r['label']}：{r['contribution_pp']:+.2f} 个百分点<br>{T['mix']} {r['mix_pp']:+.2f} · "
                f"{T['perf']} {r['performance_pp']:+.2f}" for r in rows]
             + [f"{T['waterfall_end']} {rate1 * 100:.1f}%"])
    trace = go.Waterfall(
        x=x, y=y, measure=measure, text=text, textposition="outside", cliponaxis=False,
        customdata=[[None]] + [[r["unit_code"]] for r in rows] + [[None]],
        hovertext=hover, hoverinfo="text",
        increasing=dict(marker=dict(color="#2e9d4f")), decreasing=dict(marker=dict(color="#d7263d")),
        totals=dict(marker=dict(color="#3182bd")), connector=dict(line=dict(color="#bbb", width=1)),
    )
    lo = min(rate0, rate1) * 100
    hi = max(rate0, rate1) * 100
    cum, lows, highs = rate0 * 100, [], []
    for r in rows:
        cum += r["contribution_pp"]
        lows.append(cum)
        highs.append(cum)
    span_lo, span_hi = min([lo, *lows]), max([hi, *highs])
    pad = max((span_hi - span_lo) * 0.25, 1.0)
    return figure([trace], title, height, show_legend=False,
                  yaxis=dict(title=dict(text="%"), range=[max(span_lo - pad, 0.0), span_hi + pad]))


def risk_by_unit_chart(df: pl.DataFrame, title: str | None = None, height: int = 460) -> go.Figure:
    """Forecast projects per unit (`explain.risk_unit_counts`): high risk (≥50 %) stacked on the
    others. customdata[0] is the unit code."""
    if df.is_empty():
        return _empty(title)
    rows = df.filter(pl.col("forecast_count") > 0).sort(["high_risk", "other"], descending=True).to_dicts()
    if not rows:
        return _empty(title)
    names = [r["unit_name"] for r in rows]
    cd = [[r["unit_code"]] for r in rows]
    traces = [
        go.Bar(x=names, y=[r["high_risk"] for r in rows], name=labels.RISK_TEXT["map_risk"], marker=dict(color="#d7263d"),
               customdata=cd, hovertemplate="%{x}<br>%{y} 个<extra></extra>", text=[r["high_risk"] or "" for r in rows],
               textposition="inside"),
        go.Bar(x=names, y=[r["other"] for r in rows], name="其余预判项目", marker=dict(color="#c6dbef"),
               customdata=cd, hovertemplate="%{x}<br>%{y} 个<extra></extra>"),
    ]
    return figure(traces, title, height, barmode="stack", xaxis=dict(tickangle=-40),
                  yaxis=dict(title=dict(text=labels.VIEW_TEXT["axis_count"])))


def calibration_chart(cal: pl.DataFrame, title: str | None = None, height: int = 420) -> go.Figure:
    """Back-test calibration: mean predicted probability vs observed share late, by decile."""
    if cal.is_empty():
        return _empty(title)
    rows = cal.to_dicts()
    C = labels.BACKTEST_COLUMNS
    pts = go.Scatter(x=[r["predicted"] * 100 for r in rows], y=[r["observed"] * 100 for r in rows],
                     mode="markers+lines", name=C["observed"], marker=dict(size=12, color="#3182bd"),
                     text=[f"{C['decile']} {r['decile']}：{r['n']} 个" for r in rows],
                     hovertemplate="%{text}<br>" + C["predicted"] + " %{x:.1f}%<br>" + C["observed"]
                     + " %{y:.1f}%<extra></extra>")
    diag = go.Scatter(x=[0, 100], y=[0, 100], mode="lines", name="完全校准", line=dict(color="#999", dash="dash"),
                      hoverinfo="skip")
    return figure([diag, pts], title, height, xaxis=dict(title=dict(text=C["predicted"] + "（%）"), range=[0, 100]),
                  yaxis=dict(title=dict(text=C["observed"] + "（%）"), range=[0, 100]))


# ---- 招商线索 pipeline and township targets (issue 19) ------------------------------------------
PIPELINE_COLORS = {"lead": "#c6dbef", "talks": "#9ecae1", "review": "#f2a541", "intent": "#6baed6",
                   "formal": "#3182bd"}


def pipeline_funnel_chart(df: pl.DataFrame, title: str | None = None, height: int = 440) -> go.Figure:
    """The lead funnel from `store.pipeline.funnel`: leads that reached each stage with the
    conversion from the previous stage and from the first."""
    if df.is_empty() or not df["reached"].sum():
        return _empty(title)
    rows = df.to_dicts()
    text = [f"<b>{r['reached']:,}个</b>" + ("" if r["pct_of_previous"] is None else
            f"<br>{labels.VIEW_TEXT['pct_prev']}{formats.pct_text(r['pct_of_previous'])}"
            f" · {labels.VIEW_TEXT['pct_first']}{formats.pct_text(r['pct_of_first'])}") for r in rows]
    trace = go.Funnel(
        y=[r["stage_label"] for r in rows], x=[r["reached"] for r in rows], text=text, textinfo="text",
        textposition="outside", textfont=dict(size=BASE_FONT - 3, color="#111"),
        customdata=[[r["stage"], r["current"], r["vetoed"]] for r in rows],
        hovertemplate="%{y}<br>已达到 %{x:,} 个<br>当前在此阶段 %{customdata[1]:,} 个"
                      "（其中被否决 %{customdata[2]:,} 个）<extra></extra>",
        marker=dict(color=[PIPELINE_COLORS[r["stage"]] for r in rows]),
        connector=dict(line=dict(color="#bbb", width=1)), cliponaxis=False)
    top = max(r["reached"] for r in rows) or 1
    return figure([trace], title, height, show_legend=False, yaxis=dict(tickfont=dict(size=BASE_FONT + 1)),
                  xaxis=dict(visible=False, range=[-top * 0.51, top * 1.45]), margin=dict(r=10))


def target_progress_chart(df: pl.DataFrame, title: str | None = None, height: int = 420) -> go.Figure:
    """One target measure of `Metrics.unit_targets` by unit: the actual against the 序时 target
    and the year's target (bars), units in the frame's order."""
    if df.is_empty():
        return _empty(title)
    x = [n or c for n, c in zip(df["unit_name"].to_list(), df["unit_code"].to_list())]
    keys = df["unit_code"].to_list()
    C = labels.COLUMNS
    traces = [go.Bar(x=x, y=df[col].to_list(), name=C[col], marker_color=color, customdata=keys,
                     hovertemplate="%{x} " + C[col] + "：%{y:,.2f}<extra></extra>")
              for col, color in (("target", "#c6dbef"), ("schedule_target", "#6baed6"), ("actual", "#e4572e"))]
    return figure(traces, title, height, barmode="group", legend=dict(orientation="h", y=-0.2),
                  xaxis=dict(type="category"))


# ---- 招商任务序时进度 on 总览 and the 产业布局 heatmap (issue 19; docs/domain.md §16.3, §16.6) ------
SCHEDULE_SCALE = [[0.0, "#d7263d"], [0.499, "#f4a3a8"], [0.5, "#e5f5e0"], [1.0, "#31a354"]]


def _plain(v: float) -> str:
    """A number with thousands separators and at most 2 decimals, trailing zeros dropped (3, 4.5, 72.25)."""
    t = f"{v:,.2f}".rstrip("0").rstrip(".")
    return "0" if t in ("-0", "") else t


def target_schedule_heatmap(df: pl.DataFrame, title: str | None = None) -> go.Figure:
    """Units × target measure of `Metrics.unit_targets`: each cell the actual against the 序时
    target and the gap; coloured by 序时 completion — red behind (gap < 0), green on or ahead.
    Measures a unit has no target for stay blank."""
    if df.is_empty():
        return _empty(title)
    measures = [m for m in labels.TARGET_MEASURES if m in set(df["measure"].to_list())]
    units = df.select("unit_code", "unit_name").unique(maintain_order=True).rows()
    cells = {(r["unit_code"], r["measure"]): r for r in df.to_dicts()}
    xl = [labels.TARGET_MEASURES[m] for m in measures]
    yl = [n or c for c, n in units]
    z, text, hover = [], [], []
    for code, name in units:
        zr, tr, hr = [], [], []
        for m in measures:
            r = cells.get((code, m))
            if r is None:
                zr.append(None)
                tr.append("")
                hr.append("")
                continue
            sc = r["schedule_completion"]
            # behind → lower half of the scale, on/ahead → upper half (capped at 2× 序时)
            if r["gap"] < 0:  # behind: 0 … < 0.5 (red)
                zr.append(min(sc or 0.0, 0.998) / 2)
            else:  # on schedule or ahead: 0.75 … 1 (green; 序时完成 capped at 200 %)
                zr.append(0.5 + min(sc if sc is not None else 1.0, 2.0) / 4)
            tr.append(f"{_plain(r['actual'])}/{_plain(r['schedule_target'])}<br>{'+' if r['gap'] >= 0 else '−'}"
                      f"{_plain(abs(r['gap']))}")
            hr.append(f"{name or code} · {labels.TARGET_MEASURES[m]}<br>完成 {r['actual']:,.2f}，序时任务 "
                      f"{r['schedule_target']:,.2f}，年度任务 {r['target']:,.2f}<br>差额 {r['gap']:+,.2f}"
                      + (f"，序时完成 {formats.pct_text(sc)}" if sc is not None else ""))
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    heat = go.Heatmap(z=z, x=xl, y=yl, zmin=0, zmax=1, colorscale=SCHEDULE_SCALE, text=text, customdata=hover,
                      texttemplate="%{text}", textfont=dict(size=BASE_FONT - 4), hovertemplate="%{customdata}<extra></extra>",
                      xgap=2, ygap=2, showscale=False)
    return figure([heat], title, _heat_height(len(units)), show_legend=False,
                  yaxis=dict(autorange="reversed", type="category", gridcolor="rgba(0,0,0,0)"),
                  xaxis=dict(side="top", type="category", gridcolor="rgba(0,0,0,0)"),
                  margin=dict(t=110 if title else 60))


def industry_heatmap(layout: pl.DataFrame, units: list[tuple[str, str]], chains: list[str], value: str,
                     title: str | None = None) -> go.Figure:
    """Units × industry chain of `Metrics.industry_layout` (现有产业布局): `value` = 'project_count'
    (个) or 'investment_yi' (亿元); `units` the region's (code, name) rows in display order and
    `chains` the columns in order, so empty cells show 0."""
    if not units or not chains or layout.is_empty():
        return _empty(title)
    money = value == "investment_yi"
    vals = {(r["unit_code"], r["industry_chain"]): r[value]
            for r in layout.select("unit_code", "industry_chain", value).to_dicts()}
    z = [[(round(vals.get((u, c)) or 0.0, 2) if money else int(vals.get((u, c)) or 0)) for c in chains]
         for u, _ in units]
    yl = [n for _, n in units]
    unit_txt = "亿元" if money else "个"
    heat = go.Heatmap(z=z, x=chains, y=yl, colorscale=HEAT_SCALE, texttemplate="%{z:.2f}" if money else "%{z}",
                      textfont=dict(size=BASE_FONT - 5), hoverinfo="skip", xgap=2, ygap=2,
                      colorbar=dict(title=dict(text=labels.INDUSTRY_LAYOUT_TEXT["investment" if money else "count"]),
                                    thickness=14))
    xs, ys, keys, hover = [], [], [], []
    for i, (code, name) in enumerate(units):
        for j, c in enumerate(chains):
            xs.append(c)
            ys.append(name)
            keys.append([code, c])
            hover.append(f"{name} · {c}：{z[i][j]:,.2f} {unit_txt}" if money else f"{name} · {c}：{z[i][j]} {unit_txt}")
    return figure([heat, _click_layer(xs, ys, keys, hover)], title, _heat_height(len(units)), show_legend=False,
                  yaxis=dict(autorange="reversed", type="category", gridcolor="rgba(0,0,0,0)"),
                  xaxis=dict(side="top", type="category", gridcolor="rgba(0,0,0,0)", tickangle=-40),
                  margin=dict(t=150 if title else 120))
