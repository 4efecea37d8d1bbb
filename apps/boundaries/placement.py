"""Where 界桩 stand along a line, in metres: demo placement (ends, sharp bends, otherwise every
few km), chainage along an oriented line (for the west→east / north→south sequence rule), the two
positions of a double-sided marker, and demo 方位物 (reference objects). Pure module: no Django.

All geometry here is in a metric CRS (see `derivation.reproject`); lines are oriented already.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import LineString, MultiLineString, Point

DEFAULT_SPACING_M = 3000.0
MIN_GAP_M = 800.0  # two markers closer than this along the line: keep only the first
BEND_DEGREES = 60.0  # a turn sharper than this (on the line simplified at BEND_SIMPLIFY_M) gets a marker
BEND_SIMPLIFY_M = 150.0
ENDS, BEND, SPACING = "end", "bend", "spacing"
REASON_LABELS = {ENDS: "界线端点", BEND: "急转折点", SPACING: "按间距加密"}


@dataclass(frozen=True)
class Station:
    point: Point  # metric
    chainage_m: float
    reason: str


def pieces_of(line: LineString | MultiLineString) -> list[LineString]:
    return list(line.geoms) if isinstance(line, MultiLineString) else [line]


def chainage(line: LineString | MultiLineString, point: Point) -> float:
    """Distance along the oriented line (pieces end to end) of the point's nearest position."""
    offset, best, best_d = 0.0, 0.0, math.inf
    for piece in pieces_of(line):
        d = piece.distance(point)
        if d < best_d:
            best_d, best = d, offset + piece.project(point)
        offset += piece.length
    return best


def _turn_degrees(a: tuple[float, ...], b: tuple[float, ...], c: tuple[float, ...]) -> float:
    h1 = math.atan2(b[1] - a[1], b[0] - a[0])
    h2 = math.atan2(c[1] - b[1], c[0] - b[0])
    return abs(math.degrees((h2 - h1 + math.pi) % (2 * math.pi) - math.pi))


def stations(line: LineString | MultiLineString, *, spacing_m: float = DEFAULT_SPACING_M,
             bend_degrees: float = BEND_DEGREES, min_gap_m: float = MIN_GAP_M) -> list[Station]:
    """Marker stations along the oriented metric line, in sequence order."""
    if spacing_m <= 0:
        raise ValueError("间距必须大于 0")
    found: list[Station] = []
    offset = 0.0
    for piece in pieces_of(line):
        anchors = [(0.0, ENDS), (piece.length, ENDS)]
        coords = list(piece.simplify(BEND_SIMPLIFY_M).coords)
        for a, b, c in zip(coords, coords[1:], coords[2:]):
            if _turn_degrees(a, b, c) >= bend_degrees:
                anchors.append((piece.project(Point(b)), BEND))
        anchors.sort()
        filled: list[tuple[float, str]] = []
        for (m0, r0), (m1, _r1) in zip(anchors, anchors[1:]):
            filled.append((m0, r0))
            extra = int((m1 - m0) // spacing_m)
            step = (m1 - m0) / (extra + 1)
            filled.extend((m0 + step * k, SPACING) for k in range(1, extra + 1))
        filled.append(anchors[-1])
        kept: list[tuple[float, str]] = []
        for m, reason in filled:
            if kept and m - kept[-1][0] < min_gap_m:
                if reason == ENDS and m == piece.length:
                    kept[-1] = (m, reason)  # the line's end wins over a nearby fill point
                continue
            kept.append((m, reason))
        found.extend(Station(piece.interpolate(m), offset + m, reason) for m, reason in kept)
        offset += piece.length
    return found


def side_points(line: LineString | MultiLineString, point: Point, distance_m: float) -> tuple[Point, Point]:
    """Two points `distance_m` either side of the line at `point` (left, right of its direction)."""
    piece = min(pieces_of(line), key=lambda p: p.distance(point))
    m = piece.project(point)
    a = piece.interpolate(max(0.0, m - 5.0))
    b = piece.interpolate(min(piece.length, m + 5.0))
    dx, dy = b.x - a.x, b.y - a.y
    norm = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / norm * distance_m, dx / norm * distance_m
    return Point(point.x + nx, point.y + ny), Point(point.x - nx, point.y - ny)


_REFERENCE_KINDS = ("电杆", "独立树", "房屋墙角", "道路交叉口", "桥头", "水渠拐角", "通信塔", "坟包")


def demo_reference_objects(seed: int, count: int = 3) -> list[dict]:
    """Plausible, clearly marked demo 方位物: azimuths spread round the compass, 15–120 m away."""
    out = []
    for k in range(count):
        azimuth = (seed * 47 + k * (360 / count) + 23) % 360
        distance = 15 + (seed * 31 + k * 17) % 106
        out.append({"name": f"{_REFERENCE_KINDS[(seed + k) % len(_REFERENCE_KINDS)]}（演示）",
                    "azimuth_deg": round(azimuth, 1), "distance_m": float(distance)})
    return out


__all__ = ["Station", "chainage", "demo_reference_objects", "pieces_of", "side_points",
           "stations", "REASON_LABELS"]
