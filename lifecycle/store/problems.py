"""Problems (矛盾问题) worked from 采集 to 办结, recorded in the store (docs/domain.md §11).

The Jiangyin opinions ask for "矛盾问题的采集、交办和会商会办制度 … 一事一议". Problems arrive in two
ways, and both are kept:

- **imported** with the monthly ledger (sheet 问题, the `problems` snapshot table);
- **recorded** here: a new problem registered on the 问题督办 page (`add`), with an id `XT#####`
  that cannot collide with a ledger id (ledger ids never start with XT by convention; if a ledger
  later carries the same id, the two merge by id).

Every status change or note is an **update** (`record`): status (collected 采集 → assigned 交办 →
consulted 会商会办 → closed 办结), the date it happened (`acted_on`), optionally the department now
responsible and a new deadline, a note, who recorded it and when. Updates are appended, never
changed or removed: the history is complete. How imported rows and updates merge at a month is
a query (`query/sql/queries/problems.sql`, docs/domain.md §11); this module only stores.

Storage: `<store>/workflow.sqlite` (see `store/records.py`).
"""
from __future__ import annotations

import datetime as dt

import polars as pl

from lifecycle.domain import labels
from lifecycle.store import inputs, records
from lifecycle.store.records import RecordError

STATUSES = tuple(labels.PROBLEM_STATUSES)  # workflow order
ID_PREFIX = "XT"
MAX_TEXT = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS recorded_problems (
    problem_id   TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL,
    raised_on    TEXT NOT NULL,
    kind         TEXT,
    summary      TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problem_updates (
    update_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('collected', 'assigned', 'consulted', 'closed')),
    acted_on     TEXT NOT NULL,
    dept         TEXT,
    deadline_on  TEXT,
    note         TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS problem_updates_problem ON problem_updates (problem_id, update_id);
"""

RECORDED_SCHEMA = {"problem_id": pl.String, "project_id": pl.String, "raised_on": pl.Date, "kind": pl.String,
                   "summary": pl.String, "created_by": pl.String, "created_at": pl.String}
UPDATE_SCHEMA = {"update_id": pl.Int64, "problem_id": pl.String, "status": pl.String, "acted_on": pl.Date,
                 "dept": pl.String, "deadline_on": pl.Date, "note": pl.String, "recorded_by": pl.String,
                 "recorded_at": pl.String}


def check_status(status) -> str:
    """A workflow status key from its key or Chinese label."""
    return inputs.key_of(status, labels.PROBLEM_STATUSES, "办理状态", RecordError)


def _kind(kind) -> str | None:
    kind = records.clean(kind, "问题类型", max_len=20)
    if kind is not None and kind not in labels.PROBLEM_KINDS:
        raise RecordError(f"问题类型“{kind}”无效（可选：{'、'.join(labels.PROBLEM_KINDS)}）")
    return kind


# ---- writing ----------------------------------------------------------------------------------
def add(store_root, project_id: str, by: str, summary: str, kind: str | None = None,
        raised_on=None, dept: str | None = None, deadline_on=None, note: str | None = None) -> str:
    """Register a new problem of a project (status 采集, or 交办 when a department is named);
    returns its id (XT00001, XT00002, …). `by` is the acting user."""
    project_id = records.clean(project_id, "项目编号", required=True, max_len=64)
    by = records.clean(by, "经办人", required=True, max_len=50)
    summary = records.clean(summary, "问题描述", required=True, max_len=MAX_TEXT)
    kind = _kind(kind)
    raised = records.as_date(raised_on, "提出日期", not_future=True) or dt.date.today()
    dept = records.clean(dept, "责任部门", max_len=100)
    deadline = records.as_date(deadline_on, "办结时限")
    if deadline is not None and deadline < raised:
        raise RecordError(f"办结时限（{deadline}）不能早于提出日期（{raised}）")
    note = records.clean(note, "办理情况", max_len=MAX_TEXT)
    now = records.now()
    with records.connect(store_root, _SCHEMA, write=True) as con:
        n = con.execute("SELECT count(*) FROM recorded_problems").fetchone()[0]
        pid = f"{ID_PREFIX}{n + 1:05d}"
        con.execute("INSERT INTO recorded_problems VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (pid, project_id, raised.isoformat(), kind, summary, by, now))
        con.execute("INSERT INTO problem_updates (problem_id, status, acted_on, dept, deadline_on, note, "
                    "recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (pid, "assigned" if dept else "collected", raised.isoformat(), dept,
                     deadline.isoformat() if deadline else None, note, by, now))
    return pid


def record(store_root, problem_id: str, by: str, status, acted_on=None, dept: str | None = None,
           deadline_on=None, note: str | None = None, base_update_id: int | None = None) -> int:
    """Append an update to a problem (imported or recorded): its status from now on, the day it
    happened (default today; never in the future), optionally the department now responsible,
    a new deadline and a note. Returns the update id. With `base_update_id` (the latest update
    the user saw; 0 for none), refuse when somebody recorded a newer one meanwhile."""
    problem_id = records.clean(problem_id, "问题编号", required=True, max_len=64)
    by = records.clean(by, "经办人", required=True, max_len=50)
    status = check_status(status)
    acted = records.as_date(acted_on, "办理日期", not_future=True) or dt.date.today()
    dept = records.clean(dept, "责任部门", max_len=100)
    deadline = records.as_date(deadline_on, "办结时限")
    note = records.clean(note, "办理情况", max_len=MAX_TEXT)
    if status == "consulted" and not note:
        raise RecordError("会商会办请填写办理情况（会商时间、参加部门、议定事项）")
    with records.connect(store_root, _SCHEMA, write=True) as con:
        if base_update_id is not None:
            latest = con.execute("SELECT coalesce(max(update_id), 0) FROM problem_updates WHERE problem_id = ?",
                                 (problem_id,)).fetchone()[0]
            if int(latest) != int(base_update_id):
                raise RecordError(f"问题 {problem_id} 已有他人登记了新的办理情况，请刷新后再登记（原有记录均已保留）")
        cur = con.execute(
            "INSERT INTO problem_updates (problem_id, status, acted_on, dept, deadline_on, note, recorded_by, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (problem_id, status, acted.isoformat(), dept, deadline.isoformat() if deadline else None, note, by,
             records.now()))
        return int(cur.lastrowid)


# ---- reading ----------------------------------------------------------------------------------
def _frame(rows, schema: dict) -> pl.DataFrame:
    strs = {k: (pl.String if v == pl.Date else v) for k, v in schema.items()}
    df = pl.DataFrame(rows or [], schema=list(strs.items()), orient="row")
    return df.with_columns(pl.col(k).str.to_date("%Y-%m-%d") for k, v in schema.items() if v == pl.Date)


def recorded(store_root) -> pl.DataFrame:
    """Every problem registered in the system (not from a ledger)."""
    return _frame(records.select(store_root, _SCHEMA, "recorded_problems", RECORDED_SCHEMA, "problem_id"),
                  RECORDED_SCHEMA)


def updates(store_root, problem_id: str | None = None) -> pl.DataFrame:
    """Every update (of one problem, or all), oldest first: the history."""
    rows = records.select(store_root, _SCHEMA, "problem_updates", UPDATE_SCHEMA, "update_id", {"problem_id": problem_id})
    return _frame(rows, UPDATE_SCHEMA)


def revision(store_root) -> int:
    """Changes whenever a problem or an update is recorded (a cache key for pages)."""
    if not records.exists(store_root):
        return 0
    with records.connect(store_root, _SCHEMA) as con:
        a = con.execute("SELECT coalesce(max(update_id), 0) FROM problem_updates").fetchone()[0]
    return int(a)


__all__ = ["RecordError", "STATUSES", "add", "record", "recorded", "updates", "revision", "check_status"]
