"""Command line: `python -m lifecycle <command> ...`.

User mistakes (missing store, month, township, bad arguments) end with a one-line Chinese
message on stderr and a non-zero exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from lifecycle.domain.config import default_store

EXIT_OK, EXIT_VALIDATION, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default prints usage + exits 2; keep it one line
        raise CliError(f"参数错误：{message}（用 --help 查看用法）", EXIT_USAGE)


def _store_arg(p):
    p.add_argument("--store", type=Path, default=None,
                   help="数据目录（含 snapshots/），默认 $LIFECYCLE_STORE 或仓库 data/")


def _open_metrics(store_dir: Path | None):
    from lifecycle.query.db import Database
    from lifecycle.query.metrics import Metrics
    from lifecycle.store.snapshots import Store

    st = Store(store_dir or default_store())
    if not st.root.exists():
        raise CliError(f"数据目录不存在：{st.root}")
    if not st.months():
        raise CliError(f"数据目录 {st.root} 中没有已发布的快照（可先运行 python -m lifecycle demo --store {st.root}）")
    return Metrics(Database(st))


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
    return EXIT_OK


def cmd_bench(args) -> int:
    """Per query: time on one month (first call, best of --repeat) next to a bare DuckDB scan of
    that month's columns, and the five rates against pandas; per page (unless --no-pages): the
    server run under AppTest cold / warm / after a month and a unit change, error boxes, and the
    server's peak memory (measured in a separate process). Ratios are what to compare."""
    import os
    import subprocess
    import tempfile

    from lifecycle.query import bench

    m = _open_metrics(args.store)
    month = args.month or m.latest_month()
    m.check_month(month)
    st = m.db.store
    n = st.read(month, "projects").height
    print(f"store {st.root} · month {month} · {n:,} projects · {len(m.months)} snapshots · best of {args.repeat}")
    out = {"store": str(st.root), "month": month, "projects": n, "snapshots": len(m.months)}
    if not args.no_queries:
        rows = bench.run_queries(m, month, args.repeat, args.only)
        print(f"\n{'query':34s} {'first':>9s} {'best':>9s} {'bare scan':>10s} {'÷ scan':>7s}"
              f" {'cpu best':>9s} {'cpu scan':>9s} {'÷':>6s}")
        for r in rows:
            mark = "*" if r.target else " "
            print(f"{r.name:33s}{mark} {r.first_s * 1000:7.1f}ms {r.best_s * 1000:7.1f}ms "
                  f"{r.scan_s * 1000:8.1f}ms {r.ratio:6.2f}× {r.best_cpu_s * 1000:7.1f}ms {r.scan_cpu_s * 1000:7.1f}ms "
                  f"{r.cpu_ratio:5.2f}×")
        print("(* the queries the goal holds to ≤ 2× the bare scan of their month's columns; first = the first call,"
              " which also materialises the month's models; cpu = CPU time of every thread)")
        pd_ = bench.run_pandas(m, month, args.repeat)
        print(f"\nfive rates: product {pd_['product_s'] * 1000:.1f} ms · pandas {pd_['pandas_s'] * 1000:.1f} ms · "
              f"pandas ÷ product {pd_['ratio']:.1f}× (CPU {pd_['product_cpu_s'] * 1000:.1f} vs "
              f"{pd_['pandas_cpu_s'] * 1000:.1f} ms: {pd_['cpu_ratio']:.1f}×) · same numbers: "
              f"{'yes' if pd_['agree'] else 'NO'}")
        out["queries"] = [{"name": r.name, "first_s": r.first_s, "best_s": r.best_s, "scan_s": r.scan_s,
                           "ratio": r.ratio, "target": r.target, "best_cpu_s": r.best_cpu_s,
                           "scan_cpu_s": r.scan_cpu_s} for r in rows]
        out["pandas"] = pd_
    m.db.close()
    if not args.no_pages:
        with tempfile.TemporaryDirectory() as tmp:
            res_path = os.path.join(tmp, "pages.json")
            cmd = [sys.executable, "-m", "lifecycle.ui.bench", "--store", str(st.root), "--json", res_path]
            if args.pages:
                cmd += ["--pages", *args.pages]
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
            proc = subprocess.run(cmd, env=env)
            if proc.returncode != 0:
                raise CliError("页面测量失败（见上方输出）", 1)
            pages = json.loads(Path(res_path).read_text(encoding="utf-8"))
        print(f"\n{'page (server run under AppTest)':34s} {'cold':>7s} {'warm':>7s} {'month Δ':>8s} {'unit Δ':>7s}  error boxes")

        def s(v):
            return "   —  " if v is None else f"{v:6.2f}s"

        for r in pages["pages"]:
            probs = "; ".join(r["problems"]) or "none"
            print(f"{r['title'] + ' (' + r['page'] + ')':30s} {s(r.get('cold_s'))} {s(r.get('warm_s'))} "
                  f"{s(r.get('month_change_s'))}  {s(r.get('unit_change_s'))}  {probs[:160]}")
        print(f"month change {pages['month']} → {pages['previous_month']}, unit change → {pages['unit']}; "
              f"peak RSS of the server after every page: {pages['peak_rss_mb']:,.0f} MB")
        out["pages"] = pages
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
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
    s.add_argument("--projects", type=int, default=800)
    s.add_argument("--months", type=int, default=36)
    s.add_argument("--seed", type=int, default=20240501)
    s.add_argument("--end-month", default=None, help="最后一期月份 YYYY-MM，默认上一个完整月份")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("bench", help="测量各指标查询与各页面耗时（与裸扫描、pandas 对比）")
    _store_arg(s)
    s.add_argument("--month")
    s.add_argument("--repeat", type=int, default=3)
    s.add_argument("--only", nargs="*", help="只测名称包含这些文字的查询")
    s.add_argument("--pages", nargs="*", help="只测这些页面（URL 路径，如 overview alerts）")
    s.add_argument("--no-pages", action="store_true", help="不测页面")
    s.add_argument("--no-queries", action="store_true", help="不测查询")
    s.add_argument("--json", type=Path, help="结果另存为 JSON")
    s.set_defaults(func=cmd_bench)

    _register_optional(sub)
    return p


def _register_optional(sub) -> None:
    """Commands provided by other modules (import, template, pack, bulletin) register here."""
    import importlib

    for mod in ("lifecycle.ingest.importer", "lifecycle.outputs.pack"):
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if e.name == mod:
                continue
            raise
        m.register_cli(sub, _store_arg)


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
