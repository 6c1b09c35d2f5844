"""The flag registry (docs/domain.md §5): every flag is declared once, here.

A declaration names the flag's key, its Chinese label, the department that acts, the rule text
(with `{threshold}` placeholders filled from config.toml), the SQL file under
`lifecycle/query/sql/queries/flags/` that lists it, the SQL parameters and where they come from, what
one row counts (项目 or 事项), and where it is shown. The metrics API, the alerts page, the
overview counts, the exports and the packs all iterate `FLAGS`; adding a flag is one `Flag(...)`
here plus its SQL file (docs/architecture.md, "Adding a flag").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from lifecycle.domain.calendar import add_months

# A parameter source: (thresholds, month, published months) -> value bound to the SQL.
ParamSource = Callable[[dict, str, list], object]


def threshold(key: str, kind: type = float) -> ParamSource:
    """The configured threshold `key` (config.toml [thresholds])."""
    return lambda th, month, months: kind(th[key])


def months_back(n: int | None = None, key: str | None = None) -> ParamSource:
    """The month n (or threshold `key`) months before the as-of month; None when that month
    is not published (a list that compares with it is then empty)."""
    def source(th, month, months):
        back = add_months(month, -(n if n is not None else int(th[key])))
        return back if back in months else None
    return source


def window_start(n: int) -> ParamSource:
    """The first month of the trailing window of n months ending at the as-of month."""
    return lambda th, month, months: add_months(month, -(n - 1))


@dataclass(frozen=True)
class Flag:
    key: str
    label: str
    dept: str
    rule: str                       # Chinese, str.format(**thresholds)
    sql: str | None                 # file stem under query/sql/queries/flags/ (None: not a list)
    params: dict[str, ParamSource] = field(default_factory=dict)
    level: str | None = None        # keep only rows whose `level` column equals this
    counts: str = "项目"            # what one row counts: 项目 (projects) or 事项 (approval steps)
    listed: bool = True             # one of the lists people act on (packs, project file)
    alerts_page: bool = True        # a tab on 预警督办

    def rule_text(self, thresholds: dict) -> str:
        return self.rule.format(**thresholds)

    def bind(self, thresholds: dict, month: str, months: list) -> dict:
        return {name: src(thresholds, month, months) for name, src in self.params.items()}


_COMPLETION = {"reminder_months": threshold("reminder_after_months", int),
               "interview_months": threshold("interview_after_months", int)}

FLAGS: tuple[Flag, ...] = (
    Flag("completion_reminder", "逾期未竣工（提醒函）", "工信局/商务局",
         "计划竣工日期已过、尚未竣工，逾期满{reminder_after_months}个月且不超过{interview_after_months}个月：发提醒函。",
         "completion_overdue", _COMPLETION, level="reminder"),
    Flag("completion_interview", "逾期未竣工（约谈）", "工信局/商务局",
         "计划竣工日期已过、尚未竣工，逾期超过{interview_after_months}个月：约谈。",
         "completion_overdue", _COMPLETION, level="interview"),
    Flag("investment_behind", "投资进度滞后", "工信局",
         "列入年度计划的项目，年度完成投资比例低于时序进度（当月/12）超过{investment_gap_pp}个百分点。",
         "investment_behind", {"gap_pp": threshold("investment_gap_pp")}),
    Flag("low_equipment_share", "设备投资占比偏低", "工信局",
         "已开工工业项目，设备投资完成额占完成投资比例低于{equipment_share_min:.0%}。",
         "low_equipment_share", {"equipment_min": threshold("equipment_share_min")}),
    Flag("capacity_not_reached", "产能未达预期", "工信局",
         "计划达产日期已过，且产能实现率（近12个月产值/设计年产值）低于{capacity_realisation_min:.0%}。",
         "capacity_not_reached", {"realisation_min": threshold("capacity_realisation_min"),
                                  "month_from": window_start(12)}),
    Flag("exit_candidate", "退库候选", "镇街园区",
         "已达产达效（建议达效退库），或连续{exit_stalled_months}个月无新节点且累计投资无变化（建议按长期停滞退库）。",
         "exit_candidates", {"stalled_months": threshold("exit_stalled_months", int),
                             "month_back": months_back(key="exit_stalled_months")}),
    Flag("approval_over_12m", "审批周期超12个月", "发改委",
         "备案（核准）满{approval_period_months}个月（备案日期+{approval_period_months}个月≤当月末）仍未开工的在库项目。",
         "approval_over_12m", {"approval_months": threshold("approval_period_months", int)}),
    Flag("step_stalled", "审批环节停滞超1个月", "发改委",
         "审批环节未办结，且超过承诺办结日期{step_stalled_months}个月以上（承诺日期+{step_stalled_months}个月<当月末）。",
         "step_stalled", {"stalled_months": threshold("step_stalled_months", int)}, counts="事项"),
    Flag("approval_over_12m_started", "本期开工项目审批周期超12个月", "发改委",
         "统计期内开工、备案至开工超过{approval_period_months}个月的项目。",
         "approval_over_12m_started", {"approval_months": threshold("approval_period_months", int)},
         alerts_page=False),
    Flag("approval_light", "审批红绿灯", "行政审批局",
         "已办结为绿灯（超过承诺时限办结为“超时办结”）；未办结且未超时为黄灯；未办结且已超过承诺办结日期为红灯。",
         None, counts="事项", listed=False, alerts_page=False),
)

BY_KEY: dict[str, Flag] = {f.key: f for f in FLAGS}
# The lists people act on, in the order departments work them.
LIST_KEYS: list[str] = [f.key for f in FLAGS if f.listed]
ALERT_KEYS: list[str] = [f.key for f in FLAGS if f.alerts_page]
LABELS: dict[str, str] = {f.key: f.label for f in FLAGS}
DEPTS: dict[str, str] = {f.key: f.dept for f in FLAGS}


def get(key: str) -> Flag:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown flag: {key}") from None


def counts(key: str) -> str:
    """What one counted row of flag `key` is: 项目 or 事项 ('approval_red' counts red steps)."""
    return "事项" if key == "approval_red" else get(key).counts


def count_label(key: str) -> str:
    """The label of a count of flag `key` that says what it counts, e.g. '审批环节停滞超1个月（事项数）'.
    Every page showing the count uses it, and `Metrics.flag_counts` gives the number behind it."""
    name = "审批红绿灯·红灯" if key == "approval_red" else get(key).label
    return f"{name}（{counts(key)}数）"
