"""Writes to the place-name gazetteer: the legal lifecycle (propose → submit → approve →
announce → rename → cancel), details, aliases and the heritage list.

Every function runs in one transaction under `acting_as(actor)`, so the history trigger records
who changed what, and checks first that the acting principal may change the name (an editor whose
jurisdiction covers its division; for new names and moves, the target division). Status moves are checked against `TRANSITIONS`; a wrong move is a 422 that
says what the status is and what it must be.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry

from apps.accounts.jurisdiction import require_codes, require_edit
from apps.common.errors import ConflictError, DomainRuleError
from apps.common.history import acting_as
from apps.common.sequences import next_code
from apps.divisions.models import Division

from . import selectors
from .models import (AliasKind, Announcement, AnnouncementItem, HeritageEntry, PlaceName, PlaceNameAlias,
                     PlaceNameCategory, RegisterKind, Status)
from .naming import NamingWarning, check_name, romanise
from .pinyin import split_name

# Which statuses each act may start from.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submit": (Status.PROPOSED,),
    "approve": (Status.PROPOSED, Status.UNDER_REVIEW),
    "announce": (Status.APPROVED,),
    "rename": (Status.APPROVED, Status.ANNOUNCED),
    "cancel": (Status.PROPOSED, Status.UNDER_REVIEW, Status.APPROVED, Status.ANNOUNCED),
}
_ACT_NAMES = {"submit": "报批", "approve": "批准", "announce": "公告", "rename": "更名", "cancel": "注销"}


@dataclass(frozen=True)
class NameParts:
    name: str
    specific: str
    generic: str


def _require(place: PlaceName, act: str) -> None:
    if place.status not in TRANSITIONS[act]:
        allowed = "、".join(TRANSITIONS[act])
        raise DomainRuleError(f"“{place.name}”当前状态为{place.status}，只有{allowed}状态的地名可以{_ACT_NAMES[act]}",
                              "status")


def name_parts(name: str, category: PlaceNameCategory, specific: str | None = None,
               generic: str | None = None) -> NameParts:
    """The name and its 专名/通名 split: given explicitly, or found by the pinyin rules."""
    name = (name or "").strip()
    if not name:
        raise DomainRuleError("标准名称不能为空", "name")
    if specific is None and generic is None:
        specific, generic = split_name(name, category.pinyin_kind)
    elif specific is None:
        specific = name[: len(name) - len(generic or "")]
    elif generic is None:
        generic = name[len(specific):]
    if f"{specific}{generic}" != name:
        raise DomainRuleError(f"专名“{specific}”与通名“{generic}”连起来应等于标准名称“{name}”", "specific")
    if not specific:
        raise DomainRuleError("专名不能为空", "specific")
    return NameParts(name, specific, generic or "")


def _apply_romanisation(place: PlaceName) -> None:
    roman = romanise(place.name, kind=place.category.pinyin_kind, specific=place.specific, generic=place.generic,
                     override=place.pinyin_override)
    place.pinyin, place.pinyin_tones = roman.pinyin, roman.pinyin_tones
    place.search_pinyin, place.initials = roman.search_key, roman.initials


def county_of(division: Division) -> Division:
    """The county-level division `division` belongs to (itself when it is one)."""
    node = division
    while node.level not in ("county",) and node.parent_id is not None:
        node = node.parent
    if node.level != "county":
        raise DomainRuleError(f"{division.name} 不在任何县级区划内", "division")
    return node


def _next_code(county: Division, category: PlaceNameCategory) -> str:
    """County code + category code + the next 4-digit sequence (never reused)."""
    return next_code(PlaceName, f"{county.code[:6]}{category.code}", 4)


def naming_warnings(parts: NameParts, category: PlaceNameCategory, county: Division, *,
                    exclude_code: str = "") -> list[NamingWarning]:
    key = romanise(parts.name, kind=category.pinyin_kind).search_key
    return check_name(parts.name, key, category.code, selectors.existing_names(county, category),
                      selectors.active_patterns(), exclude_code=exclude_code,
                      category_names={category.code: category.name})


def _outside_division_warning(geometry: GEOSGeometry | None, division: Division) -> list[NamingWarning]:
    if geometry is None or division.geometry is None:
        return []
    if selectors.lies_outside(geometry, division):
        return [NamingWarning("outside_division", f"空间位置不在所属政区“{division.name}”范围内", division.code or "")]
    return []


def propose(*, name: str, category: PlaceNameCategory, division: Division, actor: str,
            specific: str | None = None, generic: str | None = None, geometry: GEOSGeometry | None = None,
            position_approximate: bool = False, location_description: str = "", origin: str = "",
            meaning: str = "", history: str = "", pinyin_override: str = "",
            proposed_on: dt.date | None = None, register_kind: str = "", register_key: str = "",
            status: str = Status.PROPOSED, county: Division | None = None) -> tuple[PlaceName, list[NamingWarning]]:
    """拟定 a new name. The naming checks run and their warnings are stored with the name and
    returned; they never block (approval is a human decision)."""
    if division.valid_to is not None:
        raise DomainRuleError(f"{division.name} 已失效，不能作为所属政区", "division")
    parts = name_parts(name, category, specific, generic)
    county = county or county_of(division)
    require_codes([division.code], f"在{division.name}拟定地名")
    with acting_as(actor):
        warnings = naming_warnings(parts, category, county) + _outside_division_warning(geometry, division)
        place = PlaceName(code=_next_code(county, category), name=parts.name, specific=parts.specific,
                          generic=parts.generic, category=category, county=county, division=division,
                          geometry=geometry, position_approximate=position_approximate,
                          location_description=location_description, origin=origin, meaning=meaning,
                          history=history, pinyin_override=pinyin_override, status=status,
                          proposed_on=proposed_on or dt.date.today(), register_kind=register_kind,
                          register_key=register_key, check_warnings=[w.as_dict() for w in warnings])
        _apply_romanisation(place)
        place.save()
        return place, warnings


def submit(place: PlaceName, *, on: dt.date, actor: str) -> PlaceName:
    """报批: the proposal goes to the approving authority."""
    require_edit(place, f"地名 {place.code}")
    _require(place, "submit")
    with acting_as(actor):
        place.status, place.submitted_on = Status.UNDER_REVIEW, on
        place.save(update_fields=["status", "submitted_on", "updated_at"])
    return place


def approve(place: PlaceName, *, authority: str, document: str, on: dt.date, actor: str) -> PlaceName:
    """批准, with the approving authority, document number and date (all required)."""
    require_edit(place, f"地名 {place.code}")
    _require(place, "approve")
    if not authority.strip() or not document.strip():
        raise DomainRuleError("批准须填写批准机关和批准文号", "authority" if not authority.strip() else "document")
    if place.proposed_on and on < place.proposed_on:
        raise DomainRuleError(f"批准时间不能早于拟定日期 {place.proposed_on}", "on")
    with acting_as(actor):
        place.status, place.approving_authority, place.approval_document, place.approved_on = (
            Status.APPROVED, authority.strip(), document.strip(), on)
        place.save(update_fields=["status", "approving_authority", "approval_document", "approved_on", "updated_at"])
    return place


def announce(places: Sequence[PlaceName], *, number: str, title: str, issued_by: str, on: dt.date,
             actor: str) -> Announcement:
    """公告: one notice for one or more approved names, each item with the six required fields
    (标准名称, 罗马字母拼写, 所属政区, 位置描述, 批准机关, 批准时间) frozen as announced."""
    if not places:
        raise DomainRuleError("公告至少包含一个地名", "places")
    for place in places:
        require_edit(place, f"地名 {place.code}")
    if Announcement.objects.filter(number=number).exists():
        raise ConflictError(f"公告文号 {number} 已存在")
    for place in places:
        _require(place, "announce")
        missing = [label for label, value in (("位置描述", place.location_description),
                                              ("罗马字母拼写", place.pinyin)) if not value]
        if missing:
            raise DomainRuleError(f"“{place.name}”缺少{'、'.join(missing)}，不能公告", "places")
        if place.approved_on and on < place.approved_on:
            raise DomainRuleError(f"“{place.name}”的公告日期不能早于批准时间 {place.approved_on}", "on")
    with acting_as(actor):
        notice = Announcement.objects.create(number=number, title=title, issued_by=issued_by, announced_on=on)
        for place in places:
            former = place.aliases.filter(kind=AliasKind.FORMER, valid_to=place.approved_on).first()
            AnnouncementItem.objects.create(
                announcement=notice, place=place, act="更名" if former else "命名",
                former_name=former.name if former else "", standard_name=place.name, romanization=place.pinyin,
                division_name=selectors.division_path(place.division), location_description=place.location_description,
                approving_authority=place.approving_authority, approved_on=place.approved_on)
            place.status, place.announced_on = Status.ANNOUNCED, on
            place.save(update_fields=["status", "announced_on", "updated_at"])
    return notice


def rename(place: PlaceName, new_name: str, *, on: dt.date, authority: str, document: str, actor: str,
           specific: str | None = None, generic: str | None = None) -> PlaceName:
    """更名 (an approved act): the old name becomes a 曾用名 alias ending on `on`, the new name is
    romanised and the name waits for its announcement (status 已批准). A road keeps its code and
    gets a new version (addresses follow); a division is renamed only by a division change."""
    require_edit(place, f"地名 {place.code}")
    _require(place, "rename")
    if place.register_kind == RegisterKind.DIVISION:
        raise DomainRuleError("行政区划更名须通过区划变更办理（/api/v1/divisions/ 的变更记录），地名库随之同步", "place")
    if not authority.strip() or not document.strip():
        raise DomainRuleError("更名须填写批准机关和批准文号", "authority")
    parts = name_parts(new_name, place.category, specific, generic)
    if parts.name == place.name:
        raise DomainRuleError("新名称与现名称相同", "name")
    if place.approved_on and on <= place.approved_on:
        raise DomainRuleError(f"更名日期必须晚于现名称的批准时间 {place.approved_on}", "on")
    with acting_as(actor):
        if place.register_kind == RegisterKind.ROAD:
            _rename_road(place, parts.name, on, actor)
        _retire_name_as_alias(place, on)
        place.name, place.specific, place.generic = parts.name, parts.specific, parts.generic
        place.status, place.approving_authority, place.approval_document, place.approved_on = (
            Status.APPROVED, authority.strip(), document.strip(), on)
        place.announced_on = None
        _apply_romanisation(place)
        place.check_warnings = [w.as_dict() for w in naming_warnings(parts, place.category, place.county,
                                                                      exclude_code=place.code)]
        place.save()
    return place


def _rename_road(place: PlaceName, new_name: str, on: dt.date, actor: str) -> None:
    from apps.addresses import services as address_services
    from apps.addresses.models import Road

    road_code = place.register_key.split(":")[-1]
    road = Road.objects.filter(county=place.county, code=road_code, valid_to__isnull=True).first()
    if road is None:
        raise DomainRuleError(f"没有编码为 {road_code} 的现行街路巷", "place")
    address_services.rename_road(road, new_name, on, actor=actor)


def _retire_name_as_alias(place: PlaceName, on: dt.date) -> PlaceNameAlias:
    """The current name as a 曾用名 that ended on `on` (in use since its approval, if known)."""
    alias = PlaceNameAlias(place=place, name=place.name, kind=AliasKind.FORMER,
                           valid_from=place.approved_on if place.approved_on and place.approved_on < on else None,
                           valid_to=on, note=f"{on} 更名")
    roman = romanise(place.name, kind=place.category.pinyin_kind)
    alias.search_pinyin, alias.initials = roman.search_key, roman.initials
    existing = PlaceNameAlias.objects.filter(place=place, name=place.name, kind=AliasKind.FORMER).first()
    if existing:  # renamed back and forth: one alias row, its latest end
        existing.valid_to, existing.note = on, alias.note
        existing.save(update_fields=["valid_to", "note"])
        return existing
    alias.save()
    return alias


def cancel(place: PlaceName, *, on: dt.date, reason: str, actor: str, successor: PlaceName | None = None) -> PlaceName:
    """注销: the name stays in the register with its history, out of default search."""
    require_edit(place, f"地名 {place.code}")
    _require(place, "cancel")
    if not reason.strip():
        raise DomainRuleError("注销须说明原因", "reason")
    if successor is not None and (successor.pk == place.pk or successor.status == Status.CANCELLED):
        raise DomainRuleError("继承地名必须是另一个未注销的地名", "successor")
    with acting_as(actor):
        place.status, place.cancelled_on, place.cancel_reason, place.successor = (
            Status.CANCELLED, on, reason.strip(), successor)
        place.save(update_fields=["status", "cancelled_on", "cancel_reason", "successor", "updated_at"])
    return place


def update_details(place: PlaceName, *, actor: str, **fields: object) -> PlaceName:
    """Edit descriptive fields (not the name: that is a rename). A new pinyin override or
    category re-romanises the name; a new geometry or division re-checks the position."""
    require_edit(place, f"地名 {place.code}")
    editable = {"geometry", "position_approximate", "location_description", "origin", "meaning", "history",
                "pinyin_override", "division", "category"}
    unknown = set(fields) - editable
    if unknown:
        raise DomainRuleError(f"不能在此修改：{'、'.join(sorted(unknown))}（更名请用更名）", sorted(unknown)[0])
    if place.status == Status.CANCELLED:
        raise DomainRuleError("已注销的地名不能修改", "status")
    target = fields.get("division")
    if isinstance(target, Division):  # a move: the new division must be inside the jurisdiction too
        require_codes([target.code], f"把地名 {place.code} 移到{target.name}")
    with acting_as(actor):
        for key, value in fields.items():
            setattr(place, key, value)
        _apply_romanisation(place)
        place.save()
    return place


def add_alias(place: PlaceName, name: str, kind: str, *, actor: str, valid_from: dt.date | None = None,
              valid_to: dt.date | None = None, note: str = "") -> PlaceNameAlias:
    require_edit(place, f"地名 {place.code}")
    if kind not in AliasKind.values:
        raise DomainRuleError(f"别称类型应为 {'、'.join(AliasKind.values)} 之一", "kind")
    name = name.strip()
    if not name or name == place.name:
        raise DomainRuleError("别称不能为空，也不能与标准名称相同", "name")
    if valid_from and valid_to and valid_to <= valid_from:
        raise DomainRuleError("停用日期必须晚于起用日期", "valid_to")
    if PlaceNameAlias.objects.filter(place=place, name=name, kind=kind).exists():
        raise ConflictError(f"“{place.name}”已有{kind}“{name}”")
    roman = romanise(name, kind=place.category.pinyin_kind)
    with acting_as(actor):
        return PlaceNameAlias.objects.create(place=place, name=name, kind=kind, valid_from=valid_from,
                                             valid_to=valid_to, note=note, search_pinyin=roman.search_key,
                                             initials=roman.initials)


def reromanise(county: Division, *, actor: str) -> int:
    """Recompute every stored spelling of the county's names (after the rules or the reading
    table changed); returns how many names changed. Manual overrides still win."""
    require_codes([county.code], f"{county.name}的地名拼写")
    changed = 0
    with acting_as(actor):
        for place in PlaceName.objects.filter(county=county).select_related("category"):
            before = (place.pinyin, place.pinyin_tones, place.search_pinyin, place.initials)
            _apply_romanisation(place)
            if (place.pinyin, place.pinyin_tones, place.search_pinyin, place.initials) != before:
                place.save(update_fields=["pinyin", "pinyin_tones", "search_pinyin", "initials", "updated_at"])
                changed += 1
    return changed


def list_heritage(place: PlaceName, *, level: str, listed_on: dt.date, reasons: str, protection_measures: str,
                  actor: str, heritage_type: str = "", listing_document: str = "") -> HeritageEntry:
    """Put a name on the 地名文化遗产保护名录 (one current entry per name)."""
    require_edit(place, f"地名 {place.code}")
    if place.status == Status.CANCELLED:
        raise DomainRuleError("已注销的地名不能列入保护名录", "place")
    if not reasons.strip() or not protection_measures.strip():
        raise DomainRuleError("须填写列入理由和保护措施", "reasons" if not reasons.strip() else "protection_measures")
    if HeritageEntry.objects.filter(place=place, removed_on__isnull=True).exists():
        raise ConflictError(f"“{place.name}”已在保护名录中")
    with acting_as(actor):
        return HeritageEntry.objects.create(place=place, level=level, listed_on=listed_on, reasons=reasons.strip(),
                                            protection_measures=protection_measures.strip(),
                                            heritage_type=heritage_type, listing_document=listing_document)
