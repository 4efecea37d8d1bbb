"""Reusable django-filter fields for the spatial and temporal parameters of api.md:
`bbox`, `contains=lon,lat` (both read in the CRS named by `crs`), `crs` and `as_of`.
Messages are Chinese; parsing errors become 400 problem details."""
from __future__ import annotations

import datetime as dt
import math
import re

import django_filters
from django import forms
from django.contrib.gis.geos import Point, Polygon

from .crs import CoordinateRangeError, UnknownCRSError, check_lonlat, normalise_crs, to_cgcs2000

STORAGE_SRID = 4490


def _numbers(value: str, count: int, label: str) -> list[float]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != count:
        raise forms.ValidationError(f"{label}需要 {count} 个以逗号分隔的数值")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise forms.ValidationError(f"{label}包含非数值")
    if not all(math.isfinite(n) for n in numbers):
        raise forms.ValidationError(f"{label}包含 NaN 或无穷大")
    return numbers


class CRSField(forms.CharField):
    def clean(self, value: str | None) -> str:
        value = super().clean(value)
        if not value:
            return "EPSG:4490"
        try:
            return normalise_crs(value)
        except UnknownCRSError as exc:
            raise forms.ValidationError(str(exc))


class LonLatField(forms.CharField):
    """`lon,lat` → (lon, lat) floats, range-checked when the CRS is geographic."""

    def clean(self, value: str | None) -> tuple[float, float] | None:
        value = super().clean(value)
        if not value:
            return None
        return tuple(_numbers(value, 2, "坐标"))  # type: ignore[return-value]


class BBoxField(forms.CharField):
    def clean(self, value: str | None) -> tuple[float, float, float, float] | None:
        value = super().clean(value)
        if not value:
            return None
        min_x, min_y, max_x, max_y = _numbers(value, 4, "bbox ")
        if min_x > max_x or min_y > max_y:
            raise forms.ValidationError("bbox 应为 最小经度,最小纬度,最大经度,最大纬度")
        return (min_x, min_y, max_x, max_y)


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no); anything else is an error, never silently ignored."""

    _VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def clean(self, value: str | None) -> bool | None:
        if value in (None, ""):
            return None
        try:
            return self._VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("应为 true 或 false")


class StrictDateField(forms.DateField):
    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": "日期格式应为 YYYY-MM-DD"}


class BBoxFilter(django_filters.Filter):
    field_class = BBoxField


class LonLatFilter(django_filters.Filter):
    field_class = LonLatField


class CRSFilter(django_filters.Filter):
    field_class = CRSField


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class DateParamFilter(django_filters.Filter):
    field_class = StrictDateField


def point_in_storage(xy: tuple[float, float], crs: str) -> Point:
    """A client point in `crs` → a CGCS2000 GEOS point; raises ValueError with a Chinese message."""
    x, y = to_cgcs2000(xy[0], xy[1], crs)
    check_lonlat(x, y)
    return Point(float(x), float(y), srid=STORAGE_SRID)


def bbox_in_storage(box: tuple[float, float, float, float], crs: str) -> Polygon:
    xs, ys = to_cgcs2000([box[0], box[2], box[0], box[2]], [box[1], box[1], box[3], box[3]], crs)
    check_lonlat(xs, ys)
    polygon = Polygon.from_bbox((float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))))
    polygon.srid = STORAGE_SRID
    return polygon


def bbox_param(value: tuple[float, float, float, float], crs: str | None) -> Polygon:
    """A validated `bbox` filter value in `crs` (default EPSG:4490) → a CGCS2000 polygon; a
    400 problem naming `bbox` when it falls outside the valid range after transformation."""
    from rest_framework import exceptions

    try:
        return bbox_in_storage(value, crs or "EPSG:4490")
    except (CoordinateRangeError, UnknownCRSError) as exc:
        raise exceptions.ValidationError({"bbox": str(exc)})


def parse_date_param(value: str | None, name: str = "as_of") -> dt.date | None:
    """A `YYYY-MM-DD` query parameter outside a FilterSet; 400 problem on a bad value."""
    from rest_framework import exceptions

    if not value:
        return None
    try:
        return StrictDateField().clean(value)
    except forms.ValidationError as exc:
        raise exceptions.ValidationError({name: exc.messages})


_CODE_PREFIX = re.compile(r"^[0-9]{1,12}$")


def check_code_prefix(value: str, name: str = "division") -> str:
    """A division-code prefix parameter (api.md `division=`): 1–12 digits, else 400."""
    from rest_framework import exceptions

    if not _CODE_PREFIX.match(value):
        raise exceptions.ValidationError({name: "区划代码前缀应为 1–12 位数字"})
    return value


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


__all__ = ["BBoxField", "BBoxFilter", "StrictBooleanFilter", "CRSFilter", "DateParamFilter", "LonLatFilter", "CRSField", "CoordinateRangeError", "LonLatField", "StrictDateField",
           "bbox_in_storage", "check_code_prefix", "parse_date_param", "point_in_storage", "today"]
