"""提醒函 and 约谈通知 as documents (docs/domain.md §12): one Word `.docx` letter per listed project
(python-docx), with the project's facts, the overdue figures and a 文号 line; a department's
letters merged into one document (a page each); and the department's list as an Excel sheet in
the format of `outputs/exports.py` (readable back with `exports.read_sheet`).

Rows come from `Metrics.letter_list` (one row per project, routed to a department). Streamlit-free.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl

from lifecycle.domain import labels
from lifecycle.outputs import exports
from lifecycle.present import formats

SEED_BASIS = ("根据《江阴市重大项目全生命周期管理实施意见》“制定年内计划竣工项目清单……通过提醒函和约谈的方式"
              "督促未能如期竣工的项目快竣工早投产”的要求")
SHEET_COLUMNS = ["project_id", "name", "enterprise", "unit_name", "planned_completed_on", "days_overdue",
                 "months_overdue", "owner", "lead_dept", "total_investment_wan", "cumulative_done_wan",
                 "route_dept", "letters_sent", "interviews_held", "last_letter_on", "last_interview_on",
                 "done_this_month", "doc_no"]
FONT = "仿宋"       # body (公文 convention); Word substitutes an installed CJK font when missing
TITLE_FONT = "宋体"


def title(kind: str, name: str) -> str:
    if kind == "interview":
        return f"关于约谈“{name}”项目单位的通知"
    return f"关于督促“{name}”加快竣工投产的提醒函"


def done_text(row: dict) -> str:
    """'已发函×2　已约谈×1' (empty when nothing was recorded): what the list shows."""
    parts = []
    if row.get("letters_sent"):
        parts.append(f"{labels.LETTER_DONE['reminder']}×{row['letters_sent']}")
    if row.get("interviews_held"):
        parts.append(f"{labels.LETTER_DONE['interview']}×{row['interviews_held']}")
    return "　".join(parts)


def body_paragraphs(row: dict, kind: str, month: str, dept: str) -> list[str]:
    """The letter's text, paragraph by paragraph (the facts of one list row)."""
    name = row.get("name") or row["project_id"]
    total = formats.yi_text(row.get("total_investment_wan"))
    done = formats.yi_text(row.get("cumulative_done_wan"))
    planned = formats.text(row.get("planned_completed_on"))
    days = row.get("days_overdue")
    months = row.get("months_overdue")
    overdue = f"{days}天（约{months:.1f}个月）" if days is not None and months is not None else formats.MISSING
    history = []
    if row.get("letters_sent"):
        history.append(f"此前已发提醒函{row['letters_sent']}次")
    if row.get("interviews_held"):
        history.append(f"已约谈{row['interviews_held']}次")
    hist = ("，" + "、".join(history)) if history else ""
    addressee = "、".join(x for x in (row.get("unit_name"), row.get("enterprise")) if x)
    facts = (f"“{name}”（项目编号{row['project_id']}），总投资{total}，计划竣工日期为{planned}，截至"
             f"{formats.month_end_text(month)}尚未竣工，已逾期{overdue}；累计完成投资{done}{hist}。")
    if kind == "interview":
        ask = (f"经研究，定于近期约谈项目单位主要负责人及{row.get('unit_name') or '属地'}分管负责同志，"
               "请届时说明项目未能如期竣工的原因、存在的困难问题和下一步竣工投产计划（明确时间节点和责任人）。")
    else:
        ask = ("请项目单位和属地镇街园区高度重视，对照计划查找原因，倒排工期、加快建设，"
               "于收到本函后10个工作日内将整改措施和竣工投产时间书面报送我单位。逾期未竣工超过3个月的，将予以约谈。")
    return [f"{addressee}：" if addressee else "", f"{SEED_BASIS}，现将有关情况函告如下：", facts, ask,
            f"联系人：{row.get('owner') or '　　　　'}（项目责任人）"]


def _setup(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    st = doc.styles["Normal"]
    st.font.name = FONT
    st.font.size = Pt(14)
    rpr = st.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _run_font(run, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _add_letter(doc, row: dict, kind: str, month: str, dept: str, region_name: str,
                doc_no: str | None, date: dt.date | None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(p.add_run(labels.LETTER_KINDS[kind] if kind == "reminder" else "约谈通知"), TITLE_FONT, 22, bold=True)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(p.add_run(f"{labels.LETTER_TEXT['doc_no']}：{doc_no or row.get('doc_no') or '〔　　〕　　号'}"), FONT, 14)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(p.add_run(title(kind, row.get("name") or row["project_id"])), TITLE_FONT, 16, bold=True)
    for i, text in enumerate(body_paragraphs(row, kind, month, dept)):
        if not text:
            continue
        p = doc.add_paragraph(text)
        p.paragraph_format.first_line_indent = None if i == 0 else Pt(28)
        p.paragraph_format.line_spacing = Pt(28)
    for text in (f"{region_name}{dept}", (date or dt.date.today()).strftime("%Y年%m月%d日").replace("年0", "年")
                 .replace("月0", "月")):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def letter_docx(row: dict, kind: str, month: str, dept: str | None = None, region_name: str = "",
                doc_no: str | None = None, date: dt.date | None = None) -> bytes:
    """One project's 提醒函 (kind='reminder') or 约谈通知 ('interview') as .docx bytes."""
    return letters_docx([row], kind, month, dept, region_name, doc_no, date)


def letters_docx(rows, kind: str, month: str, dept: str | None = None, region_name: str = "",
                 doc_no: str | None = None, date: dt.date | None = None) -> bytes:
    """Several letters in one .docx, a page each (rows: dicts or a letter_list frame)."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    if isinstance(rows, pl.DataFrame):
        rows = list(rows.iter_rows(named=True))
    if kind not in labels.LETTER_KINDS:
        raise ValueError(kind)
    doc = Document()
    _setup(doc)
    for i, row in enumerate(rows):
        if i:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _add_letter(doc, row, kind, month, dept or row.get("route_dept") or "", region_name,
                    doc_no if len(rows) == 1 else None, date)
    doc.core_properties.title = f"{region_name}{dept or ''}{labels.LETTER_KINDS[kind]}（{month}）"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def docx_text(src) -> str:
    """All paragraph text of a .docx (bytes or path), one paragraph a line (for tests and checks)."""
    from docx import Document

    doc = Document(io.BytesIO(src) if isinstance(src, (bytes, bytearray)) else str(src))
    return "\n".join(p.text for p in doc.paragraphs)


# ---- the department's list as a sheet ---------------------------------------------------------------
def sheet_title(kind: str, dept: str, region_name: str = "") -> str:
    return f"{region_name}{dept}{labels.LETTER_KINDS[kind]}项目清单"


def dept_sheet_bytes(rows: pl.DataFrame, kind: str, dept: str, month: str, rule: str, region_name: str = "") -> bytes:
    """The list of one department (rows of Metrics.letter_list routed to `dept`)."""
    body = rows.filter(pl.col("route_dept") == dept).select([c for c in SHEET_COLUMNS if c in rows.columns])
    info = f"数据截至：{formats.month_end_text(month)}　　规则：{rule}　　责任部门：{dept}"
    return exports.sheet_bytes(body, sheet_title(kind, dept, region_name), info, sheet=dept)


def file_stem(kind: str, dept: str, month: str, region_name: str = "") -> str:
    return f"{region_name}{dept}{labels.LETTER_KINDS[kind]}_{month}"


def write_all(m, month: str, out_dir, sl=None) -> list[Path]:
    """For each kind and each department: the list (.xlsx) and its letters (.docx) in out_dir."""
    from lifecycle.domain.reference import region
    from lifecycle.query.metrics import ALL

    reg = region(m.region)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, key in (("reminder", "completion_reminder"), ("interview", "completion_interview")):
        rows = m.letter_list(month, kind, sl or ALL)
        for dept in sorted(rows["route_dept"].unique().to_list()):
            stem = file_stem(kind, dept, month, reg.name)
            x = out / f"{stem}.xlsx"
            x.write_bytes(dept_sheet_bytes(rows, kind, dept, month, m.flag_rule(key), reg.name))
            d = out / f"{stem}.docx"
            d.write_bytes(letters_docx(rows.filter(pl.col("route_dept") == dept), kind, month, dept, reg.name))
            written += [x, d]
    return written
