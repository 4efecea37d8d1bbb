"""Issue 9, divisions: a division's record belongs to the level above it, so a 武康街道 clerk may
change 武康街道's villages but not another township's (services and admin: refused, nothing
written), nor add a village under another township; viewers change nothing; the register reads
are open to staff and department API keys, 401 for the public."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.context import acting_principal
from apps.accounts.jurisdiction import JurisdictionDenied
from apps.accounts.keys import issue_key
from apps.accounts.resolve import principal_for_user
from apps.divisions import services
from apps.divisions.models import Division, DivisionChange

from ..addresses.conftest import change_form_data, clerk, other_township, wukang  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _village(township: Division) -> Division:
    return township.children.filter(level="village", valid_to__isnull=True).order_by("code").first()


def _rows() -> list[tuple]:
    return list(Division.objects.order_by("pk").values_list("pk", "code", "name", "short_name", "valid_to", "parent_id"))


def test_clerk_adds_and_changes_villages_only_in_its_township(clerk, wukang, other_township) -> None:  # type: ignore[no-untyped-def]
    before, changes = _rows(), DivisionChange.objects.count()
    far_village = _village(other_township)
    with acting_principal(principal_for_user(clerk)):
        with pytest.raises(JurisdictionDenied):
            services.create_division(services.NewDivision(name="外乡新村", level="village", parent=other_township),
                                     actor=clerk.username)
        with pytest.raises(JurisdictionDenied):
            services.apply_change(kind="rename", effective_date=dt.date.today(), before=[far_village],
                                  after_new=[services.NewDivision(name="改名村", level="village", code=far_village.code,
                                                                  parent=other_township)], actor=clerk.username)
        with pytest.raises(JurisdictionDenied):  # its own township's record belongs to the county
            services.apply_change(kind="rename", effective_date=dt.date.today(), before=[wukang],
                                  after_new=[services.NewDivision(name="改名街道", level="township", code=wukang.code,
                                                                  parent=wukang.parent)], actor=clerk.username)
    assert _rows() == before and DivisionChange.objects.count() == changes
    with acting_principal(principal_for_user(clerk)):
        made = services.create_division(services.NewDivision(name="本乡新村", level="village", parent=wukang),
                                        actor=clerk.username)
    assert made.parent == wukang and Division.objects.filter(name="本乡新村").count() == 1


def test_admin_clerk_changes_only_its_own_villages(clerk, wukang, other_township) -> None:  # type: ignore[no-untyped-def]
    browser = Client()
    browser.force_login(clerk)
    far, home = _village(other_township), _village(wukang)
    far_url, home_url = (f"/admin/divisions/division/{d.pk}/change/" for d in (far, home))
    shown = browser.get(far_url)
    assert shown.status_code == 403 or (shown.status_code == 200 and 'name="_save"' not in shown.content.decode())
    before = _rows()
    assert browser.post(far_url, change_form_data(far_url) | {"short_name": "外"}).status_code == 403
    # Moving its own village under another township: refused by the target check.
    assert browser.post(home_url, change_form_data(home_url) | {"parent": str(other_township.pk)}).status_code == 403
    assert _rows() == before
    saved = browser.post(home_url, change_form_data(home_url) | {"short_name": "本村"})
    assert saved.status_code == 302, saved.content[:400]
    assert Division.objects.get(pk=home.pk).short_name == "本村"


def test_admin_viewer_cannot_change_a_division(client, wukang) -> None:  # type: ignore[no-untyped-def]
    url = f"/admin/divisions/division/{_village(wukang).pk}/change/"
    before = _rows()
    assert client.post(url, change_form_data(url) | {"short_name": "看"}).status_code == 403
    assert _rows() == before


def test_division_reads_for_staff_and_keys_401_for_the_public(api, anon_api) -> None:  # type: ignore[no-untyped-def]
    refused = anon_api.get("/api/v1/divisions/", {"limit": 1})
    assert refused.status_code == 401 and refused["Content-Type"].startswith("application/problem+json")
    assert api.get("/api/v1/divisions/330521/").status_code == 200
    key = APIClient()
    key.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_key('统计局', created_by='t').secret}")
    assert key.get("/api/v1/divisions/330521/").json()["id"] == "330521"
    assert key.post("/api/v1/divisions/", {}, format="json").status_code == 403  # keys never write
