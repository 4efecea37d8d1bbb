"""Writing a plan in the current transaction: table ids reserved from the sequences, geometries as
hex EWKB, rows streamed with PostgreSQL COPY (the change-history triggers stay on)."""
from __future__ import annotations

import io
import time

import numpy as np
import shapely
from shapely.geometry import Point

from django.db import connection

from apps.divisions.models import Division

from .constants import COPY_CHUNK, SRID
from .plan import Plan


def _nullable(v: object) -> str:
    return "\\N" if v is None else str(v)


def _reserve_ids(cur, table: str, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    if n == 0:
        return []
    cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
    return [r[0] for r in cur.fetchall()]


def _copy(cur, table: str, columns: tuple[str, ...], lines) -> None:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    n = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    for line in lines:
        buf.write(line)
        n += 1
        if n % COPY_CHUNK == 0:
            buf.seek(0)
            cur.copy_expert(sql, buf)
            buf = io.StringIO()
    if buf.tell():
        buf.seek(0)
        cur.copy_expert(sql, buf)


def _ewkb_hex(geoms) -> list[str]:  # type: ignore[no-untyped-def]
    arr = shapely.set_srid(np.asarray(geoms, dtype=object), SRID)
    return list(shapely.to_wkb(arr, hex=True, include_srid=True))


def write_plan(plan: Plan, county: Division, created_at: str, timings: dict | None = None) -> dict:
    """COPY the plan into the tables in the current transaction; returns the id ranges.
    `timings` (if given) receives the seconds spent per table."""
    raw = connection.cursor().cursor  # the psycopg2 cursor, for copy_expert
    timings = timings if timings is not None else {}
    clock = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        timings[name] = timings.get(name, 0.0) + now - clock[0]
        clock[0] = now

    a = plan.addr
    n = len(plan)
    road_ids = _reserve_ids(raw, "addresses_road", len(plan.roads))
    area_ids = _reserve_ids(raw, "addresses_area", len(plan.areas))
    addr_ids = _reserve_ids(raw, "addresses_address", n)
    plate_ids = _reserve_ids(raw, "addresses_doorplate", len(plan.plates))
    lap("ids")

    road_geoms = _ewkb_hex([r.line_ll for r in plan.roads])
    _copy(raw, "addresses_road", ("id", "code", "county_id", "township_id", "name", "kind", "geometry", "valid_from"),
          (f"{road_ids[i]}\t{r.code}\t{county.pk}\t{r.township.pk}\t{r.name}\t{r.kind}\t{road_geoms[i]}\t"
           f"{r.valid_from.isoformat()}\n" for i, r in enumerate(plan.roads)))
    lap("addresses_road")

    polys = _ewkb_hex([ap.polygon_ll if ap.polygon_ll is not None else None for ap in plan.areas])
    locs = _ewkb_hex([Point(ap.location_ll) if ap.location_ll else None for ap in plan.areas])
    _copy(raw, "addresses_area", ("id", "code", "county_id", "village_id", "name", "kind", "geometry", "location"),
          (f"{area_ids[i]}\t{ap.code}\t{county.pk}\t{ap.village.pk}\t{ap.name}\t{ap.kind}\t"
           f"{polys[i] or chr(92) + 'N'}\t{locs[i] or chr(92) + 'N'}\n" for i, ap in enumerate(plan.areas)))
    lap("addresses_area")

    uids = a["uid"]
    _copy(raw, "addresses_addressidentity", ("uid", "code", "created_at"),
          (f"{uids[i]}\t{a['code'][i]}\t{created_at}\n" for i in range(n)))
    lap("addresses_addressidentity")

    locations = list(shapely.to_wkb(shapely.set_srid(shapely.points(np.array(a["x"]), np.array(a["y"])), SRID),
                                    hex=True, include_srid=True))
    cols = ("id", "version", "code", "division_code", "door_number", "door_suffix", "building", "unit", "floor",
            "room", "level", "full_text", "location", "status", "stage", "valid_from", "valid_to", "households",
            "residents", "residents_60plus", "created_at", "township_id", "village_id", "identity_id", "area_id",
            "road_id")

    def address_lines():  # type: ignore[no-untyped-def]
        N = "\\N"
        for i in range(n):
            area, road = a["area"][i], a["road"][i]
            vf, vt = a["valid_from"][i], a["valid_to"][i]
            yield (f"{addr_ids[i]}\t1\t{a['code'][i]}\t{a['division_code'][i]}\t{a['door_number'][i]}\t"
                   f"{a['door_suffix'][i]}\t{a['building'][i]}\t{a['unit'][i]}\t{_nullable(a['floor'][i])}\t"
                   f"{a['room'][i]}\t{a['level'][i]}\t{a['full_text'][i]}\t{locations[i]}\t{a['status'][i]}\t"
                   f"{a['stage'][i]}\t{vf.isoformat() if vf else N}\t{vt.isoformat() if vt else N}\t"
                   f"{_nullable(a['households'][i])}\t{_nullable(a['residents'][i])}\t{_nullable(a['r60'][i])}\t"
                   f"{created_at}\t{a['township_id'][i]}\t{_nullable(a['village_id'][i])}\t{uids[i]}\t"
                   f"{area_ids[area] if area is not None else N}\t{road_ids[road] if road is not None else N}\n")

    _copy(raw, "addresses_address", cols, address_lines())
    lap("addresses_address")

    def plate_lines():  # type: ignore[no-untyped-def]
        N = "\\N"
        for j, (i, plate_no, size, state, token, active, made, installed, damaged, retired) in enumerate(plan.plates):
            yield (f"{plate_ids[j]}\t{plate_no}\t{uids[i]}\t{size}\t{state}\t{token}\t{'t' if active else 'f'}\t"
                   f"{made.isoformat() if made else N}\t{installed.isoformat() if installed else N}\t"
                   f"{damaged.isoformat() if damaged else N}\t{retired.isoformat() if retired else N}\t{created_at}\n")

    _copy(raw, "addresses_doorplate", ("id", "plate_no", "identity_id", "size", "state", "token", "token_active",
                                       "made_on", "installed_on", "damaged_on", "retired_on", "created_at"),
          plate_lines())
    lap("addresses_doorplate")
    return {
        "road_codes": [r.code for r in plan.roads],
        "road_ids": [min(road_ids), max(road_ids)] if road_ids else None,
        "area_codes": [ap.code for ap in plan.areas],
        "area_ids": [min(area_ids), max(area_ids)] if area_ids else None,
        "address_ids": [min(addr_ids), max(addr_ids)] if addr_ids else None,
    }
