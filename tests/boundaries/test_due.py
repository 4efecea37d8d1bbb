"""The due list: a never-inspected line is due, one inspected last year is not, one inspected
longer ago than the cycle is; an ad-hoc inspection can be triggered outside the cycle."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from apps.boundaries import selectors, services
from apps.boundaries.models import BoundaryLine, InspectionCampaign

pytestmark = pytest.mark.django_db


def _inspected(line: BoundaryLine, on: dt.date) -> InspectionCampaign:
    """A completed campaign on `on` (every marker recorded good), through the services."""
    campaign = services.start_campaign(line, title=f"{line.name}联检 {on.year}", period_start=on, actor="test")
    for marker in line.markers.all():
        services.record_marker_inspection(campaign, services.InspectionInput(
            marker=marker, condition="good", inspected_on=on), actor="test")
    return services.complete_campaign(campaign, completed_on=on, actor="test")


def test_due_list(demo_lines, api) -> None:
    today = timezone.localdate()
    last_year = selectors.add_years(today, -1)
    six_years_ago = selectors.add_years(today, -6)
    _inspected(demo_lines["青黄线"], last_year)
    _inspected(demo_lines["南青线"], six_years_ago)
    response = api.get("/api/v1/boundary-lines/due")
    assert response.status_code == 200
    due = {f["properties"]["name"]: f["properties"] for f in response.json()["features"]}
    assert "青黄线" not in due  # inspected last year
    assert due["中芷线"]["never_inspected"] is True and due["中芷线"]["due_since"] is None
    assert due["南青线"]["never_inspected"] is False
    assert due["南青线"]["last_inspected"] == six_years_ago.isoformat()
    assert due["南青线"]["due_since"] == selectors.add_years(six_years_ago, 5).isoformat()
    assert len(due) == 5
    assert api.get("/api/v1/boundary-lines/due", {"x": "1"}).status_code == 400
    # A shorter cycle (a setting) makes last year's inspection due again.
    with override_settings(BOUNDARY_INSPECTION_CYCLE_YEARS=1):
        assert "青黄线" in {d.line.name for d in selectors.due_lines(today)}


def test_a_planned_campaign_does_not_count_until_completed(demo_lines) -> None:
    today = timezone.localdate()
    line = demo_lines["南德线"]
    services.start_campaign(line, title="计划中", period_start=today, actor="test")
    due = {d.line.name: d for d in selectors.due_lines(today)}
    assert due["南德线"].open_campaign is not None


def test_ad_hoc_inspection(demo_lines, staff_api) -> None:
    response = staff_api.post("/api/v1/boundary-lines/3301/ad-hoc-inspection",
                              {"reason": "2026年7月洪水冲毁界河堤岸", "on": "2026-08-01"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["ad_hoc"] is True and body["ad_hoc_reason"] == "2026年7月洪水冲毁界河堤岸"
    assert body["line_name"] == "嘉湖线德桐段" and body["status"] == "planned"
    response = staff_api.post("/api/v1/boundary-lines/3301/ad-hoc-inspection", {"reason": ""}, format="json")
    assert response.status_code == 400
    listed = staff_api.get("/api/v1/inspections/", {"ad_hoc": "true", "line": "3301"}).json()
    assert listed["count"] == 1
    assert staff_api.get("/api/v1/inspections/", {"ad_hoc": "maybe"}).status_code == 400
