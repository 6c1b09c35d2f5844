"""The 招商线索 / 审查 sheets of a ledger and the projects' 线索编号 links (docs/domain.md §16.5):
cell rules with the import's Chinese one-line issues, then the store rules of
`store/pipeline.apply_ledger` run in a transaction that is rolled back during validation and
committed around the snapshot switch on publication (importer.import_ledgers)."""
from __future__ import annotations

import polars as pl

from lifecycle.domain import labels, schema
from lifecycle.domain.config import pipeline_settings
from lifecycle.ingest.parse import SheetCtx
from lifecycle.ingest.report import ERROR, WARNING, Issue
from lifecycle.ingest import rules
from lifecycle.store import pipeline

LT = labels.PIPELINE_LEDGER_TEXT
_BY_LABEL = {
    "stage": {**{v: k for k, v in labels.PIPELINE_STAGES.items()}, **{k: k for k in labels.PIPELINE_STAGES}},
    "dimension": {**{v: k for k, v in labels.REVIEW_DIMENSIONS.items()}, **{k: k for k in labels.REVIEW_DIMENSIONS},
                  "法律": "legal", "法务审查": "legal", "商务审查": "commercial", "财务审查": "financial"},
    "verdict": {**{v: k for k, v in labels.REVIEW_VERDICTS.items()}, **{k: k for k in labels.REVIEW_VERDICTS},
                "否": "veto", "不通过": "veto", "同意": "pass", "补充": "more", "待补充材料": "more"},
}
_HEAD = {**labels.PIPELINE_SHEET_HEADERS["reviews"], **labels.PIPELINE_SHEET_HEADERS["leads"]}
_OPTIONS = {"stage": labels.PIPELINE_STAGES, "dimension": labels.REVIEW_DIMENSIONS, "verdict": labels.REVIEW_VERDICTS}


def collect(by_table: dict) -> tuple[dict[str, pl.DataFrame], dict[str, list[SheetCtx]]]:
    """The supplied pipeline sheets with data rows, each concatenated over its sheets (`_src`)."""
    frames, ctxs = {}, {}
    for t in schema.PIPELINE_SHEET_NAMES:
        parts = by_table.get(t) or []
        if not parts:
            continue
        f = pl.concat([df.with_columns(pl.lit(i, pl.Int64).alias("_src")) for i, (_, df) in enumerate(parts)],
                      how="diagonal_relaxed")
        if f.height == 0:
            continue
        for c in schema.TABLES[t]:
            if c.name not in f.columns:
                f = f.with_columns(pl.lit(None, schema.polars_schema(t)[c.name]).alias(c.name))
            if f"{c.name}__raw" not in f.columns:
                f = f.with_columns(pl.lit(None, pl.String).alias(f"{c.name}__raw"))
        frames[t], ctxs[t] = f, [c for c, _ in parts]
    return frames, ctxs


def _issue(ctxs, r, fld, level, msg) -> Issue:
    return ctxs[r["_src"]].issue(level, r["_row"], fld, r.get(f"{fld}__raw"), msg)


def _choice(r, fld, ctxs, issues) -> str | None:
    raw = r.get(fld)
    if raw is None:
        return None
    key = _BY_LABEL[fld].get(str(raw).replace(" ", "").strip())
    if key is None:
        issues.append(_issue(ctxs, r, fld, ERROR, LT["err_choice"].format(
            what=_HEAD[fld], value=raw, options="、".join(_OPTIONS[fld].values()))))
    return key


def _iso(v):
    return None if v is None else v.isoformat()


# the lengths the app allows (store/pipeline.py)
_MAX_LEN = {"name": 200, "source_body": 100, "owner": 100, "note": pipeline.MAX_TEXT, "reviewer": 50,
            "opinion": pipeline.MAX_TEXT, "reasons": pipeline.MAX_TEXT}


def _too_long(r, table, ctxs, issues) -> bool:
    bad = False
    for fld, n in _MAX_LEN.items():
        v = r.get(fld)
        if isinstance(v, str) and len(v) > n and fld in labels.PIPELINE_SHEET_HEADERS[table]:
            issues.append(_issue(ctxs, r, fld, ERROR, f"{_HEAD[fld]}过长（{len(v)}字，最多{n}字）"))
            bad = True
    return bad


def rows(frames: dict[str, pl.DataFrame], ctxs: dict[str, list[SheetCtx]], region_key: str, store_root,
         issues: list[Issue]) -> tuple[list[dict], list[dict]]:
    """Cell and row rules of the two sheets; returns the rows (keys, ISO dates, `ref`) for
    `pipeline.apply_ledger`."""
    cfg = pipeline_settings(region_key, store_root)
    leads, reviews = [], []
    if "leads" in frames:
        f, cs = frames["leads"], ctxs["leads"]
        rules.duplicates(f, cs, ["lead_id"], issues)
        for r in f.iter_rows(named=True):
            ok = not _too_long(r, "leads", cs, issues)
            if r["lead_id"] is not None and r["lead_id"] < 1:
                issues.append(_issue(cs, r, "lead_id", ERROR, LT["err_id"]))
                ok = False
            stage = _choice(r, "stage", cs, issues)
            ok = ok and (stage is not None or r["stage"] is None)
            for fld, key in (("channel", "channels"), ("industry_chain", "industry_chains"),
                             ("project_type", "project_types")):
                if r[fld] is not None and cfg.get(key) and r[fld] not in cfg[key]:
                    issues.append(_issue(cs, r, fld, ERROR, LT["err_taxonomy"].format(
                        what=_HEAD[fld], value=r[fld], options="、".join(cfg[key]))))
                    ok = False
            if ok and r["lead_id"] is not None and stage is not None and r["name"] is not None \
                    and r["expected_investment_wan"] is not None:
                leads.append({"ref": ("leads", r["_src"], r["_row"]), "lead_id": int(r["lead_id"]),
                              "version": None if r["version"] is None else int(r["version"]),
                              "stage": stage, **{k: r[k] for k in pipeline.LEAD_FIELDS if k not in ("stage",)
                                                 and k != "last_contact_on"},
                              "last_contact_on": _iso(r["last_contact_on"])})
    if "reviews" in frames:
        f, cs = frames["reviews"], ctxs["reviews"]
        seen: dict[tuple, int] = {}
        for r in f.iter_rows(named=True):
            ok = not _too_long(r, "reviews", cs, issues)
            if r["lead_id"] is not None and r["lead_id"] < 1:
                issues.append(_issue(cs, r, "lead_id", ERROR, LT["err_id"]))
                ok = False
            if r["round"] is not None and r["round"] < 1:
                issues.append(_issue(cs, r, "round", ERROR, "审查轮次应为正整数（1、2、3…）"))
                ok = False
            dim = _choice(r, "dimension", cs, issues)
            verdict = _choice(r, "verdict", cs, issues)
            ok = ok and (dim is not None or r["dimension"] is None) and (verdict is not None or r["verdict"] is None)
            if r["dimension"] is not None and r["verdict"] is not None:
                issues.append(_issue(cs, r, "verdict", ERROR, LT["err_both"]))
                ok = False
            elif r["dimension"] is not None and (r["reviewer"] is None or r["opinion"] is None):
                issues.append(_issue(cs, r, "reviewer" if r["reviewer"] is None else "opinion", ERROR,
                                     LT["err_opinion_parts"]))
                ok = False
            elif verdict is not None:
                if r["date"] is None:
                    issues.append(_issue(cs, r, "date", ERROR, LT["err_verdict_date"]))
                    ok = False
                if verdict in ("veto", "more") and r["reasons"] is None:
                    issues.append(_issue(cs, r, "reasons", ERROR,
                                         LT["err_reasons"].format(verdict=labels.REVIEW_VERDICTS[verdict])))
                    ok = False
                k = (r["lead_id"], r["round"])
                if k in seen:
                    issues.append(_issue(cs, r, "verdict", ERROR,
                                         LT["err_two_verdicts"].format(id=r["lead_id"], round=r["round"], other=seen[k])))
                    ok = False
                seen.setdefault(k, r["_row"])
            if ok and r["lead_id"] is not None and r["round"] is not None:
                reviews.append({"ref": ("reviews", r["_src"], r["_row"]), "lead_id": int(r["lead_id"]),
                                "round": int(r["round"]), "dimension": dim, "reviewer": r["reviewer"],
                                "opinion": r["opinion"], "verdict": verdict, "reasons": r["reasons"],
                                "date": _iso(r["date"])})
    return leads, reviews


def links(projects: pl.DataFrame | None, carried: pl.DataFrame | None) -> list[dict]:
    """Projects rows linked to a lead (线索编号) whose link is new: not the same project and lead
    in the snapshot the month replaces (a link published before is not checked again)."""
    if projects is None or "lead_id" not in projects.columns:
        return []
    new = projects.filter(pl.col("lead_id").is_not_null() & pl.col("project_id").is_not_null())
    if carried is not None and "lead_id" in carried.columns and carried.height:
        old = carried.select("project_id", pl.col("lead_id").cast(pl.Int64)).drop_nulls()
        new = new.with_columns(pl.col("lead_id").cast(pl.Int64)).join(old, on=["project_id", "lead_id"], how="anti")
    return [{"ref": ("projects", r["_src"], r["_row"]), "lead_id": int(r["lead_id"]), "project_id": r["project_id"]}
            for r in new.iter_rows(named=True)]


def to_issues(problems: list[dict], ctxs: dict[str, list[SheetCtx]], values: dict) -> list[Issue]:
    """The store's problems as issues naming file, sheet, row, column and value."""
    out = []
    for p in problems:
        table, src, row = p["ref"]
        ctx = ctxs[table][src]
        level = ERROR if p["level"] == "error" else WARNING
        msg = p["message"]
        if table == "projects":
            msg = f"项目 {values.get(p['ref'], '')} 不能入库：{msg}"
        out.append(ctx.issue(level, row, p["field"], p["value"], msg))
    return out


def summary_text(counts: dict) -> str:
    if not any(counts.values()):
        return LT["summary_none"]
    return LT["summary"].format(**counts)


def apply(con, plan: dict, user: str | None) -> tuple[list[Issue], dict]:
    """Run `pipeline.apply_ledger` for a plan made by the importer on `con`; the issues and counts."""
    problems, counts = pipeline.apply_ledger(con, plan["leads"], plan["reviews"], plan["links"], user or "")
    return to_issues(problems, plan["ctxs"], {ln["ref"]: ln["project_id"] for ln in plan["links"]}), counts
