"""双月过堂会 material and 年度考核 table (docs/domain.md §15): PDF + Excel on a hand-built store,
figures equal to the metrics API, and the CLI."""
from __future__ import annotations

import pytest

from helpers import metrics_for, project, publish
from lifecycle import cli
from lifecycle.outputs import cadence
from test_pack import compact, pdf_pages, sheet

A, B = "320281001", "320281100"


@pytest.fixture
def cstore(make_store):
    st = make_store()
    p1 = dict(signed_on="2025-03-01", filed_on="2025-06-01", township_code=A)
    publish(st, "2025-12", [project("P1", **p1), project("P2", signing_type="intent", signed_on="2025-05-01",
                                                           township_code=B)])
    publish(st, "2026-08", [project("P1", **p1), project("P2", signing_type="intent", signed_on="2025-05-01",
                                                           township_code=B)],
            problems=[{"problem_id": "Q1", "project_id": "P1", "raised_on": "2026-07-01", "summary": "用地未落实",
                       "assigned_dept": "资规局"}])
    publish(st, "2026-10", [project("P1", **{**p1, "started_on": "2026-09-15"}),
                            project("P2", signing_type="intent", signed_on="2025-05-01", township_code=B,
                                    exit_on="2026-10-01", exit_reason="lost"),
                            project("P4", signed_on="2026-10-10", township_code=B)],
            problems=[{"problem_id": "Q1", "project_id": "P1", "raised_on": "2026-07-01", "summary": "用地未落实",
                       "assigned_dept": "资规局"}])
    return st


def test_review_material(cstore, tmp_path):
    m = metrics_for(cstore)
    pdf, xlsx = cadence.build_review(m, "2026-10", tmp_path)
    text = compact("\n".join(pdf_pages(pdf)))
    assert "江阴市重大项目双月过堂会材料" in text and "2026年9月—2026年10月" in text
    # since 2026-08: P4 new, P1 advanced (备案 -> 开工), P2 exited
    assert "新入库1个；阶段推进1个；退库1个" in text
    assert [r["项目编号"] for r in sheet(xlsx, "阶段推进")] == ["P1"]
    assert [r["项目编号"] for r in sheet(xlsx, "新入库")] == ["P4"]
    rates = m.rates_since("2026-10", "2026-08")
    got = {r[list(r)[0]]: r for r in sheet(xlsx, "五率")}
    # formal signings of 2026: P4 (2026-10-10), not filed: 0/1
    assert (got["签约项目备案率"]["分子"], got["签约项目备案率"]["分母"]) == (0, 1)
    assert rates["filing_rate"]["denominator"] == 1
    stuck = {r[list(r)[0]]: r for r in sheet(xlsx, "卡点汇总")}
    assert stuck["审批周期超12个月"]["项目数"] == m.flag("approval_over_12m", "2026-10").height
    # the open problem is listed (the 2026-10 reference date is today: 2026-07-01 + 30 days has passed)
    assert [r["问题编号"] for r in sheet(xlsx, "矛盾问题")] == ["Q1"]


def test_annual_table(cstore, tmp_path, capsys):
    m = metrics_for(cstore)
    out = tmp_path / "a"
    assert cli.main(["annual", "--store", str(cstore.root), "--year", "2026", "--out", str(out)]) == 0
    pdf, xlsx = out / "annual_jiangyin_2026.pdf", out / "annual_jiangyin_2026.xlsx"
    assert capsys.readouterr().out.split() == [str(pdf), str(xlsx)]
    text = compact("\n".join(pdf_pages(pdf)))
    assert "江阴市2026年度重大项目考核表" in text and "按2026年10月计，为预考核" in text
    ranking = m.ranking("2026-10")
    rows = sheet(xlsx, "年度考核")
    assert [r["板块"] for r in rows] == ranking["unit_name"].to_list()
    assert [r["排名"] for r in rows] == ranking["rank"].to_list()
    rates = {r[list(r)[0]]: r for r in sheet(xlsx, "年度五率")}
    r = m.rates_since("2026-10", "2025-12")["filing_rate"]
    assert rates["签约项目备案率"]["分母"] == r["denominator"]
    assert cli.main(["annual", "--store", str(cstore.root), "--year", "2019", "--out", str(out)]) == 2
    assert "2019年没有已发布的月度快照" in capsys.readouterr().err
    assert cli.main(["review", "--store", str(cstore.root), "--month", "2026-10", "--out", str(out)]) == 0
    assert (out / "review_jiangyin_2026-10.pdf").exists()
