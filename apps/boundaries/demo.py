"""The six real boundary lines of the seed counties' work reports, derived from the real county
polygons, with demo 界桩 along them (idempotent: a second run creates nothing).

Which counties each line separates comes from the seed data (data/seed/PROVENANCE.md): the line
name joins the two counties' first characters (中方–芷江 = 中芷线). Line codes follow
`numbering` (province + serial): listed here so the demo is the same on every machine.

Demo markers are **approximate**: placed at the line's ends, its sharp bends and otherwise every
~3 km, every fifth inner station as a double-sided pair (A/B 3 m either side of the line), with
generated 方位物; `is_demo` is set and the remarks say so. Elevation is left empty (no DEM).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.gis.geos import Point

from apps.common.shapes import to_shapely
from apps.divisions.models import Division

from . import derivation, numbering, placement, services
from .models import BoundaryLine, LineStatus

ACTOR = "demo-loader"
DEMO_NOTE = "演示数据：位置按界线示意布设、方位物为生成，非实测"
DOUBLE_EVERY = 5
DOUBLE_OFFSET_M = 3.0

#: (name, code, the two counties' codes)
SIX_LINES: list[tuple[str, str, tuple[str, str]]] = [
    ("中芷线", "4301", ("431221", "431228")),  # 中方县 – 芷江侗族自治县
    ("辰溆线", "4302", ("431223", "431224")),  # 辰溪县 – 溆浦县
    ("青黄线", "3401", ("341723", "341003")),  # 青阳县 – 黄山区
    ("南青线", "3402", ("340223", "341723")),  # 南陵县 – 青阳县
    ("嘉湖线德桐段", "3301", ("330521", "330483")),  # 德清县 – 桐乡市 (嘉兴–湖州 line, 德清–桐乡 part)
    ("南德线", "3302", ("330503", "330521")),  # 南浔区 – 德清县
]


@dataclass
class DemoReport:
    lines_created: int = 0
    markers_created: int = 0
    per_line: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = "，".join(f"{k} {v} 个界桩" for k, v in self.per_line.items())
        return f"新建界线 {self.lines_created} 条、界桩 {self.markers_created} 个（{counts}）"


def _county(code: str) -> Division | None:
    return Division.objects.filter(code=code, valid_to__isnull=True).exclude(geometry__isnull=True).first()


def load_demo_boundaries() -> DemoReport:
    report = DemoReport()
    for name, code, (code_a, code_b) in SIX_LINES:
        line = BoundaryLine.objects.filter(name=name, status=LineStatus.CURRENT).first()
        if line is None:
            a, b = _county(code_a), _county(code_b)
            if a is None or b is None:
                report.skipped.append(f"{name}：区划 {code_a}/{code_b} 未加载或没有边界")
                continue
            line, _ = services.derive_line(name, a, b, code=code, actor=ACTOR, is_demo=True)
            report.lines_created += 1
        if not line.markers.exists():
            report.markers_created += place_demo_markers(line)
        report.per_line[name] = line.markers.count()
    return report


def place_demo_markers(line: BoundaryLine) -> int:
    epsg = line.derivation["projection"]
    line_m = derivation.reproject(to_shapely(line.geometry), epsg)
    divisions = sorted(line.divisions.all(), key=lambda d: d.code)
    polygons_m = [derivation.reproject(to_shapely(d.geometry), epsg) for d in divisions]
    stations = placement.stations(line_m)
    created = 0
    for seq, station in enumerate(stations, 1):
        double = station.reason != placement.ENDS and seq % DOUBLE_EVERY == 0
        note = f"{DEMO_NOTE}（{placement.REASON_LABELS[station.reason]}）"
        if not double:
            _create(line, seq, "Q", numbering.SINGLE, station.point, epsg, None, note)
            created += 1
            continue
        for point_m in placement.side_points(line_m, station.point, DOUBLE_OFFSET_M):
            inside = [d for d, poly in zip(divisions, polygons_m) if poly.contains(point_m)]
            if len(inside) != 1:
                continue  # a point on or beyond both borders (a sliver): no marker on that side
            letter = numbering.expected_letter(numbering.DOUBLE, inside[0].code, [d.code for d in divisions])
            _create(line, seq, letter, numbering.DOUBLE, point_m, epsg, inside[0], note)
            created += 1
    return created


def _create(line: BoundaryLine, seq: int, letter: str, kind: str, point_m, epsg: str,  # type: ignore[no-untyped-def]
            side: Division | None, note: str) -> None:
    lonlat = derivation.reproject(point_m, epsg, inverse=True)
    number = numbering.format_number(line.code, seq, letter)
    services.create_marker(line, services.MarkerInput(
        number=number, kind=kind, position=Point(lonlat.x, lonlat.y, srid=4490), side_division=side,
        reference_objects=placement.demo_reference_objects(seq * 7 + ord(letter)), material="花岗岩",
        remarks=note, is_demo=True), actor=ACTOR)
