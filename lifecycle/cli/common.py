"""What every subcommand shares: the one-line Chinese error, exit codes, the --store argument
and opening the metrics of a store (Datasette's `publish/common.py` is the model)."""
from __future__ import annotations

import argparse
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


