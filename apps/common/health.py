"""Liveness and readiness probes for the process manager and the reverse proxy.

`/healthz` answers as long as the process serves requests (no database). `/readyz` answers 200
only when the database answers `SELECT 1` and every migration is applied; otherwise 503 with the
checks that failed. There is no worker heartbeat yet; `/readyz` reports the queued background jobs
and the oldest one's age instead (information only — the site works without the worker, and a
growing age says the worker is not running). Both are public, tiny and outside the API schema."""
from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.utils import timezone
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return False, f"数据库不可用 database unreachable: {type(exc).__name__}"
    return True, "ok"


def _check_migrations() -> tuple[bool, str]:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return False, f"无法读取迁移记录 cannot read migrations: {type(exc).__name__}"
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        return False, f"{len(plan)} 个迁移未执行 unapplied migrations: {names}"
    return True, "ok"


def _queued_jobs() -> dict[str, int | None]:
    from apps.common.models import Job, JobStatus

    queued = Job.objects.filter(status=JobStatus.QUEUED).aggregate(n=Count("id"), oldest=Min("created_at"))
    age = int((timezone.now() - queued["oldest"]).total_seconds()) if queued["oldest"] else None
    return {"queued": queued["n"], "oldest_queued_seconds": age}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    ok, checks["database"] = _check_database()
    if ok:
        ok, checks["migrations"] = _check_migrations()
    else:
        checks["migrations"] = "skipped: no database"
    body: dict[str, object] = {"status": "ok" if ok else "unavailable", "checks": checks}
    if ok:
        body["jobs"] = _queued_jobs()
    return JsonResponse(body, status=200 if ok else 503)
