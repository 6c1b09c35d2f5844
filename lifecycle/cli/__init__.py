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

    n = args.projects or demo.default_projects(args.region, args.months)
    demo.generate(store_dir, args.region, n, args.months, args.seed, args.end_month, progress)
    if not args.quiet:
        print(f"\n完成：{n} 个项目，{args.months} 期快照，用时 {time.time() - t0:.1f} 秒 -> {st.root}",
              file=sys.stderr)
    text = demo.ensure_demo_accounts(st.root, args.region)
    if text:
        print(text, file=sys.stderr)
    return EXIT_OK


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
    s.add_argument("--projects", type=int, default=None, help="入库项目总数（含已退库），默认按地区规模")
    s.add_argument("--months", type=int, default=36)
    s.add_argument("--seed", type=int, default=20240501)
    s.add_argument("--end-month", default=None, help="最后一期月份 YYYY-MM，默认上一个完整月份")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_demo)

    _register_optional(sub)
    return p


def _register_optional(sub) -> None:
    """Commands that live in their own modules (import, template, export, pack, bulletin, backtest, letters,
    problems, review, annual, users, audit, notify, subscriptions, leads, targets, verify, bench)."""
    from lifecycle.cli import (accounts, bench, forecast, ingest, leads, notify, packs, serve, targets, verify,
                               workflow)

    for m in (ingest, packs, forecast, workflow, accounts, notify, leads, targets, verify, bench):
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
    except OSError as e:  # disk full, permissions, … : one Chinese line, never a traceback
        from lifecycle.cli.common import EXIT_SYSTEM

        what = "磁盘空间不足" if getattr(e, "errno", None) == 28 else f"系统错误（{e.strerror or e}）"
        print(f"错误：{what}，操作未完成；已发布的数据未作任何改动", file=sys.stderr)
        return EXIT_SYSTEM
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
