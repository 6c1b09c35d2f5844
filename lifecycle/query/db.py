"""The DuckDB query layer: the one place that opens connections.

`Database(store)` holds one in-memory DuckDB connection whose catalog has the staging views,
intermediate models and table macros from `lifecycle/query/sql/models/*.sql`. Values are always bound
parameters; the parquet file lists are bound through DuckDB session variables, so no path or
value is ever formatted into SQL text.

Execution strategy (why a page at 100,000 projects × 60 months stays fast):

- **Each month is resolved to its files once per refresh** (`resolve_files`), and a query reads
  only the months it needs: the staging views see the files of the months passed as `months=`
  (default: every published month).
- **Month models are materialised once per published version.** A query that reads one month
  goes through the table macros `month_projects(m)`, `month_approvals(m)`, `month_ops(m)` (and
  `unit_month_cube`, `plan_baselines`), which name an in-memory relation per month
  (`mp_2026_10`, …; `pb_…` all share one table of baselines). The first query that needs one fails to bind, the relation is built — the
  month's rows read once (Polars, all cores) and run through the very same SQL models
  (`int_projects`, `int_approvals`, …) with the staging view pointed at that month alone — and
  the query is run again. Relations are Arrow tables registered in the connection, dropped
  whenever the store's version token changes and evicted least-recently-used beyond
  `LIFECYCLE_MONTH_CACHE_MB` (default 768 MB).
- Queries on the connection are serialised by a lock: the connection (and the relations
  registered in it) is shared, DuckDB still runs each query on every core.
- **A page never mixes two publications.** Each refresh is a version (`_Version`: the months in
  service, their files, the months taken out of service); `pin()` keeps the calling thread's
  queries on the current version until its next pin, while other threads may already read a
  newer one. Relations are named per version (`v3_mp_2026_10`: the prefix is bound per query
  through the session variable `rel_prefix`), so two versions can be in use at once.
"""
from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from lifecycle.domain import reference, schema
from lifecycle.store.snapshots import MONTH_RE, Store

SQL_DIR = Path(__file__).resolve().parent / "sql"
_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_MISSING_RE = re.compile(r"Table with name v(\d+)_(\w+) does not exist")
_RI_RE = re.compile(r"ri_(\d{4})_(\d{2})_(\d{4})_(\d{2})_(\d{4})(\d{2})(\d{2})")
_PINS = threading.local()  # id(Database) -> the version this thread's queries read

# Models created in the catalog, in dependency order.
MODELS = [
    "stg_projects",
    "stg_approvals",
    "stg_operations",
    "stg_problems",
    "int_projects",
    "int_approvals",
    "month_models",
    "sliced",
    "approval_steps",
    "stage_duration_rows",
    "rate_inputs",
    "review_models",
    "lookback_rows",
    "ztf_models",
]

# Materialised relations: prefix -> (model whose rows it holds, the stored table it is built from)
MONTH_RELATIONS = {
    "mp": ("int_projects", "projects"),
    "ma": ("int_approvals", "approvals"),
}
CUBE_MONTHS = 12  # a unit × month cube is built for the month and the 11 before it at once


# sql/models/: the staging views, intermediate models and table macros created in the catalog
# (MODELS, in that order); sql/queries/: one query per file run against them (flag lists under
# sql/queries/flags/). A name is looked up in models/ first, then queries/.
SQL_FOLDERS = ("models", "queries")


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    """The text of lifecycle/query/sql/{models,queries}/<name>.sql (name may contain a sub-folder,
    e.g. 'flags/x')."""
    for folder in SQL_FOLDERS:
        path = SQL_DIR / folder / f"{name}.sql"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no SQL file {name}.sql under {SQL_DIR}/{{{','.join(SQL_FOLDERS)}}}")


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


@dataclass
class _Version:
    """One refresh of the store: the months in service, each table's file per month (an
    immutable version directory, resolved once), the months taken out of service, and what was
    materialised from them."""
    gen: int
    token: str | None
    months: list[str] = field(default_factory=list)
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    union: dict[str, bool] = field(default_factory=dict)  # table -> read by column name (_needs_union)
    baseline_rows: pa.Table | None = None

    @property
    def prefix(self) -> str:
        return f"v{self.gen}_"


def resolve_files(store: Store) -> tuple[list[str], dict[str, dict[str, str]], list[dict]]:
    """(months in service, {table: {month: its parquet file}}, problems): every month resolved
    once to its checked, immutable version (Store.snapshot); queries then read only the months
    they need."""
    snap = store.snapshot()
    files = {t: dict(zip(snap.months, paths)) for t, paths in snap.files.items()}
    return snap.months, files, snap.problems


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _month_key(name: str, prefix: str) -> str | None:
    """'mp_2026_10' -> '2026-10' (None for 'mp_none' or anything else)."""
    tail = name[len(prefix) + 1:]
    m = tail[:4] + "-" + tail[5:]
    return m if len(tail) == 7 and tail[4] == "_" and MONTH_RE.match(m) else None


def _rel_name(prefix: str, month: str) -> str:
    return f"{prefix}_{month.replace('-', '_')}"


KEEP_VERSIONS = 3  # versions kept for pinned readers (a page run spans at most a publication or two)


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


class Database:
    def __init__(self, store: Store, cache_mb: int | None = None):
        self.store = store
        self._con = duckdb.connect(":memory:")
        self._lock = threading.RLock()
        self._versions: OrderedDict[int, _Version] = OrderedDict()
        self._current = _Version(0, None)
        self._models_created = False
        self._vars_for: tuple | None = ()  # (version, months) the *_files variables hold now
        self._rels: OrderedDict[str, tuple[pa.Table, int]] = OrderedDict()
        self._pinned: set[str] = set()
        self._cap = (cache_mb if cache_mb is not None
                     else int(os.environ.get("LIFECYCLE_MONTH_CACHE_MB", "768"))) * 1024 * 1024
        self._schemas: dict[str, pa.Schema] = {}
        self._setup_reference()
        self.refresh()

    # ---- the version a caller sees ----------------------------------------------------
    def _version(self) -> _Version:
        """The version the calling thread reads: its pinned one, else the current one."""
        gen = _PINS.__dict__.get(id(self))
        v = self._versions.get(gen) if gen is not None else None
        return v if v is not None else self._current

    @property
    def months(self) -> list[str]:
        return self._version().months

    @property
    def problems(self) -> list[dict]:
        """Months taken out of service by the integrity check (Store.verify), named."""
        return self._version().problems

    @property
    def _union(self) -> dict[str, bool]:
        """table -> read by column name (some month predates a column), of the version read."""
        return self._version().union

    def pin(self) -> None:
        """Refresh once and keep this thread's queries on that refresh's files until the next
        pin() (a page run: every query of the page reads the same versions)."""
        self.refresh()
        _PINS.__dict__[id(self)] = self._current.gen

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
        con.execute("SET enable_progress_bar = false").fetchall()  # a server: nothing to draw on stderr
        con.register("_units_df", units.to_arrow())
        con.execute("CREATE OR REPLACE TABLE ref_units AS SELECT * FROM _units_df").fetchall()
        con.unregister("_units_df")
        con.register("_sections_df", sections.to_arrow())
        con.execute("CREATE OR REPLACE TABLE ref_sections AS SELECT * FROM _sections_df").fetchall()
        con.unregister("_sections_df")
        con.execute("CREATE OR REPLACE TABLE published_months (gen INTEGER, snapshot_month VARCHAR)").fetchall()
        con.execute("SET VARIABLE rel_prefix = 'v0_'").fetchall()

    def _exec(self, sql: str, params: dict | None = None) -> None:
        """Run a statement to completion (the connection is shared: no result may stay open)."""
        res = self._con.execute(sql, params) if params else self._con.execute(sql)
        res.fetchall()

    def refresh(self, force: bool = False) -> bool:
        """Take a new version if anything was published since the last refresh: each month
        resolved once to its checked, immutable files (months that fail the check are left out
        and named in `problems`)."""
        token = self.store.version_token()
        if not force and token == self._current.token:
            return False
        with self._lock:
            if not force and token == self._current.token:
                return False
            months, files, problems = resolve_files(self.store)
            union = {t: _needs_union(t, list(f.values())) for t, f in files.items()}
            v = _Version(self._current.gen + 1, token, months, files, problems, union)
            self._versions[v.gen] = v
            self._current = v
            if months:
                self._exec("INSERT INTO published_months SELECT $g, unnest($m)", {"g": v.gen, "m": months})
            while len(self._versions) > KEEP_VERSIONS:  # versions no page run reads any more
                old, _ = self._versions.popitem(last=False)
                self._drop_relations(f"v{old}_")
                self._exec("DELETE FROM published_months WHERE gen = $g", {"g": old})
            if months and not self._models_created:
                self._vars_for = ()
                self._use(v, None)
                for model in MODELS:
                    self._exec(sql_text(model))
                self._models_created = True
        return True

    def _use(self, v: _Version, months) -> None:
        """Point the staging views at version v's files of `months` (None = every month in
        service) and the month macros at v's relations. Queries still select their months: a
        view may hold more months than they need."""
        key = (v.gen, None if months is None else tuple(sorted(set(months))))
        if key == self._vars_for:
            return
        for t, by_month in v.files.items():
            files = list(by_month.values()) if months is None else [by_month[m] for m in key[1] if m in by_month]
            # a view needs at least one file: with none asked for, it reads the first month, which
            # every query filters out again (they all select the snapshot months they want)
            files = files or list(by_month.values())[:1]
            if v.union.get(t):
                # union_by_name only knows the columns some file has: when every month read
                # predates a column, a schema-only file (no rows, in a hive directory month=0000-00
                # that is never a published month) read first supplies it as NULL
                files = [_schema_file(t)] + files
            self._exec(f"SET VARIABLE {t}_files = $files", {"files": files})
            self._exec(f"SET VARIABLE {t}_union = $u", {"u": v.union.get(t, False)})
        self._exec("SET VARIABLE rel_prefix = $p", {"p": v.prefix})
        self._exec("SET VARIABLE rel_gen = $g", {"g": v.gen})
        self._vars_for = key

    # ---- materialised relations -----------------------------------------------------
    def _drop_relations(self, prefix: str = "") -> None:
        for name in [n for n in self._rels if n.startswith(prefix)]:
            self._con.unregister(name)
            del self._rels[name]

    def _register(self, name: str, table: pa.Table, shared: bool = False) -> None:
        if name in self._rels:
            self._con.unregister(name)
        self._con.register(name, table)
        self._rels[name] = (table, 0 if shared else table.nbytes)
        self._rels.move_to_end(name)
        self._evict()

    def _evict(self) -> None:
        total = sum(n for _, n in self._rels.values())
        for name in list(self._rels):
            if total <= self._cap:
                break
            if name in self._pinned:
                continue
            total -= self._rels[name][1]
            self._con.unregister(name)
            del self._rels[name]

    def _touch(self, v: _Version, params: dict) -> None:
        """Mark v's relations of the months a query names as recently used."""
        keys = {x.replace("-", "_") for x in params.values() if isinstance(x, str) and MONTH_RE.match(x)}
        n = len(v.prefix)
        for name in [r for r in self._rels if r.startswith(v.prefix) and r[n + 3:n + 10] in keys]:
            self._rels.move_to_end(name)

    def _model_schema(self, v: _Version, model: str) -> pa.Schema:
        if model not in self._schemas:
            self._use(v, v.months[:1])
            self._schemas[model] = self._con.sql(
                f"SELECT * FROM {_quote(model)} LIMIT 0").to_arrow_table().schema
        return self._schemas[model]

    def _materialise(self, v: _Version, name: str) -> None:
        """Build relation `name` of version v, which a query found missing (module docstring)."""
        saved = self._vars_for
        full = v.prefix + name
        try:
            if name.startswith("pb_"):
                # one table for every month (the macro applies the as-of month): built once
                if v.baseline_rows is None:
                    self._use(v, None)
                    v.baseline_rows = self._con.sql("SELECT * FROM plan_baseline_rows").to_arrow_table()
                self._register(full, v.baseline_rows, shared=True)
            elif name.startswith("mo_"):
                self._register(full, self._month_ops(v, _month_key(name, "mo")))
            elif name.startswith("mu_"):
                self._unit_month_cubes(v, _month_key(name, "mu"))
            elif name.startswith("ri_"):
                self._register(full, self._rate_inputs(v, name))
            elif name[:2] in MONTH_RELATIONS and name[2:3] == "_":
                self._register(full, self._month_relation(v, name[:2], _month_key(name, name[:2])))
            else:
                raise LookupError(name)
        finally:
            if saved:
                self._use(self._versions.get(saved[0], v), None if saved[1] is None else list(saved[1]))

    def _month_relation(self, v: _Version, prefix: str, month: str | None) -> pa.Table:
        """The rows of model MONTH_RELATIONS[prefix] for one month: the month's stored rows read
        once, the model's derived columns computed by the model's own SQL over just those rows."""
        model, table = MONTH_RELATIONS[prefix]
        schema_ = self._model_schema(v, model)
        path = v.files.get(table, {}).get(month) if month else None
        if path is None:  # NULL or unpublished month: no rows, like `WHERE snapshot_month = m`
            return schema_.empty_table()
        raw = pl.read_parquet(path)
        # a month published before a column was added reads it as NULL (as union_by_name does)
        raw = raw.with_columns([pl.lit(None, dtype=t).alias(c) for c, t in schema.polars_schema(table).items()
                                if c not in raw.columns])
        raw = raw.with_columns(pl.lit(month).alias("month")).with_row_index("_rn").to_arrow()
        derived = [c for c in schema_.names if c not in raw.column_names]
        # the month's rows stand in for every month: the staging view reads raw_<table>, which
        # this temporary view shadows while the derived columns are computed
        self._con.register(f"raw_{table}", raw)
        try:
            cols = ", ".join(["_rn", *map(_quote, derived)])
            d = self._con.sql(f"SELECT {cols} FROM {_quote(model)}").to_arrow_table()
        finally:
            self._con.unregister(f"raw_{table}")
        if not d.column("_rn").equals(raw.column("_rn")):  # the model reordered the rows: back in read order
            d = d.take(pc.sort_indices(d.column("_rn")))
        # the stored columns as read and the derived ones side by side (no copy), in the model's
        # order; only a column whose type differs from the model's is converted (text stays as read)
        by_name = {**{n: raw.column(n) for n in raw.column_names}, **{n: d.column(n) for n in derived}}
        arrays, fields = [], []
        for f in schema_:
            col = by_name[f.name]
            if col.type != f.type and not (pa.types.is_large_string(col.type) and pa.types.is_string(f.type)):
                col = col.cast(f.type)
            arrays.append(col)
            fields.append(pa.field(f.name, col.type))
        return pa.Table.from_arrays(arrays, schema=pa.schema(fields))

    def _rate_inputs(self, v: _Version, name: str) -> pa.Table:
        """rate_inputs of the whole library for 'ri_<month>_<baseline month>_<period start>'."""
        m = _RI_RE.fullmatch(name)
        if not m:
            raise LookupError(name)
        month, base = f"{m[1]}-{m[2]}", f"{m[3]}-{m[4]}"
        start = f"{m[5]}-{m[6]}-{m[7]}"
        sql = "SELECT * FROM rate_inputs($m, $b, CAST($p AS DATE), NULL, NULL, NULL, NULL, NULL, NULL)"
        self._use(v, None)
        return self._with_relations(
            v, lambda: self._con.sql(sql, params={"m": month, "b": base, "p": start}).to_arrow_table())

    def _month_ops(self, v: _Version, month: str | None) -> pa.Table:
        if month not in v.months:
            return self._model_schema(v, "ops_12m").empty_table()
        self._use(v, [month])
        return self._con.sql("SELECT * FROM ops_12m").to_arrow_table()

    def _unit_month_cubes(self, v: _Version, month: str | None) -> None:
        """Build the unit × month cube of `month` and of the months before it that lack one
        (one pass over their files); an unpublished month gets an empty cube."""
        if month not in v.months:
            self._register(v.prefix + (_rel_name("mu", month) if month else "mu_none"),
                           self._model_schema(v, "unit_month_rows").empty_table())
            return
        want = [m for m in v.months if m <= month][-CUBE_MONTHS:]
        todo = [m for m in want if v.prefix + _rel_name("mu", m) not in self._rels]
        self._use(v, todo)
        cube = pl.from_arrow(self._con.sql("SELECT * FROM unit_month_rows").to_arrow_table())
        empty = cube.clear()
        for m in todo:
            part = cube.filter(pl.col("snapshot_month") == m)
            self._register(v.prefix + _rel_name("mu", m), (part if part.height else empty).to_arrow())

    # ---- building ahead ---------------------------------------------------------------
    WARM_MACROS = {"mp": "month_projects", "ma": "month_approvals", "mo": "month_ops"}

    def warm(self, months, share: float = 0.5) -> list[str]:
        """Build the month relations (projects, approvals, operations; `WARM_MACROS`) of `months`
        of the current version ahead of the query that needs them, so that changing the month
        finds them built. One relation at a time under the lock (a page's query waits for at
        most one build); relations already built are skipped, and building stops while the held
        relations take more than `share` of the cache, so warming never evicts what pages use.
        Returns the relations built."""
        built = []
        v = self._current
        for month in [m for m in months if m in v.months]:
            for prefix, macro in self.WARM_MACROS.items():
                name = v.prefix + _rel_name(prefix, month)
                with self._lock:
                    if self._current is not v:  # a newer publication: its pages warm their own months
                        return built
                    if name in self._rels:
                        continue
                    if sum(n for _, n in self._rels.values()) > share * self._cap:
                        return built
                self.scalar(f"SELECT count(*) FROM {macro}($m)", {"m": month})
                built.append(name)
        return built

    # ---- querying -----------------------------------------------------------------
    def query(self, sql: str, params: dict | None = None, months=None,
              frames: dict[str, pl.DataFrame] | None = None) -> pl.DataFrame:
        """Run one statement with bound named parameters; return a Polars frame. `months`
        narrows the staging views to those months' files (default: every month in service);
        `frames` are registered as views under their names for this statement only."""
        bound = _params_for(sql, params or {})

        def go():
            for view, df in (frames or {}).items():
                self._con.register(view, df.to_arrow())
            try:
                return _normalise(self._con.sql(sql, params=bound).pl())
            finally:
                for view in frames or {}:
                    self._con.unregister(view)
        return self._run(go, bound, months)

    def run(self, name: str, params: dict | None = None, months=None,
            frames: dict[str, pl.DataFrame] | None = None) -> pl.DataFrame:
        """Run lifecycle/query/sql/queries/<name>.sql."""
        return self.query(sql_text(name), params, months, frames)

    def scalar(self, sql: str, params: dict | None = None, months=None):
        bound = _params_for(sql, params or {})

        def go():
            rows = self._con.execute(sql, bound).fetchall()  # fetch to the end: the connection is shared
            return rows[0][0] if rows else None
        return self._run(go, bound, months)

    def _run(self, fn, bound: dict, months):
        if id(self) not in _PINS.__dict__:
            self.refresh()
        with self._lock:
            v = self._version()
            self._use(v, months)
            self._touch(v, bound)
            pinned_before = set(self._pinned)
            try:
                return self._with_relations(v, fn)
            finally:
                self._pinned = pinned_before
                self._evict()

    def _with_relations(self, v: _Version, fn):
        """fn(), building each relation of version v it finds missing (and pinning it until
        the outermost query has run) and running it again."""
        built: set[str] = set()
        while True:
            try:
                return fn()
            except duckdb.CatalogException as e:
                m = _MISSING_RE.search(str(e))
                if not m or int(m.group(1)) != v.gen or m.group(2) in built or len(built) > 64:
                    raise
                name = m.group(2)
                built.add(name)
                self._pinned.add(v.prefix + name)
                try:
                    self._materialise(v, name)
                except LookupError:
                    raise e from None

    def close(self) -> None:
        with self._lock:
            self._drop_relations()
            self._con.close()
