"""问题督办: every problem (矛盾问题) across the projects of the slice, imported with the ledger or
registered here, worked 采集 → 交办 → 会商会办 → 办结 (docs/domain.md §11): counts, the list with
days open and overdue, by department and by unit, a department's sheet, and recording a status
change or a new problem (kept with its history in the store)."""
import datetime as dt

import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.outputs import problems as problem_sheets
from lifecycle.present import formats
from lifecycle.query.metrics import Metrics
from lifecycle.store import problems as store_problems
from lifecycle.store.records import RecordError

T = labels.PROBLEM_TEXT
S = labels.PROBLEM_STATUSES
ctx = ui.setup(T["title"], "📌")
m = ctx.metrics
root = ctx.store.root

ref = m.reference_date(ctx.month)
# recorded problems and updates change these: keyed by their revision (and the day they are read on)
live = (ctx.month, ctx.slice, store_problems.revision(root), dt.date.today())
rows = ui.memo(ctx, ("problems",) + live, lambda: m.problems(ctx.month, ctx.slice))
counts = ui.memo(ctx, ("problem_counts",) + live, lambda: m.problem_counts(ctx.month, ctx.slice, rows=rows))
st.caption(T["rule"].format(days=m.thresholds.get("problem_deadline_days", 30))
           + f"（统计日：{ref.isoformat()}）")

if st.session_state.get("pr_msg"):
    st.success(st.session_state.pop("pr_msg"))
c = st.columns(4)
c[0].metric(T["total"], f"{counts['total']:,}")
c[1].metric(T["open"], f"{counts['open']:,}")
c[2].metric(T["overdue"], f"{counts['overdue']:,}")
c[3].metric(T["closed"], f"{counts['closed']:,}")

LIST_COLS = problem_sheets.SHEET_COLUMNS
EXTRA = {"problem_status": S, "source": labels.PROBLEM_SOURCES}


def acting_user() -> str | None:
    """The logged-in user once accounts exist (issue 9); None until then."""
    fn = getattr(ui, "current_user", None)
    user = fn() if callable(fn) else None
    return getattr(user, "name", None) or (user if isinstance(user, str) else None)


tab_list, tab_dept, tab_unit, tab_rec = st.tabs(
    [T["list"], T["by_dept"], T["by_unit"], T["record"]])

with tab_list:
    if rows.is_empty():
        st.info(T["none"])
    else:
        f1, f2, f3 = st.columns([2, 2, 1])
        pick_status = f1.multiselect(T["status_filter"], list(S), format_func=S.get, key="pr_status",
                                     placeholder="全部")
        depts = sorted(d for d in rows["dept"].unique().to_list() if d)
        pick_dept = f2.multiselect(T["dept_filter"], depts, key="pr_dept", placeholder="全部")
        only_overdue = f3.checkbox(T["only_overdue"], key="pr_overdue")
        view = rows
        if pick_status:
            view = view.filter(pl.col("problem_status").is_in(pick_status))
        if pick_dept:
            view = view.filter(pl.col("dept").is_in(pick_dept))
        if only_overdue:
            view = view.filter(pl.col("overdue"))
        st.markdown(f"**共 {view.height:,} 个问题**")
        ui.show_table(formats.translate(view.select(LIST_COLS), EXTRA), f"矛盾问题_{ctx.month}", key="pr_list",
                      height=420)

with tab_dept:
    by_dept = ui.memo(ctx, ("problem_summary", "dept") + live, lambda: m.problem_summary(ctx.month, ctx.slice, by="dept", rows=rows))
    ui.show_table(by_dept.drop("unit_code").with_columns(pl.col("grp").fill_null(labels.LIST_TEXT["total"]))
                  .rename({"grp": "dept"}), f"矛盾问题_按部门_{ctx.month}", key="pr_by_dept")
    depts_all = sorted(d for d in rows["dept"].unique().to_list() if d)
    if depts_all:
        dept = st.selectbox(T["dept_pick"], depts_all, key="pr_sheet_dept")
        days = int(m.thresholds.get("problem_deadline_days", 30))
        ui.download(T["dept_sheet"],
                           lambda: problem_sheets.dept_sheet_bytes(rows, dept, ctx.month, days, ctx.region.name),
                           file_name=problem_sheets.file_name(dept, ctx.month, ctx.region.name), key="pr_sheet",
                           type="primary",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

with tab_unit:
    by_unit = ui.memo(ctx, ("problem_summary", "unit") + live, lambda: m.problem_summary(ctx.month, ctx.slice, by="unit", rows=rows))
    ui.show_table(by_unit.with_columns(pl.col("grp").fill_null(labels.LIST_TEXT["total"]))
                  .rename({"grp": "unit_name"}), f"矛盾问题_按镇街_{ctx.month}", key="pr_by_unit")

with tab_rec:
    st.caption(T["record_help"])
    user = acting_user()
    if rows.is_empty():
        st.info(T["none"])
    else:
        ids = rows["problem_id"].to_list()
        info = {r["problem_id"]: r for r in rows.iter_rows(named=True)}
        pid = st.selectbox(T["pick_problem"], ids, key="pr_pick",
                           format_func=lambda p: f"{p}　{info[p]['name']}：{(info[p]['summary'] or '')[:30]}"
                                                 f"（{S[info[p]['problem_status']]}）")
        hist = store_problems.updates(root, pid)
        with st.form("pr_record_form", clear_on_submit=True):
            a, b = st.columns(2)
            cur = info[pid]["problem_status"]
            status = a.selectbox(T["new_status"], list(S), index=min(list(S).index(cur) + 1, len(S) - 1),
                                 format_func=S.get, key="pr_new_status")
            acted = b.date_input(T["acted_on"], value=dt.date.today(), max_value=dt.date.today(), key="pr_acted")
            dept = a.text_input(T["dept"], value=info[pid]["dept"] or "", key="pr_dept_in")
            deadline = b.date_input(T["deadline"], value=None, key="pr_deadline")
            note = st.text_area(T["note"], key="pr_note")
            by = user or st.text_input(T["by"], help=T["by_help"], key="pr_by")
            if st.form_submit_button(T["save"], type="primary"):
                try:
                    store_problems.record(root, pid, by, status, acted_on=acted, dept=dept or None,
                                          deadline_on=deadline, note=note,
                                          base_update_id=int(hist["update_id"].max() or 0) if hist.height else 0)
                    st.session_state["pr_msg"] = T["saved"].format(pid=pid, status=S[status])
                    st.rerun()
                except RecordError as e:
                    st.error(str(e))
        st.markdown(f"**{T['history']}**")
        if hist.is_empty():
            st.caption(T["no_history"])
        else:
            ui.show_table(formats.translate(hist.rename({"status": "problem_status", "recorded_by": "acted_by"}),
                                            EXTRA), f"{pid}_办理记录", key="pr_hist", link_projects=False)

    st.markdown(f"**{T['new_problem']}**")
    projects = ui.cached(ctx, Metrics.project_list, ctx.month, ctx.slice, in_library=True)
    if projects.is_empty():
        st.info(labels.LIST_TEXT["none_on_list"])
    else:
        pnames = dict(zip(projects["project_id"].to_list(), projects["name"].to_list()))
        with st.form("pr_new_form", clear_on_submit=True):
            proj = st.selectbox(T["project"], list(pnames), format_func=lambda p: f"{p}　{pnames[p]}", key="pr_new_proj")
            summary = st.text_area(T["summary"], key="pr_new_summary")
            a, b = st.columns(2)
            kind = a.selectbox(T["kind"], labels.PROBLEM_KINDS, key="pr_new_kind")
            raised = b.date_input(T["raised_on"], value=dt.date.today(), max_value=dt.date.today(), key="pr_new_raised")
            dept = a.text_input(T["dept"], key="pr_new_dept")
            deadline = b.date_input(T["deadline"], value=None, key="pr_new_deadline")
            by = user or st.text_input(T["by"], help=T["by_help"], key="pr_new_by")
            if st.form_submit_button(T["save"], type="primary"):
                try:
                    new_id = store_problems.add(root, proj, by, summary, kind=kind, raised_on=raised,
                                                dept=dept or None, deadline_on=deadline)
                    st.session_state["pr_msg"] = T["added"].format(pid=new_id)
                    st.rerun()
                except RecordError as e:
                    st.error(str(e))
