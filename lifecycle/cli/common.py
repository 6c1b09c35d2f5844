"""What every subcommand shares: the one-line Chinese error, exit codes, the --store argument
and opening the metrics of a store (Datasette's `publish/common.py` is the model)."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from lifecycle.domain.config import default_store

EXIT_OK, EXIT_VALIDATION, EXIT_USAGE = 0, 1, 2
EXIT_SYSTEM = 3  # the system failed (disk full, permissions): nothing was changed


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default prints usage + exits 2; keep it one line
        raise CliError(f"参数错误：{message}（用 --help 查看用法）", EXIT_USAGE)


def store_arg(p):
    p.add_argument("--store", type=Path, default=None,
                   help="数据目录（含 snapshots/），默认 $LIFECYCLE_STORE 或仓库 data/")


def open_metrics(store_dir: Path | None):
    from lifecycle.query.db import Database
    from lifecycle.query.metrics import Metrics
    from lifecycle.store.snapshots import Store

    st = Store(store_dir or default_store())
    if not st.root.exists():
        raise CliError(f"数据目录不存在：{st.root}")
    if not st.months():
        raise CliError(f"数据目录 {st.root} 中没有已发布的快照（可先运行 python -m lifecycle demo --store {st.root}）")
    m = Metrics(Database(st))
    for p in m.db.problems:  # months taken out of service by the integrity check: named, not hidden
        import sys

        print(f"警告：{p['message']}", file=sys.stderr)
    return m




def month_of(m, month: str | None) -> str:
    """A published month from --month (default: the latest), as a one-line error otherwise."""
    from lifecycle.query.metrics import MetricsError

    month = month or m.latest_month()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise CliError(f"月份格式应为 YYYY-MM，实际为“{month}”")
    try:
        return m.check_month(month)
    except MetricsError as e:
        raise CliError(str(e)) from None


def unit_of(region_key: str, text: str | None) -> str | None:
    """The unit code a --township / --unit value names (code or name); None when not given."""
    from lifecycle.domain.reference import region

    if not text:
        return None
    reg = region(region_key)
    unit = reg.resolve_unit(text)
    if unit is None:
        raise CliError(f"未知的{reg.unit_word}：{text}（{reg.name}的{reg.unit_word}代码或名称）")
    return unit


WHEN_ARGS = {"month": ("--month", "YYYY-MM，默认最新一期"),
             "quarter": ("--quarter", "YYYYQn，默认最新一期所在季度"),
             "year": ("--year", "YYYY，默认最新一期所在年度")}


def output_command(sub, name: str, help: str, func, when: str = "month", township: bool = False):
    """A subcommand that writes documents for one period into --out: --store, the period
    (`WHEN_ARGS`), --out and optionally --township. Returns the parser for extra arguments."""
    s = sub.add_parser(name, help=help)
    store_arg(s)
    flag, text = WHEN_ARGS[when]
    s.add_argument(flag, help=text)
    s.add_argument("--out", type=Path, required=True, help="输出目录")
    if township:
        s.add_argument("--township", help="只输出一个镇街/板块（代码或名称）")
    s.set_defaults(func=func)
    return s


USER_HELP = "以该账户操作（角色权限与单位范围）；省略时为系统用户 system"


def command_group(sub, name: str, help: str, func, store_arg, user: bool = True, month: bool = False):
    """A command with subcommands acting as an account (`leads`, `verify`): returns its
    subparsers and `common(parser)`, which adds --store, --user (and --month) and the handler."""
    p = sub.add_parser(name, help=help)
    ps = p.add_subparsers(dest=f"{name}_cmd", required=True, parser_class=_Parser)

    def common(s):
        store_arg(s)
        if user:
            s.add_argument("--user", help=USER_HELP)
        if month:
            s.add_argument("--month", help="快照月份 YYYY-MM，默认最新一期")
        s.set_defaults(func=func)
    return ps, common
