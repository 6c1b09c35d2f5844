"""A store chosen with LIFECYCLE_STORE that has nothing published is never filled with demo
data: pages say so, and the data page still works so the first month can be imported."""
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from lifecycle.domain import labels
from lifecycle.store.snapshots import Store

REPO = Path(__file__).resolve().parents[1]


def _run(page: str, root: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("LIFECYCLE_STORE", str(root))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_empty_custom_store_gets_no_demo_data(tmp_path, monkeypatch):
    root = tmp_path / "real_store"
    root.mkdir()
    at = _run("overview", root, monkeypatch)
    assert any("还没有已发布的月度快照" in w.value for w in at.warning)
    assert Store(root).months() == []
    assert not (root / "snapshots").exists()


def test_data_page_on_empty_store_asks_for_region(tmp_path, monkeypatch, app_user):
    app_user.role = "publisher"
    root = tmp_path / "real_store"
    root.mkdir()
    at = _run("data", root, monkeypatch)
    boxes = [s for s in at.selectbox if s.label == labels.UI_TEXT["store_region"]]
    assert boxes and boxes[0].value == "jiangyin"
    boxes[0].set_value("changzhou").run()
    assert not at.exception
    assert Store(root).months() == []
