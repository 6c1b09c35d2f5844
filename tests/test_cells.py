"""Formula / CSV injection (issue 17 item 3): every download, export, pack, template and marked
copy writes a hostile text as text — never a live formula — through domain/cells.py."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import polars as pl
import pytest

from helpers import frame, project, publish
from lifecycle.domain import cells, schema

EVIL = ['=HYPERLINK("http://evil.example/x","点我")', "=cmd|' /C calc'!A0", "+1+2", "-2+3*A1", "@SUM(A1:A9)",
        "\tTAB", "\rCR"]
NUMBERS = ["-5", "+3.25", "-1e3"]


def _bad_cells(data: bytes) -> list[str]:
    """Cells that are formulas or texts a spreadsheet would evaluate."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    out.append(f"{ws.title}!{c.coordinate} formula {c.value!r}")
                elif isinstance(c.value, str) and cells.needs_quote(c.value):
                    out.append(f"{ws.title}!{c.coordinate} text {c.value!r}")
    return out


def _texts(data: bytes) -> set[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_safe_text_rule():
    for s in EVIL:
        assert cells.safe_text(s) == "'" + s and cells.unquote(cells.safe_text(s)) == s
    for s in NUMBERS + ["正常名称", "", "a=b"]:
        assert cells.safe_text(s) == s
    df = pl.DataFrame({"name": EVIL + NUMBERS, "n": list(range(len(EVIL) + 3))})
    rows = list(csv.reader(io.StringIO(cells.csv_bytes(df).decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == ["'" + s for s in EVIL] + NUMBERS


def _evil_frame() -> pl.DataFrame:
    return pl.DataFrame({"project_id": [f"P{i}" for i in range(len(EVIL))], "name": EVIL,
                         "enterprise": list(reversed(EVIL)), "total_investment_wan": [1.0] * len(EVIL),
                         "signed_on": [dt.date(2024, 1, 1)] * len(EVIL)})


def test_page_downloads_csv_and_excel():
    from lifecycle.ui.page import table_downloads

    csv_b, xlsx_b = table_downloads(_evil_frame(), "清单", title="=TITLE()")
    assert _bad_cells(xlsx_b) == []
    assert {"'" + s for s in EVIL[:-1]} <= _texts(xlsx_b)
    for r in csv.reader(io.StringIO(csv_b.decode("utf-8-sig"), newline="")):
        assert not any(cells.needs_quote(v) for v in r), r


def test_flag_sheet_export():
    from lifecycle.outputs import exports

    data = exports.sheet_bytes(_evil_frame(), "=T()", "@info")
    assert _bad_cells(data) == []
    back = exports.read_sheet(data)["frame"]
    assert back["项目名称"].to_list()[:-1] == EVIL[:-1]  # read back as written by the user


def test_pack_workbook():
    from lifecycle.outputs.pack import Document, Table, render_xlsx

    doc = Document("=TITLE()", [], [Table("清单", "+表", _evil_frame(), note="-note")], [("@k", "=v")], "x")
    data = render_xlsx(doc)
    assert _bad_cells(data) == []
    assert {"'" + s for s in EVIL[:-1]} <= _texts(data)


def test_template_month_export_round_trip(make_store, tmp_path):
    """The month export neutralises names and the import reads them back unchanged."""
    from lifecycle.ingest.importer import Source, export_month, import_ledgers

    st = make_store()
    rows = [project(f"P{i}", name=s, enterprise=s, owner=s) for i, s in enumerate(EVIL[:5])]
    publish(st, "2026-09", rows, problems=[{"problem_id": "Q1", "project_id": "P0", "raised_on": "2026-01-01",
                                            "kind": "用地", "summary": "=1+1"}])
    out = tmp_path / "m.xlsx"
    export_month(st, "2026-09", str(out))
    data = out.read_bytes()
    assert _bad_cells(data) == []
    dst = make_store(name="dst")
    res = import_ledgers([Source("m.xlsx", data)], "2026-09", dst)
    assert res.ok, res.report.text()
    got = dst.read("2026-09", "projects").sort("project_id")
    assert got["name"].to_list() == EVIL[:5] and got["enterprise"].to_list() == EVIL[:5]
    assert dst.read("2026-09", "problems")["summary"].to_list() == ["=1+1"]


def test_template_has_no_formula():
    from lifecycle.ingest.template import ledger_bytes

    assert _bad_cells(ledger_bytes("jiangyin")) == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_marked_copy_of_an_upload(kind):
    from lifecycle.ingest.report import ERROR, Issue, marked_workbook

    issues = [Issue(ERROR, "f", "Sheet1" if kind == "xlsx" else "f", 2, "项目名称", EVIL[0], "=msg", "projects",
                    "name", 1)]
    if kind == "csv":
        name, data = "f.csv", ("项目编号,项目名称\r\nP1," + EVIL[1] + "\r\n").encode("utf-8")
    else:
        wb = openpyxl.Workbook()
        wb.active.append(["项目编号", "项目名称"])
        wb.active.append(["P1", "plain"])
        buf = io.BytesIO()
        wb.save(buf)
        name, data = "f.xlsx", buf.getvalue()
    out = marked_workbook(name, data, issues)
    assert _bad_cells(out) == []


def test_every_writer_uses_the_one_function():
    """No writer of the package writes a cell with xlsxwriter's formula-making `write` on text,
    nor a CSV without cells.csv_bytes."""
    import re
    from pathlib import Path

    root = Path(cells.__file__).resolve().parents[1]
    offenders = []
    for p in root.rglob("*.py"):
        if p.name == "cells.py":
            continue
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.write_csv\(|merge_range\(|ws\.write_string\(", line):
                offenders.append(f"{p.relative_to(root)}:{n}: {line.strip()}")
    assert offenders == []


def test_schema_unchanged():
    assert "name" in schema.polars_schema("projects")
    assert frame("projects", []).height == 0
