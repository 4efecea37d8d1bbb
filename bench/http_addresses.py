"""Address lookup by code and reverse geocoding at 1,000,000 addresses through gunicorn (2 workers): the real API vs a plain Django view.

Database: ``geo_mz_bench`` in the project's PostgreSQL cluster (the URL of var/pg/database_url
with the database name replaced; ``GEO_MZ_BENCH_DATABASE_URL`` overrides it). The first run
creates it, migrates it, loads the demo divisions (``apps.divisions.loaders.load_demo_divisions``)
and runs ``manage.py generate_demo_addresses --county 330521 --count 1000000`` (德清县, about
1,000,000 address versions, ~99 % current); later runs find the generated register and only run
``migrate``. The development database ``geo_mz`` is never written.

Server: ``python -m gunicorn geo_mz.wsgi:application --workers 2`` (sync workers, as ``make run``
and the Dockerfile use, without the access log) with ``DJANGO_SETTINGS_MODULE=bench.settings_bench``
(DEBUG off, the project's URLs plus the baselines of ``bench/urls_bench.py``) and
``DJANGO_CONN_MAX_AGE=600``, on a free port of 127.0.0.1; stopped at the end, also on errors.

Four endpoints, as two subject/reference pairs:
  ``api_address``      GET /api/v1/addresses/<code>     (DRF view, AddressDetailSerializer)
  ``baseline_address`` GET /bench/address/<code>        (plain view, same lookup, small JsonResponse)
  ``api_reverse``      GET /api/v1/reverse?lon=&lat=    (DRF view, AddressFeatureSerializer)
  ``baseline_reverse`` GET /bench/reverse?lon=&lat=     (plain view, same nearest-address SQL)
Inputs, seeded: 2,000 codes drawn from the current addresses, and 2,000 points each within 50 m
(uniform on the disc) of another current address drawn at random, in CGCS2000 (default ``crs``).

Load: a Python client in the benchmark process, 4 threads, each with its own ``http.client``
connection (kept alive when the server allows it; gunicorn's sync workers close it after every
response, so each request also pays a TCP connect on loopback, alike for all four endpoints).
Warm-up, untimed: one pass over all 2,000 inputs per endpoint (every status must be 200), after a
check that API and baseline give the same answer for the first 200 inputs. Timed: 3 rounds of
1,000 requests per endpoint (bounded by 60 s each), the endpoint order rotated every round so
that drift hits all four alike; each request is timed from send to the last body byte.
Reported per endpoint: p50/p90/p99/mean/max latency, requests per second (requests / wall time
of the rounds), errors (non-200 or connection errors: must be 0, asserted). Ratios are
API / baseline of the same pair: p50 and p99 (above 1 = the API is slower) and req/s (below 1 =
the API serves fewer). ``variants[].seconds`` is the p50 latency and ``ratio`` its ratio.
With 4 clients on 2 sync workers every request also waits for about one other, so these
latencies include queueing; ``extra.one_client`` repeats the measure with a single client thread
(500 requests per endpoint): the latency of one request on an idle server.
``extra.in_process`` adds, from a separate Django process (test client, no HTTP, 200 requests
per endpoint), SQL queries per request and the split of time between SQL and Python.
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from bench._common import Result, Variant, first_line, machine

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

BENCH_DB = "geo_mz_bench"
COUNTY = "330521"  # 德清县
N_ADDRESSES = 1_000_000
N_INPUTS = 2_000
SEED = 20261123
JITTER_M = 50.0
WORKERS = 2
THREADS = 4
ROUNDS = 3
PER_ROUND = 1_000  # requests per endpoint per round: 3,000 timed requests per endpoint
ROUND_MAX_S = 60.0  # a round of one endpoint stops early after this (bound in time)
SERIAL_N = 500  # requests per endpoint from a single client thread (latency without queueing)
CHECK_N = 200  # inputs whose answers are compared between API and baseline
PROFILE_N = 200  # in-process requests per endpoint for the query/SQL-time profile
ENDPOINTS = ("api_address", "baseline_address", "api_reverse", "baseline_reverse")
PAIRS = {"address": ("api_address", "baseline_address"), "reverse": ("api_reverse", "baseline_reverse")}


# ----------------------------------------------------------------------------- database
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


# ----------------------------------------------------------------------------- inputs
def sample_inputs(url: str, n: int = N_INPUTS, seed: int = SEED) -> tuple[list[str], list[tuple[float, float]]]:
    """``n`` codes of current addresses and ``n`` points within JITTER_M metres of other current
    addresses, both drawn with ``seed`` from the codes in code order (reproducible for a given database)."""
    codes = [c for (c,) in _query(url, "SELECT code FROM addresses_address WHERE valid_to IS NULL ORDER BY code")]
    rng = random.Random(seed)
    picked = rng.sample(codes, 2 * n)
    lookup, anchors = picked[:n], picked[n:]
    where = dict((c, (x, y)) for c, x, y in _query(
        url, "SELECT code, ST_X(location), ST_Y(location) FROM addresses_address "
             "WHERE valid_to IS NULL AND code = ANY(%s)", [anchors]))
    points = []
    for code in anchors:
        x, y = where[code]
        d, bearing = JITTER_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        dy, dx = d * math.cos(bearing), d * math.sin(bearing)
        points.append((round(x + dx / (111_320 * math.cos(math.radians(y))), 7), round(y + dy / 110_574, 7)))
    return lookup, points


def paths_for(codes: list[str], points: list[tuple[float, float]]) -> dict[str, list[str]]:
    q = [urllib.parse.urlencode({"lon": f"{x:.7f}", "lat": f"{y:.7f}"}) for x, y in points]
    return {
        "api_address": [f"/api/v1/addresses/{urllib.parse.quote(c)}" for c in codes],
        "baseline_address": [f"/bench/address/{urllib.parse.quote(c)}" for c in codes],
        "api_reverse": [f"/api/v1/reverse?{s}" for s in q],
        "baseline_reverse": [f"/bench/reverse?{s}" for s in q],
    }


# ----------------------------------------------------------------------------- server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@contextmanager
def gunicorn(url: str, probe: str) -> Iterator[dict[str, Any]]:
    """Start gunicorn on a free loopback port, wait until ``probe`` answers 200, yield its details;
    always stop it (SIGTERM to the master we started, SIGKILL if it lingers)."""
    port = _free_port()
    env = _django_env(url, "bench.settings_bench")
    env["DJANGO_CONN_MAX_AGE"] = "600"
    env.pop("DJANGO_DEBUG", None)
    cmd = [PYTHON, "-m", "gunicorn", "geo_mz.wsgi:application", "--workers", str(WORKERS),
           "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--chdir", str(ROOT)]
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def tail() -> str:
        log.flush()
        return Path(log.name).read_text(errors="replace")[-3000:]

    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{tail()}")
            try:
                status, body = _get(port, probe, timeout=10)
                if status == 200:
                    break
                raise RuntimeError(f"gunicorn answers {status} on {probe}: {body[:500]!r}\n{tail()}")
            except (ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{tail()}") from None
                time.sleep(0.2)
        import gunicorn as gunicorn_pkg

        yield {"port": port, "pid": proc.pid, "workers": WORKERS, "worker_class": "sync",
               "version": gunicorn_pkg.__version__, "command": " ".join(cmd[1:])}
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()
        errors = [line for line in Path(log.name).read_text(errors="replace").splitlines()
                  if "Traceback" in line or "ERROR" in line or "Internal Server Error" in line]
        if errors:
            print(f"   gunicorn log {log.name} has {len(errors)} error line(s), e.g. {errors[0]}", flush=True)
        else:
            os.unlink(log.name)


# ----------------------------------------------------------------------------- load generator
def load(port: int, paths: list[str], n: int, offset: int = 0, threads: int = THREADS,
         max_seconds: float = ROUND_MAX_S) -> dict[str, Any]:
    """``n`` GETs of ``paths[(offset + i) % len(paths)]`` from ``threads`` threads with one
    connection each; per-request latency (send → last body byte), statuses, wall time."""
    counter = itertools.count()
    lat: list[list[float]] = [[] for _ in range(threads)]
    statuses: list[Counter] = [Counter() for _ in range(threads)]
    connects = [0] * threads
    nbytes = [0] * threads
    deadline = time.perf_counter() + max_seconds
    headers = {"Accept": "application/json"}

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while True:
                i = next(counter)  # atomic under the GIL
                if i >= n or time.perf_counter() > deadline:
                    return
                path = paths[(offset + i) % len(paths)]
                if conn.sock is None:
                    connects[k] += 1
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    resp = conn.getresponse()
                    body = resp.read()
                except (http.client.HTTPException, OSError) as exc:
                    lat[k].append(time.perf_counter() - t0)
                    statuses[k][type(exc).__name__] += 1
                    conn.close()
                    continue
                lat[k].append(time.perf_counter() - t0)
                statuses[k][resp.status] += 1
                nbytes[k] += len(body)
        finally:
            conn.close()

    start = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    status = sum(statuses, Counter())
    return {"latencies": [x for part in lat for x in part], "statuses": status, "wall": wall,
            "connects": sum(connects), "bytes": sum(nbytes)}


def stats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    lat = np.asarray([x for r in runs for x in r["latencies"]])
    status = sum((r["statuses"] for r in runs), Counter())
    wall = sum(r["wall"] for r in runs)
    p50, p90, p99 = (float(v) for v in np.percentile(lat, [50, 90, 99]))
    return {"requests": int(lat.size), "errors": int(lat.size - status.get(200, 0)),
            "statuses": {str(k): v for k, v in status.items()},
            "p50_ms": p50 * 1e3, "p90_ms": p90 * 1e3, "p99_ms": p99 * 1e3, "mean_ms": float(lat.mean()) * 1e3,
            "max_ms": float(lat.max()) * 1e3, "rps": lat.size / wall, "wall_s": wall,
            "connects": sum(r["connects"] for r in runs), "body_bytes_mean": sum(r["bytes"] for r in runs) / lat.size}


def check_answers(port: int, paths: dict[str, list[str]], n: int = CHECK_N) -> dict[str, int]:
    """API and baseline name the same address for the first ``n`` inputs of each pair (asserted)."""
    for i in range(n):
        answers = {}
        for name in ENDPOINTS:
            status, body = _get(port, paths[name][i])
            assert status == 200, f"{name} {paths[name][i]}: HTTP {status} {body[:300]!r}"
            answers[name] = json.loads(body)
        a, b = answers["api_address"], answers["baseline_address"]
        assert a["id"] == b["code"] and a["properties"]["full_text"] == b["full_text"], (a["id"], b)
        a, b = answers["api_reverse"], answers["baseline_reverse"]
        assert a["count"] == b["count"] == 1, (paths["api_reverse"][i], a["count"], b["count"])
        assert a["features"][0]["id"] == b["results"][0]["code"], (paths["api_reverse"][i], a, b)
    return {"inputs_compared": n}


# ----------------------------------------------------------------------------- in-process profile
def _profile_main() -> None:
    """Child process (bench settings, bench DB): per endpoint, PROFILE_N requests through Django's
    test client (full middleware and views, no HTTP); queries per request, SQL and total time."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    paths = json.loads(sys.stdin.read())
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT="application/json")
    sql = {"n": 0, "s": 0.0}

    def timer(execute, query, params, many, context):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["n"] += 1
            sql["s"] += time.perf_counter() - t0

    out = {}
    for name, items in paths.items():
        for p in items[:20]:  # warm-up
            assert client.get(p).status_code == 200, p
        sql.update(n=0, s=0.0)
        with connection.execute_wrapper(timer):
            t0 = time.perf_counter()
            for p in items:
                client.get(p)
            total = time.perf_counter() - t0
        k = len(items)
        out[name] = {"queries_per_request": sql["n"] / k, "total_ms": total / k * 1e3, "sql_ms": sql["s"] / k * 1e3,
                     "python_ms": (total - sql["s"]) / k * 1e3}
    print(json.dumps(out))


def profile_in_process(url: str, paths: dict[str, list[str]]) -> dict[str, Any]:
    env = _django_env(url, "bench.settings_bench")
    env.pop("DJANGO_DEBUG", None)
    env["DJANGO_CONN_MAX_AGE"] = "600"
    done = subprocess.run([PYTHON, "-c", "from bench.http_addresses import _profile_main; _profile_main()"],
                          cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                          input=json.dumps({k: v[:PROFILE_N] for k, v in paths.items()}))
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- main
def table(per: dict[str, dict[str, Any]], ratios: dict[str, dict[str, float]]) -> str:
    lines = [f"   {'endpoint':<18}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'req/s':>9}{'errors':>8}"]
    for name in ENDPOINTS:
        s = per[name]
        lines.append(f"   {name:<18}{s['p50_ms']:9.2f}{s['p90_ms']:9.2f}{s['p99_ms']:9.2f}{s['mean_ms']:9.2f}"
                     f"{s['rps']:9.1f}{s['errors']:8d}")
    for pair, r in ratios.items():
        lines.append(f"   {pair:<8} API/baseline: p50 x{r['p50']:.2f}, p99 x{r['p99']:.2f}, req/s x{r['rps']:.2f}")
    return "\n".join(lines)


def run() -> Result:
    url = bench_database_url()
    print(f"== http_addresses: database {_db_name(url)}", flush=True)
    setup = ensure_database(url)
    total, current = _address_counts(url)
    if total < N_ADDRESSES:
        raise RuntimeError(f"{_db_name(url)} holds {total:,} addresses, expected ≥ {N_ADDRESSES:,}")
    db = database_info(url)

    t0 = time.perf_counter()
    codes, points = sample_inputs(url)
    paths = paths_for(codes, points)
    sample_s = time.perf_counter() - t0

    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in ENDPOINTS}
    with gunicorn(url, paths["baseline_address"][0]) as server:
        port = server["port"]
        checked = check_answers(port, paths)
        warm = {}
        for name in ENDPOINTS:  # warm-up: every input once per endpoint, untimed but checked
            w = load(port, paths[name], len(paths[name]), max_seconds=300)
            warm[name] = stats([w])
            assert warm[name]["errors"] == 0, f"warm-up {name}: {warm[name]['statuses']}"
        for r in range(ROUNDS):
            order = ENDPOINTS[r % len(ENDPOINTS):] + ENDPOINTS[:r % len(ENDPOINTS)]
            if r % 2:
                order = order[::-1]
            for name in order:
                runs[name].append(load(port, paths[name], PER_ROUND, offset=r * PER_ROUND))
        serial = {name: stats([load(port, paths[name], SERIAL_N, offset=ROUNDS * PER_ROUND, threads=1)])
                  for name in ENDPOINTS}
    per = {name: stats(rs) for name, rs in runs.items()}
    for name, s in [*per.items(), *serial.items()]:
        assert s["errors"] == 0, f"{name}: non-200 answers {s['statuses']}"

    profile = profile_in_process(url, paths)
    ratios = {pair: {"p50": per[a]["p50_ms"] / per[b]["p50_ms"], "p99": per[a]["p99_ms"] / per[b]["p99_ms"],
                     "rps": per[a]["rps"] / per[b]["rps"]} for pair, (a, b) in PAIRS.items()}
    notes = {
        "api_address": "GET /api/v1/addresses/<code>, DRF + AddressDetailSerializer",
        "baseline_address": "GET /bench/address/<code>, plain view, same lookup, 4 fields",
        "api_reverse": "GET /api/v1/reverse?lon&lat, DRF + AddressFeatureSerializer",
        "baseline_reverse": "GET /bench/reverse?lon&lat, plain view, same nearest SQL",
    }
    variants = []
    for pair, (a, b) in PAIRS.items():
        for name in (a, b):
            s = per[name]
            v = Variant(name, s["p50_ms"] / 1e3,
                        f"{notes[name]}; p99 {s['p99_ms']:.2f} ms, {s['rps']:.0f} req/s")
            v.ratio = s["p50_ms"] / per[b]["p50_ms"]
            variants.append(v)
    serial_ratios = {pair: {"p50": serial[a]["p50_ms"] / serial[b]["p50_ms"],
                            "p99": serial[a]["p99_ms"] / serial[b]["p99_ms"],
                            "rps": serial[a]["rps"] / serial[b]["rps"]} for pair, (a, b) in PAIRS.items()}
    print(f"   load: {THREADS} client threads, {ROUNDS * PER_ROUND:,} requests per endpoint", flush=True)
    print(table(per, ratios), flush=True)
    print(f"   one client thread (no queueing), {SERIAL_N} requests per endpoint", flush=True)
    print(table(serial, serial_ratios), flush=True)
    info = machine()
    info["database"] = db
    return Result(
        benchmark="http_addresses", measures=first_line(__doc__),
        reference="baseline_address (for api_address), baseline_reverse (for api_reverse); seconds = p50 latency",
        sizes={"addresses_total": total, "addresses_current": current, "codes": len(codes), "points": len(points),
               "timed_requests_per_endpoint": ROUNDS * PER_ROUND, "client_threads": THREADS,
               "gunicorn_workers": WORKERS, "point_jitter_m": JITTER_M},
        variants=variants,
        extra={
            "ratios_api_over_baseline": {p: {k: round(v, 3) for k, v in r.items()} for p, r in ratios.items()},
            "endpoints": {n: {k: (round(v, 3) if isinstance(v, float) else v) for k, v in s.items()}
                          for n, s in per.items()},
            "one_client_ratios": {p: {k: round(v, 3) for k, v in r.items()} for p, r in serial_ratios.items()},
            "one_client": {n: {k: (round(v, 3) if isinstance(v, float) else v) for k, v in s.items()}
                           for n, s in serial.items()},
            "in_process": {n: {k: round(v, 3) for k, v in s.items()} for n, s in profile.items()},
            "warmup_rps": {n: round(s["rps"], 1) for n, s in warm.items()},
            "answers_checked": checked,
            "setup": setup,
            "input_sampling_seconds": round(sample_s, 2),
            "gunicorn": {k: v for k, v in server.items() if k not in ("port", "pid")},
            "wrk": shutil.which("wrk") or "not installed",
        },
        warmup=N_INPUTS, repeat=ROUNDS, machine=info,
    )


if __name__ == "__main__":
    # `python -m bench.http_addresses setup`: only create/fill the bench database.
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["setup"]:
        print(json.dumps(ensure_database(bench_database_url()), indent=2))
    else:
        sys.exit("usage: python -m bench.http_addresses setup   (the benchmark itself: bench/run.py http_addresses)")
