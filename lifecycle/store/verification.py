"""Verified milestones (节点核实 / 认定, docs/domain.md §17): for each project the registration
(注册), settlement (落户), filing (备案), start (开工) and completion (竣工) milestones carry a
verification status 待核实 / 已核实 / 存疑, who set it and when.

Jiangyin's opinions ask to 逐项目核对注册、落户和备案等信息真实性. A verification is bound to the
milestone DATE it verified: each event stores the date the milestone carried in the snapshot the
verifier looked at, and it counts only for that date. When a later snapshot reports another
date, the milestone is 待核实 again (no event for the new date); a milestone with a date and no
event is 待核实.

Storage: `<store>/verification.sqlite`, opened through `store/sqlite.py` (a short-lived
connection per call, WAL, writes inside `BEGIN IMMEDIATE`, read-only opens for reading).
One table, append-only: `verification_events`, one row per project × milestone verification
event (status, the milestone date verified, note, who, when). Nothing is updated or deleted:
the history is complete; the current status of a (project, milestone, date) is its latest
event (`current`).

The writer that takes the acting account (`set_status`) enforces the permission `verify`
(publisher, admin; a township account only for its own unit's projects) here in the core.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl

from lifecycle.domain import labels
from lifecycle.store import inputs, sqlite

FILE_NAME = "verification.sqlite"
MAX_NOTE = 1000
T = labels.VERIFY_TEXT

# milestone key -> the project date column it verifies (docs/domain.md §17.1). The library has no
# registration or settlement date: 注册 binds to the signing date, 落户 to the land date.
MILESTONE_COLUMNS: dict[str, str] = {
    "registration": "signed_on",
    "settle": "land_acquired_on",
    "filing": "filed_on",
    "start": "started_on",
    "completion": "completed_on",
}
MILESTONES = tuple(MILESTONE_COLUMNS)
STATUSES = tuple(labels.VERIFY_STATUSES)  # pending, verified, doubtful

_SCHEMA = """
CREATE TABLE IF NOT EXISTS verification_events (
    event_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id     TEXT NOT NULL,
    milestone      TEXT NOT NULL CHECK (milestone IN ('registration', 'settle', 'filing', 'start', 'completion')),
    milestone_date TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'doubtful')),
    note           TEXT,
    verified_by    TEXT NOT NULL,
    verified_at    TEXT NOT NULL,
    CHECK (status <> 'doubtful' OR coalesce(note, '') <> '')
);
CREATE INDEX IF NOT EXISTS verification_key ON verification_events (project_id, milestone, milestone_date, event_id);
"""

EVENT_SCHEMA = {"event_id": pl.Int64, "project_id": pl.String, "milestone": pl.String,
                "milestone_date": pl.Date, "status": pl.String, "note": pl.String,
                "verified_by": pl.String, "verified_at": pl.String}
_COLS = ", ".join(EVENT_SCHEMA)


class VerificationError(Exception):
    """A user-facing problem with a verification (one Chinese line)."""


def db_path(store_root) -> Path:
    root = store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root
    return Path(root) / FILE_NAME


def exists(store_root) -> bool:
    return db_path(store_root).exists()


def _connect(store_root, write: bool = False):
    return sqlite.connect(db_path(store_root), _SCHEMA, error=VerificationError, write=write,
                          readonly=not write)


# ---- checking input (store/inputs.py: the checks every record store shares) -------------------------
def check_milestone(value) -> str:
    """A milestone key from its key or Chinese label (注册/落户/备案/开工/竣工)."""
    v = "" if value is None else str(value).strip()
    return inputs.key_of(v, labels.VERIFY_MILESTONES, T["milestone_what"], VerificationError)


def check_status(value) -> str:
    """A status key from its key or Chinese label (待核实/已核实/存疑)."""
    v = "" if value is None else str(value).strip()
    return inputs.key_of(v, labels.VERIFY_STATUSES, T["status"], VerificationError)


def _text(value, what: str, required: bool = False, max_len: int = 200) -> str | None:
    return inputs.text(value, what, VerificationError, required=required, max_len=max_len)


def _date(value, what: str) -> dt.date:
    return inputs.date(value, what, VerificationError, required=True)


# ---- writing ------------------------------------------------------------------------------------
def record(store_root, project_id: str, milestone, milestone_date, status, by: str, note: str | None = None,
           at: dt.datetime | None = None) -> int:
    """Append one verification event: `status` of `milestone` of `project_id` for the date
    `milestone_date`, set by user `by` (now, or `at`). 存疑 needs a note. Returns the event id.
    No scope check: callers acting for an account use `set_status`."""
    project_id = _text(project_id, T["project"], required=True, max_len=64)
    milestone = check_milestone(milestone)
    status = check_status(status)
    on = _date(milestone_date, labels.VERIFY_COLUMNS["milestone_date"])
    by = _text(by, labels.VERIFY_COLUMNS["verified_by"], required=True, max_len=64)
    note = _text(note, T["note"], max_len=MAX_NOTE)
    if status == "doubtful" and not note:
        raise VerificationError(T["err_note"])
    when = at.isoformat(timespec="seconds") if at else inputs.now()
    with _connect(store_root, write=True) as con:
        cur = con.execute(
            "INSERT INTO verification_events (project_id, milestone, milestone_date, status, note, verified_by, "
            "verified_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (project_id, milestone, on.isoformat(), status, note, by, when))
        return int(cur.lastrowid)


def _need(account) -> None:
    from lifecycle.store.accounts import require

    require(account, "verify", VerificationError, T["err_denied"], T["err_not_logged_in"])


def scope_unit(account) -> str | None:
    """The one unit an account is bound to (township), else None (every unit)."""
    return account.unit_code if getattr(account, "role", None) == "township" else None


def project_dates(store_root, project_id: str, month: str | None = None) -> dict:
    """The project's unit and its five milestone dates in snapshot `month` (default the latest
    published): {'month', 'unit_code', 'registration': date | None, …}."""
    from lifecycle.domain.reference import units_table
    from lifecycle.store.snapshots import Store

    st = Store(store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root)
    months = st.months()
    if not months:
        raise VerificationError(T["err_no_month"])
    month = month or months[-1]
    cols = ["project_id", "township_code", *MILESTONE_COLUMNS.values()]
    rows = st.read(month, "projects").filter(pl.col("project_id") == str(project_id)).select(cols)
    if rows.is_empty():
        raise VerificationError(T["err_no_project"].format(month=month, pid=project_id))
    row = rows.row(0, named=True)
    units = {t["township_code"]: t["unit_code"] for t in units_table(st.region)}
    out = {"month": month, "unit_code": units.get(row["township_code"], row["township_code"])}
    for k, col in MILESTONE_COLUMNS.items():
        out[k] = row[col]
    return out


def set_status(store_root, account, project_id: str, milestone, status, note: str | None = None,
               month: str | None = None, seen_date=None) -> int:
    """Record a verification as `account` (permission `verify`; a township account only for its
    unit's projects). The date verified is the milestone's date in snapshot `month` (default the
    latest published); with `seen_date` (the date the verifier looked at) a date changed
    meanwhile by a new publication is refused. Returns the event id."""
    _need(account)
    project_id = _text(project_id, T["project"], required=True, max_len=64)
    milestone = check_milestone(milestone)
    status = check_status(status)
    if status == "doubtful" and not _text(note, T["note"], max_len=MAX_NOTE):
        raise VerificationError(T["err_note"])
    info = project_dates(store_root, project_id, month)
    own = scope_unit(account)
    if own is not None and info["unit_code"] != own:
        from lifecycle.domain.reference import region
        from lifecycle.store.snapshots import Store

        reg = region(Store(Path(db_path(store_root).parent)).region)
        unit = reg.units[own].name if own in reg.units else own
        raise VerificationError(T["err_other_unit"].format(pid=project_id, unit=unit))
    on = info[milestone]
    if on is None:
        raise VerificationError(T["err_no_date"].format(pid=project_id, month=info["month"],
                                                        milestone=labels.VERIFY_MILESTONES[milestone],
                                                        column=MILESTONE_COLUMNS[milestone]))
    if seen_date not in (None, "") and _date(seen_date, labels.VERIFY_COLUMNS["milestone_date"]) != on:
        raise VerificationError(T["err_date_changed"].format(pid=project_id, milestone=labels.VERIFY_MILESTONES[milestone],
                                                             now=on, seen=seen_date))
    return record(store_root, project_id, milestone, on, status, account.name, note)


def load_generated(store_root, rows: list[tuple]) -> int:
    """Write generated events (the demo, lifecycle/demo.py) in one transaction into an empty
    database: tuples (project_id, milestone, milestone_date, status, note, verified_by,
    verified_at). Returns the number written; 0 when events exist already (never twice)."""
    with _connect(store_root, write=True) as con:
        if con.execute("SELECT count(*) FROM verification_events").fetchone()[0]:
            return 0
        con.executemany("INSERT INTO verification_events (project_id, milestone, milestone_date, status, note, "
                        "verified_by, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


# ---- reading ------------------------------------------------------------------------------------
def _frame(rows) -> pl.DataFrame:
    strs = {k: (pl.String if v == pl.Date else v) for k, v in EVENT_SCHEMA.items()}
    df = pl.DataFrame(rows or [], schema=list(strs.items()), orient="row")
    return df.with_columns(pl.col("milestone_date").str.to_date("%Y-%m-%d"))


def events(store_root, project_id: str | None = None) -> pl.DataFrame:
    """Every event (of one project, or all), oldest first: the history."""
    return _frame(sqlite.select(db_path(store_root), _SCHEMA, "verification_events", EVENT_SCHEMA, "event_id",
                                error=VerificationError,
                                where={"project_id": None if project_id is None else str(project_id)}))


def revision(store_root) -> int:
    """Changes whenever an event is recorded (a cache key)."""
    if not exists(store_root):
        return 0
    with _connect(store_root) as con:
        return int(con.execute("SELECT coalesce(max(event_id), 0) FROM verification_events").fetchone()[0])


_CURRENT: dict[str, tuple[int, pl.DataFrame]] = {}


def current(store_root) -> pl.DataFrame:
    """One row per project × milestone × milestone date: its latest event (the status that date
    has now). The relation the queries join (query/sql/queries/milestone_verification.sql,
    rates.sql): kept in this process per revision, so a page run reads it once."""
    if not exists(store_root):
        return _frame([])
    key = str(db_path(store_root).resolve())
    rev = revision(store_root)
    hit = _CURRENT.get(key)
    if hit is not None and hit[0] == rev:
        return hit[1]
    with _connect(store_root) as con:
        rows = con.execute(
            f"SELECT {', '.join('e.' + c for c in EVENT_SCHEMA)} FROM verification_events AS e "
            "JOIN (SELECT max(event_id) AS event_id FROM verification_events "
            "      GROUP BY project_id, milestone, milestone_date) AS l USING (event_id) "
            "ORDER BY e.event_id").fetchall()
    df = _frame(rows)
    _CURRENT[key] = (rev, df)
    return df


__all__ = ["VerificationError", "MILESTONES", "MILESTONE_COLUMNS", "STATUSES", "check_milestone", "check_status",
           "record", "set_status", "project_dates", "load_generated", "events", "current", "revision", "db_path"]
