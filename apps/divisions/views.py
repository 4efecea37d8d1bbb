"""HTTP endpoints of the division register: parse and validate, call selectors, serialize.
No ORM calls here."""
from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from apps.common.filters import parse_date_param
from apps.common.params import reject_unknown_params

from . import selectors
from .filters import DivisionFilter
from .serializers import DivisionDetailSerializer, DivisionFeatureSerializer, DivisionOutputParams

OUTPUT_PARAMS = {"simplify", "geometry"}


class DivisionListView(generics.ListAPIView):
    """行政区划列表（GeoJSON FeatureCollection，EPSG:4326 坐标）。默认返回今天有效的区划，本辖区优先。"""

    serializer_class = DivisionFeatureSerializer
    filterset_class = DivisionFilter

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reject_unknown_params(request.query_params.keys(), set(DivisionFilter.base_filters) | OUTPUT_PARAMS)
        params = DivisionOutputParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        self.output = params.validated_data
        return super().list(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        output = getattr(self, "output", {})
        return selectors.for_api(selectors.list_divisions(), simplify_m=output.get("simplify"),
                                 with_geometry=output.get("geometry", True))

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["with_geometry"] = getattr(self, "output", {}).get("geometry", True)
        return context

    @extend_schema(parameters=[DivisionOutputParams])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DivisionDetailView(generics.GenericAPIView):
    """单个行政区划（GeoJSON Feature），含上级链、下级数量、前身与承继区划。"""

    serializer_class = DivisionDetailSerializer

    @extend_schema(parameters=[
        DivisionOutputParams,
        OpenApiParameter("as_of", str, description="YYYY-MM-DD：该日有效的版本（默认现行版本）"),
    ])
    def get(self, request: Request, code: str) -> Response:
        reject_unknown_params(request.query_params.keys(), OUTPUT_PARAMS | {"as_of"})
        params = DivisionOutputParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        day = parse_date_param(request.query_params.get("as_of"))
        detail = selectors.division_detail(code, day)
        if detail is None:
            raise Http404(f"没有代码为 {code} 的行政区划" + (f"（{day} 有效）" if day else ""))
        division = detail.division
        if params.validated_data.get("simplify"):
            division = selectors.for_api(type(division).objects.filter(pk=division.pk),
                                         simplify_m=params.validated_data["simplify"]).get()
        context = {**self.get_serializer_context(), "detail": detail,
                   "with_geometry": params.validated_data.get("geometry", True)}
        return Response(DivisionDetailSerializer(division, context=context).data)
