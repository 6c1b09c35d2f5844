"""AppTest of the township targets on 招商线索 and 总览 (docs/domain.md §16.3) on both regions:
a publisher's save reaches the tables at once (the cache is keyed by the targets' revision), the
editor is a publisher's only, and a township account sees its own unit."""
from __future__ import annotations

import pytest
from helpers import REPO
from streamlit.testing.v1 import AppTest

from lifecycle.domain import labels
from lifecycle.store import accounts, targets

C = labels.COLUMNS
TT = labels.UNIT_TARGET_TEXT


def _run(page: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / page), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at: AppTest, column: str, must: str | None = None):
    tables = [d.value for d in at.dataframe if column in d.value.columns and (must is None or must in d.value.columns)]
    assert tables, f"no table with {column}"
    return tables[0]


def _no_nan(at: AppTest) -> None:
    for d in at.dataframe:
        if C["schedule_target"] not in d.value.columns:  # the targets' tables (demo leads name "reviewer_financial")
            continue
        text = d.value.astype(str).to_string()
        assert "nan" not in text.lower() and "None" not in text, text


def _reset(root):
    for suffix in ("", "-wal", "-shm"):
        (root / (targets.FILE_NAME + suffix)).unlink(missing_ok=True)


class _Pub:
    role, unit_code, name = "publisher", None, "测试管理员"

    def may(self, p):
        return "publisher" in accounts.PERMISSIONS[p]


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_publisher_edit_reaches_pipeline_and_overview(region_env, demo_stores, app_user, region):
    m = region_env(region)
    root = demo_stores[region]
    _reset(root)
    try:
        month = m.latest_month()
        year = int(month[:4])
        app_user.role = "publisher"
        at = _run("pipeline.py")
        assert any(TT["editor"] == e.label for e in at.expander)
        assert any(TT["source_config"].format(year=year) in c.value for c in at.caption)
        # save the grid as shown (the configured figures) through the form: now kept in the store
        at.button(key="FormSubmitter:pl_tg_form-" + TT["save"]).click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert targets.stored_years(root) == [year]
        assert any(TT["saved"].split("（")[0].format(year=year) in s.value for s in at.success)
        # a new value saved in the store shows at once on both pages (no stale cache)
        unit = next(iter(m.unit_targets(month)["unit_code"]))
        rows = targets.wide(root, region, year).to_dicts()
        for r in rows:
            if r["unit_code"] == unit:
                r["signed_projects"] = 999.0
        targets.save_year(root, _Pub(), year, rows)
        at = _run("pipeline.py")
        tbl = _table(at, C["schedule_target"], C["measure_label"])
        assert 999.0 in list(tbl[C["target"]])
        _no_nan(at)
        ov = _run("overview.py")
        ovt = _table(ov, C["schedule_target"], C["status_label"])
        assert 999.0 in list(ovt[C["target"]])
        el = int(month[5:7])
        row = ovt[(ovt[C["target"]] == 999.0)].iloc[0]
        assert row[C["schedule_target"]] == pytest.approx(round(999 * el / 12, 2))
        assert row[C["status_label"]] == TT["behind"]
        _no_nan(ov)
        # a leader sees the tables but no editor
        app_user.role = "leader"
        at = _run("pipeline.py")
        assert not any(TT["editor"] == e.label for e in at.expander)
        # a township account sees only its unit on 总览
        app_user.role, app_user.unit = "township", unit
        ov = _run("overview.py")
        ovt = _table(ov, C["schedule_target"], C["status_label"])
        assert set(ovt[C["unit_name"]]) == {m.unit_targets(month).filter(
            m.unit_targets(month)["unit_code"] == unit)["unit_name"][0]}
        # no targets for the year: a caption, no crash
        app_user.role, app_user.unit = "publisher", None
        targets.save_wide(root, _Pub(), targets.wide(root, region, year, all_units=True).with_columns(
            **{k: None for k in targets.MEASURES}))
        ov = _run("overview.py")
        assert any(TT["overview_none"].format(year=year) in c.value for c in ov.caption)
        at = _run("pipeline.py")
        _no_nan(at)
    finally:
        _reset(root)
