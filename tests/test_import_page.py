"""The 数据管理 page: renders on the demo store, lists months and publication records, offers the
template and the export; in a real browser, an upload with errors shows them and blocks
publishing, and a clean upload publishes the month."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from helpers import DEMO_END, REPO
from lifecycle.domain import labels
from lifecycle.ingest.importer import issues_frame, publications_frame, validate
from lifecycle.store.snapshots import Store
from test_import_support import MONTH, ledger, project_rows

U = labels.IMPORT_UI


def test_data_page_renders_months_publications_template_export(app_env, app_user):
    from streamlit.testing.v1 import AppTest

    app_user.role = "publisher"

    at = AppTest.from_file(str(REPO / "pages" / "data.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert [t.label for t in at.tabs] == [U["tab_import"], U["tab_months"], U["tab_template"]]
    assert at.text_input[0].value == "2026-11"  # the month after the latest published one
    st_ = Store(app_env["jiangyin"])
    months_df, pubs_df = at.dataframe[0].value, at.dataframe[1].value
    assert len(months_df) == len(st_.months()) and months_df.iloc[0, 0] == DEMO_END
    assert len(pubs_df) == len(st_.publications())
    at.button(key="make_export").click().run()
    assert not at.exception
    labels_ = [b.label for b in at.get("download_button")]
    assert U["template"] in labels_ and U["download_export"].format(month=DEMO_END) in labels_


def test_issue_and_publication_tables(make_store):
    st_ = make_store()
    rows = project_rows()
    rows[1][11] = "约5"
    rep = validate([ledger(projects=rows)], MONTH, st_).report
    df = issues_frame(rep)
    assert df.columns == [labels.IMPORT_ISSUE_COLUMNS[k] for k in
                          ("level", "file", "sheet", "row", "cell", "column", "value", "message")]
    assert df.row(0)[:7] == ("错误", "台账.xlsx", "项目台账", 5, "L5", "总投资（亿元）", "约5")
    from lifecycle.ingest.importer import import_ledgers

    assert import_ledgers([ledger()], MONTH, st_, user="甲").ok
    assert import_ledgers([ledger()], MONTH, st_, user="乙").ok
    p = publications_frame(st_)
    # newest first; only the last publication of the month is in force
    assert p[labels.PUBLICATION_COLUMNS["user"]].to_list() == ["乙", "甲"]
    assert p[labels.PUBLICATION_COLUMNS["in_force"]].to_list() == ["是", "否"]
    assert p[labels.PUBLICATION_COLUMNS["source"]].to_list() == ["台账.xlsx", "台账.xlsx"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.browser
def test_upload_errors_then_publish_in_browser(demo_stores, tmp_path):
    pw = pytest.importorskip("playwright.sync_api")
    store = tmp_path / "store"
    shutil.copytree(demo_stores["jiangyin"], store, symlinks=True)
    bad = tmp_path / "有错的台账.xlsx"
    rows = project_rows()
    rows[1][11] = "约5"
    bad.write_bytes(ledger(projects=rows).data)
    good = tmp_path / "台账.xlsx"
    good.write_bytes(ledger().data)
    from test_browser import ensure_accounts, login

    ensure_accounts(store)
    port = _free_port()
    env = dict(os.environ, LIFECYCLE_STORE=str(store), PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with pw.sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            for _ in range(120):
                try:
                    page.goto(f"http://127.0.0.1:{port}/data", timeout=5000)
                    break
                except Exception:
                    time.sleep(0.5)
            page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60000)
            login(page, "publisher")
            page.get_by_text(U["intro"][:10]).wait_for(timeout=60000)
            page.get_by_role("textbox", name=U["month"], exact=True).fill("2026-11")
            page.get_by_role("textbox", name=U["month"], exact=True).press("Enter")
            page.locator("input[type=file]").set_input_files(str(bad))
            # the cell error, and the projects and approvals tables shrinking to 3 rows
            # (refused until confirmed, with the counts shown)
            page.get_by_text("共 3 条错误").wait_for(timeout=60000)
            page.get_by_text(U["shrink_intro"][:12]).wait_for(timeout=60000)
            assert page.get_by_role("button", name=U["publish"]).is_disabled()
            assert page.get_by_role("button", name=f"{U['download_marked']}：{bad.name}").count() == 1
            # remove the faulty file, upload the corrected one
            page.get_by_role("button", name=f"Remove {bad.name}").click()
            page.get_by_text(U["intro"][:10]).wait_for(timeout=60000)
            page.locator("input[type=file]").set_input_files(str(good))
            page.get_by_text(f"{good.name[:2]}.xlsx[审批]").first.wait_for(timeout=60000)
            page.get_by_text(U["confirm_shrink"]).click()  # the clerk confirms the smaller month
            try:
                pw.expect(page.get_by_text(U["count_unit"].format(n=0), exact=True)).to_be_visible(timeout=90000)
            finally:
                page.screenshot(path=str(tmp_path / "after_good.png"))
            btn = page.get_by_role("button", name=U["publish"])
            pw.expect(btn).to_be_enabled(timeout=30000)
            btn.click()
            page.get_by_text("已发布 2026-11").wait_for(timeout=60000)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    st_ = Store(store)
    assert "2026-11" in st_.months()
    assert st_.read("2026-11", "projects").height == 3
    assert st_.publications()[-1]["source"] == ["台账.xlsx"]
    assert st_.publications()[-1]["user"] == "b_publisher"  # the logged-in account
    from lifecycle.store import audit

    acts = [e["action"] for e in audit.read(store) if e["user"] == "b_publisher"]
    assert acts[0] == "login" and "import_refused" in acts and acts[-1] == "publish"
