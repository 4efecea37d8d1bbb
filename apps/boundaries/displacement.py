"""Measured positions of 界桩 in the field and their displacement from the registered position.
Pure module: no Django import.

A measured position may come in CGCS2000 (EPSG:4490), WGS84 (EPSG:4326; centimetres from
CGCS2000, treated as equal) or GCJ-02 (a phone's map app): GCJ-02 is converted — leaving it would
put the marker hundreds of metres off, far more than any real displacement. Distances are
geodesic on the GRS80 ellipsoid; the azimuth is clockwise from north, 0–360°.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from pyproj import Geod

from apps.common.crs import check_lonlat, normalise_crs, to_cgcs2000

GEOD = Geod(ellps="GRS80")
ACCEPTED_CRS = ("EPSG:4490", "EPSG:4326", "GCJ-02")


@dataclass(frozen=True)
class Measured:
    lon: float  # CGCS2000
    lat: float
    crs: str  # as sent
    converted: bool  # GCJ-02 was converted


@dataclass(frozen=True)
class Displacement:
    metres: float
    azimuth_deg: float  # from the registered towards the measured position


def measured_position(lon: float, lat: float, crs: str) -> Measured:
    """The measured point in CGCS2000; ValueError (Chinese message) on a bad CRS or range."""
    canon = normalise_crs(crs)
    if canon not in ACCEPTED_CRS:
        raise ValueError(f"实测坐标的坐标系应为 {'、'.join(ACCEPTED_CRS)}，收到 {crs}")
    check_lonlat(lon, lat)
    x, y = to_cgcs2000(lon, lat, canon)
    return Measured(float(x), float(y), canon, canon == "GCJ-02")


def displacement(registered: tuple[float, float], measured: tuple[float, float]) -> Displacement:
    """Geodesic distance (m) and azimuth from the registered to the measured lon/lat."""
    azimuth, _back, distance = GEOD.inv(registered[0], registered[1], measured[0], measured[1])
    return Displacement(float(distance), float(azimuth % 360.0) if distance > 0 else 0.0)


def destination(origin: tuple[float, float], azimuth_deg: float, metres: float) -> tuple[float, float]:
    """The lon/lat `metres` from `origin` towards `azimuth_deg` (used for reference objects)."""
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], azimuth_deg, metres)
    return float(lon), float(lat)


def check_reference_objects(items: list[dict], minimum: int = 3) -> list[dict]:
    """At least `minimum` 方位物, each with a name, azimuth in [0, 360) and a distance > 0 (m)."""
    if not isinstance(items, list) or len(items) < minimum:
        raise ValueError(f"方位物至少 {minimum} 个，收到 {len(items) if isinstance(items, list) else 0} 个")
    clean = []
    for i, item in enumerate(items, 1):
        try:
            name = str(item["name"]).strip()
            azimuth, distance = float(item["azimuth_deg"]), float(item["distance_m"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"第 {i} 个方位物应有 name、azimuth_deg、distance_m")
        if not name:
            raise ValueError(f"第 {i} 个方位物缺少名称")
        if not (math.isfinite(azimuth) and 0 <= azimuth < 360):
            raise ValueError(f"第 {i} 个方位物的方位角应在 0–360 度之间（不含 360），收到 {azimuth}")
        if not (math.isfinite(distance) and 0 < distance <= 5000):
            raise ValueError(f"第 {i} 个方位物的距离应在 0–5000 米之间，收到 {distance}")
        clean.append({"name": name[:50], "azimuth_deg": round(azimuth, 2), "distance_m": round(distance, 2)})
    return clean
