"""Right on every slice (issue 11): rankings are computed over the whole field and only then
narrowed, so a unit's rank and score do not depend on its own filter."""
from __future__ import annotations

import pytest

from conftest import metrics_for
from lifecycle.domain.reference import region as region_of
from lifecycle.query.metrics import Slice
from lifecycle.store.snapshots import Store


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_rank_and_score_do_not_change_with_the_units_own_filter(region, demo_stores):
    m = metrics_for(Store(demo_stores[region]))
    month = m.latest_month()
    for tiers in (None, ("1to10",)):
        base = Slice(tiers=tiers)
        field = {r["unit_code"]: r for r in m.ranking(month, base).iter_rows(named=True)}
        assert set(field) == set(region_of(region).units)  # the whole field is ranked
        for code in field:
            one = m.ranking(month, base.narrow(units=[code]))
            assert one["unit_code"].to_list() == [code]  # the filter narrows the rows listed
            r = one.row(0, named=True)
            assert r["rank"] == field[code]["rank"], (code, tiers)
            assert r["score"] == (pytest.approx(field[code]["score"]) if field[code]["score"] is not None else None)
            assert r["rank_prev"] == field[code]["rank_prev"]
        # two units together: each keeps its own field rank
        a, b = list(field)[:2]
        two = {r["unit_code"]: r["rank"] for r in m.ranking(month, base.narrow(units=[a, b])).iter_rows(named=True)}
        assert two == {a: field[a]["rank"], b: field[b]["rank"]}
