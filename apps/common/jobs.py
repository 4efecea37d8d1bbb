"""The PostgreSQL-backed job queue: enqueue, claim (FOR UPDATE SKIP LOCKED, so several workers
never take the same job), progress, finish. Handlers register by kind; `manage.py run_jobs` is
the worker loop that `make run` starts beside gunicorn."""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone

from .models import Job, JobStatus

log = logging.getLogger(__name__)
Handler = Callable[[Job, Callable[[float, str], None]], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register `func(job, progress)` for jobs of `kind`; it returns the job's result dict."""
    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func
    return register


def enqueue(kind: str, *, params: dict[str, Any], created_by: str, input_file: Any = None) -> Job:
    job = Job(kind=kind, params=params, created_by=created_by)
    if input_file is not None:
        job.input_file.save(getattr(input_file, "name", "input"), input_file, save=False)
    job.save()
    return job


def claim_next() -> Job | None:
    with transaction.atomic():
        job = (Job.objects.select_for_update(skip_locked=True).filter(status=JobStatus.QUEUED)
               .order_by("created_at").first())
        if job is None:
            return None
        job.status, job.started_at, job.progress = JobStatus.RUNNING, timezone.now(), 0.0
        job.save(update_fields=["status", "started_at", "progress"])
        return job


def run_job(job: Job) -> Job:
    """Run one claimed job to the end; a failure is recorded on the job, never raised."""
    func = _HANDLERS.get(job.kind)

    def progress(fraction: float, message: str = "") -> None:
        Job.objects.filter(pk=job.pk).update(progress=max(0.0, min(1.0, fraction)), message=message[:500])

    try:
        if func is None:
            raise RuntimeError(f"没有处理 {job.kind} 类任务的程序")
        result = func(job, progress)
        job.status, job.result, job.progress = JobStatus.SUCCEEDED, result, 1.0
        job.message = job.message or "完成"
    except Exception as exc:  # noqa: BLE001 - the job records the failure for the user
        log.error("job %s failed: %s", job.pk, traceback.format_exc())
        job.status, job.message = JobStatus.FAILED, str(exc)[:500] or exc.__class__.__name__
    job.finished_at = timezone.now()
    job.save()
    return job


def work(*, once: bool = False, idle_sleep: float = 1.0, stop: Callable[[], bool] = lambda: False) -> int:
    """Worker loop: run queued jobs one after another; returns how many ran."""
    import time

    done = 0
    while not stop():
        close_old_connections()
        job = claim_next()
        if job is None:
            if once:
                break
            time.sleep(idle_sleep)
            continue
        run_job(job)
        done += 1
    return done
