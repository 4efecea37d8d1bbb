"""Door-number allocation (GB/T 35639-2017 Annex B) on synthetic roads near 德清 — pure, no database.

Roads of every orientation and both digitising directions, a curved road whose side must be judged
on the local segment, the ellipsoidal bearing, every `next_number` case, and a seeded random
insertion loop that checks uniqueness and order."""
from __future__ import annotations

import bisect
import math
import random

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from apps.addresses.numbering import (DoorNumber, NumberingRule, RoadPosition, classify_road, format_door,
                                      locate_many, locate_on_road, next_number, number_new_road)

LON, LAT = 119.97, 30.54  # 德清
D = 0.0002  # ≈ 20 m: how far buildings stand off the centre line
GEOD = Geod(ellps="GRS80")


def road(*pts: tuple[float, float]) -> LineString:
    return LineString([(LON + x, LAT + y) for x, y in pts])


def at(x: float, y: float) -> Point:
    return Point(LON + x, LAT + y)


EW = road((-0.005, 0), (0.005, 0))  # digitised west → east
NS = road((0, -0.005), (0, 0.005))  # digitised south → north
NE = road((-0.004, -0.004), (0.004, 0.004))  # diagonal, digitised south-west → north-east


def rev(line: LineString) -> LineString:
    return LineString(list(line.coords)[::-1])


# --- classification ----------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "kind", "reversed_"), [
    (EW, "east_west", True), (rev(EW), "east_west", False),  # always from the east
    (NS, "north_south", True), (rev(NS), "north_south", False),  # always from the north
    (NE, "diagonal", False), (rev(NE), "diagonal", False),  # always from the start
])
def test_classify_kind_and_numbering_direction(line: LineString, kind: str, reversed_: bool) -> None:
    o = classify_road(line)
    assert (o.kind, o.reversed, o.odd_side) == (kind, reversed_, "right")
    (x1, y1), (x2, y2) = line.coords[0], line.coords[-1]
    assert o.bearing_deg == pytest.approx(GEOD.inv(x1, y1, x2, y2)[0] % 360)


def test_bearing_is_ellipsoidal_not_degree_arithmetic() -> None:
    # Δlon/Δlat = 1.78: in raw degrees that is 60.7° (east–west by ±30°), but a degree of longitude
    # is only ~0.86 of a degree of latitude here, so the true bearing is ~57°: a diagonal road.
    line = road((0, 0), (0.0178, 0.01))
    assert math.degrees(math.atan2(0.0178, 0.01)) > 60
    o = classify_road(line)
    assert 56 < o.bearing_deg < 58 and o.kind == "diagonal"


def test_tolerance_is_a_parameter() -> None:
    line = road((0, 0), (0.0078, 0.01))  # bearing ≈ 34°
    assert classify_road(line).kind == "diagonal"
    assert classify_road(line, NumberingRule(tolerance_deg=40)).kind == "north_south"
    assert classify_road(road((0, 0), (0.01, 0.0058)), NumberingRule(tolerance_deg=40)).kind == "east_west"  # ≈ 56°


def test_ring_road_numbers_from_its_start() -> None:
    ring = road((0, 0), (0.002, 0), (0.002, 0.002), (0, 0.002), (0, 0))
    o = classify_road(ring)
    assert o.kind == "diagonal" and not o.reversed and math.isnan(o.bearing_deg)
    # walking east along the first edge, the right (odd) side is south, outside the ring
    assert locate_on_road(ring, at(0.001, -D)).side == "odd"
    assert locate_on_road(ring, at(0.001, D)).side == "even"


def test_invalid_rule_and_line() -> None:
    with pytest.raises(ValueError):
        NumberingRule(east_west_odd="east")
    with pytest.raises(ValueError):
        NumberingRule(tolerance_deg=60)
    with pytest.raises(ValueError):
        classify_road(road((0, 0), (0, 0)))


# --- sides and distances -----------------------------------------------------------------------

@pytest.mark.parametrize("line", [EW, rev(EW)])
def test_east_west_odd_north_numbered_from_east(line: LineString) -> None:
    east_n, west_n, east_s = (locate_on_road(line, at(x, y)) for x, y in ((0.004, D), (-0.004, D), (0.004, -D)))
    assert (east_n.side, west_n.side, east_s.side) == ("odd", "odd", "even")
    assert east_n.distance_m < west_n.distance_m
    assert east_n.distance_m == pytest.approx(GEOD.inv(LON + 0.005, LAT, LON + 0.004, LAT)[2], abs=0.1)
    assert east_n.offset_m == pytest.approx(GEOD.inv(LON + 0.004, LAT, LON + 0.004, LAT + D)[2], abs=0.1)


@pytest.mark.parametrize("line", [NS, rev(NS)])
def test_north_south_odd_west_numbered_from_north(line: LineString) -> None:
    north_w, south_w, north_e = (locate_on_road(line, at(x, y)) for x, y in ((-D, 0.004), (-D, -0.004), (D, 0.004)))
    assert (north_w.side, south_w.side, north_e.side) == ("odd", "odd", "even")
    assert north_w.distance_m < south_w.distance_m
    assert north_w.distance_m == pytest.approx(GEOD.inv(LON, LAT + 0.005, LON, LAT + 0.004)[2], abs=0.1)


def test_diagonal_numbered_from_start_odd_on_right() -> None:
    # Digitised SW → NE: walking north-east the right hand is south-east.
    se, nw = locate_on_road(NE, at(0.002 + D, 0.002 - D)), locate_on_road(NE, at(0.002 - D, 0.002 + D))
    assert (se.side, nw.side) == ("odd", "even")
    # Digitised NE → SW: the origin moves to the NE end and the right hand is now north-west.
    se2, nw2 = locate_on_road(rev(NE), at(0.002 + D, 0.002 - D)), locate_on_road(rev(NE), at(0.002 - D, 0.002 + D))
    assert (se2.side, nw2.side) == ("even", "odd")
    length = se.distance_m + se2.distance_m
    assert length == pytest.approx(GEOD.inv(LON - 0.004, LAT - 0.004, LON + 0.004, LAT + 0.004)[2], abs=0.5)
    assert se.distance_m > se2.distance_m  # (0.002, 0.002) is nearer the NE end


def test_curved_road_side_is_decided_on_the_local_segment() -> None:
    # A ∩-shaped road digitised west → east: overall an east–west road numbered from the east, so
    # the walk goes up the east leg, west along the top, down the west leg.  Odd = right hand =
    # outside of the ∩ everywhere.  A point inside the ∩ near the east leg is NORTH of the chord
    # joining the road's ends, so judging by the whole-road bearing would wrongly call it odd.
    arch = road((-0.003, 0), (-0.003, 0.003), (0.003, 0.003), (0.003, 0))
    assert classify_road(arch).kind == "east_west" and classify_road(arch).reversed
    cases = {  # point: expected side
        (0.003 + D, 0.0005): "odd", (0.003 - D, 0.0005): "even",  # east leg, walking north
        (0.0, 0.003 + D): "odd", (0.0, 0.003 - D): "even",  # top, walking west
        (-0.003 - D, 0.0005): "odd", (-0.003 + D, 0.0005): "even",  # west leg, walking south
    }
    pos = {xy: locate_on_road(arch, at(*xy)) for xy in cases}
    assert {xy: p.side for xy, p in pos.items()} == cases
    assert pos[(0.003 + D, 0.0005)].distance_m < pos[(0.0, 0.003 + D)].distance_m < pos[(-0.003 - D, 0.0005)].distance_m


def test_outer_corner_and_on_line_and_beyond_the_ends() -> None:
    bend = road((0, 0), (0.002, 0), (0.002, 0.002))  # east then north (diagonal overall: from start)
    assert locate_on_road(bend, at(0.002 + D, -D)).side == "odd"  # outside the corner = right hand
    assert locate_on_road(bend, at(0.002, 0)).side == "odd"  # exactly on the centre line: odd by convention
    length = locate_on_road(bend, at(0.002 + D, 0.01)).distance_m
    assert locate_on_road(bend, at(-0.01, D)).distance_m == 0.0
    assert length == pytest.approx(GEOD.inv(LON, LAT, LON + 0.002, LAT)[2] + GEOD.inv(LON, LAT, LON, LAT + 0.002)[2],
                                   abs=0.5)


def test_local_rule_numbering_from_the_west() -> None:
    rule = NumberingRule(east_west_origin="west")  # e.g. a local rule 由西向东, odd still north
    o = classify_road(EW, rule)
    assert not o.reversed and o.odd_side == "left"  # walking east, north is on the left
    west_n = locate_on_road(EW, at(-0.004, D), rule)
    east_n = locate_on_road(EW, at(0.004, D), rule)
    assert west_n.side == east_n.side == "odd" and west_n.distance_m < east_n.distance_m


# --- next_number -------------------------------------------------------------------------------

def pos(distance: float, side: str = "odd") -> RoadPosition:
    return RoadPosition(side, distance, 20.0)  # type: ignore[arg-type]


def doors(*spec: tuple[int, int, float]) -> list[DoorNumber]:
    return [DoorNumber(n, s, d) for n, s, d in spec]


def label(door: DoorNumber) -> tuple[int, int]:
    return door.number, door.suffix


def test_first_ever_and_after_the_last() -> None:
    assert label(next_number([], pos(50))) == (1, 0)
    assert label(next_number([], pos(50, "even"))) == (2, 0)
    assert label(next_number(doors((1, 0, 10), (3, 0, 30)), pos(40))) == (5, 0)
    assert label(next_number(doors((1, 0, 10), (3, 0, 30), (3, 1, 35)), pos(40))) == (5, 0)
    assert label(next_number(doors((1, 0, 10), (7, 0, 30)), pos(40))) == (9, 0)  # after the LARGEST
    assert next_number([], pos(12.5)).distance_m == 12.5


def test_between_with_a_free_number_takes_the_smallest_above_the_lower_neighbour() -> None:
    assert label(next_number(doors((1, 0, 10), (9, 0, 90)), pos(50))) == (3, 0)
    assert label(next_number(doors((1, 0, 10), (3, 0, 20), (9, 0, 90)), pos(50))) == (5, 0)
    assert label(next_number(doors((2, 0, 10), (2, 1, 15), (8, 0, 90)), pos(50, "even"))) == (4, 0)


def test_between_without_a_free_number_gives_sub_numbers_that_count_up() -> None:
    existing = doors((1, 0, 10), (3, 0, 30))
    first = next_number(existing, pos(20))
    assert label(first) == (1, 1) and format_door(first) == "1-1号"
    second = next_number([*existing, first], pos(25))
    assert label(second) == (1, 2)
    evens = doors((8, 0, 10), (8, 1, 20), (8, 2, 30), (10, 0, 40))
    assert label(next_number(evens, pos(35, "even"))) == (8, 3)


def test_before_the_first() -> None:
    # A smaller number is free: take the smallest (as if the origin were a door 0/-1).
    assert label(next_number(doors((5, 0, 50), (7, 0, 70)), pos(10))) == (1, 0)
    assert label(next_number(doors((1, 0, 30), (5, 0, 50)), pos(40))) == (3, 0)  # between, for contrast
    # Nothing below 1号/2号: a 附号 of the first — unavoidably out of order (1-1 before 1).
    assert label(next_number(doors((1, 0, 10)), pos(5))) == (1, 1)
    assert label(next_number(doors((1, 0, 10), (1, 1, 5)), pos(2))) == (1, 2)
    assert label(next_number(doors((2, 0, 10)), pos(5, "even"))) == (2, 1)
    # Legacy: the first door is 1-1 while 1 itself is free — 1 keeps the order.
    assert label(next_number(doors((1, 1, 10), (3, 0, 30)), pos(5))) == (1, 0)


def test_same_base_neighbours() -> None:
    # Legacy gap between 8 and 8-2: 8-1 keeps the order.
    assert label(next_number(doors((8, 0, 10), (8, 2, 30), (10, 0, 40)), pos(20, "even"))) == (8, 1)
    # 8 and 8-1 adjacent: no label fits between them; a fresh 附号 (never a duplicate).
    assert label(next_number(doors((8, 0, 10), (8, 1, 30), (10, 0, 40)), pos(20, "even"))) == (8, 2)


def test_ties_and_other_side_doors() -> None:
    assert label(next_number(doors((1, 0, 10), (3, 0, 30)), pos(30))) == (5, 0)  # same distance: goes after
    mixed = doors((1, 0, 10), (2, 0, 15), (4, 0, 25), (3, 0, 30))
    assert label(next_number(mixed, pos(20))) == (1, 1)  # even doors ignored for odd ordering
    assert label(next_number(mixed, pos(20, "even"))) == (2, 1)


def test_invalid_input() -> None:
    with pytest.raises(ValueError):
        next_number(doors((1, 0, math.nan)), pos(5))
    with pytest.raises(ValueError):
        next_number([], RoadPosition("north", 5.0, 1.0))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        DoorNumber(0)
    with pytest.raises(ValueError):
        DoorNumber(3, -1)


def test_format_door() -> None:
    assert format_door(DoorNumber(8)) == "8号"
    assert format_door(DoorNumber(8, 1)) == "8-1号"
    assert format_door(DoorNumber(127, 12, 3.0)) == "127-12号"


# --- random insertion (property style) ---------------------------------------------------------

def neighbours(side: list[DoorNumber], d: float) -> tuple[DoorNumber | None, DoorNumber | None]:
    seq = sorted(side, key=lambda x: x.distance_m)
    k = bisect.bisect_right([x.distance_m for x in seq], d)
    return (seq[k - 1] if k else None), (seq[k] if k < len(seq) else None)


def room(prev: DoorNumber | None, nxt: DoorNumber | None, used: set[tuple[int, int]], parity: int) -> bool:
    """Oracle, independent of the allocator: is any free label of this parity strictly between the
    neighbours in (number, suffix) order?"""
    if nxt is None or (prev is not None and prev.number < nxt.number):
        return True  # a number above everything, or (a, huge suffix), is always free
    if prev is None and nxt.number > (1 if parity else 2):
        return True  # some smaller number exists, and with it infinitely many labels
    base, lo = nxt.number, (prev.suffix if prev is not None else -1)
    return any((base, s) not in used for s in range(lo + 1, nxt.suffix))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_insertions_never_duplicate_and_keep_order_where_possible(seed: int) -> None:
    rng = random.Random(seed)
    placed: dict[str, list[DoorNumber]] = {"odd": [], "even": []}
    out_of_order = 0
    for _ in range(150):
        side = rng.choice(["odd", "even"])
        parity = 1 if side == "odd" else 0
        d = rng.uniform(0, 1000)
        everything = placed["odd"] + placed["even"]
        used = {label(x) for x in everything}
        new = next_number(placed[side], pos(d, side))
        assert new == next_number(everything, pos(d, side))  # whole-road list gives the same answer
        assert new.number % 2 == parity and label(new) not in used and new.distance_m == d
        prev, nxt = neighbours(placed[side], d)
        in_order = (prev is None or label(prev) < label(new)) and (nxt is None or label(new) < label(nxt))
        if not in_order:
            assert not room(prev, nxt, used, parity)  # out of order only when nothing could fit
            out_of_order += 1
        placed[side].append(new)
        # Base numbers never decrease along the road, whatever happened to the suffixes.
        bases = [x.number for x in sorted(placed[side], key=lambda x: x.distance_m)]
        assert bases == sorted(bases)
    assert len({label(x) for x in placed["odd"] + placed["even"]}) == 150
    assert out_of_order > 0  # the loop really exercised the no-room cases


@pytest.mark.parametrize("seed", [4, 5])
def test_random_insertions_where_a_label_fits_keep_full_order(seed: int) -> None:
    # Each building goes into a random gap (between neighbours, before the first, after the last)
    # where some order-keeping label is free (the oracle above); then after every insertion the
    # sort by (number, suffix) equals the sort by distance, on each side.
    rng = random.Random(seed)
    placed: dict[str, list[DoorNumber]] = {"odd": [], "even": []}  # kept sorted by distance
    used: set[tuple[int, int]] = set()
    for _ in range(200):
        side = rng.choice(["odd", "even"])
        parity = 1 if side == "odd" else 0
        row = placed[side]
        edges = [0.0] + [x.distance_m for x in row] + [1000.0]
        gaps = [k for k in range(len(row) + 1)
                if room(row[k - 1] if k else None, row[k] if k < len(row) else None, used, parity)]
        k = rng.choice(gaps)
        d = edges[k] + rng.uniform(0.01, 0.99) * (edges[k + 1] - edges[k])
        new = next_number(row, pos(d, side))
        assert new.number % 2 == parity and label(new) not in used
        row.insert(k, new)
        used.add(label(new))
        assert sorted(row, key=label) == row  # (number, suffix) order == distance order
    assert sum(x.suffix > 0 for x in placed["odd"] + placed["even"]) > 20  # 附号 were needed


# --- bulk numbering ----------------------------------------------------------------------------

@pytest.mark.parametrize("line", [EW, rev(EW), NS, NE, rev(NE), road((-0.004, 0), (0, 0.002), (0.004, -0.001))])
def test_number_new_road_matches_classify_and_locate(line: LineString) -> None:
    rng = random.Random(7)
    x0, y0, x1, y1 = line.bounds
    pts = [Point(rng.uniform(x0, x1) + rng.uniform(-D, D), rng.uniform(y0, y1) + rng.uniform(-D, D))
           for _ in range(300)]
    numbered = number_new_road(line, pts)
    positions = locate_many(line, pts)
    assert len(numbered) == len(pts)
    for door, p, where in zip(numbered, pts, positions):
        single = locate_on_road(line, p)
        assert single == where and door.suffix == 0
        assert (door.number % 2 == 1) == (where.side == "odd")
        assert door.distance_m == pytest.approx(where.distance_m)
    for parity in (1, 0):
        side = sorted((x for x in numbered if x.number % 2 == parity), key=lambda x: x.distance_m)
        assert [x.number for x in side] == list(range(2 - parity, 2 * len(side) + 1 - parity, 2))


def test_number_new_road_edge_cases() -> None:
    assert number_new_road(EW, []) == []
    # From the east on a road digitised west → east: the easternmost north building is 1号.
    pts = [at(-0.004, D), at(0.004, D), at(0.0, D), at(0.004, -D), at(-0.004, -D)]
    assert [x.number for x in number_new_road(EW, pts)] == [5, 1, 3, 2, 4]
    with pytest.raises(ValueError):
        number_new_road(EW, [LineString([(LON, LAT), (LON, LAT + 0.001)])])  # type: ignore[list-item]
