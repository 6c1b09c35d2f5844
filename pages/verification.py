"""节点核实 (认定, docs/domain.md §17): the registration, 落户, 备案, 开工 and 竣工 milestones of the
slice's projects with their verification status (待核实 / 已核实 / 存疑) for the date they carry:
counts per milestone, the 超期未核实 list, a project's verification history, and recording a
status (accounts with `verify`; a township account only for its unit's projects)."""
import datetime as dt

import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.present import formats
from lifecycle.store import verification
from lifecycle.ui import auth

T = labels.VERIFY_TEXT
ctx = ui.setup(T["title"], "✅")
m = ctx.metrics
root = ctx.store.root
st.caption(T["intro"])
st.caption(T["mapping"])
auth.flash("_vf_flash")

# recorded verifications change these: keyed by the store's revision (and the day read on)
live = (ctx.month, ctx.slice, verification.revision(root), dt.date.today())
rows = ui.memo(ctx, ("milestone_verification",) + live, lambda: m.milestone_verification(ctx.month, ctx.slice))
summary = ui.memo(ctx, ("verification_summary",) + live, lambda: m.verification_summary(ctx.month, ctx.slice))
days = m.verification_stale_days
stale = ui.memo(ctx, ("unverified", days) + live, lambda: m.unverified(ctx.month, ctx.slice, days))

# ---- counts per milestone ------------------------------------------------------------------
st.subheader(T["counts"])
tot = {k: int(summary[f"{k}_count"].sum()) for k in ("pending", "verified", "doubtful", "total")}
c = st.columns(4)
c[0].metric(labels.VERIFY_COLUMNS["total_count"], f"{tot['total']:,}")
c[1].metric(labels.VERIFY_STATUSES["verified"], f"{tot['verified']:,}")
c[2].metric(labels.VERIFY_STATUSES["pending"], f"{tot['pending']:,}")
c[3].metric(labels.VERIFY_STATUSES["doubtful"], f"{tot['doubtful']:,}")
if rows.is_empty():
    st.info(T["none"])
ui.show_table(summary.select("milestone_label", "total_count", "verified_count", "pending_count", "doubtful_count",
                             formats.pct_column("verified_share")),
              "节点核实情况", f"{T['counts']}（{ctx.month}）", key="vf_counts", link_projects=False)

# ---- 超期未核实 -------------------------------------------------------------------------------
LIST_COLS = ("project_id", "name", "unit_name", "milestone_label", "milestone_date", "verify_status_label",
             "age_days", "verified_by", "verified_at", "verify_note")
st.subheader(T["stale"])
st.caption(T["stale_note"].format(days=days, ref=m.reference_date(ctx.month).isoformat()))
if stale.is_empty():
    st.info(T["stale_none"])
else:
    ui.show_table(stale.select(LIST_COLS), "超期未核实节点", f"{T['stale']}（{ctx.month}）", key="vf_stale")

# ---- one project's milestones and history --------------------------------------------------------
projects = rows.select("project_id", "name").unique("project_id", keep="first").sort("project_id")
names = dict(zip(projects["project_id"], projects["name"]))

if names:
    pick = ui.pick_box(T["project"], list(names), key="vf_pid", format_func=lambda p: f"{p} · {names[p]}")
    if pick:
        one = rows.filter(pl.col("project_id") == pick)
        ui.show_table(one.select("milestone_label", "milestone_date", "verify_status_label", "verified_by",
                                 "verified_at", "verify_note", "age_days"),
                      f"节点核实_{pick}", key="vf_one", link_projects=False)
        hist = verification.events(root, pick)
        if not hist.is_empty():
            with st.expander(T["history"].format(pid=pick)):
                ui.show_table(hist.with_columns(
                    pl.col("milestone").replace_strict(labels.VERIFY_MILESTONES).alias("milestone_label"),
                    pl.col("status").replace_strict(labels.VERIFY_STATUSES).alias("verify_status_label"),
                    pl.col("note").alias("verify_note")).select(
                        "event_id", "milestone_label", "milestone_date", "verify_status_label", "verified_by",
                        "verified_at", "verify_note"),
                    f"核实记录_{pick}", key="vf_hist", link_projects=False)
else:
    pick = None

# ---- recording a status (permission `verify`, enforced in store/verification.py) -------------------
user = ctx.user
if user is not None and user.may("verify"):
    st.subheader(T["set"])
    own = verification.scope_unit(user)
    st.caption(T["set_note"].format(unit_note=T["unit_note_own"].format(unit_word=ctx.region.unit_word) if own else ""))
    if not names:
        st.info(T["none"])
    else:
        with st.form("vf_set"):
            pids = list(names)
            pid = st.selectbox(T["project"], pids, index=pids.index(pick) if pick in pids else 0,
                               format_func=lambda p: f"{p} · {names[p]}", key="vf_set_pid")
            ms = list(labels.VERIFY_MILESTONES)
            milestone = st.selectbox(T["milestone"], ms, format_func=labels.VERIFY_MILESTONES.get, key="vf_set_ms")
            status = st.selectbox(T["status"], list(labels.VERIFY_STATUSES), index=1,
                                  format_func=labels.VERIFY_STATUSES.get, key="vf_set_status")
            note = st.text_area(T["note"], key="vf_set_note")
            if st.form_submit_button(T["save"], type="primary"):
                hit = rows.filter((pl.col("project_id") == pid) & (pl.col("milestone") == milestone))
                seen = hit["milestone_date"].item() if hit.height else None  # the date verified, as shown
                auth.submit(root, "verify_set", f"project:{pid}",
                            lambda: verification.set_status(root, user, pid, milestone, status, note=note,
                                                            month=ctx.month, seen_date=seen),
                            lambda _: T["ok"].format(pid=pid, milestone=labels.VERIFY_MILESTONES[milestone],
                                                     date=seen, status=labels.VERIFY_STATUSES[status]),
                            verification.VerificationError, "_vf_flash",
                            milestone=milestone, status=status, month=ctx.month)
else:
    st.caption(T["read_only"].format(unit_word=ctx.region.unit_word))
