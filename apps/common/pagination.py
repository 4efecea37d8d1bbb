"""Limit/offset pagination shared by every list (api.md: `limit` default 100, max 5,000).

Spatial lists answer a GeoJSON FeatureCollection with `count`, `next`, `previous` at the top
level; plain lists the same keys around `results`. Bad values are 400s, never silently clamped.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

MAX_LIMIT = 5000


def _parse_non_negative(value: str | None, name: str, default: int, maximum: int | None = None) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise exceptions.ValidationError({name: ["必须是整数"]})
    if number < 0:
        raise exceptions.ValidationError({name: ["不能为负数"]})
    if maximum is not None and number > maximum:
        raise exceptions.ValidationError({name: [f"不能大于 {maximum}"]})
    return number


class StrictLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = MAX_LIMIT

    def get_limit(self, request: Any) -> int:
        limit = _parse_non_negative(request.query_params.get(self.limit_query_param), "limit",
                                    self.default_limit, self.max_limit)
        if limit == 0:
            raise exceptions.ValidationError({"limit": ["必须大于 0"]})
        return limit

    def get_offset(self, request: Any) -> int:
        return _parse_non_negative(request.query_params.get(self.offset_query_param), "offset", 0)


class GeoJSONLimitOffsetPagination(StrictLimitOffsetPagination):
    """FeatureCollection pages when the serializer produced GeoJSON features."""

    def get_paginated_response(self, data: Any) -> Response:
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            return Response(OrderedDict([
                ("type", "FeatureCollection"),
                ("count", self.count),
                ("next", self.get_next_link()),
                ("previous", self.get_previous_link()),
                ("features", data["features"]),
            ]))
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        # A GeoJSON list serializer is documented as one FeatureCollection component (a `$ref`),
        # a plain list as an array: the page keys go next to `features`, not around `results`.
        if "$ref" in schema or schema.get("properties", {}).get("type", {}).get("enum") == ["FeatureCollection"]:
            return {"allOf": [schema, {
                "type": "object",
                "required": ["type", "count", "next", "previous", "features"],
                "properties": {
                    "count": {"type": "integer", "example": 123},
                    "next": {"type": "string", "nullable": True, "format": "uri"},
                    "previous": {"type": "string", "nullable": True, "format": "uri"},
                },
            }]}
        return super().get_paginated_response_schema(schema)
