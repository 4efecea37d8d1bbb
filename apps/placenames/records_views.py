"""Endpoints for the records around the names: announcements (地名公告, list/create/export),
the heritage list (保护名录, list/add/export) and the data-quality audit (staff)."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.context import current_principal
from apps.accounts.permissions import StaffOnly, StaffOrKeyRead
from apps.accounts.reads import overlaps
from apps.common.errors import DomainRuleError
from apps.common.exports import FORMATS, export, to_csv
from apps.common.params import FileDownloadNegotiation, reject_unknown_params
from apps.common.shapes import to_shapely
from apps.divisions.models import Division

from . import selectors, services
from .audit import audit_report
from .serializers import AnnounceBody, AnnouncementSerializer, HeritageBody, HeritageSerializer
from .views import _actor

ANNOUNCEMENT_COLUMNS = {"number": "公告文号", "announced_on": "公告日期", "issued_by": "发布机关", "act": "事项",
                        "standard_name": "标准名称", "romanization": "罗马字母拼写", "division_name": "所属政区",
                        "location_description": "位置描述", "approving_authority": "批准机关",
                        "approved_on": "批准时间", "former_name": "原名称"}
_NOTICE_FIELDS = ("number", "announced_on", "issued_by")
HERITAGE_FIELDS = ["place", "place_name", "pinyin", "level", "heritage_type", "listed_on", "listing_document",
                   "reasons", "protection_measures"]


def _format(request: Request, allowed: tuple[str, ...]) -> str:
    fmt = request.query_params.get("format", "json")
    if fmt not in allowed:
        raise exceptions.ValidationError({"format": [f"应为 {', '.join(allowed)} 之一"]})
    return fmt


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class AnnouncementListView(APIView):
    """地名公告列表（每条含六项：标准名称、罗马字母拼写、所属政区、位置描述、批准机关、批准时间）；
    format=csv 导出；POST 发布公告（仅限工作人员，地名须为已批准）。"""

    permission_classes = [StaffOrKeyRead]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
                   responses=AnnouncementSerializer(many=True))
    def get(self, request: Request) -> Response | HttpResponse:
        reject_unknown_params(request.query_params.keys(), {"format"})
        fmt = _format(request, ("json", "csv"))
        notices = selectors.announcements()
        if fmt == "json":
            return Response({"count": notices.count(), "results": AnnouncementSerializer(notices, many=True).data})
        rows = [{label: getattr(n if key in _NOTICE_FIELDS else item, key) for key, label in ANNOUNCEMENT_COLUMNS.items()}
                for n in notices for item in n.items.all()]
        return _download(to_csv(rows, [None] * len(rows)), FORMATS["csv"][0], "placename_announcements.csv")

    @extend_schema(request=AnnounceBody, responses={201: AnnouncementSerializer})
    def post(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        body = AnnounceBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        places = []
        for code in dict.fromkeys(data["places"]):
            place = selectors.get_place_name(code)
            if place is None:
                raise DomainRuleError(f"没有代码为 {code} 的地名", "places")
            places.append(place)
        notice = services.announce(places, number=data["number"], title=data["title"], issued_by=data["issued_by"],
                                   on=data["on"], actor=_actor(request))
        return Response(AnnouncementSerializer(selectors.announcements().get(pk=notice.pk)).data, status=201)


class AnnouncementDetailView(APIView):
    """单个地名公告。"""

    @extend_schema(responses=AnnouncementSerializer)
    def get(self, request: Request, pk: int) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        notice = selectors.announcements().filter(pk=pk).first()
        if notice is None:
            raise Http404("没有该公告")
        return Response(AnnouncementSerializer(notice).data)


class HeritageListView(APIView):
    """地名文化遗产保护名录；format=geojson/csv/gpkg 导出；POST 列入（仅限工作人员）。"""

    permission_classes = [StaffOrKeyRead]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=["json", *FORMATS])],
                   responses=HeritageSerializer(many=True))
    def get(self, request: Request) -> Response | HttpResponse:
        reject_unknown_params(request.query_params.keys(), {"format"})
        fmt = _format(request, ("json", *FORMATS))
        entries = list(selectors.heritage_list())
        if fmt == "json":
            return Response({"count": len(entries), "results": HeritageSerializer(entries, many=True).data})
        rows = [{k: v for k, v in HeritageSerializer(e).data.items() if k in HERITAGE_FIELDS} for e in entries]
        geometries = [to_shapely(e.place.geometry) if e.place.geometry is not None else None for e in entries]
        data, content_type, name = export(rows, geometries, fmt, layer="placename_heritage", id_field="place")
        return _download(data, content_type, name)

    @extend_schema(request=HeritageBody, responses={201: HeritageSerializer})
    def post(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        body = HeritageBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        place = selectors.get_place_name(data.pop("place"))
        if place is None:
            raise DomainRuleError("没有该地名", "place")
        entry = services.list_heritage(place, actor=_actor(request), **data)
        return Response(HeritageSerializer(entry).data, status=201)


class AuditView(APIView):
    """地名数据质量审查（按类别）：缺拼写、缺空间位置、缺来历、缺批准信息、重名、同音异字、位置不在所属政区。
    仅限工作人员；format=csv 导出问题清单。"""

    permission_classes = [StaffOnly]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[
        OpenApiParameter("county", str, description="县级区划代码，默认本辖区"),
        OpenApiParameter("audit_class", str, description="只看一个审查类别，如 交通运输设施"),
        OpenApiParameter("format", str, enum=["json", "csv"])], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response | HttpResponse:
        reject_unknown_params(request.query_params.keys(), {"county", "audit_class", "format"})
        fmt = _format(request, ("json", "csv"))
        code = request.query_params.get("county", settings.GEO_MZ_HOME_COUNTY)
        county = Division.objects.filter(code=code, level="county", valid_to__isnull=True).first()
        if county is None:
            raise exceptions.ValidationError({"county": [f"没有代码为 {code} 的现行县级区划"]})
        if not overlaps(current_principal(), code):
            raise exceptions.PermissionDenied(f"无权审查辖区外的县级区划 {code}")
        report = audit_report(county.pk, code, audit_class=request.query_params.get("audit_class", ""))
        if fmt == "json":
            return Response(report.as_dict())
        rows: list[dict[str, Any]] = [{"问题": f["problem"], "地名代码": f["code"], "名称": f["name"],
                                       "类别": f["category"]} for f in report.findings]
        return _download(to_csv(rows, [None] * len(rows)), FORMATS["csv"][0], f"placename_audit_{code}.csv")

