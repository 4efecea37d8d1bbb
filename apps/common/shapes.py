"""Conversions between GeoDjango (GEOS) and shapely geometries through WKB, exact and fast."""
from __future__ import annotations

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from shapely.geometry.base import BaseGeometry

STORAGE_SRID = 4490


def to_shapely(geometry: GEOSGeometry) -> BaseGeometry:
    return shapely.from_wkb(bytes(geometry.wkb))


def to_geos(geometry: BaseGeometry, srid: int = STORAGE_SRID) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=srid)


def to_geos_multipolygon(geometry: BaseGeometry, srid: int = STORAGE_SRID) -> MultiPolygon:
    geos = to_geos(geometry, srid)
    return MultiPolygon(geos, srid=srid) if geos.geom_type == "Polygon" else geos
