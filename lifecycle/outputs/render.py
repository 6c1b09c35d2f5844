"""Renderers of a Document (`outputs/document.py`): Excel (xlsxwriter, one sheet per table) and
PDF (reportlab, the CJK font embedded by `outputs/fonts.py`). Cells are formatted through the
presentation registry (`present/formats.py`).
"""
from __future__ import annotations

import datetime as dt
import io
import re

import polars as pl

from lifecycle.domain import labels
from lifecycle.domain.cells import write_text
from lifecycle.present import formats

from lifecycle.outputs.document import Chart, Document, Heading, Table, Text
from lifecycle.outputs.fonts import _register_font


# ---- rendering: Excel ------------------------------------------------------------------------
def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"
    out, i = base, 2
    while out in used:
        suffix = f"_{i}"
        out = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(out)
    return out


def render_xlsx(doc: Document) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "default_date_format": "yyyy-mm-dd",
                                   "nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    title_f = wb.add_format({"bold": True, "font_size": 14})
    pct_f = wb.add_format({"num_format": "0.0%"})
    num_f = wb.add_format({"num_format": formats.excel_format("num")})
    fmt_cache: dict = {}
    date_f = wb.add_format({"num_format": "yyyy-mm-dd"})
    used: set[str] = set()
    ws = wb.add_worksheet(_sheet_name("说明", used))
    write_text(ws, 0, 0, doc.title, title_f)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 60)
    for i, (k, v) in enumerate(doc.meta, start=2):
        write_text(ws, i, 0, k, bold)
        if v is not None:
            write_text(ws, i, 1, v)
    for b in doc.blocks:
        if not isinstance(b, Table) or b.sheet is None:
            continue
        ws = wb.add_worksheet(_sheet_name(b.sheet, used))
        write_text(ws, 0, 0, b.title, title_f)
        df = b.df
        for j, c in enumerate(df.columns):
            h = _h(c)
            write_text(ws, 2, j, h, bold)
            width = 50 if c in ("definition", "rule", "text") else max(10, min(36, len(h) * 2 + 2))
            ws.set_column(j, j, width)
        # number formats by the presentation registry's format kind (万元 whole, 亿元 2 decimals…)
        col_f = {}
        for c, dtype in df.schema.items():
            nf = formats.excel_format(formats.kind(c, dtype)) if dtype.is_numeric() else None
            col_f[c] = num_f if nf is None else fmt_cache.setdefault(nf, wb.add_format({"num_format": nf}))
        for i, row in enumerate(df.iter_rows(), start=3):
            for j, (c, v) in enumerate(zip(df.columns, row)):
                if not formats.is_value(v):  # None, NaN, inf: a blank cell
                    continue
                if c in b.pct and isinstance(v, (int, float)):
                    ws.write_number(i, j, v, pct_f)
                elif isinstance(v, bool):
                    write_text(ws, i, j, labels.BOOL[v])
                elif isinstance(v, (int, float)):
                    ws.write_number(i, j, v, col_f[c])
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_f)
                else:
                    write_text(ws, i, j, v)
        ws.freeze_panes(3, 0)
        if b.note:
            write_text(ws, df.height + 4, 0, b.note)
    wb.close()
    return buf.getvalue()


# ---- rendering: PDF --------------------------------------------------------------------------
def _h(col: str) -> str:
    return labels.COLUMNS.get(col, col)


def _doc_text(doc: Document) -> str:
    parts = [doc.title, *doc.cover_lines, labels.REVIEW["pack_title"], "第页共"]
    for b in doc.blocks:
        if isinstance(b, Heading | Text):
            parts.append(b.text)
        elif isinstance(b, Table):
            parts += [b.title, b.note or "", "".join(_h(c) for c in b.df.columns)]
            rows = b.df if b.pdf_rows is None else b.df.head(b.pdf_rows)
            for c in rows.columns:
                if rows.schema[c] == pl.String:
                    parts.append("".join(x for x in rows[c].unique().to_list() if x))
    return "".join(parts)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_pdf(doc: Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (Image, LongTable, PageBreak, Paragraph, SimpleDocTemplate, Spacer,
                                    TableStyle)

    font = _register_font(_doc_text(doc))
    font_b = font
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444"))
    cell = ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5)
    head_cell = ParagraphStyle("head", parent=cell, fontName=font_b, textColor=colors.white)
    h1 = ParagraphStyle("h1", parent=base, fontName=font_b, fontSize=16, leading=22, spaceBefore=4, spaceAfter=8,
                        textColor=colors.HexColor("#1f4e79"))
    h2 = ParagraphStyle("h2", parent=h1, fontSize=14, leading=19)
    h3 = ParagraphStyle("h3", parent=base, fontName=font_b, fontSize=11, leading=15, spaceBefore=6, spaceAfter=3)
    ttl = ParagraphStyle("ttl", parent=base, fontName=font_b, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=3)
    cover_t = ParagraphStyle("cover", parent=base, fontName=font_b, fontSize=28, leading=38, alignment=TA_CENTER)
    cover_l = ParagraphStyle("coverl", parent=base, fontSize=14, leading=24, alignment=TA_CENTER)

    page_w, page_h = landscape(A4)
    margin = 1.5 * cm
    avail = page_w - 2 * margin
    story: list = [Spacer(1, 4 * cm), Paragraph(_esc(doc.title), cover_t), Spacer(1, 1.2 * cm)]
    for line in doc.cover_lines:
        story.append(Paragraph(_esc(line), cover_l))
    story.append(PageBreak())
    first_heading = True
    for b in doc.blocks:
        if isinstance(b, Heading):
            if b.page_break and not first_heading:
                story.append(PageBreak())
            first_heading = False
            story.append(Paragraph(_esc(b.text), {1: h1, 2: h2}.get(b.level, h3)))
        elif isinstance(b, Text):
            story.append(Paragraph(_esc(b.text), small if b.small else base))
        elif isinstance(b, Chart):
            img = Image(io.BytesIO(b.png))
            w = min(b.width_cm * cm, avail)
            img.drawWidth, img.drawHeight = w, w * img.imageHeight / img.imageWidth
            if img.drawHeight > page_h - 5 * cm:
                scale = (page_h - 5 * cm) / img.drawHeight
                img.drawWidth, img.drawHeight = img.drawWidth * scale, img.drawHeight * scale
            story.append(img)
        elif isinstance(b, Table):
            if b.pdf_rows == 0:
                continue
            df = b.df if b.pdf_rows is None else b.df.head(b.pdf_rows)
            if b.title:
                story.append(Paragraph(_esc(b.title), ttl))
            cols = df.columns
            data = [[Paragraph(_esc(_h(c)), head_cell) for c in cols]]
            for row in df.iter_rows():
                data.append([Paragraph(_esc(formats.cell_text(v, c in b.pct, b.decimals.get(c))), cell)
                             for c, v in zip(cols, row)])
            weights = []
            for c in cols:
                if c in b.widths:
                    weights.append(b.widths[c])
                else:
                    longest = max([len(_h(c)) / 2.5] + [len(formats.cell_text(v)) for v in df[c].head(50).to_list()])
                    weights.append(min(max(longest / 6, 0.9), 2.2))
            tot = sum(weights)
            t = LongTable(data, colWidths=[avail * w / tot for w in weights], repeatRows=1)
            t.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f6fa")]),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]))
            story.append(t)
            if b.note:
                story.append(Paragraph(_esc(b.note), small))
            story.append(Spacer(1, 0.3 * cm))

    def on_page(canvas, d):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(margin, 0.8 * cm, doc.title)
        canvas.drawRightString(page_w - margin, 0.8 * cm, f"第 {d.page} 页")
        canvas.restoreState()

    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=margin, rightMargin=margin,
                            topMargin=1.3 * cm, bottomMargin=1.4 * cm, title=doc.title, author="重大项目全生命周期看板")
    pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


