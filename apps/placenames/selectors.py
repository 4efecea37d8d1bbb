"""Reads of the place-name gazetteer: search (name, alias, pinyin with or without tones,
initials), the names the naming checks compare with, announcements and the heritage list.
Lists are in Chinese (pinyin) collation: PostgreSQL's ICU `zh-x-icu`."""
from __future__ import annotations

import re

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Collate, Lower, Replace

from apps.common.models import ChangeRecord
from apps.divisions.models import Division

from .models import (Announcement, ForbiddenNamePattern, HeritageEntry, PlaceName, PlaceNameAlias,
                     PlaceNameCategory, Status)
from .naming import ExistingName, Pattern, fold_query

CHINESE = "zh-x-icu"
_HAN = re.compile(r"[\u3400-\u9fff]")


def chinese_order(field: str) -> Collate:
    return Collate(field, CHINESE)


def existing_names(county: Division, category: PlaceNameCategory) -> list[ExistingName]:
    """Names in use (not cancelled) in the county and category, with their aliases in force."""
    places = PlaceName.objects.filter(county=county, category=category).exclude(status=Status.CANCELLED)
    out = [ExistingName(p.code, p.name, p.search_pinyin, category.code)
           for p in places.only("code", "name", "search_pinyin")]
    return out


def active_patterns() -> list[Pattern]:
    return [Pattern(p.pattern, p.is_regex, p.kind, p.reason)
            for p in ForbiddenNamePattern.objects.filter(active=True)]


# A place lies outside its division when a meaningful part of it does: a point more than 10 m
# away, a line with more than max(10 m, 1 %) of its length outside, a polygon with more than
# max(100 m², 1 %) of its area outside. The tolerances absorb digitising slivers between
# sources; the metric parts go through geography, never a degrees factor.
OUTSIDE_SQL = """(NOT ST_Covers({d}, {p}) AND CASE
  WHEN ST_Dimension({p}) = 0 THEN ST_Distance({p}::geography, {d}::geography) > 10
  WHEN ST_Dimension({p}) = 1 THEN ST_Length(ST_Difference({p}, {d})::geography)
                                   > GREATEST(10, 0.01 * ST_Length({p}::geography))
  ELSE ST_Area(ST_Difference({p}, {d})::geography) > GREATEST(100, 0.01 * ST_Area({p}::geography)) END)"""


def lies_outside(geometry: GEOSGeometry, division: Division) -> bool:
    sql = OUTSIDE_SQL.format(p="ST_GeomFromEWKT(%s)", d="geometry")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {sql} FROM divisions_division WHERE id = %s", [geometry.ewkt] * sql.count("%s") + [division.pk])
        row = cur.fetchone()
    return bool(row and row[0])


def division_path(division: Division) -> str:
    """所属政区 as announced: province to the division, e.g. 浙江省湖州市德清县钟管镇."""
    names = []
    node: Division | None = division
    while node is not None:
        names.append(node.name)
        node = node.parent
    return "".join(reversed(names))


def place_names() -> QuerySet[PlaceName]:
    return PlaceName.objects.select_related("category", "division", "county")


def get_place_name(code: str) -> PlaceName | None:
    return place_names().prefetch_related("aliases", "heritage_entries").filter(code=code).first()


def _folded(field: str):  # type: ignore[no-untyped-def]
    """`field` lower-cased without spaces, apostrophes or hyphens (as `naming.fold_query`)."""
    expr = Lower(field)
    for char in (" ", "'", "’", "-"):
        expr = Replace(expr, Value(char), Value(""))
    return expr


def search(queryset: QuerySet[PlaceName], q: str) -> QuerySet[PlaceName]:
    """Names matching `q`: Chinese text in the name or an alias; Latin text as pinyin (toneless
    syllables run together, the standard spelling, tone marks when given) or initials."""
    q = q.strip()
    if not q:
        return queryset
    if _HAN.search(q):
        alias_hit = PlaceNameAlias.objects.filter(place=OuterRef("pk"), name__contains=q)
        matched = queryset.filter(Q(name__contains=q) | Exists(alias_hit))
        rank = Case(When(name=q, then=Value(0)), When(name__startswith=q, then=Value(1)),
                    When(name__contains=q, then=Value(2)), default=Value(3), output_field=IntegerField())
        return matched.annotate(match_rank=rank)
    key, toned = fold_query(q)
    if toned:
        matched = queryset.annotate(_tone_key=_folded("pinyin_tones")).filter(_tone_key__startswith=key)
        return matched.annotate(match_rank=Value(1, output_field=IntegerField()))
    key = key.replace("v", "u")  # lazy_pinyin writes ü as u in its toneless style
    alias_hit = PlaceNameAlias.objects.filter(
        Q(search_pinyin__startswith=key) | Q(initials__iexact=key), place=OuterRef("pk"))
    condition = (Q(search_pinyin__startswith=key) | Q(initials__iexact=key) | Q(_spelling__startswith=key)
                 | Exists(alias_hit))
    if len(key) >= 4:
        condition |= Q(search_pinyin__contains=key)
    rank = Case(When(search_pinyin=key, then=Value(0)), When(initials__iexact=key, then=Value(0)),
                When(search_pinyin__startswith=key, then=Value(1)), default=Value(2), output_field=IntegerField())
    return queryset.annotate(_spelling=_folded("pinyin")).filter(condition).annotate(match_rank=rank)


def ordered(queryset: QuerySet[PlaceName]) -> QuerySet[PlaceName]:
    """Best matches first (when searched), then Chinese order of the name, then code."""
    keys = [chinese_order("name"), "code"]
    if "match_rank" in queryset.query.annotations:
        keys.insert(0, "match_rank")
    return queryset.order_by(*keys)


def announcements() -> QuerySet[Announcement]:
    return Announcement.objects.prefetch_related("items__place")


def heritage_list(*, include_removed: bool = False) -> QuerySet[HeritageEntry]:
    entries = HeritageEntry.objects.select_related("place", "place__division", "place__category")
    if not include_removed:
        entries = entries.filter(removed_on__isnull=True)
    return entries.order_by(chinese_order("place__name"))


def change_records(place: PlaceName) -> QuerySet[ChangeRecord]:
    """Trigger-written history of the name, its aliases and its heritage entries."""
    alias_ids = [str(pk) for pk in place.aliases.values_list("pk", flat=True)]
    heritage_ids = [str(pk) for pk in place.heritage_entries.values_list("pk", flat=True)]
    return ChangeRecord.objects.filter(
        Q(table_name="placenames_placename", row_id=str(place.pk))
        | Q(table_name="placenames_placenamealias", row_id__in=alias_ids)
        | Q(table_name="placenames_heritageentry", row_id__in=heritage_ids)).order_by("at", "id")
