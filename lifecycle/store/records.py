"""The store's workflow database `<store>/workflow.sqlite`: problems worked from 采集 to 办结
(`store/problems.py`) and the reminder letters / interviews recorded as sent or held
(`store/letters.py`). It lives beside `comments.sqlite` and follows the same rules
(`store/comments.py`): WAL mode, every call on its own short-lived connection, a busy timeout
for concurrent writers, writes inside `BEGIN IMMEDIATE` with `synchronous = FULL`, append-only
tables so the history is complete, ids from the database.

The acting user is always a parameter (`by`) of the writing functions: the pages pass the
logged-in user once accounts exist, a required 经办人 field until then.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

FILE_NAME = "workflow.sqlite"
BUSY_TIMEOUT_MS = 30_000

_INITIALISED: set[tuple[str, int]] = set()


class RecordError(Exception):
    """A user-facing problem with a record (message in Chinese)."""


def db_path(store_root) -> Path:
    root = store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root
    return Path(root) / FILE_NAME


def exists(store_root) -> bool:
    return db_path(store_root).exists()


@contextmanager
def connect(store_root, schema: str, write: bool = False):
    """A connection to the workflow database with `schema` (idempotent DDL) applied."""
    path = db_path(store_root)
    if not path.parent.is_dir():
        raise RecordError(f"数据目录不存在：{path.parent}")
    key = (str(path.resolve()), hash(schema))
    fresh = not path.exists()
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if fresh or key not in _INITIALISED:
            con.execute("PRAGMA journal_mode = WAL")
            con.executescript(schema)
            _INITIALISED.add(key)
        con.execute("PRAGMA synchronous = FULL")
        con.execute("PRAGMA foreign_keys = ON")
        if write:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            else:
                con.execute("COMMIT")
        else:
            yield con
    finally:
        con.close()


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def clean(value, what: str, required: bool = False, max_len: int = 200) -> str | None:
    v = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not v:
        raise RecordError(f"{what}不能为空")
    if len(v) > max_len:
        raise RecordError(f"{what}过长（{len(v)}字，最多{max_len}字）")
    return v or None


def as_date(value, what: str, required: bool = False, not_future: bool = False) -> dt.date | None:
    """A date from a date or 'YYYY-MM-DD' text; None when empty and not required."""
    if value in (None, ""):
        if required:
            raise RecordError(f"{what}不能为空")
        return None
    if isinstance(value, dt.datetime):
        d = value.date()
    elif isinstance(value, dt.date):
        d = value
    else:
        try:
            d = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise RecordError(f"{what}应为日期（如 2026-10-31），实际为“{value}”") from None
    if not_future and d > dt.date.today():
        raise RecordError(f"{what}不能晚于今天（{d.isoformat()}）")
    return d
