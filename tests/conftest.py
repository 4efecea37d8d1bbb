"""Shared fixtures: the real PostGIS test database, loaded once per session with the real seed
data (the same loader `make run` uses), and an API client."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb,  # type: ignore[no-untyped-def]
                    django_db_modify_db_settings):
    """The test database, always (pytest-django would create it only when a selected test has a
    django_db mark, and browser tests that read it through a separate server have none), loaded
    once with the real seed data by the same loader `make run` uses."""
    from django.test.utils import setup_databases, teardown_databases

    from apps.divisions.loaders import load_demo_divisions

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=request.config.option.verbose, interactive=False,
                                 aliases={"default"}, keepdb=django_db_keepdb)
        load_demo_divisions()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=request.config.option.verbose)


def make_staff(username: str, role: str = "viewer", jurisdiction: str = "330521", password: str | None = None):  # type: ignore[no-untyped-def]
    """A staff account with a role (viewer/editor/administrator) and a jurisdiction, made through
    the accounts service as the system."""
    from apps.accounts.principal import Role
    from apps.accounts.services import save_staff_account

    return save_staff_account(username, role=Role[role.upper()], jurisdiction=jurisdiction, password=password).user


@pytest.fixture
def api(db):  # type: ignore[no-untyped-def]
    """An API client logged in as a read-only viewer of 德清县 (every API needs a login or a key);
    tests that write authenticate as someone else, tests of the public surface use `anon_api`."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_staff("test-viewer"))
    return client


@pytest.fixture
def anon_api(db):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    return APIClient()


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Browser tests last: they are the slowest, and everything else should fail first."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture
def client(db):  # type: ignore[no-untyped-def]
    """Django's test client logged in as a read-only viewer of 德清县 (pages, OGC and tiles need a
    login); `anon_client` is the public."""
    from django.test import Client

    client = Client()
    client.force_login(make_staff("test-page-viewer"))
    return client


@pytest.fixture
def anon_client(db):  # type: ignore[no-untyped-def]
    from django.test import Client

    return Client()
