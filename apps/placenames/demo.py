"""Demo gazetteer of 德清县: every division and road of the county (synced from the registers)
plus the place names in `data/seed/placenames_deqing.json` (real names with approximate positions,
and a few invented ones, marked 演示, that show each lifecycle state), their aliases, an
announcement and the heritage list. Idempotent: a second run changes nothing."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction

from apps.common.history import acting_as
from apps.divisions.models import Division

from . import services
from .models import HeritageEntry, PlaceName, PlaceNameCategory, RegisterKind, Status
from .sync import SyncReport, sync_register_names

DEMO_FILE = Path(settings.BASE_DIR) / "data" / "seed" / "placenames_deqing.json"
ACTOR = "demo-loader"


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _division(county: Division, name: str) -> Division:
    if name == county.name:
        return county
    return Division.objects.get(valid_to__isnull=True, code__startswith=county.code[:6], name=name)


def _position(spec: dict[str, Any], division: Division) -> Point | None:
    if spec.get("lonlat"):
        return Point(*spec["lonlat"], srid=4490)
    if division.geometry is not None:  # invented names: a point inside their (synthesised) township
        return Point(division.geometry.point_on_surface.coords, srid=4490)
    return None


def _place(county: Division, spec: dict[str, Any]) -> PlaceName:
    existing = PlaceName.objects.filter(county=county, name=spec["name"], register_kind=RegisterKind.NONE).first()
    if existing:
        return existing
    division = _division(county, spec["division"])
    category = PlaceNameCategory.objects.get(code=spec["category"])
    place, _ = services.propose(
        name=spec["name"], specific=spec.get("specific"), generic=spec.get("generic"), category=category,
        division=division, county=county, geometry=_position(spec, division), position_approximate=True,
        location_description=spec.get("location_description", ""), origin=spec.get("origin", ""),
        meaning=spec.get("meaning", ""), history=spec.get("history", ""), actor=ACTOR,
        proposed_on=_date(spec.get("proposed")) or (dt.date(2026, 1, 5) if spec.get("demo") else None))
    for alias, kind, start, end in spec.get("aliases", []):
        services.add_alias(place, alias, kind, actor=ACTOR, valid_from=_date(start), valid_to=_date(end))
    status = spec["status"]
    if status == Status.UNDER_REVIEW:
        services.submit(place, on=dt.date(2026, 2, 1), actor=ACTOR)
    elif status != Status.PROPOSED:
        approval = spec.get("approval")
        if approval:
            authority, document, on = approval
            services.approve(place, authority=authority, document=document, on=_date(on), actor=ACTOR)  # type: ignore[arg-type]
        else:  # a name long in use whose approval record is missing: in force, audit lists the gap
            with acting_as(ACTOR):
                place.status = Status.APPROVED
                place.save(update_fields=["status", "updated_at"])
        if status == Status.CANCELLED:
            on, reason = spec["cancelled"]
            services.cancel(place, on=_date(on), reason=reason, actor=ACTOR)  # type: ignore[arg-type]
    return place


def _heritage(place: PlaceName, spec: dict[str, Any]) -> None:
    if HeritageEntry.objects.filter(place=place, removed_on__isnull=True).exists():
        return
    services.list_heritage(place, level=spec["level"], heritage_type=spec.get("heritage_type", ""),
                           listed_on=_date(spec["listed_on"]), listing_document=spec.get("listing_document", ""),  # type: ignore[arg-type]
                           reasons=spec["reasons"], protection_measures=spec["protection_measures"], actor=ACTOR)


@transaction.atomic
def load_demo_placenames(path: Path = DEMO_FILE) -> SyncReport:
    data = json.loads(path.read_text(encoding="utf-8"))
    report = sync_register_names(data["county"], actor=ACTOR)
    county = Division.objects.get(code=data["county"], valid_to__isnull=True, level="county")
    places = {spec["name"]: _place(county, spec) for spec in data["places"]}
    for spec in data["register_details"]:
        division = _division(county, spec["division"])
        entry = PlaceName.objects.get(register_kind=RegisterKind.DIVISION, register_key=str(division.uid))
        if not entry.origin:
            services.update_details(entry, actor=ACTOR, origin=spec.get("origin", ""), meaning=spec.get("meaning", ""),
                                    history=spec.get("history", ""))
        if spec.get("heritage"):
            _heritage(entry, spec["heritage"])
    notice = data["announcement"]
    to_announce = [places[name] for name in notice["places"] if places[name].status == Status.APPROVED]
    if to_announce:
        services.announce(to_announce, number=notice["number"], title=notice["title"], issued_by=notice["issued_by"],
                          on=_date(notice["on"]), actor=ACTOR)  # type: ignore[arg-type]
    for spec in data["heritage"]:
        _heritage(places[spec["place"]], spec)
    return report
