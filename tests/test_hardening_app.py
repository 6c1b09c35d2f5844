"""Issue 17, the app side: error details never shown raw (7), names never rendered as Markdown
(8), tooltips without raw HTML (8), exports never truncated (9), the deep link /overview (10)."""
from __future__ import annotations

import io
import json
import sqlite3
import tomllib

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from helpers import DEMO_END, REPO, project, publish
from lifecycle import cli
from lifecycle.domain import schema
from lifecycle.present.markdown import md
from lifecycle.store.snapshots import Store

EVIL_NAME = "[点我](http://evil.example/x) ![](http://evil.example/beacon.png) :red[红] www.evil.example $x$"


# ---- 7. errors -----------------------------------------------------------------------------------
def test_error_details_are_off_for_viewers():
    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["client"]["showErrorDetails"] in ("none", False)


def _failing_page():
    from lifecycle import ui

    def boom():
        raise RuntimeError("duckdb: IO Error: /srv/secret/path/projects.parquet is corrupt")

    ui.guarded(boom)


def test_an_unexpected_error_shows_a_chinese_message_with_an_id(caplog):
    at = AppTest.from_function(_failing_page, default_timeout=60).run()
    assert not at.exception
    (err,) = at.error
    assert "错误编号" in err.value and "/srv/secret" not in err.value and "duckdb" not in err.value
    err_id = err.value.split("错误编号 ")[1][:8]
    assert len(err_id) == 8


def test_disk_full_during_import_is_one_chinese_line(make_store, tmp_path, capsys, monkeypatch):
    from test_import_support import ledger

    st = make_store()
    f = tmp_path / "台账.xlsx"
    f.write_bytes(ledger().data)

    def full(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    code = cli.main(["import", str(f), "--month", "2026-10", "--store", str(st.root)])
    err = capsys.readouterr().err
    assert code == 3 and "磁盘空间不足" in err and "Traceback" not in err and err.count("\n") == 1
    assert st.months() == []


def test_reading_comments_never_writes(make_store, monkeypatch):
    """A full disk (any write fails) must not stop the comments from being read."""
    from lifecycle.store import comments, sqlite

    st = make_store()
    comments.add(st.root, "unit", "320281001", "2026Q3", "张三", "进度偏慢")
    sqlite._INITIALISED.clear()  # a fresh server process
    real = sqlite3.connect

    class ReadOnly:
        def __init__(self, con):
            self._con = con

        def execute(self, sql, *a):
            head = sql.strip().upper()
            if not (head.startswith("SELECT") or head.startswith("PRAGMA BUSY_TIMEOUT")
                    or head.startswith("PRAGMA QUERY_ONLY")):
                raise sqlite3.OperationalError(f"database or disk is full ({sql[:30]})")
            return self._con.execute(sql, *a)

        def executescript(self, sql):
            raise sqlite3.OperationalError("database or disk is full")

        def close(self):
            self._con.close()

    monkeypatch.setattr(sqlite.sqlite3, "connect", lambda *a, **k: ReadOnly(real(*a, **k)))
    df = comments.list_comments(st.root, quarter="2026Q3")
    assert df["text"].to_list() == ["进度偏慢"]


# ---- 8. Markdown and HTML injection ----------------------------------------------------------------
def test_md_escapes_every_markdown_construct():
    s = md(EVIL_NAME)
    for raw in ("[点我](", "![](", ":red[", "www.evil", "$x$"):
        assert raw not in s
    assert md("年产10万吨新材料项目") == "年产10万吨新材料项目"
    # unescaping gives the text back exactly
    assert s.replace("\\", "") == EVIL_NAME


@pytest.fixture
def evil_store(tmp_path, monkeypatch):
    import streamlit as st_

    st = Store(tmp_path / "evil")
    st.init("jiangyin")
    publish(st, DEMO_END, [project("P1", name=EVIL_NAME, enterprise="![](http://evil.example/e.png)")],
            approvals=[{"project_id": "P1", "step": "[施工许可](http://evil.example)", "received_on": "2024-01-01",
                        "due_on": "2024-02-01"}])
    monkeypatch.setenv("LIFECYCLE_STORE", str(st.root))
    st_.cache_data.clear()
    st_.cache_resource.clear()
    yield st
    st_.cache_data.clear()
    st_.cache_resource.clear()


def _page(name: str, **query) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{name}.py"), default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _markdown_sources(at: AppTest) -> list[str]:
    out = [h.value for h in at.header] + [m.value for m in at.markdown] + [e.value for e in at.error]
    out += [w.value for w in at.warning] + [c.value for c in at.caption]
    return out


def test_project_name_is_not_rendered_as_markdown(evil_store):
    at = _page("project", pid="P1")
    assert not at.exception
    assert [h.value for h in at.header] == [md(EVIL_NAME)]
    for s in _markdown_sources(at):
        assert "](http" not in s, s
    # a hostile ?pid= inside the red error box stays text too
    at = _page("project", pid="[登录](http://evil.example/phish)")
    assert at.error and all("](http" not in e.value for e in at.error)


def test_map_tooltips_are_plain_text():
    from lifecycle.present import maps

    projects = pl.DataFrame({"project_id": ["P1"], "name": ["<img src=x onerror=alert(1)>"],
                             "unit_code": ["320281001"], "total_investment_wan": [1e5], "stage": ["started"]})
    units = pl.DataFrame({"unit_code": ["320281001"], "value": [1.0], "value_text": ["1个"]})
    d = maps.build_deck("jiangyin", units, "在库项目数", projects, use_official=False)
    assert "text" in d._tooltip and "html" not in d._tooltip  # deck.gl shows `text` as text, never markup
    deck = json.loads(d.to_json())
    tips = [o["tip"] for layer in deck["layers"] if isinstance(layer.get("data"), list) for o in layer["data"]
            if "tip" in o]
    assert tips and all("<b" not in t and "<br" not in t for t in tips)
    assert any("<img src=x onerror=alert(1)>" in t for t in tips)  # shown literally, as text


# ---- 9. exports never truncated --------------------------------------------------------------------
def test_export_splits_a_long_table_over_numbered_sheets_and_imports_back(demo_stores, make_store, tmp_path,
                                                                         monkeypatch):
    from lifecycle.ingest import template
    from lifecycle.ingest.importer import Source, export_month, exported_rows, import_ledgers

    src = Store(demo_stores["jiangyin"])
    n_ops = src.read(DEMO_END, "operations").height
    per = 400
    monkeypatch.setattr(template, "MAX_SHEET_ROWS", per + template.HEAD_ROWS)  # a small "Excel" limit
    out = tmp_path / "m.xlsx"
    counts = export_month(src, DEMO_END, str(out))
    assert counts == {t: src.read(DEMO_END, t).height for t in schema.TABLE_NAMES}
    import openpyxl

    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    k = -(-n_ops // per)
    assert k >= 2 and ["运行"] + [f"运行({i})" for i in range(2, k + 1)] == [n for n in names if n.startswith("运行")]
    assert exported_rows(out.read_bytes())["operations"] == n_ops
    dst = make_store(name="dst")
    res = import_ledgers([Source("m.xlsx", out.read_bytes())], DEMO_END, dst)
    assert res.ok, res.report.text(limit=5)
    for t in schema.TABLE_NAMES:  # the month's row counts after the round trip
        assert dst.read(DEMO_END, t).height == src.read(DEMO_END, t).height
    assert_frame_equal(dst.read(DEMO_END, "operations"), schema.conform("operations", src.read(DEMO_END, "operations")))


def test_export_refuses_a_short_file(make_store, tmp_path, monkeypatch):
    """If rows went missing between the tables and the file, the export says so."""
    from lifecycle.ingest import importer

    st = make_store()
    publish(st, "2026-10", [project("P1"), project("P2")])
    monkeypatch.setattr(importer, "exported_rows", lambda data: {t: 0 for t in schema.TABLE_NAMES})
    with pytest.raises(importer.ExportError, match="项目表应有 2 行"):
        importer.export_month(st, "2026-10", io.BytesIO())


# ---- 10. the deep link /overview --------------------------------------------------------------------
def test_overview_has_its_own_path_besides_the_root(app_env, monkeypatch):
    """The default page is served at "/" (under a spare path) and once more, hidden, at
    /overview, so the deep link works (the browser test opens it)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    seen = []
    real = st.navigation

    def spy(pages, **kw):
        seen.append([(p.url_path, p.title, p.visibility) for p in pages])
        return real(pages, **kw)

    monkeypatch.setattr(st, "navigation", spy)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    pages = seen[-1]
    assert pages[0] == ("", "总览", "visible")  # the default page: served at "/"
    assert ("overview", "总览", "hidden") in pages
