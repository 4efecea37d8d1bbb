"""Query parameters of the division list (django-filter, so they document themselves in OpenAPI).

`as_of` (default: today) always applies: the list shows divisions as they were on that date.
`contains` and `bbox` are read in the CRS named by `crs` (default EPSG:4490)."""
from __future__ import annotations


import django_filters
from rest_framework import exceptions
from django.db.models import Q, QuerySet

from apps.common.crs import CoordinateRangeError, UnknownCRSError
from apps.common.filters import (bbox_param, check_code_prefix, BBoxFilter, CRSFilter, DateParamFilter, LonLatFilter, StrictBooleanFilter,
                                 point_in_storage, today)

from . import selectors
from .models import Level, Scope



class DivisionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices, help_text="层级")
    parent = django_filters.CharFilter(method="filter_parent", help_text="上级区划代码（或历史区划的 uid）")
    division = django_filters.CharFilter(method="filter_division", help_text="区划代码前缀，如 330521 得到德清县及其下辖乡镇、村社区")
    name = django_filters.CharFilter(method="filter_name", help_text="名称或简称（含曾用名：返回现行的承继区划）")
    q = django_filters.CharFilter(method="filter_q", help_text="名称模糊查询")
    scope = django_filters.ChoiceFilter(choices=Scope.choices, help_text="收录范围")
    has_geometry = StrictBooleanFilter(field_name="geometry", lookup_expr="isnull", exclude=True,
                                                help_text="只要有（true）或没有（false）边界的区划")
    bbox = BBoxFilter(method="filter_bbox",
                                 help_text="minLon,minLat,maxLon,maxLat（坐标系见 crs）")
    contains = LonLatFilter(method="filter_contains",
                                     help_text="lon,lat：包含该点的区划（坐标系见 crs）")
    crs = CRSFilter(method="filter_noop",
                                help_text="所传坐标的坐标系：EPSG:4490（默认）、EPSG:4326、GCJ-02、BD-09、EPSG:4513–4554")
    as_of = DateParamFilter(method="filter_noop",
                                  help_text="YYYY-MM-DD：该日有效的区划（默认今天）")

    class Meta:
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        as_of = self.form.cleaned_data.get("as_of") or today()
        return super().filter_queryset(selectors.valid_on(queryset, as_of))

    # The methods below receive validated values.
    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset

    def filter_parent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        parent = selectors.find_by_public_id(value, self.form.cleaned_data.get("as_of") or today())
        if parent is None:
            return queryset.none()
        return queryset.filter(parent=parent)

    def filter_division(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(code__startswith=check_code_prefix(value))

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.filter_by_name(queryset, value, self.form.cleaned_data.get("as_of") or today())

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))

    def filter_bbox(self, queryset: QuerySet, name: str, value: tuple[float, float, float, float]) -> QuerySet:
        box = bbox_param(value, self.form.cleaned_data.get("crs"))
        return queryset.filter(geometry__bboverlaps=box, geometry__intersects=box)

    def filter_contains(self, queryset: QuerySet, name: str, value: tuple[float, float]) -> QuerySet:
        try:
            point = point_in_storage(value, self.form.cleaned_data.get("crs") or "EPSG:4490")
        except (CoordinateRangeError, UnknownCRSError) as exc:
            raise exceptions.ValidationError({"contains": str(exc)})
        return queryset.filter(geometry__intersects=point)
