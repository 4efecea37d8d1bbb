"""p-median inputs: the allowed (demand, site) pairs with their distances, pruned and merged.

Distances are geodesic metres (GRS80) by default, or any matrix the caller passes (road-network
distances later): a dense ``n × (m + e)`` array (``inf``/``nan`` = not allowed) or a sparse one (only
stored entries are allowed, explicit zeros included). Columns are the ``m`` candidates, then the ``e``
existing facilities. With ``max_distance_m`` pairs beyond it are not allowed; a demand row with no
allowed pair at all is *unserved*: reported and left out of the model.

Pruning (uncapacitated only): existing facilities are always open, so a row is never better served
by a site farther than its nearest existing facility; those pairs and all but that nearest existing
facility are dropped. With capacities an existing facility may be full, so nothing is pruned.
Merging: rows with identical allowed pairs and distances are interchangeable (same costs for every
choice of sites, and assignments are continuous), so they become one row with the summed weight.
No Django import.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from apps.analysis.coverage_math import geodesic_matrix, pairs_within
from apps.analysis.siting.models import Pairs
from apps.analysis.siting.problem import MergedRows, merge_identical_rows


@dataclass(frozen=True)
class MedianProblem:
    """p-median input over ``n`` demand rows, ``n_candidates`` candidates and ``n_existing`` open sites."""

    weight: np.ndarray
    n_candidates: int
    n_existing: int
    pairs: Pairs
    merged: MergedRows
    merged_pairs: Pairs
    unserved: np.ndarray
    capacity: np.ndarray | None = None

    @property
    def n_demand(self) -> int:
        return len(self.weight)

    def served_weight(self) -> float:
        return float(self.weight[~self.unserved].sum())

    def total_distance(self, sites: list[int] | np.ndarray) -> float:
        """Weighted distance with every served row at its nearest open site (``inf`` if one has none).

        Uncapacitated measure; with capacities the MIP's assignment decides instead.
        """
        is_open = np.zeros(self.n_candidates + self.n_existing, bool)
        is_open[self.n_candidates:] = True
        is_open[np.asarray(sites, dtype=np.int64)] = True
        use = is_open[self.merged_pairs.col]
        best = np.full(len(self.merged.weight), np.inf)
        np.minimum.at(best, self.merged_pairs.row[use], self.merged_pairs.value[use])
        return float(np.dot(self.merged.weight, best)) if np.isfinite(best).all() else float("inf")


def _pairs_from_matrix(distance: np.ndarray | sp.spmatrix) -> Pairs:
    if sp.issparse(distance):
        coo = sp.coo_matrix(distance)
        keep = np.isfinite(coo.data)
        return Pairs(coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64), coo.data[keep].astype(float))
    dense = np.asarray(distance, dtype=float)
    row, col = np.nonzero(np.isfinite(dense))
    return Pairs(row.astype(np.int64), col.astype(np.int64), dense[row, col])


def _prune_beyond_nearest_existing(pairs: Pairs, n_rows: int, n_candidates: int) -> Pairs:
    existing = pairs.col >= n_candidates
    nearest = np.full(n_rows, np.inf)
    np.minimum.at(nearest, pairs.row[existing], pairs.value[existing])
    # keep candidates strictly nearer than the nearest existing one, and one nearest existing (lowest index)
    keep = ~existing & (pairs.value < nearest[pairs.row])
    ex = np.flatnonzero(existing & (pairs.value == nearest[pairs.row]))
    ex = ex[np.lexsort((pairs.col[ex], pairs.row[ex]))]
    first = np.ones(len(ex), bool)
    first[1:] = pairs.row[ex][1:] != pairs.row[ex][:-1]
    keep[ex[first]] = True
    return Pairs(pairs.row[keep], pairs.col[keep], pairs.value[keep])


def build_median_problem(demand_weight: np.ndarray, n_candidates: int, n_existing: int = 0, *,
                         distance: np.ndarray | sp.spmatrix | None = None,
                         demand_lon: np.ndarray | None = None, demand_lat: np.ndarray | None = None,
                         site_lon: np.ndarray | None = None, site_lat: np.ndarray | None = None,
                         max_distance_m: float | None = None,
                         capacity: np.ndarray | None = None) -> MedianProblem:
    """A ``MedianProblem`` from a distance matrix, or from coordinates (geodesic metres).

    ``site_lon``/``site_lat`` hold the candidates then the existing facilities. ``capacity`` (weight
    units, length ``m + e``; ``inf`` for unlimited) makes the model capacitated.
    """
    weight = np.asarray(demand_weight, dtype=float)
    n = len(weight)
    if distance is None:
        if demand_lon is None or site_lon is None:
            raise ValueError("pass either a distance matrix or demand and site coordinates")
        if max_distance_m is not None:  # sparse, exact: only pairs within the cutoff
            di, sj, d = pairs_within(demand_lon, demand_lat, site_lon, site_lat, max_distance_m)
            distance = sp.coo_matrix((d, (di, sj)), shape=(n, n_candidates + n_existing))
            pairs = Pairs(di, sj, d)
        else:
            pairs = _pairs_from_matrix(geodesic_matrix(demand_lon, demand_lat, site_lon, site_lat))
    else:
        if distance.shape != (n, n_candidates + n_existing):
            raise ValueError(f"distance has shape {distance.shape}, expected ({n}, {n_candidates + n_existing})")
        pairs = _pairs_from_matrix(distance)
        if max_distance_m is not None:
            keep = pairs.value <= float(max_distance_m)
            pairs = Pairs(pairs.row[keep], pairs.col[keep], pairs.value[keep])
    cap = None if capacity is None else np.asarray(capacity, dtype=float)
    if cap is not None and cap.shape != (n_candidates + n_existing,):
        raise ValueError(f"capacity has shape {cap.shape}, expected ({n_candidates + n_existing},)")
    if cap is None and n_existing:
        pairs = _prune_beyond_nearest_existing(pairs, n, n_candidates)
    unserved = np.bincount(pairs.row, minlength=n) == 0
    # +1 so that a zero distance stays a stored entry in the merge key
    key = sp.csr_matrix((pairs.value + 1.0, (pairs.row, pairs.col)), shape=(n, n_candidates + n_existing))
    merged = merge_identical_rows(key, weight, ~unserved)
    coo = merged.matrix.tocoo()
    merged_pairs = Pairs(coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data - 1.0)
    return MedianProblem(weight, int(n_candidates), int(n_existing), pairs, merged, merged_pairs, unserved, cap)
