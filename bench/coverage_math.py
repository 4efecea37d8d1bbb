"""Exact geodesic coverage of 1,000,000 addresses by 1,000 facilities at 1 km vs a per-point geodesic loop.

Subjects (``apps.analysis.coverage_math``, in memory, no database): ``nearest_facilities`` with
``max_distance_m=1000`` (nearest index and exact geodesic distance of every point) and
``covered_within`` (covered flags only). Inputs: 1,000,000 clustered synthetic address points over
德清县 and 1,000 facilities (70 % within ~300 m of an address, 30 % anywhere), see
``bench/_synthetic_points.py``. Reference: the brute-force oracle, ``pyproj.Geod(ellps="GRS80").inv``
from one point to all 1,000 facilities (vectorised over facilities) in a loop over points, run on a
2,000-point subsample and scaled by 500; the subjects' answers (index, distance within 1e-6 m,
covered flag) are asserted identical to it on that subsample. Also shown: the usual shortcut, a
KD-tree on Gauss-Krüger coordinates (EPSG:4549, CGCS2000 zone 120°E) with planar distances: how
many covered flags of the 1,000,000 it gets wrong and its largest distance error. The PostGIS
``EXISTS(ST_DWithin …)`` baseline of the issue belongs to the service benchmark (it needs the
database); this one measures the pure part. No Django import.
"""

from __future__ import annotations

import numpy as np
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

from apps.analysis.coverage_math import covered_within, nearest_facilities

from bench._common import Result, Variant, best_of, first_line, result
from bench._synthetic_points import demand_points, sites

N_DEMAND = 1_000_000
N_FACILITIES = 1_000
RADIUS_M = 1000.0
SUBSAMPLE = 2_000
_GEOD = Geod(ellps="GRS80")


def geodesic_loop(dlon: np.ndarray, dlat: np.ndarray, flon: np.ndarray, flat: np.ndarray):
    """Oracle: every facility's geodesic distance from each point; nearest (lowest index on ties)."""
    index = np.empty(len(dlon), dtype=np.int64)
    dist = np.empty(len(dlon))
    for i in range(len(dlon)):
        _, _, d = _GEOD.inv(np.full(len(flon), dlon[i]), np.full(len(flon), dlat[i]), flon, flat)
        index[i] = int(np.argmin(d))
        dist[i] = d[index[i]]
    return index, dist


def gk_kdtree(dlon: np.ndarray, dlat: np.ndarray, flon: np.ndarray, flat: np.ndarray):
    """Shortcut: planar nearest distance in the 3° Gauss-Krüger zone 120°E (EPSG:4549)."""
    to_gk = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
    dx, dy = to_gk.transform(dlon, dlat)
    fx, fy = to_gk.transform(flon, flat)
    return cKDTree(np.column_stack([fx, fy])).query(np.column_stack([dx, dy]), k=1, workers=-1)


def run() -> Result:
    dlon, dlat, _ = demand_points(N_DEMAND)
    flon, flat = sites(N_FACILITIES, dlon, dlat, seed=11)
    sub = np.random.default_rng(3).choice(N_DEMAND, SUBSAMPLE, replace=False)

    exact = nearest_facilities(dlon, dlat, flon, flat, max_distance_m=RADIUS_M)
    flags = covered_within(dlon, dlat, flon, flat, RADIUS_M)
    o_index, o_dist = geodesic_loop(dlon[sub], dlat[sub], flon, flat)
    o_cov = o_dist <= RADIUS_M
    assert np.array_equal(exact.index[sub], np.where(o_cov, o_index, -1))
    assert np.max(np.abs(exact.distance_m[sub][o_cov] - o_dist[o_cov]), initial=0.0) <= 1e-6
    assert np.array_equal(flags[sub], o_cov) and np.array_equal(flags, exact.distance_m <= RADIUS_M)
    unlimited = nearest_facilities(dlon[sub], dlat[sub], flon, flat)
    assert np.array_equal(unlimited.index, o_index) and np.max(np.abs(unlimited.distance_m - o_dist)) <= 1e-6

    gk_d, _ = gk_kdtree(dlon, dlat, flon, flat)
    gk_wrong = int(np.sum((gk_d <= RADIUS_M) != flags))
    covered = np.isfinite(exact.distance_m)
    gk_err = float(np.max(np.abs(gk_d[covered] - exact.distance_m[covered])))

    t_nearest = best_of(lambda: nearest_facilities(dlon, dlat, flon, flat, max_distance_m=RADIUS_M))
    t_flags = best_of(lambda: covered_within(dlon, dlat, flon, flat, RADIUS_M))
    t_gk = best_of(lambda: gk_kdtree(dlon, dlat, flon, flat))
    t_loop = best_of(lambda: geodesic_loop(dlon[sub], dlat[sub], flon, flat), repeat=2) * (N_DEMAND / SUBSAMPLE)
    variants = [
        Variant("geodesic_loop", t_loop, f"brute-force Geod oracle on {SUBSAMPLE:,} points, scaled x{N_DEMAND // SUBSAMPLE}"),
        Variant("nearest_facilities", t_nearest, "exact nearest index + geodesic distance, max 1 km"),
        Variant("covered_within", t_flags, "exact covered flags only"),
        Variant("gk_kdtree", t_gk, f"planar GK shortcut, NOT exact: {gk_wrong} wrong flags"),
    ]
    return result(
        "coverage_math", first_line(__doc__), "geodesic_loop",
        {"demand": N_DEMAND, "facilities": N_FACILITIES, "radius_m": RADIUS_M, "oracle_subsample": SUBSAMPLE},
        variants,
        covered_share=float(flags.mean()),
        equal_to_oracle_on_subsample=True,
        gk_wrong_flags=gk_wrong,
        gk_max_distance_error_m=gk_err,
    )
