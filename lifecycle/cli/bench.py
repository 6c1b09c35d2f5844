"""`python -m lifecycle bench`: how fast the product is on a store — per query, its time on one
month next to a bare DuckDB scan of that month's columns (and the five rates against pandas);
per page, the server run under AppTest cold / warm / after a month and a unit change, the error
boxes it showed, and the server's peak memory. See lifecycle/query/bench.py and
lifecycle/ui/bench.py; the README's performance section is written from its output."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from lifecycle.cli.common import EXIT_OK, CliError, open_metrics


def cmd_bench(args) -> int:
    """Per query: time on one month (first call, best of --repeat) next to a bare DuckDB scan of
    that month's columns, and the five rates against pandas; per page (unless --no-pages): the
    server run under AppTest cold / warm / after a month and a unit change, error boxes, and the
    server's peak memory (measured in a separate process). Ratios are what to compare."""
    import os
    import subprocess
    import tempfile

    from lifecycle.query import bench

    m = open_metrics(args.store)
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
                [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")])}
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
              f"opening the store (checksums verified, once per server process): "
              f"{pages.get('server_start_s', 0):.2f}s; peak RSS of the server after every page: "
              f"{pages['peak_rss_mb']:,.0f} MB")
        out["pages"] = pages
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return EXIT_OK


def register_cli(sub, store_arg) -> None:
    s = sub.add_parser("bench", help="测量各指标查询与各页面耗时（与裸扫描、pandas 对比）")
    store_arg(s)
    s.add_argument("--month")
    s.add_argument("--repeat", type=int, default=3)
    s.add_argument("--only", nargs="*", help="只测名称包含这些文字的查询")
    s.add_argument("--pages", nargs="*", help="只测这些页面（URL 路径，如 overview alerts）")
    s.add_argument("--no-pages", action="store_true", help="不测页面")
    s.add_argument("--no-queries", action="store_true", help="不测查询")
    s.add_argument("--json", type=Path, help="结果另存为 JSON")
    s.set_defaults(func=cmd_bench)
