"""Facility siting (service): choose new sites among candidates with the existing facilities
fixed, by MCLP, LSCP or p-median (exact HiGHS solves from `apps.analysis.siting`).

Candidates come from the registers: facilities of some kinds (existing public buildings,
community centres), any set of addresses, a regular grid over a division, or explicit points.
Demand is the current addresses of the area with the chosen weight. The run stores its inputs,
the chosen sites (with marginal gains), coverage before/after, the optimality proof (or the gap
of a time-limited solve) and, for MCLP, the coverage-vs-number-of-sites curve.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np
import shapely
from django.db import connection, transaction
from django.utils import timezone

from apps.common.errors import DomainRuleError
from apps.common.coords import transform_geometry
from apps.common.shapes import gauss_kruger_plane, to_shapely
from apps.divisions.models import Division
from apps.facilities.models import Facility, Status

from . import siting
from .coverage import results_dir, select_facilities
from .demand import WEIGHTS, demand_for
from .models import AnalysisRun, RunKind, RunStatus

MODELS = ("mclp", "lscp", "pmedian")
SOURCES = ("facilities", "addresses", "grid", "points")
MAX_CANDIDATES = 5000
MAX_CURVE = 30


@dataclass
class SitingRequest:
    county: Division
    model: str
    candidate_source: str
    p: int = 1
    radius_m: float = 1000.0
    target_share: float = 1.0
    target_of: str = "coverable"
    weight: str = "households"
    division: str = ""
    existing_kinds: list[str] = field(default_factory=list)
    existing_statuses: list[str] = field(default_factory=lambda: [Status.OPERATING])
    candidate_kinds: list[str] = field(default_factory=list)
    candidate_division: str = ""
    grid_spacing_m: float = 500.0
    points: list[tuple[float, float]] = field(default_factory=list)
    capacity: float | None = None
    max_distance_m: float = 5000.0
    time_limit_s: float = 60.0
    curve_max_p: int = 0
    name: str = ""

    def as_inputs(self) -> dict:
        data = asdict(self)
        data.pop("county")
        data["county"] = self.county.code
        return data


@dataclass(frozen=True)
class Candidates:
    lon: np.ndarray
    lat: np.ndarray
    labels: list[str]


def _grid(division: Division, spacing_m: float) -> Candidates:
    """Points every `spacing_m` metres (in the division's Gauss-Krüger zone) inside its polygon."""
    if division.geometry is None:
        raise DomainRuleError(f"{division.name} 没有边界，不能布设网格候选点", "candidate_division")
    polygon = to_shapely(division.geometry)
    to_plane, to_lonlat = gauss_kruger_plane(polygon.centroid.x)
    plane = transform_geometry(polygon, to_plane.transform)
    x0, y0, x1, y1 = plane.bounds
    xs, ys = np.meshgrid(np.arange(x0 + spacing_m / 2, x1, spacing_m), np.arange(y0 + spacing_m / 2, y1, spacing_m))
    xs, ys = xs.ravel(), ys.ravel()
    if len(xs) > 20 * MAX_CANDIDATES:
        raise DomainRuleError("网格间距太小，候选点过多", "grid_spacing_m")
    inside = shapely.contains_xy(plane, xs, ys)
    lon, lat = to_lonlat.transform(xs[inside], ys[inside])
    return Candidates(np.asarray(lon), np.asarray(lat), [f"网格点{k + 1}" for k in range(int(inside.sum()))])


def _addresses(prefix: str) -> Candidates:
    with connection.cursor() as cur:
        cur.execute("""SELECT code, ST_X(location), ST_Y(location) FROM addresses_address
                       WHERE valid_to IS NULL AND level = 'door' AND division_code LIKE %s
                       ORDER BY code LIMIT %s""", [prefix + "%", MAX_CANDIDATES + 1])
        rows = cur.fetchall()
    return Candidates(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]), [r[0] for r in rows])


def candidates_for(request: SitingRequest) -> Candidates:
    source = request.candidate_source
    if source == "facilities":
        found = select_facilities(request.county, request.candidate_kinds,
                                  [s for s in Status.values if s != Status.CLOSED], [])
        found_c = Candidates(found.lon, found.lat, [f"{c} {n}" for c, n in zip(found.codes, found.names)])
    elif source == "addresses":
        found_c = _addresses(request.candidate_division or request.division or request.county.code)
    elif source == "grid":
        division = Division.objects.filter(code=request.candidate_division or request.division or request.county.code,
                                           valid_to__isnull=True).first()
        if division is None:
            raise DomainRuleError("没有该区划", "candidate_division")
        found_c = _grid(division, request.grid_spacing_m)
    else:
        found_c = Candidates(np.array([p[0] for p in request.points]), np.array([p[1] for p in request.points]),
                             [f"候选点{k + 1}" for k in range(len(request.points))])
    if len(found_c.labels) == 0:
        raise DomainRuleError("没有候选点", "candidate_source")
    if len(found_c.labels) > MAX_CANDIDATES:
        raise DomainRuleError(f"候选点超过 {MAX_CANDIDATES} 个，请缩小范围或加大网格间距", "candidate_source")
    return found_c


def _validate(request: SitingRequest) -> None:
    if request.model not in MODELS:
        raise DomainRuleError(f"model 应为 {'、'.join(MODELS)} 之一", "model")
    if request.candidate_source not in SOURCES:
        raise DomainRuleError(f"candidate_source 应为 {'、'.join(SOURCES)} 之一", "candidate_source")
    if request.weight not in WEIGHTS:
        raise DomainRuleError(f"weight 应为 {'、'.join(WEIGHTS)} 之一", "weight")
    if request.model != "lscp" and not 1 <= request.p <= 200:
        raise DomainRuleError("p 应为 1–200", "p")
    if not 0 < request.target_share <= 1:
        raise DomainRuleError("target_share 应在 (0, 1] 之间", "target_share")
    if request.curve_max_p > MAX_CURVE:
        raise DomainRuleError(f"曲线最多到 {MAX_CURVE} 个站点", "curve_max_p")


def _existing(request: SitingRequest) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if not request.existing_kinds:
        return np.array([]), np.array([]), []
    found = Facility.objects.filter(county=request.county, kind__code__in=request.existing_kinds,
                                    status__in=request.existing_statuses).order_by("code")
    rows = list(found.values_list("code", "location"))
    return np.array([r[1].x for r in rows]), np.array([r[1].y for r in rows]), [r[0] for r in rows]


def _solve(request: SitingRequest, weights: np.ndarray, lon: np.ndarray, lat: np.ndarray, cand: Candidates,
           ex_lon: np.ndarray, ex_lat: np.ndarray) -> tuple[siting.SitingResult, list]:
    capacity = None if request.capacity is None else np.full(len(cand.labels), float(request.capacity))
    if request.model == "pmedian":
        problem = siting.build_median_problem(
            weights, len(cand.labels), len(ex_lon), demand_lon=lon, demand_lat=lat,
            site_lon=np.concatenate([cand.lon, ex_lon]), site_lat=np.concatenate([cand.lat, ex_lat]),
            max_distance_m=request.max_distance_m,
            capacity=None if capacity is None else np.concatenate([capacity, np.full(len(ex_lon), np.inf)]))
        return siting.p_median(problem, request.p, time_limit_s=request.time_limit_s), []
    problem = siting.build_coverage_problem(lon, lat, weights, cand.lon, cand.lat, request.radius_m,
                                            ex_lon if len(ex_lon) else None, ex_lat if len(ex_lat) else None)
    if request.model == "lscp":
        return siting.lscp(problem, request.target_share, share_of=request.target_of,
                           time_limit_s=request.time_limit_s), []
    result = siting.mclp(problem, request.p, capacity=capacity, time_limit_s=request.time_limit_s)
    curve = []
    if request.curve_max_p:
        curve = [asdict(point) for point in siting.coverage_curve(problem, list(range(1, request.curve_max_p + 1)),
                                                                  time_limit_s=request.time_limit_s)]
    return result, curve


def _finite(value):  # type: ignore[no-untyped-def]
    """JSON has no Infinity/NaN: a distance with no facility open is reported as null."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@transaction.atomic
def run_siting(request: SitingRequest, *, actor: str, run: AnalysisRun | None = None) -> AnalysisRun:
    _validate(request)
    if run is None:
        run = AnalysisRun.objects.create(kind=RunKind.SITING, name=request.name, county=request.county,
                                         inputs=request.as_inputs(), created_by=actor, status=RunStatus.RUNNING)
    started = time.perf_counter()
    demand = demand_for(request.division or request.county.code)
    weights = demand.weights(request.weight)
    cand = candidates_for(request)
    ex_lon, ex_lat, ex_codes = _existing(request)
    try:
        result, curve = _solve(request, weights, demand.lon, demand.lat, cand, ex_lon, ex_lat)
    except (siting.InfeasibleTarget, siting.InfeasibleProblem) as exc:
        raise DomainRuleError(str(exc), "target_share") from exc
    chosen = [{"rank": k + 1, "candidate": int(j), "label": cand.labels[j], "lon": float(cand.lon[j]),
               "lat": float(cand.lat[j]), "marginal_gain": float(g), "removal_loss": float(r)}
              for k, (j, g, r) in enumerate(zip(result.sites, result.marginal_gain, result.removal_loss))]
    path = results_dir() / f"run-{run.pk}.npz"
    np.savez(path, candidate_lon=cand.lon, candidate_lat=cand.lat, chosen=np.asarray(result.sites, dtype=np.int64))
    outcome = {k: _finite(v) for k, v in asdict(result).items() if k not in ("sites", "marginal_gain", "removal_loss")}
    run.summary = {"model": request.model, "weight": request.weight, "weight_label": WEIGHTS[request.weight],
                   "demand_points": len(demand), "candidates": len(cand.labels), "existing": ex_codes,
                   "chosen": chosen, "result": outcome, "curve": curve}
    run.result_file = str(path)
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.seconds = round(time.perf_counter() - started, 4)
    run.save()
    return run
