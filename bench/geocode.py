"""The address matcher (`geocode`) at 1,000,000 addresses: single-query latency and batch rows/s vs a plain pg_trgm similarity query, and accuracy of both on the quality set.

Two parts, each in a child process of its own (so that each has one Django database; the
benchmark itself imports no Django and can run after other benchmarks in ``bench/run.py``):

1. **Speed at 1,000,000 addresses** (child on ``geo_mz_bench``, the database of
   ``bench/http_addresses.py``, set up by its ``ensure_database``; ``geo_mz.settings.dev`` with
   ``DJANGO_DEBUG=0``). First the matcher's in-memory index is built (``get_index``, timed on its
   own: it is a once-per-process cost, not a per-query one). Queries: 22,000 current addresses of
   the bench register drawn with a fixed seed, each turned into a messy query by one of the 14
   positive noise kinds of the quality set (the ``k_*`` functions of ``eval/noise_kinds.py``, as
   re-exported by ``eval/generate_set.py``, over ``eval/querynoise.py``; the kinds rotate, a kind that does not apply to an address passes to
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

Code: part 1 in ``bench/geocode_speed.py``, part 2 in ``bench/geocode_quality.py``, shared constants and
child processes in ``bench/_geocode_common.py``, the bench database in ``bench/_db.py``; this module
runs both parts and assembles the result.
"""

from __future__ import annotations

from bench._common import Result, Variant, first_line, machine
from bench._db import N_ADDRESSES, _address_counts, _db_name, bench_database_url, database_info, ensure_database
from bench._geocode_common import (BASELINE_BATCH_BUDGET_S, BASELINE_LATENCY_BUDGET_S,  # noqa: F401 - re-exported
                                   BASELINE_MATCH_SIMILARITY, BASELINE_SQL, BASELINE_THREADS, BATCH_MARK_RPS,
                                   CHILD_TIMEOUT_S, N_BATCH, N_LATENCY, N_WARMUP, P95_MARK_MS, QUALITY_SQL,
                                   QUALITY_TABLE, ROOT, SEED, TRGM_INDEX, TRGM_THRESHOLD, _child, _eval_module, _log,
                                   _rounded, _rss_mb, _setup_django, dev_database_url)
# `_child` runs `from bench.geocode import _speed_main` / `_accuracy_main` in its child processes.
from bench.geocode_quality import (_accuracy_main, baseline_answers, ensure_quality_copy,  # noqa: F401
                                   quality_table)
from bench.geocode_speed import (_baseline_quality, _batch_job, _matcher_quality, _noise_context,  # noqa: F401
                                 _speed_main, _timed_passes, _two_process_batch, ensure_trgm_index, lat_stats,
                                 make_queries, speed_table, trgm_search)


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
