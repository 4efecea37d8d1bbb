"""Which CRS did the caller send, and give me CGCS2000 lon/lat (EPSG:4490).

We store everything in CGCS2000 geographic coordinates (EPSG:4490).  Callers
send us points and shapes in one of a small set of coordinate systems that
Chinese county bureaus actually use:

* ``EPSG:4490`` – CGCS2000 lon/lat, the storage CRS (identity);
* ``EPSG:4326`` – WGS84 lon/lat; differs from CGCS2000 by centimetres, so we
  treat it as identity;
* ``GCJ-02`` (aliases ``GCJ02``, ``GCJ``) – Amap/Tencent web-map coordinates;
* ``BD-09`` (aliases ``BD09``, ``BD``) – Baidu map coordinates;
* ``EPSG:4513``–``EPSG:4533`` – CGCS2000 3-degree Gauss-Krüger zones 25–45
  with the zone number prefixed to the easting (X = 39 545 082);
* ``EPSG:4534``–``EPSG:4554`` – the same zones by central meridian 75°E–135°E,
  without the prefix (X = 545 082).

Also small helpers to guess the Gauss-Krüger zone and to validate lon/lat.
Pure Python + numpy + pyproj + shapely; deliberately no Django import.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Union

import numpy as np
import numpy.typing as npt
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from apps.common.coords import (
    bd09_to_wgs84,
    gcj02_to_wgs84,
    transform_geometry,
)

Coord = Union[float, int, np.floating, np.integer, npt.ArrayLike]
XY = tuple[Union[float, np.ndarray], Union[float, np.ndarray]]

__all__ = [
    "UnknownCRSError",
    "CoordinateRangeError",
    "normalise_crs",
    "to_cgcs2000",
    "geometry_to_cgcs2000",
    "detect_gauss_kruger",
    "gauss_kruger_epsg_for_lon",
    "check_lonlat",
]

STORAGE_CRS = "EPSG:4490"
GCJ02 = "GCJ-02"
BD09 = "BD-09"

# Gauss-Krüger 3-degree zones: 4513 = zone 25 (CM 75E, prefixed) ... 4533 = zone 45;
# 4534 = CM 75E (no prefix) ... 4554 = CM 135E.
_GK_PREFIXED_FIRST, _GK_PREFIXED_LAST = 4513, 4533
_GK_PLAIN_FIRST, _GK_PLAIN_LAST = 4534, 4554
_GK_FIRST_ZONE, _GK_LAST_ZONE = 25, 45

_ALIASES: dict[str, str] = {
    "EPSG:4490": STORAGE_CRS,
    "EPSG:4326": "EPSG:4326",
    "GCJ-02": GCJ02,
    "GCJ02": GCJ02,
    "GCJ": GCJ02,
    "BD-09": BD09,
    "BD09": BD09,
    "BD": BD09,
}
_IDENTITY = frozenset({STORAGE_CRS, "EPSG:4326"})


class UnknownCRSError(ValueError):
    """The caller named a CRS we do not accept."""


class CoordinateRangeError(ValueError):
    """A lon/lat value is not finite or outside the valid range."""


def _gk_code(name: str) -> int | None:
    """The EPSG number if ``name`` is one of the Gauss-Krüger codes we accept."""
    if not name.startswith("EPSG:"):
        return None
    digits = name[5:]
    if not digits.isdigit():
        return None
    code = int(digits)
    return code if _GK_PREFIXED_FIRST <= code <= _GK_PLAIN_LAST else None


def normalise_crs(name: str) -> str:
    """Canonical CRS name (``EPSG:4490``, ``GCJ-02``, ``BD-09``, ``EPSG:45xx`` ...).

    Case-insensitive; surrounding and inner whitespace is ignored.
    """
    if not isinstance(name, str):
        raise UnknownCRSError(_unknown_message(repr(name)))
    key = "".join(name.split()).upper()
    if key in _ALIASES:
        return _ALIASES[key]
    code = _gk_code(key)
    if code is not None:
        return f"EPSG:{code}"
    raise UnknownCRSError(_unknown_message(name))


def _unknown_message(shown: str) -> str:
    return f"不支持的坐标系：{shown}（支持 EPSG:4490、EPSG:4326、GCJ-02、BD-09、EPSG:4513–4554）"


@lru_cache(maxsize=64)
def _transformer(src: str) -> Transformer:
    # Building a Transformer costs milliseconds (database lookups); reuse them.
    return Transformer.from_crs(src, STORAGE_CRS, always_xy=True)


def to_cgcs2000(x: Coord, y: Coord, crs: str) -> XY:
    """Convert coordinates in ``crs`` to CGCS2000 lon/lat (EPSG:4490).

    Works on scalars (returns floats) and numpy arrays (returns arrays).
    Does not validate ranges; call check_lonlat on the result if needed.
    """
    canon = normalise_crs(crs)
    if canon == GCJ02:
        return gcj02_to_wgs84(x, y)
    if canon == BD09:
        return bd09_to_wgs84(x, y)
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    scalar = xa.ndim == 0 and ya.ndim == 0
    if canon in _IDENTITY:
        # Copy so callers never alias (and mutate) their input through our result.
        lon, lat = xa.copy(), ya.copy()
    else:
        lon, lat = _transformer(canon).transform(xa, ya)
    if scalar:
        return float(lon), float(lat)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def geometry_to_cgcs2000(geom: BaseGeometry, crs: str) -> BaseGeometry:
    """Convert a shapely geometry in ``crs`` to CGCS2000 lon/lat (Z kept as is)."""
    canon = normalise_crs(crs)
    if canon in _IDENTITY:
        return geom  # shapely geometries are immutable, no copy needed
    return transform_geometry(geom, lambda x, y: to_cgcs2000(x, y, canon))


def detect_gauss_kruger(x: Coord, y: Coord) -> str | None:
    """Guess the prefixed Gauss-Krüger EPSG code from projected metres, or None.

    A zone-prefixed easting (>= 1e7) carries its zone number in the millions
    digit(s): 39 545 082 -> zone 39 -> EPSG:4527.  A plain easting (1e5–1e6)
    could be any zone without knowing the central meridian, so we return None,
    as we do for anything implausible.  Arrays must all point to one zone.
    """
    xa = np.atleast_1d(np.asarray(x, dtype=np.float64))
    ya = np.atleast_1d(np.asarray(y, dtype=np.float64))
    if xa.size == 0 or not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya))):
        return None
    # Northings in China are 0 .. ~6.2e6 m; anything else is not Gauss-Krüger here.
    if np.any(ya < 0) or np.any(ya >= 1e7) or np.any(xa < 1e7):
        return None
    zones = np.unique(np.floor_divide(xa, 1e6).astype(np.int64))
    if zones.size != 1:
        return None
    zone = int(zones[0])
    if not _GK_FIRST_ZONE <= zone <= _GK_LAST_ZONE:
        return None
    return f"EPSG:{_GK_PREFIXED_FIRST + zone - _GK_FIRST_ZONE}"


def gauss_kruger_epsg_for_lon(lon: float) -> str:
    """The unprefixed 3-degree zone code (EPSG:4534–4554) whose central meridian is nearest.

    Longitudes beyond 75°E/135°E clamp to the edge zones.
    """
    lon = float(lon)
    if not math.isfinite(lon) or abs(lon) > 180:
        raise CoordinateRangeError(f"经度超出范围 [-180, 180]：{lon}")
    # floor(v + 0.5) rounds halves east, so a boundary meridian has one answer.
    idx = math.floor((lon - 75.0) / 3.0 + 0.5)
    idx = min(max(idx, 0), _GK_PLAIN_LAST - _GK_PLAIN_FIRST)
    return f"EPSG:{_GK_PLAIN_FIRST + idx}"


def check_lonlat(lon: Coord, lat: Coord) -> None:
    """Raise CoordinateRangeError unless every lon/lat is finite and in range."""
    xa = np.asarray(lon, dtype=np.float64)
    ya = np.asarray(lat, dtype=np.float64)
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya))):
        raise CoordinateRangeError("坐标包含非有限数值（NaN 或无穷大）")
    if np.any(np.abs(ya) > 90):
        raise CoordinateRangeError(f"纬度超出范围 [-90, 90]：{_first_bad(ya, 90)}")
    if np.any(np.abs(xa) > 180):
        raise CoordinateRangeError(f"经度超出范围 [-180, 180]：{_first_bad(xa, 180)}")


def _first_bad(values: np.ndarray, limit: float) -> float:
    # Show the caller one offending value rather than the whole array.
    flat = values.ravel()
    return float(flat[np.argmax(np.abs(flat) > limit)])
