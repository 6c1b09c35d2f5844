"""Slippage forecast (预警前移): the probability that an in-library project reaches its next
planned milestone late, from the stage durations of comparable past projects (docs/forecast.md).

Method — Kaplan–Meier per stratum with back-off, conditional on the time already spent:

- The data are the stage spells of snapshot M (`sql/forecast_spells.sql`): for each project and
  each of the transitions 备案→开工, 开工→竣工, 竣工→投产, 投产→达产 it has entered, the days from
  the entry milestone to the next one (an event) or to the as-of date / an unreached exit
  (censored). Only snapshots ≤ M are read, so a forecast at M cannot see later data.
- Strata: the milestone, then the covariates in back-off order `COVARIATES` (investment size
  group, whether the entry milestone was itself late against its baseline plan, category,
  origin, industry section). For each candidate the deepest stratum with at least `MIN_EVENTS` completed spells and
  `MIN_AT_RISK` spells still running at the candidate's elapsed time is used; a transition with
  fewer than `MIN_EVENTS_POOLED` completed spells in the whole field gives no forecast.
- A project that has spent e days in its stage and plans the next milestone P days after entry
  is late when its duration T > P: risk = S(P) / S(e), S the stratum's product-limit survival
  curve. The expected date is the conditional median of T given T > e, the interval its 10 % and
  90 % conditional quantiles (None when the curve does not fall that far).

The naive rule of the back-test: late when e exceeds the median duration of the completed spells
of the same transition (the 阶段耗时 median of docs/domain.md §4.4).

The Kaplan–Meier estimator is written out here (a dozen vectorised numpy lines, tested against a
hand-worked curve) rather than imported from `lifelines`: lifelines 0.30 requires pandas < 3,
which would downgrade the pandas the dashboard runs with.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from lifecycle.domain import labels, reference
from lifecycle.domain.calendar import add_months, month_end
from lifecycle.query.db import Database

MILESTONES = ("started", "completed", "producing", "at_capacity")
SIZE_GROUP = {"lt1": "lt1", "1to10": "1to10", "10to30": "10to30", "30to50": "ge30", "50to100": "ge30",
              "ge100": "ge30", "unknown": "unknown"}
COVARIATES = ("size", "prev_late", "category", "origin", "industry")  # back-off order: the first is kept longest
MIN_EVENTS = 30
MIN_AT_RISK = 10
MIN_EVENTS_POOLED = 10  # fewer completed spells of a transition than this: no forecast at all
HORIZON_MONTHS = 6
DAYS_PER_MONTH = 30.4375  # docs/domain.md §4.4
HIGH_RISK = 0.5


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier survival curve S(t) = P(T > t) of spell durations (days)."""

    times: np.ndarray  # distinct event times, ascending
    surv: np.ndarray  # S just after each event time
    durations: np.ndarray  # every spell's duration, ascending (for the number at risk)
    events: int
    median_done: float | None  # median of the completed spells (the naive rule's yardstick)

    def S(self, t) -> np.ndarray:
        t = np.asarray(t, dtype="float64")
        i = np.searchsorted(self.times, t, side="right") - 1
        return np.where(i < 0, 1.0, self.surv[np.clip(i, 0, None)] if len(self.surv) else 1.0)

    def at_risk(self, t) -> np.ndarray:
        """Spells still running at t (duration ≥ t)."""
        return len(self.durations) - np.searchsorted(self.durations, np.asarray(t, dtype="float64"), side="left")

    def quantile_after(self, e, q: float) -> np.ndarray:
        """Smallest event time t ≥ e with S(t) ≤ S(e)·(1 − q): the q-quantile of T given T > e
        (NaN when the curve never falls that far)."""
        e = np.asarray(e, dtype="float64")
        target = self.S(e) * (1.0 - q)
        out = np.full(e.shape, np.nan)
        if not len(self.times):
            return out
        # surv is non-increasing, so the indices with surv <= target form a suffix [k*, n): the
        # first one at or after e's position k0 is max(k0, k*), for every e at once
        k0 = np.searchsorted(self.times, e, side="left")
        k_star = np.searchsorted(-self.surv, -(target + 1e-12), side="left")
        k = np.maximum(k0, k_star)
        found = k < len(self.times)
        out[found] = self.times[k[found]]
        return out

    @cached_property
    def median(self) -> float | None:
        hit = np.nonzero(self.surv <= 0.5 + 1e-12)[0]
        return float(self.times[hit[0]]) if hit.size else None


def kaplan_meier(days, event) -> Curve:
    """The product-limit estimator: S(t) = Π over event times tᵢ ≤ t of (1 − dᵢ / nᵢ), with dᵢ
    spells ending at tᵢ and nᵢ spells with duration ≥ tᵢ (censored spells count as at risk up to
    and including their own time)."""
    d = np.asarray(days, dtype="float64")
    ev = np.asarray(event, dtype=bool)
    order = np.sort(d)
    if not ev.any():
        return Curve(np.array([]), np.array([]), order, 0, None)
    t, deaths = np.unique(d[ev], return_counts=True)
    n_at = len(d) - np.searchsorted(order, t, side="left")
    surv = np.cumprod(1.0 - deaths / n_at)
    return Curve(t, surv, order, int(ev.sum()), float(np.median(d[ev])))


# ---- the model ---------------------------------------------------------------------------------
def _keys(df: pl.DataFrame) -> pl.DataFrame:
    """Add the stratum covariates: size group, prev_late as text ('late'/'on_time'/'none')."""
    return df.with_columns(
        pl.col("tier_band").fill_null("unknown").replace_strict(SIZE_GROUP, default="unknown").alias("size"),
        pl.when(pl.col("prev_late").is_null()).then(pl.lit("none"))
        .when(pl.col("prev_late")).then(pl.lit("late")).otherwise(pl.lit("on_time")).alias("prev_late_key"),
        pl.col("category").fill_null("unknown"),
        pl.col("origin").fill_null("unknown"),
        pl.col("industry_section").fill_null("unknown").alias("industry"),
    )


def _cov_cols() -> list[str]:
    return ["size", "prev_late_key", "category", "origin", "industry"]


class Model:
    """Kaplan–Meier curves per milestone and per back-off level of the covariates."""

    def __init__(self, spells: pl.DataFrame):
        spells = _keys(spells)
        self.curves: dict[tuple, Curve] = {}
        cols = _cov_cols()
        for level in range(len(cols) + 1):
            by = ["milestone", *cols[:level]]
            for part in spells.partition_by(by, as_dict=True, maintain_order=False).items():
                key, g = part
                key = tuple(key) if isinstance(key, tuple) else (key,)
                self.curves[key] = kaplan_meier(g["days"].to_numpy(), g["event"].to_numpy())

    def curve(self, key: tuple) -> Curve | None:
        return self.curves.get(key)

    def predict(self, cand: pl.DataFrame) -> pl.DataFrame:
        """Risk, conditional quantiles and the stratum used, one row per candidate."""
        cand = _keys(cand).with_row_index("_i")
        n = cand.height
        risk = np.full(n, np.nan)
        q50, q10, q90 = (np.full(n, np.nan) for _ in range(3))
        level_used = np.full(n, -1)
        naive = np.zeros(n, dtype=bool)
        behind = np.full(n, np.nan)
        peer_median = np.full(n, np.nan)
        peer_n = np.zeros(n, dtype=np.int64)
        cols = _cov_cols()
        todo = np.ones(n, dtype=bool)
        for level in range(len(cols), -1, -1):
            by = ["milestone", *cols[:level]]
            sub = cand.filter(pl.Series(todo))
            if sub.is_empty():
                break
            for key, g in sub.partition_by(by, as_dict=True).items():
                key = tuple(key) if isinstance(key, tuple) else (key,)
                c = self.curves.get(key)
                if c is None:
                    continue
                idx = g["_i"].to_numpy()
                e = g["elapsed_days"].to_numpy().astype("float64")
                if level > 0:
                    ok = (c.events >= MIN_EVENTS) & (c.at_risk(e) >= MIN_AT_RISK)
                else:  # the milestone's pooled curve: no forecast from too few completed spells
                    ok = np.full(len(idx), c.events >= MIN_EVENTS_POOLED)
                if not ok.any():
                    continue
                idx, e = idx[ok], e[ok]
                p = g["planned_days"].to_numpy().astype("float64")[ok]
                se = c.S(e)
                sp = c.S(p)
                risk[idx] = np.where(se > 0, sp / np.where(se > 0, se, 1.0), 1.0)
                q50[idx] = c.quantile_after(e, 0.5)
                q10[idx] = c.quantile_after(e, 0.1)
                q90[idx] = c.quantile_after(e, 0.9)
                level_used[idx] = level
                med = c.median
                peer_median[idx] = np.nan if med is None else med
                peer_n[idx] = len(c.durations)
                todo[idx] = False
        # the naive rule: behind the transition's median of completed spells
        for ms in MILESTONES:
            c = self.curves.get((ms,))
            sel = (cand["milestone"] == ms).to_numpy()
            if c is None or c.median_done is None or not sel.any():
                continue
            e = cand["elapsed_days"].to_numpy().astype("float64")[sel]
            naive[sel] = e > c.median_done
            behind[sel] = e / c.median_done
        entry = cand["entry_on"]
        return cand.with_columns(
            pl.Series("risk", np.clip(risk, 0.0, 1.0), nan_to_null=True),
            _add_days(entry, q50, "expected_on"),
            _add_days(entry, q10, "low_on"),
            _add_days(entry, q90, "high_on"),
            pl.Series("level", level_used),
            pl.Series("peer_median_days", peer_median, nan_to_null=True),
            pl.Series("peer_n", peer_n),
            pl.Series("naive_late", naive),
            pl.Series("behind_ratio", behind, nan_to_null=True),
        ).drop("_i")


def _add_days(dates: pl.Series, days: np.ndarray, name: str) -> pl.Series:
    d = pl.Series(name, days, dtype=pl.Float64, nan_to_null=True).round(0).cast(pl.Int64)
    return (dates.cast(pl.Date).to_frame("d").with_columns(d).select(
        (pl.col("d") + pl.duration(days=pl.col(name))).alias(name)).to_series())


# ---- drivers in plain Chinese ---------------------------------------------------------------------
def _drivers(row: dict, model: Model) -> str:
    T = labels.FORECAST_TEXT
    ms, entry = labels.FORECAST_MILESTONES[row["milestone"]], labels.FORECAST_ENTRY[row["milestone"]]
    e, p = row["elapsed_days"] / DAYS_PER_MONTH, row["planned_days"] / DAYS_PER_MONTH
    parts = [T["elapsed"].format(entry=entry, elapsed=e, ms=ms, left=p - e)]
    level = row["level"]
    cols = _cov_cols()[: max(level, 0)]
    desc = []
    for c in cols:
        v = row[c]
        if c == "size":
            desc.append(labels.FORECAST_SIZE.get(v, v))
        elif c == "prev_late_key":
            if v != "none":
                desc.append(T["prev_late_tag"] if v == "late" else T["prev_on_time_tag"])
        elif c == "category":
            desc.append(labels.CATEGORIES.get(v, v))
        elif c == "origin":
            desc.append(labels.ORIGINS.get(v, v))
        elif c == "industry":
            desc.append(reference.industry_sections().get(v, v))
    med = row["peer_median_days"]
    med_txt = T["months"].format(v=med / DAYS_PER_MONTH) if med is not None else T["no_median"]
    parts.append(T["peer"].format(desc="·".join(desc) or T["peer_all"], entry=entry, ms=ms, median=med_txt,
                                  n=row["peer_n"]))
    pooled = model.curve((row["milestone"],))
    pm = pooled.median if pooled else None
    if level > 0 and med is not None and pm is not None:
        diff = (med - pm) / DAYS_PER_MONTH
        if diff >= 1:
            parts.append(T["slower"].format(diff=diff))
        elif diff <= -1:
            parts.append(T["faster"].format(diff=-diff))
    if row.get("prev_late") and row.get("prev_late_days"):
        parts.append(T["prev_late"].format(entry=entry, months=row["prev_late_days"] / DAYS_PER_MONTH))
    if med is not None and row["elapsed_days"] > med:
        parts.append(T["behind_median"])
    return "；".join(parts)


# ---- entry points ------------------------------------------------------------------------------
_FITS: dict[tuple, Model] = {}
_FITS_LOCK = threading.Lock()


def fit(db: Database, month: str) -> Model:
    """The model fitted on snapshot `month` (and the plans of earlier ones), once per published
    version of the store: cached by (store, version token, month)."""
    key = (str(db.store.root), db.store.version_token(), month)
    with _FITS_LOCK:
        m = _FITS.get(key)
    if m is None:
        m = Model(db.run("forecast_spells", {"month": month}))
        with _FITS_LOCK:
            if len(_FITS) > 64:
                _FITS.clear()
            _FITS[key] = m
    return m


def candidates(db: Database, month: str, horizon: int = HORIZON_MONTHS) -> pl.DataFrame:
    return db.run("forecast_candidates", {"month": month, "horizon_end": month_end(add_months(month, horizon))})


_FORECASTS: dict[tuple, pl.DataFrame] = {}


def forecast(db: Database, month: str, horizon: int = HORIZON_MONTHS) -> pl.DataFrame:
    """Every in-library project with its next milestone planned within `horizon` months after
    `month`, with risk, expected date and 10–90 % interval and the drivers, highest risk first.
    The whole field, once per published version of the store (pages narrow it to their slice)."""
    key = (str(db.store.root), db.store.version_token(), month, horizon)
    with _FITS_LOCK:
        hit = _FORECASTS.get(key)
    if hit is None:
        hit = _forecast(db, month, horizon)
        with _FITS_LOCK:
            if len(_FORECASTS) > 16:
                _FORECASTS.clear()
            _FORECASTS[key] = hit
    return hit


def _forecast(db: Database, month: str, horizon: int) -> pl.DataFrame:
    model = fit(db, month)
    cand = candidates(db, month, horizon)
    if cand.is_empty():
        return _empty()
    out = model.predict(cand).filter(pl.col("risk").is_not_null())
    if out.is_empty():
        return _empty()
    drivers = [_drivers(r, model) for r in out.iter_rows(named=True)]
    return (out.with_columns(pl.Series("drivers", drivers, dtype=pl.String),
                             (pl.col("elapsed_days") / DAYS_PER_MONTH).round(1).alias("elapsed_months"),
                             pl.col("milestone").replace_strict(labels.FORECAST_MILESTONES).alias("milestone_label"))
            .sort(["risk", "planned_on", "project_id"], descending=[True, False, False], nulls_last=True))


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={
        "project_id": pl.String, "name": pl.String, "enterprise": pl.String, "unit_code": pl.String,
        "unit_name": pl.String, "stage": pl.String, "milestone": pl.String, "entry_on": pl.Date,
        "planned_on": pl.Date, "as_of": pl.Date, "elapsed_days": pl.Int64, "planned_days": pl.Int64,
        "prev_late": pl.Boolean, "prev_late_days": pl.Int64, "tier_band": pl.String, "category": pl.String,
        "origin": pl.String, "industry_section": pl.String, "total_investment_wan": pl.Float64,
        "size": pl.String, "prev_late_key": pl.String, "risk": pl.Float64, "expected_on": pl.Date,
        "low_on": pl.Date, "high_on": pl.Date, "level": pl.Int64, "peer_median_days": pl.Float64,
        "peer_n": pl.Int64, "naive_late": pl.Boolean, "behind_ratio": pl.Float64, "drivers": pl.String,
        "elapsed_months": pl.Float64, "milestone_label": pl.String})


# ---- back-test -----------------------------------------------------------------------------------
MIN_HISTORY = 12  # months of snapshots before the first forecast origin
STEP = 3


def backtest_origins(months: list[str], horizon: int = HORIZON_MONTHS, step: int = STEP,
                     min_history: int = MIN_HISTORY) -> list[str]:
    """Forecast months M with `min_history` published months up to M and the whole horizon
    observed by the last published month, every `step` months counting back from the last one."""
    if not months:
        return []
    last = months[-1]
    ok = [m for i, m in enumerate(months) if i + 1 >= min_history and add_months(m, horizon) <= last]
    return sorted(ok[::-1][::step])


def score(pred: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    """Join forecasts with what happened: late = the milestone not reached on or before its
    planned date (as planned at M) — reached after it, or not at all by then. Only forecasts
    whose planned date is on or before the outcome snapshot's as-of date are scored."""
    o = outcomes.unpivot(index=["project_id", "as_of", "achieved_on"],
                         on=["started_on", "completed_on", "production_on", "capacity_on"],
                         variable_name="col", value_name="reached_on").with_columns(
        pl.col("col").replace_strict({"started_on": "started", "completed_on": "completed",
                                      "production_on": "producing", "capacity_on": "at_capacity"}).alias("milestone"))
    o = o.with_columns(pl.coalesce("reached_on", "achieved_on").alias("reached_on")).rename({"as_of": "outcome_as_of"})
    j = pred.join(o.select("project_id", "milestone", "reached_on", "outcome_as_of"),
                  on=["project_id", "milestone"], how="inner")
    return (j.filter(pl.col("planned_on") <= pl.col("outcome_as_of"))
            .with_columns((pl.col("reached_on").is_null() | (pl.col("reached_on") > pl.col("planned_on"))).alias("late")))


def backtest(db: Database, horizon: int = HORIZON_MONTHS, step: int = STEP, min_history: int = MIN_HISTORY,
             top: int = 20) -> dict:
    """Fit at each origin M on snapshots ≤ M only, score on the last published snapshot.
    Returns {'origins': per-M frame, 'calibration': by decile, 'summary': dict, 'outcome_month'}."""
    db.refresh()
    months = db.months
    origins = backtest_origins(months, horizon, step, min_history)
    if not origins:
        return {"origins": pl.DataFrame(), "calibration": pl.DataFrame(), "summary": None,
                "outcome_month": months[-1] if months else None}
    last = months[-1]
    outcomes = db.run("forecast_outcomes", {"month": last})
    scored = []
    for m in origins:
        model = fit(db, m)
        cand = candidates(db, m, horizon)
        if cand.is_empty():
            continue
        s = score(model.predict(cand).filter(pl.col("risk").is_not_null()), outcomes).with_columns(pl.lit(m).alias("origin_month"))
        scored.append(s.select("origin_month", "project_id", "milestone", "risk", "naive_late", "behind_ratio", "late"))
    if not scored:
        return {"origins": pl.DataFrame(), "calibration": pl.DataFrame(), "summary": None, "outcome_month": last}
    allp = pl.concat(scored).with_columns(pl.col("late").cast(pl.Float64).alias("y"),
                                          pl.col("naive_late").cast(pl.Float64).alias("naive_p"))
    per = allp.group_by("origin_month").agg(
        pl.len().alias("scored"),
        pl.col("y").mean().alias("late_share"),
        ((pl.col("risk") - pl.col("y")) ** 2).mean().alias("brier_model"),
        ((pl.col("naive_p") - pl.col("y")) ** 2).mean().alias("brier_naive"),
        pl.col("y").sort_by(["risk", "project_id"], descending=[True, False]).head(top).mean().alias("top20_model"),
        pl.col("y").sort_by(["behind_ratio", "project_id"], descending=[True, False], nulls_last=True)
        .head(top).mean().alias("top20_naive"),
    ).sort("origin_month")
    n = allp.height
    cal = (allp.with_columns(((pl.col("risk").rank("ordinal") - 1) * 10 // n + 1).cast(pl.Int64).alias("decile"))
           .group_by("decile").agg(pl.len().alias("n"), pl.col("risk").mean().alias("predicted"),
                                   pl.col("y").mean().alias("observed")).sort("decile"))
    summary = {
        "forecasts": n,
        "origins": per.height,
        "late_share": float(allp["y"].mean()),
        "brier_model": float(((allp["risk"] - allp["y"]) ** 2).mean()),
        "brier_naive": float(((allp["naive_p"] - allp["y"]) ** 2).mean()),
        # reference: one constant probability, the observed share late (in-sample, so flattering)
        "brier_base": float(allp["y"].mean() * (1 - allp["y"].mean())),
        "top20_model": float(per["top20_model"].mean()),
        "top20_naive": float(per["top20_naive"].mean()),
        "first_origin": per["origin_month"][0],
        "last_origin": per["origin_month"][-1],
    }
    return {"origins": per, "calibration": cal, "summary": summary, "outcome_month": last}

