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
from pathlib import Path

from lifecycle.store import inputs, sqlite

FILE_NAME = "workflow.sqlite"


class RecordError(Exception):
    """A user-facing problem with a record (message in Chinese)."""


def db_path(store_root) -> Path:
    root = store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root
    return Path(root) / FILE_NAME


def exists(store_root) -> bool:
    return db_path(store_root).exists()


def connect(store_root, schema: str, write: bool = False):
    """A connection to the workflow database with `schema` (idempotent DDL) applied."""
    return sqlite.connect(db_path(store_root), schema, error=RecordError, write=write)


now = inputs.now


def clean(value, what: str, required: bool = False, max_len: int = 200) -> str | None:
    return inputs.text(value, what, RecordError, required=required, max_len=max_len)


def as_date(value, what: str, required: bool = False, not_future: bool = False) -> dt.date | None:
    """A date from a date or 'YYYY-MM-DD' text; None when empty and not required."""
    return inputs.date(value, what, RecordError, required=required, not_future=not_future)


def select(store_root, schema: str, table: str, columns, order_by: str, where: dict | None = None) -> list[tuple]:
    """The rows of `table` (its `columns`, in order), optionally where column = value for each
    item of `where`, ordered by `order_by`; no rows when the database does not exist yet.
    Table and column names come from the code, never from a person; values are bound."""
    # workflow.sqlite holds the problems' and the letters' tables: the reader's schema is applied
    return sqlite.select(db_path(store_root), schema, table, columns, order_by, error=RecordError,
                         where={k: None if v is None else str(v) for k, v in (where or {}).items()}, readonly=False)
