"""The 招商 pipeline before the signing (docs/domain.md §16): leads (招商线索) and the reviews of
the 招商项目审查委员会, stored durably in the store.

Storage: one SQLite database `<store>/pipeline.sqlite` in WAL mode, opened like `comments.py`
(a short-lived connection per call, busy timeout, writes inside `BEGIN IMMEDIATE` with
`synchronous = FULL`; ids come from the database).

Model (append-only, so every change keeps its history and the acting user's name):
- `leads`: one row per lead (who created it, when); `lead_versions`: every version of its
  content (name, stage, channel, industry chain, project type, expected investment, source body,
  responsible person, unit, last contact date, note; who changed it, when, and what the change
  was). The current lead is the latest version (`current_leads`).
- `reviews`: one row per review round of a lead (opened by, when); `review_opinions`: the
  opinions of the legal / commercial / financial reviewers (several per dimension allowed, the
  latest counts); `review_verdicts`: at most one verdict per review (通过 / 否决 / 补充材料, reasons,
  decision date, who recorded it). Nothing is updated in place.

Rules (checked here, so every caller obeys them):
- stages only move forward: 线索 → 洽谈 → 审查 → 意向签约 → 正式签约 (steps may be skipped, except
  that 意向签约 and 正式签约 need a passed review);
- moving to 审查 opens a review round; one open round at a time;
- a lead moves to 意向签约 / 正式签约 — or enters the project library (`check_admission`) — only
  when its latest review's verdict is 通过: a vetoed lead needs a new review that passes;
- a verdict 通过 needs an opinion of each of the three dimensions; 否决 and 补充材料 need reasons.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from lifecycle.domain import labels
from lifecycle.domain.config import pipeline_settings
from lifecycle.store import inputs, sqlite

FILE_NAME = "pipeline.sqlite"
MAX_TEXT = 5000
STAGES = tuple(labels.PIPELINE_STAGES)            # in order
STAGE_RANK = {s: i for i, s in enumerate(STAGES)}
SIGNING_STAGES = ("intent", "formal")
DIMENSIONS = tuple(labels.REVIEW_DIMENSIONS)
VERDICTS = tuple(labels.REVIEW_VERDICTS)
T = labels.PIPELINE_TEXT

_SCHEMA = SCHEMA_DDL = """
CREATE TABLE IF NOT EXISTS leads (
    lead_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lead_versions (
    lead_id      INTEGER NOT NULL REFERENCES leads (lead_id),
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    stage        TEXT NOT NULL CHECK (stage IN ('lead', 'talks', 'review', 'intent', 'formal')),
    channel      TEXT,
    industry_chain TEXT,
    project_type TEXT,
    expected_investment_wan REAL,
    source_body  TEXT,
    owner        TEXT,
    unit_code    TEXT,
    last_contact_on TEXT,
    note         TEXT,
    change       TEXT NOT NULL,
    edited_by    TEXT NOT NULL,
    edited_at    TEXT NOT NULL,
    PRIMARY KEY (lead_id, version)
);
CREATE TABLE IF NOT EXISTS reviews (
    review_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id      INTEGER NOT NULL REFERENCES leads (lead_id),
    opened_by    TEXT NOT NULL,
    opened_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review_opinions (
    opinion_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id    INTEGER NOT NULL REFERENCES reviews (review_id),
    dimension    TEXT NOT NULL CHECK (dimension IN ('legal', 'commercial', 'financial')),
    reviewer     TEXT NOT NULL,
    opinion      TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review_verdicts (
    review_id    INTEGER PRIMARY KEY REFERENCES reviews (review_id),
    verdict      TEXT NOT NULL CHECK (verdict IN ('pass', 'veto', 'more')),
    reasons      TEXT,
    decided_on   TEXT NOT NULL,
    decided_by   TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_lead ON reviews (lead_id);
CREATE INDEX IF NOT EXISTS opinions_review ON review_opinions (review_id);
CREATE VIEW IF NOT EXISTS current_leads AS
SELECT l.lead_id, l.created_by, l.created_at, v.version, v.name, v.stage, v.channel, v.industry_chain,
       v.project_type, v.expected_investment_wan, v.source_body, v.owner, v.unit_code, v.last_contact_on,
       v.note, v.edited_by, v.edited_at
FROM leads AS l
JOIN lead_versions AS v
  ON v.lead_id = l.lead_id
 AND v.version = (SELECT max(version) FROM lead_versions WHERE lead_id = l.lead_id);
CREATE VIEW IF NOT EXISTS latest_reviews AS
SELECT r.lead_id, r.review_id, r.opened_by, r.opened_at, d.verdict, d.reasons, d.decided_on, d.decided_by
FROM reviews AS r
LEFT JOIN review_verdicts AS d USING (review_id)
WHERE r.review_id = (SELECT max(review_id) FROM reviews WHERE lead_id = r.lead_id);
-- 审查附件: the files attached to a review round (store/pipeline_files.py, docs/domain.md §16.7)
CREATE TABLE IF NOT EXISTS review_attachments (
    attachment_id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id     INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('expert', 'due_diligence', 'other')),
    file_name     TEXT NOT NULL,
    stored_as     TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attachments_review ON review_attachments (review_id);
"""

LEAD_FIELDS = ("name", "stage", "channel", "industry_chain", "project_type", "expected_investment_wan",
               "source_body", "owner", "unit_code", "last_contact_on", "note")
LEAD_SCHEMA = {"lead_id": pl.Int64, "created_by": pl.String, "created_at": pl.String, "version": pl.Int64,
               "name": pl.String, "stage": pl.String, "channel": pl.String, "industry_chain": pl.String,
               "project_type": pl.String, "expected_investment_wan": pl.Float64, "source_body": pl.String,
               "owner": pl.String, "unit_code": pl.String, "last_contact_on": pl.Date, "note": pl.String,
               "edited_by": pl.String, "edited_at": pl.String,
               "review_id": pl.Int64, "verdict": pl.String, "reasons": pl.String, "decided_on": pl.Date}
HISTORY_SCHEMA = {"lead_id": pl.Int64, "version": pl.Int64, **{k: LEAD_SCHEMA[k] for k in LEAD_FIELDS},
                  "change": pl.String, "edited_by": pl.String, "edited_at": pl.String}
OPINION_SCHEMA = {"opinion_id": pl.Int64, "review_id": pl.Int64, "dimension": pl.String, "reviewer": pl.String,
                  "opinion": pl.String, "recorded_at": pl.String}


class PipelineError(Exception):
    """A user-facing problem with a lead or review (message in Chinese)."""


def db_path(store_root) -> Path:
    root = store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root
    return Path(root) / FILE_NAME


def _root(store_root) -> Path:
    return Path(store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root)


def region_of(store_root) -> str:
    """The store's region (store.json), as the snapshots Store reads it."""
    from lifecycle.store.snapshots import Store

    return Store(_root(store_root)).region


def settings(store_root) -> dict:
    """The pipeline configuration of the store's region (domain/config.py pipeline_settings)."""
    return pipeline_settings(region_of(store_root), _root(store_root))


def _connect(store_root, write: bool = False):
    return sqlite.connect(db_path(store_root), _SCHEMA, error=PipelineError, write=write, readonly=not write)


_now = inputs.now


def _text(value, what: str, required: bool = False, max_len: int = 200) -> str | None:
    return inputs.text(value, what, PipelineError, required=required, max_len=max_len)


def _date(value, what: str) -> str | None:
    d = inputs.date(value, what, PipelineError)
    return None if d is None else d.isoformat()


def _amount(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise PipelineError(T["err_amount"].format(value=value)) from None
    if not (v >= 0) or v == float("inf"):
        raise PipelineError(T["err_amount"].format(value=value))
    return v


def _choice(value, options: list, what: str) -> str | None:
    v = _text(value, what)
    if v is None:
        return None
    if v not in options:
        raise PipelineError(T["err_choice"].format(what=what, value=v, options="、".join(options)))
    return v


def _check_fields(store_root, fields: dict) -> dict:
    """Validated lead fields (only those given): taxonomies from the region's configuration."""
    cfg = settings(store_root)
    C = labels.COLUMNS
    out = {}
    for k, v in fields.items():
        if k == "name":
            out[k] = _text(v, C["lead_name"], required=True)
        elif k == "channel":
            out[k] = _choice(v, cfg["channels"], C["channel"])
        elif k == "industry_chain":
            out[k] = _choice(v, cfg["industry_chains"], C["industry_chain"])
        elif k == "project_type":
            out[k] = _choice(v, cfg["project_types"], C["project_type"])
        elif k == "expected_investment_wan":
            out[k] = _amount(v)
            if out[k] is None:  # required: the funnel and the targets weigh leads by it
                raise PipelineError(inputs.T["required"].format(what=C[k]))
        elif k in ("source_body", "owner", "unit_code"):
            out[k] = _text(v, C[k], max_len=100)
        elif k == "last_contact_on":
            out[k] = _date(v, C["last_contact_on"])
        elif k == "note":
            out[k] = _text(v, C["note"], max_len=MAX_TEXT)
        else:
            raise PipelineError(T["err_field"].format(field=k))
    return out


def _check_stage(stage) -> str:
    return inputs.key_of(stage, labels.PIPELINE_STAGES, "阶段", PipelineError)


def _current(con, lead_id: int) -> dict:
    row = con.execute(f"SELECT version, {', '.join(LEAD_FIELDS)} FROM current_leads WHERE lead_id = ?",
                      (int(lead_id),)).fetchone()
    if row is None:
        raise PipelineError(T["err_no_lead"].format(id=lead_id))
    return dict(zip(("version", *LEAD_FIELDS), row))


def _append(con, lead_id: int, version: int, values: dict, change: str, user: str) -> int:
    con.execute(
        f"INSERT INTO lead_versions (lead_id, version, {', '.join(LEAD_FIELDS)}, change, edited_by, edited_at) "
        f"VALUES (?, ?, {', '.join('?' for _ in LEAD_FIELDS)}, ?, ?, ?)",
        (int(lead_id), version, *[values.get(k) for k in LEAD_FIELDS], change, user, _now()))
    return version


def _latest_review(con, lead_id: int) -> dict | None:
    row = con.execute("SELECT review_id, verdict, reasons, decided_on FROM latest_reviews WHERE lead_id = ?",
                      (int(lead_id),)).fetchone()
    return dict(zip(("review_id", "verdict", "reasons", "decided_on"), row)) if row else None


def _admission_problem(con, lead_id: int) -> str | None:
    """Why the lead may not be signed / enter the library, or None when its latest review passed."""
    rv = _latest_review(con, lead_id)
    if rv is None:
        return T["err_not_reviewed"].format(id=lead_id)
    if rv["verdict"] is None:
        return T["err_review_open"].format(id=lead_id)
    if rv["verdict"] == "veto":
        return T["err_vetoed"].format(id=lead_id, reasons=rv["reasons"] or "", on=rv["decided_on"])
    if rv["verdict"] == "more":
        return T["err_more"].format(id=lead_id, reasons=rv["reasons"] or "")
    return None


# ---- writing ----------------------------------------------------------------------------------
def add_lead(store_root, user: str, name: str, stage: str = "lead", **fields) -> int:
    """Record a new lead (name and expected investment in 万元 required) at 线索 or 洽谈 (审查 is reached by `open_review`, the signing stages by
    `move_stage` after a passed review); returns its id."""
    user = _text(user, T["user"], required=True, max_len=50)
    stage = _check_stage(stage)
    if stage not in ("lead", "talks"):
        raise PipelineError(T["err_new_stage"])
    values = _check_fields(store_root, {"name": name, "expected_investment_wan": None, **fields})
    values["stage"] = stage
    with _connect(store_root, write=True) as con:
        lid = con.execute("INSERT INTO leads (created_by, created_at) VALUES (?, ?)", (user, _now())).lastrowid
        _append(con, lid, 1, values, "created", user)
    return int(lid)


def update_lead(store_root, lead_id: int, user: str, base_version: int | None = None, **fields) -> int:
    """Change a lead's fields (not its stage); returns the new version. With `base_version`,
    refuse if somebody saved a newer version meanwhile."""
    user = _text(user, T["user"], required=True, max_len=50)
    if "stage" in fields:
        raise PipelineError(T["err_stage_field"])
    values = _check_fields(store_root, fields)
    with _connect(store_root, write=True) as con:
        cur = _current(con, lead_id)
        if base_version is not None and int(base_version) != cur["version"]:
            raise PipelineError(T["err_conflict"].format(id=lead_id, version=cur["version"], base=base_version))
        new = {**cur, **values}
        return _append(con, lead_id, cur["version"] + 1, new, "edited", user)


def record_contact(store_root, lead_id: int, user: str, on) -> int:
    """The lead was contacted on `on` (resets its stale clock)."""
    return update_lead(store_root, lead_id, user, last_contact_on=on)


def move_stage(store_root, lead_id: int, user: str, stage: str, base_version: int | None = None) -> int:
    """Move a lead forward to `stage`; returns the new version. Moving to 审查 opens a review
    round; 意向签约 / 正式签约 need the latest review to have passed."""
    user = _text(user, T["user"], required=True, max_len=50)
    stage = _check_stage(stage)
    if stage == "review":
        open_review(store_root, lead_id, user)
        return get_lead(store_root, lead_id)["version"]
    with _connect(store_root, write=True) as con:
        cur = _current(con, lead_id)
        if base_version is not None and int(base_version) != cur["version"]:
            raise PipelineError(T["err_conflict"].format(id=lead_id, version=cur["version"], base=base_version))
        if STAGE_RANK[stage] <= STAGE_RANK[cur["stage"]]:
            raise PipelineError(T["err_backward"].format(
                id=lead_id, now=labels.PIPELINE_STAGES[cur["stage"]], to=labels.PIPELINE_STAGES[stage]))
        if stage in SIGNING_STAGES:
            problem = _admission_problem(con, lead_id)
            if problem:
                raise PipelineError(problem)
        return _append(con, lead_id, cur["version"] + 1, {**cur, "stage": stage}, f"stage:{stage}", user)


def open_review(store_root, lead_id: int, user: str) -> int:
    """Open a new review round for the lead (moving it to 审查); returns the review id. Refused
    while a round is open, and for a lead already signed."""
    user = _text(user, T["user"], required=True, max_len=50)
    with _connect(store_root, write=True) as con:
        cur = _current(con, lead_id)
        if cur["stage"] in SIGNING_STAGES:
            raise PipelineError(T["err_review_signed"].format(id=lead_id, stage=labels.PIPELINE_STAGES[cur["stage"]]))
        rv = _latest_review(con, lead_id)
        if rv is not None and rv["verdict"] is None:
            raise PipelineError(T["err_review_open"].format(id=lead_id))
        rid = con.execute("INSERT INTO reviews (lead_id, opened_by, opened_at) VALUES (?, ?, ?)",
                          (int(lead_id), user, _now())).lastrowid
        _append(con, lead_id, cur["version"] + 1, {**cur, "stage": "review"}, f"review:{rid}", user)
    return int(rid)


def _open_round(con, review_id: int) -> int:
    row = con.execute("SELECT r.lead_id, d.verdict FROM reviews AS r LEFT JOIN review_verdicts AS d USING (review_id) "
                      "WHERE r.review_id = ?", (int(review_id),)).fetchone()
    if row is None:
        raise PipelineError(T["err_no_review"].format(id=review_id))
    if row[1] is not None:
        raise PipelineError(T["err_review_closed"].format(id=review_id))
    return int(row[0])


def add_opinion(store_root, review_id: int, dimension: str, reviewer: str, opinion: str) -> int:
    """A reviewer's opinion on one dimension (法务 / 商务 / 财务) of an open review round."""
    dimension = inputs.key_of(dimension, labels.REVIEW_DIMENSIONS, "审查维度", PipelineError)
    reviewer = _text(reviewer, labels.PIPELINE_COLUMNS["reviewer"], required=True, max_len=50)
    opinion = _text(opinion, labels.PIPELINE_COLUMNS["opinion"], required=True, max_len=MAX_TEXT)
    with _connect(store_root, write=True) as con:
        _open_round(con, review_id)
        oid = con.execute("INSERT INTO review_opinions (review_id, dimension, reviewer, opinion, recorded_at) "
                          "VALUES (?, ?, ?, ?, ?)", (int(review_id), dimension, reviewer, opinion, _now())).lastrowid
    return int(oid)


def decide(store_root, review_id: int, user: str, verdict: str, reasons: str | None, decided_on) -> None:
    """The committee's verdict on a review round: 通过 (needs an opinion of each dimension),
    否决 or 补充材料 (both need reasons). A round has one verdict; a new round is opened for a
    new decision."""
    user = _text(user, T["user"], required=True, max_len=50)
    verdict = inputs.key_of(verdict, labels.REVIEW_VERDICTS, "审查结论", PipelineError)
    reasons = _text(reasons, labels.PIPELINE_COLUMNS["reasons"], required=verdict in ("veto", "more"),
                    max_len=MAX_TEXT)
    decided_on = _date(decided_on, labels.PIPELINE_COLUMNS["decided_on"])
    if decided_on is None:
        raise PipelineError(inputs.T["required"].format(what=labels.PIPELINE_COLUMNS["decided_on"]))
    with _connect(store_root, write=True) as con:
        _open_round(con, review_id)
        if verdict == "pass":
            have = {r[0] for r in con.execute("SELECT DISTINCT dimension FROM review_opinions WHERE review_id = ?",
                                              (int(review_id),))}
            missing = [labels.REVIEW_DIMENSIONS[d] for d in DIMENSIONS if d not in have]
            if missing:
                raise PipelineError(T["err_missing_opinions"].format(id=review_id, missing="、".join(missing)))
        con.execute("INSERT INTO review_verdicts (review_id, verdict, reasons, decided_on, decided_by, recorded_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (int(review_id), verdict, reasons, decided_on, user, _now()))


def check_admission(store_root, lead_id: int) -> None:
    """Raise PipelineError (Chinese) unless the lead may be signed / enter the project library:
    its latest review must have passed (a vetoed lead needs a new review that passes)."""
    with _connect(store_root) as con:
        _current(con, lead_id)
        problem = _admission_problem(con, lead_id)
    if problem:
        raise PipelineError(problem)


# ---- reading ----------------------------------------------------------------------------------
def _exists(store_root) -> bool:
    return db_path(store_root).exists()


def _lead_frame(rows) -> pl.DataFrame:
    names = list(LEAD_SCHEMA)
    if not rows:
        return pl.DataFrame(schema=LEAD_SCHEMA)
    df = pl.DataFrame(rows, schema={k: (pl.String if v == pl.Date else v) for k, v in LEAD_SCHEMA.items()},
                      orient="row")
    return df.with_columns(pl.col(c).str.to_date() for c in names if LEAD_SCHEMA[c] == pl.Date)


def list_leads(store_root, units: tuple[str, ...] | list[str] | None = None) -> pl.DataFrame:
    """Every lead's current version with its latest review (review_id, verdict, reasons,
    decided_on; empty when never reviewed), oldest first; `units` narrows to those units."""
    if not _exists(store_root):
        return _lead_frame([])
    sql = ("SELECT c.lead_id, c.created_by, c.created_at, c.version, c.name, c.stage, c.channel, c.industry_chain, "
           "c.project_type, c.expected_investment_wan, c.source_body, c.owner, c.unit_code, c.last_contact_on, "
           "c.note, c.edited_by, c.edited_at, r.review_id, r.verdict, r.reasons, r.decided_on "
           "FROM current_leads AS c LEFT JOIN latest_reviews AS r USING (lead_id)")
    args: list = []
    if units:
        sql += f" WHERE c.unit_code IN ({', '.join('?' for _ in units)})"
        args = list(units)
    with _connect(store_root) as con:
        rows = con.execute(sql + " ORDER BY c.lead_id", args).fetchall()
    return _lead_frame(rows)


def get_lead(store_root, lead_id: int) -> dict | None:
    df = list_leads(store_root).filter(pl.col("lead_id") == int(lead_id))
    return df.row(0, named=True) if df.height else None


def history(store_root, lead_id: int) -> pl.DataFrame:
    """Every version of a lead, first to last (with the change and who made it)."""
    if not _exists(store_root):
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    with _connect(store_root) as con:
        rows = con.execute(f"SELECT lead_id, version, {', '.join(LEAD_FIELDS)}, change, edited_by, edited_at "
                           "FROM lead_versions WHERE lead_id = ? ORDER BY version", (int(lead_id),)).fetchall()
    if not rows:
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    df = pl.DataFrame(rows, schema={k: (pl.String if v == pl.Date else v) for k, v in HISTORY_SCHEMA.items()},
                      orient="row")
    return df.with_columns(pl.col("last_contact_on").str.to_date())


def opinions(store_root, review_id: int | None = None) -> pl.DataFrame:
    """The opinions recorded (of one review round, or all), in recording order."""
    rows = sqlite.select(db_path(store_root), _SCHEMA, "review_opinions", OPINION_SCHEMA, "opinion_id",
                         error=PipelineError, where={"review_id": None if review_id is None else int(review_id)})
    return pl.DataFrame(rows, schema=OPINION_SCHEMA, orient="row") if rows else pl.DataFrame(schema=OPINION_SCHEMA)


# ---- the numbers of the pipeline page (docs/domain.md §16) -------------------------------------
def funnel(leads: pl.DataFrame) -> pl.DataFrame:
    """One row per stage in order: leads now at the stage (`current`), leads that reached it
    (`reached`: current stage at or beyond it — stages only move forward), vetoed leads among
    those now at it, expected investment of those now at it, and the conversion from the
    previous stage (`pct_of_previous` = reached / reached of the previous stage) and from the
    first (`pct_of_first`); a conversion with a zero base is empty."""
    base = pl.DataFrame({"stage": list(STAGES), "rank": list(range(len(STAGES)))})
    ranked = leads.select(
        pl.col("stage").replace_strict(STAGE_RANK, return_dtype=pl.Int64).alias("rank"),
        (pl.col("verdict") == "veto").fill_null(False).alias("vetoed"),
        pl.col("expected_investment_wan").fill_null(0.0),
    )
    now = ranked.group_by("rank").agg(pl.len().cast(pl.Int64).alias("current"),
                                      pl.col("vetoed").sum().cast(pl.Int64).alias("vetoed"),
                                      pl.col("expected_investment_wan").sum().alias("expected_investment_wan"))
    out = (base.join(now, on="rank", how="left")
           .with_columns(pl.col("current", "vetoed").fill_null(0), pl.col("expected_investment_wan").fill_null(0.0))
           .sort("rank")
           .with_columns(pl.col("current").reverse().cum_sum().reverse().alias("reached")))
    first = out["reached"][0]
    prev = pl.col("reached").shift(1)
    return out.with_columns(
        pl.col("stage").replace_strict(labels.PIPELINE_STAGES).alias("stage_label"),
        pl.when(prev > 0).then(pl.col("reached") / prev).otherwise(None).alias("pct_of_previous"),
        (pl.col("reached") / first if first else pl.lit(None, dtype=pl.Float64)).alias("pct_of_first"),
    ).select("stage", "stage_label", "current", "reached", "vetoed", "expected_investment_wan",
             "pct_of_previous", "pct_of_first")


def stale(leads: pl.DataFrame, today: dt.date, stale_days: int) -> pl.DataFrame:
    """Open leads (not 正式签约, latest review not 否决) whose last contact — or, never contacted,
    their creation date — is more than `stale_days` days before `today`, longest first, with
    `days_since_contact`."""
    since = pl.coalesce(pl.col("last_contact_on"), pl.col("created_at").str.slice(0, 10).str.to_date())
    return (leads
            .filter((pl.col("stage") != "formal") & (pl.col("verdict").fill_null("") != "veto"))
            .with_columns((pl.lit(today) - since).dt.total_days().cast(pl.Int64).alias("days_since_contact"))
            .filter(pl.col("days_since_contact") > int(stale_days))
            .sort(["days_since_contact", "lead_id"], descending=[True, False]))


def review_queue(store_root, leads: pl.DataFrame) -> pl.DataFrame:
    """The committee's queue: leads now at 审查, each with its latest round, the latest opinion of
    each dimension (法务/商务/财务 columns) and the verdict with its reasons (a vetoed lead stays
    here with the veto reason visible); open rounds first, then by lead."""
    q = leads.filter(pl.col("stage") == "review")
    ops = opinions(store_root)
    cols = {d: f"opinion_{d}" for d in DIMENSIONS}
    if ops.height:
        last = (ops.sort("opinion_id").group_by("review_id", "dimension").agg(
            (pl.col("reviewer").last() + "：" + pl.col("opinion").last()).alias("text")))
        wide = last.pivot(on="dimension", index="review_id", values="text")
        for d in DIMENSIONS:
            if d not in wide.columns:
                wide = wide.with_columns(pl.lit(None, dtype=pl.String).alias(d))
        wide = wide.rename(cols)
        q = q.join(wide, on="review_id", how="left")
    else:
        q = q.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in cols.values())
    return q.sort([pl.col("verdict").is_not_null(), pl.col("lead_id")])


# ---- the 招商线索 / 审查 sheets of the monthly ledger (docs/domain.md §16.5) ----------------------
LEDGER_LEAD_SCHEMA = {"lead_id": pl.Int64, "version": pl.Int64, **{k: LEAD_SCHEMA[k] for k in LEAD_FIELDS}}
LEDGER_REVIEW_SCHEMA = {"lead_id": pl.Int64, "round": pl.Int64, "dimension": pl.String, "reviewer": pl.String,
                        "opinion": pl.String, "verdict": pl.String, "reasons": pl.String, "date": pl.Date}
LT = labels.PIPELINE_LEDGER_TEXT


def ledger_frames(store_root) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The pipeline as the ledger's two sheets: every lead's current version (one row per lead,
    with its version number), and one row per opinion and per verdict of every review round
    (`round` = the round's number within its lead, 1, 2, …; a round with neither yet is one row
    with only the lead and round, its opener and opening date). Keys, not labels (stage, dimension,
    verdict). Empty frames when there is no pipeline."""
    if not _exists(store_root):
        return pl.DataFrame(schema=LEDGER_LEAD_SCHEMA), pl.DataFrame(schema=LEDGER_REVIEW_SCHEMA)
    with _connect(store_root) as con:
        leads = con.execute(f"SELECT lead_id, version, {', '.join(LEAD_FIELDS)} FROM current_leads "
                            "ORDER BY lead_id").fetchall()
        rows = con.execute("""
            WITH r AS (SELECT review_id, lead_id, opened_by, opened_at,
                              row_number() OVER (PARTITION BY lead_id ORDER BY review_id) AS round FROM reviews)
            SELECT r.lead_id, r.round, 1 AS kind, o.opinion_id AS seq, o.dimension, o.reviewer, o.opinion,
                   NULL, NULL, substr(o.recorded_at, 1, 10)
            FROM r JOIN review_opinions AS o USING (review_id)
            UNION ALL
            SELECT r.lead_id, r.round, 2, 0, NULL, d.decided_by, NULL, d.verdict, d.reasons, d.decided_on
            FROM r JOIN review_verdicts AS d USING (review_id)
            UNION ALL
            SELECT r.lead_id, r.round, 0, 0, NULL, r.opened_by, NULL, NULL, NULL, substr(r.opened_at, 1, 10)
            FROM r WHERE NOT EXISTS (SELECT 1 FROM review_opinions WHERE review_id = r.review_id)
                     AND NOT EXISTS (SELECT 1 FROM review_verdicts WHERE review_id = r.review_id)
            ORDER BY 1, 2, 3, 4""").fetchall()
    strs = {k: (pl.String if v == pl.Date else v) for k, v in LEDGER_LEAD_SCHEMA.items()}
    lf = (pl.DataFrame(leads, schema=strs, orient="row").with_columns(pl.col("last_contact_on").str.to_date())
          if leads else pl.DataFrame(schema=LEDGER_LEAD_SCHEMA))
    cols = ["lead_id", "round", "kind", "seq", "dimension", "reviewer", "opinion", "verdict", "reasons", "date"]
    rf = (pl.DataFrame(rows, schema={c: (pl.Int64 if c in ("lead_id", "round", "kind", "seq") else pl.String)
                                     for c in cols}, orient="row")
          .with_columns(pl.col("date").str.to_date(strict=False)).select(list(LEDGER_REVIEW_SCHEMA))
          if rows else pl.DataFrame(schema=LEDGER_REVIEW_SCHEMA))
    return lf, rf


@contextmanager
def ledger_transaction(store_root, dry_run: bool):
    """One SQLite write transaction on pipeline.sqlite for an import: committed when the block
    ends without an exception and `dry_run` is false, rolled back otherwise. A dry run on a
    store without a pipeline database works on an empty in-memory copy of the schema (nothing is
    created on disk)."""
    if dry_run and not _exists(store_root):
        con = sqlite3.connect(":memory:", isolation_level=None)
        try:
            con.executescript(_SCHEMA)
            con.execute("BEGIN")
            yield con
        finally:
            con.close()
        return
    if dry_run:
        with _connect(store_root, write=True) as con:
            yield con
            con.execute("ROLLBACK")
            con.execute("BEGIN")  # sqlite.connect commits an (empty) transaction on exit
        return
    with sqlite.connect(db_path(store_root), _SCHEMA, error=PipelineError, write=True, create_dir=True) as con:
        yield con


def _norm(v):
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _current_or_none(con, lead_id: int) -> dict | None:
    try:
        return _current(con, lead_id)
    except PipelineError:
        return None


def _rounds(con, lead_id: int) -> list[dict]:
    rows = con.execute("SELECT r.review_id, d.verdict, d.reasons, d.decided_on FROM reviews AS r "
                       "LEFT JOIN review_verdicts AS d USING (review_id) WHERE r.lead_id = ? ORDER BY r.review_id",
                       (int(lead_id),)).fetchall()
    return [dict(zip(("review_id", "verdict", "reasons", "decided_on"), r)) for r in rows]


def _stamp(date, now: str) -> str:
    """The record time of an imported row: its ledger date (at midnight) when given, else now."""
    return f"{date}T00:00:00" if date else now


def apply_ledger(con, leads: list[dict], reviews: list[dict], links: list[dict], user: str) -> tuple[list[dict], dict]:
    """Apply the ledger's 招商线索 / 审查 rows and check the projects' lead links on `con` (inside
    `ledger_transaction`), append-only, by the rules of docs/domain.md §16.5. Rows are dicts of
    keys (stage / dimension / verdict as keys, dates as ISO text) with an opaque `ref` that comes
    back in the problems. Returns (problems, counts): problems are dicts {level: error|warning,
    sheet: leads|reviews|projects, ref, field, value, message}; the caller rolls back on any error.

    - a lead not in the store is created with the ledger's id (at 线索, or 洽谈 when the ledger's
      stage is later) and then brought to the ledger's stage by the ordinary rules;
    - a lead in the store whose fields (stage included) equal the ledger's is left alone (a
      re-import adds nothing); one that differs is changed (a new version) only when the ledger's
      version equals the store's current version, otherwise it is a conflict warning and the
      store's lead is kept;
    - review round k of a lead is the k-th round in the store; round k + 1 (the next) is opened;
      an opinion not yet in its round is added while the round is open (a closed round: warning);
      a verdict is recorded on an open round (通过 needs the three dimensions), the same verdict
      again is nothing, a different one is a conflict warning;
    - every project linked to a lead must pass `check_admission` on the state after all this."""
    user = (user or "").strip() or "台账导入"
    now = _now()
    problems: list[dict] = []
    counts = {"created": 0, "updated": 0, "rounds": 0, "opinions": 0, "verdicts": 0, "conflicts": 0}

    def problem(level, sheet, ref, fld, value, message):
        problems.append({"level": level, "sheet": sheet, "ref": ref, "field": fld,
                         "value": "" if value is None else str(value), "message": message})

    by_lead = {int(r["lead_id"]): r for r in leads}
    rv_by_lead: dict[int, list[dict]] = {}
    for r in reviews:
        rv_by_lead.setdefault(int(r["lead_id"]), []).append(r)
    for lid in sorted(set(by_lead) | set(rv_by_lead)):
        row = by_lead.get(lid)
        cur = _current_or_none(con, lid)
        target = None
        if cur is None:
            if row is None:
                for r in rv_by_lead[lid]:
                    problem("error", "reviews", r["ref"], "lead_id", lid, LT["err_unknown_lead"].format(id=lid))
                continue
            start = "lead" if row["stage"] == "lead" else "talks"
            con.execute("INSERT INTO leads (lead_id, created_by, created_at) VALUES (?, ?, ?)", (lid, user, now))
            _append(con, lid, 1, {**{k: _norm(row.get(k)) for k in LEAD_FIELDS}, "stage": start}, "import:created", user)
            counts["created"] += 1
            target = row["stage"]
        elif row is not None:
            differs = [k for k in LEAD_FIELDS if _norm(row.get(k)) != _norm(cur[k])]
            if differs:
                base = row.get("version")
                if base is None or int(base) != cur["version"]:
                    counts["conflicts"] += 1
                    problem("warning", "leads", row["ref"], "version", base, LT["warn_conflict"].format(
                        id=lid, version=cur["version"],
                        base=LT["base_none"] if base is None else LT["base"].format(n=int(base))))
                else:
                    fields_ = [k for k in differs if k != "stage"]
                    if fields_:
                        _append(con, lid, cur["version"] + 1,
                                {**cur, **{k: _norm(row.get(k)) for k in fields_}}, "import:edited", user)
                    counts["updated"] += 1
                    target = row["stage"]
        # review rounds, in order
        rounds = _rounds(con, lid)
        by_round: dict[int, list[dict]] = {}
        for r in rv_by_lead.get(lid, []):
            by_round.setdefault(int(r["round"]), []).append(r)
        for k in sorted(by_round):
            rows_k = by_round[k]
            if k > len(rounds) + 1:
                for r in rows_k:
                    problem("error", "reviews", r["ref"], "round", k, LT["err_round_gap"].format(
                        id=lid, have=len(rounds), round=k, missing=len(rounds) + 1))
                break
            if k == len(rounds) + 1:  # a new round: the rules of open_review
                lead_now = _current(con, lid)
                opener = next((r for r in rows_k if not r.get("dimension") and not r.get("verdict")), rows_k[0])
                msg = None
                if lead_now["stage"] in SIGNING_STAGES:
                    msg = T["err_review_signed"].format(id=lid, stage=labels.PIPELINE_STAGES[lead_now["stage"]])
                elif rounds and rounds[-1]["verdict"] is None:
                    msg = T["err_review_open"].format(id=lid)
                if msg:
                    problem("error", "reviews", opener["ref"], "round", k, msg)
                    break
                who = (opener.get("reviewer") if not opener.get("dimension") and not opener.get("verdict") else None)
                rid = con.execute("INSERT INTO reviews (lead_id, opened_by, opened_at) VALUES (?, ?, ?)",
                                  (lid, who or user, _stamp(opener.get("date") if who else None, now))).lastrowid
                _append(con, lid, lead_now["version"] + 1, {**lead_now, "stage": "review"}, f"review:{rid}", user)
                rounds.append({"review_id": rid, "verdict": None, "reasons": None, "decided_on": None})
                counts["rounds"] += 1
            rd = rounds[k - 1]
            rid = rd["review_id"]
            have = {(d, w, o) for d, w, o in con.execute(
                "SELECT dimension, reviewer, opinion FROM review_opinions WHERE review_id = ?", (rid,))}
            for r in rows_k:
                if not r.get("dimension"):
                    continue
                key = (r["dimension"], _norm(r.get("reviewer")), _norm(r.get("opinion")))
                if key in have:
                    continue
                if rd["verdict"] is not None:
                    counts["conflicts"] += 1
                    problem("warning", "reviews", r["ref"], "opinion", r.get("opinion"),
                            LT["warn_opinion_closed"].format(id=lid, round=k))
                    continue
                con.execute("INSERT INTO review_opinions (review_id, dimension, reviewer, opinion, recorded_at) "
                            "VALUES (?, ?, ?, ?, ?)", (rid, *key, _stamp(r.get("date"), now)))
                have.add(key)
                counts["opinions"] += 1
            for r in rows_k:
                if not r.get("verdict"):
                    continue
                want = (r["verdict"], _norm(r.get("reasons")), _norm(r.get("date")))
                if rd["verdict"] is not None:
                    if (rd["verdict"], _norm(rd["reasons"]), rd["decided_on"]) != want:
                        counts["conflicts"] += 1
                        problem("warning", "reviews", r["ref"], "verdict", labels.REVIEW_VERDICTS[r["verdict"]],
                                LT["warn_verdict_conflict"].format(
                                    id=lid, round=k, have=labels.REVIEW_VERDICTS[rd["verdict"]], on=rd["decided_on"],
                                    want=labels.REVIEW_VERDICTS[r["verdict"]]))
                    continue
                if r["verdict"] == "pass":
                    missing = [labels.REVIEW_DIMENSIONS[d] for d in DIMENSIONS if d not in {h[0] for h in have}]
                    if missing:
                        problem("error", "reviews", r["ref"], "verdict", labels.REVIEW_VERDICTS["pass"],
                                T["err_missing_opinions"].format(id=f"（线索 {lid} 第{k}轮）", missing="、".join(missing)))
                        continue
                con.execute("INSERT INTO review_verdicts (review_id, verdict, reasons, decided_on, decided_by, "
                            "recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                            (rid, *want, _norm(r.get("reviewer")) or user, now))
                rd.update(verdict=want[0], reasons=want[1], decided_on=want[2])
                counts["verdicts"] += 1
        # the ledger's stage, by the rules of move_stage
        if target is not None:
            lead_now = _current(con, lid)
            if target != lead_now["stage"]:
                msg = None
                if STAGE_RANK[target] < STAGE_RANK[lead_now["stage"]]:
                    msg = T["err_backward"].format(id=lid, now=labels.PIPELINE_STAGES[lead_now["stage"]],
                                                   to=labels.PIPELINE_STAGES[target])
                elif target == "review":
                    msg = T["err_review_open"].format(id=lid) if (rounds and rounds[-1]["verdict"] is None) else None
                    if msg is None:
                        rid = con.execute("INSERT INTO reviews (lead_id, opened_by, opened_at) VALUES (?, ?, ?)",
                                          (lid, user, now)).lastrowid
                        _append(con, lid, lead_now["version"] + 1, {**lead_now, "stage": "review"}, f"review:{rid}", user)
                        counts["rounds"] += 1
                else:
                    if target in SIGNING_STAGES:
                        msg = _admission_problem(con, lid)
                    if msg is None:
                        _append(con, lid, lead_now["version"] + 1, {**lead_now, "stage": target}, f"stage:{target}", user)
                if msg:
                    problem("error", "leads", row["ref"], "stage", labels.PIPELINE_STAGES[target], msg)
    # the projects' links: admission on the state after the ledger
    for ln in links:
        lid = int(ln["lead_id"])
        if _current_or_none(con, lid) is None:
            problem("error", "projects", ln["ref"], "lead_id", lid, LT["err_link_unknown"].format(id=lid))
            continue
        msg = _admission_problem(con, lid)
        if msg:
            problem("error", "projects", ln["ref"], "lead_id", lid, msg)
    return problems, counts


LEAD_TABLE = ("lead_id", "name", "stage_label", "unit_name", "channel", "industry_chain", "project_type",
              "expected_investment_wan", "source_body", "owner", "last_contact_on", "verdict", "reasons",
              "decided_on", "edited_by", "edited_at")
QUEUE_TABLE = ("lead_id", "name", "unit_name", "review_id", "opinion_legal", "opinion_commercial",
               "opinion_financial", "verdict", "reasons", "decided_on", "expected_investment_wan", "owner")
STALE_TABLE = ("lead_id", "name", "stage_label", "unit_name", "owner", "source_body", "last_contact_on",
               "days_since_contact", "expected_investment_wan", "channel", "industry_chain", "project_type")


def table(df: pl.DataFrame, columns: tuple[str, ...], unit_names: dict[str, str]) -> pl.DataFrame:
    """The columns of a lead list as shown and exported: the stage in Chinese, the unit's name."""
    out = df.with_columns(
        pl.col("stage").replace_strict(labels.PIPELINE_STAGES, default=pl.col("stage")).alias("stage_label"),
        pl.col("unit_code").replace_strict(unit_names, default=pl.col("unit_code")).alias("unit_name"))
    return out.select([c for c in columns if c in out.columns])


__all__ = ["PipelineError", "add_lead", "update_lead", "record_contact", "move_stage", "open_review",
           "add_opinion", "decide", "check_admission", "list_leads", "get_lead", "history", "opinions",
           "funnel", "stale", "review_queue", "table", "settings", "db_path"]


# ---- who may do what (docs/domain.md §16.4) ------------------------------------------------------
# Every reader and writer below takes the acting account (anything with `name`, `role`,
# `unit_code` and `may(permission)`: store.accounts.Account, or SYSTEM for the command line's
# operator) and enforces the account's scope here, in the core, not in the page: a township
# account reads and writes only its own unit's leads.
A = labels.PIPELINE_ACCESS_TEXT


class _System:
    """The command line's operator acting without `--user`: every permission, every unit."""

    name = "system"
    role = "system"
    unit_code = None

    def may(self, permission: str) -> bool:
        return True


SYSTEM = _System()


def scope_unit(account) -> str | None:
    """The one unit an account is bound to (township), else None (every unit)."""
    if account is None:
        raise PipelineError(A["not_logged_in"])
    return account.unit_code if account.role == "township" else None


def _unit_name(store_root, code: str) -> str:
    from lifecycle.domain.reference import region

    try:
        u = region(region_of(store_root)).units.get(code)
    except Exception:  # no region recorded yet
        u = None
    return u.name if u else str(code)


def visible_leads(store_root, account, units=None) -> pl.DataFrame:
    """`list_leads` in the account's scope: a township account's unit is ANDed into `units`;
    asking for another unit is refused (PipelineError 无权查看…)."""
    own = scope_unit(account)
    if own is None:
        return list_leads(store_root, tuple(units) if units else None)
    if units and any(u != own for u in units):
        raise PipelineError(A["other_unit"].format(unit=_unit_name(store_root, own)))
    return list_leads(store_root, (own,))


def _need(account, permission: str, what: str) -> None:
    from lifecycle.store.accounts import require

    require(account, permission, PipelineError, A["denied"], A["not_logged_in"], what=A[what])


def _own_lead(store_root, account, lead_id: int) -> dict:
    """The lead, if the account may touch it (a township account: its unit's leads only)."""
    lead = get_lead(store_root, lead_id)
    if lead is None:
        raise PipelineError(T["err_no_lead"].format(id=lead_id))
    own = scope_unit(account)
    if own is not None and lead["unit_code"] != own:
        raise PipelineError(A["other_unit_write"].format(id=lead_id, unit=_unit_name(store_root, own)))
    return lead


def _review_lead(store_root, review_id: int) -> int:
    if not _exists(store_root):
        raise PipelineError(T["err_no_review"].format(id=review_id))
    with _connect(store_root) as con:
        row = con.execute("SELECT lead_id FROM reviews WHERE review_id = ?", (int(review_id),)).fetchone()
    if row is None:
        raise PipelineError(T["err_no_review"].format(id=review_id))
    return int(row[0])


def _scoped_unit(store_root, account, unit_code) -> str | None:
    own = scope_unit(account)
    unit_code = (str(unit_code).strip() or None) if unit_code is not None else None
    if own is None:
        return unit_code
    if unit_code not in (None, own):
        raise PipelineError(A["unit_forced"].format(unit=_unit_name(store_root, own),
                                                    other=_unit_name(store_root, unit_code)))
    return own


def enter_lead(store_root, account, name: str, stage: str = "lead", **fields) -> int:
    """`add_lead` as `account` (permission `leads`); a township account's lead is its unit's."""
    _need(account, "leads", "what_leads")
    fields["unit_code"] = _scoped_unit(store_root, account, fields.get("unit_code"))
    return add_lead(store_root, account.name, name, stage=stage, **fields)


def edit_lead(store_root, account, lead_id: int, base_version: int | None = None, **fields) -> int:
    """`update_lead` as `account` (permission `leads`, own unit's lead; never moved to another unit)."""
    _need(account, "leads", "what_leads")
    _own_lead(store_root, account, lead_id)
    if "unit_code" in fields:
        fields["unit_code"] = _scoped_unit(store_root, account, fields["unit_code"])
    return update_lead(store_root, lead_id, account.name, base_version=base_version, **fields)


def contact_lead(store_root, account, lead_id: int, on) -> int:
    """`record_contact` as `account` (permission `leads`, own unit's lead)."""
    _need(account, "leads", "what_leads")
    _own_lead(store_root, account, lead_id)
    return record_contact(store_root, lead_id, account.name, on)


def advance_lead(store_root, account, lead_id: int, stage: str, base_version: int | None = None) -> int:
    """`move_stage` as `account` (permission `leads`, own unit's lead); 审查 opens a round."""
    _need(account, "leads", "what_leads")
    _own_lead(store_root, account, lead_id)
    return move_stage(store_root, lead_id, account.name, stage, base_version=base_version)


def record_opinion(store_root, account, review_id: int, dimension: str, opinion: str) -> int:
    """`add_opinion` by `account` as the reviewer (permission `review`: committee members)."""
    _need(account, "review", "what_review")
    _own_lead(store_root, account, _review_lead(store_root, review_id))
    return add_opinion(store_root, review_id, dimension, account.name, opinion)


def record_verdict(store_root, account, review_id: int, verdict: str, reasons: str | None, decided_on) -> None:
    """`decide` recorded by `account` (permission `decide`: committee members, the project office's publisher)."""
    _need(account, "decide", "what_decide")
    _own_lead(store_root, account, _review_lead(store_root, review_id))
    decide(store_root, review_id, account.name, verdict, reasons, decided_on)


def open_rounds(store_root, leads: pl.DataFrame) -> pl.DataFrame:
    """The review rounds of `leads` still waiting for a verdict (lead_id, review_id, name), by round."""
    return (leads.filter(pl.col("review_id").is_not_null() & pl.col("verdict").is_null())
            .select("lead_id", "review_id", "name", "unit_code").sort("review_id"))


__all__ += ["SYSTEM", "scope_unit", "visible_leads", "enter_lead", "edit_lead", "contact_lead", "advance_lead",
            "record_opinion", "record_verdict", "open_rounds"]


def load_generated(store_root, leads: list[tuple], versions: list[tuple], reviews: list[tuple],
                   opinions_: list[tuple], verdicts: list[tuple]) -> None:
    """Write a generated pipeline history (the demo, lifecycle/demo.py) in one transaction into
    an empty pipeline database: rows in the column order of the tables (`leads`, `lead_versions`,
    `reviews`, `review_opinions`, `review_verdicts`). The generator is responsible for the rules
    above (forward stages, verdicts after opinions, signing only after a passed round)."""
    with _connect(store_root, write=True) as con:
        if con.execute("SELECT count(*) FROM leads").fetchone()[0]:
            raise PipelineError(f"{FILE_NAME} 已有招商线索，不能写入演示数据")
        con.executemany("INSERT INTO leads VALUES (?, ?, ?)", leads)
        con.executemany(f"INSERT INTO lead_versions VALUES ({', '.join('?' * 16)})", versions)
        con.executemany("INSERT INTO reviews VALUES (?, ?, ?, ?)", reviews)
        con.executemany("INSERT INTO review_opinions VALUES (?, ?, ?, ?, ?, ?)", opinions_)
        con.executemany("INSERT INTO review_verdicts VALUES (?, ?, ?, ?, ?, ?)", verdicts)
