"""路网: the routable network of a county, derived from its current roads by `build_network`.

`RoadNetwork` is one row per county: when it was built, with which tolerances, and the figures of
the build report. `RoadEdge` holds the noded edges (node to node, split at every intersection),
with pgRouting's `source`/`target` vertex ids (numbered per county from 1) and the geodesic length
in metres as the cost. Edges are derived data: a rebuild replaces all of a county's edges in one
transaction, so they carry no change history of their own; the build record does.
"""
from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q

from apps.divisions.models import Division

STORAGE_SRID = 4490


class RoadNetwork(models.Model):
    """The last build of one county's network and its report figures."""

    county = models.OneToOneField(Division, verbose_name="县级区划", on_delete=models.PROTECT, related_name="+")
    built_at = models.DateTimeField("构建时间", auto_now=True)
    projection = models.CharField("计算投影", max_length=12, help_text="节点化所用的高斯-克吕格分带，如 EPSG:4549")
    snap_tolerance_m = models.FloatField("近失捕捉容差（米）")
    connector_tolerance_m = models.FloatField("连通连接容差（米）")
    roads = models.PositiveIntegerField("道路数")
    edges = models.PositiveIntegerField("边数")
    vertices = models.PositiveIntegerField("节点数")
    components = models.PositiveIntegerField("连通分量数")
    components_before_connectors = models.PositiveIntegerField("连接前连通分量数")
    largest_component_share = models.FloatField("最大分量长度占比")
    snapped_near_misses = models.PositiveIntegerField("捕捉的近失端点数")
    connectors = models.PositiveIntegerField("连接边数")
    total_length_m = models.FloatField("道路总长（米）")
    connector_length_m = models.FloatField("连接边总长（米）")

    class Meta:
        verbose_name = "路网"
        verbose_name_plural = "路网"

    def __str__(self) -> str:
        return f"{self.county} 路网"


class RoadEdge(models.Model):
    """One routable edge, from node to node, of one road (or a connector joining two components)."""

    county = models.ForeignKey(Division, verbose_name="县级区划", on_delete=models.CASCADE, related_name="+")
    # The road's code, not a key to its version: roads are versioned and the demo generator deletes
    # its own roads with raw SQL; a derived table must never block that. Empty for a connector.
    road_code = models.CharField("道路编码", max_length=5, blank=True)
    is_connector = models.BooleanField("连接边", default=False)
    source = models.BigIntegerField("起点编号")
    target = models.BigIntegerField("终点编号")
    length_m = models.FloatField("长度（米，椭球面）")
    geometry = models.LineStringField("几何", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "路网边"
        verbose_name_plural = "路网边"
        indexes = [models.Index(fields=["county", "source"]), models.Index(fields=["county", "target"])]
        constraints = [
            models.CheckConstraint(condition=Q(geometry__isvalid=True), name="roadedge_geometry_valid"),
            models.CheckConstraint(condition=Q(length_m__gt=0), name="roadedge_length_positive"),
            models.CheckConstraint(condition=Q(is_connector=True, road_code="")
                                   | Q(is_connector=False, road_code__regex=r"^R[0-9]{4}$"),
                                   name="roadedge_connector_has_no_road"),
        ]

    def __str__(self) -> str:
        return f"{self.road_code or '连接边'} {self.source}→{self.target}"
