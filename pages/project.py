"""项目档案: everything about one project at the selected month — key facts, milestones planned vs
actual with the baseline and every re-plan, the investment curve against plan, approvals with
lights, monthly operations, problems and the flags it is on (docs/domain.md §8 view 8).
Reachable as ./project?pid=<project_id> and by search."""
import datetime as dt

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from lifecycle.store import comments
from lifecycle.store import letters as store_letters
from lifecycle.domain import flags, labels
from lifecycle import ui
from lifecycle.present import charts, formats
from lifecycle.query.metrics import Metrics

T = labels.LIST_TEXT
C = labels.COLUMNS
ctx = ui.setup("项目档案", "📁")
m = ctx.metrics

# ---- which project: ?pid=… or search ------------------------------------------------------
pid = (st.query_params.get("pid") or "").strip() or None
q = st.text_input(T["search"], key="pf_q", help=T["search_help"], placeholder=T["search_help"])
if q.strip():
    res = ui.cached(ctx, Metrics.search_projects, ctx.month, q.strip())
    if res.is_empty():
        st.warning(T["search_none"])
    else:
        ids = res["project_id"].to_list()
        names = dict(zip(ids, (res["name"] + " · " + res["enterprise"].fill_null("")).to_list()))
        chosen = st.selectbox(T["search_pick"], ids, key="pf_pick", index=ids.index(pid) if pid in ids else 0,
                              format_func=lambda p: f"{p}　{names[p]}")
        with st.expander(f"搜索结果（{res.height}）", expanded=False):
            ui.show_table(formats.translate(res), "项目搜索结果", key="pf_res")
        if chosen != pid:
            pid = chosen
            st.query_params["pid"] = chosen

if not pid:
    st.info(T["pick_prompt"])
    st.stop()

info = ui.cached(ctx, Metrics.project, ctx.month, pid)
if info is None:
    st.error(T["not_in_month"].format(pid=ui.md(pid), month=ctx.month))
    st.stop()

state = labels.FLAG_CHANGE_STATES.get(info["state"], info["state"])
# names come from the ledgers (and pid from the URL): escaped, never Markdown
st.header(ui.md(info["name"]))
st.markdown(f"{C['project_id']} **{ui.md(pid)}** · {ui.md(info.get('enterprise'))} · {ui.md(info['unit_name'])} · "
            f"{C['stage']}：**{state}**" + (f"（{info['exit_on']} {labels.EXIT_REASONS.get(info['exit_reason'], '')}）"
                                           if info["state"] == "exited" else ""))


def _v(v, kind: str = "") -> str:
    if v is None:
        return "—"
    if kind == "yi_num":
        return f"{v / 10000:,.2f}"
    if kind == "pct":
        return formats.pct_text(v)
    if kind == "wan":
        return f"{v:,.0f}"
    if isinstance(v, bool):
        return labels.BOOL[v]
    if isinstance(v, float):
        return f"{v:,.2f}"
    return str(v)


# ---- key facts ------------------------------------------------------------------------------
st.subheader(T["key_facts"])
c = st.columns(5)
yi = labels.COLUMNS["total_investment_yi"].replace(C["total_investment_wan"].split("（")[0], "")  # "（亿元）"
c[0].metric(T["total_investment"] + yi, _v(info["total_investment_wan"], "yi_num"))
c[1].metric(T["cumulative"] + yi, _v(info["cumulative_done_wan"], "yi_num"))
c[2].metric(C["year_plan_wan"].split("（")[0] + yi, _v(info["year_plan_wan"], "yi_num"))
c[3].metric(C["year_done_wan"].split("（")[0] + yi, _v(info["year_done_wan"], "yi_num"))
c[4].metric(C["capacity_realisation"], _v(info["capacity_realisation"], "pct") if info.get("production_on") else "—",
            help=m.flag_rule("capacity_not_reached"))
facts = [
    ("project_code", _v(info["project_code"])), ("credit_code", _v(info["credit_code"])),
    ("township_name", _v(info["township_name"])), ("park", _v(info["park"])),
    ("industry_section", _v(info["industry_section"])), ("industry_chain", _v(info["industry_chain"])),
    ("origin", labels.ORIGINS.get(info["origin"], _v(info["origin"]))),
    ("category", labels.CATEGORIES.get(info["category"], _v(info["category"]))),
    ("signing_type", labels.SIGNING_TYPES.get(info["signing_type"], _v(info["signing_type"]))),
    ("is_infrastructure", _v(info["is_infrastructure"])),
    ("tier_band", labels.TIER_BANDS.get(info["tier_band"], "未填报")),
    ("land_area_mu", _v(info["land_area_mu"])), ("intensity", _v(info["intensity"])),
    ("equipment_plan_wan", _v(info["equipment_plan_wan"], "wan")),
    ("equipment_done_wan", _v(info["equipment_done_wan"], "wan")),
    ("equipment_share", _v(info["equipment_share"], "pct")),
    ("designed_output_wan", _v(info["designed_output_wan"], "wan")),
    ("designed_tax_wan", _v(info["designed_tax_wan"], "wan")),
    ("output_12m_wan", _v(info["output_12m_wan"], "wan")), ("tax_12m_wan", _v(info["tax_12m_wan"], "wan")),
    ("tax_per_mu", _v(info["tax_per_mu"])), ("lead_dept", _v(info["lead_dept"])), ("owner", _v(info["owner"])),
    ("land_acquired_on", _v(info["land_acquired_on"])), ("joint_acceptance", _v(info["joint_acceptance"])),
    ("campaign", _v(info["campaign"])), ("above_scale_on", _v(info["above_scale_on"])),
    ("exit_on", _v(info["exit_on"])), ("exit_reason", labels.EXIT_REASONS.get(info["exit_reason"], "—")),
]
half = (len(facts) + 1) // 2
fc = st.columns(2)
for col, part in zip(fc, (facts[:half], facts[half:])):
    col.dataframe(pl.DataFrame({"项目": [C[k] for k, _ in part], "内容": [v for _, v in part]}),
                  hide_index=True, width="stretch", height=(len(part) + 1) * 40 + 3)

# ---- milestones: planned vs actual, baseline and re-plans -----------------------------------
st.subheader(T["milestones"])
if info["state"] != "exited":
    ui.project_risk(ctx, pid)  # slippage forecast of the next milestone (docs/forecast.md)
ms = ui.cached(ctx, Metrics.project_milestones, ctx.month, pid)
rp = ui.cached(ctx, Metrics.replans, ctx.month, pid)
col_to_ms = {"planned_started_on": "started", "planned_completed_on": "completed",
             "planned_production_on": "producing", "planned_capacity_on": "at_capacity"}
ylab = dict(zip(ms["milestone"], ms["milestone_label"]))
fig = go.Figure()
for key, name, symbol, color, size in (
    ("baseline_on", T["baseline"], "circle-open", "#888888", 13),
    ("current_plan_on", T["planned"], "diamond-open", "#1f77b4", 13),
    ("actual_on", T["actual"], "circle", "#2e9d4f", 11),
):
    d = ms.filter(pl.col(key).is_not_null())
    if key == "baseline_on":  # drawn only where a re-plan moved the date away from the baseline
        d = d.filter(pl.col("current_plan_on").is_null() | (pl.col("current_plan_on") != pl.col("baseline_on")))
    fig.add_trace(go.Scatter(x=d[key].to_list(), y=d["milestone_label"].to_list(), mode="markers", name=name,
                             marker=dict(symbol=symbol, color=color, size=size, line=dict(width=2)),
                             hovertemplate="%{y} " + name + "：%{x|%Y-%m-%d}<extra></extra>"))
for i, r in enumerate(rp.iter_rows(named=True)):
    y = ylab.get(col_to_ms.get(r["planned_column"]), r["planned_column"])
    if r["old_date"] is None or r["new_date"] is None:
        continue
    fig.add_trace(go.Scatter(
        x=[r["old_date"], r["new_date"]], y=[y, y], mode="lines+markers", name=T["replan"],
        legendgroup="replan", showlegend=i == 0, line=dict(color="#d7263d", width=2, dash="dot"),
        marker=dict(symbol=["line-ns", "arrow-right"], size=12, color="#d7263d"),
        hovertemplate=f"{y} {r['changed_in']} {T['replan']}：{r['old_date']} → {r['new_date']}<extra></extra>"))
as_of = info["as_of"]
fig.add_vline(x=dt.datetime(as_of.year, as_of.month, as_of.day).timestamp() * 1000, line_dash="dash",
              line_color="#555", annotation_text=T["as_of_line"])
fig.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12),
                  yaxis=dict(categoryorder="array", categoryarray=list(reversed(ms["milestone_label"].to_list()))))
st.plotly_chart(charts.localise(fig, date_x=True), width="stretch", key="pf_timeline", theme=None)
ui.show_table(formats.translate(ms.drop("ord", "milestone")).select("milestone_label", pl.exclude("milestone_label")),
              f"{pid}_节点", key="pf_ms", link_projects=False)
st.markdown(f"**{T['replans']}**")
if rp.is_empty():
    st.caption(T["no_replans"])
else:
    ui.show_table(formats.translate(rp.drop("project_id")), f"{pid}_计划调整", key="pf_rp",
                  link_projects=False)

# ---- investment curve -----------------------------------------------------------------------
st.subheader(T["investment_curve"])
hist = ui.cached(ctx, Metrics.project_history, ctx.month, pid)
fig = go.Figure()
x = hist["as_of"].to_list()
fig.add_trace(go.Scatter(x=x, y=(hist["cumulative_done_wan"] / 10000).to_list(), mode="lines+markers",
                         name=T["cumulative"], line=dict(color="#1f77b4", width=3)))
fig.add_trace(go.Scatter(x=x, y=(hist["planned_cumulative_wan"] / 10000).to_list(), mode="lines",
                         name=T["plan_path"], line=dict(color="#ff7f0e", dash="dash")))
fig.add_trace(go.Scatter(x=x, y=(hist["year_end_target_wan"] / 10000).to_list(), mode="lines",
                         name=T["year_target"], line=dict(color="#ff7f0e", dash="dot", shape="hv")))
fig.add_trace(go.Scatter(x=x, y=(hist["total_investment_wan"] / 10000).to_list(), mode="lines",
                         name=T["total_investment"], line=dict(color="#888", dash="longdash")))
fig.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10), yaxis_title=labels.VIEW_TEXT.get("axis_yi", "亿元"),
                  legend=dict(orientation="h", y=1.12), hovermode="x unified")
st.plotly_chart(charts.localise(fig, date_x=True), width="stretch", key="pf_invest", theme=None)
with st.expander(C["snapshot_month"]):
    ui.show_table(hist, f"{pid}_投资曲线", key="pf_hist", link_projects=False)

# ---- approvals --------------------------------------------------------------------------------
st.subheader(T["approvals"])
ap = ui.cached(ctx, Metrics.project_approvals, ctx.month, pid)
if ap.is_empty():
    st.caption(T["no_approvals"])
else:
    counts = ap.group_by("light").len()
    n = dict(zip(counts["light"].to_list(), counts["len"].to_list()))
    st.markdown("　".join(f"{labels.LIGHT_MD[k]} {labels.LIGHTS[k]} {n.get(k, 0)}" for k in labels.LIGHTS))
    ui.show_light_table(ap, ["light"], key="pf_ap_tbl", link_projects=False)
    ui.download_buttons(ap, f"{pid}_审批事项", key="pf_ap")

# ---- operations after completion -----------------------------------------------------------------
st.subheader(T["operations"])
ops = ui.cached(ctx, Metrics.project_operations, ctx.month, pid)
if ops.is_empty():
    st.caption(T["no_operations"])
else:
    fig = go.Figure()
    fig.add_trace(go.Bar(x=ops["month"].to_list(), y=ops["output_value_wan"].to_list(), name=C["output_value_wan"]))
    fig.add_trace(go.Bar(x=ops["month"].to_list(), y=ops["tax_wan"].to_list(), name=C["tax_wan"]))
    fig.add_trace(go.Scatter(x=ops["month"].to_list(), y=ops["capacity_realisation"].to_list(), yaxis="y2",
                             name=C["capacity_realisation"], mode="lines+markers", line=dict(color="#d7263d")))
    fig.add_hline(y=m.thresholds["capacity_realisation_min"], yref="y2", line_dash="dash", line_color="#d7263d")
    top = max(1.0, (ops["capacity_realisation"].max() or 0) * 1.1)
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10), barmode="group",
                      legend=dict(orientation="h", y=1.12), xaxis=dict(type="category"),
                      yaxis2=dict(overlaying="y", side="right", tickformat=".0%", range=[0, top]))
    st.plotly_chart(charts.localise(fig), width="stretch", key="pf_ops", theme=None)
    ui.show_table(formats.for_display(ops), f"{pid}_月度运营", key="pf_ops_t", link_projects=False)

# ---- problems -------------------------------------------------------------------------------------
st.subheader(T["problems"])
# imported and recorded problems merged (docs/domain.md §11); not cached: records change it
pr = m.problems(ctx.month).filter(pl.col("project_id") == pid)
if pr.is_empty():
    st.caption(T["no_problems"])
else:
    n_open = pr.filter(pl.col("problem_status") != "closed").height
    st.caption(f"{labels.PROBLEM_TEXT['open']} {n_open} 个 · {labels.PROBLEM_TEXT['closed']} {pr.height - n_open} 个"
               f" · {labels.PROBLEM_TEXT['overdue']} {pr.filter(pl.col('overdue')).height} 个")
    ui.show_table(formats.translate(pr.select("problem_id", "kind", "summary", "dept", "raised_on", "deadline_on",
                                              "problem_status", "resolved_on", "days_open", "overdue", "last_note",
                                              "last_by", "last_on")),
                  f"{pid}_矛盾问题", key="pf_pr", link_projects=False)
st.markdown(f"[{labels.PROBLEM_TEXT['title']} →]({ui.page_href('problems')})")

# ---- reminder letters and interviews recorded (docs/domain.md §12) ------------------------------
st.subheader(labels.LETTER_TEXT["project_history"])
lt = store_letters.effective(ctx.store.root, pid)
if lt.is_empty():
    st.caption(labels.LETTER_TEXT["no_history"])
else:
    n_by = lt.group_by("kind").agg(pl.col("list_month").n_unique().alias("n"))
    n = dict(zip(n_by["kind"].to_list(), n_by["n"].to_list()))
    st.caption("　".join(f"{labels.LETTER_DONE[k]}×{n.get(k, 0)}" for k in labels.LETTER_KINDS))
    ui.show_table(formats.translate(lt.select("letter_id", pl.col("kind").alias("letter_kind"), "list_month",
                                              "acted_on", "doc_no", "dept", "note", "recorded_by", "recorded_at")),
                  f"{pid}_提醒函约谈记录", key="pf_letters", link_projects=False)

# ---- flags ----------------------------------------------------------------------------------------
st.subheader(T["flags"])
on_flags = ui.cached(ctx, Metrics.project_flags, ctx.month, pid)
if not on_flags:
    st.caption(T["no_flags"])
for f in on_flags:
    k = f["key"]
    if k == "approval_red":
        st.error(f"🔴 {labels.LIGHTS['red']}：{f['rows'].height} 个审批事项（{ui.md('、'.join(f['rows']['step'].to_list()))}）")
        continue
    st.warning(f"**{flags.LABELS[k]}** — {m.flag_rule(k)}（{flags.DEPTS[k]}）")
    ui.show_table(formats.for_display(formats.translate(f["rows"].drop("unit_code"))), f"{pid}_{flags.LABELS[k]}",
                  key=f"pf_flag_{k}", link_projects=False)

# ---- comments recorded at quarterly reviews (点评意见) -----------------------------------------
st.subheader(T["comments"])

cm = comments.for_project(ctx.store.root, pid)
if cm.is_empty():
    st.caption(T["no_comments"])
else:
    ui.show_table(comments.display(comments.with_answers(ctx.store.root, cm), {pid: info["name"]}),
                  f"{pid}_点评意见", key="pf_comments",
                  link_projects=False)
