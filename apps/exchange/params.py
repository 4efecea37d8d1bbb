"""Query parameters of the OGC API and export endpoints: strict parsing with Chinese messages
(an unknown or malformed parameter is a 400 problem, never silently ignored)."""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping

from django.http import HttpResponse

from apps.common.errors import problem_json

_CODE_PREFIX = re.compile(r"^[0-9]{1,12}$")


class ParamError(ValueError):
    """A bad query parameter: (field, message)."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def problem(status: int, detail: str, field: str | None = None) -> HttpResponse:
    return problem_json(status, detail, field=field)


def reject_unknown(params: Iterable[str], allowed: Iterable[str]) -> None:
    allowed_set = set(allowed)
    unknown = sorted(set(params) - allowed_set)
    if unknown:
        raise ParamError(unknown[0], f"未知参数 {', '.join(unknown)}（可用参数：{', '.join(sorted(allowed_set))}）")


def integer(params: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)  # type: ignore[arg-type]
    except ValueError:
        raise ParamError(name, "必须是整数")
    if not minimum <= value <= maximum:
        raise ParamError(name, f"应在 {minimum} 到 {maximum} 之间")
    return value


def bbox(params: Mapping[str, str], name: str = "bbox") -> tuple[float, float, float, float] | None:
    """`minLon,minLat,maxLon,maxLat` in CRS84 (= CGCS2000 lon/lat here)."""
    raw = params.get(name)
    if not raw:
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise ParamError(name, "bbox 包含非数值")
    if len(values) != 4:
        raise ParamError(name, "bbox 需要 4 个以逗号分隔的数值：最小经度,最小纬度,最大经度,最大纬度")
    if not all(math.isfinite(v) for v in values):
        raise ParamError(name, "bbox 包含 NaN 或无穷大")
    min_x, min_y, max_x, max_y = values
    if abs(min_y) > 90 or abs(max_y) > 90 or abs(min_x) > 180 or abs(max_x) > 180:
        raise ParamError(name, "bbox 超出经纬度范围")
    if min_x > max_x or min_y > max_y:
        raise ParamError(name, "bbox 应为 最小经度,最小纬度,最大经度,最大纬度")
    return (min_x, min_y, max_x, max_y)


def _date(text: str, name: str) -> dt.date | None:
    if text in ("", ".."):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ParamError(name, "日期应为 RFC 3339 格式，如 2024-01-01 或 2024-01-01/..")


def interval(params: Mapping[str, str], name: str = "datetime") -> tuple[dt.date | None, dt.date | None] | None:
    """An instant or an interval (`a/b`, `../b`, `a/..`), compared by date."""
    raw = params.get(name)
    if not raw:
        return None
    if "/" in raw:
        start_text, _, end_text = raw.partition("/")
        start, end = _date(start_text, name), _date(end_text, name)
        if start and end and start > end:
            raise ParamError(name, "起始日期晚于结束日期")
        return start, end
    day = _date(raw, name)
    return day, day


def division(params: Mapping[str, str]) -> str | None:
    """`division=` is a 1–12 digit code prefix (api.md)."""
    raw = params.get("division")
    if not raw:
        return None
    if not _CODE_PREFIX.match(raw):
        raise ParamError("division", "区划代码前缀应为 1–12 位数字")
    return raw


__all__ = ["ParamError", "problem", "reject_unknown", "integer", "bbox", "interval", "division"]
