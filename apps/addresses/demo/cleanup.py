"""Deleting a previous generation: exactly the roads, 片区, addresses, identities and plates recorded
in its DataSource metadata, refused (`ForeignDataError`) when people have attached their own data
to demo rows; and the quick check that a recorded generation is still in the database."""
from __future__ import annotations

import time

from django.db import connection

from apps.divisions.models import Division

from ..models import Road

_GENERATED_SQL = """
CREATE TEMP TABLE demo_gen_roads ON COMMIT DROP AS
  SELECT id FROM addresses_road WHERE county_id = %(county)s AND code = ANY(%(road_codes)s)
     AND id BETWEEN %(ri0)s AND %(ri1)s;
CREATE TEMP TABLE demo_gen_areas ON COMMIT DROP AS
  SELECT id FROM addresses_area WHERE county_id = %(county)s AND code = ANY(%(area_codes)s)
     AND id BETWEEN %(ai0)s AND %(ai1)s;
CREATE TEMP TABLE demo_gen_addr ON COMMIT DROP AS
  SELECT id, identity_id, created_at FROM addresses_address
   WHERE road_id IN (SELECT id FROM demo_gen_roads) OR area_id IN (SELECT id FROM demo_gen_areas);
CREATE TEMP TABLE demo_gen_ident ON COMMIT DROP AS SELECT DISTINCT identity_id AS uid FROM demo_gen_addr;
"""

_FOREIGN_SQL = {
    "其他版本或人工新增的地址": "SELECT count(*) FROM addresses_address WHERE (identity_id IN (SELECT uid FROM demo_gen_ident) "
                        "OR id IN (SELECT id FROM demo_gen_addr)) AND created_at <> %(at)s",
    "人工新增或更换的门牌": "SELECT count(*) FROM addresses_doorplate WHERE identity_id IN (SELECT uid FROM demo_gen_ident) "
                    "AND created_at <> %(at)s",
    "门牌报错": "SELECT count(*) FROM addresses_platereport WHERE plate_id IN (SELECT id FROM addresses_doorplate "
            "WHERE identity_id IN (SELECT uid FROM demo_gen_ident))",
    "出入口": "SELECT count(*) FROM addresses_addressentrance WHERE identity_id IN (SELECT uid FROM demo_gen_ident)",
    "更名后的道路版本": "SELECT count(*) FROM addresses_road WHERE county_id = %(county)s AND code = ANY(%(road_codes)s) "
                "AND id > %(ri1)s",
}


class ForeignDataError(RuntimeError):
    """People have attached their own data to demo rows: the generator refuses to delete them."""


def delete_generated(county: Division, meta: dict, timings: dict | None = None) -> dict:
    """Delete exactly the rows of the previous generation recorded in `meta` (same transaction)."""
    if not meta.get("road_codes") and not meta.get("area_codes"):
        return {}
    ri = meta.get("road_ids") or [0, 0]
    ai = meta.get("area_ids") or [0, 0]
    params = {"county": county.pk, "road_codes": list(meta.get("road_codes") or []), "ri0": ri[0], "ri1": ri[1],
              "area_codes": list(meta.get("area_codes") or []), "ai0": ai[0], "ai1": ai[1],
              "at": meta.get("generated_at")}
    with connection.cursor() as cur:
        cur.execute(_GENERATED_SQL, params)
        problems = {}
        tables = set(connection.introspection.table_names(cur))
        for label, sql in _FOREIGN_SQL.items():
            if "addresses_platereport" in sql and "addresses_platereport" not in tables:
                continue  # table not migrated yet
            cur.execute(sql, params)
            n = cur.fetchone()[0]
            if n:
                problems[label] = n
        if problems:
            raise ForeignDataError(
                "演示道路/片区上已有非生成器写入的数据，为免误删而停止："
                + "，".join(f"{k} {v}" for k, v in problems.items())
                + "。请先处理这些数据（或换一个库）再重新生成。")
        cur.execute("ANALYZE demo_gen_roads; ANALYZE demo_gen_areas; ANALYZE demo_gen_addr; ANALYZE demo_gen_ident")
        deleted = {}
        for label, sql in (
                ("门牌", "DELETE FROM addresses_doorplate WHERE identity_id IN (SELECT uid FROM demo_gen_ident)"),
                ("地址", "DELETE FROM addresses_address WHERE id IN (SELECT id FROM demo_gen_addr)"),
                ("地址标识", "DELETE FROM addresses_addressidentity WHERE uid IN (SELECT uid FROM demo_gen_ident)"),
                ("片区", "DELETE FROM addresses_area WHERE id IN (SELECT id FROM demo_gen_areas)"),
                ("街路巷", "DELETE FROM addresses_road WHERE id IN (SELECT id FROM demo_gen_roads)")):
            t0 = time.monotonic()
            cur.execute(sql)
            deleted[label] = cur.rowcount
            if timings is not None:
                timings[label] = time.monotonic() - t0
        cur.execute("DROP TABLE demo_gen_roads, demo_gen_areas, demo_gen_addr, demo_gen_ident")
    return deleted


def still_there(county: Division, meta: dict) -> bool:
    """Quick sanity check that the recorded generation is still in the database."""
    codes, ids = meta.get("road_codes"), meta.get("road_ids")
    if not codes or not ids:
        return False
    n = Road.objects.filter(county=county, code__in=codes, id__gte=ids[0], id__lte=ids[1]).count()
    return n == len(codes) == meta.get("roads")
