"""A small hand-made road network in 德清县 (武康街道), laid out in metres in the county's
Gauss-Krüger zone around the township seat and stored as real `Road` rows in the test's transaction:

    y=900            R9108 (dead end)
                      |
    y=400   +---------+---------+        R9102 north street; R9106 ends 1 m short of it (near miss)
            |   R9106 |         |
            |         |         |        R9103/R9104/R9105 cross streets
    y=0     +---------+---------+~~~~~~~~~~~~~~~~~~~~~~+   R9101 + R9107: a 3 km rural road with a bend
    y=-300  +------------------+                           R9109: a separate component 300 m south
"""
from __future__ import annotations

import numpy as np
import pytest
from django.contrib.gis.geos import LineString
from pyproj import Transformer

from apps.addresses.models import Road
from apps.common.crs import gauss_kruger_epsg_for_lon
from apps.divisions.models import Division
from apps.roadnet.models import RoadEdge
from apps.roadnet.services import build_network

from .oracle import Oracle

COUNTY = "330521"

ROADS_XY: dict[str, list[tuple[float, float]]] = {
    "R9101": [(0, 0), (800, 0)],
    "R9102": [(0, 400), (800, 400)],
    "R9103": [(0, 0), (0, 400)],
    "R9104": [(400, 0), (400, 400)],
    "R9105": [(800, 0), (800, 400)],
    "R9106": [(200, 399), (200, 150)],           # stops 1 m short of R9102: snapped
    "R9107": [(800, 0), (2000, 300), (3800, 0)],  # long rural road, far end well beyond 1 km
    "R9108": [(400, 400), (400, 900)],           # dead end
    "R9109": [(0, -300), (800, -300)],           # another component, 300 m away: not connected
}


class Frame:
    """Metres around the township seat in the county's Gauss-Krüger zone, to and from lon/lat."""

    def __init__(self, seat_lon: float, seat_lat: float):
        self.projection = gauss_kruger_epsg_for_lon(seat_lon)
        self.fwd = Transformer.from_crs("EPSG:4490", self.projection, always_xy=True)
        self.x0, self.y0 = self.fwd.transform(seat_lon, seat_lat)

    def lonlat(self, xy: np.ndarray | list) -> np.ndarray:
        a = np.asarray(xy, dtype=float).reshape(-1, 2)
        lon, lat = self.fwd.transform(a[:, 0] + self.x0, a[:, 1] + self.y0, direction="INVERSE")
        return np.column_stack([lon, lat])


@pytest.fixture
def wukang(db) -> Division:  # type: ignore[no-untyped-def]
    return Division.objects.get(name="武康街道", level="township", valid_to__isnull=True)


@pytest.fixture
def frame(wukang) -> Frame:  # type: ignore[no-untyped-def]
    return Frame(wukang.seat.x, wukang.seat.y)


@pytest.fixture
def test_roads(wukang, frame) -> list[Road]:  # type: ignore[no-untyped-def]
    Road.objects.filter(county=wukang.parent).delete()
    out = []
    for i, (code, xy) in enumerate(ROADS_XY.items()):
        ll = frame.lonlat(xy)
        out.append(Road.objects.create(code=code, county=wukang.parent, township=wukang, name=f"测试路网{i}路",
                                       kind="路", geometry=LineString([tuple(p) for p in ll], srid=4490)))
    return out


@pytest.fixture
def oracle(test_roads, frame) -> Oracle:  # type: ignore[no-untyped-def]
    """The network built from the test roads, and the networkx oracle over its stored geometry."""
    build_network(COUNTY)
    edges = [(np.asarray(e.geometry.coords), e.is_connector) for e in RoadEdge.objects.order_by("id")]
    return Oracle(edges, frame.projection)
