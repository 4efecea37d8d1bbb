"""Fixtures for the gazetteer tests: real 德清县 divisions, categories from the migration, an
editor's API client, and the demo gazetteer loaded in the test's transaction."""
from __future__ import annotations

import pytest

from apps.divisions.models import Division
from apps.placenames.models import PlaceNameCategory


@pytest.fixture
def deqing(db) -> Division:  # type: ignore[no-untyped-def]
    return Division.objects.get(code="330521", valid_to__isnull=True)


@pytest.fixture
def township(db) -> Division:  # type: ignore[no-untyped-def]
    return Division.objects.get(name="武康街道", level="township", valid_to__isnull=True)


@pytest.fixture
def category(db):  # type: ignore[no-untyped-def]
    return lambda code: PlaceNameCategory.objects.get(code=code)


@pytest.fixture
def staff_api(api):  # type: ignore[no-untyped-def]
    """An editor of 德清县 (the whole county)."""
    from tests.conftest import make_staff

    api.force_authenticate(make_staff("clerk", role="editor", jurisdiction="330521"))
    return api


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    from apps.placenames.demo import load_demo_placenames

    return load_demo_placenames()
