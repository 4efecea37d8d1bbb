"""HTTP endpoints of the analyses (staff of any role, never API keys; inputs, runs and results
inside the account's jurisdiction, see `access`): start coverage, siting and suitability runs
(201 when computed at once, 202 + Location when queued), read runs with their progress, compare
scenarios, list radius presets and constraint layers. Exports and the map are in `downloads`."""
from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.context import current_principal
from apps.accounts.permissions import StaffOnly
from apps.common.params import reject_unknown_params

from . import runs
from .access import constraint_layers_q, require_run, runs_q
from .models import AnalysisRun, ConstraintLayer, RadiusPreset, RunKind
from .serializers import CoverageBody, PresetSerializer, RunListSerializer, RunSerializer, SitingBody
from .suitability import SuitabilityBody


def run_or_404(pk: int) -> AnalysisRun:
    run = AnalysisRun.objects.select_related("job", "county").filter(pk=pk).first()
    if run is None:
        raise Http404(f"没有编号为 {pk} 的分析")
    require_run(run)
    return run


class _StartView(APIView):
    permission_classes = [StaffOnly]
    kind: str = RunKind.COVERAGE

    def post(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"body": "应为 JSON 对象"})
        run = runs.start(self.kind, dict(request.data), actor=request.user.get_username())
        queued = run.status in ("queued", "running")
        response = Response(RunSerializer(run).data, status=202 if queued else 201)
        response["Location"] = f"/api/v1/analysis/runs/{run.pk}"
        return response


class CoverageView(_StartView):
    """覆盖分析：设施（类型/状态或指定编码）在一个或多个半径内覆盖的地址（按地址数、户数、人口或60岁以上人口加权），
    直线（椭球面距离）或沿路网；结果含覆盖率、乡镇与村表、每个地址最近设施与距离、未覆盖地址、服务范围。"""

    kind = RunKind.COVERAGE

    @extend_schema(request=CoverageBody, responses={201: RunSerializer, 202: RunSerializer})
    def post(self, request: Request) -> Response:
        return super().post(request)


class SitingView(_StartView):
    """选址优化：MCLP（最大覆盖）、LSCP（最少站点达到目标覆盖率）、p-median（最小加权距离），现有设施固定；
    HiGHS 精确求解（报告是否证明最优及差距）、各站点边际增益、覆盖前后、覆盖率随站点数的曲线。"""

    kind = RunKind.SITING

    @extend_schema(request=SitingBody, responses={201: RunSerializer, 202: RunSerializer})
    def post(self, request: Request) -> Response:
        return super().post(request)


class SuitabilityView(_StartView):
    """公墓适宜性：候选网格减去限制图层按规则退让后的排除区（每个被排除网格说明由哪条规则排除），其余按可达人口排序。"""

    kind = RunKind.SUITABILITY

    @extend_schema(request=SuitabilityBody, responses={201: RunSerializer, 202: RunSerializer})
    def post(self, request: Request) -> Response:
        return super().post(request)


class RunListView(generics.ListAPIView):
    """已保存的分析方案（最新在前，仅本账号辖区内的），可按类型筛选，用于比较。"""

    serializer_class = RunListSerializer
    permission_classes = [StaffOnly]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        kind = self.request.query_params.get("kind")
        queryset = AnalysisRun.objects.select_related("county").filter(runs_q(current_principal()))
        if kind:
            if kind not in RunKind.values:
                raise exceptions.ValidationError({"kind": [f"应为 {', '.join(RunKind.values)} 之一"]})
            queryset = queryset.filter(kind=kind)
        return queryset

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=RunKind.values)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_unknown_params(request.query_params.keys(), {"kind", "limit", "offset"})
        return super().get(request, *args, **kwargs)


class RunDetailView(APIView):
    """一次分析：输入、提交人与时间、状态与进度、结果摘要与表、导出链接。"""

    permission_classes = [StaffOnly]

    @extend_schema(responses=RunSerializer)
    def get(self, request: Request, pk: int) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        return Response(RunSerializer(run_or_404(pk)).data)


class CompareView(APIView):
    """方案比较：几次同类分析的输入与关键结果并列。"""

    permission_classes = [StaffOnly]

    @extend_schema(parameters=[OpenApiParameter("ids", str, description="逗号分隔的分析编号，2–10 个")],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), {"ids"})
        raw = request.query_params.get("ids", "")
        try:
            ids = [int(x) for x in raw.split(",") if x.strip()]
        except ValueError:
            raise exceptions.ValidationError({"ids": ["应为逗号分隔的整数"]})
        if not 2 <= len(ids) <= 10:
            raise exceptions.ValidationError({"ids": ["须给出 2–10 个分析编号"]})
        found = {r.pk: r for r in AnalysisRun.objects.select_related("county").filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise Http404(f"没有这些分析：{missing}")
        for run in found.values():
            require_run(run)
        if len({found[i].kind for i in ids}) > 1:
            raise exceptions.ValidationError({"ids": ["只能比较同一类型的分析"]})
        return Response({"kind": found[ids[0]].kind, "runs": [
            {"id": i, "name": found[i].name, "created_by": found[i].created_by, "created_at": found[i].created_at,
             "inputs": {k: v for k, v in found[i].inputs.items() if k != "body"}, "key_results": _key_results(found[i])}
            for i in ids]})


def _key_results(run: AnalysisRun) -> dict[str, Any]:
    s = run.summary
    if run.kind == RunKind.COVERAGE:
        return {"radii": [{k: r[k] for k in ("radius_m", "share", "weight_share", "uncovered")} for r in s.get("radii", [])]}
    if run.kind == RunKind.SITING:
        result = s.get("result", {})
        return {k: result.get(k) for k in ("objective", "optimal", "gap", "covered_weight_before",
                                            "covered_weight_after")} | {"sites": [c["label"] for c in s.get("chosen", [])]}
    return {k: s.get(k) for k in ("cells", "excluded", "suitable")}


class PresetListView(generics.ListAPIView):
    """服务半径预设（规范数据：生活圈 300/500/800/1000 米及各省规定，可增补）。"""

    serializer_class = PresetSerializer
    pagination_class = None
    queryset = RadiusPreset.objects.all()


class ConstraintLayerListView(APIView):
    """已加载的限制图层（公墓适宜性用）：按类别计数，标明是否合成示意数据。"""

    permission_classes = [StaffOnly]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        rows = [{"id": layer.pk, "category": layer.category, "category_name": layer.get_category_display(),
                 "name": layer.name, "source": layer.source, "synthetic": layer.synthetic, "county": layer.county.code}
                for layer in ConstraintLayer.objects.select_related("county").filter(
                    constraint_layers_q(current_principal()))]
        return Response({"count": len(rows), "results": rows})
