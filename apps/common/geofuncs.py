"""PostGIS expressions used by selectors: metric area and simplification done in SQL.

Metric work never uses a degrees-per-metre factor: area goes through `geography`, and
simplification happens in the CGCS2000 3-degree Gauss-Krüger zone (EPSG:4534–4554, no zone prefix)
whose central meridian is nearest the geometry's centroid, then back to EPSG:4490.
"""
from __future__ import annotations

from typing import Any

from django.contrib.gis.db.models import MultiPolygonField
from django.db.models import Expression, F, FloatField, Func

STORAGE_SRID = 4490
# EPSG:4534 has central meridian 75°E; each following code adds 3°, up to EPSG:4554 (135°E).
_GK_ZONE_SQL = "LEAST(4554, GREATEST(4534, 4534 + round((ST_X(ST_Centroid({g})) - 75.0) / 3.0)::int))"


class AreaKm2(Func):
    """Ellipsoidal area in km² (ST_Area on geography)."""

    template = "(ST_Area(%(expressions)s::geography) / 1000000.0)"
    output_field = FloatField()


class SimplifyMetres(Expression):
    """ST_SimplifyPreserveTopology with a tolerance in metres, kept a valid MultiPolygon."""

    output_field = MultiPolygonField(srid=STORAGE_SRID)

    def __init__(self, field: str, tolerance_m: float):
        super().__init__(output_field=MultiPolygonField(srid=STORAGE_SRID))
        self.source = F(field)
        self.tolerance_m = float(tolerance_m)

    def resolve_expression(self, query: Any = None, allow_joins: bool = True, reuse: Any = None,
                           summarize: bool = False, for_save: bool = False) -> "SimplifyMetres":
        clone = self.copy()
        clone.source = self.source.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return clone

    def get_source_expressions(self) -> list[Any]:
        return [self.source]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        (self.source,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        geom_sql, params = compiler.compile(self.source)
        zone = _GK_ZONE_SQL.format(g=geom_sql)
        sql = (f"ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Transform(ST_SimplifyPreserveTopology("
               f"ST_Transform({geom_sql}, {zone}), %s), {STORAGE_SRID})), 3))")
        # geom_sql appears twice (the zone uses its centroid): repeat its params accordingly.
        return sql, [*params, *params, self.tolerance_m]
