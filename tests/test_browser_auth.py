"""Real-browser tests of the login (headless Debian Chromium via Playwright, as test_browser.py):
a township account and a leader log in through the form, try tampered URLs, reload the page
(still logged in: the session cookie), log out (then nothing is shown, even after a reload), and
five wrong passwords lock an account."""
from __future__ import annotations

import pytest
from conftest import REPO  # noqa: F401  (the repo root on sys.path for test_browser)
from test_browser import PAGE_TIMEOUT_MS, Server, _open, _require_browser, _wait_finished

from lifecycle.domain import labels
from lifecycle.domain.reference import region
from lifecycle.store import accounts, audit

pytestmark = pytest.mark.browser
AT = labels.AUTH_TEXT
PW = "browser-pass-12345"


@pytest.fixture(scope="module")
def auth_server(demo_stores, tmp_path_factory):
    import shutil

    _require_browser()
    root = tmp_path_factory.mktemp("auth") / "store"
    shutil.copytree(demo_stores["jiangyin"], root, symlinks=True)
    units = list(region("jiangyin").units)
    accounts.add(root, "zhen1", "township", units[0], password=PW, region_key="jiangyin")
    accounts.add(root, "lingdao", "leader", password=PW)
    accounts.add(root, "victim", "leader", password=PW)
    srv = Server(root, tmp_path_factory.mktemp("streamlit_auth") / "server.log")
    srv.root = root
    srv.units = units
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def login(page, name: str, password: str) -> None:
    page.get_by_label(AT["username"]).fill(name)
    page.get_by_label(AT["password"]).fill(password)
    page.get_by_role("button", name=AT["login"], exact=True).click()
    _wait_finished(page)


def _login_form_shown(page) -> bool:
    return page.get_by_role("button", name=AT["login"], exact=True).count() == 1


def _errors(page) -> list[str]:
    return page.locator('[data-testid="stAlertContentError"]').all_inner_texts()


def _project_of(root, unit: str) -> str:
    from lifecycle.query.db import Database
    from lifecycle.store.snapshots import Store

    db = Database(Store(root))
    df = db.run("project_units", {"month": db.months[-1], "project_id": None})
    db.close()
    return sorted(df.filter(df["unit_code"] == unit)["project_id"].to_list())[0]


def test_township_login_tamper_reload_logout(auth_server, browser):
    srv = auth_server
    reg = region("jiangyin")
    own, other = srv.units[0], srv.units[1]
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, f"{srv.url}/overview")
        assert _login_form_shown(page)
        assert page.locator('[data-testid="stMetric"]').count() == 0
        login(page, "zhen1", PW)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=PAGE_TIMEOUT_MS)
        assert "zhen1" in page.locator('[data-testid="stSidebar"]').inner_text()
        assert reg.units[own].name in page.locator(".lc-fresh").first.inner_text()
        # the cookie is there, and a reload keeps the login
        assert any(c["name"] == "lc_session" for c in ctx.cookies())
        page.reload(wait_until="commit")
        _wait_finished(page)
        assert not _login_form_shown(page)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=PAGE_TIMEOUT_MS)
        assert "zhen1" in page.locator('[data-testid="stSidebar"]').inner_text()
        # tampered URLs: another unit, another unit's project
        theirs = _project_of(srv.root, other)
        for url in (f"{srv.url}/overview?unit={other}", f"{srv.url}/project?pid={theirs}",
                    f"{srv.url}/alerts?unit={own}&unit={other}"):
            _open(page, url)
            errs = _errors(page)
            assert len(errs) == 1 and errs[0].startswith("无权查看"), (url, errs)
            assert page.locator('[data-testid="stMetric"]').count() == 0, url
            assert page.locator('[data-testid="stDataFrame"]').count() == 0, url
            assert theirs not in page.locator('[data-testid="stMain"]').inner_text().replace(errs[0], "")
        # the own project opens
        mine = _project_of(srv.root, own)
        _open(page, f"{srv.url}/project?pid={mine}")
        assert not _errors(page)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=PAGE_TIMEOUT_MS)
        # no data page for a township account
        assert page.locator('[data-testid="stSidebarNav"]').get_by_text("数据管理", exact=True).count() == 0
        # logout: the login form, nothing else; a reload does not bring the session back
        page.get_by_role("button", name=AT["logout"], exact=True).click()
        _wait_finished(page)
        assert _login_form_shown(page)
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        page.reload(wait_until="commit")
        _wait_finished(page)
        assert _login_form_shown(page)
        assert page.locator('[data-testid="stMetric"]').count() == 0
    finally:
        ctx.close()
    acts = [(e["user"], e["action"]) for e in audit.read(srv.root) if e["user"] == "zhen1"]
    assert ("zhen1", "login") in acts and ("zhen1", "logout") in acts
    assert sum(a == "denied" for _, a in acts) >= 3


def test_leader_login_sees_every_unit_and_reload(auth_server, browser):
    srv = auth_server
    reg = region("jiangyin")
    other = srv.units[1]
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, f"{srv.url}/overview?unit={other}")
        login(page, "lingdao", PW)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=PAGE_TIMEOUT_MS)
        # a leader may look at any unit: the deep link's filter is kept through the login
        assert not _errors(page)
        assert reg.units[other].name in page.locator(".lc-fresh").first.inner_text()
        theirs = _project_of(srv.root, other)
        _open(page, f"{srv.url}/project?pid={theirs}")
        assert not _errors(page)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=PAGE_TIMEOUT_MS)
        page.reload(wait_until="commit")
        _wait_finished(page)
        assert not _login_form_shown(page) and "lingdao" in page.locator('[data-testid="stSidebar"]').inner_text()
        page.get_by_role("button", name=AT["logout"], exact=True).click()
        _wait_finished(page)
        assert _login_form_shown(page)
    finally:
        ctx.close()


def test_five_wrong_passwords_lock_the_account(auth_server, browser):
    srv = auth_server
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, f"{srv.url}/overview")
        for i in range(4):
            login(page, "victim", f"wrong-password-{i}")
            assert _errors(page) == [AT["bad_login"]]
        login(page, "victim", "wrong-password-4")
        assert "已锁定" in _errors(page)[0]
        login(page, "victim", PW)  # the right password, too late
        assert "已锁定" in _errors(page)[0]
        assert page.locator('[data-testid="stMetric"]').count() == 0
    finally:
        ctx.close()
    assert accounts.get(srv.root, "victim").locked_until
