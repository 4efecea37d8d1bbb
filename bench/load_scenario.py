"""The locust side of ``bench/load.py``: 50 simulated users against a running gunicorn, headless.

Run only as a child process of ``bench/load.py`` (importing locust monkey-patches the whole
process with gevent, which the other benchmarks of ``bench/run.py`` must not inherit):

    python -m bench.load_scenario CONFIG.json OUT.json

CONFIG (written by ``bench/load.py``): ``host``, ``users``, ``spawn_rate``, ``warmup_s``,
``duration_s``, ``wait_s`` ([min, max] think time), ``read_headers`` / ``write_headers`` (the
credentials, made in one place by ``bench.load.authenticate``), and the seeded ``inputs``
(codes, search texts, geocode queries, tiles, the coverage body). Each user picks a task by weight
(``WEIGHTS``), sends one request, checks the answer (status, content type, shape; anything else
is a failure with its reason), then waits ``wait_s``.

OUT: every request of the timed window as ``[kind, milliseconds, ok, status, reason]`` (and the
window's start and end as Unix times, to pick the server's own log lines of it), plus the
failures of the warm-up and of the stop (in-flight requests finish: ``stop_timeout``), so that
the parent can count every error, not only the timed ones.
"""
from __future__ import annotations

import json
import random
import sys
import time
from typing import Any, Callable

import gevent
from locust import FastHttpUser, between, events, task
from locust.env import Environment

Check = Callable[[Any], "str | None"]  # None = the answer is right, else the reason it is wrong

CONFIG: dict[str, Any] = {}
# Sent with the department's API key; tiles and analyses come from the staff session.
LOOKUPS = frozenset({"address_search", "address_detail", "geocode"})
RECORDS: dict[str, list[list[Any]]] = {"timed": [], "warmup": [], "after": []}
PHASE = {"name": "warmup"}
# How often a user does each kind of request (relative): map browsing fetches most (tiles), the
# registers' lookups and department geocodes next, an analysis now and then.
WEIGHTS = {"address_search": 3, "address_detail": 4, "geocode": 4, "tile_addresses": 4, "tile_roads": 2,
           "coverage": 1}
GEOCODE_STATUSES = ("matched", "ambiguous", "unmatched")
MVT = "application/vnd.mapbox-vector-tile"


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response_length: int,  # type: ignore[no-untyped-def]
            response=None, context=None, exception=None, **_: Any) -> None:
    status = getattr(response, "status_code", None) if response is not None else None
    RECORDS[PHASE["name"]].append([name, float(response_time), exception is None, status,
                                   "" if exception is None else str(exception)[:300]])


def _json(response) -> Any:  # type: ignore[no-untyped-def]
    try:
        return json.loads(response.content)
    except (ValueError, TypeError):
        return None


class RegisterUser(FastHttpUser):
    """A staff client or department system: address search and lookups, geocodes, map tiles, and
    now and then a coverage analysis. Every answer is checked (status, content type, shape)."""

    wait_time = between(0.5, 1.5)  # replaced from the config in ``main``

    def _request(self, kind: str, path: str, expect: tuple[int, ...] = (200,), check: Check | None = None,
                 body: dict[str, Any] | None = None, content_type: str = "application/json") -> None:
        method, headers = ("POST", CONFIG["write_headers"]) if body is not None else (
            "GET", CONFIG["lookup_headers"] if kind in LOOKUPS else CONFIG["read_headers"])
        with self.client.request(method, path, name=kind, headers=headers, json=body,
                                 catch_response=True) as response:
            problem = None
            if response.status_code not in expect:
                problem = f"HTTP {response.status_code}: {(response.text or '')[:300]}"
            elif response.status_code != 204:
                got = response.headers.get("Content-Type", "")
                if not got.startswith(content_type):
                    problem = f"content type {got!r}, expected {content_type}"
                elif check is not None:
                    problem = check(_json(response) if content_type == "application/json" else response.content)
            if problem:
                response.failure(problem)
            else:
                response.success()

    @task(WEIGHTS["address_search"])
    def address_search(self) -> None:
        text = random.choice(CONFIG["inputs"]["search"])
        self._request("address_search", f"/api/v1/addresses/?q={_quote(text)}&limit=20",
                      check=lambda b: None if isinstance(b, dict) and b.get("type") == "FeatureCollection"
                      and b.get("features") else f"no FeatureCollection with features for {text!r}")

    @task(WEIGHTS["address_detail"])
    def address_detail(self) -> None:
        code = random.choice(CONFIG["inputs"]["codes"])
        self._request("address_detail", f"/api/v1/addresses/{_quote(code)}",
                      check=lambda b: None if isinstance(b, dict) and b.get("id") == code else f"not address {code}")

    @task(WEIGHTS["geocode"])
    def geocode(self) -> None:
        query = random.choice(CONFIG["inputs"]["geocode"])
        self._request("geocode", f"/api/v1/geocode?q={_quote(query)}&limit=5",
                      check=lambda b: None if isinstance(b, dict) and b.get("status") in GEOCODE_STATUSES
                      else f"no match status for {query!r}")

    @task(WEIGHTS["tile_addresses"])
    def tile_addresses(self) -> None:
        z, x, y = random.choice(CONFIG["inputs"]["tiles_addresses"])
        self._request("tile_addresses", f"/tiles/addresses/{z}/{x}/{y}.pbf", (200, 204), content_type=MVT)

    @task(WEIGHTS["tile_roads"])
    def tile_roads(self) -> None:
        z, x, y = random.choice(CONFIG["inputs"]["tiles_roads"])
        self._request("tile_roads", f"/tiles/roads/{z}/{x}/{y}.pbf", (200, 204), content_type=MVT)

    @task(WEIGHTS["coverage"])
    def coverage(self) -> None:
        self._request("coverage", "/api/v1/analysis/coverage", (201,), body=random.choice(CONFIG["inputs"]["coverage"]),
                      check=lambda b: None if isinstance(b, dict) and b.get("status") == "done"
                      else "coverage run not done")


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def main(config_path: str, out_path: str) -> None:
    CONFIG.update(json.loads(open(config_path, encoding="utf-8").read()))
    random.seed(CONFIG["seed"])
    RegisterUser.wait_time = between(*CONFIG["wait_s"])
    env = Environment(user_classes=[RegisterUser], host=CONFIG["host"], events=events,
                      stop_timeout=CONFIG["stop_timeout_s"])
    runner = env.create_local_runner()
    runner.start(CONFIG["users"], spawn_rate=CONFIG["spawn_rate"])
    gevent.sleep(CONFIG["warmup_s"])
    PHASE["name"] = "timed"
    started, window_start = time.monotonic(), time.time()
    gevent.sleep(CONFIG["duration_s"])
    timed_s, window_end = time.monotonic() - started, time.time()
    PHASE["name"] = "after"  # requests in flight at the end finish (stop_timeout) and are checked too
    runner.stop()
    runner.quit()
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump({"timed_s": timed_s, "window_epoch": [window_start, window_end], "users": runner.user_count,
                   **RECORDS}, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
