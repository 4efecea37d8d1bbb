"""Fixtures for the analysis runs: a small real demo register (3,000 addresses of 德清县, seeded)
snapped to the 1e-7° grid the exports write, so the exported points are exactly the analysed ones;
facilities at some of its addresses; a planner's (viewer's) API client."""
from __future__ import annotations

import pytest


@pytest.fixture
def register(db):  # type: ignore[no-untyped-def]
    from django.db import connection

    from apps.addresses import demo
    from apps.analysis import demand

    demo.generate_demo_addresses("330521", count=3000, seed=11)
    with connection.cursor() as cur:
        cur.execute("UPDATE addresses_address SET location = ST_SnapToGrid(location, 1e-7)")
    demand.forget()
    yield
    demand.forget()


@pytest.fixture
def facilities(register):  # type: ignore[no-untyped-def]
    """Six operating canteens/meal points at addresses spread over the register, one planned."""
    from apps.addresses.models import Address
    from apps.facilities import services
    from apps.facilities.models import FacilityKind, Status

    doors = list(Address.objects.filter(level="door").order_by("code"))
    picks = doors[:: max(1, len(doors) // 6)][:6]
    kinds = {k.code: k for k in FacilityKind.objects.all()}
    made = []
    for n, address in enumerate(picks):
        kind = kinds["elderly_canteen" if n % 2 == 0 else "meal_point"]
        made.append(services.create_facility(services.FacilityInput(
            kind=kind, name=f"测试设施{n + 1}", address=address.identity, status=Status.OPERATING), actor="t"))
    services.create_facility(services.FacilityInput(kind=kinds["meal_point"], name="规划助餐点",
                                                    address=doors[1].identity, status=Status.PLANNED), actor="t")
    return made


@pytest.fixture
def staff_api(api):  # type: ignore[no-untyped-def]
    """A viewer of 德清县: viewers may run analyses inside their jurisdiction."""
    from tests.conftest import make_staff

    api.force_authenticate(make_staff("planner", role="viewer", jurisdiction="330521"))
    return api
