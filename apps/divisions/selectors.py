"""Reads of the division register: validity on a date, lookup by code/uid/name (old names
included), and the annotated querysets the API serializes. No writes here."""
from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.common.geofuncs import AreaKm2, SimplifyMetres
from apps.common.validity import valid_on

from .models import LEVEL_ORDER, Division


def find_by_public_id(public_id: str, day: dt.date | None = None) -> Division | None:
    """The division with this code (the version valid on `day`, else the latest) or this uid."""
    try:
        return Division.objects.get(uid=uuid.UUID(public_id))
    except (ValueError, Division.DoesNotExist):
        pass
    versions = Division.objects.filter(code=public_id)
    if day is not None:
        found = valid_on(versions, day).first()
        if found:
            return found
        return None
    current = versions.filter(valid_to__isnull=True).first()
    return current or versions.order_by("-valid_to").first()


def _successors_in_force(division: Division, day: dt.date, depth: int = 0) -> set[int]:
    """Ids of the divisions that carry `division` forward and are in force on `day`."""
    if depth > 20:  # change chains are short; guard against a bad cycle
        return set()
    found: set[int] = set()
    for successor in division.successors.all():
        in_force = (successor.valid_from is None or successor.valid_from <= day) and \
                   (successor.valid_to is None or successor.valid_to > day)
        found |= {successor.pk} if in_force else _successors_in_force(successor, day, depth + 1)
    return found


def filter_by_name(queryset: QuerySet, name: str, day: dt.date) -> QuerySet:
    """Name or short name as of `day`; a former name finds the division that succeeded it."""
    direct = Q(name=name) | Q(short_name=name)
    ids: set[int] = set()
    for former in Division.objects.filter(direct).exclude(pk__in=valid_on(Division.objects.all(), day)):
        ids |= _successors_in_force(former, day)
    return queryset.filter(direct | Q(pk__in=ids))


def for_api(queryset: QuerySet, *, simplify_m: float | None = None, with_geometry: bool = True) -> QuerySet:
    """Annotate what the serializers print: area, the (optionally simplified) output geometry."""
    queryset = queryset.select_related("parent").annotate(area_km2=AreaKm2("geometry"))
    if not with_geometry:
        return queryset.defer("geometry")
    if simplify_m:
        return queryset.annotate(geom_out=SimplifyMetres("geometry", simplify_m)).defer("geometry")
    return queryset


def list_divisions() -> QuerySet:
    return Division.objects.all()


@dataclass
class DivisionDetail:
    division: Division
    parent_chain: list[Division]
    children_counts: dict[str, int]
    descendant_counts: dict[str, int]
    former_names: list[dict]


def division_detail(public_id: str, day: dt.date | None) -> DivisionDetail | None:
    division = find_by_public_id(public_id, day)
    if division is None:
        return None
    division = for_api(Division.objects.filter(pk=division.pk)).get()
    chain: list[Division] = []
    node = division.parent
    while node is not None and len(chain) < len(LEVEL_ORDER):
        chain.append(node)
        node = node.parent
    on = day or dt.date.today()
    children = Counter(valid_on(division.children.all(), on).values_list("level", flat=True))
    descendants: Counter = Counter()
    if division.code:
        descendants = Counter(valid_on(Division.objects.filter(code__startswith=division.code), on)
                              .exclude(pk=division.pk).values_list("level", flat=True))
    former = [
        {"name": p.name, "code": p.code, "valid_to": p.valid_to.isoformat() if p.valid_to else None}
        for p in _predecessor_chain(division)
    ]
    return DivisionDetail(division, list(reversed(chain)), dict(children), dict(descendants), former)


def _predecessor_chain(division: Division, depth: int = 0) -> list[Division]:
    if depth > 20:
        return []
    out: list[Division] = []
    for p in division.predecessors.all().order_by("-valid_to"):
        out.append(p)
        out.extend(_predecessor_chain(p, depth + 1))
    return out
