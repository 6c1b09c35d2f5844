"""Monthly import of real ledgers (台账): read, validate, publish atomically (docs/domain.md §6, §8 view 10).

    python -m lifecycle import FILE [FILE ...] --month YYYY-MM --store DIR [--dry-run] [--allow-shrink] [--report-json PATH]
        exit 0: published (or, with --dry-run, valid); 1: validation errors, nothing written,
        the report is printed; 2: usage error or a file that cannot be read.
    python -m lifecycle template --out FILE.xlsx [--region R]
    python -m lifecycle export --store DIR --month YYYY-MM --out FILE.xlsx
    python -m lifecycle bench-import [--projects 5000]

A table that is not supplied is carried forward from the snapshot of the same month if it is
already published (a correction of one table), else from the latest earlier snapshot; the
report says so. Operations rows of months earlier than the first month in a supplied operations
table are kept from that snapshot too (a monthly operations ledger lists only recent months).
Publishing goes only through `Store.publish` (versioned directory + atomic symlink swap) and is
recorded in the append-only publication log with the user and the source file names.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lifecycle.domain import labels, schema
from lifecycle.ingest import parse
from lifecycle.ingest import rules
from lifecycle.ingest import pipeline_sheets
from lifecycle.store import pipeline
from lifecycle.domain.config import import_settings
from lifecycle.ingest.guard import Limits
from lifecycle.ingest.read import ReadError, Source, read_source
from lifecycle.ingest.report import ERROR, WARNING, Issue, Report, marked_workbook
from lifecycle.ingest.template import ExportError, ledger_bytes, write_ledger  # noqa: F401
from lifecycle.domain.config import load_config
from lifecycle.domain.reference import region as get_region
from lifecycle.store.snapshots import Store, StoreError, check_month

PAUSE_ENV = "LIFECYCLE_IMPORT_PAUSE_BEFORE_SWAP"  # test hook: seconds to sleep inside publish

__all__ = ["Result", "validate", "import_ledgers", "ReadError", "Source", "marked_workbook",
           "ledger_bytes", "write_ledger", "export_month"]


@dataclass
class Result:
    report: Report
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    publication: dict | None = None
    # the 招商线索 / 审查 rows and new lead links to write to pipeline.sqlite (docs/domain.md §16.5)
    pipeline: dict | None = None

    @property
    def ok(self) -> bool:
        return self.report.ok


def _month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)


@dataclass
class Parsed:
    """The uploaded files read and parsed (phase 1: needs nothing from the store but its region)."""
    sources: list[Source]
    month: str
    region_key: str
    settings: dict
    report: Report
    by_table: dict
    ignored: list
    notes: dict
    timings: dict
    t0: float


def validate(sources: list[Source], month: str, store: Store, progress=None, region_key: str | None = None,
             allow_shrink: bool = False) -> Result:
    """Read and validate the ledgers for `month`. Raises ReadError for an unreadable file and
    StoreError for a bad month; every data fault goes into the report. `allow_shrink` confirms
    that supplied tables may shrink by more than the configured share."""
    return check_against_store(parse_sources(sources, month, store, progress, region_key), store, progress,
                               allow_shrink)


def parse_sources(sources: list[Source], month: str, store: Store, progress=None,
                  region_key: str | None = None) -> Parsed:
    """Phase 1: read (bounded, in a separate process) and parse every file."""
    t0 = time.perf_counter()
    check_month(month)
    if not sources:
        raise ReadError("没有提供任何台账文件")
    region_key = store.meta.get("region") or region_key or store.region
    reg = get_region(region_key)
    settings = import_settings(store.root)
    limits = Limits.from_config(settings.get("limits"))
    mend = _month_end(month)
    report = Report()
    by_table: dict[str, list[tuple[parse.SheetCtx, pl.DataFrame]]] = {t: [] for t in schema.SHEET_NAMES}
    ignored, notes = [], {}
    timings = {}
    n_src = len(sources)
    for k, src in enumerate(sources):
        def prog(sheet, i, k=k, src=src):
            if progress:
                progress(min(0.05 + 0.7 * k / n_src, 0.95), f"{labels.IMPORT_UI['reading']} {src.name} [{sheet}] 第{i}行")
        if progress:
            progress(0.05 + 0.7 * k / n_src, f"{labels.IMPORT_UI['reading']} {src.name}")
        t = time.perf_counter()
        raws = read_source(src, prog, limits)
        timings["read"] = timings.get("read", 0) + time.perf_counter() - t
        t = time.perf_counter()
        for raw in raws:
            table, hidx, iss = parse.locate(raw)
            report.extend(iss)
            if table is None:
                ignored.append(f"{raw.file}[{raw.sheet}]")
                continue
            ctx, iss = parse.map_headers(raw, table, hidx)
            report.extend(iss)
            report.extend(parse.formula_issues(raw, ctx))
            df, iss, note = parse.build_frame(raw, ctx, hidx)
            report.extend(iss)
            notes[f"{raw.file}[{raw.sheet}]"] = {"table": table, "header_row": hidx + 1, "rows": df.height, **note}
            typed, iss = parse.parse_table(df, ctx, reg, mend, settings.get("bounds", {}).get(table))
            report.extend(iss)
            by_table[table].append((ctx, typed))
        timings["parse"] = timings.get("parse", 0) + time.perf_counter() - t
    return Parsed(sources, month, region_key, settings, report, by_table, ignored, notes, timings, t0)


def check_against_store(parsed: Parsed, store: Store, progress=None, allow_shrink: bool = False) -> Result:
    """Phase 2: assemble the month against the store's current snapshot (carried-forward tables,
    previous-month rules, shrink and change checks). Run it under the store's lock when the
    result is to be published (import_ledgers does)."""
    sources, month, region_key, settings = parsed.sources, parsed.month, parsed.region_key, parsed.settings
    report, by_table, ignored, notes, timings, t0 = (parsed.report, parsed.by_table, parsed.ignored, parsed.notes,
                                                     parsed.timings, parsed.t0)
    mend = _month_end(month)
    if progress:
        progress(0.8, "校验中……")
    t = time.perf_counter()
    months = store.months()
    earlier = [m for m in months if m < month]
    prev_month = earlier[-1] if earlier else None
    carry_month = month if month in months else prev_month

    frames: dict[str, pl.DataFrame] = {}
    empty_sheets: dict[str, tuple[str, parse.SheetCtx]] = {}
    ctxs: dict[str, list[parse.SheetCtx]] = {}
    usable: dict[str, bool] = {}
    summary_tables: dict[str, dict] = {}
    pipe_frames, pipe_ctxs = pipeline_sheets.collect(by_table)
    for table, parts in by_table.items():
        if not parts or table in schema.PIPELINE_SHEETS:
            continue
        cs = [c for c, _ in parts]
        f = pl.concat([df.with_columns(pl.lit(i, pl.Int64).alias("_src")) for i, (_, df) in enumerate(parts)],
                      how="diagonal_relaxed")
        for c in schema.TABLES[table]:
            if c.name not in f.columns:
                f = f.with_columns(pl.lit(None, schema.polars_schema(table)[c.name]).alias(c.name))
        where = "、".join(f"{c.file}[{c.sheet}]" for c in cs)
        if f.height == 0:
            # only example rows (or none at all): the sheet is "not supplied", never "supplied and
            # empty" -- an untouched template sheet must not wipe a table
            empty_sheets[table] = (where, cs[0])
            continue
        frames[table], ctxs[table] = f, cs
        needed = {parse.KEYS[table]} | ({"project_id"} if table != "quotas" else set())
        usable[table] = all(k in c.matches for c in cs for k in needed)
        summary_tables[table] = {"rows": f.height, "source": [f"{c.file}[{c.sheet}]" for c in cs],
                                 "carried_from": None, "text": f"{f.height} 行，来自 {where}"}
    if not frames and pipe_frames:
        if not carry_month:  # only pipeline sheets: every table is carried forward
            c0 = next(iter(pipe_ctxs.values()))[0]
            report.add(Issue(ERROR, c0.file, c0.sheet, None, "", "",
                             "没有提供项目表，且没有可沿用的早期快照：首次导入必须包含项目表"))
    elif not frames and empty_sheets:
        where, c0 = next(iter(empty_sheets.values()))
        report.add(Issue(ERROR, c0.file, c0.sheet, c0.header_row, "", "",
                         "台账工作表都没有数据行（模板的示例行不会导入），没有可导入的内容：" + "、".join(
                             w for w, _ in empty_sheets.values()), c0.table))
    elif not frames:
        first = sources[0].name
        report.add(Issue(ERROR, first, "", None, "", "",
                         "没有识别出任何台账工作表（项目/审批/运行/问题），请使用导入模板的表头或工作表名称"))

    out: dict[str, pl.DataFrame] = {}
    issues: list[Issue] = []
    for table in schema.TABLE_NAMES:
        if table in frames:
            continue
        if table in schema.OPTIONAL_TABLES and (not carry_month or store.read(carry_month, table).is_empty()):
            out[table] = schema.empty(table)  # an optional sheet never supplied: the month has none
            continue
        why = (f"{empty_sheets[table][0]} 只有示例行或没有数据行，视为未提供" if table in empty_sheets else "未提供")
        if carry_month:
            out[table] = store.read(carry_month, table)
            summary_tables[table] = {"rows": out[table].height, "source": [], "carried_from": carry_month,
                                     "text": f"{why}，沿用 {carry_month} 快照（{out[table].height} 行）"}
        elif table == "projects":
            if frames and "projects" in empty_sheets:
                c0 = empty_sheets["projects"][1]
                report.add(Issue(ERROR, c0.file, c0.sheet, c0.header_row, "", "",
                                 "项目表没有数据行（模板的示例行不会导入），且没有可沿用的早期快照：首次导入必须包含项目", table))
            elif frames:
                report.add(Issue(ERROR, sources[0].name, "", None, "", "",
                                 "没有提供项目表，且没有可沿用的早期快照：首次导入必须包含项目表"))
        else:
            out[table] = schema.empty(table)
            summary_tables[table] = {"rows": 0, "source": [], "carried_from": None,
                                     "text": f"{why}，且没有早期快照：本期为空表"}

    # ---- table-level rules ----
    for table, f in frames.items():
        cs = ctxs[table]
        if not usable[table]:
            continue
        if table == "projects":
            rules.duplicates(f, cs, ["project_id"], issues)
            rules.milestone_order(f, cs, issues)
            rules.identifiers(f, cs, issues)
            rules.intent_order(f, cs, issues)
            rules.entry_rule(f, cs, load_config(region_key, store.root)["entry"].get("min_total_investment_wan", 0), issues)
        elif table == "approvals":
            rules.duplicates(f, cs, ["project_id", "step"], issues)
        elif table == "operations":
            rules.duplicates(f, cs, ["project_id", "month"], issues)
        elif table == "problems":
            rules.duplicates(f, cs, ["problem_id"], issues)
            rules.problem_kinds(f, cs, issues)
        elif table == "quotas":
            rules.duplicates(f, cs, ["unit_code", "year"], issues)
        rules.after_month(f, cs, table, mend, issues)
    if "projects" in frames and usable["projects"]:
        pids = frames["projects"].get_column("project_id").drop_nulls()
        pnote = ""
    elif "projects" in out:
        pids = out["projects"].get_column("project_id")
        pnote = f"（沿用 {carry_month}）"
    else:
        pids = None
    if pids is not None:
        for table in ("approvals", "operations", "problems"):
            if table in frames and usable[table]:
                rules.cross_keys(frames[table], ctxs[table], pids, table, issues, pnote)
    replans = 0
    if prev_month and "projects" in frames and usable["projects"]:
        replans = rules.against_previous(frames["projects"], ctxs["projects"], store.read(prev_month, "projects"),
                                     prev_month, issues)
    report.extend(issues)
    timings["rules"] = time.perf_counter() - t

    # ---- the 招商线索 / 审查 sheets and the projects' lead links (docs/domain.md §16.5) ----
    plan = _pipeline_plan(pipe_frames, pipe_ctxs, frames, ctxs, usable, store, region_key, carry_month, report)

    # ---- the snapshot to publish ----
    for table, f in frames.items():
        out[table] = schema.conform(table, f.select([c.name for c in schema.TABLES[table]]))
    if "operations" in frames and carry_month and out["operations"].height:
        old = store.read(carry_month, "operations")
        first = out["operations"].get_column("month").min()
        keep = old.filter(pl.col("month") < first) if first is not None else old.clear()
        if keep.height:
            out["operations"] = pl.concat([schema.conform("operations", keep), out["operations"]])
            summary_tables["operations"]["text"] += f"；另沿用 {carry_month} 快照中 {first:%Y-%m} 之前的 {keep.height} 行历史运行数据"
            summary_tables["operations"]["kept_history_rows"] = keep.height
            summary_tables["operations"]["rows"] = out["operations"].height
    # carried-forward child tables keep only rows of projects that are in this month's project table
    if "projects" in frames and usable.get("projects"):
        keep_ids = out["projects"].get_column("project_id")
        for table in ("approvals", "operations", "problems"):
            if table in frames or table not in out:
                continue
            orphan = out[table].filter(~pl.col("project_id").is_in(keep_ids.implode()))
            if orphan.height:
                out[table] = out[table].filter(pl.col("project_id").is_in(keep_ids.implode()))
                n_proj = orphan.get_column("project_id").n_unique()
                summary_tables[table]["rows"] = out[table].height
                summary_tables[table]["text"] += f"；其中 {orphan.height} 行属于本期项目表中没有的 {n_proj} 个项目，不再沿用"
                report.add(Issue(WARNING, ctxs["projects"][0].file, ctxs["projects"][0].sheet, None, "", "",
                                 f"沿用的{labels.IMPORT_TABLES[table]}数据中有 {orphan.height} 行属于本期项目表中没有的"
                                 f" {n_proj} 个项目，这些行不再沿用", table, "project_id"))
    shrinks = _shrink_checks(frames, ctxs, out, store, carry_month, settings, allow_shrink, report)
    _change_checks(frames, ctxs, out, store, prev_month, settings, report, sources)
    report.sort()
    report.summary = {
        "month": month,
        "region": region_key,
        "files": [s.name for s in sources],
        "tables": summary_tables,
        "carried_forward": {t: v["carried_from"] for t, v in summary_tables.items() if v.get("carried_from")},
        "previous_month": prev_month,
        "replans": replans,
        "sheets": notes,
        "ignored_sheets": ignored,
        "shrinks": shrinks,
        "allow_shrink": allow_shrink,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "published": False,
        "seconds": round(time.perf_counter() - t0, 3),
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }
    if plan is not None:
        report.summary["pipeline"] = plan["summary"]
    if progress:
        progress(1.0, "校验完成")
    return Result(report, out if report.ok else {}, pipeline=plan if report.ok else None)


def _pipeline_plan(pipe_frames, pipe_ctxs, frames, ctxs, usable, store: Store, region_key, carry_month,
                   report: Report) -> dict | None:
    """The pipeline rows of the ledger and the new lead links of its projects sheet, checked
    cell by cell and then against pipeline.sqlite in a transaction that is rolled back (a dry
    run). None when the ledger has neither (pipeline.sqlite is then never opened)."""
    issues: list[Issue] = []
    leads, reviews = (pipeline_sheets.rows(pipe_frames, pipe_ctxs, region_key, store.root, issues)
                      if pipe_frames else ([], []))
    links = []
    if "projects" in frames and usable.get("projects"):
        carried = store.read(carry_month, "projects") if carry_month else None
        links = pipeline_sheets.links(frames["projects"], carried)
    if not pipe_frames and not links:
        report.extend(issues)
        return None
    all_ctxs = {**pipe_ctxs, **({"projects": ctxs["projects"]} if "projects" in ctxs else {})}
    plan = {"leads": leads, "reviews": reviews, "links": links, "ctxs": all_ctxs,
            "summary": {"text": "", "counts": {}}}
    report.extend(issues)
    if report.ok:
        with pipeline.ledger_transaction(store.root, dry_run=True) as con:
            found, counts = pipeline_sheets.apply(con, plan, None)
        report.extend(found)
        plan["summary"] = {"text": pipeline_sheets.summary_text(counts), "counts": counts}
    return plan


def _shrink_checks(frames, ctxs, out, store: Store, carry_month, settings, allow: bool, report: Report) -> dict:
    """A supplied table that is smaller than the snapshot it replaces by more than the configured
    share needs a confirmation (`allow`): an error until confirmed, then a warning. Returns
    {table: {"before", "after", "from"}} of the shrinking tables."""
    share = float(settings.get("max_shrink_share", 0.5))
    found = {}
    if not carry_month:
        return found
    for table in frames:
        if table not in out:
            continue
        before = store.read(carry_month, table).height
        after = out[table].height
        if before and after < before * (1 - share):
            found[table] = {"before": before, "after": after, "from": carry_month}
            c0 = ctxs[table][0]
            name = labels.IMPORT_TABLES[table]
            msg = (f"{name}表将由 {carry_month} 快照的 {before:,} 行减少为 {after:,} 行（减少 {1 - after / before:.0%}，"
                   f"超过配置的 {share:.0%}）")
            if allow:
                report.add(Issue(WARNING, c0.file, c0.sheet, None, "", "", msg + "：已确认", table))
            else:
                report.add(Issue(ERROR, c0.file, c0.sheet, None, "", "", msg + "：如确属实际情况，请在页面勾选“确认大幅减少”"
                                 "（命令行加 --allow-shrink）后重新校验", table))
    return found


def _change_checks(frames, ctxs, out, store: Store, prev_month, settings, report: Report, sources) -> None:
    """A warning when the project count or the total investment moves by more than the
    configured factor against the previous month."""
    factor = float(settings.get("change_factor", 3.0))
    if not prev_month or "projects" not in out or factor <= 1:
        return
    old = store.read(prev_month, "projects")
    new = out["projects"]
    where = ctxs["projects"][0] if "projects" in ctxs else None
    file, sheet = (where.file, where.sheet) if where else (sources[0].name, "")
    pairs = [("项目数", old.height, new.height, "{:,.0f} 个"),
             ("总投资", old["total_investment_wan"].sum() or 0.0, new["total_investment_wan"].sum() or 0.0,
              "{:,.2f} 亿元")]
    for what, a, b, fmt in pairs:
        if what == "总投资":
            a, b = a / 10000, b / 10000
        if a > 0 and b > 0 and max(a / b, b / a) > factor:
            report.add(Issue(WARNING, file, sheet, None, "", "",
                             f"{what}由上期（{prev_month}）的 {fmt.format(a)} 变为 {fmt.format(b)}（{max(a / b, b / a):,.1f} 倍，"
                             f"超过配置的 {factor:g} 倍），请核对是否导入了正确的文件", "projects"))


def _pause_hook():
    secs = os.environ.get(PAUSE_ENV)
    if not secs:
        return None
    return lambda: time.sleep(float(secs))


def import_ledgers(sources: list[Source], month: str, store: Store, *, dry_run: bool = False,
                   user: str | None = None, note: str = "", progress=None, region_key: str | None = None,
                   allow_shrink: bool = False) -> Result:
    """Validate, then (unless dry_run or there are errors) publish the month atomically.
    `region_key` is used for a store that has no region yet (a fresh directory).

    The files are read and parsed first; then everything that depends on the store -- reading
    the current snapshot (carried-forward tables), the rules against it, writing, the switch and
    the log entry -- runs under the store's lock, so two clerks correcting different sheets of
    the same month never lose each other's correction."""
    parsed = parse_sources(sources, month, store, progress, region_key)
    if dry_run:
        res = check_against_store(parsed, store, progress, allow_shrink)
        res.report.summary["dry_run"] = True
        return res
    with store.lock():
        res = check_against_store(parsed, store, progress, allow_shrink)
        if res.ok:
            if not store.meta.get("region"):
                store.init(res.report.summary["region"])
            rec = _publish_with_pipeline(res, month, store, sources, user, note)
            if rec is None:  # the pipeline rows failed against pipeline.sqlite as it is now
                res.report.summary["dry_run"] = dry_run
                return res
            res.publication = rec
            res.report.summary["published"] = True
            res.report.summary["version"] = rec["version"]
            res.report.summary["published_at"] = rec["published_at"]
    res.report.summary["dry_run"] = dry_run
    return res


def _publish_with_pipeline(res: Result, month: str, store: Store, sources, user, note) -> dict | None:
    """Publish the snapshot; with pipeline rows, inside one pipeline.sqlite transaction
    (docs/domain.md §16.5): the rows are applied first (errors: rolled back, nothing published,
    None), then the snapshot is switched, then the transaction commits -- a failed switch rolls
    the pipeline rows back, so a failed import writes nothing anywhere."""
    def publish():
        return store.publish(month, res.tables, source=[s.name for s in sources], user=user,
                             note=note or "台账导入", _before_swap=_pause_hook())

    if not res.pipeline:
        return publish()
    rec = None
    try:
        with pipeline.ledger_transaction(store.root, dry_run=False) as con:
            found, counts = pipeline_sheets.apply(con, res.pipeline, user)
            if any(i.level == ERROR for i in found):
                raise _PipelineRejected(found)
            rec = publish()
    except _PipelineRejected as e:
        # the errors found now; warnings the validation did not already report
        seen = {(w.sheet, w.row, w.message) for w in res.report.warnings}
        res.report.extend(i for i in e.issues if i.level == ERROR or (i.sheet, i.row, i.message) not in seen)
        res.report.sort()
        res.report.summary["errors"] = len(res.report.errors)
        res.tables = {}
        return None
    except (pipeline.PipelineError, sqlite3.Error) as e:
        if rec is None:
            raise StoreError(f"写入线索库失败，未发布：{e}") from e
        # a warning, not an error: the snapshot IS published (an error would read "未发布")
        res.report.add(Issue(WARNING, sources[0].name, "", None, "", "",
                             labels.PIPELINE_LEDGER_TEXT["commit_failed"].format(error=e)))
        return rec
    res.report.summary["pipeline"] = {"text": pipeline_sheets.summary_text(counts), "counts": counts}
    return rec


class _PipelineRejected(Exception):
    def __init__(self, issues):
        super().__init__("pipeline rows rejected")
        self.issues = issues


def publish_validated(res: Result, month: str, store: Store, sources: list[Source], user: str | None = None,
                      note: str = "") -> dict:
    """Publish after an earlier validation (a two-step flow). The month is validated again
    against the store as it is now, under the lock (an earlier result may be stale), and
    published only if that is still clean."""
    if not res.ok:
        raise StoreError("存在错误，不能发布")
    again = import_ledgers(sources, month, store, user=user, note=note or "台账导入（数据管理页面）",
                           allow_shrink=bool(res.report.summary.get("allow_shrink")))
    if not again.ok:
        raise StoreError(f"数据目录已变化，重新校验发现 {len(again.report.errors)} 条错误，未发布")
    res.publication = again.publication
    res.report.summary["published"] = True
    return again.publication


def export_month(store: Store, month: str, out) -> dict[str, int]:
    """Write a published month in the import-template format (a table longer than a sheet
    continues on numbered sheets) and check the file: the data rows of every table, counted
    back from the written workbook, must equal the month's. Returns the counts."""
    tables = {t: store.read(month, t) for t in schema.TABLE_NAMES}
    tables.update(pipeline_tables(store, tables["projects"]))
    write_ledger(out, store.region, tables, month)
    if hasattr(out, "getvalue"):
        data = out.getvalue()
    else:
        data = Path(out).read_bytes()
    counts = exported_rows(data)
    for t in schema.TABLE_NAMES:
        if counts.get(t, 0) != tables[t].height:
            raise ExportError(f"导出不完整：{month} 月{labels.IMPORT_TABLES[t]}表应有 {tables[t].height:,} 行，"
                              f"文件中只有 {counts.get(t, 0):,} 行")
    return counts


def pipeline_tables(store: Store, projects: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The 招商线索 / 审查 sheets of a month export: the pipeline as it is now (pipeline.sqlite is
    not versioned by month; docs/domain.md §16.5), each lead with the projects of the month
    linked to it (入库项目编号, several joined by 、)."""
    leads, reviews = pipeline.ledger_frames(store.root)
    if not leads.height:
        return {}
    if "lead_id" in projects.columns:
        linked = (projects.filter(pl.col("lead_id").is_not_null())
                  .group_by(pl.col("lead_id").cast(pl.Int64))
                  .agg(pl.col("project_id").sort().str.join("、")))
        leads = leads.join(linked, on="lead_id", how="left")
    return {"leads": leads, "reviews": reviews}


def exported_rows(data: bytes) -> dict[str, int]:
    """Data rows per table in a workbook written by write_ledger (numbered sheets summed), read
    from the sheets' XML (bounded memory)."""
    import io
    import zipfile

    from lifecycle.ingest import guard
    from lifecycle.ingest.read import _xlsx_layout
    from lifecycle.ingest.template import HEAD_ROWS

    by_name = {}
    for t in schema.TABLE_NAMES:
        base = labels.IMPORT_TABLES[t]
        by_name[base] = t
    out = {t: 0 for t in schema.TABLE_NAMES}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name, path, _ in _xlsx_layout(data):
            t = by_name.get(name.split("(")[0])
            if t is None:
                continue
            ext = guard.scan_sheet(z, path).extent
            out[t] += max(0, ext.r2 - HEAD_ROWS) if ext else 0
    return out


# ---- helpers for the data page (数据管理) -------------------------------------------------------
def issues_frame(report: Report) -> pl.DataFrame:
    """Errors then warnings as a table with Chinese headers."""
    keys = ["level", "file", "sheet", "row", "cell", "column", "value", "message"]
    rows = report.rows()
    df = pl.DataFrame({k: [r[k] for r in rows] for k in keys},
                      schema={k: (pl.Int64 if k == "row" else pl.String) for k in keys})
    return df.rename({k: labels.IMPORT_ISSUE_COLUMNS[k] for k in keys})


def publications_frame(store: Store) -> pl.DataFrame:
    """The publication log, newest first, with the version in force marked."""
    recs = store.publications()
    in_force = {}
    for m in store.months():
        link = store.month_dir(m)
        if link.is_symlink():
            in_force[m] = Path(os.readlink(link)).name
    rows = []
    for r in reversed(recs):
        counts = r.get("rows", {}) or {}
        rows.append({
            "month": r.get("month", ""),
            "published_at": (r.get("published_at") or "").replace("T", " "),
            "user": r.get("user", ""),
            "source": "、".join(r.get("source", []) or []),
            "rows": "，".join(f"{labels.IMPORT_TABLES.get(t, t)} {n}" for t, n in counts.items()),
            "note": r.get("note", ""),
            "in_force": labels.BOOL[in_force.get(r.get("month")) == r.get("version")],
            "version": r.get("version", ""),
        })
    keys = ["month", "published_at", "user", "source", "rows", "note", "in_force", "version"]
    df = pl.DataFrame(rows, schema={k: pl.String for k in keys}) if rows else pl.DataFrame(
        schema={k: pl.String for k in keys})
    return df.rename({k: labels.PUBLICATION_COLUMNS[k] for k in keys})


def next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"
