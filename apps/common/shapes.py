"""Conversions between GeoDjango (GEOS) and shapely geometries through WKB, exact and fast, and
the Gauss-Krüger plane an area's metric work is done in."""
from __future__ import annotations

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from .crs import gauss_kruger_epsg_for_lon

STORAGE_SRID = 4490


def to_shapely(geometry: GEOSGeometry) -> BaseGeometry:
    return shapely.from_wkb(bytes(geometry.wkb))


def to_geos(geometry: BaseGeometry, srid: int = STORAGE_SRID) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=srid)


def to_geos_multipolygon(geometry: BaseGeometry, srid: int = STORAGE_SRID) -> MultiPolygon:
    geos = to_geos(geometry, srid)
    return MultiPolygon(geos, srid=srid) if geos.geom_type == "Polygon" else geos


def gauss_kruger_plane(centre_lon: float) -> tuple[Transformer, Transformer]:
    """(to plane, back to lon/lat): the CGCS2000 3-degree Gauss-Krüger zone (metres) whose central
    meridian is nearest `centre_lon`, for metric work on an area."""
    zone = gauss_kruger_epsg_for_lon(centre_lon)
    return (Transformer.from_crs("EPSG:4490", zone, always_xy=True),
            Transformer.from_crs(zone, "EPSG:4490", always_xy=True))

