"""Coverage runs through the API equal an independent oracle: geodesic distances computed with
pyproj on the *exported* points (which are exactly the analysed ones: the register is on the
export's 1e-7° grid), per address, per radius, weighted, per township; plus the uncovered list,
service areas, background runs, scenario comparison and bad input."""
from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pyproj
import pytest
from rest_framework.test import APIClient

from apps.addresses.models import Address
from apps.analysis.models import AnalysisRun
from apps.common.jobs import claim_next, run_job

pytestmark = pytest.mark.django_db
GEOD = pyproj.Geod(ellps="GRS80")
RADII = [300.0, 800.0]


def _oracle(points: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest site and geodesic distance by brute force."""
    n, m = len(points), len(sites)
    _, _, dist = GEOD.inv(np.repeat(points[:, 0], m), np.repeat(points[:, 1], m),
                          np.tile(sites[:, 0], n), np.tile(sites[:, 1], n))
    dist = dist.reshape(n, m)
    return dist.argmin(axis=1), dist.min(axis=1)


def _start(staff_api, **body):  # type: ignore[no-untyped-def]
    payload = {"radii_m": RADII, "kinds": ["elderly_canteen", "meal_point"], "weight": "households", **body}
    response = staff_api.post("/api/v1/analysis/coverage", payload, format="json")
    assert response.status_code in (201, 202), response.json()
    return response


def test_euclidean_coverage_equals_the_geodesic_oracle(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    run = _start(staff_api).json()
    exported = json.loads(staff_api.get(f"/api/v1/analysis/runs/{run['id']}/addresses", {"format": "geojson"}).content)
    features = exported["features"]
    assert len(features) == Address.objects.filter(valid_to__isnull=True).count() == run["summary"]["demand_points"]
    points = np.array([f["geometry"]["coordinates"] for f in features])
    codes = run["inputs"]["facility_codes_used"]
    sites = np.array([[f.location.x, f.location.y] for f in sorted(facilities, key=lambda f: f.code)])
    assert codes == sorted(f.code for f in facilities)               # the planned one is left out
    nearest, distance = _oracle(points, sites)
    props = [f["properties"] for f in features]
    assert [p["nearest_facility"] for p in props] == [codes[i] for i in nearest]
    assert np.allclose([p["distance_m"] for p in props], np.round(distance, 2), atol=0.006)
    weights = np.array([p["weight"] for p in props])
    households = dict(Address.objects.values_list("code", "households"))
    assert weights.tolist() == [float(households[f["id"]] or 0) for f in features]
    for summary in run["summary"]["radii"]:
        r = summary["radius_m"]
        covered = distance <= r
        assert [p[f"covered_{int(r)}m"] for p in props] == covered.tolist()
        assert (summary["covered"], summary["total"], summary["covered_weight"]) == (
            int(covered.sum()), len(points), float(weights[covered].sum()))
    township_of = dict(Address.objects.values_list("code", "township__code"))
    expected = defaultdict(lambda: [0, 0.0])
    for f, d, w in zip(features, distance, weights):
        if d <= 800:
            expected[township_of[f["id"]]][0] += 1
            expected[township_of[f["id"]]][1] += w
    got = {row["code"]: (row["radii"]["800"]["covered"], row["radii"]["800"]["covered_weight"])
           for row in run["tables"]["townships"] if row["radii"]["800"]["covered"]}
    assert got == {k: (v[0], v[1]) for k, v in expected.items()}
    uncovered = json.loads(staff_api.get(f"/api/v1/analysis/runs/{run['id']}/uncovered",
                                         {"format": "geojson", "radius": 300}).content)
    assert sorted(f["id"] for f in uncovered["features"]) == sorted(
        f["id"] for f, d in zip(features, distance) if d > 300)


def test_service_areas_are_geodesic_discs(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    run = _start(staff_api).json()
    areas = staff_api.get(f"/api/v1/analysis/runs/{run['id']}/service-areas", {"radius": 800}).json()
    assert len(areas["features"]) == 6
    import shapely
    from shapely.geometry import shape

    for feature in areas["features"]:
        site = next(f for f in facilities if f.code == feature["id"]).location
        ring = np.array(shape(feature["geometry"]).exterior.coords)
        _, _, d = GEOD.inv(np.full(len(ring), site.x), np.full(len(ring), site.y), ring[:, 0], ring[:, 1])
        assert np.all(np.abs(d - 800) < 1.0)          # vertices on the 800 m geodesic circle
        assert shape(feature["geometry"]).contains(shapely.Point(site.x, site.y))
    assert staff_api.get(f"/api/v1/analysis/runs/{run['id']}/service-areas", {"radius": 555}).status_code == 400


def test_background_run_gives_the_same_numbers(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    now = _start(staff_api).json()
    queued = _start(staff_api, background=True)
    assert queued.status_code == 202 and queued["Location"] == f"/api/v1/analysis/runs/{queued.json()['id']}"
    assert queued.json()["status"] == "queued" and queued.json()["progress"]["status"] == "queued"
    run_job(claim_next())
    done = staff_api.get(queued["Location"]).json()
    assert done["status"] == "done" and done["progress"]["progress"] == 1.0
    assert done["summary"]["radii"] == now["summary"]["radii"] and done["tables"] == now["tables"]


def test_runs_are_kept_and_compared(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    a = _start(staff_api, name="现状").json()
    b = _start(staff_api, name="含规划", statuses=["运营", "规划"]).json()
    assert b["summary"]["facilities"] == 7 and a["summary"]["facilities"] == 6
    listed = staff_api.get("/api/v1/analysis/runs/", {"kind": "coverage"}).json()
    assert [r["name"] for r in listed["results"]][:2] == ["含规划", "现状"]
    compared = staff_api.get("/api/v1/analysis/runs/compare", {"ids": f"{a['id']},{b['id']}"}).json()
    shares = [r["key_results"]["radii"][1]["share"] for r in compared["runs"]]
    assert shares[1] >= shares[0] and compared["runs"][0]["created_by"] == "planner"
    run = AnalysisRun.objects.get(pk=a["id"])
    assert run.inputs["radii_m"] == RADII and run.created_by == "planner" and run.seconds is not None


def test_folium_map_uses_only_our_static_files(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    import re

    run = _start(staff_api).json()
    html = staff_api.get(f"/api/v1/analysis/runs/{run['id']}/map.html").content.decode()
    refs = set(re.findall(r'(?:src|href)="([^"]+)"', html))
    assert refs == {"http://testserver/static/vendor/leaflet-1.9.4/leaflet.js",
                    "http://testserver/static/vendor/leaflet-1.9.4/leaflet.css"}
    assert "cdn" not in html.lower() and "未覆盖地址" in html and "测试设施1" in html


@pytest.mark.parametrize(("body", "field"), [
    ({"radii_m": [0]}, "radii_m"), ({"radii_m": [1, 2, 3, 4, 5, 6, 7]}, "radii_m"), ({"kinds": ["nope"]}, "kinds"),
    ({"weight": "cats"}, "weight"), ({"division": "320681"}, "division"), ({"mode": "flying"}, "mode"),
    ({"presets": [99999]}, "presets"), ({"facilities": ["330521K9999"]}, "facility_codes"),
])
def test_bad_requests_are_4xx_and_store_nothing(staff_api, facilities, body, field) -> None:  # type: ignore[no-untyped-def]
    payload = {"radii_m": [500], "kinds": ["elderly_canteen"], **body}
    response = staff_api.post("/api/v1/analysis/coverage", payload, format="json")
    assert response.status_code in (400, 422) and field in json.dumps(response.json(), ensure_ascii=False)
    assert AnalysisRun.objects.count() == 0


def test_presets_and_staff_only(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    presets = staff_api.get("/api/v1/analysis/radius-presets/").json()
    assert {p["radius_m"] for p in presets} >= {300, 500, 800, 1000}
    ten = next(p for p in presets if p["radius_m"] == 500)
    run = staff_api.post("/api/v1/analysis/coverage", {"presets": [ten["id"]], "kinds": ["meal_point"]}, format="json")
    assert run.json()["inputs"]["radii_m"] == [500.0]
    anonymous = APIClient()
    assert anonymous.post("/api/v1/analysis/coverage", {"radii_m": [500]}, format="json").status_code == 401
    assert anonymous.get(f"/api/v1/analysis/runs/{run.json()['id']}").status_code == 401
