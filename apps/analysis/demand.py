"""Demand points for the analyses: the current standard addresses of an area as numpy arrays
(address id, lon, lat, households, residents, residents aged 60+, township and village ids).

A county holds up to about a million addresses, so they are read with one binary COPY whose rows
have a fixed width (every column non-null), decoded by a numpy structured dtype without a Python
loop, and kept per process until the address table changes (PostgreSQL's row counters, as the
address matcher does)."""
from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.db import connection

WEIGHTS = {"count": "地址数", "households": "户数", "residents": "人口", "residents_60plus": "60岁以上人口"}
CHECK_EVERY_S = 2.0
_COLUMNS = ("id", "lon", "lat", "households", "residents", "residents_60plus", "township_id", "village_id")
_TYPES = (">i8", ">f8", ">f8", ">i4", ">i4", ">i4", ">i8", ">i8")
# A binary COPY row: int16 field count, then per field an int32 length and the value.
_ROW = np.dtype([("nfields", ">i2")] + [item for name, kind in zip(_COLUMNS, _TYPES)
                                         for item in ((f"len_{name}", ">i4"), (name, kind))])
_HEADER = 19  # 11-byte signature, int32 flags, int32 header-extension length (0)
_SQL = """COPY (SELECT a.id, ST_X(a.location), ST_Y(a.location), coalesce(a.households, 0)::int4,
                       coalesce(a.residents, 0)::int4, coalesce(a.residents_60plus, 0)::int4,
                       a.township_id, coalesce(a.village_id, -1)
                FROM addresses_address a
                WHERE a.valid_to IS NULL AND a.stage NOT IN ('abandoned', 'rejected')
                  AND a.division_code LIKE %s) TO STDOUT WITH (FORMAT binary)"""


@dataclass(frozen=True)
class Demand:
    address_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    households: np.ndarray
    residents: np.ndarray
    residents_60plus: np.ndarray
    township_id: np.ndarray
    village_id: np.ndarray  # -1 where the address has no village

    def __len__(self) -> int:
        return len(self.address_id)

    def weights(self, weight: str) -> np.ndarray:
        if weight == "count":
            return np.ones(len(self), dtype=np.float64)
        return getattr(self, weight).astype(np.float64)


def read_demand(division_prefix: str) -> Demand:
    """Current addresses whose division code starts with `division_prefix`, straight from PostGIS."""
    buffer = io.BytesIO()
    with connection.cursor() as cur:
        sql = cur.mogrify(_SQL, [division_prefix + "%"]).decode()
        cur.copy_expert(sql, buffer)
    raw = buffer.getbuffer()
    count = (len(raw) - _HEADER - 2) // _ROW.itemsize
    rows = np.frombuffer(raw, dtype=_ROW, count=count, offset=_HEADER)
    if count and (rows["nfields"] != len(_COLUMNS)).any():
        raise ValueError("unexpected COPY row layout")
    return Demand(*(np.ascontiguousarray(rows[name]).astype(kind.lstrip(">")) for name, kind in zip(_COLUMNS, _TYPES)))


def _stamp() -> tuple:
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables "
                    "WHERE relname = 'addresses_address'")
        return (connection.settings_dict["NAME"], cur.fetchone()[0])


_lock = threading.Lock()
_cache: dict[str, tuple[float, tuple, Demand]] = {}


def demand_for(division_prefix: str) -> Demand:
    """`read_demand`, kept per process until the address table changes."""
    now = time.monotonic()
    with _lock:
        cached = _cache.get(division_prefix)
        if cached and now - cached[0] < CHECK_EVERY_S:
            return cached[2]
        stamp = _stamp()
        if cached and cached[1] == stamp:
            _cache[division_prefix] = (now, stamp, cached[2])
            return cached[2]
        demand = read_demand(division_prefix)
        _cache[division_prefix] = (now, stamp, demand)
        return demand


def forget() -> None:
    with _lock:
        _cache.clear()
