"""Tests of the synthetic township/village geometry generator (apps.divisions.partition).

Pure geometry: no Django, no database. Run alone with
``.venv/bin/python -m pytest -p no:django tests/divisions/test_partition.py``.

Areas are geodesic (pyproj.Geod on GRS80, the CGCS2000 ellipsoid). One subtlety: Geod treats every
polygon edge as a geodesic, whereas shapely (and PostGIS ``geometry``) treat an edge as a straight
line in lon/lat. The county polygons have edges several kilometres long (启东's coast), and clipping
inserts new vertices on them, so the *geodesic* area of the raw parts would differ from that of the
raw county by up to ~10,000 m² although the parts tile the county exactly in lon/lat. Every area
below is therefore measured after densifying to 1e-4° (~10 m) segments, which makes Geod measure the
lon/lat region both representations actually describe.
"""

from __future__ import annotations

import itertools
import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import shapely
import shapely.affinity
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, Polygon, box, shape

from apps.divisions.partition import TownshipPart, partition_county, scatter_points

GEOD = Geod(ellps="GRS80")
REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "seed" / "divisions_gcj02.geojson"  # the project's own copy
# The acceptance threshold of the brief: gaps, overlaps and union error below 1 m² per county.
TOL_M2 = 1.0


def geodesic_area(geom: shapely.Geometry) -> float:
    """Area in m² of the lon/lat region (see module docstring for why we densify)."""
    if geom.is_empty:
        return 0.0
    area, _ = GEOD.geometry_area_perimeter(shapely.segmentize(geom, 1e-4))
    return abs(area)


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the 2-D pieces of an overlay result (shared edges come back as lines)."""
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else Polygon()


@cache
def counties() -> dict[str, tuple[str, shapely.Geometry]]:
    data = json.loads(SEED.read_text(encoding="utf-8"))
    return {
        f["properties"]["code"]: (f["properties"]["name"], shape(f["geometry"]))
        for f in data["features"]
    }


def county(code: str) -> shapely.Geometry:
    return counties()[code][1]


@cache
def partition(code: str, n: int, seed: int) -> tuple[TownshipPart, ...]:
    return tuple(partition_county(county(code), n, seed))


def wkbs(parts) -> list[bytes]:
    return [shapely.to_wkb(p.geometry) + shapely.to_wkb(p.seat) for p in parts]


# 德清 13, 溆浦 45 (the biggest case), 启东 15 (a single polygon in this data set, but with long
# straight coast edges), 平湖 20 (nine polygons: islands in Hangzhou Bay).
REAL_CASES = [("330521", 13), ("431224", 45), ("320681", 15), ("330482", 20)]


def assert_is_partition(whole: shapely.Geometry, parts, n: int) -> dict[str, float]:
    assert len(parts) == n
    for p in parts:
        assert isinstance(p, TownshipPart)
        assert isinstance(p.geometry, MultiPolygon)
        assert not p.geometry.is_empty
        assert p.geometry.is_valid, shapely.is_valid_reason(p.geometry)
        assert p.geometry.area > 0
        assert isinstance(p.seat, Point)
        assert p.geometry.contains(p.seat)

    geoms = [p.geometry for p in parts]
    union = shapely.union_all(geoms)
    whole_area = geodesic_area(whole)
    union_err = geodesic_area(union) - whole_area
    sum_err = sum(geodesic_area(g) for g in geoms) - whole_area
    gap = geodesic_area(polygonal(shapely.difference(whole, union)))
    spill = geodesic_area(polygonal(shapely.difference(union, whole)))
    overlap = sum(
        geodesic_area(polygonal(shapely.intersection(a, b)))
        for a, b in itertools.combinations(geoms, 2)
        if a.intersects(b)
    )
    assert abs(union_err) < TOL_M2, union_err
    assert abs(sum_err) < TOL_M2, sum_err
    assert gap < TOL_M2, gap
    assert spill < TOL_M2, spill
    assert overlap < TOL_M2, overlap
    return {"union_err": union_err, "sum_err": sum_err, "gap": gap, "spill": spill, "overlap": overlap}


@pytest.mark.parametrize("code,n", REAL_CASES)
def test_real_county_partition_is_exact(code: str, n: int) -> None:
    errors = assert_is_partition(county(code), partition(code, n, 1), n)
    print(counties()[code][0], code, n, {k: f"{v:.2e}" for k, v in errors.items()})


@pytest.mark.parametrize("code,n", REAL_CASES)
def test_real_county_partition_is_deterministic(code: str, n: int) -> None:
    first = partition(code, n, 1)
    again = partition_county(county(code), n, 1)  # fresh call, not the cache
    assert wkbs(first) == wkbs(again)
    other = partition(code, n, 2)
    assert wkbs(first) != wkbs(other)
    assert_is_partition(county(code), other, n)


@pytest.mark.parametrize("code,n", REAL_CASES[:3])
@pytest.mark.parametrize("seed", [1, 2])
def test_parts_of_a_single_polygon_county_are_contiguous(code: str, n: int, seed: int) -> None:
    # 德清, 溆浦 and 启东 are one polygon each here: pieces a concave boundary cut off a Voronoi
    # cell must have been handed to a neighbour, leaving every township in one piece.
    assert len(county(code).geoms) == 1
    assert [len(p.geometry.geoms) for p in partition(code, n, seed)] == [1] * n


@pytest.mark.parametrize("code,n,max_ratio", [("330521", 13, 3.0), ("431224", 45, 3.0), ("320681", 15, 3.0)])
def test_parts_are_balanced(code: str, n: int, max_ratio: float) -> None:
    # The brief asks for largest/smallest < 10; centroidal Voronoi does much better (measured
    # ~1.5–2), so hold it to 3 to catch regressions in the equal-area projection or k-means.
    areas = [geodesic_area(p.geometry) for p in partition(code, n, 1)]
    assert max(areas) / min(areas) < max_ratio, sorted(areas)


def test_parts_are_ordered_north_west_to_south_east() -> None:
    parts = partition("431224", 45, 1)
    keys = [p.seat.x - p.seat.y for p in parts]
    # The sort key is computed in metres, this one in degrees: allow for that, but the overall
    # direction must hold.
    assert keys[0] < keys[-1]
    assert np.corrcoef(np.arange(len(keys)), keys)[0, 1] > 0.95


@pytest.mark.parametrize("n", [1, 2, 7])
def test_tiny_square(n: int) -> None:
    # About 100 m × 110 m near 德清.
    square = box(120.0, 30.5, 120.001, 30.501)
    parts = partition_county(square, n, 3)
    assert_is_partition(square, parts, n)
    assert wkbs(parts) == wkbs(partition_county(square, n, 3))
    if n == 1:
        assert parts[0].geometry.equals(square)
    else:
        assert wkbs(parts) != wkbs(partition_county(square, n, 4))


def test_many_parts_on_awkward_shape_all_non_empty() -> None:
    # An L-shaped county plus a small island far away: with many parts some cells are cut in two
    # by the notch or reach the island; every part must still exist and the tiling hold.
    l_shape = Polygon([(0, 0), (0.2, 0), (0.2, 0.02), (0.02, 0.02), (0.02, 0.2), (0, 0.2)])
    island = box(0.15, 0.15, 0.152, 0.152)
    geom = shapely.affinity.translate(MultiPolygon([l_shape, island]), 118.0, 30.0)
    parts = partition_county(geom, 40, 5)
    assert_is_partition(geom, parts, 40)
    assert any(p.geometry.intersects(shapely.affinity.translate(island, 118.0, 30.0)) for p in parts)


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        partition_county(box(0, 0, 1, 1), 0, 1)
    with pytest.raises(TypeError):
        partition_county(Point(0, 0), 3, 1)
    with pytest.raises(ValueError):
        partition_county(Polygon(), 3, 1)


def test_scatter_points_in_synthetic_townships() -> None:
    parts = partition("330521", 13, 1)
    for i, part in enumerate(parts):
        n = 5 + 3 * i  # 5..41 villages
        pts = scatter_points(part.geometry, n, seed=100 + i)
        assert len(pts) == n
        assert all(isinstance(p, Point) and part.geometry.contains(p) for p in pts)
        assert len({(p.x, p.y) for p in pts}) == n
        again = scatter_points(part.geometry, n, seed=100 + i)
        assert [p.wkb for p in pts] == [p.wkb for p in again]
        assert [p.wkb for p in pts] != [p.wkb for p in scatter_points(part.geometry, n, seed=999)]
        # Spread out: nearest neighbours at least a fifth of the "fair share" spacing.
        fair = math.sqrt(geodesic_area(part.geometry) / n)
        lon = np.array([p.x for p in pts])
        lat = np.array([p.y for p in pts])
        nearest = min(
            GEOD.inv(lon[a], lat[a], lon[b], lat[b])[2]
            for a, b in itertools.combinations(range(n), 2)
        )
        assert nearest > 0.2 * fair, (nearest, fair)


def test_scatter_points_respects_requested_spacing_and_relaxes_it() -> None:
    area = partition("431224", 45, 1)[0].geometry
    pts = scatter_points(area, 20, seed=1, min_spacing_m=1000)
    lon = np.array([p.x for p in pts])
    lat = np.array([p.y for p in pts])
    d = [GEOD.inv(lon[a], lat[a], lon[b], lat[b])[2] for a, b in itertools.combinations(range(20), 2)]
    assert min(d) >= 1000 * 0.999  # metric projection vs geodesic distance: tiny scale error
    # Impossible spacing (10 km for 50 points in a ~76 km² township) is relaxed, not an error.
    crowded = scatter_points(area, 50, seed=1, min_spacing_m=10_000)
    assert len(crowded) == 50 and all(area.contains(p) for p in crowded)


def test_scatter_points_edge_cases() -> None:
    square = box(120.0, 30.5, 120.001, 30.501)  # ~1 ha
    assert scatter_points(square, 0, seed=1) == []
    pts = scatter_points(square, 200, seed=1)  # crowded: spacing must relax, points stay inside
    assert len(pts) == 200 and all(square.contains(p) for p in pts)
    # A thin sliver (10 m × 10 km) still works: rejection rate is high but bounded.
    sliver = box(120.0, 30.5, 120.1, 30.5001)
    pts = scatter_points(sliver, 30, seed=2)
    assert len(pts) == 30 and all(sliver.contains(p) for p in pts)
    with pytest.raises(ValueError):
        scatter_points(square, -1, seed=1)

