"""Shared fixtures: the real PostGIS test database, loaded once per session with the real seed
data (the same loader `make run` uses), and an API client."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from apps.divisions.loaders import load_demo_divisions

    with django_db_blocker.unblock():
        load_demo_divisions()


@pytest.fixture
def api(db):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    return APIClient()


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Browser tests last: they are the slowest, and everything else should fail first."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
