"""The siting entry points: MCLP, LSCP, p-median and the coverage-vs-sites curve, solved exactly by HiGHS.

Each solve runs greedy first (preview and complete warm start), then HiGHS on the merged rows with a
time limit, and re-evaluates the chosen sites on the problem itself (objective, coverage before and
after, marginal gains). See the package docstring for the formulations. No Django import.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from apps.analysis.siting import highs
from apps.analysis.siting.core import solve_on_core
from apps.analysis.siting.greedy import greedy_cover, greedy_median
from apps.analysis.siting.median import MedianProblem
from apps.analysis.siting.models import (Pairs, capacitated_mclp_model, lscp_model, mclp_model, mclp_start,
                                         p_median_model, p_median_start)
from apps.analysis.siting.problem import CoverageProblem
from apps.analysis.siting.result import CurvePoint, SitingResult, order_by_gain


CORE_MIN_ROWS = 5_000  # below this the full MIP is solved directly (fast enough; measured 0.01-0.3 s)


class InfeasibleTarget(ValueError):
    """The asked coverage cannot be reached even with every candidate open."""


class InfeasibleProblem(ValueError):
    """HiGHS proved the model infeasible (e.g. capacities or a distance cutoff too tight for p sites)."""


def _rel_gap(objective: float, bound: float) -> float:
    diff = abs(bound - objective)
    return 0.0 if diff <= 1e-12 * max(1.0, abs(objective)) else diff / max(abs(objective), 1e-300)


def _open(values: np.ndarray, m: int) -> list[int]:
    return [int(j) for j in np.flatnonzero(values[:m] > 0.5)]


def _check_outcome(out: highs.MipOutcome, what: str) -> None:
    if len(out.values) == 0:
        if out.status.lower().startswith("infeasible"):
            raise InfeasibleProblem(f"{what}: HiGHS proved the model infeasible")
        raise InfeasibleProblem(f"{what}: no solution found ({out.status})")


def _coverage_result(problem: CoverageProblem, model: str, sites: list[int], out: highs.MipOutcome,
                     bound: float, greedy: list[int], **extra: object) -> SitingResult:
    m = problem.merged

    def covered(subset: list[int]) -> float:
        pick = np.zeros(problem.n_candidates)
        pick[subset] = 1.0
        return problem.existing_weight + float(m.weight[(m.matrix @ pick) > 0].sum())

    ordered, gains, removal = order_by_gain(sites, covered, maximize=True)
    after = problem.covered_rows(sites)
    objective = covered(sites) if model == "mclp" else float(len(sites))
    return SitingResult(
        model=model, sites=ordered, marginal_gain=gains, removal_loss=removal, objective=objective, bound=bound,
        gap=_rel_gap(objective, bound), optimal=out.optimal, status=out.status, solve_seconds=out.seconds,
        greedy_sites=greedy, greedy_objective=covered(greedy) if model == "mclp" else float(len(greedy)),
        rows_before_merge=problem.n_demand, rows_after_merge=len(m.weight),
        covered_weight_before=problem.existing_weight, covered_weight_after=float(problem.weight[after].sum()),
        covered_count_before=int(problem.existing_covered.sum()), covered_count_after=int(after.sum()),
        total_weight=problem.total_weight, **extra)  # type: ignore[arg-type]


# Merged MCLP rows leave HiGHS' presolve almost nothing to remove (-3 % rows) at a high price: on
# 200k x 2,000 instances it took 40-55 % of the solve time (11.6 s -> 5.8 s, 2.7 s -> 1.4 s; the grid
# instance of bench/siting.py 0.32 s -> 0.30 s). So the MCLP models are solved without it.


def mclp(problem: CoverageProblem, p: int, *, capacity: np.ndarray | None = None,
         time_limit_s: float = highs.DEFAULT_TIME_LIMIT_S, mip_abs_gap: float = highs.DEFAULT_ABS_GAP,
         mip_rel_gap: float = highs.DEFAULT_REL_GAP, warm_start: bool = True,
         threads: int | None = None, core: bool | None = None) -> SitingResult:
    """Maximal covering: at most ``p`` new sites maximising covered weight (existing facilities fixed).

    ``capacity`` (weight units per candidate) gives the capacitated variant: each site serves at most
    its capacity of the demand it covers (demand may be split between sites; existing facilities are
    uncapacitated, their demand counts as served). Sites that add nothing are not opened.
    ``core``: solve on a core of candidates with a dual-bound proof for all (``core.py``); by default
    for uncapacitated models of at least ``CORE_MIN_ROWS`` merged rows. If the proof fails, the full
    MIP runs, warm-started from the core's sites.
    """
    if p < 0:
        raise ValueError("p must be >= 0")
    m = problem.merged
    greedy, _ = greedy_cover(m.matrix, m.weight, p=p)
    use_core = capacity is None and (len(m.weight) >= CORE_MIN_ROWS if core is None else core)
    core_note: list[str] = []
    start_sites = greedy
    if use_core:
        began = time.perf_counter()
        co = solve_on_core(m.matrix, m.weight, p, greedy, time_limit_s=time_limit_s,
                           mip_abs_gap=mip_abs_gap, mip_rel_gap=mip_rel_gap)
        core_note = [f"core: {co.core_size} of {problem.n_candidates} candidates, {co.rounds} pricing rounds, "
                     f"bound {'reached' if co.proven else 'not reached'} in {co.seconds:.3f} s"]
        if co.proven:
            out = highs.MipOutcome(np.zeros(0), co.covered, co.bound, 0.0, True,
                                   "Optimal (core MIP + dual bound over all candidates)", co.seconds)
            result = _coverage_result(problem, "mclp", sorted(co.sites), out,
                                      problem.existing_weight + co.bound, greedy)
            result.notes.extend(core_note)
            return result
        if problem.covered_weight(co.sites) >= problem.covered_weight(greedy):
            start_sites = co.sites
        time_limit_s = max(time_limit_s - (time.perf_counter() - began), 0.01)
    if capacity is None:
        h = highs.load(mclp_model(m.matrix, m.weight, p), threads=threads, presolve=False)
        start = mclp_start(m.matrix, start_sites) if warm_start or use_core else None
    else:
        cap = np.asarray(capacity, dtype=float)
        if cap.shape != (problem.n_candidates,):
            raise ValueError(f"capacity has shape {cap.shape}, expected ({problem.n_candidates},)")
        h = highs.load(capacitated_mclp_model(m.matrix, m.weight, cap, p), threads=threads)
        start = None  # a feasible split of demand would need a flow; HiGHS finds its own start quickly
    out = highs.solve(h, time_limit_s=time_limit_s, start=start, mip_abs_gap=mip_abs_gap, mip_rel_gap=mip_rel_gap)
    _check_outcome(out, "MCLP")
    sites = _open(out.values, problem.n_candidates)
    bound = problem.existing_weight + out.bound
    if capacity is None:
        if use_core:
            bound = min(bound, problem.existing_weight + co.bound)
        result = _coverage_result(problem, "mclp", sites, out, bound, greedy)
        result.notes.extend(core_note)
        return result
    served = out.values[problem.n_candidates:]
    coo = m.matrix.tocoo()
    per_site = np.bincount(coo.col, weights=served, minlength=problem.n_candidates)
    ordered = sorted(sites, key=lambda j: (-per_site[j], j))
    objective = problem.existing_weight + float(served.sum())
    return SitingResult(
        model="mclp_capacitated", sites=ordered, marginal_gain=[float(per_site[j]) for j in ordered],
        removal_loss=[float("nan")] * len(ordered), objective=objective, bound=bound,
        gap=_rel_gap(objective, bound), optimal=out.optimal, status=out.status, solve_seconds=out.seconds,
        greedy_sites=greedy, greedy_objective=float("nan"), rows_before_merge=problem.n_demand,
        rows_after_merge=len(m.weight), covered_weight_before=problem.existing_weight,
        covered_weight_after=objective, covered_count_before=int(problem.existing_covered.sum()),
        total_weight=problem.total_weight,
        notes=["capacitated: marginal_gain is the weight each site serves, sites ordered by it; "
               "covered_count_after is not defined when demand is split"])


def lscp(problem: CoverageProblem, target_share: float = 1.0, *, share_of: str = "coverable",
         time_limit_s: float = highs.DEFAULT_TIME_LIMIT_S, mip_abs_gap: float = highs.DEFAULT_ABS_GAP,
         mip_rel_gap: float = highs.DEFAULT_REL_GAP, warm_start: bool = True,
         threads: int | None = None) -> SitingResult:
    """Fewest new sites so that covered weight (existing included) >= ``target_share`` of the
    ``coverable`` weight (what all candidates plus existing facilities reach) or of the ``total``.

    Raises ``InfeasibleTarget`` when the target exceeds what every candidate together reaches.
    """
    if share_of not in ("coverable", "total"):
        raise ValueError("share_of must be 'coverable' or 'total'")
    base = problem.coverable_weight if share_of == "coverable" else problem.total_weight
    target = float(target_share) * base
    reachable = problem.coverable_weight
    if target > reachable * (1 + 1e-12):
        share = reachable / problem.total_weight if problem.total_weight else 0.0
        raise InfeasibleTarget(f"target {target_share:.4g} of the {share_of} weight ({target:.6g}) exceeds the "
                               f"{reachable:.6g} reachable with every candidate open ({share:.4%} of the total)")
    m = problem.merged
    need = max(0.0, target - problem.existing_weight)  # what the new sites must add
    every_row = need >= float(m.weight.sum()) * (1 - 1e-12)
    greedy, _ = greedy_cover(m.matrix, m.weight, target=need * (1 - 1e-12))
    h = highs.load(lscp_model(m.matrix, m.weight, None if every_row else need), threads=threads)
    start = mclp_start(m.matrix, greedy) if warm_start else None
    out = highs.solve(h, time_limit_s=time_limit_s, start=start, mip_abs_gap=mip_abs_gap, mip_rel_gap=mip_rel_gap)
    _check_outcome(out, "LSCP")
    sites = _open(out.values, problem.n_candidates)
    return _coverage_result(problem, "lscp", sites, out, float(np.ceil(out.bound - 1e-6)), greedy,
                            target_weight=target)


def p_median(problem: MedianProblem, p: int, *, time_limit_s: float = highs.DEFAULT_TIME_LIMIT_S,
             mip_abs_gap: float = highs.DEFAULT_ABS_GAP, mip_rel_gap: float = highs.DEFAULT_REL_GAP,
             warm_start: bool = True, threads: int | None = None) -> SitingResult:
    """p-median: at most ``p`` new sites minimising total weighted distance (existing facilities open).

    Capacities come with the problem (``build_median_problem(capacity=...)``); demand may then be split.
    """
    mp, k = problem.merged_pairs, len(problem.merged.weight)
    w, m = problem.merged.weight, problem.n_candidates
    cand = mp.col < m
    current = np.full(k, np.inf)
    np.minimum.at(current, mp.row[~cand], mp.value[~cand])
    greedy, _ = greedy_median(mp.row[cand], mp.col[cand], mp.value[cand], w, current, p=p)
    model = p_median_model(mp, w, k, m, p, problem.capacity)
    start = p_median_start(mp, k, m, greedy) if warm_start and problem.capacity is None else None
    out = highs.solve(highs.load(model, threads=threads), time_limit_s=time_limit_s, start=start,
                      mip_abs_gap=mip_abs_gap, mip_rel_gap=mip_rel_gap)
    _check_outcome(out, "p-median")
    sites = _open(out.values, m)
    unserved = float(problem.weight[problem.unserved].sum())
    if problem.capacity is not None:
        objective = out.objective
        return SitingResult(
            model="p_median_capacitated", sites=sites, marginal_gain=[float("nan")] * len(sites),
            removal_loss=[float("nan")] * len(sites), objective=objective, bound=out.bound,
            gap=_rel_gap(objective, out.bound), optimal=out.optimal, status=out.status,
            solve_seconds=out.seconds, greedy_sites=greedy, greedy_objective=float("nan"),
            rows_before_merge=problem.n_demand, rows_after_merge=k, total_distance_after=objective,
            unserved_weight=unserved, total_weight=float(problem.weight.sum()),
            notes=["capacitated: sites in index order, no marginal gains (they would need a re-solve each)"])
    served_w = float(w.sum())
    finite = mp.value[np.isfinite(mp.value)]
    penalty = 2.0 * float(finite.max(initial=0.0)) + 1.0

    def cost(subset: list[int]) -> float:
        # rows no open site serves count at a penalty above any distance, so gains stay finite
        is_open = np.zeros(m + problem.n_existing, bool)
        is_open[m:] = True
        is_open[subset] = True
        best = np.full(k, penalty)
        use = is_open[mp.col]
        np.minimum.at(best, mp.row[use], mp.value[use])
        return float(np.dot(w, best))

    ordered, gains, removal = order_by_gain(sites, cost, maximize=False)
    objective = problem.total_distance(sites)
    before = problem.total_distance([])
    return SitingResult(
        model="p_median", sites=ordered, marginal_gain=gains, removal_loss=removal, objective=objective,
        bound=out.bound, gap=_rel_gap(objective, out.bound), optimal=out.optimal, status=out.status,
        solve_seconds=out.seconds, greedy_sites=greedy, greedy_objective=problem.total_distance(greedy),
        rows_before_merge=problem.n_demand, rows_after_merge=k, total_distance_before=before,
        total_distance_after=objective, unserved_weight=unserved, total_weight=served_w + unserved,
        notes=[f"marginal gains count a row no open site serves at {penalty:.6g} per unit weight"]
        if not np.isfinite(before) else [])


def coverage_curve(problem: CoverageProblem, p_values: Sequence[int], *,
                   time_limit_s: float = highs.DEFAULT_TIME_LIMIT_S, mip_abs_gap: float = highs.DEFAULT_ABS_GAP,
                   mip_rel_gap: float = highs.DEFAULT_REL_GAP, threads: int | None = None) -> list[CurvePoint]:
    """Optimal covered weight (existing included) for each ``p``: one merged MCLP model, its budget row
    changed per ``p`` (ascending), each solve warm-started from the previous ``p``'s sites (or greedy)."""
    m = problem.merged
    values = sorted(set(int(p) for p in p_values))
    h = highs.load(mclp_model(m.matrix, m.weight, values[0] if values else 0), threads=threads, presolve=False)
    budget_row = len(m.weight)
    previous: list[int] = []
    points = []
    for p in values:
        h.changeRowBounds(budget_row, -np.inf, float(p))
        greedy, _ = greedy_cover(m.matrix, m.weight, p=p)
        seed = previous if problem.covered_weight(previous) > problem.covered_weight(greedy) else greedy
        out = highs.solve(h, time_limit_s=time_limit_s, start=mclp_start(m.matrix, seed),
                          mip_abs_gap=mip_abs_gap, mip_rel_gap=mip_rel_gap)
        _check_outcome(out, f"MCLP p={p}")
        sites = _open(out.values, problem.n_candidates)
        weight = problem.covered_weight(sites)
        bound = problem.existing_weight + out.bound
        share = weight / problem.total_weight if problem.total_weight else 0.0
        points.append(CurvePoint(p, weight, share, sites, out.optimal, _rel_gap(weight, bound), out.seconds))
        previous = sites
    return points


def greedy_preview(problem: CoverageProblem, p: int) -> tuple[list[int], float]:
    """Instant MCLP preview: greedy sites (in order) and the weight they cover with the existing ones."""
    sites, _ = greedy_cover(problem.merged.matrix, problem.merged.weight, p=p)
    return sites, problem.covered_weight(sites)


__all__ = ["InfeasibleProblem", "InfeasibleTarget", "Pairs", "coverage_curve", "greedy_preview", "lscp",
           "mclp", "p_median"]
