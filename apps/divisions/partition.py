"""Synthesise plausible township polygons and village points inside a real county.

Why this exists
---------------
We hold real county polygons and the real *names* of each county's townships (乡/镇/街道) and
villages (村/社区), but no township boundaries and no village positions. Demo data, map views and
spatial queries still need *some* geometry for them, so this module fabricates it. Everything it
returns is invented: callers must flag the result as synthesised (e.g. a ``geometry_source`` field)
and must never present it as a real boundary or location.

This module is deliberately pure (shapely, numpy, scipy, pyproj; no Django), deterministic
(same input and ``seed`` -> byte-identical output, for a given set of numpy/GEOS/PROJ versions:
upgrading those may legitimately change the invented geometry) and fast (45 parts of a 3,400 km² county with
~10k vertices in a fraction of a second).

Method
------
``partition_county`` builds a centroidal-Voronoi-like partition:

1. Project the county to a local Lambert azimuthal *equal-area* projection on the GRS80 ellipsoid
   (the CGCS2000 ellipsoid, for practical purposes) centred on the county, so that "equal area"
   means equal square metres rather than equal square degrees (a degree of longitude is ~15 % shorter
   than a degree of latitude at 30°N).
2. Sample points uniformly inside the projected county with a seeded ``numpy`` generator.
3. Run k-means (k-means++ initialisation, then Lloyd iterations) on the samples. The centroids of a
   converged k-means over uniform samples approximate a centroidal Voronoi tessellation, whose cells
   have similar areas and compact, township-like shapes. Each centroid becomes a township seat.
4. Build the Voronoi diagram of the seats in metric space, transform the *cells* (not the clipped
   parts) back to lon/lat, and intersect them with the *original* lon/lat county. Adjacent Voronoi
   cells share their vertices exactly, and a vertex transforms to the same lon/lat whichever cell it
   belongs to, so the back-transformed cells still tile the plane; clipping against the untouched
   input county then leaves no gap or overlap beyond floating-point noise (far below 1 m²). Clipping
   the parts in metric space and transforming them back would instead move the county boundary by
   the projection round-trip error and open slivers along it.
5. Where a concave stretch of the county boundary cuts a cell into several pieces, hand the
   detached mainland pieces to the neighbouring part they share the most boundary with, so that
   townships are contiguous; only real islands may leave a part as a multi-piece MultiPolygon.
6. Order the parts by seat, north-west to south-east, so the list order is reproducible too.

``scatter_points`` places village seats in a township: uniform candidates in a local metric
projection, accepted Poisson-disc style only if they keep a minimum spacing from the points already
accepted and keep a smaller margin from the area's boundary; both are relaxed step by step when
the area cannot hold ``n`` points that far apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer
from scipy.spatial import cKDTree
from shapely.errors import UnsupportedGEOSVersionError
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, box

__all__ = ["TownshipPart", "partition_county", "scatter_points"]

# Geographic CRS of the input, expressed on the GRS80 ellipsoid. Using the same ellipsoid for the
# local projection makes the transform a pure map projection (no datum shift that pyproj might
# approximate), so forward and inverse are exact inverses up to floating point.
_GEOGRAPHIC = CRS.from_proj4("+proj=longlat +ellps=GRS80 +no_defs +type=crs")

# Uniform samples per part fed to k-means: enough that cell areas are not dominated by sampling
# noise, few enough that 45 parts stay well under the time budget.
_SAMPLES_PER_PART = 200
_MIN_SAMPLES = 4000
_LLOYD_MAX_ITER = 60
# Stop Lloyd iterations once no seat moves more than this (metres).
_LLOYD_TOL_M = 1.0
# scatter_points: minimum distance from the area boundary, as a fraction of the current spacing.
_BOUNDARY_MARGIN = 0.3


@dataclass(frozen=True)
class TownshipPart:
    """One synthesised township: its polygon and a seat (驻地) point inside it, both in lon/lat."""

    geometry: MultiPolygon
    seat: Point


class _LocalProjection:
    """Lambert azimuthal equal-area projection on GRS80 centred on a geometry, in metres."""

    def __init__(self, geom: shapely.Geometry) -> None:
        # Centre on the bounding-box centre rather than the centroid: it is cheaper and, for a
        # county-sized area, distortion differences between the two are negligible.
        minx, miny, maxx, maxy = geom.bounds
        lon0, lat0 = (minx + maxx) / 2.0, (miny + maxy) / 2.0
        local = CRS.from_proj4(
            f"+proj=laea +lat_0={lat0!r} +lon_0={lon0!r} +x_0=0 +y_0=0 +ellps=GRS80 "
            "+units=m +no_defs +type=crs"
        )
        self._fwd = Transformer.from_crs(_GEOGRAPHIC, local, always_xy=True)
        self._inv = Transformer.from_crs(local, _GEOGRAPHIC, always_xy=True)

    def to_metric(self, geom):  # type: ignore[no-untyped-def]  # geometry or array of them
        return shapely.transform(geom, self._fwd.transform, interleaved=False)

    def to_lonlat(self, geom):  # type: ignore[no-untyped-def]
        return shapely.transform(geom, self._inv.transform, interleaved=False)

    def xy_to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self._inv.transform(x, y)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def xy_to_metric(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._fwd.transform(lon, lat)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _polygonal_parts(geom: shapely.Geometry) -> list[Polygon]:
    """Non-empty polygons of any geometry, recursing into collections; lines and points dropped."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom] if geom.area > 0 else []
    if hasattr(geom, "geoms"):  # MultiPolygon, GeometryCollection, Multi* of lower dimension
        out: list[Polygon] = []
        for sub in geom.geoms:
            out.extend(_polygonal_parts(sub))
        return out
    return []  # Point, LineString, LinearRing: zero area, not part of a township


def _as_multipolygon(geom: shapely.Geometry) -> MultiPolygon:
    """Clean polygonal MultiPolygon from an overlay result (which may be a collection or invalid)."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys = _polygonal_parts(geom)
    mp = MultiPolygon(polys)
    if not mp.is_valid:
        # Can only happen if the pieces touch along an edge; union_all dissolves that.
        mp = MultiPolygon(_polygonal_parts(shapely.union_all(polys)))
    return mp


def _clean_area(area: shapely.Geometry, what: str) -> shapely.Geometry:
    if not isinstance(area, (Polygon, MultiPolygon)):
        raise TypeError(f"{what} must be a shapely Polygon or MultiPolygon, got {type(area).__name__}")
    if not area.is_valid:
        area = _as_multipolygon(area)
    if area.is_empty or area.area <= 0:
        raise ValueError(f"{what} has no area")
    return area


def _private_copy(geom: shapely.Geometry) -> shapely.Geometry:
    # shapely.prepare() mutates the object it is given; work on an exact copy so callers' geometries
    # are left alone (WKB round trip is bit-exact for doubles).
    return shapely.from_wkb(shapely.to_wkb(geom))


def _sample_uniform(
    region_metric: shapely.Geometry, count: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` points uniformly distributed inside ``region_metric`` (rejection sampling)."""
    shapely.prepare(region_metric)
    minx, miny, maxx, maxy = region_metric.bounds
    fill = region_metric.area / max((maxx - minx) * (maxy - miny), 1e-300)
    chunks: list[np.ndarray] = []
    have = 0
    for _ in range(1000):
        want = count - have
        if want <= 0:
            break
        # Oversample by the expected rejection rate so one or two rounds normally suffice.
        m = int(want / max(fill, 1e-3) * 1.2) + 64
        xs = rng.uniform(minx, maxx, m)
        ys = rng.uniform(miny, maxy, m)
        inside = shapely.contains_xy(region_metric, xs, ys)
        pts = np.column_stack((xs[inside], ys[inside]))
        chunks.append(pts)
        have += len(pts)
    else:
        raise ValueError("could not sample points inside the area (degenerate geometry?)")
    return np.concatenate(chunks)[:count]


def _kmeans(samples: np.ndarray, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """k-means++ initialisation then Lloyd iterations; returns (centres, labels), no empty cluster.

    Own implementation rather than ``scipy.cluster.vq.kmeans2`` so that empty clusters are handled
    explicitly and results do not change with scipy's evolving seeding/``rng`` API.
    """
    m = len(samples)
    # k-means++: spread the initial seats out, which avoids slow convergence and lopsided cells.
    centres = np.empty((k, 2))
    centres[0] = samples[rng.integers(m)]
    d2 = np.sum((samples - centres[0]) ** 2, axis=1)
    for i in range(1, k):
        total = d2.sum()
        idx = int(rng.choice(m, p=d2 / total)) if total > 0 else int(rng.integers(m))
        centres[i] = samples[idx]
        d2 = np.minimum(d2, np.sum((samples - centres[i]) ** 2, axis=1))

    labels = np.zeros(m, dtype=np.intp)
    for _ in range(_LLOYD_MAX_ITER):
        dist, labels = cKDTree(centres).query(samples)
        counts = np.bincount(labels, minlength=k)
        for empty in np.flatnonzero(counts == 0):
            # Re-seed an empty cluster at the sample worst served by its current seat.
            far = int(np.argmax(dist))
            labels[far] = empty
            dist[far] = 0.0
        counts = np.bincount(labels, minlength=k)
        new = np.column_stack(
            (
                np.bincount(labels, weights=samples[:, 0], minlength=k),
                np.bincount(labels, weights=samples[:, 1], minlength=k),
            )
        ) / counts[:, None]
        shift = float(np.max(np.hypot(*(new - centres).T)))
        centres = new
        if shift < _LLOYD_TOL_M:
            break
    _, labels = cKDTree(centres).query(samples)
    return centres, labels


def _seats_inside(
    centres: np.ndarray, samples: np.ndarray, labels: np.ndarray, county_metric: shapely.Geometry
) -> np.ndarray:
    """Move seats that fall outside the county (concave shapes, islands) onto a sample inside it.

    Why: a seat strictly inside the county is strictly inside its own Voronoi cell, so the cell's
    intersection with the county has positive area; this is what guarantees no part is empty.
    """
    seats = centres.copy()
    outside = ~shapely.contains_xy(county_metric, seats[:, 0], seats[:, 1])
    for i in np.flatnonzero(outside):
        members = samples[labels == i]
        pool = members if len(members) else samples
        seats[i] = pool[np.argmin(np.sum((pool - centres[i]) ** 2, axis=1))]
    # Two seats must not coincide (Voronoi would merge them); separate exact duplicates by a
    # deterministic nudge of a few centimetres, far below any visible scale.
    _, first = np.unique(seats, axis=0, return_index=True)
    if len(first) < len(seats):
        dup = np.setdiff1d(np.arange(len(seats)), first)
        seats[dup] += 0.05 * (1 + np.arange(len(dup)))[:, None]
    return seats


def _voronoi_cells(seats: np.ndarray, extent: Polygon) -> np.ndarray:
    """Voronoi cells of ``seats`` clipped to ``extent``; cell ``i`` belongs to ``seats[i]``."""
    diagram = MultiPoint(seats)
    try:
        # ordered=True (GEOS >= 3.12) returns cell i for input point i.
        cells = shapely.get_parts(
            shapely.voronoi_polygons(diagram, extend_to=extent, ordered=True)
        )
    except UnsupportedGEOSVersionError:
        # Older GEOS: match cells to seats by containment (each seat is interior to its cell).
        raw = shapely.get_parts(shapely.voronoi_polygons(diagram, extend_to=extent))
        seat_idx, cell_idx = shapely.STRtree(raw).query(
            shapely.points(seats), predicate="within"
        )
        cells = np.empty(len(seats), dtype=object)
        cells[seat_idx] = raw[cell_idx]
    if len(cells) != len(seats) or any(c is None for c in cells):
        raise RuntimeError(f"Voronoi diagram has {len(cells)} cells for {len(seats)} seats")
    return cells


def _absorb_detached_fragments(geoms: list[MultiPolygon], seats: list[Point]) -> list[MultiPolygon]:
    """Hand pieces cut off from their part by a concave county boundary to an adjacent part.

    Why: a Voronoi cell that straddles a narrow bay or a bend of the boundary is clipped into
    several pieces, giving a township made of disconnected scraps on the mainland, which real
    townships almost never are. Each piece other than a part's main one (the piece holding its
    seat, else the largest) moves to the part it shares the longest boundary with. Pieces that
    touch no other part along an edge -- islands -- stay where they are. Moving whole pieces
    between parts keeps the tiling exact: no area is added or removed, and no part loses its
    main piece, so none becomes empty.
    """
    geoms = list(geoms)
    # A moved piece can land next to a piece that is itself moving; a second or third round
    # settles that. Bounded because pathological shapes could otherwise swap pieces forever.
    for _ in range(3):
        if all(len(g.geoms) == 1 for g in geoms):
            break
        tree = shapely.STRtree(geoms)
        removed: dict[int, set[int]] = {}
        added: dict[int, list[Polygon]] = {}
        for i, mp in enumerate(geoms):
            pieces = list(mp.geoms)
            if len(pieces) == 1:
                continue
            main = next((k for k, pc in enumerate(pieces) if pc.contains(seats[i])), None)
            if main is None:
                main = max(range(len(pieces)), key=lambda k: pieces[k].area)
            for k, piece in enumerate(pieces):
                if k == main:
                    continue
                best, best_len = -1, 0.0
                for j in sorted(int(j) for j in tree.query(piece, predicate="intersects")):
                    if j == i:
                        continue
                    shared = piece.boundary.intersection(geoms[j].boundary).length
                    if shared > best_len:
                        best, best_len = j, shared
                if best >= 0:
                    removed.setdefault(i, set()).add(k)
                    added.setdefault(best, []).append(piece)
        if not removed:
            break
        # Applied after the scan so that decisions do not depend on the order parts are visited.
        for i in sorted(set(removed) | set(added)):
            keep = [pc for k, pc in enumerate(geoms[i].geoms) if k not in removed.get(i, set())]
            geoms[i] = _as_multipolygon(shapely.union_all(keep + added.get(i, [])))
    return geoms


def partition_county(
    county: Polygon | MultiPolygon, n: int, seed: int
) -> list[TownshipPart]:
    """Split ``county`` (lon/lat) into exactly ``n`` synthetic townships of roughly equal area.

    Returns ``n`` parts, each a valid non-empty ``MultiPolygon`` in the input's lon/lat, with a seat
    point inside it. The parts tile the county (gaps/overlaps are floating-point slivers, far below
    1 m²). Parts are ordered by seat from north-west to south-east (key: easting − northing in the
    local metric projection, ties broken by northing then easting), so the order, like the geometry,
    depends only on ``(county, n, seed)``.
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    county = _clean_area(county, "county")

    if n == 1:
        # Nothing to split: the part is the county itself, bit for bit.
        whole = county if isinstance(county, MultiPolygon) else MultiPolygon([county])
        seat = county.centroid
        if not county.contains(seat):
            seat = county.point_on_surface()
        return [TownshipPart(whole, seat)]

    proj = _LocalProjection(county)
    rng = np.random.default_rng(seed)
    county_metric = proj.to_metric(county)
    samples = _sample_uniform(county_metric, max(_MIN_SAMPLES, _SAMPLES_PER_PART * n), rng)
    centres, labels = _kmeans(samples, n, rng)
    seats = _seats_inside(centres, samples, labels, county_metric)

    # Extent well beyond the county so that, even after the back-transform bends the frame, the
    # cells cover every bit of the county.
    minx, miny, maxx, maxy = county_metric.bounds
    pad = max(maxx - minx, maxy - miny)
    extent = box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    cells = _voronoi_cells(seats, extent)

    # Back-transform the cells, not clipped parts: see the module docstring.
    cells_ll = proj.to_lonlat(cells)
    clipped = shapely.intersection(cells_ll, county)

    seats_lon, seats_lat = proj.xy_to_lonlat(seats[:, 0], seats[:, 1])
    seat_points = [Point(float(lon), float(lat)) for lon, lat in zip(seats_lon, seats_lat)]
    geoms = [_as_multipolygon(g) for g in clipped]
    if any(g.is_empty for g in geoms):
        # Should be impossible (every seat is strictly inside the county, hence inside its own
        # part); fail loudly rather than return fewer townships than names.
        raise RuntimeError("a synthesised township came out empty")
    geoms = _absorb_detached_fragments(geoms, seat_points)

    parts: list[TownshipPart] = []
    for mp, seat in zip(geoms, seat_points):
        if not mp.contains(seat):
            seat = mp.point_on_surface()
        parts.append(TownshipPart(mp, seat))

    sx, sy = proj.xy_to_metric(
        np.array([p.seat.x for p in parts]), np.array([p.seat.y for p in parts])
    )
    order = sorted(range(n), key=lambda i: (sx[i] - sy[i], -sy[i], sx[i]))
    return [parts[i] for i in order]


def scatter_points(
    area: Polygon | MultiPolygon,
    n: int,
    seed: int,
    min_spacing_m: float | None = None,
) -> list[Point]:
    """``n`` deterministic, reasonably spread-out points strictly inside ``area`` (lon/lat).

    Poisson-disc-like rejection sampling in a local metric projection: a uniform candidate is kept
    only if it is at least the current spacing away from every point kept so far, and at least
    ``_BOUNDARY_MARGIN`` times that spacing away from the boundary (a village seat right on a
    township border looks wrong, and would flip sides under any later re-projection). The spacing starts
    at ``min_spacing_m`` (default ``0.6 * sqrt(area / n)``, comfortably below the ~0.8·sqrt(A/n)
    at which random sequential packing saturates) and shrinks by 20 % whenever many candidates in a
    row are rejected (the margin with it), so a thin or small area still receives ``n`` points. Every returned point
    satisfies ``area.contains(point)``, tested on the lon/lat input itself.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return []
    area = _private_copy(_clean_area(area, "area"))
    shapely.prepare(area)
    proj = _LocalProjection(area)
    area_metric = proj.to_metric(area)
    area_m2 = area_metric.area
    minx, miny, maxx, maxy = area_metric.bounds
    fill = area_m2 / max((maxx - minx) * (maxy - miny), 1e-300)

    spacing = float(min_spacing_m) if min_spacing_m is not None else 0.6 * math.sqrt(area_m2 / n)
    rng = np.random.default_rng(seed)
    boundary_metric = area_metric.boundary
    kept_lonlat: list[tuple[float, float]] = []
    kept_xy = np.empty((0, 2))
    misses = 0
    max_misses = 60  # consecutive rejections before relaxing the spacing
    batch = max(256, int(4 * n / max(fill, 1e-3)))
    for _ in range(10_000):
        xs = rng.uniform(minx, maxx, batch)
        ys = rng.uniform(miny, maxy, batch)
        lon, lat = proj.xy_to_lonlat(xs, ys)
        # Containment is judged on the caller's lon/lat geometry, not the projected copy, so
        # round-trip error can never put a point on the wrong side of the boundary.
        inside = shapely.contains_xy(area, lon, lat)
        xs, ys, lon, lat = xs[inside], ys[inside], lon[inside], lat[inside]
        to_edge = shapely.distance(boundary_metric, shapely.points(xs, ys))
        for x, y, lo, la, edge in zip(xs, ys, lon, lat, to_edge):
            if len(kept_xy):
                nearest = float(np.min(np.hypot(kept_xy[:, 0] - x, kept_xy[:, 1] - y)))
            else:
                nearest = math.inf
            if nearest >= spacing and nearest > 0 and edge >= _BOUNDARY_MARGIN * spacing:
                kept_xy = np.vstack((kept_xy, (x, y)))
                kept_lonlat.append((float(lo), float(la)))
                misses = 0
                if len(kept_lonlat) == n:
                    return [Point(lo_, la_) for lo_, la_ in kept_lonlat]
            else:
                misses += 1
                if misses >= max_misses:
                    spacing *= 0.8
                    misses = 0
    raise ValueError("could not place the requested points inside the area (degenerate geometry?)")
