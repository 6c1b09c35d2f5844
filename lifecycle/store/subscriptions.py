"""Subscriptions (订阅) and the delivery record of pushed messages (`<store>/notify.sqlite`).

A subscription says who gets what, by which channel:

| kind        | content                                                                     |
|-------------|-----------------------------------------------------------------------------|
| bulletin    | the monthly bulletin (月通报) as PDF + Excel                                 |
| dept_sheet  | a department's action sheets: every flag list that department acts on      |
| digest      | a unit's digest: new/left items of every flag list, new red lights, its rates and rank change |
| threshold   | an alert when a rate drops by more than N points or a new 约谈 item appears  |

Channels: `email` (address = mailbox), `wecom` / `dingtalk` (address = the robot's webhook URL).
The recipient's role and unit decide the scope of the content (docs/domain.md §9): a
subscription bound to an account takes them from the account at send time; otherwise they are
stored with it. A township recipient always has a unit and only ever gets that unit's rows.

Deliveries are keyed by (month, subscription): a message that was sent is never sent again
for the same month; a failed one is retried by the next run.

May import: `lifecycle.domain`, `lifecycle.store`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lifecycle.domain.reference import region as get_region
from lifecycle.store import inputs, sqlite

FILE_NAME = "notify.sqlite"
KINDS = {"bulletin": "月通报", "dept_sheet": "部门督办清单", "digest": "板块摘要", "threshold": "阈值预警"}
CHANNELS = {"email": "电子邮件", "wecom": "企业微信机器人", "dingtalk": "钉钉机器人"}
ROLES = ("admin", "publisher", "leader", "township", "reviewer")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    sub_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    account TEXT,
    role TEXT NOT NULL,
    unit_code TEXT,
    kind TEXT NOT NULL,
    dept TEXT,
    threshold_pp REAL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    month TEXT NOT NULL,
    sub_id INTEGER NOT NULL,
    status TEXT NOT NULL,            -- sent | failed | skipped
    attempts INTEGER NOT NULL,
    subject TEXT,
    error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (month, sub_id)
);
"""


class SubscriptionError(Exception):
    """A user-facing problem with a subscription (message in Chinese)."""


@dataclass(frozen=True)
class Subscription:
    sub_id: int
    name: str
    account: str | None
    role: str
    unit_code: str | None
    kind: str
    dept: str | None
    threshold_pp: float | None
    channel: str
    address: str
    enabled: bool


def db_path(store_root) -> Path:
    return Path(store_root) / FILE_NAME


def _connect(store_root):
    return sqlite.connect(db_path(store_root), _SCHEMA, error=SubscriptionError)


_now = inputs.now


def _row(r) -> Subscription:
    return Subscription(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], bool(r[10]))


_COLS = "sub_id, name, account, role, unit_code, kind, dept, threshold_pp, channel, address, enabled"


def validate(region_key: str, *, role: str, unit: str | None, kind: str, channel: str, address: str,
             dept: str | None = None, threshold_pp: float | None = None) -> str | None:
    """Check a subscription's fields; returns the unit code (resolved from a name) or None."""
    if kind not in KINDS:
        raise SubscriptionError(f"未知的订阅内容：{kind}（可选 {', '.join(KINDS)}）")
    if channel not in CHANNELS:
        raise SubscriptionError(f"未知的推送渠道：{channel}（可选 {', '.join(CHANNELS)}）")
    if role not in ROLES:
        raise SubscriptionError(f"未知的角色：{role}（可选 {', '.join(ROLES)}）")
    code = None
    if unit:
        reg = get_region(region_key)
        code = reg.resolve_unit(unit)
        if code is None:
            raise SubscriptionError(f"未知的{reg.unit_word}：{unit}")
    if role == "township" and not code:
        raise SubscriptionError("镇街园区（township）角色的订阅必须指定所属板块")
    if kind == "digest" and not code:
        raise SubscriptionError("板块摘要（digest）必须指定板块")
    if kind == "dept_sheet" and not dept:
        raise SubscriptionError("部门督办清单（dept_sheet）必须指定部门，如 工信局")
    if kind == "dept_sheet" and role == "township":
        raise SubscriptionError("镇街园区账号不能订阅部门督办清单（含其他板块的项目）")
    if kind == "threshold" and (threshold_pp is None or threshold_pp <= 0):
        raise SubscriptionError("阈值预警（threshold）必须给出大于0的百分点阈值，如 --threshold-pp 2")
    if channel == "email" and ("@" not in address or " " in address.strip()):
        raise SubscriptionError(f"邮箱地址无效：{address}")
    if channel in ("wecom", "dingtalk") and not address.startswith(("http://", "https://")):
        raise SubscriptionError(f"机器人 Webhook 地址应以 http:// 或 https:// 开头：{address}")
    return code


def add(store_root, region_key: str, *, name: str, kind: str, channel: str, address: str,
        role: str = "leader", unit: str | None = None, account: str | None = None,
        dept: str | None = None, threshold_pp: float | None = None, created_by: str = "") -> Subscription:
    code = validate(region_key, role=role, unit=unit, kind=kind, channel=channel, address=address,
                    dept=dept, threshold_pp=threshold_pp)
    with _connect(store_root) as con:
        cur = con.execute(
            "INSERT INTO subscriptions (name, account, role, unit_code, kind, dept, threshold_pp, channel, "
            "address, enabled, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (name.strip(), account, role, code, kind, dept, threshold_pp, channel, address.strip(),
             created_by, _now()))
        sub_id = cur.lastrowid
    return get(store_root, sub_id)


def get(store_root, sub_id: int) -> Subscription | None:
    with _connect(store_root) as con:
        r = con.execute(f"SELECT {_COLS} FROM subscriptions WHERE sub_id = ?", (sub_id,)).fetchone()
    return _row(r) if r else None


def list_all(store_root, account: str | None = None, enabled_only: bool = False) -> list[Subscription]:
    sql = f"SELECT {_COLS} FROM subscriptions"
    where, args = [], []
    if account is not None:
        where.append("account = ?")
        args.append(account)
    if enabled_only:
        where.append("enabled = 1")
    if where:
        sql += " WHERE " + " AND ".join(where)
    with _connect(store_root) as con:
        return [_row(r) for r in con.execute(sql + " ORDER BY sub_id", args).fetchall()]


def set_enabled(store_root, sub_id: int, enabled: bool) -> None:
    with _connect(store_root) as con:
        if con.execute("UPDATE subscriptions SET enabled = ? WHERE sub_id = ?", (int(enabled), sub_id)).rowcount == 0:
            raise SubscriptionError(f"没有编号为 {sub_id} 的订阅")


def remove(store_root, sub_id: int) -> None:
    with _connect(store_root) as con:
        if con.execute("DELETE FROM subscriptions WHERE sub_id = ?", (sub_id,)).rowcount == 0:
            raise SubscriptionError(f"没有编号为 {sub_id} 的订阅")


# ---- deliveries ----------------------------------------------------------------------------------
def delivery(store_root, month: str, sub_id: int) -> dict | None:
    with _connect(store_root) as con:
        r = con.execute("SELECT status, attempts, subject, error, updated_at FROM deliveries "
                        "WHERE month = ? AND sub_id = ?", (month, sub_id)).fetchone()
    return None if r is None else dict(zip(("status", "attempts", "subject", "error", "updated_at"), r))


def record(store_root, month: str, sub_id: int, status: str, attempts: int, subject: str | None,
           error: str | None = None) -> None:
    with _connect(store_root) as con:
        con.execute(
            "INSERT INTO deliveries (month, sub_id, status, attempts, subject, error, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (month, sub_id) DO UPDATE SET status = excluded.status, "
            "attempts = deliveries.attempts + excluded.attempts, subject = excluded.subject, "
            "error = excluded.error, updated_at = excluded.updated_at",
            (month, sub_id, status, attempts, subject, error, _now()))


def deliveries(store_root, month: str | None = None) -> list[dict]:
    sql = "SELECT month, sub_id, status, attempts, subject, error, updated_at FROM deliveries"
    args = []
    if month:
        sql += " WHERE month = ?"
        args.append(month)
    with _connect(store_root) as con:
        rows = con.execute(sql + " ORDER BY month, sub_id", args).fetchall()
    return [dict(zip(("month", "sub_id", "status", "attempts", "subject", "error", "updated_at"), r)) for r in rows]
