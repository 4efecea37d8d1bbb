"""OpenAPI schema generation shared by every app: each operation documents the RFC 9457 problem
responses it can answer (apps.common.errors), so clients and the contract fuzzing know them.

Every operation: 400 (bad or unknown parameters), 401/403 (login, role, jurisdiction), 404
(unknown code or path) and 429 (per-key rate limit). Writes also: 409 (conflict), 413 (oversized
upload), 415 (unsupported body type) and 422 (well-formed input breaking a domain rule).
An operation's own `extend_schema(responses=…)` for a code wins over these defaults.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.contrib.gis.db import models as gis_models
from drf_spectacular.contrib.rest_framework_gis import (GeoFeatureModelSerializerExtension, build_geo_container_schema,
                                                        build_geometry_geo_schema, build_linestring_schema,
                                                        build_point_schema, build_polygon_schema)
from drf_spectacular.plumbing import build_array_type
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from apps.common.errors import _TITLES, PROBLEM_CONTENT_TYPE

EVERY_OPERATION = (400, 401, 403, 404, 429)
WRITES_ONLY = (409, 413, 415, 422)


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="出错的参数或字段名（英文）；整体错误时为空")
    message = serializers.CharField(help_text="中文说明")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details (`application/problem+json`)."""

    type = serializers.CharField(help_text="问题类型 URI（目前均为 about:blank）")
    title = serializers.CharField(help_text="状态码的中文标题")
    status = serializers.IntegerField(help_text="HTTP 状态码")
    detail = serializers.CharField(help_text="中文说明")
    errors = ProblemFieldErrorSerializer(many=True, required=False, help_text="校验错误：每个字段一条")


def counted_list(name: str, serializer: type[serializers.Serializer]) -> serializers.Serializer:
    """The schema of a plain (unpaginated) list answered as `{"count", "results"}`."""
    return inline_serializer(name, {"count": serializers.IntegerField(), "results": serializer(many=True)})


def with_downloads(json_response: Any, *content_types: str, status: int = 200) -> dict[Any, Any]:
    """`responses=` of an endpoint answering JSON (None: no plain JSON answer) or a file of one of
    these types; a JSON-based file type (GeoJSON) is documented as an object, the others as bytes."""
    responses: dict[Any, Any] = {(status, "application/json"): json_response} if json_response is not None else {}
    for content_type in content_types:
        media_type = content_type.split(";")[0]
        responses[(status, media_type)] = OpenApiTypes.OBJECT if media_type.endswith("json") else OpenApiTypes.BINARY
    return responses


class ProblemAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the problem+json error responses of every operation."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = EVERY_OPERATION + (WRITES_ONLY if self.method not in ("GET", "HEAD", "OPTIONS") else ())
        ref = self.resolve_serializer(ProblemSerializer, "response").ref
        for code in codes:
            responses.setdefault(str(code), {
                "description": _TITLES.get(code, "错误"),
                "content": {PROBLEM_CONTENT_TYPE: {"schema": ref}},
            })
        return responses


def any_geometry_schema() -> dict[str, Any]:
    """Any of the seven GeoJSON geometry types (a column of the generic geometry type);
    drf-spectacular documents only Point, LineString and Polygon for it."""
    multi = [build_geo_container_schema(name, build_array_type(part)) for name, part in (
        ("MultiPoint", build_point_schema()), ("MultiLineString", build_linestring_schema()),
        ("MultiPolygon", build_polygon_schema()))]
    collection = build_geo_container_schema("GeometryCollection", build_array_type(build_geometry_geo_schema()))
    collection["properties"]["geometries"] = collection["properties"].pop("coordinates")
    return {"oneOf": [*build_geometry_geo_schema()["oneOf"], *multi, collection]}


class NullableGeometryFeatureExtension(GeoFeatureModelSerializerExtension):
    """A Feature's `geometry` is null when the model's geometry column allows NULL (a division
    without a boundary yet, a place name without a position): RFC 7946 allows a null geometry,
    drf-spectacular's own extension documents it as always present. A generic geometry column
    may hold any geometry type."""

    priority = 1

    def map_geo_feature_model_serializer(self, serializer: Any, base_schema: dict[str, Any]) -> dict[str, Any]:
        schema = super().map_geo_feature_model_serializer(serializer, base_schema)
        try:
            model_field = serializer.Meta.model._meta.get_field(serializer.Meta.geo_field)
        except FieldDoesNotExist:
            model_field = None
        if type(model_field) is gis_models.GeometryField:
            schema["properties"]["geometry"] = any_geometry_schema()
        if model_field is None or model_field.null:
            schema["properties"]["geometry"] = {**schema["properties"]["geometry"], "nullable": True}
        return schema
