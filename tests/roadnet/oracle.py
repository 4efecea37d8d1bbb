"""An independent networkx oracle for network distances (used by tests and the benchmark baseline).

It reads only the stored edge *geometries* (not the service's vertex ids or lengths) and redoes
everything the slow, obvious way: vertices by coordinate equality, the nearest edge of each point
by brute force in the same Gauss-Krüger zone, edges split at the snapped points with
`shapely.ops.substring`, every piece's length by `pyproj.Geod.line_length`, then networkx
multi-source Dijkstra from facility nodes linked to their snapped positions by their access legs.
The distance definition is the one documented in `apps.roadnet.snapping`.
"""
from __future__ import annotations

from collections import defaultdict

import networkx as nx
import numpy as np
from pyproj import Geod, Transformer
from shapely import ops as shapely_ops
from shapely.geometry import LineString, Point

GEOD = Geod(ellps="GRS80")


def _length(line_xy: LineString, inverse: Transformer) -> float:
    lon, lat = inverse.transform(*np.asarray(line_xy.coords).T)
    return float(GEOD.line_length(lon, lat))


class Oracle:
    """The graph of `edges_lonlat` (list of (coords, is_connector)), ready to answer distances."""

    def __init__(self, edges_lonlat: list[tuple[np.ndarray, bool]], projection: str):
        self.fwd = Transformer.from_crs("EPSG:4490", projection, always_xy=True)
        self.inv = Transformer.from_crs(projection, "EPSG:4490", always_xy=True)
        self.edges: list[tuple[LineString, bool, tuple, tuple]] = []
        for coords, connector in edges_lonlat:
            x, y = self.fwd.transform(coords[:, 0], coords[:, 1])
            line = LineString(np.column_stack([x, y]))
            self.edges.append((line, connector, tuple(coords[0]), tuple(coords[-1])))

    def snap(self, lonlat: np.ndarray) -> list[tuple[int, float, tuple[float, float], float]]:
        """(edge, projected position along it, snapped lon/lat, geodesic access metres) per point,
        by brute force over the non-connector edges."""
        out = []
        roads = [i for i, e in enumerate(self.edges) if not e[1]]
        for lon, lat in np.asarray(lonlat, dtype=float):
            p = Point(self.fwd.transform(lon, lat))
            i = min(roads, key=lambda k: self.edges[k][0].distance(p))
            s = self.edges[i][0].project(p)
            q = self.edges[i][0].interpolate(s)
            qlon, qlat = self.inv.transform(q.x, q.y)
            out.append((i, s, (qlon, qlat), float(GEOD.inv(lon, lat, qlon, qlat)[2])))
        return out

    def graph(self, snapped: list[tuple[int, float, tuple[float, float], float]]) -> nx.MultiGraph:
        """The network with every snapped point inserted as node ("p", k), edges split there."""
        g = nx.MultiGraph()
        on_edge: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for k, (i, s, _, _) in enumerate(snapped):
            on_edge[i].append((s, k))
        for i, (line, _connector, a, b) in enumerate(self.edges):
            stops = sorted(on_edge.get(i, []))
            cuts = [0.0] + [s for s, _ in stops] + [line.length]
            nodes = [a] + [("p", k) for _, k in stops] + [b]
            for j in range(len(nodes) - 1):
                piece = shapely_ops.substring(line, cuts[j], cuts[j + 1])
                length = _length(piece, self.inv) if piece.length > 0 else 0.0
                g.add_edge(nodes[j], nodes[j + 1], weight=length)
        return g

    def matrix(self, facilities: np.ndarray, demand: np.ndarray, limit_m: float) -> np.ndarray:
        """Facility × demand distances, inf beyond the limit: one Dijkstra per facility."""
        snapped = self.snap(np.vstack([facilities, demand]))
        g = self.graph(snapped)
        nf = len(facilities)
        for f in range(nf):
            g.add_edge(("f", f), ("p", f), weight=snapped[f][3])
        out = np.full((nf, len(demand)), np.inf)
        for f in range(nf):
            lengths = nx.single_source_dijkstra_path_length(g, ("f", f), cutoff=limit_m, weight="weight")
            for d in range(len(demand)):
                total = lengths.get(("p", nf + d), np.inf) + snapped[nf + d][3]
                if total <= limit_m:
                    out[f, d] = total
        return out

    def nearest(self, facilities: np.ndarray, demand: np.ndarray, limit_m: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest facility, distance (−1 / inf beyond the limit) and the second-best distance of
        every demand point (to tell ties apart)."""
        m = self.matrix(facilities, demand, limit_m)
        order = np.sort(m, axis=0)
        who = np.where(np.isfinite(order[0]), np.argmin(m, axis=0), -1)
        second = order[1] if len(m) > 1 else np.full(m.shape[1], np.inf)
        return who.astype(np.int64), order[0], second
