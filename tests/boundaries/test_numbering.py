"""Marker-number rules (pure): every rejection names the part that is wrong."""
from __future__ import annotations

import pytest

from apps.boundaries.numbering import (PART_LENGTH, PART_LINE, PART_SEQUENCE, PART_SIDE, PART_TYPE,
                                       MarkerNumberError, check_line_code, expected_letter, line_code_for,
                                       parse_number, validate_number)

TWO = ["431221", "431228"]


def test_valid_numbers() -> None:
    assert str(validate_number("4301001Q", line_code="4301", kind="single")) == "4301001Q"
    assert validate_number("4301012A", line_code="4301", kind="double", side_code="431221",
                           division_codes=TWO).sequence == 12
    assert validate_number("4301012B", line_code="4301", kind="double", side_code="431228",
                           division_codes=TWO).letter == "B"
    three = ["431221", "431228", "431202"]
    assert validate_number("4301999C", line_code="4301", kind="triple", side_code="431202",
                           division_codes=three).letter == "C"
    assert expected_letter("triple", "431228", three) == "E"


@pytest.mark.parametrize("number, kwargs, part, words", [
    ("4301001", {}, PART_LENGTH, "应为 8 位"),
    ("4301001QQ", {}, PART_LENGTH, "收到 9 位"),
    ("43X1001Q", {}, PART_LINE, "前 4 位"),
    ("4302001Q", {}, PART_LINE, "与所属界线的代码“4301”不符"),
    ("4301000Q", {}, PART_SEQUENCE, "001–999"),
    ("43010a1Q", {}, PART_SEQUENCE, "第 5–7 位"),
    ("4301001X", {}, PART_TYPE, "第 8 位“X”无效"),
    ("4301001A", {}, PART_TYPE, "表示双立界桩，与所填类型“单立”不符"),
    ("4301001Q", {"kind": "double", "side_code": "431221", "division_codes": TWO}, PART_TYPE, "表示单立界桩"),
    ("4301001B", {"kind": "double", "side_code": "431221", "division_codes": TWO}, PART_TYPE, "应为“A”而不是“B”"),
    ("4301001A", {"kind": "double", "side_code": "330521", "division_codes": TWO}, PART_SIDE, "不是该点的相邻区划"),
    ("4301001C", {"kind": "triple", "side_code": "431221", "division_codes": TWO}, PART_SIDE, "应涉及 3 个区划"),
])
def test_rejections_name_the_part(number: str, kwargs: dict, part: str, words: str) -> None:
    args = {"line_code": "4301", "kind": "single", **kwargs}
    with pytest.raises(MarkerNumberError) as exc:
        validate_number(number, **args)
    assert exc.value.part == part
    assert words in str(exc.value)
    assert str(exc.value).startswith("界桩编号")


def test_parse_splits_the_parts() -> None:
    parsed = parse_number("3402017E")
    assert (parsed.line_code, parsed.sequence, parsed.letter, parsed.kind) == ("3402", 17, "E", "triple")


def test_line_codes() -> None:
    assert line_code_for(["431221", "431228"], []) == "4301"
    assert line_code_for(["431221", "431228"], ["4301", "4302", "3301"]) == "4303"
    assert line_code_for(["520101", "431228"], ["4301"]) == "4302"  # the lower province
    with pytest.raises(ValueError, match="序号不能为 00"):
        check_line_code("4300")
    with pytest.raises(ValueError, match="4 位数字"):
        check_line_code("43A1")
