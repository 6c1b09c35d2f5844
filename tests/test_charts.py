"""Chart and map builders (lifecycle/charts.py, lifecycle/maps.py): hand-built inputs with the
expected numbers worked out in the comments, plus one end-to-end check on a hand-built store."""
from __future__ import annotations

import json
import math

import polars as pl
import pytest

from lifecycle.present import charts, maps
from lifecycle.domain import labels, reference
from lifecycle.query.metrics import Slice
from lifecycle.present import formats
from helpers import metrics_for, project, publish


def _funnel_frame(reached: list[int]) -> pl.DataFrame:
    stages = labels.STAGE_ORDER[: len(reached)]
    df = pl.DataFrame({"stage": stages, "stage_label": [labels.STAGES[s] for s in stages], "reached": reached,
                       "investment_wan": [10000.0 * r for r in reached]})
    first = reached[0]
    return df.with_columns((pl.col("reached") / pl.col("reached").shift(1)).alias("pct_of_previous"),
                           (pl.col("reached") / first).alias("pct_of_first"))


def test_funnel_chart_shows_both_percentages():
    # reached 10 -> 8 -> 4: 8/10 = 80.0 % of previous and of first; 4/8 = 50.0 % of previous, 4/10 = 40.0 % of first
    fig = charts.funnel_chart(_funnel_frame([10, 8, 4]))
    tr = fig.data[0]
    assert list(tr.x) == [10, 8, 4]
    assert list(tr.y) == ["意向签约", "正式签约", "备案/核准"]
    assert tr.text[0] == "<b>10个</b>"  # the first stage has no previous one
    assert "占上一阶段80.0%" in tr.text[1] and "占首阶段80.0%" in tr.text[1]
    assert "占上一阶段50.0%" in tr.text[2] and "占首阶段40.0%" in tr.text[2]
    assert [c[0] for c in tr.customdata] == ["intent", "signed", "filed"]
    # investment in 亿元: 4 × 10,000 万元 = 4 亿元 in the hover data of 备案
    assert tr.customdata[2][1] == pytest.approx(4.0)
    assert fig.layout.font.size >= 18  # big-screen fonts


def test_pct_and_yi_text():
    assert formats.pct_text(None) == "—"
    assert formats.pct_text(0.8512) == "85.1%"
    assert formats.yi_text(123456.0) == "12.35亿元"  # 123,456 万元 / 10,000
    assert formats.yi(50000.0) == 5.0


def test_duration_summary_median_quartiles():
    # filed->started months 1, 2, 3, 10: median (2+3)/2 = 2.5; p25 at position 0.75 -> 1 + 0.75·(2−1) = 1.75;
    # p75 at position 2.25 -> 3 + 0.25·(10−3) = 4.75; mean 16/4 = 4; max 10. signed->filed: one value 6.
    df = pl.DataFrame({"project_id": ["a", "b", "c", "d", "a"],
                       "transition": ["filed_started"] * 4 + ["signed_filed"],
                       "months": [1.0, 2.0, 3.0, 10.0, 6.0]})
    s = charts.duration_summary(df)
    assert s["transition"].to_list() == list(labels.TRANSITIONS)  # lifecycle order, all transitions
    fs = s.filter(pl.col("transition") == "filed_started").row(0, named=True)
    assert fs["n"] == 4
    assert fs["median_months"] == pytest.approx(2.5)
    assert fs["p25_months"] == pytest.approx(1.75)
    assert fs["p75_months"] == pytest.approx(4.75)
    assert fs["mean_months"] == pytest.approx(4.0)
    assert fs["max_months"] == pytest.approx(10.0)
    sf = s.filter(pl.col("transition") == "signed_filed").row(0, named=True)
    assert (sf["n"], sf["median_months"]) == (1, 6.0)
    empty = s.filter(pl.col("transition") == "started_completed").row(0, named=True)
    assert empty["n"] == 0 and empty["median_months"] is None
    fig = charts.duration_chart(df)
    assert [t.name for t in fig.data] == ["签约→备案", "备案→开工（审批周期）"]


def test_tier_charts_stack_new_and_upgrade():
    df = pl.DataFrame({
        "tier_band": ["lt1", "1to10"], "tier_label": ["<1亿", "1–10亿"], "count": [3, 5],
        "total_investment_wan": [15000.0, 250000.0], "cumulative_done_wan": [5000.0, 100000.0],
        "year_done_wan": [1000.0, 20000.0], "new_count": [2, 1], "upgrade_count": [1, 4],
        **{f"stage_{s}": [0, 0] for s in labels.STAGE_ORDER},
    }).with_columns(pl.Series("stage_started", [3, 5]))
    fig = charts.tier_count_chart(df)
    new, upg, totals = fig.data
    assert (new.name, list(new.y)) == ("新招引", [2, 1])
    assert (upg.name, list(upg.y)) == ("技改", [1, 4])
    assert list(totals.text) == ["3个", "5个"]  # 2+1 and 1+4
    assert [c[0] for c in new.customdata] == ["lt1", "1to10"]
    inv = charts.tier_investment_chart(df)
    # 250,000 万元 = 25 亿元 total; 100,000 万元 = 10 亿元 completed; 20,000 万元 = 2 亿元 this year
    assert [list(t.y) for t in inv.data] == [[1.5, 25.0], [0.5, 10.0], [0.1, 2.0]]
    mix = charts.tier_stage_mix_chart(df)
    started = [t for t in mix.data if t.name == "开工"][0]
    assert list(started.x) == [3, 5] and started.customdata[1][0] == "1to10"


def test_tier_class_chart_labels():
    df = pl.DataFrame({"tier_class": ["ge1", "ge10"], "tier_label": ["≥1亿", "≥10亿"], "count": [4, 1],
                       "total_investment_wan": [180000.0, 120000.0], "new_count": [3, 1], "upgrade_count": [1, 0]})
    fig = charts.tier_class_chart(df)
    assert list(fig.data[2].text) == ["4个<br>18亿元", "1个<br>12亿元"]  # 180,000 万元 = 18 亿元


def test_unit_stage_heatmap_fills_missing_cells_with_zero():
    units = [("U1", "甲镇"), ("U2", "乙镇")]
    df = pl.DataFrame({"unit_code": ["U1", "U1", "U2"], "unit_name": ["甲镇", "甲镇", "乙镇"],
                       "stage": ["filed", "started", "started"], "count": [2, 1, 4],
                       "investment_wan": [1.0, 1.0, 1.0]})
    fig = charts.unit_stage_heatmap(df, units)
    heat, click = fig.data
    idx = labels.STAGE_ORDER.index
    assert list(heat.y) == ["甲镇", "乙镇"]
    assert heat.z[0][idx("filed")] == 2 and heat.z[0][idx("started")] == 1 and heat.z[0][idx("intent")] == 0
    assert heat.z[1][idx("started")] == 4 and sum(heat.z[1]) == 4
    # one clickable marker per cell, carrying (unit, stage)
    assert len(click.customdata) == 2 * len(labels.STAGE_ORDER)
    assert list(click.customdata[len(labels.STAGE_ORDER) + idx("started")]) == ["U2", "started"]


def test_unit_month_heatmap_amounts_in_yi():
    units = [("U1", "甲镇")]
    df = pl.DataFrame({"unit_code": ["U1", "U1"], "unit_name": ["甲镇"] * 2, "snapshot_month": ["2026-01", "2026-02"],
                       "in_library": [3, 4], "started_in_month": [0, 1], "completed_in_month": [0, 0],
                       "year_done_wan": [12345.0, 30000.0]})
    fig = charts.unit_month_heatmap(df, units, "year_done_wan")
    assert list(fig.data[0].z[0]) == [1.23, 3.0]  # 12,345 万元 -> 1.23 亿元 (2 decimals), 30,000 -> 3
    assert list(fig.data[1].customdata[1]) == ["U1", "2026-02"]
    cnt = charts.unit_month_heatmap(df, units, "started_in_month")
    assert list(cnt.data[0].z[0]) == [0, 1]


def test_ranking_chart_and_rank_change_text():
    assert [charts.rank_change_text(v) for v in (2, -1, 0, None)] == ["↑2", "↓1", "–", "—"]
    df = pl.DataFrame({"unit_code": ["B", "A", "C"], "unit_name": ["乙", "甲", "丙"], "score": [80.0, 90.0, None],
                       "rank": [2, 1, None], "rank_change": [-1, 3, None]})
    fig = charts.ranking_chart(df)
    bar = fig.data[0]
    assert list(bar.y) == ["1. 甲", "2. 乙"]  # best first, units without a score left out
    assert list(bar.text) == ["90.0  ↑3", "80.0  ↓1"]
    assert [c[0] for c in bar.customdata] == ["A", "B"]


def test_empty_inputs_give_a_message_not_an_error():
    empty = pl.DataFrame(schema={"stage": pl.String, "stage_label": pl.String, "reached": pl.Int64,
                                 "pct_of_previous": pl.Float64, "pct_of_first": pl.Float64})
    fig = charts.funnel_chart(empty)
    assert fig.layout.annotations[0].text == labels.VIEW_TEXT["no_data"]


# ---- maps ---------------------------------------------------------------------------------
def test_ramp_color_endpoints_and_missing():
    assert maps.ramp_color(0.0, 0.0, 10.0)[:3] == list(maps.RAMP[0])
    assert maps.ramp_color(10.0, 0.0, 10.0)[:3] == list(maps.RAMP[-1])
    assert maps.ramp_color(None, 0.0, 10.0)[:3] == list(maps.NO_VALUE)
    # midpoint 5 of 0..10 is position 2.5 of the 6-colour ramp: halfway between RAMP[2] and RAMP[3]
    mid = maps.ramp_color(5.0, 0.0, 10.0)
    assert mid[:3] == [round((a + b) / 2) for a, b in zip(maps.RAMP[2], maps.RAMP[3])]


def test_spiral_positions_largest_at_centre():
    p = pl.DataFrame({"project_id": ["a", "b", "c", "d"], "unit_code": ["U", "U", "U", "X"],
                      "total_investment_wan": [10.0, 30.0, 20.0, 5.0]})
    out = maps.spiral_positions(p, {"U": (120.0, 31.8)}, 0.01)
    assert out["project_id"].to_list() == ["a", "b", "c"]  # X has no position: dropped
    b = out.filter(pl.col("project_id") == "b").row(0, named=True)
    assert (b["lng"], b["lat"]) == (120.0, 31.8)  # the largest (k = 0) sits on the centre
    # the k-th largest is sqrt(k/n)·r from the centre: 'c' is k = 1 of n = 3 -> 0.01·sqrt(1/3) in latitude units
    c = out.filter(pl.col("project_id") == "c").row(0, named=True)
    dx = (c["lng"] - 120.0) * math.cos(math.radians(31.8))
    assert math.hypot(dx, c["lat"] - 31.8) == pytest.approx(0.01 * math.sqrt(1 / 3))


def _tips(region="jiangyin") -> pl.DataFrame:
    reg = reference.region(region)
    codes = list(reg.units)
    return pl.DataFrame({"unit_code": codes, "value": [float(i) for i in range(len(codes))],
                         "value_text": [f"{i}个" for i in range(len(codes))]})


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_deck_is_offline_with_outline_units_projects_and_tooltips(region):
    reg = reference.region(region)
    code = next(iter(reg.units))
    projects = pl.DataFrame({"project_id": ["P1"], "name": ["测试项目"], "unit_code": [code],
                             "total_investment_wan": [200000.0], "stage": ["started"]})
    deck = maps.build_deck(region, _tips(region), "在库项目数", projects, use_official=False)
    j = json.loads(deck.to_json())
    # no basemap: no provider, and the "__MAP_STYLE__" placeholder Streamlit reads as "no style"
    assert "mapProvider" not in j and j.get("mapStyle") in (None, "__MAP_STYLE__")
    ids = [layer["id"] for layer in j["layers"]]
    assert ids == ["county", "units", "projects", "unit_labels"]
    county = j["layers"][0]["data"]["features"]
    assert {f["properties"]["adcode"] for f in county} == {int(c) for c in reg.county_codes}
    units = j["layers"][1]["data"]
    assert len(units) == len(reg.units)
    first = [u for u in units if u["unit_code"] == code][0]
    assert reg.units[code].name in first["tip"] and "在库项目数：0个" in first["tip"]
    assert first["color"][:3] == list(maps.RAMP[0])  # lowest value -> lightest colour
    proj = j["layers"][2]["data"][0]
    assert "总投资：20.00 亿元" in proj["tip"] and "当前阶段：开工" in proj["tip"]
    labels_layer = j["layers"][3]
    assert labels_layer["sizeUnits"] == "pixels" and not labels_layer["characterSet"].startswith("@@")
    assert j["initialViewState"]["zoom"] > 7


def test_official_township_geojson_replaces_points():
    reg = reference.region("jiangyin")
    codes = list(reg.units)[:2]
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code9": codes[0], "name": "x"},
         "geometry": {"type": "Polygon", "coordinates": [[[120.1, 31.8], [120.2, 31.8], [120.2, 31.9], [120.1, 31.8]]]}},
        {"type": "Feature", "properties": {"name": reg.units[codes[1]].name},  # matched by name
         "geometry": {"type": "Polygon", "coordinates": [[[120.3, 31.8], [120.4, 31.8], [120.4, 31.9], [120.3, 31.8]]]}},
    ]}
    tips = pl.DataFrame({"unit_code": codes, "value": [1.0, 9.0], "value_text": ["1个", "9个"]})
    j = json.loads(maps.build_deck("jiangyin", tips, "在库项目数", None, township_geojson=gj).to_json())
    ids = [layer["id"] for layer in j["layers"]]
    assert "townships" in ids and "units" not in ids
    feats = j["layers"][ids.index("townships")]["data"]["features"]
    assert [f["properties"]["unit_code"] for f in feats] == codes
    assert feats[0]["properties"]["fill"][:3] == list(maps.RAMP[0])  # 1 is the minimum
    assert feats[1]["properties"]["fill"][:3] == list(maps.RAMP[-1])  # 9 is the maximum
    assert "townships_jiangyin.geojson" in maps.source_text("jiangyin", gj)


def test_unit_measures_and_value_text(make_store):
    # Two townships; A has two in-library projects (one filed, one started) and one exited project;
    # B has one started project. Investment: 10,000 + 30,000 (+ the exited 50,000 not in library).
    st = make_store("jiangyin")
    a, b = "320281001", "320281004"
    publish(st, "2026-03", [
        project("P1", township_code=a, filed_on="2025-06-01", total_investment_wan=10000.0),
        project("P2", township_code=a, filed_on="2025-06-01", started_on="2025-09-01", total_investment_wan=30000.0,
                year_plan_wan=8000.0, year_done_wan=2000.0),
        project("P3", township_code=a, filed_on="2025-06-01", exit_on="2026-01-15", exit_reason="stalled",
                total_investment_wan=50000.0),
        project("P4", township_code=b, filed_on="2025-06-01", started_on="2026-02-01", total_investment_wan=20000.0,
                year_plan_wan=4000.0, year_done_wan=3000.0),
    ])
    m = metrics_for(st)
    out = maps.unit_measures("jiangyin", m.unit_stage("2026-03"), m.unit_month("2026-03"), "2026-03",
                             m.rates("2026-03", group_by="unit_code"), m.unit_operations("2026-03"), [a, b])
    ra = out.filter(pl.col("unit_code") == a).row(0, named=True)
    rb = out.filter(pl.col("unit_code") == b).row(0, named=True)
    assert (ra["in_library"], ra["total_investment_wan"]) == (2, 40000.0)  # P1 + P2; P3 exited
    assert (rb["in_library"], rb["total_investment_wan"]) == (1, 20000.0)
    # this year's investment done: A 2,000 (P2; P3 has none); B 3,000
    assert (ra["year_done_wan"], rb["year_done_wan"]) == (2000.0, 3000.0)
    # investment rate: A 2,000 / 8,000 = 25 %; B 3,000 / 4,000 = 75 %
    assert ra["investment_rate"] == pytest.approx(0.25) and rb["investment_rate"] == pytest.approx(0.75)
    assert ra["tax_per_mu"] is None  # no operations reported
    assert maps.value_text("investment_rate", rb) == "75.0%（0.30/0.40亿元）"
    assert maps.value_text("in_library", ra) == "2个"
    assert maps.value_text("total_investment_wan", ra) == "4.00亿元"
    assert maps.value_text("tax_per_mu", ra) == "—"


def test_funnel_chart_from_metrics_on_hand_store(make_store):
    # 3 formal signings: all signed, 2 filed, 1 started -> 正式签约 3 (100 % of first), 备案 2 (66.7 %),
    # 开工 1 (50.0 % of previous, 33.3 % of first).
    st = make_store("jiangyin")
    publish(st, "2026-03", [
        project("A"), project("B", filed_on="2025-01-01"),
        project("C", filed_on="2025-01-01", started_on="2025-05-01"),
    ])
    m = metrics_for(st)
    fig = charts.funnel_chart(m.funnel("2026-03", Slice()))
    tr = fig.data[0]
    assert list(tr.x)[:4] == [3, 3, 2, 1]
    assert "占上一阶段66.7%" in tr.text[2] and "占首阶段66.7%" in tr.text[2]
    assert "占上一阶段50.0%" in tr.text[3] and "占首阶段33.3%" in tr.text[3]
