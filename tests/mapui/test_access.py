"""Issue 9, map UI: vector tiles are register reads (staff of any role and department API keys),
401 problem+json for the public; the map page is for staff (the public is sent to the login page,
an API key is refused: keys reach only the data API)."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.accounts.keys import issue_key

pytestmark = pytest.mark.django_db

TILE = "/tiles/roads/10/855/419.pbf"  # over 德清县


def test_tiles_for_staff_and_keys_401_for_the_public(client, anon_client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(TILE).status_code in (200, 204)
    refused = anon_client.get(TILE)
    assert refused.status_code == 401 and refused["Content-Type"].startswith("application/problem+json")
    assert 'Api-Key' in refused["WWW-Authenticate"]
    key = APIClient()
    key.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_key('交通局', created_by='t').secret}")
    assert key.get(TILE).status_code in (200, 204)
    assert key.get("/map/").status_code == 403


def test_map_page_sends_the_public_to_the_login_page(anon_client, client, settings) -> None:  # type: ignore[no-untyped-def]
    response = anon_client.get("/map/")
    assert response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)
    assert client.get("/map/").status_code == 200  # any staff role (the `client` fixture is a viewer)
