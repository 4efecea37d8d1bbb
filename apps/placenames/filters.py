"""Query parameters of the place-name search (django-filter, so they document themselves).

Cancelled (注销) names are left out unless `status=注销` (or `status=all`) asks for them."""
from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.common.filters import bbox_param, BBoxFilter, CRSFilter, StrictBooleanFilter, check_code_prefix

from . import selectors
from .models import HeritageEntry, RegisterKind, Status
from .serializers import STATUS_CHOICES


class PlaceNameFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=100,
                                  help_text="名称、别称（曾用名/简称/俗称）、拼音（可带声调，如 Mògānshān 或 moganshan）或拼音首字母（MGS）")
    category = django_filters.CharFilter(method="filter_category", max_length=8, help_text="类别代码（含下级类别）")
    status = django_filters.ChoiceFilter(choices=[(s, s) for s in STATUS_CHOICES], method="filter_status",
                                         help_text="状态；默认不含已注销，all 为全部")
    division = django_filters.CharFilter(method="filter_division", help_text="区划代码前缀（所属政区）")
    register = django_filters.ChoiceFilter(choices=[("division", "行政区划"), ("road", "街路巷"), ("none", "独立地名")],
                                           method="filter_register", help_text="来源：行政区划、街路巷或独立地名")
    heritage = StrictBooleanFilter(method="filter_heritage", help_text="只要（true）列入保护名录的地名")
    bbox = BBoxFilter(method="filter_bbox", help_text="minLon,minLat,maxLon,maxLat（坐标系见 crs）")
    crs = CRSFilter(method="filter_noop", help_text="bbox 的坐标系：EPSG:4490（默认）、EPSG:4326、GCJ-02、BD-09")

    class Meta:
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=Status.CANCELLED)
        return selectors.ordered(super().filter_queryset(queryset))

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search(queryset, value)

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_division(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(division__code__startswith=check_code_prefix(value))

    def filter_register(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(register_kind=RegisterKind.NONE if value == "none" else value)

    def filter_heritage(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        listed = Exists(HeritageEntry.objects.filter(place=OuterRef("pk"), removed_on__isnull=True))
        return queryset.filter(listed) if value else queryset.exclude(listed)

    def filter_bbox(self, queryset: QuerySet, name: str, value: tuple[float, float, float, float]) -> QuerySet:
        box = bbox_param(value, self.form.cleaned_data.get("crs"))
        return queryset.filter(geometry__bboverlaps=box, geometry__intersects=box)
