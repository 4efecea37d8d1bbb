"""Reads of the address register: lookup by code (as of a date), lists, history, reverse
geocoding, plates by token, and per-township coverage statistics. No writes here."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from apps.common.models import ChangeRecord
from apps.common.validity import valid_on
from apps.divisions.models import Division

from .models import Address, DoorPlate, PlateState


# Related columns the address serializers never print: the township's polygon alone can be
# hundreds of kilobytes, so it must not be fetched with every address.
_UNUSED_RELATED = ("township__geometry", "township__seat", "village__geometry", "village__seat", "road__geometry",
                   "area__geometry", "area__location")


def addresses() -> QuerySet:
    return Address.objects.select_related("road", "area", "township", "village").defer(*_UNUSED_RELATED)


def division_chain(address: Address) -> list[Division]:
    """Province → … → village of an address in one query, by code prefixes, without geometry."""
    code = address.division_code
    prefixes = {code[:2] + "0000", code[:4] + "00", code[:6], code[:9], code[:12]}
    chain = Division.objects.filter(code__in=prefixes, valid_to__isnull=True).only("code", "name", "level")
    # A municipality's province and prefecture share one code: it appears once.
    return sorted(chain, key=lambda d: (len(d.code.rstrip("0")) if len(d.code) == 6 else len(d.code), d.code))


def get_address(code: str, day: dt.date | None = None) -> Address | None:
    """The version of the address with this code in force on `day` (default: the current one)."""
    versions = addresses().filter(code=code)
    if day is None:
        return versions.filter(valid_to__isnull=True).first()
    return valid_on(versions, day).first()


def latest_version(code: str) -> Address | None:
    """The current version, or the last one if the address was retired."""
    return addresses().filter(code=code).order_by(F("valid_to").desc(nulls_first=True), "-version").first()


def versions_of(address: Address) -> QuerySet:
    return Address.objects.filter(identity_id=address.identity_id).select_related("road").order_by("version")


def change_records(address: Address) -> QuerySet:
    """Trigger-written history rows of every version of this address and of its plates."""
    version_ids = [str(pk) for pk in versions_of(address).values_list("pk", flat=True)]
    plate_ids = [str(pk) for pk in DoorPlate.objects.filter(identity_id=address.identity_id).values_list("pk", flat=True)]
    return ChangeRecord.objects.filter(
        Q(table_name="addresses_address", row_id__in=version_ids)
        | Q(table_name="addresses_doorplate", row_id__in=plate_ids)).order_by("at", "id")


def plates_of(address: Address) -> QuerySet:
    return DoorPlate.objects.filter(identity_id=address.identity_id).order_by("created_at")


@dataclass
class NearbyAddress:
    address: Address
    distance_m: float


def reverse(point: Point, radius_m: float, limit: int = 1) -> list[NearbyAddress]:
    """Nearest current addresses within `radius_m` metres (ellipsoidal distance), nearest first.
    Uses the GiST index on location::geography for both the radius and the ordering."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT id, ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography) AS d
            FROM addresses_address
            WHERE valid_to IS NULL
              AND ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography, %s)
            ORDER BY location::geography <-> ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography
            LIMIT %s
            """,
            [point.x, point.y, point.x, point.y, radius_m, point.x, point.y, limit])
        rows = cur.fetchall()
    found = {a.pk: a for a in addresses().filter(pk__in=[r[0] for r in rows])}
    return [NearbyAddress(found[pk], distance) for pk, distance in rows]


def plate_by_plate_no(plate_no: str) -> DoorPlate | None:
    return DoorPlate.objects.filter(plate_no=plate_no).first()


def plate_by_token(token: str) -> DoorPlate | None:
    return DoorPlate.objects.select_related("identity", "replaced_by").filter(token=token).first()


@dataclass
class TownshipStats:
    code: str
    name: str
    addresses: int
    door_addresses: int
    plates_installed: int
    plates_to_produce: int
    plates_damaged: int
    coverage: float  # 数字门牌覆盖率: door addresses with an installed plate / door addresses
    households: int
    without_plate: int  # door/building addresses with no live plate at all (need one issued)


def coverage_stats(division_code: str) -> list[TownshipStats]:
    """Per township under `division_code`: addresses, plates and 数字门牌覆盖率. A plate counts
    for coverage when installed on a current door- or building-level address."""
    townships = Division.objects.filter(code__startswith=division_code, level="township",
                                        valid_to__isnull=True).order_by("code")
    current = Address.objects.filter(valid_to__isnull=True, division_code__startswith=division_code)
    live_plate = DoorPlate.objects.filter(identity_id=OuterRef("identity_id")).exclude(
        state__in=[PlateState.REPLACED, PlateState.REVOKED])
    totals = {row["township_id"]: row for row in current.annotate(has_plate=Exists(live_plate)).values(
        "township_id").annotate(
        n=Count("id"), doors=Count("id", filter=Q(level__in=["door", "building"])), hh=Sum("households"),
        bare=Count("id", filter=Q(level__in=["door", "building"], has_plate=False)))}
    plated = {row["identity__versions__township_id"]: row for row in DoorPlate.objects.filter(
        identity__versions__valid_to__isnull=True, identity__versions__division_code__startswith=division_code)
        .values("identity__versions__township_id").annotate(
            installed=Count("id", filter=Q(state=PlateState.INSTALLED)),
            to_make=Count("id", filter=Q(state=PlateState.TO_MAKE)),
            damaged=Count("id", filter=Q(state=PlateState.DAMAGED)),
            covered=Count("identity", filter=Q(state=PlateState.INSTALLED), distinct=True))}
    result = []
    for town in townships:
        t, p = totals.get(town.pk, {}), plated.get(town.pk, {})
        doors = t.get("doors", 0)
        result.append(TownshipStats(
            code=town.code, name=town.name, addresses=t.get("n", 0), door_addresses=doors,
            plates_installed=p.get("installed", 0),
            plates_to_produce=p.get("to_make", 0) + p.get("damaged", 0),
            plates_damaged=p.get("damaged", 0),
            coverage=round(p.get("covered", 0) / doors, 4) if doors else 0.0, households=t.get("hh") or 0,
            without_plate=t.get("bare", 0)))
    return result


def nearby_services(point: Point, radius_m: float = 2000.0) -> list[dict]:
    """The nearest 老年食堂/助餐点 and 社区服务中心 within walking scale, for the scan page.
    Facilities arrive with the facilities app; until it is installed there is nothing to show."""
    from django.apps import apps

    if not apps.is_installed("apps.facilities"):
        return []
    from apps.facilities.selectors import nearest_by_kind  # type: ignore[import-not-found]

    return nearest_by_kind(point, ["elderly_canteen", "community_centre"], radius_m)


def current_in_division(division_code: str) -> QuerySet:
    return Address.objects.filter(valid_to__isnull=True, division_code__startswith=division_code).order_by("code")


def plates_to_produce(township_code: str) -> list[tuple[DoorPlate, Address]]:
    """Plates waiting to be made (待制作) or remade (损坏) for current addresses of a township."""
    plates = DoorPlate.objects.filter(state__in=[PlateState.TO_MAKE, PlateState.DAMAGED],
                                      identity__code__startswith=township_code).order_by("plate_no")
    current = {a.identity_id: a for a in addresses().filter(
        valid_to__isnull=True, identity_id__in=plates.values("identity_id"))}
    return [(p, current[p.identity_id]) for p in plates if p.identity_id in current]
