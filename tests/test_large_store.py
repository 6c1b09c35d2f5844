"""The list pages on a large generated store (50,000 projects, 3 months): the approval checklist
(once past Pandas Styler's 262,144-cell limit) and the alert lists render without an error box,
a long list is paged on the server and the grid styles only the page it shows. Times are
measured by `python -m lifecycle bench`, not here."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from helpers import metrics_for
from lifecycle.domain import flags, labels
from lifecycle.store.snapshots import Store

REPO = Path(__file__).resolve().parents[1]
N_PROJECTS = 50_000  # ≈ 22,000 in the library at the last month: past the Styler limit


@pytest.fixture(scope="module")
def large_store(tmp_path_factory) -> Path:
    from lifecycle import demo

    p = tmp_path_factory.mktemp("large")
    demo.generate(p, "jiangyin", n_projects=N_PROJECTS, months=3, seed=3, end_month="2026-10")
    return p


@pytest.fixture
def large_env(large_store, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("LIFECYCLE_STORE", str(large_store))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield metrics_for(Store(large_store))
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(page: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=600)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.slow
def test_approvals_page_on_a_large_store(large_env):
    m = large_env
    month = m.latest_month()
    total = m.approval_light_summary(month).filter(pl.col("dept").is_null()).row(0, named=True)
    # the whole checklist (a row per project: id, name, unit, owner, a cell per step, red steps, days
    # past due, link) would be beyond what a Styler may style
    steps = m.approval_grid(month, limit=0)["steps"]
    assert total["projects"] * (4 + len(steps) + 3) > 262_144
    at = _run("approvals")
    got = {mt.label: mt.value for mt in list(at.metric)[:5]}  # the summary: four lights and the projects
    assert got[labels.COLUMNS["projects"]] == f"{total['projects']:,}"
    grid = next(d.value for d in at.dataframe if "档案" in d.value.columns and "施工许可" in d.value.columns)
    assert 0 < grid.shape[0] < total["projects"]  # one page, not every project
    # the next page starts where the first ended
    first_ids = list(grid[labels.COLUMNS["project_id"]])
    at.number_input(key="ap_grid_page").set_value(2).run()
    assert not at.exception and not at.error
    grid2 = next(d.value for d in at.dataframe if "档案" in d.value.columns and "施工许可" in d.value.columns)
    assert not set(first_ids) & set(grid2[labels.COLUMNS["project_id"]])
    full = m.approval_grid(month)["rows"]
    assert list(full["project_id"][: len(first_ids)]) == first_ids


@pytest.mark.slow
def test_alerts_page_on_a_large_store(large_env):
    m = large_env
    month = m.latest_month()
    at = _run("alerts")
    shown = {mt.label: mt.value for mt in at.metric}
    for k in ("completion_reminder", "investment_behind", "exit_candidate"):
        assert shown[flags.count_label(k)] == f"{m.flag(k, month)['project_id'].n_unique():,}", k
    # a list longer than a page is shown a page at a time
    longest = max(("investment_behind", "exit_candidate", "completion_reminder"), key=lambda k: m.flag(k, month).height)
    n = m.flag(longest, month).height
    tables = [d.value for d in at.dataframe if labels.COLUMNS["project_id"] in d.value.columns]
    assert tables and max(t.shape[0] for t in tables) <= 500 < n
