"""The one way the store's small SQLite databases are opened (docs/architecture.md, "Store"):
`accounts.sqlite`, `comments.sqlite`, `workflow.sqlite`, `pipeline.sqlite`, `notify.sqlite`,
`targets.sqlite`, `verification.sqlite`.

Every call gets its own short-lived connection (Streamlit serves each session on its own
thread; a connection is never shared). The rules are the same for every database:

- WAL journal and a 30 s busy timeout, so readers never block a writer and concurrent writers
  wait for each other instead of failing;
- the schema (idempotent DDL) is applied once per database file and schema per process;
- a write runs inside `BEGIN IMMEDIATE` … `COMMIT` with `synchronous = FULL` (rolled back on any
  error), so a crash never leaves half a change;
- `readonly=True` reads open the file with `mode=ro` and `query_only`: they never write (no WAL
  switch, no schema), so they work on a full disk or a read-only copy; the caller checks first
  that the file exists.
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

BUSY_TIMEOUT_MS = 30_000

_INITIALISED: set[tuple[str, int]] = set()


@contextmanager
def connect(path: Path, schema: str, *, error: type[Exception], write: bool = False,
            readonly: bool = False, create_dir: bool = False, private: bool = False):
    """A connection to the database file `path`. A missing store directory raises `error` with
    a Chinese message (or is created with `create_dir`); `private` makes a new file readable by
    the service account only (0600)."""
    path = Path(path)
    if not path.parent.is_dir():
        if not create_dir:
            raise error(f"数据目录不存在：{path.parent}")
        path.parent.mkdir(parents=True, exist_ok=True)
    if readonly and not write:
        con = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                              isolation_level=None)
        try:
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA query_only = ON")
            yield con
        finally:
            con.close()
        return
    key = (str(path.resolve()), hash(schema))
    fresh = not path.exists()
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        if fresh and private:
            os.chmod(path, 0o600)
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


def select(path: Path, schema: str, table: str, columns, order_by: str, *, error: type[Exception],
           where: dict | None = None, readonly: bool = True) -> list[tuple]:
    """The rows of `table` (its `columns`, in order) where column = value for each item of
    `where` whose value is not None, ordered by `order_by`; no rows when the file does not exist
    yet. Names come from the code, never from a person; values are bound. `readonly=False` for a
    file several modules share, each with its own tables: the schema is applied before reading."""
    if not Path(path).exists():
        return []
    sql = f"SELECT {', '.join(columns)} FROM {table}"
    where = {k: v for k, v in (where or {}).items() if v is not None}
    if where:
        sql += " WHERE " + " AND ".join(f"{k} = ?" for k in where)
    with connect(path, schema, error=error, readonly=readonly) as con:
        return con.execute(f"{sql} ORDER BY {order_by}", tuple(where.values())).fetchall()
