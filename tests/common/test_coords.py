"""Tests for apps.common.coords (GCJ-02 / BD-09); pure Python, no Django."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS
from shapely.geometry import LineString, Point, Polygon

from apps.common.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    transform_geometry,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# Distances on the real CGCS2000 ellipsoid, not a degrees-to-metres shortcut.
GEOD = CRS.from_epsg(4490).get_geod()

ALL_FUNCS = [
    wgs84_to_gcj02,
    gcj02_to_wgs84,
    gcj02_to_bd09,
    bd09_to_gcj02,
    wgs84_to_bd09,
    bd09_to_wgs84,
]

DEQING = (119.97, 30.54)


def china_grid(step: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.arange(73.0, 135.0 + 1e-9, step), np.arange(18.0, 54.0 + 1e-9, step))
    return lon.ravel(), lat.ravel()


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def test_inverse_round_trip_dense_grid() -> None:
    lon, lat = china_grid()
    assert lon.size > 30_000
    wlon, wlat = gcj02_to_wgs84(lon, lat)
    glon, glat = wgs84_to_gcj02(wlon, wlat)
    err = metres(lon, lat, glon, glat)
    assert np.all(np.isfinite(err))
    max_err = float(err.max())
    print(f"max GCJ-02 round-trip error: {max_err:.3e} m")
    assert max_err < 0.5
    assert max_err < 0.01


def test_inverse_really_inverts_forward() -> None:
    # The other direction: start from WGS, go to GCJ and back.
    lon, lat = china_grid(1.0)
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert metres(lon, lat, *back).max() < 0.01


def test_forward_offset_deqing() -> None:
    glon, glat = wgs84_to_gcj02(*DEQING)
    fwd_az, _back_az, dist = GEOD.inv(glon, glat, *DEQING)
    assert 100 < dist < 1000  # "a few hundred metres"
    assert glon > DEQING[0] and glat < DEQING[1]  # GCJ is south-east of WGS
    assert abs((fwd_az % 360) - 300) <= 20


@pytest.mark.parametrize("point", [(2.35, 48.85), (139.7, 35.7), (-74.0, 40.7)])
@pytest.mark.parametrize("func", ALL_FUNCS, ids=lambda f: f.__name__)
def test_outside_china_unchanged(func, point) -> None:
    assert out_of_china(*point)
    assert func(*point) == point
    lon, lat = func(np.array([point[0]]), np.array([point[1]]))
    assert lon[0] == point[0] and lat[0] == point[1]


def test_out_of_china_vectorised() -> None:
    res = out_of_china(np.array([119.97, 2.35]), np.array([30.54, 48.85]))
    assert res.tolist() == [False, True]
    assert out_of_china(*DEQING) is False


@pytest.mark.parametrize("func", ALL_FUNCS, ids=lambda f: f.__name__)
def test_scalar_and_array_agree(func) -> None:
    lon = np.array([119.97, 116.39, 87.6, 126.6, 2.35])
    lat = np.array([30.54, 39.91, 43.8, 45.75, 48.85])
    alon, alat = func(lon, lat)
    assert isinstance(alon, np.ndarray) and alon.shape == lon.shape
    for i in range(lon.size):
        slon, slat = func(float(lon[i]), float(lat[i]))
        assert isinstance(slon, float) and isinstance(slat, float)
        assert slon == pytest.approx(alon[i], abs=1e-12)
        assert slat == pytest.approx(alat[i], abs=1e-12)


def test_two_dimensional_arrays_keep_shape() -> None:
    lon, lat = np.meshgrid(np.arange(110, 115.0), np.arange(30, 33.0))
    out = gcj02_to_wgs84(lon, lat)
    assert out[0].shape == lon.shape and out[1].shape == lat.shape


def test_bd09_round_trips() -> None:
    lon, lat = china_grid(0.5)
    # Baidu's published inverse is approximate: sub-metre, not exact.
    assert metres(lon, lat, *bd09_to_gcj02(*gcj02_to_bd09(lon, lat))).max() < 0.5
    assert metres(lon, lat, *bd09_to_wgs84(*wgs84_to_bd09(lon, lat))).max() < 0.5
    # BD-09 is a further offset on top of GCJ-02 (Baidu's shift is roughly 1 km).
    dist = metres(*wgs84_to_gcj02(*DEQING), *wgs84_to_bd09(*DEQING))
    assert 300 < float(dist) < 1500


def test_nan_input_does_not_hang() -> None:
    lon, lat = gcj02_to_wgs84(np.array([np.nan, 119.97]), np.array([30.0, 30.54]))
    assert np.isnan(lon[0]) and np.isfinite(lon[1])
    assert all(np.isnan(gcj02_to_wgs84(np.nan, np.nan)))


def test_transform_geometry_polygon() -> None:
    ring = [(119.9 + 0.1 * np.cos(t), 30.5 + 0.1 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 500)[:-1]]
    hole = [(119.9 + 0.02 * np.cos(t), 30.5 + 0.02 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 50)[:-1]]
    poly = Polygon(ring, [hole])
    assert poly.is_valid
    out = transform_geometry(poly, gcj02_to_wgs84)
    assert out.geom_type == "Polygon" and out.is_valid
    assert shapely.get_num_coordinates(out) == shapely.get_num_coordinates(poly)
    assert len(out.interiors) == 1
    assert not out.has_z
    # Each vertex equals the pointwise conversion.
    exp_lon, exp_lat = gcj02_to_wgs84(*np.asarray(poly.exterior.coords).T)
    np.testing.assert_allclose(np.asarray(out.exterior.coords), np.column_stack([exp_lon, exp_lat]))
    assert poly.exterior.coords[0] != out.exterior.coords[0]  # input untouched, output moved


def test_transform_geometry_keeps_z_and_handles_points() -> None:
    line = LineString([(119.97, 30.54, 12.5), (120.0, 30.6, -3.0)])
    out = transform_geometry(line, wgs84_to_gcj02)
    assert out.has_z
    assert [c[2] for c in out.coords] == [12.5, -3.0]
    assert out.coords[0][:2] == pytest.approx(wgs84_to_gcj02(119.97, 30.54))
    pt = transform_geometry(Point(119.97, 30.54), wgs84_to_gcj02)
    assert (pt.x, pt.y) == pytest.approx(wgs84_to_gcj02(119.97, 30.54))
    assert transform_geometry(Polygon(), wgs84_to_gcj02).is_empty
