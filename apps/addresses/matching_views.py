"""HTTP endpoints of the address matcher: geocode, autocomplete, batch matching (as a background
job), job status and result download. Validate here, match in apps.addresses.matching.

Geocode, autocomplete and batch matching are open to staff and department API keys (a key may
POST a batch: `api_key_methods`); a key's batch is filed under the key's department and only that
key sees its job. The per-department history is staff-only."""
from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.context import current_principal
from apps.accounts.permissions import StaffOnly
from apps.common.jobs import enqueue
from apps.common.models import Job
from apps.common.params import reject_unknown_params

from .batch_input import BatchInputError, address_column, read_table
from .matching.autocomplete import suggest
from .matching.result import Candidate
from .matching.service import geocode
from .models import MatchBatch
from .review import batch_jurisdiction, department_history, visible_job


class GeocodeQuery(serializers.Serializer):
    q = serializers.CharField(max_length=500, trim_whitespace=True)
    limit = serializers.IntegerField(required=False, default=5, min_value=1, max_value=20)
    min_score = serializers.FloatField(required=False, default=0.0, min_value=0.0, max_value=1.0)
    within = serializers.RegexField(r"^[0-9]{6,12}$", required=False,
                                    error_messages={"invalid": "within 应为 6–12 位区划代码"})


class AutocompleteQuery(serializers.Serializer):
    q = serializers.CharField(max_length=100, trim_whitespace=True)
    limit = serializers.IntegerField(required=False, default=10, min_value=1, max_value=30)


class BatchUpload(serializers.Serializer):
    file = serializers.FileField()
    column = serializers.CharField(max_length=100)
    department = serializers.CharField(max_length=100, required=False,
                                       help_text="提交部门（工作人员必填；使用接口密钥时为密钥所属部门）")


def _feature(c: Candidate) -> dict[str, Any]:
    geometry = {"type": "Point", "coordinates": [round(c.lon, 7), round(c.lat, 7)]} if c.lon is not None else None
    return {"type": "Feature", "id": c.code, "geometry": geometry,
            "properties": {"code": c.code, "full_text": c.full_text, "score": c.score, "precision": c.precision,
                           "kind": c.kind, "reasons": c.reasons}}


class GeocodeView(APIView):
    """地址匹配：返回按得分排序的候选（GeoJSON），含精度、原因和匹配状态（matched / ambiguous / unmatched）。"""

    @extend_schema(parameters=[GeocodeQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), set(GeocodeQuery().fields))
        query = GeocodeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        result = geocode(data["q"], limit=data["limit"], within=data.get("within"), min_score=data["min_score"])
        return Response({"type": "FeatureCollection", "query": data["q"], "normalized": result.normalized,
                         "status": result.status, "outside_county": result.outside_county,
                         "count": len(result.candidates), "features": [_feature(c) for c in result.candidates]})


class AutocompleteView(APIView):
    """输入提示：按键即调，返回街路巷、片区、村社区及门牌的补全建议。"""

    @extend_schema(parameters=[AutocompleteQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), set(AutocompleteQuery().fields))
        query = AutocompleteQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response({"query": query.validated_data["q"],
                         "suggestions": suggest(query.validated_data["q"], limit=query.validated_data["limit"])})


class BatchGeocodeView(APIView):
    """批量匹配：上传 CSV 或 XLSX（最多 100,000 行）并指定地址列；作为后台任务运行，返回 202 和任务地址。"""

    parser_classes = [MultiPartParser]
    api_key_methods = ("POST",)  # department keys match batches (read-only use of the register)

    @extend_schema(request=BatchUpload, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        body = BatchUpload(data=request.data)
        body.is_valid(raise_exception=True)
        principal = current_principal()
        department = principal.department if principal.is_api_key else body.validated_data.get("department", "").strip()
        if not department:
            raise exceptions.ValidationError({"department": ["请填写提交部门"]})
        upload: UploadedFile = body.validated_data["file"]
        data = upload.read()
        try:  # refuse bad files now, with a clear message, instead of failing in the background
            table = read_table(data, upload.name)
            address_column(table, body.validated_data["column"])
        except BatchInputError as exc:
            raise exceptions.ValidationError({exc.field: [str(exc)]}) from exc
        upload.seek(0)
        job = enqueue("address_batch_match", params={"column": body.validated_data["column"], "rows": len(table.rows)},
                      created_by=request.user.get_username(), input_file=upload)
        MatchBatch.objects.create(job=job, department=department, api_key_id=principal.api_key_id,
                                  jurisdiction=batch_jurisdiction(principal),
                                  column=body.validated_data["column"], rows=len(table.rows))
        response = Response(job_body(job, request), status=202)
        response["Location"] = f"/api/v1/jobs/{job.pk}"
        return response


def job_body(job: Job, request: Request) -> dict[str, Any]:
    body: dict[str, Any] = {"id": job.pk, "kind": job.kind, "status": job.status, "progress": round(job.progress, 4),
                            "message": job.message, "created_by": job.created_by, "created_at": job.created_at,
                            "started_at": job.started_at, "finished_at": job.finished_at, "result": job.result}
    if job.result_file:
        body["result_url"] = request.build_absolute_uri(f"/api/v1/jobs/{job.pk}/result")
    batch = MatchBatch.objects.filter(job=job).first()
    if batch is not None:
        body["batch"] = {"department": batch.department, "rows": batch.rows, "matched": batch.matched,
                         "ambiguous": batch.ambiguous, "unmatched": batch.unmatched,
                         "match_rate": round(batch.match_rate, 4), "report": batch.report}
    return body


class JobView(APIView):
    """后台任务的状态与进度（status、progress 0–1、message、结果链接）。接口密钥只能查看自己提交的任务，
    工作人员查看本辖区提交的批量匹配任务和自己提交的其他任务。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, job_id: int) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        job = visible_job(current_principal(), job_id)
        if job is None:
            raise Http404("没有该任务")
        return Response(job_body(job, request))


class JobResultView(APIView):
    """任务结果文件（批量匹配：输入各列 + 标准地址编码、标准地址、经纬度、得分、精度、状态，UTF-8 BOM CSV）。"""

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, job_id: int) -> FileResponse:
        reject_unknown_params(request.query_params.keys(), set())
        job = visible_job(current_principal(), job_id)
        if job is None or not job.result_file:
            raise Http404("没有该任务的结果")
        return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=f"batch-{job.pk}.csv",
                            content_type="text/csv; charset=utf-8")


class DepartmentHistoryView(APIView):
    """各部门批量匹配的匹配率历史（本辖区提交的批次，接口密钥的批次计入密钥所属部门）。仅限工作人员。"""

    permission_classes = [StaffOnly]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        return Response({"departments": department_history(current_principal())})
