"""Jurisdiction of the road network (issue 9): building a county's network is an editor's act inside
the jurisdiction; another county's editor or a viewer is refused and nothing is written."""
from __future__ import annotations

import pytest
from rest_framework.exceptions import PermissionDenied

from apps.accounts.context import acting_principal
from apps.accounts.resolve import principal_for_user
from apps.roadnet.models import RoadEdge
from apps.roadnet.services import build_network
from tests.conftest import make_staff

from .conftest import COUNTY

pytestmark = pytest.mark.django_db


def test_building_the_network_needs_an_editor_of_the_county(test_roads) -> None:  # type: ignore[no-untyped-def]
    before = RoadEdge.objects.count()
    for user in (make_staff("far-editor", role="editor", jurisdiction="341723"),
                 make_staff("dq-viewer", jurisdiction=COUNTY)):
        with acting_principal(principal_for_user(user)), pytest.raises(PermissionDenied):
            build_network(COUNTY)
    assert RoadEdge.objects.count() == before
    with acting_principal(principal_for_user(make_staff("dq-editor", role="editor", jurisdiction=COUNTY))):
        report = build_network(COUNTY)
    assert report.as_dict() and RoadEdge.objects.count() > 0
