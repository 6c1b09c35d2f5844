"""The DuckDB query layer: the one place that opens connections.

`Database(store)` holds one in-memory DuckDB connection whose catalog has the staging views,
intermediate models and table macros from `lifecycle/sql/*.sql`. Every query runs on a fresh
`cursor()` (DuckDB connections are not shared across threads), with values passed as bound
parameters. The parquet file lists are bound through DuckDB session variables, set on each
cursor, so no path or value is ever formatted into SQL text.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from lifecycle.domain import reference, schema

from lifecycle.store.snapshots import Store

SQL_DIR = Path(__file__).resolve().parent / "sql"
_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

# Models created in the catalog, in dependency order.
MODELS = [
    "stg_projects",
    "stg_approvals",
    "stg_operations",
    "stg_problems",
    "int_projects",
    "int_approvals",
    "sliced",
    "rate_inputs",
    "review_models",
    "lookback_rows",
    "ztf_models",
]


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    """The text of lifecycle/sql/<name>.sql (name may contain a sub-folder, e.g. 'flags/x')."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _params_for(sql: str, params: dict) -> dict:
    """Only the named parameters the statement uses (DuckDB rejects extra ones)."""
    used = set(_PARAM_RE.findall(_strip_comments(sql)))
    missing = used - params.keys()
    if missing:
        raise KeyError(f"SQL parameters not provided: {sorted(missing)}")
    return {k: params[k] for k in used}


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def _normalise(df: pl.DataFrame) -> pl.DataFrame:
    """DuckDB counts arrive as DECIMAL(38,0) (HUGEINT): make them Int64, other decimals Float64."""
    fixes = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.Decimal):
            fixes.append(pl.col(name).cast(pl.Int64 if (dtype.scale or 0) == 0 else pl.Float64))
    return df.with_columns(fixes) if fixes else df


@lru_cache(maxsize=None)
def _schema_file(table: str) -> str:
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="lifecycle_schema_")) / "month=0000-00"
    d.mkdir()
    path = d / f"{table}.parquet"
    schema.empty(table).write_parquet(path)
    return str(path)


def _needs_union(table: str, files: list[str]) -> bool:
    """True when some published file of `table` lacks a column of the current schema (a month
    published before the column was added): the staging view then reads by column name
    (`union_by_name`, slower), else by position. Reads only the files' footers."""
    import pyarrow.parquet as pq

    want = set(schema.polars_schema(table))
    for f in files:
        if Path(f).exists() and not want <= set(pq.read_schema(f).names):
            return True
    return False


_PINS = threading.local()  # id(Database) -> the file lists this thread's queries read


class Database:
    def __init__(self, store: Store):
        self.store = store
        self._con = duckdb.connect(":memory:")
        self._lock = threading.Lock()
        self._token: str | None = None
        self._files: dict[str, list[str]] = {}
        self._union: dict[str, bool] = {}
        self.months: list[str] = []
        self.problems: list[dict] = []
        self._setup_reference()
        self.refresh()

    # ---- setup --------------------------------------------------------------------
    def _setup_reference(self) -> None:
        units = pl.DataFrame(
            reference.units_table(self.store.region),
            schema={"township_code": pl.String, "township_name": pl.String,
                    "unit_code": pl.String, "unit_name": pl.String},
        )
        sections = pl.DataFrame(
            {"industry_section": list(reference.industry_sections()),
             "industry_name": list(reference.industry_sections().values())}
        )
        con = self._con
        con.register("_units_df", units.to_arrow())
        con.execute("CREATE OR REPLACE TABLE ref_units AS SELECT * FROM _units_df")
        con.unregister("_units_df")
        con.register("_sections_df", sections.to_arrow())
        con.execute("CREATE OR REPLACE TABLE ref_sections AS SELECT * FROM _sections_df")
        con.unregister("_sections_df")

    def refresh(self, force: bool = False) -> bool:
        """Re-point the views at the store's current files if anything was published."""
        token = self.store.version_token()
        if not force and token == self._token:
            return False
        with self._lock:
            # each month resolved once to its immutable version directory (snapshot isolation)
            # and checked; damaged months are left out and named in self.problems
            snap = self.store.snapshot()
            self.months, self._files, self.problems = snap.months, snap.files, snap.problems
            self._union = {tb: _needs_union(tb, fs) for tb, fs in self._files.items()}
            # union_by_name only knows the columns some file has: when every month predates a
            # column, a schema-only file (no rows, in a hive directory month=0000-00 that is never
            # a published month) read first supplies it as NULL
            self._files = {tb: ([_schema_file(tb)] + list(fs) if self._union.get(tb) else fs)
                           for tb, fs in self._files.items()}
            if self.months:
                self._set_vars(self._con)
                for model in MODELS:
                    self._con.execute(sql_text(model))
            self._token = token
        return True

    def _set_vars(self, cur, files: dict | None = None) -> None:
        for t, f in (files or self._files).items():
            cur.execute(f"SET VARIABLE {t}_files = $files", {"files": f})
            cur.execute(f"SET VARIABLE {t}_union = $u", {"u": self._union.get(t, False)})

    def pin(self) -> None:
        """Refresh once and keep this thread's queries on that refresh's files until the next
        pin() (a page run: every query of the page reads the same versions)."""
        self.refresh()
        _PINS.__dict__[id(self)] = self._files

    # ---- querying -----------------------------------------------------------------
    def cursor(self):
        files = _PINS.__dict__.get(id(self))
        if files is None:
            self.refresh()
        cur = self._con.cursor()
        self._set_vars(cur, files)
        return cur

    def query(self, sql: str, params: dict | None = None) -> pl.DataFrame:
        """Run one statement with bound named parameters; return a Polars frame."""
        params = params or {}
        cur = self.cursor()
        try:
            rel = cur.sql(sql, params=_params_for(sql, params))
            return _normalise(rel.pl())
        finally:
            cur.close()

    def run(self, name: str, params: dict | None = None) -> pl.DataFrame:
        """Run lifecycle/sql/<name>.sql."""
        return self.query(sql_text(name), params)

    def scalar(self, sql: str, params: dict | None = None):
        cur = self.cursor()
        try:
            row = cur.execute(sql, _params_for(sql, params or {})).fetchone()
            return row[0] if row else None
        finally:
            cur.close()

    def close(self) -> None:
        self._con.close()
