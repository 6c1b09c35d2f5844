"""`kpi --json` on demo data of both regions agrees with an independent implementation of
docs/domain.md §4 written directly in Polars over the snapshot files (no SQL shared with the product)."""
import datetime as dt
import json
import subprocess
import sys

import polars as pl
import pytest

from helpers import DEMO_END
from lifecycle.store.snapshots import Store


def spec_rates(store: Store, month: str, township_codes=None) -> dict:
    y, mo = int(month[:4]), int(month[5:])
    as_of = dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1)
    start = dt.date(y, 1, 1)
    p = store.read(month, "projects")
    if township_codes is not None:
        p = p.filter(pl.col("township_code").is_in(township_codes))
    achieved = (pl.col("exit_reason") == "achieved") & (pl.col("exit_on") <= as_of)
    # §4.1: after any other exit by A, a milestone dated after the exit date is ignored
    lost = (pl.col("exit_on") <= as_of).fill_null(False) & (pl.col("exit_reason") != "achieved").fill_null(True)
    p = p.with_columns(deadline=pl.when(lost).then(pl.col("exit_on")).otherwise(pl.lit(as_of)))

    def reached(c):
        return ((pl.col(c) <= pl.col("deadline")).fill_null(False)) | achieved.fill_null(False)

    p = p.with_columns(
        f_den=(pl.col("signing_type") == "formal") & pl.col("signed_on").is_between(start, as_of),
        s_den=pl.col("filed_on").is_between(start, pl.col("deadline")).fill_null(False),
    )
    f_den = p["f_den"].sum()
    f_num = p.filter(pl.col("f_den") & reached("filed_on")).height
    s_den = p["s_den"].sum()
    s_num = p.filter(pl.col("s_den") & reached("started_on")).height
    plan = p.filter(pl.col("year_plan_wan") > 0)
    i_den = plan["year_plan_wan"].sum()
    i_num = plan["year_done_wan"].fill_null(0).sum()
    first = min(m for m in store.months() if m[:4] == month[:4])
    base = store.read(first, "projects").filter(pl.col("planned_completed_on").dt.year() == y)
    listed = p.filter(pl.col("project_id").is_in(base["project_id"].implode()))
    p_den = listed.height
    p_num = listed.filter(reached("completed_on") & reached("production_on")).height
    cap = p.filter(reached("production_on") & (pl.col("planned_capacity_on") <= as_of).fill_null(False))
    c_den = cap.height
    c_num = cap.filter(reached("capacity_on")).height
    return {"filing_rate": (f_num, f_den), "start_rate": (s_num, s_den), "investment_rate": (i_num, i_den),
            "production_rate": (p_num, p_den), "capacity_rate": (c_num, c_den)}


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
@pytest.mark.parametrize("month", [DEMO_END, "2026-01", "2025-12"])
def test_kpi_json_matches_spec(demo_stores, region, month):
    st = Store(demo_stores[region])
    r = subprocess.run([sys.executable, "-m", "lifecycle", "kpi", "--store", str(st.root), "--month", month,
                        "--json"], capture_output=True, text=True, check=True)
    got = json.loads(r.stdout)["rates"]
    want = spec_rates(st, month)
    for k, (num, den) in want.items():
        assert got[k]["numerator"] == pytest.approx(num), k
        assert got[k]["denominator"] == pytest.approx(den), k
        assert got[k]["rate"] == (pytest.approx(num / den) if den else None), k


def test_kpi_json_matches_spec_for_a_changzhou_unit(demo_stores):
    from lifecycle.domain.reference import region

    st = Store(demo_stores["changzhou"])
    reg = region("changzhou")
    codes = [t for t, u in reg.unit_of.items() if u == "CZJKQ"]
    r = subprocess.run([sys.executable, "-m", "lifecycle", "kpi", "--store", str(st.root), "--township",
                        "CZJKQ", "--json"], capture_output=True, text=True, check=True)
    got = json.loads(r.stdout)["rates"]
    for k, (num, den) in spec_rates(st, DEMO_END, codes).items():
        assert (got[k]["numerator"], got[k]["denominator"]) == (pytest.approx(num), pytest.approx(den)), k
