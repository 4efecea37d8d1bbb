"""HTTP endpoints of the address register (JSON API). Pages (scan, statistics) are in pages.py,
file downloads (exports, plate sheets) in downloads.py. Parse and validate here, then call
selectors/services; no ORM here.

Reads of the register are open to staff and department API keys (the default permission);
writes need an editor, and the services check the jurisdiction of the record and of its target
township. An address's change history is staff-only and limited to the jurisdiction."""
from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Point
from django.http import Http404, HttpRequest, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from django.utils import timezone
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.context import current_principal
from apps.accounts.jurisdiction import JurisdictionDenied, division_codes
from apps.accounts.permissions import EditorsOnly, StaffOnly
from apps.common.filters import parse_date_param
from apps.common.params import reject_unknown_params

from . import selectors, services
from .filters import AddressFilter
from .models import Road
from .plates_print import qr_svg
from .serializers import AddressDetailSerializer, AddressFeatureSerializer, AllocateDoorBody, AddressRetireBody, ReverseQuery


def _address_or_404(code: str, day: Any = None):  # type: ignore[no-untyped-def]
    address = selectors.get_address(code, day)
    if address is None:
        raise Http404(f"没有编码为 {code} 的标准地址" + (f"（{day} 有效）" if day else ""))
    return address


def detail_response(address: Any, request: Request) -> Response:
    context = {"request": request, "chain": selectors.division_chain(address),
               "plates": list(selectors.plates_of(address))}
    return Response(AddressDetailSerializer(address, context=context).data)


class AddressListView(generics.ListAPIView):
    """标准地址列表（GeoJSON FeatureCollection）。"""

    serializer_class = AddressFeatureSerializer
    filterset_class = AddressFilter

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_unknown_params(request.query_params.keys(), AddressFilter.base_filters)
        return super().list(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.addresses().order_by("code", "version")


class AddressDetailView(APIView):
    """单个标准地址（GeoJSON Feature）：组成部分、状态、所在区划链、门牌。`as_of` 取该日有效的版本。"""

    @extend_schema(parameters=[OpenApiParameter("as_of", str, description="YYYY-MM-DD")],
                   responses=AddressDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), {"as_of"})
        return detail_response(_address_or_404(code, parse_date_param(request.query_params.get("as_of"))), request)


class AddressHistoryView(APIView):
    """地址的全部版本与变更记录（谁、何时、改前、改后）。仅限工作人员，且限本辖区的地址。"""

    permission_classes = [StaffOnly]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        address = selectors.latest_version(code)
        if address is None:
            raise Http404(f"没有编码为 {code} 的标准地址")
        principal = current_principal()
        if not principal.covers(division_codes(address)):
            raise JurisdictionDenied(f"无权查看辖区外地址的变更记录（本账号辖区 {principal.jurisdiction}）")
        versions = [{"version": v.version, "full_text": v.full_text, "road": v.road.name if v.road else None,
                     "stage": v.stage, "valid_from": v.valid_from, "valid_to": v.valid_to}
                    for v in selectors.versions_of(address)]
        changes = [{"at": r.at, "actor": r.actor, "table": r.table_name, "action": r.get_action_display(),
                    "before": r.before, "after": r.after} for r in selectors.change_records(address)]
        return Response({"code": address.code, "uid": str(address.identity_id), "versions": versions,
                         "changes": changes})


class ReverseGeocodeView(APIView):
    """逆地理编码：半径内最近的现行标准地址（椭球面距离，米）。`crs` 可为 EPSG:4490/4326、GCJ-02、BD-09。"""

    @extend_schema(parameters=[ReverseQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), set(ReverseQuery().fields))
        query = ReverseQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        found = selectors.reverse(Point(data["x"], data["y"], srid=4490), data["radius"], data["limit"])
        features = []
        for hit in found:
            feature = AddressFeatureSerializer(hit.address).data
            feature["properties"]["distance_m"] = round(hit.distance_m, 2)
            features.append(feature)
        return Response({"type": "FeatureCollection", "count": len(features), "features": features})


class AllocateDoorView(APIView):
    """为街路巷上的新建筑编门牌号（GB/T 35639 附录 B），并新建门牌地址。仅限编辑员，且新地址须在本辖区内。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=AllocateDoorBody, responses=AddressDetailSerializer)
    def post(self, request: Request, road_code: str) -> Response:
        body = AllocateDoorBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        road = Road.objects.filter(code=road_code, valid_to__isnull=True).first()
        if road is None:
            raise Http404(f"没有编码为 {road_code} 的现行街路巷")
        extra = {k: data[k] for k in ("households", "residents", "residents_60plus") if k in data}
        address = services.allocate_door(road, Point(data["x"], data["y"], srid=4490),
                                         actor=request.user.get_username(), **extra)
        response = detail_response(selectors.get_address(address.code), request)
        response.status_code = 201
        return response


class RetireAddressView(APIView):
    """注销标准地址：现行版本于 `effective`（默认今天）失效，阶段改为废弃或拒绝。仅限编辑员，且限本辖区的地址。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=AddressRetireBody, responses=AddressDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        body = AddressRetireBody(data=request.data)
        body.is_valid(raise_exception=True)
        address = _address_or_404(code)
        data = body.validated_data
        retired = services.retire_address(address, data.get("effective") or timezone.localdate(),
                                          actor=request.user.get_username(), stage=data["stage"])
        return detail_response(retired, request)


def plate_qr_svg(request: HttpRequest, plate_no: str) -> HttpResponse:
    """The plate's QR code (SVG) encoding <site>/m/<token>."""
    plate = selectors.plate_by_plate_no(plate_no)
    if plate is None:
        raise Http404("没有该门牌")
    url = request.build_absolute_uri(f"/m/{plate.token}")
    return HttpResponse(qr_svg(url), content_type="image/svg+xml")




class CoverageStatsView(APIView):
    """每个乡镇的地址数、已安装门牌数、数字门牌覆盖率与待制作门牌数。"""

    @extend_schema(parameters=[OpenApiParameter("division", str, description="县或乡镇代码，默认 330521")],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), {"division"})
        division = request.query_params.get("division", "330521")
        if not division.isdigit() or len(division) not in (6, 9):
            raise exceptions.ValidationError({"division": ["应为 6 位县级或 9 位乡镇代码"]})
        rows = selectors.coverage_stats(division)
        return Response({"division": division, "count": len(rows), "results": [vars(r) for r in rows]})
