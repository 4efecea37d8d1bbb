"""Test helpers of the jurisdiction tests: clients acting as a staff account (API or pages/admin)
or as a department's API key, the refusal they must get (403 problem+json), and the POST data an
admin change page would send back unchanged (the main form and every inline formset with its
management form), so a test can change one field and submit the real form, as a browser would."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Model
from django.test import Client
from rest_framework.test import APIClient


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def client_as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key_api(department: str) -> APIClient:
    """A client presenting a new read-only API key of `department`."""
    from apps.accounts.keys import issue_key

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_key(department, created_by='test').secret}")
    return client


def assert_refused(response: Any) -> None:
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/problem+json")


def _encode(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, GEOSGeometry):
        return value.ewkt
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)) or hasattr(value, "all"):
        items = list(value.all()) if hasattr(value, "all") else list(value)
        return ",".join(str(item.pk if isinstance(item, Model) else item) for item in items)
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _form_data(form: Any, data: dict[str, Any]) -> None:
    for name in form.fields:
        encoded = _encode(form[name].value())
        if encoded is not None:
            data[form.add_prefix(name)] = encoded


def change_form_data(response: Any) -> dict[str, Any]:
    """The unchanged POST data of the admin change (or add) page in `response`."""
    data: dict[str, Any] = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            _form_data(form, data)
    return data
