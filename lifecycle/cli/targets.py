"""`python -m lifecycle targets list|import|export`: the yearly township targets 招商任务 kept in the
store (docs/domain.md §16.3). `import` reads the 招商任务 sheet (each year in it replaces that
year's targets) as `--user NAME` (an account with permission `publish`) or, without it, as the
operator; `export` writes the effective targets (store, else configuration) in the same layout.
Every write, accepted or refused, is an audit entry (`targets_import`)."""
from __future__ import annotations

import json
from pathlib import Path

from lifecycle.cli.common import EXIT_OK, EXIT_VALIDATION, CliError


def cmd_targets(args) -> int:
    from lifecycle.cli.leads import _actor, _store
    from lifecycle.domain import labels
    from lifecycle.ingest import targets_sheet
    from lifecycle.store import audit, pipeline, targets

    st = _store(args)
    root, region_key = st.root, st.region
    c = args.targets_cmd
    try:
        year = targets.check_year(args.year) if getattr(args, "year", None) else None
    except targets.TargetError as e:
        raise CliError(str(e)) from None
    if c == "list":
        years = [year] if year else targets.configured_years(root, region_key)
        out = []
        for y in years:
            _, source = targets.effective(root, region_key, y)
            for r in targets.wide(root, region_key, y).iter_rows(named=True):
                out.append({**r, "source": source})
        if args.json:
            print(json.dumps(out, ensure_ascii=False))
        else:
            print("\t".join(["年度", "单位代码", "单位名称", *labels.TARGET_MEASURES.values(), "来源"]))
            for r in out:
                print("\t".join("" if r[k] is None else (f"{r[k]:g}" if isinstance(r[k], float) else str(r[k]))
                                for k in ("year", "unit_code", "unit_name", *targets.MEASURES, "source")))
        return EXIT_OK
    if c == "export":
        data = targets_sheet.sheet_bytes(targets_sheet.export_frame(root, region_key, year))
        Path(args.path).write_bytes(data)
        print(args.path)
        return EXIT_OK
    # import
    acc = _actor(st, args.user)  # without --user: the operator (pipeline.SYSTEM, every permission)
    path = Path(args.path)
    if not path.is_file():
        raise CliError(f"文件不存在：{path}")
    ids, problems = targets_sheet.import_sheet(root, acc, path.read_bytes(), region_key, path.name)
    user = audit.cli_user() if acc is pipeline.SYSTEM else acc.name
    role = "operator" if acc is pipeline.SYSTEM else acc.role
    audit.append(root, user, role, "targets_import", scope="all", target=path.name, ok=not problems,
                 detail={"saves": ids} if not problems else {"message": problems[0], "problems": len(problems)})
    if problems:
        raise CliError("\n".join(problems), EXIT_VALIDATION)
    print(labels.UNIT_TARGET_TEXT["imported"].format(
        years="、".join(str(y) for y in sorted({int(r[0]) for r in targets.stored(root).select("year").rows()}))))
    return EXIT_OK


def register_cli(sub, store_arg) -> None:
    from lifecycle.cli.common import _Parser

    p = sub.add_parser("targets", help="招商任务（镇街年度任务：列表、导入、导出）")
    ps = p.add_subparsers(dest="targets_cmd", required=True, parser_class=_Parser)

    s = ps.add_parser("list", help="列出各年度任务（系统中维护的优先，否则为配置文件中的）")
    s.add_argument("--year", help="只列该年度")
    s.add_argument("--json", action="store_true", help="JSON 输出")
    store_arg(s)
    s.set_defaults(func=cmd_targets)

    s = ps.add_parser("import", help="从 Excel 工作表“招商任务”导入（每个年度替换该年度全部任务）")
    s.add_argument("path", help="Excel 文件（.xlsx）")
    s.add_argument("--user", help="以该账户操作（须为数据管理员）；省略时为服务器操作员")
    store_arg(s)
    s.set_defaults(func=cmd_targets)

    s = ps.add_parser("export", help="导出为 Excel 工作表“招商任务”（可再导入）")
    s.add_argument("path", help="输出文件（.xlsx）")
    s.add_argument("--year", help="只导出该年度")
    store_arg(s)
    s.set_defaults(func=cmd_targets)
