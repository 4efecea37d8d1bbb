"""Jurisdictions of boundary data (issue 9) on 青黄线 (3401, 青阳县 341723 – 黄山区 341003): either
party's county editors may change the line, its markers and inspections; another county's editor
and a township clerk of 青阳县 are refused through the API (403 problem+json) and the admin (nothing
written); campaigns are non-public and scoped; an API key reads lines and markers only."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.boundaries import services
from apps.boundaries.models import BoundaryMarker, InspectionCampaign, MarkerInspection
from apps.divisions.models import Division
from tests.conftest import make_staff
from tests.jurisdiction_helpers import api_as, assert_refused, change_form_data, client_as, key_api

pytestmark = pytest.mark.django_db
LINE = "3401"


@pytest.fixture
def editors(db):  # type: ignore[no-untyped-def]
    township = Division.objects.filter(parent__code="341723", level="township").order_by("code").first()
    return {"qingyang": make_staff("qy-editor", role="editor", jurisdiction="341723"),
            "huangshan": make_staff("hs-editor", role="editor", jurisdiction="341003"),
            "deqing": make_staff("dq-editor", role="editor", jurisdiction="330521"),
            "township": make_staff("qy-township-clerk", role="editor", jurisdiction=township.code)}


def test_either_party_may_change_the_line_others_may_not(demo_lines, editors) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/boundary-lines/{LINE}/ad-hoc-inspection"
    body = {"reason": "2026年7月洪水冲毁界河堤岸", "on": "2026-08-01"}
    count = InspectionCampaign.objects.count()
    for name in ("deqing", "township"):
        assert_refused(api_as(editors[name]).post(url, body, format="json"))
    assert InspectionCampaign.objects.count() == count
    for name in ("qingyang", "huangshan"):
        assert api_as(editors[name]).post(url, body, format="json").status_code == 201
    assert InspectionCampaign.objects.count() == count + 2


def test_records_and_photos_outside_the_jurisdiction_write_nothing(demo_lines, editors, settings,  # type: ignore[no-untyped-def]
                                                                   tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    campaign = services.start_campaign(demo_lines["青黄线"], title="联检", period_start=dt.date(2026, 10, 8),
                                       actor="test")
    marker = BoundaryMarker.objects.filter(line__code=LINE, side_division__isnull=True).order_by("sequence").first()
    record = {"marker": marker.number, "condition": "good", "inspected_on": "2026-10-08"}
    for name in ("deqing", "township"):
        client = api_as(editors[name])
        assert_refused(client.post(f"/api/v1/inspections/{campaign.pk}/records", record, format="json"))
        photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0 not really a photo", content_type="image/jpeg")
        assert_refused(client.post(f"/api/v1/boundary-markers/{marker.number}/photos", {"photo": photo},
                             format="multipart"))
    assert not MarkerInspection.objects.filter(campaign=campaign).exists()
    marker.refresh_from_db()
    assert marker.photos == [] and not any(tmp_path.rglob("*.*"))
    response = api_as(editors["huangshan"]).post(f"/api/v1/inspections/{campaign.pk}/records", record, format="json")
    assert response.status_code == 201, response.json()


def test_campaigns_are_scoped_and_keys_read_registers_only(demo_lines, api, editors) -> None:  # type: ignore[no-untyped-def]
    campaign = services.start_campaign(demo_lines["青黄线"], title="联检", period_start=dt.date(2026, 10, 8),
                                       actor="test")
    deqing_line = services.start_campaign(demo_lines["南德线"], title="南德线联检", period_start=dt.date(2026, 10, 8),
                                          actor="test")
    # `api` is a viewer of 德清县: its own county's campaigns only.
    listed = {c["id"] for c in api.get("/api/v1/inspections/").json()["results"]}
    assert deqing_line.pk in listed and campaign.pk not in listed
    assert_refused(api.get(f"/api/v1/inspections/{campaign.pk}/"))
    assert_refused(api.get(f"/api/v1/inspections/{campaign.pk}/report.pdf"))
    qingyang = api_as(make_staff("qy-viewer", jurisdiction="341723"))
    assert qingyang.get(f"/api/v1/inspections/{campaign.pk}/").status_code == 200
    key = key_api("县自然资源局")
    assert key.get("/api/v1/boundary-lines/").json()["count"] == 6
    marker = BoundaryMarker.objects.filter(line__code=LINE).first()
    detail = key.get(f"/api/v1/boundary-markers/{marker.number}/").json()
    assert detail["properties"]["history"] is None and detail["properties"]["inspections"] is None
    assert_refused(key.get(f"/api/v1/boundary-markers/{marker.number}/register.pdf"))
    assert_refused(api.get(f"/api/v1/boundary-markers/{marker.number}/register.pdf"))  # 德清县's viewer
    assert qingyang.get(f"/api/v1/boundary-markers/{marker.number}/register.pdf").status_code == 200
    assert_refused(key.get("/api/v1/inspections/"))
    assert_refused(key.get(f"/api/v1/inspections/{campaign.pk}/"))
    count = InspectionCampaign.objects.count()
    assert_refused(key.post(f"/api/v1/boundary-lines/{LINE}/ad-hoc-inspection", {"reason": "x"}, format="json"))
    assert_refused(key.post("/api/v1/boundary-lines/derive", {"name": "x", "divisions": ["341723", "341003"]},
                      format="json"))
    assert InspectionCampaign.objects.count() == count


def test_admin_changes_stay_with_the_parties(demo_lines, editors) -> None:  # type: ignore[no-untyped-def]
    marker = BoundaryMarker.objects.filter(line__code=LINE, side_division__isnull=True).order_by("sequence").first()
    url = f"/admin/boundaries/boundarymarker/{marker.pk}/change/"
    own = client_as(editors["qingyang"])
    page = own.get(url)
    assert page.status_code == 200
    data = change_form_data(page)
    before = marker.remarks
    for name in ("deqing", "township"):
        other = client_as(editors[name])
        assert other.post(url, {**data, "remarks": "越权修改"}).status_code == 403
    line = demo_lines["青黄线"]
    other = client_as(editors["deqing"])
    page = other.get(f"/admin/boundaries/boundaryline/{line.pk}/change/")  # read-only for it
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert other.post(f"/admin/boundaries/boundaryline/{line.pk}/change/", {"name": "越权"}).status_code == 403
    marker.refresh_from_db()
    line.refresh_from_db()
    assert marker.remarks == before and line.name == "青黄线"
    response = own.post(url, {**data, "remarks": "青阳县复核"})
    assert response.status_code == 302, response.content.decode()[:2000]
    marker.refresh_from_db()
    assert marker.remarks == "青阳县复核"
