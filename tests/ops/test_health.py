"""Liveness and readiness: /healthz needs no database; /readyz says 200 on the migrated test
database and 503, naming what failed, on a database without our migrations and on a database
that cannot be reached (each checked in a process of its own pointed at that database)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings

from .conftest import database_url

PROBE = ("import django, json; django.setup(); from django.test import Client; "
         "r = Client(HTTP_HOST='localhost').get('/readyz'); print(json.dumps({'status': r.status_code, 'body': r.json()}))")


def _readyz_against(url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "geo_mz.settings.test",
           "DJANGO_CONN_MAX_AGE": "0"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthz_answers_without_the_database(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")  # no django_db mark: any query would raise here
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_on_the_migrated_database(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"},
                               "jobs": {"queued": 0, "oldest_queued_seconds": None}}
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_readyz_reports_the_queued_jobs(client) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from apps.common.models import Job, JobStatus

    job = Job.objects.create(kind="export")
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    Job.objects.create(kind="export", status=JobStatus.SUCCEEDED)
    jobs = client.get("/readyz").json()["jobs"]
    assert jobs["queued"] == 1 and 600 <= jobs["oldest_queued_seconds"] < 700


def test_readyz_reports_unapplied_migrations(scratch_database) -> None:  # type: ignore[no-untyped-def]
    answer = _readyz_against(database_url(scratch_database))
    assert answer["status"] == 503 and answer["body"]["status"] == "unavailable"
    assert answer["body"]["checks"]["database"] == "ok"
    assert "unapplied migrations" in answer["body"]["checks"]["migrations"]


def test_readyz_reports_an_unreachable_database(django_db_setup) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    answer = _readyz_against(f"postgres://nobody:x@127.0.0.1:{port}/nothing")
    assert answer["status"] == 503
    assert answer["body"]["checks"]["database"].startswith("数据库不可用")
    assert answer["body"]["checks"]["migrations"] == "skipped: no database"
