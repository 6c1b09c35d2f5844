"""Issue 17, the store side: checksums verified when a version is opened, a damaged or missing
file takes only its month out of service with a Chinese message (6); queries resolve each month
once per refresh, so a page never mixes two publications (6); a kill between the switch and the
log write is recovered, versions never switched in are cleaned (10)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import DEMO_END, REPO, metrics_for, project, publish
from lifecycle.domain import schema
from lifecycle.store.snapshots import Store, StoreError


@pytest.fixture
def demo_copy(demo_stores, tmp_path):
    st = Store(tmp_path / "copy")
    shutil.copytree(demo_stores["jiangyin"], st.root, symlinks=True)
    return st


def _rates(st: Store, month: str) -> dict:
    m = metrics_for(st)
    return {k: (v["numerator"], v["denominator"]) for k, v in m.rates(month).items()}


def test_manifest_has_a_checksum_per_file(make_store):
    st = make_store()
    publish(st, "2025-01", [project("P1")])
    man = json.loads((st.version_dir("2025-01") / "manifest.json").read_text(encoding="utf-8"))
    assert set(man["files"]) == {f"{t}.parquet" for t in schema.TABLE_NAMES}
    assert all(len(f["sha256"]) == 64 for f in man["files"].values())
    assert man["record"] == st.publications()[-1]


def test_flipped_byte_in_an_old_month_is_named_and_other_months_keep_working(demo_copy):
    st = demo_copy
    months = st.months()
    old = months[3]
    before_latest = _rates(st, DEMO_END)
    p = st.version_dir(old) / "projects.parquet"
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit in the middle of the data pages
    os.chmod(p, 0o644)
    p.write_bytes(bytes(data))
    m = metrics_for(Store(st.root))
    assert old not in m.months and DEMO_END in m.months
    (prob,) = m.db.problems
    assert prob["month"] == old and prob["table"] == "projects"
    assert old in prob["message"] and "项目表" in prob["message"] and "损坏" in prob["message"]
    assert _rates(st, DEMO_END) == before_latest  # the other months are untouched
    with pytest.raises(StoreError, match="项目表的文件已损坏"):
        st.read(old, "projects")


def test_deleted_file_in_an_old_month_breaks_only_that_month(demo_copy):
    st = demo_copy
    old = st.months()[2]
    before_latest = _rates(st, DEMO_END)
    (st.version_dir(old) / "problems.parquet").unlink()
    m = metrics_for(Store(st.root))
    assert old not in m.months and DEMO_END in m.months
    assert [(p["month"], p["table"]) for p in m.db.problems] == [(old, "problems")]
    assert "问题表的文件缺失" in m.db.problems[0]["message"]
    assert _rates(st, DEMO_END) == before_latest
    # every page query of another month still answers
    assert m.flag_counts(DEMO_END) and m.changes(DEMO_END).height > 0


def test_a_page_never_mixes_two_publications(make_store):
    """A reader pins its refresh (as every page does at setup); a publication of the same month
    between two of its queries is not seen until the next pin."""
    st = make_store()
    publish(st, "2025-01", [project("P1")], approvals=[{"project_id": "P1", "step": "环评"}])
    m = metrics_for(st)
    db = m.db
    db.pin()
    n_proj = db.scalar("SELECT count(*) FROM stg_projects WHERE snapshot_month = '2025-01'")
    publish(st, "2025-01", [project("P1"), project("P2")],
            approvals=[{"project_id": "P1", "step": "环评"}, {"project_id": "P2", "step": "环评"}])
    n_appr = db.scalar("SELECT count(*) FROM stg_approvals WHERE snapshot_month = '2025-01'")
    assert (n_proj, n_appr) == (1, 1)
    db.pin()  # the next page run sees the new publication, whole
    assert db.scalar("SELECT count(*) FROM stg_projects WHERE snapshot_month = '2025-01'") == 2
    assert db.scalar("SELECT count(*) FROM stg_approvals WHERE snapshot_month = '2025-01'") == 2


def _publisher(tmp_path: Path, root: Path, hook: str) -> Path:
    script = tmp_path / "pub.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from conftest import frame, project
        from lifecycle.store import snapshots
        st = snapshots.Store({str(root)!r})
        tables = {{"projects": frame("projects", [project("N1"), project("N2"), project("N3")]),
                  "approvals": frame("approvals", []), "operations": frame("operations", []),
                  "problems": frame("problems", [])}}
        if {hook!r} == "after_switch":
            orig = st._append_log
            def stop(rec):
                print("switched", flush=True)
                time.sleep(60)
            st._append_log = stop
            st.publish("2025-01", tables, user="乙")
        else:
            st.publish("2025-01", tables, user="乙", _before_swap=lambda: (print("switched", flush=True), time.sleep(60)))
    """))
    return script


def _run_until_killed(script: Path) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    assert "switched" in line, line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_kill_between_switch_and_log_is_recovered(make_store, tmp_path):
    st = make_store()
    publish(st, "2025-01", [project("P1")])
    _run_until_killed(_publisher(tmp_path, st.root, "after_switch"))
    # the new version is in force; its log entry was never written ...
    assert st.read("2025-01", "projects").height == 3
    assert len(st._logged()) == 1
    # ... but the publication shows it (from the version's manifest) and the next start of a
    # publication writes it to the log
    recs = st.publications()
    assert len(recs) == 2 and recs[-1]["user"] == "乙" and recs[-1]["recovered"] is True
    assert recs[-1]["version"] == st.version_dir("2025-01").name
    done = st.recover()
    assert done["logged"] == [recs[-1]["version"]]
    assert [r["user"] for r in st._logged()][-1] == "乙"
    assert st.recover()["logged"] == []  # once


def test_orphan_versions_are_cleaned(make_store, tmp_path):
    st = make_store()
    publish(st, "2025-01", [project("P1")])
    link = os.readlink(st.month_dir("2025-01"))
    _run_until_killed(_publisher(tmp_path, st.root, "before_switch"))
    assert os.readlink(st.month_dir("2025-01")) == link  # killed before the switch
    orphans = [p.name for p in st.versions.iterdir() if not p.name.startswith(".") and p.name != Path(link).name]
    assert len(orphans) == 1
    publish(st, "2025-02", [project("P1")])  # any next publication recovers first
    left = sorted(p.name for p in st.versions.iterdir() if not p.name.startswith("."))
    assert orphans[0] not in left and len(left) == 2
    assert not (st.versions / ".hive" / orphans[0]).exists()
    assert st.months() == ["2025-01", "2025-02"]


def test_failed_log_write_does_not_undo_a_publication(make_store, monkeypatch):
    """Disk full right after the switch: the month is published; its record is recovered."""
    st = make_store()
    publish(st, "2025-01", [project("P1")])

    def full(rec):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(st, "_append_log", full)
    publish(st, "2025-01", [project("P1"), project("P2")])
    monkeypatch.undo()
    assert st.read("2025-01", "projects").height == 2
    assert st.publications()[-1].get("recovered") is True
