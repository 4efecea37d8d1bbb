"""Fixtures for the contract fuzzing: the demo registers loaded once for the module inside one
transaction that is rolled back afterwards (nothing persists, other modules see the database as
before), a Django superuser's session, and the real WSGI application reached in-process on this
test's database connection."""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

# Path parameter sets naming real items (demo data and the items `contract_data` creates), which
# the fuzzer uses besides its own random values, so item endpoints answer with items too, not
# only with 404. Filled by `contract_data`: (path prefix, parameters); a set applies to an
# operation under that prefix having all its parameter names.
KNOWN_PATH_SETS: list[tuple[str, dict[str, Any]]] = []


@dataclass
class Credentials:
    """What every fuzzed request carries to be authenticated; one place to switch to an API key."""

    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


def _made_through_the_api() -> list[tuple[str, dict[str, Any]]]:
    """An inspection campaign with a follow-up item, a hazard, a coverage and a siting run and a
    finished batch-geocoding job, made through the API as a staff client would; their identifiers."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from apps.addresses.models import Address
    from apps.analysis.models import RadiusPreset
    from apps.boundaries.models import BoundaryMarker, FollowUpItem
    from apps.common.jobs import claim_next, run_job
    from apps.facilities.models import Facility

    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_superuser("contract-setup", "s@example.invalid", "x"))

    def made(response: Any) -> Any:
        assert response.status_code in (200, 201, 202), response.content
        return response

    campaign = made(client.post("/api/v1/inspections/", {
        "line": "3401", "title": "契约测试联检", "period_start": "2026-10-08",
        "participants": [{"name": "张明", "side": "a", "role": "青阳县民政局"},
                         {"name": "李华", "side": "b", "role": "黄山区民政局"}],
        "plan": "全部界桩", "basis": "界线协议书"}, format="json")).json()["id"]
    marker = BoundaryMarker.objects.filter(line__code="3401").order_by("sequence").first()
    made(client.post(f"/api/v1/inspections/{campaign}/follow-ups", {
        "marker": marker.number, "description": "界桩倾斜", "responsible": "a", "deadline": "2026-12-31"},
        format="json"))
    item = FollowUpItem.objects.filter(campaign_id=campaign).get().pk
    cemetery = Facility.objects.filter(kind__code="cemetery").order_by("code").first()
    hazard = made(client.post(f"/api/v1/facilities/{cemetery.code}/hazards", {
        "description": "护栏松动", "level": "一般", "found_on": "2026-10-01"}, format="json")).json()["id"]
    preset = RadiusPreset.objects.order_by("pk").first()
    coverage = made(client.post("/api/v1/analysis/coverage", {"presets": [preset.pk], "kinds": ["meal_point"]},
                                format="json")).json()["id"]
    doors = list(Address.objects.filter(level="door").order_by("code")[3::97][:12])
    siting = made(client.post("/api/v1/analysis/siting", {
        "model": "mclp", "candidate_source": "points", "p": 2, "radius_m": 600, "weight": "residents",
        "points": [[d.location.x, d.location.y] for d in doors], "existing_kinds": ["elderly_canteen"]},
        format="json")).json()["id"]
    batch = SimpleUploadedFile("batch.csv", "编号,地址\n1,德清县武康街道1号\n".encode("utf-8"), content_type="text/csv")
    made(client.post("/api/v1/geocode/batch", {"file": batch, "column": "地址", "department": "契约测试"},
                     format="multipart"))
    job = claim_next()
    run_job(job)
    return [("/api/v1/inspections/", {"id": campaign, "item": item}),
            ("/api/v1/facilities/", {"code": cemetery.code, "hazard_id": hazard}),
            ("/api/v1/analysis/runs/", {"id": coverage}), ("/api/v1/analysis/runs/", {"id": siting}),
            ("/api/v1/jobs/", {"job_id": job.pk})]


def _known_sets() -> list[tuple[str, dict[str, Any]]]:
    """A few real identifiers per path parameter of the schema, with the path prefix they are for."""
    from apps.addresses.models import Address, Road
    from apps.boundaries.models import BoundaryLine, BoundaryMarker
    from apps.divisions.models import Division
    from apps.facilities.models import Facility
    from apps.placenames.models import Announcement, PlaceName

    def first(prefix: str, qs: Any, name: str, column: str, n: int = 3) -> list[tuple[str, dict[str, Any]]]:
        return [(prefix, {name: value}) for value in qs.order_by(column).values_list(column, flat=True)[:n]]

    door = Address.objects.filter(level="door").order_by("code").first()
    tile_x, tile_y = _tile(door.location.x, door.location.y, 15)
    return [*first("/api/v1/addresses/", Address.objects.filter(level="door"), "code", "code"),
            *first("/api/v1/facilities/", Facility.objects, "code", "code"),
            *first("/api/v1/placenames/", PlaceName.objects, "code", "code"),
            *first("/api/v1/boundary-lines/", BoundaryLine.objects, "code", "code"),
            *first("/api/v1/divisions/", Division.objects.filter(code__startswith="330521"), "code", "code"),
            *first("/api/v1/boundary-markers/", BoundaryMarker.objects, "number", "number"),
            *first("/api/v1/roads/", Road.objects, "road_code", "code"),
            *first("/api/v1/placename-announcements/", Announcement.objects, "id", "id"),
            *[("/api/v1/export/", {"layer_id": layer}) for layer in ("facilities", "addresses", "placenames")],
            ("/tiles/", {"layer": "addresses", "z": 15, "x": tile_x, "y": tile_y}),
            ("/tiles/", {"layer": "roads", "z": 10, "x": tile_x >> 5, "y": tile_y >> 5})]


def _tile(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The web-mercator tile holding a position."""
    n = 2 ** zoom
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


@pytest.fixture(scope="module")
def contract_data(django_db_setup, django_db_blocker) -> Iterator[list[tuple[str, dict[str, Any]]]]:  # type: ignore[no-untyped-def]
    """The demo data of every register (a small address register), written in one transaction that
    is rolled back when the module ends; each test's own transaction nests inside it."""
    from django.core.management import call_command
    from django.db import transaction

    from apps.addresses import demo
    from apps.analysis.demo import load_demo_constraints
    from apps.facilities.demo import load_demo_facilities
    from apps.placenames.demo import load_demo_placenames

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            devnull = open("/dev/null", "w")
            call_command("derive_boundary_lines", stdout=devnull)
            demo.generate_demo_addresses("330521", count=1500, seed=7)
            load_demo_facilities()
            load_demo_constraints()
            load_demo_placenames()
            KNOWN_PATH_SETS.extend(_made_through_the_api() + _known_sets())
            yield KNOWN_PATH_SETS
        finally:
            KNOWN_PATH_SETS.clear()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def credentials(contract_data, db) -> Credentials:  # type: ignore[no-untyped-def]
    """A Django superuser's session with a CSRF token (session auth applies CSRF to writes).
    After the accounts app lands this can become an `X-API-Key` header for the read-only run."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    user = get_user_model().objects.create_superuser("contract-fuzzer", "fuzz@example.invalid", "x")
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    return Credentials(headers={"X-CSRFToken": csrf},
                       cookies={settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
                                settings.CSRF_COOKIE_NAME: csrf})


@pytest.fixture
def wsgi_app(db) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """Django's WSGI application on this test's connection: the request signals that would close the
    connection at the end of each request are disconnected, as Django's own test client does."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
