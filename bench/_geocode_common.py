"""Shared pieces of the ``geocode`` benchmark's two parts (``bench/geocode_speed.py`` and
``bench/geocode_quality.py``): constants, the baseline SQL, logging, loading eval/ modules, and the
Django child processes each part runs in. No Django import at module level.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
import urllib.parse
from typing import Any

from bench._db import PYTHON, ROOT, _db_name, _django_env

SEED = 20261123
N_LATENCY = 2_000
N_BATCH = 20_000
N_WARMUP = 200
TRGM_INDEX = "bench_address_fulltext_trgm"
TRGM_THRESHOLD = 0.3  # pg_trgm.similarity_threshold: the `%` operator's cut (PostgreSQL's default too)
BASELINE_MATCH_SIMILARITY = 0.6  # baseline top-1 at or above this counts as "matched"
BASELINE_LATENCY_BUDGET_S = 60.0  # the baseline latency pass stops after this
BASELINE_BATCH_BUDGET_S = 40.0  # the baseline batch pass stops after this
BASELINE_THREADS = 2  # connections running the baseline over the quality set when not cached
QUALITY_TABLE = "bench_quality_register"
P95_MARK_MS = 50.0
BATCH_MARK_RPS = 2_000.0
CHILD_TIMEOUT_S = 900
BASELINE_SQL = (
    "SELECT code, similarity(full_text, %s) AS sim FROM {table} WHERE {where}full_text %% %s "
    "ORDER BY sim DESC LIMIT 5"
)


QUALITY_SQL = (f"SELECT code, full_text, level, similarity(full_text, %s) AS sim FROM {QUALITY_TABLE} "
               "WHERE full_text %% %s ORDER BY sim DESC, code LIMIT 5")


def _log(msg: str) -> None:
    print(f"   [geocode] {msg}", file=sys.stderr, flush=True)


def _eval_module(name: str):  # type: ignore[no-untyped-def]
    """Import eval/<name>.py (eval/ is not a package)."""
    path = ROOT / "eval" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_bench_eval_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def dev_database_url() -> str:
    """The development database (the quality set's register): DATABASE_URL, else var/pg/database_url."""
    url = os.environ.get("DATABASE_URL") or (ROOT / "var" / "pg" / "database_url").read_text().strip()
    if _db_name(url).endswith("_bench"):  # run.py may be called with the bench URL: use the cluster's dev DB
        local = ROOT / "var" / "pg" / "database_url"
        url = local.read_text().strip() if local.exists() else urllib.parse.urlsplit(url)._replace(
            path="/" + _db_name(url)[: -len("_bench")]).geturl()
    return url


def _rounded(d: dict[str, Any], nd: int = 3) -> dict[str, Any]:
    return {k: (round(v, nd) if isinstance(v, float) else v) for k, v in d.items()}



# ----------------------------------------------------------------------------- child processes
def _child(func: str, url: str, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``bench.geocode.<func>()`` in a Django child process on ``url``; its last stdout line is JSON."""
    env = _django_env(url)
    env.update(extra_env or {})
    start = time.perf_counter()
    done = subprocess.run([PYTHON, "-c", f"from bench.geocode import {func}; {func}()"], cwd=ROOT, env=env,
                          check=True, stdout=subprocess.PIPE, text=True, timeout=CHILD_TIMEOUT_S)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["child_wall_seconds"] = round(time.perf_counter() - start, 1)
    return out


def _setup_django(read_only: bool = False) -> None:
    import django

    django.setup()
    if read_only:  # every session of this process is READ ONLY (the development database)
        from django.db import connection
        from django.db.backends.signals import connection_created

        def make_read_only(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
            with connection.cursor() as cur:
                cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

        connection_created.connect(make_read_only, weak=False)
        connection.close()
        connection.ensure_connection()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
