"""Pure pydeck builder for the township map (docs/domain.md §8 view 4). No Streamlit, no internet.

The map draws, with no basemap and no tiles (`map_provider=None`):
- the county/district outlines of the region (`reference.county_geojson`, GCJ-02);
- the drill-down units coloured and sized by a chosen measure: as township polygons when an
  official GeoJSON was dropped into `data/reference` (`reference.official_township_geojson`),
  otherwise as circles at the approximate unit positions shipped with the region;
- the projects as points sized by total investment, laid out on a small golden-angle spiral
  around their unit's position (positions are schematic: projects carry no coordinates);
- Chinese tooltips (one pre-rendered plain-text `tip` field per object, shown by deck.gl as text:
  no HTML is built, so a project name can never inject markup).
"""
from __future__ import annotations

import math

import polars as pl
import pydeck as pdk

from lifecycle.domain import labels, reference
from lifecycle.present.charts import FONT_FAMILY, STAGE_COLORS

# Sequential ramp (light -> dark blue) for the measure; grey for "no value".
RAMP = [(239, 243, 255), (198, 219, 239), (158, 202, 225), (107, 174, 214), (49, 130, 189), (8, 81, 156)]
NO_VALUE = (200, 200, 200)
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
POINTS_PER_UNIT = 250  # project points drawn per unit: its largest in-library projects
CODE_PROPS = ("code9", "township_code", "code", "adcode", "unit_code")


def ramp_color(v: float | None, lo: float, hi: float, alpha: int = 210) -> list[int]:
    """Colour of value v on [lo, hi] along RAMP (linear interpolation); grey for None."""
    if v is None:
        return [*NO_VALUE, alpha]
    t = 0.0 if hi <= lo else min(1.0, max(0.0, (v - lo) / (hi - lo)))
    x = t * (len(RAMP) - 1)
    i = min(int(x), len(RAMP) - 2)
    f = x - i
    c = [round(RAMP[i][k] + (RAMP[i + 1][k] - RAMP[i][k]) * f) for k in range(3)]
    return [*c, alpha]


def _hex_rgb(h: str) -> list[int]:
    h = h.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)]


def _coords(geom: dict):
    t = geom.get("type")
    cs = geom.get("coordinates") or []
    if t == "Polygon":
        for ring in cs:
            yield from ring
    elif t == "MultiPolygon":
        for poly in cs:
            for ring in poly:
                yield from ring


def bounds(geojson: dict) -> tuple[float, float, float, float]:
    """(min_lng, min_lat, max_lng, max_lat) of a FeatureCollection of polygons."""
    xs, ys = [], []
    for f in geojson.get("features", []):
        for x, y in _coords(f.get("geometry") or {}):
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def view_for(b: tuple[float, float, float, float], width_px: int = 560, height_px: int = 600) -> pdk.ViewState:
    """A view state that fits the bounds in a width × height viewport (web-Mercator zoom)."""
    x0, y0, x1, y1 = b
    lng, lat = (x0 + x1) / 2, (y0 + y1) / 2
    span_x = max(x1 - x0, 1e-3)
    span_y = max(y1 - y0, 1e-3) / math.cos(math.radians(lat))
    # deck.gl's web-Mercator world is 512 px wide at zoom 0
    zoom = min(math.log2(360 * width_px / (512 * span_x)), math.log2(360 * height_px / (512 * span_y))) - 0.15
    return pdk.ViewState(longitude=lng, latitude=lat, zoom=round(zoom, 2), pitch=0, bearing=0)


def spiral_positions(projects: pl.DataFrame, centers: dict[str, tuple[float, float]], radius_deg: float) -> pl.DataFrame:
    """Schematic positions of projects around their unit's centre: the k-th largest project of
    a unit (k = 0, 1, …) sits at angle k·golden-angle and radius radius_deg·sqrt(k / n).
    Adds columns lng, lat; projects of a unit without a position are dropped."""
    if projects.is_empty():
        return projects.with_columns(pl.lit(None, pl.Float64).alias("lng"), pl.lit(None, pl.Float64).alias("lat"))
    cen = pl.DataFrame(
        {"unit_code": list(centers), "c_lng": [c[0] for c in centers.values()], "c_lat": [c[1] for c in centers.values()]},
        schema={"unit_code": pl.String, "c_lng": pl.Float64, "c_lat": pl.Float64},
    )
    d = projects.join(cen, on="unit_code", how="inner")
    k = (pl.col("total_investment_wan").fill_null(0).rank("ordinal", descending=True).over("unit_code") - 1).cast(pl.Float64)
    n = pl.len().over("unit_code").cast(pl.Float64)
    r = radius_deg * (k / n).sqrt()
    a = k * GOLDEN_ANGLE
    return d.with_columns(
        (pl.col("c_lng") + r * a.cos() / math.cos(math.radians(31.8))).alias("lng"),
        (pl.col("c_lat") + r * a.sin()).alias("lat"),
    ).drop("c_lng", "c_lat")


def _unit_of_feature(props: dict, reg: reference.Region) -> str | None:
    for p in CODE_PROPS:
        v = props.get(p)
        if v is None:
            continue
        v = str(v)
        if v in reg.units:
            return v
        if v in reg.unit_of:
            return reg.unit_of[v]
        if len(v) == 12 and v[:9] in reg.unit_of:  # 12-digit statistical code
            return reg.unit_of[v[:9]]
    name = props.get("name")
    if name:
        return reg.resolve_unit(str(name))
    return None


def _tip(title: str, lines: list[str]) -> str:
    """Plain text (deck.gl's `text` tooltip shows it literally; line breaks are kept)."""
    return "\n".join([str(title), *map(str, lines)])


def label_offsets(pts: list[dict], near_deg: float) -> list[list[int]]:
    """Pixel offsets of the unit labels so that neighbours do not overprint: a label goes above
    its point unless a label already placed above lies within `near_deg` (roughly the width of
    a label at the initial zoom), then below, then to the right."""
    placed: list[tuple[float, float, int]] = []
    out = []
    for p in sorted(range(len(pts)), key=lambda i: (-pts[i]["lat"], pts[i]["lng"])):
        x, y = pts[p]["lng"], pts[p]["lat"]
        used = {slot for (px, py, slot) in placed if abs(px - x) < near_deg and abs(py - y) < near_deg * 0.45}
        slot = next((k for k in range(4) if k not in used), 0)
        placed.append((x, y, slot))
        out.append((p, slot))
    offsets = [[0, -16], [0, 18], [0, -40], [0, 42]]
    res: list[list[int]] = [[0, -16]] * len(pts)
    for p, slot in out:
        res[p] = offsets[slot]
    return res


def build_deck(region_key: str, units: pl.DataFrame, measure_label: str, projects: pl.DataFrame | None = None,
               township_geojson: dict | None = None, use_official: bool = True, height_px: int = 620,
               focus: list[str] | None = None, width_px: int = 760) -> pdk.Deck:
    """The township map.

    units: one row per unit with columns unit_code, value (the measure, float or None),
      value_text (how the value is written in the tooltip) and optionally `extra` (more
      tooltip text). Units missing from the frame are drawn grey.
    projects: optional, columns project_id, name, unit_code, total_investment_wan, stage.
    township_geojson: official township polygons; by default looked up in data/reference.
    focus: unit codes to zoom to (the sidebar's unit filter); None = the whole region.
    """
    reg = reference.region(region_key)
    county = reference.county_geojson(region_key)
    if township_geojson is None and use_official:
        township_geojson = reference.official_township_geojson(region_key)
    cb = bounds(county)
    ux = [u.lng for u in reg.units.values()]
    uy = [u.lat for u in reg.units.values()]
    b = (min(cb[0], *ux), min(cb[1], *uy), max(cb[2], *ux), max(cb[3], *uy))  # units may lie outside
    span_km = (b[2] - b[0]) * 111 * math.cos(math.radians((b[1] + b[3]) / 2))
    rows = {r["unit_code"]: r for r in units.to_dicts()} if not units.is_empty() else {}
    vals = [r["value"] for r in rows.values() if r.get("value") is not None]
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 0.0)

    def unit_tip(code: str) -> str:
        u = reg.units[code]
        r = rows.get(code, {})
        lines = [f"{measure_label}：{r.get('value_text', '—')}"]
        if r.get("extra"):
            lines.append(str(r["extra"]))
        return _tip(f"{u.name}（{u.kind}）", lines)

    layers = []
    county_feats = []
    for f in county["features"]:
        county_feats.append({**f, "tip": _tip(f["properties"]["name"], [labels.VIEW_TEXT["county_outline"]]),
                             "properties": {**f["properties"], "tip": _tip(f["properties"]["name"], [labels.VIEW_TEXT["county_outline"]])}})
    layers.append(pdk.Layer(
        "GeoJsonLayer", id="county", data={"type": "FeatureCollection", "features": county_feats},
        stroked=True, filled=True, get_fill_color=[246, 244, 238, 255], get_line_color=[90, 90, 90, 255],
        line_width_min_pixels=2, pickable=False,
    ))

    if township_geojson:
        feats = []
        for f in township_geojson.get("features", []):
            props = f.get("properties") or {}
            code = _unit_of_feature(props, reg)
            v = rows.get(code, {}).get("value") if code else None
            tip = unit_tip(code) if code else _tip(str(props.get("name", "")), ["（未匹配到本地区单元）"])
            feats.append({**f, "tip": tip,
                          "properties": {**props, "unit_code": code, "fill": ramp_color(v, lo, hi, 200), "tip": tip}})
        layers.append(pdk.Layer(
            "GeoJsonLayer", id="townships", data={"type": "FeatureCollection", "features": feats},
            stroked=True, filled=True, get_fill_color="properties.fill", get_line_color=[255, 255, 255, 255],
            line_width_min_pixels=1, pickable=True, auto_highlight=True,
        ))

    max_r = span_km * 1000 * (0.05 if region_key == "jiangyin" else 0.07)
    min_r = max_r * 0.35
    pts = []
    for code, u in reg.units.items():
        v = rows.get(code, {}).get("value")
        frac = 0.0 if (v is None or hi <= lo) else (v - lo) / (hi - lo)
        pts.append({
            "unit_code": code, "name": u.name, "lng": u.lng, "lat": u.lat,
            "radius": min_r + (max_r - min_r) * math.sqrt(max(frac, 0.0)),
            "color": ramp_color(v, lo, hi, 90 if township_geojson else 215),
            "tip": unit_tip(code),
        })
    if not township_geojson:
        layers.append(pdk.Layer(
            "ScatterplotLayer", id="units", data=pts, get_position=["lng", "lat"], get_radius="radius",
            get_fill_color="color", get_line_color=[40, 40, 40, 200], stroked=True, line_width_min_pixels=1,
            pickable=True, auto_highlight=True, radius_units=pdk.types.String("meters"),
        ))

    if projects is not None and not projects.is_empty():
        jitter = 0.012 if region_key == "jiangyin" else 0.03
        centers = {c: (u.lng, u.lat) for c, u in reg.units.items()}
        p = spiral_positions(projects, centers, jitter)
        pdata = []
        for r in p.select("project_id", "name", "unit_code", "total_investment_wan", "stage", "lng", "lat").to_dicts():
            inv = r["total_investment_wan"] or 0.0
            stage = r["stage"] or "intent"
            pdata.append({
                "lng": r["lng"], "lat": r["lat"], "unit_code": r["unit_code"], "project_id": r["project_id"],
                "radius": (30 + 45 * math.sqrt(inv / 10000.0)) * (1 if region_key == "jiangyin" else 2),
                "color": [*_hex_rgb(STAGE_COLORS.get(stage, "#999999")), 230],
                "tip": _tip(r["name"], [f"项目编号：{r['project_id']}", f"总投资：{inv / 10000:,.2f} 亿元",
                                         f"当前阶段：{labels.STAGES.get(stage, stage)}",
                                         f"{reg.unit_word}：{reg.units[r['unit_code']].name}"]),
            })
        layers.append(pdk.Layer(
            "ScatterplotLayer", id="projects", data=pdata, get_position=["lng", "lat"], get_radius="radius",
            get_fill_color="color", get_line_color=[255, 255, 255, 220], stroked=True, line_width_min_pixels=0.5,
            pickable=True, radius_units=pdk.types.String("meters"), radius_min_pixels=2,
        ))

    near = (b[2] - b[0]) / 9 if region_key == "jiangyin" else (b[2] - b[0]) / 14
    for p_, off in zip(pts, label_offsets(pts, near)):
        p_["offset"] = off
    layers.append(pdk.Layer(
        "TextLayer", id="unit_labels", data=pts, get_position=["lng", "lat"], get_text="name",
        get_size=15, size_units=pdk.types.String("pixels"), get_color=[20, 20, 20, 255],
        # literal strings must be wrapped, or pydeck turns them into "@@=" expressions
        character_set=pdk.types.String("".join(sorted({ch for p in pts for ch in p["name"]}))),
        font_family=pdk.types.String(FONT_FAMILY), get_pixel_offset="offset", background=True,
        get_background_color=[255, 255, 255, 190], background_padding=[3, 1], pickable=False,
    ))
    return pdk.Deck(
        layers=layers,
        initial_view_state=view_for(_focus_bounds(reg, focus) or b, width_px=width_px, height_px=height_px),
        # No basemap at all: with map_provider=None pydeck writes the "__MAP_STYLE__" placeholder,
        # which Streamlit's frontend treats as "no map style" (map_style=None would make it
        # fetch the Carto basemap from the internet).
        map_provider=None,
        tooltip={"text": "{tip}", "style": {"whiteSpace": "pre-line", "fontSize": "15px", "backgroundColor": "#ffffff", "color": "#222",
                                            "border": "1px solid #999", "fontFamily": FONT_FAMILY}},
    )


def points_note(shown: int, in_library: int, unit_word: str) -> str:
    """The caption line saying which project points the map draws."""
    if shown >= in_library:
        return ""
    return (f"地图显示每个{unit_word}总投资最大的至多 {POINTS_PER_UNIT} 个在库项目点位"
            f"（共 {shown:,} 个，在库项目共 {in_library:,} 个）；完整清单见下方明细。")


def _focus_bounds(reg, focus: list[str] | None):
    """Bounds around the focused units (with a margin of ~4 km), or None for the whole region."""
    pts = [(reg.units[c].lng, reg.units[c].lat) for c in (focus or []) if c in reg.units]
    if not pts:
        return None
    pad = 0.04
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


def source_text(region_key: str, township_geojson: dict | None = None) -> str:
    """Where the unit shapes/positions come from, for the map caption."""
    reg = reference.region(region_key)
    if township_geojson is None:
        township_geojson = reference.official_township_geojson(region_key)
    if township_geojson:
        return f"{reg.unit_word}边界取自 data/reference/townships_{region_key}.geojson"
    if region_key == "jiangyin":
        return f"{reg.unit_word}位置为人工标注的近似点位（±3公里）"
    return f"{reg.unit_word}位置为区县几何中心，常州经开区为人工标注点位"


RATE_KEYS = list(labels.RATES)


def unit_measures(region_key: str, unit_stage: pl.DataFrame, unit_month: pl.DataFrame, month: str,
                  rates_by_unit: dict, unit_ops: pl.DataFrame, unit_codes: list[str] | None = None) -> pl.DataFrame:
    """One row per unit of the region (or of `unit_codes`) with every measure the map can be
    coloured by (labels.MAP_MEASURES), from the metrics API's results:
    in_library / total_investment_wan  = Σ of `Metrics.unit_stage` over stages,
    year_done_wan                      = `Metrics.unit_month` at `month`,
    <rate> (+ _num, _den)              = `Metrics.rates(group_by='unit_code')`,
    tax_per_mu                         = tax_12m_wan / land_mu of `Metrics.unit_operations`."""
    reg = reference.region(region_key)
    codes = unit_codes or list(reg.units)
    base = pl.DataFrame({"unit_code": codes, "unit_name": [reg.units[c].name for c in codes]})
    st_agg = (unit_stage.group_by("unit_code")
              .agg(pl.col("count").sum().cast(pl.Int64).alias("in_library"),
                   pl.col("investment_wan").sum().alias("total_investment_wan"))
              if not unit_stage.is_empty() else
              pl.DataFrame(schema={"unit_code": pl.String, "in_library": pl.Int64, "total_investment_wan": pl.Float64}))
    um = (unit_month.filter(pl.col("snapshot_month") == month).select("unit_code", "year_done_wan")
          if not unit_month.is_empty() else pl.DataFrame(schema={"unit_code": pl.String, "year_done_wan": pl.Float64}))
    ops = (unit_ops.select("unit_code", "tax_12m_wan", "land_mu") if not unit_ops.is_empty() else
           pl.DataFrame(schema={"unit_code": pl.String, "tax_12m_wan": pl.Float64, "land_mu": pl.Float64}))
    rate_rows = []
    for c in codes:
        r = rates_by_unit.get(c) or {}
        row = {"unit_code": c}
        for k in RATE_KEYS:
            v = r.get(k) or {}
            row[k] = v.get("rate")
            row[f"{k}_num"] = float(v.get("numerator") or 0)
            row[f"{k}_den"] = float(v.get("denominator") or 0)
        rate_rows.append(row)
    rates = pl.DataFrame(rate_rows, schema={"unit_code": pl.String, **{
        c: pl.Float64 for k in RATE_KEYS for c in (k, f"{k}_num", f"{k}_den")}})
    out = (base.join(st_agg, on="unit_code", how="left").join(um, on="unit_code", how="left")
           .join(rates, on="unit_code", how="left").join(ops, on="unit_code", how="left"))
    return out.with_columns(
        pl.col("in_library").fill_null(0),
        pl.col("total_investment_wan").fill_null(0.0),
        pl.col("year_done_wan").fill_null(0.0),
        pl.when(pl.col("land_mu") > 0).then(pl.col("tax_12m_wan") / pl.col("land_mu")).otherwise(None).alias("tax_per_mu"),
    )


def value_text(measure: str, row: dict) -> str:
    """How a unit's value of `measure` is written in the tooltip and the table."""
    v = row.get(measure)
    if v is None:
        return "—"
    if measure in labels.RATES:
        num, den = row.get(f"{measure}_num") or 0, row.get(f"{measure}_den") or 0
        if measure == "investment_rate":
            return f"{v * 100:.1f}%（{num / 10000:,.2f}/{den / 10000:,.2f}亿元）"
        return f"{v * 100:.1f}%（{num:,.0f}/{den:,.0f}）"
    if measure.endswith("_wan"):
        return f"{v / 10000:,.2f}亿元"
    if measure == "tax_per_mu":
        return f"{v:,.2f}万元/亩"
    return f"{v:,}个"


def legend_html(measure_label: str, lo_text: str, hi_text: str, points: bool = True) -> str:
    """A small HTML legend for the map: the measure's colour ramp and (`points`) the stage colours
    of the project points."""
    ramp = ", ".join(f"rgb{c}" for c in RAMP)
    stages = "".join(
        f"<span style='display:inline-block;margin-right:10px'><span style='display:inline-block;width:12px;height:12px;"
        f"border-radius:6px;background:{STAGE_COLORS[s]};margin-right:4px;vertical-align:-1px'></span>{labels.STAGES[s]}</span>"
        for s in labels.STAGE_ORDER
    )
    return (
        f"<div style='font-size:15px;line-height:1.9'>"
        f"<b>{measure_label}</b>：{lo_text} <span style='display:inline-block;width:160px;height:12px;"
        f"background:linear-gradient(to right, {ramp});vertical-align:-1px;border:1px solid #ccc'></span> {hi_text}"
        + (f"<br/><b>项目点位（颜色=当前阶段，大小=总投资）</b>：{stages}" if points else "") + "</div>"
    )


# ---- 现有产业布局 layer (issue 19; docs/domain.md §16.6) ---------------------------------------
def chain_order(layout: pl.DataFrame) -> list[str]:
    """The industry chains of `Metrics.industry_layout`, most projects first (未填报 last)."""
    if layout.is_empty():
        return []
    unfilled = labels.INDUSTRY_LAYOUT_TEXT["unfilled"]
    tot = (layout.group_by("industry_chain").agg(pl.col("project_count").sum().alias("n"))
           .with_columns((pl.col("industry_chain") == unfilled).alias("last"))
           .sort(["last", "n", "industry_chain"], descending=[False, True, False]))
    return tot["industry_chain"].to_list()


def industry_unit_frame(layout: pl.DataFrame, chain: str | None, value: str, unit_codes: list[str]) -> pl.DataFrame:
    """The map's unit frame (unit_code, value, value_text, extra) for one industry chain:
    `value` = 'project_count' or 'investment_yi'; a unit without projects of the chain has 0."""
    rows = {}
    if chain is not None and not layout.is_empty():
        rows = {r["unit_code"]: r for r in layout.filter(pl.col("industry_chain") == chain).to_dicts()}
    out = []
    for c in unit_codes:
        r = rows.get(c) or {}
        n, yi = int(r.get("project_count") or 0), float(r.get("investment_yi") or 0.0)
        v = float(n) if value == "project_count" else yi
        text = f"{n:,}个" if value == "project_count" else f"{yi:,.2f}亿元"
        out.append({"unit_code": c, "value": v, "value_text": text,
                    "extra": f"{chain or ''}：在库项目 {n:,} 个 · 总投资 {yi:,.2f} 亿元"})
    return pl.DataFrame(out, schema={"unit_code": pl.String, "value": pl.Float64, "value_text": pl.String,
                                     "extra": pl.String})
