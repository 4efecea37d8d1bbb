"""Parallel door-number allocation on one road: real threads, each with its own database
connection and transaction, against committed data (not the per-test rollback transaction,
which other connections cannot see). The test removes what it created."""
from __future__ import annotations

import threading

import pytest
from django.contrib.gis.geos import LineString, Point
from django.db import connections

from apps.addresses import services
from apps.addresses.models import Address, AddressIdentity, Road
from apps.divisions.models import Division


@pytest.fixture
def committed_road(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        town = Division.objects.get(name="武康街道", level="township", valid_to__isnull=True)
        seat = town.seat
        road = Road.objects.create(code="R9901", county=town.parent, township=town, name="并发测试路", kind="路",
                                   geometry=LineString((seat.x - 0.004, seat.y), (seat.x + 0.004, seat.y), srid=4490))
        try:
            yield road
        finally:
            identities = list(Address.objects.filter(road=road).values_list("identity_id", flat=True))
            Address.objects.filter(road=road).delete()
            AddressIdentity.objects.filter(uid__in=identities).delete()
            road.delete()


def test_parallel_allocations_never_duplicate(committed_road, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    seat = committed_road.township.seat
    results: list[tuple[int, int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker(index: int) -> None:
        try:
            with django_db_blocker.unblock():
                start.wait()
                for j in range(5):
                    k = index * 5 + j
                    side = 0.0002 if k % 2 else -0.0002
                    point = Point(seat.x + 0.0035 - 0.00017 * k, seat.y + side, srid=4490)
                    address = services.allocate_door(committed_road, point, actor=f"worker-{index}")
                    with lock:
                        results.append((address.door_number, address.door_suffix, k))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    numbers = [(n, s) for n, s, _ in results]
    assert len(numbers) == 40 and len(set(numbers)) == 40
    with django_db_blocker.unblock():
        stored = list(Address.objects.filter(road=committed_road, valid_to__isnull=True)
                      .values_list("door_number", "door_suffix"))
    assert len(stored) == 40 and len(set(stored)) == 40
    # Odd numbers on the north side, even on the south, whatever the interleaving.
    for number, _suffix, k in results:
        assert number % 2 == (1 if k % 2 else 0)
