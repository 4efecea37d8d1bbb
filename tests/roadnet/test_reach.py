"""Reached stretches of road (`network_reach`, `reach.edge_intervals`): hand-worked intervals on one
edge, and on the hand-made network every sampled road point is inside a stretch of its nearest
facility exactly when the networkx oracle says it is within the limit."""
from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import LineString, Point

from apps.roadnet.models import RoadEdge
from apps.roadnet.reach import edge_intervals
from apps.roadnet.selectors import network_reach

from .conftest import COUNTY
from .test_network_distance import FACILITIES_XY, LIMIT

pytestmark = pytest.mark.django_db


def test_one_edge_by_hand() -> None:
    # 100 m edge; source reached at 30 m by facility 0, target at 50 m by facility 1; facility 2 on
    # the edge at 62 m with a 1 m access leg. Facility 0 leads until 30 + s = 1 + 62 − s (16.5 m).
    got = edge_intervals(5, 100.0, 30.0, 0, 50.0, 1, [(2, 62.0, 1.0)], 60.0)
    assert [(r.start_m, r.end_m, r.facility) for r in got] == [(0.0, 16.5, 0), (16.5, 100.0, 2)]
    got = edge_intervals(5, 100.0, 30.0, 0, 50.0, 1, [(2, 62.0, 1.0)], 40.0)
    assert [(r.start_m, r.end_m, r.facility) for r in got] == [(0.0, 10.0, 0), (23.0, 100.0, 2)]
    got = edge_intervals(5, 100.0, 30.0, 0, np.inf, -1, [], 80.0)  # the far end out of reach
    assert [(r.start_m, r.end_m, r.facility) for r in got] == [(0.0, 50.0, 0)]
    assert edge_intervals(5, 100.0, np.inf, -1, np.inf, -1, [], 80.0) == []


def test_reached_stretches_equal_the_oracle(oracle, frame) -> None:  # type: ignore[no-untyped-def]
    fwd = Transformer.from_crs("EPSG:4490", frame.projection, always_xy=True)
    samples = []
    for e in RoadEdge.objects.filter(is_connector=False):
        x, y = fwd.transform(*np.asarray(e.geometry.coords).T)
        line = LineString(np.column_stack([x, y]))
        for s in np.arange(0.5, line.length - 0.5, 7.0):
            p = line.interpolate(s)
            samples.append((p.x, p.y))
    xy = np.array(samples)
    lon, lat = fwd.transform(xy[:, 0], xy[:, 1], direction="INVERSE")
    # A fourth facility on the north street, so reaches meet and split edges between owners.
    facilities = frame.lonlat([*FACILITIES_XY, (650, 410)])
    o_fac, o_dist, o_second = oracle.nearest(facilities, np.column_stack([lon, lat]), LIMIT)

    stretches = network_reach(COUNTY, facilities, max_distance_m=LIMIT)
    lines = [LineString(np.column_stack(fwd.transform(*r.lonlat.T))) for r in stretches]
    owner = np.full(len(xy), -1)
    for k, (px, py) in enumerate(xy):
        hits = {stretches[i].facility_index for i, ln in enumerate(lines) if ln.distance(Point(px, py)) < 1e-4}
        if hits:
            assert len(hits) == 1, (k, hits)
            owner[k] = hits.pop()
    with np.errstate(invalid="ignore"):
        clear = (np.abs(o_dist - LIMIT) > 0.01) & ~(o_second - o_dist <= 0.01)
    clear |= np.isinf(o_dist)
    assert clear.mean() > 0.95
    assert np.array_equal(owner[clear], o_fac[clear])
    assert 0.2 < (owner >= 0).mean() < 0.98  # the rural road's far part stays out
    # Stretches end part-way along edges (the limit, or where another facility is nearer).
    assert any(0 < r.start_m or r.end_m < RoadEdge.objects.get(pk=r.edge_id).length_m - 1e-6 for r in stretches)
    assert all(r.road_code.startswith("R9") for r in stretches)
    assert len({r.facility_index for r in stretches}) == 4
