"""Pushed messages: the monthly bulletin, department action sheets, a unit's digest and threshold
alerts, delivered by e-mail (SMTP) and by work-chat robot webhooks (企业微信 / 钉钉), after a
publish and on a schedule (`python -m lifecycle notify --month M`, docs/notify.md).

Rules:
- scope: the content of every message is computed on the recipient's unit when the recipient is a
  township account (docs/domain.md §9); the ranking is always computed on the whole field;
- idempotent: a (month, subscription) that was delivered is never delivered again; a failed
  delivery is retried (with back-off) and recorded, and the next run tries it again;
- every delivery, failed or not, is appended to the audit log;
- credentials come from `<store>/notify.toml` or the environment, never from the repository, and
  are never written to a log, an error message or a dry-run file.
`--dry-run DIR` writes every message that would be sent (.eml for mail, .json for webhooks)
without sending or recording anything.
"""
from __future__ import annotations

import json
import os
import smtplib
import ssl
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from urllib.parse import urlencode

import polars as pl

from lifecycle.domain import flags, labels
from lifecycle.domain.reference import region as get_region
from lifecycle.outputs import exports
from lifecycle.present import formats
from lifecycle.query.metrics import ALL, Metrics, Slice
from lifecycle.store import audit, subscriptions
from lifecycle.store.subscriptions import Subscription

CONFIG_NAME = "notify.toml"
DEFAULTS = {
    "smtp": {"host": "127.0.0.1", "port": 25, "starttls": False, "ssl": False, "username": "",
             "password_env": "LIFECYCLE_SMTP_PASSWORD", "sender": "lifecycle@localhost",
             "sender_name": "重大项目全生命周期看板", "timeout": 20},
    "webhook": {"timeout": 10},
    "delivery": {"retries": 3, "backoff_seconds": 2.0},
    "links": {"base_url": "http://localhost:8501"},
    "events": {"on_publish": False},
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_LIST = 10  # names listed per flag in a digest; the rest is counted


class NotifyError(Exception):
    """A user-facing problem with the notification setup (message in Chinese)."""


def load_config(store_root) -> dict:
    """DEFAULTS overridden by `<store>/notify.toml`."""
    cfg = {k: dict(v) for k, v in DEFAULTS.items()}
    p = Path(store_root) / CONFIG_NAME
    if p.exists():
        try:
            with open(p, "rb") as fh:
                over = tomllib.load(fh)
        except tomllib.TOMLDecodeError as e:
            raise NotifyError(f"推送配置文件 {p} 格式错误：{e}") from None
        for k, v in over.items():
            if isinstance(v, dict):
                cfg.setdefault(k, {}).update(v)
    return cfg


@dataclass
class Message:
    sub: Subscription
    subject: str
    markdown: str
    link: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


# ---- who: the recipient's effective role and unit ------------------------------------------------
def recipient_scope(store_root, sub: Subscription) -> tuple[str, str | None]:
    """(role, unit) of the recipient: from the bound account at send time, else the subscription's."""
    if sub.account:
        from lifecycle.store import accounts

        acc = accounts.get(store_root, sub.account)
        if acc is None or acc.disabled:
            raise NotifyError(f"订阅 {sub.sub_id} 绑定的账号 {sub.account} 不存在或已停用")
        return acc.role, acc.unit_code
    return sub.role, sub.unit_code


def scope_slice(role: str, unit: str | None) -> Slice:
    """The slice every row of a message is computed on: the unit for a township recipient (and
    for a digest), the whole library otherwise."""
    return Slice(units=(unit,)) if unit else ALL


# ---- what: message content -----------------------------------------------------------------------
def _link(cfg: dict, page: str, month: str, unit: str | None) -> str:
    q = {"month": month}
    if unit:
        q["unit"] = unit
    return f"{cfg['links']['base_url'].rstrip('/')}/{page}?{urlencode(q)}"


def _rates_lines(rates: dict) -> list[str]:
    out = []
    for k, v in rates.items():
        chg = v.get("change_pp")
        chg_txt = "" if chg is None else f"（{formats.pp_text(chg)}）"
        out.append(f"- {labels.RATES[k]}：{formats.pct_text(v['rate'])}{chg_txt}")
    return out


def _names(df: pl.DataFrame) -> str:
    if df.is_empty():
        return ""
    names = df.unique("project_id", maintain_order=True)["name"].to_list()
    more = f" 等{len(names)}个" if len(names) > MAX_LIST else ""
    return "：" + "、".join(names[:MAX_LIST]) + more


def build_bulletin(m: Metrics, cfg: dict, sub: Subscription, month: str, role: str, unit: str | None) -> Message:
    from lifecycle.outputs.pack import bulletin_bytes

    reg = get_region(m.region)
    sl = scope_slice(role, unit)
    pdf, xlsx, stem = bulletin_bytes(m, month, sl)
    where = reg.units[unit].name if unit else reg.name
    md = [f"### {where}{formats.month_text(month)}重大项目月通报", ""] + _rates_lines(m.rates_with_change(month, sl))
    link = _link(cfg, "overview", month, unit)
    md += ["", f"[打开看板]({link})"]
    return Message(sub, f"{where}{formats.month_text(month)}重大项目月通报", "\n".join(md), link,
                   [(f"{stem}.pdf", pdf, "application/pdf"), (f"{stem}.xlsx", xlsx, XLSX)])


def build_dept_sheet(m: Metrics, cfg: dict, sub: Subscription, month: str, role: str, unit: str | None) -> Message:
    reg = get_region(m.region)
    sl = scope_slice(role, unit)
    keys = [k for k in flags.ALERT_KEYS if sub.dept and sub.dept in flags.DEPTS[k]]
    if not keys:
        raise NotifyError(f"部门“{sub.dept}”没有负责的督办清单（可选：{'、'.join(sorted(set(flags.DEPTS.values())))}）")
    md = [f"### {sub.dept}督办清单（{formats.month_end_text(month)}）", ""]
    att = []
    for k in keys:
        df = m.flag(k, month, sl)
        n = df["project_id"].n_unique() if df.height else 0
        md.append(f"- {flags.LABELS[k]}：{n} 个项目")
        att.append((exports.flag_file_name(k, month, reg.name),
                    exports.flag_sheet_bytes(df, k, month, m.flag_rule(k), reg.name, sub.dept), XLSX))
    link = _link(cfg, "alerts", month, unit)
    md += ["", f"[打开预警督办]({link})"]
    return Message(sub, f"{reg.name}{sub.dept}督办清单 {month}", "\n".join(md), link, att)


def _red_steps(m: Metrics, month: str, sl: Slice) -> pl.DataFrame:
    return m.approval_lights(month, sl).filter(pl.col("light") == "red")


def build_digest(m: Metrics, cfg: dict, sub: Subscription, month: str, role: str, unit: str | None) -> Message:
    reg = get_region(m.region)
    sl = Slice(units=(unit,))
    name = reg.units[unit].name
    md = [f"### {name} {formats.month_text(month)}摘要", "", "**五率**"] + _rates_lines(m.rates_with_change(month, sl))
    rk = m.ranking(month)  # the whole field: a unit's rank never depends on who looks
    row = rk.filter(pl.col("unit_code") == unit)
    if row.height:
        r = row.row(0, named=True)
        change = r.get("rank_change")
        change_txt = "" if change is None else f"，较上季度{'上升' if change > 0 else '下降' if change < 0 else '持平'}{abs(change) if change else ''}"
        md += ["", f"**综合排名**：第 {r['rank']} 名（共 {rk.height} 个{reg.unit_word}），得分 {formats.text(r['score'], 'dec1')}{change_txt}"]
    md += ["", "**预警清单变化（较上月）**"]
    for k in flags.ALERT_KEYS:
        ch = m.flag_changes(k, month, sl)
        new, left = ch["new"], ch["left"]
        n_new = new["project_id"].n_unique() if new.height else 0
        n_left = left["project_id"].n_unique() if left.height else 0
        if n_new or n_left:
            md.append(f"- {flags.LABELS[k]}：新增 {n_new}{_names(new)}；移出 {n_left}")
    prev = m.previous_month(month)
    reds = _red_steps(m, month, sl)
    if prev:
        old = _red_steps(m, prev, sl).select("project_id", "step")
        reds = reds.join(old, on=["project_id", "step"], how="anti")
    md.append(f"- 新增审批红灯：{reds.height} 个事项" + (_names(reds) if reds.height else ""))
    link = _link(cfg, "alerts", month, unit)
    md += ["", f"[打开看板]({link})"]
    return Message(sub, f"{name}{formats.month_text(month)}重大项目摘要", "\n".join(md), link)


def build_threshold(m: Metrics, cfg: dict, sub: Subscription, month: str, role: str, unit: str | None) -> Message | None:
    reg = get_region(m.region)
    sl = scope_slice(role, unit)
    where = reg.units[unit].name if unit else reg.name
    lines = []
    for k, v in m.rates_with_change(month, sl).items():
        chg = v.get("change_pp")
        if chg is not None and chg < -float(sub.threshold_pp):
            lines.append(f"- {labels.RATES[k]}下降 {abs(chg):.1f} 个百分点（{formats.pct_text(v.get('previous_rate'))} → "
                         f"{formats.pct_text(v['rate'])}），超过阈值 {sub.threshold_pp:g} 个百分点")
    new_iv = m.flag_changes("completion_interview", month, sl)["new"]
    if new_iv.height:
        lines.append(f"- 新增约谈项目 {new_iv['project_id'].n_unique()} 个{_names(new_iv)}")
    if not lines:
        return None
    link = _link(cfg, "overview", month, unit)
    md = [f"### {where} {formats.month_text(month)}预警", ""] + lines + ["", f"[打开看板]({link})"]
    return Message(sub, f"【预警】{where}{formats.month_text(month)}", "\n".join(md), link)


BUILDERS = {"bulletin": build_bulletin, "dept_sheet": build_dept_sheet, "digest": build_digest,
            "threshold": build_threshold}


def build(m: Metrics, cfg: dict, sub: Subscription, month: str) -> Message | None:
    role, unit = recipient_scope(m.db.store.root, sub)
    if role == "township":
        if not unit:
            raise NotifyError(f"订阅 {sub.sub_id}：镇街园区账号没有所属板块，不能推送")
        # a township recipient gets its own unit, whatever unit the subscription names
    else:
        unit = sub.unit_code or unit  # others may narrow a subscription to one unit
    return BUILDERS[sub.kind](m, cfg, sub, month, role, unit)


# ---- how: channels -----------------------------------------------------------------------------
def email_message(cfg: dict, msg: Message) -> EmailMessage:
    s = cfg["smtp"]
    em = EmailMessage()
    em["Subject"] = msg.subject
    em["From"] = formataddr((s["sender_name"], s["sender"]))
    em["To"] = formataddr((msg.sub.name, msg.sub.address))
    em["Message-ID"] = make_msgid(domain=s["sender"].split("@")[-1] or "localhost")
    em.set_content(msg.markdown.replace("### ", "").replace("**", "") + "\n")
    for fname, data, mime in msg.attachments:
        main, sub = mime.split("/", 1)
        em.add_attachment(data, maintype=main, subtype=sub, filename=fname)
    return em


def webhook_payload(msg: Message) -> dict:
    """The JSON a 企业微信 / 钉钉 group robot accepts: a markdown message (attachments become the
    link to the view)."""
    text = msg.markdown
    if msg.attachments:
        text += "\n\n附件（" + "、".join(a[0] for a in msg.attachments) + "）请在看板中下载。"
    if msg.sub.channel == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": msg.subject, "text": text}}


def _send_email(cfg: dict, msg: Message) -> None:
    s = cfg["smtp"]
    password = s.get("password") or os.environ.get(s.get("password_env") or "", "")
    cls = smtplib.SMTP_SSL if s.get("ssl") else smtplib.SMTP
    with cls(s["host"], int(s["port"]), timeout=float(s["timeout"])) as smtp:
        if s.get("starttls") and not s.get("ssl"):
            smtp.starttls(context=ssl.create_default_context())
        if s.get("username"):
            smtp.login(s["username"], password)
        smtp.send_message(email_message(cfg, msg))


def _send_webhook(cfg: dict, msg: Message) -> None:
    body = json.dumps(webhook_payload(msg), ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(msg.sub.address, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=float(cfg["webhook"]["timeout"])) as resp:
        reply = resp.read().decode("utf-8", "replace")
    try:  # both robots answer HTTP 200 with {"errcode": 0} on success
        code = json.loads(reply).get("errcode", 0)
    except (ValueError, AttributeError):
        code = 0
    if code:
        raise NotifyError(f"机器人返回错误码 {code}")


def _safe_error(e: Exception) -> str:
    """An error for the record and the log: type and message, never credentials or URLs' secrets."""
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code}"
    if isinstance(e, urllib.error.URLError):
        return f"无法连接：{type(e.reason).__name__}"
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return "SMTP 登录失败"
    return f"{type(e).__name__}: {str(e)[:200]}"


def mask(address: str) -> str:
    """An address as logged: a mailbox in full, a webhook URL without its key."""
    return address.split("?", 1)[0] if address.startswith("http") else address


def deliver(cfg: dict, msg: Message, sleep=time.sleep) -> tuple[bool, int, str | None]:
    """Send with retries and exponential back-off: (ok, attempts, last error)."""
    retries = max(1, int(cfg["delivery"]["retries"]))
    backoff = float(cfg["delivery"]["backoff_seconds"])
    err = None
    for i in range(retries):
        try:
            (_send_email if msg.sub.channel == "email" else _send_webhook)(cfg, msg)
            return True, i + 1, None
        except Exception as e:  # any delivery failure is recorded and retried
            err = _safe_error(e)
            if i + 1 < retries:
                sleep(backoff * (2 ** i))
    return False, retries, err


# ---- the run ----------------------------------------------------------------------------------------
@dataclass
class RunReport:
    month: str
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)      # nothing to say (threshold not crossed)
    already: list[int] = field(default_factory=list)      # delivered before: not sent again
    failed: list[tuple[int, str]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)     # dry run

    def text(self) -> str:
        s = (f"{self.month}：发送 {len(self.sent)} 条，已发送过 {len(self.already)} 条，无需发送 {len(self.skipped)} 条，"
             f"失败 {len(self.failed)} 条")
        if self.written:
            s += f"；预览文件 {len(self.written)} 个"
        for sub_id, err in self.failed:
            s += f"\n  订阅 {sub_id} 失败：{err}"
        return s


def _write_preview(out: Path, cfg: dict, msg: Message) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{msg.sub.sub_id:04d}_{msg.sub.kind}_{msg.sub.channel}"
    if msg.sub.channel == "email":
        p = out / f"{stem}.eml"
        p.write_bytes(bytes(email_message(cfg, msg)))
    else:
        p = out / f"{stem}.json"
        p.write_text(json.dumps({"to": mask(msg.sub.address), "payload": webhook_payload(msg)},
                                ensure_ascii=False, indent=2), encoding="utf-8")
    return p


def run(m: Metrics, month: str, dry_run: Path | None = None, user: str | None = None,
        sleep=time.sleep, sub_ids: list[int] | None = None) -> RunReport:
    """Build and deliver every enabled subscription's message for `month` (see module rules)."""
    root = m.db.store.root
    m.check_month(month)
    cfg = load_config(root)
    user = user or audit.cli_user()
    rep = RunReport(month)
    for sub in subscriptions.list_all(root, enabled_only=True):
        if sub_ids is not None and sub.sub_id not in sub_ids:
            continue
        if dry_run is None:
            done = subscriptions.delivery(root, month, sub.sub_id)
            if done and done["status"] in ("sent", "skipped"):
                rep.already.append(sub.sub_id)
                continue
        try:
            msg = build(m, cfg, sub, month)
        except NotifyError as e:
            rep.failed.append((sub.sub_id, str(e)))
            if dry_run is None:
                subscriptions.record(root, month, sub.sub_id, "failed", 0, None, str(e))
            continue
        if msg is None:
            rep.skipped.append(sub.sub_id)
            if dry_run is None:
                subscriptions.record(root, month, sub.sub_id, "skipped", 0, None)
            continue
        if dry_run is not None:
            rep.written.append(_write_preview(Path(dry_run), cfg, msg))
            continue
        ok, attempts, err = deliver(cfg, msg, sleep=sleep)
        subscriptions.record(root, month, sub.sub_id, "sent" if ok else "failed", attempts, msg.subject, err)
        role, unit = recipient_scope(root, sub)
        audit.append(root, user, None, "notify" if ok else "notify_failed", scope=unit or "all",
                     target=f"{sub.channel}:{mask(sub.address)}", ok=ok,
                     detail={"month": month, "subscription": sub.sub_id, "kind": sub.kind,
                             "subject": msg.subject, "attempts": attempts, "error": err,
                             "attachments": [a[0] for a in msg.attachments]})
        (rep.sent.append(sub.sub_id) if ok else rep.failed.append((sub.sub_id, err or "")))
    return rep


def on_publish(m: Metrics, month: str, user: str | None = None) -> RunReport | None:
    """The publish event: when `[events] on_publish = true`, deliver the month right away."""
    if not load_config(m.db.store.root)["events"].get("on_publish"):
        return None
    return run(m, month, user=user)
