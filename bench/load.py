"""Bounded load run: 50 concurrent locust users for 60 s against gunicorn on loopback, mixing address lookups, geocodes, vector tiles and coverage analyses.

Not a pass/fail test and not a ratio benchmark: it records, per request kind, p50/p95/p99/mean/max
latency, request counts, requests per second and **errors, which must be zero** (every error is a
bug to fix); and, from the server's JSON request log, the time each kind spent inside Django
(``extra.inside_django``: the work, without the wait in gunicorn's queue). ``variants[].seconds`` is each kind's p50; ``ratio`` is against ``address_detail``
(the cheapest lookup) only so that the table reads like the others.

Database: the development register in ``DATABASE_URL`` (``GEO_MZ_LOAD_DATABASE_URL`` overrides),
i.e. what ``make run`` serves after ``manage.py load_demo_data``: 150,000 addresses of 德清县, the
demo facilities, the road network. Not ``geo_mz_bench``: the coverage analyses **write** (a run
row per request, and a result file), and the bench database is kept read-only for the speed
benchmarks; the demo register is also the size a county really has. What the run writes is
removed afterwards: the analysis runs it made (rows above the id watermark taken before, by its
user), their result files (a temporary ``GEO_MZ_ANALYSIS_DIR``), its session (logout) and its user.

Server: ``python -m gunicorn geo_mz.wsgi:application --workers 5`` (sync workers, gunicorn's
``2 × cores + 1`` for the 2-core machine: a sync worker spends part of each request waiting for
PostgreSQL, so more workers than cores keep both cores busy), dev settings with ``DEBUG`` off,
``DJANGO_CONN_MAX_AGE=600``, on a free port of 127.0.0.1 (``bench._load.gunicorn``).

Authentication, in one place (``authenticate``), as the real users are: the lookups (address
search, detail, geocode) come from a department system with an API key (``Authorization: Api-Key``,
issued for the run with a rate limit above its ~2,400 requests a minute, so the key is counted and
checked on every request but never refused); the map tiles and analyses come from a county staff
viewer ``load-bench`` (jurisdiction 330521, random password) logged in once at
``/accounts/login/`` (CSRF token + session cookie). The key's usage count is compared with the
number of keyed requests sent. The run deletes its account, key and usage rows afterwards.

Load (``bench/load_scenario.py``, a child process: locust monkey-patches with gevent): 50 users
spawned at once, each looping {pick a request kind by weight, send, check the answer, think
0.5–1.5 s}. Weights: address search 3 (``/api/v1/addresses/?q=<road and door>``), address detail
4 (``/api/v1/addresses/<code>``), geocode 4 (``/api/v1/geocode?q=`` on an address text with or
without the province/city/county prefix), address tiles 4 (zooms 12–16), road tiles 2 (zooms
10–15), coverage 1 (``POST /api/v1/analysis/coverage``: straight-line coverage of the county or
one township by the operating facilities, 2 radii, computed in the request, 201). Inputs are
seeded from the register (SEED). Before the timed 60 s: ``prime`` (10 geocodes at once, then 10
coverage runs at once, so each of the 5 workers builds the matcher's index and the analysis
demand cache, which it does on first use) and a 20 s warm-up of the scenario itself; their errors
count too, and requests in flight at the end finish and are checked.
"""
from __future__ import annotations

import http.client
import json
import math
import os
import random
import re
import secrets
import subprocess
import tempfile
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import Result, Variant, first_line, machine
from bench._db import PYTHON, ROOT, _db_name, _django_env, _query, database_info
from bench._load import gunicorn

USERS = 50
DURATION_S = 60.0
WARMUP_S = 20.0
WAIT_S = (0.5, 1.5)
WORKERS = 5  # 2 × 2 cores + 1
SEED = 20261123
USERNAME = "load-bench"
DEPARTMENT = "负载测试（模拟公安局户籍系统）"
LOOKUP_KINDS = ("address_search", "address_detail", "geocode")
KINDS = ("address_search", "address_detail", "geocode", "tile_addresses", "tile_roads", "coverage")
PREFIX = "浙江省湖州市"
COUNTY_NAME = "德清县"


def database_url() -> str:
    url = os.environ.get("GEO_MZ_LOAD_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    local = ROOT / "var" / "pg" / "database_url"
    if not url and local.exists():
        url = local.read_text().strip()
    if not url:
        raise RuntimeError("no database: set DATABASE_URL (make bench does) or start the cluster")
    return url


# ----------------------------------------------------------------------------- inputs
def _tile(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2 ** z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def sample_inputs(url: str) -> dict[str, Any]:
    """Seeded inputs from the register: 1,000 codes, 500 search texts (road and door of an
    address), 1,000 geocode queries, the distinct tiles under 2,000 addresses, coverage bodies."""
    rows = _query(url, """
        SELECT a.code, a.full_text, t.name, ST_X(a.location), ST_Y(a.location), t.code
        FROM addresses_address a JOIN divisions_division t ON t.id = a.township_id
        WHERE a.valid_to IS NULL ORDER BY a.code""")
    if len(rows) < 10_000:
        raise RuntimeError(f"{_db_name(url)} holds {len(rows):,} current addresses: run "
                           "`manage.py load_demo_data` there first (bench/README.md, `load`)")
    operating = _query(url, "SELECT count(*) FROM facilities_facility WHERE status = '运营'")[0][0]
    if not operating:
        raise RuntimeError(f"{_db_name(url)} has no operating facility: run `manage.py load_demo_data`")
    rng = random.Random(SEED)
    picked = rng.sample(rows, 4_500)
    codes = [r[0] for r in picked[:1_000]]
    search = []
    for code, text, town, *_ in picked[1_000:1_500]:
        rest = text.split(town, 1)[-1]
        search.append(rest[:rest.index("号") + 1] if "号" in rest else rest)
    geocode = []
    for i, (code, text, *_rest) in enumerate(picked[1_500:2_500]):
        variant = i % 3  # full text; without province and city; from the township on
        geocode.append(text if variant == 0 else text.removeprefix(PREFIX) if variant == 1
                       else text.removeprefix(PREFIX).removeprefix(COUNTY_NAME))
    points = [(r[3], r[4]) for r in picked[2_500:4_500]]
    tiles_addresses = sorted({_tile(x, y, z) for x, y in points for z in range(12, 17)})
    tiles_roads = sorted({_tile(x, y, z) for x, y in points for z in range(10, 16)})
    townships = sorted({r[5] for r in picked})
    coverage = [{"radii_m": [500, 1000], "name": "负载测试 全县"},
                {"radii_m": [300, 800], "weight": "residents_60plus", "name": "负载测试 全县 老年人口"}]
    coverage += [{"radii_m": [500, 1000], "division": t, "name": f"负载测试 {t}"} for t in townships[:4]]
    return {"codes": codes, "search": search, "geocode": geocode, "tiles_addresses": tiles_addresses,
            "tiles_roads": tiles_roads, "coverage": coverage}


# ----------------------------------------------------------------------------- the user and its credentials
def _django(url: str, code: str) -> str:
    """Run ``code`` in a Django child process on ``url``; return its last output line."""
    done = subprocess.run([PYTHON, "-c", "import django; django.setup()\n" + code], cwd=ROOT,
                          env=_django_env(url), check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def make_accounts(url: str, password: str) -> tuple[bool, int, str]:
    """The run's county viewer (created or reset) and a department key: (account created by this
    call, key id, key)."""
    out = _django(url, (
        "from django.contrib.auth import get_user_model\n"
        "from apps.accounts.keys import issue_key\n"
        "from apps.accounts.principal import Role\n"
        "from apps.accounts.services import save_staff_account\n"
        f"created = not get_user_model().objects.filter(username={USERNAME!r}).exists()\n"
        f"save_staff_account({USERNAME!r}, role=Role.VIEWER, jurisdiction='330521', password={password!r},"
        " department='负载测试')\n"
        f"issued = issue_key({DEPARTMENT!r}, created_by='bench/load', name='load run', rate_limit_per_minute=100000)\n"
        "print(created, issued.key.pk, issued.secret)"))
    created, key_id, secret = out.split()
    return created == "True", int(key_id), secret


def _cookies(resp: http.client.HTTPResponse) -> dict[str, str]:
    out = {}
    for header in resp.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


@dataclass
class Credentials:
    """What each simulated user sends: the department key on lookups, the staff session on tiles,
    and the session with its CSRF header on the analysis POST."""

    lookup_headers: dict[str, str]
    read_headers: dict[str, str]
    write_headers: dict[str, str]
    mode: str
    cookies: dict[str, str] = field(default_factory=dict)


def authenticate(port: int, password: str, key: str) -> Credentials:
    """The one place the load run authenticates: a session login of the staff viewer at
    /accounts/login/ (GET for the CSRF cookie and token, POST the form), and the department key."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    resp = conn.getresponse()
    page = resp.read().decode()
    cookies = _cookies(resp)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if resp.status != 200 or token is None or "csrftoken" not in cookies:
        raise RuntimeError(f"login page: HTTP {resp.status}, no CSRF token")
    form = urllib.parse.urlencode({"username": USERNAME, "password": password, "next": "/",
                                   "csrfmiddlewaretoken": token.group(1)})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken']}"})
    resp = conn.getresponse()
    resp.read()
    cookies.update(_cookies(resp))
    if resp.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"login of {USERNAME} failed: HTTP {resp.status}")
    session = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Accept": "application/json"}
    write = {**session, "X-CSRFToken": cookies["csrftoken"]}
    lookup = {"Authorization": f"Api-Key {key}", "Accept": "application/json"}
    return Credentials(lookup, session, write, "department API key (lookups) + staff viewer session (tiles, analyses)",
                       cookies)


def logout(port: int, creds: Credentials) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/accounts/logout/", headers={**creds.write_headers, "Referer": f"http://127.0.0.1:{port}/"})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def prime(port: int, creds: Credentials, inputs: dict[str, Any]) -> dict[str, int]:
    """Before the warm-up: for each kind, 2 × WORKERS identical-kind requests at once, so every
    worker builds what it builds on first use (the matcher's index, the analysis demand cache)
    while idle workers take one each. Returns the statuses (all must be 2xx)."""
    import threading

    quote = urllib.parse.quote
    jobs: list[tuple[str, str, dict[str, Any] | None]] = []
    for i in range(2 * WORKERS):
        jobs.append(("GET", f"/api/v1/geocode?q={quote(inputs['geocode'][i])}", None))
    for i in range(2 * WORKERS):
        jobs.append(("POST", "/api/v1/analysis/coverage", inputs["coverage"][i % len(inputs["coverage"])]))
    statuses: Counter = Counter()

    def send(method: str, path: str, body: dict[str, Any] | None) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            if body is None:
                conn.request(method, path, headers=creds.lookup_headers)
            else:
                conn.request(method, path, body=json.dumps(body),
                             headers={**creds.write_headers, "Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            statuses[f"{method} {path.split('?')[0]} {resp.status}"] += 1
        except (OSError, http.client.HTTPException) as exc:
            statuses[f"{method} {path.split('?')[0]} {type(exc).__name__}"] += 1
        finally:
            conn.close()

    for batch in (jobs[:2 * WORKERS], jobs[2 * WORKERS:]):  # one kind at a time, all at once
        threads = [threading.Thread(target=send, args=job) for job in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return dict(statuses)


def clean_up(url: str, run_watermark: int, job_watermark: int, delete_user: bool, key_id: int) -> dict[str, int]:
    """Remove what the run wrote: its analysis runs and jobs (ids above the watermarks, by its user),
    its key with the key's usage rows, and, when the run created it, the account (its session is
    gone with the logout). Returns the counts, and the requests the key was counted for."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("DELETE FROM analysis_analysisrun WHERE id > %s AND created_by = %s", [run_watermark, USERNAME])
            runs = cur.rowcount
            cur.execute("DELETE FROM common_job WHERE id > %s AND created_by = %s", [job_watermark, USERNAME])
            jobs = cur.rowcount
            cur.execute("SELECT coalesce(sum(requests), 0), coalesce(sum(refused), 0) FROM accounts_apikeyusage"
                        " WHERE key_id = %s", [key_id])
            key_requests, key_refused = cur.fetchone()
            cur.execute("DELETE FROM accounts_apikeyusage WHERE key_id = %s", [key_id])
            cur.execute("DELETE FROM accounts_apikey WHERE id = %s", [key_id])
            users = 0
            if delete_user:
                cur.execute("DELETE FROM accounts_staffprofile WHERE user_id IN "
                            "(SELECT id FROM auth_user WHERE username = %s)", [USERNAME])
                cur.execute("DELETE FROM accounts_loginfailure WHERE username = %s", [USERNAME])
                cur.execute("DELETE FROM auth_user WHERE username = %s", [USERNAME])
                users = cur.rowcount
    finally:
        conn.close()
    return {"analysis_runs": runs, "jobs": jobs, "users": users, "key_requests": int(key_requests),
            "key_refused": int(key_refused)}


# ----------------------------------------------------------------------------- figures
def figures(records: list[list[Any]], seconds: float) -> dict[str, dict[str, Any]]:
    """Per kind: requests, errors, req/s and latency percentiles (ms) of the timed window."""
    out = {}
    for kind in KINDS:
        rows = [r for r in records if r[0] == kind]
        lat = np.asarray([r[1] for r in rows] or [float("nan")])
        p50, p95, p99 = (float(v) for v in np.percentile(lat, [50, 95, 99]))
        out[kind] = {"requests": len(rows), "errors": sum(1 for r in rows if not r[2]),
                     "statuses": dict(Counter(str(r[3]) for r in rows)), "rps": len(rows) / seconds,
                     "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "mean_ms": float(lat.mean()),
                     "max_ms": float(lat.max())}
    return out


_PREFIXES = (("/api/v1/addresses/", "address_detail"), ("/api/v1/geocode", "geocode"),
             ("/tiles/addresses/", "tile_addresses"), ("/tiles/roads/", "tile_roads"),
             ("/api/v1/analysis/coverage", "coverage"))


def _kind(path: str) -> str | None:
    """The request kind of a logged path (the list is the search; below it, a code's detail)."""
    if path == "/api/v1/addresses/":
        return "address_search"
    return next((kind for prefix, kind in _PREFIXES if path.startswith(prefix)), None)


def server_side(log_text: str, window: list[float]) -> dict[str, dict[str, Any]]:
    """Per kind, percentiles of the time spent inside Django (the request log's ``duration_ms``,
    JSON lines) for the requests answered within the timed window: the work of a request without
    the wait in gunicorn's queue."""
    import datetime as dt

    durations: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for line in log_text.splitlines():
        if '"duration_ms"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        at = dt.datetime.fromisoformat(entry["time"]).timestamp()
        kind = _kind(entry.get("path", ""))
        if kind and window[0] <= at <= window[1]:
            durations[kind].append(float(entry["duration_ms"]))
    out = {}
    for kind, values in durations.items():
        lat = np.asarray(values or [float("nan")])
        p50, p95, p99 = (float(v) for v in np.percentile(lat, [50, 95, 99]))
        out[kind] = {"requests": len(values), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                     "p99_ms": round(p99, 1), "mean_ms": round(float(lat.mean()), 1)}
    return out


def _errors(records: list[list[Any]]) -> dict[str, int]:
    return dict(Counter(f"{r[0]}: {r[4][:160]}" for r in records if not r[2]))


def table(per: dict[str, dict[str, Any]]) -> str:
    lines = [f"   {'kind':<16}{'requests':>9}{'errors':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"]
    for kind, s in per.items():
        lines.append(f"   {kind:<16}{s['requests']:9d}{s['errors']:7d}{s['rps']:8.1f}{s['p50_ms']:9.1f}"
                     f"{s['p95_ms']:9.1f}{s['p99_ms']:9.1f}{s['max_ms']:9.1f}")
    return "\n".join(lines)


def run() -> Result:
    url = database_url()
    print(f"== load: database {_db_name(url)}, {USERS} users, {DURATION_S:.0f} s (+{WARMUP_S:.0f} s warm-up)",
          flush=True)
    inputs = sample_inputs(url)
    password = secrets.token_urlsafe(24)
    created, key_id, key = make_accounts(url, password)
    run_mark = _query(url, "SELECT coalesce(max(id), 0) FROM analysis_analysisrun")[0][0]
    job_mark = _query(url, "SELECT coalesce(max(id), 0) FROM common_job")[0][0]
    results_dir = tempfile.TemporaryDirectory(prefix="geo-mz-load-analysis-")
    try:
        with tempfile.TemporaryDirectory(prefix="geo-mz-load-") as tmp, \
                gunicorn(url, "/healthz", settings="geo_mz.settings.dev", workers=WORKERS,
                         env_extra={"DJANGO_DEBUG": "0", "GEO_MZ_ANALYSIS_DIR": results_dir.name,
                                    "GEO_MZ_LOG_FORMAT": "json"}) as server:
            creds = authenticate(server["port"], password, key)
            primed = prime(server["port"], creds, inputs)
            config = {"host": f"http://127.0.0.1:{server['port']}", "users": USERS, "spawn_rate": USERS,
                      "warmup_s": WARMUP_S, "duration_s": DURATION_S, "wait_s": list(WAIT_S), "seed": SEED,
                      "stop_timeout_s": 60, "lookup_headers": creds.lookup_headers, "read_headers": creds.read_headers, "write_headers": creds.write_headers,
                      "inputs": inputs}
            cfg, out = Path(tmp) / "config.json", Path(tmp) / "out.json"
            cfg.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
            started = time.perf_counter()
            subprocess.run([PYTHON, "-m", "bench.load_scenario", str(cfg), str(out)], cwd=ROOT, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
            wall = time.perf_counter() - started
            data = json.loads(out.read_text(encoding="utf-8"))
            logged_out = logout(server["port"], creds)
            log_text = Path(server["log"]).read_text(errors="replace")
    finally:
        cleaned = clean_up(url, run_mark, job_mark, created, key_id)
        results_dir.cleanup()
    server_errors = [line for line in log_text.splitlines() if "Traceback" in line or "Internal Server Error" in line
                     or "[ERROR]" in line or '"level": "ERROR"' in line]
    per = figures(data["timed"], data["timed_s"])
    inside = server_side(log_text, data["window_epoch"])
    errors = {"timed": _errors(data["timed"]), "warmup": _errors(data["warmup"]), "after": _errors(data["after"])}
    errors["prime"] = {k: v for k, v in primed.items() if not k.endswith((" 200", " 201"))}
    # Every keyed request must have been counted once for the key (the rate-limit counter under load).
    keyed = 2 * WORKERS + sum(1 for phase in ("timed", "warmup", "after") for r in data[phase] if r[0] in LOOKUP_KINDS)
    errors["key_count"] = {} if cleaned["key_requests"] == keyed else {
        f"key counted {cleaned['key_requests']}, sent {keyed}": 1}
    total_errors = sum(sum(e.values()) for e in errors.values()) + len(server_errors)
    print(table(per), flush=True)
    print("   inside Django (request log duration, no queueing): " + ", ".join(
        f"{k} p50 {v['p50_ms']:.0f} / p95 {v['p95_ms']:.0f} ms" for k, v in inside.items()), flush=True)
    print(f"   errors: {total_errors} (timed {sum(errors['timed'].values())}, warm-up "
          f"{sum(errors['warmup'].values())}, after {sum(errors['after'].values())}, "
          f"server log {len(server_errors)})" + ("" if total_errors == 0 else " — BUGS TO FIX"), flush=True)
    ref = per["address_detail"]["p50_ms"]
    variants = []
    for kind, s in per.items():
        v = Variant(kind, s["p50_ms"] / 1e3, f"p95 {s['p95_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms, "
                                             f"{s['requests']} requests, {s['errors']} errors")
        v.ratio = s["p50_ms"] / ref
        variants.append(v)
    info = machine()
    info["database"] = database_info(url)
    timed = len(data["timed"])
    return Result(
        benchmark="load", measures=first_line(__doc__),
        reference="address_detail (p50); seconds = p50 latency of each request kind",
        sizes={"users": USERS, "duration_s": DURATION_S, "warmup_s": WARMUP_S, "think_time_s": list(WAIT_S),
               "gunicorn_workers": WORKERS, "database": _db_name(url), "codes": len(inputs["codes"]),
               "search_texts": len(inputs["search"]), "geocode_queries": len(inputs["geocode"]),
               "address_tiles": len(inputs["tiles_addresses"]), "road_tiles": len(inputs["tiles_roads"]),
               "coverage_bodies": len(inputs["coverage"])},
        variants=variants,
        extra={"kinds": {k: {m: (round(v, 2) if isinstance(v, float) else v) for m, v in s.items()}
                         for k, s in per.items()},
               "total": {"requests": timed, "rps": round(timed / data["timed_s"], 1),
                         "errors": total_errors, "zero_errors": total_errors == 0},
               "inside_django": inside, "errors": errors, "server_log_errors": server_errors[:20],
               "prime": primed, "warmup_requests": len(data["warmup"]), "after_requests": len(data["after"]),
               "timed_window_s": round(data["timed_s"], 2), "scenario_wall_s": round(wall, 1),
               "auth": creds.mode, "keyed_requests": keyed, "logout_status": logged_out, "cleaned_up": cleaned,
               "gunicorn": {k: v for k, v in server.items() if k not in ("port", "pid", "log")}},
        warmup=0, repeat=1, machine=info)
