"""Fixtures of the data-exchange tests: facilities registered through the real service near the
seat of 武康街道 (one with a spreadsheet-formula name), a staff API client (a viewer: exports are
reads) and a page client of an editor of 德清县 (imports write)."""
from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from apps.divisions.models import Division
from apps.facilities import services
from apps.facilities.models import Facility, FacilityKind
from tests.conftest import make_staff

NAMES = ["武康老年食堂", "=HYPERLINK(\"http://x\")", "金鹅山社区助餐点"]


@pytest.fixture
def wukang(db) -> Division:  # type: ignore[no-untyped-def]
    return Division.objects.get(name="武康街道", level="township", valid_to__isnull=True)


@pytest.fixture
def facilities(wukang) -> list[Facility]:  # type: ignore[no-untyped-def]
    seat = wukang.seat
    kind = FacilityKind.objects.get(code="meal_point")
    return [services.create_facility(services.FacilityInput(
        kind=kind, name=name, location=Point(seat.x + 0.001 * i, seat.y + 0.0005 * i, srid=4490)), actor="t")
        for i, name in enumerate(NAMES)]


@pytest.fixture
def staff_api(api):  # type: ignore[no-untyped-def]
    api.force_authenticate(make_staff("exporter", role="viewer", jurisdiction="330521"))
    return api


@pytest.fixture
def staff_client(client, db, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.EXCHANGE_IMPORT_DIR = tmp_path / "uploads"
    client.force_login(make_staff("importer", role="editor", jurisdiction="330521"))
    return client
