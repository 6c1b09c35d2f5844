"""Round trip (demo month -> template-format Excel -> import into a fresh store -> same four
tables), kill -9 during publish (old snapshot byte-for-byte intact), and the speed figure."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from helpers import DEMO_END, REPO
from lifecycle import cli
from lifecycle.domain import schema
from lifecycle.ingest.importer import PAUSE_ENV, Source, export_month, import_ledgers
from lifecycle.store.snapshots import Store
from test_import_support import tree_hash


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_round_trip_demo_month(demo_stores, make_store, tmp_path, region):
    src = Store(demo_stores[region])
    out = tmp_path / "export.xlsx"
    assert cli.main(["export", "--store", str(src.root), "--month", DEMO_END, "--out", str(out)]) == 0
    fresh = tmp_path / "fresh"
    assert cli.main(["import", str(out), "--month", DEMO_END, "--store", str(fresh), "--region", region]) == 0
    dst = Store(fresh)
    assert dst.region == region and dst.months() == [DEMO_END]
    for t in schema.TABLE_NAMES:
        a = schema.conform(t, src.read(DEMO_END, t))
        b = dst.read(DEMO_END, t)
        assert a.height > 0
        assert_frame_equal(a, b)
    rec = dst.publications()[-1]
    assert rec["source"] == ["export.xlsx"] and rec["rows"]["projects"] == src.read(DEMO_END, "projects").height
    # the 招商线索 / 审查 sheets: the same pipeline content (docs/domain.md §16.5; lead versions restart)
    from lifecycle.store import pipeline

    (la, ra), (lb, rb) = pipeline.ledger_frames(src.root), pipeline.ledger_frames(dst.root)
    assert_frame_equal(la.drop("version"), lb.drop("version"))
    assert_frame_equal(ra, rb)


def test_round_trip_into_a_store_with_history_warns_nothing_spurious(demo_stores, tmp_path):
    """Re-importing an exported month into a copy of its own store: no error, and no re-plan or
    vanished-project warning that the data does not contain."""
    st = Store(tmp_path / "copy")
    shutil.copytree(demo_stores["jiangyin"], st.root, symlinks=True)
    xlsx = tmp_path / "m.xlsx"
    export_month(st, DEMO_END, str(xlsx))
    res = import_ledgers([Source.from_path(xlsx)], DEMO_END, st, dry_run=True)
    assert res.ok, res.report.text(limit=5)
    prev = st.months()[-2]
    p0, p1 = st.read(prev, "projects"), st.read(DEMO_END, "projects")
    # expected re-plans: planned-date cells that differ between the two snapshots, counted here directly
    j = p1.join(p0, on="project_id", suffix="_prev")
    expected = sum(j.filter(pl.col(f"{c}_prev").is_not_null() & (pl.col(c) != pl.col(f"{c}_prev")).fill_null(True)).height
                   for c in schema.PLANNED)
    assert res.report.summary["replans"] == expected
    vanished = p0.join(p1, on="project_id", how="anti").height
    assert len([w for w in res.report.warnings if "项目消失" in w.message]) == vanished == 0


def _spawn_import(xlsx: Path, store: Path, month: str, pause: float | None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop(PAUSE_ENV, None)
    if pause:
        env[PAUSE_ENV] = str(pause)
    return subprocess.Popen([sys.executable, "-m", "lifecycle", "import", str(xlsx), "--month", month,
                             "--store", str(store)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _link(store: Store, month: str) -> str:
    return os.readlink(store.month_dir(month))


@pytest.fixture
def store_copy(demo_stores, tmp_path):
    st = Store(tmp_path / "copy")
    shutil.copytree(demo_stores["jiangyin"], st.root, symlinks=True)
    xlsx = tmp_path / "ledger.xlsx"
    export_month(st, DEMO_END, str(xlsx))
    return st, xlsx


def test_kill_during_publish_leaves_old_snapshot_intact(store_copy):
    st, xlsx = store_copy
    before, link_before, pubs_before = tree_hash(st.root), _link(st, DEMO_END), len(st.publications())
    proc = _spawn_import(xlsx, st.root, DEMO_END, pause=60)
    try:
        deadline = time.time() + 120
        new_version = None
        while time.time() < deadline and new_version is None:
            # the new version directory is complete (renamed from .tmp-) and the process sleeps before the swap
            cands = [p for p in st.versions.iterdir()
                     if p.name.startswith(DEMO_END + ".") and p.name != Path(link_before).name]
            new_version = cands[0] if cands else None
            time.sleep(0.05)
        assert new_version is not None, "publish never reached the swap"
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _link(st, DEMO_END) == link_before
    assert tree_hash(st.root) == before  # every published file and the log, byte for byte
    assert len(st.publications()) == pubs_before
    # the store still works: the next import publishes normally
    res = import_ledgers([Source.from_path(xlsx)], DEMO_END, st)
    assert res.ok and _link(st, DEMO_END) != link_before
    assert not any(p.name.startswith(".tmp-") for p in st.versions.iterdir())


@pytest.mark.parametrize("delay", [0.3, 1.0, 1.8, 2.6])
def test_kill_at_any_moment_leaves_old_or_new_never_a_mix(store_copy, delay):
    st, xlsx = store_copy
    other = [m for m in st.months() if m != DEMO_END]
    others_before = {k: v for k, v in tree_hash(st.root).items() if not k.startswith(f"month={DEMO_END}/")
                     and k != "publications.jsonl"}
    month_before = {k: v for k, v in tree_hash(st.root).items() if k.startswith(f"month={DEMO_END}/")}
    link_before = _link(st, DEMO_END)
    proc = _spawn_import(xlsx, st.root, DEMO_END, pause=None)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = tree_hash(st.root)
    assert {k: v for k, v in after.items() if not k.startswith(f"month={DEMO_END}/")
            and k != "publications.jsonl"} == others_before
    assert st.months() == sorted(other + [DEMO_END])
    if _link(st, DEMO_END) == link_before:
        assert {k: v for k, v in after.items() if k.startswith(f"month={DEMO_END}/")} == month_before
    else:  # the swap happened: the new version is complete and equal in content
        for t in schema.TABLE_NAMES:
            assert_frame_equal(st.read(DEMO_END, t), pl.read_parquet(
                st.versions / Path(link_before).name / f"{t}.parquet"))


@pytest.mark.slow
def test_speed_of_a_5000_project_ledger(tmp_path, capsys):
    from lifecycle.cli.ingest import bench

    r = bench(5000, workdir=tmp_path)
    with capsys.disabled():
        print(f"\n[bench-import] 5000 projects: projects sheet {r['projects_sheet']['seconds']} s, "
              f"all four sheets ({sum(r['rows'].values())} rows) {r['all_sheets']['seconds']} s; {r}")
    assert r["projects_sheet"]["errors"] == 0 and r["all_sheets"]["errors"] == 0
    # timings are reported (python -m lifecycle bench-import), not asserted: a loaded machine is not a slow product
    assert r["projects_sheet"]["seconds"] > 0 and r["all_sheets"]["seconds"] > 0
