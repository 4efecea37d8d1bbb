"""Query parameters of the facility list (django-filter, documented in OpenAPI). Retired (撤销)
facilities are left out unless `status=撤销` or `status=all`."""
from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from apps.common.filters import BBoxFilter, CRSFilter, bbox_param, check_code_prefix

from .models import Family, Status, UrbanRural


class FacilityFilter(django_filters.FilterSet):
    kind = django_filters.CharFilter(method="filter_kind", help_text="类型代码，逗号分隔，如 elderly_canteen,meal_point")
    family = django_filters.ChoiceFilter(choices=Family.choices, field_name="kind__family", help_text="类别")
    status = django_filters.ChoiceFilter(choices=[*Status.choices, ("all", "全部")], method="filter_status",
                                         help_text="状态；默认不含已撤销")
    division = django_filters.CharFilter(method="filter_division", help_text="乡镇或村（社区）代码前缀")
    urban_rural = django_filters.ChoiceFilter(choices=UrbanRural.choices, help_text="城镇或农村")
    q = django_filters.CharFilter(method="filter_q", max_length=60, help_text="名称包含")
    bbox = BBoxFilter(method="filter_bbox", help_text="minLon,minLat,maxLon,maxLat（坐标系见 crs）")
    crs = CRSFilter(method="filter_noop", help_text="bbox 的坐标系")

    class Meta:
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=Status.CLOSED)
        return super().filter_queryset(queryset).order_by("code")

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(kind__code__in=[k.strip() for k in value.split(",") if k.strip()])

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_division(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        prefix = check_code_prefix(value)
        return queryset.filter(Q(township__code__startswith=prefix) | Q(village__code__startswith=prefix))

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(name__contains=value)

    def filter_bbox(self, queryset: QuerySet, name: str, value: tuple[float, float, float, float]) -> QuerySet:
        return queryset.filter(location__within=bbox_param(value, self.form.cleaned_data.get("crs")))
