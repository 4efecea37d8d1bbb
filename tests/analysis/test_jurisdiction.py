"""Jurisdictions of the analyses (issue 9): a viewer runs analyses inside its jurisdiction and is
refused (403 problem+json, no run stored) when the area, the named facilities or the candidate
points leave it; run lists, details and exports show only the jurisdiction's runs; API keys run
and read nothing here; `import_constraint_layer` checks the layer's county."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from apps.analysis.models import AnalysisRun, ConstraintLayer
from apps.divisions.models import Division
from tests.conftest import make_staff
from tests.jurisdiction_helpers import api_as, assert_refused, key_api

pytestmark = pytest.mark.django_db
COVERAGE = "/api/v1/analysis/coverage"
RUNS = "/api/v1/analysis/runs/"


@pytest.fixture
def township(facilities):  # type: ignore[no-untyped-def]
    """The township of the first test facility, and a viewer whose jurisdiction it is."""
    own = facilities[0].township
    elsewhere = next(f for f in facilities if f.township_id != own.pk)
    return {"code": own.code, "viewer": api_as(make_staff("town-planner", jurisdiction=own.code)),
            "elsewhere": elsewhere}


def test_a_viewer_runs_inside_its_jurisdiction_only(township) -> None:  # type: ignore[no-untyped-def]
    body = {"radii_m": [500], "kinds": ["elderly_canteen", "meal_point"]}
    viewer = township["viewer"]
    count = AnalysisRun.objects.count()
    assert_refused(viewer.post(COVERAGE, body, format="json"))                      # the whole county
    assert_refused(viewer.post(COVERAGE, {**body, "division": township["code"],
                                    "facilities": [township["elsewhere"].code]}, format="json"))
    far = api_as(make_staff("far-planner", jurisdiction="341723"))
    assert_refused(far.post(COVERAGE, body, format="json"))
    seat = Division.objects.get(code="341723", valid_to__isnull=True).geometry.point_on_surface
    assert_refused(viewer.post("/api/v1/analysis/siting", {
        "model": "mclp", "candidate_source": "points", "points": [[seat.x, seat.y]], "p": 1,
        "division": township["code"]}, format="json"))
    assert AnalysisRun.objects.count() == count
    response = viewer.post(COVERAGE, {**body, "division": township["code"]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["inputs"]["division"] == township["code"]


def test_run_lists_and_results_are_scoped(township, api) -> None:  # type: ignore[no-untyped-def]
    body = {"radii_m": [500], "kinds": ["elderly_canteen", "meal_point"]}
    county_run = api.post(COVERAGE, body, format="json").json()["id"]         # `api`: a viewer of 德清县
    town_run = township["viewer"].post(COVERAGE, {**body, "division": township["code"]}, format="json").json()["id"]
    ids = lambda client: {r["id"] for r in client.get(RUNS).json()["results"]}  # noqa: E731
    assert ids(township["viewer"]) == {town_run}
    assert {county_run, town_run} <= ids(api)
    assert ids(api_as(make_staff("far-planner", jurisdiction="341723"))) == set()
    assert_refused(township["viewer"].get(f"{RUNS}{county_run}"))
    assert_refused(township["viewer"].get(f"{RUNS}{county_run}/addresses", {"format": "csv"}))
    assert_refused(township["viewer"].get(f"{RUNS}compare", {"ids": f"{county_run},{town_run}"}))
    assert township["viewer"].get(f"{RUNS}{town_run}/addresses", {"format": "csv"}).status_code == 200
    # A department's key: neither runs nor reads analyses, while the registers stay readable.
    key = key_api("县卫健局")
    count = AnalysisRun.objects.count()
    assert_refused(key.post(COVERAGE, body, format="json"))
    assert_refused(key.get(RUNS))
    assert_refused(key.get(f"{RUNS}{town_run}"))
    assert_refused(key.get("/api/v1/analysis/constraint-layers/"))
    assert AnalysisRun.objects.count() == count
    assert key.get("/api/v1/facilities/").status_code == 200


def test_import_constraint_layer_checks_the_county(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seat = Division.objects.get(code="330521", valid_to__isnull=True).geometry.point_on_surface
    x, y = seat.x, seat.y
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    path = tmp_path / "farmland.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "试验田"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    make_staff("qy-gis", role="editor", jurisdiction="341723")
    make_staff("dq-viewer", jurisdiction="330521")
    make_staff("dq-gis", role="editor", jurisdiction="330521")
    count = ConstraintLayer.objects.count()
    for user in ("qy-gis", "dq-viewer"):
        with pytest.raises(CommandError):
            call_command("import_constraint_layer", str(path), "--category", "farmland", "--county", "330521",
                         "--crs", "EPSG:4490", "--commit", "--user", user, stdout=io.StringIO())
    assert ConstraintLayer.objects.count() == count
    call_command("import_constraint_layer", str(path), "--category", "farmland", "--county", "330521",
                 "--crs", "EPSG:4490", "--commit", "--user", "dq-gis", stdout=io.StringIO())
    assert ConstraintLayer.objects.count() == count + 1
