"""Meeting pack (季度点评会议材料) and monthly bulletin (月通报): the PDF opens, is Chinese text in
an embedded CJK font, and its numbers equal the metrics API; the workbook holds the same tables.
Both regions."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import polars as pl

from lifecycle.domain import flags
import pytest
from pypdf import PdfReader

from helpers import metrics_for, publish
from lifecycle import cli
from lifecycle.store import comments
from lifecycle.outputs import pack
from lifecycle.query.metrics import FLAG_KEYS
from lifecycle.domain.reference import region
from lifecycle.store.snapshots import Store
from lifecycle.present import formats
from lifecycle.outputs import document, fonts, render
from test_quarterly import MONTHS, A, B, _snapshot

HEADINGS = ["一、五率", "二、阶段漏斗与投资分档", "三、分板块开竣工情况", "四、绩效排名", "五、预警清单",
            "六、分板块点评"]


def pdf_pages(source) -> list[str]:
    """The text of each page: poppler's `pdftotext -layout` when installed (one table row per
    line), else pypdf (one cell per line)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    n = len(PdfReader(io.BytesIO(data)).pages)  # also proves the file opens
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=data,
                             capture_output=True, check=True).stdout.decode("utf-8")
        return out.split("\f")[:n]
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def has_id(text: str, pid: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(pid)}(?![A-Za-z0-9])", text) is not None


def unit_pages(pages: list[str], names, quarter_txt: str = "年第三季度：开工") -> dict[str, str]:
    """name -> the township page (its name alone on a line, then the quarter's summary)."""
    out = {}
    for p in pages:
        if quarter_txt not in compact(p):
            continue
        for n in names:
            if re.search(rf"^\s*{re.escape(n)}\s*$", p, re.M):
                out[n] = p
    return out


def sheet(path, name: str) -> list[dict]:
    """Rows of a pack sheet as {Chinese header: value} (title row 1, header row 3)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[name].iter_rows(values_only=True))
    head = rows[2]
    out = [dict(zip(head, r)) for r in rows[3:] if any(v is not None for v in r)]
    wb.close()
    return out


def rate_rows(text: str) -> dict[str, list[str]]:
    """From the rates page: rate key -> the cells after its label (numerator, denominator, rate)."""
    from lifecycle.domain import labels
    lines = [x.strip() for x in text.splitlines()]
    out = {}
    for k, lab in labels.RATES.items():
        for i, line in enumerate(lines):
            toks = line.split()
            if toks and toks[0] == lab:
                out[k] = toks[1:4] if len(toks) >= 4 else lines[i + 1:i + 4]
                break
    return out


def check_rates_in_pdf(page_text: str, rates: dict) -> None:
    got = rate_rows(page_text)
    for k, v in rates.items():
        assert got[k] == [formats.cell_text(float(v["numerator"])), formats.cell_text(float(v["denominator"])),
                          formats.cell_text(v["rate"], pct=True)], k


def check_rates_in_sheet(rows: list[dict], rates: dict) -> None:
    from lifecycle.domain import labels
    by = {r["指标"]: r for r in rows}
    for k, v in rates.items():
        r = by[labels.RATES[k]]
        assert r["分子"] == pytest.approx(v["numerator"]) and r["分母"] == pytest.approx(v["denominator"])
        if v["rate"] is None:
            assert r["比率"] is None
        else:
            assert r["比率"] == pytest.approx(v["rate"])


@pytest.fixture
def hand_store(make_store):
    st = make_store("jiangyin")
    for mo in MONTHS:
        publish(st, mo, _snapshot(mo))
    return st


def test_pack_hand_fixture(hand_store, tmp_path, capsys):
    c_unit = comments.add(hand_store, "unit", B, "2026Q3", "王市长", "南闸街道计划开工项目均逾期，请限期推进", follow_up="todo",
                          department="南闸街道")
    comments.edit(hand_store, c_unit, "王市长", text="南闸街道计划开工项目均逾期，请十月底前开工")
    comments.add(hand_store, "project", "P4", "2026Q3", "李局长", "P4竣工延期15天，总结原因")
    comments.add(hand_store, "unit", A, "2026Q2", "分管副市长", "澄江街道上季度意见：抓紧开工")
    out = tmp_path / "out"
    assert cli.main(["pack", "--store", str(hand_store.root), "--quarter", "2026Q3", "--out", str(out)]) == 0
    pdf_path, xlsx_path = out / "pack_jiangyin_2026Q3.pdf", out / "pack_jiangyin_2026Q3.xlsx"
    assert capsys.readouterr().out.split() == [str(pdf_path), str(xlsx_path)]
    pages = pdf_pages(pdf_path)
    text = "\n".join(pages)
    # cover: city, quarter, as-of month
    assert "江阴市重大项目季度点评会议材料" in pages[0]
    assert "2026年第三季度（2026Q3）" in pages[0] and "数据截至：2026年9月末" in pages[0]
    for h in HEADINGS:
        assert h in text, h
    m = metrics_for(hand_store)
    rates = m.quarter_rates("2026Q3")
    check_rates_in_pdf(next(p for p in pages if "一、五率" in p), rates)
    # one page per unit (21 Jiangyin units), each starting with its name
    names = [u.name for u in region("jiangyin").units.values()]
    up = unit_pages(pages, names)
    assert set(up) == set(names)
    pb, pa = up["南闸街道"], up["澄江街道"]
    # B: completed P4, P5; planned start P6, P10 (overdue); planned completion P4 (late), P9 (overdue)
    assert "开工0个、竣工2个；计划开工2个（按期0、延期0、逾期未开工2、未到期0）" in compact(pb)
    assert "计划竣工2个（按期0、延期1、逾期未竣工1、未到期0）" in compact(pb)
    for pid in ("P4", "P5", "P6", "P9", "P10"):
        assert has_id(pb, pid), pid
    assert not has_id(pb, "P1") and has_id(pa, "P1")
    # comments: the current version on its unit's page, the project comment on its project's unit
    assert "南闸街道计划开工项目均逾期，请十月底前开工" in compact(pb) and "请限期推进" not in compact(pb)
    assert "P4竣工延期15天，总结原因" in compact(pb)
    assert "上季度点评意见" in pa and "澄江街道上季度意见：抓紧开工" in compact(pa)
    assert "暂无点评意见" in up["云亭街道"]

    # workbook: same tables, figures equal the API
    wb = openpyxl.load_workbook(xlsx_path, read_only=True)
    sheets = wb.sheetnames
    wb.close()
    for name in ["说明", "五率", "阶段漏斗", "投资分档", "分板块开竣工", "绩效排名", "预警汇总", "季度项目明细",
                 "点评意见", "上季度点评意见"]:
        assert name in sheets, name
    check_rates_in_sheet(sheet(xlsx_path, "五率"), rates)
    summary = m.quarter_summary("2026Q3")
    got = {r["板块"]: r for r in sheet(xlsx_path, "分板块开竣工")}
    from lifecycle.domain import labels
    for r in summary.iter_rows(named=True):
        g = got[r["unit_name"] or "合计"]
        for c in ("started_count", "completed_count", "planned_start_count", "planned_start_overdue",
                  "planned_complete_late"):
            assert g[labels.COLUMNS[c]] == r[c], (r["unit_name"], c)
    detail = sheet(xlsx_path, "季度项目明细")
    assert sorted(r["项目编号"] for r in detail) == sorted(m.quarter_projects("2026Q3")["project_id"].to_list())
    p2 = next(r for r in detail if r["项目编号"] == "P2")
    assert p2["开工情况"] == "逾期未完成" and p2["季度计划开工日期"].date().isoformat() == "2026-08-01"
    texts = sorted(r["点评意见"] for r in sheet(xlsx_path, "点评意见"))
    assert texts == ["P4竣工延期15天，总结原因", "南闸街道计划开工项目均逾期，请十月底前开工"]
    assert [r["点评意见"] for r in sheet(xlsx_path, "上季度点评意见")] == ["澄江街道上季度意见：抓紧开工"]


@pytest.mark.parametrize("region_key", ["jiangyin", "changzhou"])
def test_pack_and_bulletin_demo(demo_stores, tmp_path, region_key):
    st = Store(demo_stores[region_key])
    m = metrics_for(st)
    reg = region(region_key)
    pdf, xlsx, stem = pack.pack_bytes(m, "2026Q3")
    assert stem == f"pack_{region_key}_2026Q3"
    pages = pdf_pages(pdf)
    assert f"{reg.name}重大项目季度点评会议材料" in pages[0] and "数据截至：2026年9月末" in pages[0]
    text = "\n".join(pages)
    for h in HEADINGS:
        assert h in text
    rates = m.quarter_rates("2026Q3")
    check_rates_in_pdf(next(p for p in pages if "一、五率" in p), rates)
    # one page per unit
    assert set(unit_pages(pages, [u.name for u in reg.units.values()])) == {u.name for u in reg.units.values()}
    x = tmp_path / "pack.xlsx"
    x.write_bytes(xlsx)
    check_rates_in_sheet(sheet(x, "五率"), rates)
    ranking = m.ranking("2026-09")
    got = {r["板块"]: r["排名"] for r in sheet(x, "绩效排名")}
    assert got == dict(zip(ranking["unit_name"].to_list(), ranking["rank"].to_list()))
    from lifecycle.domain import labels
    counts = {r["预警"]: r["项目数"] for r in sheet(x, "预警汇总")}
    assert counts == {flags.LABELS[k]: m.flag(k, "2026-09").height for k in FLAG_KEYS}
    fun = m.funnel("2026-09")
    assert [r["已达到项目数"] for r in sheet(x, "阶段漏斗")] == fun["reached"].to_list()
    # the full flag lists are in the workbook
    k = "completion_interview"
    assert len(sheet(x, flags.LABELS[k])) == m.flag(k, "2026-09").height

    # monthly bulletin of the last month
    bpdf, bxlsx, bstem = pack.bulletin_bytes(m, "2026-10")
    assert bstem == f"bulletin_{region_key}_2026-10"
    bpages = pdf_pages(bpdf)
    assert f"{reg.name}重大项目月度通报" in bpages[0] and "2026年10月" in bpages[0]
    check_rates_in_pdf(next(p for p in bpages if "一、五率" in p), m.rates("2026-10"))
    bx = tmp_path / "b.xlsx"
    bx.write_bytes(bxlsx)
    summ = m.month_summary("2026-10")
    rows = {r["板块"]: r for r in sheet(bx, "分板块汇总")}
    for r in summ.iter_rows(named=True):
        g = rows[r["unit_name"] or "合计"]
        for c in ("signed_month", "filed_month", "started_month", "completed_month", "started_ytd"):
            assert g[labels.COLUMNS[c]] == r[c]
    ev = m.month_events("2026-10")
    assert len(sheet(bx, "开工项目")) == ev.filter(pl.col("event") == "started").height


def test_bulletin_hand_fixture(hand_store, tmp_path):
    out = tmp_path / "b"
    assert cli.main(["bulletin", "--store", str(hand_store.root), "--month", "2026-07", "--out", str(out)]) == 0
    pages = pdf_pages(out / "bulletin_jiangyin_2026-07.pdf")
    text = "\n".join(pages)
    # July: P11 signed (Jul 5) and filed (Jul 25), P12 intent, P1 started (Jul 10), P5 completed (Jul 20)
    assert "2026年7月：正式签约1个、意向签约1个、备案1个、开工1个、竣工1个。" in compact(text)
    for title, pid, day in (("正式签约项目（1个）", "P11", "2026-07-05"), ("意向签约项目（1个）", "P12", "2026-07-08"),
                            ("备案/核准项目（1个）", "P11", "2026-07-25"), ("开工项目（1个）", "P1", "2026-07-10"),
                            ("竣工项目（1个）", "P5", "2026-07-20")):
        i = text.index(title)
        block = text[i:i + 600]
        assert has_id(block, pid) and day in block, title
    rows = {r["板块"]: r for r in sheet(out / "bulletin_jiangyin_2026-07.xlsx", "分板块汇总")}
    assert rows["澄江街道"]["当月正式签约"] == 1 and rows["南闸街道"]["当月竣工"] == 1
    assert rows["合计"]["年内开工"] == 2  # P7 (Jun 30) and P1 (Jul 10)


def test_cli_errors(hand_store, tmp_path, capsys, monkeypatch):
    root = str(hand_store.root)
    assert cli.main(["pack", "--store", root, "--quarter", "2026-3", "--out", str(tmp_path)]) == 2
    assert "季度格式应为 YYYYQn" in capsys.readouterr().err
    assert cli.main(["pack", "--store", root, "--quarter", "2025Q4", "--out", str(tmp_path)]) == 2
    assert "2025Q4 季度没有已发布的月度快照（有数据的季度：2026Q2 至 2026Q3）" in capsys.readouterr().err
    assert cli.main(["bulletin", "--store", root, "--month", "2026-13", "--out", str(tmp_path)]) == 2
    assert "月份格式应为 YYYY-MM" in capsys.readouterr().err
    assert cli.main(["bulletin", "--store", root, "--month", "2025-07", "--out", str(tmp_path)]) == 2
    assert "没有 2025-07 月的已发布快照" in capsys.readouterr().err
    assert cli.main(["pack", "--store", root, "--quarter", "2026Q3", "--township", "不存在镇", "--out", str(tmp_path)]) == 2
    assert "未知的镇街园区：不存在镇" in capsys.readouterr().err
    # no CJK font installed: a clear Chinese message, no traceback
    monkeypatch.setattr(fonts, "_fc_list", lambda: [])
    monkeypatch.setattr(fonts, "FALLBACK_FONT_DIRS", (tmp_path,))
    fonts.find_cjk_fonts.cache_clear()
    try:
        assert cli.main(["pack", "--store", root, "--quarter", "2026Q3", "--out", str(tmp_path / "x")]) == 2
        assert "未找到中文字体" in capsys.readouterr().err
        with pytest.raises(pack.PackError, match="fonts-noto-cjk"):
            fonts.find_cjk_fonts()
    finally:
        monkeypatch.undo()
        fonts.find_cjk_fonts.cache_clear()
    assert not (tmp_path / "x").exists()


def test_township_pack(hand_store, tmp_path):
    """--township restricts the pack to one unit: only its page, its numbers."""
    out = tmp_path / "t"
    assert cli.main(["pack", "--store", str(hand_store.root), "--quarter", "2026Q3", "--township", "南闸街道",
                     "--out", str(out)]) == 0
    pages = pdf_pages(out / "pack_jiangyin_2026Q3.pdf")
    assert set(unit_pages(pages, ["南闸街道", "澄江街道"])) == {"南闸街道"}
    assert "统计范围：南闸街道" in pages[0]
    from lifecycle.query.metrics import Slice
    m = metrics_for(hand_store)
    check_rates_in_pdf(next(p for p in pages if "一、五率" in p), m.quarter_rates("2026Q3", Slice(units=(B,))))


def test_each_document_embeds_its_own_characters():
    """Every PDF gets its own font subset: a second document with other characters must not
    reuse the first one's subset (reportlab maps fonts of the same face name to the first)."""
    docs = [document.Document("江阴市测试甲", ["第一份"], [document.Text("澄江街道")], [], "a"),
            document.Document("常州市测试乙", ["第二份"], [document.Text("湖塘镇戚墅堰")], [], "b")]
    for d in docs:
        text = compact("".join(pdf_pages(render.render_pdf(d))))
        assert d.title in text and d.cover_lines[0] in text and d.blocks[0].text in text
