"""Deriving one line by command and through the API (auto code, unchanged re-run, no shared
border refused), and the admin pages (offline map widget, no delete)."""
from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from apps.boundaries.models import BoundaryLine

pytestmark = pytest.mark.django_db


def test_derive_one_line_by_command(demo_lines) -> None:
    out = io.StringIO()
    call_command("derive_boundary_lines", "--name", "中溆线", "--divisions", "431221", "431224", stdout=out)
    line = BoundaryLine.objects.get(name="中溆线")
    assert line.code == "4303"  # Hunan's next free serial after 中芷线 4301 and 辰溆线 4302
    assert 30_000 < line.length_m < 31_500
    assert "已推导" in out.getvalue() and "吸附顶点" in out.getvalue() and "EPSG:4546" in out.getvalue()
    out = io.StringIO()
    call_command("derive_boundary_lines", "--name", "中溆线", "--divisions", "431221", "431224", stdout=out)
    assert "无变化" in out.getvalue()
    with pytest.raises(CommandError, match="没有公共边界"):
        call_command("derive_boundary_lines", "--name", "芷德线", "--divisions", "431228", "330521",
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="同时给出"):
        call_command("derive_boundary_lines", "--name", "x", stdout=io.StringIO())


def test_derive_through_the_api(demo_lines, staff_api, api) -> None:
    body = {"name": "桐南线", "divisions": ["330483", "330503"], "tolerance_m": 5}
    assert api.post("/api/v1/boundary-lines/derive", body, format="json").status_code == 403
    response = staff_api.post("/api/v1/boundary-lines/derive", body, format="json")
    assert response.status_code == 201, response.json()
    props = response.json()["properties"]
    assert response.json()["id"] == "3303" and props["direction"] in ("west_east", "north_south")
    assert props["derivation"]["tolerance_m"] == 5 and props["derivation"]["pieces"] >= 1
    assert staff_api.post("/api/v1/boundary-lines/derive", body, format="json").status_code == 200
    bad = staff_api.post("/api/v1/boundary-lines/derive", {**body, "divisions": ["330483"]}, format="json")
    assert bad.status_code == 400
    taken = staff_api.post("/api/v1/boundary-lines/derive", {"name": "新线", "divisions": ["330483", "330503"],
                                                            "code": "4301"}, format="json")
    assert taken.status_code == 409


def test_admin_pages(demo_lines, admin_client) -> None:
    line = BoundaryLine.objects.get(code="4301")
    marker = line.markers.first()
    for url in ("/admin/boundaries/boundaryline/", f"/admin/boundaries/boundaryline/{line.pk}/change/",
                "/admin/boundaries/boundarymarker/", f"/admin/boundaries/boundarymarker/{marker.pk}/change/",
                "/admin/boundaries/inspectioncampaign/add/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    html = admin_client.get(f"/admin/boundaries/boundarymarker/{marker.pk}/change/").content.decode()
    # Every script and stylesheet is ours (a bare "cdn" search would match random CSRF tokens).
    assert "vendor/ol-7.2.2/ol.js" in html
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    assert admin_client.get(f"/admin/boundaries/boundaryline/{line.pk}/delete/").status_code == 403


def test_a_retired_line_stays_queryable_but_is_no_longer_due(demo_lines, api) -> None:
    import datetime as dt

    from django.utils import timezone

    from apps.boundaries import selectors, services
    from apps.common.errors import DomainRuleError

    line = BoundaryLine.objects.get(code="3302")
    services.retire_line(line, dt.date(2026, 6, 30), actor="test")
    assert api.get("/api/v1/boundary-lines/", {"as_of": "2026-06-29"}).json()["count"] == 6
    current = api.get("/api/v1/boundary-lines/", {"as_of": "2026-07-01"}).json()
    assert current["count"] == 5 and "3302" not in {f["id"] for f in current["features"]}
    assert api.get("/api/v1/boundary-lines/3302/").json()["properties"]["status"] == "retired"
    assert "南德线" not in {d.line.name for d in selectors.due_lines(timezone.localdate())}
    with pytest.raises(DomainRuleError, match="已废止"):
        services.create_marker(line, services.MarkerInput(number="3302900Q", kind="single",
                                                          position=line.markers.first().position,
                                                          reference_objects=[]), actor="test")
