"""Part 2 of the ``geocode`` benchmark, accuracy on the quality set: the matcher (on the read-only
development database) and the pg_trgm baseline (on a copy of that register in the bench database,
answers cached) over every row of ``eval/quality_set.csv``, scored by ``eval/run.py``.
``_accuracy_main`` runs in a Django child process; see ``bench/geocode.py`` for the full description.
"""

from __future__ import annotations

import io
import json
import os
import time
from typing import Any

from bench._db import _connect, _db_name
from bench._geocode_common import (BASELINE_MATCH_SIMILARITY, BASELINE_THREADS, QUALITY_SQL, QUALITY_TABLE,
                                   TRGM_THRESHOLD, _eval_module, _log, _setup_django)


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


def quality_table(matcher: dict[str, dict], baseline: dict[str, dict]) -> str:
    head = (f"   {'kind':<22}{'rows':>6} | {'geocode top-1':>13}{'wrong-m.':>10}{'matched':>9} | "
            f"{'pg_trgm top-1':>13}{'wrong-m.':>10}{'matched':>9}")
    lines = [head, "   " + "-" * (len(head) - 3)]
    for kind, m in matcher.items():
        b = baseline[kind]
        lines.append(f"   {kind:<22}{m['rows']:>6} | {m['top1_accuracy']:>13.2%}{m['wrong_match_rate']:>10.2%}"
                     f"{m['matched']:>9} | {b['top1_accuracy']:>13.2%}{b['wrong_match_rate']:>10.2%}{b['matched']:>9}")
    return "\n".join(lines)


