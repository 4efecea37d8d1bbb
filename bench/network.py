"""Network coverage of 1,000 facilities at 1 km walking distance over every current address of the 1,000,000-address register (pgRouting service vs a networkx multi-source Dijkstra).

Runs in a child Django process on ``geo_mz_bench`` (``bench/_db.py``: created and filled once by
``ensure_database``, which also applies any new migrations, here the ``roadnet`` tables). The child:

1. builds the county's network with ``apps.roadnet.services.build_network("330521")`` (timed once;
   it writes only the ``roadnet_*`` tables, the register is read, never changed);
2. reads the locations of all current addresses (990,808 of the 1,000,000: every address in force
   is a demand point) and draws 1,000 of them as facilities with a fixed seed;
3. times, best of ``REPEAT`` after one warm-up, in the same process:

   * ``service``: ``apps.roadnet.selectors.network_nearest(county, facilities, demand,
     max_distance_m=1000)`` end to end: load the edges, snap facilities and all demand points,
     one ``pgr_drivingDistance`` search from a virtual root over the bounding-box-limited edges,
     resolve every demand point from its edge's two ends;
   * ``networkx`` (the reference): the same snapping (``SnapIndex``) and the same resolution
     (``nearest_by_network``), with the search done by ``networkx.multi_source_dijkstra`` (cutoff
     1 km) on a graph built from the same edges (graph building included), each facility a source
     node joined to its edge's two ends by access + partial-edge costs.

   and the search alone, on the same snapped facilities: ``service_search`` (``vertex_distances``:
   the temporary tables and one ``pgr_drivingDistance``) vs ``networkx_search`` (the graph built
   and searched as above); their ratio is against ``networkx_search``, the others' against
   ``networkx``. Snapping ~1M points (the same code in both) is most of either end-to-end time.

   Both answer for all ~1M demand points; facility index and distance are asserted identical
   (distances to 1e-6 m; the facility where the distance is not a tie). Then a seeded sample of
   ``N_ORACLE`` demand points is checked against the independent oracle of the tests
   (``tests/roadnet/oracle.py``: brute-force snapping, edges split at the snapped points, pyproj
   piece lengths) with all 1,000 facilities.

Once, not best-of: ``network_distance_matrix`` (every facility × demand pair within 1 km, sparse)
for the 1,000 facilities over a seeded 200,000-point subset, its column minima asserted equal to
``network_nearest``'s distances; ``extra.distance_matrix`` has the seconds and the number of pairs.

``extra`` has the build report (the build is timed once, not best-of), the split of the
service's time (snap / search / resolve), the covered shares (network, and straight-line within 1 km for comparison, KD-tree in the zone),
the access-leg distribution (how far addresses lie from the roads) and the oracle check.
No Django import at module level.
"""
from __future__ import annotations

import json
import os
import subprocess
import time

from bench._common import REPEAT, WARMUP, Result, Variant, best_of, result
from bench._db import (COUNTY, PYTHON, ROOT, _address_counts, _db_name, _django_env, bench_database_url,
                       database_info, ensure_database)

N_FACILITIES = 1_000
LIMIT_M = 1_000.0
N_ORACLE = 300
MATRIX_DEMAND = 200_000
SEED = 20261123
CHILD_TIMEOUT_S = 1_800


def _networkx_vertex_distances(net, facilities, connectors):  # type: ignore[no-untyped-def]
    """The reference search: networkx multi-source Dijkstra (cutoff 1 km) on a graph built here from
    the same edges (connectors included), each facility a source joined to its edge's two ends by
    access + partial-edge costs. Returns per-vertex distance and facility, like the service's."""
    import networkx as nx
    import numpy as np

    g = nx.Graph()
    for s, t, w in [*zip(net.source.tolist(), net.target.tolist(), net.length_m.tolist()), *connectors]:
        if not g.has_edge(s, t) or g[s][t]["weight"] > w:  # parallel edges: the shorter one counts
            g.add_edge(s, t, weight=w)
    fe = facilities.edge
    for k in range(len(fe)):
        g.add_edge(("f", k), int(net.source[fe[k]]), weight=float(facilities.access_m[k] + facilities.along_m[k]))
        g.add_edge(("f", k), int(net.target[fe[k]]),
                   weight=float(facilities.access_m[k] + net.length_m[fe[k]] - facilities.along_m[k]))
    dist, paths = nx.multi_source_dijkstra(g, [("f", k) for k in range(len(fe))], cutoff=LIMIT_M, weight="weight")
    vdist = np.full(net.max_vertex + 2, np.inf)
    vfac = np.full(net.max_vertex + 2, -1, dtype=np.int64)
    for node, d in dist.items():
        if not isinstance(node, tuple):
            vdist[node] = d
            vfac[node] = paths[node][0][1]
    return vdist, vfac


def _network_main() -> None:
    """The child process: everything in the module docstring; prints one JSON line."""
    import django

    django.setup()
    import numpy as np
    from django.db import connection
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    from apps.roadnet import selectors
    from apps.roadnet.services import build_network
    from tests.roadnet.oracle import Oracle

    start = time.perf_counter()
    report = build_network(COUNTY)
    build_s = time.perf_counter() - start
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(location), ST_Y(location) FROM addresses_address "
                    "WHERE valid_to IS NULL ORDER BY id")
        demand_ll = np.array(cur.fetchall(), dtype=np.float64)
        cur.execute("SELECT source, target, length_m FROM roadnet_roadedge e JOIN divisions_division d "
                    "ON d.id = e.county_id WHERE d.code = %s AND e.is_connector", [COUNTY])
        connectors = [(int(s), int(t), float(w)) for s, t, w in cur.fetchall()]
    rng = np.random.default_rng(SEED)
    facilities_ll = demand_ll[rng.choice(len(demand_ll), N_FACILITIES, replace=False)]

    def service() -> tuple[np.ndarray, np.ndarray]:
        return selectors.network_nearest(COUNTY, facilities_ll, demand_ll, max_distance_m=LIMIT_M)

    def reference() -> tuple[np.ndarray, np.ndarray]:
        net = selectors.load_network(COUNTY)
        f_snap = net.snap.snap(facilities_ll[:, 0], facilities_ll[:, 1])
        d_snap = net.snap.snap(demand_ll[:, 0], demand_ll[:, 1])
        vdist, vfac = _networkx_vertex_distances(net, f_snap, connectors)
        return selectors.nearest_by_network(d_snap, f_snap, edge_source=net.source, edge_target=net.target,
                                            edge_length=net.length_m, vertex_distance=vdist,
                                            vertex_facility=vfac, max_distance_m=LIMIT_M)

    service_s = best_of(service, repeat=REPEAT, warmup=WARMUP)
    reference_s = best_of(reference, repeat=REPEAT, warmup=WARMUP)
    fac, dist = service()
    r_fac, r_dist = reference()
    assert np.array_equal(np.isfinite(dist), np.isfinite(r_dist)), "covered flags differ"
    fin = np.isfinite(dist)
    assert np.allclose(dist[fin], r_dist[fin], rtol=0, atol=1e-6), "distances differ"
    same_fac = float(np.mean(fac[fin] == r_fac[fin]))

    # The search alone, both ways, on the same snapped facilities.
    net = selectors.load_network(COUNTY)
    f_snap = net.snap.snap(facilities_ll[:, 0], facilities_ll[:, 1])
    box = selectors._search_box(net, facilities_ll[:, 0], facilities_ll[:, 1], LIMIT_M)
    search_s = best_of(lambda: selectors.vertex_distances(net, f_snap, box, LIMIT_M), repeat=REPEAT, warmup=WARMUP)
    nx_search_s = best_of(lambda: _networkx_vertex_distances(net, f_snap, connectors), repeat=REPEAT, warmup=WARMUP)
    pg = selectors.vertex_distances(net, f_snap, box, LIMIT_M)
    ref = _networkx_vertex_distances(net, f_snap, connectors)
    assert np.array_equal(np.isfinite(pg[0]), np.isfinite(ref[0])), "reached vertices differ"
    assert np.allclose(pg[0][np.isfinite(pg[0])], ref[0][np.isfinite(ref[0])], rtol=0, atol=1e-6)

    # Where the service's time goes (one more run, split by hand).
    t0 = time.perf_counter()
    f_snap = net.snap.snap(facilities_ll[:, 0], facilities_ll[:, 1])
    d_snap = net.snap.snap(demand_ll[:, 0], demand_ll[:, 1])
    t1 = time.perf_counter()
    box = selectors._search_box(net, facilities_ll[:, 0], facilities_ll[:, 1], LIMIT_M)
    vdist, vfac = selectors.vertex_distances(net, f_snap, box, LIMIT_M)
    t2 = time.perf_counter()
    selectors.nearest_by_network(d_snap, f_snap, edge_source=net.source, edge_target=net.target,
                                 edge_length=net.length_m, vertex_distance=vdist, vertex_facility=vfac,
                                 max_distance_m=LIMIT_M)
    t3 = time.perf_counter()

    # The independent oracle on a sample (all facilities), and straight-line coverage to compare.
    sample = rng.choice(len(demand_ll), N_ORACLE, replace=False)
    with connection.cursor() as cur:
        cur.execute("SELECT ST_AsBinary(e.geometry), e.is_connector FROM roadnet_roadedge e "
                    "JOIN divisions_division d ON d.id = e.county_id WHERE d.code = %s ORDER BY e.id", [COUNTY])
        import shapely
        edges = [(shapely.get_coordinates(shapely.from_wkb(bytes(w))), c) for w, c in cur.fetchall()]
    o_fac, o_dist, o_second = Oracle(edges, report.projection).nearest(facilities_ll, demand_ll[sample], LIMIT_M)
    assert np.array_equal(np.isfinite(o_dist), np.isfinite(dist[sample])), "oracle: covered flags differ"
    of = np.isfinite(o_dist)
    assert np.allclose(o_dist[of], dist[sample][of], rtol=0, atol=1e-6), "oracle: distances differ"
    with np.errstate(invalid="ignore"):
        unique = of & (o_second - o_dist > 1e-6)
    assert np.array_equal(o_fac[unique], fac[sample][unique]), "oracle: nearest facility differs"

    # The sparse facility × demand matrix (siting on the network) on a 200,000-point subset: its
    # column minima must be network_nearest's answers.
    subset = np.sort(rng.choice(len(demand_ll), MATRIX_DEMAND, replace=False))
    sub_snap = selectors.snap_points(net, demand_ll[subset])
    start = time.perf_counter()
    matrix = selectors.network_distance_matrix(COUNTY, facilities_ll, demand_ll[subset], max_distance_m=LIMIT_M,
                                               network=net, snapped_demand=sub_snap)
    matrix_s = time.perf_counter() - start
    coo = matrix.tocoo()
    col_min = np.full(len(subset), np.inf)
    np.minimum.at(col_min, coo.col, coo.data)
    assert np.array_equal(np.isfinite(col_min), np.isfinite(dist[subset]))
    assert np.allclose(col_min[np.isfinite(col_min)], dist[subset][np.isfinite(col_min)], rtol=0, atol=1e-6)

    to_metric = Transformer.from_crs("EPSG:4490", report.projection, always_xy=True)
    dx, dy = to_metric.transform(demand_ll[:, 0], demand_ll[:, 1])
    fx, fy = to_metric.transform(facilities_ll[:, 0], facilities_ll[:, 1])
    straight, _ = cKDTree(np.column_stack([fx, fy])).query(np.column_stack([dx, dy]), distance_upper_bound=LIMIT_M)
    print(json.dumps({
        "build_seconds": round(build_s, 2), "report": report.as_dict(), "demand_points": len(demand_ll),
        "service_s": service_s, "reference_s": reference_s, "search_s": search_s, "networkx_search_s": nx_search_s,
        "service_split_s": {"snap_facilities_and_demand": round(t1 - t0, 3), "pgrouting_search": round(t2 - t1, 3),
                            "resolve": round(t3 - t2, 3)},
        "vertices_reached": int(np.isfinite(vdist).sum()),
        "distance_matrix": {"demand_points": MATRIX_DEMAND, "facilities": N_FACILITIES, "seconds": round(matrix_s, 3),
                            "pairs_within_limit": int(matrix.nnz), "note": "demand snapped beforehand (not timed)"},
        "covered_share_network": float(fin.mean()),
        "covered_share_straight_line": float(np.isfinite(straight).mean()),
        "same_facility_share_vs_networkx": same_fac,
        "access_leg_m_percentiles": {str(p): round(float(v), 1) for p, v in
                                     zip((50, 90, 99, 100), np.percentile(d_snap.access_m, [50, 90, 99, 100]))},
        "access_leg_over_1km_share": float(np.mean(d_snap.access_m > LIMIT_M)),
        "oracle": {"sample": N_ORACLE, "covered": int(of.sum()), "identical": True},
    }))


def run() -> Result:
    url = bench_database_url()
    print(f"== network: {N_FACILITIES:,} facilities at {LIMIT_M:,.0f} m along the roads, on {_db_name(url)}",
          flush=True)
    setup = ensure_database(url)
    total, current = _address_counts(url)
    env = _django_env(url)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    done = subprocess.run([PYTHON, "-c", "from bench.network import _network_main; _network_main()"], cwd=ROOT,
                          env=env, check=True, stdout=subprocess.PIPE, text=True, timeout=CHILD_TIMEOUT_S)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["child_wall_seconds"] = round(time.perf_counter() - start, 1)
    variants = [
        Variant("service", out["service_s"], "network_nearest end to end: snap + one pgr_drivingDistance + resolve"),
        Variant("networkx", out["reference_s"], "same snapping and resolution, networkx multi_source_dijkstra"),
        Variant("service_search", out["search_s"], "the search alone: pgr_drivingDistance from a virtual root"),
        Variant("networkx_search", out["networkx_search_s"], "the search alone: graph build + multi_source_dijkstra"),
    ]
    res = result("network", (__doc__ or "").strip().splitlines()[0], "networkx",
                 {"addresses": total, "current_addresses": current, "demand_points": out["demand_points"],
                  "facilities": N_FACILITIES, "limit_m": LIMIT_M, "edges": out["report"]["edges"]},
                 variants, **out, setup=setup, database=database_info(url))
    for v in variants[2:]:  # the search-only pair against each other
        v.ratio = v.seconds / out["networkx_search_s"]
    return res
