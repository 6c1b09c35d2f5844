"""审计日志 (admin only): every login and failure, logout, publication, refused import, export and
download, pack and bulletin, comment and answer, and account change, with the account, time,
action, scope and target; filters, the hash-chain check and an export (docs/domain.md §9)."""
import datetime as dt

import polars as pl
import streamlit as st

from lifecycle import ui
from lifecycle.domain import labels
from lifecycle.store import audit

A = labels.AUDIT_ACTIONS
ctx = ui.setup("审计日志", "🛡️", allow_empty=True, need="read_audit")
root = ctx.store.root

verdict = audit.verify(root)
(st.success if verdict.ok else st.error)(f"哈希链校验：{verdict.message}")
st.caption(f"日志文件：{audit.log_path(root)}（每行一条记录，含前一条记录的哈希；"
           f"命令行校验：python -m lifecycle audit verify --store {root}）")

full = audit.frame(root)
c1, c2, c3, c4 = st.columns([2, 3, 3, 3])
users = sorted(u for u in full["user"].unique().to_list() if u)
who = c1.selectbox("用户", [None] + users, key="au_user", format_func=lambda u: "全部" if u is None else u)
acts = c2.multiselect("操作", list(A), key="au_action", format_func=A.get, placeholder="全部")
today = dt.date.today()
span = c3.date_input("日期范围", value=(today - dt.timedelta(days=30), today), key="au_dates")
text = c4.text_input("对象或详情包含", key="au_text")
d_from, d_to = (span if isinstance(span, (tuple, list)) and len(span) == 2 else (None, None))
df = audit.frame(root, user=who, actions=acts or None, date_from=d_from, date_to=d_to, text=text.strip() or None)

st.metric("记录数", f"{df.height:,}")
view = df.with_columns(pl.col("action").replace(A), pl.col("role").replace(labels.ROLES),
                       pl.col("ok").replace_strict(labels.BOOL, return_dtype=pl.String),
                       pl.col("time").str.replace("T", " "))
view = view.rename(labels.AUDIT_COLUMNS)
st.dataframe(view, hide_index=True, width="stretch", height=520)
c1, c2, _ = st.columns([1, 1, 6])
stamp = today.strftime("%Y%m%d")
ui.download("下载 CSV", view.write_csv().encode("utf-8-sig"), f"审计日志_{stamp}.csv", "text/csv", key="au_csv",
            perm="read_audit", action="export", rows=df.height, container=c1)
ui.download("下载 Excel", ui.to_excel_bytes(view, "审计日志"), f"审计日志_{stamp}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="au_xlsx",
            perm="read_audit", action="export", rows=df.height, container=c2)
