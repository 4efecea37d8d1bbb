"""HTTP endpoints of the place-name gazetteer: parse and validate, call services (writes) or
selectors (reads), serialize. Reads are public (place names are public information by law);
writes are for editors inside their jurisdiction (checked by the services); the naming check,
history and audit are for staff, never for API keys."""
from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.jurisdiction import division_codes
from apps.accounts.permissions import EditorsOnly, StaffOnly, StaffOrKeyRead
from apps.accounts.reads import require_read
from apps.common.errors import DomainRuleError
from apps.common.params import reject_unknown_params

from . import selectors, services
from .filters import PlaceNameFilter
from .models import PlaceName, PlaceNameCategory
from .naming import romanise
from .serializers import (AliasBody, AliasSerializer, ApproveBody, CancelBody, CategorySerializer, CheckQuery,
                          DateBody, PlaceNameDetailSerializer, PlaceNameFeatureSerializer, ProposeBody, RenameBody,
                          UpdateBody)


def _place_or_404(code: str) -> PlaceName:
    place = selectors.get_place_name(code)
    if place is None:
        raise Http404(f"没有代码为 {code} 的地名")
    return place


def _actor(request: Request) -> str:
    return request.user.get_username()


def detail_response(code: str, request: Request, status: int = 200) -> Response:
    place = _place_or_404(code)
    return Response(PlaceNameDetailSerializer(place, context={"request": request}).data, status=status)


class PlaceNameListView(generics.ListCreateAPIView):
    """地名查询（GeoJSON FeatureCollection，按汉语拼音排序）；POST 拟定新地名（仅限工作人员），
    返回命名审查提示（重名、同音、禁用模式、生僻字、位置不在所属政区）。"""

    serializer_class = PlaceNameFeatureSerializer
    filterset_class = PlaceNameFilter
    permission_classes = [StaffOrKeyRead]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_unknown_params(request.query_params.keys(), set(PlaceNameFilter.base_filters) | {"limit", "offset"})
        return super().list(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.place_names()

    @extend_schema(request=ProposeBody, responses={201: PlaceNameDetailSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        body = ProposeBody(data=request.data)
        body.is_valid(raise_exception=True)
        place, _ = services.propose(actor=_actor(request), **body.validated_data)
        return detail_response(place.code, request, status=201)


class NamingCheckView(APIView):
    """命名审查预检（不写入）：同类重名、同音、禁用模式、非通用规范汉字，以及标准拼写。"""

    permission_classes = [StaffOnly]

    @extend_schema(parameters=[CheckQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        reject_unknown_params(request.query_params.keys(), {"name", "category", "division"})
        query = CheckQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        parts = services.name_parts(data["name"], data["category"])
        warnings = services.naming_warnings(parts, data["category"], services.county_of(data["division"]))
        roman = romanise(parts.name, kind=data["category"].pinyin_kind, specific=parts.specific,
                                  generic=parts.generic)
        return Response({"name": parts.name, "specific": parts.specific, "generic": parts.generic,
                         "pinyin": roman.pinyin, "pinyin_tones": roman.pinyin_tones,
                         "warnings": [w.as_dict() for w in warnings]})


class PlaceNameDetailView(APIView):
    """单个地名（GeoJSON Feature）：专名、通名、拼写、别称（含起止日期）、来历含义、审批与公告、保护名录。
    PATCH 修改描述性字段（仅限工作人员；更名请用 /rename）。"""

    permission_classes = [StaffOrKeyRead]

    @extend_schema(responses=PlaceNameDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        return detail_response(code, request)

    @extend_schema(request=UpdateBody, responses=PlaceNameDetailSerializer)
    def patch(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        place = _place_or_404(code)
        body = UpdateBody(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.update_details(place, actor=_actor(request), **body.validated_data)
        return detail_response(code, request)


class PlaceNameHistoryView(APIView):
    """地名的变更记录（谁、何时、改前、改后），含别称与保护名录条目。仅限辖区内的工作人员。"""

    permission_classes = [StaffOnly]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        place = _place_or_404(code)
        require_read(division_codes(place), f"地名 {place.code} 的变更记录")
        changes = [{"at": r.at, "actor": r.actor, "table": r.table_name, "action": r.get_action_display(),
                    "before": r.before, "after": r.after} for r in selectors.change_records(place)]
        return Response({"code": place.code, "name": place.name,
                         "aliases": AliasSerializer(place.aliases.all(), many=True).data, "changes": changes})


class _ActView(APIView):
    """One lifecycle act on one name: validate the body, call the service, return the name."""

    permission_classes = [EditorsOnly]
    body_class: type = DateBody

    def act(self, place: PlaceName, data: dict[str, Any], actor: str) -> None:
        raise NotImplementedError

    def post(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        place = _place_or_404(code)
        body = self.body_class(data=request.data)
        body.is_valid(raise_exception=True)
        self.act(place, body.validated_data, _actor(request))
        return detail_response(code, request)


class SubmitView(_ActView):
    """报批：拟定 → 审批中。"""

    @extend_schema(request=DateBody, responses=PlaceNameDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)

    def act(self, place: PlaceName, data: dict[str, Any], actor: str) -> None:
        services.submit(place, on=data["on"], actor=actor)


class ApproveView(_ActView):
    """批准：记录批准机关、批准文号、批准时间。"""

    body_class = ApproveBody

    @extend_schema(request=ApproveBody, responses=PlaceNameDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)

    def act(self, place: PlaceName, data: dict[str, Any], actor: str) -> None:
        services.approve(place, authority=data["authority"], document=data["document"], on=data["on"], actor=actor)


class RenameView(_ActView):
    """更名：原名称转为曾用名（记停用日期），新名称重新生成拼写，待公告。街路巷同时生成新版本（编码不变）。"""

    body_class = RenameBody

    @extend_schema(request=RenameBody, responses=PlaceNameDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)

    def act(self, place: PlaceName, data: dict[str, Any], actor: str) -> None:
        services.rename(place, data["name"], on=data["on"], authority=data["authority"], document=data["document"],
                        specific=data.get("specific"), generic=data.get("generic"), actor=actor)


class CancelView(_ActView):
    """注销：保留记录与历史，默认查询不再返回。"""

    body_class = CancelBody

    @extend_schema(request=CancelBody, responses=PlaceNameDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)

    def act(self, place: PlaceName, data: dict[str, Any], actor: str) -> None:
        successor = None
        if data.get("successor"):
            successor = selectors.get_place_name(data["successor"])
            if successor is None:
                raise DomainRuleError(f"没有代码为 {data['successor']} 的地名", "successor")
        services.cancel(place, on=data["on"], reason=data["reason"], successor=successor, actor=actor)


class AliasView(_ActView):
    """添加别称（曾用名、简称、俗称、别名），可带起止日期。"""

    body_class = AliasBody

    @extend_schema(request=AliasBody, responses=PlaceNameDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        response = super().post(request, code)
        response.status_code = 201
        return response

    def act(self, place: PlaceName, data: dict[str, Any], actor: str) -> None:
        services.add_alias(place, data["name"], data["kind"], valid_from=data.get("valid_from"),
                           valid_to=data.get("valid_to"), note=data.get("note", ""), actor=actor)


class CategoryListView(generics.ListAPIView):
    """地名类别（数据表：条例第三条各类与五类审查类别，可补充 GB/T 18521 代码）。"""

    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return PlaceNameCategory.objects.select_related("parent").order_by("code")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_unknown_params(request.query_params.keys(), set())
        return super().list(request, *args, **kwargs)

