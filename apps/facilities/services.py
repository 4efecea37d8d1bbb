"""Writes to the facility register: create (position, division and address checked), status
changes along the life of a facility (history kept), details per family, safety hazards and
their rectification, expansion projects, retirement with a successor, rollout targets.

Every function runs in one transaction under `acting_as(actor)`, after checking that the acting
principal may change the facility (an editor whose jurisdiction covers its divisions; for new and
moved facilities, the divisions of the new position)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import Point

from apps.addresses.models import Address, AddressIdentity
from apps.accounts.jurisdiction import require_codes, require_edit
from apps.common.errors import DomainRuleError
from apps.common.history import acting_as
from apps.common.sequences import next_code
from apps.divisions.models import Division

from .models import (BurialDetail, CommunityCentreDetail, ExpansionProject, Facility, FacilityKind,
                     FacilityStatusEvent, Family, HazardStatus, MealServiceDetail, RolloutTarget, SafetyHazard,
                     Status)

# Rank along the life of a facility: a change may move forward, or swap 运营 ⇄ 停运.
_RANK = {Status.PLANNED: 0, Status.BUILDING: 1, Status.BUILT: 2, Status.OPERATING: 3, Status.SUSPENDED: 3}
DETAIL_MODELS: dict[str, type] = {Family.BURIAL: BurialDetail, Family.MEALS: MealServiceDetail,
                                  Family.COMMUNITY: CommunityCentreDetail}


@dataclass
class FacilityInput:
    kind: FacilityKind
    name: str
    location: Point | None = None
    address: AddressIdentity | None = None
    status: str = Status.PLANNED
    status_since: dt.date | None = None
    urban_rural: str = ""
    operator: str = ""
    phone: str = ""
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    demo: bool = False


def _current_address(identity: AddressIdentity) -> Address:
    address = Address.objects.filter(identity=identity, valid_to__isnull=True).select_related("township", "village").first()
    if address is None:
        raise DomainRuleError(f"标准地址 {identity.code} 已失效", "address")
    return address


def _place(location: Point) -> tuple[Division, Division, Division | None]:
    """(county, township, village) of a point, from the current division polygons."""
    found = {d.level: d for d in Division.objects.filter(
        valid_to__isnull=True, level__in=["county", "township", "village"], geometry__intersects=location)}
    if "county" not in found or "township" not in found:
        raise DomainRuleError("位置不在任何现行县级区划的乡镇（街道）范围内", "location")
    return found["county"], found["township"], found.get("village")


def _check_details(family: str, details: dict[str, Any]) -> dict[str, Any]:
    model = DETAIL_MODELS[family]
    allowed = {f.name for f in model._meta.fields} - {"facility"}
    unknown = set(details) - allowed
    if unknown:
        raise DomainRuleError(f"{'、'.join(sorted(unknown))} 不是该类设施的属性（可用：{'、'.join(sorted(allowed))}）",
                              "details")
    return details


def _save_details(facility: Facility, details: dict[str, Any], *, create: bool) -> None:
    model = DETAIL_MODELS[facility.kind.family]
    if create:
        model.objects.create(facility=facility, **details)
    elif details:
        model.objects.filter(facility=facility).update(**details)


def create_facility(data: FacilityInput, *, actor: str) -> Facility:
    """Register a facility. Its position is the address's entrance point when an address is
    given without one; township and village come from the position."""
    if not data.name.strip():
        raise DomainRuleError("设施名称不能为空", "name")
    location = data.location
    if data.address is not None:  # the address says where it is in the division tree
        address = _current_address(data.address)
        location = location or address.location
        county, township, village = address.township.parent, address.township, address.village
    elif location is not None:
        county, township, village = _place(location)
    else:
        raise DomainRuleError("须给出位置或标准地址", "location")
    if data.status not in _RANK:
        raise DomainRuleError(f"新设施的状态应为 {'、'.join(_RANK)} 之一", "status")
    details = _check_details(data.kind.family, data.details)
    require_codes([d.code for d in (county, township, village) if d is not None], f"在{township.name}登记设施")
    with acting_as(actor):
        facility = Facility.objects.create(
            code=next_code(Facility, f"{county.code[:6]}{data.kind.code_letter}", 4), name=data.name.strip(),
            kind=data.kind, county=county, township=township, village=village, address=data.address,
            location=location, urban_rural=data.urban_rural, status=data.status, status_since=data.status_since,
            operator=data.operator, phone=data.phone, note=data.note, demo=data.demo)
        _save_details(facility, details, create=True)
        FacilityStatusEvent.objects.create(facility=facility, status=data.status,
                                           on=data.status_since or dt.date.today(), note="登记", actor=actor)
    return facility


def change_status(facility: Facility, status: str, *, on: dt.date, actor: str, note: str = "") -> Facility:
    """Move a facility along 规划 → 在建 → 建成 → 运营 ⇄ 停运 (steps may be skipped, never undone)."""
    require_edit(facility, f"设施 {facility.code}")
    if facility.status == Status.CLOSED:
        raise DomainRuleError("设施已撤销", "status")
    if status == Status.CLOSED:
        raise DomainRuleError("撤销请用撤销操作（须给出日期与原因）", "status")
    if status not in _RANK:
        raise DomainRuleError(f"状态应为 {'、'.join(_RANK)} 之一", "status")
    if status == facility.status:
        raise DomainRuleError(f"设施已是{status}状态", "status")
    swap = {facility.status, status} == {Status.OPERATING, Status.SUSPENDED}
    if not swap and _RANK[status] <= _RANK[facility.status]:
        raise DomainRuleError(f"不能从{facility.status}改为{status}", "status")
    if facility.status_since and on < facility.status_since:
        raise DomainRuleError(f"日期不能早于当前状态的起始日期 {facility.status_since}", "on")
    with acting_as(actor):
        facility.status, facility.status_since = status, on
        facility.save(update_fields=["status", "status_since", "updated_at"])
        FacilityStatusEvent.objects.create(facility=facility, status=status, on=on, note=note, actor=actor)
    return facility


def retire_facility(facility: Facility, *, on: dt.date, reason: str, actor: str,
                    successor: Facility | None = None) -> Facility:
    """撤销: kept in the register with its history, out of analyses and default lists."""
    require_edit(facility, f"设施 {facility.code}")
    if facility.status == Status.CLOSED:
        raise DomainRuleError("设施已撤销", "status")
    if not reason.strip():
        raise DomainRuleError("撤销须说明原因", "reason")
    if successor is not None and (successor.pk == facility.pk or successor.status == Status.CLOSED):
        raise DomainRuleError("接替设施必须是另一个未撤销的设施", "successor")
    with acting_as(actor):
        facility.status, facility.status_since, facility.retired_on, facility.successor = (
            Status.CLOSED, on, on, successor)
        facility.save(update_fields=["status", "status_since", "retired_on", "successor", "updated_at"])
        FacilityStatusEvent.objects.create(facility=facility, status=Status.CLOSED, on=on, note=reason.strip(),
                                           actor=actor)
    return facility


def update_facility(facility: Facility, *, actor: str, details: dict[str, Any] | None = None,
                    **fields: Any) -> Facility:
    """Edit descriptive fields and the kind's details (status has its own service)."""
    require_edit(facility, f"设施 {facility.code}")
    editable = {"name", "location", "address", "urban_rural", "operator", "phone", "note"}
    unknown = set(fields) - editable
    if unknown:
        raise DomainRuleError(f"不能在此修改：{'、'.join(sorted(unknown))}", sorted(unknown)[0])
    if facility.status == Status.CLOSED:
        raise DomainRuleError("已撤销的设施不能修改", "status")
    checked = _check_details(facility.kind.family, details or {})
    with acting_as(actor):
        for key, value in fields.items():
            setattr(facility, key, value)
        if "location" in fields:
            facility.county, facility.township, facility.village = _place(facility.location)
            require_codes([d.code for d in (facility.county, facility.township, facility.village) if d is not None],
                          f"把设施 {facility.code} 移到{facility.township.name}")
        facility.save()
        _save_details(facility, checked, create=False)
    return facility


def report_hazard(facility: Facility, *, description: str, level: str, found_on: dt.date, actor: str,
                  deadline: dt.date | None = None) -> SafetyHazard:
    require_edit(facility, f"设施 {facility.code}")
    if facility.kind.family != Family.BURIAL:
        raise DomainRuleError("安全隐患记录用于殡葬设施", "facility")
    if deadline and deadline < found_on:
        raise DomainRuleError("整改期限不能早于发现日期", "deadline")
    with acting_as(actor):
        return SafetyHazard.objects.create(facility=facility, description=description, level=level,
                                           found_on=found_on, deadline=deadline)


def update_hazard(hazard: SafetyHazard, status: str, *, actor: str, on: dt.date | None = None,
                  measures: str = "") -> SafetyHazard:
    """Track a hazard to closure: 待整改 → 整改中 → 已整改 (with its date)."""
    require_edit(hazard.facility, f"设施 {hazard.facility.code}")
    order = [HazardStatus.OPEN, HazardStatus.IN_PROGRESS, HazardStatus.DONE]
    if status not in order or order.index(status) <= order.index(hazard.status):
        raise DomainRuleError(f"整改状态不能从{hazard.status}改为{status}", "status")
    if status == HazardStatus.DONE and on is None:
        raise DomainRuleError("整改完成须给出完成日期", "on")
    if on and on < hazard.found_on:
        raise DomainRuleError("完成日期不能早于发现日期", "on")
    with acting_as(actor):
        hazard.status = status
        if status == HazardStatus.DONE:
            hazard.rectified_on = on
        if measures:
            hazard.measures = measures
        hazard.save()
    return hazard


def add_expansion(facility: Facility, *, name: str, status: str, actor: str, added_area_m2: float | None = None,
                  start_on: dt.date | None = None, end_on: dt.date | None = None) -> ExpansionProject:
    require_edit(facility, f"设施 {facility.code}")
    if facility.kind.family != Family.COMMUNITY:
        raise DomainRuleError("扩建项目用于社区与养老服务设施", "facility")
    if start_on and end_on and end_on < start_on:
        raise DomainRuleError("完工日期不能早于开工日期", "end_on")
    with acting_as(actor):
        return ExpansionProject.objects.create(facility=facility, name=name, status=status,
                                               added_area_m2=added_area_m2, start_on=start_on, end_on=end_on)


def set_rollout_target(township: Division, family: str, year: int, tasks: int, *, actor: str,
                       source: str = "") -> RolloutTarget:
    require_codes([township.code], f"{township.name}的建设任务")
    if township.level != "township" or township.valid_to is not None:
        raise DomainRuleError("任务须落到现行乡镇（街道）", "township")
    with acting_as(actor):
        target, _ = RolloutTarget.objects.update_or_create(township=township, family=family, year=year,
                                                           defaults={"tasks": tasks, "source": source})
    return target
