"""CLI: listing months and clear one-line errors for user mistakes."""
import json
import subprocess
import sys

import pytest

from helpers import DEMO_END


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "lifecycle", *args], capture_output=True, text=True, env=env)


def test_months(demo_stores):
    r = run("months", "--store", str(demo_stores["jiangyin"]), "--json")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert data["region"] == "jiangyin" and len(data["months"]) == 24
    assert data["months"][-1]["month"] == DEMO_END


@pytest.mark.parametrize("args,needle", [
    (["kpi", "--store", "/nonexistent/store"], "数据目录不存在"),
    (["kpi", "--month", "1999-01"], "没有 1999-01 月"),
    (["kpi", "--township", "999999999"], "未知的镇街"),
    (["kpi", "--month", "2025-13"], "没有 2025-13 月"),
    (["kpi", "--bogus"], "参数错误"),
])
def test_errors_are_one_line(demo_stores, args, needle):
    if "--store" not in args:
        args = [*args, "--store", str(demo_stores["jiangyin"])]
    r = run(*args)
    assert r.returncode != 0
    assert needle in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_empty_store_dir(tmp_path):
    r = run("kpi", "--store", str(tmp_path))
    assert r.returncode == 2 and "没有已发布的快照" in r.stderr


def test_store_from_environment(demo_stores):
    import os
    env = dict(os.environ, LIFECYCLE_STORE=str(demo_stores["changzhou"]))
    r = run("kpi", "--json", env=env)
    assert r.returncode == 0
    assert json.loads(r.stdout)["month"] == DEMO_END


def test_kpi_by_changzhou_unit(demo_stores):
    r = run("kpi", "--store", str(demo_stores["changzhou"]), "--township", "常州经开区", "--json")
    assert r.returncode == 0
    assert json.loads(r.stdout)["township"] == "CZJKQ"
