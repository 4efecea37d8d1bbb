"""The address matcher (`geocode`) at 1,000,000 addresses: single-query latency and batch rows/s vs a plain pg_trgm similarity query, and accuracy of both on the quality set.

Two parts, each in a child process of its own (so that each has one Django database; the
benchmark itself imports no Django and can run after other benchmarks in ``bench/run.py``):

1. **Speed at 1,000,000 addresses** (child on ``geo_mz_bench``, the database of
   ``bench/http_addresses.py``, set up by its ``ensure_database``; ``geo_mz.settings.dev`` with
   ``DJANGO_DEBUG=0``). First the matcher's in-memory index is built (``get_index``, timed on its
   own: it is a once-per-process cost, not a per-query one). Queries: 22,000 current addresses of
   the bench register drawn with a fixed seed, each turned into a messy query by one of the 14
   positive noise kinds of the quality set (the ``k_*`` functions of ``eval/generate_set.py`` over
   ``eval/querynoise.py``; the kinds rotate, a kind that does not apply to an address passes to
   the next one). The first 2,000 are the latency set, the other 20,000 the batch set.

   * ``geocode``: each of the 2,000 calls ``geocode(q, limit=5)`` timed alone (after 200 untimed
     warm-up calls) → p50/p95/p99/mean/max;
   * ``geocode_batch``: the 20,000 in one loop, as the batch job does per row → rows/s;
   * ``geocode_batch_2proc``: the same 20,000 split in two contiguous halves over 2 processes
     forked after the index was built (sharing it copy-on-write; "on 2 cores": what two job
     workers give on this machine; wall time from a common start to the last finisher);
   * ``batch_job``: the real job path once: a 20,000-row CSV (UTF-8, columns 序号,地址) saved as a
     ``Job`` input file (``MEDIA_ROOT`` pointed at a temporary folder) with its ``MatchBatch``, run
     through ``apps.common.jobs.run_job`` → ``run_batch_match``: read and sniff the CSV, geocode
     every row, write the result CSV, store the review items; rows/s of the whole ``run_job``. The
     Job, its MatchBatch and review items are deleted afterwards.
   * ``pg_trgm`` / ``pg_trgm_batch``, the baseline, in the same process on the same connection:
     ``SELECT code, similarity(full_text, %s) AS sim FROM addresses_address WHERE valid_to IS NULL
     AND full_text % %s ORDER BY sim DESC LIMIT 5`` (parameterised) with
     ``pg_trgm.similarity_threshold`` = ``TRGM_THRESHOLD`` (0.3) and the GIN index
     ``bench_address_fulltext_trgm`` (``full_text gin_trgm_ops``), which this benchmark creates in
     the bench database once (build time reported then, and kept as the index's comment for later
     runs). Timed on the same 2,000 queries (p50/p95/…) and on the same 20,000 (rows/s). The
     baseline takes about a second per query at this size, so the latency pass stops after
     ``BASELINE_LATENCY_BUDGET_S`` (60 s) and the batch pass after ``BASELINE_BATCH_BUDGET_S``
     (40 s); each is reported on the queries it reached (``n``/``rows``: a prefix of the same
     seeded list), after 20 untimed warm-up queries. The plan is checked to use the GIN index.

   Also reported for both, on these queries whose true address is known: top-1 = the source
   address, and "matched and right" (the matcher: status ``matched``; the baseline: top-1
   similarity ≥ ``BASELINE_MATCH_SIMILARITY``).

2. **Accuracy on the quality set** (child on the development database ``geo_mz``, read-only: every
   session of that child is set ``READ ONLY``): every row of ``eval/quality_set.csv`` through the
   matcher and through the baseline, both scored by ``eval/run.py``'s own ``score_row`` /
   ``by_kind`` (negatives: ``negative_ok``). The baseline's answer is made a ``MatchResult``: its
   candidates are the 5 rows (score = similarity, precision from the address level: room → 户室,
   door → 门牌), status ``matched`` when the top-1 similarity is ≥ 0.6, ``ambiguous`` when there is
   a candidate below that, ``unmatched`` when none passes the 0.3 threshold. The development
   database has no trigram index and must not be written, so the baseline runs on a copy of its
   current addresses (code, full_text, level; the same query over the same rows) in the bench
   database, table ``bench_quality_register`` with its own GIN trigram index, refreshed when the
   fingerprint (count + md5 of the rows) of the development register changes. At ~0.25 s per
   query the baseline over the 4,115 rows takes about 8 minutes (on 2 connections), so its answers
   are kept in ``bench_quality_register_baseline`` under a key of (register fingerprint, SQL,
   threshold): the first run computes them, later runs only the queries not seen before (the
   baseline is deterministic); ``extra.quality.baseline_answers`` says how many were cached. The
   per-row times in the baseline's accuracy table are those of the run that computed them, with
   2 connections at once: use part 1 for speed.

``variants[].seconds`` is the p50 latency for ``geocode`` and ``pg_trgm`` and the seconds per row
for the batch variants; ``ratio`` is against ``pg_trgm`` (latency) or ``pg_trgm_batch`` (batch),
below 1 = faster. The marks of the issue (p95 ≤ 50 ms, batch ≥ 2,000 rows/s) are checked in
``extra.marks``; accuracy tables are in ``extra.quality``.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import numpy as np

from bench._common import Result, Variant, first_line, machine
from bench.http_addresses import (COUNTY, N_ADDRESSES, PYTHON, _address_counts, _connect, _db_name, _django_env,
                                  _query, bench_database_url, database_info, ensure_database)

ROOT = Path(__file__).resolve().parent.parent
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


# ----------------------------------------------------------------------------- stats
def lat_stats(seconds: list[float]) -> dict[str, float]:
    a = np.asarray(seconds) * 1e3
    p50, p95, p99 = (float(v) for v in np.percentile(a, [50, 95, 99]))
    return {"n": int(a.size), "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "mean_ms": float(a.mean()),
            "max_ms": float(a.max())}


def _rounded(d: dict[str, Any], nd: int = 3) -> dict[str, Any]:
    return {k: (round(v, nd) if isinstance(v, float) else v) for k, v in d.items()}


# ----------------------------------------------------------------------------- trigram index (bench DB)
def ensure_trgm_index(url: str) -> dict[str, Any]:
    """Create the GIN trigram index on addresses_address.full_text in the bench database unless it
    exists; its build time is kept as the index's comment."""
    assert _db_name(url).endswith("_bench"), url
    conn = _connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", [TRGM_INDEX])
            exists = cur.fetchone()[0]
            info: dict[str, Any] = {"index": TRGM_INDEX, "built_this_run": not exists}
            if not exists:
                _log(f"building {TRGM_INDEX} (GIN, full_text gin_trgm_ops) on {_db_name(url)} …")
                start = time.perf_counter()
                cur.execute(f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON addresses_address "
                            "USING gin (full_text gin_trgm_ops)")
                info["build_seconds"] = round(time.perf_counter() - start, 1)
                cur.execute(f"COMMENT ON INDEX {TRGM_INDEX} IS %s", [json.dumps(
                    {"build_seconds": info["build_seconds"], "at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})])
                _log(f"{TRGM_INDEX} built in {info['build_seconds']} s")
            else:
                cur.execute("SELECT obj_description(%s::regclass, 'pg_class')", [TRGM_INDEX])
                comment = cur.fetchone()[0]
                try:
                    info["previous_build"] = json.loads(comment) if comment else None
                except ValueError:
                    info["previous_build"] = None
            cur.execute("SELECT pg_size_pretty(pg_relation_size(%s::regclass))", [TRGM_INDEX])
            info["size"] = cur.fetchone()[0]
    finally:
        conn.close()
    return info


# ----------------------------------------------------------------------------- quality-set copy (bench DB)
def ensure_quality_copy(dev_url: str, bench_url: str) -> dict[str, Any]:
    """Copy the current addresses of the development database (read-only session) into
    ``bench_quality_register`` of the bench database, with a GIN trigram index, unless the copy's
    fingerprint already equals the development register's."""
    assert _db_name(bench_url).endswith("_bench") and not _db_name(dev_url).endswith("_bench")
    select = "SELECT code, full_text, level FROM addresses_address WHERE valid_to IS NULL"
    dev = _connect(dev_url)
    dev.set_session(readonly=True)
    try:
        with dev.cursor() as cur:
            cur.execute(f"SELECT count(*), md5(string_agg(code || '|' || full_text || '|' || level, E'\\n' "
                        f"ORDER BY code)) FROM ({select}) s")
            count, digest = cur.fetchone()
        fingerprint = {"rows": count, "md5": digest, "database": _db_name(dev_url)}
        bench = _connect(bench_url)
        bench.autocommit = True
        try:
            with bench.cursor() as cur:
                cur.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", [QUALITY_TABLE])
                comment = cur.fetchone()[0]
                if comment and json.loads(comment).get("md5") == digest:
                    return {"table": QUALITY_TABLE, "rows": count, "refreshed_this_run": False,
                            "previous": json.loads(comment)}
                _log(f"copying {count:,} current addresses of {_db_name(dev_url)} into "
                     f"{_db_name(bench_url)}.{QUALITY_TABLE} (+ GIN trigram index) …")
                start = time.perf_counter()
                buf = io.StringIO()
                with dev.cursor() as dcur:
                    dcur.copy_expert(f"COPY ({select} ORDER BY code) TO STDOUT", buf)
                dev.rollback()
                buf.seek(0)
                cur.execute(f"DROP TABLE IF EXISTS {QUALITY_TABLE}")
                cur.execute(f"CREATE TABLE {QUALITY_TABLE} (code text PRIMARY KEY, full_text text NOT NULL, "
                            "level text NOT NULL)")
                cur.copy_expert(f"COPY {QUALITY_TABLE} (code, full_text, level) FROM STDIN", buf)
                cur.execute(f"CREATE INDEX {QUALITY_TABLE}_trgm ON {QUALITY_TABLE} USING gin (full_text gin_trgm_ops)")
                cur.execute(f"ANALYZE {QUALITY_TABLE}")
                seconds = round(time.perf_counter() - start, 1)
                record = {**fingerprint, "copy_and_index_seconds": seconds,
                          "at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                cur.execute(f"COMMENT ON TABLE {QUALITY_TABLE} IS %s", [json.dumps(record)])
                _log(f"copy + index took {seconds} s")
                return {"table": QUALITY_TABLE, "rows": count, "refreshed_this_run": True, **record}
        finally:
            bench.close()
    finally:
        dev.close()


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


# ----------------------------------------------------------------------------- queries
def _noise_context(cur):  # type: ignore[no-untyped-def]
    """The noise functions' Context from a light read of the register (townships, villages, road and
    小区 names: what the kinds need to keep typos and short names honest)."""
    gs = _eval_module("generate_set")
    reg = gs.Register()
    cur.execute("SELECT code, name FROM divisions_division WHERE level = 'township' AND valid_to IS NULL "
                "AND code LIKE %s ORDER BY code", [COUNTY + "%"])
    reg.towns = list(cur.fetchall())
    cur.execute("SELECT v.code, v.name, v.kind, t.code FROM divisions_division v "
                "JOIN divisions_division t ON t.id = v.parent_id WHERE v.level = 'village' "
                "AND v.valid_to IS NULL AND v.code LIKE %s ORDER BY v.code", [COUNTY + "%"])
    reg.villages = list(cur.fetchall())
    cur.execute("SELECT code, name FROM addresses_road WHERE valid_to IS NULL ORDER BY code")
    reg.road_names = dict(cur.fetchall())
    cur.execute("SELECT code, name FROM addresses_area WHERE valid_to IS NULL AND kind = '小区' ORDER BY code")
    reg.area_names = dict(cur.fetchall())
    return gs, gs.Context(reg)


def make_queries(n: int, seed: int = SEED) -> list[dict[str, str]]:
    """``n`` messy queries from distinct current addresses of the connected register, drawn with
    ``seed`` from the codes in code order; the noise kinds of the quality set in rotation."""
    from django.db import connection

    with connection.cursor() as cur:
        gs, ctx = _noise_context(cur)
        qn = sys.modules["querynoise"]
        cur.execute("SELECT code FROM addresses_address WHERE valid_to IS NULL AND stage = 'current' "
                    "AND code LIKE %s ORDER BY code", [COUNTY + "%"])
        codes = [c for (c,) in cur.fetchall()]
        rng = random.Random(seed)
        picked = rng.sample(codes, min(len(codes), int(n * 1.3) + 100))
        cur.execute("""
            SELECT a.code, a.full_text, a.level, a.door_number, a.door_suffix, a.building, a.unit, a.room,
                   t.code, t.name, v.name, v.kind, r.code, r.name, ar.code, ar.name, ar.kind
            FROM addresses_address a
            JOIN divisions_division t ON t.id = a.township_id
            LEFT JOIN divisions_division v ON v.id = a.village_id
            LEFT JOIN addresses_road r ON r.id = a.road_id
            LEFT JOIN addresses_area ar ON ar.id = a.area_id
            WHERE a.valid_to IS NULL AND a.code = ANY(%s)""", [picked])
        rows = {row[0]: row for row in cur.fetchall()}
    kinds = list(gs.POSITIVE_FUNCS)
    out: list[dict[str, str]] = []
    for code in picked:
        (code, full, level, door, suffix, building, unit, room, tcode, tname, vname, vkind, rcode, rname,
         acode, aname, akind) = rows[code]
        if vname is None or door is None:
            continue
        if rcode is None:
            if akind != "村民小组" or not (aname.endswith("组") and aname[:-1].isdigit()):
                continue
            cls = "rural"
        else:
            cls = "door" if acode is None else ("room" if level == "room" else "gate")
        a = qn.Addr(code=code, full_text=full, cls=cls, town=tname, town_code=tcode, village=vname,
                    village_kind=vkind or ("社区" if vname.endswith("社区") else "村"), road=rname or "",
                    road_code=rcode or "", compound=aname if akind == "小区" else "",
                    group=int(aname[:-1]) if cls == "rural" else None, area_code=acode or "", door=door,
                    suffix=suffix or 0, building=building or "", unit=unit or "", room=room or "", level=level)
        if a.standard() != full:  # a text the noise functions cannot take apart (as generate_set skips)
            continue
        i = len(out)
        qrng = random.Random(f"{seed}:{code}")
        for k in range(len(kinds)):
            kind = kinds[(i + k) % len(kinds)]
            made = gs.POSITIVE_FUNCS[kind](a, qrng, ctx)
            if made:
                out.append({"query": made[0], "code": code, "kind": kind})
                break
        if len(out) == n:
            break
    if len(out) < n:
        raise RuntimeError(f"only {len(out)} queries could be made, {n} wanted")
    return out


# ----------------------------------------------------------------------------- baseline
def trgm_search(cur, q: str, table: str = "addresses_address",  # type: ignore[no-untyped-def]
                where: str = "valid_to IS NULL AND ") -> list[tuple[str, float]]:
    """The baseline: the 5 rows most similar to ``q`` among those passing ``full_text % q``."""
    cur.execute(BASELINE_SQL.format(table=table, where=where), [q, q])
    return cur.fetchall()


def _timed_passes(items: list[dict[str, str]], call: Callable[[str], Any], budget_s: float | None = None
                  ) -> tuple[list[float], list[Any], float]:
    """Call ``call`` on every query (stopping after ``budget_s``); per-call seconds, answers, wall."""
    secs: list[float] = []
    answers: list[Any] = []
    start = time.perf_counter()
    for it in items:
        t0 = time.perf_counter()
        answers.append(call(it["query"]))
        t1 = time.perf_counter()
        secs.append(t1 - t0)
        if budget_s is not None and t1 - start > budget_s:
            break
    return secs, answers, time.perf_counter() - start


def _matcher_quality(items: list[dict[str, str]], results: list[Any]) -> dict[str, Any]:
    n = len(results)
    top1 = sum(r.best is not None and r.best.code == it["code"] for it, r in zip(items, results))
    matched = [(it, r) for it, r in zip(items, results) if r.status == "matched"]
    right = sum(r.best.code == it["code"] for it, r in matched)
    return {"n": n, "top1": round(top1 / n, 4), "matched": round(len(matched) / n, 4),
            "matched_right": round(right / n, 4),
            "wrong_match_rate": round((len(matched) - right) / len(matched), 4) if matched else 0.0}


def _baseline_quality(items: list[dict[str, str]], answers: list[list[tuple[str, float]]]) -> dict[str, Any]:
    n = len(answers)
    top1 = sum(bool(a) and a[0][0] == it["code"] for it, a in zip(items, answers))
    matched = [(it, a) for it, a in zip(items, answers) if a and a[0][1] >= BASELINE_MATCH_SIMILARITY]
    right = sum(a[0][0] == it["code"] for it, a in matched)
    return {"n": n, "top1": round(top1 / n, 4), "matched": round(len(matched) / n, 4),
            "matched_right": round(right / n, 4),
            "wrong_match_rate": round((len(matched) - right) / len(matched), 4) if matched else 0.0,
            "no_candidate": round(sum(not a for a in answers) / n, 4)}


# ----------------------------------------------------------------------------- part 1: speed (bench DB)
def _two_process_batch(items: list[dict[str, str]]) -> dict[str, Any]:
    """The batch set split over 2 processes forked from this one (index already built, shared
    copy-on-write); wall time from a common start to the last finisher."""
    import multiprocessing as mp

    from django.db import connection

    from apps.addresses.matching.service import geocode

    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(3), ctx.Queue()

    def work(part: list[str]) -> None:
        barrier.wait()
        t0 = time.perf_counter()
        matched = sum(geocode(q, limit=5).status == "matched" for q in part)
        queue.put((t0, time.perf_counter(), len(part), matched))

    connection.close()  # never share the database socket with the children
    half = len(items) // 2  # contiguous halves: the kinds rotate with an even period, so every other row would not do
    procs = [ctx.Process(target=work, args=([it["query"] for it in part],)) for part in (items[:half], items[half:])]
    for p in procs:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    parts = [queue.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - start
    for p in procs:
        p.join(timeout=60)
    rows = sum(p[2] for p in parts)
    return {"rows": rows, "wall_s": round(wall, 3), "rows_per_s": rows / wall,
            "per_process_rows_per_s": [round(p[2] / (p[1] - p[0]), 1) for p in parts],
            "matched": sum(p[3] for p in parts)}


def _batch_job(items: list[dict[str, str]]) -> dict[str, Any]:
    """The real job path once: a CSV of the batch set as a Job + MatchBatch, run by run_job."""
    from django.core.files.base import ContentFile
    from django.test import override_settings
    from django.utils import timezone

    import apps.addresses.job_handlers  # noqa: F401 - registers address_batch_match
    from apps.addresses.models import MatchBatch, ReviewItem
    from apps.common.jobs import enqueue, run_job
    from apps.common.models import Job, JobStatus

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["序号", "地址"])
    writer.writerows([i, it["query"]] for i, it in enumerate(items, start=1))
    data = buf.getvalue().encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="bench-geocode-media-") as media, override_settings(MEDIA_ROOT=media):
        job = enqueue("address_batch_match", params={"column": "地址", "rows": len(items)}, created_by="bench",
                      input_file=ContentFile(data, name="bench-geocode.csv"))
        batch = MatchBatch.objects.create(job=job, department="bench", column="地址", rows=len(items))
        try:
            Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
            job.refresh_from_db()
            start = time.perf_counter()
            job = run_job(job)
            wall = time.perf_counter() - start
            assert job.status == JobStatus.SUCCEEDED, (job.status, job.message)
            batch.refresh_from_db()
            out_bytes = job.result_file.size
            reviews = ReviewItem.objects.filter(batch=batch).count()
        finally:
            ReviewItem.objects.filter(batch=batch).delete()
            MatchBatch.objects.filter(pk=batch.pk).delete()
            Job.objects.filter(pk=job.pk).delete()
    return {"rows": batch.rows, "wall_s": round(wall, 3), "rows_per_s": batch.rows / wall,
            "matched": batch.matched, "ambiguous": batch.ambiguous, "unmatched": batch.unmatched,
            "review_items": reviews, "input_csv_bytes": len(data), "result_csv_bytes": out_bytes}


def _speed_main() -> None:
    _setup_django()
    from django.db import connection

    from apps.addresses.matching.index import get_index
    from apps.addresses.matching.service import geocode, home_county

    assert connection.settings_dict["NAME"].endswith("_bench"), connection.settings_dict["NAME"]
    out: dict[str, Any] = {"database": connection.settings_dict["NAME"]}
    t0 = time.perf_counter()
    idx = get_index(home_county())
    out["index_build_seconds"] = round(time.perf_counter() - t0, 2)
    out["index_addresses"] = len(idx.by_code)
    out["rss_after_index_mb"] = round(_rss_mb())
    _log(f"index built in {out['index_build_seconds']} s ({len(idx.by_code):,} addresses, "
         f"RSS {out['rss_after_index_mb']:,} MB)")

    t0 = time.perf_counter()
    queries = make_queries(N_LATENCY + N_BATCH + N_WARMUP)
    out["query_making_seconds"] = round(time.perf_counter() - t0, 2)
    lat_set, batch_set = queries[:N_LATENCY], queries[N_LATENCY:N_LATENCY + N_BATCH]
    warm_set = queries[N_LATENCY + N_BATCH:]
    out["query_kinds"] = dict(Counter(it["kind"] for it in queries[:N_LATENCY + N_BATCH]).most_common())
    out["query_examples"] = [{"kind": it["kind"], "query": it["query"]} for it in lat_set[:14]]

    for it in warm_set:
        geocode(it["query"], limit=5)
    secs, results, _ = _timed_passes(lat_set, lambda q: geocode(q, limit=5))
    out["geocode_latency"] = _rounded(lat_stats(secs))
    out["geocode_latency_quality"] = _matcher_quality(lat_set, results)
    _log(f"geocode latency p50 {out['geocode_latency']['p50_ms']} ms, p95 {out['geocode_latency']['p95_ms']} ms")

    _, results, wall = _timed_passes(batch_set, lambda q: geocode(q, limit=5))
    out["geocode_batch"] = {"rows": len(batch_set), "wall_s": round(wall, 3), "rows_per_s": len(batch_set) / wall,
                            **{f"quality_{k}": v for k, v in _matcher_quality(batch_set, results).items()}}
    _log(f"geocode batch {out['geocode_batch']['rows_per_s']:,.0f} rows/s")

    out["geocode_batch_2proc"] = _two_process_batch(batch_set)
    _log(f"geocode batch on 2 processes {out['geocode_batch_2proc']['rows_per_s']:,.0f} rows/s")

    t0 = time.perf_counter()
    out["batch_job"] = _batch_job(batch_set)
    _log(f"batch job {out['batch_job']['rows_per_s']:,.0f} rows/s ({time.perf_counter() - t0:.1f} s)")

    # The baseline, same process, same (Django) connection.
    with connection.cursor() as cur:
        cur.execute("SET pg_trgm.similarity_threshold = %s", [TRGM_THRESHOLD])
        cur.execute("EXPLAIN " + BASELINE_SQL.format(table="addresses_address", where="valid_to IS NULL AND "),
                    [lat_set[0]["query"]] * 2)
        plan = [r[0] for r in cur.fetchall()]
        out["baseline_plan_uses_trgm_index"] = any(TRGM_INDEX in line for line in plan)
        out["baseline_plan"] = plan
        for it in warm_set[:20]:
            trgm_search(cur, it["query"])
        secs, answers, _ = _timed_passes(lat_set, lambda q: trgm_search(cur, q), BASELINE_LATENCY_BUDGET_S)
        out["trgm_latency"] = _rounded(lat_stats(secs))
        out["trgm_latency_quality"] = _baseline_quality(lat_set, answers)
        _log(f"pg_trgm latency p50 {out['trgm_latency']['p50_ms']} ms, p95 {out['trgm_latency']['p95_ms']} ms "
             f"({len(secs)} queries)")
        secs, answers, wall = _timed_passes(batch_set, lambda q: trgm_search(cur, q), BASELINE_BATCH_BUDGET_S)
        out["trgm_batch"] = {"rows": len(secs), "wall_s": round(wall, 3), "rows_per_s": len(secs) / wall,
                             **{f"quality_{k}": v for k, v in _baseline_quality(batch_set, answers).items()}}
        _log(f"pg_trgm batch {out['trgm_batch']['rows_per_s']:,.1f} rows/s ({len(secs)} rows)")
    out["rss_end_mb"] = round(_rss_mb())
    print(json.dumps(out, ensure_ascii=False))


# ----------------------------------------------------------------------------- part 2: accuracy (dev DB)
QUALITY_SQL = (f"SELECT code, full_text, level, similarity(full_text, %s) AS sim FROM {QUALITY_TABLE} "
               "WHERE full_text %% %s ORDER BY sim DESC, code LIMIT 5")


def baseline_answers(bench_url: str, queries: list[str]) -> tuple[dict[str, tuple[list, float]], dict[str, Any]]:
    """The baseline's 5 rows and query seconds for every distinct query, on the copy of the
    development register. Answers are kept in ``bench_quality_baseline`` of the bench database
    under a key of (register fingerprint, SQL, threshold), so only queries not seen before with the
    same key are run: the baseline is deterministic, and at ~0.25 s per query the whole set takes
    minutes. Missing ones run on BASELINE_THREADS connections at once (saved every 100)."""
    import hashlib
    import threading

    import psycopg2
    from psycopg2.extras import Json, execute_values

    conn = psycopg2.connect(bench_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", [QUALITY_TABLE])
        register = json.loads(cur.fetchone()[0])
        key = hashlib.sha256(f"{register['md5']}|{QUALITY_SQL}|{TRGM_THRESHOLD}".encode()).hexdigest()[:16]
        cur.execute(f"CREATE TABLE IF NOT EXISTS {QUALITY_TABLE}_baseline (key text, query text, answers jsonb, "
                    "seconds float8, PRIMARY KEY (key, query))")
        cur.execute(f"DELETE FROM {QUALITY_TABLE}_baseline WHERE key <> %s", [key])
        cur.execute(f"SELECT query, answers, seconds FROM {QUALITY_TABLE}_baseline WHERE key = %s", [key])
        answers = {q: ([tuple(a) for a in ans], sec) for q, ans, sec in cur.fetchall()}
    conn.close()
    missing = [q for q in dict.fromkeys(queries) if q not in answers]
    info: dict[str, Any] = {"key": key, "register": register, "distinct_queries": len(set(queries)),
                            "cached": len(set(queries)) - len(missing), "run_now": len(missing)}
    if missing:
        _log(f"baseline on the quality set: {len(missing)} queries to run ({info['cached']} cached), "
             f"{BASELINE_THREADS} connections …")
        start, done, lock = time.perf_counter(), [0], threading.Lock()

        def work(part: list[str]) -> None:
            c = psycopg2.connect(bench_url)
            c.autocommit = True
            try:
                with c.cursor() as cur:
                    cur.execute("SET pg_trgm.similarity_threshold = %s", [TRGM_THRESHOLD])
                    pending = []
                    for i, q in enumerate(part, start=1):
                        t0 = time.perf_counter()
                        cur.execute(QUALITY_SQL, [q, q])
                        rows = [(code, text, level, float(sim)) for code, text, level, sim in cur.fetchall()]
                        sec = time.perf_counter() - t0
                        answers[q] = (rows, sec)
                        pending.append((key, q, Json(rows), sec))
                        if len(pending) >= 100 or i == len(part):
                            execute_values(cur, f"INSERT INTO {QUALITY_TABLE}_baseline VALUES %s "
                                                "ON CONFLICT DO NOTHING", pending)
                            pending = []
                        with lock:
                            done[0] += 1
                            if done[0] % 500 == 0:
                                _log(f"  baseline {done[0]}/{len(missing)} ({time.perf_counter() - start:.0f} s)")
            finally:
                c.close()

        threads = [threading.Thread(target=work, args=(missing[k::BASELINE_THREADS],))
                   for k in range(BASELINE_THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        info["run_now_seconds"] = round(time.perf_counter() - start, 1)
        assert all(q in answers for q in missing), "a baseline thread failed"
    return answers, info


def _accuracy_main() -> None:
    _setup_django(read_only=True)
    from django.db import connection

    from apps.addresses.matching.index import get_index
    from apps.addresses.matching.result import AMBIGUOUS, MATCHED, UNMATCHED, Candidate, MatchResult
    from apps.addresses.matching.service import geocode, home_county

    assert not connection.settings_dict["NAME"].endswith("_bench"), connection.settings_dict["NAME"]
    ev = _eval_module("run")
    rows = ev.load_set()
    expected = {r["expected_code"] for r in rows if r["expected_code"]}
    texts = ev.current_texts(expected)
    with connection.cursor() as cur:
        cur.execute("SHOW transaction_read_only")
        read_only = cur.fetchone()[0] == "on"
    assert read_only, "the development database session is not read-only"
    out: dict[str, Any] = {"database": connection.settings_dict["NAME"], "rows": len(rows),
                           "stale_expected_codes": len(expected - set(texts)), "session_read_only": read_only}
    t0 = time.perf_counter()
    get_index(home_county())
    out["index_build_seconds"] = round(time.perf_counter() - t0, 2)

    matcher = ev.evaluate(rows, geocode)
    out["matcher"] = ev.by_kind(matcher)
    _log(f"quality set, matcher: top-1 {out['matcher']['OVERALL']['top1_accuracy']:.2%}")

    precision = {"room": "户室", "building": "楼栋"}
    answers, info = baseline_answers(os.environ["BENCH_BASELINE_URL"], [r["query"] for r in rows])
    out["baseline_answers"] = info

    def baseline(q: str, *, limit: int = 5, within: str | None = None) -> MatchResult:
        cands = [Candidate(code, text, float(sim), precision.get(level, "门牌"))
                 for code, text, level, sim in answers[q][0][:limit]]
        status = (MATCHED if cands and cands[0].score >= BASELINE_MATCH_SIMILARITY
                  else AMBIGUOUS if cands else UNMATCHED)
        return MatchResult(q, status, cands, q)

    base = ev.evaluate(rows, baseline)
    for o in base:  # the time of the query itself (answers are looked up above)
        o.seconds = answers[o.row["query"]][1]
    out["baseline"] = ev.by_kind(base)
    _log(f"quality set, pg_trgm: top-1 {out['baseline']['OVERALL']['top1_accuracy']:.2%}")
    print(json.dumps(out, ensure_ascii=False))


# ----------------------------------------------------------------------------- main
def quality_table(matcher: dict[str, dict], baseline: dict[str, dict]) -> str:
    head = (f"   {'kind':<22}{'rows':>6} | {'geocode top-1':>13}{'wrong-m.':>10}{'matched':>9} | "
            f"{'pg_trgm top-1':>13}{'wrong-m.':>10}{'matched':>9}")
    lines = [head, "   " + "-" * (len(head) - 3)]
    for kind, m in matcher.items():
        b = baseline[kind]
        lines.append(f"   {kind:<22}{m['rows']:>6} | {m['top1_accuracy']:>13.2%}{m['wrong_match_rate']:>10.2%}"
                     f"{m['matched']:>9} | {b['top1_accuracy']:>13.2%}{b['wrong_match_rate']:>10.2%}{b['matched']:>9}")
    return "\n".join(lines)


def speed_table(s: dict[str, Any]) -> str:
    gl, tl = s["geocode_latency"], s["trgm_latency"]
    lines = [f"   {'single query (1M)':<24}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'max ms':>9}"]
    for name, x in (("geocode", gl), ("pg_trgm", tl)):
        lines.append(f"   {name:<24}{x['n']:>6}{x['p50_ms']:9.2f}{x['p95_ms']:9.2f}{x['p99_ms']:9.2f}"
                     f"{x['mean_ms']:9.2f}{x['max_ms']:9.2f}")
    lines.append(f"   {'batch (1M)':<24}{'rows':>6}{'rows/s':>10}")
    for name, key in (("geocode loop", "geocode_batch"), ("geocode loop, 2 procs", "geocode_batch_2proc"),
                      ("batch job (run_job)", "batch_job"), ("pg_trgm loop", "trgm_batch")):
        lines.append(f"   {name:<24}{s[key]['rows']:>6}{s[key]['rows_per_s']:10.1f}")
    return "\n".join(lines)


def run() -> Result:
    bench_url = bench_database_url()
    dev_url = dev_database_url()
    print(f"== geocode: speed on {_db_name(bench_url)}, quality set on {_db_name(dev_url)} (read-only)", flush=True)
    setup = ensure_database(bench_url)
    total, current = _address_counts(bench_url)
    if total < N_ADDRESSES:
        raise RuntimeError(f"{_db_name(bench_url)} holds {total:,} addresses, expected ≥ {N_ADDRESSES:,}")
    trgm = ensure_trgm_index(bench_url)
    db = database_info(bench_url)

    speed = _child("_speed_main", bench_url)
    copy = ensure_quality_copy(dev_url, bench_url)
    quality = _child("_accuracy_main", dev_url, {"BENCH_BASELINE_URL": bench_url})

    gl, tl = speed["geocode_latency"], speed["trgm_latency"]
    gb, tb, job, two = speed["geocode_batch"], speed["trgm_batch"], speed["batch_job"], speed["geocode_batch_2proc"]
    variants = [
        Variant("geocode", gl["p50_ms"] / 1e3, f"p50; p95 {gl['p95_ms']:.2f} ms, p99 {gl['p99_ms']:.2f} ms, "
                f"n={gl['n']}"),
        Variant("pg_trgm", tl["p50_ms"] / 1e3, f"p50; p95 {tl['p95_ms']:.2f} ms, p99 {tl['p99_ms']:.2f} ms, "
                f"n={tl['n']}, threshold {TRGM_THRESHOLD}"),
        Variant("geocode_batch", 1 / gb["rows_per_s"], f"s/row; {gb['rows_per_s']:,.0f} rows/s, one process"),
        Variant("geocode_batch_2proc", 1 / two["rows_per_s"], f"s/row; {two['rows_per_s']:,.0f} rows/s, 2 processes"),
        Variant("batch_job", 1 / job["rows_per_s"], f"s/row; {job['rows_per_s']:,.0f} rows/s, run_job with CSV in/out"),
        Variant("pg_trgm_batch", 1 / tb["rows_per_s"], f"s/row; {tb['rows_per_s']:,.1f} rows/s over {tb['rows']} rows"),
    ]
    for v in variants:
        ref = variants[1] if v.name in ("geocode", "pg_trgm") else variants[5]
        v.ratio = v.seconds / ref.seconds
    mo, bo = quality["matcher"]["OVERALL"], quality["baseline"]["OVERALL"]
    marks = {
        "p95_ms": round(gl["p95_ms"], 3), "p95_mark_ms": P95_MARK_MS, "p95_ok": gl["p95_ms"] <= P95_MARK_MS,
        "batch_mark_rows_per_s": BATCH_MARK_RPS,
        "batch_2_processes_rows_per_s": round(two["rows_per_s"], 1),
        "batch_2_processes_ok": two["rows_per_s"] >= BATCH_MARK_RPS,
        "batch_1_process_rows_per_s": round(gb["rows_per_s"], 1),
        "batch_1_process_ok": gb["rows_per_s"] >= BATCH_MARK_RPS,
        "batch_job_rows_per_s": round(job["rows_per_s"], 1), "batch_job_ok": job["rows_per_s"] >= BATCH_MARK_RPS,
        "faster_than_baseline": gl["p50_ms"] < tl["p50_ms"] and gl["p95_ms"] < tl["p95_ms"]
        and gb["rows_per_s"] > tb["rows_per_s"],
        "more_accurate_than_baseline": mo["top1_accuracy"] > bo["top1_accuracy"]
        and mo["wrong_match_rate"] < bo["wrong_match_rate"],
    }
    print(speed_table(speed), flush=True)
    print(f"   quality set ({quality['rows']} rows, {quality['database']}): baseline matched = top-1 similarity "
          f"≥ {BASELINE_MATCH_SIMILARITY}", flush=True)
    print(quality_table(quality["matcher"], quality["baseline"]), flush=True)
    ok = lambda b: "ok" if b else "MISSED"  # noqa: E731
    print(f"   marks: p95 {gl['p95_ms']:.2f} ms ≤ {P95_MARK_MS:.0f} ms {ok(marks['p95_ok'])}; batch ≥ "
          f"{BATCH_MARK_RPS:,.0f} rows/s: 2 processes {two['rows_per_s']:,.0f} {ok(marks['batch_2_processes_ok'])}, "
          f"1 process {gb['rows_per_s']:,.0f} {ok(marks['batch_1_process_ok'])}, batch job {job['rows_per_s']:,.0f} "
          f"{ok(marks['batch_job_ok'])}", flush=True)
    info = machine()
    info["database"] = db
    keep = ("index_build_seconds", "index_addresses", "rss_after_index_mb", "rss_end_mb", "query_making_seconds",
            "child_wall_seconds")
    return Result(
        benchmark="geocode", measures=first_line(__doc__),
        reference="pg_trgm (for geocode: seconds = p50 latency), pg_trgm_batch (for the batch variants: seconds per row)",
        sizes={"addresses_total": total, "addresses_current": current, "latency_queries": N_LATENCY,
               "batch_queries": N_BATCH, "warmup_queries": N_WARMUP, "quality_set_rows": quality["rows"]},
        variants=variants,
        extra={
            "marks": marks,
            "index": {k: speed[k] for k in keep if k in speed},
            "latency": {"geocode": gl, "pg_trgm": tl},
            "latency_set_quality": {"geocode": speed["geocode_latency_quality"],
                                    "pg_trgm": speed["trgm_latency_quality"]},
            "batch": {"geocode": _rounded(gb), "geocode_2proc": _rounded(two), "batch_job": _rounded(job),
                      "pg_trgm": _rounded(tb)},
            "baseline": {"sql": BASELINE_SQL.format(table="addresses_address", where="valid_to IS NULL AND ")
                         .replace("%%", "%"),
                         "similarity_threshold": TRGM_THRESHOLD, "matched_at_similarity": BASELINE_MATCH_SIMILARITY,
                         "budget_seconds": {"latency": BASELINE_LATENCY_BUDGET_S, "batch": BASELINE_BATCH_BUDGET_S}, "trgm_index": trgm,
                         "plan_uses_trgm_index": speed["baseline_plan_uses_trgm_index"],
                         "plan": speed["baseline_plan"]},
            "quality": {"database": quality["database"], "stale_expected_codes": quality["stale_expected_codes"],
                        "matcher_index_build_seconds": quality["index_build_seconds"],
                        "session_read_only": quality["session_read_only"],
                        "baseline_table": copy, "baseline_answers": quality["baseline_answers"],
                        "baseline_sql": QUALITY_SQL.replace("%%", "%"),
                        "overall": {"geocode": _rounded(mo, 4), "pg_trgm": _rounded(bo, 4)},
                        "by_kind": {k: {"geocode": _rounded(quality["matcher"][k], 4),
                                        "pg_trgm": _rounded(quality["baseline"][k], 4)}
                                    for k in quality["matcher"]},
                        "child_wall_seconds": quality["child_wall_seconds"]},
            "query_kinds": speed["query_kinds"],
            "query_examples": speed["query_examples"],
            "setup": setup,
        },
        warmup=N_WARMUP, repeat=1, machine=info,
    )
