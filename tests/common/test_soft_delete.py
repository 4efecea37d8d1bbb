"""Registers are retired, never deleted: every admin of a history-tracked table (and each of its
inlines) refuses deletion even to a superuser, offers no bulk delete action, and no API view under
/api/v1/ or /ogc/ answers DELETE."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from apps.common.audit import tracked_tables

pytestmark = pytest.mark.django_db


def _superuser_request():  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    return request


def test_no_admin_of_a_tracked_table_deletes() -> None:
    request = _superuser_request()
    tracked = tracked_tables()
    checked = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.db_table not in tracked:
            continue
        checked.append(model._meta.label_lower)
        obj = model._default_manager.first()
        assert not model_admin.has_delete_permission(request), model
        assert not model_admin.has_delete_permission(request, obj), model
        assert "delete_selected" not in model_admin.get_actions(request), model
        for inline in model_admin.get_inline_instances(request, obj):
            assert not (inline.can_delete and inline.has_delete_permission(request, obj)), (model, inline)
    # Every register of issue 9's audit is among them.
    assert {"addresses.address", "addresses.road", "addresses.area", "addresses.doorplate", "divisions.division",
            "facilities.facility", "placenames.placename", "placenames.announcement", "boundaries.boundaryline",
            "boundaries.boundarymarker"} <= set(checked)


def _patterns(resolver: URLResolver, prefix: str = ""):  # type: ignore[no-untyped-def]
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_api_view_answers_delete() -> None:
    checked = 0
    for route, callback in _patterns(get_resolver()):
        if not route.startswith(("api/v1/", "ogc/")):
            continue
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        checked += 1
        if view_class is not None:
            assert not hasattr(view_class, "delete") and not hasattr(view_class, "destroy"), route
        else:  # a function view: its allowed methods, when declared
            assert "DELETE" not in getattr(callback, "allowed_methods", ()), route
    assert checked > 50


def test_delete_requests_are_refused(api, wukang) -> None:  # type: ignore[no-untyped-def]
    from apps.facilities.models import Facility

    api.force_authenticate(get_user_model().objects.create_superuser("root2", "r@example.org", "x"))
    facility = Facility.objects.first()
    for path in ("/api/v1/divisions/330521/", f"/api/v1/facilities/{facility.code if facility else 'X'}",
                 "/api/v1/placenames/33052180030001"):
        response = api.delete(path)
        assert response.status_code in (404, 405), path
        assert response["Content-Type"] == "application/problem+json"
    assert api.delete("/api/v1/divisions/330521/").status_code == 405


@pytest.fixture
def wukang(db):  # type: ignore[no-untyped-def]
    from apps.divisions.models import Division

    return Division.objects.get(name="武康街道", level="township", valid_to__isnull=True)
