"""Coverage analysis (service): which addresses a set of facilities reaches within one or more
radii, straight-line (exact geodesic) or along the road network, weighted by addresses,
households, residents or residents aged 60+.

The numbers come from `coverage_math` (Euclidean) or `apps.roadnet` (network); this module
gathers inputs from the registers, summarises per radius, per township and per village, stores
the run (inputs, who, when, summary, tables) and writes the per-address arrays (nearest facility,
distance) to the run's result file for exports and the map.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.common.errors import DomainRuleError
from apps.divisions.models import Division
from apps.facilities.models import Facility, Status

from . import coverage_math
from .demand import WEIGHTS, Demand, demand_for
from .models import AnalysisRun, RunKind, RunStatus

MODES = ("euclidean", "network")
MAX_RADII = 6


@dataclass
class CoverageRequest:
    county: Division
    radii_m: list[float]
    mode: str = "euclidean"
    weight: str = "count"
    division: str = ""                       # demand limited to this code prefix (default: the county)
    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=lambda: [Status.OPERATING])
    facility_codes: list[str] = field(default_factory=list)
    name: str = ""

    def as_inputs(self) -> dict:
        return {"radii_m": self.radii_m, "mode": self.mode, "weight": self.weight,
                "division": self.division or self.county.code, "kinds": self.kinds, "statuses": self.statuses,
                "facility_codes": self.facility_codes}


@dataclass(frozen=True)
class FacilitySet:
    codes: list[str]
    names: list[str]
    lon: np.ndarray
    lat: np.ndarray


def select_facilities(county: Division, kinds: list[str], statuses: list[str], codes: list[str]) -> FacilitySet:
    found = Facility.objects.filter(county=county).exclude(status=Status.CLOSED)
    if codes:
        found = found.filter(code__in=codes)
        missing = sorted(set(codes) - set(found.values_list("code", flat=True)))
        if missing:
            raise DomainRuleError(f"没有这些设施：{'、'.join(missing)}", "facility_codes")
    else:
        if kinds:
            found = found.filter(kind__code__in=kinds)
        found = found.filter(status__in=statuses)
    rows = list(found.order_by("code").values_list("code", "name", "location"))
    if not rows:
        raise DomainRuleError("没有符合条件的设施（检查类型、状态或编码）", "kinds")
    return FacilitySet([r[0] for r in rows], [r[1] for r in rows], np.array([r[2].x for r in rows]),
                       np.array([r[2].y for r in rows]))


def _nearest(request: CoverageRequest, demand: Demand, facilities: FacilitySet) -> coverage_math.Nearest:
    if request.mode == "euclidean":
        # Capped at the largest radius: beyond it an address is uncovered whatever its distance, and
        # the cap spares a million geodesics; exports compute the nearest facility of uncovered
        # addresses on demand (`nearest_beyond`).
        return coverage_math.nearest_facilities(demand.lon, demand.lat, facilities.lon, facilities.lat,
                                                max_distance_m=max(request.radii_m))
    from apps.roadnet.selectors import network_nearest  # the road network app builds and routes

    index, distance = network_nearest(request.county.code, list(zip(facilities.lon, facilities.lat)),
                                      np.column_stack([demand.lon, demand.lat]), max_distance_m=max(request.radii_m))
    return coverage_math.Nearest(np.asarray(index), np.asarray(distance, dtype=float))


def _by_division(ids: np.ndarray, weights: np.ndarray, distance: np.ndarray, radii: list[float]) -> list[dict]:
    """Totals and covered amounts per division id (one row per id present)."""
    present, inverse = np.unique(ids, return_inverse=True)
    names = dict(Division.objects.filter(pk__in=[int(i) for i in present if i >= 0]).values_list("pk", "name"))
    codes = dict(Division.objects.filter(pk__in=[int(i) for i in present if i >= 0]).values_list("pk", "code"))
    count = np.bincount(inverse, minlength=len(present))
    weight = np.bincount(inverse, weights=weights, minlength=len(present))
    rows = []
    covered = {r: (np.bincount(inverse, weights=(distance <= r).astype(float), minlength=len(present)),
                   np.bincount(inverse, weights=weights * (distance <= r), minlength=len(present))) for r in radii}
    for k, div_id in enumerate(present):
        if div_id < 0:
            continue
        row = {"code": codes.get(int(div_id)), "name": names.get(int(div_id)), "addresses": int(count[k]),
               "weight": float(weight[k]), "radii": {}}
        for r in radii:
            c, w = covered[r]
            row["radii"][str(int(r))] = {"covered": int(c[k]), "covered_weight": float(w[k]),
                                         "share": round(float(c[k]) / float(count[k]), 6) if count[k] else None,
                                         "weight_share": round(float(w[k]) / float(weight[k]), 6) if weight[k] else None}
        rows.append(row)
    return sorted(rows, key=lambda r: r["code"] or "")


def results_dir() -> Path:
    path = Path(settings.ANALYSIS_RESULTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _validate(request: CoverageRequest) -> None:
    if request.mode not in MODES:
        raise DomainRuleError(f"mode 应为 {' 或 '.join(MODES)}", "mode")
    if request.weight not in WEIGHTS:
        raise DomainRuleError(f"weight 应为 {'、'.join(WEIGHTS)} 之一", "weight")
    if not request.radii_m or len(request.radii_m) > MAX_RADII or any(not 0 < r <= 50_000 for r in request.radii_m):
        raise DomainRuleError(f"半径须为 1–{MAX_RADII} 个 (0, 50000] 米之间的数", "radii_m")
    if request.division and not request.division.startswith(request.county.code[:6]):
        raise DomainRuleError("分析范围须在所选县级区划内", "division")


@transaction.atomic
def run_coverage(request: CoverageRequest, *, actor: str, run: AnalysisRun | None = None) -> AnalysisRun:
    """Compute, summarise and store one coverage run (a queued `run` is completed in place)."""
    _validate(request)
    request.radii_m = sorted({float(r) for r in request.radii_m})
    if run is None:
        run = AnalysisRun.objects.create(kind=RunKind.COVERAGE, name=request.name, county=request.county,
                                         inputs=request.as_inputs(), created_by=actor, status=RunStatus.RUNNING)
    started = time.perf_counter()
    facilities = select_facilities(request.county, request.kinds, request.statuses, request.facility_codes)
    demand = demand_for(request.division or request.county.code)
    weights = demand.weights(request.weight)
    nearest = _nearest(request, demand, facilities)
    distance = nearest.distance_m
    per_radius = [{"radius_m": c.radius_m, "covered": c.covered_count, "total": c.total_count,
                   "share": round(c.covered_share, 6), "covered_weight": c.covered_weight,
                   "total_weight": c.total_weight, "weight_share": round(c.covered_weight_share, 6),
                   "uncovered": c.total_count - c.covered_count}
                  for c in coverage_math.coverage_by_radius(distance, request.radii_m, weights)]
    served = np.bincount(nearest.index[(nearest.index >= 0) & (distance <= max(request.radii_m))],
                         minlength=len(facilities.codes))
    path = results_dir() / f"run-{run.pk}.npz"
    np.savez(path, address_id=demand.address_id, facility_index=nearest.index.astype(np.int32),
             distance_m=distance.astype(np.float64), weight=weights)
    finite = distance[np.isfinite(distance)]
    run.summary = {
        "mode": request.mode, "weight": request.weight, "weight_label": WEIGHTS[request.weight],
        "demand_points": len(demand), "facilities": len(facilities.codes), "radii": per_radius,
        # Over the covered addresses (distances beyond the largest radius are not computed here).
        "nearest_distance_m": {"median": float(np.median(finite)) if len(finite) else None,
                               "p90": float(np.percentile(finite, 90)) if len(finite) else None},
        "facility_load": [{"code": c, "name": n, "served": int(s)}
                          for c, n, s in zip(facilities.codes, facilities.names, served)],
    }
    run.tables = {"townships": _by_division(demand.township_id, weights, distance, request.radii_m),
                  "villages": _by_division(demand.village_id, weights, distance, request.radii_m)}
    run.inputs = {**run.inputs, "facility_codes_used": facilities.codes}
    run.result_file = str(path)
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.seconds = round(time.perf_counter() - started, 4)
    run.save()
    return run


def nearest_beyond(run: AnalysisRun, lon: np.ndarray, lat: np.ndarray) -> coverage_math.Nearest:
    """Nearest facility of the run (uncapped) for some points: what exports show for addresses
    beyond the largest radius of a straight-line run."""
    codes = run.inputs["facility_codes_used"]
    found = dict(Facility.objects.filter(code__in=codes).values_list("code", "location"))
    return coverage_math.nearest_facilities(lon, lat, np.array([found[c].x for c in codes]),
                                            np.array([found[c].y for c in codes]))


def load_result(run: AnalysisRun) -> dict[str, np.ndarray]:
    if not run.result_file or not Path(run.result_file).exists():
        raise DomainRuleError("该次分析没有保存逐地址结果（或结果文件已被清理）", "run")
    with np.load(run.result_file) as data:
        return {key: data[key] for key in data.files}


