"""Helpers for tests: build hand-made stores row by row and open their metrics.
Import them with `from helpers import ...` (the tests folder is on pytest's path)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lifecycle.domain import schema
from lifecycle.store.snapshots import Store

REPO = Path(__file__).resolve().parents[1]
DEMO_END = "2026-10"


def D(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


PROJECT_DEFAULTS = dict(
    name="测试项目", enterprise="测试企业有限公司", credit_code="91320214745555318W",
    township_code="320281001", park=None, industry_section="C", industry_chain="新材料",
    origin="new", category="industry", is_infrastructure=True, signing_type="formal",
    total_investment_wan=50000.0, equipment_plan_wan=20000.0, land_area_mu=100.0,
    designed_output_wan=100000.0, designed_tax_wan=5000.0,
    year_plan_wan=0.0, year_done_wan=0.0, cumulative_done_wan=0.0, equipment_done_wan=0.0,
    lead_dept="工信局", owner="张三", joint_acceptance=False,
)
DATE_COLS = {c.name for c in schema.TABLES["projects"] if c.kind == "date"}


def project(pid: str, **kw) -> dict:
    """One projects row: defaults overridden by kw; date strings become dates."""
    row = {c.name: None for c in schema.TABLES["projects"]}
    row.update(PROJECT_DEFAULTS)
    row["project_id"] = pid
    row["signed_on"] = "2023-01-01"
    row.update(kw)
    for c in DATE_COLS:
        if isinstance(row.get(c), str):
            row[c] = D(row[c])
    return row


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    if not rows:
        return schema.empty(table)
    full = []
    for r in rows:
        x = {c.name: None for c in schema.TABLES[table]}
        x.update(r)
        for c in schema.TABLES[table]:
            if c.kind == "date" and isinstance(x[c.name], str):
                x[c.name] = D(x[c.name])
        full.append(x)
    return pl.DataFrame(full, schema=schema.polars_schema(table))


def publish(store: Store, month: str, projects: list[dict], approvals=(), operations=(), problems=()):
    store.publish(month, {
        "projects": frame("projects", projects),
        "approvals": frame("approvals", list(approvals)),
        "operations": frame("operations", list(operations)),
        "problems": frame("problems", list(problems)),
    })


def metrics_for(store: Store):
    from lifecycle.query.db import Database
    from lifecycle.query.metrics import Metrics

    return Metrics(Database(store))


def rewrite_as_older_version(store: Store, month: str, table: str, drop: list[str]) -> None:
    """Make `month`'s `table` look as written by an earlier version of the code (without the
    columns `drop`), keeping the version's manifest consistent (issue 13)."""
    import json

    from lifecycle.store import snapshots

    vdir = store.version_dir(month)
    p = vdir / f"{table}.parquet"
    df = pl.read_parquet(p).drop(drop)
    p.unlink()  # versions are immutable on disk; replace the file rather than writing through it
    df.write_parquet(p)
    man_path = vdir / snapshots.MANIFEST
    if man_path.exists():
        man = json.loads(man_path.read_text(encoding="utf-8"))
        man["files"][f"{table}.parquet"] = {"sha256": snapshots._sha256(p), "bytes": p.stat().st_size,
                                           "rows": df.height}
        man_path.unlink()
        man_path.write_text(json.dumps(man, ensure_ascii=False), encoding="utf-8")
