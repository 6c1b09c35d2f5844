"""Demo generator: deterministic, believable, both regions."""
import hashlib
import subprocess
import sys

import polars as pl

from helpers import DEMO_END, metrics_for
from lifecycle import demo
from lifecycle.store.snapshots import Store


def _hashes(root):
    st = Store(root)
    return {(m, t): hashlib.sha256(st.table_path(m, t).read_bytes()).hexdigest()
            for m in st.months() for t in ("projects", "approvals", "operations", "problems")}


def test_same_seed_same_bytes(tmp_path):
    a = demo.generate(tmp_path / "a", "changzhou", 120, 6, seed=3, end_month="2025-06")
    b = demo.generate(tmp_path / "b", "changzhou", 120, 6, seed=3, end_month="2025-06")
    c = demo.generate(tmp_path / "c", "changzhou", 120, 6, seed=4, end_month="2025-06")
    assert _hashes(a.root) == _hashes(b.root)
    assert _hashes(a.root) != _hashes(c.root)


def test_demo_is_believable(demo_stores):
    for region, root in demo_stores.items():
        st = Store(root)
        assert st.region == region
        assert len(st.months()) == 24 and st.months()[-1] == DEMO_END
        m = metrics_for(st)
        p = st.read(DEMO_END, "projects")
        assert p.height == demo.default_projects(region, 24)
        # every tier populated, including a few >= 100亿; Changzhou's is a 亿元 library (no < 1亿)
        bands = set(m.project_list(DEMO_END)["tier_band"].to_list())
        assert {"1to10", "10to30", "30to50", "50to100", "ge100"} <= bands
        assert ("lt1" in bands) == (region == "jiangyin")
        # intent signings kept after turning formal, and 省/市重大 projects
        assert p.filter((pl.col("signing_type") == "formal") & pl.col("intent_signed_on").is_not_null()).height > 0
        assert set(p["major_level"].drop_nulls().unique()) == {"provincial", "municipal"}
        # exits, intent-only signings, re-plans, campaigns, operations, problems
        assert p["exit_reason"].drop_nulls().n_unique() >= 3
        assert (p["signing_type"] == "intent").sum() > 0
        assert m.replans(DEMO_END).height > 0
        assert p["campaign"].drop_nulls().len() > 0
        assert st.read(DEMO_END, "operations").height > 0
        assert st.read(DEMO_END, "problems").height > 0
        # approvals show all three lights
        lights = set(m.approval_lights(DEMO_END)["light"].to_list())
        assert {"green", "yellow", "red"} <= lights
        # every rate has a non-empty cohort and a rate in (0, 1]
        for k, v in m.rates(DEMO_END).items():
            assert v["denominator"] > 0, k
            assert 0 < v["rate"] <= 1, k
        # stalled / overdue projects exist
        assert m.flag("completion_interview", DEMO_END).height + m.flag("completion_reminder", DEMO_END).height > 0
        assert m.flag("approval_over_12m", DEMO_END).height > 0


def test_milestones_in_order(demo_stores):
    for root in demo_stores.values():
        p = Store(root).read(DEMO_END, "projects")
        cols = ["signed_on", "filed_on", "started_on", "completed_on", "production_on", "capacity_on"]
        for a, b in zip(cols, cols[1:]):
            bad = p.filter(pl.col(a).is_not_null() & pl.col(b).is_not_null() & (pl.col(b) < pl.col(a)))
            assert bad.height == 0, (a, b)
            # a missing date only if all later ones are missing too
            gap = p.filter(pl.col(a).is_null() & pl.col(b).is_not_null())
            assert gap.height == 0, (a, b)


def test_demo_cli_refuses_unknown_region(tmp_path):
    r = subprocess.run([sys.executable, "-m", "lifecycle", "demo", "--region", "nanjing", "--store",
                        str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and "未知地区" in r.stderr and "Traceback" not in r.stderr
