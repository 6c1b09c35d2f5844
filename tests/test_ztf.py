"""招推服 numbers on tiny hand-built stores (docs/domain.md §2.3, §7.2–7.5): phase membership and
overdue at the boundary dates, the month's hand-overs, the yearly counts with the
time-proportional target (target × months elapsed / 12), the 规上 rule of the 新增长点培育库, the
grade thresholds of the yearly evaluation, the 亿元 entry rule and the 省市重大 filter. Every
expected value is worked out by hand in the comments."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from helpers import metrics_for, project, publish
from lifecycle.ingest.importer import Source, validate
from lifecycle.query.metrics import Slice
from test_import_support import xlsx_bytes

TN = "320402001"   # 雕庄街道, 天宁区 (unit 320402)
WJ = "320412100"   # 湖塘镇, 武进区 (unit 320412)
M = "2025-06"      # as-of date A = 2025-06-30, 6 months elapsed


def _cz(make_store, rows, operations=(), config: str | None = None):
    st = make_store("changzhou")
    if config:
        (st.root / "config.toml").write_text(config, encoding="utf-8")
    publish(st, M, rows, operations=operations)
    return metrics_for(st)


# ---- phases (§2.3): Changzhou 招引签约 6 months, 项目建设 30 months, 投产达效 24 months --------------
PHASE_ROWS = [
    # filed on A itself: 项目建设 since 06-30; a hand-over 招引签约 -> 项目建设 in June
    project("P1", township_code=TN, signed_on="2025-01-10", filed_on="2025-06-30"),
    # signed 2024-12-31: + 6 months = 2025-06-30, not < A -> in 招引签约, not overdue
    project("P2", township_code=TN, signed_on="2024-12-31"),
    # intent signed 2024-12-29: + 6 months = 2025-06-29 < A -> overdue by 1 day
    project("P3", township_code=TN, signing_type="intent", signed_on="2024-12-29"),
    # intent 2024-11-01 kept after the formal signing 2025-05-01: the clock runs from the intent
    # date, + 6 months = 2025-05-01 < A -> overdue
    project("P4", township_code=WJ, signed_on="2025-05-01", intent_signed_on="2024-11-01"),
    # filed 2023-01-01: + 30 months = 2025-07-01 > A -> 项目建设, not overdue
    project("P5", township_code=WJ, filed_on="2023-01-01", started_on="2023-06-01"),
    # filed 2022-12-15: + 30 months = 2025-06-15 < A -> overdue
    project("P6", township_code=WJ, signed_on="2022-12-01", filed_on="2022-12-15", started_on="2023-01-01"),
    # completed 2025-06-01: 投产达效 since then; a hand-over 项目建设 -> 投产达效 in June
    project("P7", township_code=TN, filed_on="2023-02-01", started_on="2023-03-01", completed_on="2025-06-01"),
    # 达产达效 ends the lifecycle: in 投产达效, never overdue although 2022-01-01 + 24 months < A
    project("P8", township_code=TN, signed_on="2020-01-01", filed_on="2020-06-01", started_on="2021-01-01",
            completed_on="2022-01-01", production_on="2022-03-01", capacity_on="2025-01-01"),
    # completed 2023-01-01, producing: + 24 months = 2025-01-01 < A -> overdue
    project("P9", township_code=WJ, filed_on="2021-02-01", started_on="2021-03-01", completed_on="2023-01-01",
            production_on="2023-03-01"),
    # exited: in no phase
    project("P10", township_code=TN, exit_on="2025-03-01", exit_reason="lost"),
    # no filing needed, started 2025-06-10: 项目建设 from its start; a hand-over on 06-10
    project("P11", township_code=TN, signed_on="2025-02-01", started_on="2025-06-10"),
]


@pytest.fixture
def phases_m(make_store):
    return _cz(make_store, PHASE_ROWS)


def test_phase_membership_and_overdue_at_the_boundaries(phases_m):
    df = phases_m.phase_projects(M)
    got = {r["project_id"]: (r["phase"], r["overdue"]) for r in df.iter_rows(named=True)}
    assert got == {
        "P1": ("build", False), "P2": ("attract", False), "P3": ("attract", True), "P4": ("attract", True),
        "P5": ("build", False), "P6": ("build", True), "P7": ("operate", False), "P8": ("operate", False),
        "P9": ("operate", True), "P11": ("build", False),
    }
    entry = {r["project_id"]: r["phase_entry_on"] for r in df.iter_rows(named=True)}
    assert entry["P4"] == dt.date(2024, 11, 1)   # the kept intent date
    assert entry["P11"] == dt.date(2025, 6, 10)  # no filing: the start
    p3 = df.filter(df["project_id"] == "P3").row(0, named=True)
    assert p3["months_over"] == pytest.approx(1 / 30.4375)  # 2025-06-29 -> 06-30
    assert p3["months_in_phase"] == pytest.approx(183 / 30.4375)  # 2024-12-29 -> 2025-06-30 = 183 days
    assert p3["phase_dept"] == "商务局"


def test_phase_summary_and_handover(phases_m):
    s = phases_m.phase_summary(M)
    assert s["phase_name"].to_list() == ["招引签约", "项目建设", "投产达效"]
    assert s["phase_dept"].to_list() == ["商务局", "发改委", "工信局"]
    assert s["count"].to_list() == [3, 4, 3]          # P2 P3 P4 | P1 P5 P6 P11 | P7 P8 P9
    assert s["overdue_count"].to_list() == [2, 1, 1]  # P3 P4 | P6 | P9
    assert s["done_count"].to_list() == [0, 0, 1]     # P8
    assert s["handed_in"].to_list() == [0, 2, 1]      # P1, P11 into 项目建设; P7 into 投产达效
    assert s["handed_out"].to_list() == [2, 1, 0]
    h = phases_m.phase_handover(M)
    rows = [(r["project_id"], r["from_dept"], r["to_dept"], r["handover_on"]) for r in h.iter_rows(named=True)]
    assert rows == [("P11", "商务局", "发改委", dt.date(2025, 6, 10)), ("P1", "商务局", "发改委", dt.date(2025, 6, 30)),
                    ("P7", "发改委", "工信局", dt.date(2025, 6, 1))]
    # one phase, overdue only
    assert phases_m.phase_projects(M, phase="attract", overdue_only=True)["project_id"].to_list() in (["P4", "P3"], ["P3", "P4"])


def test_phase_limits_come_from_the_store_config(make_store):
    # 招引签约 limited to 5 months: P2 (2024-12-31 + 5 months = 2025-05-31 < A) becomes overdue
    from lifecycle.domain.config import DEFAULT_CONFIG

    cfg = DEFAULT_CONFIG.read_text(encoding="utf-8")
    cfg = cfg.replace('span = "签约至立项"\nstages = ["intent", "signed"]\nentry = "intent"\nlimit_months = 6',
                      'span = "签约至立项"\nstages = ["intent", "signed"]\nentry = "intent"\nlimit_months = 5')
    m = _cz(make_store, PHASE_ROWS, config=cfg)
    got = {r["project_id"]: r["overdue"] for r in m.phase_projects(M, phase="attract").iter_rows(named=True)}
    assert got == {"P2": True, "P3": True, "P4": True}


def test_jiangyin_phases_split_approval_and_build(make_store):
    st = make_store("jiangyin")
    rows = [project("J1", filed_on="2025-01-01"),                          # 审批开工
            project("J2", filed_on="2024-01-01", started_on="2024-05-01")]  # 投资建设
    publish(st, M, rows)
    m = metrics_for(st)
    s = m.phase_summary(M)
    assert s["phase"].to_list() == ["attract", "approve", "build", "operate"]
    assert s["count"].to_list() == [0, 1, 1, 0]


# ---- yearly targets with 序时 (§7.3) --------------------------------------------------------------
TARGET_ROWS = [
    project("T1", township_code=TN, filed_on="2025-01-05", land_acquired_on="2025-03-01", started_on="2025-03-31"),  # 30 days: counts
    project("T2", township_code=TN, filed_on="2025-01-05", land_acquired_on="2025-03-01", started_on="2025-04-01"),  # 31 days: no
    project("T3", township_code=WJ, filed_on="2025-01-05", land_acquired_on="2025-05-10", started_on="2025-05-10"),  # 0 days: counts
    project("T4", township_code=WJ, filed_on="2025-01-05", land_acquired_on="2025-05-11", started_on="2025-05-10"),  # -1 day: no
    project("T5", township_code=WJ, filed_on="2024-01-05", land_acquired_on="2024-12-01", started_on="2024-12-20"),  # last year
    project("T6", township_code=TN, filed_on="2023-01-01", started_on="2023-02-01", completed_on="2025-02-01",
            joint_acceptance=True),                                    # joint, this year: counts
    project("T7", township_code=TN, filed_on="2023-01-01", started_on="2023-02-01", completed_on="2025-02-01",
            joint_acceptance=False),                                   # not joint
    project("T8", township_code=TN, filed_on="2023-01-01", started_on="2023-02-01", completed_on="2024-12-31",
            joint_acceptance=True),                                    # last year
    project("T9", township_code=WJ, filed_on="2023-01-01", started_on="2023-02-01", completed_on="2025-01-15",
            joint_acceptance=True, exit_on="2025-05-01", exit_reason="achieved"),  # exited: still counts
    project("T10", township_code=WJ, above_scale_on="2025-06-30"),     # 新入规 on A: counts
    project("T11", township_code=WJ, above_scale_on="2025-07-01"),     # after A: no
]


def test_yearly_targets_with_time_proportional_target(make_store):
    m = _cz(make_store, TARGET_ROWS)
    t = {r["target_key"]: r for r in m.targets(M).iter_rows(named=True)}
    assert set(t) == {"land_to_start", "joint_acceptance"}
    lts, ja = t["land_to_start"], t["joint_acceptance"]
    assert (lts["ytd_count"], lts["target"], lts["months_elapsed"]) == (2, 30, 6)   # T1, T3
    assert lts["target_to_date"] == pytest.approx(15.0)                             # 30 × 6 / 12
    assert lts["gap"] == pytest.approx(-13.0)
    assert (ja["ytd_count"], ja["target"]) == (2, 50)                               # T6, T9
    assert ja["target_to_date"] == pytest.approx(25.0) and ja["gap"] == pytest.approx(-23.0)
    lst = m.target_projects(M)
    by = {k: sorted(lst.filter(lst["target_key"] == k)["project_id"].to_list())
          for k in ("land_to_start", "joint_acceptance", "above_scale")}
    assert by == {"land_to_start": ["T1", "T3"], "joint_acceptance": ["T6", "T9"], "above_scale": ["T10"]}
    tr = m.target_trend(M).filter(m.target_trend(M)["target_key"] == "land_to_start")
    assert tr["count"].to_list() == [0, 0, 1, 0, 1, 0]
    assert tr["ytd_count"].to_list() == [0, 0, 1, 1, 2, 2]
    assert tr["target_to_date"].to_list() == pytest.approx([2.5, 5.0, 7.5, 10.0, 12.5, 15.0])
    u = {(r["target_key"], r["unit_name"]): r["ytd_count"] for r in m.target_by_unit(M).iter_rows(named=True)}
    assert u == {("land_to_start", "天宁区"): 1, ("land_to_start", "武进区"): 1, ("joint_acceptance", "天宁区"): 1,
                 ("joint_acceptance", "武进区"): 1, ("above_scale", "武进区"): 1}
    # 天宁区 only
    sl = Slice(units=("320402",))
    assert {r["target_key"]: r["ytd_count"] for r in m.targets(M, sl).iter_rows(named=True)} == \
        {"land_to_start": 1, "joint_acceptance": 1}


def test_land_to_start_days_is_configured(make_store):
    m = _cz(make_store, TARGET_ROWS, config="[thresholds]\nland_to_start_days = 31\n")
    lst = m.target_projects(M, target_key="land_to_start")
    assert sorted(lst["project_id"].to_list()) == ["T1", "T2", "T3"]  # T2's 31 days now count


def test_jiangyin_has_no_targets(make_store):
    st = make_store("jiangyin")
    publish(st, M, [project("J1", land_acquired_on="2025-03-01", filed_on="2025-01-01", started_on="2025-03-02")])
    assert metrics_for(st).targets(M).is_empty()


# ---- 新增长点培育库 (§7.4): 规上 rule 2,000 万元 开票销售 over 12 months, producing >= 12 months ----------
def _built(pid, **kw):
    base = dict(township_code=TN, filed_on="2022-01-01", started_on="2022-06-01", completed_on="2024-03-01")
    base.update(kw)
    return project(pid, **base)


def _ops(pid, sales, month="2025-06-01"):
    return {"project_id": pid, "month": month, "invoiced_sales_wan": sales, "output_value_wan": sales,
            "tax_wan": sales / 20, "electricity_mwh": 100.0, "capacity_utilization": 0.8}


def test_growth_library_and_above_scale_rule(make_store):
    rows = [
        _built("G1", production_on="2024-06-01"),                     # 12+ months, 2,000: should enter 规上
        _built("G2", production_on="2024-06-01"),                     # 1,999.99: no
        _built("G3", production_on="2024-07-01"),                     # + 12 months = 2025-07-01 > A: no
        _built("G4", production_on="2024-06-01", above_scale_on="2025-01-01"),  # already 规上
        _built("G5", production_on="2024-06-01", category="service"),  # service: rule is for industry
        _built("G6", completed_on=None),                               # not completed: not in the library
        _built("G7"),                                                  # completed, not producing yet
    ]
    ops = [_ops("G1", 2000.0), _ops("G2", 1999.99), _ops("G3", 5000.0), _ops("G4", 5000.0), _ops("G5", 5000.0),
           _ops("G1", 999.0, "2024-06-01")]  # G1's June 2024 is outside the window 2024-07..2025-06
    m = _cz(make_store, rows, ops)
    g = {r["project_id"]: r for r in m.growth_projects(M).iter_rows(named=True)}
    assert set(g) == {"G1", "G2", "G3", "G4", "G5", "G7"}
    assert {k for k, r in g.items() if r["should_be_above_scale"]} == {"G1"}
    assert {k for k, r in g.items() if r["is_above_scale"]} == {"G4"}
    assert g["G1"]["sales_12m_wan"] == pytest.approx(2000.0) and g["G1"]["ops_months"] == 1
    assert g["G1"]["months_since_production"] == pytest.approx(394 / 30.4375)  # 2024-06-01 -> 2025-06-30
    assert g["G7"]["months_since_production"] is None
    ops_m = m.growth_operations(M)
    assert ops_m["event_month"].to_list() == ["2025-06"]
    assert ops_m["invoiced_sales_wan"].to_list() == pytest.approx([2000.0 + 1999.99 + 5000.0 * 3])


# ---- yearly evaluation (§7.5): benchmarks 30 / 600 / 1.0 / 500, weights .35 .25 .25 .15 ------------
def test_grade_thresholds(make_store):
    prod = dict(township_code=TN, filed_on="2022-01-01", started_on="2022-06-01", completed_on="2023-03-01",
                production_on="2023-06-01")
    rows = [
        # 亩均税收 3,000/100 = 30 -> 100; 亩均产出 60,000/100 = 600 -> 100; 3,000/3,000 = 1 -> 100;
        # intensity 0/100 = 0 -> 0: (35 + 25 + 25 + 0) / 1 = 85 -> A (the edge is included)
        project("EA", total_investment_wan=0.0, land_area_mu=100.0, designed_tax_wan=3000.0, **prod),
        # tax vs designed 3,000 / 7,500 = 0.4 -> 40: 35 + 25 + 10 + 0 = 70 -> B (edge)
        project("EB", total_investment_wan=0.0, land_area_mu=100.0, designed_tax_wan=7500.0, **prod),
        # no land: only tax vs designed 550/1,000 = 0.55 -> 55, weights renormalised -> 55 -> C (edge)
        project("EC", land_area_mu=None, designed_tax_wan=1000.0, **prod),
        # 549.9/1,000 -> 54.99 -> D
        project("ED", land_area_mu=None, designed_tax_wan=1000.0, **prod),
        # no land, no designed tax: no indicator, no grade
        project("EN", land_area_mu=None, designed_tax_wan=None, **prod),
        # not producing: not evaluated
        project("EX", township_code=TN, filed_on="2022-01-01", started_on="2022-06-01"),
    ]
    ops = [{"project_id": "EA", "month": "2025-03-01", "tax_wan": 3000.0, "output_value_wan": 60000.0},
           {"project_id": "EB", "month": "2025-03-01", "tax_wan": 3000.0, "output_value_wan": 60000.0},
           {"project_id": "EC", "month": "2025-03-01", "tax_wan": 550.0},
           {"project_id": "ED", "month": "2025-03-01", "tax_wan": 549.9}]
    m = _cz(make_store, rows, ops)
    ev = {r["project_id"]: r for r in m.evaluation(M).iter_rows(named=True)}
    assert set(ev) == {"EA", "EB", "EC", "ED", "EN"}
    assert {k: r["grade"] for k, r in ev.items()} == {"EA": "A", "EB": "B", "EC": "C", "ED": "D", "EN": None}
    assert ev["EA"]["score"] == pytest.approx(85.0) and ev["EB"]["score"] == pytest.approx(70.0)
    assert ev["EC"]["score"] == pytest.approx(55.0) and ev["ED"]["score"] == pytest.approx(54.99)
    assert ev["EA"]["tax_per_mu"] == pytest.approx(30.0) and ev["EA"]["intensity"] == pytest.approx(0.0)
    g = {r["grade"]: r["grade_count"] for r in m.evaluation_grades(M).iter_rows(named=True)}
    assert g == {"A": 1, "B": 1, "C": 1, "D": 1, "none": 1}
    assert m.evaluation(M, grade="D")["project_id"].to_list() == ["ED"]


def test_grade_threshold_from_config(make_store):
    """A stricter A threshold from the store's config.toml: a score of 85 is now B."""
    prod = dict(township_code=TN, filed_on="2022-01-01", started_on="2022-06-01", completed_on="2023-03-01",
                production_on="2023-06-01")
    rows = [project("EA", total_investment_wan=0.0, land_area_mu=100.0, designed_tax_wan=3000.0, **prod)]
    ops = [{"project_id": "EA", "month": "2025-03-01", "tax_wan": 3000.0, "output_value_wan": 60000.0}]
    m = _cz(make_store, rows, ops, config="[evaluation]\ngrade_a = 85.5\n")
    assert m.evaluation(M)["grade"].to_list() == ["B"]  # 85 < 85.5


# ---- 省市重大 filter -------------------------------------------------------------------------------
def test_major_level_filter_everywhere(make_store):
    rows = [project("P1", township_code=TN, major_level="provincial", filed_on="2025-02-01"),
            project("P2", township_code=TN, major_level="municipal"),
            project("P3", township_code=TN)]
    m = _cz(make_store, rows)
    ids = lambda sl: sorted(m.project_list(M, sl)["project_id"].to_list())  # noqa: E731
    assert ids(Slice(majors=("provincial",))) == ["P1"]
    assert ids(Slice(majors=("provincial", "municipal"))) == ["P1", "P2"]
    assert ids(Slice(majors=("none",))) == ["P3"]
    assert m.rates(M, Slice(majors=("municipal",)))["filing_rate"]["denominator"] == 0  # P2 signed 2023
    assert m.phase_summary(M, Slice(majors=("provincial",)))["count"].to_list() == [0, 1, 0]


# ---- the 亿元 entry rule on import (Changzhou) ------------------------------------------------------
HEAD = ["项目编号", "项目名称", "所在镇街", "签约类型", "签约日期", "总投资（万元）", "意向签约日期", "省市重大"]


def _ledger(rows) -> Source:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目台账"
    for r in [HEAD] + rows:
        ws.append(r)
    return Source("常州台账.xlsx", xlsx_bytes(wb))


def test_entry_rule_refuses_projects_under_1yi(make_store):
    st = make_store("changzhou")
    src = _ledger([
        ["C1", "一亿整项目", "雕庄街道", "正式签约", "2025-03-01", 10000, "2024-12-01", "省重大"],
        ["C2", "小项目", "雕庄街道", "正式签约", "2025-03-01", 9999.99, None, "市重大项目"],
        ["C3", "未填投资", "雕庄街道", "意向签约", "2025-03-01", None, None, None],
        ["C4", "意向晚于签约", "雕庄街道", "正式签约", "2025-03-01", 20000, "2025-04-01", None],
    ])
    res = validate([src], M, st)
    errs = [(e.row, e.column, e.message) for e in res.report.errors]
    # C2 is on Excel row 3 (header row 1): refused, naming the value and the rule
    assert any(r == 3 and "总投资" in c and "9,999.99" in msg and "1亿元" in msg for r, c, msg in errs), errs
    assert any(r == 5 and "意向签约日期" in c and "晚于" in msg for r, c, msg in errs), errs
    assert len(errs) == 2
    assert any(w.row == 4 and "未填写总投资" in w.message for w in res.report.warnings)
    # without C2 and C4 the ledger publishes, keeping both signing dates and the 省市重大 level
    from lifecycle.ingest.importer import import_ledgers

    res = import_ledgers([_ledger([
        ["C1", "一亿整项目", "雕庄街道", "正式签约", "2025-03-01", 10000, "2024-12-01", "省重大"],
        ["C3", "未填投资", "雕庄街道", "意向签约", "2025-03-01", None, None, "市级"],
    ])], M, st)
    assert res.report.errors == [], res.report.text()
    p = st.read(M, "projects").sort("project_id")
    assert p["intent_signed_on"].to_list() == [dt.date(2024, 12, 1), None]
    assert p["signed_on"].to_list() == [dt.date(2025, 3, 1)] * 2
    assert p["major_level"].to_list() == ["provincial", "municipal"]


def test_jiangyin_keeps_small_projects(make_store):
    st = make_store("jiangyin")
    src = _ledger([["J1", "小项目", "澄江街道", "正式签约", "2025-03-01", 500, None, None]])
    res = validate([src], M, st)
    assert res.report.errors == [], res.report.text()


def test_months_published_before_the_new_columns_still_read(make_store):
    """A month published before intent_signed_on / major_level existed reads them as empty."""
    import polars as pl

    st = make_store("changzhou")
    publish(st, M, [project("P1", township_code=TN, filed_on="2025-02-01")])
    import hashlib
    import json

    p = st.table_path(M, "projects").resolve()
    pl.read_parquet(p).drop("intent_signed_on", "major_level").write_parquet(p)
    # an old store's manifest matches its old file
    man_path = next(d / "manifest.json" for d in (p.parent, p.parent.parent, p.parent.parent.parent)
                    if (d / "manifest.json").exists())
    man = json.loads(man_path.read_text(encoding="utf-8"))
    man["files"]["projects.parquet"].update(sha256=hashlib.sha256(p.read_bytes()).hexdigest(), bytes=p.stat().st_size)
    man_path.write_text(json.dumps(man), encoding="utf-8")
    m = metrics_for(st)
    assert m.project_list(M, Slice(majors=("none",)))["project_id"].to_list() == ["P1"]
    assert m.phase_summary(M)["count"].to_list() == [0, 1, 0]
