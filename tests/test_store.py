"""Snapshot store: hive layout, atomic publish, re-publication, failures leave data intact."""
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

from helpers import frame, project, publish
from lifecycle.store.snapshots import Store, StoreError

REPO = Path(__file__).resolve().parents[1]


def tree_hash(root: Path) -> dict[str, str]:
    """sha256 of every file reachable under root/snapshots, following the month symlinks."""
    out = {}
    snap = root / "snapshots"
    for month_dir in sorted(snap.glob("month=*")):
        for f in sorted(month_dir.iterdir()):
            out[f"{month_dir.name}/{f.name}"] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def test_layout_and_read_back(make_store):
    st = make_store()
    publish(st, "2025-01", [project("P1")])
    assert st.months() == ["2025-01"]
    for t in ("projects", "approvals", "operations", "problems"):
        assert (st.root / "snapshots" / "month=2025-01" / f"{t}.parquet").exists()
    df = st.read("2025-01", "projects")
    assert df["project_id"].to_list() == ["P1"]
    rec = st.publications()[-1]
    assert rec["month"] == "2025-01" and rec["rows"]["projects"] == 1


def test_republish_replaces_whole_month(make_store):
    st = make_store()
    publish(st, "2025-01", [project("P1"), project("P2")], approvals=[{"project_id": "P1", "step": "环评"}])
    publish(st, "2025-01", [project("P3")])
    assert st.read("2025-01", "projects")["project_id"].to_list() == ["P3"]
    assert st.read("2025-01", "approvals").height == 0
    assert [r["rows"]["projects"] for r in st.publications()] == [2, 1]  # append-only log


def test_failure_before_swap_leaves_old_snapshot_intact(make_store):
    st = make_store()
    publish(st, "2025-01", [project("P1")])
    publish(st, "2025-02", [project("P1"), project("P2")])
    before = tree_hash(st.root)

    def boom():
        raise RuntimeError("disk full")

    tables = {"projects": frame("projects", [project("X")]), "approvals": frame("approvals", []),
              "operations": frame("operations", []), "problems": frame("problems", [])}
    with pytest.raises(RuntimeError):
        st.publish("2025-01", tables, _before_swap=boom)
    assert tree_hash(st.root) == before
    assert st.months() == ["2025-01", "2025-02"]
    assert len(st.publications()) == 2
    # no leftovers of the failed version
    assert not [p for p in (st.root / "snapshots" / ".versions").iterdir() if p.name.startswith(".tmp-")]


def test_failure_while_writing_a_table_leaves_old_snapshot_intact(make_store):
    st = make_store()
    publish(st, "2025-01", [project("P1")])
    before = tree_hash(st.root)
    bad = pl.DataFrame({"project_id": ["X"], "total_investment_wan": ["not a number"]})
    tables = {"projects": bad, "approvals": frame("approvals", []),
              "operations": frame("operations", []), "problems": frame("problems", [])}
    with pytest.raises(Exception):
        st.publish("2025-01", tables)
    assert tree_hash(st.root) == before


def test_missing_table_is_refused(make_store):
    st = make_store()
    with pytest.raises(StoreError, match="缺少"):
        st.publish("2025-01", {"projects": frame("projects", [project("P1")])})
    assert st.months() == []


def test_bad_month_is_refused(make_store):
    st = make_store()
    with pytest.raises(StoreError, match="YYYY-MM"):
        publish(st, "2025-13", [project("P1")])


def test_kill_mid_publish_leaves_old_snapshot_intact(make_store, tmp_path):
    """A separate process re-publishing 2025-01 is SIGKILLed after it wrote the new version and
    before the swap; then another one is killed at a random point while writing. Both times the
    published month is byte-for-byte unchanged and the store still works."""
    st = make_store()
    publish(st, "2025-01", [project("P1"), project("P2")])
    before = tree_hash(st.root)
    script = tmp_path / "slow_publish.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from helpers import frame, project
        from lifecycle.store.snapshots import Store
        st = Store({str(st.root)!r})
        rows = [project(f"N{{i}}") for i in range(20000)]
        tables = {{"projects": frame("projects", rows), "approvals": frame("approvals", []),
                  "operations": frame("operations", []), "problems": frame("problems", [])}}
        print("writing", flush=True)
        st.publish("2025-01", tables, _before_swap=lambda: (print("ready", flush=True), time.sleep(60)))
    """))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    for wait_for in ("ready", "writing"):
        proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
        seen = []
        while True:  # readline returns "" at EOF, i.e. if the child died early
            line = proc.stdout.readline()
            seen.append(line)
            if wait_for in line or not line:
                break
        assert wait_for in seen[-1], f"child did not reach '{wait_for}': {seen}"
        if wait_for == "writing":
            time.sleep(0.3)  # somewhere inside the write
        assert proc.poll() is None, "child must still be running when it is killed"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        assert tree_hash(st.root) == before
        assert Store(st.root).read("2025-01", "projects")["project_id"].to_list() == ["P1", "P2"]
    # the next publication cleans up the leftovers and succeeds
    publish(st, "2025-02", [project("P1")])
    assert st.months() == ["2025-01", "2025-02"]
    assert not [p for p in (st.root / "snapshots" / ".versions").iterdir() if p.name.startswith(".tmp-")]
