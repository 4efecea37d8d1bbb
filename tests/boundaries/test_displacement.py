"""Displacement maths, measured-position CRSs and 方位物 checks (pure)."""
from __future__ import annotations

import pytest

from apps.boundaries.displacement import (check_reference_objects, destination, displacement, measured_position)
from apps.common.coords import wgs84_to_gcj02

HOME = (119.97, 30.54)


@pytest.mark.parametrize("azimuth, metres", [(0, 1.0), (90, 12.5), (225, 300.0), (359, 0.3)])
def test_displacement_round_trip(azimuth: float, metres: float) -> None:
    moved = displacement(HOME, destination(HOME, azimuth, metres))
    assert moved.metres == pytest.approx(metres, abs=1e-6)
    assert moved.azimuth_deg == pytest.approx(azimuth, abs=1e-4)


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert displacement((120.0, 30.0), (120.0, 31.0)).metres == pytest.approx(110_860, abs=50)


def test_gcj02_is_converted_and_wgs84_is_not() -> None:
    glon, glat = wgs84_to_gcj02(*HOME)
    converted = measured_position(glon, glat, "gcj02")
    assert converted.converted and converted.crs == "GCJ-02"
    assert displacement(HOME, (converted.lon, converted.lat)).metres < 0.5
    raw = measured_position(glon, glat, "EPSG:4326")
    assert not raw.converted and displacement(HOME, (raw.lon, raw.lat)).metres > 100  # the bug avoided


@pytest.mark.parametrize("crs, lat, message", [("BD-09", 30.5, "实测坐标的坐标系"), ("EPSG:4490", 91, "纬度"),
                                               ("EPSG:9999", 30.5, "不支持的坐标系")])
def test_bad_measured_positions(crs: str, lat: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        measured_position(119.9, lat, crs)


def test_reference_objects() -> None:
    good = [{"name": "电杆", "azimuth_deg": 0, "distance_m": 12}, {"name": "树", "azimuth_deg": 359.9, "distance_m": 3},
            {"name": "桥", "azimuth_deg": "120", "distance_m": 60.123}]
    assert check_reference_objects(good)[2] == {"name": "桥", "azimuth_deg": 120.0, "distance_m": 60.12}
    with pytest.raises(ValueError, match="至少 3 个"):
        check_reference_objects(good[:2])
    with pytest.raises(ValueError, match="方位角"):
        check_reference_objects([*good[:2], {"name": "x", "azimuth_deg": 360, "distance_m": 1}])
    with pytest.raises(ValueError, match="距离"):
        check_reference_objects([*good[:2], {"name": "x", "azimuth_deg": 1, "distance_m": 0}])
    with pytest.raises(ValueError, match="缺少名称"):
        check_reference_objects([*good[:2], {"name": " ", "azimuth_deg": 1, "distance_m": 1}])
