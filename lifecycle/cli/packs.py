"""`python -m lifecycle pack` and `bulletin`: the quarterly meeting pack and the monthly bulletin."""
from __future__ import annotations



from lifecycle.query.metrics import ALL, PERIODS, Metrics, MetricsError, Slice, quarter_of

from lifecycle.cli.common import CliError, month_of, open_metrics, output_command, unit_of
from lifecycle.outputs.document import PackError
from lifecycle.outputs.fonts import find_cjk_fonts
from lifecycle.outputs.pack import build_bulletin, build_pack


# ---- command line ----------------------------------------------------------------------------
def _slice_from(m: Metrics, township: str | None) -> Slice:
    unit = unit_of(m.region, township)
    return ALL if unit is None else Slice(units=(unit,))


def _audit(m: Metrics, action: str, target: str, **detail) -> None:
    """Record the pack or bulletin in the store's audit log (user `cli:<OS user>`)."""
    from lifecycle.store import audit

    audit.append(m.db.store.root, audit.cli_user(), "operator", action, target=target,
                 detail={k: v for k, v in detail.items() if v is not None})


def _write(m: Metrics, action: str, target: str, township: str | None, build) -> int:
    """Build one document pair (fonts checked first), record it in the audit log, print the paths."""
    try:
        find_cjk_fonts()  # fail early, before any work, when no CJK font is installed
        pdf, xlsx = build()
    except (MetricsError, PackError) as e:
        raise CliError(str(e)) from None
    _audit(m, action, target, out=str(pdf), township=township)
    print(pdf)
    print(xlsx)
    return 0


def cmd_pack(args) -> int:
    m = open_metrics(args.store)
    try:
        quarter = m.check_quarter(args.quarter or quarter_of(m.latest_month()))
    except MetricsError as e:
        raise CliError(str(e)) from None
    if args.period not in PERIODS:
        raise CliError(f"未知统计期：{args.period}（可选 {', '.join(PERIODS)}）")
    sl = _slice_from(m, args.township)
    return _write(m, "pack", quarter, args.township, lambda: build_pack(m, quarter, args.out, sl, args.period))


def cmd_bulletin(args) -> int:
    m = open_metrics(args.store)
    month = month_of(m, args.month)
    sl = _slice_from(m, args.township)
    return _write(m, "bulletin", month, args.township, lambda: build_bulletin(m, month, args.out, sl))


def register_cli(sub, store_arg) -> None:
    s = output_command(sub, "pack", "季度点评会议材料（PDF + Excel）", cmd_pack, when="quarter", township=True)
    s.add_argument("--period", default="ytd", help="签约备案率、备案开工率的统计期：ytd/qtd/mtd/r12，默认 ytd")
    output_command(sub, "bulletin", "月通报（PDF + Excel）", cmd_bulletin, township=True)
