"""Facility × demand network distances within a limit, as sparse entries (pure: numpy; no Django).

Input: per facility, the distance to every vertex it reaches within the limit (one search per
facility); output: every (facility, demand, distance) pair within the limit, where a demand point's
distance is the best of entering its edge from either end or, for a facility on the same edge,
directly along it, plus its access leg (the definition in `snapping`). Siting (p-median, MCLP on
the network) needs these pairs, not just the nearest facility.
"""
from __future__ import annotations

import numpy as np

from .snapping import SnappedPoints


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated aranges [starts[i], starts[i] + counts[i]) as one index array."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return offsets + np.arange(total, dtype=np.int64)


def _by_key(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each wanted key, the positions (into `keys`) holding it: (which wanted, position) pairs."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    lo = np.searchsorted(sorted_keys, wanted, side="left")
    hi = np.searchsorted(sorted_keys, wanted, side="right")
    counts = hi - lo
    which = np.repeat(np.arange(len(wanted)), counts)
    return which, order[_ranges(lo, counts)], counts


def distance_entries(reached_facility: np.ndarray, reached_vertex: np.ndarray, reached_distance: np.ndarray,
                     demand: SnappedPoints, facilities: SnappedPoints, *, edge_source: np.ndarray,
                     edge_target: np.ndarray, edge_length: np.ndarray, max_distance_m: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(facility, demand, distance) of every pair within `max_distance_m`, each pair once (its
    shortest). `reached_*`: one row per (facility, vertex) the facility reaches, with the distance
    (its access leg and partial edge included); edge arrays are indexed like the snap index."""
    e = demand.edge
    rows, cols, dists = [], [], []
    for ends, along_to_end in ((edge_source[e], demand.along_m), (edge_target[e], edge_length[e] - demand.along_m)):
        which, pos, _ = _by_key(ends, reached_vertex)
        rows.append(reached_facility[which])
        cols.append(pos)
        dists.append(reached_distance[which] + along_to_end[pos])
    which, pos, _ = _by_key(e, facilities.edge)  # a facility on the demand's own edge, directly
    rows.append(which)
    cols.append(pos)
    dists.append(facilities.access_m[which] + np.abs(demand.along_m[pos] - facilities.along_m[which]))
    row = np.concatenate(rows).astype(np.int64)
    col = np.concatenate(cols).astype(np.int64)
    dist = np.concatenate(dists) + demand.access_m[col]
    keep = dist <= max_distance_m
    row, col, dist = row[keep], col[keep], dist[keep]
    # Each pair once, at its shortest: sort by pair then distance, keep the first of each pair.
    order = np.lexsort((dist, col, row))
    row, col, dist = row[order], col[order], dist[order]
    first = np.ones(len(row), dtype=bool)
    first[1:] = (row[1:] != row[:-1]) | (col[1:] != col[:-1])
    return row[first], col[first], dist[first]
