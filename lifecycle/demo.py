"""Deterministic demo data: a believable project library for either region, published as
monthly snapshots through the same atomic `Store.publish` that real imports use.

Method: draw each project's whole "true" history once (numpy, seeded), then materialise every
monthly snapshot by masking what was not yet known at the end of that month (Polars
expressions, vectorised; no per-project Python loop). Same seed -> same parquet bytes.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from lifecycle.domain import ids, reference
from lifecycle.domain.labels import APPROVAL_STEPS, PROBLEM_KINDS
from lifecycle.store.snapshots import Store

EPOCH = dt.date(1970, 1, 1)

CHAINS_INDUSTRY = ["集成电路", "新能源", "高端装备", "新材料", "生物医药", "汽车零部件", "纺织服装", "金属制品", "节能环保", "智能制造"]
CHAINS_SERVICE = ["现代物流", "软件信息", "科技服务", "商贸综合体", "文旅", "总部经济"]
SERVICE_SECTIONS = ["F", "G", "I", "L", "M", "K", "R"]
SERVICE_SECTION_P = [0.12, 0.18, 0.2, 0.15, 0.2, 0.05, 0.1]
WORDS = ["华澄", "新源", "恒瑞", "远景", "海澜", "兴达", "中信", "长江", "天润", "金鼎", "博远", "盛和", "瑞丰", "宏图",
         "永泰", "星辰", "鼎力", "汇通", "凯特", "明德", "润达", "东方", "锦程", "华宏", "嘉禾", "骏马", "立信", "晶澳"]
PRODUCTS_I = ["高性能复合材料", "新能源电池模组", "精密轴承", "集成电路封测", "光伏组件", "特种钢材", "生物制剂", "智能装备",
              "汽车电子", "高端纺织面料", "风电零部件", "半导体材料", "医疗器械", "工业机器人"]
PRODUCTS_S = ["智慧物流园", "科创中心", "商业综合体", "数字产业园", "文旅综合体", "区域总部大楼", "研发中心"]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
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


def last_full_month(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    first = today.replace(day=1)
    prev = first - dt.timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"


def month_range(end: str, k: int) -> list[str]:
    y, m = int(end[:4]), int(end[5:7])
    out = []
    for i in range(k - 1, -1, -1):
        t = y * 12 + (m - 1) - i
        out.append(f"{t // 12:04d}-{t % 12 + 1:02d}")
    return out


def month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _days(d: dt.date) -> int:
    return (d - EPOCH).days


def _date_series(name: str, days: np.ndarray) -> pl.Series:
    """int days since epoch (NaN/-1 = missing) -> pl.Date series."""
    arr = np.asarray(days, dtype="float64")
    s = pl.Series(name, arr, dtype=pl.Float64, nan_to_null=True)
    return s.cast(pl.Int32).cast(pl.Date)


def _lognorm(rng, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, sigma, n))


def generate_truth(region_key: str, n: int, first_month: str, end_month: str, seed: int):
    """Each project's full history up to end_month. Returns (projects, approvals, operations, problems)
    as Polars frames of 'truth' (dates as pl.Date, unmasked) plus helper columns."""
    rng = np.random.default_rng(seed)
    reg = reference.region(region_key)
    end = month_end(end_month)
    end_d = _days(end)
    lib_start = _days(month_end(first_month)) - 3 * 365  # library history before the first snapshot

    # --- who and where -------------------------------------------------------------------
    tw_codes = np.array(sorted(reg.townships))
    tw_w = rng.gamma(2.0, 1.0, len(tw_codes))
    township = tw_codes[rng.choice(len(tw_codes), n, p=tw_w / tw_w.sum())]
    category = np.where(rng.random(n) < 0.75, "industry", "service")
    is_ind = category == "industry"
    origin = np.where(rng.random(n) < (np.where(is_ind, 0.38, 0.12)), "upgrade", "new")
    section = np.where(is_ind, "C", np.array(SERVICE_SECTIONS)[rng.choice(len(SERVICE_SECTIONS), n, p=SERVICE_SECTION_P)])
    chain = np.where(
        is_ind,
        np.array(CHAINS_INDUSTRY)[rng.integers(0, len(CHAINS_INDUSTRY), n)],
        np.array(CHAINS_SERVICE)[rng.integers(0, len(CHAINS_SERVICE), n)],
    )
    infra = rng.random(n) < np.where(origin == "upgrade", 0.35, 0.85)

    # --- size: every tier populated, a few >= 100亿 -------------------------------------------
    band = rng.choice(6, n, p=[0.16, 0.56, 0.16, 0.06, 0.045, 0.015])
    lo = np.array([2000, 10000, 100000, 300000, 500000, 1000000])[band]
    hi = np.array([10000, 100000, 300000, 500000, 1000000, 2500000])[band]
    total = np.round(np.exp(rng.uniform(np.log(lo), np.log(hi))), 0)
    total = np.where(rng.random(n) < 0.01, np.maximum(lo, 100000.0), total)  # a few round 10亿 projects
    intensity = np.where(is_ind, rng.uniform(250, 900, n), rng.uniform(600, 2500, n))
    land = np.round(total / intensity, 1)
    land = np.where(origin == "upgrade", np.round(land * rng.uniform(0.0, 0.3, n), 1), land)
    equip_ratio_plan = np.where(is_ind, rng.uniform(0.3, 0.65, n), rng.uniform(0.05, 0.2, n))
    equip_ratio_real = np.clip(equip_ratio_plan + rng.normal(0, 0.08, n), 0.05, 0.9)
    equip_ratio_real = np.where(is_ind & (rng.random(n) < 0.12), rng.uniform(0.1, 0.28, n), equip_ratio_real)
    designed_output = np.round(total * np.where(is_ind, rng.uniform(1.0, 2.5, n), rng.uniform(0.2, 0.6, n)), 0)
    designed_tax = np.round(designed_output * rng.uniform(0.03, 0.08, n), 0)
    size_factor = np.clip(np.log10(total / 10000.0 + 1.0), 0.3, 2.5)

    # --- milestones ------------------------------------------------------------------------
    signed = rng.integers(lib_start, end_d + 1, n).astype("float64")
    intent = rng.random(n) < 0.12
    nan = np.full(n, np.nan)

    def step(prev, median, sigma, p_stop):
        dur = _lognorm(rng, median, sigma, n)
        nxt = prev + np.round(dur)
        stop = rng.random(n) < p_stop
        return np.where(np.isnan(prev) | stop, np.nan, nxt)

    filed = step(signed, 75, 0.7, 0.07)
    filed = np.where(intent, np.nan, filed)
    started = step(filed, 170, 0.6, 0.06)
    long_approval = rng.random(n) < 0.08
    started = np.where(long_approval & ~np.isnan(started), started + rng.integers(200, 400, n), started)
    build = _lognorm(rng, 330, 0.35, n) * size_factor
    completed = np.where(rng.random(n) < 0.05, np.nan, started + np.round(build))
    production = step(completed, 40, 0.6, 0.02)
    capacity = step(production, 330, 0.4, 0.25)

    # planned dates (baseline, set at signing) and re-plans
    p_started = np.where(intent, np.nan, signed + np.round(_lognorm(rng, 300, 0.25, n)))
    slip = np.round(rng.normal(20, 90, n))
    p_completed_base = np.where(np.isnan(p_started), np.nan, p_started + np.round(build - slip))
    # a quarter of the projects plan optimistically (planned completion before the real one)
    p_completed_base = np.where(np.isnan(started) | np.isnan(completed) | (rng.random(n) < 0.75),
                                p_completed_base, np.minimum(p_completed_base, completed - 20))
    p_completed_base = np.maximum(p_completed_base, p_started + 120)
    replan = (rng.random(n) < 0.22) & ~np.isnan(p_completed_base)
    replan_shift = np.round(rng.uniform(60, 330, n))
    replan_at = p_completed_base - np.round(rng.uniform(0, 90, n))  # re-planned shortly before due
    p_production_base = p_completed_base + 45
    p_capacity_base = p_production_base + 365

    # exits
    exit_on = nan.copy()
    exit_reason = np.full(n, None, dtype=object)
    achieved = (~np.isnan(capacity)) & (rng.random(n) < 0.55)
    a_date = capacity + np.round(rng.uniform(300, 560, n))
    exit_on = np.where(achieved & (a_date <= end_d), a_date, exit_on)
    exit_reason = np.where(achieved & (a_date <= end_d), "achieved", exit_reason)
    bad = (~achieved) & (rng.random(n) < 0.07)
    reasons = np.array(["hopeless", "stalled", "lost"])[rng.integers(0, 3, n)]
    b_date = signed + np.round(rng.uniform(200, 1400, n))
    bad = bad & (b_date <= end_d)
    exit_on = np.where(bad, b_date, exit_on)
    exit_reason = np.where(bad, reasons, exit_reason)
    # no milestones after a non-achieved exit
    for arr in (filed, started, completed, production, capacity):
        arr[bad & (arr > b_date)] = np.nan
    # enforce chain: a missing milestone clears the later ones
    chain_arrs = [filed, started, completed, production, capacity]
    for i in range(1, len(chain_arrs)):
        prev = chain_arrs[i - 1]
        if i == 1:  # a started project may lack filing only if it never needed it: keep chain strict
            pass
        chain_arrs[i][np.isnan(prev)] = np.nan
    # stalled projects: investment freezes at a stall date while in build
    stall_at = np.where(np.isnan(completed) & ~np.isnan(started), started + np.round(rng.uniform(60, 400, n)), np.nan)

    # land acquisition & 拿地即开工
    land_acq = np.where(np.isnan(filed) | (origin == "upgrade"), np.nan, filed + np.round(rng.uniform(20, 150, n)))
    quick = (~np.isnan(land_acq)) & (~np.isnan(started)) & (rng.random(n) < 0.18)
    land_acq = np.where(quick, started - np.round(rng.uniform(0, 30, n)), land_acq)
    land_acq = np.where(~np.isnan(land_acq) & ~np.isnan(started), np.minimum(land_acq, started), land_acq)
    land_acq = np.where(~np.isnan(land_acq), np.maximum(land_acq, filed), land_acq)
    joint = (~np.isnan(completed)) & (rng.random(n) < 0.35)
    above_scale = np.where((~np.isnan(production)) & (rng.random(n) < 0.45), production + np.round(rng.uniform(120, 540, n)), np.nan)

    # campaigns (集中开工 by planned start quarter; 集中竣工 by planned completion quarter)
    camp_kind = rng.random(n)
    p_st_dates = [EPOCH + dt.timedelta(days=int(d)) if not np.isnan(d) else None for d in p_started]
    p_co_dates = [EPOCH + dt.timedelta(days=int(d)) if not np.isnan(d) else None for d in p_completed_base]
    campaign = []
    for i in range(n):
        if camp_kind[i] < 0.35 and p_st_dates[i] is not None:
            d = p_st_dates[i]
            campaign.append(f"{d.year}Q{(d.month - 1) // 3 + 1}集中开工")
        elif camp_kind[i] > 0.85 and p_co_dates[i] is not None:
            d = p_co_dates[i]
            campaign.append(f"{d.year}Q{(d.month - 1) // 3 + 1}集中竣工")
        else:
            campaign.append(None)
    campaign_date = [None] * n  # campaign label is known from signing

    # names and identifiers
    prefix = "JY" if region_key == "jiangyin" else "CZ"
    pid = [f"{prefix}{i + 1:06d}" for i in range(n)]
    city = "江阴" if region_key == "jiangyin" else "常州"
    w1 = rng.integers(0, len(WORDS), n)
    w2 = rng.integers(0, len(WORDS), n)
    prod_i = rng.integers(0, len(PRODUCTS_I), n)
    prod_s = rng.integers(0, len(PRODUCTS_S), n)
    qty = rng.integers(1, 50, n) * 10
    enterprise, name, credit, owner = [], [], [], []
    alphabet = np.array(list(ids.USCC_ALPHABET))
    body_chars = alphabet[rng.integers(0, len(alphabet), (n, 9))]
    sur = rng.integers(0, len(SURNAMES), n)
    giv = rng.integers(0, len(GIVEN), (n, 2))
    adm = reg.admin_code
    for i in range(n):
        ent = f"{city}{WORDS[w1[i]]}{WORDS[w2[i]]}{'科技' if is_ind[i] else '实业'}有限公司"
        enterprise.append(ent)
        if is_ind[i]:
            name.append(f"年产{qty[i]}万件{PRODUCTS_I[prod_i[i]]}{'技改' if origin[i] == 'upgrade' else ''}项目")
        else:
            name.append(f"{WORDS[w1[i]]}{PRODUCTS_S[prod_s[i]]}项目")
        credit.append(ids.make_uscc("91" + adm + "".join(body_chars[i])))
        owner.append(SURNAMES[sur[i]] + GIVEN[giv[i, 0]] + (GIVEN[giv[i, 1]] if giv[i, 1] % 2 else ""))
    divs = [d for d, (s, _) in reference.industry_divisions().items() if s == "C"]
    div = np.array(divs)[rng.integers(0, len(divs), n)]
    serial = rng.permutation(n) + 1
    ptype = np.where(origin == "upgrade", "03", "01")
    filed_year = np.array([(EPOCH + dt.timedelta(days=int(d))).year if not np.isnan(d) else 0 for d in filed])
    project_code = [
        f"{filed_year[i]}-{adm}-{div[i] if is_ind[i] else '70'}-{ptype[i]}-{serial[i]:06d}" if filed_year[i] else None
        for i in range(n)
    ]
    park = [reg.townships[t].name + ("产业园" if is_ind[i] else "服务业集聚区") for i, t in enumerate(township)]

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
            "equipment_plan_wan": np.round(total * equip_ratio_plan, 0),
            "land_area_mu": land,
            "designed_output_wan": designed_output,
            "designed_tax_wan": designed_tax,
            "lead_dept": np.where(is_ind, "工信局", "商务局"),
            "owner": owner,
            "joint_acceptance_t": joint,
            "campaign": campaign,
            "exit_reason_t": list(exit_reason),
            "equip_ratio": equip_ratio_real,
            "replan": replan,
            "realisation": np.where(np.isnan(capacity), rng.uniform(0.35, 0.78, n), rng.uniform(0.85, 1.15, n)),
        }
    ).with_columns(
        _date_series("signed_t", signed),
        _date_series("filed_t", filed),
        _date_series("started_t", started),
        _date_series("completed_t", completed),
        _date_series("production_t", production),
        _date_series("capacity_t", capacity),
        _date_series("p_started", p_started),
        _date_series("p_completed_base", p_completed_base),
        _date_series("p_completed_new", p_completed_base + np.where(replan, replan_shift, 0)),
        _date_series("replan_at", np.where(replan, replan_at, np.nan)),
        _date_series("p_production_base", p_production_base),
        _date_series("p_production_new", p_production_base + np.where(replan, replan_shift, 0)),
        _date_series("p_capacity_base", p_capacity_base),
        _date_series("p_capacity_new", p_capacity_base + np.where(replan, replan_shift, 0)),
        _date_series("exit_t", exit_on),
        _date_series("stall_t", stall_at),
        _date_series("land_t", land_acq),
        _date_series("above_t", above_scale),
    )
    del campaign_date

    # --- approvals: one row per filed project × step --------------------------------------
    f_idx = np.where(~np.isnan(filed))[0]
    steps = np.array(APPROVAL_STEPS)
    k = len(steps)
    rows_p = np.repeat(f_idx, k)
    rows_s = np.tile(np.arange(k), len(f_idx))
    m = len(rows_p)
    received = filed[rows_p] + rows_s * 12 + rng.integers(0, 10, m)
    received = np.where(rows_s == 0, filed[rows_p] - rng.integers(10, 40, m), received)
    due = received + rng.integers(15, 60, m)
    took = np.round((due - received) * rng.uniform(0.3, 1.6, m))
    done = received + took
    st = started[rows_p]
    # a started project finished its steps by its start (施工许可 on the start date for infrastructure)
    done = np.where(~np.isnan(st), np.minimum(done, st), done)
    done = np.where(~np.isnan(st) & (rows_s == k - 1), st, done)
    # a project not (yet) started: later steps may be stuck open
    stuck = np.isnan(st) & (rows_s >= 3) & (rng.random(m) < 0.5)
    done = np.where(stuck, np.nan, done)
    done = np.where(rows_s == 0, filed[rows_p], done)  # the filing step is done on the filing date
    received = np.minimum(received, np.where(np.isnan(done), received, done))
    due = np.maximum(due, received)
    approvals = pl.DataFrame(
        {"project_id": np.array(pid)[rows_p], "step": steps[rows_s], "dept": [DEPTS[s] for s in steps[rows_s]]}
    ).with_columns(
        _date_series("received_on", received), _date_series("due_on", due), _date_series("done_on", done)
    )

    # --- operations: producing projects, monthly from the month after completion -----------
    c_idx = np.where(~np.isnan(production))[0]
    end_ym = int(end_month[:4]) * 12 + int(end_month[5:7]) - 1
    start_ym = np.array([
        (EPOCH + dt.timedelta(days=int(production[i]))).year * 12 + (EPOCH + dt.timedelta(days=int(production[i]))).month - 1
        for i in c_idx
    ], dtype=np.int64)
    ex = exit_on[c_idx]
    ex_ym = np.array([
        ((EPOCH + dt.timedelta(days=int(e))).year * 12 + (EPOCH + dt.timedelta(days=int(e))).month - 1) if not np.isnan(e) else end_ym
        for e in ex
    ], dtype=np.int64)
    last_ym = np.minimum(ex_ym, end_ym)
    counts = np.maximum(last_ym - start_ym + 1, 0)
    op_p = np.repeat(c_idx, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    op_ym = np.repeat(start_ym, counts) + offsets
    ramp_months = np.maximum(np.round((p_capacity_base[op_p] - production[op_p]) / 30.4), 1)
    real = truth["realisation"].to_numpy()[op_p]
    level = np.where(offsets >= ramp_months, real, 0.3 + (real - 0.3) * offsets / ramp_months)
    out_m = designed_output[op_p] / 12.0 * level * rng.uniform(0.85, 1.15, len(op_p))
    operations = pl.DataFrame(
        {
            "project_id": np.array(pid)[op_p],
            "month": [dt.date(int(ym // 12), int(ym % 12) + 1, 1) for ym in op_ym],
            "orders_wan": np.round(out_m * rng.uniform(0.9, 1.3, len(op_p)), 1),
            "capacity_utilization": np.round(np.clip(level * rng.uniform(0.9, 1.05, len(op_p)), 0, 1), 3),
            "invoiced_sales_wan": np.round(out_m * rng.uniform(0.85, 1.0, len(op_p)), 1),
            "output_value_wan": np.round(out_m, 1),
            "tax_wan": np.round(out_m * rng.uniform(0.03, 0.07, len(op_p)), 1),
            "profit_wan": np.round(out_m * rng.uniform(0.02, 0.12, len(op_p)), 1),
            "electricity_mwh": np.round(out_m * rng.uniform(0.05, 0.2, len(op_p)), 1),
            "employees": np.round(total[op_p] / 2000.0 * rng.uniform(0.7, 1.3, len(op_p))).astype(np.int64),
        }
    )

    # --- problems --------------------------------------------------------------------------
    has = rng.random(n) < 0.3
    per = np.where(has, rng.integers(1, 4, n), 0)
    pr_p = np.repeat(np.arange(n), per)
    q = len(pr_p)
    raised = signed[pr_p] + np.round(rng.uniform(10, 900, q))
    raised = np.minimum(raised, end_d)
    resolved = np.where(rng.random(q) < 0.7, raised + np.round(rng.uniform(7, 200, q)), np.nan)
    kinds = np.array(PROBLEM_KINDS)[rng.integers(0, len(PROBLEM_KINDS), q)]
    summaries = {
        "用地": "用地指标未落实，需协调土地报批", "环境容量": "环评总量指标不足，需调剂排污指标",
        "能耗": "能评批复前需落实能耗替代量", "资金": "项目融资未到位，需对接银行授信",
        "用工": "技术工人招聘缺口较大", "审批": "施工图审查意见反复，需并联会办", "其他": "外部配套道路未建成",
    }
    problems = pl.DataFrame(
        {
            "problem_id": [f"{prefix}Q{i + 1:06d}" for i in range(q)],
            "project_id": np.array(pid)[pr_p],
            "kind": kinds,
            "summary": [summaries[k_] for k_ in kinds],
            "assigned_dept": np.array(["资规局", "生态环境局", "发改委", "金融监管局", "人社局", "行政审批局", "住建局"])[
                rng.integers(0, 7, q)],
        }
    ).with_columns(_date_series("raised_on", raised), _date_series("resolved_on", resolved))
    return truth, approvals, operations, problems


def _cum_fraction(start: pl.Expr, finish: pl.Expr, at: pl.Expr) -> pl.Expr:
    """Linear share of the build done at date `at` between start and finish (0..1)."""
    span = (finish - start).dt.total_days().clip(lower_bound=1)
    done = (at - start).dt.total_days()
    return pl.when(start.is_null() | (at < start)).then(0.0).otherwise((done / span).clip(0.0, 1.0))


def snapshot(truth: pl.DataFrame, approvals: pl.DataFrame, operations: pl.DataFrame,
             problems: pl.DataFrame, month: str) -> dict[str, pl.DataFrame]:
    """Materialise the four tables as reported at the end of `month`."""
    as_of = month_end(month)
    y0 = dt.date(as_of.year, 1, 1)
    prev_ye = y0 - dt.timedelta(days=1)
    ye = dt.date(as_of.year, 12, 31)
    a = pl.lit(as_of)

    def known(c: str) -> pl.Expr:
        return pl.when(pl.col(c) <= a).then(pl.col(c)).otherwise(None)

    t = truth.filter(pl.col("signed_t") <= a)
    exited = pl.col("exit_t") <= a
    replanned = pl.col("replan") & (pl.col("replan_at") <= a)
    # actual build: start -> (completion, or expected end if still building); frozen after stall
    expected_end = pl.coalesce(pl.col("completed_t"), pl.col("p_completed_new"), pl.col("started_t") + pl.duration(days=365))
    freeze = pl.min_horizontal(pl.col("stall_t").fill_null(dt.date(2999, 1, 1)),
                               pl.col("exit_t").fill_null(dt.date(2999, 1, 1)))

    def cum_at(d: dt.date) -> pl.Expr:
        at = pl.min_horizontal(pl.lit(d), freeze)
        frac = _cum_fraction(pl.col("started_t"), expected_end, at)
        done = pl.col("completed_t").is_not_null() & (pl.col("completed_t") <= pl.lit(d))
        frac = pl.when(done).then(1.0).otherwise(frac * 0.97)
        return (pl.col("total_investment_wan") * frac).round(0)

    def plan_at(d: dt.date) -> pl.Expr:
        frac = _cum_fraction(pl.col("p_started"), pl.col("p_completed_base"), pl.lit(d))
        return pl.col("total_investment_wan") * frac

    t = t.with_columns(
        cum_now=cum_at(as_of),
        cum_prev_ye=cum_at(prev_ye),
        year_plan=(plan_at(ye) - plan_at(prev_ye)).round(0),
    )
    projects = t.select(
        "project_id",
        pl.when(pl.col("filed_t") <= a).then(pl.col("project_code_full")).otherwise(None).alias("project_code"),
        "name", "enterprise", "credit_code", "township_code", "park", "industry_section", "industry_chain",
        "origin", "category", "is_infrastructure", "signing_type", "total_investment_wan", "equipment_plan_wan",
        "land_area_mu", "designed_output_wan", "designed_tax_wan",
        pl.col("signed_t").alias("signed_on"),
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


def generate(store_dir, region_key: str = "jiangyin", n_projects: int = 800, months: int = 36,
             seed: int = 20240501, end_month: str | None = None, progress=None) -> Store:
    """Generate and publish `months` monthly snapshots ending at `end_month` into `store_dir`."""
    reference.region(region_key)  # validates the key
    end_month = end_month or last_full_month()
    ms = month_range(end_month, months)
    truth, approvals, operations, problems = generate_truth(region_key, n_projects, ms[0], end_month, seed)
    st = Store(store_dir)
    st.init(region_key)
    for i, m in enumerate(ms):
        tables = snapshot(truth, approvals, operations, problems, m)
        # the demo pretends each month was reported on the 5th of the following month
        pub = (month_end(m) + dt.timedelta(days=5)).isoformat() + "T09:00:00"
        st.publish(m, tables, source=[f"demo:{region_key}:seed={seed}"], user="demo", note="演示数据",
                   published_at=pub)
        if progress:
            progress(i + 1, len(ms), m)
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
