"""The layers we publish (OGC API collections) and export: one registry, so the collections,
the export endpoint and their tests all speak about the same seven layers.

Each layer knows its current-records queryset, public feature id, geometry column, output
properties (English snake_case keys → ORM lookups) and how `division=` (a code prefix) applies.
Reads only; no writes here."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import AsGeoJSON, AsWKB
from django.db.models import CharField, F, Q, QuerySet
from django.db.models.functions import Cast


from apps.addresses.models import Address, Road, Stage
from apps.boundaries.models import BoundaryLine, BoundaryMarker
from apps.divisions.models import Division
from apps.facilities.models import Facility
from apps.placenames.models import PlaceName


@dataclass(frozen=True)
class Layer:
    id: str
    title: str
    description: str
    queryset: Callable[[], QuerySet]
    geometry: str  # geometry column
    geometry_type: str  # OGC/GDAL name for clients
    fid: str  # lookup giving the public id (string)
    properties: dict[str, str]  # output key -> ORM lookup
    division: Callable[[str], Q]  # code prefix -> filter
    datetime: str | None = None  # date field for `datetime=` (validity start)
    distinct: bool = False
    extra_filters: dict[str, str] = field(default_factory=dict)  # parameter -> ORM lookup (exact)


def _current_divisions() -> QuerySet:
    return Division.objects.filter(valid_to__isnull=True, code__isnull=False, geometry__isnull=False)


LAYERS: dict[str, Layer] = {layer.id: layer for layer in [
    Layer("divisions", "行政区划（现行）", "现行的县、乡镇（街道）、村（社区）区划及其边界",
          _current_divisions, "geometry", "MultiPolygon", "code",
          {"code": "code", "name": "name", "level": "level", "kind": "kind", "parent_code": "parent__code",
           "valid_from": "valid_from"},
          lambda p: Q(code__startswith=p), datetime="valid_from"),
    Layer("addresses", "标准地址（现行）", "现行标准地址的出入口位置",
          lambda: Address.objects.filter(stage=Stage.CURRENT, valid_to__isnull=True), "location", "Point", "code",
          {"code": "code", "full_text": "full_text", "division_code": "division_code", "level": "level",
           "status": "status", "road_name": "road__name", "door_number": "door_number", "valid_from": "valid_from"},
          lambda p: Q(division_code__startswith=p), datetime="valid_from"),
    Layer("roads", "街路巷", "现行街路巷中心线",
          lambda: Road.objects.filter(valid_to__isnull=True), "geometry", "LineString", "pk_text",
          {"road_code": "code", "name": "name", "kind": "kind", "county_code": "county__code",
           "township_code": "township__code", "valid_from": "valid_from"},
          lambda p: Q(township__code__startswith=p) | Q(county__code__startswith=p), datetime="valid_from"),
    Layer("placenames", "地名", "地名录中有空间位置的地名（含拟定、已批准、已注销）",
          lambda: PlaceName.objects.filter(geometry__isnull=False), "geometry", "Geometry", "code",
          {"code": "code", "name": "name", "category": "category__name", "status": "status",
           "division_code": "division__code", "pinyin": "pinyin", "approved_on": "approved_on"},
          lambda p: Q(division__code__startswith=p), extra_filters={"status": "status"}),
    Layer("facilities", "民政服务设施", "养老、殡葬、婚姻登记等民政服务设施；可按 kind（类型代码）筛选",
          lambda: Facility.objects.all(), "location", "Point", "code",
          {"code": "code", "name": "name", "kind": "kind__code", "kind_name": "kind__name", "status": "status",
           "township_code": "township__code", "village_code": "village__code", "operator": "operator"},
          lambda p: Q(township__code__startswith=p) | Q(village__code__startswith=p),
          extra_filters={"kind": "kind__code", "status": "status"}),
    Layer("boundary-lines", "行政区域界线", "现行行政区域界线",
          lambda: BoundaryLine.objects.filter(valid_to__isnull=True), "geometry", "MultiLineString", "code",
          {"code": "code", "name": "name", "length_m": "length_m", "status": "status", "valid_from": "valid_from"},
          lambda p: Q(divisions__code__startswith=p), datetime="valid_from", distinct=True),
    Layer("boundary-markers", "界桩", "行政区域界线界桩的登记位置",
          lambda: BoundaryMarker.objects.all(), "position", "Point", "number",
          {"number": "number", "line_code": "line__code", "kind": "kind", "state": "state",
           "material": "material", "buried_on": "buried_on"},
          lambda p: Q(line__divisions__code__startswith=p), datetime="buried_on", distinct=True),
]}


def base_queryset(layer: Layer) -> QuerySet:
    """Current records with the public id annotated as `fid` (a string)."""
    queryset = layer.queryset()
    if layer.fid == "pk_text":
        return queryset.annotate(fid=Cast("pk", CharField()))
    return queryset.annotate(fid=F(layer.fid))


def filtered(layer: Layer, *, bbox: tuple[float, float, float, float] | None = None,
             division: str | None = None, interval: tuple[dt.date | None, dt.date | None] | None = None,
             extra: dict[str, str] | None = None) -> QuerySet:
    from django.contrib.gis.geos import Polygon

    queryset = base_queryset(layer)
    if bbox is not None:
        envelope = Polygon.from_bbox(bbox)
        envelope.srid = 4490
        queryset = queryset.filter(**{f"{layer.geometry}__bboverlaps": envelope,
                                      f"{layer.geometry}__intersects": envelope})
    if division:
        queryset = queryset.filter(layer.division(division))
    if interval is not None and layer.datetime:
        start, end = interval
        if start is not None:
            queryset = queryset.filter(**{f"{layer.datetime}__gte": start})
        if end is not None:
            queryset = queryset.filter(**{f"{layer.datetime}__lte": end})
    for name, value in (extra or {}).items():
        queryset = queryset.filter(**{layer.extra_filters[name]: value})
    if layer.distinct:
        queryset = queryset.distinct()
    return queryset.order_by("fid")


def geojson_rows(layer: Layer, queryset: QuerySet) -> QuerySet:
    """(fid, geometry GeoJSON text with ≤ 7 decimals, properties…) rows, built by PostGIS."""
    return queryset.annotate(geom_json=AsGeoJSON(layer.geometry, precision=7)).values(
        "fid", "geom_json", **{f"out_{k}": F(v) for k, v in layer.properties.items()})


def wkb_rows(layer: Layer, queryset: QuerySet) -> QuerySet:
    """Rows for the file exports: properties plus the geometry as WKB (vectorised decoding)."""
    return queryset.annotate(geom_wkb=AsWKB(layer.geometry)).values(
        "fid", "geom_wkb", **{f"out_{k}": F(v) for k, v in layer.properties.items()})


def extent(layer: Layer) -> tuple[float, float, float, float] | None:
    from django.contrib.gis.db.models import Extent

    box = layer.queryset().aggregate(box=Extent(layer.geometry))["box"]
    return tuple(round(v, 7) for v in box) if box else None  # type: ignore[return-value]


def feature_text(row: dict) -> str:
    """One GeoJSON Feature as text, from a geojson_rows row (the geometry text comes from PostGIS)."""
    props = {key[4:]: (value.isoformat() if hasattr(value, "isoformat") else value)
             for key, value in row.items() if key.startswith("out_")}
    return (f'{{"type":"Feature","id":{json.dumps(row["fid"])},"geometry":{row["geom_json"] or "null"},'
            f'"properties":{json.dumps(props, ensure_ascii=False)}}}')
