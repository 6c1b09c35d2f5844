"""Why a rate moved (变动归因): the change of each of the five rates between two snapshots split
into the contribution of each unit, and within a unit into mix (the cohort changed) and
performance (the cohort's projects reached more or less), docs/forecast.md.

Let N₀/D₀ and N₁/D₁ be the slice's pairs before and after, R̄ = (R₀ + R₁)/2. Every project of
either denominator falls in one group g of one unit u — 'stay' (in both denominators), 'enter'
(only after), 'leave' (only before) — with its own pairs n₀ᵍ/d₀ᵍ, n₁ᵍ/d₁ᵍ. Its contribution is

    c = (n₁ − R̄·d₁)/D₁ − (n₀ − R̄·d₀)/D₀

(how far the group is above the average rate, in each month's weight). Summed over all groups,
Σn = N and Σd = D, so Σc = (R₁ − R̄) − (R₀ − R̄) = R₁ − R₀: the contributions add up to the
change exactly. Within a unit, **performance** = (n₁ − n₀ of its stayers) / D₁ (projects in the
cohort both times that reached the milestone since, or for the investment rate the investment
they completed since), and **mix** = the unit's contribution − performance (projects entering
or leaving the cohort, and their weight). The arithmetic is done in exact fractions, so the
parts add up to the total exactly, not only to rounding.
"""
from __future__ import annotations

from fractions import Fraction

import polars as pl

from lifecycle.domain import labels, reference
from lifecycle.domain.calendar import period_start, previous_quarter_end
from lifecycle.query.db import Database

RATE_KEYS = list(labels.RATES)


def _F(x) -> Fraction:
    return Fraction(x or 0)  # exact for ints and floats


def decompose(rows: list[dict]) -> dict | None:
    """rows: [{'unit_code', 'grp', 'num0', 'den0', 'num1', 'den1', 'projects'}] of one rate.
    Returns {'total': Fraction, 'r0', 'r1', 'units': {unit: {'contribution', 'mix', 'performance',
    'entered', 'entered_reached', 'left', 'gained'}}} with exact Fractions, or None when either
    month's denominator is 0 (the rate has no value, so no change)."""
    N0 = sum(_F(r["num0"]) for r in rows)
    D0 = sum(_F(r["den0"]) for r in rows)
    N1 = sum(_F(r["num1"]) for r in rows)
    D1 = sum(_F(r["den1"]) for r in rows)
    if D0 == 0 or D1 == 0:
        return None
    r0, r1 = N0 / D0, N1 / D1
    rbar = (r0 + r1) / 2
    units: dict[str, dict] = {}
    for r in rows:
        n0, d0, n1, d1 = _F(r["num0"]), _F(r["den0"]), _F(r["num1"]), _F(r["den1"])
        c = (n1 - rbar * d1) / D1 - (n0 - rbar * d0) / D0
        u = units.setdefault(r["unit_code"], {"contribution": Fraction(0), "performance": Fraction(0),
                                              "entered": 0, "entered_reached": Fraction(0), "left": 0,
                                              "gained": Fraction(0)})
        u["contribution"] += c
        if r["grp"] == "stay":
            u["performance"] += (n1 - n0) / D1
            u["gained"] += n1 - n0
        elif r["grp"] == "enter":
            u["entered"] += int(r.get("projects") or 0)
            u["entered_reached"] += n1
        else:
            u["left"] += int(r.get("projects") or 0)
    for u in units.values():
        u["mix"] = u["contribution"] - u["performance"]
    return {"total": r1 - r0, "r0": r0, "r1": r1, "units": units}


def compare_month(months: list[str], month: str, versus: str) -> str | None:
    """The month compared with: the previous published month ('month'), or the last published
    month of the previous quarter ('quarter', as the quarterly review does)."""
    if versus == "month":
        prev = [m for m in months if m < month]
    elif versus == "quarter":
        end = previous_quarter_end(month)
        prev = [m for m in months if m <= end]
    else:
        raise ValueError(versus)
    return prev[-1] if prev else None


def _baseline(months: list[str], month: str) -> str:
    return min(m for m in months if m[:4] == month[:4] and m <= month)


def attribution(db: Database, month: str, slice_params: dict, versus: str = "month",
                period: str = "ytd") -> dict:
    """{'month', 'previous_month', 'versus', 'rates': {rate: {...}}} where each rate has
    'rate0', 'rate1', 'change_pp' (None when not comparable) and 'units': a frame, one row per
    unit with a non-zero part (contribution_pp, mix_pp, performance_pp, entered,
    entered_reached, left, gained), largest absolute contribution first."""
    db.refresh()
    months = db.months
    prev = compare_month(months, month, versus)
    out = {"month": month, "previous_month": prev, "versus": versus, "rates": {}}
    if prev is None:
        for k in RATE_KEYS:
            out["rates"][k] = {"rate0": None, "rate1": None, "change_pp": None, "units": _empty_units()}
        return out
    df = db.run("rate_change", {
        "m0": prev, "b0": _baseline(months, prev), "p0": period_start(prev, period),
        "m1": month, "b1": _baseline(months, month), "p1": period_start(month, period), **slice_params})
    reg = reference.region(db.store.region)
    names = {c: u.name for c, u in reg.units.items()}
    for k in RATE_KEYS:
        rows = df.filter(pl.col("rate") == k).to_dicts()
        res = decompose(rows)
        if res is None:
            out["rates"][k] = {"rate0": None, "rate1": None, "change_pp": None, "units": _empty_units()}
            continue
        recs = []
        for u, v in res["units"].items():
            recs.append({
                "unit_code": u, "unit_name": names.get(u, u),
                "contribution_pp": float(v["contribution"] * 100), "mix_pp": float(v["mix"] * 100),
                "performance_pp": float(v["performance"] * 100), "entered": v["entered"],
                "entered_reached": float(v["entered_reached"]), "left": v["left"], "gained": float(v["gained"]),
            })
        units = (pl.DataFrame(recs, schema=_UNIT_SCHEMA) if recs else _empty_units())
        units = units.with_columns(pl.col("contribution_pp").abs().alias("_a")).sort(
            ["_a", "unit_code"], descending=[True, False]).drop("_a")
        out["rates"][k] = {"rate0": float(res["r0"]), "rate1": float(res["r1"]),
                           "change_pp": float(res["total"] * 100), "units": units}
    return out


_UNIT_SCHEMA = {"unit_code": pl.String, "unit_name": pl.String, "contribution_pp": pl.Float64,
                "mix_pp": pl.Float64, "performance_pp": pl.Float64, "entered": pl.Int64,
                "entered_reached": pl.Float64, "left": pl.Int64, "gained": pl.Float64}


def _empty_units() -> pl.DataFrame:
    return pl.DataFrame(schema=_UNIT_SCHEMA)
