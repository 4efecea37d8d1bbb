"""The vector tile endpoint against a real demo register: bad tile numbers are refused, empty
tiles are 204, features decode (with our own MVT decoder) to where the addresses are, and the
per-zoom thinning keeps every address accounted for."""
from __future__ import annotations

import math

import pytest

from .mvt import decode

pytestmark = pytest.mark.django_db
MVT = "application/vnd.mapbox-vector-tile"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def to_lonlat(z: int, x: int, y: int, px: float, py: float, extent: int = 4096) -> tuple[float, float]:
    n = 2 ** z
    lon = (x + px / extent) / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + py / extent) / n))))
    return lon, lat


def addresses_in(z: int, x: int, y: int, prefix: str = "") -> int:
    """Current addresses strictly inside the tile, counted by the ORM with Python's tile bounds."""
    from django.contrib.gis.geos import Polygon

    from apps.addresses.models import Address

    west, north = to_lonlat(z, x, y, 0, 0)
    east, south = to_lonlat(z, x, y, 4096, 4096)
    box = Polygon.from_bbox((west, south, east, north))
    box.srid = 4490
    return Address.objects.filter(valid_to__isnull=True, location__within=box,
                                  division_code__startswith=prefix).count()


@pytest.fixture
def register(db):  # type: ignore[no-untyped-def]
    from apps.addresses import demo

    demo.generate_demo_addresses("330521", count=1500, seed=21)


def _get(client, path: str):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response["Content-Type"] in (MVT, "application/problem+json")
    return response


@pytest.mark.parametrize("path,status", [
    ("/tiles/addresses/23/0/0.pbf", 400),       # zoom beyond 22
    ("/tiles/addresses/3/8/0.pbf", 400),        # x beyond 2^3 − 1
    ("/tiles/addresses/3/0/8.pbf", 400),        # y beyond 2^3 − 1
    ("/tiles/parcels/3/0/0.pbf", 404),          # no such layer
    ("/tiles/addresses/14/13651/6729.pbf?color=red", 400),  # unknown parameter
    ("/tiles/addresses/14/13651/6729.pbf?division=33x", 400),
])
def test_bad_tiles_are_refused_with_problem_details(client, path: str, status: int) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"


def test_negative_numbers_do_not_route(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/tiles/addresses/3/-1/0.pbf").status_code == 404


def test_empty_tile_is_204_with_cache_header(client, register) -> None:  # type: ignore[no-untyped-def]
    x, y = tile_of(-30.0, 40.0, 14)  # the Atlantic
    response = client.get(f"/tiles/addresses/14/{x}/{y}.pbf")
    assert response.status_code == 204 and response.content == b""
    assert response["Cache-Control"].startswith("public, max-age=")


def test_door_address_is_in_its_tile_where_it_stands(client, register) -> None:  # type: ignore[no-untyped-def]
    from apps.addresses.models import Address

    door = Address.objects.filter(valid_to__isnull=True, level="door").order_by("code")[37]
    lon, lat = door.location.x, door.location.y
    z = 16
    x, y = tile_of(lon, lat, z)
    response = client.get(f"/tiles/addresses/{z}/{x}/{y}.pbf", HTTP_ACCEPT=MVT)
    assert response.status_code == 200 and response["Content-Type"] == MVT
    layer = decode(response.content)["addresses"]
    mine = [f for f in layer.features if f.id == door.pk]
    assert len(mine) == 1 and mine[0].type == 1
    assert mine[0].properties["code"] == door.code
    assert mine[0].properties["full_text"] == door.full_text
    flon, flat = to_lonlat(z, x, y, *mine[0].parts[0][0])
    # One tile unit at zoom 16 is ~0.15 m; allow two units.
    assert abs(flon - lon) < 4e-6 and abs(flat - lat) < 4e-6
    # Every address inside the tile is counted once (flats share their door's point).
    inside = [f for f in layer.features if all(0 <= c < 4096 for c in f.parts[0][0])]
    assert sum(f.properties["count"] for f in inside) == addresses_in(z, x, y)


def test_thinning_by_zoom(client, register) -> None:  # type: ignore[no-untyped-def]
    from apps.addresses.models import Address

    door = Address.objects.filter(valid_to__isnull=True, level="door").order_by("code")[37]
    lon, lat = door.location.x, door.location.y
    # Below zoom 10: nothing.
    x, y = tile_of(lon, lat, 9)
    assert client.get(f"/tiles/addresses/9/{x}/{y}.pbf").status_code == 204
    # Zoom 12: clusters on a 64 × 64 grid, counts only, every address of the tile in exactly one.
    x, y = tile_of(lon, lat, 12)
    layer = decode(client.get(f"/tiles/addresses/12/{x}/{y}.pbf").content)["addresses"]
    assert 0 < len(layer.features) <= 64 * 64
    assert all(set(f.properties) == {"count"} for f in layer.features)
    assert sum(f.properties["count"] for f in layer.features) == addresses_in(12, x, y)
    assert len(layer.features) < addresses_in(12, x, y)
    # Zoom 14: every entrance, code and count but no texts yet; zoom 16 adds the texts.
    x, y = tile_of(lon, lat, 14)
    layer14 = decode(client.get(f"/tiles/addresses/14/{x}/{y}.pbf").content)["addresses"]
    assert all("code" in f.properties and "full_text" not in f.properties for f in layer14.features)
    assert any(f.id == door.pk for f in layer14.features)


def test_division_filter_limits_the_tile_to_one_township(client, register) -> None:  # type: ignore[no-untyped-def]
    from apps.addresses.models import Address

    door = Address.objects.filter(valid_to__isnull=True, level="door").order_by("code")[37]
    town = door.division_code[:9]
    x, y = tile_of(door.location.x, door.location.y, 12)
    layer = decode(client.get(f"/tiles/addresses/12/{x}/{y}.pbf?division={town}").content)["addresses"]
    assert sum(f.properties["count"] for f in layer.features) == addresses_in(12, x, y, town)
    other = "330521999"  # no such township: nothing
    assert client.get(f"/tiles/addresses/12/{x}/{y}.pbf?division={other}").status_code == 204


def test_roads_tile_has_the_road_along_its_line(client, register) -> None:  # type: ignore[no-untyped-def]
    from apps.addresses.models import Road

    road = Road.objects.filter(valid_to__isnull=True).order_by("code").first()
    mid = road.geometry.interpolate_normalized(0.5)
    lon, lat = mid.x, mid.y
    z = 15
    x, y = tile_of(lon, lat, z)
    layer = decode(client.get(f"/tiles/roads/{z}/{x}/{y}.pbf").content)["roads"]
    mine = [f for f in layer.features if f.properties["code"] == road.code]
    assert mine and mine[0].type == 2 and mine[0].properties["name"] == road.name
    # Each decoded vertex lies on the road (within ~1 m).
    from django.contrib.gis.geos import Point

    for px, py in mine[0].parts[0]:
        if 0 <= px < 4096 and 0 <= py < 4096:
            vlon, vlat = to_lonlat(z, x, y, px, py)
            assert road.geometry.distance(Point(vlon, vlat, srid=4490)) < 2e-5
