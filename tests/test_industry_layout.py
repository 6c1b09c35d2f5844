"""现有产业布局 (docs/domain.md §16.6): unit × industry chain of in-library projects — the matrix by
hand on a small store, empty and one-row slices, the chart and map builders, and the map page's
产业布局 layer on both regions."""
from __future__ import annotations

import json

import pytest
from helpers import REPO, metrics_for, project, publish
from streamlit.testing.v1 import AppTest

from lifecycle.domain import labels
from lifecycle.present import charts, maps
from lifecycle.query.metrics import Metrics, Scope, ScopeError, Slice

A, B, C = "320281001", "320281004", "320281005"
IL = labels.INDUSTRY_LAYOUT_TEXT


@pytest.fixture
def m(make_store):
    st = make_store("jiangyin")
    publish(st, "2026-09", [
        project("P1", township_code=A, industry_chain="新材料", total_investment_wan=120000.0),
        project("P2", township_code=A, industry_chain="新材料", total_investment_wan=30000.0),
        project("P3", township_code=A, industry_chain="集成电路", total_investment_wan=50000.0),
        project("P4", township_code=A, industry_chain="新材料", total_investment_wan=900000.0,
                exit_on="2026-05-01", exit_reason="lost"),                                   # exited: left out
        project("P5", township_code=B, industry_chain="集成电路", total_investment_wan=25000.0),
        project("P6", township_code=B, industry_chain=None, total_investment_wan=10000.0),  # no chain
        project("P7", township_code=B, industry_chain="  ", total_investment_wan=5000.0),   # blank chain
    ])
    return metrics_for(st)


def test_matrix_by_hand(m):
    df = m.industry_layout("2026-09")
    assert df.select("unit_code", "industry_chain", "project_count", "investment_yi").rows() == [
        (A, "新材料", 2, 15.0),        # P1 12亿 + P2 3亿 (P4 exited)
        (A, "集成电路", 1, 5.0),       # P3
        (B, IL["unfilled"], 2, 1.5),   # P6 1亿 + P7 0.5亿
        (B, "集成电路", 1, 2.5),       # P5
    ]
    assert set(df["unit_name"]) == {"澄江街道", "南闸街道"}
    # most projects first (2 and 2: by code point, 新 U+65B0 before 集 U+96C6), 未填报 last
    assert maps.chain_order(df) == ["新材料", "集成电路", IL["unfilled"]]


def test_slices_and_scope(m):
    one = m.industry_layout("2026-09", Slice(units=(B,), sections=("C",)))
    assert one.height == 2
    empty = m.industry_layout("2026-09", Slice(units=(C,)))
    assert empty.is_empty() and "investment_yi" in empty.columns
    town = Metrics(m.db, Scope(A))
    assert set(town.industry_layout("2026-09")["unit_code"]) == {A}
    with pytest.raises(ScopeError):
        town.industry_layout("2026-09", Slice(units=(B,)))


def _fig_text(fig) -> str:
    return json.dumps(fig.to_plotly_json(), ensure_ascii=False, default=str)


def test_builders_on_empty_and_one_row(m):
    units = [(A, "澄江街道"), (B, "南闸街道"), (C, "云亭街道")]
    df = m.industry_layout("2026-09")
    fig = charts.industry_heatmap(df, units, maps.chain_order(df), "investment_yi")
    heat = fig.data[0]
    assert list(heat.x) == ["新材料", "集成电路", IL["unfilled"]]
    assert [list(r) for r in heat.z] == [[15.0, 5.0, 0.0], [0.0, 2.5, 1.5], [0.0, 0.0, 0.0]]
    counts = charts.industry_heatmap(df, units, maps.chain_order(df), "project_count").data[0]
    assert [list(r) for r in counts.z] == [[2, 1, 0], [0, 1, 2], [0, 0, 0]]
    one = df.head(1)
    for frame in (one, df.clear()):
        for v in ("project_count", "investment_yi"):
            text = _fig_text(charts.industry_heatmap(frame, units, maps.chain_order(frame), v))
            assert "NaN" not in text and "None" not in text and "nan" not in text.lower().replace("financial", "")
            uf = maps.industry_unit_frame(frame, (maps.chain_order(frame) or [None])[0], v, [A, B, C])
            assert uf["value"].null_count() == 0 and "None" not in "".join(uf["value_text"])
    uf = maps.industry_unit_frame(df, "新材料", "investment_yi", [A, B, C])
    assert uf.select("unit_code", "value", "value_text").rows() == [
        (A, 15.0, "15.00亿元"), (B, 0.0, "0.00亿元"), (C, 0.0, "0.00亿元")]
    deck = maps.build_deck("jiangyin", uf, "新材料总投资（亿元）", None)
    assert "15.00亿元" in json.dumps(json.loads(deck.to_json()), ensure_ascii=False)


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_map_page_industry_layer(region_env, region):
    m = region_env(region)
    month = m.latest_month()
    at = AppTest.from_file(str(REPO / "pages" / "map.py"), default_timeout=180)
    at.run()
    assert not at.exception
    at.radio(key="map_layer").set_value("industry").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    layout = m.industry_layout(month)
    chains = maps.chain_order(layout)
    assert at.selectbox(key="map_chain").options == chains
    assert len(at.get("deck_gl_json_chart")) == 1
    tbl = next(d.value for d in at.dataframe if labels.COLUMNS["industry_chain"] in d.value.columns)
    assert int(tbl[labels.COLUMNS["project_count"]].sum()) == int(layout["project_count"].sum())
    at.selectbox(key="map_chain").set_value(chains[-1])
    at.radio(key="map_chain_value").set_value("investment_yi").run()
    assert not at.exception and not at.error
    text = "".join(d.value.astype(str).to_string() for d in at.dataframe
                   if labels.COLUMNS["industry_chain"] in d.value.columns)
    assert "nan" not in text.lower() and "None" not in text


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_map_page_industry_layer_empty_and_one_row_slices(region_env, region):
    """The 产业布局 layer on a slice without projects (an info line, no chain selector) and on a
    slice of one unit × one chain (every number shown, no nan/None)."""
    m = region_env(region)
    month = m.latest_month()
    layout = m.industry_layout(month)
    # one row: the unit × tier with the fewest chains, narrowed until a single row is left
    one = None
    for tier in ("ge100", "50to100", "30to50", "10to30", "1to10", "lt1"):
        for u in layout["unit_code"].unique().sort().to_list():
            if m.industry_layout(month, Slice(units=(u,), tiers=(tier,))).height == 1:
                one = {"unit": u, "tier": tier}
                break
        if one:
            break
    empty = next({"unit": u, "tier": t} for u in layout["unit_code"].unique().sort().to_list()
                 for t in ("ge100", "50to100", "lt1") if m.industry_layout(month, Slice(units=(u,), tiers=(t,))).is_empty())
    assert one is not None, "no one-row slice in the demo"
    for query, rows in ((empty, 0), (one, 1)):
        at = AppTest.from_file(str(REPO / "pages" / "map.py"), default_timeout=180)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        at.radio(key="map_layer").set_value("industry").run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        tables = [d.value for d in at.dataframe if labels.COLUMNS["industry_chain"] in d.value.columns]
        if rows == 0:
            assert any(IL["none"] in i.value for i in at.info) and not tables
        else:
            assert len(tables) == 1 and len(tables[0]) == 1
            text = tables[0].astype(str).to_string()
            assert "nan" not in text.lower() and "None" not in text
        assert len(at.get("deck_gl_json_chart")) == 1
