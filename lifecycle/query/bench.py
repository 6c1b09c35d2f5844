"""Query benchmark behind `python -m lifecycle bench` (the page part is `lifecycle.ui.bench`).

For one month of a store, every metric query is timed through the Metrics API — its first call
(nothing cached for that month yet) and the best of `repeat` further calls — next to

- a **bare scan**: DuckDB reading, in a fresh connection, exactly the columns the query needs
  from that month's parquet files and touching every value (`min()` of each column) — the floor
  any implementation pays to look at the month's data once;
- for the five rates, a **pandas implementation** of docs/domain.md §4 written the straightforward way
  (read the month's and the year's baseline month's files, compute the ten sums), checked to give
  the same numbers.

The ratios (query / bare scan, pandas / query) are what to read on a shared machine: absolute
times move with the load, the ratios much less.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import duckdb

from lifecycle.domain import labels

# Columns of the month's files each query reads (slice filters included), for the bare scan.
SLICE = ["project_id", "township_code", "total_investment_wan", "industry_section", "origin", "category"]
STAGE = ["signing_type", "filed_on", "started_on", "completed_on", "production_on", "capacity_on", "exit_on",
         "exit_reason"]
RATE_COLS = SLICE + STAGE + ["signed_on", "planned_capacity_on", "year_plan_wan", "year_done_wan"]
LIST = ["name", "enterprise", "owner", "lead_dept"]
APPROVALS = ["project_id", "step", "dept", "received_on", "due_on", "done_on"]
OPS = ["project_id", "month", "output_value_wan", "tax_wan"]
PROJECT_LIST = SLICE + STAGE + LIST + [
    "signed_on", "cumulative_done_wan", "year_plan_wan", "year_done_wan", "planned_started_on",
    "planned_completed_on", "campaign", "project_code", "credit_code"]


@dataclass
class QuerySpec:
    name: str
    call: object  # (metrics, month) -> result
    projects: list[str] = field(default_factory=list)
    approvals: list[str] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    target: bool = False  # one of the queries the "≤ 2× bare scan" goal names


def _one_project(m, month: str) -> str:
    """The last project id of the month (the same one on every repetition)."""
    return m.db.scalar("SELECT max(project_id) FROM month_projects($m)", {"m": month})


def _flag(key):
    return lambda m, month: m.flag(key, month)


SPECS = [
    QuerySpec("rates (five rates)", lambda m, mo: m.rates(mo), RATE_COLS, target=True),
    QuerySpec("rates by unit", lambda m, mo: m.rates(mo, group_by="unit_code"), RATE_COLS, target=True),
    QuerySpec("rates_with_change", lambda m, mo: m.rates_with_change(mo), RATE_COLS),
    QuerySpec("funnel", lambda m, mo: m.funnel(mo), SLICE + STAGE, target=True),
    QuerySpec("stage_distribution", lambda m, mo: m.stage_distribution(mo), SLICE + STAGE),
    QuerySpec("cohort_funnel", lambda m, mo: m.cohort_funnel(mo), SLICE + STAGE + ["signed_on"]),
    QuerySpec("stage_durations", lambda m, mo: m.stage_durations(mo), SLICE + STAGE + ["signed_on"]),
    QuerySpec("tiers", lambda m, mo: m.tiers(mo), SLICE + STAGE + ["cumulative_done_wan", "year_done_wan"],
              target=True),
    QuerySpec("tier_classes", lambda m, mo: m.tier_classes(mo), SLICE + STAGE + ["cumulative_done_wan",
                                                                                   "year_done_wan"], target=True),
    QuerySpec("unit_stage", lambda m, mo: m.unit_stage(mo), SLICE + STAGE),
    QuerySpec("unit_month (12 months)", lambda m, mo: m.unit_month(mo), SLICE + STAGE + ["year_done_wan"]),
    QuerySpec("unit_operations", lambda m, mo: m.unit_operations(mo), SLICE + ["land_area_mu"], operations=OPS),
    QuerySpec("project_list", lambda m, mo: m.project_list(mo), PROJECT_LIST),
    QuerySpec("changes", lambda m, mo: m.changes(mo), SLICE + STAGE + ["name"]),
    QuerySpec("approval_lights (every step)", lambda m, mo: m.approval_lights(mo), SLICE + STAGE + ["name", "owner"],
              approvals=APPROVALS),
    QuerySpec("approval_light_summary", lambda m, mo: m.approval_light_summary(mo), SLICE + STAGE,
              approvals=APPROVALS),
    QuerySpec("approval_grid (one page)", lambda m, mo: m.approval_grid(mo, limit=250), SLICE + STAGE + ["name", "owner"],
              approvals=APPROVALS),
    QuerySpec("flag approval_over_12m", _flag("approval_over_12m"), SLICE + STAGE + LIST, approvals=APPROVALS,
              target=True),
    QuerySpec("flag approval_over_12m_started", _flag("approval_over_12m_started"), SLICE + STAGE + LIST,
              target=True),
    QuerySpec("flag step_stalled", _flag("step_stalled"), SLICE + STAGE + ["name", "owner"], approvals=APPROVALS,
              target=True),
    QuerySpec("flag completion_overdue", lambda m, mo: m.completion_overdue(mo),
              SLICE + STAGE + LIST + ["planned_completed_on", "cumulative_done_wan"], target=True),
    QuerySpec("flag investment_behind", _flag("investment_behind"),
              SLICE + STAGE + LIST + ["year_plan_wan", "year_done_wan"], target=True),
    QuerySpec("flag low_equipment_share", _flag("low_equipment_share"),
              SLICE + STAGE + LIST + ["cumulative_done_wan", "equipment_done_wan"], target=True),
    QuerySpec("flag capacity_not_reached", _flag("capacity_not_reached"),
              SLICE + STAGE + LIST + ["planned_capacity_on", "designed_output_wan"], operations=OPS, target=True),
    QuerySpec("flag exit_candidate", _flag("exit_candidate"),
              SLICE + STAGE + LIST + ["signed_on", "cumulative_done_wan"], target=True),
    QuerySpec("flag_counts (all flags)", lambda m, mo: m.flag_counts(mo), SLICE + STAGE + LIST + [
        "signed_on", "planned_completed_on", "planned_capacity_on", "designed_output_wan", "year_plan_wan",
        "year_done_wan", "cumulative_done_wan", "equipment_done_wan"], approvals=APPROVALS, operations=OPS),
    QuerySpec("ranking (+ previous quarter)", lambda m, mo: m.ranking(mo), RATE_COLS + ["land_area_mu"],
              operations=OPS, target=True),
    QuerySpec("replans (one project, 项目档案)", lambda m, mo: m.replans(mo, _one_project(m, mo)),
              ["project_id", "planned_started_on", "planned_completed_on", "planned_production_on",
               "planned_capacity_on"]),
    # the whole library's plan history over every month: no page asks for it (the project file
    # asks for one project); measured to watch its growth with the store
    QuerySpec("replans (every project, all months)", lambda m, mo: m.replans(mo), ["project_id", "planned_started_on",
                                                                                   "planned_completed_on",
                                                                                   "planned_production_on",
                                                                                   "planned_capacity_on"]),
    QuerySpec("lookback", lambda m, mo: m.lookback(mo), SLICE + STAGE + ["campaign", "planned_started_on",
                                                                      "planned_completed_on"]),
]


def _uniq(cols):
    return list(dict.fromkeys(cols))


def bare_scan_seconds(store, month: str, spec: QuerySpec, repeat: int = 3) -> tuple[float, float]:
    """Best (wall, CPU) time of a fresh DuckDB connection reading the query's columns of `month`'s
    files and touching every value (min of each column)."""
    con = duckdb.connect(":memory:")
    try:
        stmts = []
        for table, cols in (("projects", spec.projects), ("approvals", spec.approvals),
                            ("operations", spec.operations)):
            if not cols:
                continue
            path = str(store.table_path(month, table))
            sel = ", ".join(f"min({c})" for c in _uniq(cols))  # column names from the schema, not values
            stmts.append((f"SELECT count(*), {sel} FROM read_parquet($path)", {"path": path}))
        best, best_cpu = None, None
        for _ in range(repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            for sql, params in stmts:
                con.execute(sql, params).fetchall()
            d, c = time.perf_counter() - t0, time.process_time() - c0
            best = d if best is None else min(best, d)
            best_cpu = c if best_cpu is None else min(best_cpu, c)
        return best or 0.0, best_cpu or 0.0
    finally:
        con.close()


# ---- the pandas baseline --------------------------------------------------------------------------
PANDAS_COLS = ["project_id", "signing_type", "signed_on", "filed_on", "started_on", "completed_on",
               "production_on", "capacity_on", "planned_capacity_on", "year_plan_wan", "year_done_wan",
               "exit_on", "exit_reason"]


def pandas_rates(store, month: str, baseline_month: str) -> dict:
    """The five rates (docs/domain.md §4) for the whole library at `month` (year to date), as an
    analyst would write them in pandas: read the month's projects and the baseline month's planned
    completions, compare dates."""
    import pandas as pd

    p = pd.read_parquet(store.table_path(month, "projects"), columns=PANDAS_COLS)
    base = pd.read_parquet(store.table_path(baseline_month, "projects"),
                           columns=["project_id", "planned_completed_on"])
    y, mo = int(month[:4]), int(month[5:7])
    as_of = pd.Timestamp(dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1))
    start = pd.Timestamp(dt.date(y, 1, 1))
    d = {c: pd.to_datetime(p[c]) for c in ("signed_on", "filed_on", "started_on", "completed_on",
                                           "production_on", "capacity_on", "planned_capacity_on", "exit_on")}
    achieved = (p["exit_reason"] == "achieved") & (d["exit_on"] <= as_of)
    # a project that left the library by M for another reason counts milestones up to its exit
    other_exit = (d["exit_on"] <= as_of) & (p["exit_reason"].fillna("") != "achieved")
    reach_by = d["exit_on"].where(other_exit, as_of)

    def reached(c):
        return (d[c] <= reach_by) | achieved

    formal_in = (p["signing_type"] == "formal") & d["signed_on"].between(start, as_of)
    filed_in = (d["filed_on"] >= start) & (d["filed_on"] <= reach_by)
    planned = p["year_plan_wan"] > 0
    bd = pd.to_datetime(base["planned_completed_on"])
    listed = set(base.loc[bd.dt.year == y, "project_id"])
    on_list = p["project_id"].isin(listed)
    cap_den = reached("production_on") & (d["planned_capacity_on"] <= as_of)
    out = {
        "filing_rate": (int((formal_in & reached("filed_on")).sum()), int(formal_in.sum())),
        "start_rate": (int((filed_in & reached("started_on")).sum()), int(filed_in.sum())),
        "investment_rate": (float(p.loc[planned, "year_done_wan"].fillna(0).sum()),
                            float(p.loc[planned, "year_plan_wan"].sum())),
        "production_rate": (int((on_list & reached("completed_on") & reached("production_on")).sum()),
                            int(on_list.sum())),
        "capacity_rate": (int((cap_den & reached("capacity_on")).sum()), int(cap_den.sum())),
    }
    return out


@dataclass
class QueryResult:
    name: str
    first_s: float
    best_s: float
    scan_s: float
    target: bool
    best_cpu_s: float = 0.0  # CPU time of the process (every thread): steadier than wall on a shared machine
    scan_cpu_s: float = 0.0

    @property
    def ratio(self) -> float:
        return self.best_s / self.scan_s if self.scan_s else float("nan")

    @property
    def cpu_ratio(self) -> float:
        return self.best_cpu_s / self.scan_cpu_s if self.scan_cpu_s else float("nan")


def run_queries(metrics, month: str, repeat: int = 3, only: list[str] | None = None, progress=None):
    """Time every query of SPECS (first call and best of `repeat`) and its bare scan."""
    out = []
    for spec in SPECS:
        if only and not any(o in spec.name for o in only):
            continue
        if progress:
            progress(spec.name)
        t0 = time.perf_counter()
        spec.call(metrics, month)
        first = time.perf_counter() - t0
        best, best_cpu = None, None
        for _ in range(repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            spec.call(metrics, month)
            d, c = time.perf_counter() - t0, time.process_time() - c0
            best = d if best is None else min(best, d)
            best_cpu = c if best_cpu is None else min(best_cpu, c)
        scan, scan_cpu = bare_scan_seconds(metrics.db.store, month, spec, repeat)
        out.append(QueryResult(spec.name, first, best, scan, spec.target, best_cpu, scan_cpu))
    return out


def run_pandas(metrics, month: str, repeat: int = 3) -> dict:
    """The five rates through the product and through pandas: times, ratio, and whether they agree."""
    base = metrics.baseline_month(month)
    times, cpus = [], []
    for _ in range(max(repeat, 1)):
        c0, t0 = time.process_time(), time.perf_counter()
        got = pandas_rates(metrics.db.store, month, base)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    ours = metrics.rates(month)
    ours_t, ours_c = [], []
    for _ in range(max(repeat, 1)):
        c0, t0 = time.process_time(), time.perf_counter()
        metrics.rates(month)
        ours_t.append(time.perf_counter() - t0)
        ours_c.append(time.process_time() - c0)
    best_ours = min(ours_t)
    agree = all(
        abs(ours[k]["numerator"] - got[k][0]) < 1e-6 * max(1.0, abs(got[k][0]))
        and abs(ours[k]["denominator"] - got[k][1]) < 1e-6 * max(1.0, abs(got[k][1]))
        for k in labels.RATES
    )
    return {"pandas_s": min(times), "product_s": best_ours, "ratio": min(times) / best_ours if best_ours else None,
            "pandas_cpu_s": min(cpus), "product_cpu_s": min(ours_c),
            "cpu_ratio": min(cpus) / min(ours_c) if min(ours_c) else None, "agree": agree}
