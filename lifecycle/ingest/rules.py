"""Table-level validation of parsed ledgers: duplicated keys, milestone order (docs/domain.md §2),
identifiers (docs/domain.md §6), cross-table keys, dates after the snapshot month, and — as warnings —
the comparison with the previous published month (vanished projects, cumulative investment
going down, re-planned dates).

Each rule is a vectorised Polars mask; only the failing rows are visited to word the issue.
A table frame carries `_src` (index of the sheet it came from) and `_row` (Excel row)."""
from __future__ import annotations

import datetime as dt

import polars as pl

from lifecycle.domain import ids, labels, schema
from lifecycle.domain.labels import PROBLEM_KINDS
from lifecycle.ingest.parse import SheetCtx
from lifecycle.ingest.report import ERROR, WARNING, Issue

L = labels.COLUMNS


def _emit(issues: list[Issue], ctxs: list[SheetCtx], rows: pl.DataFrame, fld: str, level: str, msg) -> None:
    for r in rows.iter_rows(named=True):
        ctx = ctxs[r["_src"]]
        raw = r.get(f"{fld}__raw") if f"{fld}__raw" in r else r.get(fld)
        issues.append(ctx.issue(level, r["_row"], fld, raw, msg(r) if callable(msg) else msg))


def _where(ctxs: list[SheetCtx], src: int, row: int) -> str:
    c = ctxs[src]
    if all(x.sheet == c.sheet and x.file == c.file for x in ctxs):
        return f"第{row}行"
    return f"{c.file}[{c.sheet}]第{row}行"


def duplicates(df: pl.DataFrame, ctxs: list[SheetCtx], keys: list[str], issues: list[Issue]) -> None:
    if any(k not in df.columns for k in keys) or df.height == 0:
        return
    d = df.with_columns(
        pl.int_range(pl.len()).over(keys).alias("_dup_i"),
        pl.col("_row").first().over(keys).alias("_first_row"),
        pl.col("_src").first().over(keys).alias("_first_src"),
    ).filter(pl.all_horizontal([pl.col(k).is_not_null() for k in keys]) & (pl.col("_dup_i") > 0))
    if d.height == 0:
        return
    what = "、".join(L.get(k, k) for k in keys)

    def msg(r):
        return f"{what}重复：与{_where(ctxs, r['_first_src'], r['_first_row'])}相同"

    _emit(issues, ctxs, d, keys[-1], ERROR, msg)


def milestone_order(df: pl.DataFrame, ctxs: list[SheetCtx], issues: list[Issue]) -> None:
    """Milestones must be non-decreasing in the order of docs/domain.md §2; a date may be missing only if
    all later ones are missing too, except 备案日期 (a project that needs no filing: warning)."""
    ms = schema.MILESTONES
    present = [m for m in ms if m in df.columns]
    if len(present) < 2 or df.height == 0:
        return
    d = df
    for m in ms:
        if m not in d.columns:
            d = d.with_columns(pl.lit(None, pl.Date).alias(m))
    for j in range(1, len(ms)):
        cur, earlier = ms[j], ms[:j]
        prev_max = pl.max_horizontal([pl.col(c) for c in earlier])
        bad = d.filter(pl.col(cur).is_not_null() & prev_max.is_not_null() & (pl.col(cur) < prev_max))
        if bad.height:
            def msg(r, cur=cur, earlier=earlier):
                worst = max((c for c in earlier if r[c] is not None), key=lambda c: r[c])
                return f"{L[cur]}（{r[cur]}）早于{L[worst]}（{r[worst]}），节点日期应按 签约→备案→开工→竣工→投产→达产 顺序不倒序"
            _emit(issues, ctxs, bad, cur, ERROR, msg)
        later = ms[j + 1:]
        if later:
            later_any = pl.any_horizontal([pl.col(c).is_not_null() for c in later])
            written = pl.col(f"{cur}__raw").is_not_null() if f"{cur}__raw" in d.columns else pl.lit(False)
            gap = d.filter(pl.col(cur).is_null() & ~written & later_any)
            if gap.height:
                def gmsg(r, cur=cur, later=later):
                    nxt = next(c for c in later if r[c] is not None)
                    if cur == "filed_on":
                        return f"未填{L[cur]}，但已有{L[nxt]}（{r[nxt]}）：是否为无需备案/核准的项目？请核对"
                    return f"缺少{L[cur]}，但已填写后续节点{L[nxt]}（{r[nxt]}）"
                _emit(issues, ctxs, gap, cur, WARNING if cur == "filed_on" else ERROR, gmsg)
    if "exit_on" in df.columns or "exit_reason" in df.columns:
        for a, b in (("exit_on", "exit_reason"), ("exit_reason", "exit_on")):
            if a in d.columns:
                other = pl.col(b).is_null() if b in d.columns else pl.lit(True)
                bad = d.filter(pl.col(a).is_not_null() & other)
                _emit(issues, ctxs, bad, a, ERROR, f"填写了{L[a]}，但{L[b]}为空：退库须同时填写日期和原因")
        if "exit_on" in d.columns:
            bad = d.filter(pl.col("exit_on").is_not_null() & pl.col("signed_on").is_not_null()
                           & (pl.col("exit_on") < pl.col("signed_on")))
            _emit(issues, ctxs, bad, "exit_on", ERROR, lambda r: f"{L['exit_on']}早于{L['signed_on']}（{r['signed_on']}）")


def identifiers(df: pl.DataFrame, ctxs: list[SheetCtx], issues: list[Issue]) -> None:
    if "credit_code" in df.columns:
        vals = df.get_column("credit_code").drop_nulls().unique().to_list()
        errs = {v: e for v in vals if (e := ids.uscc_error(v))}
        if errs:
            bad = df.filter(pl.col("credit_code").is_in(list(errs)))
            _emit(issues, ctxs, bad, "credit_code", ERROR, lambda r: errs[r["credit_code"]])
    if "project_code" in df.columns:
        shape = pl.col("project_code").str.contains(ids.PROJECT_CODE_RE.pattern)
        cand = df.filter(pl.col("project_code").is_not_null())
        vals = cand.get_column("project_code").unique().to_list()
        errs = {v: e for v in vals if (e := ids.project_code_error(v))}
        if errs:
            bad = cand.filter(pl.col("project_code").is_in(list(errs)) | ~shape)
            _emit(issues, ctxs, bad, "project_code", ERROR, lambda r: errs.get(r["project_code"]) or "投资项目统一代码格式错误")


def cross_keys(child: pl.DataFrame, ctxs: list[SheetCtx], project_ids: pl.Series, table: str,
               issues: list[Issue], projects_note: str) -> None:
    if "project_id" not in child.columns or child.height == 0:
        return
    bad = child.filter(pl.col("project_id").is_not_null() & ~pl.col("project_id").is_in(project_ids.implode()))
    what = labels.IMPORT_TABLES[table]
    _emit(issues, ctxs, bad, "project_id", ERROR,
          lambda r: f"{what}表中的项目编号“{r['project_id']}”在项目表{projects_note}中不存在")


def after_month(df: pl.DataFrame, ctxs: list[SheetCtx], table: str, month_end: dt.date, issues: list[Issue]) -> None:
    """Actual dates later than the end of the snapshot month have not happened yet."""
    cols = {
        "projects": schema.MILESTONES + ["exit_on", "land_acquired_on", "above_scale_on", "intent_signed_on"],
        "approvals": ["received_on", "done_on"],
        "operations": ["month"],
        "problems": ["raised_on", "resolved_on"],
    }.get(table, [])
    for c in cols:
        if c not in df.columns:
            continue
        bad = df.filter(pl.col(c) > pl.lit(month_end))
        level = ERROR if c == "month" else WARNING
        _emit(issues, ctxs, bad, c, level,
              lambda r, c=c: f"{L[c]}（{r[c]}）晚于本期月末（{month_end}），尚未发生的日期请填入计划日期")


def problem_kinds(df: pl.DataFrame, ctxs: list[SheetCtx], issues: list[Issue]) -> None:
    if "kind" not in df.columns:
        return
    bad = df.filter(pl.col("kind").is_not_null() & ~pl.col("kind").is_in(PROBLEM_KINDS))
    _emit(issues, ctxs, bad, "kind", WARNING, f"问题类型不在常用分类（{'、'.join(PROBLEM_KINDS)}）中，请核对")


def against_previous(new: pl.DataFrame, ctxs: list[SheetCtx], prev: pl.DataFrame, prev_month: str,
                     issues: list[Issue]) -> int:
    """Warnings against the previous published month. Returns the number of re-planned dates."""
    if "project_id" not in new.columns or prev.height == 0:
        return 0
    c0 = ctxs[0]
    gone = prev.join(new.select("project_id").drop_nulls(), on="project_id", how="anti")
    for pid, name in gone.select("project_id", "name").iter_rows():
        issues.append(Issue(WARNING, c0.file, c0.sheet, None, c0.matches["project_id"].header
                            if "project_id" in c0.matches else L["project_id"], pid,
                            f"上期（{prev_month}）在库的项目“{name}”本期台账中没有：项目消失（如已退库请保留该行并填写退库日期和原因）",
                            "projects", "project_id", None))
    cols = ["project_id"] + [c for c in ["cumulative_done_wan"] + schema.PLANNED if c in new.columns]
    j = new.join(prev.select(cols).rename({c: f"{c}__prev" for c in cols if c != "project_id"}),
                 on="project_id", how="inner")
    if "cumulative_done_wan" in new.columns:
        bad = j.filter(pl.col("cumulative_done_wan") < pl.col("cumulative_done_wan__prev") - 1e-6)
        _emit(issues, ctxs, bad, "cumulative_done_wan", WARNING,
              lambda r: f"累计完成投资比上期（{prev_month}：{r['cumulative_done_wan__prev']:g}万元）减少了"
                        f"{r['cumulative_done_wan__prev'] - r['cumulative_done_wan']:g}万元，请核对")
    replans = 0
    for c in schema.PLANNED:
        if c not in new.columns:
            continue
        bad = j.filter(pl.col(f"{c}__prev").is_not_null() & (pl.col(c) != pl.col(f"{c}__prev")).fill_null(True))
        replans += bad.height
        _emit(issues, ctxs, bad, c, WARNING,
              lambda r, c=c: (f"{L[c]}由{r[f'{c}__prev']}调整为{r[c]}：记为调整计划（原计划保留在历史快照中）"
                              if r[c] is not None else f"{L[c]}（上期为{r[f'{c}__prev']}）被清空：记为调整计划"))
    return replans


def intent_order(df: pl.DataFrame, ctxs: list[SheetCtx], issues: list[Issue]) -> None:
    """The kept intent signing date (docs/domain.md §2.1) is not after the signing date."""
    if "intent_signed_on" not in df.columns or "signed_on" not in df.columns or df.height == 0:
        return
    bad = df.filter(pl.col("intent_signed_on").is_not_null() & pl.col("signed_on").is_not_null()
                    & (pl.col("intent_signed_on") > pl.col("signed_on")))
    _emit(issues, ctxs, bad, "intent_signed_on", ERROR,
          lambda r: labels.ZTF_TEXT["intent_after_signed"].format(intent=r["intent_signed_on"], signed=r["signed_on"]))


def entry_rule(df: pl.DataFrame, ctxs: list[SheetCtx], min_wan: float, issues: list[Issue]) -> None:
    """The region's library entry rule (docs/domain.md §7.2; Changzhou: 亿元项目库): a row whose 总投资
    is below `min_wan` 万元 is refused (an error naming the row); an empty 总投资 is a warning. An
    exited project keeps its row whatever its size (it entered under the rule of its time)."""
    if not min_wan or df.height == 0:
        return
    yi = f"{min_wan / 10000:g}"
    live = pl.col("exit_on").is_null() if "exit_on" in df.columns else pl.lit(True)
    if "total_investment_wan" not in df.columns:
        return
    low = df.filter(live & pl.col("total_investment_wan").is_not_null() & (pl.col("total_investment_wan") < min_wan))
    _emit(issues, ctxs, low, "total_investment_wan", ERROR,
          lambda r: labels.ZTF_TEXT["entry_refused"].format(value=f"{r['total_investment_wan']:,.6g}",
                                                           min=f"{min_wan:,.0f}", min_yi=yi))
    raw_empty = pl.col("total_investment_wan__raw").is_null() if "total_investment_wan__raw" in df.columns else pl.lit(True)
    missing = df.filter(live & pl.col("total_investment_wan").is_null() & raw_empty)
    _emit(issues, ctxs, missing, "total_investment_wan", WARNING, labels.ZTF_TEXT["entry_missing"].format(min_yi=yi))
