"""Mapbox vector tiles (MVT) of the large layers, made by PostGIS (`ST_AsMVT` over `ST_AsMVTGeom`).

A tile z/x/y is the Web Mercator (EPSG:3857) square `ST_TileEnvelope(z, x, y)`. The rows are
found with a bounding-box filter in the storage CRS (EPSG:4490) so the GiST index on the geometry
column is used: a Mercator tile is a lon/lat rectangle, so transforming the (slightly widened)
envelope to 4490 gives the exact search box. Geometries are then transformed 4490 → 3857 and
clipped/quantised into tile space by `ST_AsMVTGeom` (extent 4096, buffer 64).

Per-zoom thinning (the 150,000-address county must browse smoothly):
- `addresses`: from zoom 14 one point per entrance position (flats share their building's door),
  with `id`, `code` and `count` (addresses at that position); from zoom 16 also `full_text`,
  `status`, `stage`, `level`. At zooms 10–13 one point per cell of a 64 × 64 grid laid on the
  tile (the mean position of the addresses in the cell, with their `count`). Below 10 nothing.
- `roads`: current 街路巷 centre lines from zoom 8 (a county has a few hundred; `ST_AsMVTGeom`
  already drops vertices closer than a tile unit).
An optional `division` code prefix limits either layer to one township (or village).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

EXTENT = 4096  # tile units per side
BUFFER = 64  # tile units drawn beyond each edge, so symbols at the edge are not cut
MAX_ZOOM = 22
CLUSTER_GRID = 64  # cells per tile side for the clustered address zooms
WORLD_M = 40075016.685578488  # EPSG:3857 world width in metres


@dataclass(frozen=True)
class LayerSpec:
    """What a layer serves: the zoom it starts at and where it stops being thinned."""

    name: str
    min_zoom: int  # below it the tile is empty
    point_zoom: int  # from this zoom every feature is in the tile (below: clustered)
    full_zoom: int  # from this zoom with all its attributes (below: code and count only)


LAYERS = {
    "addresses": LayerSpec("addresses", min_zoom=10, point_zoom=14, full_zoom=16),
    "roads": LayerSpec("roads", min_zoom=8, point_zoom=8, full_zoom=8),
}

# The search box in 4490 and the clip box in 3857, computed once per tile.
_BOUNDS = """
WITH bounds AS (
  SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS clip,
         ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4490) AS search
)
"""

# One feature per entrance position (the flats of a building share their door's position): the
# door-level address (else the lowest code) stands for the others, `count` says how many are there.
_ADDRESSES_POINTS = _BOUNDS + """
SELECT ST_AsMVT(t, 'addresses', %(extent)s, 'geom', 'id') FROM (
  SELECT DISTINCT ON (a.location) a.id, a.code, {text_columns}
         count(*) OVER (PARTITION BY a.location) AS count,
         ST_AsMVTGeom(ST_Transform(a.location, 3857), b.clip, %(extent)s, %(buffer)s, true) AS geom
  FROM addresses_address a, bounds b
  WHERE a.valid_to IS NULL AND a.location && b.search AND a.division_code LIKE %(prefix)s
  ORDER BY a.location, a.level <> 'door', a.code
) t WHERE t.geom IS NOT NULL
"""
_TEXT_COLUMNS = "a.full_text, a.status, a.stage, a.level,"

# Clusters: the grid is aligned with the tile (the tile width is a whole number of cells), so no
# cell straddles two tiles; the strict envelope (no margin) keeps each address in one tile only.
_ADDRESSES_CLUSTERED = """
WITH bounds AS (
  SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS clip,
         ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4490) AS search
), pts AS (
  SELECT ST_Transform(a.location, 3857) AS g
  FROM addresses_address a, bounds b
  WHERE a.valid_to IS NULL AND a.location && b.search AND a.division_code LIKE %(prefix)s
), cells AS (
  SELECT count(*) AS count, ST_Centroid(ST_Collect(g)) AS g
  FROM pts GROUP BY ST_SnapToGrid(g, %(half)s, %(half)s, %(cell)s, %(cell)s)
)
SELECT ST_AsMVT(t, 'addresses', %(extent)s, 'geom') FROM (
  SELECT c.count, ST_AsMVTGeom(c.g, b.clip, %(extent)s, %(buffer)s, true) AS geom FROM cells c, bounds b
) t WHERE t.geom IS NOT NULL
"""

_ROADS = _BOUNDS + """
SELECT ST_AsMVT(t, 'roads', %(extent)s, 'geom', 'id') FROM (
  SELECT r.id, r.code, r.name, r.kind,
         ST_AsMVTGeom(ST_Transform(r.geometry, 3857), b.clip, %(extent)s, %(buffer)s, true) AS geom
  FROM addresses_road r JOIN divisions_division d ON d.id = r.township_id, bounds b
  WHERE r.valid_to IS NULL AND r.geometry && b.search AND d.code LIKE %(prefix)s
) t WHERE t.geom IS NOT NULL
"""


def valid_tile(z: int, x: int, y: int) -> bool:
    """z within 0…MAX_ZOOM and x, y within the 2^z × 2^z grid."""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2 ** z and 0 <= y < 2 ** z


def tile(layer: str, z: int, x: int, y: int, division: str = "") -> bytes:
    """The MVT bytes of one tile of `layer` (b"" when nothing is in it or the zoom is too small).
    `division` is a code prefix ("" for everything)."""
    spec = LAYERS[layer]
    if z < spec.min_zoom:
        return b""
    params = {"z": z, "x": x, "y": y, "extent": EXTENT, "buffer": BUFFER, "prefix": f"{division}%",
              "margin": BUFFER / EXTENT}
    if layer == "roads":
        sql = _ROADS
    elif z >= spec.point_zoom:
        sql = _ADDRESSES_POINTS.format(text_columns=_TEXT_COLUMNS if z >= spec.full_zoom else "")
    else:
        sql = _ADDRESSES_CLUSTERED
        params["cell"] = WORLD_M / 2 ** z / CLUSTER_GRID
        params["half"] = params["cell"] / 2  # snap to cell centres: cell edges fall on tile edges
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
