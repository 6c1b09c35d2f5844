"""`python -m lifecycle letters` and `problems`: the 提醒函/约谈 lists and letters per department
and the departments' problem sheets (docs/domain.md §11–12)."""
from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from lifecycle.cli.common import CliError, month_of, open_metrics, output_command
from lifecycle.query.metrics import MetricsError


def cmd_letters(args) -> int:
    from lifecycle.outputs import letters

    m = open_metrics(args.store)
    for p in letters.write_all(m, month_of(m, args.month), args.out):
        print(p)
    return 0


def cmd_problems(args) -> int:
    from lifecycle.domain.reference import region
    from lifecycle.outputs import problems

    m = open_metrics(args.store)
    month = month_of(m, args.month)
    reg = region(m.region)
    rows = m.problems(month)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    days = int(m.thresholds.get("problem_deadline_days", 30))
    for dept in sorted(rows.filter(pl.col("dept").is_not_null())["dept"].unique().to_list()):
        p = out / problems.file_name(dept, month, reg.name)
        p.write_bytes(problems.dept_sheet_bytes(rows, dept, month, days, reg.name))
        print(p)
    return 0


def _documents(build) -> int:
    """Write the documents `build()` returns (fonts checked first) and print their paths."""
    from lifecycle.outputs.document import PackError
    from lifecycle.outputs.fonts import find_cjk_fonts

    try:
        find_cjk_fonts()
        for p in build():
            print(p)
    except (MetricsError, PackError) as e:
        raise CliError(str(e)) from None
    return 0


def cmd_review(args) -> int:
    from lifecycle.outputs import cadence

    m = open_metrics(args.store)
    month = month_of(m, args.month)
    return _documents(lambda: cadence.build_review(m, month, args.out))


def cmd_annual(args) -> int:
    from lifecycle.outputs import cadence

    m = open_metrics(args.store)
    year = args.year or m.latest_month()[:4]
    if not re.fullmatch(r"\d{4}", str(year)):
        raise CliError(f"年度格式应为 YYYY，实际为“{year}”")
    return _documents(lambda: cadence.build_annual(m, year, args.out))


def register_cli(sub, store_arg) -> None:
    output_command(sub, "review", "双月过堂会材料（PDF + Excel）", cmd_review)
    output_command(sub, "annual", "年度考核表（PDF + Excel）", cmd_annual, when="year")
    output_command(sub, "letters", "提醒函/约谈：按督办部门输出清单（Excel）和文书（Word）", cmd_letters)
    output_command(sub, "problems", "矛盾问题：按责任部门输出督办表（Excel）", cmd_problems)
