"""Building the routable network (`build_network`, `build_road_network`): noding at intersections and
shared endpoints, near-miss snapping, components and connectors, idempotent rebuilds, and the
report on the demo road set of 德清县, each checked against an independent recount."""
from __future__ import annotations

import io
import json
from collections import defaultdict

import networkx as nx
import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pyproj import Geod
from shapely.geometry import LineString
from shapely.strtree import STRtree

from apps.addresses import demo
from apps.addresses.models import Road
from apps.common.models import ChangeRecord
from apps.roadnet.models import RoadEdge, RoadNetwork
from apps.roadnet.services import CONNECTOR_TOLERANCE_M, NetworkError, build_network

from .conftest import COUNTY

pytestmark = pytest.mark.django_db
GEOD = Geod(ellps="GRS80")


def _snapshot() -> list[tuple]:
    return sorted((e.road_code, e.is_connector, e.source, e.target, round(e.length_m, 6), e.geometry.wkt)
                  for e in RoadEdge.objects.all())


def _recount() -> dict:
    """Vertices, components and the largest component's share of length, from stored geometry alone
    (coordinates, not the stored ids), plus a check that ids and coordinates agree one to one."""
    g = nx.MultiGraph()
    coord_of_id: dict[int, set] = defaultdict(set)
    for e in RoadEdge.objects.all():
        a, b = e.geometry.coords[0], e.geometry.coords[-1]
        coord_of_id[e.source].add(a)
        coord_of_id[e.target].add(b)
        g.add_edge(a, b, length=GEOD.line_length(*np.asarray(e.geometry.coords).T))
    assert all(len(c) == 1 for c in coord_of_id.values())  # one id, one place
    assert len({next(iter(c)) for c in coord_of_id.values()}) == len(coord_of_id)  # one place, one id
    comps = [sum(d["length"] for *_, d in g.subgraph(c).edges(data=True)) for c in nx.connected_components(g)]
    return {"vertices": g.number_of_nodes(), "components": len(comps), "share": max(comps) / sum(comps)}


def _assert_noded() -> None:
    """No two edges meet anywhere but at their end vertices."""
    lines = [LineString(e.geometry.coords) for e in RoadEdge.objects.all()]
    tree = STRtree(lines)
    left, right = tree.query(lines, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist()):
        if i < j:
            shared = lines[i].intersection(lines[j])
            ends = {lines[i].coords[0], lines[i].coords[-1]} & {lines[j].coords[0], lines[j].coords[-1]}
            assert shared.geom_type in ("Point", "MultiPoint") and \
                {p.coords[0] for p in getattr(shared, "geoms", [shared])} <= ends, (i, j, shared.wkt)


def test_hand_made_network_is_noded_as_drawn(test_roads) -> None:  # type: ignore[no-untyped-def]
    report = build_network(COUNTY)
    # R9101 splits at x=400; R9102 at the snapped end of R9106 (x=200) and at x=400; the rest whole.
    assert (report.roads, report.edges, report.vertices) == (9, 12, 12)
    assert report.snapped_near_misses == 1 and report.connectors == 0
    assert report.components == report.components_before_connectors == 2
    assert RoadEdge.objects.filter(road_code="R9102").count() == 3
    assert RoadEdge.objects.filter(road_code="R9101").count() == 2
    again = _recount()
    assert (again["vertices"], again["components"]) == (report.vertices, report.components)
    assert report.largest_component_share == pytest.approx(again["share"], abs=1e-12)
    _assert_noded()
    # Lengths are geodesic: the roads' own geodesic lengths plus the 1 m that closed the near miss.
    roads_m = sum(GEOD.line_length(*np.asarray(r.geometry.coords).T) for r in test_roads)
    assert report.total_length_m == pytest.approx(roads_m + 1.0, abs=0.05)
    assert sum(RoadEdge.objects.values_list("length_m", flat=True)) == pytest.approx(report.total_length_m)
    with connection.cursor() as cur:  # and they agree with PostGIS's own ellipsoidal length
        cur.execute("SELECT max(abs(length_m - ST_Length(geometry::geography))) FROM roadnet_roadedge")
        assert cur.fetchone()[0] < 1e-6


def test_connectors_join_components_within_the_tolerance(test_roads) -> None:  # type: ignore[no-untyped-def]
    report = build_network(COUNTY, connector_tolerance_m=400)
    assert report.components_before_connectors == 2 and report.components == 1 and report.connectors == 1
    connector = RoadEdge.objects.get(is_connector=True)
    assert connector.road_code == "" and connector.length_m == pytest.approx(300, abs=0.5)
    assert report.connector_length_m == pytest.approx(connector.length_m)
    assert _recount()["components"] == 1
    _assert_noded()  # the connector's ends became vertices, part-way along both roads


def test_rebuild_is_idempotent_and_replaces_the_county_edges(test_roads) -> None:  # type: ignore[no-untyped-def]
    first = build_network(COUNTY)
    before = _snapshot()
    again = build_network(COUNTY)
    assert _snapshot() == before and again == first
    assert RoadNetwork.objects.count() == 1
    assert ChangeRecord.objects.filter(table_name="roadnet_roadnetwork").count() >= 2  # build record history
    Road.objects.filter(code="R9108").update(valid_to="2026-01-01")  # the dead end is retired
    third = build_network(COUNTY)
    assert third.roads == 8 and third.edges == 11
    assert not RoadEdge.objects.filter(road_code="R9108").exists()


def test_command_prints_the_report_and_refuses_unknown_counties(test_roads) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("build_road_network", COUNTY, "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["edges"] == RoadEdge.objects.count() == 12
    assert report["connector_tolerance_m"] == CONNECTOR_TOLERANCE_M
    out = io.StringIO()
    call_command("build_road_network", COUNTY, "--connector-tolerance", "400", stdout=out)
    assert "连接边 1 条" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("build_road_network", "999999")
    Road.objects.all().delete()
    with pytest.raises(NetworkError):
        build_network(COUNTY)


def test_demo_roads_of_deqing() -> None:
    """The real demo generator's roads (they do not depend on the address count): what the report
    says about them is recounted independently, and the figures the README quotes hold."""
    demo.generate_demo_addresses(COUNTY, count=600, seed=7)
    report = build_network(COUNTY)
    again = _recount()
    assert report.roads == Road.objects.filter(valid_to__isnull=True).count() > 100
    assert (again["vertices"], again["components"]) == (report.vertices, report.components)
    assert report.largest_component_share == pytest.approx(again["share"], abs=1e-9)
    _assert_noded()
    connectors = RoadEdge.objects.filter(is_connector=True)
    assert connectors.count() == report.connectors > 0
    assert all(c.road_code == "" and c.length_m <= CONNECTOR_TOLERANCE_M * 1.001 for c in connectors)
    # One network per township: connectors close the lanes' gaps, not the gaps between townships.
    assert report.components < report.components_before_connectors
    assert report.components >= 12 and report.largest_component_share < 0.5
