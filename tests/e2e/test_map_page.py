"""The staff map in real Chromium against a gunicorn on the test database: it loads with no failed
request and nothing leaving 127.0.0.1, shows 德清县 with its townships, draws the addresses from
vector tiles at street zoom, finds an address by search and jumps there, opens a facility's info
panel on click, and runs a coverage analysis and an MCLP siting whose results become layers.
Screenshots go to var/e2e/."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from .conftest import E2E_PASSWORD, E2E_USER, external_requests

pytestmark = pytest.mark.e2e  # no django_db: the page is read through a separate server
SHOTS = Path(settings.BASE_DIR) / "var" / "e2e"
COUNTY = "330521"


@pytest.fixture
def map_data(server_url, django_db_blocker):  # type: ignore[no-untyped-def]
    """A small demo register (committed: the server is another process) and four operating 老年食堂
    at door addresses; all of it removed afterwards, with the runs the test started."""
    from django.db import transaction

    from apps.addresses import demo
    from apps.addresses.demo.cleanup import delete_generated
    from apps.addresses.demo.constants import SOURCE_KEY
    from apps.addresses.models import Address
    from apps.analysis.models import AnalysisRun
    from apps.common.models import DataSource
    from apps.divisions.models import Division
    from apps.facilities import services
    from apps.facilities.models import Facility, FacilityKind, FacilityStatusEvent, MealServiceDetail, Status

    with django_db_blocker.unblock():
        demo.generate_demo_addresses(COUNTY, count=1500, seed=31)
        doors = list(Address.objects.filter(valid_to__isnull=True, level="door", road__isnull=False).order_by("code"))
        canteen = FacilityKind.objects.get(code="elderly_canteen")
        made = [services.create_facility(services.FacilityInput(
            kind=canteen, name=f"E2E老年食堂{n + 1}", address=door.identity, status=Status.OPERATING), actor="e2e")
            for n, door in enumerate(doors[:: len(doors) // 4][:4])]
        try:
            yield {"door": doors[len(doors) // 3], "facility": made[0]}
        finally:
            for run in AnalysisRun.objects.filter(created_by=E2E_USER):
                if run.result_file:
                    Path(run.result_file).unlink(missing_ok=True)
                run.delete()
            ids = [f.pk for f in made]
            FacilityStatusEvent.objects.filter(facility_id__in=ids).delete()
            MealServiceDetail.objects.filter(facility_id__in=ids).delete()
            Facility.objects.filter(pk__in=ids).delete()
            with transaction.atomic():  # the generator's clean-up works with temporary tables
                source = DataSource.objects.get(key=SOURCE_KEY.format(county=COUNTY))
                delete_generated(Division.objects.get(code=COUNTY, valid_to__isnull=True), source.metadata)
                source.delete()


def _login_to_map(page, server_url: str) -> list:  # type: ignore[no-untyped-def]
    """Log in and open /map/; returns the list that collects failed requests (network errors, ≥ 400)."""
    failed: list = []
    page.on("requestfailed", lambda request: failed.append(("failed", request.url)))
    page.on("response", lambda response: response.status >= 400 and failed.append((response.status, response.url)))
    page.goto(f"{server_url}/admin/login/?next=/map/")
    page.fill("#id_username", E2E_USER)
    page.fill("#id_password", E2E_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_function("() => window.GeoMZ !== undefined && GeoMZ.kinds !== undefined && GeoMZ.countyBounds !== undefined")
    return failed


def _townships() -> int:
    from apps.divisions.models import Division

    return Division.objects.filter(code__startswith=COUNTY, level="township", valid_to__isnull=True,
                                   geometry__isnull=False).count()


def test_map_shows_the_county_and_address_tiles_offline(page, server_url, map_data, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        towns = _townships()
    failed = _login_to_map(page, server_url)
    page.wait_for_function(f"() => GeoMZ.layers.townships.getLayers().length === {towns}", timeout=15000)
    assert page.locator("#township option").count() >= towns + 1  # 全县 + each township
    assert page.evaluate("GeoMZ.map.getBounds().contains([30.55, 119.95])")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "map-county.png"))
    # Street zoom at a door address: its tiles arrive and their features are drawn.
    door = map_data["door"]
    with page.expect_response(lambda r: "/tiles/addresses/17/" in r.url and r.status == 200, timeout=15000):
        page.evaluate(f"void GeoMZ.map.setView([{door.location.y}, {door.location.x}], 17)")
    page.wait_for_function("""() => Object.values(GeoMZ.layers.addresses._vectorTiles)
        .reduce((n, t) => n + Object.keys(t._features || {}).length, 0) > 0""", timeout=15000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "map-street-addresses.png"))
    # Clicking the door's point on the tile canvas opens its record in the info panel.
    point = page.evaluate(f"GeoMZ.map.latLngToContainerPoint([{door.location.y}, {door.location.x}])")
    page.locator("#map").click(position={"x": point["x"], "y": point["y"]})
    page.wait_for_selector("#info:not([hidden]) >> text=" + door.code, timeout=10000)
    assert door.full_text in page.inner_text("#info")
    assert failed == []
    assert external_requests(page.requested) == []
    assert any("/tiles/roads/" in u for u in page.requested)


def test_search_jumps_to_an_address_and_a_facility_opens_its_info(page, server_url, map_data) -> None:  # type: ignore[no-untyped-def]
    door = map_data["door"]
    failed = _login_to_map(page, server_url)
    page.fill("#search", f"{door.road.name}{door.door_number}号")
    page.wait_for_selector("#search-results li >> text=" + door.full_text, timeout=15000)
    page.click("#search-results li >> text=" + door.full_text)
    page.wait_for_function("() => GeoMZ.lastJump !== undefined && GeoMZ.map.getZoom() === 18", timeout=15000)
    center = page.evaluate("[GeoMZ.map.getCenter().lng, GeoMZ.map.getCenter().lat]")
    assert abs(center[0] - door.location.x) < 1e-5 and abs(center[1] - door.location.y) < 1e-5
    assert door.code in page.inner_text("#info")
    # Selection → export: the addresses of the current view, counted, and as CSV (UTF-8 BOM).
    page.click("#select-view")
    page.wait_for_selector("#count-addresses >> text=条", timeout=15000)
    with page.expect_download() as download:
        page.click("#export-addresses-csv")
    data = Path(download.value.path()).read_bytes()
    assert data.startswith("\ufeff".encode()) and door.code in data.decode("utf-8-sig")
    assert "bbox=" in page.get_attribute("#export-addresses-geojson", "href")
    gpkg = page.request.get(server_url + page.get_attribute("#export-addresses-gpkg", "href"))
    assert gpkg.status == 200 and gpkg.body().startswith(b"SQLite format 3")
    # Click the facility's circle on the map: its info and an edit link.
    facility = map_data["facility"]
    page.evaluate(f"void GeoMZ.map.setView([{facility.location.y}, {facility.location.x}], 17, {{animate: false}})")
    page.wait_for_function(f"() => GeoMZ.layers.facility_elderly_canteen.getLayers().some(l => l.feature.id === '{facility.code}')",
                           timeout=15000)
    page.click("#info-close")
    point = page.evaluate(f"GeoMZ.map.latLngToContainerPoint([{facility.location.y}, {facility.location.x}])")
    page.locator("#map").click(position={"x": point["x"], "y": point["y"]})
    page.wait_for_selector("#info:not([hidden]) >> text=" + facility.code, timeout=10000)
    assert page.inner_text("#info-title") == "老年食堂"
    assert facility.code in page.get_attribute("#info-edit", "href")
    page.wait_for_timeout(800)  # let the tiles around it draw for the picture
    page.screenshot(path=str(SHOTS / "map-facility-info.png"))
    # …and one to its change history (the trigger-written record of its registration).
    history = page.get_attribute("#info-history", "href")
    assert history == f"/history/facilities.facility/code/{facility.code}/"
    page.goto(server_url + history)
    assert "变更历史" in page.inner_text("h1") and facility.name in page.inner_text("body")
    assert failed == []
    assert external_requests(page.requested) == []


def test_analysis_runs_from_the_panel_show_their_result_layers(page, server_url, map_data) -> None:  # type: ignore[no-untyped-def]
    failed = _login_to_map(page, server_url)
    page.wait_for_selector("#cov-kinds option[value=elderly_canteen]")
    page.select_option("#cov-kinds", ["elderly_canteen"])
    page.fill("#cov-radii", "300,800")
    page.click("#coverage-form button[type=submit]")
    page.wait_for_selector("#run-result", timeout=60000)
    result = page.evaluate("GeoMZ.lastResult")
    assert result["service_areas"] == 4  # one per canteen (at the largest radius) …
    assert result["uncovered"] > 0  # … and 1,500 addresses are not all within 800 m of four canteens
    assert page.evaluate("GeoMZ.resultLayers.getLayers().length") == 2
    assert "map.html" in page.inner_html("#run-result")
    page.screenshot(path=str(SHOTS / "map-coverage-result.png"))
    # MCLP siting of two new sites on a grid in the facility's township.
    town = map_data["facility"].township.code
    page.select_option("#township", town)
    page.fill("#sit-p", "2")
    page.select_option("#sit-kinds", ["elderly_canteen"])
    page.click("#siting-form button[type=submit]")
    page.wait_for_function("() => GeoMZ.lastResult && GeoMZ.lastResult.sites !== undefined", timeout=60000)
    assert page.evaluate("GeoMZ.lastResult.sites") == 2
    page.screenshot(path=str(SHOTS / "map-siting-result.png"))
    assert failed == []
    assert external_requests(page.requested) == []


def test_queued_analysis_shows_progress_then_its_result(page, server_url, map_data) -> None:  # type: ignore[no-untyped-def]
    """后台运行: the POST answers 202 + Location, the panel polls the run (progress bar) until the
    worker (`manage.py run_jobs --once`, started here) has computed it, then draws the layers."""
    import os
    import subprocess
    import sys

    from django.db import connection

    failed = _login_to_map(page, server_url)
    page.wait_for_selector("#cov-kinds option[value=elderly_canteen]")
    page.check("#cov-background")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/analysis/coverage")) as answer:
        page.click("#coverage-form button[type=submit]")
    assert answer.value.status == 202 and "/api/v1/analysis/runs/" in answer.value.headers["location"]
    page.wait_for_selector("#run-progress")
    assert "运行中" in page.inner_text("#run-status")
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "geo_mz.settings.test",
           "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    subprocess.run([sys.executable, "manage.py", "run_jobs", "--once"], cwd=settings.BASE_DIR, env=env,
                   check=True, capture_output=True, timeout=120)
    page.wait_for_selector("#run-result", timeout=30000)
    assert page.evaluate("GeoMZ.lastResult.service_areas") == 4
    assert failed == []
    assert external_requests(page.requested) == []
