"""Issue 17, the import side: no upload can kill the process (1), an untouched template sheet
never wipes a table (2), concurrent partial imports never lose a correction (4), formulas
without a cached value and implausible values are never taken silently (5)."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from helpers import REPO
from lifecycle import cli
from lifecycle.ingest.guard import Limits
from lifecycle.ingest.importer import PAUSE_ENV, Source, import_ledgers, validate
from lifecycle.ingest.read import ReadError, read_source
from test_import_support import (APPROVAL_HEAD, MONTH, PREV, PROJECT_HEAD, build_workbook, ledger, project_rows,
                                 xlsx_bytes)


def far_cell_workbook() -> bytes:
    """A valid ledger plus one stray value in the sheet's very last cell, XFD1048576."""
    wb = build_workbook()
    wb["项目台账"]["XFD1048576"] = "x"
    return xlsx_bytes(wb)


# ---- 1. bounded reading ------------------------------------------------------------------------
def test_far_cell_workbook_is_refused_from_metadata(make_store, tmp_path, capsys):
    st = make_store()
    t = time.perf_counter()
    with pytest.raises(ReadError) as e:
        validate([Source("远端单元格.xlsx", far_cell_workbook())], MONTH, st)
    assert time.perf_counter() - t < 30
    msg = str(e.value)
    assert "远端单元格.xlsx" in msg and "项目台账" in msg and "XFD1048576" in msg and "\n" not in msg
    # the command line: one Chinese line, exit 2 (not an abort)
    f = tmp_path / "远端单元格.xlsx"
    f.write_bytes(far_cell_workbook())
    code = cli.main(["import", str(f), "--month", MONTH, "--store", str(st.root)])
    err = capsys.readouterr().err
    assert code == 2 and "XFD1048576" in err and "Traceback" not in err


def _with_lying_dimension(data: bytes) -> bytes:
    """The far-cell workbook whose sheet claims <dimension ref="A1:S6"/>."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="A1:XFD1048576"\s*/>', b'<dimension ref="A1:S6"/>', body)
                assert b'ref="A1:S6"' in body
            zout.writestr(info, body)
    return out.getvalue()


def test_lying_dimension_is_caught_by_the_scan(make_store):
    with pytest.raises(ReadError, match="XFD1048576"):
        validate([Source("a.xlsx", _with_lying_dimension(far_cell_workbook()))], MONTH, make_store())


def test_memory_cap_stops_the_parser_not_the_process():
    """With the metadata limits switched off, the dense range calamine would allocate hits the
    parsing process's memory cap: that process dies, this one gets a Chinese ReadError."""
    relaxed = Limits(max_columns=20000, max_cells=10**13, memory_mb=1024, timeout_s=120)
    with pytest.raises(ReadError, match="内存上限"):
        read_source(Source("a.xlsx", far_cell_workbook()), limits=relaxed)
    assert read_source(ledger(), limits=Limits())[0].sheet == "项目台账"  # and reading goes on


def test_zip_bomb_and_oversized_file_are_refused():
    buf = io.BytesIO(ledger().data)
    data = bytearray(buf.getvalue())
    zb = io.BytesIO(bytes(data))
    with zipfile.ZipFile(zb, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/filler.bin", b"\0" * (60 << 20))
    bomb = zb.getvalue()
    assert len(bomb) < 1 << 20
    with pytest.raises(ReadError, match="压缩比"):
        read_source(Source("bomb.xlsx", bomb))
    with pytest.raises(ReadError, match="超过上限 0.001 MB"):
        read_source(ledger(), limits=Limits(max_file_mb=0.001))
    with pytest.raises(ReadError, match="解压后共"):
        read_source(ledger(), limits=Limits(max_unpacked_mb=0.01))


# ---- 2. a sheet with only example rows is "not supplied" ----------------------------------------
def test_template_with_only_projects_filled_carries_the_other_tables(make_store):
    from lifecycle.ingest.template import ledger_bytes

    st = make_store()
    assert import_ledgers([ledger(operations=[["P002", "2026-08", 1100, 55, 0.8, 118],
                                              ["P002", "2026-09", 1200, 60, 0.85, 120]])], PREV, st).ok
    before = {t: st.read(PREV, t).height for t in ("approvals", "operations")}
    assert before == {"approvals": 3, "operations": 2}
    wb = openpyxl.load_workbook(io.BytesIO(ledger_bytes("jiangyin")))
    ws = wb["项目"]
    heads = [c.value for c in ws[2]]
    for r in project_rows():
        row = [None] * len(heads)
        for h, v in zip(PROJECT_HEAD, r):
            key = {"所属镇街（园区）": "所在镇街", "建设单位": "项目单位", "总投资（亿元）": None,
                   "累计完成投资（万元）": None, "序号": None}.get(h, h)
            if key in heads:
                row[heads.index(key)] = v
        ws.append(row)
    res = import_ledgers([Source("模板.xlsx", xlsx_bytes(wb))], MONTH, st)
    assert res.ok, res.report.text()
    assert st.read(MONTH, "approvals").height == 3 and st.read(MONTH, "operations").height == 2
    assert res.report.summary["carried_forward"] == {"approvals": PREV, "operations": PREV, "problems": PREV}
    assert "只有示例行" in res.report.summary["tables"]["approvals"]["text"]


def test_shrinking_sheet_needs_confirmation_with_counts(make_store, tmp_path, capsys):
    st = make_store()
    assert import_ledgers([ledger()], PREV, st).ok
    one = [["P001", "环评", "生态环境局", "2024-03-01", "2024-03-31", "2024-03-15"]]
    f = tmp_path / "审批更正.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "审批"
    for r in [APPROVAL_HEAD] + one:
        wb.active.append(r)
    f.write_bytes(xlsx_bytes(wb))
    assert cli.main(["import", str(f), "--month", PREV, "--store", str(st.root)]) == 1
    assert "由 2026-09 快照的 3 行减少为 1 行" in capsys.readouterr().out
    assert st.read(PREV, "approvals").height == 3
    assert cli.main(["import", str(f), "--month", PREV, "--store", str(st.root), "--allow-shrink"]) == 0
    assert st.read(PREV, "approvals").height == 1


# ---- 4. concurrent partial imports ---------------------------------------------------------------
def _sheet_file(path: Path, sheet: str, head: list, rows: list) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = sheet
    for r in [head] + rows:
        wb.active.append(r)
    path.write_bytes(xlsx_bytes(wb))
    return path


def test_two_concurrent_partial_imports_keep_both_corrections(make_store, tmp_path):
    """Clerk A corrects the 审批 sheet, clerk B the 问题 sheet of the same month. A's publish is
    slow (paused inside the publication); B starts while A is paused. Both corrections must be
    in the month afterwards."""
    st = make_store()
    assert import_ledgers([ledger()], MONTH, st).ok
    appr = [["P001", "立项/核准备案", "发改委", "2024-03-01", "2024-03-31", "2024-03-15"],
            ["P001", "施工许可", "住建局", "2024-07-01", "2024-08-15", "2024-08-30"],  # corrected done date
            ["P002", "环评", "生态环境局", "2024-04-11", "2024-05-31", "2024-05-20"]]
    a = _sheet_file(tmp_path / "审批更正.xlsx", "审批", ["项目编号", "审批事项", "办理部门", "受理日期", "承诺办结日期", "办结日期"], appr)
    b = _sheet_file(tmp_path / "问题更正.xlsx", "问题", ["问题编号", "项目编号", "提出日期", "问题类型", "问题描述", "责任部门"],
                    [["Q1", "P001", "2026-05-10", "用地", "用地指标未落实", "资规局"]])
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "lifecycle", "import", "--month", MONTH, "--store", str(st.root)]
    link0 = os.readlink(st.month_dir(MONTH))
    pa = subprocess.Popen(cmd + [str(a)], cwd=REPO, env={**env, PAUSE_ENV: "4"}, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:  # A has written its version and sleeps before the switch
        if [p for p in st.versions.iterdir() if p.name.startswith(MONTH) and p.name != Path(link0).name]:
            break
        time.sleep(0.05)
    else:
        pa.kill()
        pytest.fail("A never reached the switch")
    pb = subprocess.Popen(cmd + [str(b)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    ea, eb = pa.communicate(timeout=120)[1], pb.communicate(timeout=120)[1]
    assert pa.returncode == 0 and pb.returncode == 0, (ea, eb)
    got_appr = st.read(MONTH, "approvals")
    assert got_appr.filter(got_appr["step"] == "施工许可")["done_on"].to_list() == [dt.date(2024, 8, 30)]
    assert st.read(MONTH, "problems")["problem_id"].to_list() == ["Q1"]
    assert len(st.publications()) == 3


# ---- 5. silent wrong values --------------------------------------------------------------------
def test_formula_without_cached_value_is_an_error_naming_the_cell(make_store):
    wb = build_workbook()
    ws = wb["项目台账"]
    ws["S4"] = "=1000*30"  # 累计完成投资 of P001 (Excel row 4): a formula openpyxl saves without a result
    res = validate([Source("公式.xlsx", xlsx_bytes(wb))], MONTH, make_store())
    errs = [e for e in res.report.errors if "公式" in e.message]
    assert len(errs) == 1
    e = errs[0]
    assert (e.sheet, e.row, e.cell, e.column, e.value) == ("项目台账", 4, "S4", "累计完成投资（万元）", "=1000*30")


def test_formula_with_cached_value_uses_it(make_store):
    """A formula that Excel saved with its result reads as that result, no issue."""
    wb = build_workbook()
    data = xlsx_bytes(wb)
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                old = b'<c r="S4" t="n"><v>30000</v></c>'
                assert old in body
                body = body.replace(old, b'<c r="S4"><f>1000*30</f><v>30000</v></c>')
            zout.writestr(info, body)
    res = validate([Source("公式.xlsx", out.getvalue())], MONTH, make_store())
    assert res.report.errors == [], res.report.text()
    assert res.tables["projects"].sort("project_id")["cumulative_done_wan"][0] == 30000.0


def test_implausible_amount_is_refused_and_large_one_warned(make_store):
    rows = project_rows()
    rows[0][11] = 1e11  # 总投资 1e11 亿元 = 1e15 万元
    rows[1][11] = 600  # 600 亿元: plausible but large
    res = validate([ledger(projects=rows)], MONTH, make_store())
    (e,) = [e for e in res.report.errors if "合理上限" in e.message]
    assert (e.row, e.column) == (4, "总投资（亿元）")
    assert [w.row for w in res.report.warnings if "常见上限" in w.message] == [5]


def test_project_count_jump_is_warned(make_store):
    st = make_store()
    assert import_ledgers([ledger(projects=project_rows()[:1], approvals=False)], PREV, st).ok
    base = project_rows()
    many = []
    for i in range(12):
        for r in base:
            r2 = list(r)
            r2[1] = f"{r[1]}-{i}"
            r2[4] = None
            many.append(r2)
    res = validate([ledger(projects=many, approvals=False)], MONTH, st)
    assert res.ok, res.report.text()
    w = [w for w in res.report.warnings if w.message.startswith("项目数由上期")]
    assert len(w) == 1 and "1 个 变为 36 个" in w[0].message


def test_scan_counts_cells_with_content_only():
    """A far cell that only carries formatting (`<c r="XFD9" s="1"/>`) is not content; the
    extent is that of the cells holding a value."""
    from lifecycle.ingest.guard import scan_sheet

    xml = (b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>2</v></c></row>'
           b'<row r="9"><c r="B9"><v>1</v></c><c r="XFD9" s="1"/></row>'
           b'<row r="20"><c r="Z20" s="1"/></row></sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("s.xml", xml)
    with zipfile.ZipFile(buf) as z:
        ext = scan_sheet(z, "s.xml").extent
    assert (ext.r1, ext.r2, ext.c2) == (1, 9, 3)
