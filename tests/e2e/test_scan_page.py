"""The plate scan page on a phone-sized viewport in real Chromium: readable, local assets only."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, Point

from .conftest import external_requests

pytestmark = pytest.mark.e2e  # no django_db: the pages are read through a separate server
SHOTS = Path(settings.BASE_DIR) / "var" / "e2e"


@pytest.fixture
def plate_token(server_url, django_db_blocker):  # type: ignore[no-untyped-def]
    """A committed address with an installed plate (the server is another process), removed after."""
    from apps.addresses import services
    from apps.addresses.models import Address, AddressIdentity, DoorPlate, PlateReport, Road
    from apps.divisions.models import Division

    with django_db_blocker.unblock():
        town = Division.objects.get(name="武康街道", level="township", valid_to__isnull=True)
        s = town.seat
        road = Road.objects.create(code="R9902", county=town.parent, township=town, name="英溪南路", kind="路",
                                   geometry=LineString((s.x - 0.003, s.y), (s.x + 0.003, s.y), srid=4490))
        address = services.allocate_door(road, Point(s.x + 0.002, s.y + 0.0002, srid=4490), actor="e2e")
        plate = services.issue_plate(address.identity, actor="e2e")
        try:
            yield plate.token, address.full_text
        finally:
            PlateReport.objects.filter(plate__identity=address.identity).delete()
            DoorPlate.objects.filter(identity=address.identity).delete()
            Address.objects.filter(road=road).delete()
            AddressIdentity.objects.filter(pk=address.identity_id).delete()
            road.delete()


def test_scan_page_on_a_phone(browser, server_url, plate_token) -> None:  # type: ignore[no-untyped-def]
    token, full_text = plate_token
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{server_url}/m/{token}")
    assert page.inner_text("#full-text") == full_text
    # Fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "scan-page-phone.png"), full_page=True)
    page.fill("#problem", "门牌褪色，看不清")
    page.click("button[type=submit]")
    page.wait_for_selector("#report-done")
    assert external_requests(requested) == []
    context.close()
