"""Reference data shipped in `data/reference` and the two regions of docs/domain.md §7.

A *region* is configuration: which townships belong to it, how townships roll up into the
drill-down units (Jiangyin: the 21 township-level units themselves; Changzhou: 辖市区 with
常州经开区 as its own unit), unit positions/shapes for the map, and the default thresholds.

Every project stores a real 9-digit NBS `township_code`; the drill-down `unit_code` is derived
from it through the region's mapping, so one data model serves both systems.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lifecycle.domain.config import REFERENCE_DIR


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    county_code: str
    county_name: str
    kind: str  # 街道 | 镇 | 园区


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    lng: float
    lat: float


@dataclass(frozen=True)
class Region:
    key: str
    name: str  # 江阴市
    system: str  # 全生命周期管理平台 | 亿元项目库
    unit_word: str  # 镇街园区 | 辖市区
    county_codes: tuple[str, ...]
    admin_code: str  # registering authority code used in demo project codes
    townships: dict[str, Township] = field(default_factory=dict)
    unit_of: dict[str, str] = field(default_factory=dict)  # township code -> unit code
    units: dict[str, Unit] = field(default_factory=dict)

    def unit_for(self, township_code: str) -> str | None:
        return self.unit_of.get(township_code)

    def resolve_township(self, text: str) -> str | None:
        """A township or unit code, or a township name, to a 9-digit township code.
        Returns None for an unknown name (never invents one)."""
        return _code_or_name(self.townships, text)

    def resolve_unit(self, text: str) -> str | None:
        """A unit code, unit name, township code or township name to a unit code."""
        code = _code_or_name(self.units, text)
        if code is not None:
            return code
        tw = self.resolve_township(text)
        return self.unit_of.get(tw) if tw else None


def _read_csv(name: str) -> list[dict]:
    with open(REFERENCE_DIR / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _kind(code9: str, name: str) -> str:
    d = code9[6]
    if d == "0":
        return "街道"
    if d in "123":
        return "镇"
    return "园区"


@lru_cache(maxsize=1)
def all_townships() -> dict[str, Township]:
    out = {}
    for r in _read_csv("townships_nbs2023_jiangyin_changzhou.csv"):
        out[r["code9"]] = Township(
            r["code9"], r["name"], r["county_code"], r["county_name"], _kind(r["code9"], r["name"])
        )
    return out


@lru_cache(maxsize=1)
def county_centers() -> dict[str, tuple[str, float, float]]:
    return {
        r["adcode"]: (r["name"], float(r["centroid_lng"]), float(r["centroid_lat"]))
        for r in _read_csv("counties_jiangyin_changzhou_centers_gcj02.csv")
    }


@lru_cache(maxsize=1)
def industry_sections() -> dict[str, str]:
    return {r["section"]: r["name_zh"] for r in _read_csv("gbt4754_2017_sections.csv")}


@lru_cache(maxsize=1)
def industry_divisions() -> dict[str, tuple[str, str]]:
    return {r["division"]: (r["section"], r["name_zh"]) for r in _read_csv("gbt4754_2017_divisions.csv")}


# 常州经开区 (Changzhou Economic Development Zone) administers these former 武进区 townships.
CHANGZHOU_JKQ_CODE = "CZJKQ"
CHANGZHOU_JKQ_TOWNSHIPS = {
    "320412001",  # 戚墅堰街道
    "320412002",  # 丁堰街道
    "320412003",  # 潞城街道
    "320412104",  # 遥观镇
    "320412105",  # 横林镇
    "320412106",  # 横山桥镇
}
# Units that never host investment projects (prisons listed among NBS township-level units).
EXCLUDED_TOWNSHIPS = {"320481400", "320481401"}


def _jiangyin() -> Region:
    tws = {c: t for c, t in all_townships().items() if t.county_code == "320281"}
    pos = {r["code9"]: (float(r["lng"]), float(r["lat"])) for r in _read_csv("jiangyin_unit_positions_approx.csv")}
    units = {}
    for c, t in tws.items():
        lng, lat = pos[c]
        units[c] = Unit(c, t.name, t.kind, lng, lat)
    return Region(
        key="jiangyin",
        name="江阴市",
        system="重大项目全生命周期管理平台",
        unit_word="镇街园区",
        county_codes=("320281",),
        admin_code="320281",
        townships=tws,
        unit_of={c: c for c in tws},
        units=units,
    )


def _changzhou() -> Region:
    counties = ("320402", "320404", "320411", "320412", "320413", "320481")
    tws = {
        c: t
        for c, t in all_townships().items()
        if t.county_code in counties and c not in EXCLUDED_TOWNSHIPS
    }
    centers = county_centers()
    names = {"320411": "新北区（常州高新区）"}
    units = {}
    for cc in counties:
        nm, lng, lat = centers[cc]
        units[cc] = Unit(cc, names.get(cc, nm), "辖市区", lng, lat)
    units[CHANGZHOU_JKQ_CODE] = Unit(CHANGZHOU_JKQ_CODE, "常州经开区", "园区", 120.085, 31.745)
    unit_of = {
        c: (CHANGZHOU_JKQ_CODE if c in CHANGZHOU_JKQ_TOWNSHIPS else t.county_code) for c, t in tws.items()
    }
    return Region(
        key="changzhou",
        name="常州市",
        system="亿元项目库“招推服”一体化",
        unit_word="辖市区",
        county_codes=counties,
        admin_code="320400",
        townships=tws,
        unit_of=unit_of,
        units=units,
    )


@lru_cache(maxsize=4)
def region(key: str) -> Region:
    if key == "jiangyin":
        return _jiangyin()
    if key == "changzhou":
        return _changzhou()
    raise KeyError(f"未知地区：{key}（可选 jiangyin、changzhou）")


REGION_KEYS = ("jiangyin", "changzhou")


def county_geojson(region_key: str) -> dict:
    """County/district outlines of the region (GCJ-02), from the shipped DataV file."""
    reg = region(region_key)
    with open(REFERENCE_DIR / "counties_jiangyin_changzhou_gcj02.geojson", encoding="utf-8") as fh:
        gj = json.load(fh)
    feats = [f for f in gj["features"] if str(f["properties"]["adcode"]) in reg.county_codes]
    return {"type": "FeatureCollection", "features": feats}


def official_township_geojson(region_key: str) -> dict | None:
    """An official township GeoJSON dropped into data/reference, if present.

    Looked up as `townships_<region>.geojson`; each feature needs a property holding the
    9-digit code (`code9`, `code`, `adcode` or `township_code`) or the unit code."""
    p: Path = REFERENCE_DIR / f"townships_{region_key}.geojson"
    if not p.exists():
        return None
    with open(p, encoding="utf-8") as fh:
        return json.load(fh)


def units_table(region_key: str) -> list[dict]:
    """Rows township_code, township_name, unit_code, unit_name for the region (SQL join table)."""
    reg = region(region_key)
    return [
        {
            "township_code": c,
            "township_name": t.name,
            "unit_code": reg.unit_of[c],
            "unit_name": reg.units[reg.unit_of[c]].name,
        }
        for c, t in sorted(reg.townships.items())
    ]


def _code_or_name(places: dict, text: str | None) -> str | None:
    """The code of the place in `places` (code → object with .code and .name) that `text` gives by
    its code or its exact name; None for an unknown text (never invents one)."""
    t = (text or "").strip()
    if t in places:
        return t
    return next((p.code for p in places.values() if p.name == t), None)
