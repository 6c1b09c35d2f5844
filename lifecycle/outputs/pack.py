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
import io
import re
import shutil
import subprocess
import threading
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

from lifecycle.store import comments
from lifecycle.domain import labels
from lifecycle.domain.cells import write_text
from lifecycle.query.metrics import ALL, FLAG_KEYS, PERIODS, Metrics, MetricsError, Slice, quarter_of
from lifecycle.domain.reference import region

PDF_ROWS_PER_FLAG = 40


class PackError(Exception):
    """A user-facing problem building a pack (message in Chinese)."""


# ---- document model ----------------------------------------------------------------------------
@dataclass
class Table:
    sheet: str | None  # Excel sheet name; None = PDF only (e.g. a township page's slice of a sheet)
    title: str
    df: pl.DataFrame  # English column names (headers come from labels.COLUMNS), enums translated
    pct: tuple[str, ...] = ()  # fraction columns shown as percentages
    note: str | None = None
    pdf_rows: int | None = None  # cap the rows shown in the PDF (the sheet has them all)
    widths: dict[str, float] = field(default_factory=dict)  # relative PDF column widths
    decimals: dict[str, int] = field(default_factory=dict)  # fixed decimals in the PDF


@dataclass
class Heading:
    text: str
    level: int = 1
    page_break: bool = False


@dataclass
class Text:
    text: str
    small: bool = False


@dataclass
class Chart:
    png: bytes
    width_cm: float = 24.0


@dataclass
class Document:
    title: str
    cover_lines: list[str]
    blocks: list
    meta: list[tuple[str, str]]  # (field, value) for the workbook's first sheet
    file_stem: str


# ---- fonts -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FontFace:
    path: str
    index: int
    family: str


def _fc_list() -> list[FontFace]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", "-f", "%{file}|%{index}|%{family}\n", ":lang=zh"],
                             capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    faces = []
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) >= 3 and parts[1].isdigit():
            faces.append(FontFace(parts[0], int(parts[1]), parts[2].split(",")[0]))
    return faces


FALLBACK_FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"))


@lru_cache(maxsize=1)
def find_cjk_fonts() -> FontFace:
    """The installed Noto Sans CJK SC regular face (or, failing that, another CJK face).
    Raises PackError with a Chinese message when no CJK font is installed."""
    faces = _fc_list()
    if not faces:  # no fontconfig: look where Debian/Ubuntu install fonts-noto-cjk
        for base in FALLBACK_FONT_DIRS:
            if (base / "NotoSansCJK-Regular.ttc").exists():
                faces.append(FontFace(str(base / "NotoSansCJK-Regular.ttc"), 2, "Noto Sans CJK SC"))
    usable = [f for f in faces if Path(f.path).suffix.lower() in (".ttc", ".otf", ".ttf", ".otc")]
    if not usable:
        raise PackError(labels.REVIEW["no_font"])

    def score(f: FontFace) -> tuple:
        name = Path(f.path).name.lower()
        return ("Noto Sans CJK SC" in f.family and "Mono" not in f.family, "Noto Sans CJK" in f.family,
                "CJK" in f.family, "regular" in name, "bold" not in name)

    return max(usable, key=score)


_FONT_LOCK = threading.Lock()


def _ttf_subset(face: FontFace, text: str, tag: str = "") -> bytes:
    """The face subset to the characters of `text`, with TrueType (quadratic) outlines. `tag` is
    appended to its PostScript name: reportlab maps every font registered later with an already
    registered face name to the first one, so each document's subset needs a name of its own."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    for table in ("VORG", "vhea", "vmtx", "BASE", "GPOS", "GSUB", "GDEF", "DSIG"):
        if table in font:  # layout and vertical-writing tables: not needed, and slow to subset
            del font[table]
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.layout_features = []
    opts.hinting = False
    opts.desubroutinize = True
    sub = subset.Subsetter(opts)
    sub.populate(text=text)
    sub.subset(font)
    if "CFF " in font:
        order = font.getGlyphOrder()
        glyph_set = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {}
        for name in order:
            pen = TTGlyphPen(glyph_set)
            glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf.glyphs[name] = pen.glyph()
        font["loca"] = newTable("loca")
        font["glyf"] = glyf
        del font["CFF "]
        font["head"].glyphDataFormat = 0
        maxp = font["maxp"]
        maxp.tableVersion = 0x00010000
        for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                     "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                     "maxComponentElements"):
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        post = font["post"]
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        post.glyphOrder = order
        font.sfntVersion = "\x00\x01\x00\x00"
    if tag:
        for rec in font["name"].names:
            if rec.nameID == 6:
                rec.string = f"{rec.toUnicode()}-{tag}"
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


_REGISTERED: list[tuple[frozenset, str]] = []  # (characters covered, reportlab font name)


def _register_font(text: str) -> str:
    """A reportlab font covering the characters of `text`: a subset of the CJK font, converted
    and registered once per process and reused while it covers a document's characters (each
    PDF embeds only the glyphs it uses); a document with new characters gets a new subset
    covering those and all earlier ones."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    face = find_cjk_fonts()
    need = frozenset(text) | frozenset(_BASE_CHARS)
    with _FONT_LOCK:
        for chars, name in reversed(_REGISTERED):
            if need <= chars:
                return name
        chars = need | (_REGISTERED[-1][0] if _REGISTERED else frozenset())
        try:
            tag = uuid.uuid4().hex[:10]
            data = _ttf_subset(face, "".join(sorted(chars)), tag)
            name = f"CJK-{tag}"
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        except Exception as e:  # a damaged or unsupported font file
            raise PackError(f"中文字体 {face.path} 无法使用（{e}）。{labels.REVIEW['no_font']}") from None
        _REGISTERED.append((chars, name))
    return name


_BASE_CHARS = ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
               " .,:;!?%()[]<>+-=*/_#&'\"·—–…、，。：；！？（）【】《》“”‘’％≥≤×～\u3000")


@lru_cache(maxsize=1)
def _mpl_font() -> str:
    """Configure matplotlib (Agg) to draw Chinese with the installed CJK font; returns its family."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager

    regular = find_cjk_fonts()
    known = {f.name for f in font_manager.fontManager.ttflist}
    family = regular.family if regular.family in known else None
    if family is None:
        font_manager.fontManager.addfont(regular.path)
        family = font_manager.FontProperties(fname=regular.path).get_name()
    matplotlib.rcParams["font.family"] = [family]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


# ---- charts ----------------------------------------------------------------------------------
def _bar_chart(labels_: list[str], values: list[float], title: str, xlabel: str,
               color: str = "#2f6fb0", fmt: str = "{:.1f}") -> bytes:
    """A horizontal bar chart as PNG (first item at the top)."""
    _mpl_font()
    import matplotlib.pyplot as plt

    n = max(len(labels_), 1)
    fig, ax = plt.subplots(figsize=(10, max(2.2, 0.32 * n + 1.0)), dpi=150)
    try:
        y = list(range(len(labels_)))
        vals = [v if v is not None else 0.0 for v in values]
        ax.barh(y, vals, color=color)
        if fmt == "{:.0f}":  # counts: whole-number ticks
            from matplotlib.ticker import MaxNLocator
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_yticks(y, labels_)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=13)
        ax.set_xlabel(xlabel)
        for yi, v, raw in zip(y, vals, values):
            ax.text(v, yi, " " + ("—" if raw is None else fmt.format(raw)), va="center", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.12)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


# ---- formatting ------------------------------------------------------------------------------
def quarter_text(q: str) -> str:
    return f"{q[:4]}年第{'一二三四'[int(q[5]) - 1]}季度"


def month_text(m: str) -> str:
    return f"{m[:4]}年{int(m[5:7])}月"


def fmt_cell(v, pct: bool = False, decimals: int | None = None) -> str:
    if v is None:
        return "—"
    if decimals is not None and isinstance(v, (int, float)) and not isinstance(v, bool) and not pct:
        return f"{v:,.{decimals}f}"
    if isinstance(v, bool):
        return labels.BOOL[v]
    if pct and isinstance(v, (int, float)):
        return f"{v * 100:.1f}%"
    if isinstance(v, float):
        if v != v:  # NaN
            return "—"
        if v.is_integer():
            return f"{v:,.0f}"
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v}"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    return str(v)


def _header(col: str) -> str:
    return labels.COLUMNS.get(col, col)


def slice_text(reg, sl: Slice) -> str:
    parts = []
    if sl.units:
        parts.append("、".join(reg.units[u].name if u in reg.units else u for u in sl.units))
    if sl.tiers:
        parts.append("、".join(labels.TIER_BANDS.get(t, t) for t in sl.tiers))
    if sl.sections:
        parts.append("门类" + "".join(sl.sections))
    if sl.origins:
        parts.append("、".join(labels.ORIGINS.get(o, o) for o in sl.origins))
    if sl.categories:
        parts.append("、".join(labels.CATEGORIES.get(c, c) for c in sl.categories))
    return "；".join(parts) if parts else "全部项目"


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


def _enum(df: pl.DataFrame) -> pl.DataFrame:
    """Translate enumerated values to Chinese."""
    maps = {
        "stage": labels.STAGES, "origin": labels.ORIGINS, "category": labels.CATEGORIES,
        "state": {**labels.STAGES, "exited": "已退库"}, "tier_band": {**labels.TIER_BANDS, "unknown": "未填报"},
        "start_status": labels.QUARTER_STATUS, "complete_status": labels.QUARTER_STATUS,
        "exit_reason": labels.EXIT_REASONS, "suggested_reason": labels.EXIT_REASONS,
        "signing_type": labels.SIGNING_TYPES, "event": labels.MONTH_EVENTS,
        "level": {"reminder": "提醒函", "interview": "约谈", "grace": "宽限期"},
    }
    ex = [pl.col(c).replace(m) for c, m in maps.items() if c in df.columns and df.schema[c] == pl.String]
    return df.with_columns(ex) if ex else df


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
    return _enum(out)


def _flag_blocks(m: Metrics, month: str, sl: Slice) -> tuple[list, list]:
    """(PDF/Excel blocks of the flag counts and lists, per-flag frames)."""
    counts, lists = [], []
    for k in FLAG_KEYS:
        df = m.flag(k, month, sl)
        counts.append({"flag_label": labels.FLAGS[k], "count": df.height, "dept": labels.FLAG_DEPTS[k],
                       "rule": m.flag_rule(k)})
        lists.append((k, df))
    blocks = [Table("预警汇总", "预警汇总（截至" + month_text(month) + "末）", pl.DataFrame(counts),
                    widths={"rule": 5, "flag_label": 1.6})]
    for k, df in lists:
        note = None
        if df.height > PDF_ROWS_PER_FLAG:
            note = f"共 {df.height} 个项目，PDF 列出前 {PDF_ROWS_PER_FLAG} 个，完整清单见 Excel 工作表“{labels.FLAGS[k]}”。"
        blocks.append(Table(labels.FLAGS[k], f"{labels.FLAGS[k]}（{df.height}个）", _flag_frame(df),
                            pct=FLAG_PCT, note=note, pdf_rows=PDF_ROWS_PER_FLAG,
                            widths={"name": 3, "unit_name": 1.6}))
    return blocks, lists


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


def comment_names(m: Metrics, month: str, projects: pl.DataFrame | None = None) -> dict[str, str]:
    """id -> name for comment targets: every project of the snapshot and every unit."""
    reg = region(m.region)
    projects = m.project_list(month) if projects is None else projects
    names = dict(zip(projects["project_id"].to_list(), projects["name"].to_list()))
    names.update({u.code: u.name for u in reg.units.values()})
    return names


def quarter_comments(m: Metrics, quarter: str, month: str, sl: Slice = ALL,
                     projects: pl.DataFrame | None = None) -> pl.DataFrame:
    """The quarter's current comments, each with the unit it belongs to (a project's unit as of
    `month`, else the unit recorded with the comment), restricted to the slice's units."""
    df = comments.list_comments(m.db.store.root, quarter)
    projects = m.project_list(month) if projects is None else projects
    units = dict(zip(projects["project_id"].to_list(), projects["unit_code"].to_list()))
    df = df.with_columns(
        pl.when(pl.col("target_kind") == "project")
        .then(pl.col("target_id").replace_strict(units, default=pl.col("unit_code")))
        .otherwise(pl.col("target_id")).alias("unit_code"))
    if sl.units:
        df = df.filter(pl.col("unit_code").is_in(list(sl.units)))
    return df


def comment_table(df: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    return comments.display(df, names).select(
        "comment_id", "target_kind", "target_name", "text", "author", "created_at", "follow_up", "department",
        "version")


def quarter_document(m: Metrics, quarter: str, sl: Slice = ALL, period: str = "ytd") -> Document:
    """Assemble the quarterly review pack (all numbers from the metrics API)."""
    quarter = m.check_quarter(quarter)
    as_of = m.quarter_as_of(quarter)
    reg = region(m.region)
    store = m.db.store
    prev_m = m.previous_quarter_as_of(quarter)
    rates = m.quarter_rates(quarter, sl, period=period)
    prev_label = f"上季度末比率（{month_text(prev_m)}）" if prev_m else "上季度末比率"
    summary = m.quarter_summary(quarter, sl)
    projects = m.quarter_projects(quarter, sl)
    ranking = m.ranking(as_of, sl)
    all_projects = m.project_list(as_of)
    names = comment_names(m, as_of, all_projects)
    this_q = quarter_comments(m, quarter, as_of, sl, all_projects)
    last_q = quarter_comments(m, comments.previous_quarter(quarter), as_of, sl, all_projects)
    published = (store.published_at(as_of) or "").replace("T", " ")[:16]

    blocks: list = []
    # 1. the five rates
    blocks.append(Heading("一、五率"))
    blocks.append(Text(f"数据截至{month_text(as_of)}末；统计期：{PERIODS[period]}（签约备案率、备案开工率），"
                       f"其余三率按年度口径；变化为与上季度末（{month_text(prev_m) if prev_m else '无数据'}）相比的百分点。",
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
    blocks.append(Table("分板块开竣工", f"{quarter_text(quarter)}{labels.REVIEW['quarter_summary']}",
                        summary.with_columns(pl.col("unit_name").fill_null("合计")).select(SUMMARY_COLUMNS),
                        pct=("start_on_time_rate", "complete_on_time_rate"), widths={"unit_name": 2.4}))
    # 4. ranking
    blocks.append(Heading("四、绩效排名", page_break=True))
    rank_cols = [c for c in RANKING_COLUMNS if c in ranking.columns]
    blocks.append(Table("绩效排名", f"{reg.unit_word}绩效排名（截至{month_text(as_of)}末，名次变化与上季度末相比）",
                        ranking.select(rank_cols).with_columns(pl.col("score").round(1), pl.col("tax_per_mu").round(2)),
                        pct=RATE_PCT, widths={"unit_name": 2.4}, decimals={"score": 1, "tax_per_mu": 2}))
    ranked = ranking.filter(pl.col("score").is_not_null())
    blocks.append(Chart(_bar_chart(ranked["unit_name"].to_list(), ranked["score"].to_list(),
                                   labels.REVIEW["ranking_chart"], "综合得分（0–100）", color="#c0504d")))
    # 5. flags
    blocks.append(Heading("五、预警清单", page_break=True))
    fblocks, _ = _flag_blocks(m, as_of, sl)
    blocks.extend(fblocks)
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
            f"{quarter_text(quarter)}：开工 {s.get('started_count', 0)} 个、竣工 {s.get('completed_count', 0)} 个；"
            f"计划开工 {s.get('planned_start_count', 0)} 个（按期 {s.get('planned_start_on_time', 0)}、"
            f"延期 {s.get('planned_start_late', 0)}、逾期未开工 {s.get('planned_start_overdue', 0)}、"
            f"未到期 {s.get('planned_start_pending', 0)}），计划竣工 {s.get('planned_complete_count', 0)} 个"
            f"（按期 {s.get('planned_complete_on_time', 0)}、延期 {s.get('planned_complete_late', 0)}、"
            f"逾期未竣工 {s.get('planned_complete_overdue', 0)}、未到期 {s.get('planned_complete_pending', 0)}）。"
            + rank_txt))
        up = projects.filter(pl.col("unit_code") == code)
        if up.height:
            blocks.append(Table(None, "项目计划与实际", _enum(up.select(QUARTER_PROJECT_COLUMNS)),
                                widths={"name": 3.2, "project_id": 1.2}))
        else:
            blocks.append(Text(labels.REVIEW["no_rows"]))
        uc = this_q.filter(pl.col("unit_code") == code)
        blocks.append(Heading(labels.REVIEW["comments"], level=3))
        if uc.height:
            blocks.append(Table(None, "", comment_table(uc, names), widths={"text": 5, "target_name": 2}))
        else:
            blocks.append(Text(labels.REVIEW["no_comments"], small=True))
        lc = last_q.filter(pl.col("unit_code") == code)
        if lc.height:
            blocks.append(Heading(labels.REVIEW["last_quarter_comments"], level=3))
            blocks.append(Table(None, "", comment_table(lc, names), widths={"text": 5, "target_name": 2}))
    # workbook-only detail sheets
    blocks.append(Table("季度项目明细", "季度项目明细", _enum(projects), pdf_rows=0))
    blocks.append(Table("点评意见", "本季度点评意见", comment_table(this_q, names), pdf_rows=0))
    blocks.append(Table("上季度点评意见", "上季度点评意见", comment_table(last_q, names), pdf_rows=0))

    sl_txt = slice_text(reg, sl)
    cover = [
        f"{reg.name}",
        f"{quarter_text(quarter)}（{quarter}）",
        f"数据截至：{month_text(as_of)}末（{as_of} 月度快照，发布于 {published or '未知'}）",
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


def bulletin_document(m: Metrics, month: str, sl: Slice = ALL) -> Document:
    """Assemble the monthly bulletin (月通报): the month's signed, filed, started and completed
    projects by unit, with the five rates and their change since the previous snapshot."""
    m.check_month(month)
    reg = region(m.region)
    store = m.db.store
    rates = m.rates_with_change(month, sl)
    prev_m = next(iter(rates.values())).get("previous_month")
    summary = m.month_summary(month, sl)
    events = m.month_events(month, sl)
    published = (store.published_at(month) or "").replace("T", " ")[:16]
    blocks: list = [Heading("一、五率")]
    blocks.append(Text(f"数据截至{month_text(month)}末，年初至今口径；变化为与上期（"
                       f"{month_text(prev_m) if prev_m else '无数据'}）相比的百分点。", small=True))
    prev_label = f"上期比率（{month_text(prev_m)}）" if prev_m else "上期比率"
    blocks.append(Table("五率", "五率及口径说明", rates_table(rates, prev_label), pct=("rate", prev_label),
                        note=labels.RATE_COHORT_NOTE, widths={"definition": 5, "rate_label": 1.4},
                        decimals={"change_pp": 1}))
    blocks.append(Heading(f"二、{labels.REVIEW['month_summary']}", page_break=True))
    blocks.append(Table("分板块汇总", f"{month_text(month)}{labels.REVIEW['month_summary']}（含年内累计）",
                        summary.with_columns(pl.col("unit_name").fill_null("合计")).select(MONTH_SUMMARY_COLUMNS),
                        widths={"unit_name": 2.4}))
    tot = summary.filter(pl.col("unit_code").is_null()).row(0, named=True)
    units = summary.filter(pl.col("unit_code").is_not_null())
    blocks.append(Chart(_bar_chart(units["unit_name"].to_list(),
                                   (units["started_month"] + units["completed_month"]).cast(pl.Float64).to_list(),
                                   f"{month_text(month)}各{reg.unit_word}开工、竣工项目数", "项目数", fmt="{:.0f}")))
    blocks.append(Heading(f"三、{labels.REVIEW['month_events']}", page_break=True))
    blocks.append(Text(f"{month_text(month)}：正式签约 {tot['signed_month']} 个、意向签约 {tot['intent_month']} 个、"
                       f"备案 {tot['filed_month']} 个、开工 {tot['started_month']} 个、竣工 {tot['completed_month']} 个。"))
    for ev, lab in labels.MONTH_EVENTS.items():
        df = events.filter(pl.col("event") == ev)
        blocks.append(Table(f"{lab}项目", f"{month_text(month)}{lab}项目（{df.height}个）",
                            _enum(df.select(EVENT_COLUMNS)), widths={"name": 3, "enterprise": 2.4}))
    sl_txt = slice_text(reg, sl)
    cover = [f"{reg.name}", f"{month_text(month)}", f"数据截至：{month_text(month)}末（发布于 {published or '未知'}）",
             f"统计范围：{sl_txt}", f"{reg.system}", f"生成时间：{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}"]
    meta = [("城市", reg.name), ("月份", month), ("快照发布时间", published), ("上期月份", prev_m or ""),
            ("统计范围", sl_txt), ("生成时间", dt.datetime.now().isoformat(timespec="seconds"))]
    return Document(f"{reg.name}{labels.REVIEW['bulletin_title']}", cover, blocks, meta,
                    f"bulletin_{m.region}_{month}")


# ---- rendering: Excel ------------------------------------------------------------------------
def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"
    out, i = base, 2
    while out in used:
        suffix = f"_{i}"
        out = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(out)
    return out


def render_xlsx(doc: Document) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "default_date_format": "yyyy-mm-dd",
                                   "nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    title_f = wb.add_format({"bold": True, "font_size": 14})
    pct_f = wb.add_format({"num_format": "0.0%"})
    num_f = wb.add_format({"num_format": "#,##0.##"})
    date_f = wb.add_format({"num_format": "yyyy-mm-dd"})
    used: set[str] = set()
    ws = wb.add_worksheet(_sheet_name("说明", used))
    write_text(ws, 0, 0, doc.title, title_f)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 60)
    for i, (k, v) in enumerate(doc.meta, start=2):
        write_text(ws, i, 0, k, bold)
        if v is not None:
            write_text(ws, i, 1, v)
    for b in doc.blocks:
        if not isinstance(b, Table) or b.sheet is None:
            continue
        ws = wb.add_worksheet(_sheet_name(b.sheet, used))
        write_text(ws, 0, 0, b.title, title_f)
        df = b.df
        for j, c in enumerate(df.columns):
            h = _header(c)
            write_text(ws, 2, j, h, bold)
            width = 50 if c in ("definition", "rule", "text") else max(10, min(36, len(h) * 2 + 2))
            ws.set_column(j, j, width)
        for i, row in enumerate(df.iter_rows(), start=3):
            for j, (c, v) in enumerate(zip(df.columns, row)):
                if v is None:
                    continue
                if c in b.pct and isinstance(v, (int, float)):
                    ws.write_number(i, j, v, pct_f)
                elif isinstance(v, bool):
                    write_text(ws, i, j, labels.BOOL[v])
                elif isinstance(v, (int, float)):
                    ws.write_number(i, j, v, num_f)
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_f)
                else:
                    write_text(ws, i, j, v)
        ws.freeze_panes(3, 0)
        if b.note:
            write_text(ws, df.height + 4, 0, b.note)
    wb.close()
    return buf.getvalue()


# ---- rendering: PDF --------------------------------------------------------------------------
def _doc_text(doc: Document) -> str:
    parts = [doc.title, *doc.cover_lines, labels.REVIEW["pack_title"], "第页共"]
    for b in doc.blocks:
        if isinstance(b, Heading | Text):
            parts.append(b.text)
        elif isinstance(b, Table):
            parts += [b.title, b.note or "", "".join(_header(c) for c in b.df.columns)]
            rows = b.df if b.pdf_rows is None else b.df.head(b.pdf_rows)
            for c in rows.columns:
                if rows.schema[c] == pl.String:
                    parts.append("".join(x for x in rows[c].unique().to_list() if x))
    return "".join(parts)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_pdf(doc: Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (Image, LongTable, PageBreak, Paragraph, SimpleDocTemplate, Spacer,
                                    TableStyle)

    font = _register_font(_doc_text(doc))
    font_b = font
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444"))
    cell = ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5)
    head_cell = ParagraphStyle("head", parent=cell, fontName=font_b, textColor=colors.white)
    h1 = ParagraphStyle("h1", parent=base, fontName=font_b, fontSize=16, leading=22, spaceBefore=4, spaceAfter=8,
                        textColor=colors.HexColor("#1f4e79"))
    h2 = ParagraphStyle("h2", parent=h1, fontSize=14, leading=19)
    h3 = ParagraphStyle("h3", parent=base, fontName=font_b, fontSize=11, leading=15, spaceBefore=6, spaceAfter=3)
    ttl = ParagraphStyle("ttl", parent=base, fontName=font_b, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=3)
    cover_t = ParagraphStyle("cover", parent=base, fontName=font_b, fontSize=28, leading=38, alignment=TA_CENTER)
    cover_l = ParagraphStyle("coverl", parent=base, fontSize=14, leading=24, alignment=TA_CENTER)

    page_w, page_h = landscape(A4)
    margin = 1.5 * cm
    avail = page_w - 2 * margin
    story: list = [Spacer(1, 4 * cm), Paragraph(_esc(doc.title), cover_t), Spacer(1, 1.2 * cm)]
    for line in doc.cover_lines:
        story.append(Paragraph(_esc(line), cover_l))
    story.append(PageBreak())
    first_heading = True
    for b in doc.blocks:
        if isinstance(b, Heading):
            if b.page_break and not first_heading:
                story.append(PageBreak())
            first_heading = False
            story.append(Paragraph(_esc(b.text), {1: h1, 2: h2}.get(b.level, h3)))
        elif isinstance(b, Text):
            story.append(Paragraph(_esc(b.text), small if b.small else base))
        elif isinstance(b, Chart):
            img = Image(io.BytesIO(b.png))
            w = min(b.width_cm * cm, avail)
            img.drawWidth, img.drawHeight = w, w * img.imageHeight / img.imageWidth
            if img.drawHeight > page_h - 5 * cm:
                scale = (page_h - 5 * cm) / img.drawHeight
                img.drawWidth, img.drawHeight = img.drawWidth * scale, img.drawHeight * scale
            story.append(img)
        elif isinstance(b, Table):
            if b.pdf_rows == 0:
                continue
            df = b.df if b.pdf_rows is None else b.df.head(b.pdf_rows)
            if b.title:
                story.append(Paragraph(_esc(b.title), ttl))
            cols = df.columns
            data = [[Paragraph(_esc(_header(c)), head_cell) for c in cols]]
            for row in df.iter_rows():
                data.append([Paragraph(_esc(fmt_cell(v, c in b.pct, b.decimals.get(c))), cell)
                             for c, v in zip(cols, row)])
            weights = []
            for c in cols:
                if c in b.widths:
                    weights.append(b.widths[c])
                else:
                    longest = max([len(_header(c)) / 2.5] + [len(fmt_cell(v)) for v in df[c].head(50).to_list()])
                    weights.append(min(max(longest / 6, 0.9), 2.2))
            tot = sum(weights)
            t = LongTable(data, colWidths=[avail * w / tot for w in weights], repeatRows=1)
            t.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f6fa")]),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]))
            story.append(t)
            if b.note:
                story.append(Paragraph(_esc(b.note), small))
            story.append(Spacer(1, 0.3 * cm))

    def on_page(canvas, d):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(margin, 0.8 * cm, doc.title)
        canvas.drawRightString(page_w - margin, 0.8 * cm, f"第 {d.page} 页")
        canvas.restoreState()

    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=margin, rightMargin=margin,
                            topMargin=1.3 * cm, bottomMargin=1.4 * cm, title=doc.title, author="重大项目全生命周期看板")
    pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


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


# ---- command line ----------------------------------------------------------------------------
def _slice_from(m: Metrics, township: str | None) -> Slice:
    from lifecycle.cli import CliError

    if not township:
        return ALL
    reg = region(m.region)
    unit = reg.resolve_unit(township)
    if unit is None:
        raise CliError(f"未知的镇街/板块：{township}（{reg.name}的{reg.unit_word}代码或名称）")
    return Slice(units=(unit,))


def cmd_pack(args) -> int:
    from lifecycle.cli import CliError, _open_metrics

    m = _open_metrics(args.store)
    try:
        find_cjk_fonts()  # fail early, before any work, when no CJK font is installed
        quarter = m.check_quarter(args.quarter or quarter_of(m.latest_month()))
        if args.period not in PERIODS:
            raise CliError(f"未知统计期：{args.period}（可选 {', '.join(PERIODS)}）")
        pdf, xlsx = build_pack(m, quarter, args.out, _slice_from(m, args.township), args.period)
    except (MetricsError, PackError) as e:
        raise CliError(str(e)) from None
    print(pdf)
    print(xlsx)
    return 0


def cmd_bulletin(args) -> int:
    from lifecycle.cli import CliError, _open_metrics

    m = _open_metrics(args.store)
    try:
        month = args.month or m.latest_month()
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CliError(f"月份格式应为 YYYY-MM，实际为“{month}”")
        m.check_month(month)
        find_cjk_fonts()
        pdf, xlsx = build_bulletin(m, month, args.out, _slice_from(m, args.township))
    except (MetricsError, PackError) as e:
        raise CliError(str(e)) from None
    print(pdf)
    print(xlsx)
    return 0


def register_cli(sub, store_arg) -> None:
    s = sub.add_parser("pack", help="季度点评会议材料（PDF + Excel）")
    store_arg(s)
    s.add_argument("--quarter", help="YYYYQn，默认最新一期所在季度")
    s.add_argument("--out", type=Path, required=True, help="输出目录")
    s.add_argument("--township", help="只输出一个镇街/板块（代码或名称）")
    s.add_argument("--period", default="ytd", help="签约备案率、备案开工率的统计期：ytd/qtd/mtd/r12，默认 ytd")
    s.set_defaults(func=cmd_pack)

    s = sub.add_parser("bulletin", help="月通报（PDF + Excel）")
    store_arg(s)
    s.add_argument("--month", help="YYYY-MM，默认最新一期")
    s.add_argument("--out", type=Path, required=True, help="输出目录")
    s.add_argument("--township", help="只输出一个镇街/板块（代码或名称）")
    s.set_defaults(func=cmd_bulletin)
