"""Yearly township targets 招商任务 kept in the store (docs/domain.md §16.3): edited or imported by
a publisher, they replace the configuration's example figures for their year.

Storage: `<store>/targets.sqlite` (opened like the other small databases, `store/sqlite.py`):
- `unit_targets`: one row per year × unit × measure (`labels.TARGET_MEASURES`): the value (NULL =
  no target for that measure), who set it and when;
- `target_saves`: one row per save (edit or import) of a year: who, when, how (edit / import /
  clear), and the number of rows — its largest id is the revision pages use as a cache key;
- `target_changes`: one row per value that changed in a save (old → new), the history.

A year with at least one row in `unit_targets` takes its targets from the store only (the
configured figures of that year are ignored); a year without rows falls back to the
configuration (`[regions.<key>.unit_targets.<year>]`). A save replaces the whole year.

Writes take the acting account (permission `publish`, checked here, not in the page).
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import polars as pl

from lifecycle.domain import labels
from lifecycle.domain.config import pipeline_settings
from lifecycle.store import inputs, sqlite

FILE_NAME = "targets.sqlite"
MEASURES = tuple(labels.TARGET_MEASURES)
COUNT_MEASURES = ("signed_projects", "projects_10yi", "projects_50yi")  # whole numbers
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_VALUE = 1_000_000
T = labels.UNIT_TARGET_TEXT

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS unit_targets (
    year       INTEGER NOT NULL,
    unit_code  TEXT NOT NULL,
    measure    TEXT NOT NULL CHECK (measure IN ({', '.join(repr(m) for m in MEASURES)})),
    value      REAL CHECK (value IS NULL OR value >= 0),
    set_by     TEXT NOT NULL,
    set_at     TEXT NOT NULL,
    PRIMARY KEY (year, unit_code, measure)
);
CREATE TABLE IF NOT EXISTS target_saves (
    save_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    year       INTEGER NOT NULL,
    source     TEXT NOT NULL,
    rows       INTEGER NOT NULL,
    saved_by   TEXT NOT NULL,
    saved_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS target_changes (
    change_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    save_id    INTEGER NOT NULL REFERENCES target_saves (save_id),
    year       INTEGER NOT NULL,
    unit_code  TEXT NOT NULL,
    measure    TEXT NOT NULL,
    old_value  REAL,
    value      REAL
);
"""
STORED_SCHEMA = {"year": pl.Int64, "unit_code": pl.String, "measure": pl.String, "value": pl.Float64,
                 "set_by": pl.String, "set_at": pl.String}
WIDE_SCHEMA = {"year": pl.Int64, "unit_code": pl.String, "unit_name": pl.String,
               **{m: pl.Float64 for m in MEASURES}}


class TargetError(Exception):
    """A user-facing problem with the targets (message in Chinese)."""


def _root(store_root) -> Path:
    return Path(store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root)


def db_path(store_root) -> Path:
    return _root(store_root) / FILE_NAME


def _connect(store_root, write: bool = False):
    return sqlite.connect(db_path(store_root), _SCHEMA, error=TargetError, write=write, readonly=not write)


_now = inputs.now


def _region(store_root):
    from lifecycle.domain.reference import region
    from lifecycle.store.snapshots import Store

    return region(Store(_root(store_root)).region)


# ---- reading ----------------------------------------------------------------------------------
def stored(store_root, year: int | None = None) -> pl.DataFrame:
    """The store's rows (of one year, or all), by year, unit, measure order."""
    rows = sqlite.select(db_path(store_root), _SCHEMA, "unit_targets", STORED_SCHEMA, "year, unit_code",
                         error=TargetError, where={"year": None if year is None else int(year)})
    df = pl.DataFrame(rows, schema=STORED_SCHEMA, orient="row") if rows else pl.DataFrame(schema=STORED_SCHEMA)
    order = {m: i for i, m in enumerate(MEASURES)}
    return df.sort(["year", "unit_code", pl.col("measure").replace_strict(order, return_dtype=pl.Int64)])


def stored_years(store_root) -> list[int]:
    if not db_path(store_root).exists():
        return []
    with _connect(store_root) as con:
        return [int(r[0]) for r in con.execute("SELECT DISTINCT year FROM unit_targets ORDER BY year")]


def revision(store_root) -> int:
    """Changes whenever targets are saved (a cache key for pages: `Metrics.unit_targets` reads them)."""
    if not db_path(store_root).exists():
        return 0
    with _connect(store_root) as con:
        return int(con.execute("SELECT coalesce(max(save_id), 0) FROM target_saves").fetchone()[0])


def effective(store_root, region_key: str, year: int) -> tuple[dict[str, dict[str, float]], str]:
    """({unit_code: {measure: value}}, source) of a year: the store's targets when it holds the
    year ('store'; measures without a value left out), else the configured ones ('config'), else
    ({}, 'none')."""
    df = stored(store_root, year)
    if df.height:
        out: dict[str, dict[str, float]] = {}
        for r in df.filter(pl.col("value").is_not_null()).iter_rows(named=True):
            out.setdefault(r["unit_code"], {})[r["measure"]] = float(r["value"])
        return out, "store"
    cfg = pipeline_settings(region_key, _root(store_root))["unit_targets"].get(int(year), {})
    out = {u: {k: float(t[k]) for k in MEASURES if t.get(k) is not None} for u, t in cfg.items()}
    return out, ("config" if out else "none")


def configured_years(store_root, region_key: str) -> list[int]:
    """Every year with targets in the store or the configuration."""
    cfg = pipeline_settings(region_key, _root(store_root))["unit_targets"]
    return sorted(set(cfg) | set(stored_years(store_root)))


def wide(store_root, region_key: str, year: int, all_units: bool = False) -> pl.DataFrame:
    """The year's effective targets as one row per unit (year, unit_code, unit_name, one column
    per measure; an empty cell = no target); `all_units` lists every unit of the region (the
    editor's grid), else only units with a target."""
    from lifecycle.domain.reference import region

    reg = region(region_key)
    tg, _ = effective(store_root, region_key, year)
    codes = list(reg.units) if all_units else [c for c in reg.units if c in tg] + sorted(set(tg) - set(reg.units))
    rows = [{"year": int(year), "unit_code": c, "unit_name": reg.units[c].name if c in reg.units else c,
             **{m: tg.get(c, {}).get(m) for m in MEASURES}} for c in codes]
    return pl.DataFrame(rows, schema=WIDE_SCHEMA) if rows else pl.DataFrame(schema=WIDE_SCHEMA)


# ---- checking ---------------------------------------------------------------------------------
def check_value(measure: str, value) -> float | None:
    """A target value as stored: None for an empty cell; else a finite number ≥ 0 (whole for the
    project counts). Raises TargetError (Chinese) otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    what = labels.TARGET_MEASURES.get(measure, measure)
    if isinstance(value, bool):
        raise TargetError(T["err_number"].format(what=what, value=value))
    try:
        v = float(str(value).strip().replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise TargetError(T["err_number"].format(what=what, value=value)) from None
    if not math.isfinite(v):
        raise TargetError(T["err_number"].format(what=what, value=value))
    if v < 0:
        raise TargetError(T["err_negative"].format(what=what, value=value))
    if v > MAX_VALUE:
        raise TargetError(T["err_too_big"].format(what=what, value=value, max=MAX_VALUE))
    if measure in COUNT_MEASURES and v != int(v):
        raise TargetError(T["err_whole"].format(what=what, value=value))
    return v


def check_year(year) -> int:
    try:
        y = int(str(year).strip().removesuffix("年")) if not isinstance(year, int) else year
    except (TypeError, ValueError):
        raise TargetError(T["err_year"].format(value=year)) from None
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise TargetError(T["err_year"].format(value=year))
    return y


def _need(account) -> None:
    from lifecycle.store.accounts import require

    require(account, "publish", TargetError, T["denied"], T["not_logged_in"])


# ---- writing ----------------------------------------------------------------------------------
def save_year(store_root, account, year, rows, source: str = "edit") -> int:
    """Replace the targets of `year` by `rows` (each {unit_code, <measure>: value …}; a measure
    missing or empty = no target) as `account` (permission `publish`). Unknown unit codes, a
    unit twice, negative or non-numeric values are refused (TargetError, nothing written).
    Returns the save's id (the new revision)."""
    _need(account)
    y = check_year(year)
    if source not in ("edit", "import"):
        raise ValueError(source)
    reg = _region(store_root)
    values: dict[tuple[str, str], float | None] = {}
    seen: set[str] = set()
    for r in rows:
        code = str(r.get("unit_code") or "").strip()
        if code not in reg.units:
            raise TargetError(T["err_unit"].format(value=code or "（空）", unit_word=reg.unit_word))
        if code in seen:
            raise TargetError(T["err_unit_twice"].format(unit=reg.units[code].name, year=y))
        seen.add(code)
        for m in MEASURES:
            try:
                values[(code, m)] = check_value(m, r.get(m))
            except TargetError as e:
                raise TargetError(f"{reg.units[code].name}：{e}") from None
    user = account.name
    now = _now()
    with _connect(store_root, write=True) as con:
        old = {(u, m): v for u, m, v in con.execute(
            "SELECT unit_code, measure, value FROM unit_targets WHERE year = ?", (y,))}
        con.execute("DELETE FROM unit_targets WHERE year = ?", (y,))
        sid = con.execute("INSERT INTO target_saves (year, source, rows, saved_by, saved_at) VALUES (?, ?, ?, ?, ?)",
                          (y, source, len(seen), user, now)).lastrowid
        con.executemany("INSERT INTO unit_targets (year, unit_code, measure, value, set_by, set_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [(y, u, m, v, user, now) for (u, m), v in values.items()])
        changed = [(sid, y, u, m, old.get((u, m)), values.get((u, m)))
                   for (u, m) in sorted(set(old) | set(values)) if old.get((u, m)) != values.get((u, m))]
        con.executemany("INSERT INTO target_changes (save_id, year, unit_code, measure, old_value, value) "
                        "VALUES (?, ?, ?, ?, ?, ?)", changed)
    return int(sid)


def clear_year(store_root, account, year) -> int:
    """Remove the store's targets of `year` (the configured figures apply again)."""
    _need(account)
    y = check_year(year)
    with _connect(store_root, write=True) as con:
        old = con.execute("SELECT unit_code, measure, value FROM unit_targets WHERE year = ?", (y,)).fetchall()
        con.execute("DELETE FROM unit_targets WHERE year = ?", (y,))
        sid = con.execute("INSERT INTO target_saves (year, source, rows, saved_by, saved_at) VALUES (?, 'clear', 0, ?, ?)",
                          (y, account.name, _now())).lastrowid
        con.executemany("INSERT INTO target_changes (save_id, year, unit_code, measure, old_value, value) "
                        "VALUES (?, ?, ?, ?, ?, NULL)", [(sid, y, u, m, v) for u, m, v in old])
    return int(sid)


def save_wide(store_root, account, df: pl.DataFrame, source: str = "edit") -> list[int]:
    """Save a wide frame (year, unit_code, measures — the editor's grid or an imported sheet):
    each year in it replaces that year's targets (a unit whose cells are all empty is stored
    without targets, so an emptied grid still overrides the configuration). Returns the save ids."""
    out = []
    for (y,), part in df.group_by("year", maintain_order=True):
        out.append(save_year(store_root, account, y, part.iter_rows(named=True), source))
    return out


__all__ = [
    "MEASURES",
    "TargetError",
    "check_value",
    "check_year",
    "clear_year",
    "configured_years",
    "db_path",
    "effective",
    "revision",
    "save_wide",
    "save_year",
    "stored",
    "stored_years",
    "wide",
]
