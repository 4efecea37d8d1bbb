"""The staff map page and the vector tile endpoint `/tiles/{layer}/{z}/{x}/{y}.pbf`.

An empty tile is answered `204 No Content` (no body), so clients and caches can tell "nothing
here" from a broken tile; Leaflet.VectorGrid draws it as empty.

Tiles are register reads (staff and department API keys, the default permission); the map page
needs a staff login (the access middleware redirects everyone else to the login page).
"""
from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.common.params import FileDownloadNegotiation, reject_unknown_params

from . import tiles

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
TILE_MAX_AGE = 300  # seconds: registers change during the day, but a few minutes of caching is fine
_DIVISION = re.compile(r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$")


class TileView(APIView):
    """矢量瓦片（Mapbox Vector Tile）：`addresses`（14 级起逐个地址，10–13 级按网格聚合并给出 count）、
    `roads`（8 级起）。空瓦片返回 204。可选 `division` 限定乡镇（区划代码前缀）。"""

    content_negotiation_class = FileDownloadNegotiation  # answers MVT itself, whatever Accept says

    @extend_schema(parameters=[OpenApiParameter("division", str, description="区划代码前缀（6/9/12 位）")],
                   responses={(200, MVT_CONTENT_TYPE): OpenApiTypes.BINARY, 204: None})
    def get(self, request: Request, layer: str, z: int, x: int, y: int) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), {"division"})
        if layer not in tiles.LAYERS:
            raise exceptions.NotFound(f"没有图层 {layer}（可用：{', '.join(sorted(tiles.LAYERS))}）")
        if not tiles.valid_tile(z, x, y):
            raise exceptions.ValidationError({"z/x/y": f"瓦片编号无效：z 须在 0–{tiles.MAX_ZOOM}，x、y 须在 0–2^z−1"})
        division = request.query_params.get("division", "")
        if division and not _DIVISION.match(division):
            raise exceptions.ValidationError({"division": "应为 6、9 或 12 位区划代码"})
        body = tiles.tile(layer, z, x, y, division)
        response = HttpResponse(body, status=200 if body else 204, content_type=MVT_CONTENT_TYPE)
        response["Cache-Control"] = f"public, max-age={TILE_MAX_AGE}"
        return response


def map_page(request: HttpRequest) -> HttpResponse:
    """工作地图：县域图层、搜索、信息面板、选区导出和分析面板。"""
    config: dict[str, Any] = {
        "county": settings.GEO_MZ_HOME_COUNTY,
        "tileUrl": settings.GEO_MZ_TILE_URL,
        "tileAttribution": settings.GEO_MZ_TILE_ATTRIBUTION,
        "vectorTiles": {name: {"url": f"/tiles/{name}/{{z}}/{{x}}/{{y}}.pbf", "minZoom": spec.min_zoom, "pointZoom": spec.point_zoom,
                               "fullZoom": spec.full_zoom} for name, spec in tiles.LAYERS.items()},
        "admin": reverse("admin:index"),
    }
    return render(request, "mapui/map.html", {"config": config})
