"""`SnapIndex` (pure, no database): the sampled fast path, the exact polyline path and a brute-force
shapely search agree on the nearest edge, the metres along it and the access leg, for points on,
near and kilometres away from the roads; and `nearest_by_network` on hand-set vertex distances."""
from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod, Transformer
from shapely import ops as shapely_ops
from shapely.geometry import LineString, Point

from apps.roadnet import snapping
from apps.roadnet.snapping import SnapIndex, SnappedPoints, nearest_by_network

GEOD = Geod(ellps="GRS80")
ZONE = "EPSG:4549"  # CGCS2000 3° Gauss-Krüger, central meridian 120°E (德清县)
X0, Y0 = 500_000.0, 3_380_000.0
FWD = Transformer.from_crs("EPSG:4490", ZONE, always_xy=True)


def _lonlat(xy: np.ndarray) -> np.ndarray:
    lon, lat = FWD.transform(xy[:, 0] + X0, xy[:, 1] + Y0, direction="INVERSE")
    return np.column_stack([lon, lat])


EDGES_XY = [
    np.array([(0, 0), (300, 40), (600, 0)], dtype=float),     # a bent edge: the segment matters
    np.array([(600, 0), (600, 500)], dtype=float),
    np.array([(0, 0), (-400, -300), (-900, -310)], dtype=float),
    np.array([(600, 500), (650, 520), (700, 505), (2600, 900)], dtype=float),
]


@pytest.fixture(scope="module")
def index() -> SnapIndex:
    return SnapIndex([_lonlat(e) for e in EDGES_XY], FWD)


def _points() -> np.ndarray:
    rng = np.random.default_rng(3)
    near = np.column_stack([rng.uniform(-1000, 2700, 400), rng.uniform(-400, 1000, 400)])
    far = np.column_stack([rng.uniform(-6000, 6000, 100), rng.uniform(3000, 6000, 100)])  # 2–6 km off
    on = np.array([(150, 20), (600, 250), (0, 0), (2600, 900)], dtype=float)  # on edges, at vertices
    return np.vstack([near, far, on])


def _brute_force(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    inv = Transformer.from_crs(ZONE, "EPSG:4490", always_xy=True)
    lines = [LineString(e + (X0, Y0)) for e in EDGES_XY]
    edge, along, access = [], [], []
    for x, y in xy + (X0, Y0):
        p = Point(x, y)
        i = min(range(len(lines)), key=lambda k: lines[k].distance(p))
        s = lines[i].project(p)
        piece = shapely_ops.substring(lines[i], 0, s)
        plon, plat = inv.transform(*np.asarray(piece.coords).T) if s > 0 else (np.zeros(1), np.zeros(1))
        q = lines[i].interpolate(s)
        qlon, qlat = inv.transform(q.x, q.y)
        plon_, plat_ = inv.transform(x, y)
        edge.append(i)
        along.append(GEOD.line_length(plon, plat) if s > 0 else 0.0)
        access.append(GEOD.inv(plon_, plat_, qlon, qlat)[2])
    return np.array(edge), np.array(along), np.array(access)


@pytest.mark.parametrize("passes", [(8, 24), (8,), ()], ids=["fast", "fast-then-exact", "exact-only"])
def test_snap_equals_brute_force(index, monkeypatch, passes) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(snapping, "SAMPLE_K", passes)
    monkeypatch.setattr(snapping, "SNAP_CHUNK", 97)  # several chunks, uneven last one
    xy = _points()
    got = index.snap(*_lonlat(xy).T)
    edge, along, access = _brute_force(xy)
    assert np.allclose(got.access_m, access, rtol=0, atol=1e-6)
    same = got.edge == edge
    assert np.allclose(got.along_m[same], along[same], rtol=0, atol=1e-6)
    # Elsewhere the nearest point is a vertex shared by two edges (a tie): both name that vertex.
    for k in np.flatnonzero(~same):
        ends = [_end(int(got.edge[k]), got.along_m[k], index), _end(int(edge[k]), along[k], index)]
        assert ends[0] is not None and ends[1] is not None and np.allclose(ends[0], ends[1], atol=1e-9)
    assert same.mean() > 0.8
    assert access.max() > 2000 and access.min() < 1e-6  # far points and points on the roads


def _end(edge: int, along: float, index: SnapIndex) -> np.ndarray | None:
    """The end vertex (x, y) of `edge` at `along` metres, or None if `along` is not at an end."""
    if abs(along) < 1e-6:
        return EDGES_XY[edge][0]
    if abs(along - index.length_m[edge]) < 1e-6:
        return EDGES_XY[edge][-1]
    return None


def test_edge_lengths_are_geodesic(index) -> None:  # type: ignore[no-untyped-def]
    for i, e in enumerate(EDGES_XY):
        ll = _lonlat(e)
        assert index.length_m[i] == pytest.approx(GEOD.line_length(ll[:, 0], ll[:, 1]), abs=1e-9)


def test_nearest_by_network_takes_the_better_end_or_the_same_edge() -> None:
    # One edge 0 (vertices 1 → 2, 100 m), vertex distances from facilities 0 and 1 set by hand.
    src, tgt, length = np.array([1]), np.array([2]), np.array([100.0])
    vdist = np.array([np.inf, 30.0, 50.0])
    vfac = np.array([-1, 0, 1])
    demand = SnappedPoints(edge=np.array([0, 0, 0, 0]), along_m=np.array([10.0, 90.0, 60.0, 90.0]),
                           access_m=np.array([5.0, 5.0, 0.0, 40.0]))
    facilities = SnappedPoints(edge=np.array([7, 7, 0]), along_m=np.array([0.0, 0.0, 62.0]),
                               access_m=np.array([0.0, 0.0, 1.0]))
    fac, dist = nearest_by_network(demand, facilities, edge_source=src, edge_target=tgt, edge_length=length,
                                   vertex_distance=vdist, vertex_facility=vfac, max_distance_m=60)
    # 30+10+5 via vertex 1 (facility 2 on the edge: 1+52+5); facility 2 along the edge: 1+28+5 beats
    # 50+10+5 via vertex 2; 1+2; the last one 1+28+40 = 69 m, or 100 m via vertex 2: beyond 60 m.
    assert fac.tolist() == [0, 2, 2, -1]
    assert dist[:3] == pytest.approx([45, 34, 3]) and np.isinf(dist[3])


def test_a_tiny_network_with_a_zero_length_segment() -> None:
    # Two samples in all (fewer than the K of either pass), a repeated coordinate, a far point.
    edges = [np.array([(0, 0), (0, 0), (5, 0)], dtype=float)]
    index = SnapIndex([_lonlat(e) for e in edges], FWD)
    got = index.snap(*_lonlat(np.array([(2, 3), (-4000, 0), (5, 0)], dtype=float)).T)
    assert got.edge.tolist() == [0, 0, 0]
    assert got.access_m == pytest.approx([3, 4000, 0], abs=1e-3)
    assert got.along_m == pytest.approx([2, 0, 5], abs=1e-3)
