"""Single sign-on through a real OpenID Connect provider started locally (oidc-provider-mock) and
a real browser: with `[auth]` in the secrets, the login page offers only 单点登录; the IdP's user
is mapped to an account by its SSO identity (e-mail); a township account mapped that way is kept
to its unit; an unknown IdP user gets no access and a clear message."""
from __future__ import annotations

import secrets
import shutil

import pytest
from conftest import REPO  # noqa: F401
from test_browser import (CHROMIUM, CHROMIUM_ARGS, PAGE_TIMEOUT_MS, Server, _free_port, _open, _require_browser,
                          _wait_finished)

from lifecycle.domain import labels
from lifecycle.domain.reference import region
from lifecycle.store import accounts, audit

pytestmark = pytest.mark.browser
AT = labels.AUTH_TEXT


@pytest.fixture(scope="module")
def idp():
    _require_browser()
    mock = pytest.importorskip("oidc_provider_mock")
    with mock.run_server_in_thread(port=0) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_server(idp, demo_stores, tmp_path_factory):
    base = tmp_path_factory.mktemp("sso")
    root = base / "store"
    shutil.copytree(demo_stores["jiangyin"], root, symlinks=True)
    units = list(region("jiangyin").units)
    accounts.add(root, "sso_leader", "leader", sso_id="leader@example.org")
    accounts.add(root, "sso_town", "township", units[0], sso_id="town@example.org", region_key="jiangyin")
    port = _free_port()  # the redirect URI names the app's port
    secrets_file = base / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        'client_id = "lifecycle-dashboard"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{idp}/.well-known/openid-configuration"\n', encoding="utf-8")
    srv = Server(root, base / "server.log", extra_args=("--secrets.files", str(secrets_file)), port=port)
    srv.root, srv.units = root, units
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _sso_login(page, app_url: str, sub: str) -> None:
    page.get_by_role("button", name=AT["sso_login"]).click()
    page.wait_for_selector('input[name="sub"]', timeout=PAGE_TIMEOUT_MS)  # the IdP's page
    page.fill('input[name="sub"]', sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/**", timeout=PAGE_TIMEOUT_MS)
    _wait_finished(page)


def _errors(page) -> list[str]:
    return page.locator('[data-testid="stAlertContentError"]').all_inner_texts()


def test_sso_leader_logs_in_through_the_idp(sso_server, browser):
    srv = sso_server
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, f"{srv.url}/overview")
        # SSO configured: no local password form
        assert page.get_by_role("button", name=AT["login"], exact=True).count() == 0
        assert page.get_by_label(AT["password"]).count() == 0
        _sso_login(page, srv.url, "leader@example.org")
        page.wait_for_selector('[data-testid="stMetric"]', timeout=PAGE_TIMEOUT_MS)
        assert "sso_leader" in page.locator('[data-testid="stSidebar"]').inner_text()
        page.reload(wait_until="commit")
        _wait_finished(page)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=PAGE_TIMEOUT_MS)
    finally:
        ctx.close()
    e = [x for x in audit.read(srv.root) if x["user"] == "sso_leader" and x["action"] == "login"]
    assert e and e[0]["detail"]["via"] == "sso"


def test_sso_township_is_kept_to_its_unit(sso_server, browser):
    srv = sso_server
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, f"{srv.url}/overview")
        _sso_login(page, srv.url, "town@example.org")
        page.wait_for_selector('[data-testid="stMetric"]', timeout=PAGE_TIMEOUT_MS)
        assert "sso_town" in page.locator('[data-testid="stSidebar"]').inner_text()
        _open(page, f"{srv.url}/overview?unit={srv.units[1]}")
        errs = _errors(page)
        assert len(errs) == 1 and errs[0].startswith("无权查看")
        assert page.locator('[data-testid="stMetric"]').count() == 0
    finally:
        ctx.close()


def test_unknown_sso_user_gets_no_access(sso_server, browser):
    srv = sso_server
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, f"{srv.url}/overview")
        _sso_login(page, srv.url, "stranger@example.org")
        errs = _errors(page)
        assert errs == [AT["sso_unknown"].format(who="stranger@example.org")]
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
    finally:
        ctx.close()
    e = [x for x in audit.read(srv.root) if x["action"] == "login_failed" and x["user"] == "stranger@example.org"]
    assert e and not e[0]["ok"]
