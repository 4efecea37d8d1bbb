"""The map page: staff only (anonymous and non-staff users are sent to the login), served from our
own static files (no CDN), with its configuration; the home page links to it."""
from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def _user(django_user_model, staff: bool):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user("staff" if staff else "citizen", password="x", is_staff=staff)


def test_anonymous_is_sent_to_the_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/map/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_non_staff_user_is_sent_to_the_login(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    client.force_login(_user(django_user_model, staff=False))
    response = client.get("/map/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_gets_the_map_from_local_assets(client, django_user_model, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GEO_MZ_TILE_URL = ""
    client.force_login(_user(django_user_model, staff=True))
    response = client.get("/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "工作地图" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(s.startswith(("/", "data:", "#")) for s in sources), sources  # nothing from another host
    for asset in ("vendor/leaflet-1.9.4/leaflet.js", "vendor/leaflet.vectorgrid-1.3.0/Leaflet.VectorGrid.bundled.js",
                  "mapui/layers.js", "mapui/panels.js", "mapui/analysis.js"):
        assert any(s.endswith(asset) for s in sources), asset
    config = json.loads(re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["tileUrl"] == "" and config["county"] == settings.GEO_MZ_HOME_COUNTY
    assert config["vectorTiles"]["addresses"] == {"url": "/tiles/addresses/{z}/{x}/{y}.pbf", "minZoom": 10,
                                                  "pointZoom": 14, "fullZoom": 16}
    assert 'name="csrfmiddlewaretoken"' in html


def test_configured_base_map_reaches_the_page(client, django_user_model, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GEO_MZ_TILE_URL = "http://tiles.intranet.example/{z}/{x}/{y}.png"
    client.force_login(_user(django_user_model, staff=True))
    html = client.get("/map/").content.decode()
    config = json.loads(re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["tileUrl"] == settings.GEO_MZ_TILE_URL


def test_home_page_links_to_the_map(client) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/map/"' in client.get("/").content.decode()
