"""推送订阅: what each person receives by mail or work-chat robot (docs/notify.md). An admin
manages every subscription; every other account sees the subscriptions bound to it and the
deliveries made to them."""
import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.outputs import notify
from lifecycle.present import formats
from lifecycle.store import accounts, audit, subscriptions

T = labels.NOTIFY_TEXT
ctx = ui.setup("推送订阅", "📨", allow_empty=True)
root, user = ctx.store.root, ctx.user
is_admin = ctx.may("manage_accounts")
reg = ctx.region


def _frame(subs) -> pl.DataFrame:
    rows = [{"sub_id": s.sub_id, "recipient": s.name, "account": s.account or "",
             "unit_name": reg.units[s.unit_code].name if (reg and s.unit_code in reg.units) else "",
             "kind": subscriptions.KINDS[s.kind], "dept": s.dept or "",
             "channel": subscriptions.CHANNELS[s.channel], "address": notify.mask(s.address),
             "enabled": s.enabled} for s in subs]
    schema = {"sub_id": pl.Int64, "recipient": pl.String, "account": pl.String, "unit_name": pl.String,
              "kind": pl.String, "dept": pl.String, "channel": pl.String, "address": pl.String,
              "enabled": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


subs = subscriptions.list_all(root) if is_admin else subscriptions.list_all(root, account=user.name if user else "")
st.subheader(T["all"] if is_admin else T["mine"])
if not subs:
    st.info(T["none"])
else:
    st.dataframe(formats.translate(_frame(subs)).rename(T["columns"]), hide_index=True,
                 width="stretch")
    ids = {s.sub_id for s in subs}
    sent = [d for d in subscriptions.deliveries(root) if d["sub_id"] in ids]
    st.subheader(T["deliveries"])
    if sent:
        d = pl.DataFrame(sent).with_columns(pl.col("status").replace(T["status"]),
                                            pl.col("error").fill_null(""), pl.col("subject").fill_null(""))
        st.dataframe(d.rename(T["delivery_columns"], strict=False), hide_index=True, width="stretch")
    else:
        st.caption(T["no_deliveries"])

if is_admin and reg is not None:
    st.subheader(T["add"])
    with st.form("sub_add", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        name = c1.text_input(T["recipient"])
        kind = c2.selectbox(T["kind"], list(subscriptions.KINDS), format_func=subscriptions.KINDS.get)
        channel = c3.selectbox(T["channel"], list(subscriptions.CHANNELS), format_func=subscriptions.CHANNELS.get)
        address = st.text_input(T["address"])
        c4, c5, c6, c7 = st.columns(4)
        names = [a.name for a in accounts.list_accounts(root)]
        account = c4.selectbox(T["account"], [None] + names, format_func=lambda a: T["no_account"] if a is None else a)
        role = c5.selectbox(T["role"], list(subscriptions.ROLES), format_func=lambda r: labels.ROLES.get(r, r))
        unit = c6.selectbox(reg.unit_word, [None] + list(reg.units),
                            format_func=lambda u: "—" if u is None else reg.units[u].name)
        dept = c7.text_input(T["dept"])
        pp = st.number_input(T["threshold"], min_value=0.0, value=0.0, step=0.5)
        if st.form_submit_button(T["submit"]):
            try:
                s = subscriptions.add(root, reg.key, name=name, kind=kind, channel=channel, address=address,
                                      role=role, unit=unit, account=account, dept=dept or None,
                                      threshold_pp=pp or None, created_by=user.name if user else "")
            except subscriptions.SubscriptionError as e:
                st.error(str(e))
            else:
                audit.append(root, user.name if user else "", user.role if user else None, "subscription_add",
                             scope=s.unit_code or "all", target=f"{s.channel}:{notify.mask(s.address)}",
                             detail={"subscription": s.sub_id, "kind": s.kind})
                st.success(T["added"].format(id=s.sub_id))
                st.rerun()
    st.caption(T["how"])
