"""Background analysis runs: the worker (`manage.py run_jobs`) rebuilds the request from the body
kept on the queued run, exactly as the API validated it, and completes the run in place."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from apps.common.jobs import handler
from apps.common.models import Job

from .models import AnalysisRun, RunKind, RunStatus


@handler("analysis_run")
def run_analysis(job: Job, progress: Callable[[float, str], None]) -> dict[str, Any]:
    from .runs import execute

    run = AnalysisRun.objects.get(pk=job.params["run_id"])
    run.status = RunStatus.RUNNING
    run.save(update_fields=["status"])
    progress(0.05, f"{RunKind(run.kind).label}计算中")
    try:
        execute(run, actor=run.created_by)
    except Exception as exc:  # the run says why; the job records the failure too
        run.status, run.error, run.finished_at = RunStatus.FAILED, str(exc)[:2000], timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    return {"run_id": run.pk, "seconds": run.seconds}
