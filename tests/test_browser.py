"""Real-browser test: `streamlit run app.py` on the demo data of each region, opened in the
system's headless Chromium through Playwright (never `playwright install`). Every registered
page must finish running with no exception box and no error alert; the dashboard views must
show their Plotly charts and the township map its deck.gl canvas; nothing may be fetched
from outside 127.0.0.1 (the app works with no internet).

Every page needs a login: the tests log in through the form (as a leader; the data page as the
publisher, the audit page as the administrator) with accounts created in the store.

With LIFECYCLE_SCREENSHOT=1 the overview of the Jiangyin demo is saved, 1600×1000, to
docs/screenshot-overview.png (the README shows it).
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import REPO

from lifecycle.ui import PAGES
from lifecycle.ui.page import REGION_TITLES

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"]
PLOTLY_PAGES = {"overview", "funnel", "tiers", "map", "rankings", "risk", "phases", "growth", "annual_evaluation",
                "pipeline"}
MAP_PAGES = {"map"}
SERVER_START_S = 90
PAGE_TIMEOUT_MS = 120_000


def _require_browser():
    if CHROMIUM.exists():
        try:
            import playwright.sync_api  # noqa: F401
            return
        except ImportError as e:
            reason = f"playwright is not installed ({e})"
    else:
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("LIFECYCLE_BROWSER_REQUIRED") == "1":
        pytest.fail(f"browser test required but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, store: Path, log: Path, extra_args: tuple = (), port: int | None = None):
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "LIFECYCLE_STORE": str(store), "PYTHONUNBUFFERED": "1"}
        self._fh = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra_args],
            cwd=REPO, env=env, stdout=self._fh, stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"streamlit did not answer within {SERVER_START_S}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._fh.close()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


LOGIN_PASSWORD = "browser-test-pass-1"
# LIFECYCLE_FULL_BROWSER=1: every page and screen in both regions (by default the second region
# runs the pages whose content or title depends on the region)
FULL = bool(os.environ.get("LIFECYCLE_FULL_BROWSER"))
SECOND_REGION_PAGES = {"overview", "map", "rankings", "pipeline", "verification", "quotas", "data", "phases", "growth",
                       "annual_evaluation"}


def ensure_accounts(root) -> None:
    """One account per role (b_admin, b_publisher, b_leader, b_reviewer) with LOGIN_PASSWORD."""
    from lifecycle.store import accounts

    for role in ("admin", "publisher", "leader", "reviewer"):
        if accounts.get(root, f"b_{role}") is None:
            accounts.add(root, f"b_{role}", role, password=LOGIN_PASSWORD)


def login(page, role: str = "leader") -> None:
    """Fill the login form (用户名, 密码, 登录) as the test account of `role`, if it is shown."""
    if page.get_by_role("button", name="登录", exact=True).count() == 0:
        return
    page.get_by_label("用户名").fill(f"b_{role}")
    page.get_by_label("密码").fill(LOGIN_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    # the page behind the form replaces it: wait for that first (a loaded machine is slow to
    # answer the click), then for its script run to end
    page.get_by_role("button", name="登录", exact=True).wait_for(state="detached", timeout=PAGE_TIMEOUT_MS)
    _wait_finished(page)


def logout(page) -> None:
    page.get_by_role("button", name="退出登录", exact=True).click()
    _wait_finished(page)


@pytest.fixture(scope="module", params=["jiangyin", "changzhou"])
def server(request, demo_stores, tmp_path_factory):
    _require_browser()
    ensure_accounts(demo_stores[request.param])
    srv = Server(demo_stores[request.param], tmp_path_factory.mktemp("streamlit") / "server.log")
    request.addfinalizer(srv.stop)
    srv.wait_ready()
    srv.region = request.param
    return srv


def _wait_finished(page) -> None:
    """Until the app's script run is over (twice, a short while apart: a first run may be
    followed by a rerun, e.g. when a deep link switches to app.py's navigation)."""
    sel = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    page.wait_for_selector(sel, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_timeout(1000)
    page.wait_for_selector(sel, timeout=PAGE_TIMEOUT_MS)


def _open(page, url: str) -> None:
    page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_MS)
    _wait_finished(page)


def test_every_page_renders_without_error(server, browser):
    from lifecycle.ui import PAGE_NEEDS

    role_of = {"data": "publisher", "audit": "admin"}
    pages = [(f, title, url) for f, title, _, url in PAGES if (REPO / f).exists()]
    if server.region != "jiangyin" and not FULL:
        # the second region: the pages whose content or title depends on the region (every page
        # of both regions runs under AppTest in test_slices; 招推服 pages in the test below)
        pages = [p for p in pages if p[2] in SECOND_REGION_PAGES]
    # the leader's pages first, then each restricted page as the role that may open it
    pages.sort(key=lambda p: p[2] in PAGE_NEEDS)
    assert any(url == "overview" for _, _, url in pages)
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    outside: list[str] = []
    ctx.on("request", lambda r: outside.append(r.url)
           if not r.url.startswith((server.url, "data:", "blob:", "about:")) else None)
    page = ctx.new_page()
    problems = []
    role = None
    try:
        for f, title, url in pages:
            want = role_of.get(url, "leader")
            if role is not None and want != role:
                logout(page)
            _open(page, f"{server.url}/{url}")
            login(page, want)
            role = want
            # the sidebar navigation is app.py's (Chinese titles), even on a deep link
            nav = page.locator('[data-testid="stSidebarNav"]')
            title = REGION_TITLES.get(url, {}).get(server.region, title)  # e.g. Changzhou's 辖市区热力
            if not nav.get_by_text(title, exact=True).count():
                problems.append(f"{url}: navigation does not list {title!r}")
            if url in PLOTLY_PAGES:
                page.wait_for_selector(".js-plotly-plot", timeout=PAGE_TIMEOUT_MS)
            if url in MAP_PAGES:
                page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=PAGE_TIMEOUT_MS)
            n_exc = page.locator('[data-testid="stException"]').count()
            n_err = page.locator('[data-testid="stAlertContentError"]').count()
            if n_exc or n_err:
                text = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').first.inner_text()
                problems.append(f"{url}: {n_exc} exception(s), {n_err} error alert(s): {text[:300]}")
            if url in PLOTLY_PAGES and page.locator(".js-plotly-plot").count() == 0:
                problems.append(f"{url}: no Plotly chart rendered")
            if url == "overview" and server.region == "jiangyin" and os.environ.get("LIFECYCLE_SCREENSHOT") == "1":
                page.wait_for_timeout(1500)
                page.screenshot(path=str(REPO / "docs" / "screenshot-overview.png"))
    finally:
        ctx.close()
    assert not problems, "\n".join(problems)
    assert not outside, f"requests outside the app (must work offline): {outside[:5]}"


def test_map_industry_layer(server, browser):
    """The map page's 产业布局 layer (docs/domain.md §16.6) draws its deck.gl map and the unit ×
    chain heatmap, offline, without an error; and 总览 shows the 招商任务序时进度 section."""
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    outside: list[str] = []
    ctx.on("request", lambda r: outside.append(r.url)
           if not r.url.startswith((server.url, "data:", "blob:", "about:")) else None)
    page = ctx.new_page()
    try:
        _open(page, f"{server.url}/map")
        login(page)
        page.locator('[data-testid="stRadio"]').get_by_text("产业布局", exact=True).click()
        _wait_finished(page)
        page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=PAGE_TIMEOUT_MS)
        page.wait_for_selector(".js-plotly-plot", timeout=PAGE_TIMEOUT_MS)
        assert page.get_by_text("× 产业链（在库项目）").count() == 1
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
        _open(page, f"{server.url}/overview")
        assert page.get_by_text("招商任务序时进度", exact=True).count() >= 1
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
    finally:
        ctx.close()
    assert not outside, f"requests outside the app (must work offline): {outside[:5]}"


def test_link_with_filters_opens_same_view(server, browser):
    """A copied link (query string) restores the sidebar filters in a fresh browser session."""
    from lifecycle.domain.reference import region

    reg = region(server.region)
    unit = next(iter(reg.units))
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    try:
        _open(page, f"{server.url}/funnel?unit={unit}&origin=upgrade")
        login(page)
        # the header line names the active filters (rendered by the server from the restored state)
        fresh = page.locator(".lc-fresh").first.inner_text(timeout=PAGE_TIMEOUT_MS)
        assert reg.units[unit].name in fresh and "技改" in fresh, fresh
        assert "unit=" in page.url and "origin=upgrade" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        ctx.close()


def test_clicking_a_chart_bar_lists_its_projects(server, browser, demo_stores):
    """A real click on a bar of the current-stage chart (funnel page) lists the projects
    currently at that stage: as many as the bar counts."""
    from helpers import metrics_for

    from lifecycle.store.snapshots import Store

    m = metrics_for(Store(demo_stores[server.region]))
    dist = m.stage_distribution(m.latest_month())
    counts = dist["count"].to_list()
    idx = counts.index(max(counts))  # the tallest bar (easy to hit)
    n, label = counts[idx], dist["stage_label"][idx]
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    try:
        _open(page, f"{server.url}/funnel")
        login(page)
        page.wait_for_selector('[data-testid="stPlotlyChart"] .trace.bars .point', timeout=PAGE_TIMEOUT_MS)
        _wait_finished(page)
        page.wait_for_timeout(1500)  # let Plotly finish drawing before the click
        shown = page.get_by_text(f"当前处于「{label}」，共", exact=False)
        for _ in range(3):  # a click landing while the chart is redrawn (login's rerun) is lost: click again
            bar = page.locator('[data-testid="stPlotlyChart"]').nth(1).locator(".trace.bars .point").nth(idx)
            box = bar.bounding_box()
            # Plotly's drag layer sits above the bars: click at the bar's position, as a user does
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8)
            try:
                shown.first.wait_for(timeout=20_000)
                break
            except Exception:
                continue
        _wait_finished(page)
        assert page.get_by_text(f"当前处于「{label}」，共 {n:,} 个", exact=False).count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        ctx.close()


def test_ztf_pages_render_with_charts_and_department_sheets(server, browser):
    """分段推进 (issue 12) on both regions: charts drawn, no error, one department sheet per
    configured phase, and on Changzhou's 总览 the two yearly targets."""
    from lifecycle.domain.config import load_config

    phases = load_config(server.region)["phases"]
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    try:
        # (every page, these included, is opened by test_every_page_renders_without_error)
        for url in ("phases",):
            _open(page, f"{server.url}/{url}")
            login(page)  # the first page asks; the session cookie carries the rest
            page.wait_for_selector(".js-plotly-plot", timeout=PAGE_TIMEOUT_MS)
            assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0, url
            if url == "phases":
                for p in phases:
                    assert page.get_by_text(f"导出{p['dept']}清单（{p['name']}）").count() == 1, p
        _open(page, f"{server.url}/overview")
        page.wait_for_selector(".js-plotly-plot", timeout=PAGE_TIMEOUT_MS)
        has_targets = page.get_by_text("拿地即开工（年度目标30个）").count() > 0
        assert has_targets == (server.region == "changzhou")
    finally:
        ctx.close()


def test_verification_page_and_verified_only_toggle(server, browser):
    """节点核实 (issue 19, docs/domain.md §17) on both regions: the page renders its counts and
    the 超期未核实 list without error (as the publisher, with the form); 总览 with ?verified=1
    shows the verified-only caption and keeps the toggle in the URL."""
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, f"{server.url}/verification")
        login(page, "publisher")
        page.get_by_text("各节点核实情况").first.wait_for(timeout=PAGE_TIMEOUT_MS)
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
        assert page.get_by_text("超期未核实").count() >= 1
        assert page.get_by_role("button", name="保存核实结果").count() == 1
        _open(page, f"{server.url}/overview?verified=1")
        page.get_by_text("仅计已核实节点口径").first.wait_for(timeout=PAGE_TIMEOUT_MS)
        assert "verified=1" in page.url
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
    finally:
        ctx.close()


# ---- hardening (issue 17) ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def copy_server(demo_stores, tmp_path_factory):
    """A server on a copy of the Jiangyin demo store (tests here may change the store)."""
    import shutil

    _require_browser()
    store = tmp_path_factory.mktemp("hardening") / "store"
    shutil.copytree(demo_stores["jiangyin"], store, symlinks=True)
    ensure_accounts(store)
    srv = Server(store, tmp_path_factory.mktemp("streamlit") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


def _health(srv: Server) -> bool:
    with urllib.request.urlopen(f"{srv.url}/_stcore/health", timeout=10) as r:
        return r.status == 200


def test_far_cell_upload_does_not_kill_the_server(copy_server, browser, tmp_path):
    """A valid ledger with one stray value in XFD1048576, uploaded on 数据管理: the page says why
    it is refused (one Chinese line naming the cell) and the server keeps answering."""
    import openpyxl

    from lifecycle.domain import labels

    sys.path.insert(0, str(Path(__file__).parent))
    from test_import_support import build_workbook, xlsx_bytes

    wb = build_workbook()
    wb["项目台账"]["XFD1048576"] = "x"
    f = tmp_path / "远端单元格.xlsx"
    f.write_bytes(xlsx_bytes(wb))
    assert isinstance(openpyxl.load_workbook(f, read_only=True), openpyxl.Workbook)
    U = labels.IMPORT_UI
    ctx = browser.new_context(viewport={"width": 1600, "height": 1200})
    page = ctx.new_page()
    try:
        _open(page, f"{copy_server.url}/data")
        login(page, "publisher")
        page.get_by_role("textbox", name=U["month"], exact=True).fill("2026-11")
        page.get_by_role("textbox", name=U["month"], exact=True).press("Enter")
        _wait_finished(page)
        page.locator("input[type=file]").set_input_files(str(f))
        page.get_by_text("XFD1048576", exact=False).first.wait_for(timeout=PAGE_TIMEOUT_MS)
        _wait_finished(page)
        text = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
        assert "远端单元格.xlsx" in text and "XFD1048576" in text
        assert page.locator('[data-testid="stException"]').count() == 0
        assert copy_server.proc.poll() is None and _health(copy_server)
        # and it still serves pages
        _open(page, f"{copy_server.url}/overview")
        page.wait_for_selector(".js-plotly-plot", timeout=PAGE_TIMEOUT_MS)
        assert copy_server.proc.poll() is None and _health(copy_server)
    finally:
        ctx.close()


def test_overview_deep_link_opens_the_overview(copy_server, browser):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    try:
        _open(page, f"{copy_server.url}/overview")
        login(page)
        page.wait_for_selector(".js-plotly-plot", timeout=PAGE_TIMEOUT_MS)
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator("h1").first.inner_text().strip().startswith("总览")
    finally:
        ctx.close()


SCREENS = {"big_screen": (1920, 1080), "laptop": (1366, 768), "phone": (390, 844)}
# JS: every text box of a card whose content is cut (wider than its box, or past its card's edge)
_CUT_JS = """sel => Array.from(document.querySelectorAll(sel)).flatMap(card => {
  const r = card.getBoundingClientRect();
  return Array.from(card.querySelectorAll('span, b, i')).filter(el =>
      el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > r.right + 1
      || el.getBoundingClientRect().left < r.left - 1).map(el => el.textContent);
})"""


@pytest.mark.parametrize("screen", list(SCREENS))
def test_overview_and_alerts_fit_the_screen(server, browser, screen, tmp_path):
    if server.region != "jiangyin" and screen != "big_screen" and not FULL:
        pytest.skip("the second region at the big screen only (LIFECYCLE_FULL_BROWSER=1: every screen)")
    """总览 at 1920×1080, 1366×768 and 390×844: no sideways scrolling (document width ≤ viewport),
    every tier and flag card shows its full text; the alert cards of 预警督办 too. Screenshots
    are kept in the test's tmp dir (and in docs/ with LIFECYCLE_SCREENSHOT=1)."""
    w, h = SCREENS[screen]
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, f"{server.url}/overview")
        login(page)
        page.wait_for_selector(".lc-tier", timeout=PAGE_TIMEOUT_MS)
        page.wait_for_selector(".js-plotly-plot", timeout=PAGE_TIMEOUT_MS)
        page.wait_for_timeout(1500)
        shot = tmp_path / f"overview_{server.region}_{screen}.png"
        page.screenshot(path=str(shot), full_page=True)
        if os.environ.get("LIFECYCLE_SCREENSHOT") == "1":
            page.screenshot(path=str(REPO / "docs" / f"screenshot-overview-{screen}.png"))
        assert shot.stat().st_size > 10_000
        doc_w = page.evaluate("document.documentElement.scrollWidth")
        assert doc_w <= w, f"{screen}: the overview is {doc_w}px wide in a {w}px viewport"
        assert page.locator(".lc-tier").count() == 5
        cut = page.evaluate(_CUT_JS, ".lc-tier, .lc-flag")
        assert not cut, f"{screen}: cut card text {cut}"
        _open(page, f"{server.url}/alerts")
        page.wait_for_selector(".lc-flag", timeout=PAGE_TIMEOUT_MS)
        cut = page.evaluate(_CUT_JS, ".lc-flag")
        assert not cut, f"{screen}: cut alert card text {cut}"
        assert page.evaluate("document.documentElement.scrollWidth") <= w
    finally:
        ctx.close()


def test_unknown_page_and_uploader_speak_chinese(server, browser):
    """A bad path opens the overview (after the login) and Streamlit's not-found dialog speaks
    Chinese; the uploader's visible text is Chinese."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, f"{server.url}/no-such-page")
        page.get_by_role("dialog").get_by_text("您访问的页面不存在", exact=False).wait_for(timeout=PAGE_TIMEOUT_MS)
        body = page.locator("body").inner_text()
        assert "Page not found" not in body and "页面不存在" in body
        page.get_by_role("dialog").get_by_role("button").first.click()  # closed as a user does
        login(page)
        from playwright.sync_api import expect

        expect(page.locator("h1").first).to_have_text(re.compile(r"^\s*总览"), timeout=PAGE_TIMEOUT_MS)
        logout(page)
        _open(page, f"{server.url}/data")
        login(page, "publisher")
        page.wait_for_selector('[data-testid="stFileUploaderDropzone"]', timeout=PAGE_TIMEOUT_MS)
        zone = page.locator('[data-testid="stFileUploaderDropzone"]')
        shown = zone.evaluate("""z => Array.from(z.querySelectorAll('*')).filter(e => {
            const s = getComputedStyle(e); return s.display !== 'none' && parseFloat(s.fontSize) > 0
                && e.childNodes.length && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
        }).map(e => e.textContent.trim())""")
        assert not [t for t in shown if "Upload" in t or "per file" in t], shown
        after = zone.evaluate("z => getComputedStyle(z.querySelector('button'), '::after').content")
        assert "选择文件" in after, after
        from lifecycle.domain import labels

        assert page.get_by_text(labels.SCREEN_TEXT["upload_hint"]).count() >= 1
    finally:
        ctx.close()
