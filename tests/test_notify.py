"""Pushed messages delivered for real: to an SMTP server (aiosmtpd) and to an HTTP server standing
in for the 企业微信 / 钉钉 robots, both started here on 127.0.0.1. Recipients, subjects, the
scope of the content, attachments, idempotency, retries and the audit record are checked."""
from __future__ import annotations

import email
import json
import shutil
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import polars as pl
import pytest
from helpers import metrics_for, project, publish

from lifecycle.cli import main as cli_main
from lifecycle.domain.reference import region
from lifecycle.outputs import notify
from lifecycle.store import audit, subscriptions
from lifecycle.store.snapshots import Store

MONTH = "2026-10"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    box = _Mailbox()
    ctl = Controller(box, hostname="127.0.0.1", port=_free_port())
    ctl.start()
    box.port = ctl.port
    yield box
    ctl.stop()


@pytest.fixture
def robot():
    """A webhook endpoint: /ok answers {"errcode": 0}; /down answers HTTP 500 while `down` is set."""
    state = {"posts": [], "down": True}

    class H(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
            state["posts"].append((self.path, body))
            if self.path.startswith("/down") and state["down"]:
                self.send_response(500)
                self.end_headers()
                return
            out = b'{"errcode": 0, "errmsg": "ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{srv.server_address[1]}"
    yield state
    srv.shutdown()


def _config(root, smtp_port: int, retries: int = 3):
    (root / "notify.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsender = "xmb@example.gov.cn"\n'
        f'[delivery]\nretries = {retries}\nbackoff_seconds = 0\n'
        f'[links]\nbase_url = "http://dash.example:8501"\n', encoding="utf-8")


@pytest.fixture
def demo_store(demo_stores, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(demo_stores["jiangyin"], root, symlinks=True)
    return root


def _body(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_email_and_webhook_scope_attachments_idempotency(demo_store, smtp, robot):
    _config(demo_store, smtp.port)
    m = metrics_for(Store(demo_store))
    reg = region("jiangyin")
    plist = m.project_list(MONTH)
    # the township with the most projects, and the names that only other units have
    unit = plist.group_by("unit_code").len().sort("len", descending=True)["unit_code"][0]
    own = set(plist.filter(pl.col("unit_code") == unit)["name"])
    others = set(plist.filter(pl.col("unit_code") != unit)["name"]) - own
    add = lambda **kw: subscriptions.add(demo_store, "jiangyin", **kw).sub_id  # noqa: E731
    s_bulletin = add(name="市领导", kind="bulletin", channel="email", address="leader@example.gov.cn")
    s_digest = add(name="镇长", kind="digest", channel="email", address="town@example.gov.cn",
                   role="township", unit=unit)
    s_dept = add(name="工信局", kind="dept_sheet", channel="email", address="gxj@example.gov.cn", dept="工信局")
    s_wecom = add(name="镇群", kind="digest", channel="wecom", address=robot["url"] + "/ok?key=SECRET",
                  role="township", unit=unit)
    s_ding = add(name="市群", kind="bulletin", channel="dingtalk", address=robot["url"] + "/ok?access_token=T")

    rep = notify.run(m, MONTH, sleep=lambda s: None)
    assert sorted(rep.sent) == sorted([s_bulletin, s_digest, s_dept, s_wecom, s_ding]) and not rep.failed

    by_to = {tuple(rcpt): msg for rcpt, msg in smtp.messages}
    assert set(by_to) == {("leader@example.gov.cn",), ("town@example.gov.cn",), ("gxj@example.gov.cn",)}
    b = by_to[("leader@example.gov.cn",)]
    assert "2026年10月重大项目月通报" in b["Subject"] and reg.name in b["Subject"]
    names = sorted(p.get_filename() for p in b.iter_attachments())
    assert [n.rsplit(".", 1)[1] for n in names] == ["pdf", "xlsx"]
    pdf = next(p for p in b.iter_attachments() if p.get_filename().endswith(".pdf")).get_content()
    assert pdf[:5] == b"%PDF-"
    # the township digest: its own unit's name, and no project that only other units have
    d = by_to[("town@example.gov.cn",)]
    text = _body(d)
    assert reg.units[unit].name in d["Subject"] and "综合排名" in text
    assert not [n for n in others if n in text]
    rank = m.ranking(MONTH).filter(pl.col("unit_code") == unit)["rank"][0]
    assert f"第 {rank} 名（共 {len(reg.units)} 个" in text  # ranked in the whole field
    # the department's sheets: one workbook per list the department acts on
    g = by_to[("gxj@example.gov.cn",)]
    assert len(list(g.iter_attachments())) == len([k for k, v in notify.flags.DEPTS.items()
                                                   if "工信局" in v and k in notify.flags.ALERT_KEYS])
    # webhooks: the robots' markdown formats, link to the view, same scope as the mail
    posts = {p.split("?")[0]: b for p, b in robot["posts"]}
    assert len(robot["posts"]) == 2
    wecom = next(b for p, b in robot["posts"] if "key=SECRET" in p)
    assert wecom["msgtype"] == "markdown" and "content" in wecom["markdown"]
    assert f"unit={unit}" in wecom["markdown"]["content"] and not [n for n in others if n in wecom["markdown"]["content"]]
    ding = next(b for p, b in robot["posts"] if "access_token" in p)
    assert ding["markdown"]["title"].endswith("月通报") and "附件" in ding["markdown"]["text"]
    assert posts

    # every delivery is in the audit log (the webhook key is not), and the chain verifies
    entries = [e for e in audit.read(demo_store) if e["action"] == "notify"]
    assert sorted(e["detail"]["subscription"] for e in entries) == sorted(rep.sent)
    assert all("SECRET" not in json.dumps(e, ensure_ascii=False) for e in entries)
    assert next(e for e in entries if e["detail"]["subscription"] == s_digest)["scope"] == unit
    assert audit.verify(demo_store).ok

    # a repeated run sends nothing new
    rep2 = notify.run(m, MONTH, sleep=lambda s: None)
    assert rep2.sent == [] and sorted(rep2.already) == sorted(rep.sent)
    assert len(smtp.messages) == 3 and len(robot["posts"]) == 2


def test_township_scope_refusals(demo_store):
    with pytest.raises(subscriptions.SubscriptionError, match="部门督办清单"):
        subscriptions.add(demo_store, "jiangyin", name="镇", kind="dept_sheet", channel="email",
                          address="a@b.cn", role="township", unit="璜土镇", dept="工信局")
    with pytest.raises(subscriptions.SubscriptionError, match="必须指定所属板块"):
        subscriptions.add(demo_store, "jiangyin", name="镇", kind="bulletin", channel="email",
                          address="a@b.cn", role="township")
    with pytest.raises(subscriptions.SubscriptionError, match="未知的镇街园区：不存在镇"):
        subscriptions.add(demo_store, "jiangyin", name="镇", kind="digest", channel="email",
                          address="a@b.cn", role="township", unit="不存在镇")


def test_failed_delivery_is_retried_and_reported(demo_store, smtp, robot):
    _config(demo_store, smtp.port, retries=3)
    m = metrics_for(Store(demo_store))
    sid = subscriptions.add(demo_store, "jiangyin", name="市群", kind="bulletin", channel="dingtalk",
                            address=robot["url"] + "/down").sub_id
    waits = []
    rep = notify.run(m, MONTH, sleep=waits.append)
    assert rep.failed == [(sid, "HTTP 500")] and rep.sent == []
    assert len(robot["posts"]) == 3 and waits == [0.0, 0.0]  # three attempts, back-off between them
    d = subscriptions.delivery(demo_store, MONTH, sid)
    assert d["status"] == "failed" and d["attempts"] == 3 and d["error"] == "HTTP 500"
    assert [e["action"] for e in audit.read(demo_store)][-1] == "notify_failed"
    # the CLI reports the failure with a non-zero exit
    assert cli_main(["notify", "--store", str(demo_store), "--month", MONTH]) == 1
    # the endpoint comes back: the next run delivers it, once
    robot["down"] = False
    rep = notify.run(m, MONTH, sleep=lambda s: None)
    assert rep.sent == [sid]
    assert subscriptions.delivery(demo_store, MONTH, sid)["status"] == "sent"
    assert notify.run(m, MONTH).already == [sid]


def test_dry_run_writes_previews_and_sends_nothing(demo_store, smtp, robot, tmp_path):
    _config(demo_store, smtp.port)
    subscriptions.add(demo_store, "jiangyin", name="市领导", kind="bulletin", channel="email",
                      address="leader@example.gov.cn")
    subscriptions.add(demo_store, "jiangyin", name="镇群", kind="digest", channel="wecom",
                      address=robot["url"] + "/ok?key=SECRET", role="township", unit="璜土镇")
    out = tmp_path / "preview"
    assert cli_main(["notify", "--store", str(demo_store), "--month", MONTH, "--dry-run", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["0001_bulletin_email.eml", "0002_digest_wecom.json"]
    eml = email.message_from_bytes((out / files[0]).read_bytes(), policy=policy.default)
    assert eml["To"].endswith("<leader@example.gov.cn>") and len(list(eml.iter_attachments())) == 2
    preview = json.loads((out / files[1]).read_text(encoding="utf-8"))
    assert "SECRET" not in json.dumps(preview) and preview["payload"]["msgtype"] == "markdown"
    assert smtp.messages == [] and robot["posts"] == []
    assert subscriptions.deliveries(demo_store) == []


def test_threshold_alert_on_hand_built_months(tmp_path, smtp):
    """Filing rate 2/2 (100 %) in September, 2/3 in October: a drop of 33.3 points; one project
    becomes more than 3 months overdue (约谈) in October. A 5-point alert fires with both lines;
    a 50-point alert only for the new 约谈 item; a unit without either gets nothing."""
    st = Store(tmp_path / "s")
    st.init("jiangyin")
    base = [project("A", signed_on="2026-01-10", filed_on="2026-02-01"),
            project("B", signed_on="2026-02-10", filed_on="2026-03-01", started_on="2026-04-01",
                    planned_completed_on="2026-07-15")]
    publish(st, "2026-09", base)
    publish(st, "2026-10", base + [project("C", signed_on="2026-10-05")])
    _config(st.root, smtp.port)
    m = metrics_for(st)
    r = m.rates_with_change("2026-10")["filing_rate"]
    assert (r["numerator"], r["denominator"]) == (2, 3) and round(r["change_pp"], 1) == -33.3
    # B: planned 2026-07-15, +3 months = 2026-10-15: not before 2026-09-30 (a 提醒函 then), before 2026-10-31
    assert m.flag_changes("completion_interview", "2026-10")["new"]["project_id"].to_list() == ["B"]
    s5 = subscriptions.add(st.root, "jiangyin", name="甲", kind="threshold", channel="email",
                           address="a@example.cn", threshold_pp=5).sub_id
    s50 = subscriptions.add(st.root, "jiangyin", name="乙", kind="threshold", channel="email",
                            address="b@example.cn", threshold_pp=50).sub_id
    other = subscriptions.add(st.root, "jiangyin", name="丙", kind="threshold", channel="email",
                              address="c@example.cn", threshold_pp=5, role="township", unit="320281100").sub_id
    rep = notify.run(m, "2026-10", sleep=lambda s: None)
    assert sorted(rep.sent) == [s5, s50] and rep.skipped == [other]
    texts = {tuple(r): _body(msg) for r, msg in smtp.messages}
    assert "签约项目备案率下降 33.3 个百分点" in texts[("a@example.cn",)]
    assert "新增约谈项目 1 个" in texts[("a@example.cn",)]
    assert "备案率下降" not in texts[("b@example.cn",)] and "新增约谈项目 1 个" in texts[("b@example.cn",)]
    # skipped is final for the month too: nothing is re-evaluated or sent on a rerun
    assert notify.run(m, "2026-10").already == [s5, s50, other]


def test_subscriptions_page_admin_manages_others_see_their_own(demo_store, monkeypatch, app_user):
    """推送订阅: the admin lists and adds subscriptions; a township account sees only the
    subscriptions bound to it (and none of the admin form)."""
    from streamlit.testing.v1 import AppTest

    from helpers import REPO

    monkeypatch.setenv("LIFECYCLE_STORE", str(demo_store))
    app_user.role = "admin"
    at = AppTest.from_file(str(REPO / "pages" / "subscriptions.py"), default_timeout=120).run()
    assert not at.exception and not at.error
    assert any("暂无订阅" in i.value for i in at.info)
    at.text_input[0].input("市领导")
    at.text_input[1].input("leader@example.gov.cn")
    next(b for b in at.button if b.label == "添加订阅").click().run()
    assert not at.exception
    subs = subscriptions.list_all(demo_store)
    assert [(s.name, s.kind, s.channel, s.address) for s in subs] == [("市领导", "bulletin", "email", "leader@example.gov.cn")]
    assert [e["action"] for e in audit.read(demo_store)][-1] == "subscription_add"
    # a township account: bound subscriptions only, no form
    app_user.role, app_user.unit = "township", "320281100"
    mine = subscriptions.add(demo_store, "jiangyin", name="镇长", kind="digest", channel="email",
                             address="town@example.gov.cn", account=app_user.name, role="township",
                             unit="320281100")
    app_user.token(demo_store)  # creates the account the subscription is bound to
    at = AppTest.from_file(str(REPO / "pages" / "subscriptions.py"), default_timeout=120).run()
    assert not at.exception and not at.error
    shown = at.dataframe[0].value
    assert list(shown["订阅编号"]) == [mine.sub_id]
    assert not [b for b in at.button if b.label == "添加订阅"]


def test_publish_event_delivers_only_when_configured(tmp_path, smtp):
    st = Store(tmp_path / "s")
    st.init("jiangyin")
    publish(st, "2026-10", [project("A", signed_on="2026-01-10", filed_on="2026-02-01")])
    _config(st.root, smtp.port)
    subscriptions.add(st.root, "jiangyin", name="甲", kind="digest", channel="email", address="a@example.cn",
                      unit="320281001")
    m = metrics_for(st)
    assert notify.on_publish(m, "2026-10") is None and smtp.messages == []  # off by default
    with open(st.root / "notify.toml", "a", encoding="utf-8") as fh:
        fh.write("[events]\non_publish = true\n")
    rep = notify.on_publish(m, "2026-10")
    assert rep.sent == [1] and [r for r, _ in smtp.messages] == [["a@example.cn"]]
