"""Grain tests for the SQL models (lifecycle/query/sql/models/): the "one row per …" of each
model's first comment holds on both regions' demo data — its key columns are unique — and the
model is not empty (a grain test over no rows would prove nothing)."""
from __future__ import annotations

import pytest

from helpers import DEMO_END, metrics_for
from lifecycle.query.db import MODELS, SQL_DIR
from lifecycle.store.snapshots import Store

SLICE = "NULL, NULL, NULL, NULL, NULL, NULL"  # units, tiers, sections, origins, categories, majors
M, BASE, Q_PLAN = DEMO_END, "2026-01", "2026-06"

# (what the model is called with, its key: the "one row per …" of its first comment)
GRAINS = [
    ("stg_projects", ["project_id", "snapshot_month"]),
    ("stg_approvals", ["project_id", "step", "snapshot_month"]),
    ("stg_operations", ["project_id", "month", "snapshot_month"]),
    ("stg_problems", ["problem_id", "snapshot_month"]),
    ("int_projects", ["project_id", "snapshot_month"]),
    ("int_approvals", ["project_id", "step", "snapshot_month"]),
    ("ops_12m", ["snapshot_month", "project_id"]),
    ("unit_month_rows", ["snapshot_month", "unit_code", "tier_band", "industry_section", "origin", "category",
                         "major_level"]),
    ("plan_baseline_rows", ["project_id"]),
    (f"month_projects('{M}')", ["project_id"]),
    (f"month_approvals('{M}')", ["project_id", "step"]),
    (f"sliced('{M}', {SLICE})", ["project_id"]),
    (f"rate_inputs('{M}', '{BASE}', NULL, {SLICE})", ["project_id"]),
    (f"approval_steps('{M}', {SLICE}, NULL, NULL)", ["project_id", "step"]),
    (f"stage_duration_rows('{M}', {SLICE})", ["project_id", "transition"]),
    (f"quarter_rows('2026-09', '{Q_PLAN}', DATE '2026-07-01', DATE '2026-09-30', {SLICE})", ["project_id"]),
    (f"month_event_rows('{M}', DATE '2026-01-01', {SLICE})", ["project_id", "event"]),
    (f"lookback_rows('{M}', NULL, {SLICE})", ["project_id", "campaign"]),
    (f"target_rows('{M}', DATE '2026-01-01', 180, {SLICE})", ["target_key", "project_id"]),
    (f"ops12('{M}', '2025-11')", ["project_id"]),
]


@pytest.fixture(scope="module")
def dbs(demo_stores):
    return {r: metrics_for(Store(p)).db for r, p in demo_stores.items()}


def test_every_model_file_is_created_and_every_query_is_apart():
    """sql/models/ holds exactly the models the catalog creates; sql/queries/ the rest."""
    assert sorted(p.stem for p in (SQL_DIR / "models").glob("*.sql")) == sorted(MODELS)
    assert not list(SQL_DIR.glob("*.sql"))  # nothing left at the top
    assert len(list((SQL_DIR / "queries").glob("*.sql"))) > 40


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
@pytest.mark.parametrize("model,key", GRAINS, ids=[g[0].split("(")[0] for g in GRAINS])
def test_model_grain(dbs, region, model, key):
    db = dbs[region]
    cols = ", ".join(key)
    n = db.scalar(f"SELECT count(*) FROM {model}")
    assert n > 0, f"{model}: no rows on the demo data"
    dup = db.query(f"SELECT {cols}, count(*) AS n FROM {model} GROUP BY ALL HAVING count(*) > 1 LIMIT 3")
    assert dup.is_empty(), f"{model}: more than one row per {key}: {dup.to_dicts()}"
