"""MCLP on a core of candidates with a proof for all of them: column generation with a dual bound.

For large merged models (tens of thousands of rows) most of HiGHS' time goes into the LP relaxation
over all candidates, while only a few hundred candidates matter. So:

1. Core: the greedy sites plus the ``CORE_PER_SITE × p`` candidates covering the most weight alone.
2. Solve the LP relaxation on the core, its rows re-merged by their candidate set *within the core*
   (rows no core candidate covers have y = 0 there).
3. Read a dual (π per row, μ for the budget) and turn it into an upper bound for the **full** MCLP.
   For any π with 0 <= π_k <= w_k and μ >= 0, weak duality of the full LP gives

       UB(π, μ) = p μ + Σ_k (w_k - π_k) + Σ_j max(0, Σ_{k∈S_j} π_k - μ)

   (the dual of  max Σ w y, y_k <= Σ_{j∈S_k} x_j, Σ x <= p, 0 <= x, y <= 1,  with the bound duals
   chosen optimally for the given π, μ). This needs no trust in signs or optimality of the LP duals:
   any such π, μ gives a valid bound, and the LP bound bounds the integer optimum. A core row's π is
   split over its member rows by weight; rows outside the core get π_k = w_k.
4. Candidates with Σ_{k∈S_j} π_k > μ (positive reduced cost) join the core; repeat until none does.
5. Solve the MIP on the final core exactly (HiGHS). Its sites are feasible for the full problem; if
   their coverage reaches the best bound (within ``mip_abs_gap``, or below the next integer when all
   weights are integers) they are proven optimal for the full problem. Otherwise the caller falls
   back to the full MIP, warm-started with them.
No Django import.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from apps.analysis.siting import highs
from apps.analysis.siting.models import mclp_model, mclp_start
from apps.analysis.siting.problem import merge_identical_rows

CORE_PER_SITE = 10  # initial core: greedy sites + the 10·p best single candidates
MAX_ADD = 200  # candidates joining the core per round
MAX_ROUNDS = 30


@dataclass(frozen=True)
class CoreOutcome:
    sites: list[int]
    covered: float  # model weight covered by ``sites`` (existing-covered rows not included)
    bound: float  # proven upper bound on the full model's optimum
    proven: bool
    core_size: int
    rounds: int
    seconds: float
    status: str


def dual_bound(cover_t: sp.csr_matrix, weight: np.ndarray, pi: np.ndarray, mu: float, p: int) -> float:
    """UB(π, μ) above, for the full model (``cover_t`` = candidates × rows)."""
    pi = np.clip(pi, 0.0, weight)
    mu = max(float(mu), 0.0)
    priced = cover_t @ pi - mu
    return float(p * mu + np.sum(weight - pi) + np.sum(np.maximum(priced, 0.0)))


def _core_lp(cover: sp.csr_matrix, weight: np.ndarray, cols: np.ndarray, p: int) -> tuple[np.ndarray, float]:
    """LP on the core columns with rows re-merged; returns π per full row and μ."""
    sub = sp.csr_matrix(cover[:, cols])
    inside = np.diff(sub.indptr) > 0
    merged = merge_identical_rows(sub, weight, inside)
    model = mclp_model(merged.matrix, merged.weight, p)
    model.integer[:] = False
    h = highs.load(model, presolve=False)
    h.run()
    dual = np.abs(np.asarray(h.getSolution().row_dual, dtype=float))  # magnitudes; validity is by clipping
    n_groups = len(merged.weight)
    pi = weight.astype(float).copy()  # rows outside the core: π_k = w_k
    group = merged.group_of_row[inside]
    pi[inside] = dual[:n_groups][group] * weight[inside] / np.maximum(merged.weight[group], 1e-300)
    return pi, float(dual[n_groups])


def solve_on_core(cover: sp.csr_matrix, weight: np.ndarray, p: int, greedy: list[int], *, time_limit_s: float,
                  mip_abs_gap: float, mip_rel_gap: float) -> CoreOutcome:
    """Column generation on the candidates, then the exact MIP on the final core (see module doc)."""
    began = time.perf_counter()
    cover = sp.csr_matrix(cover)
    cover_t = sp.csr_matrix(cover.T)
    integral = bool(np.all(weight == np.round(weight)))
    single = np.asarray(cover_t @ weight).ravel()
    core = set(greedy) | set(np.argsort(-single, kind="stable")[:CORE_PER_SITE * max(p, 1)].tolist())
    best_bound = float(weight.sum())
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        cols = np.array(sorted(core), dtype=np.int64)
        pi, mu = _core_lp(cover, weight, cols, p)
        best_bound = min(best_bound, dual_bound(cover_t, weight, pi, mu, p))
        priced = np.asarray(cover_t @ np.clip(pi, 0.0, weight)).ravel() - mu
        priced[cols] = 0.0
        joining = np.flatnonzero(priced > 1e-9)
        if len(joining) == 0 or time.perf_counter() - began > time_limit_s / 2:
            break
        core |= set(joining[np.argsort(-priced[joining], kind="stable")][:MAX_ADD].tolist())
    cols = np.array(sorted(core), dtype=np.int64)
    sub = sp.csr_matrix(cover[:, cols])
    merged = merge_identical_rows(sub, weight, np.diff(sub.indptr) > 0)
    position = {int(j): i for i, j in enumerate(cols)}
    start = mclp_start(merged.matrix, [position[j] for j in greedy])
    out = highs.solve(highs.load(mclp_model(merged.matrix, merged.weight, p), presolve=False),
                      time_limit_s=max(time_limit_s - (time.perf_counter() - began), 0.01), start=start,
                      mip_abs_gap=mip_abs_gap, mip_rel_gap=mip_rel_gap)
    sites = [int(cols[i]) for i in np.flatnonzero(out.values[:len(cols)] > 0.5)] if len(out.values) else greedy
    pick = np.zeros(cover.shape[1])
    pick[sites] = 1.0
    covered = float(weight[(cover @ pick) > 0].sum())
    bound = float(np.floor(best_bound + 1e-6)) if integral else best_bound
    proven = bound - covered <= mip_abs_gap + 1e-9 * max(1.0, covered) or (
        covered > 0 and (bound - covered) / covered <= mip_rel_gap)
    return CoreOutcome(sites, covered, max(bound, covered), bool(proven), len(cols), rounds,
                       time.perf_counter() - began, out.status)
