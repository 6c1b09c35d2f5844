"""Reading ledger files into raw grids whose row numbers are the ones Excel shows.

- .xlsx / .xlsm: openpyxl in read-only mode (values as last saved; dates as datetimes). Merged
  ranges are read from the sheet XML so a value merged down several data rows (a township
  written once for a block of projects) is filled into every row of the range.
- .csv / .txt: UTF-8 (with or without BOM), then GB18030 (a superset of GBK, which is what
  Chinese Excel saves as "CSV"). Separator sniffed among `,`, tab, `;`. The sheet name is the
  file's stem, as Excel shows it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl


from lifecycle.ingest import guard
from lifecycle.ingest.guard import Limits, ReadError  # noqa: F401  (ReadError is re-exported)


@dataclass
class Source:
    name: str  # file name as the user knows it
    data: bytes

    @classmethod
    def from_path(cls, path) -> "Source":
        p = Path(path)
        try:
            return cls(p.name, p.read_bytes())
        except FileNotFoundError:
            raise ReadError(f"文件不存在：{p}") from None
        except IsADirectoryError:
            raise ReadError(f"不是文件而是目录：{p}") from None
        except OSError as e:
            raise ReadError(f"无法读取文件 {p}：{e.strerror or e}") from None


@dataclass
class RawSheet:
    """A sheet as a grid of text cells. `grid` row i is Excel row `row0 + i` (1-based); grid
    column j is sheet column `col0 + j` (0-based: A = 0)."""
    file: str
    sheet: str
    kind: str  # xlsx | csv
    grid: pl.DataFrame
    row0: int = 1
    col0: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (1-based)
    # formula cells saved without a cached value: (Excel row, 0-based column, formula text)
    formulas: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        """Excel row number of the last row."""
        return self.row0 + self.grid.height - 1

    def head(self, n: int) -> list[tuple]:
        """Excel rows 1..n as tuples indexed by absolute column (A = 0)."""
        out = [tuple()] * max(0, min(n, self.row0 - 1))
        take = max(0, n - (self.row0 - 1))
        pad = (None,) * self.col0
        for r in self.grid.head(take).iter_rows():
            out.append(pad + tuple(_strip(v) for v in r))
        return out

    def column(self, abs_col: int) -> pl.Series | None:
        j = abs_col - self.col0
        if 0 <= j < self.grid.width:
            return self.grid.to_series(j)
        return None


def _strip(v):
    if v is None:
        return None
    v = v.strip(" \t\r\n\u3000\xa0")
    return v or None


def read_source(src: Source, progress=None, limits: Limits | None = None) -> list[RawSheet]:
    """The visible sheets of one file. Sizes are checked on the file's metadata first; the
    parsing runs in a memory-capped separate process (see guard.py) unless limits.isolate is
    off. Raises ReadError (Chinese) for anything that cannot or may not be read."""
    limits = limits or Limits()
    suffix = Path(src.name).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".csv", ".txt"):
        guard.check_file(src.name, src.data, limits)
    if suffix in (".xlsx", ".xlsm"):
        z = guard.open_zip(src.name, src.data)
        with z:
            guard.check_package(src.name, z, limits)
            try:
                layout = _xlsx_layout(src.data)
            except Exception as e:
                raise ReadError(f"{src.name}：无法打开工作簿（{type(e).__name__}: {e}）") from None
            for name, path, state in layout:
                if state in ("", "visible"):
                    guard.check_extent(src.name, name, guard.declared_extent(z, path), limits)
    elif suffix in (".csv", ".txt"):
        n = src.data.count(b"\n")
        if n > limits.max_rows:
            raise ReadError(f"{src.name}：共 {n:,} 行，超过上限 {limits.max_rows:,} 行，已拒绝")
    if suffix in (".xlsx", ".xlsm", ".csv", ".txt"):
        if progress:
            progress("", 0)
        if limits.isolate:
            return guard.run_isolated(src.name, _read_direct, (src, limits), limits)
        return _read_direct(src, limits)
    if suffix == ".xls":
        raise ReadError(f"{src.name}：不支持旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 后再导入")
    raise ReadError(f"{src.name}：不支持的文件类型“{suffix or '无扩展名'}”（支持 .xlsx 和 .csv）")


def _read_direct(src: Source, limits: Limits) -> list[RawSheet]:
    if Path(src.name).suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(src, None, limits)
    return [_read_csv(src)]


def _cell_text(v):
    """An openpyxl / csv cell value as canonical text (dates ISO, integral floats without '.0')."""
    if v is None:
        return None
    if isinstance(v, str):
        return _strip(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ", timespec="seconds")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return str(v)
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    return str(v)


def _read_xlsx(src: Source, progress=None, limits: Limits | None = None) -> list[RawSheet]:
    """Values through fastexcel (calamine, fast). Calamine returns the used range without its
    position, so the position of its first row and column is taken from the sheet XML (the
    first cell holding a value, and the leftmost column holding one). If the package is unusual
    (no cell references), fall back to openpyxl, slower but exact."""
    import fastexcel

    try:
        layout = _xlsx_layout(src.data)
    except zipfile.BadZipFile:
        raise ReadError(f"{src.name}：不是有效的 .xlsx 文件（文件已损坏，或扩展名与内容不符）") from None
    except Exception as e:
        raise ReadError(f"{src.name}：无法打开工作簿（{type(e).__name__}: {e}）") from None
    try:
        reader = fastexcel.read_excel(src.data)
    except Exception as e:
        raise ReadError(f"{src.name}：无法读取工作簿（{e}）") from None
    out = []
    with zipfile.ZipFile(io.BytesIO(src.data)) as z:
        for name, path, state in layout:
            if state not in ("", "visible"):
                continue
            if progress:
                progress(name, 0)
            try:
                scan = guard.scan_sheet(z, path)
            except KeyError:
                raise ReadError(f"{src.name}：工作表“{name}”缺失（文件已损坏）") from None
            # the true extent, even if the sheet's <dimension> says otherwise, before calamine
            # allocates its dense range
            guard.check_extent(src.name, name, scan.extent, limits or Limits(), scan.far_cell)
            xml = z.read(path)
            merged = _merged_ranges(xml)
            try:
                grid = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
            except Exception as e:
                raise ReadError(f"{src.name}：无法读取工作表“{name}”（{e}）") from None
            grid = grid.rename({c: f"c{j}" for j, c in enumerate(grid.columns)})
            if grid.height == 0:
                out.append(RawSheet(src.name, name, "xlsx", grid, 1, 0, merged, scan.formulas_without_value))
                continue
            off = _range_start(xml)
            if off is None:
                grid, off = _openpyxl_grid(src, name), (1, 0)
            out.append(RawSheet(src.name, name, "xlsx", grid, off[0], off[1], merged, scan.formulas_without_value))
    return out


def _xlsx_layout(data: bytes) -> list[tuple[str, str, str]]:
    """[(sheet name, path inside the package, state)] in workbook order."""
    import posixpath
    import xml.etree.ElementTree as ET

    ns_r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        wb_path = "xl/workbook.xml"
        root_rels = ET.fromstring(z.read("_rels/.rels"))
        for rel in root_rels:
            if rel.get("Type", "").endswith("/officeDocument"):
                wb_path = rel.get("Target").lstrip("/")
        wb = ET.fromstring(z.read(wb_path))
        base = posixpath.dirname(wb_path)
        rels_path = posixpath.join(base, "_rels", posixpath.basename(wb_path) + ".rels")
        targets = {}
        if rels_path in names:
            for rel in ET.fromstring(z.read(rels_path)):
                t = rel.get("Target", "")
                targets[rel.get("Id")] = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join(base, t))
    out = []
    for el in wb.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = el.get(f"{{{ns_r}}}id")
            out.append((el.get("name"), targets.get(rid, ""), el.get("state", "visible")))
    return out


_CELL = rb'<(?:\w+:)?c\s+(?:[^>]*?\s)?r="%s(\d+)"(?:[^>]*?)(?<!/)>(?:(?!</(?:\w+:)?c>).){0,2000}?<(?:\w+:)?(?:v|is)[\s>]'
_FIRST_CELL = re.compile(_CELL % rb"([A-Z]+)", re.S)


def _range_start(xml: bytes) -> tuple[int, int] | None:
    """(Excel row of the first cell holding a value, 0-based index of the leftmost column
    holding one) — the origin of calamine's range."""
    m = _FIRST_CELL.search(xml)
    if not m:
        return None
    row0 = int(m.group(2))
    first_col = _col_index(m.group(1)) - 1
    col0 = first_col
    for c in range(first_col):
        if re.search(_CELL % _col_letters(c).encode(), xml, re.S):
            col0 = c
            break
    return row0, col0


def _col_letters(idx0: int) -> str:
    return guard.col_letters(idx0 + 1)


def _openpyxl_grid(src: Source, name: str) -> pl.DataFrame:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(src.data), read_only=True, data_only=True)
    try:
        ws = wb[name]
        ws.reset_dimensions()
        rows = [tuple(_cell_text(v) for v in r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return _grid(rows)


def _grid(rows: list[tuple]) -> pl.DataFrame:
    width = max((len(r) for r in rows), default=0)
    cols = {f"c{j}": [r[j] if j < len(r) else None for r in rows] for j in range(width)}
    return pl.DataFrame({k: pl.Series(v, dtype=pl.String) for k, v in cols.items()})


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + (ord(ch) - 64)
    return n


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    i = xml.rfind(b"mergeCells")
    if i < 0:
        return []
    xml = xml[xml.find(b"mergeCells"):]
    out = []
    for a, r1, b, r2 in _MERGE_RE.findall(xml):
        out.append((int(r1), _col_index(a), int(r2), _col_index(b)))
    return out


def decode_text(data: bytes) -> tuple[str, str]:
    """Bytes of a text file -> (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError:
        raise ReadError("文本编码无法识别（支持 UTF-8 和 GBK/GB18030）") from None


def _read_csv(src: Source) -> RawSheet:
    try:
        text, _enc = decode_text(src.data)
    except ReadError as e:
        raise ReadError(f"{src.name}：{e}") from None
    sample = text[:20000]
    counts = {d: sample.count(d) for d in (",", "\t", ";", "，")}
    delim = max(counts, key=counts.get) if any(counts.values()) else ","
    try:
        rows = [tuple(_cell_text(v) for v in r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim)]
    except csv.Error as e:
        raise ReadError(f"{src.name}：CSV 格式错误（{e}）") from None
    while rows and not any(rows[-1]):
        rows.pop()
    return RawSheet(src.name, Path(src.name).stem, "csv", _grid(rows), 1, 0)
