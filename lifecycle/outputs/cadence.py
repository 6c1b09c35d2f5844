"""The cadence outputs the Jiangyin opinions name (docs/domain.md §15), each as a PDF and an
Excel workbook like the quarterly pack:

- **双月过堂会** material ("每双月组织高质量项目建设指标过堂会"): for month M, the two months
  M−1..M — the five rates against two months before, what moved (new, advanced, exited since
  the snapshot two months before), what is stuck (the approval and completion lists), and the
  open problems;
- **年度考核** table ("月通报、季点评、半年调研和年度考核"): for year Y, at its last published
  month — the final five rates against the previous year's, and the units' rates, score and rank.

    python -m lifecycle review --store DIR --month YYYY-MM --out DIR
    python -m lifecycle annual --store DIR --year YYYY --out DIR
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lifecycle.domain import flags, labels
from lifecycle.domain.calendar import add_months
from lifecycle.domain.reference import region
from lifecycle.outputs.document import Chart, Document, Heading, Table, Text
from lifecycle.outputs.fonts import _bar_chart
from lifecycle.outputs.pack import (FLAG_PCT, PDF_ROWS_PER_FLAG, RANKING_COLUMNS, RATE_PCT, _flag_frame, _write,
                                    problem_blocks, rates_table)
from lifecycle.outputs.render import render_pdf, render_xlsx
from lifecycle.present import formats
from lifecycle.query.metrics import ALL, Metrics, Slice

STUCK_KEYS = ("approval_over_12m", "step_stalled", "completion_interview", "completion_reminder", "investment_behind")
CHANGE_COLUMNS = ["project_id", "name", "unit_name", "total_investment_wan", "prev_stage", "stage"]


def review_document(m: Metrics, month: str, sl: Slice = ALL) -> Document:
    """双月过堂会 material for `month` (covering month−1 and month)."""
    m.check_month(month)
    reg = region(m.region)
    since = add_months(month, -2)
    since = since if since in m.months else None
    rates = m.rates_since(month, since, sl)
    prev_label = f"两个月前比率（{formats.month_text(since)}）" if since else "两个月前比率"
    blocks: list = [Heading("一、五率")]
    blocks.append(Text(f"数据截至{formats.month_end_text(month)}；变化为与两个月前（"
                       f"{formats.month_text(since) if since else '无数据'}）相比的百分点。", small=True))
    blocks.append(Table("五率", "五率", rates_table(rates, prev_label), pct=("rate", prev_label),
                        widths={"definition": 5, "rate_label": 1.4}, decimals={"change_pp": 1}))
    # what moved
    ch = m.changes_since(month, since, sl)
    blocks.append(Heading("二、两个月来的变化", page_break=True))
    if since is None:
        blocks.append(Text("两个月前的快照未发布，无法比较。"))
    else:
        counts = {k: ch.filter(pl.col("change") == k).height for k in labels.CHANGES}
        blocks.append(Text("；".join(f"{labels.CHANGES[k]} {n} 个" for k, n in counts.items()) + "。"))
        for k, lab in labels.CHANGES.items():
            part = ch.filter(pl.col("change") == k)
            blocks.append(Table(f"{lab}", f"{lab}项目（{part.height}个）",
                                formats.translate(part.select([c for c in CHANGE_COLUMNS if c in part.columns])),
                                pdf_rows=PDF_ROWS_PER_FLAG, widths={"name": 3}))
    # what is stuck
    blocks.append(Heading("三、卡点清单", page_break=True))
    summary = []
    lists = []
    for k in STUCK_KEYS:
        df = m.flag(k, month, sl)
        summary.append({"flag_label": flags.LABELS[k], "count": df.height, "dept": flags.DEPTS[k],
                        "rule": m.flag_rule(k)})
        lists.append((k, df))
    blocks.append(Table("卡点汇总", "卡点汇总", pl.DataFrame(summary), widths={"rule": 5, "flag_label": 1.6}))
    for k, df in lists:
        blocks.append(Table(flags.LABELS[k], f"{flags.LABELS[k]}（{df.height}个）", _flag_frame(df), pct=FLAG_PCT,
                            pdf_rows=PDF_ROWS_PER_FLAG, widths={"name": 3, "unit_name": 1.6}))
    # problems
    blocks.append(Heading("四、矛盾问题", page_break=True))
    blocks.extend(problem_blocks(m, month, sl))
    sl_txt = formats.slice_text(reg, sl)
    published = (m.db.store.published_at(month) or "").replace("T", " ")[:16]
    cover = [reg.name, f"{formats.month_text(add_months(month, -1))}—{formats.month_text(month)}",
             f"数据截至：{formats.month_end_text(month)}（发布于 {published or '未知'}）", f"统计范围：{sl_txt}",
             reg.system, f"生成时间：{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}"]
    meta = [("城市", reg.name), ("月份", month), ("比较月份", since or ""), ("统计范围", sl_txt),
            ("生成时间", dt.datetime.now().isoformat(timespec="seconds"))]
    return Document(f"{reg.name}重大项目双月过堂会材料", cover, blocks, meta, f"review_{m.region}_{month}")


ANNUAL_COLUMNS = ["rank", "unit_name", "score", "filing_rate", "start_rate", "investment_rate", "production_rate",
                  "capacity_rate", "tax_per_mu"]


def annual_document(m: Metrics, year: int | str, sl: Slice = ALL) -> Document:
    """年度考核 table for `year`, at its last published month."""
    reg = region(m.region)
    as_of = m.year_as_of(year)
    prev_years = [x for x in m.months if x[:4] == str(int(year) - 1)]
    prev = prev_years[-1] if prev_years else None
    rates = m.rates_since(as_of, prev, sl)
    prev_label = f"上年末比率（{formats.month_text(prev)}）" if prev else "上年末比率"
    ranking = m.ranking(as_of, sl)
    note = "" if as_of.endswith("-12") else f"（{year}年12月快照尚未发布，按{formats.month_text(as_of)}计，为预考核）"
    blocks: list = [Heading("一、年度五率"),
                    Text(f"数据截至{formats.month_end_text(as_of)}{note}；变化为与上年末相比的百分点。", small=True),
                    Table("年度五率", f"{year}年五率", rates_table(rates, prev_label), pct=("rate", prev_label),
                          widths={"definition": 5, "rate_label": 1.4}, decimals={"change_pp": 1})]
    blocks.append(Heading(f"二、{reg.unit_word}考核排名", page_break=True))
    blocks.append(Text("综合得分按五率和亩均税收加权（权重见配置文件），缺项按其余权重折算（docs/domain.md §10）。", small=True))
    cols = [c for c in ANNUAL_COLUMNS if c in ranking.columns]
    blocks.append(Table("年度考核", f"{year}年{reg.unit_word}考核排名", ranking.select(cols).with_columns(
        pl.col("score").round(1), pl.col("tax_per_mu").round(2)), pct=RATE_PCT, widths={"unit_name": 2.4},
        decimals={"score": 1, "tax_per_mu": 2}))
    ranked = ranking.filter(pl.col("score").is_not_null())
    blocks.append(Chart(_bar_chart(ranked["unit_name"].to_list(), ranked["score"].to_list(),
                                   f"{year}年{reg.unit_word}综合得分", "综合得分（0–100）", color="#c0504d")))
    detail = ranking.select([c for c in RANKING_COLUMNS if c in ranking.columns] +
                            [c for c in ranking.columns if c.endswith(("_num", "_den"))])
    blocks.append(Table("五率分子分母", "各单位五率分子分母", detail, pdf_rows=0))
    sl_txt = formats.slice_text(reg, sl)
    cover = [reg.name, f"{year}年度重大项目推进工作考核", f"数据截至：{formats.month_end_text(as_of)}{note}",
             f"统计范围：{sl_txt}", reg.system, f"生成时间：{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}"]
    meta = [("城市", reg.name), ("年度", str(year)), ("数据截至月份", as_of), ("上年末月份", prev or ""),
            ("统计范围", sl_txt), ("生成时间", dt.datetime.now().isoformat(timespec="seconds"))]
    return Document(f"{reg.name}{year}年度重大项目考核表", cover, blocks, meta, f"annual_{m.region}_{year}")


def review_bytes(m: Metrics, month: str, sl: Slice = ALL) -> tuple[bytes, bytes, str]:
    doc = review_document(m, month, sl)
    return render_pdf(doc), render_xlsx(doc), doc.file_stem


def annual_bytes(m: Metrics, year, sl: Slice = ALL) -> tuple[bytes, bytes, str]:
    doc = annual_document(m, year, sl)
    return render_pdf(doc), render_xlsx(doc), doc.file_stem


def build_review(m: Metrics, month: str, out_dir, sl: Slice = ALL) -> tuple[Path, Path]:
    pdf, xlsx, stem = review_bytes(m, month, sl)
    return _write(Path(out_dir), stem, pdf, xlsx)


def build_annual(m: Metrics, year, out_dir, sl: Slice = ALL) -> tuple[Path, Path]:
    pdf, xlsx, stem = annual_bytes(m, year, sl)
    return _write(Path(out_dir), stem, pdf, xlsx)
