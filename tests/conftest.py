"""Shared fixtures: small deterministic demo stores of both regions, and helpers to build
hand-made stores for metric tests."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import DEMO_END, REPO, D, frame, metrics_for, project, publish  # noqa: F401  (fixtures below; tests import from helpers)
from lifecycle.store.snapshots import Store



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


@pytest.fixture
def make_store(tmp_path):
    """A function returning an empty Store of a region in a fresh directory."""
    def _make(region: str = "jiangyin", name: str = "store") -> Store:
        st = Store(tmp_path / name)
        st.init(region)
        return st
    return _make


@pytest.fixture(autouse=True)
def _no_store_env_leak(monkeypatch):
    if "LIFECYCLE_STORE" in os.environ and not os.environ.get("LIFECYCLE_KEEP_STORE_ENV"):
        monkeypatch.delenv("LIFECYCLE_STORE", raising=False)
