"""Jurisdictions in the gazetteer (issue 9): an editor of one township of 德清县, or of another county,
cannot change another township's names through the API (403 problem+json) or the admin (nothing
written), while the same change inside the jurisdiction goes through; a viewer writes nothing; a
department's API key reads the register but neither writes nor reads the non-public history."""
from __future__ import annotations

import pytest

from apps.divisions.models import Division
from apps.placenames.models import PlaceName
from tests.conftest import make_staff
from tests.jurisdiction_helpers import api_as, assert_refused, change_form_data, client_as, key_api

pytestmark = pytest.mark.django_db
BASE = "/api/v1/placenames/"


@pytest.fixture
def setting(demo):  # type: ignore[no-untyped-def]
    """A demo name in one township (its own), another township of the county, and their editors."""
    place = (PlaceName.objects.filter(county__code="330521", division__level="township", status="已公告")
             .exclude(register_kind="division").select_related("division").order_by("code").first())
    own = place.division
    other = Division.objects.filter(parent__code="330521", level="township", valid_to__isnull=True) \
        .exclude(pk=own.pk).order_by("code").first()
    return {"place": place, "own": own, "other": other,
            "own_editor": make_staff("own-clerk", role="editor", jurisdiction=own.code),
            "other_editor": make_staff("other-clerk", role="editor", jurisdiction=other.code),
            "county_editor": make_staff("far-clerk", role="editor", jurisdiction="341723")}


def test_api_changes_stay_inside_the_jurisdiction(setting, api) -> None:  # type: ignore[no-untyped-def]
    place = setting["place"]
    url = f"{BASE}{place.code}"
    before = place.origin
    for user in (setting["other_editor"], setting["county_editor"]):
        assert_refused(api_as(user).patch(url, {"origin": "越权修改"}, format="json"))
        assert_refused(api_as(user).post(f"{url}/aliases", {"name": "越权别称", "kind": "俗称"}, format="json"))
    assert_refused(api.patch(url, {"origin": "查看员修改"}, format="json"))  # a viewer of the whole county
    place.refresh_from_db()
    assert place.origin == before and not place.aliases.filter(name="越权别称").exists()
    own = api_as(setting["own_editor"])
    # Moving the name into another township is refused too (the target division counts).
    assert_refused(own.patch(url, {"division": setting["other"].code}, format="json"))
    place.refresh_from_db()
    assert place.division_id == setting["own"].pk
    response = own.patch(url, {"origin": "本辖区修改"}, format="json")
    assert response.status_code == 200, response.json()
    place.refresh_from_db()
    assert place.origin == "本辖区修改"


def test_proposing_needs_the_target_township(setting) -> None:  # type: ignore[no-untyped-def]
    own = api_as(setting["own_editor"])
    body = {"name": "金鹅公园", "category": "8003", "location_description": "测试", "proposed_on": "2026-10-01"}
    count = PlaceName.objects.count()
    assert_refused(own.post(BASE, {**body, "division": setting["other"].code}, format="json"))
    assert_refused(api_as(setting["county_editor"]).post(BASE, {**body, "division": setting["own"].code}, format="json"))
    assert PlaceName.objects.count() == count
    response = own.post(BASE, {**body, "division": setting["own"].code}, format="json")
    assert response.status_code == 201, response.json()


def test_history_is_for_staff_of_the_jurisdiction(setting) -> None:  # type: ignore[no-untyped-def]
    url = f"{BASE}{setting['place'].code}/history"
    assert api_as(make_staff("viewer-own", jurisdiction=setting["own"].code)).get(url).status_code == 200
    assert_refused(api_as(make_staff("viewer-other", jurisdiction=setting["other"].code)).get(url))


def test_an_api_key_reads_the_register_but_nothing_else(setting) -> None:  # type: ignore[no-untyped-def]
    key = key_api("县公安局")
    code = setting["place"].code
    assert key.get(BASE, {"q": "莫干山"}).status_code == 200
    assert key.get(f"{BASE}{code}").status_code == 200
    count = PlaceName.objects.count()
    assert_refused(key.post(BASE, {"name": "金鹅公园", "category": "8003", "division": setting["own"].code,
                             "location_description": "测试"}, format="json"))
    assert_refused(key.patch(f"{BASE}{code}", {"origin": "x"}, format="json"))
    assert PlaceName.objects.count() == count
    for path in (f"{BASE}{code}/history", f"{BASE}audit", f"{BASE}check?name=金鹅公园&category=8003&division=330521"):
        assert_refused(key.get(path))


def test_admin_changes_stay_inside_the_jurisdiction(setting) -> None:  # type: ignore[no-untyped-def]
    place = setting["place"]
    url = f"/admin/placenames/placename/{place.pk}/change/"
    own = client_as(setting["own_editor"])
    page = own.get(url)
    assert page.status_code == 200
    data = change_form_data(page)
    # Another township's editor: no right to the object, nothing written.
    other = client_as(setting["other_editor"])
    assert other.post(url, {**data, "origin": "越权修改"}).status_code == 403
    place.refresh_from_db()
    assert place.origin != "越权修改"
    # The own editor may not move it out of the township: a form error, nothing written.
    response = own.post(url, {**data, "division": str(setting["other"].pk), "origin": "移出"})
    assert response.status_code == 200 and "不在本账号辖区" in response.content.decode()
    place.refresh_from_db()
    assert place.division_id == setting["own"].pk and place.origin != "移出"
    # Adding a name in another township: a form error as well.
    count = PlaceName.objects.count()
    add = own.get("/admin/placenames/placename/add/")
    response = own.post("/admin/placenames/placename/add/", {
        **change_form_data(add), "name": "英溪公园", "category": str(place.category_id),
        "division": str(setting["other"].pk), "location_description": "测试"})
    assert response.status_code == 200 and PlaceName.objects.count() == count
    # A 专名 that does not start the name: the service's rule as a form error, not a 500.
    response = own.post("/admin/placenames/placename/add/", {
        **change_form_data(add), "name": "英溪公园", "specific": "金鹅", "category": str(place.category_id),
        "division": str(setting["own"].pk), "location_description": "测试"})
    assert response.status_code == 200 and "连起来应等于标准名称" in response.content.decode()
    assert PlaceName.objects.count() == count
    # Inside the jurisdiction the same change goes through.
    response = own.post(url, {**data, "origin": "本辖区修改"})
    assert response.status_code == 302, response.content.decode()[:2000]
    place.refresh_from_db()
    assert place.origin == "本辖区修改"


def test_admin_action_checks_each_name(setting) -> None:  # type: ignore[no-untyped-def]
    own_place = PlaceName.objects.create(
        code="33052180039901", name="甲公园", specific="甲", generic="公园", category=setting["place"].category,
        county=setting["place"].county, division=setting["own"], status="拟定")
    other_place = PlaceName.objects.create(
        code="33052180039902", name="乙公园", specific="乙", generic="公园", category=setting["place"].category,
        county=setting["place"].county, division=setting["other"], status="拟定")
    own = client_as(setting["own_editor"])
    response = own.post("/admin/placenames/placename/", {
        "action": "submit_selected", "_selected_action": [own_place.pk, other_place.pk]}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "不在本账号辖区内" in text and "已报批 1 个地名" in text
    own_place.refresh_from_db()
    other_place.refresh_from_db()
    assert own_place.status == "审批中" and other_place.status == "拟定"
    # A viewer has no write actions at all: nothing changes.
    viewer = client_as(make_staff("viewer-own", jurisdiction=setting["own"].code))
    viewer.post("/admin/placenames/placename/", {"action": "submit_selected",
                                                 "_selected_action": [other_place.pk]})
    other_place.refresh_from_db()
    assert other_place.status == "拟定"


def test_admin_refuses_editing_a_cancelled_name_as_a_form_error(demo) -> None:  # type: ignore[no-untyped-def]
    place = PlaceName.objects.filter(status="注销").order_by("code").first()
    editor = client_as(make_staff("county-clerk", role="editor", jurisdiction="330521"))
    url = f"/admin/placenames/placename/{place.pk}/change/"
    response = editor.post(url, {**change_form_data(editor.get(url)), "origin": "注销后修改"})
    assert response.status_code == 200 and "已注销的地名不能修改" in response.content.decode()
    place.refresh_from_db()
    assert place.origin != "注销后修改"
