"""Validators for identifiers checked on import (docs/domain.md §6)."""
from __future__ import annotations

import re

# GB 32100-2015: 0-9 then A..Z without I, O, Z, S, V  (31 characters, values 0..30)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}

PROJECT_CODE_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")


def uscc_check_char(body17: str) -> str:
    """Check character for the first 17 characters of a 统一社会信用代码."""
    if len(body17) != 17 or any(ch not in _USCC_VALUE for ch in body17):
        raise ValueError("需要17位由数字和大写字母（不含I、O、Z、S、V）组成的本体代码")
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(body17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str | None) -> str | None:
    """None when `code` is a valid 统一社会信用代码, else the reason in Chinese."""
    if code is None or code == "":
        return "统一社会信用代码为空"
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际{len(code)}位"
    bad = sorted({ch for ch in code if ch not in _USCC_VALUE})
    if bad:
        return "统一社会信用代码含非法字符：" + "".join(bad) + "（仅允许数字和除I、O、Z、S、V外的大写字母）"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为{expected}，实际为{code[17]}"
    return None


def is_valid_uscc(code: str | None) -> bool:
    return uscc_error(code) is None


def project_code_error(code: str | None) -> str | None:
    """None when `code` has the 投资项目统一代码 shape YYYY-AAAAAA-BB-CC-NNNNNN."""
    if code is None or code == "":
        return "投资项目统一代码为空"
    m = PROJECT_CODE_RE.match(code)
    if not m:
        return "投资项目统一代码格式应为 YYYY-AAAAAA-BB-CC-NNNNNN（年份-6位行政区划代码-2位行业-2位类型-6位流水号）"
    year = int(m.group(1))
    if not 1990 <= year <= 2100:
        return f"投资项目统一代码年份{year}不合理"
    return None


def is_valid_project_code(code: str | None) -> bool:
    return project_code_error(code) is None


def township_code_error(code: str | None, known: set[str] | dict) -> str | None:
    if code is None or code == "":
        return "镇街代码为空"
    if not re.fullmatch(r"\d{9}", code):
        return f"镇街代码应为9位数字，实际为“{code}”"
    if code not in known:
        return f"镇街代码{code}不在本地区参考名录中"
    return None


def make_uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)
