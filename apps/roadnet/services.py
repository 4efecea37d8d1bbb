"""Building a county's routable network from its current roads (one transaction per build).

`build_network(county_code)` nodes the roads in force (`valid_to IS NULL`) in the county's
Gauss-Krüger zone (`noding.node_roads`: near-miss snapping, noding at every intersection and shared
endpoint, connectors across small gaps between components), computes each edge's geodesic length,
replaces the county's edges and its `RoadNetwork` record, and returns a `BuildReport`.
Running it twice on the same roads gives the same edges (idempotent).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import shapely
from django.contrib.gis.geos import LineString as GeosLineString
from django.db import transaction
from pyproj import Transformer

from apps.accounts.jurisdiction import require_codes
from apps.addresses.models import Road
from apps.common.errors import DomainRuleError
from apps.common.crs import gauss_kruger_epsg_for_lon
from apps.divisions.models import Division

from .models import STORAGE_SRID, RoadEdge, RoadNetwork
from .noding import CONNECTOR, node_roads
from .snapping import geodesic_length

# Digitised T-junctions in county road data miss by centimetres to a metre or two; 2 m closes those
# without bending roads that really stop short (a dead end 2 m from a road is not a real thing).
SNAP_TOLERANCE_M = 2.0
# The demo lanes (巷) stop 20 m short of the streets at both ends by construction, give or take the
# streets' ±25 m jitter; real lanes meet the street through a gate or path nobody mapped. 60 m joins
# those gaps; townships further apart than that stay separate components and the report says so.
CONNECTOR_TOLERANCE_M = 60.0


class NetworkError(DomainRuleError):
    """The county is unknown, has no roads, or has no built network: the API answers 422 with the
    message (e.g. "run build_road_network first") instead of a server error."""

    def __init__(self, detail: str):
        super().__init__(detail, "county")


@dataclass
class BuildReport:
    """What a build produced; `components` and the largest component's share of length are after
    connectors, `components_before_connectors` before them."""

    county_code: str
    projection: str
    roads: int
    edges: int
    vertices: int
    components: int
    components_before_connectors: int
    largest_component_share: float
    snapped_near_misses: int
    connectors: int
    total_length_m: float
    connector_length_m: float
    snap_tolerance_m: float
    connector_tolerance_m: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        return (f"{self.county_code}：{self.roads} 条道路 → {self.edges} 条边、{self.vertices} 个节点；"
                f"连通分量 {self.components}（连接前 {self.components_before_connectors}），"
                f"最大分量占总长 {self.largest_component_share:.1%}；捕捉近失端点 {self.snapped_near_misses} 处"
                f"（≤ {self.snap_tolerance_m:g} 米），连接边 {self.connectors} 条共 {self.connector_length_m:.0f} 米"
                f"（≤ {self.connector_tolerance_m:g} 米）；路网总长 {self.total_length_m / 1000:.1f} 千米")


def current_county(county_code: str) -> Division:
    county = Division.objects.filter(code=county_code, level="county", valid_to__isnull=True).first()
    if county is None:
        raise NetworkError(f"没有现行的县级区划 {county_code}")
    return county


def build_network(county_code: str, *, snap_tolerance_m: float = SNAP_TOLERANCE_M,
                  connector_tolerance_m: float = CONNECTOR_TOLERANCE_M) -> BuildReport:
    """(Re)build the routable network of the county from its current roads; see the module doc.
    The acting principal must be an editor whose jurisdiction covers the county (commands act as
    the system)."""
    county = current_county(county_code)
    require_codes([county.code], f"{county.name}的路网")
    roads = list(Road.objects.filter(county=county, valid_to__isnull=True).order_by("code")
                 .values_list("code", "geometry"))
    if not roads:
        raise NetworkError(f"{county.name}（{county_code}）没有现行道路，无法构建路网")
    lonlat = [np.asarray(g.coords, dtype=np.float64) for _, g in roads]
    mean_lon = float(np.mean([c[:, 0].mean() for c in lonlat]))
    projection = gauss_kruger_epsg_for_lon(mean_lon)
    to_metric = Transformer.from_crs(f"EPSG:{STORAGE_SRID}", projection, always_xy=True)
    lines = []
    for c in lonlat:
        x, y = to_metric.transform(c[:, 0], c[:, 1])
        lines.append(shapely.linestrings(np.column_stack([x, y])))
    net = node_roads(lines, snap_tolerance_m=snap_tolerance_m, connector_tolerance_m=connector_tolerance_m)

    rows, lengths = [], []
    for e in net.edges:
        xy = shapely.get_coordinates(e.line)
        lon, lat = to_metric.transform(xy[:, 0], xy[:, 1], direction="INVERSE")
        ll = np.column_stack([lon, lat])
        length = geodesic_length(ll)
        if length <= 0:  # a piece shorter than the 1 cm grid collapsed to a point
            continue
        connector = e.road_index == CONNECTOR
        rows.append(RoadEdge(county=county, road_code="" if connector else roads[e.road_index][0],
                             is_connector=connector, source=e.source, target=e.target, length_m=length,
                             geometry=GeosLineString([tuple(p) for p in ll.tolist()], srid=STORAGE_SRID)))
        lengths.append(length)

    length_arr = np.asarray(lengths)
    labels = net.component_of_vertex
    comp_of_edge = labels[[r.source for r in rows]]
    per_comp = np.bincount(comp_of_edge, weights=length_arr)
    connector_len = float(sum(r.length_m for r in rows if r.is_connector))
    report = BuildReport(
        county_code=county_code, projection=projection, roads=len(roads), edges=len(rows),
        vertices=len({r.source for r in rows} | {r.target for r in rows}),
        components=int(np.count_nonzero(per_comp > 0)),
        components_before_connectors=net.components_before_connectors,
        largest_component_share=float(per_comp.max() / length_arr.sum()),
        snapped_near_misses=net.snapped_near_misses, connectors=net.connectors,
        total_length_m=float(length_arr.sum()), connector_length_m=connector_len,
        snap_tolerance_m=snap_tolerance_m, connector_tolerance_m=connector_tolerance_m)

    with transaction.atomic():
        RoadEdge.objects.filter(county=county).delete()
        RoadEdge.objects.bulk_create(rows, batch_size=2000)
        fields = {k: v for k, v in report.as_dict().items() if k not in ("county_code",)}
        RoadNetwork.objects.update_or_create(county=county, defaults=fields)
    return report


__all__ = ["BuildReport", "NetworkError", "build_network", "current_county"]
