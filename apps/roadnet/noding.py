"""Noding road centre lines into a routable graph (pure: shapely, numpy, scipy; no Django).

Input: road centre lines in a metric projection (a CGCS2000 Gauss-Krüger zone). Output: edges that
run from node to node, with vertex ids, the road each edge came from, and a report. Steps:

1. **Near-miss snapping**: a road end that stops short of (or overshoots past) another road by at
   most `snap_tolerance_m` is moved onto the nearest point of that road. Digitised T-junctions miss
   by centimetres to a few metres; without this they would be dead ends.
2. **Noding**: `shapely.union_all` with a fixed precision grid (`grid_m`, 1 cm) splits every line
   at every intersection and shared endpoint; snap rounding makes coincident nodes bit-identical,
   so vertices are found by exact coordinate equality.
3. **Components and connectors**: connected components are counted; components closer than
   `connector_tolerance_m` to each other are joined by straight *connector* edges between their
   nearest points (a minimum spanning forest over the gaps, shortest first), flagged as such so a
   report and a map can show them. Connectors model the short unmapped paths that in reality join
   a lane to the next street; gaps wider than the tolerance stay separate components.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely import ops as shapely_ops
from shapely.geometry import LineString, Point
from shapely.strtree import STRtree

GRID_M = 0.01  # 1 cm: coordinates are snap-rounded to it, so shared nodes are exactly equal
CONNECTOR = -1  # `road_index` of a connector edge


@dataclass
class NodedEdge:
    """One edge between two vertices; `road_index` points into the input lines (CONNECTOR = -1)."""

    line: LineString
    road_index: int
    source: int = 0
    target: int = 0


@dataclass
class NodedNetwork:
    """The noded graph in projected metres, before lengths and storage."""

    edges: list[NodedEdge]
    vertex_count: int
    snapped_near_misses: int
    connectors: int
    components_before_connectors: int
    component_of_vertex: np.ndarray = field(repr=False)  # after connectors


def _snap_near_misses(lines: list[LineString], tolerance_m: float) -> tuple[list[LineString], int]:
    """Move each road end lying within `tolerance_m` of another road (but not on it) onto it.

    Smallest gaps first, each against the already-snapped geometry: when two ends miss each other,
    the closer one moves and the other then usually touches, instead of both moving."""
    tree = STRtree(lines)
    candidates = []
    for i, line in enumerate(lines):
        for end in (0, -1):
            p = Point(line.coords[end])
            for j in tree.query(p, predicate="dwithin", distance=tolerance_m).tolist():
                if j != i:
                    candidates.append((lines[j].distance(p), i, end, j))
    candidates.sort()
    out = list(lines)
    snapped = 0
    for _gap, i, end, j in candidates:
        coords = list(out[i].coords)
        p = Point(coords[end])
        gap = out[j].distance(p)
        if gap <= GRID_M or gap > tolerance_m:  # touching already (noding handles it), or moved away
            continue
        q = out[j].interpolate(out[j].project(p))
        coords[end] = (q.x, q.y)
        out[i] = LineString(coords)
        snapped += 1
    return out, snapped


def _node(lines: list[LineString], flags: list[int]) -> list[NodedEdge]:
    """Split everything at every node on the 1 cm grid; attribute each piece to its input line."""
    noded = shapely.union_all(np.array(lines, dtype=object), grid_size=GRID_M)
    pieces = [g for g in shapely.get_parts(noded)
              if isinstance(g, LineString) and g.length > 0]
    # A piece lies on the input it came from (up to the grid): its midpoint picks that input.
    tree = STRtree(lines)
    mids = [p.interpolate(0.5, normalized=True) for p in pieces]
    nearest = tree.query_nearest(mids, all_matches=False, return_distance=False)
    owner = np.empty(len(pieces), dtype=np.int64)
    owner[nearest[0]] = nearest[1]
    return [NodedEdge(line=p, road_index=flags[int(owner[k])]) for k, p in enumerate(pieces)]


def _number_vertices(edges: list[NodedEdge]) -> int:
    ids: dict[tuple[float, float], int] = {}
    for e in edges:
        c = e.line.coords
        e.source = ids.setdefault(tuple(c[0]), len(ids) + 1)  # type: ignore[arg-type]
        e.target = ids.setdefault(tuple(c[-1]), len(ids) + 1)  # type: ignore[arg-type]
    return len(ids)


def components(edges: list[NodedEdge], vertex_count: int) -> np.ndarray:
    """Component label of every vertex id (index 0 unused, label -1)."""
    src = np.array([e.source for e in edges], dtype=np.int64)
    tgt = np.array([e.target for e in edges], dtype=np.int64)
    n = vertex_count + 1
    graph = coo_matrix((np.ones(len(edges)), (src, tgt)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    labels = labels.astype(np.int64)
    labels[0] = -1
    return labels


def _connectors(lines: list[LineString], road_component: np.ndarray, tolerance_m: float) -> list[LineString]:
    """Straight lines joining components across gaps ≤ tolerance, shortest gap first (Kruskal).

    Gaps are measured on the input lines themselves (every road lies in one component), not on
    the noded pieces: a piece's ends moved to the 1 cm grid, and a connector end computed on it
    could miss the road by a centimetre and never be noded into it."""
    comp_ids = sorted(set(road_component.tolist()) - {-1})
    if len(comp_ids) < 2:
        return []
    geoms = [shapely.multilinestrings([lines[i] for i in np.flatnonzero(road_component == c)]) for c in comp_ids]
    tree = STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance_m)
    candidates = []
    for a, b in zip(left.tolist(), right.tolist()):
        if a < b:
            pa, pb = shapely_ops.nearest_points(geoms[a], geoms[b])
            candidates.append((pa.distance(pb), a, b, pa, pb))
    candidates.sort(key=lambda t: (t[0], t[1], t[2]))
    parent = list(range(len(geoms)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    out = []
    for _gap, a, b, pa, pb in candidates:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
            out.append(LineString([pa, pb]))
    return out


def node_roads(lines: list[LineString], *, snap_tolerance_m: float, connector_tolerance_m: float
               ) -> NodedNetwork:
    """The noded network of `lines` (projected metres); see the module docstring for the steps."""
    if not lines:
        return NodedNetwork([], 0, 0, 0, 0, np.full(1, -1, dtype=np.int64))
    snapped_lines, snapped = _snap_near_misses(lines, snap_tolerance_m)
    edges = _node(snapped_lines, list(range(len(lines))))
    n_vertices = _number_vertices(edges)
    labels = components(edges, n_vertices)
    before = len(set(labels[1:].tolist()))
    road_component = np.full(len(lines), -1, dtype=np.int64)  # -1: a road that collapsed to nothing
    for e in edges:  # all pieces of one road are connected, so any piece gives the road's component
        road_component[e.road_index] = labels[e.source]
    links = _connectors(snapped_lines, road_component, connector_tolerance_m) if connector_tolerance_m > 0 else []
    if links:
        # Re-node with the connectors so their ends become vertices, even part-way along an edge.
        edges = _node(snapped_lines + links, list(range(len(lines))) + [CONNECTOR] * len(links))
        n_vertices = _number_vertices(edges)
        labels = components(edges, n_vertices)
    return NodedNetwork(edges=edges, vertex_count=n_vertices, snapped_near_misses=snapped,
                        connectors=len(links), components_before_connectors=before,
                        component_of_vertex=labels)
