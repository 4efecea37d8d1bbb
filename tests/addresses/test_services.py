"""Address services on the real PostGIS: spatial consistency, history and as-of, road renames,
door numbering on roads of every orientation, plates and tokens, and parallel allocation."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from apps.addresses import services
from apps.addresses.models import Address, AddressIdentity, PlateState
from apps.common.errors import ConflictError, DomainRuleError
from apps.common.models import ChangeRecord

from .conftest import offset

pytestmark = pytest.mark.django_db
NORTH, SOUTH, EAST, WEST = (0, 0.0002), (0, -0.0002), (0.0002, 0), (-0.0002, 0)


def door(road, dx: float, dy: float, **kw) -> Address:  # type: ignore[no-untyped-def]
    """Allocate a door for a building at the road's seat point moved by (dx, dy) degrees."""
    return services.allocate_door(road, offset(road.township.seat, dx, dy), actor="测试员", **kw)


def test_address_outside_its_division_is_rejected_with_a_clear_message(ew_road) -> None:  # type: ignore[no-untyped-def]
    far = Point(121.65, 31.81, srid=4490)  # 启东市, far from 武康街道
    with pytest.raises(DomainRuleError) as err:
        services.create_address(services.AddressInput(location=far, road=ew_road, door_number=1), actor="t")
    assert "不在所述区划 武康街道" in str(err.value.detail) and err.value.field == "location"
    assert not Address.objects.filter(road=ew_road).exists()


def test_east_west_road_odd_north_numbered_from_east(ew_road) -> None:  # type: ignore[no-untyped-def]
    east_north = door(ew_road, 0.003, 0.0002)
    west_north = door(ew_road, -0.003, 0.0002)
    east_south = door(ew_road, 0.003, -0.0002)
    assert east_north.door_number == 1 and west_north.door_number == 3  # from the east, odd north
    assert east_south.door_number == 2
    assert east_north.full_text == "浙江省湖州市德清县武康街道测试东西路1号"


def test_north_south_road_odd_west_numbered_from_north(ns_road) -> None:  # type: ignore[no-untyped-def]
    north_west = door(ns_road, -0.0002, 0.003)
    south_west = door(ns_road, -0.0002, -0.003)
    north_east = door(ns_road, 0.0002, 0.003)
    assert (north_west.door_number, south_west.door_number, north_east.door_number) == (1, 3, 2)


def test_diagonal_road_right_side_odd(diagonal_road) -> None:  # type: ignore[no-untyped-def]
    # Digitised south-west → north-east: walking that way, the right side is south-east.
    right = door(diagonal_road, 0.0002, -0.0002)
    left = door(diagonal_road, -0.0002, 0.0002)
    assert right.door_number % 2 == 1 and left.door_number % 2 == 0


def test_a_building_between_two_numbers_gets_a_sub_number(ew_road) -> None:  # type: ignore[no-untyped-def]
    first = door(ew_road, 0.003, 0.0002)
    second = door(ew_road, 0.002, 0.0002)
    between = door(ew_road, 0.0025, 0.0002)
    assert (first.door_number, second.door_number) == (1, 3)
    assert (between.door_number, between.door_suffix) == (1, 1) and between.full_text.endswith("1-1号")


def test_duplicate_door_number_is_a_conflict(ew_road) -> None:  # type: ignore[no-untyped-def]
    door(ew_road, 0.003, 0.0002)
    with pytest.raises(ConflictError):
        services.create_address(services.AddressInput(location=offset(ew_road.township.seat, 0.001, 0.0002),
                                                      road=ew_road, door_number=1), actor="t")


def test_road_rename_keeps_identity_and_code_and_answers_as_of(ew_road, api) -> None:  # type: ignore[no-untyped-def]
    address = door(ew_road, 0.003, 0.0002)
    renamed = services.rename_road(ew_road, "新名路", dt.date(2030, 1, 1), actor="测试员")
    current = Address.objects.get(identity=address.identity, valid_to__isnull=True)
    assert current.code == address.code and current.identity_id == address.identity_id
    assert current.version == 2 and current.road == renamed and current.full_text.endswith("新名路1号")
    old = Address.objects.get(pk=address.pk)
    assert old.valid_to == dt.date(2030, 1, 1) and old.successor == current
    body = api.get(f"/api/v1/addresses/{address.code}?as_of=2029-12-31").json()
    assert body["properties"]["full_text"].endswith("测试东西路1号") and body["properties"]["version"] == 1
    # Today (before 2030) the old name is still in force; after 2030 the new one.
    assert api.get(f"/api/v1/addresses/{address.code}?as_of=2030-01-02").json()["properties"]["road"] == "新名路"
    history = api.get(f"/api/v1/addresses/{address.code}/history").json()
    assert [v["version"] for v in history["versions"]] == [1, 2]
    updates = [c for c in history["changes"] if c["action"] == "修改" and c["table"] == "addresses_address"]
    assert updates and updates[0]["actor"] == "测试员"
    assert updates[0]["before"]["valid_to"] is None and updates[0]["after"]["valid_to"] == "2030-01-01"


def test_bulk_sql_updates_are_recorded_too(ew_road) -> None:  # type: ignore[no-untyped-def]
    address = door(ew_road, 0.003, 0.0002)
    with connection.cursor() as cur:
        cur.execute("UPDATE addresses_address SET households = 7 WHERE road_id = %s", [ew_road.pk])
    record = ChangeRecord.objects.filter(table_name="addresses_address", row_id=str(address.pk), action="U").latest("id")
    assert record.before["households"] is None and record.after["households"] == 7


def test_plate_replacement_retires_the_old_token(ew_road, client) -> None:  # type: ignore[no-untyped-def]
    address = door(ew_road, 0.003, 0.0002)
    plate = services.issue_plate(address.identity, actor="t")
    assert len(plate.token) >= 22 and plate.state == PlateState.TO_MAKE
    services.set_plate_state(plate, PlateState.MADE, actor="t")
    services.set_plate_state(plate, PlateState.INSTALLED, actor="t")
    old_token = plate.token
    new = services.replace_plate(plate, actor="t")
    plate.refresh_from_db()
    assert plate.state == PlateState.REPLACED and not plate.token_active and plate.replaced_by == new
    assert new.token != old_token and new.identity == address.identity and new.plate_no != plate.plate_no
    old_page = client.get(f"/m/{old_token}")
    assert old_page.status_code == 410 and "此门牌已更换" in old_page.content.decode()
    new_page = client.get(f"/m/{new.token}")
    assert new_page.status_code == 200 and address.full_text in new_page.content.decode()
    assert client.get("/m/not-a-real-token").status_code == 404


def test_plate_state_machine_refuses_nonsense(ew_road) -> None:  # type: ignore[no-untyped-def]
    plate = services.issue_plate(door(ew_road, 0.003, 0.0002).identity, actor="t")
    with pytest.raises(DomainRuleError):
        services.set_plate_state(plate, PlateState.INSTALLED, actor="t")  # not made yet
    services.set_plate_state(plate, PlateState.REVOKED, actor="t")
    plate.refresh_from_db()
    assert not plate.token_active
    with pytest.raises(DomainRuleError):
        services.replace_plate(plate, actor="t")


def test_codes_are_never_reused(ew_road) -> None:  # type: ignore[no-untyped-def]
    address = door(ew_road, 0.003, 0.0002)
    services.retire_address(address, dt.date(2030, 1, 1), actor="t")
    with pytest.raises(ConflictError):
        services.create_address(services.AddressInput(location=address.location, road=ew_road, door_number=1),
                                actor="t")
    assert AddressIdentity.objects.filter(code=address.code).count() == 1


def test_extra_entrances_are_labelled_and_checked(ew_road, api) -> None:  # type: ignore[no-untyped-def]
    address = door(ew_road, 0.003, 0.0002)
    services.add_entrance(address, "北门", offset(address.location, 0, 0.0005), actor="t")
    with pytest.raises(DomainRuleError):
        services.add_entrance(address, "远门", offset(address.location, 0.01, 0), actor="t")  # ~1 km away
    with pytest.raises(DomainRuleError):
        services.add_entrance(address, "", address.location, actor="t")
    entrances = api.get(f"/api/v1/addresses/{address.code}").json()["properties"]["entrances"]
    assert [e["label"] for e in entrances] == ["北门"] and entrances[0]["location"]["type"] == "Point"
