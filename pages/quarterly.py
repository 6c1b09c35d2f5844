"""季度点评 (docs/domain.md §8 view 9): the quarter's started/completed projects by township with plan
against actual, the quarter's rates and their change from the previous quarter, rankings, flags,
comments recorded during the session (durable, with edit history), a presentation mode for the
big screen (one township at a time), and the meeting pack (PDF + Excel) and monthly bulletin.

Who may do what (docs/domain.md §9): leaders record and edit comments and make the pack and the
bulletin; a township account sees its own unit, answers (回复/整改说明) the comments made on it.
Every comment, answer, pack and bulletin is recorded with the logged-in account."""
import datetime as dt

import polars as pl
import streamlit as st

from lifecycle.store import comments
from lifecycle.domain import flags, labels
from lifecycle.outputs import pack
from lifecycle import ui
from lifecycle.ui import auth
from lifecycle.query.metrics import FLAG_KEYS, Metrics, MetricsError, quarter_of
from lifecycle.present import charts, formats

R = labels.REVIEW
ctx = ui.setup(R["quarter_page"], "🗓️")
m = ctx.metrics
reg = ctx.region
root = ctx.store.root

# ---- quarter and mode (mirrored in the URL: quarter=2026Q3, present=1, qunit=<unit code>) -------
quarters = list(reversed(m.quarters()))
if not st.session_state.get("_q_url_read"):
    qp = st.query_params
    if qp.get("quarter") in quarters:
        st.session_state["_q_quarter"] = qp.get("quarter")
    st.session_state["_q_present"] = qp.get("present") == "1"
    if qp.get("qunit"):
        if ctx.scope.unit is not None and qp.get("qunit") != ctx.scope.unit:
            ui.deny(ctx, labels.AUTH_TEXT["denied"].format(what=labels.AUTH_TEXT["denied_unit"].format(
                unit=reg.units[ctx.scope.unit].name)), target=f"qunit={qp.get('qunit')}")
        st.session_state["_q_unit"] = qp.get("qunit")
    st.session_state["_q_url_read"] = True

default_q = quarter_of(ctx.month) if quarter_of(ctx.month) in quarters else quarters[0]
chosen = st.session_state.get("_q_quarter")
st.session_state["w_q_quarter"] = chosen if chosen in quarters else default_q


def _keep(key: str, widget: str):
    def cb():
        st.session_state[key] = st.session_state[widget]
    return cb


c1, c2, _ = st.columns([3, 2, 3])
quarter = c1.selectbox("季度", quarters, key="w_q_quarter", on_change=_keep("_q_quarter", "w_q_quarter"),
                       format_func=lambda q: f"{formats.quarter_text(q)}（{q}）",
                       help="默认为所选数据月份所在季度；列出有已发布月度快照的季度")
st.session_state["w_q_present"] = bool(st.session_state.get("_q_present"))
present = c2.toggle(R["present"], key="w_q_present", on_change=_keep("_q_present", "w_q_present"),
                    help="大字号，一次显示一个镇街/板块，用“上一个/下一个”切换")
st.query_params["quarter"] = quarter
if present:
    st.query_params["present"] = "1"
elif "present" in st.query_params:
    del st.query_params["present"]

try:
    as_of = m.quarter_as_of(quarter)
except MetricsError as e:
    st.error(str(e))
    st.stop()
prev_m = m.previous_quarter_as_of(quarter)
plan_m = m.quarter_plan_month(quarter)
st.caption(
    f"{formats.quarter_text(quarter)} · 数据截至 {formats.month_end_text(as_of)}（本季度最后一期已发布快照）· "
    f"变化与上季度末（{formats.month_text(prev_m) if prev_m else '无数据'}）相比 · "
    f"季度计划取自 {formats.month_text(plan_m)} 快照",
    help=labels.QUARTER_STATUS_NOTE,
)

rates = ui.cached(ctx, Metrics.quarter_rates, quarter, ctx.slice, period=ctx.period)
summary = ui.cached(ctx, Metrics.quarter_summary, quarter, ctx.slice)
projects = ui.cached(ctx, Metrics.quarter_projects, quarter, ctx.slice)
ranking = ui.cached(ctx, Metrics.ranking, as_of, ctx.slice)
all_projects = ui.cached(ctx, Metrics.project_list, as_of)
# lookups over every project of the snapshot: built once per publication, not on every run
names = ui.memo(ctx, ("comment_names", as_of), lambda: comments.target_names(ctx.region, all_projects))
units = [u for u in reg.units.values() if ctx.slice.units is None or u.code in ctx.slice.units]
unit_codes = [u.code for u in units]
project_names = ui.memo(ctx, ("project_names", as_of),
                        lambda: dict(zip(all_projects["project_id"].to_list(), all_projects["name"].to_list())))

PROJECT_COLS = ["project_id", "name", "total_investment_wan", "state", "q_planned_started_on",
                "actual_started_on", "start_status", "q_planned_completed_on", "actual_completed_on",
                "complete_status", "baseline_started_on", "baseline_completed_on", "owner", "campaign"]
SUMMARY_COLS = ["unit_code"] + pack.SUMMARY_COLUMNS


def unit_projects(code: str) -> pl.DataFrame:
    return projects.filter(pl.col("unit_code") == code).select(PROJECT_COLS)


def comments_for(quarter_: str, code: str | None) -> pl.DataFrame:
    # only the commented projects are looked up (not a mapping of every project of the snapshot)
    targets = comments.list_comments(ctx.store.root, quarter_)["target_id"]
    df = m.quarter_comments(quarter_, as_of, ctx.slice,
                            all_projects.filter(pl.col("project_id").is_in(targets.implode())))
    return df if code is None else df.filter(pl.col("unit_code") == code)


def show_comments(df: pl.DataFrame, empty: str, big: bool = False) -> None:
    if df.is_empty():
        st.caption(empty)
        return
    view = comments.comment_table(df, names).with_columns(pl.col("created_at").str.replace("T", " ").str.slice(0, 16))
    view = comments.with_answers(root, view)
    if big:
        view = view.select("target_name", "text", "author", "follow_up", "department", "created_at", "answers")
        st.table(ui.chinese_headers(view).with_columns(pl.all().fill_null("—")).to_pandas())
        return
    st.dataframe(ui.chinese_headers(view), hide_index=True, width="stretch")


def flash() -> None:
    auth.flash("_q_flash")


def comment_form(code: str, key: str) -> None:
    """Record a comment against the unit `code` or one of its projects, for this quarter (leaders);
    a township account answers the comments made on its unit instead."""
    if ctx.may("answer"):
        answer_form(code, key)
    if not ctx.may("comment"):
        return
    unit_rows = all_projects.filter(pl.col("unit_code") == code)
    in_quarter = projects.filter(pl.col("unit_code") == code)["project_id"].to_list()
    others = [p for p in unit_rows["project_id"].to_list() if p not in in_quarter]
    options = [f"unit:{code}"] + [f"project:{p}" for p in in_quarter + others]

    def fmt(opt: str) -> str:
        kind, tid = opt.split(":", 1)
        if kind == "unit":
            return f"【{reg.unit_word}】{reg.units[tid].name if tid in reg.units else tid}（整体）"
        return f"【项目】{project_names.get(tid, tid)}（{tid}）" + ("" if tid in in_quarter else " · 非本季度清单")

    with st.form(f"cform_{key}", clear_on_submit=True):
        st.markdown(f"**记录点评意见 · {formats.quarter_text(quarter)}**")
        target = st.selectbox("点评对象", options, format_func=fmt, key=f"c_target_{key}")
        a, b, c = st.columns(3)
        author = ctx.user.name
        a.markdown(f"点评人：**{author}**")
        follow = b.selectbox("跟进状态（可选）", [""] + list(labels.FOLLOW_UP_STATES), key=f"c_follow_{key}",
                             format_func=lambda s: labels.FOLLOW_UP_STATES.get(s, "（不设）"))
        dept = c.text_input("责任部门（可选）", key=f"c_dept_{key}")
        text = st.text_area("点评意见", key=f"c_text_{key}", height=100)
        if st.form_submit_button("保存点评意见", type="primary"):
            kind, tid = target.split(":", 1)
            auth.submit(root, "comment_add", target,
                        lambda: comments.add(root, kind, tid, quarter, author, text, follow_up=follow or None,
                                             department=dept or None, unit_code=code),
                        lambda cid: f"已保存点评意见（编号 {cid}）：{fmt(target)}",
                        comments.CommentError, "_q_flash", quarter=quarter, unit=code)


def answer_form(code: str, key: str) -> None:
    """A township account answers (回复/整改说明) a comment made on its unit (this or last quarter)."""
    mine = pl.concat([comments_for(quarter, code), comments_for(comments.previous_quarter(quarter), code)],
                     how="vertical_relaxed")
    if mine.is_empty():
        return
    texts = dict(zip(mine["comment_id"].to_list(), mine["text"].to_list()))
    with st.form(f"aform_{key}", clear_on_submit=True):
        st.markdown(f"**{labels.AUTH_TEXT['answer']}**")
        cid = st.selectbox("点评意见", list(texts), key=f"a_cid_{key}", format_func=lambda i: f"#{i} {texts[i][:40]}")
        text = st.text_area(labels.AUTH_TEXT["answer"], key=f"a_text_{key}", height=100)
        if st.form_submit_button(labels.AUTH_TEXT["answer_save"], type="primary"):
            auth.submit(root, "comment_answer", f"comment:{cid}",
                        lambda: comments.answer(root, cid, ctx.user.name, text, unit_code=ctx.scope.unit),
                        lambda aid: f"已保存对点评意见 #{cid} 的回复",
                        comments.CommentError, "_q_flash", quarter=quarter, unit=code)


def fmt_status(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns([pl.col(c).replace(labels.QUARTER_STATUS) for c in ("start_status", "complete_status")
                            if c in df.columns])


# ---- presentation mode: one unit at a time, big type -------------------------------------------
if present:
    st.markdown("""
<style>
html, body, [class*="css"], .stMarkdown p, .stTable td, .stTable th { font-size: 26px !important; }
div[data-testid="stMetricValue"] { font-size: 2.8rem !important; }
div[data-testid="stMetricLabel"] p { font-size: 1.4rem !important; }
h1 { font-size: 2.6rem !important; } h2 { font-size: 2.4rem !important; }
div[data-testid="stTable"] table td, div[data-testid="stTable"] table th { font-size: 1.25rem !important; padding: 0.35rem 0.6rem; }
section[data-testid="stSidebar"] { display: none; }
</style>""", unsafe_allow_html=True)
    if not unit_codes:
        st.info("当前筛选下没有镇街/板块")
        st.stop()
    cur = st.session_state.get("_q_unit")
    idx = unit_codes.index(cur) if cur in unit_codes else 0

    def move(step: int):
        def cb():
            i = unit_codes.index(st.session_state["_q_unit"]) if st.session_state.get("_q_unit") in unit_codes else 0
            st.session_state["_q_unit"] = unit_codes[(i + step) % len(unit_codes)]
        return cb

    code = unit_codes[idx]
    st.session_state["_q_unit"] = code
    st.query_params["qunit"] = code
    n1, n2, n3 = st.columns([1, 4, 1])
    n1.button(f"◀ {R['prev']}", key="q_prev", on_click=move(-1), width="stretch")
    n3.button(f"{R['next']} ▶", key="q_next", on_click=move(1), width="stretch")
    n2.markdown(f"<h2 style='text-align:center;margin:0'>{reg.units[code].name}"
                f"<span style='font-size:1.2rem;color:#666'>（{idx + 1}/{len(unit_codes)}）</span></h2>",
                unsafe_allow_html=True)
    flash()
    s = summary.filter(pl.col("unit_code") == code)
    s = s.row(0, named=True) if s.height else {}
    k = st.columns(5)
    k[0].metric("本季度开工", f"{s.get('started_count', 0)} 个")
    k[1].metric("本季度竣工", f"{s.get('completed_count', 0)} 个")
    k[2].metric("计划开工·按期", f"{s.get('planned_start_on_time', 0)} / {s.get('planned_start_count', 0)}")
    k[3].metric("计划竣工·按期", f"{s.get('planned_complete_on_time', 0)} / {s.get('planned_complete_count', 0)}")
    rk = ranking.filter(pl.col("unit_code") == code)
    rk = rk.row(0, named=True) if rk.height else {}
    k[4].metric("综合排名（名）", "—" if rk.get("rank") is None else f"{rk['rank']}",
                delta=None if not rk.get("rank_change") else f"{rk['rank_change']:+d} 名")
    rc = st.columns(5)
    for col, key in zip(rc, labels.RATES):
        col.metric(labels.RATES[key], formats.pct_text(rk.get(key)),
                   help=labels.RATE_DEFINITIONS[key])
    up = unit_projects(code)
    st.subheader("项目计划与实际")
    if up.is_empty():
        st.info(R["no_rows"])
    else:
        view = up.select("name", pl.col("total_investment_wan").map_elements(formats.yi_text, return_dtype=pl.String)
                         .alias("total_investment_wan"), "q_planned_started_on", "actual_started_on",
                         "start_status", "q_planned_completed_on", "actual_completed_on", "complete_status")
        st.table(ui.chinese_headers(fmt_status(view)).with_columns(pl.all().cast(pl.String).fill_null("—"))
                 .rename({labels.COLUMNS["total_investment_wan"]: "总投资"}).to_pandas())
    st.subheader(R["comments"])
    show_comments(comments_for(quarter, code), R["no_comments"], big=True)
    last = comments_for(comments.previous_quarter(quarter), code)
    if last.height:
        st.subheader(R["last_quarter_comments"])
        show_comments(last, R["no_comments"], big=True)
    comment_form(code, "present")
    st.stop()

# ---- normal mode -----------------------------------------------------------------------------------
flash()
st.subheader(f"季度五率（截至{formats.month_end_text(as_of)}）")
ui.rate_cards(rates)
st.caption("变化：与上季度末" + (f"（{formats.month_text(prev_m)}）" if prev_m else "（无数据）") + "相比的百分点。")

tabs = st.tabs([R["quarter_summary"], R["quarter_projects"], R["ranking"], R["flags"], R["comments"], "会议材料与月通报"])

with tabs[0]:
    st.caption(labels.QUARTER_STATUS_NOTE)
    sv = summary.with_columns(pl.col("unit_name").fill_null("合计")).select(SUMMARY_COLS)
    ui.show_table(sv, f"季度开竣工_{quarter}", f"{formats.quarter_text(quarter)}{R['quarter_summary']}", key="q_sum",
                  link_projects=False)
    pick = st.selectbox(f"查看{reg.unit_word}", unit_codes, key="q_unit_pick",
                        format_func=lambda c: reg.units[c].name)
    if pick:
        up = unit_projects(pick)
        st.markdown(f"**{reg.units[pick].name} · 项目计划与实际**")
        if up.is_empty():
            st.info(R["no_rows"])
        else:
            ui.show_table(fmt_status(up), f"季度项目_{quarter}_{pick}", key="q_unit_tbl")
        st.markdown(f"**{R['comments']}**")
        show_comments(comments_for(quarter, pick), R["no_comments"])
        st.markdown(f"**{R['last_quarter_comments']}**（{comments.previous_quarter(quarter)}）")
        show_comments(comments_for(comments.previous_quarter(quarter), pick), R["no_comments"])

with tabs[1]:
    intro = "本季度开工 {a} 个、竣工 {b} 个；计划本季度开工 {c} 个、计划竣工 {d} 个（以季度计划为准）。"
    tot = summary.filter(pl.col("unit_code").is_null())
    tot = tot.row(0, named=True) if tot.height else {}
    st.markdown(intro.format(a=tot.get("started_count", 0), b=tot.get("completed_count", 0),
                                 c=tot.get("planned_start_count", 0), d=tot.get("planned_complete_count", 0)))
    show = st.radio("清单", ["all", "started_in_q", "completed_in_q", "planned_start_in_q", "planned_complete_in_q"],
                    horizontal=True, key="q_list_kind",
                    format_func=lambda k: "全部" if k == "all" else labels.COLUMNS[k])
    lst = projects if show == "all" else projects.filter(pl.col(show))
    ui.show_table(fmt_status(lst.drop("unit_code")), f"季度项目明细_{quarter}", key="q_all")

with tabs[2]:
    st.caption(f"截至{formats.month_end_text(as_of)}；名次变化与上季度末相比（正数为上升）")
    ranked = ranking.select([c for c in pack.RANKING_COLUMNS if c in ranking.columns]).with_columns(
        pl.col("score").round(1), pl.col("tax_per_mu").round(2))
    ui.plot(charts.ranking_chart(ranking, title=f"{reg.unit_word}{R['ranking_chart']}（{quarter}）"), key="q_rank_chart")
    ui.show_table(ranked, f"绩效排名_{quarter}", key="q_rank", link_projects=False)

with tabs[3]:
    n_of = ui.cached(ctx, Metrics.flag_counts, as_of, ctx.slice)  # the overview's numbers and labels
    ctab = pl.DataFrame({"flag_label": [flags.count_label(k) for k in FLAG_KEYS],
                         "count": [n_of[k] for k in FLAG_KEYS],
                         "dept": [flags.DEPTS[k] for k in FLAG_KEYS],
                         "rule": [m.flag_rule(k) for k in FLAG_KEYS]})
    st.caption(f"截至{formats.month_end_text(as_of)}")
    ui.show_table(ctab, f"预警汇总_{quarter}", key="q_flagcounts", link_projects=False)
    fk = st.selectbox("预警清单", FLAG_KEYS, key="q_flag", format_func=lambda k: f"{flags.count_label(k)} {n_of[k]:,}")
    st.caption(m.flag_rule(fk))
    # only the list on screen is built (the counts above come from one query)
    ui.show_table(ui.cached(ctx, Metrics.flag, fk, as_of, ctx.slice), f"{flags.LABELS[fk]}_{as_of}", key="q_flaglist")

with tabs[4]:
    cu = st.selectbox(f"{reg.unit_word}", unit_codes, key="q_comment_unit", format_func=lambda c: reg.units[c].name)
    if cu:
        comment_form(cu, "main")
    st.markdown(f"**本季度点评意见**（{quarter}）")
    this_q = comments_for(quarter, None)
    show_comments(this_q, R["no_comments"])
    st.markdown(f"**{R['last_quarter_comments']}**（{comments.previous_quarter(quarter)}）")
    show_comments(comments_for(comments.previous_quarter(quarter), None), R["no_comments"])
    if this_q.height and ctx.may("comment"):
        st.markdown("**修改或删除点评意见**（每次修改都保留历史版本）")
        ids = this_q["comment_id"].to_list()
        texts = dict(zip(ids, this_q["text"].to_list()))
        cid = st.selectbox("选择点评意见", ids, key="q_edit_id",
                           format_func=lambda i: f"#{i} {names.get(this_q.filter(pl.col('comment_id') == i)['target_id'][0], '')}："
                                                 f"{texts[i][:30]}")
        cur = comments.get(root, cid)
        hist = comments.history(root, cid)
        st.caption(f"修改记录（共 {hist.height} 版）")
        st.dataframe(ui.chinese_headers(comments.display(hist, names).select(
            "version", "text", "follow_up", "department", "edited_by", "edited_at")), hide_index=True, width="stretch")
        with st.form(f"edit_{cid}_{cur['version']}"):
            e1, e2, e3 = st.columns(3)
            editor = ctx.user.name
            e1.markdown(f"修改人：**{editor}**")
            states = [""] + list(labels.FOLLOW_UP_STATES)
            follow = e2.selectbox("跟进状态", states, index=states.index(cur["follow_up"] or ""),
                                  format_func=lambda s: labels.FOLLOW_UP_STATES.get(s, "（不设）"))
            dept = e3.text_input("责任部门", value=cur["department"] or "")
            text = st.text_area("点评意见", value=cur["text"], height=100)
            b1, b2 = st.columns(2)
            save = b1.form_submit_button("保存修改（新版本）", type="primary")
            drop = b2.form_submit_button("删除（保留历史）")
        if drop:
            auth.submit(root, "comment_delete", f"comment:{cid}",
                        lambda: comments.delete(root, cid, editor, base_version=cur["version"]),
                        lambda v: f"已删除点评意见 #{cid}（历史版本保留）", comments.CommentError, "_q_flash")
        elif save:
            auth.submit(root, "comment_edit", f"comment:{cid}",
                        lambda: comments.edit(root, cid, editor, text=text, follow_up=follow or None,
                                              department=dept or None, base_version=cur["version"]),
                        lambda v: f"已保存点评意见 #{cid} 的第 {v} 版", comments.CommentError, "_q_flash")

with tabs[5]:
    if not ctx.may("pack"):
        st.info("会议材料与月通报由市领导/项目办/部门账户生成。")
        st.stop()
    st.markdown(f"**{R['pack_title']}**：封面、五率及口径、阶段漏斗、投资分档、分{reg.unit_word}开竣工、"
                f"绩效排名及图表、预警清单、每个{reg.unit_word}一页（项目与点评意见）。PDF 与 Excel 两种格式。")
    pkey = ("pack", quarter, ctx.slice, ctx.period, ctx.token)
    if st.button("生成会议材料", key="q_make_pack", type="primary"):
        try:
            with st.spinner("正在生成会议材料……"):
                pdf, xlsx, stem = pack.pack_bytes(m, quarter, ctx.slice, ctx.period)
            auth.record(root, "pack", target=quarter, slice=ui.slice_text(ctx).strip(" ·"), period=ctx.period)
            st.session_state["_q_pack"] = (pkey, pdf, xlsx, dt.datetime.now().strftime("%H:%M:%S"))
        except (pack.PackError, MetricsError) as e:
            st.error(str(e))
    got = st.session_state.get("_q_pack")
    if got and got[0] == pkey:
        _, pdf, xlsx, when = got
        st.caption(f"生成于 {when}（之后新增的点评意见需重新生成）")
        d1, d2, _ = st.columns([1, 1, 3])
        fname = f"{reg.name}{R['pack_title']}_{quarter}"
        ui.download("下载 PDF", pdf, f"{fname}.pdf", "application/pdf", key="q_dl_pdf", perm="pack", container=d1)
        ui.download("下载 Excel", xlsx, f"{fname}.xlsx", key="q_dl_xlsx", perm="pack", container=d2,
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.divider()
    st.markdown(f"**月通报**（{formats.month_text(ctx.month)}）：当月正式签约、意向签约、备案、开工、竣工项目，"
                f"分{reg.unit_word}汇总及五率。")
    bkey = ("bulletin", ctx.month, ctx.slice, ctx.token)
    if st.button("生成月通报", key="q_make_bulletin"):
        try:
            with st.spinner("正在生成月通报……"):
                pdf, xlsx, stem = pack.bulletin_bytes(m, ctx.month, ctx.slice)
            auth.record(root, "bulletin", target=ctx.month, slice=ui.slice_text(ctx).strip(" ·"))
            st.session_state["_q_bulletin"] = (bkey, pdf, xlsx)
        except (pack.PackError, MetricsError) as e:
            st.error(str(e))
    got = st.session_state.get("_q_bulletin")
    if got and got[0] == bkey:
        _, pdf, xlsx = got
        d1, d2, _ = st.columns([1, 1, 3])
        fname = f"{reg.name}{R['bulletin_title']}_{ctx.month}"
        ui.download("下载 PDF", pdf, f"{fname}.pdf", "application/pdf", key="b_dl_pdf", perm="pack", container=d1)
        ui.download("下载 Excel", xlsx, f"{fname}.xlsx", key="b_dl_xlsx", perm="pack", container=d2,
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
