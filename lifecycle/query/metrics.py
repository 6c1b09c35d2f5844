"""Metrics API: every number a page, export or the CLI shows comes from here.

All aggregation happens in DuckDB (lifecycle/sql); this module only picks the SQL, binds the
month, slice and thresholds, and shapes the small results.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import polars as pl

from lifecycle.domain import flags, labels
from lifecycle.domain.calendar import (  # noqa: F401  (re-exported for callers)
    PERIODS,
    add_months,
    month_end,
    period_start,
    previous_quarter_end,
    quarter_of,
)
from lifecycle.domain.config import load_config
from lifecycle.query.db import Database, sql_text

RATE_KEYS = list(labels.RATES)
FLAG_KEYS = flags.LIST_KEYS  # the lists people act on (domain/flags.py)


class MetricsError(Exception):
    """A user-facing problem with the request (message in Chinese)."""


@dataclass(frozen=True)
class Slice:
    """A slice of the project library. Each field is None (all) or a tuple of accepted values."""

    units: tuple[str, ...] | None = None
    tiers: tuple[str, ...] | None = None
    sections: tuple[str, ...] | None = None
    origins: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None

    def params(self) -> dict:
        return {k: (list(v) if v else None) for k, v in asdict(self).items()}

    def narrow(self, **kw) -> "Slice":
        d = asdict(self)
        for k, v in kw.items():
            d[k] = tuple(v) if v is not None else None
        return Slice(**d)


ALL = Slice()


def _ratio(num, den):
    return (num / den) if den else None


def _count_sql(sql: str, where: str | None = None) -> str:
    """`SELECT count(*)` over the rows of a query file's statement (optionally filtered)."""
    body = sql.strip().rstrip(";")
    return f"SELECT count(*) FROM (\n{body}\n) AS q" + (f"\nWHERE {where}" if where else "")


class Metrics:
    def __init__(self, db: Database):
        self.db = db
        self.region = db.store.region
        self.config = load_config(self.region, db.store.root)

    # ---- months -------------------------------------------------------------------
    @property
    def months(self) -> list[str]:
        self.db.refresh()
        return self.db.months

    def check_month(self, month: str) -> str:
        if month not in self.months:
            raise MetricsError(f"没有 {month} 月的已发布快照（已发布：{self._months_text()}）")
        return month

    def _months_text(self) -> str:
        ms = self.months
        return f"{ms[0]} 至 {ms[-1]}，共{len(ms)}期" if ms else "无"

    def latest_month(self) -> str:
        if not self.months:
            raise MetricsError("数据目录中没有已发布的快照")
        return self.months[-1]

    def previous_month(self, month: str) -> str | None:
        ms = [m for m in self.months if m < month]
        return ms[-1] if ms else None

    def baseline_month(self, month: str) -> str:
        """Earliest published snapshot of year(month): fixes the planned-completion list."""
        return min(m for m in self.months if m[:4] == month[:4] and m <= month)

    def _p(self, month: str, sl: Slice, **extra) -> dict:
        self.check_month(month)
        return {"month": month, **sl.params(), **extra}

    # ---- the five rates -----------------------------------------------------------
    def rates(self, month: str, sl: Slice = ALL, group_by: str = "all", period: str = "ytd") -> dict:
        """{'filing_rate': {'numerator', 'denominator', 'rate'}, ...} for the slice
        (or, with group_by, {group: {...}}). `period` sets where the filing/start cohorts begin:
        'ytd' (default, 1 January of year(M)), 'qtd' (first day of M's quarter), 'mtd'
        (first day of M), 'r12' (the 12 months ending with M). The investment and production
        rates are yearly by definition and ignore it."""
        if group_by not in ("all", "unit_code", "tier_band", "industry_section", "origin", "category"):
            raise ValueError(group_by)
        df = self.db.run("rates", self._p(month, sl, baseline_month=self.baseline_month(month), group_by=group_by,
                                          period_from=period_start(month, period)))
        out = {}
        for row in df.iter_rows(named=True):
            out[row["grp"]] = self._shape_rates(row)
        if group_by == "all":
            return out.get("all") or self._shape_rates({})
        return out

    @staticmethod
    def _shape_rates(row: dict) -> dict:
        res = {}
        for k in RATE_KEYS:
            num = row.get(f"{k}_num") or 0
            den = row.get(f"{k}_den") or 0
            if k == "investment_rate":
                num, den = float(num), float(den)
            else:
                num, den = int(num), int(den)
            res[k] = {"numerator": num, "denominator": den, "rate": _ratio(num, den)}
        return res

    def rates_with_change(self, month: str, sl: Slice = ALL, period: str = "ytd") -> dict:
        """Rates at `month` plus the previous snapshot's rate and the change (percentage points)."""
        return self._with_change(month, self.previous_month(month), sl, period)

    def _with_change(self, month: str, prev_m: str | None, sl: Slice, period: str) -> dict:
        """Rates at `month` with those at `prev_m` (previous_rate, previous_month, change_pp)."""
        cur = self.rates(month, sl, period=period)
        prev = self.rates(prev_m, sl, period=period) if prev_m else None
        for k, v in cur.items():
            pv = prev[k]["rate"] if prev else None
            v["previous_rate"] = pv
            v["previous_month"] = prev_m
            v["change_pp"] = (v["rate"] - pv) * 100 if (v["rate"] is not None and pv is not None) else None
        return cur

    # ---- funnel, stages, tiers ----------------------------------------------------
    def funnel(self, month: str, sl: Slice = ALL, scope: str = "all") -> pl.DataFrame:
        df = self.db.run("funnel", self._p(month, sl, scope=scope))
        first = df["reached"][0] if df.height else 0
        return df.with_columns(
            pl.col("stage").replace_strict(labels.STAGES).alias("stage_label"),
            (pl.col("reached") / pl.col("reached").shift(1)).alias("pct_of_previous"),
            (pl.col("reached") / first if first else pl.lit(None, dtype=pl.Float64)).alias("pct_of_first"),
        )

    def stage_distribution(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        df = self.db.run("stage_distribution", self._p(month, sl))
        order = labels.STAGE_ORDER + ["exited"]
        lab = {**labels.STAGES, "exited": "已退库"}
        base = pl.DataFrame({"stage": order, "stage_label": [lab[s] for s in order], "ord": range(len(order))})
        return (
            base.join(df, on="stage", how="left")
            .with_columns(pl.col("count").fill_null(0), pl.col("investment_wan").fill_null(0.0))
            .sort("ord")
            .drop("ord")
        )

    def cohort_funnel(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        return self.db.run("cohort_funnel", self._p(month, sl))

    def tiers(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        df = self.db.run("tiers", self._p(month, sl))
        order = list(labels.TIER_BANDS) + ["unknown"]
        lab = {**labels.TIER_BANDS, "unknown": "未填报"}
        base = pl.DataFrame({"tier_band": order, "tier_label": [lab[t] for t in order], "ord": range(len(order))})
        out = base.join(df, on="tier_band", how="left").sort("ord").drop("ord")
        out = out.with_columns(pl.exclude("tier_band", "tier_label").fill_null(0))
        return out.filter((pl.col("tier_band") != "unknown") | (pl.col("count") > 0))

    def tier_classes(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        df = self.db.run("tier_classes", self._p(month, sl))
        return df.with_columns(pl.col("tier_class").replace_strict(labels.TIER_CLASSES).alias("tier_label"))

    def unit_stage(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        return self.db.run("unit_stage", self._p(month, sl))

    def unit_month(self, month: str, sl: Slice = ALL, months_back: int = 12) -> pl.DataFrame:
        return self.db.run("unit_month", self._p(month, sl, month_from=add_months(month, -(months_back - 1))))

    def project_list(self, month: str, sl: Slice = ALL, stage: str | None = None,
                     reached_rank: int | None = None, in_library: bool | None = None) -> pl.DataFrame:
        return self.db.run(
            "project_list",
            self._p(month, sl, stage=stage, reached_rank=reached_rank, in_library=in_library),
        )

    def stage_durations(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        return self.db.run("stage_durations", self._p(month, sl))

    def stage_duration_summary(self, month: str, sl: Slice = ALL, over_months: float | None = None) -> pl.DataFrame:
        """Per stage transition, in lifecycle order: n, median / quartiles / mean / min / max
        months, the box-plot whiskers (lower_fence, upper_fence) and over_count, the projects
        that took more than `over_months` (default: the approval-period threshold)."""
        over = float(self.thresholds["approval_period_months"] if over_months is None else over_months)
        df = self.db.run("stage_duration_summary", self._p(month, sl, over_months=over))
        order = pl.DataFrame({"transition": list(labels.TRANSITIONS), "ord": range(len(labels.TRANSITIONS))})
        out = order.join(df, on="transition", how="left").sort("ord").drop("ord")
        return out.with_columns(pl.col("n", "over_count").fill_null(0))

    def changes(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        prev = self.previous_month(month)
        if prev is None:
            return pl.DataFrame(schema={"project_id": pl.String, "change": pl.String})
        return self.db.run("changes", self._p(month, sl, prev_month=prev))

    def replans(self, month: str, project_id: str | None = None) -> pl.DataFrame:
        self.check_month(month)
        return self.db.run("replans", {"month": month, "project_id": project_id},
                           months=[m for m in self.months if m <= month])

    # ---- flags --------------------------------------------------------------------
    @property
    def thresholds(self) -> dict:
        return self.config["thresholds"]

    def approval_lights(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        return self.db.run("flags/approval_lights", self._p(month, sl))

    def _flag_query(self, key: str, month: str, sl: Slice) -> tuple[str, dict, str | None]:
        """(SQL file, parameters, level to keep or None) of flag list `key` (domain/flags.py)."""
        f = flags.get(key)
        if f.sql is None:
            raise KeyError(f"flag {key} has no list")
        return f"flags/{f.sql}", self._p(month, sl, **f.bind(self.thresholds, month, self.months)), f.level

    def flag(self, key: str, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """The list of projects (or steps) on flag `key` at `month` (docs/domain.md §5), as
        declared in the flag registry (domain/flags.py)."""
        name, params, level = self._flag_query(key, month, sl)
        df = self.db.run(name, params)
        return df.filter(pl.col("level") == level) if level else df

    def completion_overdue(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """Every in-library project past its planned completion, with its `level`
        (reminder / interview / grace): the rows behind the two completion lists."""
        name, params, _ = self._flag_query("completion_reminder", month, sl)
        return self.db.run(name, params)

    def flag_rule(self, key: str) -> str:
        """The rule of flag `key` in Chinese, with the configured thresholds."""
        return flags.get(key).rule_text(self.thresholds)

    def flag_counts(self, month: str, sl: Slice = ALL) -> dict[str, int]:
        """Rows on each flag list (FLAG_KEYS) and red approval steps: counted in DuckDB, each
        list's own query wrapped in a count, so no list is materialised to count it."""
        counts = {}
        for k in FLAG_KEYS:
            name, params, level = self._flag_query(k, month, sl)
            counts[k] = self.db.scalar(_count_sql(sql_text(name), "level = $_level" if level else None),
                                       {**params, "_level": level})
        name, params = "flags/approval_lights", self._p(month, sl)
        counts["approval_red"] = self.db.scalar(_count_sql(sql_text(name), "light = 'red'"), params)
        return counts

    # ---- supporting measures and rankings ----------------------------------------
    def unit_operations(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        return self.db.run("unit_operations", self._p(month, sl, month_from=add_months(month, -11)))

    def ranking(self, month: str, sl: Slice = ALL, weights: dict | None = None) -> pl.DataFrame:
        """Units ranked on a composite score of the five rates and 亩均税收 (weights from config),
        with the rank at the end of the previous quarter and the change."""
        weights = weights or self.config["ranking_weights"]
        cur = self._ranking_once(month, sl, weights)
        prev_m = previous_quarter_end(month)
        if prev_m in self.months:
            prev = self._ranking_once(prev_m, sl, weights).select("unit_code", pl.col("rank").alias("rank_prev"))
            cur = cur.join(prev, on="unit_code", how="left")
        else:
            cur = cur.with_columns(pl.lit(None, dtype=pl.Int64).alias("rank_prev"))
        return cur.with_columns((pl.col("rank_prev") - pl.col("rank")).alias("rank_change"),
                                pl.lit(prev_m).alias("prev_quarter_month"))

    def _ranking_once(self, month: str, sl: Slice, weights: dict) -> pl.DataFrame:
        from lifecycle.domain.reference import region

        reg = region(self.region)
        by_unit = self.rates(month, sl, group_by="unit_code")
        ops = {r["unit_code"]: r for r in self.unit_operations(month, sl).iter_rows(named=True)}
        rows = []
        units = [u for u in reg.units.values() if (sl.units is None or u.code in sl.units)]
        for u in units:
            r = by_unit.get(u.code) or self._shape_rates({})
            o = ops.get(u.code, {})
            tax_per_mu = _ratio(o.get("tax_12m_wan") or 0.0, o.get("land_mu") or 0.0)
            row = {"unit_code": u.code, "unit_name": u.name}
            for k in RATE_KEYS:
                row[k] = r[k]["rate"]
                row[f"{k}_num"] = r[k]["numerator"]
                row[f"{k}_den"] = r[k]["denominator"]
            row["tax_per_mu"] = tax_per_mu
            row["output_per_mu"] = _ratio(o.get("output_12m_wan") or 0.0, o.get("land_mu") or 0.0)
            rows.append(row)
        df = pl.DataFrame(rows, schema_overrides={k: pl.Float64 for k in RATE_KEYS + ["tax_per_mu", "output_per_mu"]})
        if df.is_empty():
            return df
        max_tax = df["tax_per_mu"].max() or 0.0
        comps = []
        for k in RATE_KEYS:
            comps.append((k, (pl.col(k).clip(0, 1) * 100)))
        comps.append(("tax_per_mu", (pl.col("tax_per_mu") / max_tax * 100) if max_tax else pl.lit(None, pl.Float64)))
        df = df.with_columns([e.alias(f"score_{k}") for k, e in comps])
        # weighted mean over the components a unit has (a rate with an empty cohort is skipped)
        num = sum(pl.col(f"score_{k}").fill_null(0) * float(weights.get(k, 0)) for k, _ in comps)
        den = sum(pl.col(f"score_{k}").is_not_null().cast(pl.Float64) * float(weights.get(k, 0)) for k, _ in comps)
        df = df.with_columns(pl.when(den > 0).then(num / den).otherwise(None).alias("score"))
        return df.with_columns(
            pl.col("score").rank(method="min", descending=True).cast(pl.Int64).alias("rank")
        ).sort("rank", "unit_code", nulls_last=True)


    # ---- quarterly review (季度点评) and monthly bulletin (月通报) ---------------------
    @staticmethod
    def check_quarter(quarter: str) -> str:
        """`quarter` as YYYYQn (n = 1..4), else MetricsError."""
        import re

        if not isinstance(quarter, str) or not re.fullmatch(r"\d{4}Q[1-4]", quarter.strip().upper()):
            raise MetricsError(f"季度格式应为 YYYYQn（如 2026Q3），实际为“{quarter}”")
        return quarter.strip().upper()

    @staticmethod
    def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
        """First and last day of the quarter."""
        q = Metrics.check_quarter(quarter)
        y, n = int(q[:4]), int(q[5])
        first = f"{y:04d}-{3 * n - 2:02d}"
        return dt.date(y, 3 * n - 2, 1), month_end(add_months(first, 2))

    def quarters(self) -> list[str]:
        """Quarters that have at least one published month, oldest first."""
        return sorted({quarter_of(m) for m in self.months})

    def quarter_months(self, quarter: str) -> list[str]:
        q = self.check_quarter(quarter)
        return [m for m in self.months if quarter_of(m) == q]

    def quarter_as_of(self, quarter: str) -> str:
        """The quarter's as-of month: its last published month (≤ quarter end)."""
        ms = self.quarter_months(quarter)
        if not ms:
            qs = self.quarters()
            have = f"{qs[0]} 至 {qs[-1]}" if qs else "无"
            raise MetricsError(f"{quarter} 季度没有已发布的月度快照（有数据的季度：{have}）")
        return ms[-1]

    def quarter_plan_month(self, quarter: str) -> str:
        """The snapshot fixing the quarter plan: the last published month before the quarter,
        or (none published before) the quarter's first published month."""
        start, _ = self.quarter_bounds(quarter)
        before = [m for m in self.months if m < start.strftime("%Y-%m")]
        return before[-1] if before else self.quarter_months(quarter)[0]

    def previous_quarter_as_of(self, quarter: str) -> str | None:
        """The previous quarter's as-of month (its last published month), None if it has none."""
        as_of = self.quarter_as_of(quarter)
        prev_end = previous_quarter_end(as_of)
        ms = [m for m in self.months if m <= prev_end and quarter_of(m) == quarter_of(prev_end)]
        return ms[-1] if ms else None

    def _quarter_params(self, quarter: str, sl: Slice) -> dict:
        q = self.check_quarter(quarter)
        as_of = self.quarter_as_of(q)
        start, end = self.quarter_bounds(q)
        return self._p(as_of, sl, plan_month=self.quarter_plan_month(q), q_start=start, q_end=end)

    def _plan_months(self, params: dict) -> list[str]:
        """The snapshots the quarter plan is read from: plan_month to the as-of month."""
        return [m for m in self.months if params["plan_month"] <= m <= params["month"]]

    def quarter_projects(self, quarter: str, sl: Slice = ALL) -> pl.DataFrame:
        """Projects of the slice that started/completed in the quarter or were planned to start/
        complete in it, with quarter plan, current plan, baseline, actual and status."""
        p = self._quarter_params(quarter, sl)
        return self.db.run("quarter_projects", p, months=self._plan_months(p))

    def quarter_summary(self, quarter: str, sl: Slice = ALL) -> pl.DataFrame:
        """Per unit (and a total row, unit_code null): started/completed counts and plan vs actual."""
        p = self._quarter_params(quarter, sl)
        df = self.db.run("quarter_summary", p, months=self._plan_months(p))
        return df.with_columns(
            pl.when(pl.col("planned_start_count") > 0)
            .then(pl.col("planned_start_on_time") / pl.col("planned_start_count")).alias("start_on_time_rate"),
            pl.when(pl.col("planned_complete_count") > 0)
            .then(pl.col("planned_complete_on_time") / pl.col("planned_complete_count")).alias("complete_on_time_rate"),
        )

    def quarter_rates(self, quarter: str, sl: Slice = ALL, period: str = "ytd") -> dict:
        """The five rates as of the quarter's as-of month, with the previous quarter's as-of
        rates and the change in percentage points (keys previous_rate, previous_month, change_pp)."""
        return self._with_change(self.quarter_as_of(quarter), self.previous_quarter_as_of(quarter), sl, period)

    def month_events(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """Projects signed / signed as intent / filed / started / completed in `month` (月通报)."""
        return self.db.run("month_events", self._p(month, sl, month_start=dt.date(int(month[:4]), int(month[5:7]), 1)))

    def month_summary(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """Per unit (and a total row, unit_code null): events of `month` and of the year to date."""
        y, m = int(month[:4]), int(month[5:7])
        return self.db.run("month_summary", self._p(month, sl, month_start=dt.date(y, m, 1),
                                                    year_start=dt.date(y, 1, 1)))


    # ---- lists people act on: approvals, flag changes, project file, look-back (issue 4) --
    def approval_checklist(self, month: str, sl: Slice = ALL, depts=None, lights=None, offset: int = 0,
                           limit: int | None = None) -> pl.DataFrame:
        """approval_lights narrowed to the departments and lights given (None = all); with
        `limit`, only rows offset+1 … offset+limit of it (a page)."""
        return self.db.run("approval_checklist", self._p(
            month, sl, depts=list(depts) if depts else None, lights=list(lights) if lights else None,
            offset=int(offset), limit=None if limit is None else int(limit)))

    def approval_light_summary(self, month: str, sl: Slice = ALL, depts=None, lights=None) -> pl.DataFrame:
        """One row per department (and a final total row, dept None; a step without department
        counts under LIST_TEXT['dept_unknown']): the number of approval steps per light (green,
        green_late, yellow, red), all steps, and distinct projects."""
        df = self.db.run("approval_light_summary", self._p(
            month, sl, depts=list(depts) if depts else None, lights=list(lights) if lights else None,
            dept_unknown=labels.LIST_TEXT["dept_unknown"]))
        counts = [pl.col(k).fill_null(0).cast(pl.Int64) for k in (*labels.LIGHTS, "steps", "projects")]
        if df.filter(pl.col("dept").is_null()).is_empty():  # no step at all: still a total row of zeros
            df = pl.concat([df, pl.DataFrame({"dept": [None]}, schema={"dept": pl.String})], how="diagonal_relaxed")
        return df.select("dept", *counts)

    def approval_grid(self, month: str, sl: Slice = ALL, depts=None, lights=None, offset: int = 0,
                      limit: int | None = None) -> dict:
        """One page of the approval checklist grid: {'steps': the step columns (labels.APPROVAL_STEPS
        order, then any other step alphabetically), 'depts': every department with a step,
        'rows': one row per project of the page — project_id, name, unit_name, owner, the light key
        of each step, red (red steps) and days_past_due (the longest) — projects ordered by red
        steps, then days past due, then id; rows offset+1 … offset+limit (limit None = all)}."""
        p = self._p(month, sl, depts=list(depts) if depts else None, lights=list(lights) if lights else None)
        names = self.db.run("approval_step_names", p)
        present = set(names["step"].to_list())
        order = [s for s in labels.APPROVAL_STEPS if s in present] + sorted(present - set(labels.APPROVAL_STEPS))
        long = self.db.run("approval_grid", {**p, "offset": int(offset), "limit": None if limit is None else int(limit)})
        index = ["project_id", "name", "unit_name", "owner"]
        if long.is_empty():
            rows = pl.DataFrame(schema={**{c: pl.String for c in index}, **{s: pl.String for s in order},
                                        "red": pl.Int64, "days_past_due": pl.Int64})
        else:
            wide = long.pivot(on="step", index=["rn", *index], values="light", aggregate_function="first")
            extra = long.group_by("rn").agg(pl.col("red").first().cast(pl.Int64), pl.col("days_past_due").first())
            rows = (wide.join(extra, on="rn").sort("rn")
                    .with_columns([pl.lit(None, dtype=pl.String).alias(s) for s in order if s not in wide.columns])
                    .select(*index, *order, "red", "days_past_due"))
        depts_all = sorted({d for d in names["dept"].to_list() if d})
        return {"steps": order, "depts": depts_all, "rows": rows}

    def flag_changes(self, key: str, month: str, sl: Slice = ALL) -> dict:
        """Projects new on flag list `key` at `month` and those that left it since the previous
        published month (compared by project_id). Returns {'previous_month', 'new', 'left'}: 'new'
        holds the current list's rows of the new projects (one per project), 'left' the previous
        list's rows of the projects no longer on it, with their state now ('state': stage,
        'exited', or 'absent' when no longer in the snapshot)."""
        prev = self.previous_month(month)
        cur = self.flag(key, month, sl).unique("project_id", keep="first", maintain_order=True)
        if prev is None:
            empty = cur.clear()
            return {"previous_month": None, "new": empty, "left": empty.with_columns(
                pl.lit(None, dtype=pl.String).alias("state"))}
        old = self.flag(key, prev, sl).unique("project_id", keep="first", maintain_order=True)
        new = cur.join(old.select("project_id"), on="project_id", how="anti")
        left = old.join(cur.select("project_id"), on="project_id", how="anti")
        state = self.db.run("project_states", {"month": month, "project_ids": left["project_id"].to_list()})
        left = left.join(state, on="project_id", how="left").with_columns(pl.col("state").fill_null("absent"))
        if key in ("completion_reminder", "completion_interview"):
            # a project leaving one letter list may have moved to the other (or into grace)
            lv = self.completion_overdue(month, sl).select("project_id", pl.col("level").alias("level_now"))
            left = left.join(lv, on="project_id", how="left")
        return {"previous_month": prev, "new": new, "left": left}

    def project(self, month: str, project_id: str) -> dict | None:
        """Everything stored and derived about one project at `month`, or None if not in that snapshot."""
        df = self.db.run("project_detail", {"month": self.check_month(month), "project_id": project_id,
                                            "month_from": add_months(month, -11)})
        return df.row(0, named=True) if df.height else None

    def project_history(self, month: str, project_id: str) -> pl.DataFrame:
        """The project's investment in every published snapshot up to `month`, with the plan path."""
        return self.db.run("project_history", {"month": self.check_month(month), "project_id": project_id},
                           months=[m for m in self.months if m <= month])

    def project_milestones(self, month: str, project_id: str) -> pl.DataFrame:
        df = self.db.run("project_milestones", {"month": self.check_month(month), "project_id": project_id})
        return df.with_columns(pl.col("milestone").replace_strict(labels.STAGES).alias("milestone_label"))

    def project_approvals(self, month: str, project_id: str) -> pl.DataFrame:
        return self.db.run("project_approvals", {"month": self.check_month(month), "project_id": project_id})

    def project_operations(self, month: str, project_id: str) -> pl.DataFrame:
        return self.db.run("project_operations", {"month": self.check_month(month), "project_id": project_id},
                           months=[month])

    def project_problems(self, month: str, project_id: str) -> pl.DataFrame:
        return self.db.run("project_problems", {"month": self.check_month(month), "project_id": project_id},
                           months=[month])

    def project_flags(self, month: str, project_id: str) -> list[dict]:
        """The flag lists (FLAG_KEYS) the project is on at `month`: [{'key', 'rows'}] in FLAG_KEYS order,
        plus 'approval_red' when a step of its checklist is red."""
        out = []
        unit = self.db.run("project_unit", {"month": self.check_month(month), "project_id": project_id})
        if unit.is_empty():
            return out
        # every flag is a per-project rule: the lists of the project's own unit hold all its rows
        sl = Slice(units=(unit["unit_code"][0],))
        for key in FLAG_KEYS:
            rows = self.flag(key, month, sl).filter(pl.col("project_id") == project_id)
            if rows.height:
                out.append({"key": key, "rows": rows})
        red = self.approval_lights(month, sl).filter((pl.col("project_id") == project_id) & (pl.col("light") == "red"))
        if red.height:
            out.append({"key": "approval_red", "rows": red})
        return out

    def search_projects(self, month: str, text: str, limit: int = 50) -> pl.DataFrame:
        """Projects of `month` whose id, name, enterprise, project code or credit code contains `text`."""
        text = (text or "").strip()
        if not text:
            raise MetricsError("请输入要搜索的项目名称、项目单位、投资项目统一代码或统一社会信用代码")
        esc = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return self.db.run("project_search", {"month": self.check_month(month), "pattern": f"%{esc}%",
                                              "text": text, "limit": int(limit)})

    def lookback(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """Campaign look-back (回头看): per batch × unit (and a total row per batch, unit_code None)."""
        return self.db.run("lookback", self._p(month, sl), months=self._batch_months(month))

    def lookback_projects(self, month: str, sl: Slice = ALL, campaign: str | None = None) -> pl.DataFrame:
        """The projects of the campaign batches (or of one batch) with their on-time status."""
        return self.db.run("lookback_projects", self._p(month, sl, campaign=campaign),
                           months=self._batch_months(month))

    def _batch_months(self, month: str) -> list[str]:
        """The published batch months of the campaigns in `month` (the snapshots a look-back reads)."""
        bm = self.db.run("lookback_batch_months", {"month": self.check_month(month)})["batch_month"].to_list()
        return [m for m in bm if m in self.months]

    def map_points(self, month: str, sl: Slice = ALL, per_unit: int = 250) -> pl.DataFrame:
        """The in-library projects of the slice the township map draws: the `per_unit` largest
        (by total investment) of each unit — project_id, name, unit_code, total_investment_wan, stage."""
        return self.db.run("map_points", self._p(month, sl, per_unit=int(per_unit)))


    # ---- look ahead and explain (issue 14): query/forecast.py, query/attribution.py ----------
    def risk(self, month: str, sl: Slice = ALL, horizon: int = 6) -> pl.DataFrame:
        """Slippage forecast (docs/forecast.md): in-library projects of the slice whose next
        milestone is planned within `horizon` months after `month`, with the probability of
        reaching it late, expected date, 10–90 % interval and drivers, highest risk first. The
        model is fitted once per published version of the store on the whole field."""
        from lifecycle.query import forecast

        df = forecast.forecast(self.db, self.check_month(month), horizon)
        return _narrow(df, sl)

    def risk_backtest(self, horizon: int = 6) -> dict:
        """The forecast's back-test over several origins (docs/forecast.md)."""
        from lifecycle.query import forecast

        return forecast.backtest(self.db, horizon=horizon)

    def rate_attribution(self, month: str, sl: Slice = ALL, versus: str = "month", period: str = "ytd") -> dict:
        """Each rate's change since the previous month (versus='month') or the previous quarter's
        last published month (versus='quarter') split by unit into mix and performance."""
        from lifecycle.query import attribution

        return attribution.attribution(self.db, self.check_month(month), sl.params(), versus, period)


def _narrow(df: pl.DataFrame, sl: Slice) -> pl.DataFrame:
    """Rows of a per-project frame within the slice (by the project's attributes in the frame)."""
    cols = {"units": "unit_code", "tiers": "tier_band", "sections": "industry_section",
            "origins": "origin", "categories": "category"}
    for k, c in cols.items():
        v = getattr(sl, k)
        if v:
            df = df.filter(pl.col(c).is_in(list(v)))
    return df
