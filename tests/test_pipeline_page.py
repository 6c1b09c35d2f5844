"""AppTest of 招商线索 (pages/pipeline.py) on both regions' demo stores: without any lead (the
demo's generated pipeline removed) and with hand-entered leads — the funnel, the stale list, the
review queue with the veto reason, and the township targets of Metrics.unit_targets."""
from __future__ import annotations

import datetime as dt

import pytest
from helpers import REPO
from streamlit.testing.v1 import AppTest

from lifecycle.domain import labels
from lifecycle.store import pipeline

C = labels.COLUMNS


def _run() -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / "pipeline.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at: AppTest, column: str):
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert tables, f"no table with {column}"
    return tables[0]


def _no_nan(at: AppTest) -> None:
    for d in at.dataframe:
        text = d.value.astype(str).to_string()
        assert "nan" not in text.lower() and "None" not in text, text


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_pipeline_page(region_env, demo_stores, region):
    m = region_env(region)
    root = demo_stores[region]
    pipeline.db_path(root).unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        (root / (pipeline.FILE_NAME + suffix)).unlink(missing_ok=True)
    at = _run()                                                   # no lead recorded yet
    texts = "\n".join(i.value for i in at.info)
    assert "尚未登记招商线索" in texts
    fun = _table(at, C["reached"])
    assert list(fun[C["reached"]]) == [0] * 5
    _no_nan(at)
    # township targets from the configuration for the demo's year
    month = m.latest_month()
    tg = m.unit_targets(month)
    assert tg.height > 0
    shown = _table(at, C["schedule_target"])
    assert len(shown) == tg.height
    assert list(shown[C["actual"]]) == pytest.approx(tg["actual"].to_list())

    # a few leads: one stale, one vetoed in the queue
    cfg = pipeline.settings(root)
    unit = next(iter(m.unit_targets(month)["unit_code"]))
    kw = {"channel": cfg["channels"][0], "industry_chain": cfg["industry_chains"][0],
          "project_type": cfg["project_types"][0], "unit_code": unit, "owner": "张三", "source_body": "商务局"}
    old = (dt.date.today() - dt.timedelta(days=int(cfg["stale_days"]) + 10)).isoformat()
    pipeline.add_lead(root, "甲", "久未联系项目", last_contact_on=old, expected_investment_wan=20000, **kw)
    vid = pipeline.add_lead(root, "甲", "被否决项目", stage="talks", last_contact_on=dt.date.today(),
                          expected_investment_wan=150000, **kw)
    rid = pipeline.open_review(root, vid, "秘书")
    pipeline.add_opinion(root, rid, "legal", "法务专家", "监管协议条款缺失")
    pipeline.decide(root, rid, "主任", "veto", "不符合产业政策", dt.date.today())
    at = _run()
    fun = _table(at, C["reached"])
    assert list(fun[C["reached"]]) == [2, 1, 1, 0, 0]
    assert list(fun[C["current"]]) == [1, 0, 1, 0, 0]
    assert list(fun[C["pct_of_previous"]]) == ["—", "50.0", "100.0", "0.0", "—"]
    _no_nan(at)
    stale = _table(at, C["days_since_contact"])
    assert list(stale[C["name"]]) == ["久未联系项目"]
    assert list(stale[C["days_since_contact"]]) == [int(cfg["stale_days"]) + 10]
    queue = _table(at, C["opinion_legal"])
    assert list(queue[C["name"]]) == ["被否决项目"]
    assert list(queue[C["verdict"]]) == ["否决"]
    assert list(queue[C["reasons"]]) == ["不符合产业政策"]
    assert list(queue[C["opinion_legal"]]) == ["法务专家：监管协议条款缺失"]
    # another target measure
    at.selectbox(key="pl_measure").set_value("signed_investment_yi").run()
    assert not at.exception
