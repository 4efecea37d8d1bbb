"""Data exchange at county scale: OGC API items pages and whole-layer exports of every current address.

Needs a database with the demo register (`manage.py load_demo_data`, ~145,000 current addresses),
named by DATABASE_URL; read-only. Settings `geo_mz.settings.dev` with DEBUG off.

(1) Items pages through gunicorn (2 sync workers, started here on 127.0.0.1): best of 5 of
    `GET /ogc/collections/addresses/items?limit=100` and `limit=10000` (offset 20,000, so not the
    first rows), against the reference `GET /api/v1/addresses/?limit=100` (DRF list, same rows
    cut) and, for 10,000, two DRF pages of 5,000 (its maximum) fetched one after the other.
(2) Exports of all current addresses through `apps.exchange.exports.export_layer` (the endpoint's
    path without HTTP), one timed run each after nothing cached, in each format and a few CRSs,
    against the reference `ogr2ogr` reading the same rows and columns straight from PostgreSQL
    (PG driver, `-sql`) into the same format in CGCS2000. Sizes in bytes of what a user downloads.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench._common import Result, Variant, best_of, first_line, result

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_mz.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def _http_variants() -> tuple[list[Variant], list[Variant]]:
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"], "DJANGO_DEBUG": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "geo_mz.wsgi:application", "--bind", f"127.0.0.1:{port}",
                             "--workers", "2", "--timeout", "120"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _get(base + "/ogc")
                break
            except OSError:
                time.sleep(0.2)
        ogc = base + "/ogc/collections/addresses/items?offset=20000&limit="
        drf = base + "/api/v1/addresses/?offset=20000&limit="
        assert b'"numberReturned":10000' in _get(ogc + "10000").replace(b" ", b"")
        small = [Variant("drf_list_100", best_of(lambda: _get(drf + "100"))),
                 Variant("ogc_items_100", best_of(lambda: _get(ogc + "100")), f"{len(_get(ogc + '100')):,} bytes")]
        big = [Variant("drf_list_2x5000", best_of(lambda: (_get(drf + "5000"), _get(
                   base + "/api/v1/addresses/?offset=25000&limit=5000")), repeat=3)),
               Variant("ogc_items_10000", best_of(lambda: _get(ogc + "10000"), repeat=3),
                       f"{len(_get(ogc + '10000')):,} bytes")]
        return small, big
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _pg_source() -> str:
    from django.db import connection

    db = connection.settings_dict
    return f"PG:host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']} password={db['PASSWORD']}"


_SQL = ("SELECT a.code, a.full_text, a.division_code, a.level, a.status, r.name AS road_name, a.door_number, "
        "a.valid_from, a.location FROM addresses_address a LEFT JOIN addresses_road r ON r.id = a.road_id "
        "WHERE a.stage = 'current' AND a.valid_to IS NULL ORDER BY a.code")
_DRIVERS = {"geojson": ("GeoJSON", "out.geojson"), "csv": ("CSV", "out.csv"), "gpkg": ("GPKG", "out.gpkg"),
            "shp": ("ESRI Shapefile", "out.shp")}


def _ogr2ogr(fmt: str) -> tuple[float, int]:
    driver, name = _DRIVERS[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        options = ["-lco", "GEOMETRY=AS_XY"] if fmt == "csv" else (["-lco", "ENCODING=UTF-8"] if fmt == "shp" else [])
        subprocess.run(["ogr2ogr", "-f", driver, str(Path(tmp) / name), _pg_source(), "-sql", _SQL, *options],
                       check=True, capture_output=True)
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    return seconds, size


def run() -> Result:
    setup_django()
    from apps.addresses.models import Address
    from apps.exchange.exports import export_layer
    from apps.exchange.layers import LAYERS, filtered

    layer = LAYERS["addresses"]
    count = filtered(layer).count()
    assert count > 100_000, "load the demo data first (manage.py load_demo_data)"
    small, big = _http_variants()
    extra: dict[str, Any] = {"items_100_ratio_vs_drf": small[1].seconds / small[0].seconds,
                             "items_10000_ratio_vs_drf_2x5000": big[1].seconds / big[0].seconds,
                             "items_100_s": small[1].seconds, "items_10000_s": big[1].seconds}
    variants: list[Variant] = []
    for fmt in ("geojson", "csv", "gpkg", "shp"):
        seconds, size = _ogr2ogr(fmt)
        variants.append(Variant(f"ogr2ogr_pg_{fmt}", seconds, f"{size:,} bytes (uncompressed files)"))
    for fmt, crs, encoding in [("geojson", "EPSG:4490", "UTF-8"), ("csv", "EPSG:4490", "UTF-8"),
                               ("gpkg", "EPSG:4490", "UTF-8"), ("shp", "EPSG:4490", "UTF-8"),
                               ("shp", "EPSG:4490", "GBK"), ("gpkg", "EPSG:4549", "UTF-8"),
                               ("csv", "GCJ-02", "UTF-8")]:
        start = time.perf_counter()
        out = export_layer(layer, filtered(layer), fmt, crs, encoding)
        seconds = time.perf_counter() - start
        assert out.count == count
        variants.append(Variant(f"export_{fmt}_{crs}_{encoding}", seconds, f"{len(out.content):,} bytes"))
    res = result("exchange", first_line(__doc__), "ogr2ogr_pg_gpkg",
                 {"addresses": count, "total_in_table": Address.objects.count()}, variants, **extra)
    res.extra["http"] = [v.__dict__ for v in small + big]
    res.repeat = 1
    return res
