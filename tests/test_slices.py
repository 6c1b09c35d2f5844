"""Right on every slice (issue 11): rankings are computed over the whole field and only then
narrowed, so a unit's rank and score do not depend on its own filter."""
from __future__ import annotations

import pytest

from helpers import metrics_for
from lifecycle.domain.reference import region as region_of
from lifecycle.query.metrics import Slice
from lifecycle.store.snapshots import Store


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_rank_and_score_do_not_change_with_the_units_own_filter(region, demo_stores):
    m = metrics_for(Store(demo_stores[region]))
    month = m.latest_month()
    for tiers in (None, ("1to10",)):
        base = Slice(tiers=tiers)
        field = {r["unit_code"]: r for r in m.ranking(month, base).iter_rows(named=True)}
        assert set(field) == set(region_of(region).units)  # the whole field is ranked
        for code in field:
            one = m.ranking(month, base.narrow(units=[code]))
            assert one["unit_code"].to_list() == [code]  # the filter narrows the rows listed
            r = one.row(0, named=True)
            assert r["rank"] == field[code]["rank"], (code, tiers)
            assert r["score"] == (pytest.approx(field[code]["score"]) if field[code]["score"] is not None else None)
            assert r["rank_prev"] == field[code]["rank_prev"]
        # two units together: each keeps its own field rank
        a, b = list(field)[:2]
        two = {r["unit_code"]: r["rank"] for r in m.ranking(month, base.narrow(units=[a, b])).iter_rows(named=True)}
        assert two == {a: field[a]["rank"], b: field[b]["rank"]}


# ---- the AppTest sweep: every page × many slices of both regions ----------------------------
import json  # noqa: E402
import os  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402

from helpers import REPO  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from lifecycle.domain import labels  # noqa: E402

from lifecycle.ui import PAGES  # noqa: E402

# every registered page (数据管理 has no slice: it runs once on the whole region)
SWEEP_PAGES = [url for f, _, _, url in PAGES if url != "data" and (REPO / f).exists()]
TIERS = list(labels.TIER_BANDS)
# LIFECYCLE_FULL_SWEEP=1: every slice on every page (slow; the default samples unit × tier)
FULL = bool(os.environ.get("LIFECYCLE_FULL_SWEEP"))
# a raw missing value leaking into text: nan, None, inf, NaN, Infinity as a word
RAW = re.compile(r"(?<![A-Za-z])(nan|NaN|None|inf|Infinity|null|NaT)(?![A-Za-z])")


def _slices(region: str, m) -> list[dict]:
    """Deterministic query-parameter slices: the whole region, every unit alone, every unit with
    one tier (tiers rotate over the units), the top tier alone and with each unit (mostly empty),
    and an empty combination."""
    units = list(region_of(region).units)
    out = [{}]
    out += [{"unit": u} for u in units]
    out += [{"unit": u, "tier": TIERS[i % len(TIERS)]} for i, u in enumerate(units)]
    out += [{"unit": u, "tier": "ge100"} for u in units]
    out += [{"tier": "ge100"}, {"tier": "ge100", "category": "service", "origin": "upgrade", "section": "A"}]
    return out


# pages a leader may not open are swept as the role they are for
PAGE_ROLES = {"data": "publisher", "audit": "admin"}


def _plan(region: str, m) -> list[tuple[str, dict]]:
    """(page, slice) runs: every page on the whole region and on the empty combination, and the
    other slices spread over the pages round-robin, so every unit alone and every unit × tier
    runs at least once while the sweep stays a few minutes."""
    sls = _slices(region, m)
    first, empty, rest = sls[0], sls[-1], sls[1:-1]
    runs = [(p, first) for p in SWEEP_PAGES + ["data"]] + [(p, empty) for p in SWEEP_PAGES]
    if not FULL:
        units = [q for q in rest if set(q) == {"unit"}]
        pairs = [q for q in rest if set(q) == {"unit", "tier"}]
        rest = units + pairs[:: max(1, len(pairs) // 6)] + [q for q in rest if set(q) == {"tier"}]
    runs += [(SWEEP_PAGES[i % len(SWEEP_PAGES)], q) for i, q in enumerate(rest)]
    return runs


def _texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "text", "info", "warning", "success", "title", "header", "subheader"):
        out += [str(e.value) for e in getattr(at, kind)]
    for mt in at.metric:
        out += [str(mt.label), str(mt.value), str(mt.proto.body)]
    for tab in at.tabs:
        out.append(str(tab.label))
    for sb in at.selectbox:
        out += [str(o) for o in sb.options]
    return out


def _strings(obj, skip=("hovertemplate", "texttemplate", "uid", "meta")):
    """Every string inside a Plotly figure spec (templates hold %{…} placeholders, not values)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in skip or k == "template":
                continue
            yield from _strings(v, skip)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v, skip)
    elif isinstance(obj, str):
        yield obj


def _problems(at: AppTest) -> list:
    """What is wrong on a page run: exceptions, error boxes, raw missing values in any text,
    table or chart."""
    out = [("exception", e.value) for e in at.exception] + [("error", e.value) for e in at.error]
    out += [("text", t) for t in _texts(at) if RAW.search(t)]
    for d in at.dataframe:
        df = d.value
        for c in df.columns:
            if RAW.search(str(c)):
                out.append(("header", c))
            col = df[c]
            if col.dtype == object:
                bad = [v for v in col.tolist() if v is None or (isinstance(v, float) and math.isnan(v))
                       or (isinstance(v, str) and RAW.search(v))]
            else:
                bad = [v for v in col.tolist() if isinstance(v, float) and not math.isfinite(v)]
            if bad:
                out.append(("table", c, bad[:3]))
    for ch in at.get("plotly_chart"):
        spec = json.loads(ch.proto.spec)
        out += [("chart", s) for s in _strings(spec) if RAW.search(s)]
    return out


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_every_page_on_every_slice(region, region_env, app_user):
    m = region_env(region)
    pid = m.project_list(m.latest_month())["project_id"][0]
    problems = []
    for page, q in _plan(region, m):
        app_user.role = PAGE_ROLES.get(page, "leader")
        at = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=120)
        for k, v in q.items():
            at.query_params[k] = v
        if page == "project":
            at.query_params["pid"] = pid
        at.run()
        found = _problems(at)
        if found:
            problems.append((page, q, found[:5]))
    if os.environ.get("LIFECYCLE_SWEEP_LOG"):
        with open(os.environ["LIFECYCLE_SWEEP_LOG"], "a") as fh:
            for p in problems:
                fh.write(repr(p) + "\n")
    assert not problems, problems[:12]


# ---- the presentation registry on screen and in downloads -----------------------------------
import datetime as dt  # noqa: E402
from pathlib import Path  # noqa: E402

import polars as pl  # noqa: E402

from lifecycle.domain import flags  # noqa: E402
from lifecycle.present import formats  # noqa: E402


def test_screen_frame_formats_every_kind_and_hides_missing_values():
    df = pl.DataFrame({
        "project_id": ["P1", "P2"], "stage": ["filed", None],
        "total_investment_wan": [52996.0, None], "cumulative_done_wan": [1234.0, 5.0],
        "filing_rate": [0.851, float("nan")], "score": [63.84, float("inf")],
        "signed_on": [dt.date(2024, 1, 2), None], "count": [3, 4],
    })
    out, kinds = formats.screen_frame(df)
    C = labels.COLUMNS
    assert out[C["project_id"]].to_list() == ["P1", "P2"]
    assert out[C["stage"]].to_list() == [labels.STAGES["filed"], ""]
    # a numeric column with a missing value becomes text: separators, '—' for missing
    assert out[C["total_investment_wan"]].to_list() == ["52,996", "—"]
    assert kinds[C["total_investment_wan"]] == ("wan", True)
    # complete numeric columns stay numbers (sortable) with the format kind for the screen
    assert out[C["cumulative_done_wan"]].to_list() == [1234.0, 5.0]
    assert kinds[C["cumulative_done_wan"]] == ("wan", False)
    assert formats.SCREEN_FORMATS["wan"] == "%,.0f"
    assert out[C["filing_rate"]].to_list() == ["85.1%", "—"]  # NaN is missing, not 'nan%'
    assert out[C["score"]].to_list() == ["63.8", "—"]  # inf is missing
    assert out[C["signed_on"]].to_list() == ["2024-01-02", ""]  # no 00:00:00, no None
    assert kinds[C["count"]] == ("int", False)


def test_excel_download_of_nan_and_inf_is_blank_and_whole_wan_has_no_trailing_dot():
    from openpyxl import load_workbook
    import io

    from lifecycle.ui.page import to_excel_bytes

    df = pl.DataFrame({"unit_name": ["利港街道"], "pct_of_previous": [float("nan")], "score": [float("inf")],
                       "total_investment_wan": [52996.0]})
    ws = load_workbook(io.BytesIO(to_excel_bytes(df, "阶段转化", "标题"))).active
    assert ws.cell(1, 1).value == "标题"
    row = [c for c in ws.iter_rows(min_row=4, max_row=4)][0]
    assert row[1].value is None and row[2].value is None  # blank, no crash (write_number NaN)
    assert row[3].value == 52996 and row[3].number_format == "#,##0"


def test_pack_excel_number_formats_follow_the_registry():
    from openpyxl import load_workbook
    import io

    from lifecycle.outputs.document import Document, Table
    from lifecycle.outputs.render import render_xlsx

    df = pl.DataFrame({"unit_name": ["甲"], "total_investment_wan": [52996.0], "score": [float("nan")]})
    doc = Document(title="测试", meta=[], blocks=[Table(sheet="表", title="表", df=df)], cover_lines=[], file_stem="t")
    wb = load_workbook(io.BytesIO(render_xlsx(doc)))
    ws = wb["表"]
    assert ws.cell(4, 2).value == 52996 and ws.cell(4, 2).number_format == "#,##0"  # not '#,##0.##' (52,996.)
    assert ws.cell(4, 3).value is None


def test_funnel_share_of_an_empty_previous_stage_is_missing(make_store):
    from helpers import project, publish

    st = make_store("jiangyin", "fun")
    publish(st, "2025-03", [project("F1", signing_type="intent", signed_on="2025-01-01")])
    f = metrics_for(st).funnel("2025-03")
    # after the empty 'signed' stage every share of the previous stage is null (shown '—'), not NaN
    assert all(v is None or math.isfinite(v) for v in f["pct_of_previous"].to_list())
    assert f.filter(pl.col("stage") == "filed")["pct_of_previous"][0] is None


def test_count_labels_say_what_they_count():
    assert flags.count_label("step_stalled") == "审批环节停滞超1个月（事项数）"
    assert flags.count_label("approval_over_12m") == "审批周期超12个月（项目数）"
    assert flags.count_label("approval_red").endswith("（事项数）")
    labels_ = [flags.count_label(k) for k in flags.LIST_KEYS]
    assert len(set(labels_)) == len(labels_)


# ---- pages: same label, same number; links that ask for what does not exist -----------------
def _app(page: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / f"{page}.py"), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _cards(at: AppTest) -> dict[str, str]:
    md = "\n".join(m.value for m in at.markdown)
    return dict(re.findall(r"<span>([^<]+)</span><b>([\d,]+)</b>", md))


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_same_count_label_same_number_on_overview_alerts_and_quarterly(region, region_env):
    m = region_env(region)
    month = m.latest_month()
    counts = m.flag_counts(month)
    ov = _cards(_app("overview"))
    al = _cards(_app("alerts"))
    for k in flags.ALERT_KEYS:
        lab = flags.count_label(k)
        assert ov[lab] == al[lab] == f"{counts[k]:,}", (k, ov.get(lab), al.get(lab))
    stalled = m.flag("step_stalled", month)
    assert counts["step_stalled"] == stalled.height  # 事项: steps
    assert counts["approval_over_12m"] == m.flag("approval_over_12m", month)["project_id"].n_unique()
    ap = _app("approvals")
    got = {mt.label: mt.value for mt in ap.metric}
    assert got[flags.count_label("step_stalled")] == f"{counts['step_stalled']:,}"
    assert got[flags.count_label("approval_over_12m")] == f"{counts['approval_over_12m']:,}"
    fu = _app("funnel")  # the funnel's started-after-12-months count has a label of its own
    assert not any(mt.label.startswith(flags.LABELS["approval_over_12m"]) for mt in fu.metric)


def test_link_to_a_month_or_unit_that_does_not_exist_says_so(region_env):
    m = region_env("jiangyin")
    at = _app("overview", {"month": "2019-01", "unit": "BOGUS"})
    warn = " ".join(w.value for w in at.warning)
    assert "2019-01" in warn and "不存在" in warn
    assert "BOGUS" in warn and "镇街" in warn
    assert at.selectbox(key="w_month").value == m.latest_month()
    assert at.multiselect(key="w_unit").value == []
    # a unit given by its name is understood
    at = _app("overview", {"unit": "璜土镇"})
    assert at.multiselect(key="w_unit").value == ["320281100"]
    assert not at.warning


def test_changzhou_map_title_names_its_units(region_env):
    region_env("changzhou")
    at = _app("map")
    assert at.title[0].value == "辖市区热力"
    region_env("jiangyin")
    assert _app("map").title[0].value == "镇街热力"


def test_drill_down_choice_is_in_the_url(region_env):
    m = region_env("jiangyin")
    at = _app("funnel")
    at.selectbox(key="fun_pick").set_value("reached:started")
    at.run()
    assert at.query_params["fun_pick"] in ("reached:started", ["reached:started"])
    # a link carrying the choice opens the same list
    at2 = _app("funnel", {"fun_pick": "reached:started"})
    assert at2.selectbox(key="fun_pick").value == "reached:started"
    n = m.project_list(m.latest_month(), reached_rank=labels.STAGE_ORDER.index("started")).height
    assert any(f"共 {n:,} 个" in md.value for md in at2.markdown)


def test_unknown_page_dialog_is_put_into_chinese_on_every_page_and_the_login(region_env, app_user):
    """Streamlit's English not-found dialog has no language setting: every page run and the
    login page carry the script that replaces its two texts (the browser test sees it work)."""
    region_env("jiangyin")

    def scripts(at):
        return [h.proto.body for h in at.get("html")]

    want = labels.SCREEN_TEXT["bad_page"].encode("unicode_escape").decode()
    for role in ("leader", None):  # a page, then the login page
        app_user.role = role
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.run()
        assert not at.exception
        js = [b for b in scripts(at) if "Page not found" in b]
        assert len(js) >= 1 and (labels.SCREEN_TEXT["bad_page"] in js[0] or want in js[0]), js
    assert at.button(key="FormSubmitter:lc_login-登录") is not None  # it was the login page


def test_uploader_text_is_chinese(region_env, app_user):
    region_env("jiangyin")
    app_user.role = "publisher"  # 数据管理 is the publisher's page
    at = _app("data")
    assert labels.SCREEN_TEXT["upload_hint"] in [c.value for c in at.caption]
    from lifecycle.ui.page import BIG_SCREEN_CSS

    assert "选择文件" in BIG_SCREEN_CSS and "stFileUploaderDropzoneInstructions" in BIG_SCREEN_CSS


def test_filtered_download_is_named_after_the_slice(region_env):
    region_env("jiangyin")
    at = _app("rankings", {"unit": "320281100"})
    assert at.session_state["_lc_slice_text"] == "璜土镇"


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_presentation_mode_and_pack_show_the_field_rank_of_a_filtered_unit(region, region_env):
    """The issue's example: 钟楼区 (3rd) showed 综合排名 1 in presentation mode when filtered."""
    from lifecycle.outputs import pack

    m = region_env(region)
    as_of = m.latest_month()
    quarter = m.quarters()[-1]
    field = m.ranking(m.quarter_as_of(quarter))
    row = field.filter(pl.col("score").is_not_null()).sort("rank").row(-1, named=True)  # the last ranked
    code = row["unit_code"]
    at = _app("quarterly", {"unit": code, "present": "1", "quarter": quarter})
    got = {mt.label: mt.value for mt in at.metric}
    assert got["综合排名（名）"] == str(row["rank"])
    # the pack's ranking section and township pages read the same source (outputs/pack.py: m.ranking)
    assert "m.ranking(as_of, sl)" in Path(pack.__file__).read_text(encoding="utf-8")
    rk = m.ranking(m.quarter_as_of(quarter), Slice(units=(code,)))
    assert rk["rank"].to_list() == [row["rank"]]
    assert as_of >= m.quarter_as_of(quarter)


def test_map_zooms_to_the_filtered_unit_and_neighbouring_labels_do_not_overprint():
    from lifecycle.present import maps

    reg = region_of("jiangyin")
    units = pl.DataFrame({"unit_code": list(reg.units), "value": [1.0] * len(reg.units),
                          "value_text": ["1"] * len(reg.units)})
    whole = maps.build_deck("jiangyin", units, "测试")
    code = next(c for c, u in reg.units.items() if u.name == "璜土镇")
    one = maps.build_deck("jiangyin", units, "测试", focus=[code])
    assert one.initial_view_state.zoom > whole.initial_view_state.zoom + 1
    assert abs(one.initial_view_state.longitude - reg.units[code].lng) < 0.05
    # the pairs the issue saw overprinted get different label offsets
    layer = next(lay for lay in whole.layers if lay.id == "unit_labels")
    off = {d["name"]: tuple(d["offset"]) for d in layer.data}
    for a, b in (("临港经济开发区", "申港街道"), ("月城镇", "月城园区"), ("青阳镇", "青阳园区"), ("高新区", "周庄镇")):
        if a in off and b in off:
            pa, pb = reg.units[reg.resolve_unit(a)], reg.units[reg.resolve_unit(b)]
            if abs(pa.lng - pb.lng) < 0.05 and abs(pa.lat - pb.lat) < 0.02:
                assert off[a] != off[b], (a, b)
