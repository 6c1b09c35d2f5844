"""Bounded reading of uploads: no file can exhaust the server.

1. Before anything is allocated, the file's size and — for a workbook — the zip directory
   (uncompressed size of every part, compression ratio) and every visible sheet's declared
   `<dimension>` are checked against the limits of `[import.limits]` in config.toml.
2. The parsing itself runs in a separate process (forkserver, so no threads are forked) whose
   address space is capped with RLIMIT_AS. In that process each sheet's XML is scanned in
   bounded chunks first: its true extent (a value far away from the table is found even if the
   `<dimension>` lies) and the formula cells that carry no cached value. Whatever a file does
   in there — a dense range of billions of cells, a zip bomb — only that process dies, and the
   clerk gets a one-line Chinese message.

Every refusal is a `ReadError` (message in Chinese, naming the file and the sheet).
"""
from __future__ import annotations

import io
import os
import re
import threading
import zipfile
from dataclasses import asdict, dataclass, field

from lifecycle.domain.cells import column_letters


class ReadError(Exception):
    """A file that cannot be read at all (message in Chinese)."""


EXCEL_MAX_ROWS, EXCEL_MAX_COLS = 1_048_576, 16_384


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 100
    max_unpacked_mb: float = 1500
    max_ratio: float = 150  # uncompressed / compressed size of one part (checked above 20 MB)
    max_rows: int = EXCEL_MAX_ROWS
    max_columns: int = 256
    max_cells: int = 25_000_000  # rows × columns of a sheet's used range
    memory_mb: int = 6144  # address-space cap of the parsing process
    timeout_s: float = 900
    isolate: bool = True  # parse in a separate, memory-capped process

    @classmethod
    def from_config(cls, d: dict | None) -> "Limits":
        d = d or {}
        known = {k: d[k] for k in asdict(cls()) if k in d}
        return cls(**known)


# ---- checks on metadata (no allocation proportional to the content) --------------------------
def check_file(name: str, data: bytes, limits: Limits) -> None:
    mb = len(data) / 1e6
    if mb > limits.max_file_mb:
        raise ReadError(f"{name}：文件大小 {mb:,.1f} MB，超过上限 {limits.max_file_mb:g} MB，已拒绝"
                        f"（请删除无关的工作表或拆分文件后再导入）")


def check_package(name: str, z: zipfile.ZipFile, limits: Limits) -> None:
    """The zip directory: total unpacked size and the compression ratio of every part."""
    total = 0
    for info in z.infolist():
        total += info.file_size
        if info.file_size > 20e6 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise ReadError(f"{name}：工作簿部件“{info.filename}”解压后 {info.file_size / 1e6:,.0f} MB，压缩比 "
                            f"{ratio:,.0f} 倍，超过上限 {limits.max_ratio:g} 倍（内容异常），已拒绝")
    if total / 1e6 > limits.max_unpacked_mb:
        raise ReadError(f"{name}：工作簿解压后共 {total / 1e6:,.0f} MB，超过上限 {limits.max_unpacked_mb:g} MB，已拒绝"
                        f"（请删除无关的工作表或拆分文件后再导入）")


_DIM_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"')


def col_index(letters) -> int:
    """1-based column number of 'A'..'XFD'."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + (ord(ch) - 64)
    return n


col_letters = column_letters  # 'A' for 1


@dataclass
class Extent:
    r1: int
    c1: int
    r2: int
    c2: int

    @property
    def rows(self) -> int:
        return self.r2 - self.r1 + 1

    @property
    def cols(self) -> int:
        return self.c2 - self.c1 + 1

    @property
    def ref(self) -> str:
        return f"{col_letters(self.c1)}{self.r1}:{col_letters(self.c2)}{self.r2}"


def declared_extent(z: zipfile.ZipFile, path: str) -> Extent | None:
    """The `<dimension ref>` a sheet declares (read from its first 64 KB)."""
    try:
        with z.open(path) as fh:
            head = fh.read(65536)
    except KeyError:
        return None
    m = _DIM_RE.search(head)
    if not m:
        return None
    c1, r1 = col_index(m.group(1)), int(m.group(2))
    c2, r2 = (col_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
    return Extent(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


def check_extent(name: str, sheet: str, ext: Extent | None, limits: Limits, far: str | None = None) -> None:
    if ext is None:
        return
    if ext.rows > limits.max_rows or ext.cols > limits.max_columns or ext.rows * ext.cols > limits.max_cells:
        where = far or f"{col_letters(ext.c2)}{ext.r2}"
        raise ReadError(
            f"{name}：工作表“{sheet}”的使用范围 {ext.ref} 有 {ext.rows:,} 行 × {ext.cols:,} 列，超过上限"
            f"（{limits.max_rows:,} 行、{limits.max_columns:,} 列、共 {limits.max_cells:,} 个单元格），已拒绝；"
            f"请删除表格以外的多余内容（如单元格 {where}）后重新导入")


# ---- the full scan of one sheet (in the parsing process, chunked) -------------------------------
_F_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_C_END_RE = re.compile(rb"</(?:\w+:)?c>")
_R_ATTR = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_T_ATTR = re.compile(rb'\bt="(\w+)"')
_F_TEXT = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>", re.S)
_V_FULL = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>[^<]")
_V_ANY = re.compile(rb"<(?:\w+:)?v[\s>/]")
CHUNK = 4 << 20
MAX_FORMULAS = 200


@dataclass
class SheetScan:
    extent: Extent | None = None
    far_cell: str | None = None
    formulas_without_value: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col0, formula)
    n_formulas_without_value: int = 0


def scan_sheet(z: zipfile.ZipFile, path: str) -> SheetScan:
    """The extent of the cells holding something (tags with content) and the formula cells
    without a cached value, reading the XML a few MB at a time. The first column is taken as A
    (conservative: the parser's range starts at the first cell, never before A)."""
    out = SheetScan()
    rows: set[bytes] = set()
    cols: set[bytes] = set()
    with z.open(path) as fh:
        rest = b""
        while True:
            chunk = fh.read(CHUNK)
            buf = rest + chunk
            if chunk:
                cut = buf.rfind(b"row>")  # end of a row: no cell is split
                if cut < 0:
                    rest = buf
                    continue
                part, rest = buf[:cut + 4], buf[cut + 4:]
            else:
                part, rest = buf, b""
            _row_extents(part, rows, cols)
            if b"<f" in part or b":f" in part:
                _formulas(part, out)
            if not chunk:
                break
    if rows:
        key = lambda b: (len(b), b)  # numeric / column-letter order without converting every item
        r1, r2 = int(min(rows, key=key)), int(max(rows, key=key))
        c1, c2 = 1, col_index(max(cols, key=key))
        out.extent = Extent(r1, c1, r2, c2)
        out.far_cell = f"{col_letters(c2)}{r2}"
    return out


_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_REF_AT = re.compile(rb' r="([A-Z]{1,3})(\d{1,7})"')


def _row_extents(part: bytes, rows: set, cols: set) -> None:
    """For every row of `part`: its last cell holding something (cells are in column order
    within a row), giving the row number and the row's last column. One step per row, not per
    cell. Self-closing cells (`<c r=".." s=".."/>`, formatting only) do not count."""
    lo = 0
    for m in _ROW_END.finditer(part):
        hi = m.start()
        pos = part.rfind(b' r="', lo, hi)
        while pos >= lo:
            ref = _REF_AT.match(part, pos)
            if ref is None:  # the row's own r="N": no cell with content in this row
                break
            gt = part.find(b">", pos, hi)
            if gt > 0 and part[gt - 1:gt] != b"/":
                cols.add(ref.group(1))
                rows.add(ref.group(2))
                break
            pos = part.rfind(b' r="', lo, pos)
        lo = m.end()


def _formulas(part: bytes, out: SheetScan) -> None:
    pos = 0
    while True:
        m = _F_RE.search(part, pos)
        if not m:
            return
        start = max(part.rfind(b"<c ", 0, m.start()), part.rfind(b":c ", 0, m.start()))
        end_m = _C_END_RE.search(part, m.end())
        if start < 0 or not end_m:
            pos = m.end()
            continue
        cell = part[start:end_m.end()]
        pos = end_m.end()
        tag_end = cell.find(b">")
        tag = cell[:tag_end]
        t = _T_ATTR.search(tag)
        t = t.group(1) if t else b"n"
        if _V_FULL.search(cell) or (t == b"str" and _V_ANY.search(cell)):
            continue
        r = _R_ATTR.search(tag)
        out.n_formulas_without_value += 1
        if r and len(out.formulas_without_value) < MAX_FORMULAS:
            ft = _F_TEXT.search(cell)
            text = ft.group(1).decode("utf-8", "replace") if ft else ""
            out.formulas_without_value.append((int(r.group(2)), col_index(r.group(1)) - 1, _unescape(text)))


def _unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


# ---- the parsing process ------------------------------------------------------------------------
_CTX = None
_CTX_LOCK = threading.Lock()


def _context():
    global _CTX
    with _CTX_LOCK:
        if _CTX is None:
            import multiprocessing as mp

            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["lifecycle.ingest.read", "fastexcel"])
            _CTX = ctx
        return _CTX


def _child(conn, memory_bytes: int, fn, args) -> None:
    import resource

    try:  # a Rust allocation failure aborts with a backtrace on stderr: keep the server log clean
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except OSError:
        pass
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ValueError, OSError):
        pass
    try:
        result = ("ok", fn(*args))
    except ReadError as e:
        result = ("read_error", str(e))
    except MemoryError:
        result = ("memory", "")
    except BaseException as e:  # reported to the parent as a read failure
        result = ("error", f"{type(e).__name__}: {e}")
    try:
        conn.send(result)
    except MemoryError:
        conn.send(("memory", ""))
    conn.close()


def run_isolated(name: str, fn, args: tuple, limits: Limits):
    """fn(*args) in a separate process with the address space capped at limits.memory_mb."""
    import sys
    import types

    ctx = _context()
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, int(limits.memory_mb * 2**20), fn, args), daemon=True)
    # multiprocessing would re-import the main script in the worker (a script without a
    # `__main__` guard would run again there): hand it a main module without origin instead
    with _CTX_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            proc.start()
        finally:
            if main is not None:
                sys.modules["__main__"] = main
    send.close()
    try:
        if not recv.poll(limits.timeout_s):
            raise ReadError(f"{name}：读取超过 {limits.timeout_s:g} 秒，已中止（服务未受影响）")
        try:
            status, payload = recv.recv()
        except (EOFError, OSError):
            status, payload = "died", ""
    finally:
        recv.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    if status == "ok":
        return payload
    if status == "read_error":
        raise ReadError(payload)
    if status in ("memory", "died"):
        raise ReadError(f"{name}：读取时超出内存上限 {limits.memory_mb:,} MB，已中止（服务未受影响）；"
                        f"请检查工作表中是否有远离表格的多余单元格或异常大的内容")
    raise ReadError(f"{name}：无法读取（{payload}）")


def open_zip(name: str, data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ReadError(f"{name}：不是有效的 .xlsx 文件（文件已损坏，或扩展名与内容不符）") from None
