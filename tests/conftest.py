"""Shared fixtures: small deterministic demo stores of both regions, and helpers to build
hand-made stores for metric tests."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest

from lifecycle.domain import schema
from lifecycle.store.snapshots import Store

REPO = Path(__file__).resolve().parents[1]
DEMO_END = "2026-10"


@pytest.fixture(scope="session")
def demo_stores(tmp_path_factory) -> dict[str, Path]:
    """{'jiangyin': path, 'changzhou': path}: 300 projects × 24 months each, fixed seed/end."""
    from lifecycle import demo

    out = {}
    for region in ("jiangyin", "changzhou"):
        p = tmp_path_factory.mktemp(f"demo_{region}")
        demo.generate(p, region, n_projects=300, months=24, seed=7, end_month=DEMO_END)
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
    from lifecycle.query.db import Database
    from lifecycle.query.metrics import Metrics

    return Metrics(Database(store))


@pytest.fixture(autouse=True)
def _no_store_env_leak(monkeypatch):
    if "LIFECYCLE_STORE" in os.environ and not os.environ.get("LIFECYCLE_KEEP_STORE_ENV"):
        monkeypatch.delenv("LIFECYCLE_STORE", raising=False)


# ---- who the app's pages run as (AppTest) -------------------------------------------------------
TEST_PASSWORD = "test-password-123"


class AppUser:
    """The account AppTest page runs log in as: `role` (None = nobody logged in) and, for a
    township account, `unit`. Set them before `at.run()`; `name` is the account's name."""

    def __init__(self):
        self.role: str | None = "leader"
        self.unit: str | None = None
        self._tokens: dict = {}

    @property
    def name(self) -> str:
        return f"t_{self.role}" + (f"_{self.unit}" if self.unit else "")

    def token(self, root) -> str | None:
        from lifecycle.store import accounts

        if self.role is None:
            return None
        key = (str(root), self.role, self.unit)
        if key not in self._tokens:
            if accounts.get(root, self.name) is None:
                from lifecycle.store.snapshots import Store

                accounts.add(root, self.name, self.role, self.unit, password=TEST_PASSWORD,
                             region_key=Store(root).meta.get("region"))
            self._tokens[key] = accounts.create_session(root, self.name)[0]
        return self._tokens[key]


@pytest.fixture(autouse=True)
def app_user(monkeypatch):
    """AppTest runs the pages in this process: their login reads the session cookie through
    `lifecycle.ui.auth._cookie_token`, which this fixture points at a real session of a test
    account (created in the store the page opens). Nothing in the app itself bypasses the
    login; this only stands in for the browser's cookie."""
    user = AppUser()
    try:
        from lifecycle.ui import auth
    except ImportError:  # pragma: no cover
        yield user
        return
    from lifecycle.domain.config import default_store

    monkeypatch.setattr(auth, "_cookie_token", lambda: user.token(default_store()))
    yield user
