"""Rate attribution (变动归因, docs/forecast.md) on a hand-worked fixture: the change of the start
rate between 2025-01 and 2025-02 split by unit into mix and performance; the parts add up to
the total exactly.

Unit A (澄江街道): A1–A4 filed in January; A1, A2 started in January, A3 starts in February;
  A5, A6 filed in February, not started.
Unit B (璜土镇): B1, B2 filed in January, B1 started; B3 filed and started in February.

  2025-01: A 2/4, B 1/2 -> R0 = 3/6 = 1/2
  2025-02: A 3/6, B 2/3 -> R1 = 5/9;  change = 5/9 − 1/2 = 1/18 (5.56 points)
  R̄ = (1/2 + 5/9) / 2 = 19/36.  c = (n1 − R̄·d1)/D1 − (n0 − R̄·d0)/D0 per unit × group:
  A stay  (2/4 -> 3/4): (3 − 19/9)/9 − (2 − 19/9)/6 = 8/81 + 1/54 = 19/162
  A enter (– -> 0/2):   (0 − 19/18)/9             = −19/162        -> A: 0
  B stay  (1/2 -> 1/2): (1 − 19/18)/9 − (1 − 19/18)/6 = 1/324
  B enter (– -> 1/1):   (1 − 19/36)/9             = 17/324         -> B: 18/324 = 1/18
  performance = stayers' newly reached / D1: A 1/9, B 0; mix = contribution − performance:
  A −1/9, B 1/18.
"""
from __future__ import annotations

from fractions import Fraction

import pytest
from helpers import metrics_for, project, publish

from lifecycle.present import explain
from lifecycle.query.attribution import compare_month, decompose

A = "320281001"  # 澄江街道
B = "320281100"  # 璜土镇

ROWS = [
    {"unit_code": A, "grp": "stay", "projects": 4, "num0": 2, "den0": 4, "num1": 3, "den1": 4},
    {"unit_code": A, "grp": "enter", "projects": 2, "num0": 0, "den0": 0, "num1": 0, "den1": 2},
    {"unit_code": B, "grp": "stay", "projects": 2, "num0": 1, "den0": 2, "num1": 1, "den1": 2},
    {"unit_code": B, "grp": "enter", "projects": 1, "num0": 0, "den0": 0, "num1": 1, "den1": 1},
]


def test_decompose_hand_worked_exact():
    res = decompose(ROWS)
    assert res["r0"] == Fraction(1, 2) and res["r1"] == Fraction(5, 9)
    assert res["total"] == Fraction(1, 18)
    a, b = res["units"][A], res["units"][B]
    assert a["contribution"] == 0
    assert b["contribution"] == Fraction(1, 18)
    assert a["performance"] == Fraction(1, 9) and a["mix"] == Fraction(-1, 9)
    assert b["performance"] == 0 and b["mix"] == Fraction(1, 18)
    # exactly, not to rounding
    assert sum(u["contribution"] for u in res["units"].values()) == res["total"]
    assert all(u["mix"] + u["performance"] == u["contribution"] for u in res["units"].values())
    assert (a["entered"], a["entered_reached"], a["gained"]) == (2, 0, 1)
    assert (b["entered"], b["entered_reached"], b["gained"]) == (1, 1, 0)


def test_decompose_exact_with_investment_amounts_and_leavers():
    rows = [
        {"unit_code": "X", "grp": "stay", "projects": 3, "num0": 100.1, "den0": 333.3, "num1": 250.7, "den1": 333.3},
        {"unit_code": "X", "grp": "leave", "projects": 1, "num0": 12.5, "den0": 40.0, "num1": 0, "den1": 0},
        {"unit_code": "Y", "grp": "enter", "projects": 2, "num0": 0, "den0": 0, "num1": 7.3, "den1": 91.9},
        {"unit_code": "Z", "grp": "stay", "projects": 1, "num0": 0.0, "den0": 10.0, "num1": 10.0, "den1": 12.0},
    ]
    res = decompose(rows)
    assert sum(u["contribution"] for u in res["units"].values()) == res["total"]
    n0, d0 = Fraction(100.1) + Fraction(12.5), Fraction(333.3) + Fraction(40.0) + Fraction(10.0)
    n1, d1 = Fraction(250.7) + Fraction(7.3) + Fraction(10.0), Fraction(333.3) + Fraction(91.9) + Fraction(12.0)
    assert res["total"] == n1 / d1 - n0 / d0
    assert decompose([{**rows[0], "den1": 0}]) is None  # no value after -> no change


@pytest.fixture
def store(make_store):
    st = make_store()
    jan = [
        project("A1", township_code=A, filed_on="2025-01-10", started_on="2025-01-20"),
        project("A2", township_code=A, filed_on="2025-01-10", started_on="2025-01-20"),
        project("A3", township_code=A, filed_on="2025-01-10"),
        project("A4", township_code=A, filed_on="2025-01-10"),
        project("B1", township_code=B, filed_on="2025-01-10", started_on="2025-01-20"),
        project("B2", township_code=B, filed_on="2025-01-10"),
    ]
    feb = [dict(r) for r in jan]
    feb[2] = project("A3", township_code=A, filed_on="2025-01-10", started_on="2025-02-10")
    feb += [
        project("A5", township_code=A, signed_on="2025-02-01", filed_on="2025-02-05"),
        project("A6", township_code=A, signed_on="2025-02-01", filed_on="2025-02-05"),
        project("B3", township_code=B, signed_on="2025-02-01", filed_on="2025-02-05", started_on="2025-02-20"),
    ]
    publish(st, "2025-01", jan)
    publish(st, "2025-02", feb)
    return st


def test_attribution_on_store_matches_hand_worked(store):
    m = metrics_for(store)
    att = m.rate_attribution("2025-02")
    assert att["previous_month"] == "2025-01"
    sr = att["rates"]["start_rate"]
    assert sr["rate0"] == pytest.approx(0.5) and sr["rate1"] == pytest.approx(5 / 9)
    assert sr["change_pp"] == pytest.approx(100 / 18)
    # the change equals the one the rate cards show
    assert sr["change_pp"] == pytest.approx(m.rates_with_change("2025-02")["start_rate"]["change_pp"])
    u = {r["unit_code"]: r for r in sr["units"].iter_rows(named=True)}
    assert u[B]["contribution_pp"] == pytest.approx(100 / 18)
    assert u[A]["contribution_pp"] == pytest.approx(0, abs=1e-12)
    assert u[A]["performance_pp"] == pytest.approx(100 / 9) and u[A]["mix_pp"] == pytest.approx(-100 / 9)
    assert u[B]["mix_pp"] == pytest.approx(100 / 18) and u[B]["performance_pp"] == pytest.approx(0, abs=1e-12)
    assert sr["units"]["unit_code"][0] == B  # largest contribution first
    assert sr["units"]["contribution_pp"].sum() == pytest.approx(sr["change_pp"], abs=1e-12)
    # filing rate: every project signed 2023-01-01 (outside 2025) except A5, A6, B3, all filed -> 0/0 then 3/3
    assert att["rates"]["filing_rate"]["change_pp"] is None
    # no completion list, no capacity cohort: no change to explain
    assert att["rates"]["production_rate"]["change_pp"] is None


def test_attribution_sentence(store):
    m = metrics_for(store)
    att = m.rate_attribution("2025-02")
    s = explain.attribution_sentences(att, "镇街园区")
    assert s["start_rate"] == "备案项目开工率 +5.6 个百分点，主要来自 璜土镇 +5.6（进入口径 1 个、其中已达到 1 个）"
    assert s["filing_rate"] == "签约项目备案率：无可比数据"


def test_attribution_versus_quarter_and_first_month(store):
    m = metrics_for(store)
    assert compare_month(m.months, "2025-02", "quarter") is None  # nothing published in 2024Q4
    att = m.rate_attribution("2025-01")
    assert att["previous_month"] is None
    assert all(v["change_pp"] is None and v["units"].is_empty() for v in att["rates"].values())
    assert compare_month(["2024-11", "2024-12", "2025-01", "2025-02"], "2025-02", "quarter") == "2024-12"


def test_bulletin_carries_the_attribution_paragraph(store):
    from lifecycle.outputs.document import Text
    from lifecycle.outputs.pack import bulletin_document

    m = metrics_for(store)
    doc = bulletin_document(m, "2025-02")
    texts = [b.text for b in doc.blocks if isinstance(b, Text)]
    para = [t for t in texts if t.startswith("五率变动归因（较2025年1月）")]
    assert para and "备案项目开工率 +5.6 个百分点，主要来自 璜土镇 +5.6" in para[0]
    # the first month has nothing to compare with: no paragraph
    assert not [b for b in bulletin_document(m, "2025-01").blocks
                if isinstance(b, Text) and b.text.startswith("五率变动归因")]
