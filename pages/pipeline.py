"""招商线索: the pipeline before the signing (docs/domain.md §16) — the lead funnel, stale leads,
the review committee's queue with the veto reasons, all leads, and the township targets with
序时 and gap."""
import datetime as dt

import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.ingest import targets_sheet
from lifecycle.present import charts, formats
from lifecycle.store import pipeline, pipeline_files
from lifecycle.store import targets as store_targets
from lifecycle.ui import auth

T = labels.PIPELINE_TEXT
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AX = labels.PIPELINE_ACCESS_TEXT
ctx = ui.setup(T["title"], "🤝")
root = ctx.store.root
cfg = pipeline.settings(root)
unit_names = {u.code: u.name for u in ctx.region.units.values()}
try:  # the account's scope is enforced in the core (a township account: its unit's leads only)
    leads = pipeline.visible_leads(root, ctx.user, ctx.slice.units)
except pipeline.PipelineError as e:
    ui.deny(ctx, str(e), target="pipeline")
auth.flash("_pl_flash")

# ---- funnel ---------------------------------------------------------------------------
st.subheader(T["funnel"])
if leads.is_empty():
    st.info(T["none"].format(path=pipeline.db_path(root).name))
st.caption(T["funnel_note"])
fun = pipeline.funnel(leads)
ui.plot(charts.pipeline_funnel_chart(fun), key="pl_funnel")
ui.show_table(fun.drop("stage").with_columns(formats.pct_column("pct_of_previous"), formats.pct_column("pct_of_first")), "招商漏斗", f"招商漏斗（{ctx.region.name}）", key="pl_funnel_t",
              link_projects=False)

# ---- stale leads ----------------------------------------------------------------------
st.subheader(T["stale"])
days = int(cfg["stale_days"])
st.caption(T["stale_note"].format(days=days))
old = pipeline.stale(leads, dt.date.today(), days)
if old.is_empty():
    st.info(T["stale_none"])
else:
    ui.show_table(pipeline.table(old, pipeline.STALE_TABLE, unit_names), "久未跟进线索", T["stale"], key="pl_stale",
                  link_projects=False)

# ---- review committee queue -----------------------------------------------------------
st.subheader(T["queue"])
st.caption(T["queue_note"])
queue = pipeline.review_queue(root, leads)
if queue.is_empty():
    st.info(T["queue_none"])
else:
    ui.show_table(pipeline.table(queue, pipeline.QUEUE_TABLE, unit_names), "审查队列", T["queue"], key="pl_queue",
                  link_projects=False)

# ---- review attachments 审查附件 (docs/domain.md §16.7): whoever sees the lead may download ----------
AT = labels.ATTACHMENT_TEXT
reviewed = leads.filter(pl.col("review_id").is_not_null()).sort(
    [pl.col("stage") != "review", pl.col("review_id")], descending=[False, True])
if not reviewed.is_empty():
    st.subheader(AT["title"])
    st.caption(AT["note"].format(mb=f"{pipeline_files.max_mb(root):g}"))
    by_rid = {r["review_id"]: r for r in reviewed.iter_rows(named=True)}
    att_rid = st.selectbox(AT["pick_round"], list(by_rid), key="pl_att_round",
                           format_func=lambda rid: AX["round_label"].format(rid=rid, lead=by_rid[rid]["lead_id"],
                                                                            name=by_rid[rid]["name"]))
    files = pipeline_files.attachments(root, ctx.user, [att_rid])
    if files.is_empty():
        st.info(AT["none"])
    else:
        ui.show_table(files.select("attachment_id", "kind_label", "file_name", "size_bytes", "uploaded_by", "uploaded_at",
                                   "sha256"), "审查附件", f"{AT['title']}（审查 {att_rid}）", key="pl_att_t",
                      link_projects=False)
        for r in files.iter_rows(named=True):
            def _bytes(aid=r["attachment_id"]):
                return pipeline_files.read(root, ctx.user, aid)[1]

            st.download_button(f"{AT['download']}：{r['file_name']}", _bytes, file_name=r["file_name"],
                               mime=pipeline_files.MIME.get(r["file_name"].rsplit(".", 1)[-1].lower()),
                               key=f"pl_att_dl_{r['attachment_id']}", on_click=auth.record,
                               args=(root, "pipeline_attachment_download"),
                               kwargs={"target": f"attachment:{r['attachment_id']}"})
    if ctx.user.may("review") or ctx.user.may("decide") or ctx.user.may("leads"):
        with st.form("pl_att_form", clear_on_submit=True):
            kind = st.selectbox(AT["kind"], list(labels.ATTACHMENT_KINDS), format_func=labels.ATTACHMENT_KINDS.get,
                                key="pl_att_kind")
            upload = st.file_uploader(AT["file"], type=pipeline_files.allowed_types(), key="pl_att_file")
            if st.form_submit_button(AT["upload"], type="primary") and upload is not None:
                data = upload.getvalue()
                auth.submit(root, "pipeline_attachment", f"review:{att_rid}",
                            lambda: pipeline_files.attach(root, ctx.user, att_rid, kind, upload.name, data),
                            lambda aid: AT["uploaded"].format(name=upload.name, rid=att_rid), pipeline.PipelineError,
                            "_pl_flash", kind=kind, size=len(data))

if not leads.is_empty():
    with st.expander(T["all_leads"]):
        ui.show_table(pipeline.table(leads, pipeline.LEAD_TABLE, unit_names), "招商线索", T["all_leads"],
                      key="pl_all", link_projects=False)

# ---- entering leads, opinions and verdicts (docs/domain.md §16.4) ----------------------------------
def _write(action: str, target: str, fn, ok_text, **detail) -> None:
    """One pipeline write as the logged-in account (ui.auth.submit: audited, refusals in one line)."""
    auth.submit(root, action, target, fn, ok_text, pipeline.PipelineError, "_pl_flash", **detail)


def _pick(options: list, none: str = "") -> list:
    return [none, *options]


def _lead_label(row: dict) -> str:
    return f"{row['lead_id']} · {row['name']}（{labels.PIPELINE_STAGES.get(row['stage'], row['stage'])}）"


user = ctx.user
own_unit = pipeline.scope_unit(user)
if user.may("leads"):
    st.subheader(AX["entry"])
    st.caption(AX["entry_note"].format(unit_word=ctx.region.unit_word))
    t_add, t_move, t_contact, t_edit = st.tabs([AX["tab_add"], AX["tab_move"], AX["tab_contact"], AX["tab_edit"]])
    with t_add, st.form("pl_add", clear_on_submit=False):
        c1, c2 = st.columns(2)
        name = c1.text_input(labels.COLUMNS["lead_name"], key="pl_add_name")
        stage = c2.selectbox(labels.COLUMNS["stage_label"], ["lead", "talks"], format_func=labels.PIPELINE_STAGES.get,
                             key="pl_add_stage")
        if own_unit:
            unit = own_unit
            c1.text_input(ctx.region.unit_word, unit_names.get(own_unit, own_unit), disabled=True, key="pl_add_unit_fixed")
        else:
            unit = c1.selectbox(ctx.region.unit_word, list(unit_names), format_func=unit_names.get, key="pl_add_unit")
        amount = c2.number_input(labels.COLUMNS["expected_investment_wan"], min_value=0.0, value=None, step=1000.0,
                                 key="pl_add_amount")
        channel = c1.selectbox(labels.COLUMNS["channel"], _pick(cfg["channels"]), key="pl_add_channel")
        chain = c2.selectbox(labels.COLUMNS["industry_chain"], _pick(cfg["industry_chains"]), key="pl_add_chain")
        ptype = c1.selectbox(labels.COLUMNS["project_type"], _pick(cfg["project_types"]), key="pl_add_type")
        source = c2.text_input(labels.COLUMNS["source_body"], key="pl_add_source")
        owner = c1.text_input(labels.COLUMNS["owner"], key="pl_add_owner")
        contact = c2.date_input(labels.COLUMNS["last_contact_on"], value=None, key="pl_add_contact")
        note = st.text_area(labels.COLUMNS["note"], key="pl_add_note")
        if st.form_submit_button(AX["save_add"], type="primary"):
            _write("pipeline_lead_add", "lead:new",
                   lambda: pipeline.enter_lead(root, user, name, stage=stage, unit_code=unit, expected_investment_wan=amount,
                                               channel=channel, industry_chain=chain, project_type=ptype,
                                               source_body=source, owner=owner, last_contact_on=contact, note=note),
                   lambda lid: AX["ok_add"].format(id=lid, name=name.strip()), unit=unit)
    open_leads = leads.filter(pl.col("stage") != "formal")
    rows = {r["lead_id"]: r for r in open_leads.iter_rows(named=True)}
    for tab, key in ((t_move, "move"), (t_contact, "contact"), (t_edit, "edit")):
        with tab:
            if not rows:
                st.info(AX["none_to_edit"])
                continue
            with st.form(f"pl_{key}"):
                lid = st.selectbox(AX["pick_lead"], list(rows), format_func=lambda i: _lead_label(rows[i]),
                                   key=f"pl_{key}_lead")
                cur = rows[lid]
                if key == "move":
                    to = st.selectbox(AX["to_stage"], list(pipeline.STAGES[1:]), format_func=labels.PIPELINE_STAGES.get,
                                      key="pl_move_to")
                    if st.form_submit_button(AX["save_move"], type="primary"):
                        _write("pipeline_lead_move", f"lead:{lid}",
                               lambda: pipeline.advance_lead(root, user, lid, to, base_version=cur["version"]),
                               lambda v: AX["ok_move"].format(id=lid, stage=labels.PIPELINE_STAGES[to]), stage=to)
                elif key == "contact":
                    on = st.date_input(AX["contact_on"], value=dt.date.today(), key="pl_contact_on")
                    if st.form_submit_button(AX["save_contact"], type="primary"):
                        _write("pipeline_lead_contact", f"lead:{lid}",
                               lambda: pipeline.contact_lead(root, user, lid, on),
                               lambda v: AX["ok_contact"].format(id=lid, on=on), on=str(on))
                else:
                    owner2 = st.text_input(labels.COLUMNS["owner"], cur["owner"] or "", key="pl_edit_owner")
                    source2 = st.text_input(labels.COLUMNS["source_body"], cur["source_body"] or "", key="pl_edit_source")
                    amount2 = st.number_input(labels.COLUMNS["expected_investment_wan"], min_value=0.0,
                                              value=float(cur["expected_investment_wan"] or 0.0), step=1000.0,
                                              key="pl_edit_amount")
                    note2 = st.text_area(labels.COLUMNS["note"], cur["note"] or "", key="pl_edit_note")
                    if st.form_submit_button(AX["save_edit"], type="primary"):
                        _write("pipeline_lead_edit", f"lead:{lid}",
                               lambda: pipeline.edit_lead(root, user, lid, base_version=cur["version"], owner=owner2,
                                                          source_body=source2, expected_investment_wan=amount2,
                                                          note=note2),
                               lambda v: AX["ok_edit"].format(id=lid, version=v))

if user.may("review") or user.may("decide"):
    st.subheader(AX["review_box"])
    st.caption(AX["review_note"])
    rounds = pipeline.open_rounds(root, leads)
    if rounds.is_empty():
        st.info(AX["no_open_round"])
    else:
        by_round = {r["review_id"]: r for r in rounds.iter_rows(named=True)}

        def _round_label(rid):
            r = by_round[rid]
            return AX["round_label"].format(rid=rid, lead=r["lead_id"], name=r["name"])

        if user.may("review"):
            with st.form("pl_opinion", clear_on_submit=True):
                rid = st.selectbox(AX["pick_round"], list(by_round), format_func=_round_label, key="pl_op_round")
                dim = st.selectbox(AX["dimension"], list(pipeline.DIMENSIONS), format_func=labels.REVIEW_DIMENSIONS.get,
                                   key="pl_op_dim")
                text = st.text_area(labels.COLUMNS["opinion"], key="pl_op_text")
                if st.form_submit_button(AX["save_opinion"], type="primary"):
                    _write("pipeline_opinion", f"review:{rid}",
                           lambda: pipeline.record_opinion(root, user, rid, dim, text),
                           lambda oid: AX["ok_opinion"].format(rid=rid, dim=labels.REVIEW_DIMENSIONS[dim]),
                           dimension=dim)
        if user.may("decide"):
            with st.form("pl_verdict", clear_on_submit=True):
                rid2 = st.selectbox(AX["pick_round"], list(by_round), format_func=_round_label, key="pl_vd_round")
                verdict = st.selectbox(labels.COLUMNS["verdict"], list(pipeline.VERDICTS),
                                       format_func=labels.REVIEW_VERDICTS.get, key="pl_vd_verdict")
                reasons = st.text_area(labels.COLUMNS["reasons"], key="pl_vd_reasons")
                on = st.date_input(labels.COLUMNS["decided_on"], value=dt.date.today(), key="pl_vd_on")
                if st.form_submit_button(AX["save_verdict"], type="primary"):
                    _write("pipeline_verdict", f"review:{rid2}",
                           lambda: pipeline.record_verdict(root, user, rid2, verdict, reasons, on),
                           lambda _: AX["ok_verdict"].format(rid=rid2, verdict=labels.REVIEW_VERDICTS[verdict]),
                           verdict=verdict)
if not (user.may("leads") or user.may("review") or user.may("decide")):
    st.caption(AX["read_only"])

# ---- township targets -----------------------------------------------------------------
st.subheader(T["targets"])
year = int(ctx.month[:4])
TT = labels.UNIT_TARGET_TEXT
# targets saved in the app change these numbers: keyed by the targets' revision (store/targets.py)
tg = ui.memo(ctx, ("unit_targets", ctx.month, ctx.slice, store_targets.revision(root)),
             lambda: ctx.metrics.unit_targets(ctx.month, ctx.slice))
if tg.is_empty():
    st.info(T["targets_none"].format(year=year, unit_word=ctx.region.unit_word, region=ctx.region.key))
else:
    st.caption(T["targets_note"].format(year=year, m=int(ctx.month[5:7]), month=ctx.month))
    measure = st.selectbox(labels.COLUMNS["measure_label"], list(labels.TARGET_MEASURES),
                           format_func=labels.TARGET_MEASURES.get, key="pl_measure")
    one = tg.filter(pl.col("measure") == measure)
    ui.plot(charts.target_progress_chart(one, labels.TARGET_MEASURES[measure]), key="pl_targets_chart")
    shown = tg.drop("unit_code", "measure", "months_elapsed").with_columns(
        pl.col("target", "schedule_target", "actual", "gap").round(2),
        formats.pct_column("completion"), formats.pct_column("schedule_completion"))
    ui.show_table(shown, "招商任务",
                  f"{year}年招商任务完成情况（{ctx.month}）", key="pl_targets", link_projects=False)


def _target_source(y: int) -> str:
    _, source = store_targets.effective(root, ctx.region.key, y)
    if source == "store":
        last = store_targets.stored(root, y).sort("set_at").tail(1).row(0, named=True)
        return TT["source_store"].format(year=y, by=last["set_by"], at=last["set_at"].replace("T", " "))
    return TT["source_config" if source == "config" else "source_none"].format(year=y)


st.caption(_target_source(year))


def _targets_write(action: str, fn, ok_text: str, **detail) -> None:
    """One targets write as the logged-in account (permission `publish`, checked in the core;
    ui.auth.submit: audited, a refusal in one line, the message after the rerun)."""
    auth.submit(root, action, "unit_targets", fn, lambda _: ok_text, store_targets.TargetError, "_pl_flash", **detail)


if user.may("publish"):  # the editor is offered to publishers; save_year checks the permission again
    with st.expander(TT["editor"]):
        years = sorted(set(store_targets.configured_years(root, ctx.region.key)) | {year, year + 1})
        ey = st.selectbox(TT["year"], years, index=years.index(year), key="pl_tg_year")
        st.caption(TT["editor_note"].format(year=ey, unit_word=ctx.region.unit_word) + " " + _target_source(ey))
        grid = store_targets.wide(root, ctx.region.key, ey, all_units=True)
        cfg_cols = {"unit_name": st.column_config.TextColumn(ctx.region.unit_word, disabled=True)}
        for k, lab in labels.TARGET_MEASURES.items():
            cfg_cols[k] = st.column_config.NumberColumn(lab, min_value=0.0, step=1.0 if k in store_targets.COUNT_MEASURES
                                                        else 0.01)
        with st.form("pl_tg_form"):
            edited = st.data_editor(grid.select("unit_code", "unit_name", *store_targets.MEASURES).to_pandas(),
                                    column_config=cfg_cols, column_order=["unit_name", *store_targets.MEASURES],
                                    hide_index=True, num_rows="fixed", key=f"pl_tg_editor_{ey}", width="stretch")
            if st.form_submit_button(TT["save"], type="primary"):
                frame = pl.from_pandas(edited).with_columns(pl.lit(ey, pl.Int64).alias("year"))
                frame = frame.with_columns(pl.col(m).cast(pl.Float64, strict=False).fill_nan(None)
                                           for m in store_targets.MEASURES)
                n = frame.filter(pl.any_horizontal(pl.col(m).is_not_null() for m in store_targets.MEASURES)).height
                _targets_write("targets_edit", lambda: store_targets.save_wide(root, user, frame, "edit"),
                               TT["saved"].format(year=ey, n=n, unit_word=ctx.region.unit_word), year=ey)
        c1, c2 = st.columns(2)
        ui.download(TT["export"], lambda: targets_sheet.sheet_bytes(targets_sheet.export_frame(root, ctx.region.key)),
                    f"招商任务_{ctx.region.name}.xlsx", XLSX, key="pl_tg_export", perm="publish",
                    action="targets_export", container=c1)
        if store_targets.effective(root, ctx.region.key, ey)[1] == "store" and c2.button(TT["clear"], key="pl_tg_clear"):
            _targets_write("targets_clear", lambda: store_targets.clear_year(root, user, ey),
                           TT["cleared"].format(year=ey), year=ey)
        st.caption(TT["import_note"])
        up = st.file_uploader(TT["import"], type=["xlsx"], key="pl_tg_upload")
        if up is not None and st.button(TT["import_button"], key="pl_tg_import"):
            ids, problems = targets_sheet.import_sheet(root, user, up.getvalue(), ctx.region.key, up.name)
            if problems:
                auth.record(root, "targets_import", target=up.name, ok=False, message=problems[0],
                            problems=len(problems))
                for p_ in problems[:20]:
                    st.error(ui.md(p_))  # file and sheet names typed by people: text, not markdown
            else:
                auth.record(root, "targets_import", target=up.name, result=ids)
                yrs = sorted(store_targets.stored_years(root))
                st.session_state["_pl_flash"] = TT["imported"].format(years="、".join(f"{y}年" for y in yrs))
                st.rerun()
