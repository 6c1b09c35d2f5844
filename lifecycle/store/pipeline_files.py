"""Review attachments 审查附件 (docs/domain.md §16.7): the expert opinions and due-diligence reports
attached to a review round of the 招商 pipeline.

Files are kept under the store root, `<store>/pipeline_files/<review_id>/<attachment_id>_<name>`,
each with a row in `pipeline.sqlite` (`review_attachments`: kind 专家意见 / 尽调报告 / 其他, file
name as uploaded (sanitised), where it is stored, size, SHA-256, who uploaded it and when).

Rules (checked here, for the page and any other caller):
- types: pdf, docx, xlsx, jpg/jpeg, png — the extension and the file's first bytes must agree;
- size: not empty, at most `[pipeline] attachment_max_mb` (config.toml, default 10) MB;
- names: the base name only, without path parts, control or reserved characters, ≤ 100 characters;
- who attaches: committee members (`review`, `decide`) and the lead's enterers (`leads`; a
  township account only on its own unit's leads);
- who reads and downloads: whoever sees the lead (a township account: its unit's leads only).
Reading checks the SHA-256 recorded at upload, so a damaged or replaced file is refused.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
import uuid
from pathlib import Path

import polars as pl

from lifecycle.domain import labels
from lifecycle.store import pipeline, sqlite

DIR_NAME = "pipeline_files"
DEFAULT_MAX_MB = 10
MAX_NAME = 100
KINDS = tuple(labels.ATTACHMENT_KINDS)
# extension -> the file's first bytes (docx / xlsx are zip containers)
MAGIC = {"pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "jpg": (b"\xff\xd8\xff",),
         "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",)}
MIME = {"pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
AT = labels.ATTACHMENT_TEXT
A = labels.PIPELINE_ACCESS_TEXT

SCHEMA = {"attachment_id": pl.Int64, "review_id": pl.Int64, "lead_id": pl.Int64, "kind": pl.String,
          "kind_label": pl.String, "file_name": pl.String, "size_bytes": pl.Int64, "sha256": pl.String,
          "uploaded_by": pl.String, "uploaded_at": pl.String}
_RESERVED = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def _root(store_root) -> Path:
    return Path(store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root)


def max_mb(store_root) -> float:
    """The configured size limit in MB (`[pipeline] attachment_max_mb`)."""
    v = pipeline.settings(store_root).get("attachment_max_mb", DEFAULT_MAX_MB)
    return float(v)


def allowed_types() -> list[str]:
    return list(MAGIC)


def sanitise(name: str) -> str:
    """The file's base name, safe to store and to offer as a download name: no directories, no
    control or reserved characters, no leading dots, at most MAX_NAME characters (extension
    kept). Raises PipelineError for a name that is empty afterwards."""
    s = unicodedata.normalize("NFKC", str(name or ""))
    s = s.replace("\\", "/").rsplit("/", 1)[-1]
    s = _RESERVED.sub("_", s).strip().lstrip(".").strip()
    if "." in s:
        stem, ext = s.rsplit(".", 1)
        stem, ext = stem.strip()[: MAX_NAME - len(ext) - 1], ext.strip().lower()
        s = f"{stem}.{ext}" if stem else ""
    else:
        s = s[:MAX_NAME]
    if not s:
        raise pipeline.PipelineError(AT["err_name"])
    return s


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def check_file(store_root, file_name: str, data: bytes) -> str:
    """The sanitised name if the file may be attached; PipelineError (Chinese) otherwise."""
    name = sanitise(file_name)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in MAGIC:
        raise pipeline.PipelineError(AT["err_type"].format(name=name, types="、".join(MAGIC)))
    if not data:
        raise pipeline.PipelineError(AT["err_empty"].format(name=name))
    limit = max_mb(store_root)
    if len(data) > limit * 1024 * 1024:
        raise pipeline.PipelineError(AT["err_size"].format(name=name, size=_size_text(len(data)), mb=f"{limit:g}"))
    if not any(data.startswith(m) for m in MAGIC[ext]):
        raise pipeline.PipelineError(AT["err_content"].format(name=name, ext=ext))
    return name


def _connect(store_root, write: bool = False):
    # review_attachments is part of pipeline.sqlite's one schema (store/pipeline.py): whichever
    # module opens the file first creates every table
    return sqlite.connect(pipeline.db_path(store_root), pipeline.SCHEMA_DDL, error=pipeline.PipelineError,
                          write=write)


def _lead_of_review(store_root, account, review_id: int, write: bool) -> dict:
    """The lead of a review round, if `account` may see it (write=False) or attach to it."""
    lead_id = pipeline._review_lead(store_root, review_id)
    lead = pipeline.get_lead(store_root, lead_id)
    own = pipeline.scope_unit(account)
    if own is not None and lead["unit_code"] != own:
        unit = pipeline._unit_name(store_root, own)
        raise pipeline.PipelineError(A["other_unit_write"].format(id=lead_id, unit=unit) if write
                                     else A["other_unit"].format(unit=unit))
    return lead


def attach(store_root, account, review_id: int, kind: str, file_name: str, data: bytes) -> int:
    """Attach a file to a review round as `account`; returns the attachment's id. The file is
    written (and flushed) before its row is committed; a failed insert removes it again."""
    if account is None:
        raise pipeline.PipelineError(A["not_logged_in"])
    if not (account.may("review") or account.may("decide") or account.may("leads")):
        raise pipeline.PipelineError(AT["denied"])
    if kind not in KINDS:
        by_label = {v: k for k, v in labels.ATTACHMENT_KINDS.items()}
        if kind not in by_label:
            raise pipeline.PipelineError(AT["err_kind"].format(value=kind, options="、".join(labels.ATTACHMENT_KINDS.values())))
        kind = by_label[kind]
    _lead_of_review(store_root, account, review_id, write=True)
    name = check_file(store_root, file_name, data)
    folder = _root(store_root) / DIR_NAME / str(int(review_id))
    folder.mkdir(parents=True, exist_ok=True)
    rel = f"{DIR_NAME}/{int(review_id)}/{uuid.uuid4().hex[:12]}_{name}"
    path = _root(store_root) / rel
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        with _connect(store_root, write=True) as con:
            aid = con.execute(
                "INSERT INTO review_attachments (review_id, kind, file_name, stored_as, size_bytes, sha256, "
                "uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (int(review_id), kind, name, rel, len(data), hashlib.sha256(data).hexdigest(), account.name,
                 dt.datetime.now().isoformat(timespec="seconds"))).lastrowid
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return int(aid)


def attachments(store_root, account, review_ids=None) -> pl.DataFrame:
    """The attachments the account may see (of the given review rounds, or all), by id, with the
    lead each belongs to."""
    if not pipeline.db_path(store_root).exists():
        return pl.DataFrame(schema=SCHEMA)
    visible = pipeline.visible_leads(store_root, account)["lead_id"].to_list()
    if not visible:
        return pl.DataFrame(schema=SCHEMA)
    with _connect(store_root) as con:
        rows = con.execute(
            "SELECT a.attachment_id, a.review_id, r.lead_id, a.kind, a.file_name, a.size_bytes, a.sha256, "
            "a.uploaded_by, a.uploaded_at FROM review_attachments AS a JOIN reviews AS r USING (review_id) "
            "ORDER BY a.attachment_id").fetchall()
    cols = [c for c in SCHEMA if c != "kind_label"]
    df = (pl.DataFrame(rows, schema={c: SCHEMA[c] for c in cols}, orient="row") if rows
          else pl.DataFrame(schema={c: SCHEMA[c] for c in cols}))
    df = df.filter(pl.col("lead_id").is_in(visible))
    if review_ids is not None:
        df = df.filter(pl.col("review_id").is_in([int(r) for r in review_ids]))
    return df.with_columns(pl.col("kind").replace_strict(labels.ATTACHMENT_KINDS, default=pl.col("kind"))
                           .alias("kind_label")).select(list(SCHEMA))


def read(store_root, account, attachment_id: int) -> tuple[str, bytes, str]:
    """(file name, bytes, MIME type) of an attachment the account may see; the bytes must match
    the SHA-256 recorded at upload."""
    if account is None:
        raise pipeline.PipelineError(A["not_logged_in"])
    if not pipeline.db_path(store_root).exists():
        raise pipeline.PipelineError(AT["err_no_file"].format(id=attachment_id))
    with _connect(store_root) as con:
        row = con.execute("SELECT review_id, file_name, stored_as, sha256 FROM review_attachments "
                          "WHERE attachment_id = ?", (int(attachment_id),)).fetchone()
    if row is None:
        raise pipeline.PipelineError(AT["err_no_file"].format(id=attachment_id))
    review_id, name, rel, sha = row
    _lead_of_review(store_root, account, review_id, write=False)
    path = _root(store_root) / rel
    try:
        data = path.read_bytes()
    except OSError:
        raise pipeline.PipelineError(AT["err_missing"].format(id=attachment_id, path=rel)) from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise pipeline.PipelineError(AT["err_damaged"].format(id=attachment_id))
    return name, data, MIME.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


__all__ = ["DIR_NAME", "KINDS", "allowed_types", "attach", "attachments", "check_file", "max_mb", "read", "sanitise"]
