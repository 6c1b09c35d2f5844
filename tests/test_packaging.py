"""The package installs anywhere: a wheel built from the repository holds the SQL, the config,
the reference data and the dashboard's entry point, and a non-editable install into a fresh
virtual environment, run outside the checkout, generates demo data and serves the pages."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # built from a copy of the tracked sources: setuptools' build/ folder is then private to this
    # build (parallel test workers may each build a wheel) and nothing untracked slips in
    src = tmp_path_factory.mktemp("src") / "repo"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        p = REPO / rel
        if p.is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, src / rel)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--quiet",
                    "--disable-pip-version-check", "-w", str(out)], check=True, cwd=out, timeout=600)
    (whl,) = out.glob("lifecycle_dashboard-*.whl")
    return whl


def _repo_files(sub: str, pattern: str) -> set[str]:
    base = REPO / "lifecycle"
    return {str(p.relative_to(REPO)) for p in (base / sub).glob(pattern) if p.is_file()}


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = (_repo_files("query/sql", "**/*.sql") | _repo_files("domain/refdata", "*")
              | {"lifecycle/domain/config.toml", "lifecycle/webapp/app.py",
                 "lifecycle/webapp/.streamlit/config.toml"}
              | {f"lifecycle/webapp/pages/{p.name}" for p in (REPO / "pages").glob("*.py")})
    assert any(n.startswith("lifecycle/query/sql/queries/flags/") for n in needed)
    assert len([n for n in needed if n.startswith("lifecycle/domain/refdata/")]) >= 7
    missing = sorted(needed - names)
    assert not missing, missing
    assert not [n for n in names if n.startswith(("tests/", "data/"))]


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    # dependencies come from this interpreter's site-packages; the package itself from the wheel
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(env_dir)], check=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--ignore-installed", "--quiet",
                    "--disable-pip-version-check",
                    str(wheel)], check=True, timeout=300)
    return env_dir


def _run(py: Path, *args, cwd: Path, env: dict | None = None, timeout=300):
    e = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LIFECYCLE_STORE")}
    e.update(env or {})
    return subprocess.run([str(py), *args], cwd=cwd, env=e, capture_output=True, text=True, timeout=timeout)


def test_installed_package_runs_outside_the_checkout(venv, tmp_path):
    py = venv / "bin" / "python"
    r = _run(py, "-c", "import lifecycle, sys; print(lifecycle.__file__)", cwd=tmp_path)
    assert r.returncode == 0 and str(venv) in r.stdout, r.stdout + r.stderr
    store = tmp_path / "store"
    r = _run(py, "-m", "lifecycle", "demo", "--region", "changzhou", "--projects", "60", "--months", "3",
             "--end-month", "2026-10", "--store", str(store), "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = _run(py, "-m", "lifecycle", "kpi", "--store", str(store), "--json", cwd=tmp_path)
    assert r.returncode == 0 and '"month": "2026-10"' in r.stdout, r.stderr
    r = _run(py, "-m", "lifecycle", "app-path", cwd=tmp_path)
    app = Path(r.stdout.strip())
    assert r.returncode == 0 and app.name == "app.py" and str(venv) in str(app), r.stdout + r.stderr
    # every installed page runs under Streamlit's AppTest on that store without an exception
    script = (
        "import sys; from pathlib import Path; from streamlit.testing.v1 import AppTest\n"
        "app = Path(sys.argv[1]); bad = []\n"
        "for page in sorted((app.parent / 'pages').glob('*.py')):\n"
        "    at = AppTest.from_file(str(page), default_timeout=120).run()\n"
        "    if at.exception: bad.append((page.name, [e.message for e in at.exception]))\n"
        "print('BAD', bad) if bad else print('OK')\n")
    r = _run(py, "-c", script, str(app), cwd=tmp_path, env={"LIFECYCLE_STORE": str(store)}, timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("OK"), r.stdout[-2000:] + r.stderr[-2000:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_installed_app_serves(venv, tmp_path):
    py = venv / "bin" / "python"
    store = tmp_path / "store"
    assert _run(py, "-m", "lifecycle", "demo", "--region", "jiangyin", "--projects", "40", "--months", "2",
                "--end-month", "2026-10", "--store", str(store), "--quiet", cwd=tmp_path).returncode == 0
    port = _free_port()
    e = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    e["LIFECYCLE_STORE"] = str(store)
    proc = subprocess.Popen([str(py), "-m", "lifecycle", "serve", "--", "--server.port", str(port),
                             "--server.address", "127.0.0.1"], cwd=tmp_path, env=e,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the installed app did not answer on /_stcore/health")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
