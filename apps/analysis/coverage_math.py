"""Exact geodesic nearest-facility and radius coverage for large point sets (pure: numpy/scipy/pyproj).

Every distance here is the ellipsoidal (geodesic) distance on GRS80 / CGCS2000 as computed by
``pyproj.Geod(ellps="GRS80").inv`` (Karney's algorithm), and the answers are *equal* to a brute-force
loop over all pairs with that function: the same nearest index (lowest index on exact ties), the same
distance (the very same call on the same pair) and the same covered flag at any radius.

Speed comes from a KD-tree; exactness from the geometry of the chord. Points go to 3-D
earth-centred (ECEF) coordinates on the ellipsoid, where the straight-line *chord* ``c`` between two
points never exceeds their geodesic distance ``s`` (a straight line is the shortest path in space).
Conversely a geodesic's curvature as a space curve is the surface's normal curvature along it, at
most ``1/R`` with ``R = a(1 - e²)`` (the smallest radius of curvature of the ellipsoid: the meridian
radius at the equator). By Schur's comparison theorem a curve of curvature <= 1/R is no more bent
than a circle of radius R, so ``c >= 2R sin(s / 2R)`` (for ``s <= πR``), i.e.

    c  <=  s  <=  upper(c) = 2R asin(c / 2R)          (upper(c) - c ≈ c³/24R² ≈ 1 µm at 1 km)

Hence: a facility whose chord exceeds a geodesic distance already reached cannot be nearer, and one
whose chord exceeds the radius cannot cover. The KD-tree answers by chord; the few points where
the chord order could differ from the geodesic order (second chord within ``upper(c1)``: in practice
ties and duplicates) are settled by geodesics to every candidate in the ball. ``_MARGIN_M`` absorbs
floating-point error of the ECEF chords (~1e-9 m) and Geod's own (~15 nm).
No degrees-per-metre factor and no map projection are involved, so zone edges and extents do not
matter. No Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from pyproj import Geod
from scipy.spatial import cKDTree

GEOD = Geod(ellps="GRS80")  # CGCS2000 uses the GRS80 ellipsoid (its flattening differs in the 12th digit)
_A = GEOD.a
_E2 = GEOD.es
_R_MIN = _A * (1.0 - _E2)  # smallest radius of curvature of the ellipsoid (meridian at the equator)
_MARGIN_M = 1e-4  # generous slack on chords: float error of ECEF chords and of Geod.inv is ~1e-8 m
_MAX_CHORD = _R_MIN * np.sqrt(2.0)  # upper() is used only below s = πR/2; beyond, treat as unbounded

FloatArray = np.ndarray
IntArray = np.ndarray


def ecef(lon: FloatArray, lat: FloatArray) -> FloatArray:
    """Earth-centred coordinates (n × 3, metres) of lon/lat degrees on the GRS80 ellipsoid, height 0."""
    lam = np.radians(np.asarray(lon, dtype=float))
    phi = np.radians(np.asarray(lat, dtype=float))
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    n = _A / np.sqrt(1.0 - _E2 * sin_phi * sin_phi)  # prime-vertical radius of curvature
    return np.column_stack((n * cos_phi * np.cos(lam), n * cos_phi * np.sin(lam), n * (1.0 - _E2) * sin_phi))


def geodesic_upper_bound(chord_m: FloatArray) -> FloatArray:
    """Largest geodesic distance a chord of ``chord_m`` metres can have (``inf`` when unbounded here)."""
    c = np.asarray(chord_m, dtype=float)
    with np.errstate(invalid="ignore"):
        up = 2.0 * _R_MIN * np.arcsin(np.minimum(c, _MAX_CHORD) / (2.0 * _R_MIN))
    return np.where(c < _MAX_CHORD, up, np.inf)


def geodesic_m(lon1: FloatArray, lat1: FloatArray, lon2: FloatArray, lat2: FloatArray) -> FloatArray:
    """Geodesic distances in metres between paired points (the oracle's very call, vectorised)."""
    if np.size(lon1) == 0:
        return np.zeros(0)
    _, _, dist = GEOD.inv(np.asarray(lon1, dtype=float), np.asarray(lat1, dtype=float),
                          np.asarray(lon2, dtype=float), np.asarray(lat2, dtype=float))
    return np.asarray(dist, dtype=float)


@dataclass(frozen=True)
class Nearest:
    """Nearest facility of each demand point: ``index`` -1 and ``distance_m`` inf when none (within max)."""

    index: IntArray
    distance_m: FloatArray


@dataclass(frozen=True)
class RadiusCoverage:
    """Coverage summary at one radius: counts and weights of demand points within it of any facility."""

    radius_m: float
    covered_count: int
    total_count: int
    covered_weight: float
    total_weight: float

    @property
    def covered_share(self) -> float:
        return self.covered_count / self.total_count if self.total_count else 0.0

    @property
    def covered_weight_share(self) -> float:
        return self.covered_weight / self.total_weight if self.total_weight else 0.0


def _as_arrays(*values: FloatArray) -> list[FloatArray]:
    return [np.ascontiguousarray(v, dtype=float).ravel() for v in values]


def _ball_argmin(points: IntArray, radius: FloatArray, dxyz: FloatArray, dlon: FloatArray, dlat: FloatArray,
                 tree: cKDTree, flon: FloatArray, flat: FloatArray) -> tuple[IntArray, FloatArray]:
    """Geodesic nearest among all facilities within chord ``radius`` of each of ``points`` (ties: lowest index)."""
    best_i = np.full(len(points), -1, dtype=np.int64)
    best_d = np.full(len(points), np.inf)
    if len(points) == 0:
        return best_i, best_d
    balls = tree.query_ball_point(dxyz[points], radius, workers=-1)
    sizes = np.fromiter((len(b) for b in balls), dtype=np.int64, count=len(balls))
    owner = np.repeat(np.arange(len(points)), sizes)
    cand = np.concatenate([np.asarray(b, dtype=np.int64) for b in balls]) if sizes.sum() else np.zeros(0, np.int64)
    dist = geodesic_m(dlon[points][owner], dlat[points][owner], flon[cand], flat[cand])
    order = np.lexsort((cand, dist, owner))  # per point: smallest distance first, then lowest index
    first = np.ones(len(order), dtype=bool)
    first[1:] = owner[order][1:] != owner[order][:-1]
    pick = order[first]
    best_i[owner[pick]] = cand[pick]
    best_d[owner[pick]] = dist[pick]
    return best_i, best_d


def nearest_facilities(demand_lon: FloatArray, demand_lat: FloatArray, facility_lon: FloatArray,
                       facility_lat: FloatArray, *, max_distance_m: float | None = None) -> Nearest:
    """Geodesically nearest facility of every demand point, equal to the brute-force oracle.

    ``max_distance_m``: facilities farther than this are ignored (index -1, distance inf), which also
    saves the geodesic computation for far points. Ties at equal distance go to the lowest index.
    """
    dlon, dlat, flon, flat = _as_arrays(demand_lon, demand_lat, facility_lon, facility_lat)
    n, m = len(dlon), len(flon)
    index = np.full(n, -1, dtype=np.int64)
    distance = np.full(n, np.inf)
    if n == 0 or m == 0:
        return Nearest(index, distance)
    bound = np.inf if max_distance_m is None else float(max_distance_m) + _MARGIN_M
    dxyz, tree = ecef(dlon, dlat), cKDTree(ecef(flon, flat))
    c, i = tree.query(dxyz, k=min(2, m), distance_upper_bound=bound, workers=-1)
    c, i = c.reshape(n, -1), i.reshape(n, -1)
    c1, i1 = c[:, 0], i[:, 0]
    c2 = c[:, 1] if m > 1 else np.full(n, np.inf)
    found = np.flatnonzero(np.isfinite(c1))
    # Another facility could be geodesically as near as the chord-nearest one only if its chord is
    # within upper(c1); otherwise the chord-nearest one is the unique geodesic nearest.
    reach = geodesic_upper_bound(c1[found]) + _MARGIN_M
    ambiguous = c2[found] <= reach
    clear = found[~ambiguous]
    index[clear] = i1[clear]
    distance[clear] = geodesic_m(dlon[clear], dlat[clear], flon[i1[clear]], flat[i1[clear]])
    amb = found[ambiguous]
    reach_amb = np.minimum(reach[ambiguous], np.inf if max_distance_m is None else bound)
    index[amb], distance[amb] = _ball_argmin(amb, reach_amb, dxyz, dlon, dlat, tree, flon, flat)
    if max_distance_m is not None:
        beyond = distance > float(max_distance_m)
        index[beyond], distance[beyond] = -1, np.inf
    return Nearest(index, distance)


def covered_mask(distance_m: FloatArray, radius_m: float) -> np.ndarray:
    """Covered flags at ``radius_m``: the (exact geodesic) nearest distance is at most the radius."""
    return np.asarray(distance_m) <= float(radius_m)


def covered_masks(distance_m: FloatArray, radii_m: Sequence[float]) -> dict[float, np.ndarray]:
    """``covered_mask`` for several radii at once (one nearest computation serves all of them)."""
    return {float(r): covered_mask(distance_m, r) for r in radii_m}


def coverage_by_radius(distance_m: FloatArray, radii_m: Sequence[float],
                       weights: FloatArray | None = None) -> list[RadiusCoverage]:
    """Covered count and weight per radius from nearest distances (compute them with the largest radius)."""
    dist = np.asarray(distance_m, dtype=float)
    w = np.ones(len(dist)) if weights is None else np.asarray(weights, dtype=float)
    total_w = float(w.sum())
    out = []
    for r in radii_m:
        mask = covered_mask(dist, r)
        out.append(RadiusCoverage(float(r), int(mask.sum()), len(dist), float(w[mask].sum()), total_w))
    return out


def covered_within(demand_lon: FloatArray, demand_lat: FloatArray, facility_lon: FloatArray,
                   facility_lat: FloatArray, radius_m: float) -> np.ndarray:
    """Covered flags (some facility within ``radius_m`` geodesically) without computing every distance.

    Equal to ``nearest_facilities(...).distance_m <= radius_m``; geodesics are only computed where
    the chord bounds cannot decide (chord-nearest within ~1 µm of the radius at 1 km, or ties).
    """
    dlon, dlat, flon, flat = _as_arrays(demand_lon, demand_lat, facility_lon, facility_lat)
    n, m, r = len(dlon), len(flon), float(radius_m)
    covered = np.zeros(n, dtype=bool)
    if n == 0 or m == 0:
        return covered
    dxyz, tree = ecef(dlon, dlat), cKDTree(ecef(flon, flat))
    c1, i1 = tree.query(dxyz, k=1, distance_upper_bound=r + _MARGIN_M, workers=-1)
    near = np.isfinite(c1)
    sure = near & (geodesic_upper_bound(np.where(near, c1, 0.0)) + _MARGIN_M <= r)
    covered[sure] = True
    undecided = np.flatnonzero(near & ~sure)
    if len(undecided):
        s1 = geodesic_m(dlon[undecided], dlat[undecided], flon[i1[undecided]], flat[i1[undecided]])
        covered[undecided[s1 <= r]] = True
        rest = undecided[s1 > r]  # another facility with a longer chord may still be within r
        _, best = _ball_argmin(rest, np.full(len(rest), r + _MARGIN_M), dxyz, dlon, dlat, tree, flon, flat)
        covered[rest[best <= r]] = True
    return covered


def _chord_pairs(demand_lon: FloatArray, demand_lat: FloatArray, site_lon: FloatArray, site_lat: FloatArray,
                 radius_m: float) -> tuple[IntArray, IntArray, FloatArray]:
    """(demand, site, chord) for every pair whose chord is within the radius (+ margin), sorted.

    Every pair within the radius geodesically is among them, since a chord never exceeds the geodesic.
    """
    dlon, dlat, slon, slat = _as_arrays(demand_lon, demand_lat, site_lon, site_lat)
    if len(dlon) == 0 or len(slon) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    found = cKDTree(ecef(dlon, dlat)).sparse_distance_matrix(
        cKDTree(ecef(slon, slat)), float(radius_m) + _MARGIN_M, output_type="ndarray")
    di, sj = found["i"].astype(np.int64), found["j"].astype(np.int64)
    order = np.lexsort((sj, di))
    return di[order], sj[order], found["v"][order]


def pairs_within(demand_lon: FloatArray, demand_lat: FloatArray, site_lon: FloatArray, site_lat: FloatArray,
                 radius_m: float) -> tuple[IntArray, IntArray, FloatArray]:
    """All (demand, site) pairs at geodesic distance <= ``radius_m``: demand index, site index, metres.

    Sorted by demand index, then site index. Every candidate pair of the chord search is decided by
    its geodesic distance.
    """
    di, sj, _ = _chord_pairs(demand_lon, demand_lat, site_lon, site_lat, radius_m)
    dlon, dlat, slon, slat = _as_arrays(demand_lon, demand_lat, site_lon, site_lat)
    dist = geodesic_m(dlon[di], dlat[di], slon[sj], slat[sj])
    keep = dist <= float(radius_m)
    return di[keep], sj[keep], dist[keep]


def covering_pairs(demand_lon: FloatArray, demand_lat: FloatArray, site_lon: FloatArray, site_lat: FloatArray,
                   radius_m: float) -> tuple[IntArray, IntArray]:
    """The pairs of ``pairs_within`` without their distances, computing geodesics only where needed.

    A pair whose chord bound ``upper(c)`` is within the radius is inside; only pairs with the chord
    within ~1 µm (at 1 km) below the radius go through ``Geod.inv``.
    """
    di, sj, chord = _chord_pairs(demand_lon, demand_lat, site_lon, site_lat, radius_m)
    r = float(radius_m)
    keep = geodesic_upper_bound(chord) + _MARGIN_M <= r
    undecided = np.flatnonzero(~keep)
    if len(undecided):
        dlon, dlat, slon, slat = _as_arrays(demand_lon, demand_lat, site_lon, site_lat)
        u_d, u_s = di[undecided], sj[undecided]
        keep[undecided] = geodesic_m(dlon[u_d], dlat[u_d], slon[u_s], slat[u_s]) <= r
    return di[keep], sj[keep]


def geodesic_matrix(demand_lon: FloatArray, demand_lat: FloatArray, site_lon: FloatArray,
                    site_lat: FloatArray) -> FloatArray:
    """Dense demand × site matrix of geodesic metres (for small instances and oracles)."""
    dlon, dlat, slon, slat = _as_arrays(demand_lon, demand_lat, site_lon, site_lat)
    n, m = len(dlon), len(slon)
    if n == 0 or m == 0:
        return np.zeros((n, m))
    return geodesic_m(np.repeat(dlon, m), np.repeat(dlat, m), np.tile(slon, n), np.tile(slat, n)).reshape(n, m)
