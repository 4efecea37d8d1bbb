"""Point-in-township lookups for 2,000 points: per-point ORM selector vs one SQL query vs in-memory STRtree.

Points: 2,000 seeded uniform random points in the bounding box of 德清县 (330521, read from the
database, EPSG:4490). Each answer is the sorted tuple of ids of the township divisions in force
today whose geometry intersects the point (none, one, or several on a shared border).

(a) reference, our selector path: per point,
    ``valid_on(Division.objects.filter(geometry__intersects=pt, level='township'), today)``
    evaluated through the ORM (ids only, so the row transfer is the same for all variants);
(b) baseline: one parameterised SQL query for all points, ``unnest`` of two float8 arrays
    ``CROSS JOIN LATERAL`` the township rows that ``ST_Intersects`` each point;
(c) shapely ``STRtree`` over the township polygons, loaded from the database once (load and
    build time reported separately, not in the timing), one vectorised ``query``.
All three must give identical answers (asserted); ratios are relative to (a).
DEBUG is off by default (``DJANGO_DEBUG=0``) so Django's query log does not tax (a) alone.
"""

from __future__ import annotations

import os
import time
from typing import Any, Sequence

import numpy as np
import shapely

from bench._common import Result, Variant, best_of, first_line, result

N_POINTS = 2_000
COUNTY_CODE = "330521"  # 德清县
SEED = 330521
Answers = list[tuple[int, ...]]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_mz.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()


def random_points(bbox: Sequence[float], n: int = N_POINTS, seed: int = SEED) -> np.ndarray:
    """``n`` x (lon, lat) uniform in ``bbox`` = (minx, miny, maxx, maxy), reproducible by ``seed``."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = bbox
    return np.column_stack((rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)))


def via_orm(xy: np.ndarray, day: Any) -> Answers:
    """(a) One selector query per point through the ORM."""
    from django.contrib.gis.geos import Point

    from apps.divisions.models import STORAGE_SRID, Division, Level
    from apps.divisions.selectors import valid_on

    out: Answers = []
    for x, y in xy.tolist():
        pt = Point(x, y, srid=STORAGE_SRID)
        qs = valid_on(Division.objects.filter(geometry__intersects=pt, level=Level.TOWNSHIP), day)
        out.append(tuple(sorted(qs.values_list("pk", flat=True))))
    return out


def via_sql(xy: np.ndarray, day: Any) -> Answers:
    """(b) One SQL query for all points: unnest of coordinate arrays, LATERAL ST_Intersects."""
    from django.db import connection

    from apps.divisions.models import STORAGE_SRID, Division, Level

    table = connection.ops.quote_name(Division._meta.db_table)  # an identifier, not a value
    sql = f"""
        SELECT p.i, t.id
        FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS p(x, y, i)
        CROSS JOIN LATERAL (
            SELECT d.id FROM {table} d
            WHERE d.level = %s
              AND ST_Intersects(d.geometry, ST_SetSRID(ST_MakePoint(p.x, p.y), %s))
              AND (d.valid_from IS NULL OR d.valid_from <= %s)
              AND (d.valid_to IS NULL OR d.valid_to > %s)
        ) t"""
    found: list[list[int]] = [[] for _ in range(len(xy))]
    with connection.cursor() as cursor:
        cursor.execute(sql, [xy[:, 0].tolist(), xy[:, 1].tolist(), Level.TOWNSHIP.value, STORAGE_SRID, day, day])
        for i, pk in cursor.fetchall():
            found[i - 1].append(pk)
    return [tuple(sorted(ids)) for ids in found]


def load_tree(day: Any) -> tuple[shapely.STRtree, np.ndarray]:
    """Township polygons in force on ``day`` as a shapely STRtree, plus their ids by tree index."""
    from apps.divisions.models import Division, Level
    from apps.divisions.selectors import valid_on

    rows = valid_on(Division.objects.filter(level=Level.TOWNSHIP, geometry__isnull=False), day)
    ids, geoms = [], []
    for pk, geom in rows.values_list("pk", "geometry"):
        ids.append(pk)
        geoms.append(shapely.from_wkb(bytes(geom.wkb)))
    return shapely.STRtree(geoms), np.asarray(ids)


def via_strtree(xy: np.ndarray, tree: shapely.STRtree, ids: np.ndarray) -> Answers:
    """(c) One vectorised STRtree query (prepared-geometry intersects) for all points."""
    point_idx, tree_idx = tree.query(shapely.points(xy), predicate="intersects")
    found: list[list[int]] = [[] for _ in range(len(xy))]
    for i, pk in zip(point_idx.tolist(), ids[tree_idx].tolist()):
        found[i].append(pk)
    return [tuple(sorted(f)) for f in found]


def _database_info() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), postgis_lib_version(), postgis_geos_version()")
        pg, postgis, geos = cursor.fetchone()
    return {"postgresql": pg, "postgis": postgis, "postgis_geos": geos}


def run() -> Result:
    setup_django()
    from django.conf import settings
    from django.utils import timezone

    from apps.divisions.models import Division, Level

    day = timezone.localdate()
    county = Division.objects.get(code=COUNTY_CODE, level=Level.COUNTY, valid_to__isnull=True)
    xy = random_points(county.geometry.extent)

    start = time.perf_counter()
    tree, ids = load_tree(day)
    setup_s = time.perf_counter() - start

    a, b, c = via_orm(xy, day), via_sql(xy, day), via_strtree(xy, tree, ids)
    assert a == b, "ORM and SQL answers differ"
    assert a == c, "ORM and STRtree answers differ"

    t_a = best_of(lambda: via_orm(xy, day))
    t_b = best_of(lambda: via_sql(xy, day))
    t_c = best_of(lambda: via_strtree(xy, tree, ids))

    return result(
        "contains", first_line(__doc__), reference="a_orm_per_point",
        sizes={"points": len(xy), "townships_in_force": len(ids),
               "points_in_a_township": sum(1 for r in a if r), "points_in_several_townships": sum(1 for r in a if len(r) > 1),
               "bbox": list(county.geometry.extent)},
        variants=[
            Variant("a_orm_per_point", t_a, f"valid_on(...) selector, {len(xy):,} ORM queries"),
            Variant("b_sql_lateral", t_b, "one query: unnest arrays + LATERAL ST_Intersects"),
            Variant("c_strtree", t_c, "in-memory shapely STRtree, one vectorised query"),
        ],
        strtree_load_and_build_seconds=setup_s,
        django_debug=settings.DEBUG,
        database=_database_info(),
    )
