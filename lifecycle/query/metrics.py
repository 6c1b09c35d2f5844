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
    majors: tuple[str, ...] | None = None  # 省重大/市重大 (docs/domain.md §6.2): provincial, municipal, none

    def params(self) -> dict:
        return {k: (list(v) if v else None) for k, v in asdict(self).items()}

    def narrow(self, **kw) -> "Slice":
        d = asdict(self)
        for k, v in kw.items():
            d[k] = tuple(v) if v is not None else None
        return Slice(**d)


ALL = Slice()


class ScopeError(MetricsError):
    """The viewer asked for data outside its scope (another unit, or a project of another unit).
    The message is one Chinese line starting with “无权查看”; no data comes with it."""


@dataclass(frozen=True)
class Scope:
    """Who is looking (docs/domain.md §9): `unit` None sees every unit; a township account's
    scope is its unit. Every list, project file, export, pack and bulletin is computed on the
    scope's unit; the city-wide aggregates (`city_rates`) and the unit ranking on the whole field,
    so a unit's rank never depends on who looks."""

    unit: str | None = None

    @classmethod
    def of(cls, account) -> "Scope":
        """The scope of an account (anything with `role` and `unit_code`)."""
        if account is None:
            raise ScopeError("无权查看：未登录")
        return cls(account.unit_code if account.role == "township" else None)


def region_word(region_key: str) -> str:
    from lifecycle.domain.reference import region

    return region(region_key).unit_word


def _ratio(num, den):
    return (num / den) if den else None


def _count_sql(sql: str, where: str | None = None, what: str = "count(*)") -> str:
    """`SELECT count(*)` (or `what`) over the rows of a query file's statement, optionally filtered."""
    body = sql.strip().rstrip(";")
    return f"SELECT {what} FROM (\n{body}\n) AS q" + (f"\nWHERE {where}" if where else "")


class Metrics:
    def __init__(self, db: Database, scope: Scope | None = None):
        self.db = db
        self.region = db.store.region
        self.config = load_config(self.region, db.store.root)
        self.scope = scope or Scope()

    # ---- scope (who is looking) -------------------------------------------------------------
    def _denied(self, what: str | None = None) -> ScopeError:
        from lifecycle.domain.reference import region

        reg = region(self.region)
        u = self.scope.unit
        name = reg.units[u].name if u in reg.units else u
        return ScopeError(f"无权查看：{what + '，' if what else ''}本账户只能查看{name}的数据")

    def scoped(self, sl: Slice = ALL) -> Slice:
        """The slice with the viewer's unit ANDed in; a slice naming another unit is refused."""
        u = self.scope.unit
        if u is None:
            return sl
        if sl.units is None:
            return sl.narrow(units=[u])
        others = [x for x in sl.units if x != u]
        if others:
            raise self._denied(f"{self._unit_names(others)}不在本账户的权限范围内")
        return sl

    def _unit_names(self, codes) -> str:
        from lifecycle.domain.reference import region

        reg = region(self.region)
        return "、".join(reg.units[c].name if c in reg.units else str(c) for c in codes)

    def _whole(self) -> "Metrics":
        """The unscoped metrics, for the city-wide aggregates and the ranking only."""
        return self if self.scope.unit is None else Metrics(self.db)

    def check_project(self, month: str, project_id: str) -> None:
        """Refuse (ScopeError) a project that belongs to another unit than the viewer's in any
        snapshot up to `month`. An unknown project passes (the caller reports it as not found)."""
        if self.scope.unit is None:
            return
        units = self.db.run("project_units", {"month": month, "project_id": project_id})["unit_code"].to_list()
        if any(u != self.scope.unit for u in units):
            raise self._denied(f"项目 {project_id} 不属于本账户的{region_word(self.region)}")

    def city_rates(self, month: str, period: str = "ytd") -> dict:
        """The five rates of the whole city (a city-wide aggregate every viewer may see), with the
        change since the previous snapshot."""
        return self._whole().rates_with_change(month, ALL, period)

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
        return {"month": month, **self.scoped(sl).params(), **extra}

    # ---- the five rates -----------------------------------------------------------
    def rates(self, month: str, sl: Slice = ALL, group_by: str = "all", period: str = "ytd",
              verified_only: bool = False) -> dict:
        """{'filing_rate': {'numerator', 'denominator', 'rate'}, ...} for the slice
        (or, with group_by, {group: {...}}). `period` sets where the filing/start cohorts begin:
        'ytd' (default, 1 January of year(M)), 'qtd' (first day of M's quarter), 'mtd'
        (first day of M), 'r12' (the 12 months ending with M). The investment and production
        rates are yearly by definition and ignore it. `verified_only`: numerators count only
        milestones 已核实 for the date they carry (docs/domain.md §17.4)."""
        if group_by not in ("all", "unit_code", "tier_band", "industry_section", "origin", "category"):
            raise ValueError(group_by)
        params = self._p(month, sl, baseline_month=self.baseline_month(month), group_by=group_by,
                         period_from=period_start(month, period))
        if verified_only:  # the same statement on the verified numerators (docs/domain.md §17.4)
            base = sql_text("rates")
            if base.count("FROM month_rate_inputs(") != 1:  # rates.sql must keep its one source
                raise RuntimeError("rates.sql: expected one 'FROM month_rate_inputs(' to switch to verified_rate_inputs")
            sql = base.replace("FROM month_rate_inputs(", "FROM verified_rate_inputs(")
            df = self.db.query(sql, params, frames=self._verification_frames())
        else:
            df = self.db.run("rates", params)
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

    def rates_with_change(self, month: str, sl: Slice = ALL, period: str = "ytd", verified_only: bool = False) -> dict:
        """Rates at `month` plus the previous snapshot's rate and the change (percentage points)."""
        return self._with_change(month, self.previous_month(month), sl, period, verified_only)

    def _with_change(self, month: str, prev_m: str | None, sl: Slice, period: str, verified_only: bool = False) -> dict:
        """Rates at `month` with those at `prev_m` (previous_rate, previous_month, change_pp)."""
        cur = self.rates(month, sl, period=period, verified_only=verified_only)
        prev = self.rates(prev_m, sl, period=period, verified_only=verified_only) if prev_m else None
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
            # an empty previous stage gives no share (null, shown "—"), never NaN/inf
            pl.when(pl.col("reached").shift(1) > 0).then(pl.col("reached") / pl.col("reached").shift(1))
            .otherwise(None).alias("pct_of_previous"),
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
        # an empty class counts 0 new / 0 upgrade projects (count_if over no row is NULL)
        df = df.with_columns(pl.col("new_count", "upgrade_count").fill_null(0))
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
        if project_id is not None:
            self.check_project(month, project_id)
        df = self.db.run("replans", {"month": month, "project_id": project_id},
                         months=[x for x in self.months if x <= month])
        if project_id is None and self.scope.unit is not None:
            own = self.db.run("project_units", {"month": month, "project_id": None}).filter(
                pl.col("unit_code") == self.scope.unit)
            df = df.filter(pl.col("project_id").is_in(own["project_id"].implode()))
        return df

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
        """The count of every flag list, as its registry entry says what it counts: distinct
        projects for a 项目 flag, rows (approval steps) for a 事项 flag; 'approval_red' = red steps.
        Pages label each count with `flags.count_label(key)`, so one label is one number.
        Counted in DuckDB: each list's own query wrapped in a count, no list is materialised."""
        counts = {}
        for k in FLAG_KEYS:
            name, params, level = self._flag_query(k, month, sl)
            what = "count(*)" if flags.counts(k) == "事项" else "count(DISTINCT project_id)"
            counts[k] = self.db.scalar(_count_sql(sql_text(name), "level = $_level" if level else None, what),
                                       {**params, "_level": level})
        name, params = "flags/approval_lights", self._p(month, sl)
        counts["approval_red"] = self.db.scalar(_count_sql(sql_text(name), "light = 'red'"), params)
        return counts

    # ---- supporting measures and rankings ----------------------------------------
    def unit_operations(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        return self.db.run("unit_operations", self._p(month, sl, month_from=add_months(month, -11)))

    def ranking(self, month: str, sl: Slice = ALL, weights: dict | None = None) -> pl.DataFrame:
        """Units ranked on a composite score of the five rates and 亩均税收 (weights from config),
        with the rank at the end of the previous quarter and the change.

        The one ranking source of every page, export and pack. It is computed over the whole
        field — every unit of the region — and only then narrowed to the units of `sl.units`, so
        a unit filter changes the rows listed, never a unit's rank or score. The other slice
        filters (tier, industry, origin, category) narrow the projects counted in every unit
        alike (docs/domain.md §10)."""
        if self.scope.unit is not None:  # the whole field, every row: the ranking is shown to everyone
            return self._whole().ranking(month, sl.narrow(units=None), weights)
        weights = weights or self.config["ranking_weights"]
        field_sl = sl.narrow(units=None)
        cur = self._ranking_once(month, field_sl, weights)
        prev_m = previous_quarter_end(month)
        if prev_m in self.months:
            prev = self._ranking_once(prev_m, field_sl, weights).select("unit_code", pl.col("rank").alias("rank_prev"))
            cur = cur.join(prev, on="unit_code", how="left")
        else:
            cur = cur.with_columns(pl.lit(None, dtype=pl.Int64).alias("rank_prev"))
        cur = cur.with_columns((pl.col("rank_prev") - pl.col("rank")).alias("rank_change"),
                               pl.lit(prev_m).alias("prev_quarter_month"))
        if sl.units is not None and not cur.is_empty():
            cur = cur.filter(pl.col("unit_code").is_in(list(sl.units)))
        return cur

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
        self.check_project(self.check_month(month), project_id)
        df = self.db.run("project_detail", {"month": month, "project_id": project_id,
                                            "month_from": add_months(month, -11)})
        return df.row(0, named=True) if df.height else None

    def project_history(self, month: str, project_id: str) -> pl.DataFrame:
        """The project's investment in every published snapshot up to `month`, with the plan path."""
        self.check_project(self.check_month(month), project_id)
        return self.db.run("project_history", {"month": month, "project_id": project_id},
                           months=[x for x in self.months if x <= month])

    def project_milestones(self, month: str, project_id: str) -> pl.DataFrame:
        self.check_project(self.check_month(month), project_id)
        df = self.db.run("project_milestones", {"month": month, "project_id": project_id})
        return df.with_columns(pl.col("milestone").replace_strict(labels.STAGES).alias("milestone_label"))

    def project_approvals(self, month: str, project_id: str) -> pl.DataFrame:
        self.check_project(self.check_month(month), project_id)
        return self.db.run("project_approvals", {"month": month, "project_id": project_id})

    def project_operations(self, month: str, project_id: str) -> pl.DataFrame:
        self.check_project(self.check_month(month), project_id)
        return self.db.run("project_operations", {"month": month, "project_id": project_id}, months=[month])

    def project_problems(self, month: str, project_id: str) -> pl.DataFrame:
        self.check_project(self.check_month(month), project_id)
        return self.db.run("project_problems", {"month": month, "project_id": project_id}, months=[month])

    def project_flags(self, month: str, project_id: str) -> list[dict]:
        """The flag lists (FLAG_KEYS) the project is on at `month`: [{'key', 'rows'}] in FLAG_KEYS order,
        plus 'approval_red' when a step of its checklist is red."""
        self.check_project(self.check_month(month), project_id)
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
                                              "text": text, "limit": int(limit), "unit": self.scope.unit})

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

    def quarter_comments(self, quarter: str, month: str, sl: Slice = ALL,
                         projects: pl.DataFrame | None = None) -> pl.DataFrame:
        """The quarter's current comments (store/comments.py) of the slice's units, in the viewer's
        scope: a township account never receives another unit's comments."""
        from lifecycle.store import comments

        sl = self.scoped(sl)
        projects = self.project_list(month, sl) if projects is None else projects
        return comments.quarter_comments(self.db.store.root, quarter, projects, sl.units)

    # ---- Jiangyin workflows (issue 13): problems 采集→办结, letters ----------------------------
    def _run_with(self, name: str, params: dict, frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
        """Run sql/<name>.sql with in-memory frames registered as views for that query (the
        records kept in the store's SQLite: problems, updates, letters)."""
        return self.db.run(name, params, frames=frames)

    def reference_date(self, month: str, as_of: dt.date | None = None) -> dt.date:
        """The day a month's workflow state is read at (docs/domain.md §11): `as_of` when given;
        else the as-of date of M, or today for the latest published month once M has ended (the
        current view shows everything recorded so far)."""
        if as_of is not None:
            return as_of
        end = month_end(month)
        if month == self.latest_month():
            return max(end, dt.date.today())
        return end

    def problems(self, month: str, sl: Slice = ALL, as_of: dt.date | None = None) -> pl.DataFrame:
        """Every problem of the slice's projects at `month`, imported and recorded merged, with
        status, department, deadline, days open and overdue (docs/domain.md §11). Not cached by
        publication: recorded updates change it."""
        from lifecycle.store import problems as store_problems

        root = self.db.store.root
        params = self._p(month, sl, ref_date=self.reference_date(month, as_of),
                         deadline_days=int(self.thresholds.get("problem_deadline_days", 30)))
        return self._run_with("problems", params, {"rec_problems": store_problems.recorded(root),
                                                   "rec_updates": store_problems.updates(root)})

    def problem_summary(self, month: str, sl: Slice = ALL, by: str = "dept",
                        as_of: dt.date | None = None, rows: pl.DataFrame | None = None) -> pl.DataFrame:
        """Per department (by='dept') or unit (by='unit'), and a total row (grp null): problems per
        status, open, overdue, closed, closed late, days open. `rows` reuses a problems() frame."""
        if by not in ("dept", "unit"):
            raise ValueError(by)
        rows = self.problems(month, sl, as_of) if rows is None else rows
        return self._run_with("problem_summary", {"group_by": by, "unknown": labels.LIST_TEXT["dept_unknown"]},
                              {"problem_rows": rows})

    def problem_counts(self, month: str, sl: Slice = ALL, as_of: dt.date | None = None,
                       rows: pl.DataFrame | None = None) -> dict[str, int]:
        """{'total', 'open', 'overdue', 'closed'} for the overview and the packs."""
        s = self.problem_summary(month, sl, as_of=as_of, rows=rows).filter(pl.col("grp").is_null())
        r = s.row(0, named=True) if s.height else {}
        return {k: int(r.get(c) or 0) for k, c in
                (("total", "problems_total"), ("open", "open"), ("overdue", "overdue"), ("closed", "closed"))}

    def letter_routing(self) -> dict:
        """The configured routing of letters to departments (config.toml [letters])."""
        cfg = self.config.get("letters") or {}
        deps = dict(cfg.get("departments") or {"industry": "工信局", "service": "商务局"})
        return {"route_by": cfg.get("route_by", "category"), "default_dept": cfg.get("default_dept", "工信局"),
                "departments": deps}

    def letter_list(self, month: str, kind: str, sl: Slice = ALL, as_of: dt.date | None = None) -> pl.DataFrame:
        """The projects on the 提醒函 (kind='reminder') or 约谈 ('interview') list at `month`
        (docs/domain.md §5.6), each with the department it is routed to and the letters sent /
        interviews held so far, counted once per list month (docs/domain.md §12)."""
        from lifecycle.store import letters as store_letters

        if kind not in ("reminder", "interview"):
            raise ValueError(kind)
        rows = self.completion_overdue(month, sl).filter(pl.col("level") == kind)
        rt = self.letter_routing()
        params = {"month": month, "kind": kind, "ref_date": self.reference_date(month, as_of),
                  "route_by": rt["route_by"], "route_keys": list(rt["departments"]),
                  "route_depts": [str(v) for v in rt["departments"].values()], "default_dept": rt["default_dept"]}
        return self._run_with("letter_list", params, {"letter_rows": rows,
                                                      "rec_letters": store_letters.effective(self.db.store.root)})

    # ---- resource quotas 要素保障 (docs/domain.md §13) -----------------------------------------
    def quota_units(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """Per unit × resource (land 亩 / emission 吨 / energy 吨标煤) for year(month): quota,
        allocated this year, remaining, waiting projects and demand, shortfall."""
        from lifecycle.domain import schema

        self.check_month(month)
        quotas = schema.conform("quotas", self.db.store.read(month, "quotas"))
        return self._run_with("quota_units", self._p(month, sl, year=int(month[:4])), {"quota_rows": quotas})

    def quota_waiting(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """In-library projects of the slice still needing a quota, with their demand."""
        return self.db.run("quota_waiting", self._p(month, sl))

    # ---- stage evaluations 阶段性评估 (docs/domain.md §14) -------------------------------------
    EVAL_COLUMNS = {
        "approve": ["project_id", "name", "unit_name", "stage", "filed_on", "started_on", "eval_approval_months",
                    "tolerance_prereview", "parallel_approval", "agency_service"],
        "build": ["project_id", "name", "unit_name", "stage", "started_on", "started_in_year", "building_area_m2",
                  "year_plan_wan", "year_done_wan", "year_ratio"],
        "produce": ["project_id", "name", "unit_name", "stage", "completed_on", "intensity", "equipment_share",
                    "rd_deduction_wan", "capacity_realisation", "new_above_scale", "tax_12m_wan", "sales_12m_wan",
                    "tax_contribution", "employees_latest", "employees_per_yi"],
    }
    EVAL_UNIT_COLUMNS = {
        "approve": ["filed_n", "started_n", "approval_months_median", "tolerance_share", "parallel_share",
                    "agency_share", "filing_rate"],
        "build": ["started_year_n", "building_area_year_m2", "year_ratio", "investment_rate"],
        "produce": ["completed_n", "intensity", "equipment_share", "rd_deduction_total_wan", "capacity_realisation",
                    "new_above_scale_n", "tax_contribution", "employees_total", "employees_per_yi"],
    }

    def evaluation_projects(self, month: str, sl: Slice = ALL, stage: str | None = None) -> pl.DataFrame:
        """The evaluation sheet: one row per in-library project (of `stage`'s group when given,
        with that stage's columns) and its figures (docs/domain.md §14)."""
        df = self.db.run("evaluation_projects", self._p(month, sl, month_from=add_months(month, -11)))
        if stage is None:
            return df
        return df.filter(pl.col(f"in_{stage}")).select(self.EVAL_COLUMNS[stage])

    def evaluation_units(self, month: str, sl: Slice = ALL, period: str = "ytd") -> pl.DataFrame:
        """Per unit (and a total row, unit_code null): the stage evaluations' aggregates, with the
        unit's 签约项目备案率 and 当年投入完成率 (§4) beside."""
        rows = self.db.run("evaluation_projects", self._p(month, sl, month_from=add_months(month, -11)))
        agg = self._run_with("evaluation_units", {}, {"eval_rows": rows})
        by_unit = self.rates(month, sl, group_by="unit_code", period=period)
        total = self.rates(month, sl, period=period)
        rate = {None: total, **by_unit}
        extra = pl.DataFrame(
            {"unit_code": list(rate), "filing_rate": [r["filing_rate"]["rate"] for r in rate.values()],
             "investment_rate": [r["investment_rate"]["rate"] for r in rate.values()]},
            schema={"unit_code": pl.String, "filing_rate": pl.Float64, "investment_rate": pl.Float64})
        return agg.join(extra, on="unit_code", how="left", nulls_equal=True)

    # ---- cadence outputs: 双月过堂会 and 年度考核 (docs/domain.md §15) ----------------------------
    def changes_since(self, month: str, since: str | None, sl: Slice = ALL) -> pl.DataFrame:
        """Projects new, advanced or exited between published month `since` and `month`."""
        if since is None:
            return pl.DataFrame(schema={"project_id": pl.String, "change": pl.String})
        self.check_month(since)
        return self.db.run("changes", self._p(month, sl, prev_month=since))

    def rates_since(self, month: str, since: str | None, sl: Slice = ALL, period: str = "ytd") -> dict:
        """Rates at `month` with those at `since` (previous_rate, previous_month, change_pp)."""
        return self._with_change(month, since, sl, period)

    def year_as_of(self, year: int | str) -> str:
        """The last published month of `year` (the year-end assessment's as-of month)."""
        ms = [m for m in self.months if m[:4] == str(year)]
        if not ms:
            raise MetricsError(f"{year}年没有已发布的月度快照（已发布：{self._months_text()}）")
        return ms[-1]


    # ---- 招推服 (issue 12): phases, yearly targets, 新增长点培育库, yearly evaluation -----------
    @property
    def phases(self) -> list[dict]:
        """The region's phases in order (docs/domain.md §2.3), from config: each {key, name,
        dept, span, stages, entry, limit_months, done_stage?}. Empty when none is configured."""
        return self.config.get("phases", [])

    def _phase_params(self, month: str, sl: Slice, **extra) -> dict:
        ph = self.phases
        stages, ords = [], []
        for i, p in enumerate(ph, start=1):
            for s in p["stages"]:
                stages.append(s)
                ords.append(i)
        y, mo = int(month[:4]), int(month[5:7])
        return self._p(month, sl, phase_keys=[p["key"] for p in ph], phase_entries=[p["entry"] for p in ph],
                       phase_limits=[int(p["limit_months"]) for p in ph],
                       phase_done=[p.get("done_stage") or "" for p in ph],
                       map_stages=stages, map_phase_ord=ords, month_start=dt.date(y, mo, 1), **extra)

    def _phase_labels(self, df: pl.DataFrame, col: str = "phase", prefix: str = "") -> pl.DataFrame:
        by = {p["key"]: p for p in self.phases}
        return df.with_columns(
            pl.col(col).replace_strict({k: v["name"] for k, v in by.items()}, default=None, return_dtype=pl.String)
            .alias(f"{prefix}phase_name"),
            pl.col(col).replace_strict({k: v["dept"] for k, v in by.items()}, default=None, return_dtype=pl.String)
            .alias(f"{prefix}dept" if prefix else "phase_dept"),
        )

    def phase_summary(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """One row per configured phase: name, lead department, span, limit, projects in it,
        investment, overdue, done, and the month's hand-overs in and out."""
        if not self.phases:
            return pl.DataFrame()
        df = self.db.run("phase_summary", self._phase_params(month, sl))
        by = {p["key"]: p for p in self.phases}
        return self._phase_labels(df).with_columns(
            pl.col("phase").replace_strict({k: v.get("span", "") for k, v in by.items()}, return_dtype=pl.String)
            .alias("phase_span"),
            pl.col("phase").replace_strict({k: int(v["limit_months"]) for k, v in by.items()}, return_dtype=pl.Int64)
            .alias("limit_months"),
        )

    def phase_projects(self, month: str, sl: Slice = ALL, phase: str | None = None,
                       overdue_only: bool = False) -> pl.DataFrame:
        """The in-library projects of one phase (or all), with time in phase vs the limit."""
        if not self.phases:
            return pl.DataFrame()
        df = self.db.run("phase_projects", self._phase_params(month, sl, phase=phase, overdue_only=overdue_only))
        return self._phase_labels(df)

    def phase_handover(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """The month's hand-overs: projects that crossed into the next phase (the lead
        department changes), with the departments on both sides."""
        if not self.phases:
            return pl.DataFrame()
        df = self.db.run("phase_handover", self._phase_params(month, sl))
        return self._phase_labels(self._phase_labels(df, "from_phase", "from_"), "to_phase", "to_")

    def _target_params(self, month: str, sl: Slice, **extra) -> dict:
        return self._p(month, sl, year_start=dt.date(int(month[:4]), 1, 1),
                       land_days=int(self.thresholds.get("land_to_start_days", 30)), **extra)

    def targets(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """One row per configured yearly target (docs/domain.md §7.3): count so far this year,
        the target, months elapsed, the time-proportional target (target × months elapsed / 12,
        序时进度) and the gap (count − time-proportional target). Empty when the region has none."""
        keys = [k for k, key in labels.TARGET_KEYS.items() if self.config["targets"].get(key)]
        if not keys:
            return pl.DataFrame(schema={"target_key": pl.String, "target_name": pl.String, "ytd_count": pl.Int64,
                                        "target": pl.Int64, "months_elapsed": pl.Int64,
                                        "target_to_date": pl.Float64, "gap": pl.Float64})
        trend = self.target_trend(month, sl)
        elapsed = int(month[5:7])
        last = trend.filter(pl.col("month_no") == elapsed).select("target_key", "ytd_count")
        tgt = pl.DataFrame({"target_key": keys,
                            "target": [int(self.config["targets"][labels.TARGET_KEYS[k]]) for k in keys]})
        return (tgt.join(last, on="target_key", how="left")
                .with_columns(pl.col("ytd_count").fill_null(0).cast(pl.Int64),
                              pl.lit(elapsed, dtype=pl.Int64).alias("months_elapsed"),
                              pl.col("target_key").replace_strict(labels.TARGETS).alias("target_name"))
                .with_columns((pl.col("target") * pl.col("months_elapsed") / 12).alias("target_to_date"))
                .with_columns((pl.col("ytd_count") - pl.col("target_to_date")).alias("gap"))
                .select("target_key", "target_name", "ytd_count", "target", "months_elapsed", "target_to_date", "gap"))

    def target_trend(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """Per yearly count × month of the year to date: counted in the month and cumulated, with
        the time-proportional target of that month where a target is configured."""
        df = self.db.run("target_trend", self._target_params(month, sl))
        tmap = {k: float(self.config["targets"].get(key) or 0) for k, key in labels.TARGET_KEYS.items()}
        return df.with_columns(
            pl.col("target_key").replace_strict(labels.TARGETS).alias("target_name"),
            pl.when(pl.col("target_key").replace_strict(tmap, default=0.0, return_dtype=pl.Float64) > 0)
            .then(pl.col("target_key").replace_strict(tmap, default=0.0, return_dtype=pl.Float64)
                  * pl.col("month_no") / 12).alias("target_to_date"),
        )

    def target_by_unit(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """Per yearly count × unit: projects counted this year to date."""
        df = self.db.run("target_by_unit", self._target_params(month, sl))
        return df.with_columns(pl.col("target_key").replace_strict(labels.TARGETS).alias("target_name"))

    def target_projects(self, month: str, sl: Slice = ALL, target_key: str | None = None) -> pl.DataFrame:
        """The projects counted in the yearly counts (or in one of them)."""
        return self.db.run("target_projects", self._target_params(month, sl, target_key=target_key))

    def growth_projects(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """The 新增长点培育库 at `month` (docs/domain.md §7.4) with trailing-12-month operations,
        规上 status and the 应入规未入规 mark (rule in config [growth])."""
        g = self.config["growth"]
        return self.db.run("growth_projects", self._p(month, sl, month_from=add_months(month, -11),
                                                      sales_min=float(g.get("above_scale_sales_wan", 2000)),
                                                      after_months=int(g.get("above_scale_after_months", 12))))

    def growth_operations(self, month: str, sl: Slice = ALL, project_id: str | None = None) -> pl.DataFrame:
        """Monthly operations (M−11..M) summed over the 培育库 (or one project of it)."""
        return self.db.run("growth_operations", self._p(month, sl, month_from=add_months(month, -11),
                                                        project_id=project_id))

    def _evaluation_params(self, month: str, sl: Slice, **extra) -> dict:
        e = self.config["evaluation"]
        return self._p(month, sl, month_from=add_months(month, -11),
                       b_tax=float(e["tax_per_mu_benchmark"]), b_output=float(e["output_per_mu_benchmark"]),
                       b_designed=float(e["tax_vs_designed_benchmark"]), b_intensity=float(e["intensity_benchmark"]),
                       w_tax=float(e["weight_tax_per_mu"]), w_output=float(e["weight_output_per_mu"]),
                       w_designed=float(e["weight_tax_vs_designed"]), w_intensity=float(e["weight_intensity"]),
                       grade_a=float(e["grade_a"]), grade_b=float(e["grade_b"]), grade_c=float(e["grade_c"]),
                       **extra)

    def evaluation(self, month: str, sl: Slice = ALL, grade: str | None = None) -> pl.DataFrame:
        """The yearly evaluation (docs/domain.md §7.5) of the producing projects, best first."""
        return self.db.run("evaluation", self._evaluation_params(month, sl, grade=grade))

    def evaluation_grades(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """Producing projects per grade A–D (and without a grade, when any)."""
        return self.db.run("evaluation_grades", self._evaluation_params(month, sl))

    def evaluation_rule(self) -> str:
        """The evaluation rule in Chinese with the configured numbers."""
        e = self.config["evaluation"]
        return (f"基准：亩均税收{e['tax_per_mu_benchmark']:g}万元/亩（权重{e['weight_tax_per_mu']:g}）、"
                f"亩均产出{e['output_per_mu_benchmark']:g}万元/亩（{e['weight_output_per_mu']:g}）、"
                f"实际/设计税收{e['tax_vs_designed_benchmark']:g}（{e['weight_tax_vs_designed']:g}）、"
                f"投资强度{e['intensity_benchmark']:g}万元/亩（{e['weight_intensity']:g}）；"
                f"综合得分≥{e['grade_a']:g}为A，≥{e['grade_b']:g}为B，≥{e['grade_c']:g}为C，其余为D。")
    # ---- look ahead and explain (issue 14): query/forecast.py, query/attribution.py ----------
    def risk(self, month: str, sl: Slice = ALL, horizon: int = 6) -> pl.DataFrame:
        """Slippage forecast (docs/forecast.md): in-library projects of the slice whose next
        milestone is planned within `horizon` months after `month`, with the probability of
        reaching it late, expected date, 10–90 % interval and drivers, highest risk first. The
        model is fitted once per published version of the store on the whole field."""
        from lifecycle.query import forecast

        sl = self.scoped(sl)
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

        return attribution.attribution(self.db, self.check_month(month), self.scoped(sl).params(), versus, period)


    # ---- township targets 招商任务 (issue 19; docs/domain.md §16.3) -------------------------
    def unit_targets(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """One row per unit with yearly targets for year(M) in the configuration × target measure
        (labels.TARGET_MEASURES order): the year's `target`, the 序时 target (target × months
        elapsed ÷ 12, months elapsed = M's month number), the `actual` formal signings of the
        year up to A in snapshot M (exited included; investment in 亿元), `gap` = actual − 序时
        target (negative = behind), `completion` = actual ÷ target and `schedule_completion` =
        actual ÷ 序时 target (empty when the base is 0). Units outside the slice (and the viewer's
        scope) are left out. The targets are the store's for year(M) when it holds that year
        (edited or imported by a publisher, store/targets.py), else the configured ones."""
        from lifecycle.store import targets as store_targets

        self.check_month(month)
        sl = self.scoped(sl)
        year, elapsed = int(month[:4]), int(month[5:7])
        targets, _ = store_targets.effective(self.db.store.root, self.region, year)
        schema = {"unit_code": pl.String, "measure": pl.String, "target": pl.Float64}
        rows = [{"unit_code": u, "measure": k, "target": float(t[k])}
                for u, t in targets.items() if sl.units is None or u in sl.units
                for k in labels.TARGET_MEASURES if t.get(k) is not None]
        tg = pl.DataFrame(rows, schema=schema)
        done = self.db.run("unit_signings", self._p(month, sl, year_start=dt.date(year, 1, 1)))
        done = done.with_columns((pl.col("signed_investment_wan") / 10_000).alias("signed_investment_yi"))
        measures = list(labels.TARGET_MEASURES)
        long = done.unpivot(index=["unit_code", "unit_name"], on=measures, variable_name="measure",
                            value_name="actual").with_columns(pl.col("actual").cast(pl.Float64))
        order = pl.DataFrame({"measure": measures, "ord": list(range(len(measures)))})
        out = (tg.join(long, on=["unit_code", "measure"], how="left").join(order, on="measure")
               .with_columns(pl.col("actual").fill_null(0.0),
                             (pl.col("target") * elapsed / 12).alias("schedule_target"),
                             pl.col("measure").replace_strict(labels.TARGET_MEASURES).alias("measure_label")))
        return (out.with_columns(
                    (pl.col("actual") - pl.col("schedule_target")).alias("gap"),
                    pl.when(pl.col("target") > 0).then(pl.col("actual") / pl.col("target")).alias("completion"),
                    pl.when(pl.col("schedule_target") > 0).then(pl.col("actual") / pl.col("schedule_target"))
                    .alias("schedule_completion"),
                    pl.lit(elapsed).alias("months_elapsed"))
                .sort("unit_code", "ord")
                .select("unit_code", "unit_name", "measure", "measure_label", "target", "schedule_target",
                        "actual", "gap", "completion", "schedule_completion", "months_elapsed"))

    # ---- verified milestones 节点核实 (issue 19; docs/domain.md §17) -------------------------------
    def _verification_frames(self) -> dict[str, pl.DataFrame]:
        """The store's current verifications as the view `verifications` of one query
        (store/verification.py `current`: one row per project × milestone × date, read once per
        revision)."""
        from lifecycle.store import verification

        return {"verifications": verification.current(self.db.store.root)}

    @property
    def verification_stale_days(self) -> int:
        from lifecycle.domain.config import verification_settings

        return verification_settings(self.db.store.root)["stale_days"]

    def _verification_params(self, month: str, sl: Slice, as_of: dt.date | None, **extra) -> dict:
        return self._p(month, sl, ref_date=self.reference_date(month, as_of), **extra)

    def _verification_labels(self, df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(
            pl.col("milestone").replace_strict(labels.VERIFY_MILESTONES, default=pl.col("milestone"))
            .alias("milestone_label"),
            pl.col("verify_status").replace_strict(labels.VERIFY_STATUSES, default=pl.col("verify_status"))
            .alias("verify_status_label"))

    def milestone_verification(self, month: str, sl: Slice = ALL, as_of: dt.date | None = None) -> pl.DataFrame:
        """One row per project × dated verifiable milestone of the slice in snapshot M (in the
        viewer's scope): milestone, its date, status for that date (pending/verified/doubtful;
        待核实 when never verified or verified for another date), who, when, note, and age_days
        (days from the milestone date to the reference date, `reference_date`). Not cached by
        publication: recorded verifications change it."""
        df = self.db.run("milestone_verification", self._verification_params(month, sl, as_of),
                         frames=self._verification_frames())
        return self._verification_labels(df)

    def unverified(self, month: str, sl: Slice = ALL, older_than_days: int | None = None,
                   as_of: dt.date | None = None) -> pl.DataFrame:
        """超期未核实 (docs/domain.md §17.3): the 待核实 / 存疑 milestones of the slice whose date is
        more than `older_than_days` days (default `[verification] stale_days`) before the
        reference date, oldest first."""
        days = self.verification_stale_days if older_than_days is None else older_than_days
        try:
            days = int(days)
        except (TypeError, ValueError):
            raise MetricsError(labels.VERIFY_TEXT["err_days"].format(value=days)) from None
        if days < 0:
            raise MetricsError(labels.VERIFY_TEXT["err_days"].format(value=days))
        df = self.db.run("unverified", self._verification_params(month, sl, as_of, older_than=days),
                         frames=self._verification_frames())
        return self._verification_labels(df)

    def verification_summary(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """One row per verifiable milestone (注册 … 竣工): counts 待核实 / 已核实 / 存疑 of the slice's
        dated milestones in snapshot M, the total and the verified share."""
        df = self.db.run("verification_summary", self._verification_params(month, sl, None),
                         frames=self._verification_frames())
        return df.with_columns(pl.col("milestone").replace_strict(labels.VERIFY_MILESTONES).alias("milestone_label"))

    def verified_rates(self, month: str, sl: Slice = ALL, period: str = "ytd") -> dict:
        """The five rates on verified milestones only, with the change since the previous
        snapshot (docs/domain.md §17.4): `rates_with_change(..., verified_only=True)`."""
        return self.rates_with_change(month, sl, period, verified_only=True)


    # ---- 现有产业布局: unit × industry chain (issue 19; docs/domain.md §16.6) ------------------
    def industry_layout(self, month: str, sl: Slice = ALL) -> pl.DataFrame:
        """One row per unit × industry chain of the in-library projects of snapshot M in the
        slice (and the viewer's scope): `project_count` and `investment_yi` (total investment,
        亿元); projects without a chain under 未填报. By unit, then most projects first."""
        return self.db.run("industry_layout",
                           self._p(month, sl, unfilled=labels.INDUSTRY_LAYOUT_TEXT["unfilled"]))


def _narrow(df: pl.DataFrame, sl: Slice) -> pl.DataFrame:
    """Rows of a per-project frame within the slice (by the project's attributes in the frame)."""
    cols = {"units": "unit_code", "tiers": "tier_band", "sections": "industry_section",
            "origins": "origin", "categories": "category"}
    for k, c in cols.items():
        v = getattr(sl, k)
        if v:
            df = df.filter(pl.col(c).is_in(list(v)))
    if getattr(sl, "majors", None) and "major_level" in df.columns:  # 省市重大 (docs/domain.md §6.2)
        df = df.filter(pl.col("major_level").fill_null("none").is_in(list(sl.majors)))
    return df
