"""API view of the exports: `GET /api/v1/export/{layer}?format=&crs=&bbox=&division=&encoding=`.
Staff only (like the register exports); unknown or malformed parameters are 400 problems."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from django.http import Http404, HttpResponse
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.common.params import FileDownloadNegotiation

from . import params
from .exports import FORMATS, SHAPEFILE_ENCODINGS, ExportError, export_crs, export_layer
from .layers import LAYERS, filtered

_PARAMS = {"format", "crs", "bbox", "division", "encoding"}


class ExportView(APIView):
    """导出任一图层（或按 bbox / division 选取的部分）：geojson、csv、gpkg、shp（zip，含 .cpg 与 .prj）；
    坐标系可选 CGCS2000（EPSG:4490）、高斯-克吕格分带（EPSG:4513–4554）或 GCJ-02。"""

    permission_classes = [permissions.IsAdminUser]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=list(FORMATS)),
                               OpenApiParameter("crs", str, description="EPSG:4490（默认）、EPSG:4513–4554 或 GCJ-02"),
                               OpenApiParameter("bbox", str, description="最小经度,最小纬度,最大经度,最大纬度（CGCS2000）"),
                               OpenApiParameter("division", str, description="区划代码前缀"),
                               OpenApiParameter("encoding", str, enum=list(SHAPEFILE_ENCODINGS),
                                                description="shapefile 属性编码（默认 UTF-8）")],
                   responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, layer_id: str) -> HttpResponse:
        layer = LAYERS.get(layer_id)
        if layer is None:
            raise Http404(f"没有名为 {layer_id} 的图层（可用：{'、'.join(LAYERS)}）")
        query = request.query_params
        try:
            params.reject_unknown(query.keys(), _PARAMS | set(layer.extra_filters))
            queryset = filtered(layer, bbox=params.bbox(query), division=params.division(query),
                                extra={k: query[k] for k in layer.extra_filters if query.get(k)})
            result = export_layer(layer, queryset, query.get("format", "geojson"), export_crs(query.get("crs")),
                                  (query.get("encoding") or "UTF-8").upper())
        except (params.ParamError, ExportError) as exc:
            raise exceptions.ValidationError({exc.field: [exc.message]})
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        response["X-Feature-Count"] = str(result.count)
        return response
