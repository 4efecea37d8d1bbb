"""The analysis service's network mode over this app: before a build it is refused with the build
hint (422, not a server error); after it, every address's network distance is at least its
straight-line distance to the same facility set, and the run's numbers are `network_nearest`'s."""
from __future__ import annotations

import numpy as np
import pytest

from apps.addresses import demo
from apps.addresses.models import Address
from apps.analysis import demand
from apps.analysis.coverage import CoverageRequest, load_result, run_coverage
from apps.divisions.models import Division
from apps.facilities import services as facility_services
from apps.facilities.models import Facility, FacilityKind, Status
from apps.roadnet.selectors import network_nearest
from apps.roadnet.services import NetworkError, build_network

from .conftest import COUNTY

pytestmark = pytest.mark.django_db


@pytest.fixture
def canteens(db):  # type: ignore[no-untyped-def]
    demo.generate_demo_addresses(COUNTY, count=1500, seed=5)
    demand.forget()
    kind = FacilityKind.objects.get(code="elderly_canteen")
    doors = list(Address.objects.filter(level="door").order_by("code"))
    for n, address in enumerate(doors[:: len(doors) // 5][:5]):
        facility_services.create_facility(facility_services.FacilityInput(
            kind=kind, name=f"路网测试食堂{n + 1}", address=address.identity, status=Status.OPERATING), actor="t")
    yield
    demand.forget()


def test_network_runs_need_a_build_then_agree_with_the_selector(canteens) -> None:  # type: ignore[no-untyped-def]
    county = Division.objects.get(code=COUNTY, level="county", valid_to__isnull=True)
    request = {"county": county, "radii_m": [500, 1000], "kinds": ["elderly_canteen"]}
    with pytest.raises(NetworkError) as refused:
        run_coverage(CoverageRequest(mode="network", **request), actor="t")
    assert refused.value.status_code == 422 and "build_road_network" in str(refused.value.detail)
    build_network(COUNTY)
    network = load_result(run_coverage(CoverageRequest(mode="network", **request), actor="t"))
    straight = load_result(run_coverage(CoverageRequest(mode="euclidean", **request), actor="t"))

    both = np.isfinite(network["distance_m"])
    assert 0 < both.sum() < len(both)
    assert np.all(network["distance_m"][both] >= straight["distance_m"][both] - 1e-6)
    points = dict(Address.objects.filter(pk__in=network["address_id"].tolist()).values_list("pk", "location"))
    lonlat = np.array([(points[int(i)].x, points[int(i)].y) for i in network["address_id"]])
    sites = np.array([(f.location.x, f.location.y) for f in Facility.objects.order_by("code")])
    fac, dist = network_nearest(COUNTY, sites, lonlat, max_distance_m=1000)
    assert np.array_equal(np.isfinite(dist), both)
    assert np.allclose(dist[both], network["distance_m"][both], rtol=0, atol=1e-9)


def test_network_run_through_the_api_queues_and_serves_road_areas(canteens, api) -> None:  # type: ignore[no-untyped-def]
    import shapely
    from tests.conftest import make_staff
    from shapely.geometry import shape

    from apps.common.jobs import claim_next, run_job
    from apps.roadnet.selectors import network_reach

    build_network(COUNTY)
    api.force_authenticate(make_staff("net-planner", role="viewer", jurisdiction="330521"))
    started = api.post("/api/v1/analysis/coverage", {"radii_m": [800], "kinds": ["elderly_canteen"], "mode": "network"},
                       format="json")
    assert started.status_code == 202 and started.json()["status"] == "queued"   # network runs never run inline
    run_job(claim_next())
    run = api.get(started["Location"]).json()
    assert run["status"] == "done" and run["summary"]["mode"] == "network"
    areas = api.get(started["Location"] + "/service-areas").json()["features"]
    sites = [(f.location.x, f.location.y) for f in Facility.objects.order_by("code")]
    reached = network_reach(COUNTY, sites, max_distance_m=800)
    codes = run["inputs"]["facility_codes_used"]
    assert {a["id"] for a in areas} == {codes[r.facility_index] for r in reached if len(r.lonlat) >= 2}
    for area in areas:   # every reached stretch lies inside its facility's area
        polygon = shape(area["geometry"])
        for piece in reached:
            if codes[piece.facility_index] == area["id"] and len(piece.lonlat) >= 2:
                assert polygon.buffer(1e-7).covers(shapely.LineString(piece.lonlat))
