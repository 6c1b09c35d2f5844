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


# ---- the AppTest sweep: every page × many slices of both regions ----------------------------
import json  # noqa: E402
import os  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402

from conftest import REPO  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from lifecycle.domain import labels  # noqa: E402

SWEEP_PAGES = ["overview", "funnel", "tiers", "map", "rankings", "approvals", "alerts", "quarterly",
               "lookback", "project"]
TIERS = list(labels.TIER_BANDS)
# LIFECYCLE_FULL_SWEEP=1: every slice on every page (slow; the default samples unit × tier)
FULL = bool(os.environ.get("LIFECYCLE_FULL_SWEEP"))
# a raw missing value leaking into text: nan, None, inf, NaN, Infinity as a word
RAW = re.compile(r"(?<![A-Za-z])(nan|NaN|None|inf|Infinity|null|NaT)(?![A-Za-z])")


def _slices(region: str, m) -> list[dict]:
    """Deterministic query-parameter slices: the whole region, every unit alone, every unit with
    one tier (tiers rotate over the units), the top tier alone and with each unit (mostly empty),
    and an empty combination."""
    units = list(region_of(region).units)
    out = [{}]
    out += [{"unit": u} for u in units]
    out += [{"unit": u, "tier": TIERS[i % len(TIERS)]} for i, u in enumerate(units)]
    out += [{"unit": u, "tier": "ge100"} for u in units]
    out += [{"tier": "ge100"}, {"tier": "ge100", "category": "service", "origin": "upgrade", "section": "A"}]
    return out


def _plan(region: str, m) -> list[tuple[str, dict]]:
    """(page, slice) runs: every page on the whole region and on the empty combination, and the
    other slices spread over the pages round-robin, so every unit alone and every unit × tier
    runs at least once while the sweep stays a few minutes."""
    sls = _slices(region, m)
    first, empty, rest = sls[0], sls[-1], sls[1:-1]
    runs = [(p, first) for p in SWEEP_PAGES] + [(p, empty) for p in SWEEP_PAGES]
    if not FULL:
        units = [q for q in rest if set(q) == {"unit"}]
        pairs = [q for q in rest if set(q) == {"unit", "tier"}]
        rest = units + pairs[:: max(1, len(pairs) // 6)] + [q for q in rest if set(q) == {"tier"}]
    runs += [(SWEEP_PAGES[i % len(SWEEP_PAGES)], q) for i, q in enumerate(rest)]
    return runs


def _texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "text", "info", "warning", "success", "title", "header", "subheader"):
        out += [str(e.value) for e in getattr(at, kind)]
    for mt in at.metric:
        out += [str(mt.label), str(mt.value), str(mt.proto.body)]
    for tab in at.tabs:
        out.append(str(tab.label))
    for sb in at.selectbox:
        out += [str(o) for o in sb.options]
    return out


def _strings(obj, skip=("hovertemplate", "texttemplate", "uid", "meta")):
    """Every string inside a Plotly figure spec (templates hold %{…} placeholders, not values)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in skip or k == "template":
                continue
            yield from _strings(v, skip)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v, skip)
    elif isinstance(obj, str):
        yield obj


def _problems(at: AppTest) -> list:
    """What is wrong on a page run: exceptions, error boxes, raw missing values in any text,
    table or chart."""
    out = [("exception", e.value) for e in at.exception] + [("error", e.value) for e in at.error]
    out += [("text", t) for t in _texts(at) if RAW.search(t)]
    for d in at.dataframe:
        df = d.value
        for c in df.columns:
            if RAW.search(str(c)):
                out.append(("header", c))
            col = df[c]
            if col.dtype == object:
                bad = [v for v in col.tolist() if v is None or (isinstance(v, float) and math.isnan(v))
                       or (isinstance(v, str) and RAW.search(v))]
            else:
                bad = [v for v in col.tolist() if isinstance(v, float) and not math.isfinite(v)]
            if bad:
                out.append(("table", c, bad[:3]))
    for ch in at.get("plotly_chart"):
        spec = json.loads(ch.proto.spec)
        out += [("chart", s) for s in _strings(spec) if RAW.search(s)]
    return out


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_every_page_on_every_slice(region, region_env):
    m = region_env(region)
    pid = m.project_list(m.latest_month())["project_id"][0]
    problems = []
    for page, q in _plan(region, m):
        at = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=120)
        for k, v in q.items():
            at.query_params[k] = v
        if page == "project":
            at.query_params["pid"] = pid
        at.run()
        found = _problems(at)
        if found:
            problems.append((page, q, found[:5]))
    if os.environ.get("LIFECYCLE_SWEEP_LOG"):
        with open(os.environ["LIFECYCLE_SWEEP_LOG"], "a") as fh:
            for p in problems:
                fh.write(repr(p) + "\n")
    assert not problems, problems[:12]
