"""Geometry sent to the API as a GeoJSON geometry object, validated and brought to CGCS2000.

The CRS is never guessed: it is stated next to the geometry (`crs`: EPSG:4490 by default,
EPSG:4326, GCJ-02, BD-09, a Gauss-Krüger zone). A GeoJSON `crs` member (removed by RFC 7946) is
refused rather than half-honoured. Refused with a message saying why: unknown or mismatched
types, empty geometries, NaN/Infinity, 3-D coordinates, coordinates out of range, invalid
geometries (self-intersections, unclosed rings: the reason from GEOS), more than
`MAX_VERTICES` vertices.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely
from rest_framework import serializers
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .crs import CoordinateRangeError, UnknownCRSError, check_lonlat, geometry_to_cgcs2000, normalise_crs
from .shapes import to_geos

MAX_VERTICES = 100_000
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


class GeometryInputError(ValueError):
    pass


def _positions(coords: Any) -> Iterable[Any]:
    if isinstance(coords, (list, tuple)) and coords and not isinstance(coords[0], (list, tuple)):
        yield coords
    elif isinstance(coords, (list, tuple)):
        for part in coords:
            yield from _positions(part)


def parse_geometry(value: Any, crs: str, allowed: Iterable[str] = GEOMETRY_TYPES) -> BaseGeometry:
    """A valid shapely geometry in CGCS2000 lon/lat from a GeoJSON geometry object in `crs`."""
    allowed = tuple(allowed)
    if not isinstance(value, dict) or "type" not in value:
        raise GeometryInputError("应为 GeoJSON 几何对象，如 {\"type\": \"Point\", \"coordinates\": [lon, lat]}")
    if "crs" in value:
        raise GeometryInputError("GeoJSON 的 crs 成员已被 RFC 7946 废止：请用 crs 参数说明坐标系")
    if value["type"] not in allowed:
        raise GeometryInputError(f"几何类型 {value['type']!r} 不受支持，应为 {'、'.join(allowed)} 之一")
    coords = value.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise GeometryInputError("几何为空（coordinates 缺失或为空）")
    count = 0
    for position in _positions(coords):
        count += 1
        if count > MAX_VERTICES:
            raise GeometryInputError(f"顶点数超过上限 {MAX_VERTICES}，请先简化")
        if len(position) != 2:
            raise GeometryInputError("只接受二维坐标 [经度, 纬度]（不含高程）")
        if not all(isinstance(c, (int, float)) and math.isfinite(c) for c in position):
            raise GeometryInputError("坐标含 NaN、Infinity 或非数值")
    rings = [coords] if value["type"] == "Polygon" else coords if value["type"] == "MultiPolygon" else []
    for polygon in rings:
        for ring in polygon if isinstance(polygon, list) else []:
            if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
                raise GeometryInputError("多边形的环必须闭合（首尾坐标相同）且至少 4 个坐标")
    try:
        geometry = shape(value)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException) as exc:
        raise GeometryInputError(f"几何无法解析：{exc}") from exc
    if geometry.is_empty:
        raise GeometryInputError("几何为空")
    try:
        crs = normalise_crs(crs)
        geometry = geometry_to_cgcs2000(geometry, crs)
        xs, ys = shapely.get_coordinates(geometry).T
        if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):  # finite input the projection cannot take
            raise GeometryInputError(f"坐标不在 {crs} 的有效范围内，无法转换（坐标系是否填错？经纬度请用 EPSG:4490）")
        check_lonlat(xs, ys)
    except (UnknownCRSError, CoordinateRangeError) as exc:
        raise GeometryInputError(str(exc)) from exc
    if not geometry.is_valid:
        raise GeometryInputError(f"几何无效：{shapely.is_valid_reason(geometry)}")
    return geometry


class GeometryInputField(serializers.JSONField):
    """A serializer field taking a GeoJSON geometry; the CRS comes from the sibling `crs` field,
    so conversion happens in the serializer's validate() via `to_storage`."""

    def __init__(self, *, allowed: Iterable[str] = GEOMETRY_TYPES, **kwargs: Any):
        self.allowed = tuple(allowed)
        super().__init__(**kwargs)

    def to_storage(self, value: Any, crs: str) -> Any:
        try:
            return to_geos(parse_geometry(value, crs, self.allowed))
        except GeometryInputError as exc:
            raise serializers.ValidationError({self.field_name: [str(exc)]}) from exc
