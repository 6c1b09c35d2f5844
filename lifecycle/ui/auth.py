"""Login, sessions and permissions in the app (docs/domain.md §9).

Two ways in:

- **Local accounts** (default): a login form (用户名, 密码, 登录) checked against the store's
  accounts (`lifecycle.store.accounts`). A successful login creates a server-side session whose
  random token is kept in the browser as the cookie `lc_session` (SameSite=Strict, max-age = the
  session's remaining time, default 8 hours). Streamlit gives a script the cookies of the request
  that opened its websocket (`st.context.cookies`), so after a page reload the new session reads
  the cookie and is still logged in. The cookie is written by a tiny script (`st.html` with
  JavaScript), because Streamlit has no API to set one. 退出登录 revokes the session on the server
  (the token is useless from then on, whatever the browser keeps) and clears the cookie.
- **Single sign-on**: when `[auth]` is configured in `.streamlit/secrets.toml`, login goes through
  Streamlit's `st.login` (OpenID Connect) and the IdP's user (e-mail, else subject) is mapped to an
  account by its `sso_id`; an unknown user gets no access and a clear message.

Every login, failure, lock and logout is written to the audit log.
"""
from __future__ import annotations

import datetime as dt
import json

import streamlit as st

from lifecycle.domain import labels
from lifecycle.domain.reference import region
from lifecycle.present.markdown import md
from lifecycle.store import accounts, audit
from lifecycle.store.accounts import Account

COOKIE = "lc_session"
_TOKEN = "_lc_session"      # session_state: this browser session's token
_ACCOUNT = "_lc_account"    # session_state: the account of the current run
_FLASH = "_lc_auth_flash"
T = labels.AUTH_TEXT


def _cookie_token() -> str | None:
    """The session token the browser sent with the request that opened this session."""
    try:
        return st.context.cookies.get(COOKIE)
    except Exception:  # no request context (bare script run)
        return None


def sso_configured() -> bool:
    """True when `[auth]` is set in .streamlit/secrets.toml (then login goes through st.login)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file
        return False


def current() -> Account | None:
    """The account of the current run (set by `require_login`)."""
    return st.session_state.get(_ACCOUNT)


def scope_text(acc: Account | None) -> str:
    return (acc.unit_code or "all") if acc else "all"


def record(root, action: str, target: str | None = None, ok: bool = True, acc: Account | None = None,
           user: str | None = None, **detail) -> None:
    """Append an audit entry for the current user (or `acc` / `user`)."""
    acc = acc or current()
    audit.append(root, user or (acc.name if acc else ""), acc.role if acc else None, action,
                 scope=scope_text(acc), target=target, ok=ok, detail=detail or None)


def submit(root, action: str, target: str, fn, ok_text, errors, flash_key: str, **detail) -> None:
    """Run one store write from a form as the logged-in account: audited (ok, or refused with
    its message); a refusal (`errors`) is shown as one Chinese line, never a traceback; on
    success `ok_text(result)` is kept under `flash_key` for `flash` and the page reruns.
    `detail` values that are callables are applied to the result (e.g. a new record's id)."""
    try:
        result = fn()
    except errors as e:
        record(root, action, target=target, ok=False, message=str(e),
               **{k: v for k, v in detail.items() if not callable(v)})
        st.error(md(str(e)))
        return
    record(root, action, target=target, result=result,
           **{k: (v(result) if callable(v) else v) for k, v in detail.items()})
    st.session_state[flash_key] = ok_text(result)
    st.rerun()


def flash(flash_key: str) -> None:
    """The success message a `submit` left for this run, shown once."""
    msg = st.session_state.pop(flash_key, None)
    if msg:
        st.success(md(msg))  # names typed by people are shown as text, not markdown


def _set_cookie(token: str, expires: dt.datetime) -> None:
    secure = ""
    try:
        if str(st.context.url or "").startswith("https:"):
            secure = "; Secure"
    except Exception:
        pass
    age = max(0, int((expires - dt.datetime.now()).total_seconds()))
    value = json.dumps(f"{COOKIE}={token}; Path=/; Max-Age={age}; SameSite=Strict{secure}")
    st.html(f"<script>document.cookie = {value};</script>", unsafe_allow_javascript=True, width="content")


def _clear_cookie() -> None:
    value = json.dumps(f"{COOKIE}=; Path=/; Max-Age=0; SameSite=Strict")
    st.html(f"<script>document.cookie = {value};</script>", unsafe_allow_javascript=True, width="content")


# Streamlit answers an unknown URL path with an English "Page not found" dialog and runs the
# default page; it has no language setting. Every page run (and the login page) carries this
# script, which puts the dialog's two texts into Chinese in place (one observer per browser tab).
_NOT_FOUND_JS = """<script>
(() => {
  if (window.__lcNotFound) return;
  window.__lcNotFound = true;
  const title = %s, body = %s;
  const fix = () => document.querySelectorAll('[role="dialog"]').forEach(d => {
    const walk = document.createTreeWalker(d, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const t = n.textContent.trim();
      if (t === 'Page not found') n.textContent = title;
      else if (t.startsWith('The page that you have requested')) n.textContent = body;
    }
  });
  fix();
  new MutationObserver(fix).observe(document.body, {childList: true, subtree: true});
})();
</script>"""


def translate_page_not_found() -> None:
    """Render the script that shows Streamlit's not-found dialog in Chinese (see above)."""
    js = _NOT_FOUND_JS % (json.dumps(labels.SCREEN_TEXT["bad_page_title"]), json.dumps(labels.SCREEN_TEXT["bad_page"]))
    st.html(js, unsafe_allow_javascript=True, width="content")


# ---- the gate -------------------------------------------------------------------------------------
def require_login(store, before_login=None) -> Account:
    """The logged-in account; otherwise render the login page and stop the script
    (`before_login()` is called first: app.py registers its pages there, hidden)."""
    root = store.root
    if sso_configured():
        acc = _sso_account(root)
    else:
        acc = _local_account(root)
    if acc is None:
        st.session_state.pop(_ACCOUNT, None)
        if before_login is not None:
            before_login()
        login_page(store)
        st.stop()
    st.session_state[_ACCOUNT] = acc
    return acc


def _local_account(root) -> Account | None:
    token = st.session_state.get(_TOKEN)
    if not token and not st.session_state.get("_lc_logged_out"):
        token = _cookie_token()
    found = accounts.session_account(root, token) if token else None
    if found is None:
        st.session_state.pop(_TOKEN, None)
        return None
    acc, expires = found
    st.session_state[_TOKEN] = token
    if _cookie_token() != token:  # logged in during this session: keep writing the cookie
        st.session_state["_lc_cookie"] = (token, expires)
    else:
        st.session_state.pop("_lc_cookie", None)
    return acc


def _sso_account(root) -> Account | None:
    try:
        logged_in = bool(st.user.is_logged_in)
    except Exception:
        logged_in = False
    if not logged_in:
        return None
    ids = [st.user.get("email"), st.user.get("preferred_username"), st.user.get("sub")]
    acc = accounts.find_sso(root, ids)
    key = "_lc_sso_recorded"
    who = next((str(i) for i in ids if i), "")
    if acc is None:
        if st.session_state.get(key) != ("unknown", who):
            record(root, "login_failed", target=who, ok=False, user=who, via="sso", reason="unknown sso user")
            st.session_state[key] = ("unknown", who)
        st.error(T["sso_unknown"].format(who=who))
        st.button(T["sso_logout"], on_click=st.logout, key="lc_sso_logout_unknown")
        st.stop()
    if st.session_state.get(key) != ("ok", who):
        record(root, "login", target=acc.name, acc=acc, via="sso", sso_id=who)
        st.session_state[key] = ("ok", who)
    return acc


def sidebar(acc: Account, store) -> None:
    """Who is logged in, and 退出登录 (the cookie is (re)written here while needed)."""
    reg_key = store.meta.get("region")
    unit = ""
    if acc.unit_code and reg_key:
        u = region(reg_key).units.get(acc.unit_code)
        unit = f" · {u.name if u else acc.unit_code}"
    sb = st.sidebar
    sb.markdown(T["signed_in"].format(name=acc.name, role=acc.role_label, unit=unit))
    if sso_configured():
        sb.button(T["logout"], key="lc_logout", on_click=_sso_logout, args=(str(store.root),))
        return
    sb.button(T["logout"], key="lc_logout", on_click=_logout, args=(str(store.root),))
    pending = st.session_state.get("_lc_cookie")
    if pending:
        with sb:
            _set_cookie(*pending)


def _logout(root: str) -> None:
    token = st.session_state.pop(_TOKEN, None)
    acc = current()
    accounts.revoke_session(root, token)
    if acc:
        record(root, "logout", target=acc.name, acc=acc)
    for k in (_ACCOUNT, "_lc_cookie"):
        st.session_state.pop(k, None)
    st.session_state["_lc_logged_out"] = True
    st.session_state[_FLASH] = T["signed_out"]


def _sso_logout(root: str) -> None:
    acc = current()
    if acc:
        record(root, "logout", target=acc.name, acc=acc, via="sso")
    st.session_state.pop(_ACCOUNT, None)
    st.session_state.pop("_lc_sso_recorded", None)
    st.logout()


# ---- the login page ------------------------------------------------------------------------------
def login_page(store) -> None:
    root = store.root
    st.title(T["login_title"])
    if st.session_state.get("_lc_logged_out"):
        _clear_cookie()
    msg = st.session_state.pop(_FLASH, None)
    if msg:
        st.info(msg)
    translate_page_not_found()
    if sso_configured():
        st.markdown(T["sso_intro"])
        st.button(T["sso_login"], type="primary", key="lc_sso_login", on_click=st.login)
        return
    if accounts.count(root) == 0:
        st.warning(T["no_accounts"].format(root=root))
        return
    with st.form("lc_login", clear_on_submit=False):
        name = st.text_input(T["username"], key="lc_login_name")
        password = st.text_input(T["password"], type="password", key="lc_login_password")
        submitted = st.form_submit_button(T["login"], type="primary")
    if submitted:
        _try_login(root, name, password)
    _demo_hint(store)


def _try_login(root, name: str, password: str) -> None:
    res = accounts.authenticate(root, name, password)
    name = (name or "").strip()
    if res.account is None:
        known = accounts.get(root, name)
        record(root, "login_failed", target=name, ok=False, user=name,
               acc=known, reason=res.error)
        if res.locked_now:
            record(root, "account_locked", target=name, ok=True, user=name, acc=known)
        st.error(res.error)
        return
    acc = res.account
    token, expires = accounts.create_session(root, acc.name)
    st.session_state[_TOKEN] = token
    st.session_state[_ACCOUNT] = acc
    st.session_state["_lc_cookie"] = (token, expires)
    st.session_state.pop("_lc_logged_out", None)
    st.session_state.pop("lc_login_password", None)
    record(root, "login", target=acc.name, acc=acc, via="password")
    st.rerun()


def _demo_hint(store) -> None:
    """The demo store's accounts and password (only a store that has the demo password file)."""
    pw = accounts.demo_password(store.root)
    reg_key = store.meta.get("region")
    if not pw or not reg_key:
        return
    reg = region(reg_key)
    rows = []
    for a in accounts.list_accounts(store.root):
        rows.append({T["username"]: a.name, "角色": a.role_label,
                     reg.unit_word: reg.units[a.unit_code].name if a.unit_code in reg.units else ""})
    st.info(T["demo_accounts"].format(password=pw))
    st.table(rows)


# ---- permissions ------------------------------------------------------------------------------------
def deny_page(page_title: str, permission: str) -> None:
    """Stop a page the current account may not open (with a one-line message)."""
    acc = current()
    if acc is not None and acc.may(permission):
        return
    st.error(T["denied_page"].format(page=page_title, roles=accounts.roles_with(permission)))
    st.stop()
