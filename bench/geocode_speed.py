"""Part 1 of the ``geocode`` benchmark, speed at 1,000,000 addresses (bench database): messy
queries made with the quality set's noise kinds, the matcher's latency and batch rows/s (one
process, two forked processes, the real batch job) against the pg_trgm baseline with its GIN index.
``_speed_main`` runs in a Django child process; see ``bench/geocode.py`` for the full description.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
import tempfile
import time
from collections import Counter
from typing import Any, Callable

import numpy as np

from bench._db import COUNTY, _connect, _db_name
from bench._geocode_common import (BASELINE_BATCH_BUDGET_S, BASELINE_LATENCY_BUDGET_S, BASELINE_MATCH_SIMILARITY,
                                   BASELINE_SQL, N_BATCH, N_LATENCY, N_WARMUP, SEED, TRGM_INDEX, TRGM_THRESHOLD,
                                   _eval_module, _log, _rounded, _rss_mb, _setup_django)


def lat_stats(seconds: list[float]) -> dict[str, float]:
    a = np.asarray(seconds) * 1e3
    p50, p95, p99 = (float(v) for v in np.percentile(a, [50, 95, 99]))
    return {"n": int(a.size), "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "mean_ms": float(a.mean()),
            "max_ms": float(a.max())}



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


# ----------------------------------------------------------------------------- queries
def _noise_context(cur):  # type: ignore[no-untyped-def]
    """The noise functions' Context from a light read of the register (townships, villages, road and
    小区 names: what the kinds need to keep typos and short names honest)."""
    gs = _eval_module("generate_set")
    reg = gs.Register()
    gs.read_towns_and_villages(cur, reg, COUNTY)
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

