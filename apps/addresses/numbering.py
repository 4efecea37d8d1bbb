"""Door-number allocation along a road, after GB/T 35639-2017 Annex B.

Rules (national defaults; local rules differ, so they are data in `NumberingRule`):

* east–west roads (overall bearing within ±`tolerance_deg` of due east/west): numbered from the
  EAST end towards the west, ODD numbers on the NORTH side, even on the south;
* north–south roads: numbered from the NORTH end southwards, ODD numbers on the WEST side;
* any other ("diagonal") road, and a closed loop (no overall bearing): numbered from the first
  vertex of the centre line as digitised, ODD numbers on the RIGHT of the numbering direction.

With the defaults the odd side is always on the right of someone walking in the numbering
direction; the rule is turned into that left/right form once per road (`classify_road`) and then
applied against the LOCAL segment of the centre line, so curved roads keep a consistent side.

Allocation among existing doors of one side (`next_number`), with d the new building's distance
from the numbering origin and a/b the existing doors just before/after it:

* no door after d (incl. the first ever): the side's next number after the largest (1 / 2 first);
* a < d < b and a whole number of the side's parity is free strictly between a and b: the
  smallest such number (the road origin counts as a virtual door 0/-1, so a building before the
  first door gets the smallest free number below it, e.g. 1号 if 1 is free);
* otherwise a 附号 (8-1号, 8之一): the base number of a (of b = the first door when d lies before
  it) with suffix = largest suffix in use on that base + 1.  Exception (legacy data only): when a
  and b share the base number and a suffix is free between theirs, that suffix is taken.

Order is kept, i.e. (number, suffix) sorts like distance, whenever any order-keeping label is
free.  With integer labels none can exist in two cases: before 1号/2号 (nothing sorts below 1,
so the new door becomes 1-k号 although it stands before 1号), and between two doors that share a
base number with adjacent suffixes (8 and 8-1).  Then the 附号 is still given (never a
duplicate), base numbers still never decrease along the road, and only the suffix is out of order.

Pure: numpy, shapely 2, pyproj.  No Django import.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Sequence

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from shapely.geometry import LineString, Point

__all__ = ["NumberingRule", "DEFAULT_RULE", "RoadOrientation", "RoadPosition", "DoorNumber", "classify_road",
           "locate_on_road", "locate_many", "next_number", "format_door", "number_new_road"]

Kind = Literal["east_west", "north_south", "diagonal"]
Side = Literal["odd", "even"]
Hand = Literal["left", "right"]

_GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid differs from GRS80 by 0.1 mm in the minor axis
_CGCS2000 = CRS.from_epsg(4490)
_COMPASS = {"north": 0.0, "east": 90.0, "south": 180.0, "west": 270.0}
_OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}
_LOOP_M = 1.0  # first and last vertex closer than this: a ring road, no overall bearing


@dataclass(frozen=True)
class NumberingRule:
    """Where numbering starts and which side is odd.  Defaults = GB/T 35639-2017 Annex B."""

    tolerance_deg: float = 30.0  # max deviation from due E–W / N–S to count as such a road
    east_west_origin: str = "east"
    east_west_odd: str = "north"
    north_south_origin: str = "north"
    north_south_odd: str = "west"
    diagonal_odd: str = "right"  # relative to the numbering (= digitising) direction

    def __post_init__(self) -> None:
        ok = (0.0 <= self.tolerance_deg <= 45.0
              and self.east_west_origin in ("east", "west") and self.east_west_odd in ("north", "south")
              and self.north_south_origin in ("north", "south") and self.north_south_odd in ("east", "west")
              and self.diagonal_odd in ("left", "right"))
        if not ok:
            raise ValueError(f"invalid numbering rule: {self}")


DEFAULT_RULE = NumberingRule()


@dataclass(frozen=True)
class RoadOrientation:
    kind: Kind
    bearing_deg: float  # geodesic azimuth first → last vertex as digitised, [0, 360); NaN for a loop
    reversed: bool  # True: numbering runs from the LAST vertex towards the first
    odd_side: Hand  # side of the odd numbers, seen walking in the numbering direction


@dataclass(frozen=True)
class RoadPosition:
    side: Side
    distance_m: float  # along the centre line from the numbering origin, clamped to [0, length]
    offset_m: float  # from the foot point (perpendicular, except beyond the road's ends)


@dataclass(frozen=True)
class DoorNumber:
    """A door label (8号, 8-1号) and where its building stands along the road.

    Identity (==, hash) is the label only; `distance_m` is placement metadata."""

    number: int
    suffix: int = 0
    distance_m: float = field(default=math.nan, compare=False)

    def __post_init__(self) -> None:
        if self.number < 1 or self.suffix < 0:
            raise ValueError(f"invalid door number {self.number}-{self.suffix}")


def _coords(line: LineString) -> np.ndarray:
    if not isinstance(line, LineString) or line.is_empty:
        raise ValueError("road centre line must be a non-empty LineString")
    xy = shapely.get_coordinates(line)
    xy = np.vstack([xy[:1], xy[1:][np.any(np.diff(xy, axis=0) != 0, axis=1)]])  # drop repeated vertices
    if len(xy) < 2:
        raise ValueError("road centre line needs two distinct vertices")
    return xy


def classify_road(line: LineString, rule: NumberingRule = DEFAULT_RULE) -> RoadOrientation:
    """Kind of road and numbering direction, from the ellipsoidal bearing first → last vertex."""
    xy = _coords(line)
    az, _, dist = _GEOD.inv(xy[0, 0], xy[0, 1], xy[-1, 0], xy[-1, 1])
    if dist < _LOOP_M:  # ring road: "from the start, odd on the right" is the only rule that applies
        return RoadOrientation("diagonal", math.nan, False, rule.diagonal_odd)  # type: ignore[arg-type]
    az %= 360.0
    axis = az % 180.0  # travel sense irrelevant here: 0 = N–S axis, 90 = E–W axis
    dev_ew, dev_ns = abs(axis - 90.0), min(axis, 180.0 - axis)
    tol = rule.tolerance_deg
    if dev_ew <= tol and dev_ew <= dev_ns:
        kind: Kind = "east_west"
        origin, odd = rule.east_west_origin, rule.east_west_odd
        # Digitised heading towards the origin end → the numbering runs against the digitising.
        rev = (math.sin(math.radians(az)) > 0) == (origin == "east")
    elif dev_ns <= tol:
        kind = "north_south"
        origin, odd = rule.north_south_origin, rule.north_south_odd
        rev = (math.cos(math.radians(az)) > 0) == (origin == "north")
    else:
        return RoadOrientation("diagonal", az, False, rule.diagonal_odd)  # type: ignore[arg-type]
    # Compass side → hand: walking towards azimuth w, the right hand points to w + 90°.
    walk = _COMPASS[_OPPOSITE[origin]]
    hand: Hand = "right" if (_COMPASS[odd] - walk) % 360.0 == 90.0 else "left"
    return RoadOrientation(kind, az, rev, hand)


@lru_cache(maxsize=256)
def _local_tm(lon0: float, lat0: float) -> Transformer:
    # Transverse Mercator on CGCS2000 centred on the road: scale error ~ (x/R)^2/2, i.e. about 1e-6
    # 10 km off-centre, so plane lengths are metres along the ground.  The centre is rounded to
    # 0.01° so neighbouring roads share one cached transformer (thread-safe since pyproj 3.1).
    conv = TransverseMercatorConversion(latitude_natural_origin=lat0, longitude_natural_origin=lon0,
                                        false_easting=0.0, false_northing=0.0, scale_factor_natural_origin=1.0)
    return Transformer.from_crs(_CGCS2000, ProjectedCRS(conversion=conv, geodetic_crs=_CGCS2000), always_xy=True)


def _locate(line: LineString, points: Sequence[Point], rule: NumberingRule,
            orientation: RoadOrientation | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised core: (is_odd, distance_m, offset_m) arrays, one entry per point."""
    ll = _coords(line)
    orient = orientation or classify_road(line, rule)
    geoms = np.asarray(points, dtype=object).reshape(-1)
    if len(geoms) and (np.any(shapely.get_type_id(geoms) != 0) or np.any(shapely.is_empty(geoms))):
        raise ValueError("buildings must be non-empty Points")
    pll = shapely.get_coordinates(geoms)
    tm = _local_tm(round(float(ll[:, 0].min() + ll[:, 0].max()) / 2, 2),
                   round(float(ll[:, 1].min() + ll[:, 1].max()) / 2, 2))
    v = np.column_stack(tm.transform(ll[:, 0], ll[:, 1]))
    p = np.column_stack(tm.transform(pll[:, 0], pll[:, 1])).reshape(-1, 2)
    seg = np.diff(v, axis=0)
    seg_len = np.hypot(seg[:, 0], seg[:, 1])
    cum = np.concatenate(([0.0], np.cumsum(seg_len)))
    d = np.clip(shapely.line_locate_point(shapely.linestrings(v), shapely.points(p)), 0.0, cum[-1])
    # Segment holding each foot point: its direction is the LOCAL tangent, so the side follows the
    # road round bends instead of being judged against the whole-road bearing.
    i = np.clip(np.searchsorted(cum, d, side="right") - 1, 0, len(seg) - 1)
    t = seg[i]
    rel = p - v[i]
    cross = t[:, 0] * rel[:, 1] - t[:, 1] * rel[:, 0]  # > 0: left of the digitising direction
    foot = v[i] + t * ((d - cum[i]) / seg_len[i])[:, None]
    offset = np.hypot(*(p - foot).T)
    left = cross < 0 if orient.reversed else cross > 0  # hands as seen in the numbering direction
    right = cross > 0 if orient.reversed else cross < 0
    # A building exactly on the centre line (cross == 0, bad data) goes to the odd side.
    is_odd = ~left if orient.odd_side == "right" else ~right
    dist = cum[-1] - d if orient.reversed else d
    return is_odd, dist, offset


def locate_many(line: LineString, points: Sequence[Point], rule: NumberingRule = DEFAULT_RULE,
                orientation: RoadOrientation | None = None) -> list[RoadPosition]:
    """`locate_on_road` for many buildings at once (one projection and one GEOS call)."""
    odd, dist, off = _locate(line, points, rule, orientation)
    return [RoadPosition("odd" if o else "even", d, f) for o, d, f in zip(odd.tolist(), dist.tolist(), off.tolist())]


def locate_on_road(line: LineString, point: Point, rule: NumberingRule = DEFAULT_RULE,
                   orientation: RoadOrientation | None = None) -> RoadPosition:
    """Side, distance from the numbering origin and offset of one building (lon/lat CGCS2000)."""
    return locate_many(line, [point], rule, orientation)[0]


def next_number(existing: Sequence[DoorNumber], position: RoadPosition) -> DoorNumber:
    """Number for a new building at `position`, given the doors already on the road.

    `existing` should be the doors of the same side; doors of the other parity are tolerated
    (passing the whole road is fine and safer against misplaced legacy doors): they never take
    part in the ordering and, having the other parity, can never be duplicated.  Rules and the
    two cases where order cannot be kept: see the module docstring."""
    if position.side not in ("odd", "even"):
        raise ValueError(f"side must be 'odd' or 'even', not {position.side!r}")
    d = position.distance_m
    if not math.isfinite(d) or not all(math.isfinite(x.distance_m) for x in existing):
        raise ValueError("door distances must be finite")
    parity = 1 if position.side == "odd" else 0
    used = {(x.number, x.suffix) for x in existing}
    seq = sorted((x for x in existing if x.number % 2 == parity), key=lambda x: (x.distance_m, x.number, x.suffix))
    k = bisect.bisect_right([x.distance_m for x in seq], d)  # ties: the new door goes after
    prev, nxt = (seq[k - 1] if k else None), (seq[k] if k < len(seq) else None)
    origin = -1 if parity else 0  # the road origin acts as a virtual door -1 / 0
    if nxt is None:  # beyond every door (or the first ever): continue the sequence
        return DoorNumber(max((x.number for x in seq), default=origin) + 2, 0, d)
    # Smallest free whole number strictly between the neighbours.
    lo = prev.number if prev is not None else origin
    for n in range(lo + 2, nxt.number, 2):
        if (n, 0) not in used:
            return DoorNumber(n, 0, d)
    base = prev.number if prev is not None else nxt.number  # a's number; the first's before it
    suffixes = [s for n, s in used if n == base]
    if prev is None or prev.number == nxt.number:
        # Neighbours share the base: only a free suffix between theirs keeps the order.  Fresh 附号
        # are dense (max + 1), so this only finds gaps in legacy data.
        for s in range(prev.suffix + 1 if prev is not None else 0, nxt.suffix):
            if s not in suffixes:
                return DoorNumber(base, s, d)
    return DoorNumber(base, max(suffixes) + 1, d)  # suffixes holds a's (or the first's) own suffix


def format_door(door: DoorNumber) -> str:
    """8号, or 8-1号 for a 附号 (also written 8之一 locally)."""
    return f"{door.number}号" if door.suffix == 0 else f"{door.number}-{door.suffix}号"


def number_new_road(line: LineString, points: Sequence[Point], rule: NumberingRule = DEFAULT_RULE) -> list[DoorNumber]:
    """Number every building of a road that has no doors yet: on each side sort by distance from the
    numbering origin and hand out 1, 3, 5… / 2, 4, 6….  Results come back in the input order.
    Buildings at exactly the same distance on one side are numbered in input order."""
    if len(points) == 0:
        return []
    odd, dist, _ = _locate(line, points, rule, None)
    numbers = np.empty(len(dist), dtype=np.int64)
    for side, first in ((odd, 1), (~odd, 2)):
        idx = np.flatnonzero(side)
        numbers[idx[np.argsort(dist[idx], kind="stable")]] = first + 2 * np.arange(len(idx))
    return [DoorNumber(n, 0, x) for n, x in zip(numbers.tolist(), dist.tolist())]
