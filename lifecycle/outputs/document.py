"""The document model of packs and bulletins: a document is a list of blocks (headings, text,
tables, charts) assembled from the metrics API, then rendered to PDF and Excel (`render`).

May import: `lifecycle.domain`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

class PackError(Exception):
    """A user-facing problem building a pack (message in Chinese)."""


# ---- document model ----------------------------------------------------------------------------
@dataclass
class Table:
    sheet: str | None  # Excel sheet name; None = PDF only (e.g. a township page's slice of a sheet)
    title: str
    df: pl.DataFrame  # English column names (headers come from labels.COLUMNS), enums translated
    pct: tuple[str, ...] = ()  # fraction columns shown as percentages
    note: str | None = None
    pdf_rows: int | None = None  # cap the rows shown in the PDF (the sheet has them all)
    widths: dict[str, float] = field(default_factory=dict)  # relative PDF column widths
    decimals: dict[str, int] = field(default_factory=dict)  # fixed decimals in the PDF


@dataclass
class Heading:
    text: str
    level: int = 1
    page_break: bool = False


@dataclass
class Text:
    text: str
    small: bool = False


@dataclass
class Chart:
    png: bytes
    width_cm: float = 24.0


@dataclass
class Document:
    title: str
    cover_lines: list[str]
    blocks: list
    meta: list[tuple[str, str]]  # (field, value) for the workbook's first sheet
    file_stem: str

