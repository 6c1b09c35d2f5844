"""要素保障 (docs/domain.md §13): quota / allocated / remaining / waiting / shortfall worked by hand,
the optional 要素指标 sheet and the new project columns through the template and the import
(round trip, synonyms, units, a clear error), months without the table, and the page on both
regions' demo stores."""
from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from helpers import DEMO_END, frame, metrics_for, project, publish, rewrite_as_older_version
from lifecycle.domain import schema
from lifecycle.ingest.importer import Source, export_month, import_ledgers
from lifecycle.ingest.template import ledger_bytes
from lifecycle.query.metrics import Slice

REPO = Path(__file__).resolve().parents[1]
A, B = "320281001", "320281100"  # 澄江街道, 璜土镇


def quota_frame(rows: list[dict]) -> pl.DataFrame:
    return frame("quotas", rows)


@pytest.fixture
def qstore(make_store):
    """2026-09 without a quota sheet; 2026-10 with quotas for 澄江街道 (2026: land 50 + — + 60 = 110
    亩, no emission figure, energy 300 吨标煤; 2025: land 999) and none for 璜土镇.
    P1 (A) allocated 100 亩 this year; P2 (A) waits for 80 亩 and 500 吨标煤; P3 (A) exited with
    5 亩 allocated and 7 亩 demand; P4 (B) waits for 20 亩."""
    st = make_store()
    ps = [project("P1", township_code=A, land_allocated_mu=100.0),
          project("P2", township_code=A, land_demand_mu=80.0, energy_demand_tce=500.0),
          project("P3", township_code=A, land_allocated_mu=5.0, land_demand_mu=7.0, exit_on="2026-05-01",
                  exit_reason="lost"),
          project("P4", township_code=B, land_demand_mu=20.0)]
    publish(st, "2026-09", ps)
    st.publish("2026-10", {"projects": frame("projects", ps), "approvals": schema.empty("approvals"),
                           "operations": schema.empty("operations"), "problems": schema.empty("problems"),
                           "quotas": quota_frame([
                               {"unit_code": A, "year": 2026, "land_unsupplied_mu": 50.0, "land_reserve_mu": 60.0,
                                "energy_tce": 300.0},
                               {"unit_code": A, "year": 2025, "land_unsupplied_mu": 999.0}])})
    return st


def _get(df, unit, resource):
    return df.filter((pl.col("unit_code") == unit) & (pl.col("resource") == resource)).row(0, named=True)


def test_quota_remaining_and_shortfall_by_hand(qstore):
    m = metrics_for(qstore)
    q = m.quota_units("2026-10")
    land = _get(q, A, "land")
    # quota 50 + 60 = 110 (the 2025 row is another year); allocated 100 + 5 (the exited project's
    # allocation was used) = 105; remaining 5; waiting: P2 only (P3 has left the library): 80;
    # shortfall 80 - 5 = 75
    assert (land["quota"], land["allocated"], land["remaining"]) == (110.0, 105.0, 5.0)
    assert (land["waiting_projects"], land["waiting_demand"], land["shortfall"]) == (1, 80.0, 75.0)
    energy = _get(q, A, "energy")
    assert (energy["quota"], energy["allocated"], energy["remaining"], energy["shortfall"]) == (300.0, 0.0, 300.0, 200.0)
    emission = _get(q, A, "emission")  # no figure reported: no quota, nothing to subtract from
    assert emission["quota"] is None and emission["remaining"] is None and emission["shortfall"] is None
    b = _get(q, B, "land")  # no quota row for the unit: its demand still shows
    assert (b["has_quota"], b["quota"], b["waiting_projects"], b["waiting_demand"]) == (False, None, 1, 20.0)
    assert q.height == 21 * 3  # every Jiangyin unit × 3 resources
    # the month published without the sheet reads as no quotas
    assert not m.quota_units("2026-09")["has_quota"].any()
    assert qstore.read("2026-09", "quotas").is_empty()
    # the unit filter narrows the units; waiting projects list
    only = m.quota_units("2026-10", Slice(units=(B,)))
    assert set(only["unit_code"]) == {B}
    assert sorted(m.quota_waiting("2026-10")["project_id"].to_list()) == ["P2", "P4"]


def test_template_has_the_quota_sheet_and_columns():
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(ledger_bytes("jiangyin")))
    assert "要素指标" in wb.sheetnames
    head = [c.value for c in wb["要素指标"][2]]
    assert head == ["板块", "年度", "批而未供（亩）", "供而未用（亩）", "收购储备（亩）", "排放总量指标（吨）", "能耗指标（吨标煤）"]
    phead = [c.value for c in wb["项目"][2]]
    quota_cols = ["尚需用地指标（亩）", "尚需排放指标（吨）", "尚需能耗指标（吨标煤）", "本年已分配用地（亩）",
                  "本年已分配排放指标（吨）", "本年已分配能耗指标（吨标煤）"]
    # the six quota columns sit side by side (other sheets' columns may follow them)
    start = phead.index(quota_cols[0])
    assert phead[start:start + 6] == quota_cols


def test_export_import_round_trip_with_quotas(qstore, make_store, tmp_path):
    out = tmp_path / "m.xlsx"
    export_month(qstore, "2026-10", str(out))
    fresh = make_store(name="fresh")
    res = import_ledgers([Source.from_path(out)], "2026-10", fresh)
    assert res.ok, res.report.text(limit=5)
    for t in ("projects", "quotas"):
        a = schema.conform(t, qstore.read("2026-10", t)).sort(schema.TABLES[t][0].name, schema.TABLES[t][1].name)
        b = fresh.read("2026-10", t).sort(schema.TABLES[t][0].name, schema.TABLES[t][1].name)
        assert_frame_equal(a, b)
    assert fresh.read("2026-10", "quotas").height == 2


def _quota_ledger(rows: list[list], header: list[str]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("2026年要素指标")
    for j, h in enumerate(header):
        ws.write_string(0, j, h)
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            if isinstance(v, str):
                ws.write_string(i, j, v)
            elif v is not None:
                ws.write_number(i, j, v)
    wb.close()
    return buf.getvalue()


def test_quota_sheet_synonyms_units_and_errors(qstore):
    header = ["镇街", "年份", "批而未供(公顷)", "供而未用", "收购储备", "排放指标(千克)", "能耗指标(万吨标煤)"]
    data = _quota_ledger([["璜土镇", 2026, 2, 10, 20, 1500, 1.5], ["月城园区", 2026, None, None, None, None, 0.2]], header)
    res = import_ledgers([Source("要素.xlsx", data)], "2026-10", qstore, dry_run=True)
    assert res.ok, res.report.text(limit=5)
    assert res.report.summary["tables"]["quotas"]["rows"] == 2
    # projects carried forward from the same month; the sheet alone publishes
    res = import_ledgers([Source("要素.xlsx", data)], "2026-10", qstore)
    assert res.ok
    got = qstore.read("2026-10", "quotas").sort("unit_code")
    b = got.filter(pl.col("unit_code") == B).row(0, named=True)
    # 2 公顷 = 30 亩; 1,500 千克 = 1.5 吨; 1.5 万吨标煤 = 15,000 吨标煤
    assert (b["land_unsupplied_mu"], b["land_unused_mu"], b["emission_t"], b["energy_tce"]) == (30.0, 10.0, 1.5, 15000.0)
    assert got.filter(pl.col("unit_code") == "320281406")["energy_tce"].to_list() == [2000.0]
    # an unknown unit and a repeated unit × year are errors naming sheet, row, column and value
    bad = _quota_ledger([["火星镇", 2026, 1, 1, 1, 1, 1], ["璜土镇", 2026, 1, 1, 1, 1, 1], ["璜土镇", 2026, 2, 2, 2, 2, 2]],
                        header)
    res = import_ledgers([Source("要素.xlsx", bad)], "2026-10", qstore, dry_run=True)
    assert not res.ok
    msgs = [(e.sheet, e.row, e.column, e.value, e.message) for e in res.report.errors]
    assert any(s == "2026年要素指标" and r == 2 and c == "镇街" and v == "火星镇" and "未知的镇街园区“火星镇”" in msg
               for s, r, c, v, msg in msgs), msgs
    assert any(r == 4 and "重复" in msg for _, r, _, _, msg in msgs), msgs


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_quota_page_on_demo(region_env, region):
    m = region_env(region)
    at = AppTest.from_file(str(REPO / "pages" / "quotas.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    q = m.quota_units(DEMO_END).filter(pl.col("resource") == "land")
    assert q["has_quota"].all()  # the demo reports a quota for every unit
    got = {x.label: x.value for x in at.metric}
    assert got["待分配项目数"] == f"{int(q['waiting_projects'].sum()):,}"
    assert got[f"{DEMO_END[:4]}年年度指标（亩）"] == f"{q['quota'].sum():,.2f}"
    at.radio(key="qt_resource").set_value("energy").run()
    assert not at.exception
    e = m.quota_units(DEMO_END).filter(pl.col("resource") == "energy")
    assert {x.label: x.value for x in at.metric}["本年已分配（吨标煤）"] == f"{e['allocated'].sum():,.0f}"


def test_months_published_before_the_new_columns_still_read(qstore):
    """A projects file written before the quota/evaluation columns existed: the staging view
    switches to reading by name (db.py) and the old month reads them as empty."""
    names = [c.name for c in schema.TABLES["projects"]]
    new_cols = names[names.index("land_demand_mu"):]  # the quota columns and everything added after
    rewrite_as_older_version(qstore, "2026-09", "projects", new_cols)
    m = metrics_for(qstore)
    assert m.db._union["projects"] is True
    assert m.quota_waiting("2026-09").is_empty()
    assert sorted(m.quota_waiting("2026-10")["project_id"].to_list()) == ["P2", "P4"]
    assert m.rates("2026-09")["filing_rate"] == m.rates("2026-10")["filing_rate"]
    fresh = metrics_for(qstore.__class__(qstore.root))
    assert fresh.db._union["problems"] is False  # every problems file has the current columns
