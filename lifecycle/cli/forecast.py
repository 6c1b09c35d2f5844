"""`python -m lifecycle backtest`: the slippage forecast's honest back-test (docs/forecast.md) —
fitted at each origin month M on snapshots ≤ M only, scored on the last published snapshot, and
compared with the naive rule "late if already behind its current stage's median"."""
from __future__ import annotations

import json

from lifecycle.cli.common import CliError, open_metrics
from lifecycle.query import forecast


def _f(v, pct: bool = False) -> str:
    if v is None:
        return "—"
    return f"{v:.1%}" if pct else f"{v:.3f}"


def cmd_backtest(args) -> int:
    m = open_metrics(args.store)
    if args.horizon < 1 or args.horizon > 12:
        raise CliError(f"预判期应为 1–12 个月，实际为 {args.horizon}")
    res = forecast.backtest(m.db, horizon=args.horizon, step=args.step, min_history=args.min_history)
    s = res["summary"]
    if s is None:
        raise CliError(f"已发布的快照不足以回测：需要至少 {args.min_history + args.horizon} 期"
                       f"（现有 {len(m.months)} 期）", 1)
    if args.json:
        print(json.dumps({"store": str(m.db.store.root), "outcome_month": res["outcome_month"],
                          "horizon_months": args.horizon, "summary": s,
                          "origins": res["origins"].to_dicts(), "calibration": res["calibration"].to_dicts()},
                         ensure_ascii=False, default=str))
        return 0
    print(f"store {m.db.store.root} · region {m.region} · {len(m.months)} snapshots · outcomes from "
          f"{res['outcome_month']} · horizon {args.horizon} months")
    print(f"{'origin M':10s} {'scored':>7s} {'late':>7s} {'Brier':>7s} {'naive':>7s} {'top20':>7s} {'naive':>7s}")
    for r in res["origins"].iter_rows(named=True):
        print(f"{r['origin_month']:10s} {r['scored']:7d} {_f(r['late_share'], True):>7s} {_f(r['brier_model']):>7s} "
              f"{_f(r['brier_naive']):>7s} {_f(r['top20_model'], True):>7s} {_f(r['top20_naive'], True):>7s}")
    print(f"{'all':10s} {s['forecasts']:7d} {_f(s['late_share'], True):>7s} {_f(s['brier_model']):>7s} "
          f"{_f(s['brier_naive']):>7s} {_f(s['top20_model'], True):>7s} {_f(s['top20_naive'], True):>7s}")
    print("calibration by decile of predicted risk (n, mean predicted, observed share late):")
    for r in res["calibration"].iter_rows(named=True):
        print(f"  {r['decile']:2d}  {r['n']:5d}  {_f(r['predicted'], True):>6s}  {_f(r['observed'], True):>6s}")
    print(f"reference: a constant probability equal to the observed share late scores Brier {s['brier_base']:.3f}")
    better = s["brier_model"] < s["brier_naive"]
    print(("model beats" if better else "model does NOT beat") + " the naive rule on Brier score "
          f"({s['brier_model']:.3f} vs {s['brier_naive']:.3f}); top-20 hit rate {s['top20_model']:.1%} vs "
          f"{s['top20_naive']:.1%}")
    return 0


def register_cli(sub, store_arg) -> None:
    s = sub.add_parser("backtest", help="风险预判回测：模型与简单规则的 Brier 分数、校准、前20命中率")
    store_arg(s)
    s.add_argument("--horizon", type=int, default=forecast.HORIZON_MONTHS, help="预判期（月），默认 6")
    s.add_argument("--step", type=int, default=forecast.STEP, help="预判月份间隔（月），默认 3")
    s.add_argument("--min-history", type=int, default=forecast.MIN_HISTORY,
                   help="首个预判月份之前至少需要的快照期数，默认 12")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_backtest)
