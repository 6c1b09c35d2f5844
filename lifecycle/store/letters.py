"""Reminder letters sent and interviews held (提醒函 / 约谈), recorded in the store
(docs/domain.md §12).

The Jiangyin opinions: "通过提醒函和约谈的方式督促未能如期竣工的项目快竣工早投产". The monthly lists
(§5.6) say who should get a letter or an interview; this module records that it happened: for a
project, the kind (`reminder` 提醒函 / `interview` 约谈), the list month it answers (YYYY-MM), the
day it was sent or held (`acted_on`), the 文号, the department, a note, and who recorded it (the
acting user). Records are appended, never changed; a mistaken record is voided by a later
record (`void`), which keeps both in the history. How often a project was written to is
counted per list month (two records for the same month count once) by the query layer.

Storage: `<store>/workflow.sqlite` (see `store/records.py`).
"""
from __future__ import annotations

import datetime as dt
import re

import polars as pl

from lifecycle.domain import labels
from lifecycle.store import inputs, records
from lifecycle.store.records import RecordError

KINDS = tuple(labels.LETTER_KINDS)
_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS letters (
    letter_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('reminder', 'interview')),
    list_month   TEXT NOT NULL,
    acted_on     TEXT NOT NULL,
    doc_no       TEXT,
    dept         TEXT,
    note         TEXT,
    voids        INTEGER REFERENCES letters (letter_id),
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS letters_project ON letters (project_id, kind, list_month);
"""

SCHEMA = {"letter_id": pl.Int64, "project_id": pl.String, "kind": pl.String, "list_month": pl.String,
          "acted_on": pl.Date, "doc_no": pl.String, "dept": pl.String, "note": pl.String, "voids": pl.Int64,
          "recorded_by": pl.String, "recorded_at": pl.String}


def check_kind(kind) -> str:
    return inputs.key_of(kind, labels.LETTER_KINDS, "督办方式", RecordError)


def _check_month(month) -> str:
    m = (month or "").strip() if isinstance(month, str) else ""
    if not _MONTH_RE.match(m):
        raise RecordError(f"清单月份应为 YYYY-MM（如 2026-10），实际为“{month}”")
    return m


def record(store_root, project_id: str, kind, list_month: str, by: str, acted_on=None,
           doc_no: str | None = None, dept: str | None = None, note: str | None = None) -> int:
    """Record that a reminder letter was sent / an interview was held for a project on the list
    of `list_month`; returns the record id. `acted_on` defaults to today, may not be in the
    future nor before the list month began. `by` is the acting user."""
    project_id = records.clean(project_id, "项目编号", required=True, max_len=64)
    kind = check_kind(kind)
    list_month = _check_month(list_month)
    by = records.clean(by, "经办人", required=True, max_len=50)
    acted = records.as_date(acted_on, "发函/约谈日期", not_future=True) or dt.date.today()
    first = dt.date(int(list_month[:4]), int(list_month[5:]), 1)
    if acted < first:
        raise RecordError(f"发函/约谈日期（{acted}）早于清单月份（{list_month}）")
    doc_no = records.clean(doc_no, "文号", max_len=60)
    dept = records.clean(dept, "督办部门", max_len=100)
    note = records.clean(note, "备注", max_len=2000)
    with records.connect(store_root, _SCHEMA, write=True) as con:
        cur = con.execute(
            "INSERT INTO letters (project_id, kind, list_month, acted_on, doc_no, dept, note, voids, recorded_by, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
            (project_id, kind, list_month, acted.isoformat(), doc_no, dept, note, by, records.now()))
        return int(cur.lastrowid)


def void(store_root, letter_id: int, by: str, note: str | None = None) -> int:
    """Void a mistaken record (appends a voiding record; both stay in the history)."""
    by = records.clean(by, "经办人", required=True, max_len=50)
    with records.connect(store_root, _SCHEMA, write=True) as con:
        row = con.execute("SELECT project_id, kind, list_month, acted_on, voids FROM letters WHERE letter_id = ?",
                          (int(letter_id),)).fetchone()
        if row is None or row[4] is not None:
            raise RecordError(f"没有编号为 {letter_id} 的发函/约谈记录")
        if con.execute("SELECT 1 FROM letters WHERE voids = ?", (int(letter_id),)).fetchone():
            raise RecordError(f"记录 {letter_id} 已作废")
        cur = con.execute(
            "INSERT INTO letters (project_id, kind, list_month, acted_on, doc_no, dept, note, voids, recorded_by, "
            "recorded_at) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)",
            (row[0], row[1], row[2], row[3], records.clean(note, "备注", max_len=2000), int(letter_id), by,
             records.now()))
        return int(cur.lastrowid)


def _frame(rows) -> pl.DataFrame:
    strs = {k: (pl.String if v == pl.Date else v) for k, v in SCHEMA.items()}
    df = pl.DataFrame(rows or [], schema=list(strs.items()), orient="row")
    return df.with_columns(pl.col("acted_on").str.to_date("%Y-%m-%d"))


def all_records(store_root, project_id: str | None = None) -> pl.DataFrame:
    """Every record (voiding records included), oldest first: the history."""
    return _frame(records.select(store_root, _SCHEMA, "letters", SCHEMA, "letter_id", {"project_id": project_id}))


def effective(store_root, project_id: str | None = None) -> pl.DataFrame:
    """The records that stand: not voiding records and not voided."""
    df = all_records(store_root, project_id)
    voided = df["voids"].drop_nulls()
    return df.filter(pl.col("voids").is_null() & ~pl.col("letter_id").is_in(voided.to_list()))


__all__ = ["RecordError", "KINDS", "record", "void", "all_records", "effective", "check_kind"]
