"""Streamlit glue: page setup, the shared sidebar filters (mirrored in the URL), cached
wrappers around the metrics API, and small rendering helpers. Pages stay thin: they call
`setup()` and then the core.

This is the only module of the package that imports Streamlit.
"""
from __future__ import annotations

import io
import logging
import math
import os
import uuid
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Concatenate, ParamSpec, TypeVar

import polars as pl
import streamlit as st

from lifecycle.domain import labels
from lifecycle.domain.cells import csv_bytes, write_text
from lifecycle.present import formats
from lifecycle.domain.config import default_store
from lifecycle.query.db import Database
from lifecycle.query.metrics import PERIODS, Metrics, Slice
from lifecycle.domain.reference import Region, industry_sections, region
from lifecycle.present.markdown import md
from lifecycle.store.snapshots import Store, StoreError

BIG_SCREEN_CSS = """
<style>
html, body, [class*="css"] { font-size: 18px; }
div[data-testid="stMetricValue"] { font-size: 2.4rem; font-weight: 700; }
div[data-testid="stMetricLabel"] p { font-size: 1.05rem; }
.lc-fresh { color: #555; font-size: 0.95rem; margin-top: -0.6rem; }
.lc-pair { color: #444; font-size: 0.95rem; }
</style>
"""

# The app's pages: (file, Chinese title, icon, URL path). app.py registers those whose file
# exists; the browser test opens every one of them. Icons are Material Symbols (bundled with
# Streamlit, so they render offline; emoji need a colour-emoji font a server may lack).
PAGES = [
    ("pages/overview.py", "总览", ":material/dashboard:", "overview"),
    ("pages/funnel.py", "阶段漏斗", ":material/filter_alt:", "funnel"),
    ("pages/tiers.py", "投资分档", ":material/payments:", "tiers"),
    ("pages/map.py", "镇街热力", ":material/map:", "map"),
    ("pages/rankings.py", "绩效排名", ":material/emoji_events:", "rankings"),
    ("pages/approvals.py", "审批红绿灯", ":material/traffic:", "approvals"),
    ("pages/alerts.py", "预警督办", ":material/warning:", "alerts"),
    ("pages/risk.py", "风险预判", ":material/trending_up:", "risk"),
    ("pages/project.py", "项目档案", ":material/folder_open:", "project"),
    ("pages/quarterly.py", "季度点评", ":material/event_note:", "quarterly"),
    ("pages/lookback.py", "回头看", ":material/history:", "lookback"),
    ("pages/data.py", "数据管理", ":material/database:", "data"),
]

# URL key -> (session key, kind)
_FILTERS = {
    "month": "str",
    "period": "str",
    "unit": "list",
    "tier": "list",
    "section": "list",
    "origin": "list",
    "category": "list",
}


@dataclass
class Context:
    metrics: Metrics
    store: Store
    region: Region
    month: str
    period: str
    slice: Slice
    token: str



P = ParamSpec("P")
R = TypeVar("R")


# ---- resources ---------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _database(root: str) -> Database:
    return Database(Store(root))


def ensure_demo(store: Store) -> None:
    """First run on the default store: generate the embedded demo data if nothing is published."""
    if store.months():
        return
    from lifecycle import demo

    with st.spinner("首次运行：正在生成演示数据（江阴市规模、36期月度快照）……"):
        demo.generate(store.root, "jiangyin")


def _metrics_for(store: Store) -> Metrics:
    db = _database(str(store.root))
    db.refresh()
    return Metrics(db)


def _is_default_store() -> bool:
    """The repo's own data/ (no LIFECYCLE_STORE): the only place demo data is generated into."""
    return not os.environ.get("LIFECYCLE_STORE")


class ResultCache:
    """Results of Metrics calls kept in this process, keyed by the store's publication token,
    the method and every argument (month, slice, …), least recently used dropped beyond
    `cap_bytes`. Unlike st.cache_data nothing is pickled: a hit hands back the same (immutable)
    Polars frame at no cost, however large; dicts and lists are copied so a page cannot alter the
    cached value. Concurrent sessions asking for the same key wait for one computation."""

    def __init__(self, cap_bytes: int):
        self.cap = cap_bytes
        self._items: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._computing: dict = {}

    def get(self, key, compute, copy: bool = True):
        fresh = _fresh if copy else (lambda v: v)
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return fresh(self._items[key][0])
                ev = self._computing.get(key)
                if ev is None:
                    ev = self._computing[key] = threading.Event()
                    break
            ev.wait()
        try:
            value = compute()
            size = _nbytes(value)
            with self._lock:
                if size <= self.cap:
                    self._items[key] = (value, size)
                    self._size += size
                    while self._size > self.cap and self._items:
                        _, (_, n) = self._items.popitem(last=False)
                        self._size -= n
            return fresh(value)
        finally:
            with self._lock:
                self._computing.pop(key, None)
            ev.set()


def _nbytes(v) -> int:
    if isinstance(v, pl.DataFrame):
        return int(v.estimated_size()) + 256
    if isinstance(v, dict):
        return 256 + sum(_nbytes(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        return 64 + sum(_nbytes(x) for x in v)
    return 64


def _fresh(v):
    """A copy of the containers of a cached value (frames are immutable and shared)."""
    if isinstance(v, dict):
        return {k: _fresh(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_fresh(x) for x in v]
    return v


@st.cache_resource(show_spinner=False)
def _results() -> ResultCache:
    return ResultCache(int(os.environ.get("LIFECYCLE_RESULT_CACHE_MB", "512")) * 1024 * 1024)


def memo(ctx: Context, key: tuple, compute):
    """A value derived from metrics results (e.g. a lookup dict over a project list), computed
    once per store publication token and `key`. The value is shared: do not modify it."""
    return _results().get((ctx.token, str(ctx.store.root), "memo", key), compute, copy=False)


def cached(ctx: Context, method: Callable[Concatenate[Metrics, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Call a Metrics method once per store publication token, method, month, slice and any other
    argument — `ui.cached(ctx, Metrics.rates, month, sl)` — later calls (reruns, other sessions,
    other pages) reuse the result (see ResultCache). The method is passed as the function
    itself, so editors, type checkers and renames follow it."""
    if getattr(Metrics, method.__name__, None) is not method:
        raise TypeError(f"not a Metrics method: {method!r}")
    root, name = str(ctx.store.root), method.__name__
    key = (ctx.token, root, name, args, tuple(sorted(kwargs.items())))
    return _results().get(key, lambda: getattr(Metrics(_database(root)), name)(*args, **kwargs))


@st.cache_data(show_spinner=False, max_entries=8)
def _published_months(root: str, token: str) -> tuple[pl.DataFrame, list[str]]:
    import pyarrow.parquet as pq

    store = Store(root)
    rows, damaged = [], []
    for m in reversed(store.months()):
        bad = [msg for _, msg in store.verify(m)]
        if bad:
            damaged += bad
            continue
        vdir = store.version_dir(m)
        # row counts from each file's footer: nothing but the metadata is read
        counts = {t: pq.read_metadata(vdir / f"{t}.parquet").num_rows for t in labels.IMPORT_TABLES}
        rows.append({labels.PUBLICATION_COLUMNS["month"]: m,
                     labels.PUBLICATION_COLUMNS["published_at"]: (store.published_at(m) or "").replace("T", " "),
                     **{labels.IMPORT_TABLES[t] + labels.IMPORT_UI["rows_suffix"]: n for t, n in counts.items()}})
    return pl.DataFrame(rows), damaged


def published_months_table(store: Store) -> tuple[pl.DataFrame, list[str]]:
    """(one row per published month, newest first: when it was published and the rows of each
    table; the messages naming damaged months, which are left out) — once per publication token."""
    return _published_months(str(store.root), store.version_token())


# ---- filters --------------------------------------------------------------------------------
def _read_url_once() -> None:
    if st.session_state.get("_lc_url_read"):
        return
    qp = st.query_params
    for key, kind in _FILTERS.items():
        if key in qp:
            st.session_state[f"_lc_{key}"] = qp.get_all(key) if kind == "list" else qp.get(key)
    st.session_state["_lc_url_read"] = True


def _write_url(values: dict) -> None:
    for key, kind in _FILTERS.items():
        v = values.get(key)
        if v in (None, [], ""):
            if key in st.query_params:
                del st.query_params[key]
        else:
            st.query_params[key] = v


def _persist(key: str):
    def cb():
        st.session_state[f"_lc_{key}"] = st.session_state[f"w_{key}"]
    return cb


def _widget_default(key: str, options: list, default, multi: bool):
    v = st.session_state.get(f"_lc_{key}", default)
    if multi:
        v = [x for x in (v or []) if x in options]
    elif v not in options:
        v = default
    st.session_state[f"w_{key}"] = v
    return v


def sidebar_filters(metrics: Metrics, reg: Region) -> tuple[str, str, Slice]:
    _read_url_once()
    months = list(reversed(metrics.months))
    sb = st.sidebar
    sb.markdown(f"### {reg.name} · {reg.system}")
    _widget_default("month", months, months[0], False)
    month = sb.selectbox("数据月份（快照）", months, key="w_month", on_change=_persist("month"),
                         format_func=lambda m: f"{m[:4]}年{int(m[5:]):d}月")
    period_keys = list(PERIODS)
    _widget_default("period", period_keys, "ytd", False)
    period = sb.selectbox("统计期", period_keys, key="w_period", on_change=_persist("period"),
                          format_func=PERIODS.get, help="签约备案率、备案开工率的统计期；其余三率按年度口径")
    units = list(reg.units)
    _widget_default("unit", units, [], True)
    unit = sb.multiselect(reg.unit_word, units, key="w_unit", on_change=_persist("unit"),
                          format_func=lambda c: reg.units[c].name, placeholder="全部")
    tiers = list(labels.TIER_BANDS)
    _widget_default("tier", tiers, [], True)
    tier = sb.multiselect("投资分档", tiers, key="w_tier", on_change=_persist("tier"),
                          format_func=labels.TIER_BANDS.get, placeholder="全部")
    secs = industry_sections()
    _widget_default("section", list(secs), [], True)
    section = sb.multiselect("行业门类", list(secs), key="w_section", on_change=_persist("section"),
                             format_func=lambda s: f"{s} {secs[s]}", placeholder="全部")
    _widget_default("origin", list(labels.ORIGINS), [], True)
    origin = sb.multiselect("项目类型", list(labels.ORIGINS), key="w_origin", on_change=_persist("origin"),
                            format_func=labels.ORIGINS.get, placeholder="全部")
    _widget_default("category", list(labels.CATEGORIES), [], True)
    category = sb.multiselect("产业类别", list(labels.CATEGORIES), key="w_category",
                              on_change=_persist("category"), format_func=labels.CATEGORIES.get,
                              placeholder="全部")
    values = {"month": month, "period": period, "unit": unit, "tier": tier, "section": section,
              "origin": origin, "category": category}
    for k, v in values.items():
        st.session_state[f"_lc_{k}"] = v
    _write_url(values)
    sl = Slice(
        units=tuple(unit) or None,
        tiers=tuple(tier) or None,
        sections=tuple(section) or None,
        origins=tuple(origin) or None,
        categories=tuple(category) or None,
    )
    return month, period, sl


_RUN = threading.local()  # per script-run thread: inside app.py's navigation or not


def run_app(app_dir: Path) -> None:
    """The app's navigation (called by app.py): every page of PAGES under its Chinese title and
    ASCII URL path, the first one the default. A page that fails shows a Chinese message with
    an error number (`guarded`); the details go to the server log only."""
    present = [(f, title, icon, url) for f, title, icon, url in PAGES if (app_dir / f).exists()]
    pages = [
        # Streamlit serves the default page at "/" and ignores its url_path, so it gets a spare
        # path and is registered once more, hidden, under its own: the deep link /overview works
        st.Page(str(app_dir / f), title=title, icon=icon, url_path=f"{url}-home" if i == 0 else url,
                default=(i == 0))
        for i, (f, title, icon, url) in enumerate(present)
    ]
    if present:
        f, title, icon, url = present[0]
        pages.append(st.Page(str(app_dir / f), title=title, icon=icon, url_path=url, visibility="hidden"))
    # an explicit favicon first: otherwise the page's Material icon becomes the favicon, which
    # the browser would fetch from the internet
    st.set_page_config(page_title="重大项目全生命周期看板", page_icon="📊", layout="wide")
    _RUN.in_navigation = True
    try:
        guarded(st.navigation(pages).run)
    finally:
        _RUN.in_navigation = False


def _ensure_navigation() -> None:
    """A deep link (e.g. `/map`) that is the first request after the server starts runs the page
    file directly: with a `pages/` folder next to app.py Streamlit starts in its folder-based
    multipage mode until a run has called st.navigation. Such a run registers app.py's
    navigation itself (which runs this same page, query parameters included) and stops."""
    if getattr(_RUN, "in_navigation", False):
        return
    # `streamlit run app.py` puts the main script in sys.argv[0]; a page run on its own (AppTest,
    # `streamlit run pages/x.py`) has another main script and is left alone.
    main = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if main is None or main.name != "app.py" or not (main.parent / "pages").is_dir():
        return
    run_app(main.parent)
    st.stop()


def setup(title: str, icon: str = "📊", allow_empty: bool = False) -> Context:
    """Shared page setup: config, style, data, sidebar filters, header with data freshness.

    On the repo's default store the demo data is generated on first run. A store chosen with
    LIFECYCLE_STORE that has nothing published yet is never filled with demo data: pages say
    so and point to the data page; the data page itself (`allow_empty=True`) gets a Context
    whose `metrics` and `month` are None, so the first month can be imported."""
    _ensure_navigation()
    try:
        st.set_page_config(page_title=f"{title} · 重大项目全生命周期", page_icon=icon, layout="wide")
    except Exception:  # already set by the navigation entry point
        pass
    st.markdown(BIG_SCREEN_CSS, unsafe_allow_html=True)
    store = Store(default_store())
    if not store.months():
        if _is_default_store():
            ensure_demo(store)
        else:
            st.title(title)
            st.warning(labels.UI_TEXT["empty_store"].format(root=store.root))
            if allow_empty:
                reg = region(store.meta["region"]) if store.meta.get("region") else None
                return Context(None, store, reg, None, "ytd", Slice(), store.version_token())
            st.markdown(f"[{labels.UI_TEXT['go_data_page']}](./data)")
            st.stop()
    token = store.version_token()  # taken before the pin: a cache key never labels newer data
    metrics = _metrics_for(store)
    metrics.db.pin()  # every query of this page run reads the same versions
    reg = region(metrics.region)
    month, period, sl = sidebar_filters(metrics, reg)
    store = metrics.db.store
    ctx = Context(metrics, store, reg, month, period, sl, token)
    st.title(title)
    pub = store.published_at(month)
    pub_txt = pub.replace("T", " ")[:16] if pub else "未知"
    st.markdown(
        f"<div class='lc-fresh'>{reg.name} · 数据截至 <b>{formats.month_end_text(month)}</b> · "
        f"发布于 {pub_txt} · 统计期：{PERIODS[period]}{slice_text(ctx)}</div>",
        unsafe_allow_html=True,
    )
    data_problems(metrics)
    return ctx


def slice_text(ctx: Context) -> str:
    """' · 筛选：…' for the page header, or '' when nothing is filtered."""
    parts = formats.slice_parts(ctx.region, ctx.slice)
    return (" · 筛选：" + "；".join(parts)) if parts else ""


# ---- errors: a Chinese message with an id for the viewer, the details in the server log ------
_LOG = logging.getLogger("lifecycle.ui")
if not _LOG.handlers:  # the server's log (stderr): time, error number, traceback
    _h = logging.StreamHandler()
    _h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _LOG.addHandler(_h)
    _LOG.propagate = False


def guarded(run) -> None:
    """Run a page; an unexpected error is logged server-side (with its traceback) under a short
    id and the viewer sees only a Chinese message with that id (`client.showErrorDetails` is
    off). A StoreError (a damaged month, …) is shown as its own Chinese message."""
    try:
        run()
    except StoreError as e:
        err_id = uuid.uuid4().hex[:8]
        _LOG.warning("store error %s: %s", err_id, e)
        st.error(labels.UI_TEXT["store_error"].format(message=md(str(e)), id=err_id))
    except Exception:
        err_id = uuid.uuid4().hex[:8]
        _LOG.exception("page error %s", err_id)
        st.error(labels.UI_TEXT["page_error"].format(id=err_id))


def data_problems(metrics: Metrics) -> None:
    """Months taken out of service by the integrity check, named in Chinese (once per page)."""
    probs = getattr(metrics.db, "problems", None) or []
    if probs:
        st.warning(labels.UI_TEXT["integrity"] + "\n\n" + "\n".join(f"- {md(p['message'])}" for p in probs))


# ---- rendering helpers --------------------------------------------------------------------
def rate_cards(rates: dict) -> None:
    cols = st.columns(len(rates))
    for col, (k, v) in zip(cols, rates.items()):
        delta = None if v.get("change_pp") is None else f"{v['change_pp']:+.1f} 个百分点"
        if k == "investment_rate":
            pair = f"{v['numerator'] / 10000:,.2f} / {v['denominator'] / 10000:,.2f} 亿元"
        else:
            pair = f"{v['numerator']} / {v['denominator']} 个"
        col.metric(labels.RATES[k], formats.pct_text(v["rate"]), delta=delta,
                   help=labels.RATE_DEFINITIONS[k] + "\n\n" + labels.RATE_COHORT_NOTE)
        col.markdown(f"<div class='lc-pair'>{pair}</div>", unsafe_allow_html=True)


def to_excel_bytes(df: pl.DataFrame, sheet: str = "数据", title: str | None = None) -> bytes:
    """An .xlsx with Chinese headers (and an optional title row)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "default_date_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(sheet[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    row0 = 0
    if title:
        write_text(ws, 0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
        row0 = 2
    out = chinese_headers(df)
    for j, c in enumerate(out.columns):
        write_text(ws, row0, j, c, bold)
        ws.set_column(j, j, max(10, min(40, len(c) * 2 + 2)))
    for i, row in enumerate(out.iter_rows(), start=row0 + 1):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                write_text(ws, i, j, v)  # never a formula (OWASP), see domain/cells.py
            else:
                ws.write(i, j, v)
    wb.close()
    return buf.getvalue()


def chinese_headers(df: pl.DataFrame) -> pl.DataFrame:
    """Values in Chinese and Chinese headers (the presentation registry, present/formats.py)."""
    return formats.chinese(df)


def table_downloads(df: pl.DataFrame, name: str, title: str | None = None) -> tuple[bytes, bytes]:
    """(CSV bytes, Excel bytes) of a table as every page's download buttons hand them out:
    Chinese headers, every text cell neutralised against formula injection."""
    return csv_bytes(chinese_headers(df)), to_excel_bytes(df, name, title)


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(df, name: str, title: str | None = None, key: str | None = None) -> None:
    """CSV (UTF-8 with BOM, opens in Excel) and Excel downloads of a table, Chinese headers.
    The files are built only when a button is clicked (deferred data), never on a rerun; `df`
    may be a frame or a function returning one (e.g. a full list behind a paged view)."""
    key = key or name
    frame = df if callable(df) else (lambda: df)
    c1, c2, _ = st.columns([1, 1, 6])
    c1.download_button("下载 CSV", lambda: csv_bytes(chinese_headers(frame())),
                       file_name=f"{name}.csv", mime="text/csv", key=f"csv_{key}", on_click="ignore")
    c2.download_button("下载 Excel", lambda: to_excel_bytes(frame(), name, title), file_name=f"{name}.xlsx",
                       mime=XLSX_MIME, key=f"xlsx_{key}", on_click="ignore")


PAGE_ROWS = 500  # rows of a long table sent to the browser at a time


def _pager(total: int, key: str, page_rows: int = PAGE_ROWS) -> tuple[int, int]:
    """(offset, limit) of the page chosen with a page selector, shown only when `total` rows do
    not fit on one page: long lists are paged on the server, not sent whole to the browser."""
    if total <= page_rows:
        return 0, page_rows
    pages = math.ceil(total / page_rows)
    c1, c2 = st.columns([1, 5])
    page = c1.number_input(f"页码（共 {pages:,} 页）", min_value=1, max_value=pages, value=1, step=1,
                           key=f"pg_{key}")
    start = (int(page) - 1) * page_rows
    c2.caption(f"第 {start + 1:,}–{min(start + page_rows, total):,} 条，共 {total:,} 条（下载 CSV/Excel 可得完整清单）")
    return start, page_rows


def page_of(df: pl.DataFrame, key: str, page_rows: int = PAGE_ROWS) -> pl.DataFrame:
    """The rows of `df` on the page chosen with the page selector (see `_pager`)."""
    offset, limit = _pager(df.height, key, page_rows)
    return df if df.height <= page_rows else df.slice(offset, limit)


def _screen_cells(df: pl.DataFrame) -> pl.DataFrame:
    """Dates as YYYY-MM-DD and empty text cells blank on screen (downloads keep real types)."""
    exprs = []
    for c, dtype in df.schema.items():
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            exprs.append(pl.col(c).dt.strftime("%Y-%m-%d").fill_null(""))
        elif dtype == pl.String:
            exprs.append(pl.col(c).fill_null(""))
    return df.with_columns(exprs) if exprs else df


def _render(rows: pl.DataFrame, height: int | None, link_projects: bool) -> None:
    view = _screen_cells(chinese_headers(rows))
    config = {}
    pid = labels.COLUMNS["project_id"]
    if link_projects and pid in view.columns:
        q = filter_query()
        view = view.with_columns(("./project?pid=" + pl.col(pid) + (f"&{q}" if q else "")).alias("档案"))
        config["档案"] = st.column_config.LinkColumn("档案", display_text="查看")
    st.dataframe(view, hide_index=True, width="stretch", column_config=config, height=height or "auto")


def show_table(df: pl.DataFrame, name: str, title: str | None = None, key: str | None = None,
               height: int | None = None, link_projects: bool = True) -> None:
    """A table with Chinese headers, project ids linking to the project file, and downloads
    (of the whole table); a long table is shown a page at a time."""
    _render(page_of(df, key or name), height, link_projects)
    download_buttons(df, name, title, key)


def show_paged(total: int, fetch, name: str, title: str | None = None, key: str | None = None,
               height: int | None = None, link_projects: bool = True) -> None:
    """Like `show_table` for a list too long to fetch whole on every run: `fetch(offset, limit)`
    returns one page (limit None = every row, for the downloads, built only when clicked)."""
    offset, limit = _pager(total, key or name)
    _render(fetch(offset, limit), height, link_projects)
    download_buttons(lambda: fetch(0, None), name, title, key)


def drill_list(lst: pl.DataFrame, what: str, name: str, key: str, title: str | None = None) -> None:
    """A drill-down list: a headline with its count and total investment, then the table."""
    
    st.markdown(f"**{md(what)}，共 {lst.height:,} 个，总投资 {formats.yi_text(lst['total_investment_wan'].sum())}**")
    show_table(lst, name, title=title or what, key=key, height=380)


# ---- links and clickable charts (dashboard views) ------------------------------------------
def filter_query(keys=None) -> str:
    """The current sidebar filters as a URL query string (e.g. 'month=2026-10&unit=320281001'),
    so a link to another page (or a new tab) opens the same view."""
    from urllib.parse import urlencode

    pairs = []
    for key, kind in _FILTERS.items():
        if keys is not None and key not in keys:
            continue
        v = st.session_state.get(f"_lc_{key}")
        if v in (None, [], ""):
            continue
        for x in (v if kind == "list" else [v]):
            pairs.append((key, x))
    return urlencode(pairs)


def page_href(url_path: str, **extra) -> str:
    """A relative link to another page carrying the current filters (and extra parameters)."""
    from urllib.parse import urlencode

    q = "&".join(x for x in (filter_query(), urlencode(extra)) if x)
    return f"./{url_path}" + (f"?{q}" if q else "")


PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"], "locale": "zh-CN"}


def _pick_from_chart(chart_key: str, pick_key: str, pick_of) -> None:
    state = st.session_state.get(chart_key) or {}
    points = (state.get("selection") or {}).get("points") or []
    value = None
    for p in points:
        cd = p.get("customdata")
        if cd is None:
            continue
        value = pick_of(cd if isinstance(cd, (list, tuple)) else [cd])
        if value is not None:
            break
    if isinstance(value, dict):  # one click sets several drill-down widgets
        st.session_state.update(value)
    else:
        st.session_state[pick_key] = value


def _pick_from_deck(deck_key: str, pick_key: str, pick_of) -> None:
    state = st.session_state.get(deck_key) or {}
    objects = (state.get("selection") or {}).get("objects") or {}
    value = None
    for objs in objects.values():
        for o in objs or []:
            value = pick_of(o)
            if value is not None:
                break
        if value is not None:
            break
    st.session_state[pick_key] = value


def deck(deck_obj, key: str, pick_key: str | None = None, pick_of=None, height: int = 620) -> None:
    """Render a pydeck map; with pick_key, clicking an object writes pick_of(object) into
    st.session_state[pick_key] (as `plot` does for charts)."""
    if pick_key is None:
        st.pydeck_chart(deck_obj, key=key, height=height)
        return
    st.pydeck_chart(deck_obj, key=key, height=height, selection_mode="single-object",
                    on_select=lambda: _pick_from_deck(key, pick_key, pick_of))


def plot(fig, key: str, pick_key: str | None = None, pick_of=None) -> None:
    """Render a Plotly figure (its own big-screen styling, no Streamlit theme). With pick_key,
    clicking a mark writes pick_of(customdata) into st.session_state[pick_key] — the key of the
    selectbox that drives the drill-down list, so a click and the selectbox stay in step."""
    if pick_key is None:
        st.plotly_chart(fig, key=key, theme=None, config=PLOTLY_CONFIG)
        return
    pick_of = pick_of or (lambda cd: cd[0])
    st.plotly_chart(fig, key=key, theme=None, config=PLOTLY_CONFIG, selection_mode="points",
                    on_select=lambda: _pick_from_chart(key, pick_key, pick_of))


def pick_box(label: str, options: list, key: str, format_func=None):
    """The drill-down selectbox (the testable fallback of clicking a chart). Returns the pick
    or None; a pick that is no longer among the options (filters changed) is dropped."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = None
    fmt = format_func or str
    return st.selectbox(label, [None] + list(options), key=key, placeholder=labels.VIEW_TEXT["drill_none"],
                        format_func=lambda v: labels.VIEW_TEXT["drill_none"] if v is None else fmt(v))
