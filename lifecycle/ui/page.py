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
from lifecycle.query.metrics import PERIODS, Metrics, Scope, ScopeError, Slice
from lifecycle.domain.reference import Region, industry_sections, region
from lifecycle.present.markdown import md
from lifecycle.store.accounts import Account
from lifecycle.store.snapshots import Store, StoreError
from lifecycle.ui import auth

BIG_SCREEN_CSS = """
<style>
html, body, [class*="css"] { font-size: 18px; }
div[data-testid="stMetricValue"] { font-size: 2.4rem; font-weight: 700; }
div[data-testid="stMetricLabel"] p { font-size: 1.05rem; }
.lc-fresh { color: #555; font-size: 0.95rem; margin-top: -0.6rem; }
.lc-pair { color: #444; font-size: 0.95rem; }
/* Streamlit's uploader has no language setting: its English button and size line are hidden
   and replaced by Chinese text (the data page also states the limits in a caption). */
[data-testid="stFileUploaderDropzone"] button { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button * { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button::after { content: "选择文件"; font-size: 1rem; }
div[data-testid="stFileUploaderDropzoneInstructions"] * { display: none !important; }
div[data-testid="stFileUploaderDropzoneInstructions"]::after {
  content: "拖放文件到此处，或点击“选择文件”；每个文件不超过200MB"; font-size: 0.9rem; color: #555; }
/* phones: smaller type, no sideways scrolling */
@media (max-width: 640px) {
  html, body, [class*="css"] { font-size: 16px; }
  div[data-testid="stMetricValue"] { font-size: 1.8rem; }
  .block-container, div[data-testid="stMainBlockContainer"] { padding-left: 0.8rem; padding-right: 0.8rem; }
}
</style>
"""
# Cards of the overview's tier classes: a grid that wraps instead of cutting the text.
TIER_CARD_CSS = (
    "<style>.lc-tiers{display:grid;grid-template-columns:repeat(auto-fit,minmax(6.8rem,1fr));gap:8px;"
    "margin-bottom:6px}"
    ".lc-tier{border:1px solid #d6e4f0;border-top:5px solid #3182bd;border-radius:6px;padding:6px 10px;"
    "background:#f7fbff;min-width:0}"
    ".lc-tier span{font-size:0.85rem;color:#444;white-space:nowrap}"
    ".lc-tier b{display:block;font-size:clamp(1.15rem,1.5vw,1.5rem);line-height:1.25;white-space:nowrap}"
    ".lc-tier i{font-style:normal;font-size:0.85rem;color:#555;white-space:nowrap}</style>"
)

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
    ("pages/problems.py", "问题督办", ":material/assignment_late:", "problems"),
    ("pages/letters.py", "提醒约谈", ":material/mail:", "letters"),
    ("pages/quotas.py", "要素保障", ":material/landscape:", "quotas"),
    ("pages/evaluation.py", "阶段评估", ":material/fact_check:", "evaluation"),
    ("pages/project.py", "项目档案", ":material/folder_open:", "project"),
    ("pages/quarterly.py", "季度点评", ":material/event_note:", "quarterly"),
    ("pages/lookback.py", "回头看", ":material/history:", "lookback"),
    ("pages/phases.py", "分段推进", ":material/linear_scale:", "phases"),
    ("pages/growth.py", "新增长点培育库", ":material/trending_up:", "growth"),
    ("pages/annual_evaluation.py", "年度评价", ":material/workspace_premium:", "annual_evaluation"),
    ("pages/pipeline.py", "招商线索", ":material/handshake:", "pipeline"),
    ("pages/data.py", "数据管理", ":material/database:", "data"),
    ("pages/subscriptions.py", "推送订阅", ":material/notifications:", "subscriptions"),
    ("pages/audit.py", "审计日志", ":material/policy:", "audit"),
]
# Pages only some roles may open (URL path -> permission, lifecycle.store.accounts.PERMISSIONS);
# the navigation lists a page only to accounts that may open it, and the page checks again.
PAGE_NEEDS = {"data": "publish", "audit": "read_audit"}


def pages_for(acc: Account | None) -> list[tuple]:
    """The entries of PAGES the account may open."""
    return [p for p in PAGES if acc is not None and (p[3] not in PAGE_NEEDS or acc.may(PAGE_NEEDS[p[3]]))]

# Page titles that name the region's unit word (Changzhou's units are 辖市区, not 镇街)
REGION_TITLES = {"map": {"jiangyin": "镇街热力", "changzhou": "辖市区热力"}}


def nav_title(url_path: str, title: str) -> str:
    """The navigation title of a page for the store's region (REGION_TITLES), else `title`."""
    by_region = REGION_TITLES.get(url_path)
    if not by_region:
        return title
    try:
        key = Store(default_store()).meta.get("region")
    except Exception:  # no store yet: the default title
        return title
    return by_region.get(key, title)


# URL key -> (session key, kind)
_FILTERS = {
    "month": "str",
    "period": "str",
    "unit": "list",
    "tier": "list",
    "section": "list",
    "origin": "list",
    "category": "list",
    "major": "list",
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
    user: Account | None = None

    @property
    def scope(self) -> Scope:
        return self.metrics.scope if self.metrics is not None else Scope.of(self.user)

    def may(self, permission: str) -> bool:
        return self.user is not None and self.user.may(permission)



P = ParamSpec("P")
R = TypeVar("R")


# ---- resources ---------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _database(root: str) -> Database:
    return Database(Store(root))


def ensure_demo(store: Store) -> None:
    """First run on the default store: generate the embedded demo data if nothing is published,
    and give it its demo accounts (password printed in the terminal and shown on its login page)."""
    from lifecycle import demo

    if str(store.root) in _DEMO_CHECKED and store.months():
        return
    if not store.months():
        with st.spinner("首次运行：正在生成演示数据（江阴市规模、36期月度快照）……"):
            demo.generate(store.root, "jiangyin")
    pubs = store.publications()
    # demo accounts only for a store holding nothing but generated demo data
    if pubs and all(str((p.get("source") or [""])[0]).startswith("demo:") for p in pubs):
        text = demo.ensure_demo_accounts(store.root, store.region)
        if text:
            print(text, flush=True)
    _DEMO_CHECKED.add(str(store.root))


_DEMO_CHECKED: set[str] = set()


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
    once per store publication token, viewer scope and `key`. The value is shared: do not modify it."""
    return _results().get((ctx.token, str(ctx.store.root), ctx.scope.unit, "memo", key), compute, copy=False)


def cached(ctx: Context, method: Callable[Concatenate[Metrics, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Call a Metrics method in the viewer's scope once per store publication token, scope,
    method, month, slice and any other argument — `ui.cached(ctx, Metrics.rates, month, sl)` —
    later calls (reruns, other sessions, other pages) reuse the result (see ResultCache). The
    method is passed as the function itself, so editors, type checkers and renames follow it. A
    request outside the viewer's scope stops the page with the one-line 无权查看 message (and an
    audit entry)."""
    if getattr(Metrics, method.__name__, None) is not method:
        raise TypeError(f"not a Metrics method: {method!r}")
    root, name, unit = str(ctx.store.root), method.__name__, ctx.scope.unit
    key = (ctx.token, root, unit, name, args, tuple(sorted(kwargs.items())))
    try:
        return _results().get(key, lambda: getattr(Metrics(_database(root), Scope(unit)), name)(*args, **kwargs))
    except ScopeError as e:
        deny(ctx, str(e), target=f"{name}{args!r}"[:200])


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


def deny(ctx: "Context | None", message: str, target: str | None = None) -> None:
    """Record the refused request in the audit log, show the one-line message, stop the page."""
    root = ctx.store.root if ctx is not None else default_store()
    try:
        auth.record(root, "denied", target=target, ok=False, message=message)
    except OSError:
        pass
    st.error(message)
    st.stop()


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


def _check_url_units(metrics: Metrics, reg: Region) -> None:
    """A township account whose URL names another unit (?unit=…) gets 无权查看 and no data."""
    own = metrics.scope.unit
    if own is None:
        return
    asked = [u for u in st.query_params.get_all("unit") if u != own]
    if asked:
        names = "、".join(reg.units[u].name if u in reg.units else u for u in asked)
        deny(None, labels.AUTH_TEXT["denied"].format(
            what=f"{names}不在本账户的权限范围内，" + labels.AUTH_TEXT["denied_unit"].format(unit=reg.units[own].name)),
            target=f"unit={','.join(asked)}")


def _check_url_values(months: list[str], reg: Region) -> list[str]:
    """The filters a link asked for that do not exist, as Chinese notices (issue 11: a link is
    never silently changed). Unit names are accepted for codes. Runs once per session, right
    after the URL was read; unknown values are dropped, so the page shows what is said."""
    if st.session_state.get("_lc_url_checked"):
        return []
    st.session_state["_lc_url_checked"] = True
    T = labels.SCREEN_TEXT
    notes = []
    m = st.session_state.get("_lc_month")
    if m is not None and m not in months:
        notes.append(T["bad_month"].format(month=m, first=formats.month_text(months[-1]),
                                           last=formats.month_text(months[0]), shown=formats.month_text(months[0])))
        del st.session_state["_lc_month"]
    p = st.session_state.get("_lc_period")
    if p is not None and p not in PERIODS:
        notes.append(T["bad_value"].format(what=labels.FILTER_NAMES["period"], values=p))
        del st.session_state["_lc_period"]
    by_name = {u.name: c for c, u in reg.units.items()}
    known = {
        "unit": set(reg.units), "tier": set(labels.TIER_BANDS), "section": set(industry_sections()),
        "origin": set(labels.ORIGINS), "category": set(labels.CATEGORIES),
    }
    for key, ok in known.items():
        vals = st.session_state.get(f"_lc_{key}")
        if not vals:
            continue
        if key == "unit":
            vals = [by_name.get(v, v) for v in vals]
        bad = [v for v in vals if v not in ok]
        st.session_state[f"_lc_{key}"] = [v for v in vals if v in ok]
        if bad:
            shown = "、".join(f"“{v}”" for v in bad)
            notes.append(T["bad_unit"].format(unit_word=reg.unit_word, units=shown) if key == "unit"
                         else T["bad_value"].format(what=labels.FILTER_NAMES[key], values=shown))
    return notes


def sidebar_filters(metrics: Metrics, reg: Region) -> tuple[str, str, Slice]:
    _check_url_units(metrics, reg)
    _read_url_once()
    months = list(reversed(metrics.months))
    st.session_state["_lc_url_notes"] = _check_url_values(months, reg)
    sb = st.sidebar
    sb.markdown(f"### {reg.name} · {reg.system}")
    _widget_default("month", months, months[0], False)
    month = sb.selectbox("数据月份（快照）", months, key="w_month", on_change=_persist("month"),
                         format_func=lambda m: f"{m[:4]}年{int(m[5:]):d}月")
    period_keys = list(PERIODS)
    _widget_default("period", period_keys, "ytd", False)
    period = sb.selectbox("统计期", period_keys, key="w_period", on_change=_persist("period"),
                          format_func=PERIODS.get, help="签约备案率、备案开工率的统计期；其余三率按年度口径")
    own = metrics.scope.unit
    units = [own] if own else list(reg.units)  # a township account: its own unit, fixed
    _widget_default("unit", units, units if own else [], True)
    unit = sb.multiselect(reg.unit_word, units, key="w_unit", on_change=_persist("unit"),
                          format_func=lambda c: reg.units[c].name, placeholder="全部", disabled=bool(own))
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
    _widget_default("major", list(labels.MAJOR_FILTER), [], True)
    major = sb.multiselect("省市重大", list(labels.MAJOR_FILTER), key="w_major", on_change=_persist("major"),
                           format_func=labels.MAJOR_FILTER.get, placeholder="全部")
    values = {"month": month, "period": period, "unit": unit, "tier": tier, "section": section,
              "origin": origin, "category": category, "major": major}
    for k, v in values.items():
        st.session_state[f"_lc_{k}"] = v
    _write_url(values)
    sl = Slice(
        units=tuple(unit) or None,
        tiers=tuple(tier) or None,
        sections=tuple(section) or None,
        origins=tuple(origin) or None,
        categories=tuple(category) or None,
        majors=tuple(major) or None,
    )
    return month, period, sl


_RUN = threading.local()  # per script-run thread: inside app.py's navigation or not


def run_app(app_dir: Path) -> None:
    """The app's navigation (called by app.py): every page of PAGES under its Chinese title and
    ASCII URL path, the first one the default. A page that fails shows a Chinese message with
    an error number (`guarded`); the details go to the server log only.

    Before a login every page is registered hidden and the login page shows instead; after it,
    a page the account may not open (PAGE_NEEDS) stays hidden, so its URL shows the page's own
    无权访问 message."""
    # an explicit favicon first: otherwise the page's Material icon becomes the favicon, which
    # the browser would fetch from the internet
    st.set_page_config(page_title="重大项目全生命周期看板", page_icon="📊", layout="wide")
    store = Store(default_store())
    if _is_default_store():
        ensure_demo(store)
    present = [(f, title, icon, url) for f, title, icon, url in PAGES if (app_dir / f).exists()]

    def register(allowed: set[str], position: str = "sidebar"):
        pages = [
            # Streamlit serves the default page at "/" and ignores its url_path, so it gets a spare
            # path and is registered once more, hidden, under its own: the deep link /overview works
            st.Page(str(app_dir / f), title=nav_title(url, title), icon=icon,
                    url_path=f"{url}-home" if i == 0 else url, default=(i == 0),
                    visibility="visible" if url in allowed else "hidden")
            for i, (f, title, icon, url) in enumerate(present)
        ]
        if present:
            f, title, icon, url = present[0]
            pages.append(st.Page(str(app_dir / f), title=title, icon=icon, url_path=url, visibility="hidden"))
        # expanded: with more than 10 pages Streamlit would hide the rest behind "View more"
        return st.navigation(pages, position=position, expanded=True)

    # Before a login the pages are registered with no navigation shown: the requested page (and
    # its query string) is kept for after the login, and the login page never shows Streamlit's
    # file-name sidebar of the pages/ folder.
    user = auth.require_login(store, before_login=lambda: register(set(), position="hidden"))
    nav = register({p[3] for p in pages_for(user)})
    _RUN.in_navigation = True
    try:
        guarded(nav.run)
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


def setup(title: str | dict, icon: str = "📊", allow_empty: bool = False, need: str | None = None) -> Context:
    """Shared page setup: config, style, login, data, sidebar filters, header with data freshness.

    Every page requires a logged-in account (the login page otherwise); `need` names the
    permission the page requires (lifecycle.store.accounts.PERMISSIONS). The metrics of the
    Context are scoped to the account: a township account sees its unit only.

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
    auth.translate_page_not_found()
    store = Store(default_store())
    if _is_default_store():
        ensure_demo(store)
    user = auth.require_login(store)
    auth.sidebar(user, store)
    if need:
        auth.deny_page(title, need)
    if not store.months():
        title_text = title if isinstance(title, str) else next(iter(title.values()))
        st.title(title_text)
        st.warning(labels.UI_TEXT["empty_store"].format(root=store.root))
        if allow_empty:
            reg = region(store.meta["region"]) if store.meta.get("region") else None
            return Context(None, store, reg, None, "ytd", Slice(), store.version_token(), user)
        st.markdown(f"[{labels.UI_TEXT['go_data_page']}](./data)")
        st.stop()
    token = store.version_token()  # taken before the pin: a cache key never labels newer data
    base = _metrics_for(store)
    base.db.pin()  # every query of this page run reads the same versions
    metrics = Metrics(base.db, Scope.of(user))
    reg = region(metrics.region)
    if isinstance(title, dict):  # a title per region (e.g. 镇街热力 / 辖市区热力)
        title = title.get(reg.key) or next(iter(title.values()))
    month, period, sl = sidebar_filters(metrics, reg)
    store = metrics.db.store
    ctx = Context(metrics, store, reg, month, period, sl, token, user)
    st.session_state["_lc_slice_text"] = "；".join(formats.slice_parts(reg, sl))
    st.title(title)
    for note in st.session_state.pop("_lc_url_notes", None) or []:
        st.warning(note, icon=":material/link_off:")
    pub = store.published_at(month)
    pub_txt = pub.replace("T", " ")[:16] if pub else "未知"
    st.markdown(
        f"<div class='lc-fresh'>{reg.name} · 数据截至 <b>{formats.month_end_text(month)}</b> · "
        f"发布于 {pub_txt} · 统计期：{PERIODS[period]}{slice_text(ctx)}</div>",
        unsafe_allow_html=True,
    )
    data_problems(metrics)
    warm_months_before(metrics.db, month)
    return ctx


_WARMING = threading.Lock()
WARM_DELAY_S = 1.5  # let the page's own queries go first


def warm_months_before(db: Database, month: str, n: int = 2) -> threading.Thread | None:
    """Build, in a background thread, the month relations of the `n` months before `month`
    (Database.warm): the month picker is most often moved back a month, and a month's page also
    compares with the month before it. One warming thread per process at a time; off with
    LIFECYCLE_WARM=0."""
    if os.environ.get("LIFECYCLE_WARM", "1") == "0" or month not in db.months:
        return None
    i = db.months.index(month)
    want = db.months[max(0, i - n):i][::-1]
    if not want or not _WARMING.acquire(blocking=False):
        return None

    def go():
        try:
            threading.Event().wait(WARM_DELAY_S)
            db.warm(want)
        except Exception:  # warming is an optimisation: a failure is logged, never shown
            _LOG.warning("warming %s failed", want, exc_info=True)
        finally:
            _WARMING.release()
    t = threading.Thread(target=go, name="lifecycle-warm", daemon=True)
    t.start()
    return t


def warming_done(timeout: float = 60.0) -> bool:
    """Wait until no warming thread runs (the bench: the idle time between two clicks)."""
    if _WARMING.acquire(timeout=timeout):
        _WARMING.release()
        return True
    return False


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
    """An .xlsx with Chinese headers (and an optional title row). Numbers carry the presentation
    registry's Excel format of their column (万元 whole with separators, 亿元 two decimals, shares
    as 0.0%); missing values (None, NaN, inf) are blank cells."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "default_date_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(sheet[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    row0 = 0
    if title:
        write_text(ws, 0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
        row0 = 2
    src = formats.no_missing_numbers(df)
    out = chinese_headers(src)
    cell_f = {}
    for j, (c, dtype) in enumerate(src.schema.items()):
        nf = formats.excel_format(formats.kind(c, dtype)) if dtype.is_numeric() else None
        if nf is not None and formats.screen_kind(c, dtype) == "pct100":
            nf = "0.0"
        cell_f[j] = wb.add_format({"num_format": nf}) if nf else None
    for j, c in enumerate(out.columns):
        write_text(ws, row0, j, c, bold)
        ws.set_column(j, j, max(10, min(40, len(c) * 2 + 2)))
    for i, row in enumerate(out.iter_rows(), start=row0 + 1):
        for j, v in enumerate(row):
            if not formats.is_value(v):
                continue
            if isinstance(v, str):
                write_text(ws, i, j, v)  # never a formula (OWASP), see domain/cells.py
            elif cell_f[j] is not None and isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(i, j, v, cell_f[j])
            else:
                ws.write(i, j, v)
    wb.close()
    return buf.getvalue()


def chinese_headers(df: pl.DataFrame) -> pl.DataFrame:
    """Values in Chinese and Chinese headers (the presentation registry, present/formats.py)."""
    return formats.chinese(df)


def _slice_label() -> str:
    """The current slice as text for download names and titles ('' when nothing is filtered)."""
    return st.session_state.get("_lc_slice_text", "")


def table_csv(df: pl.DataFrame) -> bytes:
    """The CSV a table's download button hands out (see table_downloads)."""
    return csv_bytes(chinese_headers(formats.no_missing_numbers(df)))


def table_downloads(df: pl.DataFrame, name: str, title: str | None = None) -> tuple[bytes, bytes]:
    """(CSV bytes, Excel bytes) of a table as every page's download buttons hand them out:
    Chinese headers, every text cell neutralised against formula injection, NaN/inf blank."""
    return table_csv(df), to_excel_bytes(df, name, title)


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _record_download(file_name: str, action: str, rows: int | None) -> None:
    acc = auth.current()
    try:
        auth.record(default_store(), action, target=file_name, acc=acc,
                    **({"rows": rows} if rows is not None else {}))
    except OSError:
        pass


def download(label: str, data, file_name: str, mime: str | None = None, key: str | None = None,
             perm: str = "export", action: str = "download", rows: int | None = None, container=None,
             **kw) -> None:
    """A download button shown only to accounts with `perm`; each click is written to the audit
    log (user, scope, file name)."""
    acc = auth.current()
    if acc is None or not acc.may(perm):
        return
    (container or st).download_button(label, data, file_name=file_name, mime=mime, key=key,
                                      on_click=_record_download, args=(file_name, action, rows), **kw)


def download_buttons(df, name: str, title: str | None = None, key: str | None = None,
                     perm: str = "export") -> None:
    """CSV (UTF-8 with BOM, opens in Excel) and Excel downloads of a table, Chinese headers (only
    for accounts that may export; every download is audited). A filtered view's files are named
    after the slice and the Excel title row states it. The files are built only when a button is
    clicked (deferred data), never on a rerun; `df` may be a frame or a function returning one
    (e.g. the full list behind a paged view)."""
    acc = auth.current()
    if acc is None or not acc.may(perm):
        return
    key = key or name
    sl = _slice_label()
    if sl:
        name = f"{name}_{sl}"
        title = f"{title or name}（{sl}）"
    frame = df if callable(df) else (lambda: df)
    c1, c2, _ = st.columns([1, 1, 4])
    rows = None if callable(df) else df.height
    download("CSV", lambda: table_csv(frame()), f"{name}.csv", "text/csv", key=f"csv_{key}", perm=perm, rows=rows,
             container=c1, icon=":material/download:", help=labels.SCREEN_TEXT["download_csv"], width="stretch")
    download("Excel", lambda: to_excel_bytes(frame(), name, title), f"{name}.xlsx", XLSX_MIME, key=f"xlsx_{key}",
             perm=perm, rows=rows, container=c2, icon=":material/download:",
             help=labels.SCREEN_TEXT["download_xlsx"], width="stretch")


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
    return formats.screen_frame(df)[0]


def _column_config(kinds: dict[str, tuple[str, bool]]) -> dict:
    """Streamlit column configs per format kind: numbers stay numbers with separators."""
    config = {}
    for h, (k, as_text) in kinds.items():
        if as_text:
            config[h] = st.column_config.TextColumn(h, alignment="right")
        elif k in formats.SCREEN_FORMATS:
            config[h] = st.column_config.NumberColumn(h, format=formats.SCREEN_FORMATS[k])
    return config


def _screen_view(df: pl.DataFrame, link_projects: bool) -> tuple[pl.DataFrame, dict]:
    """The frame as shown (formats of the presentation registry, Chinese headers) with its column
    configs, and the pinned link to each project's file first."""
    view, kinds = formats.screen_frame(df)
    config = _column_config(kinds)
    pid = labels.COLUMNS["project_id"]
    if link_projects and pid in view.columns:
        q = filter_query()
        link = labels.SCREEN_TEXT["file_column"]
        view = view.select(("./project?pid=" + pl.col(pid) + (f"&{q}" if q else "")).alias(link), pl.all())
        config[link] = st.column_config.LinkColumn(link, display_text=labels.SCREEN_TEXT["file_link"], pinned=True,
                                                   width="small")
    return view, config


def show_table(df: pl.DataFrame, name: str, title: str | None = None, key: str | None = None,
               height: int | None = None, link_projects: bool = True) -> None:
    """A table with Chinese headers, project ids linking to the project file (the link column
    first, pinned), numbers formatted by the presentation registry, and downloads (of the whole
    table); a long table is shown a page at a time (only that page is formatted and sent)."""
    if df.width == 0 or df.is_empty():
        st.info(labels.SCREEN_TEXT["no_rows"])
        return
    view, config = _screen_view(page_of(df, key or name), link_projects)
    st.dataframe(view, hide_index=True, width="stretch", column_config=config, height=height or "auto")
    download_buttons(df, name, title, key)


def show_paged(total: int, fetch, name: str, title: str | None = None, key: str | None = None,
               height: int | None = None, link_projects: bool = True) -> None:
    """Like `show_table` for a list too long to fetch whole on every run: `fetch(offset, limit)`
    returns one page (limit None = every row, for the downloads, built only when clicked)."""
    if total == 0:
        st.info(labels.SCREEN_TEXT["no_rows"])
        return
    offset, limit = _pager(total, key or name)
    view, config = _screen_view(fetch(offset, limit), link_projects)
    st.dataframe(view, hide_index=True, width="stretch", column_config=config, height=height or "auto")
    download_buttons(lambda: fetch(0, None), name, title, key)


def show_light_table(df: pl.DataFrame, light_columns: list[str], key: str, height: int | None = None,
                     link_projects: bool = True) -> None:
    """A table whose traffic-light cells (columns `light_columns`, values already Chinese labels or
    keys) are coloured; otherwise formatted like `show_table` (no downloads: callers add them).
    Styling costs ~20 µs a cell: callers pass one page of rows, never a whole checklist."""
    view, config = _screen_view(df, link_projects)
    hdr = formats.headers(df.columns)
    subset = [hdr[c] if c in hdr else c for c in light_columns if (hdr.get(c, c) in view.columns)]
    bg = {labels.LIGHTS[k]: f"background-color: {c}" for k, c in labels.LIGHT_BG.items()}
    st.dataframe(view.to_pandas().style.map(lambda v: bg.get(v, ""), subset=subset), hide_index=True,
                 width="stretch", height=height or "auto", column_config=config)


FLAG_CARD_CSS = (
    "<style>.lc-flags{display:grid;grid-template-columns:repeat(auto-fit,minmax(11.5rem,1fr));gap:10px;"
    "margin-bottom:8px}"
    ".lc-flag{display:block;border:1px solid #e3c8c8;border-left:6px solid #d7263d;border-radius:6px;"
    "padding:8px 12px;text-decoration:none!important;color:#222!important;background:#fff8f8;min-width:0}"
    ".lc-flag.zero{border-color:#cfe3cf;border-left-color:#2e9d4f;background:#f6fbf6}"
    ".lc-flag span{font-size:1rem;color:#444;white-space:normal;overflow-wrap:anywhere;line-height:1.3}"
    ".lc-flag b{display:block;font-size:2rem;line-height:1.2}</style>"
)


def flag_cards(counts: dict[str, int], keys: list[str], link: bool = True) -> None:
    """One card per flag: its count under the label that says what it counts (项目数/事项数,
    `flags.count_label`), linking to its list on 预警督办. The grid wraps on narrow screens and
    the labels wrap instead of being cut."""
    from lifecycle.domain import flags

    cards = []
    for k in keys:
        n = counts.get(k, 0)
        tag = "a" if link else "div"
        href = f" target='_self' href='{page_href('alerts', flag=k)}'" if link else ""
        dept = flags.DEPTS.get(k, flags.DEPTS["approval_light"])
        cards.append(f"<{tag} class='lc-flag{' zero' if n == 0 else ''}'{href} title='{dept}'>"
                     f"<span>{flags.count_label(k)}</span><b>{n:,}</b></{tag}>")
    st.markdown(FLAG_CARD_CSS + "<div class='lc-flags'>" + "".join(cards) + "</div>", unsafe_allow_html=True)


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
    or None; a pick that is no longer among the options (filters changed) is dropped.
    The choice is mirrored in the URL (`?<key>=<option>`), so a copied link opens the same list."""
    read = f"_lc_url_{key}"
    if not st.session_state.get(read):
        st.session_state[read] = True
        wanted = st.query_params.get(key)
        if wanted is not None:
            st.session_state[key] = wanted
    if st.session_state.get(key) not in options:
        st.session_state[key] = None
    fmt = format_func or str
    value = st.selectbox(label, [None] + list(options), key=key, placeholder=labels.VIEW_TEXT["drill_none"],
                         format_func=lambda v: labels.VIEW_TEXT["drill_none"] if v is None else fmt(v))
    if value is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)
    return value


def notify_after_publish(store: Store, month: str, user: str | None) -> None:
    """Deliver the month's pushed messages right after a publish when `[events] on_publish` is set
    in `<store>/notify.toml` (docs/notify.md); a delivery problem is a warning, never an error of
    the publish itself."""
    from lifecycle.outputs import notify

    try:
        rep = notify.on_publish(Metrics(Database(store)), month, user=user)
    except notify.NotifyError as e:
        st.warning(f"推送未完成：{e}")
        return
    if rep is not None:
        (st.warning if rep.failed else st.info)(rep.text())
