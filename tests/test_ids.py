"""Identifier validators against the shipped test vectors (data/reference/uscc_test_vectors.csv)."""
import csv

import pytest

from lifecycle.domain import ids
from lifecycle.domain.config import REFERENCE_DIR
from lifecycle.domain.reference import region

with open(REFERENCE_DIR / "uscc_test_vectors.csv", encoding="utf-8") as fh:
    VECTORS = list(csv.DictReader(fh))


@pytest.mark.parametrize("row", VECTORS, ids=[r["uscc"] for r in VECTORS])
def test_uscc_vectors(row):
    code = row["uscc"]
    assert ids.is_valid_uscc(code) is (row["valid_checksum"] == "True")
    body = code[:17]
    if all(ch in ids.USCC_ALPHABET for ch in body):
        assert ids.uscc_check_char(body) == row["computed_check_char"]


def test_uscc_messages_are_specific():
    assert "校验位" in ids.uscc_error("91110000600037341N")
    assert "应为L" in ids.uscc_error("91110000600037341N")
    assert "18位" in ids.uscc_error("9111000060003734")
    assert "非法字符" in ids.uscc_error("91110000600O37341L")  # letter O is excluded
    assert ids.uscc_error("") == "统一社会信用代码为空"


def test_uscc_check_by_hand():
    # 91110000600037341L: weighted sum mod 31 worked out by the standard's weights
    vals = [ids.USCC_ALPHABET.index(c) for c in "91110000600037341"]
    s = sum(v * w for v, w in zip(vals, ids.USCC_WEIGHTS))
    assert ids.USCC_ALPHABET[(31 - s % 31) % 31] == "L"


@pytest.mark.parametrize("code,ok", [
    ("2024-320281-26-03-123456", True),
    ("2024-320281-26-03-12345", False),   # 5-digit serial
    ("2024320281-26-03-123456", False),   # missing dash
    ("24-320281-26-03-123456", False),    # 2-digit year
    ("2024-32028A-26-03-123456", False),  # letter in the admin code
    ("", False),
    (None, False),
])
def test_project_code_shape(code, ok):
    assert ids.is_valid_project_code(code) is ok


def test_township_codes():
    known = region("jiangyin").townships
    assert ids.township_code_error("320281001", known) is None
    assert "9位" in ids.township_code_error("32028100", known)
    assert "不在" in ids.township_code_error("320402001", known)  # a Changzhou township
    assert region("jiangyin").resolve_township("璜土镇") == "320281100"
    assert region("jiangyin").resolve_township("火星镇") is None


def test_regions():
    jy, cz = region("jiangyin"), region("changzhou")
    assert len(jy.units) == 21 and len(jy.townships) == 21
    assert {u.name for u in cz.units.values()} >= {"天宁区", "钟楼区", "武进区", "金坛区", "溧阳市", "常州经开区"}
    assert cz.unit_for("320412105") == "CZJKQ"  # 横林镇 belongs to 常州经开区
    assert cz.unit_for("320412100") == "320412"  # 湖塘镇 stays in 武进区
    assert "320481400" not in cz.townships  # prisons are not project locations
