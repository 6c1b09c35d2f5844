"""`python -m lifecycle users …` and `audit …`: the operator's account management (roles, units,
passwords from standard input, SSO identities) and the audit log's hash-chain check."""
from __future__ import annotations

import json
import sys

from lifecycle.cli.common import EXIT_OK, EXIT_VALIDATION, CliError, _Parser
from lifecycle.domain.config import default_store


# ---- accounts and the audit log (users / audit) -------------------------------------------------
def _account_store(args, must_exist: bool = True):
    from lifecycle.store.snapshots import Store

    st = Store(args.store or default_store())
    if must_exist and not st.root.is_dir():
        raise CliError(f"数据目录不存在：{st.root}")
    return st


def _read_password(args) -> str:
    """The password from standard input (--password-stdin: the first line), else typed twice."""
    import getpass

    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise CliError("请用 --password-stdin 从标准输入提供密码")
    pw = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != pw:
        raise CliError("两次输入的密码不一致")
    return pw


def _audit_account(st, action: str, name: str, **detail) -> None:
    from lifecycle.store import audit

    audit.append(st.root, audit.cli_user(), "operator", action, target=name,
                 detail={k: v for k, v in detail.items() if v is not None})


def cmd_users(args) -> int:
    from lifecycle.store import accounts

    st = _account_store(args, must_exist=args.users_cmd != "add")
    try:
        if args.users_cmd == "add":
            pw = None if (args.sso and not args.password_stdin) else _read_password(args)
            acc = accounts.add(st.root, args.name, args.role, args.unit, password=pw, sso_id=args.sso,
                               region_key=st.meta.get("region"))
            _audit_account(st, "account_add", acc.name, role=acc.role, unit=acc.unit_code, sso=acc.sso_id)
            print(f"已创建账户 {acc.name}（{acc.role_label}{'，' + acc.unit_code if acc.unit_code else ''}）")
        elif args.users_cmd == "list":
            rows = accounts.list_accounts(st.root)
            if args.json:
                print(json.dumps([{"name": a.name, "role": a.role, "unit_code": a.unit_code, "sso_id": a.sso_id,
                                   "disabled": a.disabled, "locked_until": a.locked_until,
                                   "has_password": a.has_password, "created_at": a.created_at} for a in rows],
                                 ensure_ascii=False))
            else:
                for a in rows:
                    state = "停用" if a.disabled else ("锁定至" + a.locked_until if a.locked_until else "正常")
                    print("\t".join([a.name, a.role, a.unit_code or "", a.sso_id or "", state]))
        elif args.users_cmd in ("disable", "enable"):
            accounts.set_disabled(st.root, args.name, args.users_cmd == "disable")
            _audit_account(st, f"account_{args.users_cmd}", args.name)
            print(f"已{'停用' if args.users_cmd == 'disable' else '启用'}账户 {args.name}")
        elif args.users_cmd == "passwd":
            if accounts.get(st.root, args.name) is None:
                raise accounts.AccountError(f"没有账户“{args.name}”")
            accounts.set_password(st.root, args.name, _read_password(args))
            _audit_account(st, "account_passwd", args.name)
            print(f"已修改账户 {args.name} 的密码（其已登录的会话均已失效）")
        elif args.users_cmd == "set-role":
            acc = accounts.set_role(st.root, args.name, args.role, args.unit, region_key=st.meta.get("region"))
            if args.sso is not None:
                accounts.set_sso(st.root, args.name, args.sso)
            _audit_account(st, "account_set_role", acc.name, role=acc.role, unit=acc.unit_code, sso=args.sso)
            print(f"账户 {acc.name} 现为 {acc.role_label}{'（' + acc.unit_code + '）' if acc.unit_code else ''}")
        elif args.users_cmd == "unlock":
            accounts.unlock(st.root, args.name)
            _audit_account(st, "account_unlock", args.name)
            print(f"已解除账户 {args.name} 的锁定")
    except accounts.AccountError as e:
        raise CliError(str(e)) from None
    return EXIT_OK


def cmd_audit(args) -> int:
    from lifecycle.store import audit

    st = _account_store(args)
    if args.audit_cmd == "verify":
        v = audit.verify(st.root)
        if v.ok:
            print(v.message)
            return EXIT_OK
        print(f"审计日志校验失败：{v.message}", file=sys.stderr)
        return EXIT_VALIDATION
    df = audit.frame(st.root, user=args.user, actions=[args.action] if args.action else None)
    if args.limit:
        df = df.head(args.limit)
    if args.json:
        print(json.dumps(df.to_dicts(), ensure_ascii=False))
    else:
        for r in df.iter_rows(named=True):
            print("\t".join(str(r[k] if r[k] is not None else "") for k in
                            ("seq", "time", "user", "role", "action", "scope", "target", "ok")))
    return EXIT_OK


def register_cli(sub, store_arg) -> None:
    from lifecycle.store.accounts import ROLES

    u = sub.add_parser("users", help="账户管理（角色：" + "/".join(ROLES) + "）")
    us = u.add_subparsers(dest="users_cmd", required=True, parser_class=_Parser)
    s = us.add_parser("add", help="新增账户")
    s.add_argument("name")
    s.add_argument("--role", required=True, help=" | ".join(ROLES))
    s.add_argument("--unit", help="township 账户所属镇街/板块（代码或名称）")
    s.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    s.add_argument("--sso", help="单点登录标识（IdP 的邮箱或 sub），仅单点登录的账户可不设密码")
    store_arg(s)
    s = us.add_parser("list", help="列出账户")
    s.add_argument("--json", action="store_true")
    store_arg(s)
    for cmd, text in (("disable", "停用账户"), ("enable", "启用账户"), ("unlock", "解除锁定")):
        s = us.add_parser(cmd, help=text)
        s.add_argument("name")
        store_arg(s)
    s = us.add_parser("passwd", help="修改密码")
    s.add_argument("name")
    s.add_argument("--password-stdin", action="store_true")
    store_arg(s)
    s = us.add_parser("set-role", help="修改角色（及所属单位）")
    s.add_argument("name")
    s.add_argument("--role", required=True)
    s.add_argument("--unit")
    s.add_argument("--sso", help="同时设置单点登录标识（空字符串为清除）")
    store_arg(s)
    u.set_defaults(func=cmd_users)

    a = sub.add_parser("audit", help="审计日志")
    asub = a.add_subparsers(dest="audit_cmd", required=True, parser_class=_Parser)
    s = asub.add_parser("verify", help="校验哈希链：被改动或删除的记录，退出码 1")
    store_arg(s)
    s = asub.add_parser("list", help="列出审计记录（最新在前）")
    s.add_argument("--user")
    s.add_argument("--action")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true")
    store_arg(s)
    a.set_defaults(func=cmd_audit)
