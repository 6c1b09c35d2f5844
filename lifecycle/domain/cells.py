"""The one place that makes a text cell safe to hand out in a spreadsheet (CSV or Excel).

Formula / CSV injection (OWASP): a spreadsheet treats a cell whose text starts with `=`, `+`,
`-`, `@`, a tab or a carriage return as a formula. Every writer of the package (screen
downloads, flag sheets, packs and bulletins, the import template, the month export, the marked
copy of an upload) passes every text cell through `safe_text`, which puts an apostrophe in
front of such a text; Excel shows the apostrophe-led text as plain text. A text that is just a
number (`-5`, `+3.2`) is left alone: a spreadsheet reads it as that number, never a formula.

The import reverses it (`UNSAFE_PREFIX_RE`): a cell `'=abc` written by our export reads back
as `=abc`, so export -> import round trips are lossless.

With xlsxwriter always write text with `write_string` (its `write` turns '=...' into a formula).
`write_text` does both.
"""
from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# an apostrophe our writers put in front of a trigger character (for reading back)
UNSAFE_PREFIX_RE = r"^'([=+\-@\t\r])"


def needs_quote(s: str) -> bool:
    return bool(s) and s.startswith(TRIGGERS) and not _NUMBER.match(s)


def safe_text(v) -> str:
    """`v` as text that no spreadsheet evaluates (OWASP rule: a leading apostrophe)."""
    s = v if isinstance(v, str) else str(v)
    return "'" + s if needs_quote(s) else s


def unquote(s):
    """The inverse of safe_text for reading back (None passes through)."""
    if isinstance(s, str) and len(s) > 1 and s[0] == "'" and s[1] in TRIGGERS:
        return s[1:]
    return s


def write_text(ws, row: int, col: int, v, fmt=None) -> None:
    """Write a text cell with xlsxwriter, neutralised and always as a string (never a formula)."""
    if fmt is None:
        ws.write_string(row, col, safe_text(v))
    else:
        ws.write_string(row, col, safe_text(v), fmt)


def merge_text(ws, r1: int, c1: int, r2: int, c2: int, v, fmt=None) -> None:
    """xlsxwriter's merge_range with its text written by write_text (merge_range alone uses
    `write`, which would make '=...' a formula)."""
    ws.merge_range(r1, c1, r2, c2, "", fmt)
    write_text(ws, r1, c1, v, fmt)


def safe_frame(df):
    """A Polars frame with every text column neutralised (for CSV writers)."""
    import polars as pl

    cols = [c for c, t in df.schema.items() if t == pl.String]
    if not cols:
        return df
    return df.with_columns([
        pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]") & ~pl.col(c).str.contains(_NUMBER.pattern))
        .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in cols])


def csv_bytes(df) -> bytes:
    """CSV (UTF-8 with BOM, opens in Excel) of a frame, every text cell neutralised."""
    return safe_frame(df).write_csv().encode("utf-8-sig")


def column_letters(n: int) -> str:
    """The spreadsheet column name of the 1-based column number `n`: 'A' for 1, 'AA' for 27."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s
