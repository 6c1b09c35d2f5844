"""The one label table: every user-facing Chinese string for stages, tiers, rates,
flags, lights, exit reasons, enumerations and columns lives here.

Code uses English keys; pages and exports read these dicts (flag labels live in the flag
registry, `domain/flags.py`; column formats in `present/formats.py`).
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

LIGHTS: dict[str, str] = {
    "green": "已办结",
    "green_late": "超时办结",
    "yellow": "未办理",
    "red": "办理超时",
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


def column_labels(columns) -> dict[str, str]:
    """Mapping column -> Chinese header for a list of columns (unknown ones keep their name)."""
    return {c: COLUMNS.get(c, c) for c in columns}


# ---- dashboard views 1–5 (overview, funnel, tiers, map, rankings) --------------------------
TRANSITIONS: dict[str, str] = {
    "signed_filed": "签约→备案",
    "filed_started": "备案→开工（审批周期）",
    "started_completed": "开工→竣工",
    "completed_producing": "竣工→投产",
    "producing_at_capacity": "投产→达产",
}
CHANGES: dict[str, str] = {"new": "新入库", "advanced": "阶段推进", "exited": "退库"}
FUNNEL_SCOPES: dict[str, str] = {"all": "全部项目（含已退库）", "library": "仅在库项目"}

# Measures a township map can be coloured by (unit = drill-down unit).
MAP_MEASURES: dict[str, str] = {
    "in_library": "在库项目数",
    "total_investment_wan": "在库总投资（亿元）",
    "year_done_wan": "当年完成投资（亿元）",
    "filing_rate": "签约项目备案率",
    "start_rate": "备案项目开工率",
    "investment_rate": "当年投入完成率",
    "production_rate": "项目竣工投产率",
    "capacity_rate": "最终产能达效率",
    "tax_per_mu": "亩均税收（万元/亩）",
}
UNIT_MONTH_MEASURES: dict[str, str] = {
    "in_library": "在库项目数",
    "started_in_month": "当月开工项目数",
    "completed_in_month": "当月竣工项目数",
    "year_done_wan": "当年累计完成投资（亿元）",
}
VIEW_TEXT: dict[str, str] = {
    "rates": "五率",
    "funnel": "阶段漏斗",
    "funnel_scope": "统计范围",
    "stage_distribution": "当前阶段分布",
    "cohort_funnel": "签约年度队列漏斗",
    "conversion": "阶段转化",
    "durations": "阶段耗时",
    "tiers": "投资分档",
    "tier_classes": "累计口径（××亿元以上）",
    "tier_bands": "分档口径",
    "tier_investment": "各档投资（亿元）",
    "tier_stage_mix": "各档阶段构成",
    "flags": "预警事项",
    "changes": "较上月变化",
    "drill": "项目清单",
    "drill_pick": "查看项目清单（也可直接点击图中的柱/格）",
    "drill_none": "（请选择）",
    "map": "镇街地图",
    "map_measure": "地图着色指标",
    "unit_stage_heatmap": "阶段热力图",
    "unit_month_heatmap": "月度热力图",
    "unit_month_measure": "月度热力图指标",
    "ranking": "综合排名",
    "weights": "综合得分权重",
    "no_data": "当前筛选条件下没有项目。",
    "to_alerts": "进入预警督办",
    "axis_count": "项目数（个）",
    "axis_yi": "金额（亿元）",
    "axis_months": "耗时（月）",
    "axis_score": "综合得分",
    "new_vs_upgrade": "新招引与技改",
    "reached": "已达到（累计）",
    "current": "当前处于",
    "month_suffix": "月",
    "pct_prev": "占上一阶段",
    "pct_first": "占首阶段",
    "project_points": "项目点位（按总投资大小）",
    "county_outline": "县（市、区）界",
}
MAP_CAPTION = (
    "说明：{unit_word}位置为示意（{source}），不代表精确边界；坐标系为 GCJ-02（国测局坐标），"
    "与 WGS-84 偏差可达约 500 米。项目点位按所在{unit_word}示意分布，圆点大小表示总投资。"
    "地图离线绘制，不加载外部底图。"
)
RANKING_COMPONENTS: dict[str, str] = {**RATES, "tax_per_mu": "亩均税收"}
COLUMNS.update({
    "stage_rank": "阶段序号",
    "reached": "已达到项目数",
    "investment_wan": "总投资（万元）",
    "investment_yi": "总投资（亿元）",
    "pct_of_previous": "占上一阶段（%）",
    "pct_of_first": "占首阶段（%）",
    "prev_stage": "上月阶段",
    "change": "变化",
    "state": "状态",
    "signing_year": "签约年度",
    "signed_all": "签约项目数（含意向）",
    "signed": "正式签约",
    "filed": "已备案",
    "started": "已开工",
    "completed": "已竣工",
    "producing": "已投产",
    "at_capacity": "已达产",
    "exited": "已退库",
    "transition": "阶段转换",
    "months": "耗时（月）",
    "n": "项目数",
    "median_months": "中位数（月）",
    "mean_months": "平均（月）",
    "p25_months": "25分位（月）",
    "p75_months": "75分位（月）",
    "max_months": "最长（月）",
    "tier_label": "分档",
    "tier_class": "累计口径",
    "new_count": "新招引项目数",
    "upgrade_count": "技改项目数",
    "stage_intent": "意向签约",
    "stage_signed": "正式签约",
    "stage_filed": "备案/核准",
    "stage_started": "开工",
    "stage_completed": "竣工",
    "stage_producing": "投产",
    "stage_at_capacity": "达产达效",
    "started_in_month": "当月开工",
    "completed_in_month": "当月竣工",
    "land_mu": "用地（亩）",
    "filing_rate": "签约项目备案率",
    "start_rate": "备案项目开工率",
    "investment_rate": "当年投入完成率",
    "production_rate": "项目竣工投产率",
    "capacity_rate": "最终产能达效率",
    "filing_rate_num": "备案率分子",
    "filing_rate_den": "备案率分母",
    "start_rate_num": "开工率分子",
    "start_rate_den": "开工率分母",
    "investment_rate_num": "投入完成率分子（万元）",
    "investment_rate_den": "投入完成率分母（万元）",
    "production_rate_num": "竣工投产率分子",
    "production_rate_den": "竣工投产率分母",
    "capacity_rate_num": "产能达效率分子",
    "capacity_rate_den": "产能达效率分母",
    "score_filing_rate": "得分·签约备案率",
    "score_start_rate": "得分·备案开工率",
    "score_investment_rate": "得分·当年投入完成率",
    "score_production_rate": "得分·竣工投产率",
    "score_capacity_rate": "得分·产能达效率",
    "score_tax_per_mu": "得分·亩均税收",
    "rank_change_text": "较上季度",
    "prev_quarter_month": "上季度末月份",
    "weight": "权重",
    "component": "指标",
    "measure": "指标",
    "value": "数值",
    "cumulative_done_yi": "累计完成投资（亿元）",
    "year_done_yi": "当年完成投资（亿元）",
    "value_text": "数值",
    "in_library_count": "在库项目数",
})

# ---- quarterly review (季度点评), comments (点评意见), meeting pack and bulletin (月通报) ----
QUARTER_STATUS: dict[str, str] = {
    "on_time": "按期",
    "late": "延期完成",
    "overdue": "逾期未完成",
    "pending": "未到计划期",
    "unplanned": "无计划日期",
}
QUARTER_STATUS_NOTE = (
    "季度计划以季度开始前最后一期快照中的计划日期为准（季度内新入库项目取其首次填报的计划），"
    "季度内调整计划不出清单。按期：实际日期不晚于季度计划日期（含提前）；延期完成：实际日期晚于计划；"
    "逾期未完成：截至数据月份末仍未完成且计划日期已到；未到计划期：计划日期尚未到。"
)
FOLLOW_UP_STATES: dict[str, str] = {
    "todo": "待跟进",
    "doing": "跟进中",
    "done": "已办结",
}
COMMENT_TARGETS: dict[str, str] = {"project": "项目", "unit": "镇街/板块"}
MONTH_EVENTS: dict[str, str] = {
    "signed": "正式签约",
    "intent": "意向签约",
    "filed": "备案/核准",
    "started": "开工",
    "completed": "竣工",
}
REVIEW: dict[str, str] = {
    "quarter_page": "季度点评",
    "pack_title": "季度点评会议材料",
    "bulletin_title": "重大项目月度通报",
    "cover_quarter": "季度",
    "cover_as_of": "数据截至",
    "rates": "五率",
    "funnel": "阶段漏斗",
    "tiers": "投资分档",
    "quarter_summary": "分板块开竣工情况",
    "quarter_projects": "季度项目明细",
    "ranking": "绩效排名",
    "ranking_chart": "综合得分排名",
    "flag_counts": "预警汇总",
    "flags": "预警清单",
    "comments": "点评意见",
    "last_quarter_comments": "上季度点评意见",
    "unit_pages": "分板块点评",
    "started_in_q": "本季度开工项目",
    "completed_in_q": "本季度竣工项目",
    "planned_in_q": "本季度计划开工/竣工项目",
    "no_rows": "本季度无开竣工及计划开竣工项目",
    "no_comments": "暂无点评意见",
    "month_summary": "分板块签约、备案、开工、竣工情况",
    "month_events": "当月项目清单",
    "present": "大屏演示",
    "prev": "上一个",
    "next": "下一个",
    "no_font": "未找到中文字体（Noto Sans CJK），无法生成PDF。请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）后重试。",
}
COLUMNS.update({
    # quarterly review
    "started_in_q": "本季度开工",
    "completed_in_q": "本季度竣工",
    "planned_start_in_q": "计划本季度开工",
    "planned_complete_in_q": "计划本季度竣工",
    "baseline_started_on": "基准计划开工日期",
    "q_planned_started_on": "季度计划开工日期",
    "actual_started_on": "实际开工日期",
    "start_status": "开工情况",
    "start_delay_days": "开工偏差（天）",
    "baseline_completed_on": "基准计划竣工日期",
    "q_planned_completed_on": "季度计划竣工日期",
    "actual_completed_on": "实际竣工日期",
    "complete_status": "竣工情况",
    "complete_delay_days": "竣工偏差（天）",
    "started_count": "本季度开工项目数",
    "started_investment_wan": "开工项目总投资（万元）",
    "completed_count": "本季度竣工项目数",
    "completed_investment_wan": "竣工项目总投资（万元）",
    "planned_start_count": "计划开工项目数",
    "planned_start_on_time": "按期开工",
    "planned_start_late": "延期开工",
    "planned_start_overdue": "逾期未开工",
    "planned_start_pending": "未到计划开工期",
    "planned_complete_count": "计划竣工项目数",
    "planned_complete_on_time": "按期竣工",
    "planned_complete_late": "延期竣工",
    "planned_complete_overdue": "逾期未竣工",
    "planned_complete_pending": "未到计划竣工期",
    "start_on_time_rate": "按期开工率",
    "complete_on_time_rate": "按期竣工率",
    # comments
    "comment_id": "意见编号",
    "target_kind": "点评对象类型",
    "target_id": "点评对象",
    "target_name": "点评对象名称",
    "quarter": "季度",
    "author": "点评人",
    "created_at": "记录时间",
    "version": "版本",
    "text": "点评意见",
    "follow_up": "跟进状态",
    "department": "责任部门",
    "edited_by": "修改人",
    "edited_at": "修改时间",
    "deleted": "已删除",
    # monthly bulletin
    "event": "事项",
    "event_on": "日期",
    "signed_month": "当月正式签约",
    "signed_month_wan": "当月签约总投资（万元）",
    "intent_month": "当月意向签约",
    "filed_month": "当月备案",
    "filed_month_wan": "当月备案总投资（万元）",
    "started_month": "当月开工",
    "started_month_wan": "当月开工总投资（万元）",
    "completed_month": "当月竣工",
    "completed_month_wan": "当月竣工总投资（万元）",
    "signed_ytd": "年内正式签约",
    "intent_ytd": "年内意向签约",
    "filed_ytd": "年内备案",
    "started_ytd": "年内开工",
    "completed_ytd": "年内竣工",
    # pack tables
    "rate_key": "指标代码",
    "rate_label": "指标",
    "previous_rate": "上期比率",
    "previous_month": "上期月份",
    "change_pp": "变化（百分点）",
    "definition": "口径说明",
    "flag_key": "预警代码",
    "flag_label": "预警",
})


# ---- lists people act on: approvals, alerts, project file, look-back (views 6, 7, 8, 11) ----
FLAG_LEVELS: dict[str, str] = {"reminder": "提醒函", "interview": "约谈", "grace": "逾期不足1个月"}
THRESHOLD_LABELS: dict[str, str] = {
    "approval_period_months": "审批周期预警（月）",
    "step_stalled_months": "审批环节超期停滞（月）",
    "reminder_after_months": "逾期未竣工发提醒函（满N个月）",
    "interview_after_months": "逾期未竣工约谈（超过N个月）",
    "investment_gap_pp": "投资进度落后时序（百分点）",
    "equipment_share_min": "设备投资占比下限",
    "capacity_realisation_min": "产能实现率下限",
    "exit_stalled_months": "长期停滞退库候选（月）",
    "land_to_start_days": "拿地即开工（天）",
}
LOOKBACK_KINDS: dict[str, str] = {"start": "集中开工", "complete": "集中竣工"}
PROBLEM_STATES: dict[str, str] = {"open": "未解决", "resolved": "已解决"}
MILESTONE_STATUS: dict[str, str] = {"done": "已完成", "overdue": "已逾期未完成", "pending": "未到计划日期",
                                    "unplanned": "无计划日期"}
PLANNED_COLUMNS: dict[str, str] = {
    "planned_started_on": "计划开工日期",
    "planned_completed_on": "计划竣工日期",
    "planned_production_on": "计划投产日期",
    "planned_capacity_on": "计划达产日期",
}
FLAG_CHANGE_STATES: dict[str, str] = {**STAGES, "exited": "已退库", "absent": "已不在库表中"}
LIST_TEXT: dict[str, str] = {
    "light_summary": "红绿灯汇总",
    "by_dept": "按办理部门",
    "checklist": "项目审批事项清单",
    "checklist_steps": "审批事项明细",
    "dept_filter": "办理部门",
    "light_filter": "灯色",
    "unit_filter_hint": "镇街（板块）筛选见左侧边栏。",
    "over_12m": "审批周期超12个月（在办）",
    "over_12m_started": "本年开工项目中审批周期超12个月（统计）",
    "stalled": "审批环节超期停滞",
    "all_depts": "全部",
    "thresholds": "预警阈值（配置文件）",
    "rule": "规则",
    "dept_acts": "责任部门",
    "count": "项目数",
    "export_sheet": "导出督办清单（Excel）",
    "changes": "较上月变化",
    "new_on_list": "本月新增",
    "left_list": "本月移出",
    "no_previous": "没有上一期快照，无法比较。",
    "none_on_list": "当前没有项目列入本清单。",
    "search": "搜索项目",
    "search_help": "按项目名称、项目单位、投资项目统一代码、统一社会信用代码或项目编号搜索（部分匹配）",
    "search_pick": "打开项目档案",
    "search_none": "没有找到匹配的项目。",
    "pick_prompt": "请在上方搜索项目，或从任一项目清单点击“查看”打开项目档案。",
    "not_in_month": "项目 {pid} 不在 {month} 月的快照中（可能尚未入库或编号有误）。",
    "key_facts": "基本情况",
    "milestones": "节点计划与实际",
    "replans": "计划调整记录",
    "no_replans": "无计划调整，基准计划即当前计划。",
    "investment_curve": "投资完成曲线",
    "approvals": "审批事项",
    "operations": "投产后月度运营",
    "problems": "矛盾问题",
    "flags": "当月预警",
    "no_flags": "当月未列入任何预警清单。",
    "no_operations": "暂无月度运营数据（投产后按月报送）。",
    "no_problems": "无矛盾问题记录。",
    "no_approvals": "暂无审批事项记录。",
    "as_of_line": "截至当月末",
    "actual": "实际",
    "planned": "当前计划",
    "baseline": "基准计划",
    "replan": "计划调整",
    "cumulative": "累计完成投资",
    "plan_path": "年度计划时序进度",
    "year_target": "年末计划累计",
    "total_investment": "总投资",
    "lookback_summary": "批次兑现情况",
    "lookback_units": "分镇街（板块）兑现情况",
    "lookback_projects": "批次项目明细",
    "lookback_pick": "选择批次",
    "lookback_none": "截至所选月份没有已到期的集中开竣工批次。",
    "lookback_note": ("口径：批次月份为批次所在季度末月；计划日期取项目首次填报的计划日期（基准，调整计划不改变承诺）；"
                      "“现在”按所选月份快照计，“批次当时”按批次月份快照计（该期未发布则不计）。已退库项目仍计入批次。"),
    "at_batch_unpublished": "批次当月快照未发布",
    "total": "合计",
    "dept_unknown": "（未填报部门）",
    "threshold_name": "阈值",
    "threshold_value": "取值",
    "thresholds_source": "阈值来自配置文件 lifecycle/config.toml（或数据目录下的 config.toml，可按地区覆盖）。",
}
COLUMNS.update({
    "open_steps": "在办审批事项（部门）",
    "approval_months": "审批周期（月）",
    "months_past_due": "超期（月）",
    "days_past_due": "超期（天）",
    "days_open": "已办理（天）",
    "level": "督办方式",
    "last_milestone_on": "最近节点日期",
    "cumulative_back": "12个月前累计完成投资（万元）",
    "planned_column": "计划节点",
    "changed_in": "调整月份",
    "old_date": "调整前日期",
    "new_date": "调整后日期",
    "baseline": "基准计划日期",
    "green": "已办结",
    "green_late": "超时办结",
    "yellow": "未办理",
    "red": "办理超时",
    "steps": "审批事项数",
    "projects": "项目数",
    "batch_month": "批次月份",
    "on_time_now": "按期兑现（现在）",
    "done_now": "已兑现（现在，含延期）",
    "on_time_share_now": "按期兑现率（现在）",
    "done_share_now": "兑现率（现在，含延期）",
    "at_batch_published": "批次当月快照已发布",
    "on_time_at_batch": "按期兑现（批次当时）",
    "on_time_share_at_batch": "按期兑现率（批次当时）",
    "done_at_batch": "已兑现（批次当时）",
    "planned_on": "承诺日期（基准计划）",
    "planned_now_on": "当前计划日期",
    "actual_on": "实际日期",
    "operating_months_12m": "近12个月报送月数",
    "as_of": "截至日期",
    "planned_cumulative_wan": "计划累计投资（时序，万元）",
    "year_end_target_wan": "年末计划累计投资（万元）",
    "milestone": "节点",
    "milestone_label": "节点",
    "baseline_on": "基准计划日期",
    "days_vs_plan": "较当前计划（天）",
    "days_vs_baseline": "较基准计划（天）",
    "status": "状态",
    "problem_state": "解决状态",
    "days_taken": "历时（天）",
    "seq": "序号",
    "remark": "整改情况（镇街填报）",
    "flag": "预警事项",
})


# ---- ledger import (台账导入, 数据管理) -------------------------------------------------------
IMPORT_TABLES: dict[str, str] = {
    "projects": "项目",
    "approvals": "审批",
    "operations": "运行",
    "problems": "问题",
}
IMPORT_LEVELS: dict[str, str] = {"error": "错误", "warning": "提示"}
IMPORT_ISSUE_COLUMNS: dict[str, str] = {
    "level": "级别",
    "file": "文件",
    "sheet": "工作表",
    "row": "行号",
    "cell": "单元格",
    "column": "列",
    "value": "填写值",
    "message": "问题说明",
    "table": "数据表",
    "field": "字段",
}
IMPORT_TITLES: dict[str, str] = {
    "projects": "重大项目台账（项目）",
    "approvals": "审批事项台账",
    "operations": "新增长点培育库月度运行台账",
    "problems": "矛盾问题台账",
}
IMPORT_UI: dict[str, str] = {
    "result_sheet": "校验结果",
    "upload": "上传本月台账（Excel .xlsx 或 CSV，可多选）",
    "month": "数据月份",
    "validate": "校验",
    "publish": "发布本月快照",
    "publish_blocked": "存在错误，修正后才能发布",
    "published": "已发布",
    "errors": "错误",
    "warnings": "提示",
    "download_marked": "下载标注后的 Excel",
    "download_report": "下载校验结果",
    "template": "下载导入模板",
    "export": "导出已发布月份（模板格式）",
    "publications": "发布记录",
    "months": "已发布月份",
    "user": "发布人",
    "reading": "正在读取",
    "no_issues": "未发现问题",
    "tab_import": "导入台账",
    "tab_months": "已发布月份与发布记录",
    "tab_template": "模板与导出",
    "month_help": "本次台账所属月份，格式 YYYY-MM；已发布的月份将被整体替换",
    "user_help": "记入发布记录；留空则记为系统用户",
    "intro": "上传本月的项目、审批、运行、问题台账（一个工作簿多张表，或每张表一个文件）。"
             "未上传的表沿用上一期数据。可先在“模板与导出”中下载导入模板。",
    "bad_month": "月份格式应为 YYYY-MM，实际为“{month}”",
    "unreadable": "文件无法读取：{error}",
    "replans": "调整计划",
    "replans_help": "计划日期与上期不同的单元格数，发布后记为调整计划",
    "seconds": "校验用时",
    "sources": "各表来源",
    "ignored": "已忽略的工作表：",
    "marked_failed": "{file}：无法生成标注文件（{error}）",
    "blocked_detail": "存在错误，修正后才能发布（共 {n} 条错误）。下载标注后的 Excel 可看到每个出错的单元格。",
    "republish": "{month} 已发布过，发布后将整体替换该月快照（旧版本保留在发布记录中）。",
    "stale": "数据目录已变化，重新校验发现 {n} 条错误，未发布。",
    "shrink_intro": "以下提供的表比它要替换的快照少了很多行，请确认不是只填了一部分：",
    "shrink_line": "- {table}表：{month} 快照 {before:,} 行 → 本次 {after:,} 行",
    "confirm_shrink": "确认大幅减少（本期数据确实如此）",
    "published_detail": "已发布 {month}：{rows}（版本 {version}）",
    "template_note": "模板含 项目/审批/运行/问题 四张表：标题行、中文表头、填写说明行和一行示例（项目编号以“示例”开头的行不会导入）。",
    "make_export": "生成导出文件",
    "download_export": "下载 {month} 台账（模板格式）",
    "rows_suffix": "（行）",
    "count_unit": "{n} 条",
    "replans_unit": "{n} 处",
    "seconds_unit": "{s:.1f} 秒",
}
PUBLICATION_COLUMNS: dict[str, str] = {
    "month": "月份",
    "version": "版本",
    "published_at": "发布时间",
    "user": "发布人",
    "source": "来源文件",
    "rows": "行数",
    "note": "备注",
    "in_force": "当前生效",
}
COLUMNS.update({"level_now": "当前督办方式"})
COLUMNS.update({"kind_batch": "批次类型"})
COLUMNS.update({"current_plan_on": "当前计划日期"})
# Light markers for Streamlit markdown labels (colour + text; no emoji font needed).
LIGHT_MD: dict[str, str] = {
    "green": ":green[●]",
    "green_late": ":green[◐]",
    "yellow": ":orange[●]",
    "red": ":red[●]",
}
LIGHT_BG: dict[str, str] = {
    "green": "#d4efdc",
    "green_late": "#e8f4c8",
    "yellow": "#fff1bf",
    "red": "#f8cdd3",
}
COLUMNS.update({f"{c}_pct": f"{COLUMNS[c]}（%）" for c in (
    "equipment_share", "capacity_realisation", "ytd_ratio", "time_share", "on_time_share_now", "done_share_now",
    "on_time_share_at_batch", "capacity_utilization")})

# Project file: comments recorded at quarterly reviews
LIST_TEXT.update({
    "comments": "点评意见",
    "no_comments": "本项目尚无点评意见（可在“季度点评”页记录）。",
})

# Checks on what a person types into a record (lifecycle/store/inputs.py)
INPUT_TEXT: dict[str, str] = {
    "required": "{what}不能为空",
    "too_long": "{what}过长（{n}字，最多{max}字）",
    "date": "{what}应为日期（如 2026-10-31），实际为“{value}”",
    "future": "{what}不能晚于今天（{value}）",
    "choice": "{what}“{value}”无效（可选：{options}）",
}

# General UI messages
UI_TEXT: dict[str, str] = {
    "empty_store": "数据目录 {root} 中还没有已发布的月度快照。请先在“数据管理”页导入第一个月的台账。",
    "go_data_page": "前往数据管理页 →",
    "store_region": "本数据目录所属地区",
    "store_region_help": "新数据目录首次导入时选择，之后固定不变",
    "page_error": "页面出错，已记录在服务器日志中（错误编号 {id}）。请刷新页面重试；如仍出错，请把错误编号告知系统管理员。",
    "store_error": "{message}（错误编号 {id}）",
    "integrity": "数据完整性检查发现以下月份的快照文件有问题，这些月份已暂停使用，其余月份不受影响：",
}
REGION_NAMES: dict[str, str] = {"jiangyin": "江阴市（镇街园区）", "changzhou": "常州市（辖市区）"}

# ---- accounts, roles and scope (docs/domain.md §9) --------------------------------------------
ROLES: dict[str, str] = {
    "admin": "系统管理员",
    "publisher": "数据管理员",
    "leader": "市领导/项目办/部门",
    "township": "镇街园区/板块",
    "reviewer": "审查委员会成员",
}
AUTH_TEXT: dict[str, str] = {
    "login_title": "登录 · 重大项目全生命周期看板",
    "username": "用户名",
    "password": "密码",
    "login": "登录",
    "logout": "退出登录",
    "bad_login": "用户名或密码错误",
    "locked": "连续{n}次密码错误，账户已锁定，请于 {until} 后再试",
    "disabled": "该账户已停用，请联系系统管理员",
    "no_password": "该账户只能通过单点登录进入",
    "short_password": "密码至少需要{n}个字符",
    "no_accounts": "数据目录 {root} 中还没有任何账户。请由运维人员在服务器上创建管理员账户：\n\n"
                   "`python -m lifecycle users add 用户名 --role admin --password-stdin --store {root}`",
    "demo_accounts": "演示数据目录的演示账户（密码均为 **{password}**，仅演示数据目录显示）：",
    "signed_in": "当前用户：**{name}**（{role}{unit}）",
    "signed_out": "已退出登录。",
    "denied": "无权查看：{what}",
    "denied_unit": "只能查看{unit}的数据",
    "denied_page": "无权访问“{page}”（需要{roles}角色）",
    "sso_login": "使用单点登录（统一身份认证）",
    "sso_intro": "本系统通过单位统一身份认证登录。",
    "sso_unknown": "单点登录账号“{who}”尚未开通本系统权限，请联系系统管理员添加账户",
    "sso_logout": "退出单点登录",
    "answer": "回复/整改说明",
    "answer_save": "保存回复",
    "answers": "回复/整改说明",
}
AUDIT_ACTIONS: dict[str, str] = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "publish": "发布月度数据",
    "import_refused": "导入被拒绝",
    "download": "下载",
    "export": "导出",
    "pack": "生成季度会议材料",
    "bulletin": "生成月通报",
    "comment_add": "新增点评意见",
    "comment_edit": "修改点评意见",
    "comment_delete": "删除点评意见",
    "comment_answer": "回复点评意见",
    "denied": "越权访问被拒绝",
    "account_add": "新增账户",
    "account_disable": "停用账户",
    "account_enable": "启用账户",
    "account_passwd": "修改密码",
    "account_set_role": "修改角色",
    "account_unlock": "解除锁定",
    "account_locked": "账户锁定",
}
AUDIT_COLUMNS: dict[str, str] = {
    "seq": "序号", "time": "时间", "user": "用户", "role": "角色", "action": "操作",
    "scope": "范围", "target": "对象", "ok": "成功", "detail": "详情",
}
COLUMNS.update({"answers": "回复/整改说明"})


# ---- 招推服 (issue 12): phases, yearly targets, 新增长点培育库, yearly evaluation, 省/市重大 ----
MAJOR_LEVELS: dict[str, str] = {"provincial": "省重大", "municipal": "市重大"}
MAJOR_FILTER: dict[str, str] = {**MAJOR_LEVELS, "none": "非省市重大"}
TARGETS: dict[str, str] = {
    "land_to_start": "拿地即开工",
    "joint_acceptance": "联合竣工验收",
    "above_scale": "新入规企业",
}
TARGET_KEYS: dict[str, str] = {  # target kind -> its key under [regions.<r>.targets]
    "land_to_start": "land_to_start_projects",
    "joint_acceptance": "joint_acceptance_projects",
}
GRADES: dict[str, str] = {"A": "A（优秀）", "B": "B（良好）", "C": "C（一般）", "D": "D（产出不及预期）"}
EVAL_INDICATORS: dict[str, str] = {
    "tax_per_mu": "亩均税收",
    "output_per_mu": "亩均产出",
    "tax_vs_designed": "实际/设计税收",
    "intensity": "投资强度",
}
COLUMNS.update({
    "intent_signed_on": "意向签约日期",
    "major_level": "省市重大",
    "phase": "所处阶段",
    "phase_name": "所处阶段",
    "phase_dept": "牵头部门",
    "phase_span": "阶段范围",
    "phase_entry_on": "进入本阶段日期",
    "months_in_phase": "本阶段已用（月）",
    "limit_months": "阶段时限（月）",
    "months_over": "超出时限（月）",
    "overdue": "是否超期",
    "overdue_count": "超期项目数",
    "from_phase_name": "移交阶段",
    "from_dept": "移交部门",
    "to_phase_name": "接收阶段",
    "to_dept": "接收部门",
    "handover_on": "交接日期",
    "handover_count": "本月交接项目数",
    "target_name": "目标事项",
    "event_on": "日期",
    "event_month": "月份",
    "target": "年度目标（个）",
    "target_to_date": "序时目标（个）",
    "gap": "与序时目标差（个）",
    "months_elapsed": "已过月数",
    "days_land_to_start": "拿地至开工（天）",
    "ytd_count": "本年累计（个）",
    "months_since_production": "投产以来（月）",
    "is_above_scale": "是否已入规",
    "should_be_above_scale": "应入规未入规",
    "sales_12m_wan": "近12个月开票销售（万元）",
    "electricity_12m_mwh": "近12个月用电量（兆瓦时）",
    "utilization_avg": "近12个月平均产能利用率",
    "ops_months": "近12个月填报月数",
    "tax_vs_designed": "实际/设计税收",
    "score_tax_per_mu": "亩均税收得分",
    "score_output_per_mu": "亩均产出得分",
    "score_tax_vs_designed": "税收达成得分",
    "score_intensity": "投资强度得分",
    "grade": "评价等级",
    "grade_count": "项目数",
})
ZTF_TEXT: dict[str, str] = {
    "phases_title": "分段推进",
    "phase_overview": "各阶段项目与牵头部门",
    "phase_list": "阶段项目清单",
    "phase_overdue": "超期未交接项目",
    "handover": "本月阶段交接",
    "handover_none": "本月没有项目跨入下一阶段。",
    "phase_none": "本地区未配置推进阶段（config.toml 中的 [[regions.<地区>.phases]]）。",
    "phase_pick": "查看阶段",
    "phase_done": "已达产达效",
    "targets": "年度目标序时进度",
    "targets_none": "本地区未配置年度目标。",
    "target_trend": "按月累计与序时目标",
    "target_by_unit": "分{unit}完成情况",
    "target_list": "计入项目清单",
    "growth_title": "新增长点培育库",
    "growth_intro": "通过竣工验收的在库项目自动列入培育库，按月跟踪产值、税收、用电、产能利用率；"
                    "标出已入规企业与应入规未入规企业。",
    "growth_trend": "培育库月度运行（近12个月，合计；产能利用率为平均）",
    "growth_list": "培育库项目",
    "growth_should": "应入规未入规企业",
    "growth_new_scale": "本年新入规企业（分{unit}）",
    "growth_project": "单个项目月度运行",
    "growth_none": "当前筛选条件下培育库中没有项目。",
    "eval_title": "年度评价",
    "eval_intro": "对已投产的在库项目按近12个月（12月份快照即为全年）评价：亩均税收、亩均产出、"
                  "实际税收与设计年税收之比、投资强度，各项得分 = min(实际/基准, 1) × 100，"
                  "按权重加权（缺项不计、权重重新归一），按阈值定等级。",
    "eval_grades": "等级分布",
    "eval_awards": "表彰名单（A级）",
    "eval_under": "产出不及预期名单（D级）",
    "eval_all": "全部评价项目",
    "eval_none": "当前筛选条件下没有已投产的项目。",
    "entry_refused": "总投资{value}万元低于亿元项目库入库标准（{min}万元，即{min_yi}亿元），本行不予入库",
    "entry_missing": "未填写总投资，无法确认是否达到亿元项目库入库标准（{min_yi}亿元），请补填",
    "intent_after_signed": "意向签约日期（{intent}）晚于正式签约日期（{signed}），请核对",
    "funnel_intent_note": "签约年度按首次签约（意向签约转正式签约的项目按意向签约日期）归入队列；"
                          "直接正式签约的项目视为同日意向签约并转正式签约。",
    "intent_conversion": "意向签约转正式签约",
    "growth_count": "培育库项目",
    "growth_producing": "其中已投产",
    "growth_above": "已入规企业",
    "growth_should_none": "当前没有应入规未入规的企业。",
    "growth_rule": "应入规未入规：工业项目投产满 {months} 个月、近12个月开票销售达到 {sales:,} 万元，"
                   "但尚未入规（无入规日期或晚于本月末）。",
    "growth_pick": "项目",
    "eval_rule": "评价规则",
    "eval_no_a": "没有A级项目。",
    "eval_no_d": "没有D级项目。",
    "grade_none": "无法评价",
    "phase_rule": "{name}阶段（{span}）时限 {limit} 个月，自进入本阶段起超过即为超期",
    "phase_ontime": "时限内",
    "phase_overdue_short": "超期",
    "phase_export": "导出{dept}清单（{name}）",
    "target_rule": "拿地即开工：拿地后 {days} 天内（含）开工；联合竣工验收：本年竣工且采用联合竣工验收；"
                   "序时目标 = 年度目标 × 已过月数 / 12。",
}
TRANSITIONS = {"intent_signed": "意向→正式签约", **TRANSITIONS}
COLUMNS.update({"intent_recorded": "有意向签约记录（个）", "intent_converted": "其中已转正式签约（个）"})
# ---- issue 11: every slice, Chinese everywhere, every screen ---------------------------------
SCREEN_TEXT: dict[str, str] = {
    "no_rows": "无数据：当前筛选条件下没有记录。",
    "no_data": "无数据",
    "file_column": "档案",
    "file_link": "查看",
    "download_csv": "下载 CSV（UTF-8，可用 Excel 打开）",
    "download_xlsx": "下载 Excel 工作簿",
    "bad_month": "链接中的数据月份 {month} 不存在（已发布：{first} 至 {last}），已显示最新一期 {shown}。",
    "bad_unit": "链接中的{unit_word} {units} 不存在，已忽略。",
    "bad_value": "链接中的{what} {values} 不存在，已忽略。",
    "bad_page_title": "页面不存在",
    "bad_page": "您访问的页面不存在，已打开总览。",
    "upload_hint": "将 Excel（.xlsx/.xlsm）或 CSV 台账拖到此处，或点击“选择文件”；可一次上传多个文件，每个不超过 200MB。",
    "upload_button": "选择文件",
    "started_after_limit": "历年已开工项目中备案至开工超{limit}个月（项目数）",
}
# What one row of a flag list counts, as label suffixes (domain/flags.py `counts`)
COUNT_SUFFIX: dict[str, str] = {"项目": "（项目数）", "事项": "（事项数）"}
# URL parameter names of the filters, as the notices name them
FILTER_NAMES: dict[str, str] = {"tier": "投资分档", "section": "行业门类", "origin": "项目类型",
                                "category": "产业类别", "period": "统计期"}
# ---- slippage forecast (风险预判) and rate attribution (变动归因), issue 14 -------------------
FORECAST_MILESTONES: dict[str, str] = {"started": "开工", "completed": "竣工", "producing": "投产",
                                       "at_capacity": "达产"}
FORECAST_ENTRY: dict[str, str] = {"started": "备案", "completed": "开工", "producing": "竣工",
                                  "at_capacity": "投产"}
FORECAST_SIZE: dict[str, str] = {"lt1": "<1亿", "1to10": "1–10亿", "10to30": "10–30亿", "ge30": "≥30亿",
                                 "unknown": "总投资未填报"}
FORECAST_TEXT: dict[str, str] = {
    "elapsed": "已{entry}{elapsed:.1f}个月，距计划{ms}还有{left:.1f}个月",
    "peer": "同类项目（{desc}）{entry}→{ms}中位{median}，样本{n}个",
    "peer_all": "全部",
    "slower": "比全部项目中位长{diff:.1f}个月",
    "faster": "比全部项目中位短{diff:.1f}个月",
    "prev_late": "上一节点（{entry}）晚于基准计划{months:.1f}个月",
    "prev_on_time": "上一节点按基准计划完成",
    "prev_late_tag": "上一节点延误",
    "prev_on_time_tag": "上一节点按期",
    "behind_median": "已超过同类项目中位耗时",
    "no_median": "过半同类项目尚未完成",
    "months": "{v:.1f}个月",
    "no_bound": "—",
}
FORECAST_COLUMNS: dict[str, str] = {
    "risk": "延误概率",
    "risk_pct": "延误概率（%）",
    "fc_milestone": "预判节点",
    "fc_planned_on": "计划日期（本期计划）",
    "high_risk": "高风险项目数",
    "forecast_count": "预判项目数",
    "expected_on": "预计日期（中位）",
    "low_on": "预计最早（10%）",
    "high_on": "预计最晚（90%）",
    "drivers": "主要依据",
    "elapsed_months": "本阶段已用（月）",
    "naive_late": "简单规则判为延误",
}
BACKTEST_COLUMNS: dict[str, str] = {
    "origin_month": "预判月份",
    "scored": "评分项目数",
    "late_share": "实际延误比例",
    "brier_model": "Brier（模型）",
    "brier_naive": "Brier（简单规则）",
    "top20_model": "前20命中率（模型）",
    "top20_naive": "前20命中率（简单规则）",
    "decile": "预测分位组",
    "n": "项目数",
    "predicted": "平均预测概率",
    "observed": "实际延误比例",
}
RISK_TEXT: dict[str, str] = {
    "title": "风险预判",
    "intro": ("在库项目中，下一个计划节点（开工、竣工、投产、达产）计划在未来 {h} 个月内的项目，按延误概率排序。"
              "概率来自同类已发生项目的阶段耗时（Kaplan–Meier 生存曲线，按节点、投资规模、上一节点是否延误、"
              "产业类别、项目类型分层），只用本期及以前的快照。口径见 docs/forecast.md。"),
    "none": "未来 {h} 个月内没有计划节点的在库项目（或当前筛选下没有）。",
    "horizon": "预判期（月）",
    "min_risk": "只看延误概率不低于",
    "count": "共 {n} 个项目，其中延误概率 ≥50% 的 {high} 个，≥80% 的 {vhigh} 个",
    "by_unit": "各{unit_word}高风险项目数（延误概率 ≥50%）",
    "backtest": "回测：模型与简单规则对比",
    "backtest_note": ("每个预判月份 M 只用 M 及以前的快照拟合，用 M 之后的快照评分（计划日期在 M 后 {h} 个月内的项目，"
                      "到期未达到或晚于计划日期即为延误）。简单规则：本阶段已用时间超过同阶段中位耗时即判为延误。"
                      "Brier 分数越低越好；前20命中率是每期风险最高的 20 个项目中实际延误的比例。"),
    "backtest_none": "已发布的快照不足以回测（至少需要 {need} 期）。",
    "calibration": "校准：按预测概率十分位分组的预测与实际",
    "summary": "合计 {n} 个预判，实际延误 {late:.1%}；Brier 模型 {bm:.3f}、简单规则 {bn:.3f}；前20命中率 模型 {tm:.1%}、简单规则 {tn:.1%}",
    "file_risk": "风险预判：下一节点“{ms}”计划 {planned}，延误概率 {risk}，预计 {expected}（80% 区间 {low} 至 {high}）",
    "file_none": "风险预判：下一节点不在未来 {h} 个月内计划、没有计划日期，或同类已完成项目不足 10 个，未作预判。",
    "map_risk": "高风险项目数（延误概率≥50%）",
}
ATTRIBUTION_TEXT: dict[str, str] = {
    "vs_month": "较上月",
    "vs_quarter": "较上季末",
    "sentence": "{rate} {change}，主要来自 {parts}",
    "sentence_flat": "{rate} {change}，各{unit_word}变动均很小",
    "sentence_none": "{rate}：无可比数据",
    "part": "{unit} {pp}",
    "why_mix": "（进入口径 {entered} 个、其中已达到 {entered_reached} 个{left_part}）",
    "why_mix_inv": "（进入口径 {entered} 个{left_part}）",
    "why_mix_left": "，移出 {left} 个",
    "why_perf": "（原口径内新达到 {gained} 个）",
    "why_perf_inv": "（原口径内完成投资增加 {gained}）",
    "drill": "变动归因（瀑布图）",
    "compare": "比较对象",
    "rate_pick": "指标",
    "waterfall_start": "上期",
    "waterfall_end": "本期",
    "others": "其他",
    "mix": "口径变化",
    "perf": "达到情况变化",
    "table": "各{unit_word}贡献（百分点）",
    "bulletin_title": "五率变动归因",
    "none": "没有可比的上期快照。",
}
ATTRIBUTION_COLUMNS: dict[str, str] = {
    "contribution_pp": "贡献（百分点）",
    "mix_pp": "其中口径变化（百分点）",
    "performance_pp": "其中达到情况变化（百分点）",
    "entered": "进入口径",
    "entered_reached": "进入口径已达到",
    "left": "移出口径",
    "gained": "原口径新达到",
}
COLUMNS.update({k: v for d in (FORECAST_COLUMNS, BACKTEST_COLUMNS, ATTRIBUTION_COLUMNS)
                for k, v in d.items() if k not in COLUMNS})
MAP_MEASURES["high_risk"] = RISK_TEXT["map_risk"]  # 镇街热力: forecast counts by unit (issue 14)

# ---- Jiangyin workflows (issue 13): problems 交办→办结, letters, 要素保障 ---------------------
PROBLEM_STATUSES: dict[str, str] = {
    "collected": "采集",
    "assigned": "交办",
    "consulted": "会商会办",
    "closed": "办结",
}
PROBLEM_SOURCES: dict[str, str] = {"imported": "台账导入", "recorded": "系统登记", "both": "台账+系统更新"}
LETTER_KINDS: dict[str, str] = {"reminder": "提醒函", "interview": "约谈"}
LETTER_DONE: dict[str, str] = {"reminder": "已发函", "interview": "已约谈"}
COLUMNS.update({
    "deadline_on": "办结时限",
    "problem_status": "办理状态",
    "days_overdue_problem": "超时限（天）",
    "overdue": "是否超时限",
    "source": "来源",
    "last_note": "最近办理情况",
    "last_by": "最近经办人",
    "last_on": "最近办理日期",
    "open": "未办结",
    "closed": "已办结",
    "closed_late": "超时限办结",
    "problems_total": "问题数",
    "collected": "采集",
    "assigned": "交办",
    "consulted": "会商会办",
    "letter_kind": "督办方式",
    "doc_no": "文号",
    "acted_on": "发函/约谈日期",
    "acted_by": "经办人",
    "recorded_at": "登记时间",
    "letters_sent": "已发函（次）",
    "interviews_held": "已约谈（次）",
    "letter_history": "督办记录",
    "route_dept": "督办部门",
    "note": "备注",
    "letter_id": "记录编号",
    "update_id": "记录编号",
    "max_days_open": "最长未办结（天）",
    "median_days_open": "未办结天数中位数",
    "n_updates": "办理记录数",
    "grp": "分组",
    "done_this_month": "本月已办",
    "last_letter_on": "最近发函日期",
    "last_interview_on": "最近约谈日期",
    "list_month": "清单月份",
    "done_text": "督办记录",
    "voids": "作废记录",
    "recorded_by": "经办人",
})
THRESHOLD_LABELS.update({"problem_deadline_days": "矛盾问题默认办结时限（天）"})
PROBLEM_TEXT: dict[str, str] = {
    "title": "问题督办",
    "rule": ("口径：问题按“采集 → 交办 → 会商会办 → 办结”推进。台账导入的问题：所选月末前已填解决日期为办结，"
             "填了交办部门为交办，否则为采集；系统登记的办理记录（办理日期不晚于月末）与台账合并，取推进更远的状态。"
             "办结时限未填时按提出日期后{days}天计；未办结且办结时限早于月末即为超时限（时限当天不算超时）。"),
    "open": "未办结",
    "overdue": "超时限",
    "closed": "已办结",
    "total": "问题总数",
    "by_dept": "按责任部门",
    "by_unit": "按镇街（板块）",
    "list": "问题清单",
    "none": "所选范围内没有矛盾问题。",
    "status_filter": "办理状态",
    "dept_filter": "责任部门",
    "only_overdue": "只看超时限",
    "dept_sheet": "导出部门问题督办表（Excel）",
    "dept_pick": "部门",
    "record": "登记办理情况",
    "record_help": "选择问题，填写新的办理状态和办理情况；每次登记都会保留记录。",
    "new_problem": "登记新问题",
    "pick_problem": "问题",
    "new_status": "新的状态",
    "note": "办理情况",
    "acted_on": "办理日期",
    "by": "经办人",
    "by_help": "登录功能上线后自动填写当前用户；此前请填写经办人姓名。",
    "dept": "责任部门",
    "deadline": "办结时限",
    "save": "保存",
    "saved": "已保存：{pid} → {status}",
    "history": "办理记录",
    "no_history": "暂无系统登记的办理记录。",
    "project": "项目",
    "summary": "问题描述",
    "kind": "问题类型",
    "raised_on": "提出日期",
    "added": "已登记新问题 {pid}",
    "sheet_title": "{region}{dept}矛盾问题督办表",
    "overview_label": "矛盾问题（未办结/超时限）",
}
LETTER_TEXT: dict[str, str] = {
    "section": "提醒函与约谈",
    "by_dept": "按督办部门分表",
    "record": "登记发函/约谈",
    "recorded": "已登记：{pid} {kind}（{on}）",
    "doc_no": "文号",
    "acted_on": "日期",
    "by": "经办人",
    "download_docx": "下载{kind}（Word）",
    "download_all": "下载本部门全部{kind}（Word，合并一份）",
    "dept_sheet": "导出{dept}{kind}清单（Excel）",
    "project_history": "提醒函/约谈记录",
    "no_history": "暂无提醒函或约谈记录。",
    "count_rule": "“已发函/已约谈”按月计次：同一项目同一自然月内多次登记只计一次；只统计日期不晚于所选月末的记录。",
    "none": "本月没有项目列入该清单。",
    "title": "提醒约谈",
    "kind": "督办方式",
    "listed": "列入清单",
    "done_month": "本月已登记",
    "todo_month": "本月待办",
    "ever": "曾发函/约谈",
    "single": "单个项目文书",
    "pick_project": "项目",
    "record_pick": "本次已发函/已约谈的项目",
    "save": "登记",
    "caption": ("清单按配置（config.toml [letters]）分送督办部门：工业项目送工信局、服务业项目送商务局。"
                "每个项目可生成 Word 文书；发函或约谈后请登记，下月清单显示“已发函/已约谈×次”。"),
}

# ---- 要素保障: resource quotas (docs/domain.md §13) ------------------------------------------
IMPORT_TABLES["quotas"] = "要素指标"
IMPORT_TITLES["quotas"] = "资源要素指标台账"
QUOTA_RESOURCES: dict[str, str] = {"land": "土地", "emission": "排放总量指标", "energy": "能耗指标"}
QUOTA_UNITS: dict[str, str] = {"land": "亩", "emission": "吨", "energy": "吨标煤"}
COLUMNS.update({
    "year": "年度",
    "land_unsupplied_mu": "批而未供（亩）",
    "land_unused_mu": "供而未用（亩）",
    "land_reserve_mu": "收购储备（亩）",
    "emission_t": "排放总量指标（吨）",
    "energy_tce": "能耗指标（吨标煤）",
    "land_demand_mu": "尚需用地指标（亩）",
    "emission_demand_t": "尚需排放指标（吨）",
    "energy_demand_tce": "尚需能耗指标（吨标煤）",
    "land_allocated_mu": "本年已分配用地（亩）",
    "emission_allocated_t": "本年已分配排放指标（吨）",
    "energy_allocated_tce": "本年已分配能耗指标（吨标煤）",
    "resource": "要素",
    "quota": "年度指标",
    "allocated": "本年已分配",
    "remaining": "剩余",
    "waiting_projects": "待分配项目数",
    "waiting_demand": "待分配需求",
    "shortfall": "缺口",
    "has_quota": "已填报指标",
    "quota_unit": "计量单位",
})
QUOTA_TEXT: dict[str, str] = {
    "title": "要素保障",
    "rule": ("口径：年度指标取要素指标表中所选月份所在年度的数据（土地为批而未供、供而未用、收购储备三类之和）；"
             "本年已分配为该{unit_word}本期快照中全部项目“本年已分配”之和；剩余 = 年度指标 − 本年已分配；"
             "待分配项目为在库且“尚需…指标”大于0的项目；缺口 = 待分配需求 − 剩余（不小于0）。"),
    "no_quotas": "所选年度尚未导入要素指标（台账中的“要素指标”工作表，可选）。",
    "resource": "要素",
    "by_unit": "分{unit_word}指标使用",
    "waiting": "待分配项目",
    "none_waiting": "没有待分配项目。",
    "map_measure": "地图显示",
    "total": "全市合计",
}

# ---- stage evaluations 阶段性评估 (docs/domain.md §14) ---------------------------------------
EVAL_STAGES: dict[str, str] = {"approve": "审批阶段", "build": "建设阶段", "produce": "竣工投产阶段"}
COLUMNS.update({
    "agency_service": "代办服务",
    "tolerance_prereview": "容缺预审",
    "parallel_approval": "并联审批",
    "building_area_m2": "报建面积（平方米）",
    "rd_deduction_wan": "研发费用加计扣除（万元）",
    "eval_approval_months": "审批周期（月）",
    "started_in_year": "本年开工",
    "year_ratio": "年度投资完成比例",
    "new_above_scale": "列入新增规上企业",
    "tax_contribution": "税收贡献率",
    "sales_12m_wan": "近12个月开票销售（万元）",
    "employees_latest": "用工人数（最近月）",
    "employees_per_yi": "每亿元投资用工（人）",
    "filed_n": "已备案项目数",
    "started_n": "已开工项目数",
    "approval_months_median": "审批周期中位数（月）",
    "tolerance_share": "容缺预审占比",
    "parallel_share": "并联审批占比",
    "agency_share": "代办服务占比",
    "started_year_n": "本年开工项目数",
    "building_area_year_m2": "本年开工报建面积（平方米）",
    "completed_n": "已竣工项目数",
    "new_above_scale_n": "本年新增规上企业数",
    "rd_deduction_total_wan": "研发费用加计扣除合计（万元）",
    "employees_total": "用工人数合计",
})
EVAL_TEXT: dict[str, str] = {
    "title": "阶段评估",
    "rule": ("口径（docs/domain.md §14）：在库项目按阶段评估——审批阶段为已备案项目，建设阶段为已开工项目，竣工投产阶段为已竣工项目；"
             "审批周期=备案至开工（未开工至月末）月数；占比中未填报按“否”计；近12个月指标按当月及之前11个月的运行数据；"
             "税收贡献率=近12个月税收/近12个月开票销售；每亿元投资用工=最近一个运行月的用工人数/总投资（亿元）。"),
    "stage": "评估阶段",
    "units": "分{unit_word}汇总",
    "projects": "项目评估表",
    "none": "所选范围内没有处于该阶段的项目。",
}

# ---- 招商线索 pipeline, review committee, township targets (issue 19; docs/domain.md §16) ----
PIPELINE_STAGES: dict[str, str] = {
    "lead": "线索", "talks": "洽谈", "review": "审查", "intent": "意向签约", "formal": "正式签约",
}
REVIEW_DIMENSIONS: dict[str, str] = {"legal": "法务", "commercial": "商务", "financial": "财务"}
REVIEW_VERDICTS: dict[str, str] = {"pass": "通过", "veto": "否决", "more": "补充材料"}
TARGET_MEASURES: dict[str, str] = {
    "signed_projects": "正式签约项目数（个）",
    "signed_investment_yi": "正式签约总投资（亿元）",
    "projects_10yi": "10亿元以上项目数（个）",
    "projects_50yi": "50亿元以上项目数（个）",
}
PIPELINE_TEXT: dict[str, str] = {
    "title": "招商线索",
    "user": "操作人",
    "funnel": "招商漏斗",
    "funnel_note": "各阶段“已达到”= 当前阶段在该阶段或之后的线索数（阶段只能前进）；转化率 = 本阶段已达到 ÷ 上一阶段已达到。",
    "stale": "久未跟进线索",
    "stale_note": "未正式签约且未被否决、最近联系（从未联系则为登记日期）距今超过 {days} 天的线索。",
    "stale_none": "没有久未跟进的线索。",
    "queue": "审查委员会待审队列",
    "queue_note": "当前处于“审查”阶段的线索：未出结论的在前；否决的线索留在队列中并显示否决理由，须重新审查通过后方可签约或入库。",
    "queue_none": "没有处于审查阶段的线索。",
    "none": "尚未登记招商线索（{path}）。",
    "targets": "镇街招商任务完成情况",
    "targets_note": "{year} 年任务，序时进度 = 年度任务 × {m} ÷ 12；差额 = 完成 − 序时任务（负数为落后）。完成数按 {month} 月快照中 {year} 年内正式签约的项目计（含已退库）。",
    "targets_none": "{year} 年未配置{unit_word}招商任务（配置文件 [regions.{region}.unit_targets.{year}]）。",
    "all_leads": "全部线索",
    "filter_unit": "{unit_word}",
    "err_amount": "预计投资“{value}”无效（应为不小于 0 的数字，单位万元）",
    "err_choice": "{what}“{value}”不在配置的分类中（可选：{options}）",
    "err_field": "线索没有字段“{field}”",
    "err_new_stage": "新登记的线索只能处于“线索”或“洽谈”阶段（审查须开启审查，签约须审查通过）",
    "err_stage_field": "阶段须通过“推进阶段”修改",
    "err_no_lead": "没有编号为 {id} 的招商线索",
    "err_no_review": "没有编号为 {id} 的审查",
    "err_conflict": "线索 {id} 已被他人修改（当前为第{version}版，您修改的是第{base}版），请刷新后重试",
    "err_backward": "线索 {id} 当前为“{now}”，不能改为“{to}”（阶段只能前进）",
    "err_not_reviewed": "线索 {id} 尚未经审查委员会审查通过，不能签约或入库",
    "err_review_open": "线索 {id} 的审查尚未作出结论",
    "err_vetoed": "线索 {id} 已于 {on} 被审查委员会否决（理由：{reasons}），须重新审查通过后方可签约或入库",
    "err_more": "线索 {id} 须补充材料后重新审查（{reasons}），审查通过后方可签约或入库",
    "err_review_signed": "线索 {id} 已{stage}，不再审查",
    "err_review_closed": "审查 {id} 已作出结论；如需重新审查，请开启新一轮审查",
    "err_missing_opinions": "审查 {id} 缺少{missing}意见，不能作出“通过”结论",
}
PIPELINE_COLUMNS: dict[str, str] = {
    "lead_id": "线索编号",
    "lead_name": "项目名称",
    "channel": "招商渠道",
    "project_type": "项目类型",
    "expected_investment_wan": "预计投资（万元）",
    "source_body": "招商主体",
    "owner": "责任人",
    "unit_code": "镇街/板块",
    "last_contact_on": "最近联系日期",
    "note": "备注",
    "reviewer": "审查人",
    "opinion": "审查意见",
    "opinion_legal": "法务意见",
    "opinion_commercial": "商务意见",
    "opinion_financial": "财务意见",
    "verdict": "审查结论",
    "reasons": "结论理由",
    "decided_on": "结论日期",
    "review_id": "审查轮次",
    "days_since_contact": "未联系天数",
    "current": "当前在此阶段",
    "reached": "已达到",
    "vetoed": "其中被否决",
    "stage_label": "阶段",
    "measure_label": "指标",
    "target": "年度任务",
    "schedule_target": "序时任务",
    "actual": "完成",
    "gap": "差额（完成−序时）",
    "completion": "完成率",
    "schedule_completion": "序时完成率",
}
PIPELINE_COLUMNS.update({"completion": "完成率（%）", "schedule_completion": "序时完成率（%）"})
COLUMNS.update({k: v for k, v in PIPELINE_COLUMNS.items() if k not in COLUMNS})

# ---- pushed messages (推送订阅, docs/notify.md) -------------------------------------------------
NOTIFY_TEXT: dict = {
    "all": "全部订阅",
    "mine": "我的订阅（推送给我的消息）",
    "none": "暂无订阅。",
    "deliveries": "推送记录",
    "no_deliveries": "尚未推送过。",
    "add": "新增订阅",
    "recipient": "收件人名称",
    "kind": "订阅内容",
    "channel": "推送渠道",
    "address": "邮箱地址或机器人 Webhook 地址",
    "account": "绑定账号（角色和板块取自账号）",
    "no_account": "（不绑定）",
    "role": "角色",
    "dept": "部门（部门督办清单必填）",
    "threshold": "阈值预警：较上月下降超过（个百分点）",
    "submit": "添加订阅",
    "added": "已添加订阅 {id}",
    "how": "推送由定时任务执行：python -m lifecycle notify --store 数据目录（同一月份同一订阅只推送一次；失败自动重试并记录）。"
           "邮件服务器和机器人的账号口令只在数据目录的 notify.toml 或环境变量中配置，不进入代码库和日志。",
    "columns": {"sub_id": "订阅编号", "recipient": "收件人", "account": "绑定账号", "unit_name": "板块",
                "kind": "订阅内容", "dept": "部门", "channel": "推送渠道", "address": "地址", "enabled": "启用"},
    "delivery_columns": {"month": "月份", "sub_id": "订阅编号", "status": "状态", "attempts": "尝试次数",
                         "subject": "标题", "error": "错误", "updated_at": "时间"},
    "status": {"sent": "已发送", "failed": "发送失败", "skipped": "无需发送"},
}

# ---- 招商线索: who may do what, the entry forms and the CLI (issue 19; docs/domain.md §16.4) ----
PIPELINE_ACCESS_TEXT: dict[str, str] = {
    "not_logged_in": "无权查看：未登录",
    "other_unit": "无权查看：本账户只能查看{unit}的招商线索",
    "other_unit_write": "无权操作：线索 {id} 不属于{unit}，本账户只能登记和更新{unit}的招商线索",
    "unit_forced": "无权操作：本账户只能登记{unit}的招商线索（所填单位：{other}）",
    "denied": "无权操作：{what}须由{roles}办理",
    "what_leads": "登记、修改和推进招商线索",
    "what_review": "录入审查意见",
    "what_decide": "记录审查结论",
    "unit_required": "请选择线索所属{unit_word}",
    "no_user": "没有账户“{name}”（--user 须为已有账户；省略时以系统用户 system 操作）",
    "user_disabled": "账户“{name}”已停用",
    "entry": "登记与更新线索",
    "entry_note": "数据管理员可登记各{unit_word}的线索；{unit_word}账户只能登记和更新本单位的线索。阶段只能前进；进入“审查”即开启一轮审查；意向签约、正式签约须最近一轮审查通过。",
    "tab_add": "新增线索",
    "tab_move": "推进阶段",
    "tab_contact": "记录联系",
    "tab_edit": "修改线索",
    "pick_lead": "选择线索",
    "to_stage": "推进到",
    "contact_on": "联系日期",
    "save_add": "登记线索",
    "save_move": "推进阶段",
    "save_contact": "记录联系",
    "save_edit": "保存修改",
    "none_to_edit": "暂无可更新的线索。",
    "review_box": "审查委员会：录入意见与结论",
    "review_note": "审查委员会成员录入法务、商务、财务意见（每个维度以最新一条为准）；结论由审查委员会成员或数据管理员（项目办）记录：通过须三个维度均有意见，否决和补充材料须写明理由。",
    "pick_round": "审查轮次",
    "round_label": "第{rid}轮 · 线索{lead}：{name}",
    "no_open_round": "没有待作出结论的审查。",
    "dimension": "审查维度",
    "save_opinion": "保存审查意见",
    "save_verdict": "记录审查结论",
    "ok_add": "已登记线索 {id}：{name}",
    "ok_move": "线索 {id} 已推进到“{stage}”",
    "ok_contact": "已记录线索 {id} 于 {on} 的联系",
    "ok_edit": "已保存线索 {id} 的第 {version} 版",
    "ok_opinion": "已保存第 {rid} 轮审查的{dim}意见",
    "ok_verdict": "第 {rid} 轮审查结论：{verdict}",
    "read_only": "当前账户只读：可查看招商线索与审查队列，不能登记或审查。",
}
AUDIT_ACTIONS.update({
    "pipeline_lead_add": "登记招商线索",
    "pipeline_lead_edit": "修改招商线索",
    "pipeline_lead_move": "推进招商线索阶段",
    "pipeline_lead_contact": "记录线索联系",
    "pipeline_opinion": "录入审查意见",
    "pipeline_verdict": "记录审查结论",
})

# ---- the 招商线索 / 审查 sheets of the monthly ledger (issue 19; docs/domain.md §16.5) -----------
# Sheet names and titles of the two pipeline sheets (kept apart from IMPORT_TABLES, which lists
# snapshot tables only).
PIPELINE_SHEETS: dict[str, str] = {"leads": "招商线索", "reviews": "审查"}
PIPELINE_SHEET_TITLES: dict[str, str] = {"leads": "招商线索台账", "reviews": "招商项目审查台账（审查意见与结论）"}
# the header each field is written with on these sheets (fields.template_header)
PIPELINE_SHEET_HEADERS: dict[str, dict[str, str]] = {
    "leads": {"lead_id": "线索编号", "version": "版本", "name": "线索名称", "stage": "阶段", "channel": "招商渠道",
              "industry_chain": "产业链", "project_type": "项目类型", "expected_investment_wan": "预计投资（万元）",
              "source_body": "招商主体", "owner": "责任人", "unit_code": "镇街/板块", "last_contact_on": "最近联系日期",
              "project_id": "入库项目编号", "note": "备注"},
    "reviews": {"lead_id": "线索编号", "round": "审查轮次", "dimension": "审查维度", "reviewer": "审查人",
                "opinion": "审查意见", "verdict": "审查结论", "reasons": "结论理由", "date": "日期"},
}
COLUMNS.setdefault("round", "审查轮次")
COLUMNS.setdefault("dimension", "审查维度")
COLUMNS.setdefault("date", "日期")
COLUMNS.setdefault("version", "版本")
PIPELINE_LEDGER_TEXT: dict[str, str] = {
    "err_taxonomy": "{what}“{value}”不在本地区配置的分类中（可选：{options}）",
    "err_choice": "{what}“{value}”无效（可选：{options}）",
    "err_id": "线索编号应为正整数",
    "err_both": "一行只能是一条意见（审查维度、审查人、审查意见）或一条结论（审查结论、结论理由、日期），不能同时填写审查维度和审查结论",
    "err_opinion_parts": "意见行须填写审查人和审查意见",
    "err_verdict_date": "结论行须填写日期（结论日期）",
    "err_reasons": "结论为“{verdict}”时须填写结论理由",
    "err_two_verdicts": "线索 {id} 第{round}轮审查有多个结论（另见第{other}行）",
    "err_unknown_lead": "线索 {id} 既不在线索库中，也不在本台账的招商线索表中",
    "err_round_gap": "线索 {id} 在线索库中有 {have} 轮审查，台账中的第{round}轮之前缺少第{missing}轮",
    "err_link_unknown": "关联的线索 {id} 不存在（线索库和本台账的招商线索表中都没有）",
    "warn_conflict": "线索 {id} 在系统中已更新为第{version}版（台账为{base}），台账中对该线索的修改未导入，系统中的内容保留；"
                     "请导出最新台账后再修改",
    "warn_verdict_conflict": "线索 {id} 第{round}轮审查在线索库中的结论为“{have}”（{on}），与台账中的“{want}”不同：结论一经作出不再修改，台账中的结论未导入",
    "warn_opinion_closed": "线索 {id} 第{round}轮审查已作出结论，台账中新增的意见未导入",
    "base_none": "未填版本",
    "base": "第{n}版",
    "summary": "招商线索：新增 {created} 条、更新 {updated} 条；审查：新开 {rounds} 轮、意见 {opinions} 条、结论 {verdicts} 条；冲突未导入 {conflicts} 条",
    "summary_none": "招商线索与审查：与线索库一致，没有新内容",
    "commit_failed": "快照已发布，但招商线索/审查写入线索库失败（{error}）：请重新导入同一文件（重复导入不会重复写入）",
}


# ---- verified milestones 节点核实/认定 (issue 19; docs/domain.md §17) -------------------------------
VERIFY_MILESTONES: dict[str, str] = {
    "registration": "注册", "settle": "落户", "filing": "备案", "start": "开工", "completion": "竣工",
}
VERIFY_STATUSES: dict[str, str] = {"pending": "待核实", "verified": "已核实", "doubtful": "存疑"}
VERIFY_COLUMNS: dict[str, str] = {
    "milestone_label": "核实节点", "milestone_date": "节点日期", "verify_status_label": "核实状态",
    "verified_by": "核实人", "verified_at": "核实时间", "verify_note": "核实说明", "age_days": "距节点日期（天）",
    "verified_date": "核实时的节点日期", "pending_count": "待核实", "verified_count": "已核实",
    "doubtful_count": "存疑", "total_count": "有日期的节点数", "verified_share": "已核实占比（%）",
    "event_id": "记录号", "date_column": "对应日期字段",
}
COLUMNS.update({k: v for k, v in VERIFY_COLUMNS.items() if k not in COLUMNS})
VERIFY_TEXT: dict[str, str] = {
    "title": "节点核实",
    "intro": "逐项目核对注册、落户、备案、开工、竣工节点的真实性（认定）。核实绑定所核对的节点日期：之后的快照改了该日期，"
             "节点回到“待核实”。有日期而未核实的节点为“待核实”。",
    "mapping": "注册 = 签约日期（signed_on，库中无工商注册日期字段）；落户 = 拿地日期（land_acquired_on，库中无落户日期字段）；"
               "备案 = 备案日期；开工 = 开工日期；竣工 = 竣工日期。",
    "counts": "各节点核实情况",
    "stale": "超期未核实",
    "stale_note": "节点日期早于统计日 {days} 天以上、状态为待核实或存疑的节点（[verification] stale_days = {days}）。统计日：{ref}",
    "stale_none": "没有超期未核实的节点。",
    "none": "本月快照中没有带日期的核实节点。",
    "set": "登记核实结果",
    "set_note": "选择项目和节点，登记核实状态；存疑须填写说明。{unit_note}",
    "unit_note_own": "本账户只能核实本{unit_word}的项目。",
    "read_only": "本账户只能查看核实情况（登记核实须“数据管理员”“系统管理员”或本{unit_word}账户）。",
    "project": "项目编号",
    "milestone": "节点",
    "status": "核实状态",
    "note": "核实说明",
    "save": "保存核实结果",
    "ok": "已登记：项目 {pid} {milestone}（{date}）{status}",
    "history": "核实记录（项目 {pid}）",
    "no_project": "本月快照中没有项目 {pid}（或不在本账户范围内）",
    "toggle": "仅计已核实节点",
    "toggle_help": "打开后，五率分子中的备案、开工、竣工节点只计已核实（且核实的是当前日期）的；分母口径不变。",
    "toggle_caption": "仅计已核实节点口径（docs/domain.md §17.4）：分母（签约、备案、计划竣工清单、投产且计划达产到期）不变；"
                      "签约备案率分子须备案节点已核实，备案开工率分子须开工节点已核实，竣工投产率分子须竣工节点已核实"
                      "（投产日期不设核实）；当年投入完成率、最终产能达效率不涉及可核实节点，不变。"
                      "待核实、存疑均按未达成计；核实针对的是当时的节点日期，日期变更后须重新核实。",
    "milestone_what": "核实节点",
    "err_note": "核实状态为“存疑”时须填写核实说明（存疑的原因）",
    "err_no_project": "{month} 月快照中没有项目 {pid}",
    "err_no_date": "项目 {pid} 在 {month} 月快照中没有{milestone}日期（{column}），无需核实",
    "err_date_changed": "项目 {pid} 的{milestone}日期已变为 {now}（您核对的是 {seen}），请刷新后重新核实",
    "err_no_month": "还没有已发布的快照，无法核实节点",
    "err_other_unit": "无权操作：项目 {pid} 不属于本账户的{unit}",
    "err_denied": "无权操作：登记核实结果须为{roles}",
    "err_not_logged_in": "无权操作：未登录",
    "err_days": "超期天数应为非负整数，实际为“{value}”",
}


# ---- 招商任务 kept in the store, 产业布局, 审查附件 (issue 19; docs/domain.md §16.3, §16.6, §16.7) ----
UNIT_TARGET_TEXT: dict[str, str] = {
    "not_logged_in": "无权操作：未登录",
    "denied": "无权操作：修改或导入招商任务须由{roles}进行",
    "err_number": "{what}“{value}”不是有效数字",
    "err_negative": "{what}“{value}”不能为负数",
    "err_too_big": "{what}“{value}”过大（最多{max}）",
    "err_whole": "{what}“{value}”应为整数",
    "err_year": "年度“{value}”无效（应为2000–2100之间的年份）",
    "err_unit": "未知的{unit_word}代码或名称“{value}”",
    "err_unit_missing": "未填写{unit_word}（单位代码或单位名称）",
    "err_unit_mismatch": "单位名称“{name}”与单位代码 {code}（{own}）不一致",
    "err_unit_twice": "{unit}在 {year} 年的任务中出现了两次",
    "err_row_twice": "{unit} {year} 年的任务重复（另见第{other}行）",
    "err_file": "文件“{file}”不是有效的 Excel（.xlsx）工作簿",
    "err_no_sheet": "文件“{file}”中没有“招商任务”工作表（现有：{sheets}）",
    "err_header": "文件“{file}”工作表“{sheet}”前10行中找不到表头（需要：{need}）",
    "err_no_rows": "文件“{file}”工作表“{sheet}”没有任务数据行",
    "where": "文件“{file}”工作表“{sheet}”第{row}行“{col}”列（值“{value}”）",
    "editor": "编辑招商任务",
    "editor_note": "{year} 年各{unit_word}任务；空白表示不设该项任务。保存后替换本年度全部任务（含配置文件中的示例数）。",
    "source_store": "{year} 年任务：由 {by} 于 {at} 保存（系统中维护）。",
    "source_config": "{year} 年任务：配置文件中的示例数（尚未在系统中维护）。",
    "source_none": "{year} 年尚无任务。",
    "year": "任务年度",
    "save": "保存招商任务",
    "saved": "已保存 {year} 年招商任务（{n} 个{unit_word}有任务）。",
    "import": "导入招商任务（Excel）",
    "import_note": "工作表“招商任务”：年度、单位代码或单位名称、正式签约项目数、正式签约总投资（亿元）、10亿元以上项目数、50亿元以上项目数；每个年度导入后替换该年度全部任务。",
    "import_button": "导入",
    "imported": "已导入招商任务：{years}。",
    "export": "导出招商任务（Excel）",
    "clear": "恢复为配置文件中的任务",
    "cleared": "已删除系统中 {year} 年的任务，恢复为配置文件中的示例数。",
    "overview": "招商任务序时进度",
    "overview_note": "{year} 年任务；序时任务 = 年度任务 × {m} ÷ 12；差额 = 完成 − 序时任务，落后（差额为负）标红。",
    "overview_none": "{year} 年尚无招商任务（由数据管理员在“招商线索”页维护或导入）。",
    "overview_table": "招商任务序时进度明细表",
    "behind": "落后",
    "on_track": "达到序时",
    "pack_heading": "招商任务序时进度",
    "pack_note": "截至{end}；{year} 年任务，序时任务 = 年度任务 × {m} ÷ 12；差额 = 完成 − 序时任务（负数为落后）；完成数为 {year} 年内正式签约项目（含已退库）。",
    "pack_none": "{year} 年尚无招商任务。",
}
COLUMNS.setdefault("status_label", "进度")
INDUSTRY_LAYOUT_TEXT: dict[str, str] = {
    "layer": "图层",
    "layer_measures": "综合指标",
    "layer_industry": "产业布局",
    "chain": "产业链",
    "value": "按",
    "count": "项目数（个）",
    "investment": "总投资（亿元）",
    "heatmap": "{unit_word} × 产业链（在库项目）",
    "none": "本月快照中没有填报产业链的在库项目。",
    "note": "现有产业布局：{month} 月快照中在库项目按{unit_word}和产业链（项目的“产业链”字段）统计；未填产业链的项目计入“未填报”。",
    "unfilled": "未填报",
    "table": "{unit_word}产业布局",
}
COLUMNS.setdefault("industry_chain", "产业链")
COLUMNS.setdefault("project_count", "项目数")
COLUMNS.setdefault("investment_yi", "总投资（亿元）")
ATTACHMENT_KINDS: dict[str, str] = {"expert": "专家意见", "due_diligence": "尽调报告", "other": "其他"}
ATTACHMENT_TEXT: dict[str, str] = {
    "title": "审查附件",
    "note": "专家意见、尽调报告等附件（pdf、docx、xlsx、jpg、png，每个不超过 {mb} MB），看得到该线索的账户均可下载。",
    "pick_round": "审查轮次",
    "kind": "附件类型",
    "file": "选择文件",
    "upload": "上传附件",
    "uploaded": "已上传附件“{name}”（审查 {rid}）。",
    "none": "该轮审查尚无附件。",
    "download": "下载",
    "err_size": "文件“{name}”大小为 {size}，超过上限 {mb} MB",
    "err_type": "文件“{name}”的类型不允许（允许：{types}）",
    "err_content": "文件“{name}”的内容与扩展名 .{ext} 不符",
    "err_empty": "文件“{name}”为空",
    "err_kind": "附件类型“{value}”无效（可选：{options}）",
    "err_name": "文件名无效",
    "err_no_file": "附件 {id} 不存在",
    "err_missing": "附件 {id} 的文件已缺失（{path}）",
    "err_damaged": "附件 {id} 的文件已损坏或被替换（校验值不符）",
    "denied": "无权操作：上传审查附件须由审查委员会成员、数据管理员或本单位的线索录入人员进行",
}
COLUMNS.setdefault("attachment_id", "附件编号")
COLUMNS.setdefault("file_name", "文件名")
COLUMNS.setdefault("kind_label", "附件类型")
COLUMNS.setdefault("size_bytes", "大小（字节）")
COLUMNS.setdefault("sha256", "SHA-256")
COLUMNS.setdefault("uploaded_by", "上传人")
COLUMNS.setdefault("uploaded_at", "上传时间")
