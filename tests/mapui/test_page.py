"""The map page: staff only (the public is sent to the login page, an account without a role is
refused), served from our
own static files (no CDN), with its configuration; the home page links to it."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def _user(django_user_model, staff: bool):  # type: ignore[no-untyped-def]
    """A viewer of 德清县 (the least role that opens the map) or an account without a role."""
    if staff:
        return make_staff("staff", role="viewer", jurisdiction="330521")
    return django_user_model.objects.create_user("citizen", password="x")


def test_anonymous_is_sent_to_the_login(anon_client, settings) -> None:  # type: ignore[no-untyped-def]
    response = anon_client.get("/map/")
    assert response.status_code == 302 and response["Location"] == f"{settings.LOGIN_URL}?next=/map/"


def test_account_without_a_role_is_refused(anon_client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    anon_client.force_login(_user(django_user_model, staff=False))
    response = anon_client.get("/map/")
    assert response.status_code == 403 and "没有分配角色" in response.content.decode()


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
