"""The MIP formulations of MCLP, LSCP and p-median on merged demand rows, as sparse matrices for HiGHS.

Column order is always: the ``m`` candidate variables ``x`` first, then the row/pair variables. The
formulations are written out in the package docstring (``apps/analysis/siting/__init__.py``).
No Django import.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from apps.analysis.siting.highs import MipModel

INF = np.inf


def _ones_row(m: int) -> sp.csr_matrix:
    return sp.csr_matrix(np.ones((1, m)))


def mclp_model(cover: sp.csr_matrix, weight: np.ndarray, p: int) -> MipModel:
    """max Σ w_k y_k  s.t.  y_k <= Σ_{j∈S_k} x_j,  Σ x_j <= p;  x binary, 0 <= y <= 1."""
    k, m = cover.shape
    matrix = sp.bmat([[-cover, sp.identity(k)], [_ones_row(m), None]], format="csc")
    return MipModel(
        cost=np.concatenate([np.zeros(m), weight]),
        matrix=matrix,
        row_lower=np.full(k + 1, -INF),
        row_upper=np.concatenate([np.zeros(k), [float(p)]]),
        col_lower=np.zeros(m + k), col_upper=np.ones(m + k),
        integer=np.concatenate([np.ones(m, bool), np.zeros(k, bool)]), maximize=True)


def mclp_start(cover: sp.csr_matrix, sites: list[int]) -> np.ndarray:
    """Column values of the MCLP model for the open ``sites`` (a complete feasible start)."""
    x = np.zeros(cover.shape[1])
    x[sites] = 1.0
    return np.concatenate([x, (cover @ x > 0).astype(float)])


@dataclass(frozen=True)
class Pairs:
    """Allowed (row, column) pairs of an assignment model with their coefficient."""

    row: np.ndarray
    col: np.ndarray
    value: np.ndarray


def capacitated_mclp_model(cover: sp.csr_matrix, weight: np.ndarray, capacity: np.ndarray, p: int) -> MipModel:
    """max Σ z_kj  s.t.  Σ_j z_kj <= w_k,  Σ_k z_kj <= c_j x_j,  z_kj <= w_k x_j,  Σ x_j <= p.

    ``z_kj`` is the weight of row ``k`` served by site ``j`` (continuous: a row may be split).
    """
    k, m = cover.shape
    coo = cover.tocoo()
    pr, pc, n_pairs = coo.row, coo.col, coo.nnz
    z = np.arange(n_pairs)
    per_row = sp.csr_matrix((np.ones(n_pairs), (pr, m + z)), shape=(k, m + n_pairs))
    per_site = sp.csr_matrix((np.concatenate([-capacity, np.ones(n_pairs)]),
                              (np.concatenate([np.arange(m), pc]), np.concatenate([np.arange(m), m + z]))),
                             shape=(m, m + n_pairs))
    link = sp.csr_matrix((np.concatenate([-weight[pr], np.ones(n_pairs)]),
                          (np.concatenate([z, z]), np.concatenate([pc, m + z]))), shape=(n_pairs, m + n_pairs))
    budget = sp.csr_matrix((np.ones(m), (np.zeros(m, int), np.arange(m))), shape=(1, m + n_pairs))
    return MipModel(
        cost=np.concatenate([np.zeros(m), np.ones(n_pairs)]),
        matrix=sp.vstack([per_row, per_site, link, budget], format="csc"),
        row_lower=np.full(k + m + n_pairs + 1, -INF),
        row_upper=np.concatenate([weight, np.zeros(m + n_pairs), [float(p)]]),
        col_lower=np.zeros(m + n_pairs), col_upper=np.concatenate([np.ones(m), weight[pr]]),
        integer=np.concatenate([np.ones(m, bool), np.zeros(n_pairs, bool)]), maximize=True)


def lscp_model(cover: sp.csr_matrix, weight: np.ndarray, target: float | None) -> MipModel:
    """min Σ x_j  s.t.  y_k <= Σ_{j∈S_k} x_j,  Σ w_k y_k >= target  (``None``: every row, y_k = 1)."""
    k, m = cover.shape
    blocks = [[-cover, sp.identity(k)]]
    row_lower, row_upper = [np.full(k, -INF)], [np.zeros(k)]
    if target is not None:
        blocks.append([sp.csr_matrix((1, m)), sp.csr_matrix(weight.reshape(1, -1))])
        row_lower.append([float(target)])
        row_upper.append([INF])
    y_lower = np.ones(k) if target is None else np.zeros(k)
    return MipModel(
        cost=np.concatenate([np.ones(m), np.zeros(k)]),
        matrix=sp.bmat(blocks, format="csc"),
        row_lower=np.concatenate(row_lower), row_upper=np.concatenate(row_upper),
        col_lower=np.concatenate([np.zeros(m), y_lower]), col_upper=np.ones(m + k),
        integer=np.concatenate([np.ones(m, bool), np.zeros(k, bool)]), maximize=False)


def p_median_model(pairs: Pairs, weight: np.ndarray, n_rows: int, n_candidates: int, p: int,
                   capacity: np.ndarray | None = None) -> MipModel:
    """min Σ w_k d_kj z_kj  s.t.  Σ_j z_kj = 1,  z_kj <= x_j (candidates),  Σ x_j <= p;
    capacitated: Σ_k w_k z_kj <= c_j x_j (candidates) and <= c_e (existing, if finite).

    Columns ``j >= n_candidates`` of ``pairs`` are existing facilities: always open, no ``x``.
    """
    m, n_pairs = n_candidates, len(pairs.row)
    z = np.arange(n_pairs)
    n_cols = m + n_pairs
    assign = sp.csr_matrix((np.ones(n_pairs), (pairs.row, m + z)), shape=(n_rows, n_cols))
    cand = np.flatnonzero(pairs.col < m)
    link = sp.csr_matrix((np.concatenate([np.ones(len(cand)), -np.ones(len(cand))]),
                          (np.concatenate([np.arange(len(cand))] * 2), np.concatenate([m + cand, pairs.col[cand]]))),
                         shape=(len(cand), n_cols))
    budget = sp.csr_matrix((np.ones(m), (np.zeros(m, int), np.arange(m))), shape=(1, n_cols))
    blocks = [assign, link, budget]
    lower = [np.ones(n_rows), np.full(len(cand), -INF), [-INF]]
    upper = [np.ones(n_rows), np.zeros(len(cand)), [float(p)]]
    if capacity is not None:
        n_sites = len(capacity)
        cap = np.asarray(capacity, dtype=float)
        load = sp.csr_matrix((weight[pairs.row], (pairs.col, m + z)), shape=(n_sites, n_cols))
        load = load + sp.csr_matrix((-cap[:m], (np.arange(m), np.arange(m))), shape=(n_sites, n_cols))
        blocks.append(load)
        lower.append(np.full(n_sites, -INF))
        upper.append(np.concatenate([np.zeros(m), cap[m:]]))
    return MipModel(
        cost=np.concatenate([np.zeros(m), weight[pairs.row] * pairs.value]),
        matrix=sp.vstack(blocks, format="csc"),
        row_lower=np.concatenate(lower), row_upper=np.concatenate(upper),
        col_lower=np.zeros(n_cols), col_upper=np.ones(n_cols),
        integer=np.concatenate([np.ones(m, bool), np.zeros(n_pairs, bool)]), maximize=False)


def p_median_start(pairs: Pairs, n_rows: int, n_candidates: int, sites: list[int]) -> np.ndarray | None:
    """Column values assigning each row to its nearest open site (``None`` if a row has none open)."""
    is_open = np.zeros(int(pairs.col.max(initial=n_candidates - 1)) + 1, bool)
    is_open[n_candidates:] = True
    is_open[sites] = True
    usable = np.flatnonzero(is_open[pairs.col])
    order = usable[np.lexsort((pairs.col[usable], pairs.value[usable], pairs.row[usable]))]
    first = np.ones(len(order), bool)
    first[1:] = pairs.row[order][1:] != pairs.row[order][:-1]
    pick = order[first]
    if len(pick) != n_rows:
        return None
    x = np.zeros(n_candidates)
    x[sites] = 1.0
    z = np.zeros(len(pairs.row))
    z[pick] = 1.0
    return np.concatenate([x, z])
