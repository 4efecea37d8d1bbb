"""Fault-test fixtures: the session's throwaway PostgreSQL cluster (shared by the database-restart
tests; never the shared cluster), the import's input file, and the clean-up of what a committed
import leaves in the session's test database."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from .cluster import Cluster, create_cluster, query
from .imports import ACTOR, MARKER, ROOT, make_layer

SUPERUSER, SUPERUSER_PASSWORD = "fault-admin", "fault-Passw0rd-不外传"

# One child process migrates the new cluster and makes the superuser the servers' clients log in
# as (default password hasher: the production settings cannot check the test settings' MD5 hashes).
_SEED = f"""
import django
django.setup()
from django.core.management import call_command
from django.contrib.auth import get_user_model
call_command("migrate", verbosity=0)
get_user_model().objects.create_superuser({SUPERUSER!r}, "", {SUPERUSER_PASSWORD!r})
"""

# The divisions the drill needs (facilities are placed by county and township): 德清县, its
# townships and villages and its ancestors, copied from the session's test database (the real
# seed, as `load_demo_divisions` loaded it) — the whole country's seed would take seconds more.
# Data sources are left out (their ids are set to NULL).
_DIVISIONS = """
WITH RECURSIVE up AS (
  SELECT * FROM divisions_division WHERE code = '330521' AND valid_to IS NULL
  UNION SELECT d.* FROM divisions_division d JOIN up ON d.id = up.parent_id)
SELECT {columns} FROM divisions_division
WHERE id IN (SELECT id FROM up) OR (code LIKE '330521%%' AND valid_to IS NULL)
"""


def copy_divisions(source: str, target: str) -> int:
    """COPY 德清县's division rows (with ancestors) from ``source`` into ``target``; returns the count."""
    import io

    import psycopg2

    columns = [c for (c,) in query(source, "SELECT column_name FROM information_schema.columns WHERE table_name = "
                                           "'divisions_division' AND is_generated = 'NEVER' ORDER BY ordinal_position")]
    selected = ", ".join("NULL" if c in ("source_id", "geometry_source_id") else c for c in columns)
    data = io.StringIO()
    conn = psycopg2.connect(source)
    try:
        conn.cursor().copy_expert(f"COPY ({_DIVISIONS.format(columns=selected)}) TO STDOUT", data)
    finally:
        conn.close()
    data.seek(0)
    conn = psycopg2.connect(target)
    try:
        with conn, conn.cursor() as cur:
            cur.copy_expert(f"COPY divisions_division ({', '.join(columns)}) FROM STDIN", data)
            cur.execute("ANALYZE divisions_division")
            cur.execute("SELECT count(*) FROM divisions_division")
            return cur.fetchone()[0]
    finally:
        conn.close()


def session_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def throwaway_cluster(django_db_setup) -> Iterator[Cluster]:  # type: ignore[no-untyped-def]
    """A PostgreSQL 15 cluster of our own (tests/faults/cluster.py), migrated, with 德清县's
    divisions and a superuser; removed at the end of the session."""
    cluster = create_cluster()
    try:
        env = {**os.environ, "DATABASE_URL": cluster.url(), "DJANGO_SETTINGS_MODULE": "geo_mz.settings.dev",
               "DJANGO_DEBUG": "0", "DJANGO_CONN_MAX_AGE": "0"}
        seeded = subprocess.run([sys.executable, "-c", _SEED], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=300)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        assert copy_divisions(session_database_url(), cluster.url()) > 100
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def facility_layer(django_db_setup, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The import's input: N_ROWS canteen points inside 德清县 (from the test database's divisions,
    the same seed the throwaway cluster gets)."""
    return make_layer(session_database_url(), tmp_path_factory.mktemp("faults") / "canteens.geojson")


@pytest.fixture
def drill_cleanup(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Remove the drill's committed facilities from the test database afterwards, with their detail
    rows, status events and every change record written meanwhile (id watermark)."""
    from apps.common.models import ChangeRecord
    from apps.facilities.models import Facility, FacilityStatusEvent
    from apps.facilities.services import DETAIL_MODELS

    with django_db_blocker.unblock():
        watermark = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            drill = Facility.objects.filter(name__startswith=MARKER)
            FacilityStatusEvent.objects.filter(facility__in=drill).delete()
            for model in set(DETAIL_MODELS.values()):
                model.objects.filter(facility__in=drill).delete()
            drill.delete()
            ChangeRecord.objects.filter(id__gt=watermark).delete()
            assert not Facility.objects.filter(name__startswith=MARKER).exists()
            assert not ChangeRecord.objects.filter(actor=ACTOR).exists()
