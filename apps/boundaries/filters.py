"""Query parameters of the line, marker and campaign lists (django-filter, documented in OpenAPI).
`bbox` is read in the CRS named by `crs` (default EPSG:4490); `division` is a code prefix."""
from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from rest_framework import exceptions

from apps.common.crs import CoordinateRangeError, UnknownCRSError
from apps.common.filters import (BBoxFilter, CRSFilter, DateParamFilter, StrictBooleanFilter, bbox_in_storage,
                                 check_code_prefix)
from apps.common.validity import valid_on

from .models import CampaignStatus, LineStatus, MarkerKind, MarkerState


class _SpatialFilter(django_filters.FilterSet):
    bbox = BBoxFilter(method="filter_bbox", help_text="minLon,minLat,maxLon,maxLat（坐标系见 crs）")
    crs = CRSFilter(method="filter_noop", help_text="所传坐标的坐标系：EPSG:4490（默认）、EPSG:4326、GCJ-02、BD-09")
    geo_field = "geometry"

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset

    def filter_bbox(self, queryset: QuerySet, name: str, value: tuple[float, float, float, float]) -> QuerySet:
        try:
            box = bbox_in_storage(value, self.form.cleaned_data.get("crs") or "EPSG:4490")
        except (CoordinateRangeError, UnknownCRSError) as exc:
            raise exceptions.ValidationError({"bbox": str(exc)})
        return queryset.filter(**{f"{self.geo_field}__intersects": box})


class LineFilter(_SpatialFilter):
    division = django_filters.CharFilter(method="filter_division", help_text="区划代码前缀：与该区划相邻的界线")
    status = django_filters.ChoiceFilter(choices=LineStatus.choices, help_text="状态")
    q = django_filters.CharFilter(method="filter_q", help_text="界线名称或代码模糊查询")
    as_of = DateParamFilter(method="filter_as_of", help_text="YYYY-MM-DD：该日有效的界线")

    class Meta:
        fields: list[str] = []

    def filter_division(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(divisions__code__startswith=check_code_prefix(value)).distinct()

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def filter_as_of(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return valid_on(queryset, value)


class MarkerFilter(_SpatialFilter):
    line = django_filters.CharFilter(field_name="line__code", help_text="界线代码")
    state = django_filters.ChoiceFilter(choices=MarkerState.choices, help_text="状态")
    kind = django_filters.ChoiceFilter(choices=MarkerKind.choices, help_text="类型")
    division = django_filters.CharFilter(method="filter_division", help_text="区划代码前缀：该区划的界线上的界桩")
    demo = StrictBooleanFilter(field_name="is_demo", help_text="只要演示（true）或实测（false）界桩")
    geo_field = "position"

    class Meta:
        fields: list[str] = []

    def filter_division(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(line__divisions__code__startswith=check_code_prefix(value)).distinct()


class CampaignFilter(django_filters.FilterSet):
    line = django_filters.CharFilter(field_name="line__code", help_text="界线代码")
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, help_text="状态")
    ad_hoc = StrictBooleanFilter(field_name="ad_hoc", help_text="只要临时联检（true）或周期联检（false）")

    class Meta:
        fields: list[str] = []
