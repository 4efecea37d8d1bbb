"""Siting inputs as matrices: coverage sets (who each candidate covers) and the merged demand rows.

A ``CoverageProblem`` is what MCLP and LSCP solve: a sparse demand × candidate cover matrix, the
demand weights and which demand an existing (fixed, already open) facility covers already. Coverage
sets come from ``coverage_math.pairs_within`` (the exact geodesic rule) or from any 0/1 matrix the
caller builds, e.g. from road-network distances (``from_cover_matrix``).

Merging: two demand rows with the same candidate set are interchangeable in every coverage model
(any set of open sites covers both or neither), so they become one row carrying the sum of the
weights. Rows an existing facility covers are covered whatever is opened, and rows no candidate covers
are uncovered whatever is opened: neither can change the objective, so both are dropped from the
model and only counted (as are rows of weight 0). Optimal objectives of the merged and unmerged models are therefore equal.
No Django import.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from apps.analysis.coverage_math import covered_within, covering_pairs


@dataclass(frozen=True)
class MergedRows:
    """Distinct rows of a sparse matrix: ``matrix`` (groups × columns), each group's summed ``weight``,
    its number of original rows ``count``, and ``group_of_row`` (-1 for rows left out)."""

    matrix: sp.csr_matrix
    weight: np.ndarray
    count: np.ndarray
    group_of_row: np.ndarray


def _row_hashes(sub: sp.csr_matrix, seed: int) -> np.ndarray:
    """A 64-bit fingerprint per row from its column indices and values (wrapping integer sums)."""
    rng = np.random.default_rng(seed)
    col_key = rng.integers(1, 2**63, sub.shape[1], dtype=np.uint64) | np.uint64(1)
    val_bits = np.ascontiguousarray(sub.data, dtype=np.float64).view(np.uint64)
    mixed = col_key[sub.indices] * (val_bits ^ np.uint64(0x9E3779B97F4A7C15))
    mixed ^= col_key[sub.indices] >> np.uint64(7)
    starts = sub.indptr[:-1]
    out = np.zeros(sub.shape[0], dtype=np.uint64)
    nonempty = np.diff(sub.indptr) > 0
    if sub.nnz:
        with np.errstate(over="ignore"):
            out[nonempty] = np.add.reduceat(mixed, starts[nonempty])
    return out


def _same_as(sub: sp.csr_matrix, rep: np.ndarray) -> bool:
    """Whether every row of ``sub`` has exactly the columns and values of row ``rep[row]``."""
    degree = np.diff(sub.indptr)
    if not np.array_equal(degree, degree[rep]):
        return False
    offset = np.arange(sub.nnz) - np.repeat(sub.indptr[:-1], degree)
    mine = np.arange(sub.nnz)
    theirs = np.repeat(sub.indptr[:-1][rep], degree) + offset
    return bool(np.array_equal(sub.indices[mine], sub.indices[theirs])
                and np.array_equal(sub.data[mine], sub.data[theirs]))


def merge_identical_rows(matrix: sp.csr_matrix, weight: np.ndarray, keep: np.ndarray) -> MergedRows:
    """Group the ``keep`` rows of ``matrix`` whose stored columns and values are identical, summing weights.

    Rows are grouped by a 64-bit fingerprint, then every row is checked entry by entry against its
    group's first row, so the grouping is exact; on a fingerprint collision (never seen; odds ~n²/2⁶⁴)
    it retries with another seed.
    """
    csr = sp.csr_matrix(matrix)
    csr.sum_duplicates()
    csr.sort_indices()
    rows = np.flatnonzero(keep)
    sub = csr[rows]
    for seed in range(1, 6):
        _, first, inverse = np.unique(_row_hashes(sub, seed), return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        if _same_as(sub, first[inverse]):
            break
    else:  # pragma: no cover - five independent 64-bit collisions
        raise RuntimeError("could not separate demand rows by fingerprint")
    group_of_row = np.full(csr.shape[0], -1, dtype=np.int64)
    group_of_row[rows] = inverse
    n_groups = len(first)
    w = np.bincount(inverse, weights=np.asarray(weight, dtype=float)[rows], minlength=n_groups)
    count = np.bincount(inverse, minlength=n_groups)
    return MergedRows(sp.csr_matrix(sub[first]), w, count, group_of_row)


@dataclass(frozen=True)
class CoverageProblem:
    """MCLP/LSCP input. ``cover[i, j]`` is 1 when candidate ``j`` covers demand row ``i``."""

    cover: sp.csr_matrix
    weight: np.ndarray
    existing_covered: np.ndarray
    merged: MergedRows
    radius_m: float | None = None

    @property
    def n_demand(self) -> int:
        return self.cover.shape[0]

    @property
    def n_candidates(self) -> int:
        return self.cover.shape[1]

    @property
    def total_weight(self) -> float:
        return float(self.weight.sum())

    @property
    def existing_weight(self) -> float:
        """Weight covered by the existing facilities alone."""
        return float(self.weight[self.existing_covered].sum())

    @property
    def coverable_weight(self) -> float:
        """Weight covered when every candidate is opened (plus the existing facilities)."""
        reachable = self.existing_covered | (np.diff(self.cover.indptr) > 0)
        return float(self.weight[reachable].sum())

    def covered_rows(self, sites: np.ndarray | list[int]) -> np.ndarray:
        """Demand rows covered by the existing facilities and the candidate ``sites``."""
        pick = np.zeros(self.n_candidates)
        pick[np.asarray(sites, dtype=np.int64)] = 1.0
        return self.existing_covered | (self.cover @ pick > 0)

    def covered_weight(self, sites: np.ndarray | list[int]) -> float:
        return float(self.weight[self.covered_rows(sites)].sum())


def from_cover_matrix(cover: sp.spmatrix | np.ndarray, weight: np.ndarray,
                      existing_covered: np.ndarray | None = None, radius_m: float | None = None) -> CoverageProblem:
    """A ``CoverageProblem`` from any demand × candidate 0/1 cover matrix (geodesic, network, ...)."""
    csr = sp.csr_matrix(cover, dtype=float)
    csr.data[:] = 1.0  # only the pattern counts
    csr.eliminate_zeros()
    weight = np.asarray(weight, dtype=float)
    if weight.shape != (csr.shape[0],):
        raise ValueError(f"weight has shape {weight.shape}, expected ({csr.shape[0]},)")
    if (weight < 0).any():
        raise ValueError("demand weights must be non-negative")
    existing = np.zeros(csr.shape[0], bool) if existing_covered is None else np.asarray(existing_covered, bool)
    # zero-weight rows change no objective; kept in, a full-cover LSCP would open sites for them
    in_model = ~existing & (np.diff(csr.indptr) > 0) & (weight > 0)
    return CoverageProblem(csr, weight, existing, merge_identical_rows(csr, weight, in_model), radius_m)


def build_coverage_problem(demand_lon: np.ndarray, demand_lat: np.ndarray, demand_weight: np.ndarray | None,
                           candidate_lon: np.ndarray, candidate_lat: np.ndarray, radius_m: float,
                           existing_lon: np.ndarray | None = None,
                           existing_lat: np.ndarray | None = None) -> CoverageProblem:
    """Coverage sets by the exact geodesic rule (distance <= ``radius_m``, GRS80), then merged rows."""
    n = len(np.atleast_1d(demand_lon))
    weight = np.ones(n) if demand_weight is None else np.asarray(demand_weight, dtype=float)
    di, sj = covering_pairs(demand_lon, demand_lat, candidate_lon, candidate_lat, radius_m)
    cover = sp.csr_matrix((np.ones(len(di)), (di, sj)), shape=(n, len(np.atleast_1d(candidate_lon))))
    existing = np.zeros(n, dtype=bool)
    if existing_lon is not None and len(np.atleast_1d(existing_lon)):
        existing = covered_within(demand_lon, demand_lat, existing_lon, existing_lat, radius_m)
    return from_cover_matrix(cover, weight, existing, float(radius_m))
