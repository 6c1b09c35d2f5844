"""Snapshot store: monthly parquet snapshots in the hive layout of docs/domain.md §6.

    <store>/store.json                        {"region": "jiangyin"}
    <store>/publications.jsonl                append-only publication log
    <store>/snapshots/month=YYYY-MM           -> .versions/YYYY-MM.<stamp>   (symlink)
    <store>/snapshots/.versions/YYYY-MM.<stamp>/{projects,approvals,operations,problems}.parquet

    <store>/snapshots/.versions/YYYY-MM.<stamp>/manifest.json   the publication record + SHA-256 per file
    <store>/snapshots/.versions/.hive/YYYY-MM.<stamp>/month=YYYY-MM -> ../../YYYY-MM.<stamp>
                                              (an immutable alias of one version, hive-named for DuckDB)

Publishing is atomic: the new version is written completely into its own directory, flushed
to disk, and only then the month's symlink is swapped with a single `rename(2)`. A failure or a
kill at any moment leaves the previously published month (and every other month) untouched;
readers see either the old or the new version, never a mix. Version directories are never
modified after publication (immutable); a re-publication is a new version.

The version's manifest holds its publication record, written before the switch: a kill between
the switch and the log entry is recovered (the record is appended from the manifest at the next
start of a publication, and `publications()` shows it meanwhile). Version directories that were
never switched in (a kill before the switch) are removed then too. Each file's SHA-256 is
checked when a version is first opened (cached per version and file state): a damaged or missing
file takes only its month out of service, with a Chinese message naming the month and table.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import re
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lifecycle.domain import labels, schema

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


_HELD = threading.local()  # the store locks this thread holds (re-entrancy)


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
            # a month whose link is in place counts even if a file went missing: the integrity
            # check then names it instead of the month silently disappearing
            if p.name.startswith("month=") and ((p / "projects.parquet").exists() or (p.is_symlink() and p.is_dir())):
                m = p.name[len("month="):]
                if MONTH_RE.match(m):
                    out.append(m)
        return sorted(out)

    def month_dir(self, month: str) -> Path:
        return self.snapshots / f"month={check_month(month)}"

    def table_path(self, month: str, table: str) -> Path:
        return self.month_dir(month) / f"{table}.parquet"

    def read(self, month: str, table: str) -> pl.DataFrame:
        """One table of the version of `month` in force, after its integrity check."""
        p = self.table_path(month, table)
        if not p.exists() and table in schema.OPTIONAL_TABLES and self.month_dir(month).exists():
            return schema.empty(table)  # an optional table the month was published without
        if not p.exists() and not self.month_dir(month).is_symlink():
            raise StoreError(f"没有已发布的 {month} 月快照")
        vdir = self.version_dir(month)
        bad = [msg for t, msg in self.verify(month) if t == table]
        if bad:
            raise StoreError(bad[0])
        return pl.read_parquet(vdir / f"{table}.parquet")

    # ---- versions, integrity and the resolved file lists ---------------------------------
    def version_dir(self, month: str) -> Path:
        """The immutable directory of the version of `month` in force (the link resolved once)."""
        link = self.month_dir(month)
        if link.is_symlink():
            return (self.snapshots / os.readlink(link)).resolve()
        return link

    def _hive_dir(self, version: str, month: str) -> Path:
        return self.versions / ".hive" / version / f"month={month}"

    def verify(self, month: str) -> list[tuple[str, str]]:
        """[(table, Chinese message)] of the problems of the version of `month` in force: a file
        missing, or its SHA-256 differing from the manifest. Cached per version and file state."""
        vdir = self.version_dir(month)
        stats = []
        for t in schema.TABLE_NAMES:
            try:
                st = (vdir / f"{t}.parquet").stat()
                stats.append((t, st.st_size, st.st_mtime_ns, st.st_ino))
            except OSError:
                stats.append((t, None, None, None))
        key = (str(vdir), tuple(stats))
        hit = _VERIFIED.get(key)
        if hit is not None:
            return hit
        manifest = _read_manifest(vdir)
        files = (manifest or {}).get("files", {})
        out = []
        for t, size, _, _ in stats:
            name = labels.IMPORT_TABLES.get(t, t)
            if size is None and t in schema.OPTIONAL_TABLES and f"{t}.parquet" not in files:
                continue  # published before the optional table existed: read() gives it empty
            if size is None:
                out.append((t, f"{month} 月{name}表的文件缺失（版本 {vdir.name}），该月已暂停使用：请重新发布该月或从备份恢复"))
                continue
            want = files.get(f"{t}.parquet", {}).get("sha256")
            if want and _sha256(vdir / f"{t}.parquet") != want:
                out.append((t, f"{month} 月{name}表的文件已损坏（校验和与发布时不一致，版本 {vdir.name}），该月已暂停使用："
                               f"请重新发布该月或从备份恢复"))
        if len(_VERIFIED) > 4096:
            _VERIFIED.clear()
        _VERIFIED[key] = out
        return out

    def snapshot(self) -> "Snapshot":
        """Every published month resolved once to its version directory (as a hive-named
        immutable alias when there is one) and checked: what a reader uses for one consistent
        view. Months with a damaged or missing file are left out and named in `problems`."""
        snap = Snapshot()
        for m in self.months():
            probs = self.verify(m)
            if probs:
                snap.problems += [{"month": m, "table": t, "message": msg} for t, msg in probs]
                continue
            vdir = self.version_dir(m)
            alias = self._hive_dir(vdir.name, m)
            base = alias if alias.is_dir() else self.month_dir(m)  # legacy versions: the month link
            snap.months.append(m)
            for t in schema.TABLE_NAMES:
                snap.files[t].append(str(base / f"{t}.parquet"))
        return snap

    def publications(self) -> list[dict]:
        """The publication log, plus (marked `recovered`) the record of any version in force
        whose log entry is missing (a kill between the switch and the log write)."""
        out = self._logged()
        logged = {r.get("version") for r in out}
        for m in self.months():
            link = self.month_dir(m)
            if not link.is_symlink():
                continue
            version = Path(os.readlink(link)).name
            if version not in logged:
                out.append(self._record_of(m, version))
        return out

    def _record_of(self, month: str, version: str) -> dict:
        man = _read_manifest(self.versions / version) or {}
        rec = dict(man.get("record") or {})
        if not rec:
            try:
                when = dt.datetime.fromtimestamp((self.versions / version).stat().st_mtime).isoformat(timespec="seconds")
            except OSError:
                when = None
            rec = {"month": month, "version": version, "published_at": when, "user": "unknown", "source": [],
                   "rows": {}, "note": ""}
        rec["recovered"] = True
        return rec

    def _logged(self) -> list[dict]:
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
    def lock(self):
        """The store's exclusive lock (across processes and threads; re-entrant within a thread):
        a whole import -- read the current snapshot, validate, write, switch, log -- runs under it."""
        key = str(self.root.resolve())
        held = _HELD.__dict__.setdefault("keys", set())
        if key in held:
            yield
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".publish.lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            held.add(key)
            try:
                yield
            finally:
                held.discard(key)
                fcntl.flock(fh, fcntl.LOCK_UN)

    _lock = lock

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
        with self.lock():
            try:
                self.recover()
            except OSError:  # recovery is best effort; the publication itself must not depend on it
                pass
            stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
            version = f"{month}.{stamp}"
            tmp = self.versions / f".tmp-{version}"
            tmp.mkdir(parents=True)
            counts, files = {}, {}
            rec = {
                "month": month,
                "version": version,
                "published_at": published_at or dt.datetime.now().isoformat(timespec="seconds"),
                "user": user or _whoami(),
                "source": list(source or []),
                "rows": counts,
                "note": note,
            }
            hive = self._hive_dir(version, month)
            try:
                for t in schema.TABLE_NAMES:
                    # an optional table left out is written empty (every version has every file)
                    df = schema.conform(t, tables[t] if t in tables else schema.empty(t))
                    if t not in schema.OPTIONAL_TABLES or df.height:
                        counts[t] = df.height
                    path = tmp / f"{t}.parquet"
                    df.write_parquet(path, compression="zstd", statistics=True)
                    with open(path, "rb") as fh:
                        os.fsync(fh.fileno())
                    files[f"{t}.parquet"] = {"sha256": _sha256(path), "bytes": path.stat().st_size, "rows": df.height}
                _write_json(tmp / MANIFEST, {"format": 1, "record": rec, "files": files})
                _fsync_dir(tmp)
                final = self.versions / version
                os.rename(tmp, final)
                _fsync_dir(self.versions)
                hive.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(os.path.relpath(final, hive.parent), hive)
                _fsync_dir(hive.parent)
                if _before_swap is not None:
                    _before_swap()
                self._swap(month, final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                if (self.versions / version).exists() and not self._points_to(month, version):
                    shutil.rmtree(self.versions / version, ignore_errors=True)
                    shutil.rmtree(hive.parent, ignore_errors=True)
                raise
            # the month is in force; its record is in the manifest, so if this write fails
            # (disk full, kill) the next start of a publication appends it (recover)
            try:
                self._append_log(rec)
            except OSError:
                return {**rec, "log_pending": True}
            return rec

    def recover(self) -> dict:
        """Under the lock: append the log entry of every version in force that lacks one (from
        its manifest), remove version directories that were never switched in and their
        aliases, and add the hive alias of legacy versions in force. Returns what was done."""
        done = {"logged": [], "removed": [], "aliased": []}
        if not self.versions.is_dir():
            return done
        with self.lock():
            self._clean_tmp()
            logged = {r.get("version") for r in self._logged()}
            linked = {}
            for m in self.months():
                link = self.month_dir(m)
                if link.is_symlink():
                    linked[Path(os.readlink(link)).name] = m
            for version, m in linked.items():
                if version not in logged:
                    self._append_log(self._record_of(m, version))
                    logged.add(version)
                    done["logged"].append(version)
                alias = self._hive_dir(version, m)
                if not alias.exists() and (self.versions / version).is_dir():
                    alias.parent.mkdir(parents=True, exist_ok=True)
                    os.symlink(os.path.relpath(self.versions / version, alias.parent), alias)
                    done["aliased"].append(version)
            if self.log_path.exists():  # without a log, history cannot be told from orphans
                for p in self.versions.iterdir():
                    if p.name.startswith(".") or not p.is_dir() or ".legacy-" in p.name:
                        continue
                    if p.name not in logged and p.name not in linked:
                        shutil.rmtree(p, ignore_errors=True)
                        done["removed"].append(p.name)
            hive_root = self.versions / ".hive"
            if hive_root.is_dir():
                for p in hive_root.iterdir():
                    if not (self.versions / p.name).is_dir():
                        shutil.rmtree(p, ignore_errors=True)
        return done

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


MANIFEST = "manifest.json"
_VERIFIED: dict[tuple, list] = {}


@dataclass
class Snapshot:
    """What one refresh of a reader sees: the months in service, each table's files (one per
    month, in an immutable version directory) and the months taken out of service."""
    months: list[str] = field(default_factory=list)
    files: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in schema.TABLE_NAMES})
    problems: list[dict] = field(default_factory=list)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_manifest(vdir: Path) -> dict | None:
    try:
        return json.loads((vdir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, obj: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry in some containers
        return "unknown"
