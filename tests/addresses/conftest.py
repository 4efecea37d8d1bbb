"""Fixtures for the address tests: real 德清县 townships, and test roads through a township seat
(east–west, north–south and diagonal) built in the test's transaction."""
from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, Point

from apps.addresses.models import Road
from apps.divisions.models import Division


@pytest.fixture
def wukang(db) -> Division:  # type: ignore[no-untyped-def]
    return Division.objects.get(name="武康街道", level="township", valid_to__isnull=True)


@pytest.fixture
def village(wukang) -> Division:  # type: ignore[no-untyped-def]
    return wukang.children.filter(level="village").order_by("code").first()


def _road(township: Division, code: str, name: str, dx: float, dy: float) -> Road:
    seat = township.seat
    line = LineString((seat.x - dx, seat.y - dy), (seat.x + dx, seat.y + dy), srid=4490)
    return Road.objects.create(code=code, county=township.parent, township=township, name=name, kind="路",
                               geometry=line)


@pytest.fixture
def ew_road(wukang) -> Road:  # type: ignore[no-untyped-def]
    return _road(wukang, "R9001", "测试东西路", 0.004, 0.0)


@pytest.fixture
def ns_road(wukang) -> Road:  # type: ignore[no-untyped-def]
    return _road(wukang, "R9002", "测试南北路", 0.0, 0.004)


@pytest.fixture
def diagonal_road(wukang) -> Road:  # type: ignore[no-untyped-def]
    return _road(wukang, "R9003", "测试斜街", 0.003, 0.003)


def offset(point: Point, dx: float, dy: float) -> Point:
    return Point(point.x + dx, point.y + dy, srid=4490)


# ---------------------------------------------------------------- jurisdiction (issue 9)
@pytest.fixture
def other_township(wukang) -> Division:  # type: ignore[no-untyped-def]
    """Another current township of 德清县 with a seat and a boundary: the clerk's "elsewhere"."""
    return (Division.objects.filter(parent=wukang.parent, level="township", valid_to__isnull=True,
                                    seat__isnull=False, geometry__isnull=False)
            .exclude(pk=wukang.pk).order_by("code").first())


@pytest.fixture
def far_road(other_township) -> Road:  # type: ignore[no-untyped-def]
    return _road(other_township, "R9101", "测试远方路", 0.004, 0.0)


@pytest.fixture
def clerk(wukang):  # type: ignore[no-untyped-def]
    """A township clerk: an editor whose jurisdiction is 武康街道 only."""
    from tests.conftest import make_staff

    return make_staff("wukang-clerk", role="editor", jurisdiction=wukang.code)


def change_form_data(url: str) -> dict[str, Any]:
    """The change form's current values, as a superuser's browser would post them back."""
    from tests.jurisdiction_helpers import change_form_data as page_form_data, client_as

    reader = get_user_model().objects.filter(username="form-reader").first() or \
        get_user_model().objects.create_superuser("form-reader", password=None)
    return page_form_data(client_as(reader).get(url))
