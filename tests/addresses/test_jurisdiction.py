"""Issue 9, addresses: a township clerk (editor of 武康街道 only) cannot allocate, retire or change an
address in another township — through the API (403 problem+json), the admin (403, nothing
written) or a service call naming another township as the target — while the same actions inside
武康街道 succeed; a viewer writes nothing; a department API key looks up, geocodes and batch-matches
but gets 403 on writes and staff-only data; the public gets 401 on the API and the login page for
staff pages, while the plate scan page and its report form stay public."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.context import acting_principal
from apps.accounts.jurisdiction import JurisdictionDenied
from apps.accounts.keys import issue_key
from apps.accounts.resolve import principal_for_user
from apps.addresses import services
from apps.addresses.models import Address, AddressAlias, DoorPlate, MatchBatch, PlateReport, PlateState, ReviewItem
from apps.common.jobs import claim_next, run_job
from tests.conftest import make_staff

from .conftest import change_form_data as _change_form_data
from .conftest import offset

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def home_door(ew_road, wukang) -> Address:  # type: ignore[no-untyped-def]
    """A door in the clerk's township (made by the system)."""
    return services.allocate_door(ew_road, offset(wukang.seat, 0.002, 0.0002), actor="t",
                                  valid_from=dt.date(2020, 1, 1))


@pytest.fixture
def far_door(far_road, other_township) -> Address:  # type: ignore[no-untyped-def]
    """A door in another township."""
    return services.allocate_door(far_road, offset(other_township.seat, 0.002, 0.0002), actor="t",
                                  valid_from=dt.date(2020, 1, 1))


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _key_client(department: str = "公安局") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_key(department, created_by='test-admin').secret}")
    return client


def _snapshot() -> list[tuple]:
    return list(Address.objects.order_by("pk").values_list("pk", "code", "township_id", "valid_to", "stage", "version"))


def _forbidden(response: Any) -> None:
    assert response.status_code == 403, response.content[:300]
    assert response["Content-Type"].startswith(PROBLEM) and response.json()["detail"]


# ---------------------------------------------------------------- API
def test_clerk_allocates_doors_only_in_its_own_township(clerk, ew_road, far_road, wukang, other_township) -> None:  # type: ignore[no-untyped-def]
    api = _api(clerk)
    before = _snapshot()
    seat = other_township.seat
    refused = api.post(f"/api/v1/roads/{far_road.code}/doors", {"lon": seat.x + 0.001, "lat": seat.y + 0.0002},
                       format="json")
    _forbidden(refused)
    assert other_township.code in refused.json()["detail"] or "辖区" in refused.json()["detail"]
    assert _snapshot() == before
    created = api.post(f"/api/v1/roads/{ew_road.code}/doors",
                       {"lon": wukang.seat.x + 0.001, "lat": wukang.seat.y + 0.0002}, format="json")
    assert created.status_code == 201 and created.json()["properties"]["division_code"].startswith(wukang.code)


def test_clerk_retires_only_its_own_addresses(clerk, home_door, far_door) -> None:  # type: ignore[no-untyped-def]
    api = _api(clerk)
    before = _snapshot()
    _forbidden(api.post(f"/api/v1/addresses/{far_door.code}/retire", {}, format="json"))
    assert _snapshot() == before
    far_door.refresh_from_db()
    assert far_door.valid_to is None and far_door.stage == "current"
    done = api.post(f"/api/v1/addresses/{home_door.code}/retire", {"stage": "abandoned"}, format="json")
    assert done.status_code == 200, done.content
    home_door.refresh_from_db()
    assert home_door.valid_to is not None and home_door.stage == "abandoned"
    # Retired once: a second retirement is a clear 404 (no current version), not a 500.
    assert api.post(f"/api/v1/addresses/{home_door.code}/retire", {}, format="json").status_code == 404


def test_retire_body_is_checked(clerk, home_door) -> None:  # type: ignore[no-untyped-def]
    api = _api(clerk)
    for body in ({"stage": "current"}, {"effective": "2019-01-01"}, {"effective": "tomorrow"}, {"why": "x"}):
        response = api.post(f"/api/v1/addresses/{home_door.code}/retire", body, format="json")
        assert 400 <= response.status_code < 500 and response["Content-Type"].startswith(PROBLEM), body
    home_door.refresh_from_db()
    assert home_door.valid_to is None


def test_service_refuses_a_new_address_whose_target_is_another_township(clerk, ew_road, far_road,
                                                                        other_township) -> None:  # type: ignore[no-untyped-def]
    village = other_township.children.filter(level="village", valid_to__isnull=True).order_by("code").first()
    before = _snapshot()
    with acting_principal(principal_for_user(clerk)):
        with pytest.raises(JurisdictionDenied):
            services.create_address(services.AddressInput(location=offset(other_township.seat, 0.001, 0.001),
                                                          village=village, door_number=7), actor=clerk.username)
        with pytest.raises(JurisdictionDenied):  # renaming a road of another township
            services.rename_road(far_road, "改名路", dt.date.today(), actor=clerk.username)
    assert _snapshot() == before


def test_plates_of_another_township_cannot_be_touched(clerk, home_door, far_door) -> None:  # type: ignore[no-untyped-def]
    far_plate = services.issue_plate(far_door.identity, actor="t")
    with acting_principal(principal_for_user(clerk)):
        with pytest.raises(JurisdictionDenied):
            services.issue_plate(far_door.identity, actor=clerk.username)
        with pytest.raises(JurisdictionDenied):
            services.set_plate_state(far_plate, PlateState.MADE, actor=clerk.username)
        with pytest.raises(JurisdictionDenied):
            services.replace_plate(far_plate, actor=clerk.username)
        own = services.issue_plate(home_door.identity, actor=clerk.username)
        services.set_plate_state(own, PlateState.MADE, actor=clerk.username)
    far_plate.refresh_from_db()
    assert far_plate.state == PlateState.TO_MAKE and DoorPlate.objects.filter(identity=far_door.identity).count() == 1
    assert DoorPlate.objects.get(pk=own.pk).state == PlateState.MADE


def test_history_is_staff_only_and_inside_the_jurisdiction(clerk, home_door, far_door) -> None:  # type: ignore[no-untyped-def]
    api = _api(clerk)
    assert api.get(f"/api/v1/addresses/{home_door.code}/history").status_code == 200
    _forbidden(api.get(f"/api/v1/addresses/{far_door.code}/history"))
    _forbidden(_key_client().get(f"/api/v1/addresses/{home_door.code}/history"))


def test_a_viewer_writes_nothing(api, ew_road, home_door, wukang) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot()
    _forbidden(api.post(f"/api/v1/roads/{ew_road.code}/doors", {"lon": wukang.seat.x, "lat": wukang.seat.y},
                        format="json"))
    _forbidden(api.post(f"/api/v1/addresses/{home_door.code}/retire", {}, format="json"))
    assert _snapshot() == before


# ---------------------------------------------------------------- API keys and the public
def test_a_key_looks_up_geocodes_and_batch_matches_but_never_writes(ew_road, home_door, wukang) -> None:  # type: ignore[no-untyped-def]
    key = _key_client("公安局")
    assert key.get("/api/v1/addresses/", {"limit": 5}).status_code == 200
    assert key.get(f"/api/v1/addresses/{home_door.code}").json()["id"] == home_door.code
    assert key.get("/api/v1/geocode", {"q": home_door.full_text}).status_code == 200
    assert key.get("/api/v1/reverse", {"lon": wukang.seat.x, "lat": wukang.seat.y, "radius": 500}).status_code == 200
    upload = SimpleUploadedFile("b.csv", "地址\n测试东西路2号\n".encode())
    sent = key.post("/api/v1/geocode/batch", {"file": upload, "column": "地址"}, format="multipart")
    assert sent.status_code == 202 and MatchBatch.objects.get().department == "公安局"
    before = _snapshot()
    _forbidden(key.post(f"/api/v1/roads/{ew_road.code}/doors", {"lon": wukang.seat.x, "lat": wukang.seat.y},
                        format="json"))
    _forbidden(key.post(f"/api/v1/addresses/{home_door.code}/retire", {}, format="json"))
    _forbidden(key.get("/api/v1/geocode/departments"))  # staff-only figures
    assert _snapshot() == before
    assert key.get("/map/").status_code == 403  # pages are for staff


def test_the_public_gets_401_and_the_login_page_but_the_scan_page_stays_open(anon_api, anon_client, home_door,
                                                                              settings) -> None:  # type: ignore[no-untyped-def]
    for url in ("/api/v1/addresses/", f"/api/v1/addresses/{home_door.code}", "/api/v1/geocode?q=x",
                "/api/v1/jobs/1", "/api/v1/addresses/export?division=330521", "/tiles/addresses/14/13700/6700.pbf"):
        response = anon_api.get(url)
        assert response.status_code == 401 and response["Content-Type"].startswith(PROBLEM), url
    assert anon_api.post(f"/api/v1/addresses/{home_door.code}/retire", {}, format="json").status_code == 401
    for url in ("/addresses/stats/", "/addresses/matching/", "/addresses/matching/review/", "/map/", "/imports/",
                "/addresses/plates/330521001.csv"):
        response = anon_client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL), url
    plate = services.issue_plate(home_door.identity, actor="t")
    page = anon_client.get(f"/m/{plate.token}")
    assert page.status_code == 200 and home_door.full_text in page.content.decode()
    report = anon_client.post(f"/m/{plate.token}", {"problem": "门牌脱落"})
    assert report.status_code == 200 and PlateReport.objects.filter(plate=plate).count() == 1


# ---------------------------------------------------------------- admin
def test_admin_clerk_changes_only_its_own_addresses(clerk, home_door, far_door, other_township) -> None:  # type: ignore[no-untyped-def]
    browser = Client()
    browser.force_login(clerk)
    far_url = f"/admin/addresses/address/{far_door.pk}/change/"
    home_url = f"/admin/addresses/address/{home_door.pk}/change/"
    far_data = _change_form_data(far_url) | {"building": "99"}
    shown = browser.get(far_url)
    assert shown.status_code == 403 or (shown.status_code == 200 and 'name="_save"' not in shown.content.decode())
    before = _snapshot()
    assert browser.post(far_url, far_data).status_code == 403
    # Moving its own address into another township: the target is refused too.
    moved = _change_form_data(home_url) | {"township": str(other_township.pk), "village": ""}
    assert browser.post(home_url, moved).status_code == 403
    assert _snapshot() == before
    assert Address.objects.get(pk=far_door.pk).building == ""
    # Inside its township the same change goes through.
    saved = browser.post(home_url, _change_form_data(home_url) | {"households": "12"})
    assert saved.status_code == 302, saved.content[:500]
    assert Address.objects.get(pk=home_door.pk).households == 12


def test_admin_viewer_reads_but_cannot_change(client, home_door) -> None:  # type: ignore[no-untyped-def]
    url = f"/admin/addresses/address/{home_door.pk}/change/"
    data = _change_form_data(url) | {"households": "99"}
    shown = client.get(url)
    assert shown.status_code == 200 and 'name="_save"' not in shown.content.decode()
    assert client.post(url, data).status_code == 403
    assert Address.objects.get(pk=home_door.pk).households is None


# ---------------------------------------------------------------- batches, jobs, review
def test_batches_jobs_and_review_rows_stay_in_the_jurisdiction(clerk, home_door, far_door, wukang,
                                                               other_township) -> None:  # type: ignore[no-untyped-def]
    from apps.addresses.matching import index as match_index

    match_index.forget()
    other_clerk = make_staff("far-clerk", role="editor", jurisdiction=other_township.code)
    mine = _api(clerk)
    upload = SimpleUploadedFile("b.csv", "地址\n武康街道某某处3号门面\n".encode())
    sent = mine.post("/api/v1/geocode/batch", {"file": upload, "column": "地址", "department": "武康街道办"},
                     format="multipart")
    assert sent.status_code == 202
    run_job(claim_next())
    batch = MatchBatch.objects.get()
    assert batch.jurisdiction == wukang.code and batch.department == "武康街道办" and batch.api_key is None
    assert mine.get(sent["Location"]).status_code == 200
    assert _api(other_clerk).get(sent["Location"]).status_code == 404  # another township's batch
    assert _key_client().get(sent["Location"]).status_code == 404  # a key sees only its own
    item = ReviewItem.objects.get(batch=batch)
    far_browser = Client()
    far_browser.force_login(other_clerk)
    assert "某某处" not in far_browser.get("/addresses/matching/review/").content.decode()
    assert "武康街道办" not in far_browser.get("/addresses/matching/").content.decode()
    browser = Client()
    browser.force_login(clerk)
    assert "某某处" in browser.get("/addresses/matching/review/").content.decode()
    # Resolving the row to an address of another township would write an alias there: refused.
    refused = browser.post("/addresses/matching/review/", {"item": item.pk, "code": far_door.code})
    assert refused.status_code == 403 and not AddressAlias.objects.exists()
    assert ReviewItem.objects.get(pk=item.pk).resolved is None
    done = browser.post("/addresses/matching/review/", {"item": item.pk, "code": home_door.code})
    assert done.status_code == 200 and AddressAlias.objects.get().identity_id == home_door.identity_id
    match_index.forget()
