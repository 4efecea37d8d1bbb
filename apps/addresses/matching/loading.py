"""Rows for the matcher's gazetteer, read from the registers: current divisions (the national
list down to county level, the home county's townships and villages), old division names as
aliases of their successors, the home county's roads (with former names) and 片区."""
from __future__ import annotations

from typing import Any

from apps.divisions.models import Division

from .gazetteer import AliasRecord, AreaRecord, DivisionRecord, RoadRecord


def load_gazetteer_rows(home_county: str, roads: dict[int, Any], areas: dict[int, Any]) -> dict[str, list]:
    current = Division.objects.filter(valid_to__isnull=True, code__isnull=False)
    national = current.filter(level__in=["province", "prefecture", "county"])
    local = current.filter(code__startswith=home_county, level__in=["township", "village"])
    divisions = [DivisionRecord(d.code, d.name, d.short_name, d.level, d.parent.code if d.parent else None)
                 for d in (national | local).select_related("parent").only(
                     "code", "name", "short_name", "level", "parent__code")]
    aliases: list[AliasRecord] = []
    retired = Division.objects.filter(valid_to__isnull=False).prefetch_related("successors")
    for old in retired.only("name", "short_name", "level"):
        for successor in old.successors.all():
            if successor.code and successor.valid_to is None:
                aliases.append(AliasRecord(old.name, successor.code, True))
    for road in roads.values():
        aliases.extend(AliasRecord(former, road.code, True) for former in road.former_names)
    return {
        "divisions": divisions,
        "roads": [RoadRecord(r.code, r.name, r.township_code) for r in roads.values()],
        "areas": [AreaRecord(a.code, a.name, a.kind, a.village_code) for a in areas.values()],
        "aliases": aliases,
    }
