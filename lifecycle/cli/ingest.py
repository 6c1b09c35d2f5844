"""`python -m lifecycle import | template | export | bench-import`: the monthly ledger import, its
template, the export of a published month in that format, and the import speed check."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from lifecycle.cli.common import EXIT_OK, EXIT_USAGE, EXIT_VALIDATION, CliError
from lifecycle.domain import labels, schema
from lifecycle.ingest.importer import (
    ExportError,
    ReadError,
    Source,
    export_month,
    import_ledgers,
    validate,
)
from lifecycle.ingest.template import ledger_bytes, write_ledger
from lifecycle.store.snapshots import Store, StoreError, check_month


def _cli_store(args) -> Store:
    from lifecycle.domain.config import default_store

    st = Store(args.store or default_store())
    region = getattr(args, "region", None)
    if region:
        from lifecycle.domain.reference import REGION_KEYS

        if region not in REGION_KEYS:
            raise _usage(f"未知地区：{region}（可选 {', '.join(REGION_KEYS)}）")
        if st.meta.get("region") not in (None, region):
            raise _usage(f"数据目录 {st.root} 属于地区“{st.region}”，不能导入“{region}”的台账")
    return st


def _usage(msg: str):
    return CliError(msg, EXIT_USAGE)


def cmd_import(args) -> int:
    st = _cli_store(args)
    try:
        check_month(args.month)
    except StoreError as e:
        raise _usage(str(e)) from None
    if not st.meta.get("region") and not args.region and not st.months():
        raise _usage(f"数据目录 {st.root} 尚未初始化，请用 --region 指定地区（jiangyin 或 changzhou）")
    try:
        sources = [Source.from_path(p) for p in args.files]
        res = import_ledgers(sources, args.month, st, dry_run=args.dry_run, user=args.user, region_key=args.region,
                             allow_shrink=args.allow_shrink)
    except ReadError as e:
        raise _usage(str(e)) from None
    rep = res.report
    if args.report_json:
        try:
            Path(args.report_json).write_text(json.dumps(rep.to_dict(), ensure_ascii=False, indent=1,
                                                         default=str), encoding="utf-8")
        except OSError as e:
            raise _usage(f"无法写入报告文件 {args.report_json}：{e.strerror or e}") from None
    print(rep.text(limit=None if not rep.ok else 50))
    _audit(st, "import_refused" if not rep.ok else ("publish" if not args.dry_run else None), args.month,
           ok=rep.ok, errors=len(rep.errors), files=[s.name for s in sources],
           version=(res.publication or {}).get("version") if rep.ok and not args.dry_run else None)
    if not rep.ok:
        print(f"未发布：共 {len(rep.errors)} 条错误，已发布的数据未作任何改动。", file=sys.stderr)
        return EXIT_VALIDATION
    if args.dry_run:
        print(f"校验通过（--dry-run，未发布），用时 {rep.summary['seconds']:.2f} 秒", file=sys.stderr)
    else:
        pub = res.publication
        rows = "，".join(f"{labels.IMPORT_TABLES[t]} {n} 行" for t, n in pub["rows"].items())
        print(f"已发布 {args.month}：{rows}（版本 {pub['version']}）", file=sys.stderr)
        _notify_after_publish(st, args.month, args.user)
    return EXIT_OK


def _audit(st: Store, action: str | None, target: str, ok: bool = True, **detail) -> None:
    """Record a command run on the server in the store's audit log (user `cli:<OS user>`)."""
    if action is None or not st.root.is_dir():
        return
    from lifecycle.store import audit

    audit.append(st.root, audit.cli_user(), "operator", action, target=target, ok=ok,
                 detail={k: v for k, v in detail.items() if v is not None})


def cmd_template(args) -> int:
    from lifecycle.domain.reference import REGION_KEYS

    region = args.region
    if region is None:
        st = Store(args.store) if args.store else None
        region = st.region if st is not None else "jiangyin"
    if region not in REGION_KEYS:
        raise _usage(f"未知地区：{region}（可选 {', '.join(REGION_KEYS)}）")
    try:
        write_ledger(str(args.out), region)
    except OSError as e:
        raise _usage(f"无法写入 {args.out}：{e.strerror or e}") from None
    print(f"已生成导入模板：{args.out}", file=sys.stderr)
    return EXIT_OK


def cmd_export(args) -> int:
    from lifecycle.domain.config import default_store

    st = Store(args.store or default_store())
    try:
        check_month(args.month)
    except StoreError as e:
        raise _usage(str(e)) from None
    if args.month not in st.months():
        raise _usage(f"数据目录 {st.root} 中没有 {args.month} 月的快照")
    try:
        counts = export_month(st, args.month, str(args.out))
    except OSError as e:
        raise _usage(f"无法写入 {args.out}：{e.strerror or e}") from None
    except ExportError as e:
        raise _usage(str(e)) from None
    _audit(st, "export", args.month, out=str(args.out))
    rows = "，".join(f"{labels.IMPORT_TABLES[t]} {n:,} 行" for t, n in counts.items())
    print(f"已导出 {args.month}（模板格式，{rows}，已核对行数）：{args.out}", file=sys.stderr)
    return EXIT_OK


def bench(n_projects: int = 5000, region_key: str = "jiangyin", seed: int = 11, end_month: str = "2026-10",
          workdir: Path | None = None) -> dict:
    """Time the validation of a generated `n_projects` ledger (all four sheets) against a store
    holding the previous month. Returns the timings in seconds and the row counts."""
    import tempfile

    from lifecycle import demo

    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="lc_bench_") as d:
            return bench(n_projects, region_key, seed, end_month, Path(d))
    tmp = Path(workdir)
    prev = demo.month_range(end_month, 2)[0]
    truth, appr, ops, probs = demo.generate_truth(region_key, n_projects, prev, end_month, seed)
    st = Store(tmp / "store")
    st.init(region_key)
    st.publish(prev, demo.snapshot(truth, appr, ops, probs, prev), source=["bench"], user="bench")
    tables = demo.snapshot(truth, appr, ops, probs, end_month)
    t = time.perf_counter()
    only_projects = {"projects": tables["projects"], **{k: schema.empty(k) for k in schema.TABLE_NAMES if k != "projects"}}
    proj_bytes = ledger_bytes(region_key, only_projects, end_month)
    full_bytes = ledger_bytes(region_key, tables, end_month)
    t_write = time.perf_counter() - t
    out = {"projects": n_projects, "rows": {k: v.height for k, v in tables.items()}, "write_xlsx": round(t_write, 2)}
    for name, data in (("projects_sheet", proj_bytes), ("all_sheets", full_bytes)):
        t = time.perf_counter()
        res = validate([Source("bench.xlsx", data)], end_month, st)
        out[name] = {"seconds": round(time.perf_counter() - t, 2), "errors": len(res.report.errors),
                     "warnings": len(res.report.warnings), "timings": res.report.summary["timings"]}
    return out


def cmd_bench(args) -> int:
    r = bench(args.projects, args.region)
    print(json.dumps(r, ensure_ascii=False, indent=1))
    return EXIT_OK


def register_cli(sub, store_arg) -> None:
    s = sub.add_parser("import", help="导入本月台账（Excel/CSV），校验并发布月度快照")
    s.add_argument("files", nargs="+", type=Path, metavar="FILE", help="台账文件 .xlsx / .csv（可多个）")
    s.add_argument("--month", required=True, help="数据月份 YYYY-MM")
    store_arg(s)
    s.add_argument("--dry-run", action="store_true", help="只校验，不发布")
    s.add_argument("--allow-shrink", action="store_true",
                   help="确认提供的表可以比当前快照大幅减少（超过配置的比例时默认拒绝）")
    s.add_argument("--report-json", type=Path, default=None, help="把校验报告写成 JSON")
    s.add_argument("--user", default=None, help="发布人（默认当前系统用户）")
    s.add_argument("--region", default=None, help="新建数据目录时的地区 jiangyin / changzhou")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("template", help="生成导入模板 Excel")
    s.add_argument("--out", required=True, type=Path)
    s.add_argument("--region", default=None, help="地区（决定示例镇街），默认取 --store 的地区")
    store_arg(s)
    s.set_defaults(func=cmd_template)

    s = sub.add_parser("export", help="把已发布月份导出为导入模板格式")
    store_arg(s)
    s.add_argument("--month", required=True)
    s.add_argument("--out", required=True, type=Path)
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("bench-import", help="导入校验速度测试（生成台账并计时）")
    s.add_argument("--projects", type=int, default=5000)
    s.add_argument("--region", default="jiangyin")
    s.set_defaults(func=cmd_bench)




def _notify_after_publish(st: Store, month: str, user: str | None) -> None:
    """The publish event: deliver the month's messages when `[events] on_publish` is set
    (docs/notify.md); a delivery problem is reported, the publish stands."""
    from lifecycle.outputs import notify
    from lifecycle.query.db import Database
    from lifecycle.query.metrics import Metrics

    try:
        rep = notify.on_publish(Metrics(Database(st)), month, user=user)
    except notify.NotifyError as e:
        print(f"推送未完成：{e}", file=sys.stderr)
        return
    if rep is not None:
        print(rep.text(), file=sys.stderr)
