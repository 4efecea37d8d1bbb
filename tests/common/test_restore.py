"""Restoring an old version on the real test database: attributes and point, line and polygon
geometries come back exactly, the restore is itself a change by the restoring administrator;
non-administrators (403), retired and frozen records, digested geometries and no-op restores are
refused with nothing written; the page's confirm step and CSRF."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, Polygon
from django.test import Client

from apps.addresses.models import Address, Area, Road
from apps.common.errors import ConflictError, DomainRuleError
from apps.common.history import acting_as
from apps.common.models import ChangeRecord
from apps.common.restore import restore_version
from apps.facilities import services as facility_services
from apps.facilities.models import Facility, RolloutTarget
from apps.placenames import services as placename_services
from apps.placenames.models import PlaceName
from tests.conftest import make_staff

from ..addresses.conftest import ew_road, offset, wukang  # noqa: F401 (fixtures)
from .test_history import boss, canteen, clerk, door, place  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
D = dt.date


def _records(obj: object) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(table_name=obj._meta.db_table, row_id=str(obj.pk)).order_by("id"))


def _snapshot(obj: object) -> tuple[list[int], dict]:
    fresh = type(obj).objects.get(pk=obj.pk)
    return [r.pk for r in _records(obj)], {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def test_restore_address_brings_back_attributes_and_point(door, wukang) -> None:  # type: ignore[no-untyped-def]
    original = Address.objects.get(pk=door.pk)
    with acting_as("editor1"):
        door.households, door.building, door.location = 9, "5", offset(wukang.seat, 0.0012, 0.0004)
        door.save()
    created = _records(door)[0]
    result = restore_version(created.pk, "boss")
    restored = Address.objects.get(pk=door.pk)
    assert (restored.households, restored.building) == (original.households, original.building)
    assert restored.location.equals_exact(original.location, 0) and restored.location.srid == 4490
    assert set(result.restored) == {"户数", "楼栋（幢）", "出入口位置"} and result.kept == []
    last = _records(door)[-1]
    assert (last.pk, last.action, last.actor) == (result.change_record_id, "U", "boss")
    assert last.after["households"] == original.households


def test_restore_line_and_polygon_geometries(ew_road, wukang) -> None:  # type: ignore[no-untyped-def]
    old_line = Road.objects.get(pk=ew_road.pk).geometry
    with acting_as("editor1"):
        Road.objects.filter(pk=ew_road.pk).update(geometry=LineString(
            [(c[0], c[1] + 0.0005) for c in old_line.coords], srid=4490), name="测试东西新路")
    restore_version(_records(ew_road)[0].pk, "boss")
    road = Road.objects.get(pk=ew_road.pk)
    assert road.geometry.equals_exact(old_line, 0) and road.name == "测试东西路"

    x, y = wukang.seat.x, wukang.seat.y
    square = Polygon(((x, y), (x + 0.001, y), (x + 0.001, y + 0.001), (x, y + 0.001), (x, y)), srid=4490)
    village = wukang.children.filter(level="village").order_by("code").first()
    with acting_as("clerk"):
        area = Area.objects.create(code="A9001", county=wukang.parent, village=village, name="测试小区", kind="小区",
                                   geometry=square)
        area.geometry = square.buffer(0.0002)
        area.save()
    result = restore_version(_records(area)[0].pk, "boss")
    assert Area.objects.get(pk=area.pk).geometry.equals_exact(square, 0) and "范围" in result.restored
    assert _records(area)[-1].actor == "boss"


def test_lifecycle_fields_are_kept_and_named(canteen) -> None:  # type: ignore[no-untyped-def]
    first = _records(canteen)[0]
    facility_services.update_facility(canteen, actor="editor2", name="改名食堂")
    facility_services.change_status(canteen, "建成", on=D(2026, 5, 1), actor="editor2")
    result = restore_version(first.pk, "boss")
    facility = Facility.objects.get(pk=canteen.pk)
    assert facility.name == "武康老年食堂" and facility.status == "建成"  # status moves only by its service
    assert "状态" in result.kept and "名称" in result.restored and "未恢复" in result.message


def test_restore_refused_for_retired_record_writes_nothing(canteen) -> None:  # type: ignore[no-untyped-def]
    first = _records(canteen)[0]
    facility_services.retire_facility(canteen, on=D(2026, 6, 1), reason="合并", actor="editor2")
    before = _snapshot(canteen)
    with pytest.raises(DomainRuleError, match="已失效"):
        restore_version(first.pk, "boss")
    assert _snapshot(canteen) == before


def test_announced_place_name_is_frozen(place) -> None:  # type: ignore[no-untyped-def]
    first = _records(place)[0]
    placename_services.submit(place, on=D(2026, 1, 10), actor="clerk")
    placename_services.approve(place, authority="德清县人民政府", document="德政地〔2026〕9号", on=D(2026, 2, 1),
                               actor="head")
    placename_services.update_details(place, actor="clerk", location_description="武康街道东部英溪北岸")
    placename_services.announce([place], number="德地公〔2026〕9号", title="公告", issued_by="德清县民政局",
                                on=D(2026, 3, 1), actor="head")
    place.refresh_from_db()
    before = _snapshot(place)
    with pytest.raises(DomainRuleError, match="已冻结.*位置描述"):
        restore_version(first.pk, "boss")
    assert _snapshot(place) == before
    # A version that leaves the announced fields alone may still be restored (descriptive text).
    placename_services.update_details(place, actor="clerk", origin="因英溪得名")
    restore_version(_records(place)[-2].pk, "boss")
    assert PlaceName.objects.get(pk=place.pk).origin == "" and PlaceName.objects.get(pk=place.pk).status == "已公告"


def test_cancelled_place_name_is_refused(place) -> None:  # type: ignore[no-untyped-def]
    first = _records(place)[0]
    placename_services.update_details(place, actor="clerk", origin="旧说法")
    placename_services.cancel(place, on=D(2026, 4, 1), reason="重名", actor="head")
    before = _snapshot(place)
    with pytest.raises(DomainRuleError, match="注销日期"):
        restore_version(first.pk, "boss")
    assert _snapshot(place) == before


def test_digested_geometry_is_refused_unless_unchanged(ew_road) -> None:  # type: ignore[no-untyped-def]
    start = ew_road.geometry.coords[0]
    big = LineString([(start[0] + i * 1e-6, start[1] + (i % 2) * 1e-6) for i in range(2501)], srid=4490)
    with acting_as("editor1"):
        Road.objects.filter(pk=ew_road.pk).update(geometry=big)
        Road.objects.filter(pk=ew_road.pk).update(name="临时名")
    digested_version = _records(ew_road)[1]  # big geometry, old name
    # Same geometry as now: the attributes come back, the geometry stays.
    result = restore_version(digested_version.pk, "boss")
    assert Road.objects.get(pk=ew_road.pk).name == "测试东西路" and "中心线" not in result.restored
    with acting_as("editor1"):
        Road.objects.filter(pk=ew_road.pk).update(geometry=LineString([start, (start[0] + 0.01, start[1])], srid=4490),
                                                  name="又一名")
    before = _snapshot(ew_road)
    with pytest.raises(DomainRuleError, match="只保存了摘要"):
        restore_version(digested_version.pk, "boss")
    assert _snapshot(ew_road) == before


def test_restore_to_the_current_state_is_a_conflict(canteen) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConflictError):
        restore_version(_records(canteen)[-1].pk, "boss")


def test_deleted_row_is_recreated(wukang) -> None:  # type: ignore[no-untyped-def]
    target = facility_services.set_rollout_target(wukang, "meals", 2031, 4, actor="planner")
    pk = target.pk
    with acting_as("planner"):
        RolloutTarget.objects.filter(pk=pk).delete()
    deletion = ChangeRecord.objects.filter(table_name="facilities_rollouttarget", row_id=str(pk), action="D").get()
    result = restore_version(deletion.pk, "boss")
    again = RolloutTarget.objects.get(pk=pk)
    assert result.created and (again.tasks, again.year, again.township_id) == (4, 2031, wukang.pk)
    assert ChangeRecord.objects.filter(table_name="facilities_rollouttarget", row_id=str(pk)).order_by("-id")[0].action == "I"


def test_restore_api_for_administrators_only(api, boss, clerk, door) -> None:  # type: ignore[no-untyped-def]
    with acting_as("editor1"):
        Address.objects.filter(pk=door.pk).update(households=11)
    first = _records(door)[0]
    url = f"/api/v1/history/addresses.address/{door.pk}/restore"
    api.force_authenticate(clerk)
    before = _snapshot(door)
    refused = api.post(url, {"change_record": first.pk}, format="json")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert _snapshot(door) == before
    api.force_authenticate(boss)
    other = api.post(url, {"change_record": 999999999}, format="json")
    assert other.status_code == 400 and other.json()["errors"][0]["field"] == "change_record"
    done = api.post(url, {"change_record": first.pk}, format="json")
    assert done.status_code == 200 and done.json()["restored"] == ["户数"]
    assert Address.objects.get(pk=door.pk).households == 2
    assert api.post(url, {"change_record": first.pk}, format="json").status_code == 409  # nothing left to restore


def test_restore_api_frozen_record_is_422(api, boss, place) -> None:  # type: ignore[no-untyped-def]
    first = _records(place)[0]
    placename_services.cancel(place, on=D(2026, 4, 1), reason="重名", actor="head")
    api.force_authenticate(boss)
    response = api.post(f"/api/v1/history/placenames.placename/{place.pk}/restore", {"change_record": first.pk},
                        format="json")
    assert response.status_code == 422 and "已失效" in response.json()["detail"]


def test_page_restore_has_confirm_step_and_csrf(boss, clerk, canteen) -> None:  # type: ignore[no-untyped-def]
    facility_services.update_facility(canteen, actor="editor2", name="改名食堂")
    first = _records(canteen)[0]
    url = f"/history/facilities.facility/{canteen.pk}/"
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(boss)
    confirm = browser.get(f"{url}?restore={first.pk}")
    html = confirm.content.decode()
    assert 'id="confirm"' in html and "确认恢复" in html and "csrfmiddlewaretoken" in html
    assert browser.post(url, {"change_record": first.pk}).status_code == 403  # no CSRF token
    assert Facility.objects.get(pk=canteen.pk).name == "改名食堂"
    token = confirm.cookies["csrftoken"].value
    done = browser.post(url, {"change_record": first.pk, "csrfmiddlewaretoken": token}, follow=True)
    assert done.status_code == 200 and "已恢复到" in done.content.decode()
    assert Facility.objects.get(pk=canteen.pk).name == "武康老年食堂"

    staff = Client()
    staff.force_login(clerk)
    count = ChangeRecord.objects.count()
    assert 'id="confirm"' not in staff.get(f"{url}?restore={first.pk}").content.decode()
    assert staff.post(url, {"change_record": first.pk}).status_code == 403
    assert ChangeRecord.objects.count() == count


def test_admin_change_record_action_leads_to_the_confirm_step(client, boss, clerk, canteen) -> None:  # type: ignore[no-untyped-def]
    first = _records(canteen)[0]
    client.force_login(boss)
    response = client.post("/admin/common/changerecord/", {"action": "restore_this_version", "_selected_action": [first.pk]})
    assert response.status_code == 302
    assert response["Location"] == f"/history/facilities.facility/{canteen.pk}/?restore={first.pk}#confirm"
    assert 'id="confirm"' in client.get(response["Location"]).content.decode()
    assert Facility.objects.get(pk=canteen.pk).name == "武康老年食堂"  # nothing restored before the confirmation


def test_administrator_of_another_county_cannot_restore(api, door) -> None:  # type: ignore[no-untyped-def]
    """Restoring is an administrator's write like any other: inside the jurisdiction only."""
    with acting_as("editor1"):
        Address.objects.filter(pk=door.pk).update(households=11)
    first = _records(door)[0]
    url = f"/api/v1/history/addresses.address/{door.pk}/restore"
    api.force_authenticate(make_staff("qingyang-admin", role="administrator", jurisdiction="341723"))
    before = _snapshot(door)
    refused = api.post(url, {"change_record": first.pk}, format="json")
    assert refused.status_code == 403 and "辖区" in refused.json()["detail"]
    assert _snapshot(door) == before
    api.force_authenticate(make_staff("deqing-admin", role="administrator", jurisdiction="330521"))
    assert api.post(url, {"change_record": first.pk}, format="json").status_code == 200
    assert Address.objects.get(pk=door.pk).households == 2
