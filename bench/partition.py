"""Synthetic townships for 溆浦县: ``partition_county`` (45 parts) + ``scatter_points`` (400) vs a naive Voronoi clip.

Subject: ``apps.divisions.partition.partition_county(county, 45, seed)`` followed by
``scatter_points(county, 400, seed)`` on the real 溆浦县 (431224) polygon from the GCJ-02 seed file
(GCJ-02 lon/lat, read with ``shapely.geometry.shape``). Reference (baseline): a naive shapely
loop that takes 45 uniform random seats inside the county, builds their Voronoi diagram
(``shapely.voronoi_polygons``) in lon/lat and clips each cell to the county one by one: no equal-area projection, no k-means
balancing, no contiguity repair, no village points. The ratio is expected to be > 1: it is the
price of balanced, contiguous parts and spread-out points. Partition and scatter are also timed
separately; the spread of part areas (max/min) and the number of non-contiguous parts of both
methods are reported.
No Django import.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import MultiPoint

from apps.divisions.partition import partition_county, scatter_points

from bench._common import Result, Variant, best_of, first_line, result, seed_shape

COUNTY_CODE = "431224"  # 溆浦县
N_PARTS = 45
N_POINTS = 400
SEED = 431224
_GEOD = Geod(ellps="GRS80")


def naive_clip(county: shapely.Geometry, n: int, seed: int) -> list[shapely.Geometry]:
    """Voronoi cells of ``n`` random seats inside ``county``, each clipped to it in a Python loop."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = county.bounds
    seats: list[tuple[float, float]] = []
    while len(seats) < n:
        xs, ys = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        inside = shapely.contains_xy(county, xs, ys)
        seats.extend(zip(xs[inside].tolist(), ys[inside].tolist()))
    cells = shapely.voronoi_polygons(MultiPoint(seats[:n]), extend_to=county.envelope)
    return [cell.intersection(county) for cell in cells.geoms]


def ours(county: shapely.Geometry) -> tuple[list, list]:  # type: ignore[type-arg]
    """The project's method: balanced contiguous parts, then spread-out village points."""
    return partition_county(county, N_PARTS, SEED), scatter_points(county, N_POINTS, SEED)


def _area_spread(geoms: list[shapely.Geometry]) -> float:
    """Largest / smallest geodesic part area."""
    areas = [abs(_GEOD.geometry_area_perimeter(g)[0]) for g in geoms]
    return max(areas) / min(areas)


def _multi_piece(geoms: list[shapely.Geometry]) -> int:
    """How many parts are split into several pieces (non-contiguous)."""
    return sum(1 for g in geoms if shapely.get_num_geometries(g) > 1)


def run() -> Result:
    county = seed_shape(COUNTY_CODE)
    parts, points = ours(county)
    naive = naive_clip(county, N_PARTS, SEED)
    assert len(parts) == N_PARTS and len(points) == N_POINTS and len(naive) == N_PARTS

    t_naive = best_of(lambda: naive_clip(county, N_PARTS, SEED))
    t_ours = best_of(lambda: ours(county))
    t_partition = best_of(lambda: partition_county(county, N_PARTS, SEED))
    t_scatter = best_of(lambda: scatter_points(county, N_POINTS, SEED))

    return result(
        "partition", first_line(__doc__), reference="naive_voronoi_clip",
        sizes={"county": f"溆浦县 {COUNTY_CODE}", "county_vertices": int(shapely.get_num_coordinates(county)),
               "parts": N_PARTS, "points": N_POINTS},
        variants=[
            Variant("naive_voronoi_clip", t_naive, "random seats, Voronoi in lon/lat, per-cell clip loop"),
            Variant("ours_partition+scatter", t_ours, "partition_county(45) + scatter_points(400)"),
            Variant("ours_partition_only", t_partition, "partition_county(45)"),
            Variant("ours_scatter_only", t_scatter, "scatter_points(400) on the whole county"),
        ],
        area_max_over_min_ours=_area_spread([p.geometry for p in parts]),
        area_max_over_min_naive=_area_spread(naive),
        multi_piece_parts_ours=_multi_piece([p.geometry for p in parts]),
        multi_piece_parts_naive=_multi_piece(naive),
    )
