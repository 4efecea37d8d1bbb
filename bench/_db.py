"""The benchmark database ``geo_mz_bench``, shared by ``bench/http_addresses.py`` and ``bench/geocode.py``.

Its URL (the project's cluster with the database name replaced), small psycopg2 helpers, Django
child-process environments, and ``ensure_database``: create, migrate and fill it with the
1,000,000-address register of 德清县 (once; later runs only migrate). No Django import here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

BENCH_DB = "geo_mz_bench"
COUNTY = "330521"  # 德清县
N_ADDRESSES = 1_000_000


def bench_database_url() -> str:
    """The benchmark database's URL: the private cluster's (var/pg/database_url, else DATABASE_URL)
    with the database name replaced by geo_mz_bench."""
    if os.environ.get("GEO_MZ_BENCH_DATABASE_URL"):
        return os.environ["GEO_MZ_BENCH_DATABASE_URL"]
    local = ROOT / "var" / "pg" / "database_url"
    base = local.read_text().strip() if local.exists() else os.environ.get("DATABASE_URL", "")
    if not base:
        raise RuntimeError("no database URL: start the cluster (scripts/pg.sh start) or set DATABASE_URL")
    return urllib.parse.urlsplit(base)._replace(path="/" + BENCH_DB).geturl()


def _db_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg2

    return psycopg2.connect(url)


def _query(url: str, sql: str, params: Any = None) -> list[tuple]:
    conn = _connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def _django_env(url: str, settings: str = "geo_mz.settings.dev") -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE=settings, DJANGO_DEBUG="0",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    return env


def _run(args: list[str], env: dict[str, str]) -> float:
    """Run a Django command in a child process (output passes through); return its wall seconds."""
    start = time.perf_counter()
    print(f"   $ {' '.join(args)}", flush=True)
    subprocess.run([PYTHON, *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - start


def _address_counts(url: str) -> tuple[int, int]:
    if _query(url, "SELECT to_regclass('addresses_address') IS NULL")[0][0]:
        return 0, 0
    return _query(url, "SELECT count(*), count(*) FILTER (WHERE valid_to IS NULL) FROM addresses_address")[0]


def _generated_count(url: str) -> int:
    """The --count of the last address generation recorded in the bench database (0 if none)."""
    if _query(url, "SELECT to_regclass('common_datasource') IS NULL")[0][0]:
        return 0
    rows = _query(url, "SELECT (metadata->>'count')::int FROM common_datasource WHERE key = %s",
                  [f"demo-addresses-{COUNTY}"])
    return (rows[0][0] or 0) if rows else 0


def ensure_database(url: str) -> dict[str, Any]:
    """Create, migrate and fill the bench database unless it already holds the 1M-address register.
    Returns what was done and how long it took (the generation time is also kept as the database's
    comment, so later runs can report it)."""
    name = _db_name(url)
    if not name.endswith("_bench"):
        raise RuntimeError(f"refusing to use {name!r} as the benchmark database (name must end in _bench)")
    admin = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
    conn = _connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            created = cur.fetchone() is None
            if created:
                print(f"   creating database {name}", flush=True)
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()

    env = _django_env(url)
    info: dict[str, Any] = {"database": name, "created": created}
    info["migrate_seconds"] = round(_run(["manage.py", "migrate", "--noinput", "-v", "0"], env), 1)
    total, _current = _address_counts(url)
    if total >= N_ADDRESSES and _generated_count(url) >= N_ADDRESSES:
        info["generated_this_run"] = False
        comment = _query(url, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                         [name])[0][0]
        try:
            info["previous_generation"] = json.loads(comment) if comment else None
        except ValueError:
            info["previous_generation"] = None
        return info

    info["generated_this_run"] = True
    info["divisions_seconds"] = round(_run(["-c", (
        "import django; django.setup(); from apps.divisions.loaders import load_demo_divisions; "
        "print('[bench] divisions:', load_demo_divisions().summary())")], env), 1)
    print(f"   generating {N_ADDRESSES:,} addresses (takes minutes) …", flush=True)
    info["generate_seconds"] = round(_run(["manage.py", "generate_demo_addresses", "--county", COUNTY,
                                           "--count", str(N_ADDRESSES)], env), 1)
    print(f"   generation of {N_ADDRESSES:,} addresses took {info['generate_seconds']:.1f} s "
          f"(divisions {info['divisions_seconds']:.1f} s, migrate {info['migrate_seconds']:.1f} s)", flush=True)
    conn = _connect(url)
    conn.autocommit = True
    try:  # fresh statistics and visibility map after a million-row COPY, as autovacuum would give later
        start = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        info["vacuum_analyze_seconds"] = round(time.perf_counter() - start, 1)
    finally:
        conn.close()
    record = {k: info[k] for k in ("migrate_seconds", "divisions_seconds", "generate_seconds",
                                   "vacuum_analyze_seconds")}
    record["at_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    conn = _connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'COMMENT ON DATABASE "{name}" IS %s', [json.dumps(record)])
    finally:
        conn.close()
    return info


def database_info(url: str) -> dict[str, Any]:
    (pg, postgis, geos), = _query(url, "SELECT current_setting('server_version'), postgis_lib_version(), "
                                       "postgis_geos_version()")
    (shared_buffers, size), = _query(url, "SELECT current_setting('shared_buffers'), "
                                          "pg_size_pretty(pg_total_relation_size('addresses_address'))")
    return {"postgresql": pg, "postgis": postgis, "postgis_geos": geos, "shared_buffers": shared_buffers,
            "addresses_table_with_indexes": size}
