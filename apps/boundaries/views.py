"""HTTP endpoints of boundary lines, markers and joint inspections: parse and validate (unknown
parameters and fields are 400s), call selectors/services, serialize. Reads are open like the
other registers (staff and API keys); writes are for editors whose jurisdiction covers the record
(checked by the services), one transaction each. Joint inspections and change histories are not
public: staff only, and only inside the jurisdiction."""
from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Point
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.context import current_principal
from apps.accounts.jurisdiction import scope_q
from apps.accounts.permissions import EditorsOnly, StaffOnly, StaffOrKeyRead, StaffReadEditorsWrite
from apps.common.params import FileDownloadNegotiation, reject_unknown_params

from . import access, documents, photos, report_data, selectors, services
from .filters import CampaignFilter, LineFilter, MarkerFilter
from .serializers import (AdHocBody, CampaignBody, CampaignDetailSerializer, CampaignSerializer, CloseBody, CompleteBody,
                          DeriveBody, FindingBody, FollowUpBody, LineFeatureSerializer, MarkerBody,
                          MarkerFeatureSerializer, RecordBody)


def _staff(request: Request) -> str:
    return request.user.get_username()


class StrictListMixin:
    """Lists answer 400 to any parameter their filter set does not define (api.md)."""

    filterset_class: Any

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_unknown_params(request.query_params.keys(), self.filterset_class.base_filters)
        return super().list(request, *args, **kwargs)  # type: ignore[misc]


def _line(code: str):  # type: ignore[no-untyped-def]
    line = selectors.line_by_code(code)
    if line is None:
        raise Http404(f"没有代码为 {code} 的界线")
    return line


def _marker(number: str):  # type: ignore[no-untyped-def]
    marker = selectors.marker_by_number(number)
    if marker is None:
        raise Http404(f"没有编号为 {number} 的界桩")
    return marker


def _optional_marker(data: dict[str, Any], key: str):  # type: ignore[no-untyped-def]
    return _marker(data[key]) if key in data else None


def _campaign(pk: int):  # type: ignore[no-untyped-def]
    campaign = selectors.campaign_detail(pk)
    if campaign is None:
        raise Http404(f"没有编号为 {pk} 的联检")
    access.require_view(campaign)
    return campaign


def _validated(serializer_class: type, request: Request) -> dict[str, Any]:
    reject_unknown_params(request.query_params.keys(), set())
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _campaign_response(pk: int, status: int = 200) -> Response:
    return Response(CampaignDetailSerializer(_campaign(pk)).data, status=status)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


class LineListView(StrictListMixin, generics.ListAPIView):
    """界线列表（GeoJSON FeatureCollection）：长度（米，测地线）、相邻区划、界桩数、最近完成的联检日期。"""

    serializer_class = LineFeatureSerializer
    filterset_class = LineFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.lines().order_by("code")


class LineDetailView(APIView):
    """单条界线（GeoJSON Feature），含推导报告（容差、吸附、舍弃的碎片、缺口）。"""

    @extend_schema(responses=LineFeatureSerializer)
    def get(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        return Response(LineFeatureSerializer(_line(code)).data)


class DueLinesView(APIView):
    """应联检的界线：最近一次完成的联检早于周期（默认 5 年），或从未联检。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        today = timezone.localdate()
        features = []
        for due in selectors.due_lines(today):
            feature = LineFeatureSerializer(due.line).data
            feature["properties"].update(
                due_since=due.due_since.isoformat() if due.due_since else None, never_inspected=due.last_inspected is None,
                open_campaign=due.open_campaign.pk if due.open_campaign else None)
            features.append(feature)
        return Response({"type": "FeatureCollection", "count": len(features), "as_of": today.isoformat(),
                         "features": features})


class DeriveLineView(APIView):
    """由两个区划边界的公共部分推导（或重新推导）界线。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=DeriveBody, responses=LineFeatureSerializer)
    def post(self, request: Request) -> Response:
        data = _validated(DeriveBody, request)
        line, changed = services.derive_line(data["name"], *data["divisions"], code=data.get("code"),
                                             tolerance_m=data["tolerance_m"], min_fragment_m=data["min_fragment_m"],
                                             actor=_staff(request))
        return Response(LineFeatureSerializer(selectors.line_by_code(line.code)).data, status=201 if changed else 200)


class AdHocInspectionView(APIView):
    """发起临时联检（洪水、河道变迁、道路施工等之后）。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=AdHocBody, responses=CampaignDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        data = _validated(AdHocBody, request)
        campaign = services.trigger_ad_hoc(_line(code), data["reason"], actor=_staff(request),
                                           on=data.get("on") or timezone.localdate())
        return _campaign_response(campaign.pk, 201)


class MarkerListView(StrictListMixin, generics.ListCreateAPIView):
    """界桩列表（GeoJSON FeatureCollection）；POST 登记新界桩（仅限辖区内的编辑员）。"""

    serializer_class = MarkerFeatureSerializer
    filterset_class = MarkerFilter
    permission_classes = [StaffOrKeyRead]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.markers().order_by("line__code", "sequence", "type_code")

    @extend_schema(request=MarkerBody, responses=MarkerFeatureSerializer)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _validated(MarkerBody, request)
        line = _line(data["line"])
        marker = services.create_marker(line, services.MarkerInput(
            number=data["number"], kind=data["kind"], position=Point(data["x"], data["y"], srid=4490),
            reference_objects=[dict(r) for r in data["reference_objects"]], side_division=data.get("side_division"),
            junction_codes=data.get("junction_codes", []), elevation_m=data.get("elevation_m"),
            material=data["material"], buried_on=data.get("buried_on"), photos=data.get("photos", []),
            remarks=data["remarks"], surveyed_on=timezone.localdate()), actor=_staff(request))
        return Response(MarkerFeatureSerializer(_marker(marker.number)).data, status=201)


class MarkerDetailView(APIView):
    """单个界桩（GeoJSON Feature），含历次检查与登记记录的变更历史（仅对辖区覆盖该界桩的工作人员给出，否则为 null）。"""

    @extend_schema(responses=MarkerFeatureSerializer)
    def get(self, request: Request, number: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        marker = _marker(number)
        feature = MarkerFeatureSerializer(marker).data
        principal = current_principal()
        if not (principal.is_staff and principal.covers(access.codes_of(marker))):
            # Inspections and the change history are not public (null for keys and other jurisdictions).
            feature["properties"]["inspections"] = feature["properties"]["history"] = None
            return Response(feature)
        feature["properties"]["inspections"] = [
            {"campaign": r.campaign_id, "inspected_on": r.inspected_on, "condition": r.condition,
             "displacement_m": r.displacement_m, "action": r.action}
            for r in marker.inspections.order_by("inspected_on")]
        feature["properties"]["history"] = [
            {"at": c.at, "actor": c.actor, "action": c.get_action_display(), "before": c.before, "after": c.after}
            for c in selectors.marker_history(marker)]
        return Response(feature)


class MarkerPhotoView(APIView):
    """上传界桩照片（multipart，字段 photo：JPEG/PNG，≤ 10 MB），加入登记记录。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "photo": {"type": "string", "format": "binary"}}}}, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, number: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        marker = _marker(number)
        upload = request.FILES.get("photo")
        if upload is None or set(request.data.keys()) - {"photo"}:
            raise exceptions.ValidationError({"photo": ["需要且只需要一个文件字段 photo"]})
        access.require_change(marker)  # before the file is stored: a refusal leaves nothing behind
        path = photos.store_photo(upload, marker.number)
        marker = services.add_marker_photo(marker, path, actor=_staff(request))
        return Response({"path": path, "url": default_storage.url(path), "photos": marker.photos}, status=201)


class MarkerRegisterPdfView(APIView):
    """界桩登记表（PDF，A4）：编号、类型、坐标、方位物、位置略图、历次检查、双方签字栏。含检查记录，
    仅限辖区覆盖该界桩的工作人员。"""

    permission_classes = [StaffOnly]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, number: str) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), set())
        marker = _marker(number)
        access.require_view(marker)  # the sheet lists the inspections, which are not public
        return _pdf(documents.marker_register_pdf(report_data.marker_sheet(marker)), f"{number}.pdf")


class CampaignListView(StrictListMixin, generics.ListCreateAPIView):
    """联检列表；POST 新建联检计划（仅限辖区内的编辑员）。"""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    permission_classes = [StaffReadEditorsWrite]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.campaigns().filter(scope_q(current_principal(), "party_a", "party_b"))

    @extend_schema(request=CampaignBody, responses=CampaignDetailSerializer)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _validated(CampaignBody, request)
        campaign = services.start_campaign(
            _line(data["line"]), title=data["title"], period_start=data["period_start"],
            period_end=data.get("period_end"), participants=[dict(p) for p in data.get("participants", [])],
            plan=data["plan"], basis=data["basis"], ad_hoc=data["ad_hoc"], ad_hoc_reason=data["ad_hoc_reason"],
            actor=_staff(request))
        return _campaign_response(campaign.pk, 201)


class CampaignDetailView(APIView):
    """一次联检：各界桩检查记录、界线段发现、整改事项。仅限辖区覆盖任一方的工作人员。"""

    permission_classes = [StaffReadEditorsWrite]

    @extend_schema(responses=CampaignDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        return _campaign_response(pk)


class RecordView(APIView):
    """记录一个界桩的检查结果（状况、实测位置 → 位移、处理）。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=RecordBody, responses=CampaignDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = _validated(RecordBody, request)
        campaign = _campaign(pk)
        measured = (data["lon"], data["lat"], data["crs"]) if "lon" in data else None
        services.record_marker_inspection(campaign, services.InspectionInput(
            marker=_marker(data["marker"]), condition=data["condition"], inspected_on=data["inspected_on"],
            measured=measured, action=data["action"], reference_objects_ok=data["reference_objects_ok"],
            photos=data.get("photos", []), remarks=data["remarks"]), actor=_staff(request))
        return _campaign_response(pk, 201)


class FindingView(APIView):
    """记录界线段检查发现（地形地物变化、跨界建设、争议）。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=FindingBody, responses=CampaignDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = _validated(FindingBody, request)
        campaign = _campaign(pk)
        services.add_finding(campaign, kind=data["kind"], description=data["description"], action=data["action"],
                             from_marker=_optional_marker(data, "from_marker"),
                             to_marker=_optional_marker(data, "to_marker"),
                             geometry=data.get("geometry"), actor=_staff(request))
        return _campaign_response(pk, 201)


class FollowUpView(APIView):
    """新增整改事项（责任方、期限）。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=FollowUpBody, responses=CampaignDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = _validated(FollowUpBody, request)
        campaign = _campaign(pk)
        finding = campaign.findings.filter(pk=data["finding"]).first() if "finding" in data else None
        if "finding" in data and finding is None:
            raise Http404(f"本次联检没有编号为 {data['finding']} 的检查发现")
        services.add_follow_up(campaign, description=data["description"], responsible=data["responsible"],
                               deadline=data["deadline"], finding=finding,
                               marker=_optional_marker(data, "marker"), actor=_staff(request))
        return _campaign_response(pk, 201)


class CloseFollowUpView(APIView):
    """整改事项办结（办结日期、办理结果）。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=CloseBody, responses=CampaignDetailSerializer)
    def post(self, request: Request, pk: int, item: int) -> Response:
        data = _validated(CloseBody, request)
        follow_up = selectors.follow_up(_campaign(pk), item)
        if follow_up is None:
            raise Http404(f"本次联检没有编号为 {item} 的整改事项")
        services.close_follow_up(follow_up, closed_on=data["closed_on"], resolution=data["resolution"],
                                 actor=_staff(request))
        return _campaign_response(pk)


class CompleteView(APIView):
    """完成联检（须每个界桩都有检查记录）。仅限辖区内的编辑员。"""

    permission_classes = [EditorsOnly]

    @extend_schema(request=CompleteBody, responses=CampaignDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = _validated(CompleteBody, request)
        services.complete_campaign(_campaign(pk), completed_on=data["completed_on"],
                                   agreed_handling=data["agreed_handling"], actor=_staff(request))
        return _campaign_response(pk)


class CampaignReportPdfView(APIView):
    """联检报告（PDF，A4）：范围、略图、组织与依据、界桩与界线段检查情况、整改事项、议定意见、双方签字栏。"""

    permission_classes = [StaffReadEditorsWrite]

    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), set())
        campaign = _campaign(pk)
        return _pdf(documents.campaign_report_pdf(report_data.campaign_report(campaign)), f"lianjian-{pk}.pdf")
