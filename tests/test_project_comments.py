"""A comment recorded at a quarterly review shows in the project file (docs/domain.md §8 view 8/9)."""
import shutil
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from helpers import DEMO_END, metrics_for
from lifecycle.store import comments
from lifecycle.store.snapshots import Store

REPO = Path(__file__).resolve().parents[1]


def test_project_file_shows_comments(demo_stores, tmp_path, monkeypatch):
    root = tmp_path / "store"
    shutil.copytree(demo_stores["jiangyin"], root, symlinks=True)
    pid = metrics_for(Store(root)).project_list(DEMO_END)["project_id"][0]
    comments.add(root, "project", pid, "2026Q3", "王主任", "请加快设备进场，10月底前完成安装调试。",
                 follow_up="待跟进", department="工信局")
    monkeypatch.setenv("LIFECYCLE_STORE", str(root))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "pages" / "project.py"), default_timeout=120)
    at.query_params["pid"] = pid
    at.run()
    assert not at.exception
    assert "点评意见" in [s.value for s in at.subheader]
    shown = at.dataframe[-1].value
    assert "请加快设备进场，10月底前完成安装调试。" in shown.to_string()
    assert "王主任" in shown.to_string()
    st.cache_data.clear()
    st.cache_resource.clear()
