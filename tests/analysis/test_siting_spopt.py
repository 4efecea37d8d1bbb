"""Siting objectives equal spopt's (PySAL spopt.locate with PuLP/CBC) on small random instances.

spopt is the independent oracle: it builds its own dense model from the same geodesic cost matrix
(pyproj.Geod per pair) and solves it with CBC; we solve merged models with HiGHS.
"""

from __future__ import annotations

import numpy as np
import pulp
import pytest
from spopt.locate import LSCP, MCLP, PMedian

from apps.analysis.siting import build_coverage_problem, build_median_problem, lscp, mclp, p_median

from tests.analysis.siting_instances import instance

# PuLP 3.3 announces its 4.0 API on every variable spopt creates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CASES = [(seed, n, m, e) for seed, (n, m) in enumerate([(50, 10), (120, 20), (200, 30), (300, 40)])
         for e in (0, 2)]


def cbc() -> pulp.LpSolver:
    return pulp.PULP_CBC_CMD(msg=False)


def predefined(inst) -> np.ndarray | None:
    return np.r_[np.zeros(inst.m), np.ones(inst.e)].astype(int) if inst.e else None


def coverage_problem(inst):
    return build_coverage_problem(inst.dlon, inst.dlat, inst.weight, inst.clon, inst.clat, inst.radius,
                                  existing_lon=inst.elon, existing_lat=inst.elat)


@pytest.mark.parametrize("seed,n,m,e", CASES)
@pytest.mark.parametrize("p", [1, 3, 6])
@pytest.mark.parametrize("core", [False, True])
def test_mclp_objective_equals_spopt(seed: int, n: int, m: int, e: int, p: int, core: bool) -> None:
    inst = instance(seed, n, m, e)
    ours = mclp(coverage_problem(inst), p, core=core)
    theirs = MCLP.from_cost_matrix(inst.cost(), inst.weight, inst.radius, p + e,
                                   predefined_facilities_arr=predefined(inst)).solve(cbc())
    assert theirs.problem.status == pulp.LpStatusOptimal
    assert ours.optimal and ours.gap == 0.0
    assert ours.objective == pytest.approx(pulp.value(theirs.problem.objective), abs=1e-6)
    assert ours.greedy_objective <= ours.objective + 1e-9
    assert ours.covered_weight_after == ours.objective


@pytest.mark.parametrize("seed,n,m,e", CASES)
def test_lscp_full_cover_site_count_equals_spopt(seed: int, n: int, m: int, e: int) -> None:
    inst = instance(100 + seed, n, m, e, radius=1500.0)
    cost = inst.cost()
    coverable = (cost <= inst.radius).any(axis=1)  # spopt's LSCP must cover every row it is given
    inst.dlon, inst.dlat, inst.weight = inst.dlon[coverable], inst.dlat[coverable], inst.weight[coverable]
    ours = lscp(coverage_problem(inst), 1.0)
    theirs = LSCP.from_cost_matrix(cost[coverable], inst.radius,
                                   predefined_facilities_arr=predefined(inst)).solve(cbc())
    assert theirs.problem.status == pulp.LpStatusOptimal
    assert ours.optimal
    assert len(ours.sites) + inst.e == round(pulp.value(theirs.problem.objective))
    assert ours.covered_weight_after == pytest.approx(inst.weight.sum())
    assert len(ours.greedy_sites) >= len(ours.sites)


@pytest.mark.parametrize("seed,n,m,e", CASES[:6])
@pytest.mark.parametrize("p", [1, 4])
def test_p_median_objective_equals_spopt(seed: int, n: int, m: int, e: int, p: int) -> None:
    inst = instance(200 + seed, n, m, e)
    cost = inst.cost()
    problem = build_median_problem(inst.weight, inst.m, inst.e, demand_lon=inst.dlon, demand_lat=inst.dlat,
                                   site_lon=np.r_[inst.clon, inst.elon], site_lat=np.r_[inst.clat, inst.elat])
    ours = p_median(problem, p)
    theirs = PMedian.from_cost_matrix(cost, inst.weight, p + e,
                                      predefined_facilities_arr=predefined(inst)).solve(cbc())
    assert theirs.problem.status == pulp.LpStatusOptimal
    assert ours.optimal
    assert ours.objective == pytest.approx(pulp.value(theirs.problem.objective), rel=1e-9)
    assert ours.greedy_objective >= ours.objective - 1e-6
    # the same objective from a precomputed matrix (how network distances will be passed)
    again = p_median(build_median_problem(inst.weight, inst.m, inst.e, distance=cost), p)
    assert again.objective == pytest.approx(ours.objective, rel=1e-12)
