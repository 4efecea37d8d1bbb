"""Attaching points to road edges, and network distances from per-vertex distances (pure: numpy,
shapely, pyproj; no Django).

**Definition of a network distance** (the one every caller and test relies on), from facility F to
demand point D:

    access(F) + along-network(F', D') + access(D)

* F' and D' are the *snapped positions*: the closest point of the nearest non-connector edge,
  nearest measured in the county's Gauss-Krüger zone (conformal, metric). Connectors are not snap
  targets: they are invented links, nobody lives on them.
* access(P) is the geodesic distance (GRS80 = CGCS2000 ellipsoid) from P to P'. It counts: a door
  10–25 m off the centre line, or a farmhouse 300 m down a field track, is that much further to
  walk, and leaving it out would make the same facility cover more on the network than on a
  circle of the same radius near sparse roads.
* along-network is the shortest path over edges whose cost is their geodesic length, entering and
  leaving the snapped edges part-way: from F' to either end of its edge (the geodesic length of the
  partial polyline), through the network, then from an end of D's edge to D'; or directly along the
  edge when F' and D' lie on the same edge. Edges are walked both ways.

Distances within the limit are exact whatever part of an edge lies beyond it, because demand is
resolved from the vertex distances of both ends of its own edge rather than from the list of edges
a driving-distance search returns (which drops edges whose far end is beyond the limit).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree
from shapely.strtree import STRtree

GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid (same a and 1/f to the precision that matters)
# Snapping's fast path: samples every 10 m along the roads, the 8 (then 24) nearest of them name the
# candidate segments. Near a road (most addresses) that proves the nearest segment; points it cannot prove
# (far from roads, or between several) take the exact polyline tree. Either way the answer is the
# nearest segment: the constants change only the speed.
SAMPLE_STEP_M = 10.0
SAMPLE_K = (8, 24)  # first pass, then a wider one for the points the first could not prove
SNAP_CHUNK = 100_000


def geodesic_length(lonlat: np.ndarray) -> float:
    """Geodesic length in metres of a polyline given as an (n, 2) lon/lat array."""
    return float(GEOD.line_length(lonlat[:, 0], lonlat[:, 1]))


@dataclass
class SnappedPoints:
    """Where each point attaches: edge (index into the SnapIndex edges), metres along the edge
    from its first coordinate, and the access leg in metres."""

    edge: np.ndarray
    along_m: np.ndarray
    access_m: np.ndarray


class SnapIndex:
    """The snap targets of one network: edge polylines (lon/lat) with their geodesic measures."""

    def __init__(self, edges_lonlat: list[np.ndarray], to_metric: Transformer):
        self.to_metric = to_metric
        self.n_edges = len(edges_lonlat)
        if not edges_lonlat:
            edges_lonlat = [np.zeros((2, 2))]  # keeps the arrays well-formed; snap() refuses to run
        counts = np.array([len(c) for c in edges_lonlat], dtype=np.int64)
        self.first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.last = self.first + counts - 1
        flat = np.concatenate(edges_lonlat).astype(np.float64)
        self.lon, self.lat = flat[:, 0], flat[:, 1]
        x, y = to_metric.transform(self.lon, self.lat)
        # Segment i joins coordinates i and i+1; it crosses from one edge to the next where i+1 starts one.
        crosses = np.zeros(len(flat) - 1, dtype=bool)
        crosses[self.first[1:] - 1] = True
        _, _, seg_geo = GEOD.inv(self.lon[:-1], self.lat[:-1], self.lon[1:], self.lat[1:])
        seg_geo = np.where(crosses, 0.0, seg_geo)
        # Geodesic metres from the edge's first coordinate to each of its coordinates.
        cum_geo = np.concatenate([[0.0], np.cumsum(seg_geo)])
        self.cum_geo = cum_geo - np.repeat(cum_geo[self.first], counts)
        self.length_m = self.cum_geo[self.last]
        # Projected metres that keep growing across edges (a 1 m gap between edges), so a single
        # searchsorted finds the segment of every snapped point: edge start + position along it.
        seg_proj = np.where(crosses, 1.0, np.hypot(np.diff(x), np.diff(y)))
        self.global_proj = np.concatenate([[0.0], np.cumsum(seg_proj)])
        self.xy = np.column_stack([x, y])
        self.lines = np.array([shapely.linestrings(self.xy[a:b + 1]) for a, b in zip(self.first, self.last)],
                              dtype=object)
        self.tree = STRtree(self.lines)
        # Segments (start coordinate index, edge) and sample points every SAMPLE_STEP_M along them,
        # for the fast path of `snap` (a KD-tree over the samples instead of a tree of polylines).
        self.seg_start = np.flatnonzero(~crosses)
        seg_len = seg_proj[self.seg_start]
        per_seg = np.maximum(np.ceil(seg_len / SAMPLE_STEP_M).astype(np.int64), 1) + 1  # both ends, always
        sample_seg = np.repeat(np.arange(len(self.seg_start)), per_seg)
        t = (np.arange(len(sample_seg)) - np.repeat(np.cumsum(per_seg) - per_seg, per_seg)) / \
            np.repeat(per_seg - 1, per_seg)
        a, b = self.xy[self.seg_start], self.xy[self.seg_start + 1]
        samples = a[sample_seg] + t[:, None] * (b - a)[sample_seg]
        self.seg_ax, self.seg_ay = a[:, 0], a[:, 1]
        self.seg_dx, self.seg_dy = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
        len2 = self.seg_dx ** 2 + self.seg_dy ** 2
        self.seg_inv_len2 = np.where(len2 > 0, 1.0 / np.maximum(len2, 1e-300), 0.0)  # a 0-length segment: its start
        self.sample_seg = sample_seg
        self.sample_tree = cKDTree(samples)

    def along_coords(self, edge: int, start_m: float, end_m: float) -> np.ndarray:
        """The lon/lat polyline of `edge` from `start_m` to `end_m` geodesic metres along it; an end
        inside a segment is placed by its share of that segment's geodesic length."""
        k0, k1 = int(self.first[edge]), int(self.last[edge])
        cum, xy = self.cum_geo[k0:k1 + 1], self.xy[k0:k1 + 1]

        def at(s: float) -> tuple[np.ndarray, int]:
            j = int(np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(cum) - 2))
            seg = cum[j + 1] - cum[j]
            f = (s - cum[j]) / seg if seg > 0 else 0.0
            return xy[j] + f * (xy[j + 1] - xy[j]), j

        p0, j0 = at(start_m)
        p1, j1 = at(end_m)
        pts = np.vstack([p0, xy[j0 + 1:j1 + 1], p1])
        keep = np.concatenate([[True], np.any(np.diff(pts, axis=0) != 0, axis=1)])
        pts = pts[keep]
        lon, lat = self.to_metric.transform(pts[:, 0], pts[:, 1], direction="INVERSE")
        return np.column_stack([lon, lat])

    def _nearest_segments(self, px: np.ndarray, py: np.ndarray, k: int
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest segment of every point (index into seg_start), the snapped position on it, and a
        flag where that answer is proven: every segment has a sample within SAMPLE_STEP_M / 2 of
        each of its points, so a segment none of whose samples is among the K nearest lies at least
        (K-th sample distance − SAMPLE_STEP_M / 2) away."""
        every = k >= self.sample_tree.n  # a tiny network: every segment is a candidate
        k = min(k, self.sample_tree.n)
        dist_k, idx = self.sample_tree.query(np.column_stack([px, py]), k=k)
        if k == 1:
            dist_k, idx = dist_k[:, None], idx[:, None]
        cand = self.sample_seg[idx]  # (n, K) candidate segments
        ux = px[:, None] - self.seg_ax[cand]
        uy = py[:, None] - self.seg_ay[cand]
        dx, dy = self.seg_dx[cand], self.seg_dy[cand]
        t = np.clip((ux * dx + uy * dy) * self.seg_inv_len2[cand], 0.0, 1.0)
        ux -= t * dx  # now the offset from the snapped position to the point
        uy -= t * dy
        d2 = ux * ux + uy * uy
        j = np.argmin(d2, axis=1)
        rows = np.arange(len(px))
        bound = np.maximum(dist_k[:, -1] - SAMPLE_STEP_M / 2, 0.0)
        proven = np.full(len(px), True) if every else d2[rows, j] <= bound * bound
        seg, tj = cand[rows, j], t[rows, j]
        q = np.column_stack([self.seg_ax[seg] + tj * self.seg_dx[seg], self.seg_ay[seg] + tj * self.seg_dy[seg]])
        return seg, q, proven

    def _nearest_edges_exact(self, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The slow, general path (points far from any road): the edge tree, then the segment."""
        pts = shapely.points(px, py)
        found = self.tree.query_nearest(pts, all_matches=False)
        edge = np.empty(len(px), dtype=np.int64)
        edge[found[0]] = found[1]
        lines = self.lines[edge]
        s = shapely.line_locate_point(lines, pts)
        snapped = shapely.get_coordinates(shapely.line_interpolate_point(lines, s))
        # The segment holding the snapped position: last coordinate at or before it on that edge.
        k = np.searchsorted(self.global_proj, self.global_proj[self.first[edge]] + s, side="right") - 1
        k = np.clip(k, self.first[edge], self.last[edge] - 1)
        return k, snapped

    def snap(self, lon: np.ndarray, lat: np.ndarray) -> SnappedPoints:
        """Nearest edge of every point, the metres along it to the snapped position, the access leg."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        if self.n_edges == 0:
            raise ValueError("路网没有可吸附的道路边")
        x, y = self.to_metric.transform(lon, lat)
        k = np.empty(len(lon), dtype=np.int64)  # start coordinate of the segment snapped to
        snapped = np.empty((len(lon), 2))
        for lo in range(0, len(lon), SNAP_CHUNK):  # bounded memory for the (n, K) candidate arrays
            todo = np.arange(lo, min(lo + SNAP_CHUNK, len(lon)))
            for n_samples in SAMPLE_K:
                seg, q, proven = self._nearest_segments(x[todo], y[todo], n_samples)
                k[todo[proven]], snapped[todo[proven]] = self.seg_start[seg[proven]], q[proven]
                todo = todo[~proven]
                if not len(todo):
                    break
            if len(todo):
                k[todo], snapped[todo] = self._nearest_edges_exact(x[todo], y[todo])
        edge = np.searchsorted(self.first, k, side="right") - 1
        slon, slat = self.to_metric.transform(snapped[:, 0], snapped[:, 1], direction="INVERSE")
        _, _, part = GEOD.inv(self.lon[k], self.lat[k], slon, slat)
        along = np.clip(self.cum_geo[k] + part, 0.0, self.length_m[edge])
        _, _, access = GEOD.inv(lon, lat, slon, slat)
        return SnappedPoints(edge=edge, along_m=along, access_m=np.asarray(access, dtype=np.float64))


def nearest_by_network(demand: SnappedPoints, facilities: SnappedPoints, *, edge_source: np.ndarray,
                       edge_target: np.ndarray, edge_length: np.ndarray, vertex_distance: np.ndarray,
                       vertex_facility: np.ndarray, max_distance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest facility and network distance of every demand point (−1 / inf beyond the limit).

    `vertex_distance[v]` is the shortest distance from any facility (its access leg and partial
    edge included) to vertex id v, inf if beyond the limit; `vertex_facility[v]` that facility.
    Edge arrays are indexed like the SnapIndex edges."""
    e = demand.edge
    a = demand.along_m
    via_source = vertex_distance[edge_source[e]] + a
    via_target = vertex_distance[edge_target[e]] + (edge_length[e] - a)
    best = np.minimum(via_source, via_target)
    who = np.where(via_source <= via_target, vertex_facility[edge_source[e]], vertex_facility[edge_target[e]])
    # A facility on the demand's own edge reaches it directly, without passing an end vertex.
    if len(facilities.edge):
        order = np.argsort(e, kind="stable")
        sorted_edges = e[order]
        for fe in np.unique(facilities.edge):
            lo, hi = np.searchsorted(sorted_edges, [fe, fe + 1])
            if lo == hi:
                continue
            rows = order[lo:hi]
            fac = np.flatnonzero(facilities.edge == fe)
            direct = facilities.access_m[fac][None, :] + np.abs(a[rows][:, None] - facilities.along_m[fac][None, :])
            j = np.argmin(direct, axis=1)
            d = direct[np.arange(len(rows)), j]
            better = d < best[rows]
            best[rows[better]] = d[better]
            who[rows[better]] = fac[j[better]]
    total = best + demand.access_m
    inside = total <= max_distance_m
    return np.where(inside, who, -1).astype(np.int64), np.where(inside, total, np.inf)
