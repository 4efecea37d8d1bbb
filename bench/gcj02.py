"""GCJ-02 -> WGS84 of a 100,000-vertex polygon ring: vectorised numpy call vs a per-point loop.

Subject: one call of ``apps.common.coords.gcj02_to_wgs84`` on numpy arrays of all 100,000
vertices. Reference (baseline): the same function called once per vertex with Python floats;
for time's sake the loop runs on every 10th vertex (10,000 points) and its time is scaled x10.
The ring is the real 德清县 (330521) outer ring from the GCJ-02 seed file, resampled to exactly
100,000 vertices along its length. Also reported: the max round-trip error
``|wgs84_to_gcj02(gcj02_to_wgs84(p)) - p|`` in metres (pyproj.Geod, GRS80) over all vertices,
and the max distance between the per-point and the vectorised results on the 10,000 points.
No Django import.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Geod

from apps.common.coords import gcj02_to_wgs84, wgs84_to_gcj02

from bench._common import Result, Variant, best_of, first_line, result, seed_shape

N_VERTICES = 100_000
LOOP_STRIDE = 10  # the per-point loop converts every 10th vertex and is scaled by this factor
RING_CODE = "330521"  # 德清县
_GEOD = Geod(ellps="GRS80")


def ring_coords(n: int = N_VERTICES) -> tuple[np.ndarray, np.ndarray]:
    """``n`` GCJ-02 lon/lat vertices evenly spaced along the 德清县 outer ring (first == last)."""
    county = seed_shape(RING_CODE)
    polygon = max(shapely.get_parts(county), key=lambda p: p.area)
    ring = polygon.exterior
    pts = shapely.line_interpolate_point(ring, np.linspace(0.0, 1.0, n), normalized=True)
    xy = shapely.get_coordinates(pts)
    return xy[:, 0].copy(), xy[:, 1].copy()


def _per_point(lons: list[float], lats: list[float]) -> list[tuple[float, float]]:
    return [gcj02_to_wgs84(x, y) for x, y in zip(lons, lats)]  # type: ignore[misc]


def _metres(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> float:
    _, _, dist = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(np.max(dist))


def run() -> Result:
    gx, gy = ring_coords()
    sub_x, sub_y = gx[::LOOP_STRIDE].tolist(), gy[::LOOP_STRIDE].tolist()

    vec = best_of(lambda: gcj02_to_wgs84(gx, gy))
    loop = best_of(lambda: _per_point(sub_x, sub_y)) * (len(gx) / len(sub_x))

    wx, wy = gcj02_to_wgs84(gx, gy)
    rx, ry = wgs84_to_gcj02(wx, wy)
    roundtrip_m = _metres(gx, gy, np.asarray(rx), np.asarray(ry))
    looped = np.array(_per_point(sub_x, sub_y))
    agree_m = _metres(np.asarray(wx)[::LOOP_STRIDE], np.asarray(wy)[::LOOP_STRIDE],
                      looped[:, 0], looped[:, 1])
    assert roundtrip_m < 0.01, f"round-trip error {roundtrip_m} m"
    assert agree_m < 0.01, f"per-point and vectorised results differ by {agree_m} m"

    return result(
        "gcj02", first_line(__doc__), reference="per_point_loop",
        sizes={"vertices": len(gx), "per_point_sample": len(sub_x), "per_point_scale": len(gx) / len(sub_x)},
        variants=[
            Variant("per_point_loop", loop, f"Python floats, {len(sub_x):,} points timed, scaled to {len(gx):,}"),
            Variant("vectorised", vec, "numpy arrays, one call"),
        ],
        max_roundtrip_error_m=roundtrip_m,
        max_per_point_vs_vectorised_m=agree_m,
    )
