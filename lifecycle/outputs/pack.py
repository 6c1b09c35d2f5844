"""Meeting packs: the quarterly review pack (季度点评会议材料) and the monthly bulletin (月通报),
each as a PDF and an Excel workbook holding the same tables (one sheet each).

    python -m lifecycle pack --store DIR --quarter YYYYQn --out DIR
    python -m lifecycle bulletin --store DIR --month YYYY-MM --out DIR

Every number comes from the metrics API (`lifecycle.metrics`); this module only lays tables out.
A document is first assembled as a list of blocks (headings, text, tables, charts) and then
rendered twice: to PDF with reportlab, and to .xlsx with xlsxwriter.

Chinese text uses the installed Noto Sans CJK font. Its outlines are PostScript (CFF), which
reportlab cannot embed, so for each document the font is subset to the characters the document
uses and converted to TrueType outlines with fontTools, then embedded. Charts are drawn with
matplotlib (Agg backend, same font) into PNG images: no browser, no network.
"""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import polars as pl

from lifecycle.store import comments
from lifecycle.domain import flags, labels
from lifecycle.present import explain, formats
from lifecycle.query.metrics import ALL, FLAG_KEYS, PERIODS, Metrics, Slice
from lifecycle.domain.reference import region

from lifecycle.outputs.document import Chart, Document, Heading, PackError, Table, Text  # noqa: F401
from lifecycle.outputs.fonts import _bar_chart
from lifecycle.outputs.render import render_pdf, render_xlsx

PDF_ROWS_PER_FLAG = 40


# ---- shared tables ---------------------------------------------------------------------------
def rates_table(rates: dict, prev_label: str) -> pl.DataFrame:
    """One row per rate: label, numerator, denominator, rate, previous rate, change, definition."""
    rows = []
    for k, v in rates.items():
        rows.append({
            "rate_label": labels.RATES[k], "numerator": float(v["numerator"]),
            "denominator": float(v["denominator"]), "rate": v["rate"],
            "previous_rate": v.get("previous_rate"), "change_pp": v.get("change_pp"),
            "definition": labels.RATE_DEFINITIONS[k],
        })
    df = pl.DataFrame(rows, schema={"rate_label": pl.String, "numerator": pl.Float64, "denominator": pl.Float64,
                                    "rate": pl.Float64, "previous_rate": pl.Float64, "change_pp": pl.Float64,
                                    "definition": pl.String})
    return df.rename({"previous_rate": prev_label})


FLAG_COLUMNS = ["project_id", "name", "unit_name", "step", "dept", "filed_on", "started_on", "due_on",
                "planned_completed_on", "planned_capacity_on", "months_waiting", "approval_months",
                "months_past_due", "months_overdue", "level", "ytd_ratio", "time_share", "gap_pp",
                "equipment_share", "capacity_realisation", "suggested_reason", "owner", "lead_dept"]
FLAG_PCT = ("ytd_ratio", "time_share", "equipment_share", "capacity_realisation")


def _flag_frame(df: pl.DataFrame) -> pl.DataFrame:
    cols = [c for c in FLAG_COLUMNS if c in df.columns]
    out = df.select(cols)
    for c in ("months_waiting", "approval_months", "months_past_due", "months_overdue", "gap_pp"):
        if c in out.columns and out.schema[c].is_float():
            out = out.with_columns(pl.col(c).round(1))
    return formats.translate(out)


def _flag_blocks(m: Metrics, month: str, sl: Slice) -> tuple[list, list]:
    """(PDF/Excel blocks of the flag counts and lists, per-flag frames)."""
    counts, lists = [], []
    for k in FLAG_KEYS:
        df = m.flag(k, month, sl)
        counts.append({"flag_label": flags.LABELS[k], "count": df.height, "dept": flags.DEPTS[k],
                       "rule": m.flag_rule(k)})
        lists.append((k, df))
    blocks = [Table("预警汇总", "预警汇总（截至" + formats.month_end_text(month) + "）", pl.DataFrame(counts),
                    widths={"rule": 5, "flag_label": 1.6})]
    for k, df in lists:
        note = None
        if df.height > PDF_ROWS_PER_FLAG:
            note = f"共 {df.height} 个项目，PDF 列出前 {PDF_ROWS_PER_FLAG} 个，完整清单见 Excel 工作表“{flags.LABELS[k]}”。"
        blocks.append(Table(flags.LABELS[k], f"{flags.LABELS[k]}（{df.height}个）", _flag_frame(df),
                            pct=FLAG_PCT, note=note, pdf_rows=PDF_ROWS_PER_FLAG,
                            widths={"name": 3, "unit_name": 1.6}))
    return blocks, lists


# ---- 招推服 blocks (issue 12): yearly targets with 序时 and the phase hand-over -----------------
TARGET_COLUMNS = ["target_name", "ytd_count", "target", "months_elapsed", "target_to_date", "gap"]
HANDOVER_COLUMNS = ["from_phase_name", "from_dept", "to_phase_name", "to_dept", "handover_on", "project_id",
                    "name", "unit_name", "total_investment_wan"]
PHASE_COLUMNS = ["phase_name", "phase_dept", "phase_span", "limit_months", "count", "overdue_count",
                 "handed_in", "handed_out"]


def ztf_blocks(m: Metrics, month: str, sl: Slice, number: str, months: list[str] | None = None) -> list:
    """The yearly targets with 序时进度 (docs/domain.md §7.3) and the phases with the hand-overs of
    `months` (default: `month` alone) (§2.3), for a region that configures them; [] otherwise."""
    targets = m.targets(month, sl)
    if targets.is_empty() and not m.phases:
        return []
    blocks: list = [Heading(f"{number}、年度目标与分段推进", page_break=True)]
    if targets.height:
        blocks.append(Text(f"截至{formats.month_end_text(month)}；序时目标 = 年度目标 × 已过月数 / 12；"
                           f"拿地即开工指拿地后 {m.thresholds.get('land_to_start_days', 30)} 天内（含）开工。", small=True))
        blocks.append(Table("年度目标", "年度目标序时进度", targets.select(TARGET_COLUMNS),
                            decimals={"target_to_date": 1, "gap": 1}, widths={"target_name": 2}))
        for r in targets.iter_rows(named=True):
            lst = m.target_projects(month, sl, r["target_key"])
            blocks.append(Table(f"{r['target_name']}项目", f"{month[:4]}年{r['target_name']}项目（{lst.height}个）",
                                formats.translate(lst.select("project_id", "name", "unit_name", "event_on",
                                                             "total_investment_wan", "land_acquired_on",
                                                             "days_land_to_start")),
                                pdf_rows=PDF_ROWS_PER_FLAG, widths={"name": 3}))
    if m.phases:
        blocks.append(Table("分段推进", f"各阶段项目与牵头部门（截至{formats.month_end_text(month)}）",
                            m.phase_summary(month, sl).select(PHASE_COLUMNS), widths={"phase_span": 2}))
        hand = pl.concat([m.phase_handover(x, sl) for x in (months or [month])], how="diagonal_relaxed")
        when = "、".join(formats.month_text(x) for x in (months or [month]))
        if hand.height:
            blocks.append(Table("阶段交接", f"阶段交接（{when}：跨入下一阶段、牵头部门变更的项目，{hand.height}个）",
                                hand.select(HANDOVER_COLUMNS), pdf_rows=PDF_ROWS_PER_FLAG, widths={"name": 3}))
        else:
            blocks.append(Text(f"{when}没有项目跨入下一阶段。"))
    return blocks
def unit_target_blocks(m: Metrics, month: str, sl: Slice, number: str) -> list:
    """The 招商任务序时进度 section (docs/domain.md §16.3): per unit × measure the year's target, the
    序时 target at `month`, the actual, the gap and the status; a sentence when there are none."""
    T = labels.UNIT_TARGET_TEXT
    tg = m.unit_targets(month, sl)
    blocks: list = [Heading(f"{number}、{T['pack_heading']}", page_break=True)]
    year, mm = month[:4], int(month[5:7])
    if tg.is_empty():
        return blocks + [Text(T["pack_none"].format(year=year))]
    blocks.append(Text(T["pack_note"].format(end=formats.month_end_text(month), year=year, m=mm), small=True))
    blocks.append(Table("招商任务", f"{year}年{T['pack_heading']}（截至{formats.month_end_text(month)}）",
                        formats.target_status_frame(tg), pct=("schedule_completion",),
                        decimals={"target": 2, "schedule_target": 2, "actual": 2, "gap": 2},
                        widths={"unit_name": 2.4, "measure_label": 2.4}))
    return blocks


def problem_blocks(m: Metrics, month: str, sl: Slice) -> list:
    """The problems (矛盾问题, docs/domain.md §11): counts by department and the open ones."""
    from lifecycle.outputs import problems as problem_sheets

    rows = m.problems(month, sl)
    c = m.problem_counts(month, sl, rows=rows)
    by_dept = m.problem_summary(month, sl, by="dept", rows=rows)
    ref = m.reference_date(month)
    open_rows = rows.filter(pl.col("problem_status") != "closed")
    note = None
    if open_rows.height > PDF_ROWS_PER_FLAG:
        note = f"共 {open_rows.height} 个未办结问题，PDF 列出前 {PDF_ROWS_PER_FLAG} 个，完整清单见 Excel 工作表“矛盾问题”。"
    return [
        Heading(labels.PROBLEM_TEXT["title"], level=2),
        Text(f"截至{ref.isoformat()}：问题 {c['total']} 个，未办结 {c['open']} 个（其中超时限 {c['overdue']} 个），"
             f"已办结 {c['closed']} 个。" + problem_sheets.rule_text(int(m.thresholds.get('problem_deadline_days', 30))),
             small=True),
        Table("问题按部门", "矛盾问题按责任部门",
              by_dept.drop("unit_code").with_columns(pl.col("grp").fill_null(labels.LIST_TEXT["total"]))
              .rename({"grp": "dept"}).drop("median_days_open"), widths={"dept": 2}),
        Table("矛盾问题", f"未办结矛盾问题（{open_rows.height}个）",
              formats.translate(open_rows.select("problem_id", "name", "unit_name", "kind", "summary", "dept",
                                                 "raised_on", "deadline_on", "problem_status", "days_open",
                                                 "overdue")),
              note=note, pdf_rows=PDF_ROWS_PER_FLAG, widths={"name": 2.4, "summary": 3}),
    ]


# ---- the quarterly review pack ---------------------------------------------------------------
QUARTER_PROJECT_COLUMNS = ["project_id", "name", "total_investment_wan", "state",
                           "q_planned_started_on", "actual_started_on", "start_status",
                           "q_planned_completed_on", "actual_completed_on", "complete_status"]
SUMMARY_COLUMNS = ["unit_name", "started_count", "completed_count",
                   "planned_start_count", "planned_start_on_time", "planned_start_late",
                   "planned_start_overdue", "planned_start_pending",
                   "planned_complete_count", "planned_complete_on_time", "planned_complete_late",
                   "planned_complete_overdue", "planned_complete_pending",
                   "start_on_time_rate", "complete_on_time_rate"]
RANKING_COLUMNS = ["rank", "unit_name", "score", "filing_rate", "start_rate", "investment_rate",
                   "production_rate", "capacity_rate", "tax_per_mu", "rank_prev", "rank_change"]
RATE_PCT = ("rate", "filing_rate", "start_rate", "investment_rate", "production_rate", "capacity_rate")


def quarter_document(m: Metrics, quarter: str, sl: Slice = ALL, period: str = "ytd") -> Document:
    """Assemble the quarterly review pack (all numbers from the metrics API, in the viewer's scope)."""
    sl = m.scoped(sl)
    quarter = m.check_quarter(quarter)
    as_of = m.quarter_as_of(quarter)
    reg = region(m.region)
    store = m.db.store
    prev_m = m.previous_quarter_as_of(quarter)
    rates = m.quarter_rates(quarter, sl, period=period)
    prev_label = f"上季度末比率（{formats.month_text(prev_m)}）" if prev_m else "上季度末比率"
    summary = m.quarter_summary(quarter, sl)
    projects = m.quarter_projects(quarter, sl)
    ranking = m.ranking(as_of, sl)
    all_projects = m.project_list(as_of)
    names = comments.target_names(reg, all_projects)
    this_q = m.quarter_comments(quarter, as_of, sl, all_projects)
    last_q = m.quarter_comments(comments.previous_quarter(quarter), as_of, sl, all_projects)
    published = (store.published_at(as_of) or "").replace("T", " ")[:16]

    blocks: list = []
    # 1. the five rates
    blocks.append(Heading("一、五率"))
    blocks.append(Text(f"数据截至{formats.month_end_text(as_of)}；统计期：{PERIODS[period]}（签约备案率、备案开工率），"
                       f"其余三率按年度口径；变化为与上季度末（{formats.month_text(prev_m) if prev_m else '无数据'}）相比的百分点。",
                       small=True))
    blocks.append(Table("五率", "五率及口径说明", rates_table(rates, prev_label),
                        pct=("rate", prev_label), note=labels.RATE_COHORT_NOTE,
                        widths={"definition": 5, "rate_label": 1.4}, decimals={"change_pp": 1}))
    # 2. funnel and tiers
    funnel = m.funnel(as_of, sl)
    blocks.append(Heading("二、阶段漏斗与投资分档", page_break=True))
    blocks.append(Table("阶段漏斗", "阶段漏斗（含已退库项目）",
                        funnel.select("stage_label", "reached", "investment_wan", "pct_of_previous", "pct_of_first")
                        .rename({"stage_label": "stage"}),
                        pct=("pct_of_previous", "pct_of_first")))
    blocks.append(Chart(_bar_chart(funnel["stage_label"].to_list(), funnel["reached"].cast(pl.Float64).to_list(),
                                   "阶段漏斗：达到各阶段的项目数", "项目数", fmt="{:.0f}"), width_cm=18))
    tiers = m.tiers(as_of, sl)
    blocks.append(Table("投资分档", "投资分档（在库项目）",
                        tiers.select("tier_label", "count", "total_investment_wan", "cumulative_done_wan",
                                     "year_done_wan", "new_count", "upgrade_count").rename({"tier_label": "tier_band"})))
    # 3. the quarter by unit
    blocks.append(Heading(f"三、{labels.REVIEW['quarter_summary']}", page_break=True))
    blocks.append(Text(labels.QUARTER_STATUS_NOTE, small=True))
    blocks.append(Table("分板块开竣工", f"{formats.quarter_text(quarter)}{labels.REVIEW['quarter_summary']}",
                        summary.with_columns(pl.col("unit_name").fill_null("合计")).select(SUMMARY_COLUMNS),
                        pct=("start_on_time_rate", "complete_on_time_rate"), widths={"unit_name": 2.4}))
    # 4. ranking
    blocks.append(Heading("四、绩效排名", page_break=True))
    rank_cols = [c for c in RANKING_COLUMNS if c in ranking.columns]
    blocks.append(Table("绩效排名", f"{reg.unit_word}绩效排名（截至{formats.month_end_text(as_of)}，名次变化与上季度末相比）",
                        ranking.select(rank_cols).with_columns(pl.col("score").round(1), pl.col("tax_per_mu").round(2)),
                        pct=RATE_PCT, widths={"unit_name": 2.4}, decimals={"score": 1, "tax_per_mu": 2}))
    ranked = ranking.filter(pl.col("score").is_not_null())
    blocks.append(Chart(_bar_chart(ranked["unit_name"].to_list(), ranked["score"].to_list(),
                                   labels.REVIEW["ranking_chart"], "综合得分（0–100）", color="#c0504d")))
    # 5. flags
    blocks.append(Heading("五、预警清单", page_break=True))
    fblocks, _ = _flag_blocks(m, as_of, sl)
    blocks.extend(fblocks)
    blocks.extend(problem_blocks(m, as_of, sl))
    # 6. one page per unit
    blocks.append(Heading(f"六、{labels.REVIEW['unit_pages']}", page_break=True))
    blocks.append(Text(f"每个{reg.unit_word}一页：本季度开工、竣工项目，计划本季度开工、竣工项目的计划与实际，"
                       "以及本季度和上季度的点评意见。", small=True))
    units = [u for u in reg.units.values() if sl.units is None or u.code in sl.units]
    extra = sorted(set(summary["unit_code"].drop_nulls().to_list()) - {u.code for u in units})
    by_code = {r["unit_code"]: r for r in summary.iter_rows(named=True) if r["unit_code"] is not None}
    rank_by = {r["unit_code"]: r for r in ranking.iter_rows(named=True)}
    for code, name in [(u.code, u.name) for u in units] + [(c, by_code[c]["unit_name"]) for c in extra]:
        s = by_code.get(code) or {}
        blocks.append(Heading(f"{name}", level=2, page_break=True))
        rk = rank_by.get(code)
        rank_txt = (f"综合排名第{rk['rank']}名（得分{rk['score']:.1f}）。" if rk and rk.get("rank") is not None else "")
        blocks.append(Text(
            f"{formats.quarter_text(quarter)}：开工 {s.get('started_count', 0)} 个、竣工 {s.get('completed_count', 0)} 个；"
            f"计划开工 {s.get('planned_start_count', 0)} 个（按期 {s.get('planned_start_on_time', 0)}、"
            f"延期 {s.get('planned_start_late', 0)}、逾期未开工 {s.get('planned_start_overdue', 0)}、"
            f"未到期 {s.get('planned_start_pending', 0)}），计划竣工 {s.get('planned_complete_count', 0)} 个"
            f"（按期 {s.get('planned_complete_on_time', 0)}、延期 {s.get('planned_complete_late', 0)}、"
            f"逾期未竣工 {s.get('planned_complete_overdue', 0)}、未到期 {s.get('planned_complete_pending', 0)}）。"
            + rank_txt))
        up = projects.filter(pl.col("unit_code") == code)
        if up.height:
            blocks.append(Table(None, "项目计划与实际", formats.translate(up.select(QUARTER_PROJECT_COLUMNS)),
                                widths={"name": 3.2, "project_id": 1.2}))
        else:
            blocks.append(Text(labels.REVIEW["no_rows"]))
        uc = this_q.filter(pl.col("unit_code") == code)
        blocks.append(Heading(labels.REVIEW["comments"], level=3))
        if uc.height:
            blocks.append(Table(None, "", comments.comment_table(uc, names), widths={"text": 5, "target_name": 2}))
        else:
            blocks.append(Text(labels.REVIEW["no_comments"], small=True))
        lc = last_q.filter(pl.col("unit_code") == code)
        if lc.height:
            blocks.append(Heading(labels.REVIEW["last_quarter_comments"], level=3))
            blocks.append(Table(None, "", comments.comment_table(lc, names), widths={"text": 5, "target_name": 2}))
    # 7. yearly targets and phase hand-overs (regions configuring them)
    ztf = ztf_blocks(m, as_of, sl, "七", m.quarter_months(quarter))
    blocks.extend(ztf)
    # 7/8. township targets 招商任务 with 序时 at the quarter's month (docs/domain.md §16.3)
    blocks.extend(unit_target_blocks(m, as_of, sl, "八" if ztf else "七"))
    # workbook-only detail sheets
    blocks.append(Table("季度项目明细", "季度项目明细", formats.translate(projects), pdf_rows=0))
    blocks.append(Table("点评意见", "本季度点评意见", comments.comment_table(this_q, names), pdf_rows=0))
    blocks.append(Table("上季度点评意见", "上季度点评意见", comments.comment_table(last_q, names), pdf_rows=0))

    sl_txt = formats.slice_text(reg, sl)
    cover = [
        f"{reg.name}",
        f"{formats.quarter_text(quarter)}（{quarter}）",
        f"数据截至：{formats.month_end_text(as_of)}（{as_of} 月度快照，发布于 {published or '未知'}）",
        f"统计范围：{sl_txt}",
        f"{reg.system}",
        f"生成时间：{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}",
    ]
    meta = [("城市", reg.name), ("季度", quarter), ("数据截至月份", as_of), ("快照发布时间", published),
            ("上季度末月份", prev_m or ""), ("季度计划快照", m.quarter_plan_month(quarter)),
            ("统计期", PERIODS[period]), ("统计范围", sl_txt),
            ("生成时间", dt.datetime.now().isoformat(timespec="seconds"))]
    return Document(f"{reg.name}重大项目{labels.REVIEW['pack_title']}", cover, blocks, meta,
                    f"pack_{m.region}_{quarter}")


# ---- the monthly bulletin --------------------------------------------------------------------
MONTH_SUMMARY_COLUMNS = ["unit_name", "signed_month", "signed_month_wan", "intent_month", "filed_month",
                         "filed_month_wan", "started_month", "started_month_wan", "completed_month",
                         "completed_month_wan", "signed_ytd", "filed_ytd", "started_ytd", "completed_ytd"]
EVENT_COLUMNS = ["project_id", "name", "enterprise", "unit_name", "event_on", "total_investment_wan",
                 "origin", "category", "project_code"]


def _attribution_blocks(m: Metrics, month: str, sl: Slice, unit_word: str) -> list:
    """The bulletin's paragraph on why each rate moved since the previous snapshot (变动归因,
    docs/forecast.md): one sentence per rate naming the units that moved it."""
    att = m.rate_attribution(month, sl)
    if att["previous_month"] is None:
        return []
    sentences = explain.attribution_sentences(att, unit_word)
    return [Text(f"{labels.ATTRIBUTION_TEXT['bulletin_title']}（较{formats.month_text(att['previous_month'])}）："
                 + "；".join(sentences.values()) + "。")]


def bulletin_document(m: Metrics, month: str, sl: Slice = ALL) -> Document:
    """Assemble the monthly bulletin (月通报): the month's signed, filed, started and completed
    projects by unit, with the five rates and their change since the previous snapshot."""
    sl = m.scoped(sl)
    m.check_month(month)
    reg = region(m.region)
    store = m.db.store
    rates = m.rates_with_change(month, sl)
    prev_m = next(iter(rates.values())).get("previous_month")
    summary = m.month_summary(month, sl)
    events = m.month_events(month, sl)
    published = (store.published_at(month) or "").replace("T", " ")[:16]
    blocks: list = [Heading("一、五率")]
    blocks.append(Text(f"数据截至{formats.month_end_text(month)}，年初至今口径；变化为与上期（"
                       f"{formats.month_text(prev_m) if prev_m else '无数据'}）相比的百分点。", small=True))
    prev_label = f"上期比率（{formats.month_text(prev_m)}）" if prev_m else "上期比率"
    blocks.append(Table("五率", "五率及口径说明", rates_table(rates, prev_label), pct=("rate", prev_label),
                        note=labels.RATE_COHORT_NOTE, widths={"definition": 5, "rate_label": 1.4},
                        decimals={"change_pp": 1}))
    blocks.extend(_attribution_blocks(m, month, sl, reg.unit_word))
    blocks.append(Heading(f"二、{labels.REVIEW['month_summary']}", page_break=True))
    blocks.append(Table("分板块汇总", f"{formats.month_text(month)}{labels.REVIEW['month_summary']}（含年内累计）",
                        summary.with_columns(pl.col("unit_name").fill_null("合计")).select(MONTH_SUMMARY_COLUMNS),
                        widths={"unit_name": 2.4}))
    tot = summary.filter(pl.col("unit_code").is_null()).row(0, named=True)
    units = summary.filter(pl.col("unit_code").is_not_null())
    blocks.append(Chart(_bar_chart(units["unit_name"].to_list(),
                                   (units["started_month"] + units["completed_month"]).cast(pl.Float64).to_list(),
                                   f"{formats.month_text(month)}各{reg.unit_word}开工、竣工项目数", "项目数", fmt="{:.0f}")))
    blocks.append(Heading(f"三、{labels.REVIEW['month_events']}", page_break=True))
    blocks.append(Text(f"{formats.month_text(month)}：正式签约 {tot['signed_month']} 个、意向签约 {tot['intent_month']} 个、"
                       f"备案 {tot['filed_month']} 个、开工 {tot['started_month']} 个、竣工 {tot['completed_month']} 个。"))
    for ev, lab in labels.MONTH_EVENTS.items():
        df = events.filter(pl.col("event") == ev)
        blocks.append(Table(f"{lab}项目", f"{formats.month_text(month)}{lab}项目（{df.height}个）",
                            formats.translate(df.select(EVENT_COLUMNS)), widths={"name": 3, "enterprise": 2.4}))
    blocks.extend(ztf_blocks(m, month, sl, "四"))
    sl_txt = formats.slice_text(reg, sl)
    cover = [f"{reg.name}", f"{formats.month_text(month)}", f"数据截至：{formats.month_end_text(month)}（发布于 {published or '未知'}）",
             f"统计范围：{sl_txt}", f"{reg.system}", f"生成时间：{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}"]
    meta = [("城市", reg.name), ("月份", month), ("快照发布时间", published), ("上期月份", prev_m or ""),
            ("统计范围", sl_txt), ("生成时间", dt.datetime.now().isoformat(timespec="seconds"))]
    return Document(f"{reg.name}{labels.REVIEW['bulletin_title']}", cover, blocks, meta,
                    f"bulletin_{m.region}_{month}")


# ---- entry points ----------------------------------------------------------------------------
def pack_bytes(m: Metrics, quarter: str, sl: Slice = ALL, period: str = "ytd") -> tuple[bytes, bytes, str]:
    """(PDF, XLSX, file stem) of the quarterly review pack."""
    doc = quarter_document(m, quarter, sl, period)
    return render_pdf(doc), render_xlsx(doc), doc.file_stem


def bulletin_bytes(m: Metrics, month: str, sl: Slice = ALL) -> tuple[bytes, bytes, str]:
    """(PDF, XLSX, file stem) of the monthly bulletin."""
    doc = bulletin_document(m, month, sl)
    return render_pdf(doc), render_xlsx(doc), doc.file_stem


def _write(out_dir: Path, stem: str, pdf: bytes, xlsx: bytes) -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PackError(f"无法创建输出目录 {out_dir}：{e.strerror}") from None
    paths = []
    for ext, data in (("pdf", pdf), ("xlsx", xlsx)):
        p = out_dir / f"{stem}.{ext}"
        tmp = p.with_name(f".{p.name}.{uuid.uuid4().hex[:6]}.tmp")
        tmp.write_bytes(data)
        tmp.replace(p)
        paths.append(p)
    return paths[0], paths[1]


def build_pack(m: Metrics, quarter: str, out_dir, sl: Slice = ALL, period: str = "ytd") -> tuple[Path, Path]:
    pdf, xlsx, stem = pack_bytes(m, quarter, sl, period)
    return _write(Path(out_dir), stem, pdf, xlsx)


def build_bulletin(m: Metrics, month: str, out_dir, sl: Slice = ALL) -> tuple[Path, Path]:
    pdf, xlsx, stem = bulletin_bytes(m, month, sl)
    return _write(Path(out_dir), stem, pdf, xlsx)


