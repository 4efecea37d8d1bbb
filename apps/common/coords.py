"""China's obfuscated map datums: GCJ-02 ("Mars coordinates") and BD-09.

Chinese web maps (Amap/Gaode, Tencent, Baidu) do not publish coordinates in
WGS84/CGCS2000 but in GCJ-02, a deliberately non-linear offset of WGS84, and
Baidu adds a second offset on top (BD-09).  Callers of this service often paste
coordinates picked from such maps, so we must convert them back to CGCS2000
(EPSG:4490) before storing or querying; at our scales WGS84 and CGCS2000 are
numerically the same, so "WGS84" below also means CGCS2000.

All functions take ``(lon, lat)`` as scalars or numpy arrays and return a
``(lon, lat)`` tuple of the same kind (Python floats for scalars, float64
arrays otherwise).  Everything is vectorised: the division loaders push
polygons with ~100k vertices through here.  Points outside the rough
bounding box of China are left unchanged, as the published algorithm does.

Pure Python + numpy + shapely; deliberately no Django import.
"""

from __future__ import annotations

from typing import Callable, Union

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

Number = Union[float, int, np.floating, np.integer]
Coord = Union[Number, npt.ArrayLike]
LonLat = tuple[Union[float, np.ndarray], Union[float, np.ndarray]]
TransformFunc = Callable[[Coord, Coord], LonLat]

__all__ = [
    "out_of_china",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "transform_geometry",
]

# Krasovsky 1940 ellipsoid: the published GCJ-02 formula is defined on it.
_A: float = 6378245.0
_EE: float = 0.00669342162296594323
# Baidu's constant, exactly as published (not math.pi * 3000 / 180).
_X_PI: float = 3.14159265358979324 * 3000.0 / 180.0

# Inverse iteration limits (see gcj02_to_wgs84).
_INV_TOL_DEG: float = 1e-9
_INV_MAX_ITER: int = 30


def _as_arrays(lon: Coord, lat: Coord) -> tuple[np.ndarray, np.ndarray, bool]:
    """Return float64 arrays plus a flag telling whether both inputs were scalars."""
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    return x, y, (x.ndim == 0 and y.ndim == 0)


def _result(x: np.ndarray, y: np.ndarray, scalar: bool) -> LonLat:
    if scalar:
        return float(x), float(y)
    return x, y


def _out_of_china_arr(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271)


def out_of_china(lon: Coord, lat: Coord) -> Union[bool, np.ndarray]:
    """True where the point lies outside the rough China box (no offset applied there)."""
    x, y, scalar = _as_arrays(lon, lat)
    res = _out_of_china_arr(x, y)
    return bool(res) if scalar else res


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # x, y are offsets from (105E, 35N); the sine terms are the "noise".
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS84 in degrees, ignoring the China box (smooth everywhere)."""
    dlat = _transform_lat(x - 105.0, y - 35.0)
    dlon = _transform_lon(x - 105.0, y - 35.0)
    radlat = np.radians(y)
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    # Convert the metre-ish polynomials to degrees via the meridian / parallel radii.
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: Coord, lat: Coord) -> LonLat:
    """WGS84/CGCS2000 -> GCJ-02 (published forward formula)."""
    x, y, scalar = _as_arrays(lon, lat)
    dlon, dlat = _gcj_offset(x, y)
    outside = _out_of_china_arr(x, y)
    return _result(np.where(outside, x, x + dlon), np.where(outside, y, y + dlat), scalar)


def gcj02_to_wgs84(lon: Coord, lat: Coord) -> LonLat:
    """GCJ-02 -> WGS84/CGCS2000 by fixed-point iteration on the forward transform.

    The forward map is F(w) = w + d(w) with a slowly varying offset d, so
    w <- w - (F(w) - g) converges fast (the residual shrinks ~1000x per step).
    Whether a point is "in China" is decided on the given GCJ point; the
    iteration itself uses the unmasked offset so it stays smooth near the box edge.
    """
    gx, gy, scalar = _as_arrays(lon, lat)
    wx, wy = gx.copy(), gy.copy()
    for _ in range(_INV_MAX_ITER):
        dlon, dlat = _gcj_offset(wx, wy)
        rx = wx + dlon - gx
        ry = wy + dlat - gy
        wx = wx - rx
        wy = wy - ry
        # nanmax: NaN inputs must not keep us looping (they stay NaN anyway).
        if rx.size == 0 or not np.any(np.isfinite(rx)):
            break
        if max(np.nanmax(np.abs(rx)), np.nanmax(np.abs(ry))) < _INV_TOL_DEG:
            break
    outside = _out_of_china_arr(gx, gy)
    return _result(np.where(outside, gx, wx), np.where(outside, gy, wy), scalar)


def gcj02_to_bd09(lon: Coord, lat: Coord) -> LonLat:
    """GCJ-02 -> BD-09 (Baidu's published formula)."""
    x, y, scalar = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    outside = _out_of_china_arr(x, y)
    bx = np.where(outside, x, z * np.cos(theta) + 0.0065)
    by = np.where(outside, y, z * np.sin(theta) + 0.006)
    return _result(bx, by, scalar)


def bd09_to_gcj02(lon: Coord, lat: Coord) -> LonLat:
    """BD-09 -> GCJ-02 (Baidu's published inverse).

    It is only an approximate inverse of gcj02_to_bd09: round trips are off by
    up to ~0.25 m; we keep it because it is the formula every other tool uses.
    """
    x, y, scalar = _as_arrays(lon, lat)
    sx = x - 0.0065
    sy = y - 0.006
    z = np.sqrt(sx * sx + sy * sy) - 0.00002 * np.sin(sy * _X_PI)
    theta = np.arctan2(sy, sx) - 0.000003 * np.cos(sx * _X_PI)
    outside = _out_of_china_arr(x, y)
    gx = np.where(outside, x, z * np.cos(theta))
    gy = np.where(outside, y, z * np.sin(theta))
    return _result(gx, gy, scalar)


def wgs84_to_bd09(lon: Coord, lat: Coord) -> LonLat:
    """WGS84/CGCS2000 -> BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Coord, lat: Coord) -> LonLat:
    """BD-09 -> WGS84/CGCS2000 (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def transform_geometry(geom: BaseGeometry, func: TransformFunc) -> BaseGeometry:
    """Apply a (lon, lat) -> (lon, lat) function to every vertex of a shapely geometry.

    Returns a new geometry with the same structure and vertex count; a Z
    coordinate, if present, is passed through untouched.
    """

    def _apply(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        out[:, 0], out[:, 1] = func(coords[:, 0], coords[:, 1])
        return out

    # include_z=None: shapely infers 2D/3D per geometry, so 2D stays 2D and Z survives.
    return shapely.transform(geom, _apply, include_z=None)
