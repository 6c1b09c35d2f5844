"""Comments recorded in quarterly review sessions (点评意见), stored durably in the store.

Storage: one SQLite database `<store>/comments.sqlite`, opened by `lifecycle/store/sqlite.py`
(WAL; each call on its own short-lived connection, safe from any thread, Streamlit session or
process; a busy timeout for a concurrent writer; writes inside a `BEGIN IMMEDIATE` transaction
with `synchronous = FULL`), so a saved comment survives a crash or restart and two people saving at the
same time never lose each other's comment (SQLite serialises the writers; ids come from the
database, never from the caller).

Model: `comments` holds one row per comment (its target, quarter, original author and time);
`comment_versions` holds every version of its content (text, follow-up state, department,
deleted flag, who changed it and when). An edit appends a version; nothing is ever updated
in place or removed, so the history is complete. The current content is the latest version.
A deletion is a version with `deleted = 1` (a soft flag; the history stays).

`comment_answers` holds the answers (回复/整改说明) a township gives to the comments made on its
unit: one row each, appended, never changed.

Edits can name the version they were based on (`base_version`): if somebody else saved a newer
version in the meantime, the edit is refused with a Chinese message instead of silently
replacing what the other person wrote.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import polars as pl

from lifecycle.domain import calendar, labels
from lifecycle.store import inputs, sqlite

FILE_NAME = "comments.sqlite"
MAX_TEXT = 5000
TARGET_KINDS = tuple(labels.COMMENT_TARGETS)
FOLLOW_UP_STATES = tuple(labels.FOLLOW_UP_STATES)
_QUARTER_RE = re.compile(r"^\d{4}Q[1-4]$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS comments (
    comment_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('project', 'unit')),
    target_id    TEXT NOT NULL,
    unit_code    TEXT,
    quarter      TEXT NOT NULL,
    author       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS comment_versions (
    comment_id   INTEGER NOT NULL REFERENCES comments (comment_id),
    version      INTEGER NOT NULL,
    text         TEXT NOT NULL,
    follow_up    TEXT,
    department   TEXT,
    deleted      INTEGER NOT NULL DEFAULT 0,
    edited_by    TEXT NOT NULL,
    edited_at    TEXT NOT NULL,
    PRIMARY KEY (comment_id, version)
);
CREATE TABLE IF NOT EXISTS comment_answers (
    answer_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id   INTEGER NOT NULL REFERENCES comments (comment_id),
    text         TEXT NOT NULL,
    author       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comment_answers_comment ON comment_answers (comment_id);
CREATE INDEX IF NOT EXISTS comments_quarter ON comments (quarter, target_kind, target_id);
CREATE INDEX IF NOT EXISTS comments_target ON comments (target_kind, target_id);
CREATE VIEW IF NOT EXISTS current_comments AS
SELECT c.comment_id, c.target_kind, c.target_id, c.unit_code, c.quarter, c.author, c.created_at,
       v.version, v.text, v.follow_up, v.department, v.deleted, v.edited_by, v.edited_at
FROM comments AS c
JOIN comment_versions AS v
  ON v.comment_id = c.comment_id
 AND v.version = (SELECT max(version) FROM comment_versions WHERE comment_id = c.comment_id);
"""

COLUMNS = ["comment_id", "target_kind", "target_id", "unit_code", "quarter", "author", "created_at",
           "version", "text", "follow_up", "department", "deleted", "edited_by", "edited_at"]
_SCHEMA_PL = {"comment_id": pl.Int64, "target_kind": pl.String, "target_id": pl.String,
              "unit_code": pl.String, "quarter": pl.String, "author": pl.String,
              "created_at": pl.String, "version": pl.Int64, "text": pl.String,
              "follow_up": pl.String, "department": pl.String, "deleted": pl.Boolean,
              "edited_by": pl.String, "edited_at": pl.String}


class CommentError(Exception):
    """A user-facing problem with a comment (message in Chinese)."""


def db_path(store_root) -> Path:
    """The comment database of a store (a Store, or the store directory as str/Path)."""
    root = store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root
    return Path(root) / FILE_NAME


def _connect(store_root, write: bool = False):
    # reading never writes (lifecycle/store/sqlite.py): callers check that the file exists first
    return sqlite.connect(db_path(store_root), _SCHEMA, error=CommentError, write=write, readonly=not write)


_now = inputs.now


def _clean(value, what: str, required: bool = False, max_len: int = 200) -> str | None:
    return inputs.text(value, what, CommentError, required=required, max_len=max_len)


def check_quarter(quarter: str) -> str:
    q = (quarter or "").strip().upper()
    if not _QUARTER_RE.match(q):
        raise CommentError(f"季度格式应为 YYYYQn（如 2026Q3），实际为“{quarter}”")
    return q


def previous_quarter(quarter: str) -> str:
    return calendar.previous_quarter(check_quarter(quarter))


def _check_follow_up(state) -> str | None:
    if state in (None, ""):
        return None
    return inputs.key_of(state, labels.FOLLOW_UP_STATES, "跟进状态", CommentError)


# ---- writing ----------------------------------------------------------------------------------
def add(store_root, target_kind: str, target_id: str, quarter: str, author: str, text: str,
        follow_up: str | None = None, department: str | None = None, unit_code: str | None = None) -> int:
    """Record a new comment; returns its id. `unit_code` is the township/unit the comment belongs
    to (for a unit comment it is the target itself)."""
    if target_kind not in TARGET_KINDS:
        raise CommentError(f"点评对象类型“{target_kind}”无效（可选：项目、镇街/板块）")
    target_id = _clean(target_id, "点评对象", required=True)
    quarter = check_quarter(quarter)
    author = _clean(author, "点评人", required=True, max_len=50)
    text = _clean(text, "点评意见", required=True, max_len=MAX_TEXT)
    follow_up = _check_follow_up(follow_up)
    department = _clean(department, "责任部门", max_len=100)
    unit_code = target_id if target_kind == "unit" else _clean(unit_code, "板块代码")
    now = _now()
    with _connect(store_root, write=True) as con:
        cur = con.execute(
            "INSERT INTO comments (target_kind, target_id, unit_code, quarter, author, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", (target_kind, target_id, unit_code, quarter, author, now))
        cid = cur.lastrowid
        con.execute(
            "INSERT INTO comment_versions (comment_id, version, text, follow_up, department, deleted, "
            "edited_by, edited_at) VALUES (?, 1, ?, ?, ?, 0, ?, ?)",
            (cid, text, follow_up, department, author, now))
    return int(cid)


_KEEP = object()


def edit(store_root, comment_id: int, author: str, text=_KEEP, follow_up=_KEEP, department=_KEEP,
         base_version: int | None = None, deleted: bool = False) -> int:
    """Save a new version of a comment (fields not given keep their current value); returns the
    new version number. With `base_version`, refuse if a newer version was saved meanwhile."""
    author = _clean(author, "修改人", required=True, max_len=50)
    with _connect(store_root, write=True) as con:
        row = con.execute(
            "SELECT version, text, follow_up, department, deleted FROM current_comments WHERE comment_id = ?",
            (int(comment_id),)).fetchone()
        if row is None:
            raise CommentError(f"没有编号为 {comment_id} 的点评意见")
        version, cur_text, cur_follow, cur_dept, cur_deleted = row
        if base_version is not None and int(base_version) != version:
            raise CommentError(
                f"点评意见 {comment_id} 已被他人修改（当前为第{version}版，您修改的是第{base_version}版），"
                "请刷新后在最新版本上修改，原有内容均已保留在修改记录中")
        if cur_deleted and not deleted:
            raise CommentError(f"点评意见 {comment_id} 已删除，不能修改")
        new_text = cur_text if text is _KEEP else _clean(text, "点评意见", required=True, max_len=MAX_TEXT)
        new_follow = cur_follow if follow_up is _KEEP else _check_follow_up(follow_up)
        new_dept = cur_dept if department is _KEEP else _clean(department, "责任部门", max_len=100)
        new_version = version + 1
        con.execute(
            "INSERT INTO comment_versions (comment_id, version, text, follow_up, department, deleted, "
            "edited_by, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (int(comment_id), new_version, new_text, new_follow, new_dept, int(bool(deleted)), author, _now()))
    return new_version


def delete(store_root, comment_id: int, author: str, base_version: int | None = None) -> int:
    """Soft-delete: a new version flagged deleted (the history keeps every earlier version)."""
    return edit(store_root, comment_id, author, base_version=base_version, deleted=True)


def answer(store_root, comment_id: int, author: str, text: str, unit_code: str | None = None) -> int:
    """Record an answer (回复/整改说明) to a comment; returns its id. With `unit_code` (a township
    account's unit), a comment made on another unit is refused."""
    author = _clean(author, "回复人", required=True, max_len=50)
    text = _clean(text, "回复内容", required=True, max_len=MAX_TEXT)
    with _connect(store_root, write=True) as con:
        row = con.execute("SELECT unit_code, deleted FROM current_comments WHERE comment_id = ?",
                          (int(comment_id),)).fetchone()
        if row is None:
            raise CommentError(f"没有编号为 {comment_id} 的点评意见")
        if row[1]:
            raise CommentError(f"点评意见 {comment_id} 已删除，不能回复")
        if unit_code is not None and row[0] != unit_code:
            raise CommentError(f"无权回复：点评意见 {comment_id} 不是针对本单位的")
        cur = con.execute("INSERT INTO comment_answers (comment_id, text, author, created_at) VALUES (?, ?, ?, ?)",
                          (int(comment_id), text, author, _now()))
    return int(cur.lastrowid)


_ANSWER_SCHEMA = {"answer_id": pl.Int64, "comment_id": pl.Int64, "text": pl.String, "author": pl.String,
                  "created_at": pl.String}


def answers(store_root, comment_ids=None) -> pl.DataFrame:
    """The answers to the given comments (all when None), oldest first."""
    if not _exists(store_root):
        return pl.DataFrame(schema=_ANSWER_SCHEMA)
    sql = "SELECT answer_id, comment_id, text, author, created_at FROM comment_answers"
    args: list = []
    if comment_ids is not None:
        ids = [int(i) for i in comment_ids]
        if not ids:
            return pl.DataFrame(schema=_ANSWER_SCHEMA)
        sql += f" WHERE comment_id IN ({', '.join('?' * len(ids))})"
        args = ids
    with _connect(store_root) as con:
        rows = con.execute(sql + " ORDER BY created_at, answer_id", args).fetchall()
    return pl.DataFrame(rows, schema=list(_ANSWER_SCHEMA.items()), orient="row") if rows else \
        pl.DataFrame(schema=_ANSWER_SCHEMA)


def with_answers(store_root, df: pl.DataFrame) -> pl.DataFrame:
    """`df` (comments) with a column `answers`: every answer as “text（author，time）”, one per line."""
    ans = answers(store_root, df["comment_id"].to_list())
    if ans.is_empty():
        return df.with_columns(pl.lit(None, dtype=pl.String).alias("answers"))
    joined = ans.group_by("comment_id", maintain_order=True).agg(
        (pl.col("text") + "（" + pl.col("author") + "，" + pl.col("created_at").str.replace("T", " ").str.slice(0, 16)
         + "）").str.join("\n").alias("answers"))
    return df.join(joined, on="comment_id", how="left")


# ---- reading ----------------------------------------------------------------------------------
def _frame(rows) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=_SCHEMA_PL)
    return pl.DataFrame(rows, schema=list(_SCHEMA_PL.items()), orient="row")


def _exists(store_root) -> bool:
    return db_path(store_root).exists()


def list_comments(store_root, quarter: str | None = None, target_kind: str | None = None,
                  target_id: str | None = None, unit_code: str | None = None,
                  include_deleted: bool = False) -> pl.DataFrame:
    """Current version of every matching comment, oldest first."""
    if not _exists(store_root):
        return _frame([])
    given = {"quarter": None if quarter is None else check_quarter(quarter), "target_kind": target_kind,
             "target_id": None if target_id is None else str(target_id), "unit_code": unit_code}
    where = [f"{k} = ?" for k, v in given.items() if v is not None]
    args = [v for v in given.values() if v is not None]
    if not include_deleted:
        where.append("deleted = 0")
    sql = f"SELECT {', '.join(COLUMNS)} FROM current_comments"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY created_at, comment_id"
    with _connect(store_root) as con:
        rows = con.execute(sql, args).fetchall()
    return _frame(rows)


def last_quarter(store_root, quarter: str, **filters) -> pl.DataFrame:
    """The previous quarter's comments (shown as 上季度点评意见 in the next review)."""
    return list_comments(store_root, previous_quarter(quarter), **filters)


def for_project(store_root, project_id: str, include_deleted: bool = False) -> pl.DataFrame:
    """Every comment recorded against a project, all quarters, newest first (for the project file)."""
    df = list_comments(store_root, target_kind="project", target_id=project_id, include_deleted=include_deleted)
    return df.sort(["quarter", "created_at", "comment_id"], descending=True)


def get(store_root, comment_id: int) -> dict | None:
    """The current version of one comment (deleted ones included), or None."""
    if not _exists(store_root):
        return None
    with _connect(store_root) as con:
        row = con.execute(f"SELECT {', '.join(COLUMNS)} FROM current_comments WHERE comment_id = ?",
                          (int(comment_id),)).fetchone()
    return _frame([row]).row(0, named=True) if row else None


def history(store_root, comment_id: int) -> pl.DataFrame:
    """Every version of a comment, first to last."""
    if not _exists(store_root):
        return _frame([])
    with _connect(store_root) as con:
        rows = con.execute(
            "SELECT c.comment_id, c.target_kind, c.target_id, c.unit_code, c.quarter, c.author, c.created_at, "
            "v.version, v.text, v.follow_up, v.department, v.deleted, v.edited_by, v.edited_at "
            "FROM comments AS c JOIN comment_versions AS v USING (comment_id) "
            "WHERE c.comment_id = ? ORDER BY v.version", (int(comment_id),)).fetchall()
    return _frame(rows)


def display(df: pl.DataFrame, names: dict[str, str] | None = None) -> pl.DataFrame:
    """Comments ready to show: Chinese enumerations, the target's name (from `names`, id -> name)."""
    names = names or {}
    return df.select(
        "comment_id", "quarter",
        pl.col("target_kind").replace(labels.COMMENT_TARGETS).alias("target_kind"),
        "target_id",
        pl.col("target_id").replace_strict(names, default=pl.col("target_id")).alias("target_name"),
        "text", "author", "created_at",
        pl.col("follow_up").replace(labels.FOLLOW_UP_STATES).alias("follow_up"),
        "department", "version", "edited_by", "edited_at",
        *(["answers"] if "answers" in df.columns else []),
    )


def quarter_counts(store_root) -> dict[str, int]:
    """{quarter: number of (not deleted) comments}."""
    if not _exists(store_root):
        return {}
    with _connect(store_root) as con:
        rows = con.execute("SELECT quarter, count(*) FROM current_comments WHERE deleted = 0 GROUP BY quarter").fetchall()
    return dict(rows)


__all__ = ["CommentError", "add", "edit", "delete", "answer", "answers", "with_answers", "get", "history", "list_comments", "last_quarter",
           "for_project", "previous_quarter", "display", "db_path", "quarter_counts"]


# ---- comments with the project library (used by the quarterly page and the pack) -------------
def target_names(reg, projects: pl.DataFrame) -> dict[str, str]:
    """id -> name for comment targets: every project of `projects` and every unit of the region."""
    names = dict(zip(projects["project_id"].to_list(), projects["name"].to_list()))
    names.update({u.code: u.name for u in reg.units.values()})
    return names


def quarter_comments(store_root, quarter: str, projects: pl.DataFrame,
                     units: tuple[str, ...] | None = None) -> pl.DataFrame:
    """The quarter's current comments, each with the unit it belongs to (a project's unit in
    `projects`, else the unit recorded with the comment), restricted to `units` when given."""
    df = list_comments(store_root, quarter)
    unit_of = dict(zip(projects["project_id"].to_list(), projects["unit_code"].to_list()))
    df = df.with_columns(
        pl.when(pl.col("target_kind") == "project")
        .then(pl.col("target_id").replace_strict(unit_of, default=pl.col("unit_code")))
        .otherwise(pl.col("target_id")).alias("unit_code"))
    if units:
        df = df.filter(pl.col("unit_code").is_in(list(units)))
    return df


def comment_table(df: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """The columns of a comment list as shown and exported."""
    return display(df, names).select(
        "comment_id", "target_kind", "target_name", "text", "author", "created_at", "follow_up", "department",
        "version")
