"""Divisions and roads in the gazetteer, kept in step with their registers (service).

The division and road registers own those names; the gazetteer holds one entry per register
record, linked by `register_kind`/`register_key` (a division version's uid, or county:road code),
whose name, 专名/通名, pinyin and geometry are copied from the register here — never typed in by
hand. Run after every register change (the demo load and `manage.py sync_placenames` do):

* a current division or road without an entry gets one (status 已批准: the name is in force);
* a renamed road (new version, same code) or a division replaced by a single successor of the
  same level moves its entry on: the old name becomes a 曾用名 ending on the change date;
* a road or division retired without such a successor cancels its entry (注销), pointing at
  the successor's entry when there is one;
* geometry follows the register.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from apps.common.history import acting_as
from apps.divisions.models import Division

from .models import PlaceName, PlaceNameCategory, RegisterKind, Status
from .services import _apply_romanisation, _retire_name_as_alias, cancel, name_parts, propose

# Category of each division level (villages: 社区 → 居民委员会, otherwise 村民委员会).
_DIVISION_CATEGORY = {"county": "2001", "township": "2002", "village": "3001"}
_COMMUNITY_CATEGORY = "3002"
_ROAD_CATEGORY = "4001"
_LANE_CATEGORY = "4002"
_LANE_SUFFIXES = ("街", "巷", "弄")


@dataclass
class SyncReport:
    created: Counter = field(default_factory=Counter)
    renamed: Counter = field(default_factory=Counter)
    cancelled: Counter = field(default_factory=Counter)
    reshaped: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        parts = [f"{label}{sum(getattr(self, key).values())}" for key, label in
                 (("created", "新增"), ("renamed", "随登记更名"), ("cancelled", "注销"), ("reshaped", "更新位置"))]
        return "，".join(parts)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {k: dict(getattr(self, k)) for k in ("created", "renamed", "cancelled", "reshaped")}


def _category(code: str) -> PlaceNameCategory:
    return PlaceNameCategory.objects.get(code=code)


def _division_category(division: Division) -> str:
    if division.level == "village" and division.name.endswith("社区"):
        return _COMMUNITY_CATEGORY
    return _DIVISION_CATEGORY[division.level]


def _road_key(county: Division, road_code: str) -> str:
    return f"{county.code[:6]}:{road_code}"


def _follow(entry: PlaceName, name: str, geometry: object, changed_on: dt.date | None, report: SyncReport,
            kind: str) -> None:
    """Bring a linked entry in line with its register record."""
    if entry.name != name:
        on = changed_on or dt.date.today()
        _retire_name_as_alias(entry, on)
        parts = name_parts(name, entry.category)
        entry.name, entry.specific, entry.generic = parts.name, parts.specific, parts.generic
        _apply_romanisation(entry)
        entry.save()
        report.renamed[kind] += 1
    if geometry is not None and (entry.geometry is None or not entry.geometry.equals_exact(geometry, 1e-9)):
        entry.geometry = geometry
        entry.save(update_fields=["geometry", "updated_at"])
        report.reshaped[kind] += 1


def sync_divisions(county: Division, report: SyncReport, actor: str) -> None:
    linked = {e.register_key: e for e in PlaceName.objects.filter(register_kind=RegisterKind.DIVISION, county=county)}
    # Entries whose division version was retired: move to the single same-level successor, or cancel.
    for key, entry in list(linked.items()):
        if entry.status == Status.CANCELLED:
            continue
        division = Division.objects.filter(uid=key).first()
        if division is None or division.valid_to is None:
            continue
        successors = [s for s in division.successors.filter(valid_to__isnull=True) if s.level == division.level]
        if len(successors) == 1 and str(successors[0].uid) not in linked:
            entry.register_key = str(successors[0].uid)
            entry.division = successors[0].parent or successors[0]
            entry.save(update_fields=["register_key", "division", "updated_at"])
            _follow(entry, successors[0].name, successors[0].geometry, division.valid_to, report, "division")
            linked[entry.register_key] = entry
        else:
            heir = linked.get(str(successors[0].uid)) if successors else None
            cancel(entry, on=division.valid_to, reason="行政区划撤销或合并", actor=actor, successor=heir)
            report.cancelled["division"] += 1
    current = Division.objects.filter(valid_to__isnull=True, code__startswith=county.code[:6],
                                      level__in=list(_DIVISION_CATEGORY)).select_related("parent")
    for division in current.order_by("code"):
        entry = linked.get(str(division.uid))
        if entry is None:
            propose(name=division.name, category=_category(_division_category(division)),
                    division=division.parent or division, geometry=division.geometry, actor=actor,
                    proposed_on=division.valid_from, register_kind=RegisterKind.DIVISION,
                    register_key=str(division.uid), status=Status.APPROVED, county=county,
                    location_description=f"{division.parent.name if division.parent else ''}辖区内")
            report.created["division"] += 1
        elif entry.status != Status.CANCELLED:
            _follow(entry, division.name, division.geometry, division.valid_from, report, "division")


def sync_roads(county: Division, report: SyncReport, actor: str) -> None:
    from apps.addresses.models import Road

    linked = {e.register_key: e for e in PlaceName.objects.filter(register_kind=RegisterKind.ROAD, county=county)}
    current = {r.code: r for r in Road.objects.filter(county=county, valid_to__isnull=True).select_related("township")}
    for code, road in sorted(current.items()):
        entry = linked.get(_road_key(county, code))
        if entry is None:
            category = _LANE_CATEGORY if road.name.endswith(_LANE_SUFFIXES) else _ROAD_CATEGORY
            propose(name=road.name, category=_category(category), division=road.township, geometry=road.geometry,
                    actor=actor, proposed_on=road.valid_from, register_kind=RegisterKind.ROAD,
                    register_key=_road_key(county, code), status=Status.APPROVED, county=county,
                    location_description=f"{road.township.name}境内")
            report.created["road"] += 1
        elif entry.status != Status.CANCELLED:
            _follow(entry, road.name, road.geometry, road.valid_from, report, "road")
    for key, entry in linked.items():
        code = key.split(":")[-1]
        if code not in current and entry.status != Status.CANCELLED:
            last = Road.objects.filter(county=county, code=code).order_by("-valid_to").first()
            cancel(entry, on=(last.valid_to if last and last.valid_to else dt.date.today()),
                   reason="道路已撤销", actor=actor)
            report.cancelled["road"] += 1


def sync_register_names(county_code: str, *, actor: str = "sync_placenames") -> SyncReport:
    """Bring the gazetteer's division and road entries of one county in line with the registers."""
    county = Division.objects.get(code=county_code, valid_to__isnull=True, level="county")
    report = SyncReport()
    with acting_as(actor):
        sync_divisions(county, report, actor)
        sync_roads(county, report, actor)
    return report
