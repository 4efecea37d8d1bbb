"""Network distances (`network_nearest`, `network_coverage`) on the hand-made network equal an
independent networkx oracle: grid, long rural edge only partly within the limit, dead end,
facility and demand on the same edge, two components, points at the limit ± 3 cm."""
from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString

from apps.roadnet.selectors import (load_network, network_coverage, network_distance_matrix, network_nearest,
                                     snap_points)
from apps.roadnet.services import NetworkError, build_network

from .conftest import COUNTY, ROADS_XY
from .oracle import Oracle

pytestmark = pytest.mark.django_db
LIMIT = 1000.0
FACILITIES_XY = [(100, -15), (2600, 215), (500, -290)]
SPECIAL_XY = [
    (250, 10),     # same edge as facility 0, reached directly along it
    (50, 12),      # same edge, the other side
    (410, 880),    # near the end of the dead end
    (300, -280),   # the southern component: facility 2 only
    (300, -200),   # nearer R9109 than R9101, so on the southern component too
    (3790, 5),     # far end of the rural road: beyond everything
    (1400, 170),   # the middle of the rural road, between the two reaches
]


def _on_rural_road(frame, t: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The lon/lat of the point `t` projected metres along R9107 (on the line: no access leg)."""
    line = LineString(ROADS_XY["R9107"])
    p = line.interpolate(t)
    return frame.lonlat([(p.x, p.y)])


def _limit_position(oracle: Oracle, frame, facility: np.ndarray) -> float:  # type: ignore[no-untyped-def]
    """Bisect along R9107 for the position exactly `LIMIT` metres from `facility` (oracle distance)."""
    lo, hi = 0.0, LineString(ROADS_XY["R9107"]).length
    for _ in range(60):
        mid = (lo + hi) / 2
        _, d, _ = oracle.nearest(facility, _on_rural_road(frame, mid), LIMIT * 2)
        lo, hi = (mid, hi) if d[0] < LIMIT else (lo, mid)
    return lo


def _demand(frame, oracle: Oracle) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    scattered = np.column_stack([rng.uniform(-150, 3900, 250), rng.uniform(-400, 1000, 250)])
    facilities = frame.lonlat(FACILITIES_XY)
    t = _limit_position(oracle, frame, facilities[:1])
    # Metres along R9107 differ from geodesic metres by the zone's scale factor (≈ 1): ±3 cm either way.
    at_limit = np.vstack([_on_rural_road(frame, t - 0.03), _on_rural_road(frame, t + 0.03)])
    demand = np.vstack([frame.lonlat(SPECIAL_XY), at_limit, frame.lonlat(scattered)])
    return facilities, demand


def test_distances_equal_the_networkx_oracle(oracle, frame) -> None:  # type: ignore[no-untyped-def]
    facilities, demand = _demand(frame, oracle)
    fac, dist = network_nearest(COUNTY, facilities, demand, max_distance_m=LIMIT)
    o_fac, o_dist, o_second = oracle.nearest(facilities, demand, LIMIT)

    assert np.array_equal(np.isfinite(dist), np.isfinite(o_dist))  # the same covered flags
    finite = np.isfinite(o_dist)
    assert np.allclose(dist[finite], o_dist[finite], rtol=0, atol=1e-6)
    with np.errstate(invalid="ignore"):  # inf - inf where nothing is in reach
        unique = finite & (o_second - o_dist > 1e-6)
    assert np.array_equal(fac[unique], o_fac[unique])
    assert np.all(fac[~finite] == -1) and 0.2 < finite.mean() < 0.8  # a mix, so the test can fail


def test_the_special_cases_come_out_as_designed(oracle, frame) -> None:  # type: ignore[no-untyped-def]
    facilities, demand = _demand(frame, oracle)
    fac, dist = network_nearest(COUNTY, facilities, demand, max_distance_m=LIMIT)
    same_edge, other_side, dead_end, south, south2, far_end, middle, inside, outside = range(9)
    # Same edge as facility 0: access + |along difference| + access, no detour through a vertex.
    assert fac[same_edge] == 0 and dist[same_edge] == pytest.approx(15 + 150 + 10, abs=0.5)
    assert fac[other_side] == 0 and dist[other_side] == pytest.approx(15 + 50 + 12, abs=0.5)
    assert fac[dead_end] == -1  # 15 + 300 + 400 + 480 + 10 m > 1 km
    assert fac[south] == 2 and fac[south2] == 2  # the southern component only reaches its own facility
    assert fac[far_end] == -1 and fac[middle] == -1
    # Part-way along a 3 km edge whose far end is far beyond the limit: in at −3 cm, out at +3 cm.
    assert fac[inside] == 0 and LIMIT - 0.05 < dist[inside] <= LIMIT
    assert fac[outside] == -1 and np.isinf(dist[outside])


def test_several_radii_in_one_search_equal_the_oracle(oracle, frame) -> None:  # type: ignore[no-untyped-def]
    facilities, demand = _demand(frame, oracle)
    cov = network_coverage(COUNTY, facilities, demand, radii_m=[300, 500, 800, 1000])
    _, o_dist, _ = oracle.nearest(facilities, demand, LIMIT)
    counts = []
    for r in cov.radii_m:
        assert np.array_equal(cov.covered(r), o_dist <= r)
        counts.append(int(cov.covered(r).sum()))
    assert counts == sorted(counts) and counts[0] < counts[-1]
    with pytest.raises(ValueError):
        cov.covered(1500)


def test_a_short_limit_and_a_facility_far_off_the_roads(oracle, frame) -> None:  # type: ignore[no-untyped-def]
    # Facility 2 m off R9101, demand 3 m off it 20 m further on: 2 + 20 + 3 = 25 m.
    facilities = frame.lonlat([(300, 2), (1500, 900)])  # the second is 600+ m from any road
    demand = frame.lonlat([(320, -3), (1500, 850), (600, 0)])
    fac, dist = network_nearest(COUNTY, facilities, demand, max_distance_m=30)
    o_fac, o_dist, _ = oracle.nearest(facilities, demand, 30)
    assert np.array_equal(fac, o_fac) and fac.tolist() == [0, -1, -1]
    assert dist[0] == pytest.approx(o_dist[0], abs=1e-6) and dist[0] == pytest.approx(25, abs=0.01)


def test_empty_inputs_and_unbuilt_network(test_roads, frame) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NetworkError):
        network_nearest(COUNTY, frame.lonlat([(0, 0)]), frame.lonlat([(10, 10)]), max_distance_m=100)
    build_network(COUNTY)
    fac, dist = network_nearest(COUNTY, np.zeros((0, 2)), frame.lonlat([(10, 10)]), max_distance_m=100)
    assert fac.tolist() == [-1] and np.isinf(dist).all()
    fac, dist = network_nearest(COUNTY, frame.lonlat([(0, 0)]), np.zeros((0, 2)), max_distance_m=100)
    assert len(fac) == 0 and len(dist) == 0
    with pytest.raises(ValueError):
        network_nearest(COUNTY, frame.lonlat([(0, 0)]), frame.lonlat([(10, 10)]), max_distance_m=float("nan"))


def test_demand_snapped_once_serves_several_scenarios(oracle, frame) -> None:  # type: ignore[no-untyped-def]
    facilities, demand = _demand(frame, oracle)
    net = load_network(COUNTY)
    snapped = snap_points(net, demand)
    for chosen in ([0], [1, 2], [0, 1, 2]):
        fac, dist = network_nearest(COUNTY, facilities[chosen], demand, max_distance_m=LIMIT, network=net,
                                    snapped_demand=snapped)
        again = network_nearest(COUNTY, facilities[chosen], demand, max_distance_m=LIMIT)
        assert np.array_equal(fac, again[0]) and np.array_equal(dist, again[1])
    with pytest.raises(ValueError):
        network_nearest(COUNTY, facilities, demand[:3], max_distance_m=LIMIT, network=net, snapped_demand=snapped)


def test_distance_matrix_equals_the_oracle(oracle, frame) -> None:  # type: ignore[no-untyped-def]
    facilities, demand = _demand(frame, oracle)
    facilities = np.vstack([facilities, frame.lonlat([(650, 410), (250, 12)])])  # one beside a demand point
    m = network_distance_matrix(COUNTY, facilities, demand, max_distance_m=LIMIT).tocoo()
    dense = np.full(m.shape, np.inf)
    dense[m.row, m.col] = m.data
    expected = oracle.matrix(facilities, demand, LIMIT)
    assert np.array_equal(np.isfinite(dense), np.isfinite(expected))
    assert np.allclose(dense[np.isfinite(dense)], expected[np.isfinite(expected)], rtol=0, atol=1e-6)
    assert 0.05 < np.isfinite(dense).mean() < 0.8 and len(set(zip(m.row, m.col))) == m.nnz
    # Its column minima are what network_nearest answers.
    fac, dist = network_nearest(COUNTY, facilities, demand, max_distance_m=LIMIT)
    assert np.array_equal(np.isinf(dense.min(axis=0)), np.isinf(dist))
    finite = np.isfinite(dist)
    assert np.allclose(dense.min(axis=0)[finite], dist[finite], rtol=0, atol=1e-9)
    assert network_distance_matrix(COUNTY, facilities[:0], demand, max_distance_m=LIMIT).shape == (0, len(demand))
