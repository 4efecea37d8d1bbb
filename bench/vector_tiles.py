"""Address vector tiles (`/tiles/addresses/z/x/y.pbf`) vs the GeoJSON list API for the same boxes.

Database: the one in DATABASE_URL (read only), e.g. the 150,000-address demo (`load_demo_data`)
or the 1,000,000-address `geo_mz_bench`. Tiles: at zoom 12 every tile holding a current address
(the whole county), at zooms 14 and 16 a seeded sample of tiles under current addresses (each
distinct tile once, up to SAMPLE per zoom). For each tile, both requests go through the project's
views in this process (DRF, no network): the tile view, and `GET /api/v1/addresses/?bbox=<tile's
lon/lat box>&limit=5000` (the API's cap; a box with more addresses gets a truncated page, whose
count is reported). Each request is timed once after one untimed pass over all tiles (warm
cache). Reported per zoom: p50/p95 time and p50 size of both, p50 of the ratios (GeoJSON/tile) per
tile, features per tile. The headline variants are the sums over all sampled tiles at zoom 14
(tiles = reference).
"""
from __future__ import annotations

import math
import os
import random
import statistics
import time
from typing import Any

from bench._common import Variant, first_line, result

ZOOMS = (12, 14, 16)
SAMPLE = 60
SEED = 8


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_mz.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the request factory's host


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def _bbox(z: int, x: int, y: int) -> str:
    n = 2 ** z

    def lat(t: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * t / n))))
    return f"{x / n * 360 - 180:.7f},{lat(y + 1):.7f},{(x + 1) / n * 360 - 180:.7f},{lat(y):.7f}"


def _tiles(z: int, points: list[tuple[float, float]]) -> list[tuple[int, int]]:
    tiles = sorted({_tile_of(lon, lat, z) for lon, lat in points})
    if z == 12:
        return tiles
    return sorted(random.Random(SEED + z).sample(tiles, min(SAMPLE, len(tiles))))


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run() -> Any:
    setup_django()
    from django.db import connection
    from django.test import RequestFactory

    from apps.addresses.views import AddressListView
    from apps.mapui.views import TileView

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM addresses_address WHERE valid_to IS NULL")
        total = cur.fetchone()[0]
        cur.execute("SELECT ST_X(location), ST_Y(location) FROM addresses_address WHERE valid_to IS NULL "
                    "ORDER BY md5(id::text) LIMIT 20000")
        points = cur.fetchall()
    factory = RequestFactory()
    tile_view, list_view = TileView.as_view(), AddressListView.as_view()

    def get_tile(z: int, x: int, y: int) -> tuple[float, int]:
        start = time.perf_counter()
        response = tile_view(factory.get(f"/tiles/addresses/{z}/{x}/{y}.pbf"), layer="addresses", z=z, x=x, y=y)
        return time.perf_counter() - start, len(response.content)

    def get_geojson(z: int, x: int, y: int) -> tuple[float, int, int]:
        start = time.perf_counter()
        response = list_view(factory.get("/api/v1/addresses/", {"bbox": _bbox(z, x, y), "limit": 5000}))
        response.render()
        seconds = time.perf_counter() - start
        return seconds, len(response.content), response.data["count"]

    per_zoom: dict[str, Any] = {}
    sums = {"tile": 0.0, "geojson": 0.0}
    for z in ZOOMS:
        tiles = _tiles(z, points)
        for x, y in tiles:  # warm-up pass
            get_tile(z, x, y)
            get_geojson(z, x, y)
        t_times, t_sizes, g_times, g_sizes, counts, time_ratios, size_ratios = [], [], [], [], [], [], []
        for x, y in tiles:
            ts, tb = get_tile(z, x, y)
            gs, gb, n = get_geojson(z, x, y)
            t_times.append(ts), t_sizes.append(tb), g_times.append(gs), g_sizes.append(gb), counts.append(n)
            time_ratios.append(gs / ts)
            size_ratios.append(gb / tb if tb else float("inf"))
        if z == 14:
            sums = {"tile": sum(t_times), "geojson": sum(g_times)}
        per_zoom[f"z{z}"] = {
            "tiles": len(tiles),
            "tile_ms_p50": round(_p(t_times, .5) * 1e3, 2), "tile_ms_p95": round(_p(t_times, .95) * 1e3, 2),
            "tile_kb_p50": round(_p(t_sizes, .5) / 1024, 1), "tile_kb_max": round(max(t_sizes) / 1024, 1),
            "geojson_ms_p50": round(_p(g_times, .5) * 1e3, 2), "geojson_ms_p95": round(_p(g_times, .95) * 1e3, 2),
            "geojson_kb_p50": round(_p(g_sizes, .5) / 1024, 1),
            "addresses_per_box_p50": _p(counts, .5), "boxes_over_5000_truncated": sum(c > 5000 for c in counts),
            "geojson_over_tile_time_p50": round(_p(time_ratios, .5), 2),
            "geojson_over_tile_size_p50": round(_p(size_ratios, .5), 2),
        }
    variants = [Variant("tiles", sums["tile"], "z14 sample, tile view (ST_AsMVT)"),
                Variant("geojson_list", sums["geojson"], "z14 sample, /api/v1/addresses/?bbox=…&limit=5000")]
    return result("vector_tiles", first_line(__doc__), "tiles", {"current_addresses": total, "sample": SAMPLE},
                  variants, per_zoom=per_zoom, database=connection.settings_dict["NAME"])
