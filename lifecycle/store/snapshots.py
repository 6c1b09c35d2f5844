"""Snapshot store: monthly parquet snapshots in the hive layout of docs/domain.md §6.

    <store>/store.json                        {"region": "jiangyin"}
    <store>/publications.jsonl                append-only publication log
    <store>/snapshots/month=YYYY-MM           -> .versions/YYYY-MM.<stamp>   (symlink)
    <store>/snapshots/.versions/YYYY-MM.<stamp>/{projects,approvals,operations,problems}.parquet

Publishing is atomic: the new version is written completely into its own directory, flushed
to disk, and only then the month's symlink is swapped with a single `rename(2)`. A failure or a
kill at any moment leaves the previously published month (and every other month) untouched;
readers see either the old or the new version, never a mix. Version directories are never
modified after publication (immutable); a re-publication is a new version.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import json
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from lifecycle.domain import schema

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class StoreError(Exception):
    """A user-facing store problem (message in Chinese)."""


def check_month(month: str) -> str:
    if not isinstance(month, str) or not MONTH_RE.match(month):
        raise StoreError(f"月份格式应为 YYYY-MM，实际为“{month}”")
    return month


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Store:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.snapshots = self.root / "snapshots"
        self.versions = self.snapshots / ".versions"
        self.log_path = self.root / "publications.jsonl"

    # ---- metadata -----------------------------------------------------------------
    def exists(self) -> bool:
        return self.snapshots.is_dir()

    @property
    def meta(self) -> dict:
        p = self.root / "store.json"
        if p.exists():
            return json.loads(p.read_text(encoding="utf-8"))
        return {}

    @property
    def region(self) -> str:
        return self.meta.get("region", "jiangyin")

    def init(self, region: str) -> None:
        self.versions.mkdir(parents=True, exist_ok=True)
        p = self.root / "store.json"
        meta = self.meta
        if meta.get("region") not in (None, region):
            raise StoreError(f"该数据目录属于地区“{meta['region']}”，不能写入“{region}”的数据")
        meta["region"] = region
        tmp = p.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, p)

    # ---- reading ------------------------------------------------------------------
    def months(self) -> list[str]:
        if not self.snapshots.is_dir():
            return []
        out = []
        for p in self.snapshots.iterdir():
            if p.name.startswith("month=") and (p / "projects.parquet").exists():
                m = p.name[len("month="):]
                if MONTH_RE.match(m):
                    out.append(m)
        return sorted(out)

    def month_dir(self, month: str) -> Path:
        return self.snapshots / f"month={check_month(month)}"

    def table_path(self, month: str, table: str) -> Path:
        return self.month_dir(month) / f"{table}.parquet"

    def read(self, month: str, table: str) -> pl.DataFrame:
        p = self.table_path(month, table)
        if not p.exists():
            if table in schema.OPTIONAL_TABLES and self.month_dir(month).exists():
                return schema.empty(table)  # published before the table existed
            raise StoreError(f"没有已发布的 {month} 月快照")
        return pl.read_parquet(p)

    def publications(self) -> list[dict]:
        if not self.log_path.exists():
            return []
        out = []
        with open(self.log_path, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError:  # a torn last line from a kill: ignore it
                        continue
        return out

    def published_at(self, month: str) -> str | None:
        """ISO time of the publication currently in force for `month`."""
        target = os.readlink(self.month_dir(month)) if self.month_dir(month).is_symlink() else None
        last = None
        for rec in self.publications():
            if rec.get("month") == month:
                if target is None or rec.get("version") == Path(target).name:
                    last = rec
        if last:
            return last["published_at"]
        p = self.table_path(month, "projects")
        if p.exists():
            return dt.datetime.fromtimestamp(p.stat().st_mtime).isoformat(timespec="seconds")
        return None

    def version_token(self) -> str:
        """Changes whenever anything is published (used as a cache key)."""
        parts = []
        for p in (self.log_path, self.snapshots):
            try:
                st = p.stat()
                parts.append(f"{st.st_mtime_ns}:{st.st_size}")
            except FileNotFoundError:
                parts.append("-")
        return "|".join(parts)

    # ---- publishing ---------------------------------------------------------------
    @contextmanager
    def _lock(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".publish.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def publish(
        self,
        month: str,
        tables: dict[str, pl.DataFrame],
        *,
        source: list[str] | None = None,
        user: str | None = None,
        note: str = "",
        published_at: str | None = None,
        _before_swap=None,
    ) -> dict:
        """Atomically publish (or re-publish) `month` with the four tables.

        `_before_swap` is a test hook called after the new version is fully written and
        before the switch: raising there must leave the published month unchanged."""
        check_month(month)
        missing = [t for t in schema.TABLE_NAMES if t not in tables and t not in schema.OPTIONAL_TABLES]
        if missing:
            raise StoreError("发布缺少数据表：" + "、".join(missing))
        if not self.snapshots.is_dir():
            self.init(self.region)
        with self._lock():
            self._clean_tmp()
            stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
            version = f"{month}.{stamp}"
            tmp = self.versions / f".tmp-{version}"
            tmp.mkdir(parents=True)
            counts = {}
            try:
                for t in schema.TABLE_NAMES:
                    if t in schema.OPTIONAL_TABLES and (t not in tables or tables[t].is_empty()):
                        continue  # an optional table left out or empty: the month has none (read() -> empty)
                    df = schema.conform(t, tables[t])
                    counts[t] = df.height
                    path = tmp / f"{t}.parquet"
                    df.write_parquet(path, compression="zstd", statistics=True)
                    with open(path, "rb") as fh:
                        os.fsync(fh.fileno())
                _fsync_dir(tmp)
                final = self.versions / version
                os.rename(tmp, final)
                _fsync_dir(self.versions)
                if _before_swap is not None:
                    _before_swap()
                self._swap(month, final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                if (self.versions / version).exists() and not self._points_to(month, version):
                    shutil.rmtree(self.versions / version, ignore_errors=True)
                raise
            rec = {
                "month": month,
                "version": version,
                "published_at": published_at or dt.datetime.now().isoformat(timespec="seconds"),
                "user": user or _whoami(),
                "source": list(source or []),
                "rows": counts,
                "note": note,
            }
            self._append_log(rec)
            return rec

    def _points_to(self, month: str, version: str) -> bool:
        link = self.month_dir(month)
        return link.is_symlink() and Path(os.readlink(link)).name == version

    def _swap(self, month: str, final: Path) -> None:
        link = self.month_dir(month)
        tmp_link = self.snapshots / f".link-{uuid.uuid4().hex}"
        os.symlink(os.path.relpath(final, self.snapshots), tmp_link)
        if link.exists() and not link.is_symlink():
            # a plain directory placed by hand: keep it as a version, then point at the new one
            os.rename(link, self.versions / f"{month}.legacy-{uuid.uuid4().hex[:8]}")
        os.replace(tmp_link, link)
        _fsync_dir(self.snapshots)

    def _append_log(self, rec: dict) -> None:
        line = json.dumps(rec, ensure_ascii=False) + "\n"
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def _clean_tmp(self) -> None:
        if not self.versions.is_dir():
            return
        for p in self.versions.iterdir():
            if p.name.startswith(".tmp-"):
                shutil.rmtree(p, ignore_errors=True)
        for p in self.snapshots.iterdir():
            if p.name.startswith(".link-"):
                p.unlink(missing_ok=True)


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry in some containers
        return "unknown"
