"""Headers as clerks write them -> schema columns.

A header is normalised (NFKC: full-width brackets/letters to half-width; all whitespace removed;
required-marks `*`, `★` dropped; `【】[]` to `()`), a trailing unit in brackets is split off
(`总投资（亿元）` -> `总投资` + `亿元`), and the rest is looked up among the column's Chinese
label (`labels.COLUMNS`) and its common synonyms, per table.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from lifecycle.domain import labels, schema

# ---- synonyms (besides the label of labels.COLUMNS, which always counts) ---------------------
_SHARED_KEY = ["项目编号", "项目编码", "项目id", "库内编号", "入库编号", "项目库编号"]

SYNONYMS: dict[str, dict[str, list[str]]] = {
    "projects": {
        "project_id": _SHARED_KEY,
        "project_code": ["投资项目统一代码", "项目统一代码", "统一项目代码", "投资项目代码", "项目代码", "备案代码",
                         "赋码"],
        "name": ["项目名称", "名称"],
        "enterprise": ["项目单位", "建设单位", "企业名称", "项目业主", "业主单位", "投资主体", "实施主体", "企业",
                       "项目法人", "项目法人单位"],
        "credit_code": ["统一社会信用代码", "社会信用代码", "信用代码", "企业信用代码", "项目单位统一社会信用代码"],
        "township_code": ["镇街代码", "所在镇街", "所属镇街", "镇街", "所属镇街(园区)", "所在镇街(园区)", "镇街园区",
                          "所属镇街园区", "所在镇街园区", "镇街(园区)", "属地", "所在地", "所属地", "镇(街道)",
                          "所在镇(街道)", "所属镇(街道)", "乡镇街道", "所属乡镇"],
        "park": ["所在园区", "所属园区", "园区", "载体"],
        "industry_section": ["行业门类", "国民经济行业门类", "行业分类", "所属行业", "行业"],
        "industry_chain": ["产业链", "所属产业链", "产业方向", "产业链条"],
        "origin": ["项目类型", "项目性质", "建设性质", "新招引/技改", "新建/技改", "招引/技改"],
        "category": ["产业类别", "产业类型", "项目类别", "工业/服务业", "产业分类"],
        "is_infrastructure": ["是否涉基建", "是否基建", "是否涉及基建", "基建项目", "涉基建"],
        "signing_type": ["签约类型", "签约性质", "签约状态", "签约方式"],
        "total_investment_wan": ["总投资", "计划总投资", "项目总投资", "总投资额", "投资总额"],
        "equipment_plan_wan": ["计划设备投资", "设备投资", "设备投资计划", "其中设备投资", "计划设备投入"],
        "land_area_mu": ["用地面积", "占地面积", "土地面积", "用地规模", "用地"],
        "designed_output_wan": ["设计年产值", "达产年产值", "预计年产值", "设计产值", "达产后年产值"],
        "designed_tax_wan": ["设计年税收", "达产年税收", "预计年税收", "设计税收", "达产后年税收"],
        "signed_on": ["签约日期", "签约时间"],
        "filed_on": ["备案日期", "备案时间", "核准日期", "核准时间", "备案(核准)日期", "备案/核准日期", "立项日期",
                     "备案核准日期"],
        "started_on": ["开工日期", "开工时间", "实际开工日期", "实际开工时间"],
        "completed_on": ["竣工日期", "竣工时间", "实际竣工日期", "实际竣工时间"],
        "production_on": ["投产日期", "投产时间", "实际投产日期", "实际投产时间"],
        "capacity_on": ["达产日期", "达产时间", "达产达效日期", "实际达产日期", "达效日期"],
        "planned_started_on": ["计划开工日期", "计划开工时间", "预计开工日期", "预计开工时间"],
        "planned_completed_on": ["计划竣工日期", "计划竣工时间", "预计竣工日期", "预计竣工时间"],
        "planned_production_on": ["计划投产日期", "计划投产时间", "预计投产日期", "预计投产时间"],
        "planned_capacity_on": ["计划达产日期", "计划达产时间", "预计达产日期", "计划达产达效日期"],
        "year_plan_wan": ["年度计划投资", "本年计划投资", "当年计划投资", "年度投资计划", "年计划投资"],
        "year_done_wan": ["年度完成投资", "本年完成投资", "当年完成投资", "本年累计完成投资", "年度累计完成投资"],
        "cumulative_done_wan": ["累计完成投资", "开工累计完成投资", "自开工累计完成投资", "累计投资"],
        "equipment_done_wan": ["设备投资完成", "完成设备投资", "累计完成设备投资", "设备投资完成额", "已完成设备投资"],
        "exit_on": ["退库日期", "退库时间"],
        "exit_reason": ["退库原因", "退库类型"],
        "lead_dept": ["牵头部门", "主管部门", "牵头单位"],
        "owner": ["责任人", "项目责任人", "挂钩领导", "包挂责任人"],
        "land_acquired_on": ["拿地日期", "拿地时间", "土地摘牌日期", "供地日期", "摘牌日期"],
        "joint_acceptance": ["联合竣工验收", "是否联合竣工验收", "联合验收"],
        "campaign": ["集中开竣工批次", "集中开工批次", "集中竣工批次", "开竣工批次"],
        "above_scale_on": ["入规日期", "企业入规日期", "入规时间"],
        "intent_signed_on": ["意向签约日期", "意向签约时间", "意向日期", "意向协议签订日期", "意向协议日期"],
        "major_level": ["省市重大", "省市重大项目", "重大项目级别", "重大项目类别", "是否省市重大", "省重大/市重大",
                        "省市重大类别", "项目级别"],
    },
    "approvals": {
        "project_id": _SHARED_KEY,
        "step": ["审批事项", "事项", "审批环节", "环节", "事项名称", "审批事项名称"],
        "dept": ["办理部门", "审批部门", "责任部门", "承办部门"],
        "received_on": ["受理日期", "受理时间", "申报日期", "申请日期"],
        "due_on": ["承诺办结日期", "承诺时限", "应办结日期", "计划办结日期", "到期日期", "承诺办结时间"],
        "done_on": ["办结日期", "办结时间", "实际办结日期", "完成日期"],
    },
    "operations": {
        "project_id": _SHARED_KEY,
        "month": ["月份", "统计月份", "年月", "所属月份", "报告期"],
        "orders_wan": ["订单", "在手订单", "订单额", "新增订单"],
        "capacity_utilization": ["产能利用率", "产能发挥率", "产能利用"],
        "invoiced_sales_wan": ["开票销售", "开票销售收入", "开票收入", "应税销售", "应税销售收入"],
        "output_value_wan": ["产值", "工业产值", "工业总产值", "当月产值"],
        "tax_wan": ["税收", "入库税收", "纳税", "税收收入", "当月税收"],
        "profit_wan": ["利润", "利润总额"],
        "electricity_mwh": ["用电量", "用电"],
        "employees": ["用工人数", "从业人员", "员工人数", "用工", "从业人数"],
    },
    "problems": {
        "problem_id": ["问题编号", "问题编码", "问题id"],
        "project_id": _SHARED_KEY,
        "raised_on": ["提出日期", "反映日期", "收集日期", "采集日期", "提出时间"],
        "kind": ["问题类型", "问题类别", "问题分类"],
        "summary": ["问题描述", "问题内容", "具体问题", "存在问题", "问题"],
        "assigned_dept": ["交办部门", "责任部门", "承办部门", "责任单位"],
        "resolved_on": ["解决日期", "办结日期", "化解日期", "解决时间"],
        "deadline_on": ["办结时限", "办理时限", "完成时限", "要求办结日期", "限办日期"],
    },
    "quotas": {
        "unit_code": ["板块", "镇街", "镇街园区", "所在镇街", "所属镇街", "辖市区", "板块代码", "单位", "地区"],
        "year": ["年度", "年份", "指标年度"],
        "land_unsupplied_mu": ["批而未供", "批而未供土地", "批而未供用地"],
        "land_unused_mu": ["供而未用", "供而未用土地", "供而未用用地"],
        "land_reserve_mu": ["收购储备", "收购储备土地", "储备土地"],
        "emission_t": ["排放总量指标", "主要污染物排放总量指标", "排放指标", "污染物排放指标"],
        "energy_tce": ["能耗指标", "能耗总量指标", "用能指标"],
    },
}
SYNONYMS["projects"].update({
    "land_demand_mu": ["尚需用地指标", "用地指标需求", "需用地指标"],
    "emission_demand_t": ["尚需排放指标", "排放指标需求", "需排放指标"],
    "energy_demand_tce": ["尚需能耗指标", "能耗指标需求", "需能耗指标"],
    "land_allocated_mu": ["本年已分配用地", "已分配用地指标", "本年已分配用地指标"],
    "emission_allocated_t": ["本年已分配排放指标", "已分配排放指标"],
    "energy_allocated_tce": ["本年已分配能耗", "已分配能耗指标", "本年已分配能耗指标"],
    "agency_service": ["代办服务", "是否代办", "是否代办服务", "代办"],
    "tolerance_prereview": ["容缺预审", "是否容缺预审", "容缺受理", "是否容缺受理"],
    "parallel_approval": ["并联审批", "是否并联审批"],
    "building_area_m2": ["报建面积", "建筑面积", "总建筑面积", "规划建筑面积"],
    "rd_deduction_wan": ["研发加计扣除", "研发费用加计扣除", "研发费用加计扣除额", "加计扣除额"],
})

# the 招商线索 / 审查 sheets (docs/domain.md §16.5); the projects' link to a lead
SYNONYMS["projects"]["lead_id"] = ["线索编号", "招商线索编号", "关联线索编号", "关联线索"]
SYNONYMS["leads"] = {
    "lead_id": ["线索编号", "线索编码", "线索id", "线索序号", "招商线索编号"],
    "version": ["版本", "版本号", "线索版本", "基准版本"],
    "name": ["线索名称", "项目名称", "意向项目名称", "招商项目名称", "名称"],
    "stage": ["阶段", "当前阶段", "线索阶段", "推进阶段", "所处阶段"],
    "channel": ["招商渠道", "渠道", "招引渠道", "招商方式", "引进渠道"],
    "industry_chain": ["产业链", "所属产业链", "产业方向", "产业链条"],
    "project_type": ["项目类型", "项目类别", "项目分类"],
    "expected_investment_wan": ["预计投资", "预计总投资", "拟投资", "意向投资", "计划投资", "投资额"],
    "source_body": ["招商主体", "招引主体", "来源主体", "线索来源", "招商单位", "来源单位"],
    "owner": ["责任人", "跟进人", "联系人", "招商责任人", "项目责任人"],
    "unit_code": ["镇街/板块", "所在镇街", "所属镇街", "镇街", "板块", "辖市区", "镇街园区", "所属板块", "属地"],
    "last_contact_on": ["最近联系日期", "最近联系时间", "最后联系日期", "最近对接日期", "最近洽谈日期"],
    "project_id": ["入库项目编号", "项目编号", "关联项目编号", "库内编号"],
    "note": ["备注", "线索备注", "情况说明"],
}
SYNONYMS["reviews"] = {
    "lead_id": ["线索编号", "线索编码", "线索id", "招商线索编号"],
    "round": ["审查轮次", "轮次", "第几轮", "审查批次"],
    "dimension": ["审查维度", "维度", "审查类别", "审查方面"],
    "reviewer": ["审查人", "审查专家", "评审人", "记录人", "审查委员"],
    "opinion": ["审查意见", "意见", "评审意见", "专家意见"],
    "verdict": ["审查结论", "结论", "评审结论", "审查结果"],
    "reasons": ["结论理由", "理由", "否决理由", "原因", "结论说明"],
    "date": ["日期", "审查日期", "结论日期", "意见日期"],
}


# Header a template / export writes for a field (township as a name: clerks know names).
def template_header(table: str, field: str) -> str:
    if table in labels.PIPELINE_SHEET_HEADERS:
        return labels.PIPELINE_SHEET_HEADERS[table][field]
    if field == "township_code":
        return labels.COLUMNS["township_name"]
    if table == "quotas" and field == "unit_code":
        return labels.COLUMNS["unit_name"]
    return labels.COLUMNS[field]


# ---- units --------------------------------------------------------------------------------
# field kind -> {unit as written (normalised): factor to the stored unit}
_MONEY = {"万元": 1.0, "亿元": 10000.0, "元": 0.0001, "千元": 0.1, "百万元": 100.0}
_LAND = {"亩": 1.0, "平方米": 0.0015, "m2": 0.0015, "㎡": 0.0015, "公顷": 15.0, "万平方米": 15.0}
_ENERGY = {"兆瓦时": 1.0, "mwh": 1.0, "千瓦时": 0.001, "kwh": 0.001, "度": 0.001, "万千瓦时": 10.0, "万度": 10.0}
_SHARE = {"%": 0.01, "百分比": 0.01, "比例": 1.0, "小数": 1.0}
_PEOPLE = {"人": 1.0}
_TONNE = {"吨": 1.0, "t": 1.0, "千克": 0.001, "kg": 0.001, "万吨": 10000.0}
_AREA = {"平方米": 1.0, "m2": 1.0, "㎡": 1.0, "万平方米": 10000.0}
_TCE = {"吨标煤": 1.0, "吨标准煤": 1.0, "tce": 1.0, "万吨标煤": 10000.0, "万吨标准煤": 10000.0}

def units_for(field: str) -> tuple[dict[str, float], str] | None:
    """The units a numeric field accepts and its stored unit, or None for unit-less fields."""
    if field.endswith("_wan"):
        return _MONEY, "万元"
    if field == "land_area_mu" or field.endswith("_mu"):
        return _LAND, "亩"
    if field.endswith("_m2"):
        return _AREA, "平方米"
    if field.endswith("_tce"):
        return _TCE, "吨标煤"
    if field.endswith("_t"):
        return _TONNE, "吨"
    if field == "electricity_mwh":
        return _ENERGY, "兆瓦时"
    if field == "capacity_utilization":
        return _SHARE, "比例"
    if field == "employees":
        return _PEOPLE, "人"
    return None


_WS = re.compile(r"\s+")
_MARKS = re.compile(r"^[*＊★☆※#]+|[*＊★☆※]+$")
_UNIT = re.compile(r"\(([^()]*)\)$")


def normalise(text) -> str:
    """A header cell as a comparable key: NFKC, no whitespace, unified brackets, lower case."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _WS.sub("", s)
    s = s.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")
    s = s.replace("：", ":").rstrip(":")
    s = _MARKS.sub("", s)
    return s.lower()


def split_unit(norm: str) -> tuple[str, str | None]:
    """'总投资(亿元)' -> ('总投资', '亿元'); headers like '所属镇街(园区)' keep their bracket
    (the caller tries the whole header first)."""
    m = _UNIT.search(norm)
    if not m:
        return norm, None
    unit = m.group(1)
    unit = unit.replace("单位:", "").replace("单位", "")
    return norm[: m.start()], unit


def _build_lookup() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for table, cols in schema.TABLES.items():
        d: dict[str, str] = {}
        for c in cols:
            names = [template_header(table, c.name), labels.COLUMNS.get(c.name, c.name), c.name]
            names += SYNONYMS[table].get(c.name, [])
            for n in names:
                k = normalise(n)
                d.setdefault(k, c.name)
                base, unit = split_unit(k)
                if unit is not None and units_for(c.name) and unit in units_for(c.name)[0]:
                    d.setdefault(base, c.name)
        out[table] = d
    return out


LOOKUP = _build_lookup()


@dataclass
class HeaderMatch:
    field: str
    col: int  # 0-based column index in the sheet
    header: str  # as written
    unit: str | None
    factor: float


def match_header(table: str, text) -> tuple[str, str | None] | None:
    """(field, unit) for a header cell of `table`, or None."""
    k = normalise(text)
    if not k:
        return None
    lk = LOOKUP[table]
    if k in lk:
        f = lk[k]
        u = units_for(f)
        if u:  # a full match may still carry a unit, e.g. '总投资(万元)'
            base, unit = split_unit(k)
            if unit is not None and unit in u[0]:
                return f, unit
        return f, None
    base, unit = split_unit(k)
    if unit is not None and base in lk:
        return lk[base], unit
    return None


def score_row(table: str, cells: list) -> int:
    fields = set()
    for c in cells:
        m = match_header(table, c)
        if m:
            fields.add(m[0])
    return len(fields)


def table_from_name(name: str) -> str | None:
    n = normalise(name)
    if "线索" in n:
        return "leads"
    if "审查" in n or "评审" in n:
        return "reviews"
    if any(w in n for w in ("审批", "手续")):
        return "approvals"
    if any(w in n for w in ("运行", "经营", "运营", "培育", "生产")):
        return "operations"
    if any(w in n for w in ("问题", "矛盾")):
        return "problems"
    if any(w in n for w in ("要素", "指标")):
        return "quotas"
    if any(w in n for w in ("项目", "台账", "清单", "project")):
        return "projects"
    for t in schema.TABLE_NAMES:
        if t in n:
            return t
    return None


def suggest(text: str, candidates: list[str], n: int = 1, cutoff: float = 0.5) -> list[str]:
    """Closest candidates to `text` (difflib), compared on normalised forms."""
    norm = {normalise(c): c for c in candidates if c}
    hits = difflib.get_close_matches(normalise(text), list(norm), n=n, cutoff=cutoff)
    return [norm[h] for h in hits]


def known_headers(table: str, field: str) -> list[str]:
    names = [template_header(table, field)] + SYNONYMS[table].get(field, [])
    seen, out = set(), []
    for n in names:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out


def all_known_headers(table: str) -> list[str]:
    out = []
    for c in schema.TABLES[table]:
        out += known_headers(table, c.name)
    return out
