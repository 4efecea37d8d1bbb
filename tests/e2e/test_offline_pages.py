"""The pages staff open work offline: API docs and the admin's division map load every script,
style and image from our own server, in a real Chromium."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from .conftest import E2E_PASSWORD, E2E_USER, external_requests

pytestmark = pytest.mark.e2e  # no django_db: the pages are read through a separate server
SHOTS = Path(settings.BASE_DIR) / "var" / "e2e"


def test_api_docs_render_from_local_assets(page, server_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url + "/api/docs/")
    page.wait_for_selector("text=geo-mz API", timeout=15000)
    page.wait_for_selector("text=/api/v1/divisions/", timeout=15000)
    assert external_requests(page.requested) == []
    assert any("drf_spectacular_sidecar" in u for u in page.requested)


def test_admin_division_page_shows_the_boundary_on_an_offline_map(page, server_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url + "/admin/login/")
    page.fill("#id_username", E2E_USER)
    page.fill("#id_password", E2E_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("text=数据管理")
    # A township: the county administrator may change it (a division belongs to the level above),
    # so the admin shows the editable map widget rather than a read-only value.
    page.goto(server_url + "/admin/divisions/division/?q=武康街道&level__exact=township")
    page.click("#result_list tbody tr th a")
    page.wait_for_selector("#id_geometry_map canvas", timeout=15000)
    # The boundary was handed to the map widget (GeoJSON in the hidden textarea, map SRID 3857).
    serialized = page.input_value("textarea#id_geometry")
    assert '"MultiPolygon"' in serialized
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)  # let OpenLayers draw
    page.locator("#id_geometry_div_map").screenshot(path=str(SHOTS / "admin-division-wukang-map.png"))
    assert external_requests(page.requested) == []
    assert any("vendor/ol-7.2.2/ol.js" in u for u in page.requested)
