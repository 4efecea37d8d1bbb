"""Requests Django refuses before any view runs (found by the contract fuzzing: a form body with
more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS answered Django's HTML 400 page under /api/) are
problem+json under the machine interfaces, HTML elsewhere, and write nothing."""
from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("refused", "r@example.invalid", "x"))
    return client


def test_too_many_form_fields_is_a_problem_and_writes_nothing(staff) -> None:  # type: ignore[no-untyped-def]
    from apps.analysis.models import AnalysisRun

    before = AnalysisRun.objects.count()
    body = "model=mclp&p=1&" + "&".join(["points=0.0"] * 1200)
    response = staff.post("/api/v1/analysis/siting", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and "字段或文件数量过多" in problem["detail"]
    assert AnalysisRun.objects.count() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_body_over_the_upload_limit_is_413_problem(staff) -> None:  # type: ignore[no-untyped-def]
    response = staff.post("/api/v1/placenames/", "name=" + "x" * 5000, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert "请求内容过大" in response.json()["detail"]


def test_pages_keep_djangos_html_page(staff) -> None:  # type: ignore[no-untyped-def]
    body = "&".join(["q=x"] * 1200)
    response = staff.post("/admin/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
