"""The HTTP side of ``bench/http_addresses.py``: a gunicorn server started for the benchmark and
the threaded ``http.client`` load generator that times requests against it, with its statistics.
"""

from __future__ import annotations

import http.client
import itertools
import socket
import os
import subprocess
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from bench._db import PYTHON, ROOT, _django_env

WORKERS = 2
THREADS = 4
ROUND_MAX_S = 60.0  # a round of one endpoint stops early after this (bound in time)


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
def gunicorn(url: str, probe: str, settings: str = "bench.settings_bench", workers: int = WORKERS,
             env_extra: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
    """Start gunicorn (``workers`` sync workers, ``settings``) on a free loopback port, wait until
    ``probe`` answers 200, yield its details; always stop it (SIGTERM to the master we started,
    SIGKILL if it lingers)."""
    port = _free_port()
    env = _django_env(url, settings)
    env["DJANGO_CONN_MAX_AGE"] = "600"
    env.pop("DJANGO_DEBUG", None)
    env.update(env_extra or {})
    cmd = [PYTHON, "-m", "gunicorn", "geo_mz.wsgi:application", "--workers", str(workers),
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

        yield {"port": port, "pid": proc.pid, "workers": workers, "worker_class": "sync", "log": log.name,
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
