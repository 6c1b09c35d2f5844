"""`python -m lifecycle notify` (deliver a month's messages; a timer calls it, docs/notify.md) and
`python -m lifecycle subscriptions add|list|disable|enable|remove`."""
from __future__ import annotations

from pathlib import Path

from lifecycle.cli.common import EXIT_OK, EXIT_VALIDATION, CliError, open_metrics
from lifecycle.domain.config import default_store
from lifecycle.outputs import notify
from lifecycle.query.metrics import MetricsError
from lifecycle.store import audit, subscriptions
from lifecycle.store.snapshots import Store


def cmd_notify(args) -> int:
    m = open_metrics(args.store)
    month = args.month or m.latest_month()
    try:
        rep = notify.run(m, month, dry_run=args.dry_run, sub_ids=args.only)
    except (MetricsError, notify.NotifyError) as e:
        raise CliError(str(e)) from None
    print(rep.text())
    for p in rep.written:
        print(p)
    return EXIT_VALIDATION if rep.failed else EXIT_OK


def _store(args) -> Store:
    st = Store(args.store or default_store())
    if not st.root.exists() or not st.region:
        raise CliError(f"数据目录 {st.root} 尚未初始化（没有地区信息）")
    return st


def cmd_sub_add(args) -> int:
    st = _store(args)
    try:
        s = subscriptions.add(st.root, st.region, name=args.name, kind=args.kind, channel=args.channel,
                              address=args.address, role=args.role, unit=args.unit, account=args.account,
                              dept=args.dept, threshold_pp=args.threshold_pp, created_by=audit.cli_user())
    except subscriptions.SubscriptionError as e:
        raise CliError(str(e)) from None
    audit.append(st.root, audit.cli_user(), None, "subscription_add", scope=s.unit_code or "all",
                 target=f"{s.channel}:{notify.mask(s.address)}", detail={"subscription": s.sub_id, "kind": s.kind})
    print(s.sub_id)
    return EXIT_OK


def cmd_sub_list(args) -> int:
    st = _store(args)
    for s in subscriptions.list_all(st.root):
        state = "启用" if s.enabled else "停用"
        who = s.account or s.role
        print(f"{s.sub_id}\t{s.name}\t{who}\t{s.unit_code or '-'}\t{subscriptions.KINDS[s.kind]}\t"
              f"{subscriptions.CHANNELS[s.channel]}\t{notify.mask(s.address)}\t{state}")
    return EXIT_OK


def _change(args, fn, action: str) -> int:
    st = _store(args)
    try:
        fn(st.root, args.sub_id)
    except subscriptions.SubscriptionError as e:
        raise CliError(str(e)) from None
    audit.append(st.root, audit.cli_user(), None, action, detail={"subscription": args.sub_id})
    return EXIT_OK


def register_cli(sub, store_arg) -> None:
    s = sub.add_parser("notify", help="推送某月的月通报、督办清单、板块摘要和阈值预警（已发送的不重复发送）")
    store_arg(s)
    s.add_argument("--month", help="月份 YYYY-MM，默认最新一期")
    s.add_argument("--dry-run", type=Path, default=None, metavar="DIR",
                   help="不发送，把每条将要发送的消息写入该目录（.eml / .json）供审阅")
    s.add_argument("--only", type=int, nargs="*", default=None, metavar="ID", help="只处理这些订阅编号")
    s.set_defaults(func=cmd_notify)

    p = sub.add_parser("subscriptions", help="管理推送订阅")
    ss = p.add_subparsers(dest="sub_command", required=True, parser_class=type(p))
    a = ss.add_parser("add", help="新增订阅")
    store_arg(a)
    a.add_argument("--name", required=True, help="收件人名称")
    a.add_argument("--kind", required=True, choices=list(subscriptions.KINDS))
    a.add_argument("--channel", required=True, choices=list(subscriptions.CHANNELS))
    a.add_argument("--address", required=True, help="邮箱地址或机器人 Webhook 地址")
    a.add_argument("--account", help="绑定的账号（角色和板块取自账号）")
    a.add_argument("--role", default="leader", choices=list(subscriptions.ROLES))
    a.add_argument("--unit", help="板块代码或名称（township 角色和 digest 必填）")
    a.add_argument("--dept", help="部门（dept_sheet 必填），如 工信局")
    a.add_argument("--threshold-pp", type=float, help="阈值预警：某率较上月下降超过 N 个百分点")
    a.set_defaults(func=cmd_sub_add)
    s = ss.add_parser("list", help="列出订阅")
    store_arg(s)
    s.set_defaults(func=cmd_sub_list)
    for name, fn, action, helptext in (
            ("disable", lambda r, i: subscriptions.set_enabled(r, i, False), "subscription_disable", "停用订阅"),
            ("enable", lambda r, i: subscriptions.set_enabled(r, i, True), "subscription_enable", "启用订阅"),
            ("remove", subscriptions.remove, "subscription_remove", "删除订阅")):
        s = ss.add_parser(name, help=helptext)
        store_arg(s)
        s.add_argument("sub_id", type=int)
        s.set_defaults(func=lambda args, fn=fn, action=action: _change(args, fn, action))
