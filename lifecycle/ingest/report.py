"""The validation report: every error and warning with file, sheet, Excel row, column header as
written, value and a Chinese message; its JSON and text forms; and a copy of the uploaded
workbooks with the offending cells filled and commented."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from lifecycle.domain import labels
from lifecycle.domain.cells import column_letters, safe_text

ERROR, WARNING = "error", "warning"


@dataclass
class Issue:
    level: str  # error | warning
    file: str
    sheet: str
    row: int | None  # Excel row number as the user sees it (None: not tied to a row)
    column: str  # header as written in the file ('' if not tied to a column)
    value: str  # the cell's text ('' if empty)
    message: str  # Chinese
    table: str = ""
    field: str = ""
    col: int | None = None  # 0-based column index in the sheet (for marking the cell)

    @property
    def cell(self) -> str:
        if self.row is None or self.col is None:
            return ""
        return f"{col_letter(self.col)}{self.row}"

    def public(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": self.value, "message": self.message, "cell": self.cell,
                "table": self.table, "field": self.field}


def col_letter(idx0: int) -> str:
    """'A' for the 0-based column 0."""
    return column_letters(idx0 + 1)


@dataclass
class Report:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    def add(self, issue: Issue) -> None:
        (self.errors if issue.level == ERROR else self.warnings).append(issue)

    def extend(self, issues) -> None:
        for i in issues:
            self.add(i)

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort(self) -> None:
        key = lambda i: (i.file, i.sheet, i.row if i.row is not None else 0, i.col if i.col is not None else -1,
                         i.message)
        self.errors.sort(key=key)
        self.warnings.sort(key=key)

    def to_dict(self) -> dict:
        return {"errors": [i.public() for i in self.errors],
                "warnings": [i.public() for i in self.warnings],
                "summary": self.summary}

    def rows(self) -> list[dict]:
        """Flat rows (errors first) with Chinese level names, for tables and downloads."""
        out = []
        for i in self.errors + self.warnings:
            d = i.public()
            d["level"] = labels.IMPORT_LEVELS[i.level]
            out.append(d)
        return out

    def text(self, limit: int | None = None) -> str:
        lines = []
        s = self.summary
        lines.append(f"月份 {s.get('month', '')}：错误 {len(self.errors)} 条，提示 {len(self.warnings)} 条")
        for t, info in s.get("tables", {}).items():
            lines.append(f"  {labels.IMPORT_TABLES.get(t, t)}：{info.get('text', '')}")
        if (s.get("pipeline") or {}).get("text"):  # the 招商线索 / 审查 sheets (docs/domain.md §16.5)
            lines.append(f"  {s['pipeline']['text']}")
        for title, items in (("错误", self.errors), ("提示", self.warnings)):
            shown = items if limit is None else items[:limit]
            for i in shown:
                where = i.file + (f" [{i.sheet}]" if i.sheet else "")
                if i.row is not None:
                    where += f" 第{i.row}行"
                if i.column:
                    where += f" 列“{i.column}”"
                val = f" 值“{i.value}”" if i.value not in (None, "") else ""
                lines.append(f"{title}：{where}{val}：{i.message}")
            if limit is not None and len(items) > limit:
                lines.append(f"……另有 {len(items) - limit} 条{title}（完整内容见 --report-json）")
        return "\n".join(lines)


# ---- marked-up copies -----------------------------------------------------------------------
ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"


def marked_workbook(name: str, data: bytes, issues: list[Issue]) -> bytes:
    """A copy of the uploaded file (an .xlsx, or a .csv turned into one) with every cell named by
    an issue filled (red: error, yellow: warning) and commented with the message, plus a sheet
    “校验结果” listing all issues of that file."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from lifecycle.ingest.read import decode_text

    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        wb = openpyxl.load_workbook(io.BytesIO(data))
    else:
        import csv

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = (Path(name).stem or "Sheet1")[:31]
        text, _ = decode_text(data)
        for r in csv.reader(io.StringIO(text, newline="")):
            ws.append([safe_text(v) for v in r])  # openpyxl would store '=...' as a formula
    fills = {ERROR: PatternFill("solid", fgColor=ERROR_FILL), WARNING: PatternFill("solid", fgColor=WARNING_FILL)}
    notes: dict[tuple[str, int, int], list[Issue]] = {}
    for i in issues:
        if i.row is None or i.col is None or i.sheet not in wb.sheetnames:
            continue
        notes.setdefault((i.sheet, i.row, i.col), []).append(i)
    for (sheet, r, c), items in notes.items():
        cell = wb[sheet].cell(row=r, column=c + 1)
        if type(cell).__name__ == "MergedCell":
            continue
        level = ERROR if any(i.level == ERROR for i in items) else WARNING
        cell.fill = fills[level]
        msg = "\n".join(f"{labels.IMPORT_LEVELS[i.level]}：{i.message}" for i in items)
        cell.comment = Comment(msg, "导入校验", width=320, height=120)
    title = labels.IMPORT_UI["result_sheet"]
    if title in wb.sheetnames:
        del wb[title]
    ws = wb.create_sheet(title, 0)
    heads = [labels.IMPORT_ISSUE_COLUMNS[k] for k in ("level", "sheet", "row", "cell", "column", "value", "message")]
    ws.append([safe_text(h) for h in heads])
    for c in ws[1]:
        c.font = Font(bold=True)
    for i in sorted(issues, key=lambda i: (i.level != ERROR, i.sheet, i.row or 0, i.col or 0)):
        ws.append([safe_text(labels.IMPORT_LEVELS[i.level]), safe_text(i.sheet), i.row, i.cell, safe_text(i.column),
                   safe_text(i.value), safe_text(i.message)])
        ws.cell(row=ws.max_row, column=1).fill = fills[i.level]
    for letter, width in zip("ABCDEFG", (8, 12, 8, 8, 22, 22, 70)):
        ws.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
