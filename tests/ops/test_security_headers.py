"""Security headers on pages, API responses and static files: a CSP with our own origin only (plus
the configured tile server's origin for images), a fresh nonce per response that the page's inline
elements carry, frame-ancestors 'none', Referrer-Policy, X-Content-Type-Options and a
Permissions-Policy that allows geolocation on the field page only."""
from __future__ import annotations

import re

import pytest

from apps.common.security import tile_origin

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_pages_and_api_responses_carry_the_headers(client, anon_client) -> None:  # type: ignore[no-untyped-def]
    # Staff pages and the API as a logged-in viewer; the public surface (docs, login, health) anonymously.
    for url, browser in (("/", client), ("/api/v1/divisions/?limit=1", client), ("/api/docs/", anon_client),
                         ("/admin/login/", anon_client), ("/healthz", anon_client)):
        response = browser.get(url)
        assert response.status_code == 200, url
        csp = _directives(response)
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
        for name in ("script-src", "style-src", "img-src", "connect-src", "font-src", "default-src"):
            assert csp[name][0] == "'self'", (url, name)
        assert csp["connect-src"] == ["'self'"] and csp["font-src"] == ["'self'"]
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "geolocation=()" in response["Permissions-Policy"]


def test_inline_elements_carry_this_responses_nonce(client) -> None:  # type: ignore[no-untyped-def]
    first, second = client.get("/"), client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", first["Content-Security-Policy"]).group(1)
    assert nonce not in second["Content-Security-Policy"]
    assert f'<style nonce="{nonce}">' in first.content.decode()
    assert "'unsafe-inline'" not in first["Content-Security-Policy"]


def test_without_a_tile_server_nothing_foreign_is_allowed(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GEO_MZ_TILE_URL = ""
    csp = _directives(client.get("/"))
    assert csp["img-src"] == ["'self'", "data:"]
    assert not any("://" in value for values in csp.values() for value in values)


def test_the_tile_server_origin_is_allowed_for_images_only(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GEO_MZ_TILE_URL = "https://tiles.mz.example.gov.cn:8443/xyz/{z}/{x}/{y}.png?key=secret"
    csp = _directives(client.get("/"))
    assert csp["img-src"] == ["'self'", "data:", "https://tiles.mz.example.gov.cn:8443"]
    foreign = [(name, v) for name, values in csp.items() for v in values if "://" in v]
    assert foreign == [("img-src", "https://tiles.mz.example.gov.cn:8443")]


def test_tile_origin_parsing() -> None:
    assert tile_origin("http://{s}.tile.example.cn/{z}/{x}/{y}.png") == "http://*.tile.example.cn"
    assert tile_origin("https://t{0-7}.tianditu.gov.cn/vec_w/wmts?tk=k") == "https://*.tianditu.gov.cn"
    assert tile_origin("https://tiles.{env}.example.cn/{z}") == ""  # not expressible: not allowed
    assert tile_origin("https://user:pw@tiles.example.cn/{z}/{x}/{y}") == "https://tiles.example.cn"
    assert tile_origin("javascript:alert(1)") == "" and tile_origin("") == ""
    assert tile_origin("https://a.example.cn; script-src *") == ""


def test_geolocation_only_on_the_field_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/boundaries/field/NOPE/")  # the header is set whatever the answer
    assert "geolocation=(self)" in response["Permissions-Policy"]


def test_redoc_alone_allows_inline_styles(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/redoc/")
    assert response.status_code == 200
    csp = _directives(response)
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"] and "blob:" in csp["worker-src"]
    assert "fonts.googleapis.com" not in response.content.decode()
    assert "<script>" not in response.content.decode()
