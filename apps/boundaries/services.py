"""Writes to the boundary registers and joint inspections: derive a line, register a marker,
plan/trigger a campaign, record each marker's inspection (with its displacement), segment
findings and follow-ups, close follow-ups, complete the campaign. One transaction each,
recorded with the acting user (change-history triggers); commands, admin, pages and the API
share these functions. Each first checks the acting principal's jurisdiction (`access`): a line
and its campaigns belong to both parties, a marker to its side division or its line's parties."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import IntegrityError

from apps.accounts.jurisdiction import require_codes
from apps.common.errors import ConflictError, DomainRuleError
from apps.common.history import acting_as
from apps.common.shapes import to_geos, to_shapely
from apps.divisions.models import Division

from . import derivation, displacement, numbering, placement
from .access import line_codes, require_change
from .models import (Action, BoundaryLine, BoundaryMarker, CampaignStatus, Condition, FollowUpItem, FollowUpStatus,
                     InspectionCampaign, LineStatus, MarkerInspection, MarkerState, SegmentFinding)

#: A registered 界桩 stands on its line; further than this it is a data error.
MAX_MARKER_OFFSET_M = 100.0


def _current_geometry(division: Division) -> GEOSGeometry:
    if division.geometry is None:
        raise DomainRuleError(f"{division.name}（{division.code}）没有边界数据，无法推导界线", "divisions")
    return division.geometry


def derive_line(name: str, division_a: Division, division_b: Division, *, actor: str, code: str | None = None,
                tolerance_m: float = derivation.DEFAULT_TOLERANCE_M,
                min_fragment_m: float = derivation.DEFAULT_MIN_FRAGMENT_M,
                valid_from: dt.date | None = None, is_demo: bool = False) -> tuple[BoundaryLine, bool]:
    """Register (or re-derive) the current line `name` as the shared border of two divisions.
    Returns (line, changed): a re-derivation that gives the same geometry changes nothing."""
    if division_a.pk == division_b.pk:
        raise DomainRuleError("界线需要两个不同的区划", "divisions")
    require_codes([division_a.code, division_b.code], f"{division_a.name}与{division_b.name}的界线")
    try:
        derived = derivation.derive_shared_border(to_shapely(_current_geometry(division_a)),
                                                  to_shapely(_current_geometry(division_b)),
                                                  tolerance_m=tolerance_m, min_fragment_m=min_fragment_m)
    except derivation.NoSharedBorder as exc:
        raise DomainRuleError(f"{division_a.name}与{division_b.name}：{exc}", "divisions") from exc
    geometry = to_geos(derived.geometry)
    with acting_as(actor):
        line = BoundaryLine.objects.select_for_update().filter(name=name, status=LineStatus.CURRENT).first()
        if line is not None:  # re-deriving an existing line changes that line's data too
            require_change(line)
        if line is not None and line.geometry.equals_exact(geometry, 1e-9) and \
                line.derivation == derived.report.as_dict():
            return line, False
        if line is None:
            taken = BoundaryLine.objects.values_list("code", flat=True)
            try:
                code = numbering.check_line_code(code) if code else \
                    numbering.line_code_for([division_a.code, division_b.code], taken)
            except ValueError as exc:
                raise DomainRuleError(str(exc), "code") from exc
            if BoundaryLine.objects.filter(code=code).exists():
                raise ConflictError(f"界线代码 {code} 已被使用（代码不重复使用）")
            line = BoundaryLine(name=name, code=code, valid_from=valid_from, is_demo=is_demo)
        line.geometry = geometry
        line.length_m = derived.report.length_m
        line.direction = derived.report.direction
        line.derivation = derived.report.as_dict()
        line.save()
        line.divisions.set([division_a, division_b])
    return line, True


def retire_line(line: BoundaryLine, on: dt.date, *, actor: str) -> BoundaryLine:
    require_change(line)
    with acting_as(actor):
        line.status, line.valid_to = LineStatus.RETIRED, on
        line.save(update_fields=["status", "valid_to", "updated_at"])
    return line


@dataclass
class MarkerInput:
    number: str
    kind: str
    position: Point  # CGCS2000
    reference_objects: list[dict]
    side_division: Division | None = None
    junction_codes: list[str] = field(default_factory=list)
    elevation_m: float | None = None
    material: str = ""
    buried_on: dt.date | None = None
    photos: list[str] = field(default_factory=list)
    remarks: str = ""
    surveyed_on: dt.date | None = None
    is_demo: bool = False


def _line_codes(line: BoundaryLine) -> list[str]:
    return sorted(line_codes(line))


def check_marker(line: BoundaryLine, data: MarkerInput) -> numbering.MarkerNumber:
    """The number rule, the 方位物 and the position on the line; DomainRuleError naming the field."""
    codes = data.junction_codes if data.kind == numbering.TRIPLE else _line_codes(line)
    if data.kind == numbering.TRIPLE and not set(_line_codes(line)) <= set(codes):
        raise DomainRuleError("三立界桩的交会区划应包含本界线的两个区划", "junction_codes")
    side = data.side_division.code if data.side_division else None
    try:
        parsed = numbering.validate_number(data.number, line_code=line.code, kind=data.kind, side_code=side,
                                           division_codes=codes)
    except numbering.MarkerNumberError as exc:
        raise DomainRuleError(str(exc), "number") from exc
    try:
        data.reference_objects = displacement.check_reference_objects(data.reference_objects)
    except ValueError as exc:
        raise DomainRuleError(str(exc), "reference_objects") from exc
    epsg = line.derivation.get("projection") or derivation.metric_crs_for(to_shapely(line.geometry))
    line_m = derivation.reproject(to_shapely(line.geometry), epsg)
    point_m = derivation.reproject(to_shapely(data.position), epsg)
    offset = line_m.distance(point_m)
    if offset > MAX_MARKER_OFFSET_M:
        raise DomainRuleError(f"界桩位置距界线 {offset:.0f} 米，超过 {MAX_MARKER_OFFSET_M:.0f} 米", "position")
    _check_sequence_order(line, line_m, epsg, parsed.sequence, placement.chainage(line_m, point_m))
    return parsed


def _check_sequence_order(line: BoundaryLine, line_m, epsg: str, sequence: int, at: float) -> None:  # type: ignore[no-untyped-def]
    """Sequence numbers grow along the line (west→east or north→south)."""
    direction = dict(west_east="自西向东", north_south="自北向南").get(line.direction, "")
    for other in line.markers.exclude(state=MarkerState.RETIRED).exclude(sequence=sequence):
        there = placement.chainage(line_m, derivation.reproject(to_shapely(other.position), epsg))
        if (other.sequence < sequence and there > at + 1.0) or (other.sequence > sequence and there < at - 1.0):
            raise DomainRuleError(f"序号 {sequence:03d} 与位置不符：界桩序号应{direction}递增，"
                                  f"而 {other.number} 位于其{'后' if there > at else '前'}", "number")


def create_marker(line: BoundaryLine, data: MarkerInput, *, actor: str) -> BoundaryMarker:
    # The new marker's owner: its side division when it has one, else the line's parties.
    require_codes([data.side_division.code] if data.side_division else line_codes(line), f"界桩 {data.number}")
    if line.status != LineStatus.CURRENT:
        raise DomainRuleError(f"界线 {line.name} 已废止，不能新增界桩", "line")
    if BoundaryMarker.objects.filter(number=data.number).exists():
        raise ConflictError(f"界桩编号 {data.number} 已存在")
    parsed = check_marker(line, data)
    with acting_as(actor):
        try:
            return BoundaryMarker.objects.create(
                number=data.number, line=line, sequence=parsed.sequence, type_code=parsed.letter, kind=data.kind,
                side_division=data.side_division, junction_codes=data.junction_codes, position=data.position,
                elevation_m=data.elevation_m, reference_objects=data.reference_objects, material=data.material,
                buried_on=data.buried_on, photos=data.photos, remarks=data.remarks,
                surveyed_on=data.surveyed_on, is_demo=data.is_demo)
        except IntegrityError as exc:
            raise ConflictError(f"界桩 {data.number} 与已有记录冲突") from exc


def add_marker_photo(marker: BoundaryMarker, path: str, *, actor: str) -> BoundaryMarker:
    require_change(marker)
    with acting_as(actor):
        marker = BoundaryMarker.objects.select_for_update().get(pk=marker.pk)
        marker.photos = [*marker.photos, path]
        marker.save(update_fields=["photos", "updated_at"])
    return marker


def start_campaign(line: BoundaryLine, *, title: str, period_start: dt.date, actor: str,
                   period_end: dt.date | None = None, participants: list[dict] | None = None, plan: str = "",
                   basis: str = "", ad_hoc: bool = False, ad_hoc_reason: str = "") -> InspectionCampaign:
    require_change(line)
    divisions = sorted(line.divisions.all(), key=lambda d: d.code)
    if len(divisions) != 2:
        raise DomainRuleError("联检界线应有两方区划", "line")
    if ad_hoc and not ad_hoc_reason.strip():
        raise DomainRuleError("临时联检须说明原因（如洪水、河道变迁、道路施工）", "ad_hoc_reason")
    if period_end and period_end < period_start:
        raise DomainRuleError("结束日期早于开始日期", "period_end")
    with acting_as(actor):
        return InspectionCampaign.objects.create(
            line=line, title=title, period_start=period_start, period_end=period_end, party_a=divisions[0],
            party_b=divisions[1], participants=participants or [], plan=plan, basis=basis, ad_hoc=ad_hoc,
            ad_hoc_reason=ad_hoc_reason.strip(), created_by=actor)


def trigger_ad_hoc(line: BoundaryLine, reason: str, *, actor: str, on: dt.date) -> InspectionCampaign:
    """An extra inspection outside the cycle (after floods, river shifts, road works)."""
    return start_campaign(line, title=f"{line.name}临时联检（{on.isoformat()}）", period_start=on, actor=actor,
                          ad_hoc=True, ad_hoc_reason=reason)


def _open_campaign(campaign: InspectionCampaign) -> None:
    require_change(campaign)
    if campaign.status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
        raise DomainRuleError(f"联检“{campaign.title}”已{campaign.get_status_display()}，不能再修改", "campaign")


@dataclass
class InspectionInput:
    marker: BoundaryMarker
    condition: str
    inspected_on: dt.date
    measured: tuple[float, float, str] | None = None  # lon, lat, crs as sent
    action: str = Action.NONE
    reference_objects_ok: bool = True
    photos: list[str] = field(default_factory=list)
    remarks: str = ""


_STATE_AFTER = {Condition.GOOD: MarkerState.GOOD, Condition.DAMAGED: MarkerState.DAMAGED,
                Condition.LOST: MarkerState.LOST, Condition.MOVED: MarkerState.MOVED}


def record_marker_inspection(campaign: InspectionCampaign, data: InspectionInput, *, actor: str) -> MarkerInspection:
    """One marker's record in the campaign (re-recording replaces it). Rebuilt and restored
    markers update their registered record: restored → back at the registered position, good;
    rebuilt → the new measured position, good, buried on the inspection day."""
    _open_campaign(campaign)
    marker = data.marker
    if marker.line_id != campaign.line_id:
        raise DomainRuleError(f"界桩 {marker.number} 不在本次联检的界线上", "marker")
    measured = moved = None
    if data.measured is not None:
        try:
            measured = displacement.measured_position(*data.measured)
        except ValueError as exc:
            raise DomainRuleError(str(exc), "measured") from exc
        moved = displacement.displacement((marker.position.x, marker.position.y), (measured.lon, measured.lat))
    if data.condition == Condition.MOVED and measured is None:
        raise DomainRuleError("移位的界桩须填写实测位置，以计算位移", "measured")
    if data.condition == Condition.LOST and data.action == Action.RESTORED:
        raise DomainRuleError("丢失的界桩不能“复位”，应重建", "action")
    if data.action == Action.REBUILT and measured is None:
        raise DomainRuleError("重建的界桩须填写新的实测位置", "measured")
    point = Point(measured.lon, measured.lat, srid=4490) if measured else None
    values = dict(inspected_on=data.inspected_on, condition=data.condition, measured_position=point,
                  measured_crs=measured.crs if measured else "", measured_converted=bool(measured and measured.converted),
                  displacement_m=round(moved.metres, 3) if moved else None,
                  displacement_azimuth_deg=round(moved.azimuth_deg, 1) if moved else None,
                  registered_position=marker.position, action=data.action,
                  reference_objects_ok=data.reference_objects_ok, photos=data.photos, remarks=data.remarks,
                  recorded_by=actor)
    with acting_as(actor):
        record, _ = MarkerInspection.objects.update_or_create(campaign=campaign, marker=marker, defaults=values)
        _update_marker(marker, data, point)
        if campaign.status == CampaignStatus.PLANNED:
            campaign.status = CampaignStatus.IN_PROGRESS
            campaign.save(update_fields=["status", "updated_at"])
    return record


def _update_marker(marker: BoundaryMarker, data: InspectionInput, point: Point | None) -> None:
    fields = ["state", "updated_at"]
    if data.action == Action.RESTORED or data.action == Action.REPAIRED:
        marker.state = MarkerState.GOOD
    elif data.action == Action.REBUILT:
        marker.state, marker.position = MarkerState.GOOD, point
        marker.buried_on = marker.surveyed_on = data.inspected_on
        fields += ["position", "buried_on", "surveyed_on"]
    else:
        marker.state = _STATE_AFTER[Condition(data.condition)]
    marker.save(update_fields=fields)


def add_finding(campaign: InspectionCampaign, *, kind: str, description: str, actor: str,
                from_marker: BoundaryMarker | None = None, to_marker: BoundaryMarker | None = None,
                geometry: GEOSGeometry | None = None, action: str = "") -> SegmentFinding:
    _open_campaign(campaign)
    for name, marker in (("from_marker", from_marker), ("to_marker", to_marker)):
        if marker is not None and marker.line_id != campaign.line_id:
            raise DomainRuleError(f"界桩 {marker.number} 不在本次联检的界线上", name)
    with acting_as(actor):
        return SegmentFinding.objects.create(campaign=campaign, kind=kind, description=description,
                                             from_marker=from_marker, to_marker=to_marker, geometry=geometry,
                                             action=action)


def add_follow_up(campaign: InspectionCampaign, *, description: str, responsible: str, deadline: dt.date,
                  actor: str, marker: BoundaryMarker | None = None,
                  finding: SegmentFinding | None = None) -> FollowUpItem:
    require_change(campaign)
    if campaign.status == CampaignStatus.CANCELLED:
        raise DomainRuleError("联检已取消", "campaign")
    if marker is not None and marker.line_id != campaign.line_id:
        raise DomainRuleError(f"界桩 {marker.number} 不在本次联检的界线上", "marker")
    if finding is not None and finding.campaign_id != campaign.pk:
        raise DomainRuleError("该检查发现不属于本次联检", "finding")
    with acting_as(actor):
        return FollowUpItem.objects.create(campaign=campaign, description=description, responsible=responsible,
                                           deadline=deadline, marker=marker, finding=finding)


def close_follow_up(item: FollowUpItem, *, closed_on: dt.date, resolution: str, actor: str) -> FollowUpItem:
    """Follow-ups are tracked to closure, also after the campaign itself is complete."""
    require_change(item)
    if item.status == FollowUpStatus.CLOSED:
        raise ConflictError(f"整改事项已于 {item.closed_on} 办结")
    if not resolution.strip():
        raise DomainRuleError("办结须填写办理结果", "resolution")
    if closed_on < item.campaign.period_start:
        raise DomainRuleError("办结日期早于联检开始日期", "closed_on")
    with acting_as(actor):
        item.status, item.closed_on, item.resolution = FollowUpStatus.CLOSED, closed_on, resolution.strip()
        item.save(update_fields=["status", "closed_on", "resolution"])
    return item


def complete_campaign(campaign: InspectionCampaign, *, completed_on: dt.date, actor: str,
                      agreed_handling: str = "") -> InspectionCampaign:
    """Every marker of the line must have its record; follow-ups may stay open (tracked on)."""
    _open_campaign(campaign)
    if completed_on < campaign.period_start:
        raise DomainRuleError("完成日期早于联检开始日期", "completed_on")
    done = set(campaign.marker_records.values_list("marker_id", flat=True))
    missing = [m.number for m in campaign.line.markers.exclude(state=MarkerState.RETIRED) if m.pk not in done]
    if missing:
        shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
        raise DomainRuleError(f"尚有 {len(missing)} 个界桩未检查：{shown}", "marker_records")
    with acting_as(actor):
        campaign.status, campaign.completed_on = CampaignStatus.COMPLETED, completed_on
        campaign.period_end = campaign.period_end or completed_on
        if agreed_handling:
            campaign.agreed_handling = agreed_handling
        campaign.save()
    return campaign
