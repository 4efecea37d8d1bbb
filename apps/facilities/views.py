"""HTTP endpoints of the facility register: parse and validate, call services (writes: editors
inside their jurisdiction, checked by the services) or selectors (reads: staff and API keys; the
safety hazards only for staff whose jurisdiction covers the facility), serialize."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import EditorsOnly, StaffOrKeyRead
from apps.common.errors import DomainRuleError
from apps.common.exports import FORMATS, to_csv
from apps.common.params import FileDownloadNegotiation, reject_unknown_params
from apps.divisions.models import Division

from . import selectors, services
from .filters import FacilityFilter
from .models import Family, FacilityKind, SafetyHazard
from .serializers import (FacilityBody, FacilityDetailSerializer, FacilityFeatureSerializer, HazardBody,
                          HazardSerializer, HazardUpdateBody, KindSerializer, RetireBody, StatusBody)


def _facility_or_404(code: str):  # type: ignore[no-untyped-def]
    facility = selectors.get_facility(code)
    if facility is None:
        raise Http404(f"没有编码为 {code} 的设施")
    return facility


def _detail(code: str, request: Request, status: int = 200) -> Response:
    return Response(FacilityDetailSerializer(_facility_or_404(code), context={"request": request}).data, status=status)


class FacilityListView(generics.ListCreateAPIView):
    """服务设施列表（GeoJSON）；POST 登记新设施（仅限辖区内的编辑员）：位置（任意坐标系）或标准地址，及该类设施的属性。"""

    serializer_class = FacilityFeatureSerializer
    filterset_class = FacilityFilter
    permission_classes = [StaffOrKeyRead]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.facilities()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_unknown_params(request.query_params.keys(), set(FacilityFilter.base_filters) | {"limit", "offset"})
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FacilityBody, responses={201: FacilityDetailSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        body = FacilityBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        xy = data.pop("location", None)
        facility = services.create_facility(services.FacilityInput(
            location=Point(*xy, srid=4490) if xy else None, **data), actor=request.user.get_username())
        return _detail(facility.code, request, status=201)


class FacilityDetailView(APIView):
    """单个设施（GeoJSON Feature）：属性、状态历史、安全隐患、扩建项目。"""

    @extend_schema(responses=FacilityDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        return _detail(code, request)


class FacilityStatusView(APIView):
    """状态变更（规划→在建→建成→运营⇄停运），记入状态历史。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=StatusBody, responses=FacilityDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        body = StatusBody(data=request.data)
        body.is_valid(raise_exception=True)
        services.change_status(_facility_or_404(code), body.validated_data["status"], on=body.validated_data["on"],
                               note=body.validated_data["note"], actor=request.user.get_username())
        return _detail(code, request)


class FacilityRetireView(APIView):
    """撤销设施（保留记录与历史，可指定接替设施）。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=RetireBody, responses=FacilityDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        body = RetireBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        successor = None
        if data.get("successor"):
            successor = selectors.get_facility(data["successor"])
            if successor is None:
                raise DomainRuleError(f"没有编码为 {data['successor']} 的设施", "successor")
        services.retire_facility(_facility_or_404(code), on=data["on"], reason=data["reason"], successor=successor,
                                 actor=request.user.get_username())
        return _detail(code, request)


class HazardListView(APIView):
    """殡葬设施的安全隐患：登记（仅限辖区内的编辑员）。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=HazardBody, responses={201: HazardSerializer})
    def post(self, request: Request, code: str) -> Response:
        body = HazardBody(data=request.data)
        body.is_valid(raise_exception=True)
        hazard = services.report_hazard(_facility_or_404(code), actor=request.user.get_username(),
                                        **body.validated_data)
        return Response(HazardSerializer(hazard).data, status=201)


class HazardUpdateView(APIView):
    """安全隐患整改进度：待整改 → 整改中 → 已整改（须给出完成日期）。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=HazardUpdateBody, responses=HazardSerializer, operation_id="v1_facilities_hazard_update")
    def post(self, request: Request, code: str, hazard_id: int) -> Response:
        hazard = SafetyHazard.objects.filter(pk=hazard_id, facility__code=code).first()
        if hazard is None:
            raise Http404("没有该隐患记录")
        body = HazardUpdateBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.update_hazard(hazard, data["status"], on=data.get("on"), measures=data["measures"],
                               actor=request.user.get_username())
        return Response(HazardSerializer(hazard).data)


class KindListView(generics.ListAPIView):
    """设施类型（数据表，可增补）。"""

    serializer_class = KindSerializer
    pagination_class = None
    queryset = FacilityKind.objects.order_by("family", "code")


ROLLOUT_COLUMNS = {"code": "乡镇代码", "name": "乡镇（街道）", "tasks": "任务数", "planned": "规划", "building": "在建",
                   "built": "建成数", "operating": "运营数", "operating_rate": "运营率", "completion_rate": "建成率",
                   "meals_served_last_month": "上月供餐人次"}


def rollout_params(request: Request) -> tuple[Division, str, int | None]:
    reject_unknown_params(request.query_params.keys(), {"county", "family", "year", "format"})
    code = request.query_params.get("county", settings.GEO_MZ_HOME_COUNTY)
    county = Division.objects.filter(code=code, level="county", valid_to__isnull=True).first()
    if county is None:
        raise exceptions.ValidationError({"county": [f"没有代码为 {code} 的现行县级区划"]})
    family = request.query_params.get("family", Family.MEALS)
    if family not in Family.values:
        raise exceptions.ValidationError({"family": [f"应为 {', '.join(Family.values)} 之一"]})
    year = request.query_params.get("year")
    if year is not None and not (year.isdigit() and 2000 <= int(year) <= 2100):
        raise exceptions.ValidationError({"year": ["应为 2000–2100 的年份"]})
    return county, family, int(year) if year else None


class RolloutView(APIView):
    """建设运营统计：每个乡镇（街道）的任务数、建成数、运营数、运营率、建成率、上月供餐人次，及城乡分列；format=csv 导出。"""

    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[OpenApiParameter("county", str), OpenApiParameter("family", str, enum=Family.values),
                               OpenApiParameter("year", int), OpenApiParameter("format", str, enum=["json", "csv"])],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response | HttpResponse:
        county, family, year = rollout_params(request)
        fmt = request.query_params.get("format", "json")
        if fmt not in ("json", "csv"):
            raise exceptions.ValidationError({"format": ["应为 json 或 csv"]})
        rows, total = selectors.rollout(county, family, year)
        if fmt == "json":
            return Response({"county": county.code, "family": family, "rows": [r.as_dict() for r in rows],
                             "total": total.as_dict()})
        table = [{label: r.as_dict()[key] for key, label in ROLLOUT_COLUMNS.items()} for r in [*rows, total]]
        response = HttpResponse(to_csv(table, [None] * len(table)), content_type=FORMATS["csv"][0])
        response["Content-Disposition"] = f'attachment; filename="rollout_{county.code}_{family}.csv"'
        return response
