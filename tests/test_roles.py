"""Roles × pages (AppTest on the Jiangyin demo store): every page for every role, with what it must
and must not show; URL tampering by a township account (both regions); the login page itself
(form, wrong password, lock after five failures, logout) and the audit entries it writes."""
from __future__ import annotations

import shutil

import polars as pl
import pytest
import streamlit as st
from conftest import REPO, TEST_PASSWORD
from streamlit.testing.v1 import AppTest

from lifecycle.domain import labels
from lifecycle.domain.reference import region
from lifecycle.query.db import Database
from lifecycle.store import accounts, audit, comments
from lifecycle.store.snapshots import Store
from lifecycle.ui import PAGES

pytestmark = pytest.mark.slow
ROLES = ["admin", "publisher", "leader", "township"]
A = "320281001"  # 澄江街道
AT = labels.AUTH_TEXT


@pytest.fixture(scope="module")
def store_copy(demo_stores, tmp_path_factory):
    """A copy of the Jiangyin demo store with a comment on unit A and one on another unit."""
    root = tmp_path_factory.mktemp("roles") / "store"
    shutil.copytree(demo_stores["jiangyin"], root, symlinks=True)
    other = list(region("jiangyin").units)[1]
    comments.add(root, "unit", A, "2026Q4", "leader", "澄江街道请加快进度")
    comments.add(root, "unit", other, "2026Q4", "leader", "别的镇的点评")
    audit.append(root, "leader", "leader", "login", target="leader")
    return root


@pytest.fixture
def env(store_copy, monkeypatch, app_user):
    monkeypatch.setenv("LIFECYCLE_STORE", str(store_copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield app_user
    st.cache_data.clear()
    st.cache_resource.clear()


def _owners(root, month="2026-10") -> dict[str, set[str]]:
    db = Database(Store(root))
    df = db.run("project_units", {"month": month, "project_id": None})
    db.close()
    out: dict[str, set[str]] = {}
    for pid, unit in df.iter_rows():
        out.setdefault(pid, set()).add(unit)
    return out


def _run(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=240)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _cells(at: AppTest) -> set[str]:
    vals = set()
    for el in list(at.dataframe) + list(at.table):
        df = el.value
        for c in df.columns:
            vals.update(str(v) for v in df[c].tolist() if v is not None)
    return vals


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _downloads(at: AppTest) -> int:
    return len(at.get("download_button"))


def _denied_page(at: AppTest, title: str) -> bool:
    return any(f"无权访问“{title}”" in e for e in _errors(at))


@pytest.mark.parametrize("role", ROLES)
def test_role_page_matrix(env, store_copy, role):
    env.role, env.unit = role, (A if role == "township" else None)
    reg = region("jiangyin")
    owners = _owners(store_copy)
    foreign = {p for p, us in owners.items() if us != {A}}
    other_names = {u.name for c, u in reg.units.items() if c != A}
    for f, title, _, url in PAGES:
        at = _run(url)
        side = "\n".join(m.value for m in at.sidebar.markdown)
        assert env.name in side, f"{url}: sidebar does not name the user"
        assert any(b.label == AT["logout"] for b in at.sidebar.button), url
        if url == "data":
            if role == "publisher":
                assert not _errors(at) and len(at.get("file_uploader")) == 1
                assert _downloads(at) >= 1  # template, publication log
            else:
                assert _denied_page(at, title) and not at.get("file_uploader") and not at.dataframe
            continue
        if url == "audit":
            if role == "admin":
                assert not _errors(at), _errors(at)
                assert any("哈希链校验" in s.value for s in at.success)
                assert at.dataframe and _downloads(at) == 2
                shown = at.dataframe[0].value
                assert "登录" in set(shown[labels.AUDIT_COLUMNS["action"]])
            else:
                assert _denied_page(at, title) and not at.dataframe
            continue
        assert not _errors(at), (url, _errors(at))
        # exports: leaders and townships download, administrators and clerks do not
        if url not in ("lookback",):
            has_tables = bool(at.dataframe)
            if role in ("leader", "township") and has_tables:
                assert _downloads(at) > 0, url
            if role in ("admin", "publisher"):
                # the publisher's one download outside 数据管理: the 招商任务 sheet of its target editor
                assert _downloads(at) == (1 if (role, url) == ("publisher", "pipeline") else 0), url
        if role == "township":
            unit_box = [m for m in at.sidebar.multiselect if m.label == reg.unit_word][0]
            assert unit_box.value == [A] and unit_box.disabled
            leaked = _cells(at) & foreign
            assert not leaked, (url, sorted(leaked)[:3])
            if url != "rankings":  # the ranking is the whole field's, shown to everyone
                named = {c for c in _cells(at) if c in other_names}
                ranking_tables = [d for d in at.dataframe if labels.COLUMNS["rank"] in d.value.columns]
                ranked = {str(v) for d in ranking_tables for v in d.value[labels.COLUMNS["unit_name"]].tolist()}
                assert named <= ranked, (url, sorted(named - ranked)[:3])
        if url == "quarterly":
            buttons = {b.label for b in at.button} | {b.label for b in at.get("form_submit_button")}
            if role == "leader":
                assert "保存点评意见" in buttons and "生成会议材料" in buttons and "生成月通报" in buttons
            else:
                assert "保存点评意见" not in buttons and "生成会议材料" not in buttons
            text = "\n".join(_cells(at))
            if role == "township":
                assert "澄江街道请加快进度" in text and "别的镇的点评" not in text
                assert AT["answer_save"] in buttons
            else:
                assert AT["answer_save"] not in buttons


def test_reviewer_sees_like_a_leader_without_downloads_and_reviews(env, store_copy):
    """The committee member (reviewer): the ordinary pages read-only for every unit, no downloads,
    no comments or packs, no data/audit page; on 招商线索 the opinion and verdict forms only
    (a subset of the pages of the matrix above, to keep the run short)."""
    env.role, env.unit = "reviewer", None
    titles = {url: title for _, title, _, url in PAGES}
    for url in ("overview", "alerts", "quarterly", "pipeline"):
        at = _run(url)
        assert not _errors(at), (url, _errors(at))
        assert _downloads(at) == 0, url
        buttons = {b.label for b in at.button} | {b.label for b in at.get("form_submit_button")}
        assert "保存点评意见" not in buttons and "生成会议材料" not in buttons and AT["answer_save"] not in buttons
        if url == "overview":
            unit_box = [m for m in at.sidebar.multiselect if m.label == region("jiangyin").unit_word][0]
            assert not unit_box.disabled                     # every unit
        if url == "pipeline":
            assert "录入审查意见" not in "\n".join(_errors(at))
            assert labels.PIPELINE_ACCESS_TEXT["save_add"] not in buttons
    for url in ("data", "audit"):
        at = _run(url)
        assert _denied_page(at, titles[url]) and not at.dataframe


@pytest.mark.parametrize("region_key", ["jiangyin", "changzhou"])
def test_township_url_tampering_gets_denied(demo_stores, monkeypatch, app_user, region_key):
    monkeypatch.setenv("LIFECYCLE_STORE", str(demo_stores[region_key]))
    st.cache_data.clear()
    st.cache_resource.clear()
    reg = region(region_key)
    units = list(reg.units)
    own, other = units[0], units[1]
    app_user.role, app_user.unit = "township", own
    owners = _owners(demo_stores[region_key])
    theirs = sorted(p for p, us in owners.items() if us == {other})[0]
    mine = sorted(p for p, us in owners.items() if us == {own})[0]
    for page, query in (("overview", {"unit": other}), ("funnel", {"unit": [own, other]}),
                        ("alerts", {"unit": other}), ("project", {"pid": theirs}),
                        ("quarterly", {"qunit": other})):
        at = _run(page, **query)
        errs = _errors(at)
        assert len(errs) == 1 and errs[0].startswith("无权查看"), (page, errs)
        assert "\n" not in errs[0]
        assert not at.dataframe and not at.metric and not at.table, page
        assert theirs not in "\n".join(m.value for m in at.markdown)
    # the own unit and the own project open normally
    at = _run("project", pid=mine)
    assert not _errors(at) and at.metric
    at = _run("overview", unit=own)
    assert not _errors(at) and at.metric
    denied = [e for e in audit.read(demo_stores[region_key]) if e["action"] == "denied" and e["user"] == app_user.name]
    assert len(denied) >= 5 and all(e["scope"] == own and not e["ok"] for e in denied)
    st.cache_data.clear()
    st.cache_resource.clear()


def test_login_page_form_lock_and_logout(store_copy, monkeypatch, app_user):
    monkeypatch.setenv("LIFECYCLE_STORE", str(store_copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    if accounts.get(store_copy, "login_user") is None:
        accounts.add(store_copy, "login_user", "leader", password=TEST_PASSWORD)
    app_user.role = None  # no cookie: the login page
    at = _run("overview")
    assert [t.label for t in at.text_input] == [AT["username"], AT["password"]]
    assert [b.label for b in at.get("form_submit_button")] == [AT["login"]]
    assert not at.metric and not at.dataframe
    # no demo password on a store that is not the demo store
    assert not any("演示账户" in i.value for i in at.info)
    at.text_input[0].input("login_user")
    at.text_input[1].input("wrong-password-x")
    at.get("form_submit_button")[0].click()
    at.run()
    assert _errors(at) == [AT["bad_login"]] and not at.metric
    at.text_input[1].input(TEST_PASSWORD)
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception and not _errors(at) and at.metric  # the overview
    assert any(b.label == AT["logout"] for b in at.sidebar.button)
    next(b for b in at.sidebar.button if b.label == AT["logout"]).click()
    at.run()
    assert [t.label for t in at.text_input] == [AT["username"], AT["password"]] and not at.metric
    assert any(AT["signed_out"] in i.value for i in at.info)
    # five failures lock the account, even for the right password
    for i in range(5):
        at.text_input[0].input("login_user")
        at.text_input[1].input(f"wrong-password-{i}")
        at.get("form_submit_button")[0].click()
        at.run()
    assert "已锁定" in _errors(at)[0]
    at.text_input[1].input(TEST_PASSWORD)
    at.get("form_submit_button")[0].click()
    at.run()
    assert "已锁定" in _errors(at)[0] and not at.metric
    log = [e for e in audit.read(store_copy) if e["target"] == "login_user"]
    assert [e["action"] for e in log] == ["login_failed", "login", "logout"] + ["login_failed"] * 5 + \
        ["account_locked", "login_failed"]
    assert TEST_PASSWORD not in audit.log_path(store_copy).read_text(encoding="utf-8")
    assert audit.verify(store_copy).ok
    st.cache_data.clear()
    st.cache_resource.clear()


def test_demo_store_login_page_shows_demo_accounts(demo_stores, tmp_path, monkeypatch, app_user):
    from lifecycle import demo

    root = tmp_path / "demo"
    shutil.copytree(demo_stores["jiangyin"], root, symlinks=True,
                    ignore=shutil.ignore_patterns("accounts.sqlite*", "audit.*"))  # other tests' accounts
    text = demo.ensure_demo_accounts(root, "jiangyin")
    pw = accounts.demo_password(root)
    assert pw in text
    monkeypatch.setenv("LIFECYCLE_STORE", str(root))
    st.cache_data.clear()
    app_user.role = None
    at = _run("overview")
    assert any(pw in i.value for i in at.info)
    shown = at.table[0].value
    assert set(shown[AT["username"]]) == {"admin", "publisher", "leader", "town1", "town2", "reviewer"}
    st.cache_data.clear()


def test_comment_records_the_logged_in_user_and_township_answers(store_copy, monkeypatch, app_user):
    monkeypatch.setenv("LIFECYCLE_STORE", str(store_copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    app_user.role, app_user.unit = "township", A
    at = _run("quarterly", quarter="2026Q4")
    form_text = [t for t in at.text_area if t.label == AT["answer"]][0]
    form_text.input("已召开专题会，11月底前开工")
    next(b for b in at.get("form_submit_button") if b.label == AT["answer_save"]).click()
    at.run()
    assert not at.exception and not _errors(at)
    df = comments.list_comments(store_copy, "2026Q4", unit_code=A)
    ans = comments.answers(store_copy, df["comment_id"].to_list())
    assert ans["text"].to_list() == ["已召开专题会，11月底前开工"] and ans["author"].to_list() == [app_user.name]
    other = comments.list_comments(store_copy, "2026Q4").filter(pl.col("unit_code") != A)["comment_id"][0]
    with pytest.raises(comments.CommentError, match="无权回复"):
        comments.answer(store_copy, other, app_user.name, "越权回复", unit_code=A)
    e = [x for x in audit.read(store_copy) if x["action"] == "comment_answer"][-1]
    assert e["user"] == app_user.name and e["scope"] == A
    st.cache_data.clear()
    st.cache_resource.clear()
