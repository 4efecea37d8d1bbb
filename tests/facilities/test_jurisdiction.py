"""Jurisdictions in the facility register (issue 9): editors of another township of 德清县 or of another
county cannot register, change, retire or report hazards of 武康街道's facilities through the API
(403 problem+json) or the admin (nothing written); the own township's editor can; a viewer
writes nothing; an API key reads the register, never the hazards, and writes nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.divisions.models import Division
from apps.facilities import services
from apps.facilities.models import Facility, FacilityKind, FacilityStatusEvent, SafetyHazard, Status
from tests.conftest import make_staff
from tests.jurisdiction_helpers import api_as, assert_refused, change_form_data, client_as, key_api

from ..addresses.conftest import wukang  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/facilities/"


@pytest.fixture
def setting(wukang):  # type: ignore[no-untyped-def]
    other = Division.objects.filter(parent=wukang.parent, level="township", valid_to__isnull=True,
                                    geometry__isnull=False).exclude(pk=wukang.pk).order_by("code").first()
    kinds = {k.code: k for k in FacilityKind.objects.all()}
    canteen = services.create_facility(services.FacilityInput(
        kind=kinds["elderly_canteen"], name="武康老年食堂", location=wukang.seat, status=Status.OPERATING,
        status_since=dt.date(2026, 1, 1)), actor="test")
    cemetery = services.create_facility(services.FacilityInput(
        kind=kinds["cemetery"], name="武康公墓", location=wukang.seat, status=Status.OPERATING), actor="test")
    return {"canteen": canteen, "cemetery": cemetery, "other": other, "own": wukang,
            "own_editor": make_staff("wk-clerk", role="editor", jurisdiction=wukang.code),
            "other_editor": make_staff("other-clerk", role="editor", jurisdiction=other.code),
            "county_editor": make_staff("far-clerk", role="editor", jurisdiction="341723")}


def test_api_changes_stay_inside_the_jurisdiction(setting, api) -> None:  # type: ignore[no-untyped-def]
    canteen, cemetery = setting["canteen"], setting["cemetery"]
    events, hazards = FacilityStatusEvent.objects.count(), SafetyHazard.objects.count()
    for client in (api_as(setting["other_editor"]), api_as(setting["county_editor"]), api):  # `api`: a viewer
        assert_refused(client.post(f"{BASE}{canteen.code}/status", {"status": "停运", "on": "2026-06-01"}, format="json"))
        assert_refused(client.post(f"{BASE}{canteen.code}/retire", {"on": "2026-06-01", "reason": "越权"}, format="json"))
        assert_refused(client.post(f"{BASE}{cemetery.code}/hazards", {
            "description": "围墙开裂", "level": "一般", "found_on": "2026-05-01"}, format="json"))
    canteen.refresh_from_db()
    assert canteen.status == Status.OPERATING and FacilityStatusEvent.objects.count() == events
    assert SafetyHazard.objects.count() == hazards
    own = api_as(setting["own_editor"])
    assert own.post(f"{BASE}{canteen.code}/status", {"status": "停运", "on": "2026-06-01"},
                    format="json").status_code == 200
    response = own.post(f"{BASE}{cemetery.code}/hazards", {"description": "围墙开裂", "level": "一般",
                                                           "found_on": "2026-05-01"}, format="json")
    assert response.status_code == 201, response.json()
    canteen.refresh_from_db()
    assert canteen.status == Status.SUSPENDED


def test_registration_needs_the_target_township(setting) -> None:  # type: ignore[no-untyped-def]
    other_seat = setting["other"].geometry.point_on_surface
    body = {"kind": "meal_point", "name": "新助餐点"}
    count = Facility.objects.count()
    own = api_as(setting["own_editor"])
    assert_refused(own.post(BASE, {**body, "lon": other_seat.x, "lat": other_seat.y}, format="json"))
    seat = setting["own"].seat
    assert_refused(api_as(setting["county_editor"]).post(BASE, {**body, "lon": seat.x, "lat": seat.y}, format="json"))
    assert Facility.objects.count() == count
    response = own.post(BASE, {**body, "lon": seat.x, "lat": seat.y}, format="json")
    assert response.status_code == 201, response.json()


def test_hazards_are_not_public(setting) -> None:  # type: ignore[no-untyped-def]
    services.report_hazard(setting["cemetery"], description="围墙开裂", level="一般", found_on=dt.date(2026, 5, 1),
                           actor="test")
    url = f"{BASE}{setting['cemetery'].code}"
    key = key_api("县应急管理局")
    assert key.get(url).json()["properties"]["hazards"] is None
    assert api_as(make_staff("far-viewer", jurisdiction="341723")).get(url).json()["properties"]["hazards"] is None
    own = api_as(make_staff("wk-viewer", jurisdiction=setting["own"].code)).get(url).json()
    assert [h["description"] for h in own["properties"]["hazards"]] == ["围墙开裂"]
    # The key reads the register but writes nothing.
    assert key.get(BASE).status_code == 200
    count = SafetyHazard.objects.count()
    assert_refused(key.post(f"{url}/hazards", {"description": "x", "level": "一般", "found_on": "2026-05-01"}, format="json"))
    assert_refused(key.post(f"{url}/status", {"status": "停运", "on": "2026-06-01"}, format="json"))
    assert SafetyHazard.objects.count() == count


def test_admin_changes_stay_inside_the_jurisdiction(setting) -> None:  # type: ignore[no-untyped-def]
    canteen = setting["canteen"]
    url = f"/admin/facilities/facility/{canteen.pk}/change/"
    own = client_as(setting["own_editor"])
    page = own.get(url)
    assert page.status_code == 200
    data = change_form_data(page)
    other = client_as(setting["other_editor"])
    assert other.post(url, {**data, "name": "越权改名"}).status_code == 403
    canteen.refresh_from_db()
    assert canteen.name == "武康老年食堂"
    # Moving it into another township: a form error, nothing written.
    moved = setting["other"].geometry.point_on_surface
    response = own.post(url, {**data, "location": f"SRID=4490;POINT ({moved.x} {moved.y})", "name": "移出"})
    assert response.status_code == 200 and "不在本账号辖区" in response.content.decode()
    canteen.refresh_from_db()
    assert canteen.name == "武康老年食堂" and canteen.location.equals(setting["own"].seat)
    response = own.post(url, {**data, "name": "武康街道老年食堂"})
    assert response.status_code == 302, response.content.decode()[:2000]
    canteen.refresh_from_db()
    assert canteen.name == "武康街道老年食堂"


def test_admin_move_rederives_the_divisions(setting) -> None:  # type: ignore[no-untyped-def]
    """A county editor moves the canteen into another township in the admin: its township follows
    the new position (as the API's update does), instead of keeping the old one."""
    canteen, other = setting["canteen"], setting["other"]
    url = f"/admin/facilities/facility/{canteen.pk}/change/"
    county = client_as(make_staff("deqing-editor", role="editor", jurisdiction="330521"))
    data = change_form_data(county.get(url))
    moved = other.geometry.point_on_surface
    response = county.post(url, {**data, "location": f"SRID=4490;POINT ({moved.x} {moved.y})"})
    assert response.status_code == 302, response.content.decode()[:2000]
    canteen.refresh_from_db()
    assert canteen.township_id == other.pk and canteen.county.code == "330521"
    assert canteen.village is None or canteen.village.parent_id == other.pk
