"""Gathers what the two PDFs print (documents.py) from the registers: projects the line and its
markers into the line's Gauss-Krüger zone and turns records into table rows."""
from __future__ import annotations

from collections import Counter

from shapely.geometry import MultiLineString

from apps.common.shapes import to_shapely

from . import derivation, documents
from .models import BoundaryLine, BoundaryMarker, Condition, InspectionCampaign


def _date(value: object) -> str:
    return value.isoformat() if value else "—"  # type: ignore[attr-defined]


def _projection(line: BoundaryLine) -> str:
    return line.derivation.get("projection") or derivation.metric_crs_for(to_shapely(line.geometry))


def map_of(line: BoundaryLine, highlight: str | None = None) -> documents.MapData:
    epsg = _projection(line)
    line_m = derivation.reproject(to_shapely(line.geometry), epsg)
    pieces = list(line_m.geoms) if isinstance(line_m, MultiLineString) else [line_m]
    markers = []
    for marker in line.markers.all().order_by("sequence", "type_code"):
        point = derivation.reproject(to_shapely(marker.position), epsg)
        label = marker.number if marker.number == highlight else f"{marker.sequence}{marker.type_code}"
        markers.append((point.x, point.y, label, marker.get_state_display()))
    return documents.MapData([list(p.coords) for p in pieces], markers, epsg, highlight)


def _sides(line: BoundaryLine) -> str:
    return "｜".join(f"{d.name}（{d.code}）" for d in sorted(line.divisions.all(), key=lambda d: d.code))


def marker_sheet(marker: BoundaryMarker) -> documents.MarkerSheet:
    line = marker.line
    epsg = _projection(line)
    point = derivation.reproject(to_shapely(marker.position), epsg)
    inspections = [(_date(r.inspected_on), r.get_condition_display(),
                    f"{r.displacement_m:.2f}" if r.displacement_m is not None else "—", r.get_action_display(),
                    r.campaign.title) for r in marker.inspections.select_related("campaign").order_by("inspected_on")]
    return documents.MarkerSheet(
        number=marker.number, line=f"{line.name}（{line.code}）", kind=f"{marker.get_kind_display()}（{marker.type_code}）",
        sides=_sides(line), side=f"{marker.side_division.name}（{marker.side_division.code}）" if marker.side_division else "",
        lon=marker.position.x, lat=marker.position.y, x_m=point.x, y_m=point.y, projection=epsg,
        elevation=f"{marker.elevation_m:.2f} 米" if marker.elevation_m is not None else "待实测",
        material=marker.material, buried_on=_date(marker.buried_on), state=marker.get_state_display(),
        surveyed_on=_date(marker.surveyed_on), reference_objects=marker.reference_objects, photos=marker.photos,
        remarks=marker.remarks, inspections=inspections, map=map_of(line, marker.number), is_demo=marker.is_demo)


def campaign_report(campaign: InspectionCampaign) -> documents.CampaignReport:
    line = campaign.line
    records = list(campaign.marker_records.select_related("marker").order_by("marker__sequence", "marker__type_code"))
    counts = Counter(r.get_condition_display() for r in records)
    labels = [c.label for c in Condition]
    side_label = {"a": f"甲方（{campaign.party_a.name}）", "b": f"乙方（{campaign.party_b.name}）"}
    rows = [(r.marker.number, r.get_condition_display(),
             f"{r.measured_position.x:.6f}, {r.measured_position.y:.6f}" if r.measured_position else "—",
             f"{r.displacement_m:.2f}" if r.displacement_m is not None else "—", r.get_action_display(),
             r.remarks + ("（实测坐标由 GCJ-02 转换）" if r.measured_converted else "")) for r in records]
    findings = [(f.get_kind_display(),
                 "—".join(m.number for m in (f.from_marker, f.to_marker) if m) or ("见附图" if f.geometry else "—"),
                 f.description, f.action or "—") for f in campaign.findings.select_related("from_marker", "to_marker")]
    follow_ups = [(i.description + (f"（界桩 {i.marker.number}）" if i.marker else ""), i.get_responsible_display(),
                   _date(i.deadline), i.get_status_display(),
                   f"{_date(i.closed_on)} {i.resolution}" if i.closed_on else "—")
                  for i in campaign.follow_ups.select_related("marker")]
    period = f"{_date(campaign.period_start)} 至 {_date(campaign.period_end)}"
    return documents.CampaignReport(
        title=campaign.title, line=f"{line.name}（{line.code}）", length_km=line.length_m / 1000,
        marker_count=line.markers.count(), period=period,
        party_a=f"{campaign.party_a.name}（{campaign.party_a.code}）",
        party_b=f"{campaign.party_b.name}（{campaign.party_b.code}）", status=campaign.get_status_display(),
        kind=f"临时联检（{campaign.ad_hoc_reason}）" if campaign.ad_hoc else "周期联检",
        participants=[(p.get("name", ""), side_label.get(p.get("side", ""), ""), p.get("role", ""))
                      for p in campaign.participants],
        plan=campaign.plan, basis=campaign.basis,
        condition_counts={label: counts[label] for label in labels if counts[label]},
        records=rows, findings=findings, follow_ups=follow_ups, agreed_handling=campaign.agreed_handling,
        map=map_of(line), notes=["注：界线与界桩含演示数据（位置为示意）。"] if line.is_demo else [])
