"""`python -m lifecycle pack` and `bulletin`: the quarterly meeting pack and the monthly bulletin."""
from __future__ import annotations

import re
from pathlib import Path


from lifecycle.query.metrics import ALL, PERIODS, Metrics, MetricsError, Slice, quarter_of
from lifecycle.domain.reference import region

from lifecycle.cli.common import CliError, open_metrics
from lifecycle.outputs.document import PackError
from lifecycle.outputs.fonts import find_cjk_fonts
from lifecycle.outputs.pack import build_bulletin, build_pack


# ---- command line ----------------------------------------------------------------------------
def _slice_from(m: Metrics, township: str | None) -> Slice:
    if not township:
        return ALL
    reg = region(m.region)
    unit = reg.resolve_unit(township)
    if unit is None:
        raise CliError(f"未知的镇街/板块：{township}（{reg.name}的{reg.unit_word}代码或名称）")
    return Slice(units=(unit,))


def _audit(m: Metrics, action: str, target: str, **detail) -> None:
    """Record the pack or bulletin in the store's audit log (user `cli:<OS user>`)."""
    from lifecycle.store import audit

    audit.append(m.db.store.root, audit.cli_user(), "operator", action, target=target,
                 detail={k: v for k, v in detail.items() if v is not None})


def cmd_pack(args) -> int:
    m = open_metrics(args.store)
    try:
        find_cjk_fonts()  # fail early, before any work, when no CJK font is installed
        quarter = m.check_quarter(args.quarter or quarter_of(m.latest_month()))
        if args.period not in PERIODS:
            raise CliError(f"未知统计期：{args.period}（可选 {', '.join(PERIODS)}）")
        pdf, xlsx = build_pack(m, quarter, args.out, _slice_from(m, args.township), args.period)
    except (MetricsError, PackError) as e:
        raise CliError(str(e)) from None
    _audit(m, "pack", quarter, out=str(pdf), township=args.township)
    print(pdf)
    print(xlsx)
    return 0


def cmd_bulletin(args) -> int:
    m = open_metrics(args.store)
    try:
        month = args.month or m.latest_month()
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CliError(f"月份格式应为 YYYY-MM，实际为“{month}”")
        m.check_month(month)
        find_cjk_fonts()
        pdf, xlsx = build_bulletin(m, month, args.out, _slice_from(m, args.township))
    except (MetricsError, PackError) as e:
        raise CliError(str(e)) from None
    _audit(m, "bulletin", month, out=str(pdf), township=args.township)
    print(pdf)
    print(xlsx)
    return 0


def register_cli(sub, store_arg) -> None:
    s = sub.add_parser("pack", help="季度点评会议材料（PDF + Excel）")
    store_arg(s)
    s.add_argument("--quarter", help="YYYYQn，默认最新一期所在季度")
    s.add_argument("--out", type=Path, required=True, help="输出目录")
    s.add_argument("--township", help="只输出一个镇街/板块（代码或名称）")
    s.add_argument("--period", default="ytd", help="签约备案率、备案开工率的统计期：ytd/qtd/mtd/r12，默认 ytd")
    s.set_defaults(func=cmd_pack)

    s = sub.add_parser("bulletin", help="月通报（PDF + Excel）")
    store_arg(s)
    s.add_argument("--month", help="YYYY-MM，默认最新一期")
    s.add_argument("--out", type=Path, required=True, help="输出目录")
    s.add_argument("--township", help="只输出一个镇街/板块（代码或名称）")
    s.set_defaults(func=cmd_bulletin)

