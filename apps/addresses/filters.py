"""Query parameters of the address list: `division` (code prefix), `road` (road code), `status`,
`stage`, `level`, `q` (text), `bbox` (+ `crs`) and `as_of` (default: today)."""
from __future__ import annotations

import re

import django_filters
from django.db.models import QuerySet
from rest_framework import exceptions

from apps.common.filters import bbox_param, check_code_prefix, BBoxFilter, CRSFilter, DateParamFilter, today

from . import selectors
from .models import AddressLevel, AddressStatus, Stage

_ROAD_CODE = re.compile(r"^R[0-9]{4}$")


class AddressFilter(django_filters.FilterSet):
    division = django_filters.CharFilter(method="filter_division", help_text="区划代码前缀，如 330521001")
    road = django_filters.CharFilter(method="filter_road", help_text="街路巷编码，如 R0012")
    status = django_filters.ChoiceFilter(choices=AddressStatus.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    level = django_filters.ChoiceFilter(choices=AddressLevel.choices)
    q = django_filters.CharFilter(field_name="full_text", lookup_expr="contains", help_text="标准地址文本包含")
    bbox = BBoxFilter(method="filter_bbox", help_text="minLon,minLat,maxLon,maxLat（坐标系见 crs）")
    crs = CRSFilter(method="filter_noop", help_text="bbox 的坐标系（默认 EPSG:4490）")
    as_of = DateParamFilter(method="filter_noop", help_text="YYYY-MM-DD：该日有效的地址版本（默认今天）")

    class Meta:
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(selectors.valid_on(queryset, self.form.cleaned_data.get("as_of") or today()))

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset

    def filter_division(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(division_code__startswith=check_code_prefix(value))

    def filter_road(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not _ROAD_CODE.match(value):
            raise exceptions.ValidationError({"road": "街路巷编码应为 R + 4 位数字"})
        return queryset.filter(road__code=value)

    def filter_bbox(self, queryset: QuerySet, name: str, value: tuple[float, float, float, float]) -> QuerySet:
        box = bbox_param(value, self.form.cleaned_data.get("crs"))
        return queryset.filter(location__within=box)
