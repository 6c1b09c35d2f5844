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
