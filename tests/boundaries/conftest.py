"""Fixtures for the boundary tests: the demo lines (`derive_boundary_lines`, as `make run` does) committed
for the module, removed afterwards so other test modules see the database as before; staff and
plain API clients."""
from __future__ import annotations

import pytest


def wipe_boundaries() -> None:
    from apps.boundaries.models import (BoundaryLine, BoundaryMarker, FollowUpItem, InspectionCampaign,
                                        MarkerInspection, SegmentFinding)

    for model in (FollowUpItem, SegmentFinding, MarkerInspection, InspectionCampaign, BoundaryMarker, BoundaryLine):
        model.objects.all().delete()


@pytest.fixture(scope="module")
def demo_lines(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from apps.boundaries.models import BoundaryLine

    with django_db_blocker.unblock():
        wipe_boundaries()
        # The boundary step of `load_demo_data` (the divisions are loaded once per session).
        call_command("derive_boundary_lines", stdout=open("/dev/null", "w"))
        yield {line.name: line for line in BoundaryLine.objects.all()}
        wipe_boundaries()


@pytest.fixture
def staff_api(db):  # type: ignore[no-untyped-def]
    """A superuser: these tests span lines of three provinces, the roles are beside the point
    (test_jurisdiction.py tries the editors of one county or township)."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    user = get_user_model().objects.create_superuser("boundary-staff", password="x-界线-2026")
    client = APIClient()
    client.force_authenticate(user)
    return client
