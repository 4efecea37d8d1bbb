"""Division codes and kinds: pure rules, no Django import.

GB/T 2260 gives 6-digit codes down to county level; the statistical code adds 3 digits for the
township (GB/T 10114: 001–099 街道, 100–199 镇, 200–399 乡, 400–599 乡级类似单位 such as
development zones) and 3 for the village (001–199 居委会/社区, 200–399 村委会). The seed data has
real names without these codes, so we assign them here by the same ranges; a number once used
(even by a retired division) is never handed out again.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TOWNSHIP_RANGES: dict[str, tuple[int, int]] = {
    "街道": (1, 99),
    "镇": (100, 199),
    "乡": (200, 399),
    "民族乡": (200, 399),
    "苏木": (200, 399),
    "乡级类似单位": (400, 599),
}
VILLAGE_RANGES: dict[str, tuple[int, int]] = {"社区": (1, 199), "村": (200, 399)}


class CodeRangeExhausted(ValueError):
    """No free number is left in the range for this kind under this parent."""


# (suffix, kind) in the order they must be tried: longer, more specific suffixes first.
_PROVINCE_SUFFIXES = (("特别行政区", "特别行政区"), ("自治区", "自治区"), ("省", "省"), ("市", "直辖市"))
_PREFECTURE_SUFFIXES = (("自治州", "自治州"), ("地区", "地区"), ("盟", "盟"), ("市", "地级市"))
_COUNTY_SUFFIXES = (("自治旗", "自治旗"), ("自治县", "自治县"), ("旗", "旗"), ("林区", "林区"), ("特区", "特区"),
                    ("区", "市辖区"), ("县", "县"), ("市", "县级市"))
# 开发区、工业园、风景区、农场、林场… fall through to 乡级类似单位.
_TOWNSHIP_SUFFIXES = (("街道办事处", "街道"), ("街道", "街道"), ("民族乡", "民族乡"), ("镇", "镇"), ("乡", "乡"),
                      ("苏木", "苏木"))
# 社区、居委会、生活区、居民区… fall through to the 居民委员会 range.
_VILLAGE_SUFFIXES = (("村委会", "村"), ("村", "村"), ("嘎查", "村"))


def _kind_by_suffix(name: str, table: tuple[tuple[str, str], ...], default: str) -> str:
    return next((kind for suffix, kind in table if name.endswith(suffix)), default)


def province_kind(name: str) -> str:
    return _kind_by_suffix(name, _PROVINCE_SUFFIXES, "省级")


def prefecture_kind(name: str) -> str:
    return _kind_by_suffix(name, _PREFECTURE_SUFFIXES, "地级")


def county_kind(name: str) -> str:
    return _kind_by_suffix(name, _COUNTY_SUFFIXES, "县级")


def township_kind(name: str) -> str:
    return _kind_by_suffix(name, _TOWNSHIP_SUFFIXES, "乡级类似单位")


def village_kind(name: str) -> str:
    return _kind_by_suffix(name, _VILLAGE_SUFFIXES, "社区")


def township_range(kind: str) -> tuple[int, int]:
    return TOWNSHIP_RANGES[kind]


def village_range(kind: str) -> tuple[int, int]:
    return VILLAGE_RANGES[kind]


@dataclass(frozen=True)
class CodeRequest:
    name: str
    kind: str


def allocate_codes(parent_code: str, requests: Iterable[CodeRequest], ranges: dict[str, tuple[int, int]],
                   existing: dict[str, str], used_numbers: Iterable[int]) -> dict[str, str]:
    """Give every requested name a code under `parent_code`.

    `existing` maps names that already hold a code to it (kept as is, so loading is idempotent);
    `used_numbers` are the 3-digit parts ever used under this parent, retired ones included, so
    a number is never reused. New numbers continue after the highest used one in the kind's range,
    in request order.
    """
    used = set(used_numbers)
    result: dict[str, str] = {}
    for req in requests:
        if req.name in existing:
            result[req.name] = existing[req.name]
            continue
        low, high = ranges[req.kind]
        in_range = [n for n in used if low <= n <= high]
        number = max(in_range) + 1 if in_range else low
        if number > high:
            raise CodeRangeExhausted(f"{parent_code} 下的{req.kind}代码 {low:03d}–{high:03d} 已用尽")
        used.add(number)
        result[req.name] = f"{parent_code}{number:03d}"
    return result


def is_division_code(code: str) -> bool:
    """A whole division code of any level: 6 digits (province to county), 9 (township) or 12 (village)."""
    return code.isdigit() and len(code) in (6, 9, 12)


def code_level_ok(code: str, level: str) -> bool:
    """Whether `code` has the digits its level requires."""
    length = {"province": 6, "prefecture": 6, "county": 6, "township": 9, "village": 12}[level]
    return code.isdigit() and len(code) == length
