"""The one label table: every user-facing Chinese string for stages, tiers, rates,
flags, lights, exit reasons, enumerations and columns lives here.

Code uses English keys; pages and exports call `label(kind, key)` or read these dicts.
"""
from __future__ import annotations

STAGES: dict[str, str] = {
    "intent": "意向签约",
    "signed": "正式签约",
    "filed": "备案/核准",
    "started": "开工",
    "completed": "竣工",
    "producing": "投产",
    "at_capacity": "达产达效",
}
STAGE_ORDER: list[str] = list(STAGES)

PHASES: dict[str, str] = {
    "attract": "招引签约",
    "approve": "审批开工",
    "build": "投资建设",
    "operate": "投产达效",
}
PHASE_DEPTS: dict[str, str] = {
    "attract": "商务局",
    "approve": "发改委/行政审批局",
    "build": "工信局（工业）/商务局（服务业）",
    "operate": "工信局",
}

EXIT_REASONS: dict[str, str] = {
    "achieved": "达效退库",
    "hopeless": "无望达效",
    "stalled": "长期停滞",
    "lost": "暂停流失",
}

SIGNING_TYPES: dict[str, str] = {"intent": "意向签约", "formal": "正式签约"}
ORIGINS: dict[str, str] = {"new": "新招引", "upgrade": "技改"}
CATEGORIES: dict[str, str] = {"industry": "工业", "service": "服务业"}

TIER_BANDS: dict[str, str] = {
    "lt1": "<1亿",
    "1to10": "1–10亿",
    "10to30": "10–30亿",
    "30to50": "30–50亿",
    "50to100": "50–100亿",
    "ge100": "≥100亿",
}
TIER_CLASSES: dict[str, str] = {
    "ge1": "≥1亿",
    "ge10": "≥10亿",
    "ge30": "≥30亿",
    "ge50": "≥50亿",
    "ge100": "≥100亿",
}

RATES: dict[str, str] = {
    "filing_rate": "签约项目备案率",
    "start_rate": "备案项目开工率",
    "investment_rate": "当年投入完成率",
    "production_rate": "项目竣工投产率",
    "capacity_rate": "最终产能达效率",
}
RATE_DEFINITIONS: dict[str, str] = {
    "filing_rate": "分子：统计期内正式签约、截至当月末已备案（核准）的项目数；分母：统计期内正式签约的项目数。意向签约不计入。",
    "start_rate": "分子：统计期内备案、截至当月末已开工的项目数；分母：统计期内备案的项目数。",
    "investment_rate": "分子：列入当年投资计划（年度计划投资>0）项目的当年累计完成投资之和；分母：同一批项目的年度计划投资之和。",
    "production_rate": "分子：当年计划竣工清单中截至当月末已竣工且已投产的项目数；分母：当年计划竣工清单项目数（以当年首期快照中计划竣工日期在当年的项目为准，年内调整计划不出清单）。",
    "capacity_rate": "分子：已投产且计划达产日期不晚于当月末的项目中，截至当月末已达产达效的项目数；分母：已投产且计划达产日期不晚于当月末的项目数。",
}
RATE_COHORT_NOTE = (
    "统计期默认为所选月份所在年度1月1日至当月末（含）。已退库项目仍计入对应口径："
    "达效退库视为已达成，无望达效/长期停滞/暂停流失退库视为未达成（退库前已达成的节点仍按日期计）。"
)

FLAGS: dict[str, str] = {
    "approval_light": "审批红绿灯",
    "approval_over_12m": "审批周期超12个月",
    "approval_over_12m_started": "本期开工项目审批周期超12个月",
    "step_stalled": "审批环节停滞超1个月",
    "completion_reminder": "逾期未竣工（提醒函）",
    "completion_interview": "逾期未竣工（约谈）",
    "investment_behind": "投资进度滞后",
    "low_equipment_share": "设备投资占比偏低",
    "capacity_not_reached": "产能未达预期",
    "exit_candidate": "退库候选",
}
FLAG_DEPTS: dict[str, str] = {
    "approval_light": "行政审批局",
    "approval_over_12m": "发改委",
    "approval_over_12m_started": "发改委",
    "step_stalled": "发改委",
    "completion_reminder": "工信局/商务局",
    "completion_interview": "工信局/商务局",
    "investment_behind": "工信局",
    "low_equipment_share": "工信局",
    "capacity_not_reached": "工信局",
    "exit_candidate": "镇街园区",
}

LIGHTS: dict[str, str] = {
    "green": "已办结",
    "green_late": "超时办结",
    "yellow": "未办理",
    "red": "办理超时",
}
LIGHT_COLORS: dict[str, str] = {
    "green": "#2e9d4f",
    "green_late": "#8cc63f",
    "yellow": "#f2b705",
    "red": "#d7263d",
}

BOOL: dict[bool, str] = {True: "是", False: "否"}

APPROVAL_STEPS: list[str] = [
    "立项/核准备案",
    "用地预审与选址",
    "建设用地规划许可",
    "工程规划许可",
    "环评",
    "能评",
    "安评",
    "施工许可",
]
PROBLEM_KINDS: list[str] = ["用地", "环境容量", "能耗", "资金", "用工", "审批", "其他"]

# Column labels (Chinese headers) for every stored and derived column.
COLUMNS: dict[str, str] = {
    # projects
    "project_id": "项目编号",
    "project_code": "投资项目统一代码",
    "name": "项目名称",
    "enterprise": "项目单位",
    "credit_code": "统一社会信用代码",
    "township_code": "镇街代码",
    "township_name": "所在镇街",
    "unit_code": "板块代码",
    "unit_name": "板块",
    "park": "所在园区",
    "industry_section": "行业门类",
    "industry_name": "行业",
    "industry_chain": "产业链",
    "origin": "项目类型",
    "category": "产业类别",
    "is_infrastructure": "是否涉基建",
    "signing_type": "签约类型",
    "total_investment_wan": "总投资（万元）",
    "total_investment_yi": "总投资（亿元）",
    "equipment_plan_wan": "计划设备投资（万元）",
    "land_area_mu": "用地面积（亩）",
    "designed_output_wan": "设计年产值（万元）",
    "designed_tax_wan": "设计年税收（万元）",
    "signed_on": "签约日期",
    "filed_on": "备案日期",
    "started_on": "开工日期",
    "completed_on": "竣工日期",
    "production_on": "投产日期",
    "capacity_on": "达产日期",
    "planned_started_on": "计划开工日期",
    "planned_completed_on": "计划竣工日期",
    "planned_production_on": "计划投产日期",
    "planned_capacity_on": "计划达产日期",
    "year_plan_wan": "年度计划投资（万元）",
    "year_done_wan": "年度完成投资（万元）",
    "cumulative_done_wan": "累计完成投资（万元）",
    "equipment_done_wan": "设备投资完成（万元）",
    "exit_on": "退库日期",
    "exit_reason": "退库原因",
    "lead_dept": "牵头部门",
    "owner": "责任人",
    "land_acquired_on": "拿地日期",
    "joint_acceptance": "联合竣工验收",
    "campaign": "集中开竣工批次",
    "above_scale_on": "入规日期",
    # approvals
    "step": "审批事项",
    "dept": "办理部门",
    "received_on": "受理日期",
    "due_on": "承诺办结日期",
    "done_on": "办结日期",
    "light": "状态",
    # operations
    "month": "月份",
    "orders_wan": "订单（万元）",
    "capacity_utilization": "产能利用率",
    "invoiced_sales_wan": "开票销售（万元）",
    "output_value_wan": "产值（万元）",
    "tax_wan": "税收（万元）",
    "profit_wan": "利润（万元）",
    "electricity_mwh": "用电量（兆瓦时）",
    "employees": "用工人数",
    # problems
    "problem_id": "问题编号",
    "raised_on": "提出日期",
    "kind": "问题类型",
    "summary": "问题描述",
    "assigned_dept": "交办部门",
    "resolved_on": "解决日期",
    # derived
    "snapshot_month": "快照月份",
    "stage": "当前阶段",
    "stage_label": "当前阶段",
    "tier_band": "投资分档",
    "in_library": "是否在库",
    "count": "项目数",
    "numerator": "分子",
    "denominator": "分母",
    "rate": "比率",
    "months_waiting": "已等待（月）",
    "months_overdue": "逾期（月）",
    "days_overdue": "逾期（天）",
    "ytd_ratio": "年度完成比例",
    "time_share": "时序进度",
    "gap_pp": "落后（百分点）",
    "equipment_share": "设备投资占比",
    "capacity_realisation": "产能实现率",
    "output_12m_wan": "近12个月产值（万元）",
    "tax_12m_wan": "近12个月税收（万元）",
    "tax_per_mu": "亩均税收（万元/亩）",
    "output_per_mu": "亩均产出（万元/亩）",
    "intensity": "投资强度（万元/亩）",
    "suggested_reason": "建议退库原因",
    "score": "综合得分",
    "rank": "排名",
    "rank_prev": "上季度排名",
    "rank_change": "名次变化",
    "rule": "规则",
}


def label(kind: str, key) -> str:
    """Chinese label for `key` in the table `kind` (e.g. label('stage', 'filed'))."""
    table = {
        "stage": STAGES,
        "phase": PHASES,
        "exit_reason": EXIT_REASONS,
        "signing_type": SIGNING_TYPES,
        "origin": ORIGINS,
        "category": CATEGORIES,
        "tier_band": TIER_BANDS,
        "tier_class": TIER_CLASSES,
        "rate": RATES,
        "flag": FLAGS,
        "light": LIGHTS,
        "column": COLUMNS,
        "bool": BOOL,
    }[kind]
    return table.get(key, str(key) if key is not None else "")


def column_labels(columns) -> dict[str, str]:
    """Mapping column -> Chinese header for a list of columns (unknown ones keep their name)."""
    return {c: COLUMNS.get(c, c) for c in columns}
