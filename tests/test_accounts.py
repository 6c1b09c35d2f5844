"""Accounts (Argon2 passwords, roles, township units, lockout, sessions), the hash-chained audit
log and the `users` / `audit` commands."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from lifecycle import cli
from lifecycle.store import accounts, audit

PW = "correct-horse-1"
A = "320281001"  # 澄江街道


@pytest.fixture
def root(make_store):
    return make_store("jiangyin").root


def test_passwords_are_hashed_with_argon2_and_never_stored_in_clear(root):
    accounts.add(root, "alice", "leader", password=PW)
    raw = (root / accounts.FILE_NAME).read_bytes()
    assert PW.encode() not in raw
    con = sqlite3.connect(root / accounts.FILE_NAME)
    (h,) = con.execute("SELECT password_hash FROM users WHERE name = 'alice'").fetchone()
    con.close()
    assert h.startswith("$argon2id$")
    assert accounts.authenticate(root, "alice", PW).account.name == "alice"
    assert accounts.authenticate(root, "alice", PW + "x").error == "用户名或密码错误"
    assert accounts.authenticate(root, "nobody", PW).error == "用户名或密码错误"  # same message


def test_short_passwords_are_refused(root):
    with pytest.raises(accounts.AccountError, match="密码至少需要10个字符"):
        accounts.add(root, "bob", "leader", password="123456789")  # 9 characters
    accounts.add(root, "bob", "leader", password="1234567890")  # 10 is enough
    with pytest.raises(accounts.AccountError, match="至少需要10个字符"):
        accounts.set_password(root, "bob", "short")


def test_township_needs_a_known_unit_and_others_refuse_one(root):
    acc = accounts.add(root, "t1", "township", "澄江街道", password=PW, region_key="jiangyin")
    assert acc.unit_code == A
    assert accounts.add(root, "t2", "township", A, password=PW, region_key="jiangyin").unit_code == A
    with pytest.raises(accounts.AccountError, match="必须用 --unit"):
        accounts.add(root, "t3", "township", None, password=PW, region_key="jiangyin")
    with pytest.raises(accounts.AccountError, match="未知的镇街园区：火星镇"):
        accounts.add(root, "t4", "township", "火星镇", password=PW, region_key="jiangyin")
    with pytest.raises(accounts.AccountError, match="只有 township 角色可以绑定单位"):
        accounts.add(root, "l1", "leader", A, password=PW, region_key="jiangyin")
    with pytest.raises(accounts.AccountError, match="未知角色：boss"):
        accounts.add(root, "x1", "boss", password=PW)
    with pytest.raises(accounts.AccountError, match="已存在"):
        accounts.add(root, "t1", "leader", password=PW)


def test_five_failures_lock_the_account_for_15_minutes(root):
    accounts.add(root, "carol", "leader", password=PW)
    t0 = dt.datetime(2026, 11, 3, 9, 0, 0)
    for i in range(4):
        r = accounts.authenticate(root, "carol", "wrong-password", now=t0)
        assert r.error == "用户名或密码错误" and not r.locked_now
    r = accounts.authenticate(root, "carol", "wrong-password", now=t0)
    assert r.locked_now and "已锁定" in r.error and "09:15" in r.error
    # even the right password is refused while locked ...
    r = accounts.authenticate(root, "carol", PW, now=t0 + dt.timedelta(minutes=14, seconds=59))
    assert r.account is None and "已锁定" in r.error
    # ... and accepted after 15 minutes
    assert accounts.authenticate(root, "carol", PW, now=t0 + dt.timedelta(minutes=15, seconds=1)).account


def test_a_success_resets_the_failure_count(root):
    accounts.add(root, "dave", "leader", password=PW)
    for _ in range(4):
        accounts.authenticate(root, "dave", "wrong-password")
    assert accounts.authenticate(root, "dave", PW).account
    for _ in range(4):
        assert not accounts.authenticate(root, "dave", "wrong-password").locked_now
    assert accounts.authenticate(root, "dave", PW).account


def test_sessions_expire_and_are_revoked(root):
    accounts.add(root, "erin", "leader", password=PW)
    t0 = dt.datetime(2026, 11, 3, 9, 0, 0)
    token, exp = accounts.create_session(root, "erin", now=t0)
    assert exp == t0 + dt.timedelta(hours=8)  # default 8 hours
    assert token not in (root / accounts.FILE_NAME).read_bytes().decode("latin-1")  # only its hash
    assert accounts.session_account(root, token, now=t0 + dt.timedelta(hours=7, minutes=59))[0].name == "erin"
    assert accounts.session_account(root, token, now=t0 + dt.timedelta(hours=8)) is None
    token2, _ = accounts.create_session(root, "erin")
    assert accounts.session_account(root, token2)
    accounts.revoke_session(root, token2)
    assert accounts.session_account(root, token2) is None
    # disabling and a new password revoke every session of the account
    token3, _ = accounts.create_session(root, "erin")
    accounts.set_disabled(root, "erin", True)
    assert accounts.session_account(root, token3) is None
    assert accounts.authenticate(root, "erin", PW).error == "该账户已停用，请联系系统管理员"
    accounts.set_disabled(root, "erin", False)
    token4, _ = accounts.create_session(root, "erin")
    accounts.set_password(root, "erin", "another-password-2")
    assert accounts.session_account(root, token4) is None
    assert accounts.session_account(root, "forged-token") is None


def test_session_length_is_configurable(root):
    (root / "config.toml").write_text("[security]\nsession_hours = 2\n", encoding="utf-8")
    accounts.add(root, "fay", "leader", password=PW)
    t0 = dt.datetime(2026, 11, 3, 9, 0, 0)
    token, exp = accounts.create_session(root, "fay", now=t0)
    assert exp == t0 + dt.timedelta(hours=2)


def test_role_permissions_follow_the_table():
    def may(role):
        return {p for p in accounts.PERMISSIONS if accounts.Account("x", role).may(p)}

    assert may("admin") == {"view_all", "manage_accounts", "read_audit", "verify"}
    assert may("publisher") == {"view_all", "publish", "leads", "decide", "verify"}
    assert may("leader") == {"view_all", "comment", "export", "pack"}
    assert may("township") == {"answer", "export", "leads", "verify"}
    assert may("reviewer") == {"view_all", "review", "decide"}


def test_accounts_database_from_before_the_reviewer_role_is_upgraded(tmp_path):
    """An accounts.sqlite whose role CHECK predates `reviewer` accepts a reviewer after the
    upgrade; its accounts and sessions are kept."""
    import sqlite3

    root = tmp_path / "old"
    root.mkdir()
    con = sqlite3.connect(root / accounts.FILE_NAME)
    con.executescript(accounts._SCHEMA.replace(", 'reviewer')", ")"))
    con.execute("INSERT INTO users (name, role, password_hash, created_at, updated_at) "
                "VALUES ('old_leader', 'leader', NULL, 'a', 'a')")
    con.execute("INSERT INTO sessions (token_hash, name, created_at, expires_at) VALUES ('h', 'old_leader', 'a', 'b')")
    con.commit()
    with pytest.raises(sqlite3.IntegrityError):  # the old CHECK really refuses the new role
        con.execute("INSERT INTO users (name, role, created_at, updated_at) VALUES ('x', 'reviewer', 'a', 'a')")
    con.close()
    accounts._MIGRATED.clear()
    acc = accounts.add(root, "rev", "reviewer", password=PW)
    assert acc.role == "reviewer" and acc.role_label == "审查委员会成员"
    assert {a.name for a in accounts.list_accounts(root)} == {"old_leader", "rev"}
    con = sqlite3.connect(root / accounts.FILE_NAME)
    assert con.execute("SELECT name FROM sessions").fetchall() == [("old_leader",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    with pytest.raises(accounts.AccountError, match="只有 township"):
        accounts.add(root, "rev2", "reviewer", unit="320281001", password=PW)


def test_sso_mapping(root):
    accounts.add(root, "gina", "leader", sso_id="gina@example.org")
    assert accounts.find_sso(root, ["gina@example.org"]).name == "gina"
    assert accounts.find_sso(root, [None, "someone@else"]) is None
    assert accounts.authenticate(root, "gina", "whatever-password").error == "该账户只能通过单点登录进入"
    with pytest.raises(accounts.AccountError, match="已绑定其他账户"):
        accounts.add(root, "gina2", "leader", sso_id="gina@example.org")


def test_demo_accounts_only_once(root):
    pw = accounts.create_demo_accounts(root, "jiangyin")
    assert pw and len(pw) >= 10
    names = {a.name: a for a in accounts.list_accounts(root)}
    assert {a.role for a in names.values()} == set(accounts.ROLES)
    assert sum(a.role == "township" for a in names.values()) == 2
    assert accounts.authenticate(root, "town1", pw).account.unit_code == A
    assert accounts.demo_password(root) == pw
    assert accounts.create_demo_accounts(root, "jiangyin") is None  # already there


# ---- audit log ---------------------------------------------------------------------------------
def _fill(root, n=5):
    for i in range(n):
        audit.append(root, "leader", "leader", "download", target=f"file{i}.xlsx", detail={"i": i})


def test_audit_chain_verifies(root):
    assert audit.verify(root).ok  # empty
    _fill(root)
    v = audit.verify(root)
    assert v.ok and v.entries == 5
    lines = audit.log_path(root).read_text(encoding="utf-8").splitlines()
    recs = [json.loads(x) for x in lines]
    assert [r["seq"] for r in recs] == [1, 2, 3, 4, 5]
    assert recs[0]["prev"] == audit.GENESIS and recs[1]["prev"] == recs[0]["hash"]


def test_audit_verify_detects_an_edited_line(root):
    _fill(root)
    p = audit.log_path(root)
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("file2.xlsx", "file9.xlsx")
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    v = audit.verify(root)
    assert not v.ok and v.broken_seq == 3 and "第 3 条" in v.message and "改动" in v.message


def test_audit_verify_detects_a_deleted_line(root):
    _fill(root)
    p = audit.log_path(root)
    lines = p.read_text(encoding="utf-8").splitlines()
    del lines[1]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    v = audit.verify(root)
    assert not v.ok and v.broken_seq == 2 and "第 2 条记录缺失或被删除" in v.message


def test_audit_verify_detects_a_deleted_last_line(root):
    _fill(root)
    p = audit.log_path(root)
    lines = p.read_text(encoding="utf-8").splitlines()
    p.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    v = audit.verify(root)
    assert not v.ok and v.broken_seq == 5


def test_audit_appends_continue_the_chain_across_processes(root):
    import subprocess
    import sys

    _fill(root, 2)
    code = ("from lifecycle.store import audit; import sys; "
            "[audit.append(sys.argv[1], 'p', 'leader', 'export', target=str(i)) for i in range(20)]")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(root)]) for _ in range(3)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    v = audit.verify(root)
    assert v.ok and v.entries == 62, v.message


# ---- command line ----------------------------------------------------------------------------
def _cli(args, stdin=None, monkeypatch=None, capsys=None):
    import io

    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_commands(root, monkeypatch, capsys):
    s = ["--store", str(root)]
    assert _cli(["users", "add", "admin1", "--role", "admin", "--password-stdin", *s], PW + "\n",
                monkeypatch, capsys)[0] == 0
    code, out, err = _cli(["users", "add", "zhen", "--role", "township", "--unit", "澄江街道", "--password-stdin", *s],
                          PW + "\n", monkeypatch, capsys)
    assert code == 0, err
    code, out, err = _cli(["users", "add", "bad", "--role", "township", "--unit", "火星镇", "--password-stdin", *s],
                          PW + "\n", monkeypatch, capsys)
    assert code == 2 and err.strip().startswith("错误：未知的镇街园区：火星镇") and "Traceback" not in err
    code, out, err = _cli(["users", "add", "short", "--role", "leader", "--password-stdin", *s], "abc\n",
                          monkeypatch, capsys)
    assert code == 2 and "密码至少需要10个字符" in err
    code, out, err = _cli(["users", "add", "lead", "--role", "leader", "--unit", "澄江街道", "--password-stdin", *s],
                          PW + "\n", monkeypatch, capsys)
    assert code == 2 and "只有 township 角色可以绑定单位" in err
    code, out, err = _cli(["users", "list", "--json", *s], None, monkeypatch, capsys)
    rows = json.loads(out)
    assert {r["name"]: (r["role"], r["unit_code"]) for r in rows} == {"admin1": ("admin", None), "zhen": ("township", A)}
    assert _cli(["users", "disable", "zhen", *s], None, monkeypatch, capsys)[0] == 0
    assert accounts.get(root, "zhen").disabled
    assert _cli(["users", "enable", "zhen", *s], None, monkeypatch, capsys)[0] == 0
    assert _cli(["users", "passwd", "zhen", "--password-stdin", *s], "new-password-99\n", monkeypatch, capsys)[0] == 0
    assert accounts.authenticate(root, "zhen", "new-password-99").account
    assert _cli(["users", "set-role", "zhen", "--role", "leader", *s], None, monkeypatch, capsys)[0] == 0
    assert accounts.get(root, "zhen").role == "leader" and accounts.get(root, "zhen").unit_code is None
    code, out, err = _cli(["users", "disable", "ghost", *s], None, monkeypatch, capsys)
    assert code == 2 and "没有账户“ghost”" in err
    # every change is in the audit log, none with a password
    log = audit.log_path(root).read_text(encoding="utf-8")
    assert PW not in log and "new-password-99" not in log
    acts = [e["action"] for e in audit.read(root)]
    assert acts == ["account_add", "account_add", "account_disable", "account_enable", "account_passwd",
                    "account_set_role"]
    assert all(e["user"].startswith("cli:") for e in audit.read(root))
    code, out, err = _cli(["audit", "verify", *s], None, monkeypatch, capsys)
    assert code == 0 and "校验通过" in out


def test_audit_verify_command_exits_1_and_names_the_entry(root, monkeypatch, capsys):
    _fill(root)
    p = audit.log_path(root)
    lines = p.read_text(encoding="utf-8").splitlines()
    del lines[2]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _cli(["audit", "verify", "--store", str(root)], None, monkeypatch, capsys)
    assert code == 1 and "第 3 条记录缺失或被删除" in (out + err)
