"""Rows for the matcher's gazetteer, read from the registers: current divisions (the national
list down to county level, the home county's townships and villages), old division names as
aliases of their successors, the home county's roads (with former names) and 片区."""
from __future__ import annotations

from typing import Any

from django.db import connection

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
    aliases.extend(_gazetteer_aliases(home_county))
    return {
        "divisions": divisions,
        "roads": [RoadRecord(r.code, r.name, r.township_code) for r in roads.values()],
        "areas": [AreaRecord(a.code, a.name, a.kind, a.village_code) for a in areas.values()],
        "aliases": aliases,
    }


def _gazetteer_aliases(home_county: str) -> list[AliasRecord]:
    """Other names (曾用名, 简称, 俗称, 别名) the place-name gazetteer holds for the county's
    divisions and roads, pointing at the register record's code."""
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('placenames_placenamealias')")
        if not cur.fetchone()[0]:
            return []
        cur.execute("""
            SELECT a.name, a.kind = '曾用名', coalesce(d.code, split_part(p.register_key, ':', 2))
            FROM placenames_placenamealias a JOIN placenames_placename p ON p.id = a.place_id
            LEFT JOIN divisions_division d ON p.register_kind = 'division' AND d.uid::text = p.register_key
                 AND d.valid_to IS NULL
            WHERE p.register_kind IN ('division', 'road') AND p.status <> '注销'
              AND (p.register_key LIKE %s OR d.code LIKE %s)""",
                    [home_county[:6] + ":%", home_county[:6] + "%"])
        return [AliasRecord(name, code, renamed) for name, renamed, code in cur.fetchall() if code]
