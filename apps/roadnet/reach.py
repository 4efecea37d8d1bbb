"""Which parts of the roads each facility reaches within a network distance (pure: numpy; no Django).

The basis of network service areas: for every edge, the intervals (metres along it from its first
coordinate) within the limit, each owned by the nearest facility. Along one edge the distance from
a facility is piecewise linear with slopes ±1 (via the edge's source: d(u) + s; via its target:
d(v) + L − s; a facility on the edge itself: access + |s − a|), so the lower envelope changes owner
or crosses the limit only where two such pieces meet or a piece reaches the limit. Evaluating the
envelope between consecutive such points is exact. On-road distance: a point on the road has no
access leg of its own (an address beside it adds its own).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np


@dataclass
class ReachedInterval:
    """Metres `start_m`–`end_m` along an edge reached within the limit, nearest facility `facility`."""

    edge: int
    start_m: float
    end_m: float
    facility: int


def _pieces(length: float, d_source: float, f_source: int, d_target: float, f_target: int,
            on_edge: list[tuple[int, float, float]]) -> list[tuple[float, float, int, float, float]]:
    """The linear pieces (c, σ, facility, valid from, valid to) with distance c + σ·s on [from, to]."""
    out = []
    if np.isfinite(d_source) and f_source >= 0:
        out.append((d_source, 1.0, f_source, 0.0, length))
    if np.isfinite(d_target) and f_target >= 0:
        out.append((d_target + length, -1.0, f_target, 0.0, length))
    for fac, along, access in on_edge:
        out.append((access - along, 1.0, fac, along, length))
        out.append((access + along, -1.0, fac, 0.0, along))
    return out


def edge_intervals(edge: int, length: float, d_source: float, f_source: int, d_target: float, f_target: int,
                   on_edge: list[tuple[int, float, float]], limit_m: float) -> list[ReachedInterval]:
    """The reached intervals of one edge; `on_edge` = (facility, metres along, access metres) of
    the facilities snapped to this edge."""
    pieces = _pieces(length, d_source, f_source, d_target, f_target, on_edge)
    if not pieces:
        return []
    stops = {0.0, length}
    for c, sigma, _f, lo, hi in pieces:
        stops.update((lo, hi, (limit_m - c) / sigma))
    for (c1, s1, *_), (c2, s2, *_) in combinations(pieces, 2):
        if s1 != s2:
            stops.add((c2 - c1) / (s1 - s2))
    cuts = np.unique(np.clip(np.fromiter(stops, dtype=np.float64), 0.0, length))
    out: list[ReachedInterval] = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        if b - a <= 0:
            continue
        mid = (a + b) / 2
        best, owner = np.inf, -1
        for c, sigma, fac, lo, hi in pieces:
            if lo <= mid <= hi and c + sigma * mid < best:
                best, owner = c + sigma * mid, fac
        if best > limit_m:
            continue
        if out and out[-1].facility == owner and out[-1].end_m == a:
            out[-1].end_m = float(b)
        else:
            out.append(ReachedInterval(edge, float(a), float(b), owner))
    return out


def reached_intervals(*, edge_source: np.ndarray, edge_target: np.ndarray, edge_length: np.ndarray,
                      vertex_distance: np.ndarray, vertex_facility: np.ndarray, facility_edge: np.ndarray,
                      facility_along: np.ndarray, facility_access: np.ndarray, limit_m: float
                      ) -> list[ReachedInterval]:
    """Reached intervals of every edge (indexed like the snap index) that any facility reaches."""
    on_edge: dict[int, list[tuple[int, float, float]]] = {}
    for k, (e, a, acc) in enumerate(zip(facility_edge.tolist(), facility_along.tolist(), facility_access.tolist())):
        on_edge.setdefault(e, []).append((k, a, acc))
    ds, dt = vertex_distance[edge_source], vertex_distance[edge_target]
    touched = np.flatnonzero((ds <= limit_m) | (dt <= limit_m))
    edges = sorted(set(touched.tolist()) | set(on_edge))
    out: list[ReachedInterval] = []
    for e in edges:
        out.extend(edge_intervals(e, float(edge_length[e]), float(ds[e]), int(vertex_facility[edge_source[e]]),
                                  float(dt[e]), int(vertex_facility[edge_target[e]]), on_edge.get(e, []), limit_m))
    return out
