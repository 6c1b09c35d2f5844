"""提醒约谈: the 提醒函 and 约谈 lists of docs/domain.md §5.6 split by the department each project is
routed to (docs/domain.md §12), each project's letter as a Word document, the department's
sheet and all its letters, and recording that a letter went out or an interview was held
(shown on the project file and counted on the next month's list as 已发函/已约谈×n)."""
import datetime as dt

import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.outputs import letters as letter_docs
from lifecycle.present import formats
from lifecycle.store import letters as store_letters
from lifecycle.store.records import RecordError

T = labels.LETTER_TEXT
K = labels.LETTER_KINDS
ctx = ui.setup(T["title"], "✉️")
m = ctx.metrics
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLAG_OF = {"reminder": "completion_reminder", "interview": "completion_interview"}


def acting_user() -> str | None:
    """The logged-in user once accounts exist (issue 9); None until then."""
    fn = getattr(ui, "current_user", None)
    user = fn() if callable(fn) else None
    return getattr(user, "name", None) or (user if isinstance(user, str) else None)


st.caption(T["caption"])
if st.session_state.get("lt_msg"):
    st.success(st.session_state.pop("lt_msg"))
kind = st.radio(T["kind"], list(K), format_func=K.get, horizontal=True, key="lt_kind")
rule = m.flag_rule(FLAG_OF[kind])
st.markdown(f"**{labels.LIST_TEXT['rule']}**：{rule}")
st.caption(T["count_rule"])
rows = m.letter_list(ctx.month, kind, ctx.slice)
rows = rows.with_columns(pl.Series("done_text", [letter_docs.done_text(r) for r in rows.iter_rows(named=True)],
                                   dtype=pl.String))
c = st.columns(4)
c[0].metric(T["listed"], f"{rows.height:,}")
c[1].metric(T["done_month"], f"{rows.filter(pl.col('done_this_month')).height:,}")
c[2].metric(T["todo_month"], f"{rows.filter(~pl.col('done_this_month')).height:,}")
c[3].metric(T["ever"], f"{rows.filter((pl.col('letters_sent') + pl.col('interviews_held')) > 0).height:,}")

if rows.is_empty():
    st.info(T["none"])
    st.stop()

COLS = ["project_id", "name", "enterprise", "unit_name", "planned_completed_on", "days_overdue", "months_overdue",
        "owner", "total_investment_wan", "cumulative_done_wan", "done_text", "done_this_month", "doc_no"]
depts = sorted(rows["route_dept"].unique().to_list())
user = acting_user()
for tab, dept in zip(st.tabs([f"{d}（{rows.filter(pl.col('route_dept') == d).height}）" for d in depts]), depts):
    with tab:
        d_rows = rows.filter(pl.col("route_dept") == dept)
        ui.show_table(formats.for_display(d_rows.select(COLS)), f"{dept}{K[kind]}_{ctx.month}",
                      key=f"lt_tab_{kind}_{dept}", height=360)
        b1, b2 = st.columns(2)
        ui.download(T["dept_sheet"].format(dept=dept, kind=K[kind]),
                    lambda dept=dept: letter_docs.dept_sheet_bytes(rows, kind, dept, ctx.month, rule, ctx.region.name),
                    file_name=letter_docs.file_stem(kind, dept, ctx.month, ctx.region.name) + ".xlsx",
                    mime=XLSX, key=f"lt_sheet_{kind}_{dept}", type="primary", container=b1, action="export")
        ui.download(T["download_all"].format(kind=K[kind]),
                    lambda d_rows=d_rows, dept=dept: letter_docs.letters_docx(d_rows, kind, ctx.month, dept,
                                                                              ctx.region.name),
                    file_name=letter_docs.file_stem(kind, dept, ctx.month, ctx.region.name) + ".docx",
                    mime=DOCX, key=f"lt_docx_{kind}_{dept}", container=b2, action="export")
        names = dict(zip(d_rows["project_id"].to_list(), d_rows["name"].to_list()))
        st.markdown(f"**{T['single']}**")
        s1, s2 = st.columns([3, 2])
        # plain text options (a format_func would not survive AppTest's reruns)
        pid = s1.selectbox(T["pick_project"], [f"{p}　{n}" for p, n in names.items()],
                           key=f"lt_one_{kind}_{dept}").split("　")[0]
        doc_no = s2.text_input(T["doc_no"], key=f"lt_no_{kind}_{dept}")
        row = d_rows.filter(pl.col("project_id") == pid).row(0, named=True)
        ui.download(T["download_docx"].format(kind=K[kind]),
                           lambda row=row, dept=dept, doc_no=doc_no: letter_docs.letter_docx(
                               row, kind, ctx.month, dept, ctx.region.name, doc_no=doc_no or None),
                           file_name=f"{K[kind]}_{pid}_{ctx.month}.docx", mime=DOCX, key=f"lt_one_dl_{kind}_{dept}")
        st.markdown(f"**{T['record']}**")
        with st.form(f"lt_form_{kind}_{dept}", clear_on_submit=True):
            todo = [p for p, done in zip(d_rows["project_id"].to_list(), d_rows["done_this_month"].to_list()) if not done]
            picked = st.multiselect(T["record_pick"], list(names), default=[], format_func=lambda p: f"{p}　{names[p]}",
                                    key=f"lt_pick_{kind}_{dept}", placeholder=f"本月待办 {len(todo)} 个")
            f1, f2, f3 = st.columns(3)
            no = f1.text_input(T["doc_no"], key=f"lt_rec_no_{kind}_{dept}")
            on = f2.date_input(T["acted_on"], value=dt.date.today(), max_value=dt.date.today(),
                               key=f"lt_rec_on_{kind}_{dept}")
            by = user or f3.text_input(T["by"], help=labels.PROBLEM_TEXT["by_help"], key=f"lt_rec_by_{kind}_{dept}")
            if st.form_submit_button(T["save"], type="primary"):
                try:
                    if not picked:
                        raise RecordError("请选择已发函/已约谈的项目")
                    for p in picked:
                        store_letters.record(ctx.store.root, p, kind, ctx.month, by, acted_on=on, doc_no=no or None,
                                             dept=dept)
                    st.session_state["lt_msg"] = "；".join(T["recorded"].format(pid=p, kind=K[kind], on=on)
                                                           for p in picked)
                    st.rerun()
                except RecordError as e:
                    st.error(str(e))
