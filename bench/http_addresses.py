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

import json
import math
import random
import shutil
import subprocess
import sys
import time
import urllib.parse
from typing import Any

from bench._common import Result, Variant, first_line, machine
from bench._db import (BENCH_DB, COUNTY, N_ADDRESSES, PYTHON, ROOT, _address_counts,  # noqa: F401 - re-exported
                       _connect, _db_name, _django_env, _generated_count, _query, _run, bench_database_url,
                       database_info, ensure_database)
from bench._load import ROUND_MAX_S, THREADS, WORKERS, _free_port, _get, gunicorn, load, stats  # noqa: F401

N_INPUTS = 2_000
SEED = 20261123
JITTER_M = 50.0
ROUNDS = 3
PER_ROUND = 1_000  # requests per endpoint per round: 3,000 timed requests per endpoint
SERIAL_N = 500  # requests per endpoint from a single client thread (latency without queueing)
CHECK_N = 200  # inputs whose answers are compared between API and baseline
PROFILE_N = 200  # in-process requests per endpoint for the query/SQL-time profile
ENDPOINTS = ("api_address", "baseline_address", "api_reverse", "baseline_reverse")
PAIRS = {"address": ("api_address", "baseline_address"), "reverse": ("api_reverse", "baseline_reverse")}


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
