"""Writes to the address register: create (spatially checked), allocate a door number on a road,
rename a road (new versions of its addresses), retire, and the door-plate lifecycle. One
transaction each, recorded with the acting user; commands, admin and API share these.

Every write checks the acting principal's role and jurisdiction (apps.accounts.jurisdiction):
the address's own township/village, and for new or moved records the TARGET township too, so a
township clerk can neither create an address in another township nor change one there."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.jurisdiction import require_codes, require_edit, require_role
from apps.accounts.principal import Role
from apps.common.errors import ConflictError, DomainRuleError
from apps.common.history import acting_as
from apps.common.shapes import to_shapely
from apps.divisions.models import Division

from . import numbering
from .components import ComponentError, Components, build_code, build_full_text, validate
from .models import (Address, AddressEntrance, AddressIdentity, AddressStatus, Area, DoorPlate, PlateReport, PlateSize, PlateState,
                     Road, Stage)

TOKEN_BYTES = 16  # 128 bits: unguessable, 22 url-safe characters


@dataclass
class AddressInput:
    """What a caller gives to create an address (validated by the serializer first)."""

    location: Point  # CGCS2000
    door_number: int
    road: Road | None = None
    area: Area | None = None
    village: Division | None = None
    door_suffix: int = 0
    building: str = ""
    unit: str = ""
    room: str = ""
    floor: int | None = None
    status: str = AddressStatus.OFFICIAL
    stage: str = Stage.CURRENT
    valid_from: dt.date | None = None
    households: int | None = None
    residents: int | None = None
    residents_60plus: int | None = None


def division_chain(division: Division) -> list[Division]:
    chain = []
    node: Division | None = division
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def check_inside(location: Point, township: Division, village: Division | None) -> None:
    """The address point must lie in its stated township (villages have seats, not polygons)."""
    if township.geometry is None:
        return
    if not township.geometry.intersects(location):
        where = f"{township.name}" + (f"{village.name}" if village else "")
        raise DomainRuleError(
            f"地址点位（{location.x:.6f}, {location.y:.6f}）不在所述区划 {where}（{township.code}）范围内", "location")


def nearest_village(township: Division, location: Point) -> Division | None:
    """Villages/communities have seats, not polygons: the one whose seat is nearest the address
    within its township (the Voronoi cell of the seats) is the village it lies in."""
    return (Division.objects.filter(parent=township, level="village", valid_to__isnull=True, seat__isnull=False)
            .annotate(d=Distance("seat", location)).order_by("d").first())


def locate_divisions(data: AddressInput) -> tuple[Division, Division | None]:
    """(township, village) of a new address, checked spatially: the point must lie in the stated
    village's or area's township; for a road, in one of the townships of the road's county
    (roads cross township borders), and the village is then inferred from the seats."""
    if data.village is not None or data.area is not None:
        village = data.village or data.area.village
        township = village.parent
        check_inside(data.location, township, village)
        return township, village
    if data.road is None:
        raise DomainRuleError("地址需要街路巷、片区或村/社区", "road")
    road_town = data.road.township
    if road_town.geometry is None or road_town.geometry.intersects(data.location):
        township = road_town
    else:
        township = Division.objects.filter(parent=road_town.parent, level="township", valid_to__isnull=True,
                                           geometry__intersects=data.location).first()
        if township is None:
            check_inside(data.location, road_town, None)  # raises with the road's township named
    return township, nearest_village(township, data.location)


def components_for(data: AddressInput, township: Division, village: Division | None) -> Components:
    names = [d.name for d in division_chain(township)]
    if data.road is None and village is not None:
        names.append(village.name)
    part = data.road.code if data.road else (data.area.code if data.area else "")
    return validate(Components(
        division_code=(village or township).code, part_code=part, door_number=data.door_number,
        door_suffix=data.door_suffix, building=data.building, unit=data.unit, room=data.room, floor=data.floor,
        division_names=names, road_name=data.road.name if data.road else "",
        area_name=data.area.name if data.area else ""))


def identity_codes(identity: AddressIdentity) -> list[str]:
    """The division code an address identity (or its plates) belongs to: its code begins with the
    village or township code (GB/T 35639 coding: division-part-door…)."""
    return [identity.code.split("-", 1)[0]]


def require_identity_edit(identity: AddressIdentity, what: str) -> None:
    require_codes(identity_codes(identity), what)


def create_address(data: AddressInput, *, actor: str) -> Address:
    require_role(Role.EDITOR, "新建地址")
    township, village = locate_divisions(data)
    # The target: the township (and village) the new address lies in, not the caller's claim.
    require_codes([township.code] + ([village.code] if village else []), f"{township.name}（{township.code}）的新地址")
    try:
        comps = components_for(data, township, village)
    except ComponentError as exc:
        raise DomainRuleError(str(exc), exc.field) from exc
    code = build_code(comps)
    with acting_as(actor):
        if AddressIdentity.objects.filter(code=code).exists():
            raise ConflictError(f"地址编码 {code} 已存在（或曾被使用），不能重复")
        try:
            with transaction.atomic():
                identity = AddressIdentity.objects.create(code=code)
                return Address.objects.create(
                    identity=identity, code=code, division_code=comps.division_code, township=township,
                    village=village, road=data.road, area=data.area, door_number=data.door_number,
                    door_suffix=data.door_suffix, building=data.building, unit=data.unit, floor=comps.floor,
                    room=data.room, level=comps.level, full_text=build_full_text(comps), location=data.location,
                    status=data.status, stage=data.stage, valid_from=data.valid_from or timezone.localdate(),
                    households=data.households, residents=data.residents, residents_60plus=data.residents_60plus)
        except IntegrityError as exc:
            if "address_door_unique_on_road" in str(exc):
                raise ConflictError(f"门牌号 {comps.door_number} 在该街路巷上已存在") from exc
            if "address_current_code_unique" in str(exc) or "addressidentity_code" in str(exc):
                raise ConflictError(f"地址编码 {code} 已存在") from exc
            raise


def allocate_door(road: Road, location: Point, *, actor: str, village: Division | None = None,
                  **extra: object) -> Address:
    """Number a new building on `road` by GB/T 35639 Annex B and create its door address.

    The road row is locked (SELECT … FOR UPDATE) for the transaction, so parallel requests on the
    same road are serialised; the partial unique index on (road, number, suffix) is the backstop.
    The new address's township (where the building stands) must lie in the caller's jurisdiction."""
    require_role(Role.EDITOR, "编门牌号")
    with acting_as(actor):
        road = Road.objects.select_for_update().get(pk=road.pk)
        # All current doors of the road (next_number ignores the other parity for ordering but
        # still never duplicates it), located together with the new building in one call.
        doors = list(Address.objects.filter(road=road, level="door", valid_to__isnull=True,
                                            door_number__isnull=False).only("door_number", "door_suffix", "location"))
        positions = numbering.locate_many(to_shapely(road.geometry),
                                          [to_shapely(a.location) for a in doors] + [to_shapely(location)])
        existing = [numbering.DoorNumber(a.door_number, a.door_suffix, p.distance_m) for a, p in zip(doors, positions)]
        position = positions[-1]
        door = numbering.next_number(existing, position)
        return create_address(AddressInput(location=location, road=road, village=village, door_number=door.number,
                                           door_suffix=door.suffix, **extra), actor=actor)  # type: ignore[arg-type]


def _next_version(current: Address, effective: dt.date, **changes: object) -> Address:
    current.valid_to = effective
    current.save(update_fields=["valid_to"])
    values = {f.name: getattr(current, f.name) for f in Address._meta.concrete_fields
              if f.name not in ("id", "valid_to", "successor", "created_at")}
    values.update(version=current.version + 1, valid_from=effective, **changes)
    new = Address.objects.create(**values)
    current.successor = new
    current.save(update_fields=["successor"])
    return new


def rename_road(road: Road, new_name: str, effective: dt.date, *, actor: str) -> Road:
    """A new road version with the same code; every current address on it gets a new version
    with the new standard text. Identities and codes do not change (G-NAF's lesson). The caller
    must be allowed to change the road and every current address on it (roads cross townships)."""
    require_edit(road, f"街路巷 {road.name}")
    if road.valid_to is not None:
        raise DomainRuleError(f"{road.name} 已失效", "road")
    if road.valid_from and effective <= road.valid_from:
        raise DomainRuleError("更名日期必须晚于当前版本的生效日期", "effective")
    too_new = Address.objects.filter(road=road, valid_to__isnull=True, valid_from__gte=effective).first()
    if too_new is not None:
        raise DomainRuleError(f"{too_new.full_text} 自 {too_new.valid_from} 起生效，更名日期必须晚于此日", "effective")
    with acting_as(actor):
        road.valid_to = effective
        road.save(update_fields=["valid_to"])
        new_road = Road.objects.create(code=road.code, county=road.county, township=road.township, name=new_name,
                                       kind=road.kind, geometry=road.geometry, valid_from=effective,
                                       predecessor=road)
        for address in Address.objects.filter(road=road, valid_to__isnull=True).select_related("area"):
            require_edit(address, address.full_text)  # refuses the whole rename (one transaction)
            text = address.full_text.replace(road.name, new_name, 1)
            _next_version(address, effective, road=new_road, full_text=text)
        return new_road


def retire_address(address: Address, effective: dt.date, *, actor: str, stage: str = Stage.ABANDONED,
                   successor: Address | None = None) -> Address:
    require_edit(address, address.full_text)
    if successor is not None:
        require_edit(successor, successor.full_text)
    if address.valid_to is not None:
        raise DomainRuleError("该地址版本已失效", "address")
    if address.valid_from is not None and effective <= address.valid_from:
        raise DomainRuleError(f"失效日期必须晚于该版本的生效日期 {address.valid_from}", "effective")
    with acting_as(actor):
        address.valid_to = effective
        address.stage = stage
        address.successor = successor
        address.save(update_fields=["valid_to", "stage", "successor"])
        return address


MAX_ENTRANCE_DISTANCE_M = 500.0


def add_entrance(address: Address, label: str, location: Point, *, actor: str) -> AddressEntrance:
    """Another labelled entrance (北门, 车行入口…) of the address; it must lie in the address's
    township and near the address (a far point is a data-entry mistake, not an entrance)."""
    require_edit(address, address.full_text)
    label = label.strip()
    if not 1 <= len(label) <= 30:
        raise DomainRuleError("出入口名称应为 1–30 个字", "label")
    check_inside(location, address.township, address.village)
    distance = Address.objects.filter(pk=address.pk).annotate(
        d=Distance("location", location, spheroid=True)).values_list("d", flat=True).get()
    if distance.m > MAX_ENTRANCE_DISTANCE_M:
        raise DomainRuleError(f"出入口距地址 {distance.m:.0f} 米，超过 {MAX_ENTRANCE_DISTANCE_M:.0f} 米", "location")
    with acting_as(actor):
        return AddressEntrance.objects.create(identity=address.identity, label=label, location=location)


# ---------------------------------------------------------------- door plates
def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _next_plate_no(county_code: str, year: int) -> str:
    prefix = f"{county_code}{year}"
    last = DoorPlate.objects.filter(plate_no__startswith=prefix).aggregate(m=Max("plate_no"))["m"]
    number = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def issue_plate(identity: AddressIdentity, *, actor: str, size: str = PlateSize.MEDIUM) -> DoorPlate:
    require_identity_edit(identity, f"地址 {identity.code} 的门牌")
    with acting_as(actor):
        # Serialise plate numbering per county: lock the county row.
        county_code = identity.code[:6]
        Division.objects.select_for_update().filter(code=county_code, valid_to__isnull=True).first()
        return DoorPlate.objects.create(plate_no=_next_plate_no(county_code, timezone.localdate().year),
                                        identity=identity, size=size, token=_new_token())


_STATE_DATES = {PlateState.MADE: "made_on", PlateState.INSTALLED: "installed_on", PlateState.DAMAGED: "damaged_on"}
_ALLOWED = {
    PlateState.TO_MAKE: {PlateState.MADE, PlateState.REVOKED},
    PlateState.MADE: {PlateState.INSTALLED, PlateState.DAMAGED, PlateState.REVOKED},
    PlateState.INSTALLED: {PlateState.DAMAGED, PlateState.REVOKED},
    PlateState.DAMAGED: {PlateState.INSTALLED, PlateState.REVOKED},
}


def set_plate_state(plate: DoorPlate, state: str, *, actor: str, on: dt.date | None = None) -> DoorPlate:
    """Move a plate through 待制作 → 已制作 → 已安装 (→ 损坏); 已更换 only via replace_plate."""
    require_identity_edit(plate.identity, f"门牌 {plate.plate_no}")
    if state not in _ALLOWED.get(plate.state, set()):
        raise DomainRuleError(f"门牌状态不能从「{plate.get_state_display()}」变为「{PlateState(state).label}」", "state")
    on = on or timezone.localdate()
    with acting_as(actor):
        plate.state = state
        if state in _STATE_DATES:
            setattr(plate, _STATE_DATES[state], on)
        if state == PlateState.REVOKED:
            plate.token_active = False
            plate.retired_on = on
        plate.save()
        return plate


def replace_plate(plate: DoorPlate, *, actor: str, size: str | None = None, on: dt.date | None = None) -> DoorPlate:
    """Issue a new plate (new id, new token) for the same address; the old token stops working
    and its scan page says the plate was replaced."""
    require_identity_edit(plate.identity, f"门牌 {plate.plate_no}")
    if plate.state in (PlateState.REPLACED, PlateState.REVOKED):
        raise DomainRuleError("该门牌已更换或撤销", "plate")
    with acting_as(actor):
        new = issue_plate(plate.identity, actor=actor, size=size or plate.size)
        plate.state = PlateState.REPLACED
        plate.token_active = False
        plate.retired_on = on or timezone.localdate()
        plate.replaced_by = new
        plate.save()
        return new


REPORTS_PER_HOUR = 5


class RateLimited(Exception):
    """Too many reports from one sender; carries the seconds to wait."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def report_plate_problem(plate: DoorPlate, message: str, sender_hash: str) -> PlateReport:
    """Record a public error report (rate-limited per sender, message length-checked)."""
    message = message.strip()
    if not 2 <= len(message) <= 500:
        raise DomainRuleError("问题描述应为 2–500 个字", "message")
    since = timezone.now() - dt.timedelta(hours=1)
    with acting_as("public-scan"):
        recent = PlateReport.objects.filter(sender_hash=sender_hash, created_at__gte=since).order_by("created_at")
        if recent.count() >= REPORTS_PER_HOUR:
            oldest = recent.first().created_at
            raise RateLimited(max(1, int((oldest + dt.timedelta(hours=1) - timezone.now()).total_seconds())))
        return PlateReport.objects.create(plate=plate, message=message, sender_hash=sender_hash)
