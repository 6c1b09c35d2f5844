"""Township targets 招商任务 kept in the store (docs/domain.md §16.3): a publisher edits or imports
them, they override the configured figures of their year in `Metrics.unit_targets`; the 招商任务
sheet round trip; refusals (permission, unknown unit, negative numbers) — numbers by hand."""
from __future__ import annotations

import io

import polars as pl
import pytest
from helpers import metrics_for, project, publish

from lifecycle.ingest import targets_sheet
from lifecycle.store import accounts, targets

CONFIG = """
[regions.jiangyin.unit_targets.2026.320281001]
signed_projects = 12
signed_investment_yi = 80
projects_10yi = 4
projects_50yi = 1
"""
A, B = "320281001", "320281400"


class Acc:
    def __init__(self, role, unit=None, name=None):
        self.role, self.unit_code, self.name = role, unit, name or f"u_{role}"

    def may(self, p):
        return self.role in accounts.PERMISSIONS[p]


PUB = Acc("publisher", name="王管理")


@pytest.fixture
def st(make_store):
    st = make_store("jiangyin")
    (st.root / "config.toml").write_text(CONFIG, encoding="utf-8")
    publish(st, "2026-09", [
        project("P1", township_code=A, signed_on="2026-02-10", total_investment_wan=120000.0),  # 12亿
        project("P2", township_code=A, signed_on="2026-09-30", total_investment_wan=600000.0),  # 60亿
        project("P7", township_code=B, signed_on="2026-01-15", total_investment_wan=100000.0),  # 10亿
    ])
    return st


def _rows(df):
    return {(r["unit_code"], r["measure"]): r for r in df.iter_rows(named=True)}


def test_store_targets_override_config_for_their_year(st):
    m = metrics_for(st)
    before = _rows(m.unit_targets("2026-09"))
    assert {u for u, _ in before} == {A, B}           # the store's config.toml over the package's
    assert before[(A, "signed_projects")]["target"] == 12 and before[(B, "signed_projects")]["target"] == 24
    assert targets.revision(st.root) == 0
    sid = targets.save_year(st.root, PUB, 2026, [
        {"unit_code": A, "signed_projects": 4, "signed_investment_yi": 100, "projects_10yi": None},
        {"unit_code": B, "signed_projects": 2, "signed_investment_yi": 8, "projects_10yi": 1, "projects_50yi": 0},
    ])
    assert sid == targets.revision(st.root) == 1
    r = _rows(metrics_for(st).unit_targets("2026-09"))
    # A: the store's 4 projects, 100 亿 (config's 12 / 80 ignored); no 10亿 / 50亿 targets any more
    assert [k for (u, k) in r if u == A] == ["signed_projects", "signed_investment_yi"]
    a = r[(A, "signed_projects")]
    # 序时 = 4 × 9 / 12 = 3; actual P1, P2 = 2; gap = 2 − 3 = −1
    assert (a["target"], a["schedule_target"], a["actual"], a["gap"]) == pytest.approx((4, 3.0, 2.0, -1.0))
    inv = r[(A, "signed_investment_yi")]
    # 序时 = 100 × 9/12 = 75; actual 12 + 60 = 72 亿; gap −3; completion 0.72
    assert (inv["schedule_target"], inv["actual"], inv["gap"], inv["completion"]) == pytest.approx((75, 72, -3, 0.72))
    b = r[(B, "projects_50yi")]
    assert (b["target"], b["schedule_target"], b["actual"], b["gap"], b["completion"]) == (0.0, 0.0, 0.0, 0.0, None)
    assert r[(B, "projects_10yi")]["gap"] == pytest.approx(1 - 0.75)
    # who / when kept, history of changes
    df = targets.stored(st.root, 2026)
    assert set(df["set_by"]) == {"王管理"} and df.height == 8
    # clearing the year brings the configuration back
    targets.clear_year(st.root, PUB, 2026)
    assert targets.revision(st.root) == 2
    assert _rows(metrics_for(st).unit_targets("2026-09"))[(A, "signed_projects")]["target"] == 12


def test_an_emptied_year_still_overrides_the_config(st):
    targets.save_wide(st.root, PUB, targets.wide(st.root, "jiangyin", 2026, all_units=True)
                      .with_columns(pl.lit(None, pl.Float64).alias(m) for m in targets.MEASURES))
    assert metrics_for(st).unit_targets("2026-09").is_empty()
    assert targets.effective(st.root, "jiangyin", 2026) == ({}, "store")


def test_township_scope_sees_only_its_unit(st):
    from lifecycle.query.metrics import Metrics, Scope, ScopeError, Slice

    targets.save_year(st.root, PUB, 2026, [{"unit_code": A, "signed_projects": 4},
                                           {"unit_code": B, "signed_projects": 2}])
    m = metrics_for(st)
    town = Metrics(m.db, Scope(B))
    assert set(town.unit_targets("2026-09")["unit_code"]) == {B}
    with pytest.raises(ScopeError):
        town.unit_targets("2026-09", Slice(units=(A,)))


@pytest.mark.parametrize("who", [None, Acc("leader"), Acc("township", A), Acc("reviewer"), Acc("admin")])
def test_only_a_publisher_writes(st, who):
    with pytest.raises(targets.TargetError, match="无权操作"):
        targets.save_year(st.root, who, 2026, [{"unit_code": A, "signed_projects": 1}])
    assert targets.revision(st.root) == 0 and targets.stored(st.root).is_empty()


@pytest.mark.parametrize("row,msg", [
    ({"unit_code": "999999", "signed_projects": 1}, "未知的镇街园区代码或名称“999999”"),
    ({"unit_code": A, "signed_projects": -1}, "不能为负数"),
    ({"unit_code": A, "signed_projects": 1.5}, "应为整数"),
    ({"unit_code": A, "signed_investment_yi": "abc"}, "不是有效数字"),
])
def test_bad_values_are_refused(st, row, msg):
    with pytest.raises(targets.TargetError, match=msg):
        targets.save_year(st.root, PUB, 2026, [row])
    assert targets.stored(st.root).is_empty()


def _sheet(rows, header=("年度", "单位代码", "单位名称", "正式签约项目数", "正式签约总投资（亿元）", "10亿元以上项目数",
                         "50亿元以上项目数"), sheet="招商任务") -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["2026年招商任务分解表"])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_with_synonyms_and_wan_then_export_round_trip(st):
    data = _sheet([[2026, None, "澄江街道", 5, 300000, 2, None],                      # 30 亿 from 万元
                   ["2026年", "320281400", None, 3, "12.5", 1, 0]],
                  header=("年份", "单位代码", "镇街园区", "签约项目数", "签约总投资(万元)", "十亿元以上项目数", "50亿以上项目数"))
    ids, problems = targets_sheet.import_sheet(st.root, PUB, data, "jiangyin", "任务.xlsx")
    assert problems == [] and ids == [1]
    w = targets.wide(st.root, "jiangyin", 2026)
    assert w.select("unit_code", *targets.MEASURES).rows() == [
        (A, 5.0, 30.0, 2.0, None), (B, 3.0, 0.00125, 1.0, 0.0)]
    # export → import: the same effective targets
    out = targets_sheet.sheet_bytes(targets_sheet.export_frame(st.root, "jiangyin"))
    df, problems = targets_sheet.read_sheet(out, "jiangyin", "导出.xlsx")
    assert problems == []
    assert df.equals(w)
    ids, problems = targets_sheet.import_sheet(st.root, PUB, out, "jiangyin", "导出.xlsx")
    assert problems == [] and targets.wide(st.root, "jiangyin", 2026).equals(w)


def test_import_errors_name_file_sheet_row_column_value(st):
    data = _sheet([[2026, "320281999", None, 5, 30, 2, 0],
                   [2026, A, None, -2, 30, 2, 0],
                   [2026, A, "璜土镇", 1, 1, 1, 0],
                   ["明年", B, None, 1, 1, 1, 0]])
    ids, problems = targets_sheet.import_sheet(st.root, PUB, data, "jiangyin", "任务.xlsx")
    assert ids == []
    assert problems[0] == "文件“任务.xlsx”工作表“招商任务”第3行“单位代码”列（值“320281999”）：未知的镇街园区代码或名称“320281999”"
    assert problems[1] == "文件“任务.xlsx”工作表“招商任务”第4行“正式签约项目数”列（值“-2”）：正式签约项目数（个）“-2”不能为负数"
    assert "第5行“单位名称”列（值“璜土镇”）" in problems[2] and "不一致" in problems[2]
    assert "第6行“年度”列（值“明年”）" in problems[3]
    assert targets.stored(st.root).is_empty()                      # nothing written


def test_import_refuses_other_files(st):
    _, problems = targets_sheet.read_sheet(b"not excel", "jiangyin", "x.xlsx")
    assert problems == ["文件“x.xlsx”不是有效的 Excel（.xlsx）工作簿"]
    _, problems = targets_sheet.read_sheet(_sheet([], sheet="表A") + b"", "jiangyin", "y.xlsx")
    assert "没有任务数据行" in problems[0]                            # single sheet: taken, but empty


def test_cli_targets(st, capsys):
    from lifecycle.cli import main

    path = st.root / "t.xlsx"
    path.write_bytes(_sheet([[2026, B, None, 3, 10, 1, 0]]))
    assert main(["targets", "import", str(path), "--store", str(st.root)]) == 0
    assert main(["targets", "list", "--store", str(st.root), "--year", "2026"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].split("\t") == ["2026", B, "江阴高新技术产业开发区", "3", "10", "1", "0", "store"]
    exp = st.root / "out.xlsx"
    assert main(["targets", "export", str(exp), "--store", str(st.root)]) == 0
    df, problems = targets_sheet.read_sheet(exp, "jiangyin")
    assert problems == [] and df["unit_code"].to_list() == [B] and df["signed_projects"].to_list() == [3.0]
    bad = st.root / "bad.xlsx"
    bad.write_bytes(_sheet([[2026, B, None, -3, 10, 1, 0]]))
    assert main(["targets", "import", str(bad), "--store", str(st.root)]) != 0
    assert "不能为负数" in capsys.readouterr().err


def test_quarterly_pack_has_the_targets_section(st, tmp_path):
    """2026Q3 → as of 2026-09 (m = 9): the store's targets of 2026, by hand."""
    from test_pack import compact, pdf_pages, sheet

    from lifecycle.outputs import pack
    from lifecycle.outputs.document import Heading, Table

    targets.save_year(st.root, PUB, 2026, [
        {"unit_code": A, "signed_projects": 4, "signed_investment_yi": 100},
        {"unit_code": B, "projects_10yi": 2}])
    m = metrics_for(st)
    doc = pack.quarter_document(m, "2026Q3")
    heads = [b.text for b in doc.blocks if isinstance(b, Heading)]
    assert any(h.endswith("、招商任务序时进度") for h in heads)
    tbl = next(b for b in doc.blocks if isinstance(b, Table) and b.sheet == "招商任务")
    assert tbl.df.rows() == [
        # unit, measure, target, 序时 = target × 9/12, actual, gap, 序时 completion, status
        ("澄江街道", "正式签约项目数（个）", 4.0, 3.0, 2.0, -1.0, 2 / 3, "落后"),           # P1, P2
        ("澄江街道", "正式签约总投资（亿元）", 100.0, 75.0, 72.0, -3.0, 72 / 75, "落后"),   # 12 + 60 亿
        ("江阴高新技术产业开发区", "10亿元以上项目数（个）", 2.0, 1.5, 1.0, -0.5, 1 / 1.5, "落后"),  # P7 = 10亿
    ]
    pdf, xlsx, _ = pack.pack_bytes(m, "2026Q3")
    x = tmp_path / "p.xlsx"
    x.write_bytes(xlsx)
    rows = sheet(x, "招商任务")
    got = [tuple(r.values()) for r in rows]
    assert [g[0] for g in got] == ["澄江街道", "澄江街道", "江阴高新技术产业开发区"]
    assert got[0][7] == "落后" and got[2][6] == pytest.approx(1 / 1.5)
    assert got[0][2:6] == (4, 3, 2, -1) and got[1][2:6] == (100, 75, 72, -3) and got[2][2:6] == (2, 1.5, 1, -0.5)
    text = compact("\n".join(pdf_pages(pdf)))
    assert "招商任务序时进度" in text and "江阴高新技术产业开发区10亿元以上项目数（个）2.001.501.00-0.5066.7" in text


def test_quarterly_pack_without_targets_says_so(make_store):
    from lifecycle.outputs import pack
    from lifecycle.outputs.document import Text

    st = make_store("changzhou", "cz")
    publish(st, "2025-09", [project("Q1", township_code="320402001", signed_on="2025-03-01")])
    doc = pack.quarter_document(metrics_for(st), "2025Q3")             # targets configured for 2026 only
    assert any(isinstance(b, Text) and b.text == "2025 年尚无招商任务。" for b in doc.blocks)


def test_schedule_heatmap_cells_by_hand(st):
    from lifecycle.present import charts

    targets.save_year(st.root, PUB, 2026, [{"unit_code": A, "signed_projects": 4, "signed_investment_yi": 60},
                                           {"unit_code": B, "projects_10yi": 1}])
    tg = metrics_for(st).unit_targets("2026-09")
    heat = charts.target_schedule_heatmap(tg).data[0]
    assert list(heat.x) == ["正式签约项目数（个）", "正式签约总投资（亿元）", "10亿元以上项目数（个）"]
    # A: 2 of 序时 3 (behind, red half: (2/3)/2); 72 亿 of 序时 45 (ahead, green: 0.5 + min(1.6, 2)/4)
    # B: 1 of 序时 0.75 (ahead: 0.5 + (1/0.75)/4); cells without a target blank
    assert heat.z[0][:2] == pytest.approx([(2 / 3) / 2, 0.5 + 1.6 / 4]) and heat.z[0][2] is None
    assert heat.z[1][0] is None and heat.z[1][2] == pytest.approx(0.5 + (1 / 0.75) / 4)
    assert heat.text[0][0] == "2/3<br>−1" and heat.text[0][1] == "72/45<br>+27" and heat.text[1][2] == "1/0.75<br>+0.25"
    assert charts.target_schedule_heatmap(tg.clear()).data == ()
