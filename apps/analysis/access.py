"""Jurisdiction rules of the analyses: which runs an account may start and read.

A run's inputs must lie inside the acting principal's jurisdiction, or the run is refused (403)
before anything is stored: the demand area (the division, or the county when none is given), the
facilities it names, the siting candidates (their area, points or facilities) and, for the
suitability analysis, the county whose constraint layers it uses (covered by the area check).
Viewers may run analyses; API keys may not (the views are `StaffOnly`).

Runs are not public: lists show the runs whose area lies inside the jurisdiction, and a run
outside it is refused like any other non-public record.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Q

from apps.accounts.context import current_principal
from apps.accounts.jurisdiction import JurisdictionDenied, division_codes, prefix_q, require_codes
from apps.accounts.principal import Principal, Role
from apps.accounts.reads import require_read
from apps.divisions.models import Division
from apps.facilities.models import Facility, Status

from .models import AnalysisRun


def run_area(run: AnalysisRun) -> str:
    """The division code a stored run analysed (its demand area)."""
    return str(run.inputs.get("division") or "") or run.county.code


def _require(codes: list[str], what: str) -> None:
    require_codes(codes, what, role=Role.VIEWER)


def _facilities_inside(facilities: Any, what: str) -> None:
    principal = current_principal()
    outside = [f.code for f in facilities.select_related("county", "township", "village")
               if not principal.covers(division_codes(f))]
    if outside:
        shown = "、".join(outside[:10]) + ("等" if len(outside) > 10 else "")
        raise JurisdictionDenied(f"{what}不在本账号辖区（{principal.jurisdiction}）内：{shown}")


def _points_inside(points: list[tuple[float, float]]) -> None:
    principal = current_principal()
    if not points or principal.jurisdiction == "":
        return
    area = Division.objects.filter(code=principal.jurisdiction, valid_to__isnull=True).first()
    if area is None or area.geometry is None:
        raise JurisdictionDenied(f"本账号辖区 {principal.jurisdiction} 没有边界，不能使用坐标候选点")
    from django.contrib.gis.geos import MultiPoint, Point

    if not area.geometry.covers(MultiPoint([Point(x, y, srid=4490) for x, y in points], srid=4490)):
        raise JurisdictionDenied(f"候选点须在本账号辖区（{principal.jurisdiction}）内")


def check_inputs(request: Any) -> None:
    """Refuse (403) a coverage, siting or suitability request whose inputs leave the jurisdiction."""
    area = request.division or request.county.code
    _require([area], f"分析范围 {area}")
    named = list(getattr(request, "facility_codes", []) or [])
    if named:
        _facilities_inside(Facility.objects.filter(code__in=named), "指定的设施")
    source = getattr(request, "candidate_source", None)
    if source in ("addresses", "grid") and request.candidate_division:
        _require([request.candidate_division], f"候选范围 {request.candidate_division}")
    elif source == "points":
        _points_inside(list(request.points))
    elif source == "facilities":
        candidates = Facility.objects.filter(county=request.county, kind__code__in=request.candidate_kinds)
        _facilities_inside(candidates.exclude(status=Status.CLOSED), "候选设施")


def runs_q(principal: Principal) -> Q:
    """The runs whose area lies inside the jurisdiction."""
    # Coverage and suitability store their area; a siting run without one analysed its county.
    return prefix_q(principal, lambda prefix: Q(inputs__division__startswith=prefix) | (
        (Q(inputs__division="") | ~Q(inputs__has_key="division")) & Q(county__code__startswith=prefix)))


def require_run(run: AnalysisRun) -> None:
    require_read([run_area(run)], f"第 {run.pk} 号分析")


def constraint_layers_q(principal: Principal) -> Q:
    """Constraint layers of the counties that overlap the jurisdiction (a township's clerk uses its
    county's layers)."""
    return prefix_q(principal, lambda prefix: Q(county__code__startswith=prefix)
                    | Q(county__code=principal.jurisdiction[:6]))


def require_layer_county(county: Division) -> None:
    """`import_constraint_layer`: an editor whose jurisdiction covers the layer's county."""
    require_codes([county.code], f"{county.name}的限制图层")
