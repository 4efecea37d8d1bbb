"""API view of the exports: `GET /api/v1/export/{layer}?format=&crs=&bbox=&division=&encoding=`.
Register reads: staff of any role and department API keys (the default permission); the file of
a background export only for whoever asked for it. Unknown or malformed parameters are 400."""
from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.context import current_principal
from apps.addresses.review import visible_job
from apps.common import jobs
from apps.common.models import JobStatus
from apps.common.params import FileDownloadNegotiation

from . import params
from .exports import FORMATS, SHAPEFILE_ENCODINGS, ExportError, check_request, export_crs, export_layer
from .job_handlers import JOB_KIND, export_dir
from .layers import LAYERS, filtered

SYNC_EXPORT_MAX = 20_000  # larger selections are exported by the job worker (202 + Location)

_PARAMS = {"format", "crs", "bbox", "division", "encoding"}


class ExportView(APIView):
    """导出任一图层（或按 bbox / division 选取的部分；超过 2 万条时转为后台任务，202 + Location）：geojson、csv、gpkg、shp（zip，含 .cpg 与 .prj）；
    坐标系可选 CGCS2000（EPSG:4490）、高斯-克吕格分带（EPSG:4513–4554）或 GCJ-02。"""

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
            selection = {"bbox": params.bbox(query), "division": params.division(query),
                         "extra": {k: query[k] for k in layer.extra_filters if query.get(k)}}
            fmt, crs = query.get("format", "geojson"), export_crs(query.get("crs"))
            encoding = (query.get("encoding") or "UTF-8").upper()
            check_request(fmt, crs, encoding)
        except (params.ParamError, ExportError) as exc:
            raise exceptions.ValidationError({exc.field: [exc.message]})
        queryset = filtered(layer, **selection)
        if queryset.count() > getattr(settings, "EXCHANGE_SYNC_EXPORT_MAX", SYNC_EXPORT_MAX):
            job = jobs.enqueue(JOB_KIND, created_by=request.user.get_username(), params={
                "layer": layer.id, "format": fmt, "crs": crs, "encoding": encoding, **selection})
            location = f"/api/v1/jobs/{job.pk}"
            return Response({"job": job.pk, "status": job.status, "location": location}, status=202,
                            headers={"Location": location})
        result = export_layer(layer, queryset, fmt, crs, encoding)
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        response["X-Feature-Count"] = str(result.count)
        return response


class ExportFileView(APIView):
    """后台导出任务完成后的文件（仅限提交该任务的账号或密钥）。"""

    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, job_id: int) -> FileResponse:
        job = visible_job(current_principal(), job_id)
        if job is not None and (job.kind != JOB_KIND or job.status != JobStatus.SUCCEEDED):
            job = None
        path = export_dir(job_id) / job.result["filename"] if job is not None else None
        if path is None or not path.exists():
            raise Http404("没有该导出任务的文件（任务不存在、未完成或文件已清理）")
        return FileResponse(path.open("rb"), as_attachment=True, filename=job.result["filename"],
                            content_type=job.result["content_type"])
