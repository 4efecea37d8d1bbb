"""Exact geodesic coverage: every answer equals a brute-force pyproj.Geod oracle over all pairs."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from apps.analysis import coverage_math as cm

ORACLE = Geod(ellps="GRS80")


def oracle_matrix(dlon, dlat, flon, flat) -> np.ndarray:
    """Brute force: one Geod.inv call per (demand, facility) pair, in plain Python loops."""
    out = np.empty((len(dlon), len(flon)))
    for i, (x, y) in enumerate(zip(dlon, dlat)):
        for j, (u, v) in enumerate(zip(flon, flat)):
            out[i, j] = ORACLE.inv(float(x), float(y), float(u), float(v))[2]
    return out


def assert_equals_oracle(dlon, dlat, flon, flat, radii=(300.0, 500.0, 1000.0)) -> None:
    dist = oracle_matrix(dlon, dlat, flon, flat)
    best = dist.min(axis=1)
    argmin = dist.argmin(axis=1)  # lowest index among equal distances
    got = cm.nearest_facilities(dlon, dlat, flon, flat)
    assert np.array_equal(got.index, argmin)
    assert np.max(np.abs(got.distance_m - best)) <= 1e-6
    for r in radii:
        oracle_cov = (dist <= r).any(axis=1)
        assert np.array_equal(cm.covered_mask(got.distance_m, r), oracle_cov)
        assert np.array_equal(cm.covered_within(dlon, dlat, flon, flat, r), oracle_cov)
        limited = cm.nearest_facilities(dlon, dlat, flon, flat, max_distance_m=r)
        assert np.array_equal(limited.index, np.where(oracle_cov, argmin, -1))
        assert np.array_equal(np.isinf(limited.distance_m), ~oracle_cov)
        assert np.max(np.abs(limited.distance_m[oracle_cov] - best[oracle_cov]), initial=0.0) <= 1e-6
        di, sj, d = cm.pairs_within(dlon, dlat, flon, flat, r)
        oi, oj = np.nonzero(dist <= r)
        assert np.array_equal(di, oi) and np.array_equal(sj, oj)
        assert np.max(np.abs(d - dist[oi, oj]), initial=0.0) <= 1e-6
        ci, cj = cm.covering_pairs(dlon, dlat, flon, flat, r)
        assert np.array_equal(ci, oi) and np.array_equal(cj, oj)


def random_points(rng, n, lon0, lon1, lat0, lat1):
    return rng.uniform(lon0, lon1, n), rng.uniform(lat0, lat1, n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_county_scale_random_points_equal_oracle(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dlon, dlat = random_points(rng, 600, 119.8, 120.3, 30.4, 30.75)  # 德清县
    flon, flat = random_points(rng, 40, 119.8, 120.3, 30.4, 30.75)
    assert_equals_oracle(dlon, dlat, flon, flat, radii=(300.0, 1000.0, 3000.0, 5000.0))


def test_200_km_extent_and_long_radii_equal_oracle() -> None:
    rng = np.random.default_rng(7)
    dlon, dlat = random_points(rng, 400, 118.5, 120.7, 29.5, 31.3)
    flon, flat = random_points(rng, 25, 118.5, 120.7, 29.5, 31.3)
    assert_equals_oracle(dlon, dlat, flon, flat, radii=(1000.0, 20_000.0, 80_000.0))


def test_across_a_gauss_kruger_zone_edge_equal_oracle() -> None:
    # 121.5°E is the border of the 3° zones with central meridians 120°E (EPSG:4549) and 123°E.
    rng = np.random.default_rng(11)
    dlon, dlat = random_points(rng, 400, 121.45, 121.55, 31.0, 31.1)
    flon, flat = random_points(rng, 30, 121.48, 121.52, 31.0, 31.1)
    assert_equals_oracle(dlon, dlat, flon, flat, radii=(500.0, 1000.0, 2000.0))


@pytest.mark.parametrize("radius", [300.0, 1000.0, 15_000.0])
def test_points_one_millimetre_either_side_of_the_radius(radius: float) -> None:
    rng = np.random.default_rng(int(radius))
    flon, flat = random_points(rng, 6, 120.0, 120.1, 30.5, 30.6)
    azimuths = rng.uniform(-180, 180, 60)
    lons, lats = [], []
    for offset in (-1e-3, 0.0, 1e-3):
        for j in range(len(flon)):
            x, y, _ = ORACLE.fwd(np.full(10, flon[j]), np.full(10, flat[j]), azimuths[j * 10:(j + 1) * 10],
                                 np.full(10, radius + offset))
            lons.extend(x)
            lats.extend(y)
    dlon, dlat = np.array(lons), np.array(lats)
    own = oracle_matrix(dlon, dlat, flon, flat)[np.arange(180), np.tile(np.repeat(np.arange(6), 10), 3)]
    # The rings really straddle the radius in the oracle's terms, so the test has teeth.
    assert (own[:60] < radius).all() and (own[120:] > radius).all()
    assert np.abs(own[60:120] - radius).max() < 1e-6
    assert_equals_oracle(dlon, dlat, flon, flat, radii=(radius, radius - 1e-3, radius + 1e-3))


def test_exact_ties_go_to_the_lowest_index_and_duplicates_are_handled() -> None:
    # Facilities mirrored east/west of each demand point are at exactly equal geodesic distances.
    dlon = np.array([120.0, 120.0, 120.0, 120.1, 120.1])
    dlat = np.array([30.5, 30.5, 30.6, 30.5, 30.5])
    flon = np.array([120.01, 119.99, 120.01, 120.1, 120.1])  # 3 and 4 are duplicates, one on a demand point
    flat = np.array([30.5, 30.5, 30.5, 30.5, 30.5])
    dist = oracle_matrix(dlon, dlat, flon, flat)
    assert dist[0, 0] == dist[0, 1]  # a genuine tie
    got = cm.nearest_facilities(dlon, dlat, flon, flat)
    assert got.index.tolist() == [0, 0, 0, 3, 3]
    assert got.distance_m[3] == 0.0
    assert_equals_oracle(dlon, dlat, flon, flat, radii=(0.0, 500.0, 962.0, 1000.0))


def test_no_facilities_or_no_demand() -> None:
    got = cm.nearest_facilities([120.0, 120.1], [30.5, 30.5], [], [])
    assert got.index.tolist() == [-1, -1] and np.isinf(got.distance_m).all()
    assert not cm.covered_within([120.0], [30.5], [], [], 1000.0).any()
    empty = cm.nearest_facilities([], [], [120.0], [30.5], max_distance_m=10.0)
    assert len(empty.index) == 0 and len(empty.distance_m) == 0
    assert all(len(a) == 0 for a in cm.pairs_within([], [], [120.0], [30.5], 10.0))


def test_single_facility_and_max_distance() -> None:
    rng = np.random.default_rng(3)
    dlon, dlat = random_points(rng, 200, 119.9, 120.1, 30.4, 30.6)
    assert_equals_oracle(dlon, dlat, np.array([120.0]), np.array([30.5]), radii=(1000.0, 5000.0))


def test_chord_bounds_the_geodesic_on_both_sides() -> None:
    """The exactness argument itself: chord <= geodesic <= 2R asin(chord / 2R), from 1 m to 5,000 km."""
    rng = np.random.default_rng(5)
    lon1, lat1 = rng.uniform(70, 135, 2000), rng.uniform(15, 55, 2000)
    dist = 10 ** rng.uniform(0, 6.7, 2000)
    lon2, lat2, _ = ORACLE.fwd(lon1, lat1, rng.uniform(-180, 180, 2000), dist)
    s = cm.geodesic_m(lon1, lat1, lon2, lat2)
    chord = np.linalg.norm(cm.ecef(lon1, lat1) - cm.ecef(lon2, lat2), axis=1)
    assert (chord <= s + 1e-8).all()
    assert (s <= cm.geodesic_upper_bound(chord) + 1e-8).all()


def test_coverage_by_radius_counts_and_weights() -> None:
    dist = np.array([0.0, 299.9, 300.0, 700.0, np.inf])
    weights = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    rows = cm.coverage_by_radius(dist, [300.0, 1000.0], weights)
    assert [(r.covered_count, r.covered_weight) for r in rows] == [(3, 6.0), (4, 10.0)]
    assert rows[0].covered_share == 3 / 5 and rows[1].covered_weight_share == 10 / 15
    masks = cm.covered_masks(dist, [300.0])
    assert masks[300.0].tolist() == [True, True, True, False, False]


def test_module_is_pure() -> None:
    """Importing the module alone pulls in no Django."""
    import subprocess
    import sys

    code = ("import sys; import apps.analysis.coverage_math, apps.analysis.siting; "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
