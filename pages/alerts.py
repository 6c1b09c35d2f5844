"""预警督办: each flag list of docs/domain.md §5 under its rule — counted, listed, exportable as the sheet a
department sends to the townships, with what changed since the previous month (docs/domain.md §8 view 7)."""
import polars as pl
import streamlit as st

from lifecycle.outputs import exports
from lifecycle.domain import flags, labels
from lifecycle import ui
from lifecycle.present import formats
from lifecycle.query.metrics import Metrics

T = labels.LIST_TEXT
ctx = ui.setup("预警督办", "⚠️")
m = ctx.metrics

# The action lists, in the order departments work them.
KEYS = list(flags.ALERT_KEYS)
# a link from the overview's flag tiles (?flag=<key>) opens with that list's tab first
_wanted = st.query_params.get("flag")
if _wanted in KEYS:
    KEYS = [_wanted] + [k for k in KEYS if k != _wanted]

with st.expander(T["thresholds"], expanded=False):
    th = m.thresholds
    st.dataframe(
        pl.DataFrame({T["threshold_name"]: [labels.THRESHOLD_LABELS.get(k, k) for k in th],
                      T["threshold_value"]: [str(v) for v in th.values()]}),
        hide_index=True,
    )
    st.caption(T["thresholds_source"])

lists = {k: ui.cached(ctx, Metrics.flag, k, ctx.month, ctx.slice) for k in KEYS}
# the same counts, under the same labels, as the overview's cards (Metrics.flag_counts)
counts = ui.cached(ctx, Metrics.flag_counts, ctx.month, ctx.slice)
ui.flag_cards(counts, KEYS, link=False)

# only the open tab's lists run and are sent (a tab switch reruns the page); every tab states
# its rule, department and count
tabs = st.tabs([f"{flags.LABELS[k]}（{counts[k]:,}）" for k in KEYS], key="al_tabs", on_change="rerun")
for tab, k in zip(tabs, KEYS):
    with tab:
        df = lists[k]
        if "level" in df.columns:  # one level per tab
            df = df.drop("level")
        rule = m.flag_rule(k)
        st.markdown(f"**{T['rule']}**：{rule}")
        st.caption(f"{T['dept_acts']}：{flags.DEPTS[k]}")
        n_proj = df["project_id"].n_unique()
        ch = ui.cached(ctx, Metrics.flag_changes, k, ctx.month, ctx.slice)
        delta = None
        if ch["previous_month"]:
            delta = f"+{ch['new'].height} / -{ch['left'].height}（较{ch['previous_month']}）"
        if flags.counts(k) == "事项":
            c1, c2 = st.columns(2)
            c1.metric(flags.count_label(k), f"{counts[k]:,}", delta=delta, delta_color="off")
            c2.metric(T["count"], f"{n_proj:,}")
        else:
            st.metric(flags.count_label(k), f"{counts[k]:,}", delta=delta, delta_color="off")
        if not tab.open:
            continue
        if df.is_empty():
            st.info(T["none_on_list"])
        else:
            shown = ui.memo(ctx, ("alerts_list", k, ctx.month, ctx.slice),
                            lambda df=df: formats.for_display(formats.translate(df.drop("unit_code"))))
            ui.show_table(shown, flags.LABELS[k], exports.flag_title(k, ctx.region.name), key=f"al_{k}")
        # a filtered sheet names its slice in the title row and the file name (江阴市璜土镇…);
        # the sheet is built when clicked, not on every run
        scope = ctx.region.name + "·".join(formats.slice_parts(ctx.region, ctx.slice))
        ui.download(
            T["export_sheet"],
            lambda df=df, k=k, rule=rule, scope=scope: exports.flag_sheet_bytes(df, k, ctx.month, rule, scope),
            exports.flag_file_name(k, ctx.month, scope),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"al_sheet_{k}", type="primary", action="export", rows=df.height,
        )
        st.markdown(f"**{T['changes']}**")
        if not ch["previous_month"]:
            st.caption(T["no_previous"])
        else:
            c1, c2 = st.columns(2)
            with c1:
                st.markdown(f"{T['new_on_list']}（{ch['new'].height}）")
                new = ch["new"].select([c for c in ("project_id", "name", "unit_name", "owner") if c in ch["new"].columns])
                ui.show_table(new, f"{flags.LABELS[k]}_本月新增", key=f"al_new_{k}")
            with c2:
                st.markdown(f"{T['left_list']}（{ch['left'].height}）")
                keep = [c for c in ("project_id", "name", "unit_name", "state", "level_now") if c in ch["left"].columns]
                ui.show_table(formats.translate(ch["left"].select(keep)), f"{flags.LABELS[k]}_本月移出",
                              key=f"al_left_{k}")
