"""Siting against brute-force enumeration, merging, marginal gains, the curve, time limits and errors."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from apps.analysis.siting import (InfeasibleProblem, InfeasibleTarget, build_coverage_problem, build_median_problem,
                                  coverage_curve, from_cover_matrix, greedy_preview, lscp, mclp, p_median)
from apps.analysis.siting import highs
from apps.analysis.siting.models import mclp_model

from tests.analysis.siting_instances import instance


def coverage_problem(inst):
    return build_coverage_problem(inst.dlon, inst.dlat, inst.weight, inst.clon, inst.clat, inst.radius,
                                  existing_lon=inst.elon, existing_lat=inst.elat)


def brute_covered(cost: np.ndarray, weight: np.ndarray, radius: float, m: int, sites) -> float:
    """Weight within ``radius`` of the existing facilities (columns >= m) or of ``sites``."""
    cols = list(sites) + list(range(m, cost.shape[1]))
    return float(weight[(cost[:, cols] <= radius).any(axis=1)].sum()) if cols else 0.0


def brute_distance(cost: np.ndarray, weight: np.ndarray, m: int, sites) -> float:
    cols = list(sites) + list(range(m, cost.shape[1]))
    return float(np.dot(weight, cost[:, cols].min(axis=1)))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("e", [0, 1])
def test_mclp_lscp_p_median_equal_enumeration_on_tiny_instances(seed: int, e: int) -> None:
    inst = instance(300 + seed, 40, 9, e, radius=1200.0)
    cost, problem = inst.cost(), coverage_problem(inst)
    for p in (1, 2, 3):
        best = max(brute_covered(cost, inst.weight, inst.radius, inst.m, s) for s in combinations(range(9), p))
        res = mclp(problem, p)
        assert res.optimal and res.objective == best
        assert brute_covered(cost, inst.weight, inst.radius, inst.m, res.sites) == best
    for share in (0.5, 0.8, 1.0):
        target = share * brute_covered(cost, inst.weight, inst.radius, inst.m, range(9))
        fewest = next(k for k in range(10) if any(
            brute_covered(cost, inst.weight, inst.radius, inst.m, s) >= target - 1e-9
            for s in combinations(range(9), k)))
        res = lscp(problem, share)
        assert res.optimal and len(res.sites) == fewest and res.covered_weight_after >= target - 1e-9
    median = build_median_problem(inst.weight, inst.m, inst.e, distance=cost)
    for p in (1, 3):
        best = min(brute_distance(cost, inst.weight, inst.m, s) for s in combinations(range(9), p))
        res = p_median(median, p)
        assert res.optimal and res.objective == pytest.approx(best, rel=1e-12)


def test_merged_model_has_the_same_optimum_as_the_unmerged_one() -> None:
    inst = instance(7, 300, 30, 2)
    problem = coverage_problem(inst)
    assert problem.merged.count.sum() < problem.n_demand and len(problem.merged.weight) < problem.n_demand
    rows = ~problem.existing_covered
    for p in (2, 5):
        unmerged = highs.solve(highs.load(mclp_model(problem.cover[rows], problem.weight[rows], p)))
        res = mclp(problem, p)
        assert unmerged.optimal and res.optimal
        assert res.objective == pytest.approx(problem.existing_weight + unmerged.objective, abs=1e-9)
    # merged groups: every original row kept in the model belongs to the group with its exact set
    m = problem.merged
    for i in np.flatnonzero(m.group_of_row >= 0)[:50]:
        assert problem.cover[i].indices.tolist() == sorted(m.matrix[m.group_of_row[i]].indices.tolist())
    kept = (m.group_of_row >= 0)
    assert m.weight.sum() == pytest.approx(problem.weight[kept].sum())
    assert not kept[problem.existing_covered].any()


def test_duplicated_points_merge_to_one_row_each() -> None:
    cover = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 0], [1, 0, 1], [0, 0, 0], [0, 1, 0]]))
    problem = from_cover_matrix(cover, np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
                                existing_covered=np.array([False, False, False, True, False, False]))
    assert len(problem.merged.weight) == 2
    assert sorted(problem.merged.weight.tolist()) == [3.0, 9.0]
    assert problem.merged.group_of_row[3] == -1 and problem.merged.group_of_row[4] == -1
    assert problem.coverable_weight == 16.0 and problem.existing_weight == 4.0
    res = mclp(problem, 1)
    assert res.sites == [1] and res.objective == 13.0 and res.rows_after_merge == 2


def test_marginal_gains_sum_to_the_improvement_and_do_not_increase() -> None:
    inst = instance(11, 250, 30, 1)
    res = mclp(coverage_problem(inst), 6)
    assert sum(res.marginal_gain) == pytest.approx(res.covered_weight_after - res.covered_weight_before)
    assert all(a >= b for a, b in zip(res.marginal_gain, res.marginal_gain[1:]))  # submodular coverage
    assert all(0 <= loss <= gain + 1e-9 for loss, gain in zip(res.removal_loss, res.marginal_gain))  # submodular
    assert res.covered_count_after >= res.covered_count_before
    med = p_median(build_median_problem(inst.weight, inst.m, inst.e, distance=inst.cost()), 4)
    assert sum(med.marginal_gain) == pytest.approx(med.total_distance_before - med.total_distance_after)


def test_coverage_curve_equals_separate_solves_and_enumeration() -> None:
    inst = instance(13, 60, 8, 1)
    problem, cost = coverage_problem(inst), inst.cost()
    curve = coverage_curve(problem, [3, 0, 1, 2, 5])
    assert [pt.p for pt in curve] == [0, 1, 2, 3, 5]
    for pt in curve:
        best = max(brute_covered(cost, inst.weight, inst.radius, inst.m, s) for s in combinations(range(8), pt.p))
        assert pt.optimal and pt.covered_weight == best == mclp(problem, pt.p).objective
        assert pt.covered_share == pytest.approx(best / inst.weight.sum())
    assert all(a.covered_weight <= b.covered_weight for a, b in zip(curve, curve[1:]))


def test_greedy_preview_is_never_above_the_optimum() -> None:
    for seed in range(5):
        problem = coverage_problem(instance(400 + seed, 200, 25, seed % 2))
        sites, weight = greedy_preview(problem, 4)
        assert len(sites) <= 4 and weight <= mclp(problem, 4).objective


def hard_instance(seed: int = 1) -> tuple[sp.csr_matrix, np.ndarray]:
    """Random unstructured coverage sets: no geometry for presolve to exploit, a large LP gap."""
    rng = np.random.default_rng(seed)
    cover = sp.random(4000, 400, density=0.02, random_state=rng, format="csr")
    return cover, rng.integers(1, 1000, 4000).astype(float)


def test_time_limited_solve_is_not_called_optimal() -> None:
    cover, weight = hard_instance()
    problem = from_cover_matrix(cover, weight)
    res = mclp(problem, 40, time_limit_s=0.2)
    assert not res.optimal and res.status == "Time limit reached"
    assert res.gap > 0 and res.bound > res.objective
    assert res.objective >= res.greedy_objective  # the warm start is kept as incumbent
    assert res.objective == problem.covered_weight(res.sites)


def test_lscp_targets_and_infeasible_targets() -> None:
    inst = instance(17, 150, 20, 1, radius=700.0)
    problem = coverage_problem(inst)
    assert problem.coverable_weight < problem.total_weight  # some demand no candidate reaches
    with pytest.raises(InfeasibleTarget, match="exceeds"):
        lscp(problem, 1.0, share_of="total")
    with pytest.raises(InfeasibleTarget):
        lscp(problem, 1.01)
    small = lscp(problem, problem.existing_weight / problem.coverable_weight)
    assert small.sites == [] and small.optimal
    counts = [len(lscp(problem, s).sites) for s in (0.5, 0.8, 0.95, 1.0)]
    assert counts == sorted(counts) and counts[-1] > counts[0]


def transport_cost(cost: np.ndarray, weight: np.ndarray, cap: np.ndarray, cols: list[int]) -> float:
    """Oracle of capacitated p-median for one set of open columns: a transportation LP (scipy)."""
    n, k = len(weight), len(cols)
    c = (weight[:, None] * cost[:, cols]).ravel()
    a_eq = sp.kron(sp.identity(n), np.ones((1, k)))
    a_ub = sp.kron(weight.reshape(1, -1), sp.identity(k))  # per open column: Σ_i w_i z_i <= capacity
    res = linprog(c, A_ub=a_ub, b_ub=np.minimum(cap[cols], weight.sum()), A_eq=a_eq, b_eq=np.ones(n), bounds=(0, 1), method="highs")
    return res.fun if res.status == 0 else np.inf


def served_lp(cover: np.ndarray, weight: np.ndarray, cap: np.ndarray, cols: list[int]) -> float:
    """Oracle of capacitated MCLP for one set of sites: max weight served within capacities (scipy LP)."""
    pairs = [(i, j) for i in range(len(weight)) for j in cols if cover[i, j]]
    if not pairs:
        return 0.0
    a = np.zeros((len(weight) + len(cols), len(pairs)))
    for t, (i, j) in enumerate(pairs):
        a[i, t] = 1.0
        a[len(weight) + cols.index(j), t] = 1.0
    res = linprog(-np.ones(len(pairs)), A_ub=a, b_ub=np.r_[weight, cap[cols]], bounds=(0, None), method="highs")
    return -res.fun


@pytest.mark.parametrize("seed", range(3))
def test_capacitated_variants_equal_enumeration(seed: int) -> None:
    inst = instance(500 + seed, 30, 7, 1, radius=1500.0)
    cost = inst.cost()
    cap = np.r_[np.full(inst.m, inst.weight.sum() / 4), np.inf]
    median = build_median_problem(inst.weight, inst.m, 1, distance=cost, capacity=cap)
    best = min(transport_cost(cost, inst.weight, cap, list(s) + [inst.m]) for s in combinations(range(7), 3))
    res = p_median(median, 3)
    assert res.optimal and res.objective == pytest.approx(best, rel=1e-7)
    problem = coverage_problem(inst)
    rows = ~problem.existing_covered
    cover = (cost[:, :inst.m] <= inst.radius) & rows[:, None]
    cap_m = cap[:inst.m] / 2
    best_cov = max(served_lp(cover, inst.weight, cap_m, list(s)) for s in combinations(range(7), 2))
    res = mclp(problem, 2, capacity=cap_m)
    assert res.optimal and res.objective == pytest.approx(problem.existing_weight + best_cov, abs=1e-6)


def test_capacities_too_small_are_reported_infeasible() -> None:
    inst = instance(21, 30, 5, 0)
    median = build_median_problem(inst.weight, inst.m, 0, distance=inst.cost(), capacity=np.full(5, 1.0))
    with pytest.raises(InfeasibleProblem):
        p_median(median, 2)


def test_p_median_cutoff_and_sparse_network_distances() -> None:
    inst = instance(23, 80, 10, 1)
    cost = inst.cost()
    cutoff = float(np.quantile(cost, 0.3))
    geo = build_median_problem(inst.weight, inst.m, 1, demand_lon=inst.dlon, demand_lat=inst.dlat,
                               site_lon=np.r_[inst.clon, inst.elon], site_lat=np.r_[inst.clat, inst.elat],
                               max_distance_m=cutoff)
    allowed = np.where(cost <= cutoff, cost, np.inf)
    served = np.isfinite(allowed).any(axis=1)
    assert np.array_equal(geo.unserved, ~served)
    # a "network" matrix: longer than geodesic by a per-pair detour factor, passed sparse
    detour = np.random.default_rng(0).uniform(1.1, 1.6, cost.shape)
    network = sp.csr_matrix(np.where(np.isfinite(allowed), cost * detour, 0.0))
    net = build_median_problem(inst.weight, inst.m, 1, distance=network)
    res = p_median(net, 2)
    dense = np.where(network.toarray() > 0, network.toarray(), np.inf)
    rows = np.isfinite(dense).any(axis=1)

    def total(s) -> float:
        d = dense[rows][:, list(s) + [inst.m]].min(axis=1)
        return float(np.dot(inst.weight[rows], d)) if np.isfinite(d).all() else np.inf

    assert res.optimal and res.objective == pytest.approx(min(total(s) for s in combinations(range(10), 2)))
    assert res.unserved_weight == pytest.approx(inst.weight[~rows].sum())


def test_merge_verifies_groups_entry_by_entry() -> None:
    from apps.analysis.siting.problem import _same_as, merge_identical_rows

    m = sp.csr_matrix(np.array([[0, 2.0, 3.0], [0, 2.0, 3.0], [0, 2.0, 4.0], [1.0, 0, 0], [0, 0, 0]]))
    assert _same_as(m, np.array([0, 0, 2, 3, 4]))
    assert not _same_as(m, np.array([0, 0, 0, 3, 4]))  # same columns, different value
    assert not _same_as(m, np.array([0, 0, 2, 1, 4]))  # different columns
    merged = merge_identical_rows(m, np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([True] * 4 + [False]))
    assert merged.group_of_row[0] == merged.group_of_row[1] and len(set(merged.group_of_row[:4])) == 3
    assert merged.group_of_row[4] == -1 and sorted(merged.weight.tolist()) == [3.0, 3.0, 4.0]


def test_zero_weight_rows_do_not_call_for_sites() -> None:
    cover = sp.csr_matrix(np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
    problem = from_cover_matrix(cover, np.array([5.0, 0.0, 2.0]))
    assert problem.merged.group_of_row[1] == -1 and len(problem.merged.weight) == 2
    res = lscp(problem, 1.0)
    assert sorted(res.sites) == [0, 2] and res.covered_weight_after == 7.0


def test_dual_bound_is_valid_for_any_dual_and_tight_at_the_lp_optimum() -> None:
    from apps.analysis.siting.core import dual_bound

    cover, weight = hard_instance(seed=3)
    cover, weight = cover[:600, :80], weight[:600]
    cover.data[:] = 1.0
    p = 6
    model = mclp_model(cover, weight, p)
    model.integer[:] = False
    h = highs.load(model)
    h.run()
    lp = h.getInfo().objective_function_value
    dual = np.abs(np.asarray(h.getSolution().row_dual))
    assert dual_bound(sp.csr_matrix(cover.T), weight, dual[:600], dual[600], p) == pytest.approx(lp, rel=1e-9)
    rng = np.random.default_rng(0)
    for _ in range(20):  # weak duality: every (π, μ) bounds the LP, whatever its quality
        pi, mu = rng.uniform(0, 1.2, 600) * weight, rng.uniform(0, 3000)
        assert dual_bound(sp.csr_matrix(cover.T), weight, pi, mu, p) >= lp - 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_core_solve_equals_the_full_mip(seed: int) -> None:
    inst = instance(600 + seed, 1500, 60, seed % 2, radius=1000.0, extent=0.1)
    problem = coverage_problem(inst)
    for p in (2, 5, 9):
        full, core = mclp(problem, p, core=False), mclp(problem, p, core=True)
        assert full.optimal and core.optimal and core.objective == full.objective
        assert core.bound == pytest.approx(core.objective) and core.notes[0].startswith("core:")
        assert problem.covered_weight(core.sites) == core.objective


def test_core_falls_back_to_the_full_mip_when_its_bound_is_not_reached() -> None:
    # unstructured sets: the LP relaxation is loose, so the dual bound cannot prove the core's optimum
    cover, weight = hard_instance(seed=1)
    problem = from_cover_matrix(cover[:800, :200], weight[:800])
    full, core = mclp(problem, 4, core=False), mclp(problem, 4, core=True)
    assert "not reached" in core.notes[0]
    assert core.optimal and full.optimal and core.objective == full.objective
    limited = mclp(from_cover_matrix(cover, weight), 40, core=True, time_limit_s=0.5)
    assert not limited.optimal and limited.bound > limited.objective and limited.gap > 0
