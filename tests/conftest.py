"""Shared fixtures: small deterministic demo stores of both regions, and helpers to build
hand-made stores for metric tests."""
from __future__ import annotations

import os
from pathlib import Path

# pages warm the months before the one shown in a background thread (ui.page.warm_months_before);
# the suite runs pages back to back, so that work would only compete with the next test
os.environ.setdefault("LIFECYCLE_WARM", "0")

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

