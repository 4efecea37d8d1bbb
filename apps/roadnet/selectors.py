"""Network distances from facilities to demand points over a county's built road network.

`network_nearest` answers, for every demand point, the nearest facility along the roads and the
distance (definition in `snapping`'s docstring: access legs + shortest path, entering and leaving
edges part-way), −1 / inf beyond `max_distance_m`. `network_coverage` does several radii in one
search. `network_reach` gives the stretches of road each facility reaches first within the limit
(cut part-way along edges), the basis of a network service area; `network_distance_matrix` every
facility × demand pair within the limit (sparse), what network siting needs. How:

1. The county's edges are read once; facilities and demand points are snapped to their nearest
   road edge in Python (`SnapIndex`, vectorised: a million points take 2–4 s on 2 cores).
2. One pgRouting `pgr_drivingDistance` call from a virtual root vertex that reaches every facility's
   two edge ends by virtual edges costing access + the partial edge (a multi-source Dijkstra in one
   search). Its edge query is limited to the facilities' bounding box grown by the limit: no path
   within the limit can use an edge outside it. The returned tree edge of every vertex leads back
   to the facility it was reached from.
3. Every demand point takes the better of its edge's two ends (plus the part of the edge up to it),
   or a facility on its own edge directly (`snapping.nearest_by_network`). Vertices are reported by
   the search when they are within the limit, whatever happens to the rest of their edges, so
   points part-way along edges only partly within the limit are found.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from django.db import connection, transaction
from pyproj import Transformer

from .models import STORAGE_SRID, RoadNetwork
from .services import NetworkError, current_county
from .matrix import distance_entries
from .reach import reached_intervals
from .snapping import SnapIndex, SnappedPoints, nearest_by_network

# Virtual edge ids: far above any real edge id (a bigserial), so they never collide.
VIRTUAL_EDGE_BASE = 1 << 48
# The facilities' bounding box is grown by the limit times this: projected distances exceed geodesic
# ones by the Gauss-Krüger scale factor (< 1.0004 inside a 3° zone), so 1 % is ample.
BOX_MARGIN = 1.01

_EDGES_SQL = (
    "SELECT e.id, e.source, e.target, e.length_m AS cost, e.length_m AS reverse_cost "
    "FROM roadnet_roadedge e JOIN roadnet_query q ON e.county_id = q.county_id AND e.geometry && q.box "
    "UNION ALL SELECT id, source, target, cost, reverse_cost FROM roadnet_roots"
)


@dataclass
class CountyNetwork:
    """A county's edges in memory: pgRouting ids and the snap index over its road (non-connector) edges."""

    county_id: int
    to_metric: Transformer
    edge_id: np.ndarray
    road_code: list[str]
    source: np.ndarray
    target: np.ndarray
    length_m: np.ndarray
    max_vertex: int
    snap: SnapIndex


@dataclass
class ReachedRoad:
    """A stretch of one road edge within the limit of its nearest facility (lon/lat, EPSG:4490)."""

    facility_index: int
    edge_id: int
    road_code: str
    start_m: float  # geodesic metres along the edge from its first coordinate
    end_m: float
    lonlat: np.ndarray


@dataclass
class NetworkCoverage:
    """Several radii at once: nearest facility and distance within the largest radius, and for each
    radius the covered flags (distance ≤ radius)."""

    radii_m: tuple[float, ...]
    facility_index: np.ndarray
    distance_m: np.ndarray

    def covered(self, radius_m: float) -> np.ndarray:
        if radius_m > max(self.radii_m):
            raise ValueError(f"半径 {radius_m} 米超出本次计算的最大半径 {max(self.radii_m)} 米")
        return self.distance_m <= radius_m


def load_network(county_code: str) -> CountyNetwork:
    """The built network of the county (NetworkError if `build_road_network` has not run)."""
    county = current_county(county_code)
    record = RoadNetwork.objects.filter(county=county).first()
    if record is None:
        raise NetworkError(f"{county.name}（{county_code}）尚未构建路网：先运行 build_road_network {county_code}")
    with connection.cursor() as cur:
        cur.execute("SELECT id, source, target, length_m, ST_AsBinary(geometry), road_code FROM roadnet_roadedge "
                    "WHERE county_id = %s AND NOT is_connector ORDER BY id", [county.pk])
        rows = cur.fetchall()
        cur.execute("SELECT coalesce(max(greatest(source, target)), 0) FROM roadnet_roadedge WHERE county_id = %s",
                    [county.pk])
        max_vertex = int(cur.fetchone()[0])
    if not rows:
        raise NetworkError(f"{county.name}（{county_code}）的路网没有道路边")
    geoms = shapely.from_wkb([bytes(r[4]) for r in rows])
    to_metric = Transformer.from_crs(f"EPSG:{STORAGE_SRID}", record.projection, always_xy=True)
    snap = SnapIndex([shapely.get_coordinates(g) for g in geoms], to_metric)
    return CountyNetwork(county_id=county.pk, to_metric=to_metric,
                         edge_id=np.array([r[0] for r in rows], dtype=np.int64), road_code=[r[5] for r in rows],
                         source=np.array([r[1] for r in rows], dtype=np.int64),
                         target=np.array([r[2] for r in rows], dtype=np.int64),
                         length_m=snap.length_m, max_vertex=max_vertex, snap=snap)


def _as_lonlat(points: Sequence[tuple[float, float]] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if not np.all(np.isfinite(arr)):
        raise ValueError("坐标包含非有限数值")
    return arr[:, 0], arr[:, 1]


def _search_box(net: CountyNetwork, lon: np.ndarray, lat: np.ndarray, limit_m: float) -> tuple[float, ...]:
    """The facilities' bounding box grown by the limit, in metres, returned in lon/lat (EPSG:4490)."""
    x, y = net.to_metric.transform(lon, lat)
    grow = limit_m * BOX_MARGIN + 1.0
    return net.to_metric.transform_bounds(x.min() - grow, y.min() - grow, x.max() + grow, y.max() + grow,
                                          direction="INVERSE", densify_pts=21)


def _driving_distance(net: CountyNetwork, box: tuple[float, ...], limit_m: float, roots: list[int],
                      virtual_source: np.ndarray, virtual_target: np.ndarray, virtual_cost: np.ndarray
                      ) -> np.ndarray:
    """One `pgr_drivingDistance` from `roots` over the county's edges inside `box` plus the given
    one-way virtual edges (ids from VIRTUAL_EDGE_BASE in order); rows (root, node, edge, agg_cost)."""
    ids = VIRTUAL_EDGE_BASE + np.arange(len(virtual_source), dtype=np.int64)
    with transaction.atomic(), connection.cursor() as cur:
        # Per-call temporary tables: pgRouting reads its edges through an SQL string, which cannot
        # take parameters; the tables carry them. Dropped first in case an outer transaction still
        # holds the previous call's.
        cur.execute("DROP TABLE IF EXISTS roadnet_roots, roadnet_query")
        cur.execute("CREATE TEMP TABLE roadnet_query ON COMMIT DROP AS "
                    "SELECT %s::int AS county_id, ST_MakeEnvelope(%s, %s, %s, %s, %s) AS box",
                    [net.county_id, *map(float, box), STORAGE_SRID])
        cur.execute("CREATE TEMP TABLE roadnet_roots ON COMMIT DROP AS "
                    "SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS source, "
                    "unnest(%s::bigint[]) AS target, unnest(%s::float8[]) AS cost, -1.0::float8 AS reverse_cost",
                    [ids.tolist(), virtual_source.tolist(), virtual_target.tolist(), virtual_cost.tolist()])
        # The array form, even for one root, so the root is a column (named from_v up to pgRouting
        # 3.5, start_vid from 3.6): columns are picked by name.
        cur.execute("SELECT * FROM pgr_drivingDistance(%s, %s::bigint[], %s, directed => true)",
                    [_EDGES_SQL, roots, float(limit_m)])
        names = [c[0] for c in cur.description]
        cols = [names.index("start_vid" if "start_vid" in names else "from_v"), names.index("node"),
                names.index("edge"), names.index("agg_cost")]
        rows = np.array([[r[c] for c in cols] for r in cur.fetchall()], dtype=np.float64).reshape(-1, 4)
        cur.execute("DROP TABLE roadnet_roots, roadnet_query")
    return rows


def vertex_distances(net: CountyNetwork, facilities: SnappedPoints, box: tuple[float, ...], limit_m: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """pgRouting multi-source search: distance from the nearest facility to every vertex id within
    the limit (inf elsewhere) and that facility's index (−1 elsewhere). One search from a virtual
    root joined to every facility's two edge ends (virtual edges 2k and 2k+1 belong to facility k)."""
    root = net.max_vertex + 1
    ends, costs = _facility_legs(net, facilities)
    rows = _driving_distance(net, box, limit_m, [root], np.full(len(ends), root), ends, costs)
    rows = rows[rows[:, 1] != root][:, 1:]
    size = max(net.max_vertex, int(ends.max(initial=0))) + 2
    distance = np.full(size, np.inf)
    facility = np.full(size, -1, dtype=np.int64)
    if not len(rows):
        return distance, facility
    node = rows[:, 0].astype(np.int64)
    edge = rows[:, 1].astype(np.int64)
    distance[node] = rows[:, 2]
    # The facility a vertex was reached from: a virtual edge names it; a road edge hands the
    # question to the vertex at its other end (the predecessor), resolved by pointer jumping.
    virtual = edge >= VIRTUAL_EDGE_BASE
    facility[node[virtual]] = (edge[virtual] - VIRTUAL_EDGE_BASE) // 2
    pred = np.arange(size, dtype=np.int64)
    real = ~virtual
    lookup = {int(e): i for i, e in enumerate(net.edge_id)}
    road_src, road_tgt = _edge_ends(net, edge[real], lookup)
    pred[node[real]] = np.where(road_src == node[real], road_tgt, road_src)
    pending = node[real]
    for _ in range(64):  # pointer jumping halves the remaining depth each round: 64 is never reached
        if not len(pending):
            break
        facility[pending] = facility[pred[pending]]
        pred[pending] = pred[pred[pending]]
        pending = pending[facility[pending] < 0]
    else:
        raise RuntimeError("pgr_drivingDistance 的最短路树无法回溯到设施（不应发生）")
    return distance, facility


def _facility_legs(net: CountyNetwork, facilities: SnappedPoints) -> tuple[np.ndarray, np.ndarray]:
    """Per facility k, its edge's source then target (entries 2k, 2k+1) and the cost of reaching
    each: access leg + the part of the edge between the snapped position and that end."""
    fe = facilities.edge
    ends = np.column_stack([net.source[fe], net.target[fe]]).ravel()
    costs = np.column_stack([facilities.access_m + facilities.along_m,
                             facilities.access_m + (net.length_m[fe] - facilities.along_m)]).ravel()
    return ends, costs


def _edge_ends(net: CountyNetwork, edge_ids: np.ndarray, lookup: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Source and target of the given edge ids; connectors (not in the snap set) are read from the table."""
    idx = np.array([lookup.get(int(e), -1) for e in edge_ids], dtype=np.int64)
    src = np.where(idx >= 0, net.source[np.maximum(idx, 0)], -1)
    tgt = np.where(idx >= 0, net.target[np.maximum(idx, 0)], -1)
    missing = np.flatnonzero(idx < 0)
    if len(missing):
        with connection.cursor() as cur:
            cur.execute("SELECT id, source, target FROM roadnet_roadedge WHERE id = ANY(%s)",
                        [edge_ids[missing].tolist()])
            ends = {r[0]: (r[1], r[2]) for r in cur.fetchall()}
        src[missing] = [ends[int(e)][0] for e in edge_ids[missing]]
        tgt[missing] = [ends[int(e)][1] for e in edge_ids[missing]]
    return src, tgt


def snap_points(network: CountyNetwork, lonlat: Sequence[tuple[float, float]] | np.ndarray) -> SnappedPoints:
    """Where each lon/lat point attaches to the network (nearest road edge, metres along it, access
    leg). Snapping is most of the time for a million points and does not depend on the facilities:
    snap the demand once and pass it to `network_nearest` for every scenario."""
    lon, lat = _as_lonlat(lonlat)
    return network.snap.snap(lon, lat)


def network_nearest(county_code: str, facility_lonlat: Sequence[tuple[float, float]] | np.ndarray,
                    demand_lonlat: Sequence[tuple[float, float]] | np.ndarray, *, max_distance_m: float,
                    network: CountyNetwork | None = None, snapped_demand: SnappedPoints | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Nearest facility (index into `facility_lonlat`) and network distance in metres of every demand
    point, −1 / inf where no facility is within `max_distance_m` along the roads. Coordinates are
    lon/lat in EPSG:4490 (numerically EPSG:4326). `network` (from `load_network`) skips reloading
    the county's edges; `snapped_demand` (from `snap_points` on the same network and points) skips
    snapping the demand again."""
    if not max_distance_m >= 0:
        raise ValueError("max_distance_m 必须是非负数")
    net = network or load_network(county_code)
    d_lon, d_lat = _as_lonlat(demand_lonlat)
    f_lon, f_lat = _as_lonlat(facility_lonlat)
    if snapped_demand is not None and len(snapped_demand.edge) != len(d_lon):
        raise ValueError("snapped_demand 与 demand_lonlat 的点数不一致")
    if len(d_lon) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if len(f_lon) == 0:
        return np.full(len(d_lon), -1, dtype=np.int64), np.full(len(d_lon), np.inf)
    facilities = net.snap.snap(f_lon, f_lat)
    demand = snapped_demand if snapped_demand is not None else net.snap.snap(d_lon, d_lat)
    box = _search_box(net, f_lon, f_lat, max_distance_m)
    distance, facility = vertex_distances(net, facilities, box, max_distance_m)
    return nearest_by_network(demand, facilities, edge_source=net.source, edge_target=net.target,
                              edge_length=net.length_m, vertex_distance=distance, vertex_facility=facility,
                              max_distance_m=max_distance_m)


def network_coverage(county_code: str, facility_lonlat: Sequence[tuple[float, float]] | np.ndarray,
                     demand_lonlat: Sequence[tuple[float, float]] | np.ndarray, radii_m: Sequence[float]
                     ) -> NetworkCoverage:
    """Several radii in one search (at the largest): the nearest facility within the largest radius is
    also the nearest within any smaller one, so `covered(r)` is just `distance ≤ r`."""
    radii = tuple(sorted({float(r) for r in radii_m}))
    if not radii:
        raise ValueError("至少需要一个半径")
    fac, dist = network_nearest(county_code, facility_lonlat, demand_lonlat, max_distance_m=radii[-1])
    return NetworkCoverage(radii_m=radii, facility_index=fac, distance_m=dist)


def network_reach(county_code: str, facility_lonlat: Sequence[tuple[float, float]] | np.ndarray, *,
                  max_distance_m: float, network: CountyNetwork | None = None) -> list[ReachedRoad]:
    """The stretches of road (connectors left out) each facility reaches first within
    `max_distance_m` along the network, exact to the metre position where the limit or the nearest
    facility changes part-way along an edge: the basis of a network service area (buffer them for
    a polygon). Distances are on the road itself (no access leg at the far end)."""
    if not max_distance_m >= 0:
        raise ValueError("max_distance_m 必须是非负数")
    net = network or load_network(county_code)
    f_lon, f_lat = _as_lonlat(facility_lonlat)
    if len(f_lon) == 0:
        return []
    facilities = net.snap.snap(f_lon, f_lat)
    distance, facility = vertex_distances(net, facilities, _search_box(net, f_lon, f_lat, max_distance_m),
                                          max_distance_m)
    intervals = reached_intervals(edge_source=net.source, edge_target=net.target, edge_length=net.length_m,
                                  vertex_distance=distance, vertex_facility=facility, facility_edge=facilities.edge,
                                  facility_along=facilities.along_m, facility_access=facilities.access_m,
                                  limit_m=max_distance_m)
    return [ReachedRoad(facility_index=r.facility, edge_id=int(net.edge_id[r.edge]), road_code=net.road_code[r.edge],
                        start_m=r.start_m, end_m=r.end_m, lonlat=net.snap.along_coords(r.edge, r.start_m, r.end_m))
            for r in intervals]


def network_distance_matrix(county_code: str, facility_lonlat: Sequence[tuple[float, float]] | np.ndarray,
                            demand_lonlat: Sequence[tuple[float, float]] | np.ndarray, *, max_distance_m: float,
                            network: CountyNetwork | None = None, snapped_demand: SnappedPoints | None = None
                            ) -> csr_matrix:
    """Facility × demand network distances within `max_distance_m` as a sparse matrix (rows =
    facilities or candidate sites, columns = demand points): every pair within the limit is a
    stored entry, pairs beyond it are absent. A distance of exactly 0 m (a site on the road at a
    demand point on the road) is stored explicitly: test the structure, not `value > 0`.
    One pgRouting search per facility, all in one `pgr_drivingDistance` call."""
    if not max_distance_m >= 0:
        raise ValueError("max_distance_m 必须是非负数")
    net = network or load_network(county_code)
    d_lon, d_lat = _as_lonlat(demand_lonlat)
    f_lon, f_lat = _as_lonlat(facility_lonlat)
    shape = (len(f_lon), len(d_lon))
    if not len(f_lon) or not len(d_lon):
        return csr_matrix(shape)
    if snapped_demand is not None and len(snapped_demand.edge) != len(d_lon):
        raise ValueError("snapped_demand 与 demand_lonlat 的点数不一致")
    facilities = net.snap.snap(f_lon, f_lat)
    demand = snapped_demand if snapped_demand is not None else net.snap.snap(d_lon, d_lat)
    first_root = net.max_vertex + 1  # facility k is the virtual vertex first_root + k
    roots = first_root + np.arange(len(f_lon), dtype=np.int64)
    ends, costs = _facility_legs(net, facilities)
    rows = _driving_distance(net, _search_box(net, f_lon, f_lat, max_distance_m), max_distance_m, roots.tolist(),
                             np.repeat(roots, 2), ends, costs)
    rows = rows[rows[:, 1] < first_root]  # road vertices only
    row, col, dist = distance_entries(rows[:, 0].astype(np.int64) - first_root, rows[:, 1].astype(np.int64),
                                      rows[:, 3], demand, facilities, edge_source=net.source, edge_target=net.target,
                                      edge_length=net.length_m, max_distance_m=max_distance_m)
    return csr_matrix((dist, (row, col)), shape=shape)
