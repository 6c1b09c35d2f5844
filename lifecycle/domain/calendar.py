"""Month and quarter arithmetic, the one place it is done (docs/domain.md §4 "dates and periods").

Months are 'YYYY-MM' strings, quarters 'YYYYQn'. Month arithmetic is calendar arithmetic on
whole months; the as-of date of a month is its last day.
"""
from __future__ import annotations

import datetime as dt

PERIODS = {"ytd": "年初至今", "qtd": "本季度", "mtd": "本月", "r12": "近12个月"}


def add_months(month: str, k: int) -> str:
    """'2026-01' + (-1) -> '2025-12'."""
    t = int(month[:4]) * 12 + int(month[5:7]) - 1 + k
    return f"{t // 12:04d}-{t % 12 + 1:02d}"


def next_month(month: str) -> str:
    return add_months(month, 1)


def month_end(month: str) -> dt.date:
    """The as-of date of a snapshot month: its last day."""
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)


def month_range(end: str, k: int) -> list[str]:
    """The k months ending with `end`, oldest first."""
    return [add_months(end, -i) for i in range(k - 1, -1, -1)]


def last_full_month(today: dt.date | None = None) -> str:
    """The month before today's month."""
    today = today or dt.date.today()
    return add_months(f"{today.year:04d}-{today.month:02d}", -1)


def quarter_of(month: str) -> str:
    return f"{month[:4]}Q{(int(month[5:7]) - 1) // 3 + 1}"


def previous_quarter(quarter: str) -> str:
    y, n = int(quarter[:4]), int(quarter[5])
    return f"{y - 1}Q4" if n == 1 else f"{y}Q{n - 1}"


def quarter_months(quarter: str) -> list[str]:
    y, n = int(quarter[:4]), int(quarter[5])
    return [f"{y:04d}-{3 * (n - 1) + i:02d}" for i in (1, 2, 3)]


def previous_quarter_end(month: str) -> str:
    """The last month of the quarter before the one containing `month`."""
    m = int(month[5:7])
    q_start = (m - 1) // 3 * 3 + 1
    return add_months(f"{month[:4]}-{q_start:02d}", -1)


def period_start(month: str, period: str) -> dt.date:
    """First day of the statistics period ending at `month` (see PERIODS)."""
    y, m = int(month[:4]), int(month[5:7])
    if period == "ytd":
        return dt.date(y, 1, 1)
    if period == "qtd":
        return dt.date(y, (m - 1) // 3 * 3 + 1, 1)
    if period == "mtd":
        return dt.date(y, m, 1)
    if period == "r12":
        s = add_months(month, -11)
        return dt.date(int(s[:4]), int(s[5:7]), 1)
    raise ValueError(f"未知统计期：{period}")
