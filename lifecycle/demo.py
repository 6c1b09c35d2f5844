"""Deterministic demo data: a project library an official of either region would recognise,
published as monthly snapshots through the same atomic `Store.publish` that real imports use.

Method: draw each project's whole "true" history once (numpy, seeded), then materialise every
monthly snapshot by masking what was not yet known at the end of that month (Polars
expressions, vectorised; no per-project Python loop in the time model). Same seed -> same
parquet bytes.

The parameters (region scale, size mix, stage durations, approval promises, plan habits, exits,
operations ratios) and the public figures or reasoning behind them are in docs/calibration.md.
Delays carry real signal for forecasting: durations depend on the industry chain, the tier,
new vs upgrade (技改), the unit (a fixed per-region effect) and a per-project frailty shared by
all stages, so a project that is late in one stage tends to be late in the next.
"""
from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from lifecycle.domain import ids, reference
from lifecycle.domain.calendar import last_full_month, month_end, month_range
from lifecycle.domain.labels import APPROVAL_STEPS, PROBLEM_KINDS
from lifecycle.store.snapshots import Store

EPOCH = dt.date(1970, 1, 1)
MONTH_DAYS = 30.4375
# months of library history before the first published snapshot: long enough for the whole
# life of a large project (signing -> capacity -> exit), so the first snapshot is in steady state
HISTORY_MONTHS = 60

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
WORDS = ["华澄", "新源", "恒瑞", "远景", "海澜", "兴达", "中信", "长江", "天润", "金鼎", "博远", "盛和", "瑞丰", "宏图",
         "永泰", "星辰", "鼎力", "汇通", "凯特", "明德", "润达", "东方", "锦程", "华宏", "嘉禾", "骏马", "立信", "晶澳"]
DEPTS = {
    "立项/核准备案": "发改委",
    "用地预审与选址": "资规局",
    "建设用地规划许可": "资规局",
    "工程规划许可": "资规局",
    "环评": "生态环境局",
    "能评": "发改委",
    "安评": "应急管理局",
    "施工许可": "住建局",
}


@dataclass(frozen=True)
class Chain:
    """An industry chain (产业链) and what it implies for a project of it."""

    name: str
    section: str  # GB/T 4754 门类
    divisions: tuple[str, ...]  # GB/T 4754 大类 used in project codes
    approval: float  # multiplier on filing -> start (审批开工)
    build: float  # multiplier on start -> completion
    ramp: float  # multiplier on production -> capacity (达产爬坡)
    stall: float  # multiplier on the stall / failure hazards
    output: tuple[float, float]  # designed annual output value / total investment
    tax: tuple[float, float]  # designed tax / output value
    capital_per_job: float  # 万元 of investment per job
    intensity: float  # 万元 of investment per 亩 of new land (投资强度)
    power: float  # MWh of electricity per 万元 of output value
    hazardous: bool  # 环评报告书, 安评 and 能评 needed
    products: tuple[str, ...]
    unit: str  # product unit in project names


CHAINS_INDUSTRY = [
    Chain("集成电路", "C", ("39",), 1.00, 1.40, 1.40, 1.0, (0.5, 0.9), (0.05, 0.08), 600, 900, 0.30, True,
          ("集成电路封测", "功率半导体器件", "半导体材料", "晶圆级封装"), "万片"),
    Chain("新能源", "C", ("38",), 0.90, 0.85, 0.90, 2.4, (1.2, 2.0), (0.03, 0.05), 300, 500, 0.35, True,
          ("储能电池", "光伏组件", "动力电池模组", "氢能装备"), "GWh"),
    Chain("高端装备", "C", ("34", "35", "37"), 1.00, 1.00, 1.00, 1.0, (1.5, 2.5), (0.05, 0.08), 150, 400, 0.15, False,
          ("风电零部件", "精密轴承", "船舶配套装备", "专用装备"), "台套"),
    Chain("新材料", "C", ("26", "28", "30"), 1.35, 1.10, 1.10, 1.2, (1.2, 2.2), (0.04, 0.07), 400, 500, 0.60, True,
          ("高性能复合材料", "电子化学品", "碳纤维", "特种纤维"), "吨"),
    Chain("生物医药", "C", ("27",), 1.25, 1.35, 1.60, 1.3, (0.8, 1.5), (0.08, 0.12), 250, 500, 0.15, True,
          ("生物制剂", "医疗器械", "原料药", "创新药制剂"), "万支"),
    Chain("汽车零部件", "C", ("36",), 1.00, 0.95, 1.00, 1.0, (1.5, 2.5), (0.04, 0.06), 150, 400, 0.20, False,
          ("汽车电子", "新能源汽车零部件", "汽车轻量化部件", "汽车座椅"), "万套"),
    Chain("纺织服装", "C", ("17", "18"), 0.85, 0.80, 0.80, 0.9, (2.0, 3.0), (0.03, 0.05), 80, 300, 0.20, False,
          ("高端纺织面料", "功能性纤维", "品牌服装"), "万件"),
    Chain("金属制品", "C", ("31", "32", "33"), 0.90, 0.90, 0.90, 1.0, (2.0, 3.5), (0.025, 0.045), 200, 350, 0.50, True,
          ("特种钢材", "精密金属构件", "铝合金型材", "特种焊材"), "吨"),
    Chain("节能环保", "C", ("35", "42"), 1.10, 1.00, 1.00, 1.0, (1.0, 1.6), (0.05, 0.08), 200, 400, 0.25, False,
          ("环保装备", "节能设备", "固废资源化"), "台套"),
    Chain("智能制造", "C", ("34", "40"), 0.90, 0.95, 1.00, 0.9, (1.5, 2.5), (0.05, 0.08), 150, 400, 0.10, False,
          ("工业机器人", "数控机床", "智能装备", "传感器"), "台套"),
]
CHAINS_SERVICE = [
    Chain("现代物流", "G", ("59",), 1.00, 1.00, 1.00, 1.0, (0.2, 0.4), (0.05, 0.08), 400, 700, 0.05, False,
          ("智慧物流园", "冷链物流中心"), ""),
    Chain("软件信息", "I", ("65",), 0.90, 0.90, 1.00, 0.9, (0.5, 1.0), (0.06, 0.10), 80, 1500, 0.03, False,
          ("数字产业园", "软件园"), ""),
    Chain("科技服务", "M", ("73", "75"), 1.00, 1.00, 1.20, 1.0, (0.2, 0.5), (0.05, 0.08), 100, 1200, 0.03, False,
          ("科创中心", "研发中心", "检验检测中心"), ""),
    Chain("商贸综合体", "F", ("52",), 1.10, 1.35, 1.30, 2.4, (0.1, 0.3), (0.05, 0.10), 500, 2000, 0.05, False,
          ("商业综合体", "商贸中心"), ""),
    Chain("文旅", "R", ("88", "90"), 1.20, 1.25, 1.30, 2.0, (0.1, 0.3), (0.04, 0.08), 400, 1000, 0.04, False,
          ("文旅综合体", "度假区"), ""),
    Chain("总部经济", "L", ("72",), 1.00, 1.15, 1.00, 1.0, (0.3, 0.8), (0.08, 0.15), 200, 2500, 0.03, False,
          ("区域总部大楼", "总部基地"), ""),
]
CHAINS = CHAINS_INDUSTRY + CHAINS_SERVICE

# size bands (亿元): log-uniform inside a band; band probabilities per (origin, category)
SIZE_EDGES_YI = np.array([0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 250])


@dataclass(frozen=True)
class Profile:
    """What makes a region's library look like that region's (docs/calibration.md)."""

    signings_per_month: float  # projects entering the library per month (default size)
    industry_share: float
    upgrade_share: dict[str, float]  # 技改 share by category
    intent_share: float  # share of new-investment signings that are intent-only (意向签约)
    size_p: dict[tuple[str, str], tuple[float, ...]]  # (origin, category) -> band probabilities
    chain_w: dict[str, float]
    unit_w: dict[str, float]  # drill-down unit -> weight (default 1)
    quick_start: float  # share of land-acquiring projects that start within 30 days (拿地即开工)
    joint: float  # share of completed construction projects accepted jointly (联合竣工验收)
    intensity: float  # regional factor on investment intensity
    unit_effects: dict[str, float] = field(default_factory=dict)  # unit -> fixed approval-speed factor
    unit_push: dict[str, float] = field(default_factory=dict)  # unit -> pace on 拿地即开工 / 联合竣工验收


_UPGRADE_JY = (0.42, 0.30, 0.15, 0.09, 0.03, 0.008, 0.002, 0.0, 0.0)
_UPGRADE_CZ = (0.0, 0.0, 0.60, 0.28, 0.09, 0.025, 0.005, 0.0, 0.0)
PROFILES: dict[str, Profile] = {
    # county-level city: a 重大项目 library of ~350 projects, a third of them small 技改 under 1亿
    "jiangyin": Profile(
        signings_per_month=11.5,
        industry_share=0.80,
        upgrade_share={"industry": 0.45, "service": 0.10},
        intent_share=0.10,
        size_p={
            ("new", "industry"): (0.0, 0.04, 0.30, 0.34, 0.16, 0.09, 0.05, 0.013, 0.007),
            ("upgrade", "industry"): _UPGRADE_JY,
            ("new", "service"): (0.0, 0.08, 0.30, 0.32, 0.15, 0.09, 0.05, 0.01, 0.0),
            ("upgrade", "service"): _UPGRADE_JY,
        },
        chain_w={"新材料": 0.18, "高端装备": 0.14, "金属制品": 0.12, "纺织服装": 0.10, "新能源": 0.12, "集成电路": 0.08,
                 "汽车零部件": 0.08, "生物医药": 0.05, "节能环保": 0.06, "智能制造": 0.07,
                 "现代物流": 0.22, "软件信息": 0.12, "科技服务": 0.22, "商贸综合体": 0.14, "文旅": 0.12, "总部经济": 0.18},
        unit_w={"320281400": 3.0, "320281404": 2.5, "320281403": 1.2, "320281405": 0.8, "320281406": 0.6,
                "320281107": 1.4, "320281108": 1.4, "320281109": 1.1, "320281100": 1.3, "320281104": 1.1,
                "320281103": 0.7, "320281102": 0.6, "320281001": 0.8, "320281004": 0.7, "320281005": 0.8,
                "320281007": 0.6},
        quick_start=0.12,
        joint=0.30,
        intensity=1.0,
    ),
    # prefecture city: a 亿元项目库 (all >= 1亿) of ~500 projects
    "changzhou": Profile(
        signings_per_month=17.0,
        industry_share=0.80,
        upgrade_share={"industry": 0.35, "service": 0.08},
        intent_share=0.12,
        size_p={
            ("new", "industry"): (0.0, 0.0, 0.36, 0.34, 0.16, 0.08, 0.045, 0.01, 0.005),
            ("upgrade", "industry"): _UPGRADE_CZ,
            ("new", "service"): (0.0, 0.0, 0.36, 0.32, 0.16, 0.09, 0.055, 0.015, 0.0),
            ("upgrade", "service"): _UPGRADE_CZ,
        },
        chain_w={"新能源": 0.22, "汽车零部件": 0.14, "高端装备": 0.15, "新材料": 0.14, "智能制造": 0.10, "集成电路": 0.05,
                 "生物医药": 0.06, "金属制品": 0.05, "纺织服装": 0.03, "节能环保": 0.06,
                 "现代物流": 0.20, "软件信息": 0.16, "科技服务": 0.24, "商贸综合体": 0.12, "文旅": 0.12, "总部经济": 0.16},
        unit_w={"320412": 0.27, "320411": 0.22, "320481": 0.14, "320413": 0.13, "CZJKQ": 0.10, "320402": 0.07,
                "320404": 0.07},
        quick_start=0.24,
        joint=0.42,
        intensity=0.95,
        # approval speed by district (>1 = slower), in line with their pace on 拿地即开工 and
        # 联合竣工验收 (>1 = ahead of the city's average)
        unit_effects={"320411": 0.75, "320412": 0.85, "CZJKQ": 0.9, "320413": 1.05, "320404": 1.15, "320402": 1.25,
                      "320481": 1.35},
        unit_push={"320411": 1.5, "320412": 1.25, "CZJKQ": 1.2, "320413": 0.9, "320404": 0.7, "320402": 0.6,
                   "320481": 0.6},
    ),
}
# approval steps: promised days (承诺时限, calendar), share done late, how late (median, x promise)
STEP_PROMISE = np.array([5, 28, 10, 14, 28, 28, 30, 10], dtype="float64")
STEP_LATE_P = np.array([0.03, 0.16, 0.10, 0.16, 0.22, 0.16, 0.16, 0.06])
STEP_LATE_BY = 0.25
SLOW_APPROVAL = 2.2  # an approval period this many times the typical one has a bottleneck step


def default_projects(region_key: str, months: int = 36) -> int:
    """The region's default demo size: its monthly signings over the published months plus
    the library history before them (so the last snapshot's library has the region's scale)."""
    return round(PROFILES[region_key].signings_per_month * (months + HISTORY_MONTHS))


def _days(d: dt.date) -> int:
    return (d - EPOCH).days


def _date_series(name: str, days: np.ndarray) -> pl.Series:
    """int days since epoch (NaN = missing) -> pl.Date series."""
    arr = np.asarray(days, dtype="float64")
    s = pl.Series(name, arr, dtype=pl.Float64, nan_to_null=True)
    return s.cast(pl.Int32).cast(pl.Date)


def _month_index(days: np.ndarray) -> np.ndarray:
    """days since epoch (no NaN) -> months since 1970-01."""
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[M]").astype("int64")


def _month_end_days(days: np.ndarray) -> np.ndarray:
    """days since epoch (NaN kept) -> the last day of that month."""
    d = np.asarray(days, dtype="float64")
    ok = ~np.isnan(d)
    m = _month_index(np.where(ok, d, 0))
    last = (m + 1).astype("datetime64[M]").astype("datetime64[D]").astype("int64") - 1
    return np.where(ok, last, np.nan)


def _years(days: np.ndarray) -> np.ndarray:
    return _month_index(days) // 12 + 1970


def _largest_remainder(n: int, p: np.ndarray) -> np.ndarray:
    """Counts per category summing to n, as close to n*p as integers allow."""
    p = np.asarray(p, dtype="float64") / np.sum(p)
    raw = n * p
    k = np.floor(raw).astype(np.int64)
    rest = n - k.sum()
    if rest > 0:
        order = np.argsort(-(raw - k), kind="stable")
        k[order[:rest]] += 1
    return k


def _unit_profile(region_key: str, reg) -> tuple[list[str], dict[str, float]]:
    """Unit codes (sorted) and each unit's fixed approval-speed factor: the profile's where it
    sets one, else drawn once per region from a generator keyed by the region (not by the
    seed), so the slow units are the same in every demo of that region."""
    units = sorted(reg.units)
    urng = np.random.default_rng(zlib.crc32(region_key.encode()))
    eff = np.exp(urng.normal(0.0, 0.25, len(units)))
    fixed = PROFILES[region_key].unit_effects
    return units, {u: float(fixed.get(u, e)) for u, e in zip(units, eff)}


def generate_truth(region_key: str, n: int | None, first_month: str, end_month: str, seed: int):
    """Each project's full history up to end_month. Returns (projects, approvals, operations, problems)
    as Polars frames of 'truth' (dates as pl.Date, unmasked) plus helper columns."""
    rng = np.random.default_rng(seed)
    reg = reference.region(region_key)
    prof = PROFILES[region_key]
    if n is None:
        fy, fm = int(first_month[:4]), int(first_month[5:7])
        ey, em = int(end_month[:4]), int(end_month[5:7])
        n = default_projects(region_key, (ey - fy) * 12 + em - fm + 1)
    end_d = _days(month_end(end_month))
    lib_start = _days(month_end(first_month)) - int(HISTORY_MONTHS * MONTH_DAYS)
    nan = np.full(n, np.nan)

    def U(lo, hi):
        return rng.uniform(lo, hi, n)

    def Z():
        return rng.standard_normal(n)

    # --- who and where -------------------------------------------------------------------
    units, unit_eff = _unit_profile(region_key, reg)
    tw_codes = np.array(sorted(reg.townships))
    tw_unit = np.array([reg.unit_of[t] for t in tw_codes])
    trng = np.random.default_rng(zlib.crc32((region_key + ":townships").encode()))
    tw_w = trng.gamma(2.0, 1.0, len(tw_codes))
    u_w = np.array([prof.unit_w.get(u, 1.0) for u in tw_unit])
    u_tot = {u: tw_w[tw_unit == u].sum() for u in units}
    p_tw = u_w * tw_w / np.array([u_tot[u] for u in tw_unit])
    tw_i = rng.choice(len(tw_codes), n, p=p_tw / p_tw.sum())
    township = tw_codes[tw_i]
    unit_i = np.searchsorted(np.array(units), tw_unit[tw_i])
    g_unit = np.array([unit_eff[u] for u in units])[unit_i]
    push = np.array([prof.unit_push.get(u, 1.0) for u in units])[unit_i]

    is_ind = rng.random(n) < prof.industry_share
    category = np.where(is_ind, "industry", "service")
    is_up = rng.random(n) < np.where(is_ind, prof.upgrade_share["industry"], prof.upgrade_share["service"])
    is_new = ~is_up
    origin = np.where(is_up, "upgrade", "new")
    wi = np.array([prof.chain_w[c.name] for c in CHAINS_INDUSTRY])
    ws = np.array([prof.chain_w[c.name] for c in CHAINS_SERVICE])
    ci = np.where(is_ind, rng.choice(len(CHAINS_INDUSTRY), n, p=wi / wi.sum()),
                     len(CHAINS_INDUSTRY) + rng.choice(len(CHAINS_SERVICE), n, p=ws / ws.sum()))

    def attr(a):
        return np.array([getattr(c, a) for c in CHAINS])[ci]

    chain = attr("name")
    section = attr("section")
    ch_appr, ch_build, ch_ramp, ch_stall = attr("approval"), attr("build"), attr("ramp"), attr("stall")
    hazardous = attr("hazardous")

    # --- size: stratified by (origin, category) so the tail is the same from seed to seed -----
    band = np.zeros(n, dtype=np.int64)
    for (o, c), p in prof.size_p.items():
        idx = np.where((origin == o) & (category == c))[0]
        counts = _largest_remainder(len(idx), np.array(p))
        band[idx] = rng.permutation(np.repeat(np.arange(len(p)), counts))
    lo, hi = SIZE_EDGES_YI[band], SIZE_EDGES_YI[band + 1]
    yi = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    total = np.where(yi < 10, np.round(yi * 100) * 100, np.round(yi * 10) * 1000)  # 万元: 0.01亿 / 0.1亿 steps
    nice = rng.random(n) < 0.15  # declared totals are often round numbers
    mag = 10.0 ** np.floor(np.log10(total))
    total = np.where(nice, np.maximum(np.round(total / mag * 2) / 2 * mag, mag), total)
    total = np.maximum(total, 2000.0)
    yi = total / 10000.0
    big = total >= 100000

    infra = rng.random(n) < np.where(is_new, np.where(is_ind, 0.92, 0.97), 0.25)
    needs_land = infra & (is_new | (rng.random(n) < 0.2))

    # --- operating ratios: land, equipment, output, tax, jobs --------------------------------
    intensity = attr("intensity") * prof.intensity * (np.maximum(yi, 0.5) ** 0.08) * np.exp(0.25 * Z())
    land = np.where(needs_land, total / intensity, total / (intensity * U(0.25, 0.6)))  # 技改: the site it uses
    land = np.round(np.maximum(land, 3.0), 1)
    equip_plan = np.where(is_ind, np.where(is_up, U(0.6, 0.85), U(0.35, 0.6)), U(0.05, 0.2))
    equip_plan = np.where(chain == "集成电路", np.maximum(equip_plan, U(0.6, 0.75)), equip_plan)
    equip_real = np.clip(equip_plan + rng.normal(0, 0.06, n), 0.05, 0.92)
    low_equip = is_ind & is_new & (rng.random(n) < 0.06)  # buildings first, equipment late or missing
    equip_real = np.where(low_equip, U(0.12, 0.28), equip_real)
    out_lo, out_hi = attr("output").T
    designed_output = np.round(total * rng.uniform(out_lo, out_hi) * np.where(is_up, 0.7, 1.0), 0)
    tax_lo, tax_hi = attr("tax").T
    tax_ratio = rng.uniform(tax_lo, tax_hi)
    designed_tax = np.round(designed_output * tax_ratio, 0)
    jobs = np.maximum(np.round(total / attr("capital_per_job") * np.where(is_up, 0.4, 1.0) * np.exp(0.3 * Z())), 5)

    # --- milestones: durations by stratum x unit x project frailty ----------------------------
    frailty = np.exp(0.45 * Z())  # shared by all stages of a project: late once, late again
    signed = rng.integers(lib_start, end_d + 1, n).astype("float64")
    intent = is_new & (rng.random(n) < prof.intent_share)
    formal = ~intent

    typ_file = np.where(is_new, 55.0, 25.0)
    d_file = typ_file * np.exp(np.where(is_new, 0.6, 0.5) * Z()) * frailty ** 0.5 * g_unit ** 0.5
    typ_appr = np.select([is_new & infra, is_new, infra], [130.0, 60.0, 75.0], 35.0) * np.where(big, 0.85, 1.0)
    d_appr = typ_appr * ch_appr * g_unit ** 1.6 * frailty ** 0.9 * np.exp(0.25 * Z())
    # a few new projects are blocked for months (land quota, emission or energy offsets)
    blocked = is_new & (rng.random(n) < 0.045 * np.sqrt(ch_stall) * np.where(hazardous, 1.4, 1.0) * g_unit)
    d_appr = d_appr + np.where(blocked, U(270, 540), 0.0)
    typ_build_m = np.where(is_new, 8 + 7 * np.log10(np.maximum(yi, 0.3)), 4 + 2.5 * np.log10(np.maximum(yi / 0.5, 0.5)))
    typ_build = typ_build_m * np.where(is_ind, 1.0, 1.35) * MONTH_DAYS
    # big new builds slip more against their plans (phased, plans optimistic): x1.15 at 10亿, x1.32 at 100亿
    size_slip = np.where(is_new, np.clip(yi, 0.3, 250) ** 0.06, 1.0)
    d_build = typ_build * ch_build * size_slip * frailty ** 0.8 * g_unit ** 0.6 * np.exp(0.2 * Z())
    typ_prod = np.where(is_new, np.where(is_ind, 45.0, 30.0), 20.0)
    d_prod = typ_prod * np.exp(0.5 * Z())
    typ_ramp = np.where(is_new, np.where(is_ind, 15.0, 12.0), 7.0) * MONTH_DAYS
    d_ramp = typ_ramp * ch_ramp * frailty ** 0.5 * np.exp(0.3 * Z())

    hz = rng.random((5, n))
    never_file = formal & (hz[0] < np.where(is_new, 0.04, 0.01) * np.sqrt(ch_stall) * frailty)
    never_start = hz[1] < 0.025 * ch_stall * frailty ** 1.5
    stall_build = hz[2] < 0.03 * ch_stall * frailty ** 1.5
    never_prod = hz[3] < 0.01
    never_cap = hz[4] < 0.09 * np.sqrt(ch_stall) * frailty

    filed = np.where(formal & ~never_file, np.round(signed + d_file), np.nan)
    start_would = np.round(filed + d_appr)
    started = np.where(never_start, np.nan, start_would)
    build_end = np.round(started + d_build)  # the completion it would reach (S-curve end)
    completed = np.where(stall_build, np.nan, build_end)
    stall_at = np.where(stall_build & ~np.isnan(started), np.round(started + U(0.15, 0.7) * d_build), np.nan)
    production = np.where(never_prod, np.nan, np.round(completed + d_prod))
    capacity = np.where(never_cap, np.nan, np.round(production + d_ramp))

    # planned dates (baseline, declared at signing from the typical durations of the project's
    # size and type; they know neither the chain, the unit nor the project's own frailty)
    p_started = np.where(formal, np.round(signed + (typ_file + typ_appr) * U(1.0, 1.35)), np.nan)
    p_completed_base = np.round(p_started + typ_build * U(0.95, 1.25))
    p_production_base = np.round(p_completed_base + typ_prod * U(0.8, 1.5))
    p_capacity_base = np.round(p_production_base + typ_ramp * U(0.9, 1.2))

    # re-plans: most projects running late get a new completion date
    far = 1e9
    expected_c = np.where(np.isnan(completed), far, completed)
    late = formal & (expected_c - p_completed_base > 30)
    # (most near the due date; others after an interview 约谈 makes them commit to a new date)
    when = rng.random(n)
    replan_at = np.round(p_completed_base + np.where(when < 0.6, U(-60, 90), U(100, 240)))
    replan_at = np.where(np.isnan(completed), replan_at, np.minimum(replan_at, completed - 15))
    replan = late & (when < 0.88) & (replan_at > signed + 30)
    new_c = np.where(np.isnan(completed), replan_at + U(150, 300), completed + U(-30, 60))
    new_c = np.round(np.maximum(new_c, replan_at + 30))
    shift = np.where(replan, new_c - p_completed_base, 0.0)
    replan_at = np.where(replan, replan_at, np.nan)

    # exits: the office's own housekeeping (docs/domain.md §2 exit reasons), dated at the end of a month
    exit_on = nan.copy()
    reason = np.full(n, None, dtype=object)

    def leave(mask, on, why):
        nonlocal exit_on, reason
        ok = mask & np.isnan(exit_on) & ~np.isnan(on) & (on <= end_d)
        exit_on = np.where(ok, on, exit_on)
        reason = np.where(ok, why, reason)

    linger = rng.random(n) < 0.12
    leave(intent, signed + np.where(linger, U(330, 560), U(150, 330)), "lost")  # stale intent signings
    leave(never_file, signed + U(240, 450), "lost")
    leave(~np.isnan(filed) & never_start, filed + 365 + U(30, 150), "stalled")  # after the 12-month list
    leave(~np.isnan(stall_at), stall_at + 365 + U(30, 150), "stalled")
    leave(~np.isnan(completed) & never_prod, completed + U(365, 540), "hopeless")
    leave(~np.isnan(production) & np.isnan(capacity), p_capacity_base + shift + U(270, 540), "hopeless")
    quick_exit = rng.random(n) < 0.9
    leave(~np.isnan(capacity), capacity + np.where(quick_exit, U(10, 60), U(60, 180)), "achieved")
    exit_on = _month_end_days(exit_on)
    exit_on = np.where(exit_on > end_d, np.nan, exit_on)
    reason = np.where(np.isnan(exit_on), None, reason)

    # land acquisition & 拿地即开工 (start within 30 days of land)
    quick = needs_land & (rng.random(n) < np.clip(prof.quick_start * push, 0, 0.9))
    window = start_would - filed
    lag = np.where(quick, U(2, 30), np.maximum(35.0, U(0.3, 0.75) * window))
    land_acq = np.where(needs_land & ~np.isnan(filed), np.maximum(np.round(start_would - lag), filed + 5), np.nan)
    land_acq = np.where(never_start & (rng.random(n) < 0.5), np.nan, land_acq)
    joint = infra & ~np.isnan(completed) & (rng.random(n) < np.clip(prof.joint * push * np.where(is_new, 1.0, 0.5), 0, 0.95))
    above_scale = np.where(is_new & is_ind & ~np.isnan(production) & (rng.random(n) < 0.55),
                           _month_end_days(production + U(150, 500)), np.nan)

    # campaigns (集中开工 by planned start quarter; 集中竣工 by planned completion quarter)
    camp_kind = rng.random(n)
    camp_d = np.where(camp_kind < 0.35, p_started, np.where(camp_kind > 0.85, p_completed_base, np.nan))
    cm = _month_index(np.where(np.isnan(camp_d), 0, camp_d))
    campaign = pl.DataFrame(
        {"y": cm // 12 + 1970, "q": cm % 12 // 3 + 1, "kind": np.where(camp_kind < 0.35, "集中开工", "集中竣工"),
         "has": ~np.isnan(camp_d)}
    ).select(pl.when(pl.col("has")).then(pl.format("{}Q{}{}", "y", "q", "kind")).otherwise(None)).to_series()

    # plan conservatism: the annual plan an enterprise declares is a share of what it expects
    kappa = U(0.9, 1.05)

    # --- names and identifiers ---------------------------------------------------------------
    prefix = "JY" if region_key == "jiangyin" else "CZ"
    pid = [f"{prefix}{i + 1:06d}" for i in range(n)]
    city = "江阴" if region_key == "jiangyin" else "常州"
    w1 = rng.integers(0, len(WORDS), n)
    w2 = rng.integers(0, len(WORDS), n)
    prod_k = rng.integers(0, 4, n)
    qty = rng.integers(1, 50, n) * 10
    alphabet = np.array(list(ids.USCC_ALPHABET))
    body_chars = alphabet[rng.integers(0, len(alphabet), (n, 9))]
    sur = rng.integers(0, len(SURNAMES), n)
    giv = rng.integers(0, len(GIVEN), (n, 2))
    div_k = rng.integers(0, 3, n)
    serial = rng.permutation(n) + 1
    adm = reg.admin_code
    filed_year = np.where(np.isnan(filed), 0, _years(np.where(np.isnan(filed), 0, filed)))
    suffix = {"集成电路": "半导体", "新能源": "新能源", "新材料": "新材料", "生物医药": "生物医药", "纺织服装": "纺织",
              "金属制品": "金属制品", "汽车零部件": "汽车部件"}
    enterprise, name, credit, owner, project_code = [], [], [], [], []
    for i in range(n):
        c = CHAINS[ci[i]]
        ent = f"{city}{WORDS[w1[i]]}{WORDS[w2[i]]}{suffix.get(c.name, '科技') if is_ind[i] else '实业'}有限公司"
        enterprise.append(ent)
        product = c.products[prod_k[i] % len(c.products)]
        if is_ind[i]:
            name.append(f"年产{qty[i]}{c.unit}{product}{'技改' if is_up[i] else ''}项目")
        else:
            name.append(f"{WORDS[w1[i]]}{product}{'改造提升' if is_up[i] else ''}项目")
        credit.append(ids.make_uscc("91" + adm + "".join(body_chars[i])))
        owner.append(SURNAMES[sur[i]] + GIVEN[giv[i, 0]] + (GIVEN[giv[i, 1]] if giv[i, 1] % 2 else ""))
        project_code.append(
            f"{filed_year[i]}-{adm}-{c.divisions[div_k[i] % len(c.divisions)]}-{'03' if is_up[i] else '01'}-{serial[i]:06d}"
            if filed_year[i] else None)
    park_of = {t: reg.townships[t].name for t in tw_codes}
    park = [park_of[t] + ("产业园" if is_ind[i] else "服务业集聚区") for i, t in enumerate(township)]

    truth = pl.DataFrame(
        {
            "project_id": pid,
            "project_code_full": project_code,
            "name": name,
            "enterprise": enterprise,
            "credit_code": credit,
            "township_code": township,
            "park": park,
            "industry_section": section,
            "industry_chain": chain,
            "origin": origin,
            "category": category,
            "is_infrastructure": infra,
            "signing_type": np.where(intent, "intent", "formal"),
            "total_investment_wan": total,
            "equipment_plan_wan": np.round(total * equip_plan, 0),
            "land_area_mu": land,
            "designed_output_wan": designed_output,
            "designed_tax_wan": designed_tax,
            "lead_dept": np.where(is_ind, "工信局", "商务局"),
            "owner": owner,
            "joint_acceptance_t": joint,
            "campaign": campaign,
            "exit_reason_t": list(reason),
            "equip_ratio": equip_real,
            "kappa": kappa,
            "replan": replan,
            "realisation": np.where(np.isnan(capacity), U(0.35, 0.75), U(0.9, 1.1)),
        }
    ).with_columns(
        _date_series("signed_t", signed),
        _date_series("filed_t", filed),
        _date_series("started_t", started),
        _date_series("start_would_t", start_would),
        _date_series("build_end_t", build_end),
        _date_series("completed_t", completed),
        _date_series("production_t", production),
        _date_series("capacity_t", capacity),
        _date_series("p_started", p_started),
        _date_series("p_completed_base", p_completed_base),
        _date_series("p_completed_new", p_completed_base + shift),
        _date_series("replan_at", replan_at),
        _date_series("p_production_base", p_production_base),
        _date_series("p_production_new", p_production_base + shift),
        _date_series("p_capacity_base", p_capacity_base),
        _date_series("p_capacity_new", p_capacity_base + shift),
        _date_series("exit_t", exit_on),
        _date_series("stall_t", stall_at),
        _date_series("land_t", land_acq),
        _date_series("above_t", above_scale),
    )
    # the intent signing kept when it turns formal (docs/domain.md §2.1) and 省/市重大 (§6.2), drawn
    # from their own stream so that the rest of the demo does not move
    rng2 = np.random.default_rng(seed + 12)
    via_intent = (~intent) & (rng2.random(n) < 0.6)
    intent_days = np.where(intent, signed, np.where(via_intent, signed - np.round(rng2.uniform(20, 240, n)), np.nan))
    big = total >= 100000
    u = rng2.random(n)
    major = np.where(big & (u < 0.3), "provincial", np.where(u < np.where(big, 0.75, 0.12), "municipal", None))
    truth = truth.with_columns(_date_series("intent_t", intent_days), pl.Series("major_level", major.tolist(), dtype=pl.String))

    slow_appr = d_appr > SLOW_APPROVAL * typ_appr
    approvals = _approvals(rng, pid, filed, start_would, never_start, slow_appr, land_acq, needs_land, infra, is_new,
                           is_ind, yi, hazardous, g_unit)
    operations = _operations(rng, pid, production, capacity, exit_on, p_capacity_base + shift, designed_output,
                             tax_ratio, jobs, attr("power"), truth["realisation"].to_numpy(), end_month)
    problems = _problems(rng, pid, prefix, signed, filed, started, stall_at, exit_on, frailty, needs_land, end_d)
    return truth, approvals, operations, problems


def _approvals(rng, pid, filed, start_would, never_start, slow_appr, land_acq, needs_land, infra, is_new, is_ind, yi,
               hazardous, g_unit) -> pl.DataFrame:
    """One row per filed project x applicable step. Steps are received when the applicant is
    ready (so the time before a start is mostly the applicant's own), and done within the
    promised time except for a minority of late ones; a project stuck in approval has one step
    stuck open and never files the later ones."""
    f = np.where(~np.isnan(filed))[0]
    m = len(f)
    k = len(APPROVAL_STEPS)
    F, S = filed[f], start_would[f]
    L = land_acq[f]
    nl = needs_land[f]
    L = np.where(nl & np.isnan(L), F + np.round(np.maximum(35.0, 0.5 * (S - F))), L)  # planned land (never bought)
    new, ind, haz, big = is_new[f], is_ind[f], hazardous[f], yi[f] >= 5
    applies = np.zeros((m, k), dtype=bool)
    applies[:, 0] = True
    applies[:, 1] = nl
    applies[:, 2] = nl
    applies[:, 3] = infra[f]
    applies[:, 4] = np.where(ind, new | (yi[f] >= 0.5) | haz, rng.random(m) < 0.3)
    applies[:, 5] = (yi[f] >= 5) | (haz & (yi[f] >= 1))
    applies[:, 6] = haz & (new | (yi[f] >= 1))
    applies[:, 7] = infra[f]

    promise = np.tile(STEP_PROMISE, (m, 1))
    promise[:, 0] = np.where(big & haz, 28, 5)  # 核准 vs 备案
    promise[:, 4] = np.where(haz | (yi[f] >= 10), 56, 28)  # 环评报告书 vs 报告表
    p_late = np.clip(STEP_LATE_P[None, :] * g_unit[f][:, None] ** 2, 0, 0.6)
    is_late = rng.random((m, k)) < p_late
    on_time = promise * rng.uniform(0.3, 1.0, (m, k))
    overrun = promise * (1 + STEP_LATE_BY * np.exp(0.7 * rng.standard_normal((m, k))))
    took = np.where(is_late, np.ceil(overrun), np.maximum(np.round(on_time), 1))
    took = np.where(is_late, np.maximum(took, promise + 1), took)
    frac = rng.random((m, k))
    rec = np.full((m, k), np.nan)
    W = S - F
    rec[:, 0] = F - took[:, 0]
    for s in (4, 5, 6):  # 环评/能评/安评: in parallel, any time before the start
        rec[:, s] = F + np.round(frac[:, s] * np.maximum(0.6 * W - took[:, s], 0))
    rec[:, 1] = F + np.round(frac[:, 1] * np.maximum(L - F - took[:, 1] - 2, 0))
    rec[:, 1] = np.minimum(rec[:, 1], L - took[:, 1] - 2)  # 用地预审 done before the land deal
    rec[:, 2] = L + np.round(frac[:, 2] * 5)
    base3 = np.where(nl, rec[:, 2] + took[:, 2], F + 10)
    rec[:, 3] = base3 + np.round(frac[:, 3] * np.maximum(S - base3 - took[:, 3] - took[:, 7] - 10, 0))
    rec[:, 7] = S - took[:, 7] - np.round(frac[:, 7] * 7)
    done = rec + took
    done[:, 0] = F
    # a slow approval period has a bottleneck step (环评 waiting for emission quota, 能评 for an
    # energy offset, 用地预审 for land quota ...): received early, open for months, done shortly
    # before the start; these are the red lights and the "step stalled over 1 month" list
    slow = slow_appr[f] & (W > 90) & (rng.random(m) < 0.5)  # else the applicant was the slow one
    pref = rng.random((m, k))
    pref[:, 4] += np.where(haz, 1.0, 0.3)
    pref[:, 5] += np.where(big, 0.8, 0.0)
    pref[:, 1] += np.where(nl, 0.6, 0.0)
    pref[:, [0, 2, 6, 7]] = -np.inf
    pref = np.where(applies, pref, -np.inf)
    b = np.argmax(pref, axis=1)
    slow &= np.isfinite(pref[np.arange(m), b])
    rows = np.where(slow)[0]
    b_rec = F[rows] + np.round(rng.uniform(0.1, 0.5, len(rows)) * W[rows])
    b_done = np.maximum(S[rows] - np.round(rng.uniform(7, 25, len(rows))), b_rec + 1)
    rec[rows, b[rows]] = b_rec
    done[rows, b[rows]] = b_done
    # everything is done by the start: shift a step that would end after it back in time
    over = np.maximum(done - S[:, None], 0)
    over[:, 0] = 0
    rec, done = rec - over, done - over
    # stuck in approval: steps received after the stall moment never come; one stays open
    ns = never_start[f]
    T = F + np.round(rng.uniform(60, 240, m))
    stuck_rows = ns[:, None] & np.ones((1, k), dtype=bool)
    applies &= ~(stuck_rows & (rec > T[:, None]))
    done = np.where(stuck_rows & (done > T[:, None]), np.nan, done)
    due = rec + promise
    r, s = np.nonzero(applies)
    steps = np.array(APPROVAL_STEPS)
    depts = np.array([DEPTS[x] for x in APPROVAL_STEPS])
    return pl.DataFrame(
        {"project_id": np.array(pid)[f[r]], "step": steps[s], "dept": depts[s]}
    ).with_columns(
        _date_series("received_on", rec[r, s]), _date_series("due_on", due[r, s]), _date_series("done_on", done[r, s])
    )


def _operations(rng, pid, production, capacity, exit_on, p_capacity, designed_output, tax_ratio, jobs, power,
                realisation, end_month) -> pl.DataFrame:
    """Monthly operations of producing projects (新增长点培育库), from the month after production
    starts to the month of exit (or the last month)."""
    c_idx = np.where(~np.isnan(production))[0]
    end_ym = int(end_month[:4]) * 12 + int(end_month[5:7]) - 1 - 1970 * 12
    start_ym = _month_index(production[c_idx]) + 1
    ex = exit_on[c_idx]
    ex_ym = np.where(np.isnan(ex), end_ym, _month_index(np.where(np.isnan(ex), 0, ex)))
    last_ym = np.minimum(ex_ym, end_ym)
    counts = np.maximum(last_ym - start_ym + 1, 0)
    op_p = np.repeat(c_idx, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    op_ym = np.repeat(start_ym, counts) + offsets
    cap_d = np.where(np.isnan(capacity[op_p]), p_capacity[op_p], capacity[op_p])
    ramp_months = np.maximum(np.round((cap_d - production[op_p]) / MONTH_DAYS), 1)
    real = realisation[op_p]
    level = np.where(offsets >= ramp_months, real, 0.3 + (real - 0.3) * offsets / ramp_months)
    q = len(op_p)
    out_m = designed_output[op_p] / 12.0 * level * rng.uniform(0.88, 1.12, q)
    tax_ramp = np.clip(0.35 + 0.65 * offsets / 18.0, 0, 1)  # VAT credits on new equipment at first
    month_days = (op_ym.astype("datetime64[M]").astype("datetime64[D]").astype("int64"))
    return pl.DataFrame(
        {
            "project_id": np.array(pid)[op_p],
            "orders_wan": np.round(out_m * rng.uniform(0.9, 1.25, q), 1),
            "capacity_utilization": np.round(np.clip(level * rng.uniform(0.93, 1.05, q), 0, 1), 3),
            "invoiced_sales_wan": np.round(out_m * rng.uniform(0.85, 1.0, q), 1),
            "output_value_wan": np.round(out_m, 1),
            "tax_wan": np.round(out_m * tax_ratio[op_p] * tax_ramp * rng.uniform(0.8, 1.2, q), 1),
            "profit_wan": np.round(out_m * rng.uniform(0.03, 0.12, q), 1),
            "electricity_mwh": np.round(out_m * power[op_p] * rng.uniform(0.85, 1.15, q), 1),
            "employees": np.round(jobs[op_p] * np.clip(0.45 + 0.6 * level, 0, 1.15) * rng.uniform(0.97, 1.03, q))
            .astype(np.int64),
        }
    ).with_columns(_date_series("month", month_days)).select(
        "project_id", "month", "orders_wan", "capacity_utilization", "invoiced_sales_wan", "output_value_wan",
        "tax_wan", "profit_wan", "electricity_mwh", "employees")


SUMMARIES = {  # one line per PROBLEM_KINDS entry
    "用地": "用地指标未落实，需协调土地报批", "环境容量": "环评总量指标不足，需调剂排污指标",
    "能耗": "能评批复前需落实能耗替代量", "资金": "项目融资未到位，需对接银行授信",
    "用工": "技术工人招聘缺口较大", "审批": "施工图审查意见反复，需并联会办", "其他": "外部配套道路未建成",
}
ASSIGNED = {"用地": "资规局", "环境容量": "生态环境局", "能耗": "发改委", "资金": "金融监管局", "用工": "人社局",
            "审批": "行政审批局", "其他": "住建局"}
assert set(SUMMARIES) == set(ASSIGNED) == set(PROBLEM_KINDS)


def _problems(rng, pid, prefix, signed, filed, started, stall_at, exit_on, frailty, needs_land, end_d) -> pl.DataFrame:
    """Contradictions raised for resolution: more often on slow (high-frailty) and stalled projects;
    land/approval kinds before the start, funding/labour kinds after; stalled ones stay open."""
    n = len(pid)
    stalled = ~np.isnan(stall_at)
    p = np.clip(0.12 + 0.25 * (frailty - 1.0) + 0.5 * stalled, 0.03, 0.9)
    per = np.where(rng.random(n) < p, rng.integers(1, 4, n), 0)
    pr = np.repeat(np.arange(n), per)
    q = len(pr)
    last = np.minimum(np.where(np.isnan(exit_on), end_d, exit_on), end_d)[pr]
    raised = np.round(signed[pr] + rng.uniform(0, 1, q) * np.maximum(last - signed[pr], 0))
    before_start = np.isnan(started[pr]) | (raised < started[pr])
    kinds_pre = np.array(["用地", "环境容量", "能耗", "审批", "其他"])
    kinds_post = np.array(["资金", "用工", "其他", "审批", "能耗"])
    pre = kinds_pre[rng.choice(5, q, p=[0.35, 0.2, 0.15, 0.2, 0.1])]
    pre = np.where((pre == "用地") & ~needs_land[pr], "审批", pre)
    post = kinds_post[rng.choice(5, q, p=[0.3, 0.25, 0.2, 0.1, 0.15])]
    kinds = np.where(before_start, pre, post)
    kinds = np.where(stalled[pr] & (raised >= np.nan_to_num(stall_at[pr], nan=np.inf)), "资金", kinds)
    resolved = raised + np.round(rng.lognormal(np.log(45), 0.8, q))
    resolved = np.where(stalled[pr] | (rng.random(q) < 0.08), np.nan, resolved)
    return pl.DataFrame(
        {
            "problem_id": [f"{prefix}Q{i + 1:06d}" for i in range(q)],
            "project_id": np.array(pid)[pr],
            "kind": kinds,
            "summary": [SUMMARIES[x] for x in kinds],
            "assigned_dept": [ASSIGNED[x] for x in kinds],
        }
    ).with_columns(_date_series("raised_on", raised), _date_series("resolved_on", resolved))


START_SHARE = 0.08  # entered in the statistics at the start (land, first works): 初次投资统计入库
NEW_START_PLAN = 0.9  # a project not started on 1 January plans cautiously (start date uncertain)
PLAN_INSIGHT = 0.85  # share of its true pace (vs the declared plan) an enterprise builds into its annual plan


def _s_curve(start: pl.Expr, finish: pl.Expr, at: pl.Expr) -> pl.Expr:
    """Share of a build's investment spent at date `at`: START_SHARE at the start, then half
    linear, half smoothstep to 1 at `finish`."""
    span = (finish - start).dt.total_days().clip(lower_bound=1)
    x = ((at - start).dt.total_days() / span).clip(0.0, 1.0)
    s = START_SHARE + (1.0 - START_SHARE) * (0.5 * x + 0.5 * x * x * (3.0 - 2.0 * x))
    return pl.when(start.is_null() | (at < start)).then(0.0).otherwise(s)


def snapshot(truth: pl.DataFrame, approvals: pl.DataFrame, operations: pl.DataFrame,
             problems: pl.DataFrame, month: str) -> dict[str, pl.DataFrame]:
    """Materialise the four tables as reported at the end of `month`."""
    as_of = month_end(month)
    jan1 = dt.date(as_of.year, 1, 1)
    prev_ye = jan1 - dt.timedelta(days=1)
    ye = dt.date(as_of.year, 12, 31)
    a = pl.lit(as_of)
    never = dt.date(2999, 1, 1)

    def known(c: str) -> pl.Expr:
        return pl.when(pl.col(c) <= a).then(pl.col(c)).otherwise(None)

    t = truth.filter(pl.coalesce(pl.col("intent_t"), pl.col("signed_t")) <= a)
    formal_yet = pl.col("signed_t") <= a  # an intent that turns formal later is an intent signing until then
    exited = pl.col("exit_t") <= a
    replanned = pl.col("replan") & (pl.col("replan_at") <= a)
    freeze = pl.min_horizontal(pl.col("stall_t").fill_null(never), pl.col("exit_t").fill_null(never))

    def cum_at(d: dt.date) -> pl.Expr:
        at = pl.min_horizontal(pl.lit(d), freeze)
        frac = _s_curve(pl.col("started_t"), pl.col("build_end_t"), at)
        done = pl.col("completed_t").is_not_null() & (pl.col("completed_t") <= pl.lit(d))
        return (pl.col("total_investment_wan") * pl.when(done).then(1.0).otherwise(frac)).round(0)

    # the year's plan, fixed at 1 January from what was known then (added when a project signs
    # during the year): an ongoing build plans the rest of its path to its planned completion, a
    # project not started plans its path from its planned start; declared at `kappa` of that
    pc_jan = pl.when(pl.col("replan") & (pl.col("replan_at") <= pl.lit(prev_ye))) \
        .then(pl.col("p_completed_new")).otherwise(pl.col("p_completed_base"))
    ongoing = (pl.col("started_t") <= pl.lit(prev_ye)) & \
        (pl.col("completed_t").is_null() | (pl.col("completed_t") > pl.lit(prev_ye)))
    stalled_jan = pl.col("stall_t") <= pl.lit(prev_ye)  # 暂缓: off the year's plan
    def toward(planned: pl.Expr, actual: pl.Expr) -> pl.Expr:  # what the enterprise knows on 1 January
        gap = ((actual - planned).dt.total_days() * PLAN_INSIGHT).round(0).fill_null(0)
        return planned + pl.duration(days=gap)

    end_a = pl.max_horizontal(toward(pc_jan, pl.col("build_end_t")), pl.lit(prev_ye + dt.timedelta(days=120)))
    plan_a = (pl.col("total_investment_wan") * _s_curve(pl.col("started_t"), end_a, pl.lit(ye)) - pl.col("cum_prev_ye"))
    ps = pl.max_horizontal(toward(pl.col("p_started"), pl.col("start_would_t")), pl.lit(jan1), pl.col("signed_t"))
    end_b = pl.max_horizontal(toward(pc_jan, pl.col("build_end_t")), ps + pl.duration(days=90))
    # not yet filed, or already past its planned start: less confident still
    unsure = (pl.col("filed_t").is_null() | (pl.col("filed_t") > pl.lit(prev_ye))
              | (pl.col("p_started") <= pl.lit(prev_ye))).fill_null(True)
    plan_b = (NEW_START_PLAN * pl.when(unsure).then(0.75).otherwise(1.0)
              * pl.col("total_investment_wan") * _s_curve(ps, end_b, pl.lit(ye)))
    not_started = pl.col("started_t").is_null() | (pl.col("started_t") > pl.lit(prev_ye))
    in_lib_jan = pl.col("exit_t").is_null() | (pl.col("exit_t") > pl.lit(prev_ye))
    year_plan = (
        pl.when(~in_lib_jan | (pl.col("signing_type") != "formal") | stalled_jan.fill_null(False)).then(0.0)
        .when(ongoing).then(plan_a.clip(lower_bound=0.0))
        .when(not_started & (pl.col("p_started") <= pl.lit(ye))).then(plan_b)
        .otherwise(0.0) * pl.col("kappa")
    ).round(0)

    t = t.with_columns(cum_now=cum_at(as_of), cum_prev_ye=cum_at(prev_ye)).with_columns(year_plan=year_plan)
    projects = t.select(
        "project_id",
        pl.when(pl.col("filed_t") <= a).then(pl.col("project_code_full")).otherwise(None).alias("project_code"),
        "name", "enterprise", "credit_code", "township_code", "park", "industry_section", "industry_chain",
        "origin", "category", "is_infrastructure",
        pl.when(formal_yet).then(pl.col("signing_type")).otherwise(pl.lit("intent")).alias("signing_type"),
        "total_investment_wan", "equipment_plan_wan",
        "land_area_mu", "designed_output_wan", "designed_tax_wan",
        pl.when(formal_yet).then(pl.col("signed_t")).otherwise(pl.col("intent_t")).alias("signed_on"),
        known("filed_t").alias("filed_on"),
        known("started_t").alias("started_on"),
        known("completed_t").alias("completed_on"),
        known("production_t").alias("production_on"),
        known("capacity_t").alias("capacity_on"),
        pl.col("p_started").alias("planned_started_on"),
        pl.when(replanned).then(pl.col("p_completed_new")).otherwise(pl.col("p_completed_base")).alias("planned_completed_on"),
        pl.when(replanned).then(pl.col("p_production_new")).otherwise(pl.col("p_production_base")).alias("planned_production_on"),
        pl.when(replanned).then(pl.col("p_capacity_new")).otherwise(pl.col("p_capacity_base")).alias("planned_capacity_on"),
        pl.when(pl.col("year_plan") > 0).then(pl.col("year_plan")).otherwise(0.0).alias("year_plan_wan"),
        (pl.col("cum_now") - pl.col("cum_prev_ye")).clip(lower_bound=0).alias("year_done_wan"),
        pl.col("cum_now").alias("cumulative_done_wan"),
        (pl.col("cum_now") * pl.col("equip_ratio")).round(0).alias("equipment_done_wan"),
        pl.when(exited).then(pl.col("exit_t")).otherwise(None).alias("exit_on"),
        pl.when(exited).then(pl.col("exit_reason_t")).otherwise(None).alias("exit_reason"),
        "lead_dept", "owner",
        known("land_t").alias("land_acquired_on"),
        (pl.col("joint_acceptance_t") & (pl.col("completed_t") <= a)).fill_null(False).alias("joint_acceptance"),
        "campaign",
        known("above_t").alias("above_scale_on"),
        known("intent_t").alias("intent_signed_on"),
        "major_level",
    ).sort("project_id")
    appr = (
        approvals.filter(pl.col("received_on") <= a)
        .with_columns(pl.when(pl.col("done_on") <= a).then(pl.col("done_on")).otherwise(None).alias("done_on"))
        .sort("project_id", "step")
    )
    first = dt.date(as_of.year, as_of.month, 1)
    producing_ids = projects.filter(pl.col("production_on").is_not_null()).select("project_id")
    ops = operations.filter(pl.col("month") <= pl.lit(first)).join(producing_ids, on="project_id", how="semi").sort(
        "project_id", "month")
    probs = (
        problems.filter(pl.col("raised_on") <= a)
        .with_columns(pl.when(pl.col("resolved_on") <= a).then(pl.col("resolved_on")).otherwise(None).alias("resolved_on"))
        .join(projects.select("project_id"), on="project_id", how="semi")
        .sort("problem_id")
    )
    return {"projects": projects, "approvals": appr, "operations": ops, "problems": probs}


def _unit_hash(key: str, salt: int) -> float:
    """A deterministic number in [0, 1) for a key (stable across runs and platforms)."""
    import hashlib

    return int(hashlib.sha256(f"{key}|{salt}".encode()).hexdigest()[:8], 16) / 2 ** 32


def with_quotas(tables: dict, region_key: str, month: str, seed: int) -> dict:
    """Add the optional resource-quota sheet (要素指标, docs/domain.md §13) and the projects'
    quota demand and this year's allocation to a demo snapshot. Drawn from hashes of ids, so the
    main random stream (and every other demo figure) is unchanged."""
    reg = reference.region(region_key)
    y = int(month[:4])
    a = month_end(month)
    rows = []
    for year in (y - 1, y):
        for code in reg.units:
            h = [_unit_hash(f"{code}{k}", seed + year) for k in range(5)]
            rows.append({"unit_code": code, "year": year, "land_unsupplied_mu": round(60 + 340 * h[0], 1),
                         "land_unused_mu": round(20 + 160 * h[1], 1), "land_reserve_mu": round(80 + 420 * h[2], 1),
                         "emission_t": round(8 + 40 * h[3], 1), "energy_tce": round(5000 + 45000 * h[4], 0)})
    p = tables["projects"]
    u = (pl.col("project_id").hash(seed + y) % 1000).cast(pl.Float64) / 1000.0
    y0 = dt.date(y, 1, 1)
    alloc = (pl.col("filed_on").is_between(y0, a) & (pl.col("land_area_mu") > 0)).fill_null(False)
    waiting = ((pl.col("exit_on").is_null() | (pl.col("exit_on") > a)) & ~alloc
               & (pl.col("started_on").is_null() | (pl.col("started_on") > a)) & (pl.col("land_area_mu") > 0)
               & (u < 0.35)).fill_null(False)
    land = pl.col("land_area_mu")
    emis = (land * 0.05).round(1)
    energy = (pl.col("total_investment_wan").fill_null(0) * 0.08).round(0)
    p = p.with_columns(
        pl.when(waiting).then(land).alias("land_demand_mu"),
        pl.when(waiting).then(emis).alias("emission_demand_t"),
        pl.when(waiting).then(energy).alias("energy_demand_tce"),
        pl.when(alloc).then(land).alias("land_allocated_mu"),
        pl.when(alloc).then(emis).alias("emission_allocated_t"),
        pl.when(alloc).then(energy).alias("energy_allocated_tce"),
    )
    # stage-evaluation fields (docs/domain.md §14), also from id hashes
    v = [(pl.col("project_id").hash(seed + 100 + k) % 1000).cast(pl.Float64) / 1000.0 for k in range(5)]
    filed = (pl.col("filed_on") <= a).fill_null(False)
    p = p.with_columns(
        pl.when(filed).then(v[0] < 0.3).alias("tolerance_prereview"),
        pl.when(filed).then(v[1] < 0.55).alias("parallel_approval"),
        pl.when(filed).then(v[2] < 0.6).alias("agency_service"),
        pl.when((pl.col("started_on") <= a).fill_null(False) & pl.col("is_infrastructure").fill_null(False))
        .then((pl.col("land_area_mu") * 666.7 * (0.6 + 0.6 * v[3])).round(0)).alias("building_area_m2"),
        pl.when((pl.col("production_on") <= a).fill_null(False) & (pl.col("category") == "industry"))
        .then((pl.col("designed_output_wan").fill_null(0) * 0.01 * v[4]).round(1)).alias("rd_deduction_wan"),
    )
    return {**tables, "projects": p, "quotas": pl.DataFrame(rows)}


def generate(store_dir, region_key: str = "jiangyin", n_projects: int | None = None, months: int = 36,
             seed: int = 20240501, end_month: str | None = None, progress=None) -> Store:
    """Generate and publish `months` monthly snapshots ending at `end_month` into `store_dir`.
    `n_projects` is the number of projects that ever entered the library; None = the region's
    default scale (`default_projects`)."""
    reference.region(region_key)  # validates the key
    end_month = end_month or last_full_month()
    ms = month_range(end_month, months)
    n = default_projects(region_key, months) if n_projects is None else int(n_projects)
    truth, approvals, operations, problems = generate_truth(region_key, n, ms[0], end_month, seed)
    st = Store(store_dir)
    st.init(region_key)
    for i, m in enumerate(ms):
        tables = with_quotas(snapshot(truth, approvals, operations, problems, m), region_key, m, seed)
        # the demo pretends each month was reported on the 5th of the following month
        pub = (month_end(m) + dt.timedelta(days=5)).isoformat() + "T09:00:00"
        st.publish(m, tables, source=[f"demo:{region_key}:seed={seed}"], user="demo", note="演示数据",
                   published_at=pub)
        if progress:
            progress(i + 1, len(ms), m)
    generate_pipeline(store_dir, region_key, end_month, seed)
    return st


def ensure_demo_accounts(store_dir, region_key: str) -> str | None:
    """Give a store generated with demo data its demo accounts (one per role and two township
    accounts, one random password). Returns the text to print in the terminal when they were
    created now, else None. Only ever called for demo stores: a real store never gets a default
    password."""
    from lifecycle.domain.reference import region
    from lifecycle.store import accounts

    pw = accounts.create_demo_accounts(store_dir, region_key)
    if pw is None:
        return None
    reg = region(region_key)
    names = []
    for name, role, unit in accounts.demo_accounts(region_key):
        names.append(f"{name}（{reg.units[unit].name}）" if unit else name)
    return f"演示账户：{'、'.join(names)}；密码均为 {pw}（仅演示数据目录，另存于 {accounts.DEMO_PASSWORD_FILE}）"


# ---- the 招商 pipeline before the signing (docs/domain.md §16) ----------------------------------
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
_GIVEN = ["伟", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "华", "平", "刚", "桂英",
          "建国", "晓东", "海燕", "志强", "丽", "斌", "鹏", "颖", "宁", "浩", "婷", "雪"]
_LEAD_PREFIX = ["华", "中", "新", "恒", "瑞", "博", "宏", "鑫", "远", "长", "盛", "嘉", "卓", "天", "金", "汇", "晶", "海", "联", "信"]
_LEAD_MID = ["芯", "能", "创", "科", "智", "达", "泰", "源", "通", "昌", "锐", "丰", "景", "润", "驰", "航", "凯", "拓"]
_LEAD_KIND = ["项目", "生产基地项目", "研发中心项目", "扩能项目", "总部项目", "产业园项目", "二期项目"]
_SOURCES_CITY = ["市商务局", "市投资促进中心", "市产业投资基金", "市驻外招商分局", "市科技局"]
_VETO_REASONS = ["不符合产业政策导向（高耗能、高排放）", "投资强度低于园区准入标准", "尽职调查发现投资方涉及重大未决诉讼",
                 "亩均税收承诺低于准入要求", "选址涉及生态保护红线，环境风险较大", "投资方资金来源不清、资信存疑",
                 "同类产能已饱和，存在重复建设风险"]
_MORE_REASONS = ["请补充尽职调查报告", "请补充近三年审计报告及资金来源证明", "请补充专家论证意见和用地测算",
                 "请补充投资协议中的违约责任条款"]
_OPINIONS = {
    "legal": ("主体资格合法，协议条款完整，无重大法律风险", "投资方存在未决诉讼，协议违约责任约定不足"),
    "commercial": ("属重点产业链补链项目，市场前景较好", "产品同质化明显，与现有产业布局关联度低"),
    "financial": ("资金来源清晰，测算投资强度和亩均税收达标", "投资强度和税收测算偏乐观，资金来源待核实"),
}


def _person(rng) -> str:
    return _SURNAMES[rng.integers(len(_SURNAMES))] + _GIVEN[rng.integers(len(_GIVEN))]


def generate_pipeline(store_dir, region_key: str, end_month: str, seed: int, n_leads: int | None = None) -> int:
    """Fill `<store>/pipeline.sqlite` with a realistic, deterministic (by seed) pipeline of leads
    created over the two years before `end_month`'s publication: most never reach a signing,
    a minority is vetoed with reasons (a few vetoed or asked for more material earlier and passed
    on a later round), some rounds are open with partial opinions, open leads without recent
    contact become stale. Returns the number of leads. Written in one transaction."""
    from lifecycle.store import pipeline

    if not pipeline.list_leads(store_dir).is_empty():  # never over real (or earlier) leads
        return 0
    reg = reference.region(region_key)
    cfg = pipeline.settings(store_dir)
    rng = np.random.default_rng([seed, zlib.crc32((region_key + ":pipeline").encode())])
    n = n_leads if n_leads is not None else round(PROFILES[region_key].signings_per_month * 30)
    today = month_end(end_month) + dt.timedelta(days=5)
    units = list(reg.units)
    u_w = rng.gamma(2.0, 1.0, len(units)) * np.array([PROFILES[region_key].unit_w.get(u, 1.0) for u in units])
    ch_w = rng.gamma(1.5, 1.0, len(cfg["channels"]))
    chain_w = rng.gamma(1.2, 1.0, len(cfg["industry_chains"]))
    types = cfg["project_types"]
    t_w = np.array([{"龙头型": 0.08, "旗舰型": 0.14, "基地型": 0.26}.get(t, 0.52) for t in types])
    # final outcome: 0 线索, 1 洽谈, 2 审查 open, 3 审查 vetoed, 4 审查 more, 5 审查 passed, 6 意向, 7 正式
    outcome = rng.choice(8, n, p=[0.40, 0.24, 0.05, 0.08, 0.03, 0.03, 0.07, 0.10])
    leads, versions, reviews, opinions, verdicts = [], [], [], [], []
    rid = oid = 0

    def ts(d: dt.date, h: int) -> str:
        return f"{min(d, today).isoformat()}T{h:02d}:{int(rng.integers(60)):02d}:00"

    for i in range(n):
        lid = i + 1
        unit = units[rng.choice(len(units), p=u_w / u_w.sum())]
        age = int(rng.integers(20, 730))
        created = today - dt.timedelta(days=age)
        out = int(outcome[i])
        typ = types[rng.choice(len(types), p=t_w / t_w.sum())]
        scale = {"龙头型": 6.0, "旗舰型": 3.0, "基地型": 1.5}.get(typ, 0.6)
        amount = float(np.clip(np.round(np.exp(rng.normal(np.log(30000 * scale), 0.9)), -2), 1000, 1_500_000))
        src = (f"{reg.units[unit].name}招商局" if rng.random() < 0.6 else _SOURCES_CITY[rng.integers(len(_SOURCES_CITY))])
        chain = cfg["industry_chains"][rng.choice(len(chain_w), p=chain_w / chain_w.sum())]
        name = (_LEAD_PREFIX[rng.integers(len(_LEAD_PREFIX))] + _LEAD_MID[rng.integers(len(_LEAD_MID))] + chain
                + _LEAD_KIND[rng.integers(len(_LEAD_KIND))])
        content = {"name": name, "stage": "lead", "channel": cfg["channels"][rng.choice(len(ch_w), p=ch_w / ch_w.sum())],
                   "industry_chain": chain, "project_type": typ, "expected_investment_wan": amount,
                   "source_body": src, "owner": _person(rng), "unit_code": unit, "last_contact_on": None, "note": None}
        creator = "publisher" if src in _SOURCES_CITY else f"{reg.units[unit].name}招商办"
        leads.append((lid, creator, ts(created, 9)))
        ver = 0
        t = created

        def add(change: str, on: dt.date, who: str = creator, **kw):
            nonlocal ver
            ver += 1
            content.update(kw)
            versions.append((lid, ver, *[content[k] for k in pipeline.LEAD_FIELDS], change, who, ts(on, 10 + ver % 8)))

        start = "talks" if out >= 1 and rng.random() < 0.3 else "lead"
        add("created", created, stage=start, last_contact_on=created.isoformat())
        span = max(age - 5, 1)

        def step(frac):
            nonlocal t
            t = min(today - dt.timedelta(days=1), t + dt.timedelta(days=max(1, int(span * frac))))
            return t

        if out >= 1 and start == "lead":
            add("stage:talks", step(rng.uniform(0.05, 0.25)), stage="talks", last_contact_on=t.isoformat())
        if out >= 2:
            # rounds: earlier rounds that were vetoed / asked for more, then the final one
            prior = 1 if out >= 5 and rng.random() < 0.15 else 0
            finals = {2: None, 3: "veto", 4: "more", 5: "pass", 6: "pass", 7: "pass"}
            plan = (["more" if rng.random() < 0.6 else "veto"] if prior else []) + [finals[out]]
            for k, verdict in enumerate(plan):
                rid += 1
                opened = step(rng.uniform(0.05, 0.2))
                reviews.append((rid, lid, "publisher", ts(opened, 14)))
                add(f"review:{rid}", opened, stage="review", last_contact_on=opened.isoformat())
                dims = list(_OPINIONS) if verdict is not None else list(_OPINIONS)[:int(rng.integers(0, 3))]
                for d in dims:
                    oid += 1
                    bad = verdict in ("veto", "more") and (d == "financial" or rng.random() < 0.4)
                    text = _OPINIONS[d][1 if bad else 0]
                    opinions.append((oid, rid, d, f"reviewer_{d}", text, ts(opened + dt.timedelta(days=int(rng.integers(2, 10))), 15)))
                if verdict is not None:
                    on = step(rng.uniform(0.05, 0.15))
                    reasons = (_VETO_REASONS[rng.integers(len(_VETO_REASONS))] if verdict == "veto" else
                               _MORE_REASONS[rng.integers(len(_MORE_REASONS))] if verdict == "more" else None)
                    verdicts.append((rid, verdict, reasons, on.isoformat(), "reviewer", ts(on, 17)))
        if out >= 6:
            add("stage:intent", step(rng.uniform(0.05, 0.2)), stage="intent", last_contact_on=t.isoformat())
        if out == 7:
            add("stage:formal", step(rng.uniform(0.05, 0.2)), stage="formal", last_contact_on=t.isoformat())
        if out not in (3, 7):  # open leads: the latest contact, some long ago (stale)
            since = int(min((today - t).days, rng.exponential(35 if out <= 1 else 20)))
            last = today - dt.timedelta(days=since)
            if last > t:
                add("edited", last, last_contact_on=last.isoformat())
    pipeline.load_generated(store_dir, leads, versions, reviews, opinions, verdicts)
    return n
