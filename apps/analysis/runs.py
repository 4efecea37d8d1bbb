"""Starting analysis runs (service shared by the API, the map's analysis panel and the worker):
validate the body, then run now or queue it; a queued run keeps the body as sent so the worker
rebuilds the very same request. The inputs are checked against the acting principal's
jurisdiction (`access.check_inputs`) before anything is stored or queued."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.common.jobs import enqueue

from .access import check_inputs
from .coverage import run_coverage
from .models import AnalysisRun, RunKind, RunStatus
from .serializers import CoverageBody, SitingBody
from .siting_service import run_siting
from .suitability import SuitabilityBody, run_suitability

BODIES: dict[str, type[serializers.Serializer]] = {RunKind.COVERAGE: CoverageBody, RunKind.SITING: SitingBody,
                                                   RunKind.SUITABILITY: SuitabilityBody}


def validated(kind: str, body: dict[str, Any]) -> serializers.Serializer:
    checked = BODIES[kind](data=body)
    checked.is_valid(raise_exception=True)
    return checked


def execute(run: AnalysisRun, *, actor: str) -> AnalysisRun:
    """Compute a queued run in place (the worker's entry point)."""
    checked = validated(run.kind, run.inputs["body"])
    if run.kind == RunKind.COVERAGE:
        return run_coverage(checked.to_request(), actor=actor, run=run)
    if run.kind == RunKind.SITING:
        return run_siting(checked.to_request(), actor=actor, run=run)
    return run_suitability(checked.to_request(), actor=actor, run=run)


def start(kind: str, body: dict[str, Any], *, actor: str, background: bool | None = None) -> AnalysisRun:
    """Validate and run now, or queue when asked (or when the kind is slow by nature)."""
    checked = validated(kind, body)
    request = checked.to_request()
    check_inputs(request)
    queue = checked.validated_data["background"] if background is None else background
    if kind == RunKind.COVERAGE and getattr(request, "mode", "") == "network":
        queue = True  # routing a whole county takes seconds: never inside the request
    if not queue:
        runner = {RunKind.COVERAGE: run_coverage, RunKind.SITING: run_siting, RunKind.SUITABILITY: run_suitability}
        return runner[kind](request, actor=actor)
    run = AnalysisRun.objects.create(kind=kind, name=request.name, county=request.county,
                                     inputs={**request.as_inputs(), "body": body}, created_by=actor,
                                     status=RunStatus.QUEUED)
    run.job = enqueue("analysis_run", params={"run_id": run.pk}, created_by=actor)
    run.save(update_fields=["job"])
    return run
