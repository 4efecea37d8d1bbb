"""The facility register on the real test database: registration (position or standard address,
divisions derived), status history, retirement, hazards tracked to closure, details validated per
family; the API; rollout statistics checked against hand counts; the scan page's nearest canteen."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.gis.geos import Point

from apps.addresses import services as address_services
from apps.addresses.selectors import nearby_services
from apps.common.errors import DomainRuleError
from apps.common.models import ChangeRecord
from apps.facilities import services
from apps.facilities.models import Facility, FacilityKind, FacilityStatusEvent, Family, RolloutTarget, Status

from tests.conftest import make_staff

from ..addresses.conftest import ew_road, offset, village, wukang  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
D = dt.date


def kind(code: str) -> FacilityKind:
    return FacilityKind.objects.get(code=code)


@pytest.fixture
def canteen(wukang):  # type: ignore[no-untyped-def]
    return services.create_facility(services.FacilityInput(
        kind=kind("elderly_canteen"), name="武康老年食堂", location=wukang.seat, status=Status.BUILDING,
        status_since=D(2026, 1, 1), urban_rural="城镇", details={"seats": 60, "meals_per_day": 120}), actor="clerk")


@pytest.fixture
def staff_api(api):  # type: ignore[no-untyped-def]
    """An editor of 德清县 (the same client as `api`, now writing)."""
    api.force_authenticate(make_staff("planner", role="editor", jurisdiction="330521"))
    return api


def test_registration_derives_code_and_divisions(canteen, wukang) -> None:  # type: ignore[no-untyped-def]
    assert canteen.code == "330521K0001" and canteen.township == wukang and canteen.county.code == "330521"
    assert canteen.meals.seats == 60 and canteen.meals.meals_per_day == 120
    assert [(e.status, e.on) for e in canteen.status_events.all()] == [("在建", D(2026, 1, 1))]
    assert ChangeRecord.objects.filter(table_name="facilities_facility", row_id=str(canteen.pk)).exists()


def test_registration_at_an_address_links_it(ew_road, wukang) -> None:  # type: ignore[no-untyped-def]
    address = address_services.allocate_door(ew_road, offset(wukang.seat, 0.002, 0.0002), actor="t")
    point = services.create_facility(services.FacilityInput(
        kind=kind("meal_point"), name="测试助餐点", address=address.identity), actor="clerk")
    assert point.location.equals(address.location) and point.address == address.identity
    assert point.township == address.township and point.code == "330521M0001"


def test_position_outside_the_counties_and_bad_details_are_refused() -> None:
    with pytest.raises(DomainRuleError, match="不在任何现行县级区划"):
        services.create_facility(services.FacilityInput(kind=kind("meal_point"), name="远方",
                                                        location=Point(116.4, 39.9, srid=4490)), actor="x")
    with pytest.raises(DomainRuleError, match="capacity_plots"):
        services.create_facility(services.FacilityInput(kind=kind("meal_point"), name="x", location=Point(119.97, 30.54, srid=4490),
                                                        details={"capacity_plots": 3}), actor="x")


def test_status_moves_forward_and_is_recorded(canteen) -> None:  # type: ignore[no-untyped-def]
    services.change_status(canteen, Status.OPERATING, on=D(2026, 5, 1), actor="clerk", note="开业")
    services.change_status(canteen, Status.SUSPENDED, on=D(2026, 8, 1), actor="clerk", note="厨房改造")
    services.change_status(canteen, Status.OPERATING, on=D(2026, 9, 1), actor="clerk")
    with pytest.raises(DomainRuleError, match="不能从运营改为在建"):
        services.change_status(canteen, Status.BUILDING, on=D(2026, 10, 1), actor="clerk")
    with pytest.raises(DomainRuleError, match="不能早于"):
        services.change_status(canteen, Status.SUSPENDED, on=D(2026, 1, 1), actor="clerk")
    assert [e.status for e in FacilityStatusEvent.objects.filter(facility=canteen)] == ["在建", "运营", "停运", "运营"]
    services.retire_facility(canteen, on=D(2026, 11, 1), reason="并入新食堂", actor="clerk")
    canteen.refresh_from_db()
    assert canteen.status == "撤销" and canteen.retired_on == D(2026, 11, 1)
    with pytest.raises(DomainRuleError, match="已撤销"):
        services.change_status(canteen, Status.OPERATING, on=D(2026, 12, 1), actor="clerk")


def test_hazard_is_tracked_to_closure(wukang) -> None:  # type: ignore[no-untyped-def]
    cemetery = services.create_facility(services.FacilityInput(
        kind=kind("cemetery"), name="测试公墓", location=wukang.seat, status=Status.OPERATING,
        details={"ownership": "公益性", "capacity_plots": 100, "used_plots": 40, "eco_burial_types": ["树葬"]}),
        actor="clerk")
    hazard = services.report_hazard(cemetery, description="排水沟堵塞", level="一般", found_on=D(2026, 4, 1),
                                    deadline=D(2026, 5, 1), actor="clerk")
    with pytest.raises(DomainRuleError, match="完成日期"):
        services.update_hazard(hazard, "已整改", actor="clerk")
    services.update_hazard(hazard, "已整改", on=D(2026, 4, 20), measures="疏通", actor="clerk")
    assert (hazard.status, hazard.rectified_on) == ("已整改", D(2026, 4, 20))
    with pytest.raises(DomainRuleError):
        services.update_hazard(hazard, "整改中", actor="clerk")
    with pytest.raises(DomainRuleError, match="殡葬"):
        services.report_hazard(services.create_facility(services.FacilityInput(
            kind=kind("meal_point"), name="x", location=wukang.seat), actor="c"),
            description="x", level="一般", found_on=D(2026, 1, 1), actor="c")


def test_api_register_list_and_act(staff_api, api, wukang) -> None:  # type: ignore[no-untyped-def]
    from apps.common.coords import wgs84_to_gcj02

    gx, gy = wgs84_to_gcj02(wukang.seat.x, wukang.seat.y)
    response = staff_api.post("/api/v1/facilities/", {
        "kind": "elderly_canteen", "name": "武康老年食堂", "lon": gx, "lat": gy, "crs": "GCJ-02", "status": "运营",
        "status_since": "2026-03-01", "urban_rural": "城镇",
        "details": {"seats": 80, "meals_per_day": 160, "operating_model": "餐饮企业"}}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    stored = Facility.objects.get(code=body["id"]).location
    assert abs(stored.x - wukang.seat.x) < 1e-7 and abs(stored.y - wukang.seat.y) < 1e-7
    assert body["properties"]["details"]["operating_model"] == "餐饮企业"
    listed = api.get("/api/v1/facilities/", {"kind": "elderly_canteen,meal_point", "division": "330521"}).json()
    assert [f["id"] for f in listed["features"]] == [body["id"]]
    from rest_framework.test import APIClient

    assert APIClient().post("/api/v1/facilities/", {}, format="json").status_code in (401, 403)
    bad = staff_api.post("/api/v1/facilities/", {"kind": "cemetery", "name": "x", "lon": 119.97, "lat": 30.54,
                                                 "details": {"ownership": "公益性", "capacity_plots": 1, "used_plots": 5}},
                         format="json")
    assert bad.status_code == 400 and "used_plots" in bad.content.decode()
    assert staff_api.post("/api/v1/facilities/", {"kind": "nope", "name": "x", "lon": 1, "lat": 2},
                          format="json").status_code == 400
    assert api.get("/api/v1/facilities/", {"colour": "red"}).status_code == 400
    moved = staff_api.post(f"/api/v1/facilities/{body['id']}/status", {"status": "停运", "on": "2026-06-01"}, format="json")
    assert [e["status"] for e in moved.json()["properties"]["status_history"]] == ["运营", "停运"]
    retired = staff_api.post(f"/api/v1/facilities/{body['id']}/retire", {"on": "2026-07-01", "reason": "搬迁"}, format="json")
    assert retired.json()["properties"]["status"] == "撤销"
    assert api.get("/api/v1/facilities/").json()["count"] == 0
    assert api.get("/api/v1/facilities/", {"status": "撤销"}).json()["count"] == 1


def test_rollout_counts_match_hand_counts(api, wukang) -> None:  # type: ignore[no-untyped-def]
    deqing = wukang.parent
    other = deqing.children.filter(level="township").exclude(pk=wukang.pk).order_by("code").first()
    plan = [(wukang, "elderly_canteen", Status.OPERATING, "城镇", 300), (wukang, "meal_point", Status.OPERATING, "城镇", 120),
            (wukang, "meal_point", Status.SUSPENDED, "农村", 0), (wukang, "meal_point", Status.BUILDING, "农村", 0),
            (other, "meal_point", Status.BUILT, "农村", 0), (other, "meal_point", Status.PLANNED, "农村", 0),
            (wukang, "community_centre", Status.OPERATING, "城镇", 0)]
    for town, code, status, area, served in plan:
        details = {"meals_served_last_month": served} if code != "community_centre" else {"level": "村（社区）级"}
        services.create_facility(services.FacilityInput(kind=kind(code), name=f"{town.name}{code}", location=town.seat,
                                                        status=status, urban_rural=area, details=details), actor="t")
    services.set_rollout_target(wukang, Family.MEALS, 2026, 5, actor="t")
    services.set_rollout_target(other, Family.MEALS, 2026, 2, actor="t")
    body = api.get("/api/v1/facilities/rollout", {"county": "330521", "family": "meals", "year": "2026"}).json()
    rows = {r["name"]: r for r in body["rows"]}
    w = rows["武康街道"]
    assert (w["tasks"], w["built"], w["operating"], w["building"], w["meals_served_last_month"]) == (5, 3, 2, 1, 420)
    assert w["operating_rate"] == round(2 / 3, 4) and w["completion_rate"] == round(3 / 5, 4)
    assert w["by_urban_rural"] == {"城镇": {"built": 2, "operating": 2}, "农村": {"built": 1, "operating": 0}}
    o = rows[other.name]
    assert (o["tasks"], o["built"], o["operating"], o["planned"], o["operating_rate"]) == (2, 1, 0, 1, 0.0)
    assert body["total"]["tasks"] == 7 and body["total"]["built"] == 4 and body["total"]["operating"] == 2
    text = api.get("/api/v1/facilities/rollout", {"year": "2026", "format": "csv"}).content.decode("utf-8")
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["乡镇（街道）"]: r["运营数"] for r in table}["武康街道"] == "2" and table[-1]["乡镇（街道）"] == "合计"
    assert api.get("/api/v1/facilities/rollout", {"family": "x"}).status_code == 400
    assert RolloutTarget.objects.count() == 2
    page = api.get("/facilities/rollout/", {"year": "2026"}).content.decode()
    assert "武康街道" in page and "67%" in page


def test_scan_page_hook_finds_the_nearest_open_canteen(canteen, wukang) -> None:  # type: ignore[no-untyped-def]
    near = offset(wukang.seat, 0.001, 0.0)
    assert nearby_services(near) == []                      # still 在建
    services.change_status(canteen, Status.OPERATING, on=D(2026, 5, 1), actor="clerk")
    found = nearby_services(near)
    assert [(s["kind_label"], s["name"]) for s in found] == [("老年食堂", "武康老年食堂")]
    assert 90 < found[0]["distance_m"] < 100                 # 0.001° of longitude at 30.5° N ≈ 96 m
    assert nearby_services(offset(wukang.seat, 0.05, 0.0)) == []


def test_demo_facilities_stand_at_addresses_and_load_once(ew_road, wukang) -> None:  # type: ignore[no-untyped-def]
    from apps.facilities.demo import load_demo_facilities

    address = address_services.allocate_door(ew_road, offset(wukang.seat, 0.002, 0.0002), actor="t")
    made = load_demo_facilities()
    facilities = Facility.objects.filter(demo=True)
    assert made == facilities.count() > 0
    assert {f.name for f in facilities} >= {"武康街道老年食堂", "武康街道居家养老服务中心"}
    assert all(f.address == address.identity and f.location.equals(address.location) for f in facilities)
    assert RolloutTarget.objects.filter(township=wukang, family="meals").exists()
    assert load_demo_facilities() == 0 and Facility.objects.filter(demo=True).count() == made
