"""Geometry helpers of the demo generator: the local metric frame each township is worked in
(metres east/north of its seat), merging clipped lines into single LineStrings, and the inverse of
the street-grid rotation."""
from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import LineString


class Frame:
    """A local metric frame (metres east/north of an origin) on the GRS80/CGCS2000 ellipsoid;
    accurate to ~0.1 % over a township, which is all synthetic geometry needs."""

    def __init__(self, lon0: float, lat0: float):
        phi = math.radians(lat0)
        self.lon0, self.lat0 = lon0, lat0
        self.kx = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)
        self.ky = 111132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)

    def to_xy(self, geom):  # type: ignore[no-untyped-def]
        return shapely.transform(geom, lambda c: np.column_stack(((c[:, 0] - self.lon0) * self.kx,
                                                                  (c[:, 1] - self.lat0) * self.ky)))

    def to_lonlat(self, geom):  # type: ignore[no-untyped-def]
        return shapely.transform(geom, lambda c: np.column_stack((c[:, 0] / self.kx + self.lon0,
                                                                  c[:, 1] / self.ky + self.lat0)))

    def lonlat(self, x: np.ndarray | float, y: np.ndarray | float):  # type: ignore[no-untyped-def]
        return np.asarray(x) / self.kx + self.lon0, np.asarray(y) / self.ky + self.lat0


def pieces(geom) -> list[LineString]:  # type: ignore[no-untyped-def]
    """The LineStrings of a (clipped) line geometry, touching parts merged."""
    if geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [geom]
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type == "LineString"]
    merged = shapely.line_merge(shapely.MultiLineString(parts)) if len(parts) > 1 else (parts[0] if parts else None)
    if merged is None:
        return []
    return [merged] if merged.geom_type == "LineString" else list(merged.geoms)


def to_uv(pt: tuple[float, float], c: float, s: float) -> tuple[float, float]:
    """Inverse of the grid rotation (x, y) → (u, v)."""
    x, y = pt[0], pt[1]
    return (x * c + y * s, -x * s + y * c)
