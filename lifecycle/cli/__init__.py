"""Command line: `python -m lifecycle <command> ...`.

User mistakes (missing store, month, township, bad arguments) end with a one-line Chinese
message on stderr and a non-zero exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
import time


from lifecycle.domain.config import default_store

from lifecycle.cli.common import (  # noqa: F401  (the names subcommand modules use)
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VALIDATION,
    CliError,
    _Parser,
    open_metrics,
    store_arg,
)

_open_metrics = open_metrics  # kept for the ingest commands until they move to cli/ingest.py
_store_arg = store_arg


def cmd_months(args) -> int:
    m = _open_metrics(args.store)
    st = m.db.store
    if args.json:
        print(json.dumps({"region": st.region, "months": [
            {"month": mo, "published_at": st.published_at(mo)} for mo in m.months]}, ensure_ascii=False))
    else:
        for mo in m.months:
            print(f"{mo}\t{st.published_at(mo) or ''}")
    return EXIT_OK


def cmd_kpi(args) -> int:
    from lifecycle.domain.labels import RATES
    from lifecycle.query.metrics import MetricsError, Slice
    from lifecycle.domain.reference import region

    m = _open_metrics(args.store)
    month = args.month or m.latest_month()
    try:
        m.check_month(month)
    except MetricsError as e:
        raise CliError(str(e)) from None
    sl = Slice()
    if args.township:
        reg = region(m.region)
        unit = reg.resolve_unit(args.township)
        if unit is None:
            raise CliError(f"未知的镇街/板块：{args.township}（{reg.name}的{reg.unit_word}代码或名称）")
        if args.township in reg.townships and reg.unit_of[args.township] != args.township:
            raise CliError(f"{args.township} 属于板块 {unit}（{reg.units[unit].name}），请按板块代码查询")
        sl = Slice(units=(unit,))
    rates = m.rates(month, sl)
    out = {"month": month, "rates": rates}
    if args.township:
        out["township"] = sl.units[0]
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for k, v in rates.items():
            r = "—" if v["rate"] is None else f"{v['rate']:.1%}"
            num = f"{v['numerator']:,.0f}" if isinstance(v["numerator"], float) else v["numerator"]
            den = f"{v['denominator']:,.0f}" if isinstance(v["denominator"], float) else v["denominator"]
            print(f"{RATES[k]}\t{r}\t{num}/{den}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from lifecycle import demo
    from lifecycle.domain.reference import REGION_KEYS
    from lifecycle.store.snapshots import Store

    if args.region not in REGION_KEYS:
        raise CliError(f"未知地区：{args.region}（可选 {', '.join(REGION_KEYS)}）")
    store_dir = args.store or default_store()
    st = Store(store_dir)
    if st.months() and st.region != args.region:
        raise CliError(f"数据目录 {st.root} 已有地区“{st.region}”的数据，请换一个目录")
    t0 = time.time()

    def progress(i, n, m):
        if not args.quiet:
            print(f"\r发布 {m}（{i}/{n}）", end="", file=sys.stderr, flush=True)

    demo.generate(store_dir, args.region, args.projects, args.months, args.seed, args.end_month, progress)
    if not args.quiet:
        print(f"\n完成：{args.projects} 个项目，{args.months} 期快照，用时 {time.time() - t0:.1f} 秒 -> {st.root}",
              file=sys.stderr)
    text = demo.ensure_demo_accounts(st.root, args.region)
    if text:
        print(text, file=sys.stderr)
    return EXIT_OK


def cmd_bench(args) -> int:
    """Time every metric query on one month (default the latest), each run `--repeat` times."""
    m = _open_metrics(args.store)
    month = args.month or m.latest_month()
    m.check_month(month)
    calls = [
        ("rates", lambda: m.rates(month)),
        ("rates by unit", lambda: m.rates(month, group_by="unit_code")),
        ("rates_with_change", lambda: m.rates_with_change(month)),
        ("funnel", lambda: m.funnel(month)),
        ("cohort_funnel", lambda: m.cohort_funnel(month)),
        ("stage_distribution", lambda: m.stage_distribution(month)),
        ("tiers", lambda: m.tiers(month)),
        ("tier_classes", lambda: m.tier_classes(month)),
        ("unit_stage", lambda: m.unit_stage(month)),
        ("unit_month (12 months)", lambda: m.unit_month(month)),
        ("project_list", lambda: m.project_list(month)),
        ("approval_lights", lambda: m.approval_lights(month)),
        ("flag_counts (all flags)", lambda: m.flag_counts(month)),
        ("ranking (+ previous quarter)", lambda: m.ranking(month)),
        ("replans", lambda: m.replans(month)),
    ]
    rows = []
    for name, fn in calls:
        best = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            dt_ = time.perf_counter() - t0
            best = dt_ if best is None else min(best, dt_)
        rows.append((name, best))
    n = m.db.store.read(month, "projects").height
    print(f"store {m.db.store.root} · month {month} · {n} projects · {len(m.months)} snapshots · best of {args.repeat}")
    for name, best in rows:
        print(f"{name:32s} {best * 1000:9.1f} ms")
    print(f"{'total':32s} {sum(b for _, b in rows) * 1000:9.1f} ms")
    return EXIT_OK


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


def _register_accounts(sub) -> None:
    from lifecycle.store.accounts import ROLES

    u = sub.add_parser("users", help="账户管理（角色：" + "/".join(ROLES) + "）")
    us = u.add_subparsers(dest="users_cmd", required=True, parser_class=_Parser)
    s = us.add_parser("add", help="新增账户")
    s.add_argument("name")
    s.add_argument("--role", required=True, help="admin | publisher | leader | township")
    s.add_argument("--unit", help="township 账户所属镇街/板块（代码或名称）")
    s.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    s.add_argument("--sso", help="单点登录标识（IdP 的邮箱或 sub），仅单点登录的账户可不设密码")
    _store_arg(s)
    s = us.add_parser("list", help="列出账户")
    s.add_argument("--json", action="store_true")
    _store_arg(s)
    for cmd, text in (("disable", "停用账户"), ("enable", "启用账户"), ("unlock", "解除锁定")):
        s = us.add_parser(cmd, help=text)
        s.add_argument("name")
        _store_arg(s)
    s = us.add_parser("passwd", help="修改密码")
    s.add_argument("name")
    s.add_argument("--password-stdin", action="store_true")
    _store_arg(s)
    s = us.add_parser("set-role", help="修改角色（及所属单位）")
    s.add_argument("name")
    s.add_argument("--role", required=True)
    s.add_argument("--unit")
    s.add_argument("--sso", help="同时设置单点登录标识（空字符串为清除）")
    _store_arg(s)
    u.set_defaults(func=cmd_users)

    a = sub.add_parser("audit", help="审计日志")
    asub = a.add_subparsers(dest="audit_cmd", required=True, parser_class=_Parser)
    s = asub.add_parser("verify", help="校验哈希链：被改动或删除的记录，退出码 1")
    _store_arg(s)
    s = asub.add_parser("list", help="列出审计记录（最新在前）")
    s.add_argument("--user")
    s.add_argument("--action")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true")
    _store_arg(s)
    a.set_defaults(func=cmd_audit)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m lifecycle", description="重大项目全生命周期看板 命令行工具")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("months", help="列出已发布的月份")
    _store_arg(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_months)

    s = sub.add_parser("kpi", help="五率（分子/分母/比率）")
    _store_arg(s)
    s.add_argument("--month", help="YYYY-MM，默认最新一期")
    s.add_argument("--township", help="镇街/板块代码或名称")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_kpi)

    s = sub.add_parser("demo", help="生成演示数据")
    _store_arg(s)
    s.add_argument("--region", default="jiangyin")
    s.add_argument("--projects", type=int, default=800)
    s.add_argument("--months", type=int, default=36)
    s.add_argument("--seed", type=int, default=20240501)
    s.add_argument("--end-month", default=None, help="最后一期月份 YYYY-MM，默认上一个完整月份")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("bench", help="测量各指标查询耗时")
    _store_arg(s)
    s.add_argument("--month")
    s.add_argument("--repeat", type=int, default=3)
    s.set_defaults(func=cmd_bench)

    _register_accounts(sub)
    _register_optional(sub)
    return p


def _register_optional(sub) -> None:
    """Commands that live in their own modules (import, template, export, pack, bulletin)."""
    from lifecycle.cli import notify, packs, serve
    from lifecycle.ingest import importer

    for m in (importer, packs, notify):
        m.register_cli(sub, store_arg)
    serve.register_cli(sub)


def main(argv: list[str] | None = None) -> int:
    from lifecycle.query.metrics import MetricsError
    from lifecycle.store.snapshots import StoreError

    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except CliError as e:
        print(f"错误：{e}", file=sys.stderr)
        return e.code
    except (StoreError, MetricsError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
