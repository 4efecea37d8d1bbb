"""Per-record history on the real test database: the trigger keeps small geometries in full
(cast back by PostGIS to the same geometry) and digests big ones; the staff page, the API and the
admin's 历史 button show who, when and a field-level diff for an address, a door plate, a facility
and a place name; bad requests are problem+json 4xx."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString
from django.db import connection

from apps.addresses import services as address_services
from apps.addresses.models import Address, Road
from apps.common.history import acting_as
from apps.common.models import ChangeRecord
from apps.facilities import services as facility_services
from apps.facilities.models import FacilityKind, Status
from apps.placenames import services as placename_services
from apps.placenames.models import PlaceNameCategory
from tests.conftest import make_staff

from ..addresses.conftest import ew_road, offset, wukang  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_superuser("boss", "boss@example.org", "x")


@pytest.fixture
def clerk(db):  # type: ignore[no-untyped-def]
    return make_staff("clerk", role="editor", jurisdiction="330521")


@pytest.fixture
def door(ew_road, wukang):  # type: ignore[no-untyped-def]
    return address_services.allocate_door(ew_road, offset(wukang.seat, 0.001, 0.0003), actor="clerk", households=2)


@pytest.fixture
def canteen(wukang):  # type: ignore[no-untyped-def]
    return facility_services.create_facility(facility_services.FacilityInput(
        kind=FacilityKind.objects.get(code="elderly_canteen"), name="武康老年食堂", location=wukang.seat,
        status=Status.BUILDING, status_since=dt.date(2026, 1, 1), urban_rural="城镇",
        details={"seats": 60, "meals_per_day": 120}), actor="clerk")


@pytest.fixture
def place(wukang):  # type: ignore[no-untyped-def]
    found, _ = placename_services.propose(name="英溪公园", category=PlaceNameCategory.objects.get(code="8003"),
                                          division=wukang, actor="clerk", location_description="武康街道东部",
                                          proposed_on=dt.date(2026, 1, 5))
    return found


def _latest(table: str, pk: object) -> ChangeRecord:
    return ChangeRecord.objects.filter(table_name=table, row_id=str(pk)).order_by("-id").first()


def test_small_geometry_is_kept_in_full_and_casts_back(ew_road) -> None:  # type: ignore[no-untyped-def]
    record = _latest("addresses_road", ew_road.pk)
    stored = record.after["geometry"]
    assert stored["type"] == "LineString"
    with connection.cursor() as cur:
        cur.execute("SELECT ST_Equals(ST_GeomFromGeoJSON(%s::jsonb), geometry), ST_SRID(ST_GeomFromGeoJSON(%s::jsonb)),"
                    " ST_AsEWKB(ST_GeomFromGeoJSON(%s::jsonb)) = ST_AsEWKB(geometry) FROM addresses_road WHERE id = %s",
                    [json.dumps(stored)] * 3 + [ew_road.pk])
        equal, srid, same_bytes = cur.fetchone()
    assert (equal, srid, same_bytes) == (True, 4490, True)


@pytest.mark.parametrize("points, digested", [(2000, False), (2001, True), (2501, True)])
def test_big_geometry_is_digested(ew_road, points, digested) -> None:  # type: ignore[no-untyped-def]
    start = ew_road.geometry.coords[0]
    coords = [(start[0] + i * 1e-6, start[1] + (i % 2) * 1e-6) for i in range(points)]
    with acting_as("clerk"):
        Road.objects.filter(pk=ew_road.pk).update(geometry=LineString(coords, srid=4490))
    record = _latest("addresses_road", ew_road.pk)
    assert record.before["geometry"]["type"] == "LineString"
    if digested:
        assert record.after["geometry"] == {"md5": record.after["geometry"]["md5"], "npoints": points}
    else:
        assert len(record.after["geometry"]["coordinates"]) == points


def test_address_history_page_shows_who_when_and_the_diff(client, boss, door, wukang) -> None:  # type: ignore[no-untyped-def]
    with acting_as("editor1"):
        door.households, door.location = 5, offset(wukang.seat, 0.0011, 0.0003)
        door.save()
    client.force_login(boss)
    page = client.get(f"/history/addresses.address/{door.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "editor1" in html and "修改" in html and "户数" in html and "几何已变更" in html
    assert "出入口位置" in html and "生效日期" in html  # the creation lists its fields
    assert html.count('class="restore"') == 2  # administrators get a restore link per change


def test_history_api_diff_for_address_with_readable_foreign_keys(api, boss, door, ew_road) -> None:  # type: ignore[no-untyped-def]
    with acting_as("editor1"):
        Address.objects.filter(pk=door.pk).update(households=7, building="3")
    api.force_authenticate(boss)
    body = api.get(f"/api/v1/history/addresses.address/{door.pk}/").json()
    assert body["count"] == 2 and body["next"] is None
    newest, created = body["results"]
    assert (newest["action"], newest["action_label"], newest["actor"]) == ("U", "修改", "editor1")
    changes = {c["field"]: c for c in newest["changes"]}
    assert set(changes) == {"households", "building"}  # unchanged fields hidden
    assert (changes["households"]["label"], changes["households"]["before"], changes["households"]["after"]) == (
        "户数", "2", "7")
    assert changes["building"]["before"] == "（空）"
    road = {c["field"]: c for c in created["changes"]}["road_id"]
    assert road["label"] == "街路巷" and road["after"] == f"{ew_road}（{ew_road.pk}）"
    page = api.get(f"/api/v1/history/addresses.address/{door.pk}/?limit=1&offset=1").json()
    assert page["count"] == 2 and [e["action"] for e in page["results"]] == ["I"]


def test_door_plate_history(api, boss, door) -> None:  # type: ignore[no-untyped-def]
    plate = address_services.issue_plate(door.identity, actor="maker")
    address_services.set_plate_state(plate, "made", actor="maker", on=dt.date(2026, 3, 1))
    api.force_authenticate(boss)
    newest = api.get(f"/api/v1/history/addresses.doorplate/{plate.pk}/").json()["results"][0]
    changes = {c["label"]: (c["before"], c["after"]) for c in newest["changes"]}
    assert changes == {"状态": ("待制作", "已制作"), "制作日期": ("（空）", "2026-03-01")}
    assert newest["actor"] == "maker"


def test_facility_history_page_and_api(client, api, boss, canteen, wukang) -> None:  # type: ignore[no-untyped-def]
    facility_services.update_facility(canteen, actor="editor2", name="武康第一老年食堂", phone="0572-1234567")
    client.force_login(boss)
    html = client.get(f"/history/facilities.facility/{canteen.pk}/").content.decode()
    assert "武康老年食堂" in html and "武康第一老年食堂" in html and "联系电话" in html and "editor2" in html
    api.force_authenticate(boss)
    newest = api.get(f"/api/v1/history/facilities.facility/{canteen.pk}/").json()["results"][0]
    assert {c["label"] for c in newest["changes"]} == {"名称", "联系电话"}  # not the automatic timestamp
    township = {c["field"]: c for c in api.get(f"/api/v1/history/facilities.facility/{canteen.pk}/").json()
                ["results"][-1]["changes"]}["township_id"]
    assert township["after"].startswith("武康街道")


def test_place_name_history_api(api, boss, place) -> None:  # type: ignore[no-untyped-def]
    placename_services.update_details(place, actor="namer", location_description="武康街道东部英溪北岸")
    api.force_authenticate(boss)
    newest = api.get(f"/api/v1/history/placenames.placename/{place.pk}/").json()["results"][0]
    changes = {c["label"]: (c["before"], c["after"]) for c in newest["changes"]}
    assert changes["位置描述"] == ("武康街道东部", "武康街道东部英溪北岸") and newest["actor"] == "namer"


def test_admin_history_button_shows_trigger_history(client, boss, door, canteen, place) -> None:  # type: ignore[no-untyped-def]
    client.force_login(boss)
    plate = address_services.issue_plate(door.identity, actor="maker")
    for label, pk in (("addresses/address", door.pk), ("facilities/facility", canteen.pk),
                      ("placenames/placename", place.pk), ("addresses/doorplate", plate.pk)):
        response = client.get(f"/admin/{label}/{pk}/history/")
        assert response.status_code == 302 and response["Location"] == f"/history/{label.replace('/', '.')}/{pk}/"
    assert "变更历史" in client.get(f"/history/addresses.doorplate/{plate.pk}/").content.decode()


def test_history_by_code_redirects(client, boss, canteen) -> None:  # type: ignore[no-untyped-def]
    client.force_login(boss)
    response = client.get(f"/history/facilities.facility/code/{canteen.code}/")
    assert response.status_code == 302 and response["Location"] == f"/history/facilities.facility/{canteen.pk}/"
    assert client.get("/history/facilities.facility/code/NOPE/").status_code == 404


@pytest.mark.parametrize("path, status", [
    ("/api/v1/history/nosuch.model/1/", 404),
    ("/api/v1/history/auth.user/1/", 404),
    ("/api/v1/history/addresses./1/", 404),
    ("/api/v1/history/a.b.c/1/", 404),            # no history trigger on that table
    ("/api/v1/history/facilities.facility/99999999/", 404),
    ("/api/v1/history/facilities.facility/abc/", 404),
    ("/api/v1/history/addresses.addressidentity/not-a-uuid/", 404),
    ("/api/v1/history/facilities.facility/1/?levle=1", 400),
    ("/api/v1/history/facilities.facility/1/?limit=0", 400),
])
def test_history_api_bad_requests_are_problems(api, boss, canteen, path, status) -> None:  # type: ignore[no-untyped-def]
    api.force_authenticate(boss)
    response = api.get(path.replace("/1/", f"/{canteen.pk}/"))
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json" and response.json()["detail"]


def test_history_needs_staff(anon_api, anon_client, canteen) -> None:  # type: ignore[no-untyped-def]
    assert anon_api.get(f"/api/v1/history/facilities.facility/{canteen.pk}/").status_code == 401
    anon_api.force_authenticate(get_user_model().objects.create_user("nobody"))  # an account without a role
    assert anon_api.get(f"/api/v1/history/facilities.facility/{canteen.pk}/").status_code == 403
    assert anon_client.get(f"/history/facilities.facility/{canteen.pk}/").status_code == 302  # to the login page


def test_clerk_sees_history_without_restore_links(client, clerk, canteen) -> None:  # type: ignore[no-untyped-def]
    client.force_login(clerk)
    html = client.get(f"/history/facilities.facility/{canteen.pk}/").content.decode()
    assert "武康老年食堂" in html and 'class="restore"' not in html
