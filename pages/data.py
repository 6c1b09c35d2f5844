"""数据管理 (docs/domain.md §8 view 10): import a month's ledgers, see every error and warning with its
file / sheet / row / column, download the uploaded workbooks with the offending cells marked,
publish only when there are no errors, and list the published months with their publication
records. The page is thin: reading, validation and publishing live in `lifecycle.importer`.
Only the publisher role (数据管理员) opens it; the publication log records the logged-in account,
and every publication, refused import and export is written to the audit log."""
import io

import polars as pl
import streamlit as st

from lifecycle.ingest import importer
from lifecycle.domain import labels
from lifecycle import ui
from lifecycle.ui import auth
from lifecycle.ingest.importer import ReadError, Source
from lifecycle.store.snapshots import MONTH_RE, StoreError

U = labels.IMPORT_UI
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ctx = ui.setup("数据管理", "🗄️", allow_empty=True, need="publish")
store = ctx.store
months = store.months()
# a fresh store has no region yet: the clerk chooses it once, at the first import
region_key = store.meta.get("region")
if not region_key:
    region_key = st.selectbox(labels.UI_TEXT["store_region"], list(labels.REGION_NAMES),
                              format_func=labels.REGION_NAMES.get, help=labels.UI_TEXT["store_region_help"])

tab_import, tab_months, tab_template = st.tabs([U["tab_import"], U["tab_months"], U["tab_template"]])

# ---- import ------------------------------------------------------------------------------------
with tab_import:
    c1, c2 = st.columns([1, 3])
    month = c1.text_input(U["month"], value=importer.next_month(months[-1]) if months else "", help=U["month_help"])
    user = ctx.user.name
    c1.caption(f"{U['user']}：{user}")
    files = c2.file_uploader(U["upload"], type=["xlsx", "xlsm", "csv"], accept_multiple_files=True,
                             help=labels.SCREEN_TEXT["upload_hint"])
    c2.caption(labels.SCREEN_TEXT["upload_hint"])  # Streamlit's own uploader text is replaced (ui BIG_SCREEN_CSS)
    month_ok = bool(month) and bool(MONTH_RE.match(month))
    if month and not month_ok:
        st.error(U["bad_month"].format(month=month))
    sources = [Source(f.name, f.getvalue()) for f in files or []]
    allow_shrink = bool(st.session_state.get("allow_shrink"))
    sig = (month, region_key, tuple((s.name, len(s.data), hash(s.data)) for s in sources), store.version_token(),
           allow_shrink)
    if sources and month_ok and st.session_state.get("_imp_sig") != sig:
        bar = st.progress(0.0, text=U["reading"])
        try:
            res = importer.validate(sources, month, store, region_key=region_key, allow_shrink=allow_shrink,
                                    progress=lambda f, t: bar.progress(min(max(f, 0.0), 1.0), text=t))
            st.session_state["_imp_res"], st.session_state["_imp_err"] = res, None
            if not res.report.ok:
                auth.record(store.root, "import_refused", target=month, ok=False, errors=len(res.report.errors),
                            files=[s_.name for s_ in sources])
        except (ReadError, StoreError) as e:
            st.session_state["_imp_res"], st.session_state["_imp_err"] = None, str(e)
            auth.record(store.root, "import_refused", target=month, ok=False, error=str(e)[:300],
                        files=[s_.name for s_ in sources])
        st.session_state["_imp_sig"] = sig
        bar.empty()
    if not sources:
        st.session_state.pop("_imp_sig", None)
        st.info(U["intro"])
    elif st.session_state.get("_imp_err") and st.session_state.get("_imp_sig") == sig:
        st.error(U["unreadable"].format(error=ui.md(st.session_state["_imp_err"])))
    elif st.session_state.get("_imp_res") is not None and st.session_state.get("_imp_sig") == sig:
        rep = st.session_state["_imp_res"].report
        s = rep.summary
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(U["errors"], U["count_unit"].format(n=len(rep.errors)))
        m2.metric(U["warnings"], U["count_unit"].format(n=len(rep.warnings)))
        m3.metric(U["replans"], U["replans_unit"].format(n=s.get("replans", 0)), help=U["replans_help"])
        m4.metric(U["seconds"], U["seconds_unit"].format(s=s.get("seconds", 0)))
        st.markdown(f"**{U['sources']}**")
        for t, info in s.get("tables", {}).items():
            st.markdown(f"- {labels.IMPORT_TABLES[t]}：{ui.md(info['text'])}")
        if (s.get("pipeline") or {}).get("text"):  # 招商线索 / 审查 sheets (docs/domain.md §16.5)
            st.markdown(f"- {ui.md(s['pipeline']['text'])}")
        if s.get("shrinks"):
            # a supplied sheet much smaller than the table it replaces: shown with its counts,
            # published only once the clerk confirms it
            st.warning(U["shrink_intro"] + "\n" + "\n".join(
                U["shrink_line"].format(table=labels.IMPORT_TABLES[t], before=v["before"], after=v["after"], month=v["from"])
                for t, v in s["shrinks"].items()))
            st.checkbox(U["confirm_shrink"], key="allow_shrink")
        if s.get("ignored_sheets"):
            st.caption(U["ignored"] + ui.md("、".join(s["ignored_sheets"])))
        issues = importer.issues_frame(rep)
        if issues.height:
            rc = labels.IMPORT_ISSUE_COLUMNS["row"]
            shown = issues.with_columns(pl.col(rc).cast(pl.String).fill_null(""))  # no "None" for sheet-level issues
            st.dataframe(shown, hide_index=True, width="stretch", height=min(600, 38 + 35 * issues.height))
            d1, *rest = st.columns(1 + len(sources))
            ui.download(U["download_report"], lambda: ui.to_excel_bytes(issues, U["result_sheet"]),
                        f"{U['result_sheet']}_{month}.xlsx", XLSX, key="dl_issues", perm="publish", container=d1)
            all_issues = rep.errors + rep.warnings
            for col, src in zip(rest, sources):
                mine = [i for i in all_issues if i.file == src.name]
                if not mine:
                    continue
                try:
                    data = importer.marked_workbook(src.name, src.data, mine)
                except Exception as e:  # a damaged upload: the issue table above still lists everything
                    col.caption(U["marked_failed"].format(file=ui.md(src.name), error=ui.md(e)))
                    continue
                stem = src.name.rsplit(".", 1)[0]
                ui.download(f"{U['download_marked']}：{ui.md(src.name)}", data, f"{stem}_标注.xlsx", XLSX,
                            key=f"dl_marked_{src.name}", perm="publish", container=col)
        else:
            st.success(U["no_issues"])
        blocked = not rep.ok
        if blocked:
            st.error(U["blocked_detail"].format(n=len(rep.errors)))
        elif month in months:
            st.warning(U["republish"].format(month=month))
        if st.button(U["publish"], type="primary", disabled=blocked, key="publish"):
            try:
                # re-validate against the store as it is now, then publish atomically
                res2 = importer.import_ledgers(sources, month, store, user=user,
                                               note="台账导入（数据管理页面）", region_key=region_key,
                                               allow_shrink=allow_shrink)
            except (ReadError, StoreError) as e:
                auth.record(store.root, "import_refused", target=month, ok=False, error=str(e)[:300])
                st.error(ui.md(e))
            else:
                if res2.ok:
                    pub = res2.publication
                    auth.record(store.root, "publish", target=month, version=pub["version"], rows=pub["rows"],
                                files=pub["source"], republish=month in months)
                    st.cache_data.clear()
                    st.session_state.pop("_imp_sig", None)
                    rows = "，".join(f"{labels.IMPORT_TABLES[t]} {n} 行" for t, n in pub["rows"].items())
                    st.success(U["published_detail"].format(month=month, rows=rows, version=pub["version"]))
                    ui.notify_after_publish(store, month, user)  # the publish event ([events] on_publish)
                else:
                    auth.record(store.root, "import_refused", target=month, ok=False, errors=len(res2.report.errors))
                    st.error(U["stale"].format(n=len(res2.report.errors)))

# ---- published months and the publication log ----------------------------------------------------
with tab_months:
    st.subheader(U["months"])
    if months:
        table, damaged = ui.published_months_table(store)
        for msg in damaged:  # a damaged month: named, the others still listed
            st.error(ui.md(msg))
        st.dataframe(table, hide_index=True, width="stretch")
    st.subheader(U["publications"])
    pubs = importer.publications_frame(store)
    st.dataframe(pubs, hide_index=True, width="stretch")
    ui.download_buttons(pubs, U["publications"], key="pubs", perm="publish")

# ---- template and export ------------------------------------------------------------------------------
with tab_template:
    ui.download(U["template"], lambda: importer.ledger_bytes(region_key), "台账导入模板.xlsx", XLSX, key="dl_template",
                perm="publish")
    st.caption(U["template_note"])
    if months:
        em = st.selectbox(U["export"], list(reversed(months)), key="export_month")
        if st.button(U["make_export"], key="make_export"):
            buf = io.BytesIO()
            try:
                importer.export_month(store, em, buf)
            except (StoreError, importer.ExportError) as e:
                st.error(ui.md(e))
            else:
                st.session_state["_export"] = (em, buf.getvalue())
        if st.session_state.get("_export", (None,))[0] == em:
            ui.download(U["download_export"].format(month=em), st.session_state["_export"][1], f"台账_{em}.xlsx",
                        XLSX, key="dl_export", perm="publish", action="export")
