"""Shared fixtures: small deterministic demo stores of both regions, and helpers to build
hand-made stores for metric tests."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest

from lifecycle import schema
from lifecycle.store import Store

REPO = Path(__file__).resolve().parents[1]
DEMO_END = "2026-10"


@pytest.fixture(scope="session")
def demo_stores(tmp_path_factory) -> dict[str, Path]:
    """{'jiangyin': path, 'changzhou': path}: each region's default demo size × 24 months, fixed seed/end."""
    from lifecycle import demo

    out = {}
    for region in ("jiangyin", "changzhou"):
        p = tmp_path_factory.mktemp(f"demo_{region}")
        demo.generate(p, region, n_projects=None, months=24, seed=7, end_month=DEMO_END)
        out[region] = p
    return out


@pytest.fixture
def region_env(demo_stores, monkeypatch):
    """A function pointing the app at one region's demo store (clearing Streamlit caches) and
    returning a Metrics for it; caches are cleared again after the test (for AppTest)."""
    import streamlit as st

    def use(region: str):
        monkeypatch.setenv("LIFECYCLE_STORE", str(demo_stores[region]))
        st.cache_data.clear()
        st.cache_resource.clear()
        return metrics_for(Store(demo_stores[region]))

    yield use
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_env(region_env, demo_stores):
    """The app pointed at the Jiangyin demo store; yields {region: store path}."""
    region_env("jiangyin")
    return demo_stores


def D(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


PROJECT_DEFAULTS = dict(
    name="测试项目", enterprise="测试企业有限公司", credit_code="91320214745555318W",
    township_code="320281001", park=None, industry_section="C", industry_chain="新材料",
    origin="new", category="industry", is_infrastructure=True, signing_type="formal",
    total_investment_wan=50000.0, equipment_plan_wan=20000.0, land_area_mu=100.0,
    designed_output_wan=100000.0, designed_tax_wan=5000.0,
    year_plan_wan=0.0, year_done_wan=0.0, cumulative_done_wan=0.0, equipment_done_wan=0.0,
    lead_dept="工信局", owner="张三", joint_acceptance=False,
)
DATE_COLS = {c.name for c in schema.TABLES["projects"] if c.kind == "date"}


def project(pid: str, **kw) -> dict:
    """One projects row: defaults overridden by kw; date strings become dates."""
    row = {c.name: None for c in schema.TABLES["projects"]}
    row.update(PROJECT_DEFAULTS)
    row["project_id"] = pid
    row["signed_on"] = "2023-01-01"
    row.update(kw)
    for c in DATE_COLS:
        if isinstance(row.get(c), str):
            row[c] = D(row[c])
    return row


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    if not rows:
        return schema.empty(table)
    full = []
    for r in rows:
        x = {c.name: None for c in schema.TABLES[table]}
        x.update(r)
        for c in schema.TABLES[table]:
            if c.kind == "date" and isinstance(x[c.name], str):
                x[c.name] = D(x[c.name])
        full.append(x)
    return pl.DataFrame(full, schema=schema.polars_schema(table))


def publish(store: Store, month: str, projects: list[dict], approvals=(), operations=(), problems=()):
    store.publish(month, {
        "projects": frame("projects", projects),
        "approvals": frame("approvals", list(approvals)),
        "operations": frame("operations", list(operations)),
        "problems": frame("problems", list(problems)),
    })


@pytest.fixture
def make_store(tmp_path):
    """A function returning an empty Store of a region in a fresh directory."""
    def _make(region: str = "jiangyin", name: str = "store") -> Store:
        st = Store(tmp_path / name)
        st.init(region)
        return st
    return _make


def metrics_for(store: Store):
    from lifecycle.db import Database
    from lifecycle.metrics import Metrics

    return Metrics(Database(store))


@pytest.fixture(autouse=True)
def _no_store_env_leak(monkeypatch):
    if "LIFECYCLE_STORE" in os.environ and not os.environ.get("LIFECYCLE_KEEP_STORE_ENV"):
        monkeypatch.delenv("LIFECYCLE_STORE", raising=False)
