"""The restore drill: `scripts/backup.sh` (what `make backup` / `make restore` run) dumps the test
database — the divisions seed plus committed addresses, a facility and a place name made through
the services — and restores it into a scratch database created for the test; the copy must equal
the original in the row count of every table and in checksums of the key registers' rows. Also:
restore refuses a database other sessions use unless FORCE=1, and refuses a file that is no dump."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, Point
from django.db import connection

from tests.row_counts import ALL_SCHEMAS, row_counts

from .conftest import database_url

# No django_db mark: the rows are committed (the dump runs in another process), and a transactional
# test case would flush the session's seed afterwards.
SCRIPT = Path(settings.BASE_DIR) / "scripts" / "backup.sh"
KEY_TABLES = ["divisions_division", "addresses_address", "addresses_addressidentity", "facilities_facility",
              "placenames_placename", "common_changerecord"]
ACTOR = "ops-drill"


def _run(*args: str, url: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args], env={**os.environ, "DATABASE_URL": url, **env},
                          capture_output=True, text=True, timeout=300)


def _snapshot(url: str) -> dict[str, object]:
    """Row count of every table outside the system schemas, and an md5 over the key tables' rows."""
    conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        counts = row_counts(cur, ALL_SCHEMAS)
        sums = {}
        for table in KEY_TABLES:
            cur.execute(f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t")
            sums[table] = cur.fetchone()[0]
    finally:
        conn.close()
    return {"counts": counts, "checksums": sums}


@pytest.fixture
def register_rows(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:  # type: ignore[no-untyped-def]
    """Committed rows made through the services (the dump is another process); removed after,
    with the change records they caused."""
    from apps.addresses import services as addresses
    from apps.addresses.models import Address, AddressIdentity, Road
    from apps.common.models import ChangeRecord
    from apps.divisions.models import Division
    from apps.facilities import services as facilities
    from apps.facilities.models import FacilityKind, FacilityStatusEvent, MealServiceDetail, Status
    from apps.placenames import services as placenames
    from apps.placenames.models import PlaceNameCategory

    with django_db_blocker.unblock():
        watermark = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        town = Division.objects.get(name="武康街道", level="township", valid_to__isnull=True)
        s = town.seat
        road = Road.objects.create(code="R9931", county=town.parent, township=town, name="备份演练路", kind="路",
                                   geometry=LineString((s.x - 0.003, s.y), (s.x + 0.003, s.y), srid=4490))
        doors = [addresses.allocate_door(road, Point(s.x + dx, s.y + 0.0002, srid=4490), actor=ACTOR)
                 for dx in (-0.002, 0.0, 0.002)]
        facility = facilities.create_facility(facilities.FacilityInput(
            kind=FacilityKind.objects.get(code="elderly_canteen"), name="演练老年食堂", address=doors[0].identity,
            status=Status.OPERATING), actor=ACTOR)
        place, _ = placenames.propose(name="演练公园", category=PlaceNameCategory.objects.get(code="8003"),
                                      division=town, actor=ACTOR, geometry=Point(s.x, s.y, srid=4490))
        try:
            yield {"addresses": len(doors), "facility": facility.pk, "place": place.pk}
        finally:
            FacilityStatusEvent.objects.filter(facility=facility).delete()
            MealServiceDetail.objects.filter(facility=facility).delete()
            facility.delete()
            place.delete()
            identities = [d.identity_id for d in doors]
            Address.objects.filter(road=road).delete()
            AddressIdentity.objects.filter(pk__in=identities).delete()
            road.delete()
            # The change records this fixture caused, its clean-up included (tests run one at a time).
            ChangeRecord.objects.filter(id__gt=watermark).delete()


def _differences(original: dict, copy: dict) -> str:
    """Which tables differ (a failure must say where, not only that)."""
    out = []
    for part in ("counts", "checksums"):
        for table in sorted(set(original[part]) | set(copy[part])):
            if original[part].get(table) != copy[part].get(table):
                out.append(f"{part} {table}: {original[part].get(table)} → {copy[part].get(table)}")
    return "; ".join(out)


def test_restore_drill_reproduces_the_database(register_rows, scratch_database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = database_url(connection.settings_dict["NAME"])
    dump = tmp_path / "drill.dump"
    backup = _run("backup", str(dump), url=source)
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.strip() == str(dump) and dump.stat().st_size > 0
    original = _snapshot(source)
    assert original["counts"]["public.addresses_address"] >= register_rows["addresses"]
    assert original["counts"]["public.divisions_division"] > 0 and all(original["checksums"].values())

    restore = _run("restore", str(dump), url=database_url(scratch_database))
    assert restore.returncode == 0, restore.stderr
    assert f"into {scratch_database}" in restore.stderr
    copy = _snapshot(database_url(scratch_database))
    assert copy == original, _differences(original, copy)

    # A second restore over the now-full copy (--clean) gives the same database again.
    again = _run("restore", str(dump), url=database_url(scratch_database))
    assert again.returncode == 0, again.stderr
    assert _snapshot(database_url(scratch_database)) == original


def test_restore_refuses_a_database_in_use_unless_forced(scratch_database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = database_url(scratch_database)
    dump = tmp_path / "empty.dump"
    assert _run("backup", str(dump), url=target).returncode == 0
    busy = psycopg2.connect(target)
    try:
        refused = _run("restore", str(dump), url=target)
        assert refused.returncode != 0 and "other connection" in refused.stderr and "FORCE=1" in refused.stderr
        forced = _run("restore", str(dump), url=target, FORCE="1")
        assert forced.returncode == 0, forced.stderr
        assert "ending 1 other connection" in forced.stderr
        with pytest.raises(psycopg2.OperationalError):  # the other session was ended
            busy.cursor().execute("SELECT 1")
    finally:
        busy.close()


def test_restore_refuses_a_file_that_is_no_dump(scratch_database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bogus = tmp_path / "bogus.dump"
    bogus.write_text("not a dump")
    result = _run("restore", str(bogus), url=database_url(scratch_database))
    assert result.returncode != 0 and "not a pg_dump custom-format archive" in result.stderr
    missing = _run("restore", str(tmp_path / "nope.dump"), url=database_url(scratch_database))
    assert missing.returncode != 0 and "No such backup file" in missing.stderr
