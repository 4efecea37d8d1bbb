"""The public surface is exactly the plate scan page (with its report form), the API docs, the
health checks and the login page: every other URL of the URL map, opened without a login, answers
401 (API, OGC, tiles) or redirects to the login page. And every API view decides access with the
accounts permission classes (a view with DRF's own `IsAdminUser` or `AllowAny` would bypass roles)."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.middleware import PUBLIC_URL_NAMES
from apps.accounts.permissions import _RoleAccess

SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def _sample_path(route: str) -> str:
    # re_path patterns: named groups get a sample code, optional slashes and anchors go.
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "330521", route)
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    return "/" + route.replace("^", "").replace("$", "").replace("/?", "/").replace("\\", "")


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, URLPattern, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern), entry.namespace or namespace)
        else:
            yield prefix + str(entry.pattern), entry, namespace


ROUTES = [(route, p, ns) for route, p, ns in _patterns(get_resolver())
          if ns != "admin" and not route.startswith(("static/", "media/"))]


def test_the_url_map_is_walked() -> None:
    assert len(ROUTES) > 80


@pytest.mark.parametrize("route,pattern,namespace", ROUTES, ids=[r for r, _, _ in ROUTES])
def test_anonymous_access(anon_client, route: str, pattern: URLPattern, namespace: str) -> None:  # type: ignore[no-untyped-def]
    path = _sample_path(route)
    response = anon_client.get(path)
    if pattern.name in PUBLIC_URL_NAMES:
        assert response.status_code not in (401, 403), path
        return
    if path.startswith(("/api/", "/ogc/", "/tiles/")):
        assert response.status_code == 401, (path, response.status_code)
        assert response["Content-Type"].startswith("application/problem+json")
    else:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), (
            path, response.status_code)


API_VIEWS = [(route, p) for route, p, _ in ROUTES if getattr(p.callback, "cls", None) is not None
             and route.startswith(("api/", "tiles/", "ogc/"))]


@pytest.mark.parametrize("route,pattern", API_VIEWS, ids=[r for r, _ in API_VIEWS])
def test_api_views_use_role_permissions(route: str, pattern: URLPattern) -> None:
    view = pattern.callback.cls
    if pattern.name in PUBLIC_URL_NAMES:
        return
    classes = view.permission_classes
    assert classes and all(issubclass(c, _RoleAccess) for c in classes), (route, classes)


def test_scan_page_and_docs_are_public(anon_client) -> None:  # type: ignore[no-untyped-def]
    assert anon_client.get("/api/schema/").status_code == 200
    assert anon_client.get("/api/docs/").status_code == 200
    assert anon_client.get("/healthz").status_code == 200
    assert anon_client.get("/accounts/login/").status_code == 200
    assert anon_client.get("/m/no-such-token").status_code == 404  # public, just unknown


def test_registers_published_as_open_data_are_read_only_for_the_public(anon_api, settings) -> None:  # type: ignore[no-untyped-def]
    """`GEO_MZ_PUBLIC_READS` (demo mode: the division register) opens GETs of the named views only."""
    assert anon_api.get("/api/v1/divisions/?level=county").status_code == 401  # the default: closed
    settings.PUBLIC_READS = frozenset({"division-list", "division-detail"})
    listed = anon_api.get("/api/v1/divisions/?level=county")
    assert listed.status_code == 200 and listed.json()["features"]
    assert anon_api.get("/api/v1/divisions/330521/").status_code == 200
    assert anon_api.post("/api/v1/divisions/", {"name": "x"}, format="json").status_code == 401
    assert anon_api.get("/api/v1/addresses/").status_code == 401
    assert anon_api.get("/api/v1/placenames/").status_code == 401
