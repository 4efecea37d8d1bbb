"""Tests for apps.common.crs (CRS names, conversion to CGCS2000); no Django."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import Point, Polygon

from apps.common.coords import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from apps.common.crs import (
    CoordinateRangeError,
    UnknownCRSError,
    check_lonlat,
    detect_gauss_kruger,
    gauss_kruger_epsg_for_lon,
    geometry_to_cgcs2000,
    normalise_crs,
    to_cgcs2000,
)

LON, LAT = 120.0, 30.5


def project(epsg: str, lon: float = LON, lat: float = LAT) -> tuple[float, float]:
    return Transformer.from_crs("EPSG:4490", epsg, always_xy=True).transform(lon, lat)


@pytest.mark.parametrize(
    "name, canon",
    [
        ("EPSG:4490", "EPSG:4490"),
        ("epsg:4490", "EPSG:4490"),
        (" EPSG:4326 ", "EPSG:4326"),
        ("GCJ-02", "GCJ-02"),
        ("gcj02", "GCJ-02"),
        ("gcj", "GCJ-02"),
        ("BD-09", "BD-09"),
        ("bd09", "BD-09"),
        ("Bd", "BD-09"),
        ("epsg:4513", "EPSG:4513"),
        ("EPSG:4528", "EPSG:4528"),
        ("EPSG:4554", "EPSG:4554"),
    ],
)
def test_normalise_crs(name: str, canon: str) -> None:
    assert normalise_crs(name) == canon


@pytest.mark.parametrize("name", ["EPSG:3857", "EPSG:4512", "EPSG:4555", "WGS84", "", "EPSG:", "EPSG:45x3", None, 4490])
def test_unknown_crs(name) -> None:
    with pytest.raises(UnknownCRSError) as exc:
        normalise_crs(name)
    assert isinstance(exc.value, ValueError)
    assert "不支持的坐标系" in str(exc.value)
    assert "EPSG:4513–4554" in str(exc.value)


def test_unknown_crs_message_names_the_input() -> None:
    with pytest.raises(UnknownCRSError, match="EPSG:3857"):
        to_cgcs2000(1.0, 2.0, "EPSG:3857")


@pytest.mark.parametrize("crs", ["EPSG:4490", "EPSG:4326"])
def test_identity(crs: str) -> None:
    assert to_cgcs2000(LON, LAT, crs) == (LON, LAT)
    arr = np.array([LON, 100.0])
    lon, _lat = to_cgcs2000(arr, np.array([LAT, 20.0]), crs)
    assert np.array_equal(lon, arr) and lon is not arr


def test_gcj_and_bd() -> None:
    g = wgs84_to_gcj02(LON, LAT)
    assert to_cgcs2000(*g, "gcj") == gcj02_to_wgs84(*g)
    assert to_cgcs2000(*g, "GCJ-02") == pytest.approx((LON, LAT), abs=1e-8)
    b = wgs84_to_bd09(LON, LAT)
    assert to_cgcs2000(*b, "BD09") == bd09_to_wgs84(*b)
    assert to_cgcs2000(*b, "BD-09") == pytest.approx((LON, LAT), abs=1e-5)


def test_gauss_kruger_prefixed_4528() -> None:
    x, y = project("EPSG:4528")
    assert 40_000_000 < x < 41_000_000  # zone 40 prefix, CM 120E -> x ~ 40 500 000
    assert x == pytest.approx(40_500_000, abs=1)  # on the central meridian
    lon, lat = to_cgcs2000(x, y, "EPSG:4528")
    assert (lon, lat) == pytest.approx((LON, LAT), abs=1e-9)
    assert isinstance(lon, float)


def test_gauss_kruger_plain_4539() -> None:
    # EPSG:4539 is CM 90E, no zone prefix: easting is ~500 000 +- a few hundred km.
    x, y = project("EPSG:4539", 91.2, 30.5)
    assert 100_000 < x < 1_000_000
    lon, lat = to_cgcs2000(np.array([x]), np.array([y]), "epsg:4539")
    assert isinstance(lon, np.ndarray)
    assert (lon[0], lat[0]) == pytest.approx((91.2, 30.5), abs=1e-9)


def test_geometry_to_cgcs2000() -> None:
    pts = [project("EPSG:4528", LON + dx, LAT + dy) for dx, dy in [(0, 0), (0.1, 0), (0.1, 0.1), (0, 0.1)]]
    out = geometry_to_cgcs2000(Polygon(pts), "EPSG:4528")
    assert out.is_valid
    assert out.bounds == pytest.approx((LON, LAT, LON + 0.1, LAT + 0.1), abs=1e-9)
    p = Point(LON, LAT)
    assert geometry_to_cgcs2000(p, "epsg:4326") is p
    gp = geometry_to_cgcs2000(Point(*wgs84_to_gcj02(LON, LAT)), "gcj")
    assert (gp.x, gp.y) == pytest.approx((LON, LAT), abs=1e-8)


def test_detect_gauss_kruger() -> None:
    x, y = project("EPSG:4528")
    assert detect_gauss_kruger(x, y) == "EPSG:4528"
    assert detect_gauss_kruger(39_545_082, 3_379_000) == "EPSG:4527"
    assert detect_gauss_kruger(np.array([x, x + 1000]), np.array([y, y + 1000])) == "EPSG:4528"
    # No prefix: ambiguous without the central meridian.
    px, py = project("EPSG:4539", 91.2, 30.5)
    assert detect_gauss_kruger(px, py) is None
    assert detect_gauss_kruger(545_082, 3_379_000) is None
    # Not a 3-degree zone, mixed zones, lon/lat, garbage.
    assert detect_gauss_kruger(20_500_000, 3_379_000) is None
    assert detect_gauss_kruger(np.array([39_500_000, 40_500_000]), np.array([3e6, 3e6])) is None
    assert detect_gauss_kruger(LON, LAT) is None
    assert detect_gauss_kruger(math.nan, 3e6) is None
    assert detect_gauss_kruger(40_500_000, -5.0) is None


@pytest.mark.parametrize(
    "lon, code",
    [(75.0, "EPSG:4534"), (90.0, "EPSG:4539"), (91.2, "EPSG:4539"), (120.0, "EPSG:4549"),
     (121.4, "EPSG:4549"), (135.0, "EPSG:4554"), (73.5, "EPSG:4534"), (140.0, "EPSG:4554")],
)
def test_gauss_kruger_epsg_for_lon(lon: float, code: str) -> None:
    assert gauss_kruger_epsg_for_lon(lon) == code


def test_gauss_kruger_epsg_for_lon_central_meridian_matches_pyproj() -> None:
    # The chosen zone really has x == 500 000 on its central meridian.
    for cm in range(75, 136, 3):
        x, _ = project(gauss_kruger_epsg_for_lon(cm), cm, 30.0)
        assert x == pytest.approx(500_000, abs=1e-3)


def test_check_lonlat_ok() -> None:
    check_lonlat(LON, LAT)
    check_lonlat(-180.0, 90.0)
    check_lonlat(np.array([LON, 0.0]), np.array([LAT, -90.0]))


@pytest.mark.parametrize(
    "lon, lat, msg",
    [
        (LON, 91.0, "纬度超出范围 [-90, 90]"),
        (LON, -90.5, "纬度超出范围 [-90, 90]"),
        (181.0, LAT, "经度超出范围 [-180, 180]"),
        (math.nan, LAT, "非有限"),
        (LON, math.inf, "非有限"),
        (np.array([LON, LON]), np.array([LAT, 91.0]), "纬度超出范围"),
    ],
)
def test_check_lonlat_errors(lon, lat, msg: str) -> None:
    with pytest.raises(CoordinateRangeError, match=msg.replace("[", r"\[").replace("]", r"\]")) as exc:
        check_lonlat(lon, lat)
    assert isinstance(exc.value, ValueError)
