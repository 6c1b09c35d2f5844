"""Township scope is enforced in the core (docs/domain.md §9): for every unit of both regions'
demo data, a township-scoped Metrics returns exactly what an unscoped one returns for that unit's
slice, no row of another unit comes out of any metric call, list, export, pack or bulletin, and
asking for another unit (a slice naming it, another unit's project) raises ScopeError ("无权查看")."""
from __future__ import annotations

import os
import shutil

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lifecycle.domain.reference import region
from lifecycle.outputs import exports, pack
from lifecycle.query.db import Database
from lifecycle.query.metrics import FLAG_KEYS, Metrics, Scope, ScopeError, Slice, quarter_of
from lifecycle.store import comments
from lifecycle.store.snapshots import Store

REGIONS = ["jiangyin", "changzhou"]
# LIFECYCLE_FULL_SCOPE=1: every unit as the viewer; by default the first two units and every fifth
# after them (the scope code does not depend on which unit it is; the sample keeps CI short)
FULL_SCOPE = bool(os.environ.get("LIFECYCLE_FULL_SCOPE"))


def _viewers(units) -> list[str]:
    units = list(units)
    return units if FULL_SCOPE else units[:2] + units[2::5]


@pytest.fixture(scope="module")
def dbs(demo_stores):
    out = {r: Database(Store(demo_stores[r])) for r in REGIONS}
    yield out
    for db in out.values():
        db.close()


def _owners(db: Database, month: str) -> dict[str, set[str]]:
    df = db.run("project_units", {"month": month, "project_id": None})
    out: dict[str, set[str]] = {}
    for pid, unit in df.iter_rows():
        out.setdefault(pid, set()).add(unit)
    return out


def _strings(df: pl.DataFrame) -> set:
    vals = set()
    for c, dtype in df.schema.items():
        if dtype == pl.String:
            vals.update(v for v in df[c].unique().to_list() if v is not None)
    return vals


def _calls(month: str, prev: str, quarter: str, sl: Slice, full: bool = False):
    """(name, callable(metrics)) for every method of the metrics API that returns rows or numbers
    of projects of the slice (`full`: with the variants of their options too)."""
    c = [
        ("rates by unit", lambda m: m.rates(month, sl, group_by="unit_code")),
        ("rates_with_change", lambda m: m.rates_with_change(month, sl)),
        ("funnel", lambda m: m.funnel(month, sl)),
        ("stage_distribution", lambda m: m.stage_distribution(month, sl)),
        ("cohort_funnel", lambda m: m.cohort_funnel(month, sl)),
        ("tiers", lambda m: m.tiers(month, sl)),
        ("tier_classes", lambda m: m.tier_classes(month, sl)),
        ("unit_stage", lambda m: m.unit_stage(month, sl)),
        ("unit_month", lambda m: m.unit_month(month, sl)),
        ("project_list", lambda m: m.project_list(month, sl)),
        ("stage_durations", lambda m: m.stage_durations(month, sl)),
        ("changes", lambda m: m.changes(month, sl)),
        ("approval_lights", lambda m: m.approval_lights(month, sl)),
        ("unit_operations", lambda m: m.unit_operations(month, sl)),
        ("quarter_projects", lambda m: m.quarter_projects(quarter, sl)),
        ("quarter_summary", lambda m: m.quarter_summary(quarter, sl)),
        ("month_events", lambda m: m.month_events(month, sl)),
        ("month_summary", lambda m: m.month_summary(month, sl)),
        ("lookback", lambda m: m.lookback(month, sl)),
        ("lookback_projects", lambda m: m.lookback_projects(month, sl)),
        ("flag_changes", lambda m: m.flag_changes("completion_reminder", month, sl)),
    ]
    c += [(f"flag {k}", (lambda k: lambda m: m.flag(k, month, sl))(k)) for k in FLAG_KEYS]
    c += [("completion_overdue", lambda m: m.completion_overdue(month, sl)),
          ("risk", lambda m: m.risk(month, sl)),
          ("quarter_comments", lambda m: m.quarter_comments(quarter, month, sl)),
          # verified milestones 节点核实 (docs/domain.md §17)
          ("milestone_verification", lambda m: m.milestone_verification(month, sl)),
          ("unverified", lambda m: m.unverified(month, sl, 0)),
          ("verification_summary", lambda m: m.verification_summary(month, sl)),
          ("verified rates", lambda m: m.rates(month, sl, verified_only=True))]
    if full:
        c += [
            ("rates", lambda m: m.rates(month, sl)),
            ("rates qtd", lambda m: m.rates(month, sl, period="qtd")),
            ("rates by tier", lambda m: m.rates(month, sl, group_by="tier_band")),
            ("funnel library", lambda m: m.funnel(month, sl, scope="library")),
            ("project_list library", lambda m: m.project_list(month, sl, in_library=True)),
            ("project_list prev", lambda m: m.project_list(prev, sl)),
            ("approval_checklist", lambda m: m.approval_checklist(month, sl)),
            ("approval_light_summary", lambda m: m.approval_light_summary(month, sl)),
            ("flag_counts", lambda m: m.flag_counts(month, sl)),
            ("quarter_rates", lambda m: m.quarter_rates(quarter, sl)),
        ]
        c += [(f"flag_changes {k}", (lambda k: lambda m: m.flag_changes(k, month, sl))(k)) for k in FLAG_KEYS]
    return c


def _frames(res):
    if isinstance(res, pl.DataFrame):
        yield res
    elif isinstance(res, dict):
        for v in res.values():
            yield from _frames(v)


def _same(a, b, what):
    if isinstance(a, pl.DataFrame):
        assert_frame_equal(a, b, check_exact=False), what
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), what
        for k in a:
            _same(a[k], b[k], f"{what}[{k}]")
    else:
        assert a == b, what


@pytest.mark.slow
@pytest.mark.parametrize("region_key", REGIONS)
def test_no_row_of_another_unit_comes_out_of_any_metric_call(dbs, region_key):
    db = dbs[region_key]
    whole = Metrics(db)
    month = whole.latest_month()
    prev = whole.previous_month(month)
    quarter = quarter_of(month)
    owners = _owners(db, month)
    reg = region(region_key)
    ranking = whole.ranking(month)
    city = whole.rates_with_change(month)
    seen_units = 0
    viewers = _viewers(reg.units)
    for i, u in enumerate(viewers):
        m = Metrics(db, Scope(u))
        own = {p for p, us in owners.items() if us == {u}}
        foreign = set(owners) - own
        full = i < 2  # every option variant, compared with the whole field's answer, for two units
        refs = dict(_calls(month, prev, quarter, Slice(units=(u,)), full)) if full else {}
        for name, call in _calls(month, prev, quarter, Slice(), full):
            got = call(m)
            # exactly what the whole field gives for that unit's slice ...
            if full:
                _same(got, refs[name](whole), f"{u} {name}")
            # ... and not one row of another unit
            for df in _frames(got):
                if "unit_code" in df.columns:
                    assert set(df["unit_code"].drop_nulls().to_list()) <= {u}, (u, name)
                leaked = _strings(df) & foreign
                assert not leaked, (u, name, sorted(leaked)[:3])
        by_unit = m.rates(month, group_by="unit_code")
        assert set(by_unit) <= {u}
        # a slice naming another unit is refused
        other = next(x for x in reg.units if x != u)
        for sl in (Slice(units=(other,)), Slice(units=(u, other))):
            with pytest.raises(ScopeError, match="^无权查看"):
                m.project_list(month, sl)
            with pytest.raises(ScopeError, match="^无权查看"):
                m.rates(month, sl)
        # the ranking and the city-wide rates are the whole field's, whoever looks
        assert_frame_equal(m.ranking(month), ranking)
        assert_frame_equal(m.ranking(month, Slice(units=(u,))), ranking)
        assert m.city_rates(month) == city
        # project files: own projects open, another unit's project is refused
        mine = sorted(own)[:1]
        theirs = sorted(foreign)[:1]
        for pid in mine:
            assert m.project(month, pid)["unit_code"] == u
            m.project_history(month, pid), m.project_milestones(month, pid), m.project_flags(month, pid)
        for pid in theirs:
            for fn in (m.project, m.project_history, m.project_milestones, m.project_approvals,
                       m.project_operations, m.project_problems, m.project_flags, m.replans):
                with pytest.raises(ScopeError, match="^无权查看"):
                    fn(month, pid)
        assert not set(m.replans(month)["project_id"].to_list()) & foreign
        res = m.search_projects(month, "项目", limit=10_000)
        assert set(res["project_id"].to_list()) <= own
        if own:
            seen_units += 1
    assert seen_units >= len(viewers) - 1  # the demo spreads projects over (nearly) every unit


def _doc_frames(doc):
    for b in doc.blocks:
        if isinstance(b, pack.Table):
            yield b


@pytest.mark.slow
@pytest.mark.parametrize("region_key", REGIONS)
def test_exports_packs_and_bulletins_stay_in_the_unit(demo_stores, tmp_path, region_key):
    # a copy of the demo store with comments on several units
    root = tmp_path / "store"
    shutil.copytree(demo_stores[region_key], root, symlinks=True)
    db = Database(Store(root))
    whole = Metrics(db)
    month = whole.latest_month()
    quarter = quarter_of(month)
    owners = _owners(db, month)
    reg = region(region_key)
    units = list(reg.units)
    for u in units:
        comments.add(root, "unit", u, quarter, "leader", f"对{reg.units[u].name}的点评")
        pid = next((p for p, us in owners.items() if us == {u}), None)
        if pid:
            comments.add(root, "project", pid, quarter, "leader", f"项目{pid}的点评", unit_code=u)
    rendered = 0
    for u in _viewers(units):
        m = Metrics(db, Scope(u))
        own = {p for p, us in owners.items() if us == {u}}
        foreign = set(owners) - own
        other_names = {reg.units[x].name for x in units if x != u}
        # the department sheets (exports) of every flag list
        for k in FLAG_KEYS:
            df = m.flag(k, month)
            if rendered == 0 and own:  # one unit per region: the real file, read back
                rows = exports.read_sheet(exports.flag_sheet_bytes(df, k, month, m.flag_rule(k)))["frame"]
            else:  # the rows exactly as the sheet holds them
                rows = exports.sheet_frame(df)
            assert not _strings(rows) & foreign, (u, k)
        # the comments of the quarter: own unit only
        qc = m.quarter_comments(quarter, month)
        assert set(qc["unit_code"].to_list()) == {u}
        assert not set(qc["target_id"].to_list()) & (foreign | (set(units) - {u}))
        # pack and bulletin documents: no project of another unit in any table; the unit pages
        # are the own unit's only; another unit's name appears only in the ranking
        for doc in (pack.quarter_document(m, quarter), pack.bulletin_document(m, month)):
            for t in _doc_frames(doc):
                leaked = _strings(t.df) & foreign
                assert not leaked, (u, doc.title, t.title, sorted(leaked)[:3])
                if "绩效排名" not in t.title and "unit_name" in t.df.columns:
                    assert not set(t.df["unit_name"].drop_nulls().to_list()) & other_names, (u, t.title)
                if "target_name" in t.df.columns and "text" in t.df.columns:  # a comment table
                    assert not set(t.df["text"].to_list()) - {f"对{reg.units[u].name}的点评"} - \
                        {f"项目{p}的点评" for p in own}, (u, t.title)
            unit_pages = [b.text for b in doc.blocks if isinstance(b, pack.Heading) and b.level == 2]
            # a unit's own page only (other level-2 headings are sections such as 问题督办)
            assert set(unit_pages) & {x.name for x in reg.units.values()} <= {reg.units[u].name}
        # render one unit per region completely and read the files back
        if rendered == 0 and own:
            pdf, xlsx, _ = pack.pack_bytes(m, quarter)
            bpdf, bxlsx, _ = pack.bulletin_bytes(m, month)
            import io

            from openpyxl import load_workbook
            from pypdf import PdfReader

            for data in (xlsx, bxlsx):
                wb = load_workbook(io.BytesIO(data), read_only=True)
                cells = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                         if v is not None}
                assert not cells & foreign
                assert own & cells or data is bxlsx
            for data in (pdf, bpdf):
                text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
                assert not [p for p in foreign if p in text]
            rendered += 1
    db.close()
    assert rendered == 1
