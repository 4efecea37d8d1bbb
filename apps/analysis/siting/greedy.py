"""Greedy siting: the instant preview, the warm start for HiGHS, and the order of marginal gains.

Coverage greedy: repeatedly open the candidate covering the most still-uncovered weight (ties: lowest
index). Weighted coverage is submodular, so greedy is within (1 - 1/e) of the MCLP optimum; in practice
97-99.5 % (domain notes). Median greedy: repeatedly open the site lowering the total weighted distance
most. The same routines, restricted to a chosen set, give each chosen site's marginal gain in order.
No Django import.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def greedy_cover(cover: sp.csr_matrix, weight: np.ndarray, *, p: int | None = None, target: float | None = None,
                 allowed: np.ndarray | None = None) -> tuple[list[int], list[float]]:
    """Sites in greedy order with the weight each newly covers, until ``p`` sites or ``target`` weight.

    ``cover`` is rows × candidates (rows already covered must be left out by the caller); ``allowed``
    restricts the candidates (e.g. to a chosen set). Stops early when no site adds weight.
    """
    csc = sp.csc_matrix(cover)
    remaining = np.asarray(weight, dtype=float).copy()
    usable = np.ones(csc.shape[1], bool) if allowed is None else np.asarray(allowed, bool).copy()
    chosen: list[int] = []
    gains: list[float] = []
    covered = 0.0
    while (p is None or len(chosen) < p) and (target is None or covered < target) and usable.any():
        gain = csc.T @ remaining
        gain[~usable] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        chosen.append(j)
        gains.append(float(gain[j]))
        covered += float(gain[j])
        usable[j] = False
        remaining[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]] = 0.0
    return chosen, gains


def greedy_median(row: np.ndarray, col: np.ndarray, distance: np.ndarray, weight: np.ndarray,
                  current: np.ndarray, *, p: int) -> tuple[list[int], list[float]]:
    """Sites in greedy order with the reduction of total weighted distance each brings.

    The allowed (``row``, candidate ``col``) pairs with their ``distance`` are given sparse (memory
    grows with the pairs, not rows × candidates); ``current`` is each row's distance to the facilities
    already open (``inf`` when none). An unserved row counts as a penalty larger than any distance,
    so serving rows always comes before shortening distances.
    """
    finite = distance[np.isfinite(distance)]
    penalty = (float(finite.max()) if finite.size else 1.0) * 2.0 + 1.0
    cur = np.where(np.isfinite(current), current, penalty)
    w = np.asarray(weight, dtype=float)
    n_cols = int(col.max()) + 1 if len(col) else 0
    usable = np.ones(n_cols, bool)
    chosen: list[int] = []
    gains: list[float] = []
    while len(chosen) < p and usable.any():
        gain = np.bincount(col, weights=w[row] * np.maximum(cur[row] - distance, 0.0), minlength=n_cols)
        gain[~usable] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        chosen.append(j)
        gains.append(float(gain[j]))
        usable[j] = False
        mine = col == j
        cur[row[mine]] = np.minimum(cur[row[mine]], distance[mine])
    return chosen, gains
