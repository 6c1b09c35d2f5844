"""The audit log (审计日志): an append-only, hash-chained record of who did what.

Storage: `<store>/audit.jsonl`, one JSON object per line:

    {"seq": 17, "time": "2026-11-03T09:12:40", "user": "leader", "role": "leader",
     "action": "download", "scope": "all", "target": "预警督办/提醒函_2026-10.xlsx",
     "ok": true, "detail": {...}, "prev": "<hash of entry 16>", "hash": "<sha256>"}

`hash` is the SHA-256 of the entry's canonical JSON (sorted keys, without `hash`), which includes
`prev`, the previous entry's hash (64 zeros for the first). Editing a line breaks its own hash;
removing a line breaks the next line's `prev` and `seq`. `<store>/audit.head` holds the last
entry's sequence number and hash, so removing the last lines is detected as well.
`verify()` names the first broken entry. (Whoever can rewrite every line *and* the head file can
forge the whole chain: the chain detects edits, it does not replace keeping copies elsewhere.)

Every append takes an exclusive lock (`.audit.lock`), so concurrent Streamlit sessions and CLI
processes never interleave or fork the chain; each line is written with one `write` and fsynced.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

FILE_NAME = "audit.jsonl"
HEAD_NAME = "audit.head"
GENESIS = "0" * 64
FIELDS = ("seq", "time", "user", "role", "action", "scope", "target", "ok", "detail")


def _root(store_root) -> Path:
    return Path(store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root)


def log_path(store_root) -> Path:
    return _root(store_root) / FILE_NAME


def entry_hash(entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextmanager
def _locked(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".audit.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _last_line(path: Path) -> str | None:
    """The last non-empty line of the file (read from the end, so appends stay O(1))."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return None
    with fh:
        fh.seek(0, os.SEEK_END)
        end = fh.tell()
        buf = b""
        pos = end
        while pos > 0:
            step = min(4096, pos)
            pos -= step
            fh.seek(pos)
            buf = fh.read(step) + buf
            lines = buf.rstrip(b"\n").split(b"\n")
            if len(lines) > 1 or pos == 0:
                last = lines[-1].strip()
                return last.decode("utf-8") if last else None
    return None


def _read_head(root: Path) -> dict | None:
    try:
        return json.loads((root / HEAD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_head(root: Path, seq: int, h: str) -> None:
    tmp = root / f".{HEAD_NAME}.tmp"
    tmp.write_text(json.dumps({"seq": seq, "hash": h}), encoding="utf-8")
    os.replace(tmp, root / HEAD_NAME)


def cli_user() -> str:
    """The identity recorded for commands run on the server (`cli:<OS user>`)."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # pragma: no cover - no passwd entry in some containers
        return "cli:unknown"


def append(store_root, user: str, role: str | None, action: str, *, scope: str | None = None,
           target: str | None = None, ok: bool = True, detail: dict | None = None,
           now: dt.datetime | None = None) -> dict:
    """Append one entry (chained to the previous one) and return it."""
    root = _root(store_root)
    path = root / FILE_NAME
    with _locked(root):
        last = _last_line(path)
        prev, seq = GENESIS, 0
        if last:
            try:
                rec = json.loads(last)
                prev, seq = rec["hash"], int(rec["seq"])
            except (ValueError, KeyError, TypeError):
                head = _read_head(root) or {}
                prev, seq = head.get("hash", GENESIS), int(head.get("seq", 0))
        entry = {
            "seq": seq + 1,
            "time": (now or dt.datetime.now()).isoformat(timespec="seconds"),
            "user": str(user or ""),
            "role": role or "",
            "action": action,
            "scope": scope or "all",
            "target": target or "",
            "ok": bool(ok),
            "detail": detail or {},
            "prev": prev,
        }
        entry["hash"] = entry_hash(entry)
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        _write_head(root, entry["seq"], entry["hash"])
    return entry


def read(store_root) -> list[dict]:
    """Every entry that parses, in file order."""
    path = log_path(store_root)
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out


_SCHEMA = {"seq": pl.Int64, "time": pl.String, "user": pl.String, "role": pl.String, "action": pl.String,
           "scope": pl.String, "target": pl.String, "ok": pl.Boolean, "detail": pl.String}


def frame(store_root, user: str | None = None, actions=None, date_from: dt.date | None = None,
          date_to: dt.date | None = None, text: str | None = None) -> pl.DataFrame:
    """The entries as a frame (newest first), filtered by user, actions, date range and free text
    (searched in target and detail)."""
    rows = [{**{k: e.get(k) for k in FIELDS},
             "detail": json.dumps(e.get("detail") or {}, ensure_ascii=False, default=str)} for e in read(store_root)]
    df = pl.DataFrame(rows, schema=_SCHEMA) if rows else pl.DataFrame(schema=_SCHEMA)
    if user:
        df = df.filter(pl.col("user") == user)
    if actions:
        df = df.filter(pl.col("action").is_in(list(actions)))
    if date_from:
        df = df.filter(pl.col("time") >= date_from.isoformat())
    if date_to:
        df = df.filter(pl.col("time") < (date_to + dt.timedelta(days=1)).isoformat())
    if text:
        df = df.filter(pl.col("target").str.contains(text, literal=True)
                       | pl.col("detail").str.contains(text, literal=True))
    return df.sort("seq", descending=True)


@dataclass
class Verdict:
    ok: bool
    entries: int
    message: str
    broken_seq: int | None = None
    broken_line: int | None = None


def verify(store_root) -> Verdict:
    """Check the chain: every line parses, its hash matches, `seq` increases by one and `prev`
    is the previous hash; the last entry matches audit.head. Names the first broken entry."""
    root = _root(store_root)
    path = root / FILE_NAME
    head = _read_head(root)
    if not path.exists():
        if head and int(head.get("seq", 0)) > 0:
            return Verdict(False, 0, f"审计日志文件 {path} 缺失（应有 {head['seq']} 条记录）", 1, None)
        return Verdict(True, 0, "审计日志为空")
    prev, seq, n = GENESIS, 0, 0
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            n += 1
            expected = seq + 1
            try:
                e = json.loads(line)
                if not isinstance(e, dict):
                    raise ValueError
            except ValueError:
                return Verdict(False, n - 1, f"第 {lineno} 行（第 {expected} 条记录）无法解析，已被改动",
                               expected, lineno)
            if e.get("hash") != entry_hash(e):
                return Verdict(False, n - 1, f"第 {e.get('seq', expected)} 条记录（第 {lineno} 行）内容被改动：哈希不符",
                               e.get("seq", expected), lineno)
            if e.get("seq") != expected or e.get("prev") != prev:
                return Verdict(False, n - 1, f"第 {expected} 条记录缺失或被删除（第 {lineno} 行为第 {e.get('seq')} 条，"
                                             f"与前一条不衔接）", expected, lineno)
            prev, seq = e["hash"], e["seq"]
    if head is not None:
        if int(head.get("seq", 0)) > seq:
            return Verdict(False, n, f"第 {seq + 1} 条记录缺失或被删除（日志止于第 {seq} 条，应有 {head['seq']} 条）",
                           seq + 1, None)
        if int(head.get("seq", 0)) == seq and head.get("hash") != prev:
            return Verdict(False, n, f"第 {seq} 条记录被改动：与 {HEAD_NAME} 记录的哈希不符", seq, None)
    return Verdict(True, n, f"审计日志完整：共 {n} 条记录，哈希链校验通过")
