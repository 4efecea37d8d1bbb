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
from shapely.strtree import STRtree

GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid (same a and 1/f to the precision that matters)


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
        xy = np.column_stack([x, y])
        self.lines = np.array([shapely.linestrings(xy[a:b + 1]) for a, b in zip(self.first, self.last)],
                              dtype=object)
        self.tree = STRtree(self.lines)

    def snap(self, lon: np.ndarray, lat: np.ndarray) -> SnappedPoints:
        """Nearest edge of every point, the metres along it to the snapped position, the access leg."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        if self.n_edges == 0:
            raise ValueError("路网没有可吸附的道路边")
        x, y = self.to_metric.transform(lon, lat)
        pts = shapely.points(x, y)
        found = self.tree.query_nearest(pts, all_matches=False)
        edge = np.empty(len(lon), dtype=np.int64)
        edge[found[0]] = found[1]
        lines = self.lines[edge]
        s = shapely.line_locate_point(lines, pts)
        snapped = shapely.get_coordinates(shapely.line_interpolate_point(lines, s))
        # The segment holding the snapped position: last coordinate at or before it on that edge.
        k = np.searchsorted(self.global_proj, self.global_proj[self.first[edge]] + s, side="right") - 1
        k = np.clip(k, self.first[edge], self.last[edge] - 1)
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
