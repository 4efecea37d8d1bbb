#!/usr/bin/env python
"""Run the address matcher over the quality set and print accuracy per noise kind.

Usage (``make eval`` runs it with DATABASE_URL exported)::

    .venv/bin/python eval/run.py [--kind K ...] [--limit N] [--show-failures N] [--no-fail]

For every row of eval/quality_set.csv it calls
``apps.addresses.matching.service.geocode(query, limit=5)`` and scores the answer (the rules are in
eval/README.md, "How a row is scored"). It prints, per kind and overall: rows, top-1 accuracy,
wrong-match rate among the rows reported ``matched``, ambiguous and unmatched rates, and p50/p95
latency; it writes a JSON summary (with every failing row) to var/eval/. Exit status 1 when the
overall top-1 accuracy is under 98 % or the wrong-match rate over 0.5 % (``--no-fail``: report
only), 2 when the matcher cannot be imported.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # so `apps.*` imports when run as eval/run.py

SET = HERE / "quality_set.csv"
RESULTS = ROOT / "var" / "eval"
MIN_ACCURACY = 0.98
MAX_WRONG_MATCH = 0.005
# Finest first, as in apps/addresses/matching/result.py (kept here so scoring needs no Django).
PRECISIONS = ("户室", "楼栋", "门牌", "街路巷", "片区", "村社区", "乡镇", "区县")
HOME_COUNTY = "330521"
KIND_ORDER = ("exact", "no_province_prefix", "extra_prefix", "short_names", "missing_township",
              "village_committee", "building_variants", "unit_room_forms", "fullwidth", "chinese_numerals",
              "traditional", "punctuation_noise", "homophone_typo", "swapped_order", "old_name",
              "nonexistent_door", "nonexistent_road", "outside_county", "handwritten")


# ---------------------------------------------------------------------------------------------
# Scoring (pure: works on any object with the MatchResult/Candidate attributes)
# ---------------------------------------------------------------------------------------------

def _rank(precision: str) -> int:
    return PRECISIONS.index(precision) if precision in PRECISIONS else -1


def negative_ok(row: dict, result) -> bool:  # type: ignore[no-untyped-def]
    """A row with no true address (expected_code empty) is answered correctly when the matcher
    does not claim a match, or claims one only at a level the row allows:

    * ``expected_precision`` is the finest level that may be reported ``matched`` (街路巷 for a
      door that does not exist on a real road, 片区 for a missing door in a real 组, 门牌 for a
      missing room behind a real compound gate, 村社区/乡镇/区县 …); empty: nothing may match;
    * at exactly that level, the candidate must be the object the query really names
      (``source_code`` occurs in its code: the road R####, the 片区 A####, the gate, the township);
    * for a query outside the county (``source_code`` is another county's code) a match is
      only acceptable inside that county: never a 德清 object, whatever its level.
    """
    if result.status != "matched":
        return True
    best = result.best
    allowed = row.get("expected_precision", "")
    if best is None or not allowed or _rank(best.precision) < 0:
        return False
    if _rank(best.precision) < _rank(allowed):
        return False  # finer than the query can support, e.g. an address for a door that does not exist
    src = row.get("source_code", "")
    if src.isdigit() and not src.startswith(HOME_COUNTY):
        return str(best.code).startswith(src[:6])
    if src and best.precision == allowed:
        return src in str(best.code)
    return True


@dataclass
class Outcome:
    row: dict
    status: str  # matched | ambiguous | unmatched | error
    correct: bool
    wrong_match: bool
    seconds: float
    best: dict | None = None
    second: dict | None = None
    error: str = ""


def _cand(c) -> dict | None:  # type: ignore[no-untyped-def]
    if c is None:
        return None
    return {"code": c.code, "full_text": c.full_text, "score": round(float(c.score), 4), "precision": c.precision,
            "reasons": list(getattr(c, "reasons", []) or []), "kind": getattr(c, "kind", "")}


def score_row(row: dict, result, seconds: float) -> Outcome:  # type: ignore[no-untyped-def]
    best = result.best
    if row["expected_code"]:
        correct = best is not None and best.code == row["expected_code"]
    else:
        correct = negative_ok(row, result)
    wrong = result.status == "matched" and not correct
    cands = list(result.candidates or [])
    return Outcome(row=row, status=result.status, correct=correct, wrong_match=wrong, seconds=seconds,
                   best=_cand(best), second=_cand(cands[1] if len(cands) > 1 else None))


def evaluate(rows: Iterable[dict], geocode: Callable, *, limit: int = 5, within: str | None = None,
             progress: Callable[[int], None] | None = None) -> list[Outcome]:
    """Run `geocode` over the rows; an exception is recorded as a failed row (status "error")."""
    out = []
    for i, row in enumerate(rows, start=1):
        t0 = time.perf_counter()
        try:
            result = geocode(row["query"], limit=limit, within=within)
            dt_s = time.perf_counter() - t0
            out.append(score_row(row, result, dt_s))
        except Exception as exc:  # noqa: BLE001 - a crash on one query must not stop the run
            dt_s = time.perf_counter() - t0
            out.append(Outcome(row=row, status="error", correct=False, wrong_match=False, seconds=dt_s,
                               error=f"{type(exc).__name__}: {exc}"))
        if progress:
            progress(i)
    return out


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[k]


def summarise(outcomes: list[Outcome]) -> dict:
    n = len(outcomes)
    matched = [o for o in outcomes if o.status == "matched"]
    secs = [o.seconds for o in outcomes]
    return {
        "rows": n,
        "correct": sum(o.correct for o in outcomes),
        "top1_accuracy": (sum(o.correct for o in outcomes) / n) if n else 0.0,
        "matched": len(matched),
        "wrong_matches": sum(o.wrong_match for o in outcomes),
        "wrong_match_rate": (sum(o.wrong_match for o in matched) / len(matched)) if matched else 0.0,
        "ambiguous_rate": (sum(o.status == "ambiguous" for o in outcomes) / n) if n else 0.0,
        "unmatched_rate": (sum(o.status == "unmatched" for o in outcomes) / n) if n else 0.0,
        "errors": sum(o.status == "error" for o in outcomes),
        "p50_ms": _pct(secs, 0.5) * 1000,
        "p95_ms": _pct(secs, 0.95) * 1000,
        "mean_ms": (statistics.fmean(secs) * 1000) if secs else 0.0,
    }


def by_kind(outcomes: list[Outcome]) -> dict[str, dict]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.row["kind"]].append(o)
    order = [k for k in KIND_ORDER if k in groups] + sorted(k for k in groups if k not in KIND_ORDER)
    table = {k: summarise(groups[k]) for k in order}
    table["(positives)"] = summarise([o for o in outcomes if o.row["expected_code"]])
    table["(should not match)"] = summarise([o for o in outcomes if not o.row["expected_code"]])
    table["OVERALL"] = summarise(outcomes)
    return table


def failure_order(o: Outcome) -> tuple:
    """Worst first: wrong matches (most confident first), then errors, then the rest."""
    score = o.best["score"] if o.best else 0.0
    return (0 if o.wrong_match else 1 if o.status == "error" else 2, -score, o.row["id"])


def worst_failures(outcomes: list[Outcome]) -> list[Outcome]:
    """The failing rows, worst first (`failure_order`), taken in turn from each kind within each
    tier (wrong matches, errors, the rest) so that a short list shows every kind of failure."""
    tiers: dict[int, dict[str, list[Outcome]]] = defaultdict(lambda: defaultdict(list))
    for o in sorted((o for o in outcomes if not o.correct), key=failure_order):
        tiers[failure_order(o)[0]][o.row["kind"]].append(o)
    out: list[Outcome] = []
    for tier in sorted(tiers):
        queues = list(tiers[tier].values())
        while any(queues):
            for q in queues:
                if q:
                    out.append(q.pop(0))
    return out


# ---------------------------------------------------------------------------------------------
# Reading the set, printing
# ---------------------------------------------------------------------------------------------

def load_set(path: Path = SET) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return [dict(r) for r in csv.DictReader(f)]


def select(rows: list[dict], kinds: list[str] | None, limit: int | None) -> list[dict]:
    """The rows of the given kinds; with a limit, the first rows of each kind in turn (so a quick
    run still covers every kind), in file order."""
    if kinds:
        rows = [r for r in rows if r["kind"] in kinds]
    if not limit or limit >= len(rows):
        return rows
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r["kind"]].append(r)
    picked, i = [], 0
    while len(picked) < limit:
        for g in groups.values():
            if i < len(g) and len(picked) < limit:
                picked.append(g[i])
        i += 1
    ids = {r["id"] for r in picked}
    return [r for r in rows if r["id"] in ids]


def format_table(table: dict[str, dict]) -> str:
    head = (f"{'kind':<22}{'rows':>6}{'top-1':>9}{'matched':>9}{'wrong-m.':>10}{'ambig.':>9}{'unmatch.':>10}"
            f"{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    lines = [head, "-" * len(head)]
    for kind, s in table.items():
        if kind.startswith("(") or kind == "OVERALL":
            if kind == "(positives)":
                lines.append("-" * len(head))
        lines.append(f"{kind:<22}{s['rows']:>6}{s['top1_accuracy']:>9.2%}{s['matched']:>9}{s['wrong_match_rate']:>10.2%}"
                     f"{s['ambiguous_rate']:>9.2%}{s['unmatched_rate']:>10.2%}{s['errors']:>8}{s['p50_ms']:>9.1f}"
                     f"{s['p95_ms']:>9.1f}")
    return "\n".join(lines)


def describe_failure(o: Outcome, texts: dict[str, str]) -> str:
    r = o.row
    exp = r["expected_code"]
    lines = [f"[{r['id']}] {r['kind']}  {r['query']}"]
    if exp:
        lines.append(f"    expected {exp}  {texts.get(exp, '')}  ({r['expected_precision']})")
    else:
        lines.append(f"    expected: no address match (at most {r['expected_precision'] or 'nothing'}"
                     f"{', ' + r['source_code'] if r['source_code'] else ''})")
    if o.error:
        lines.append(f"    ERROR {o.error}")
    elif o.best:
        b = o.best
        lines.append(f"    got {o.status}: {b['code']}  {b['full_text']}  ({b['precision']}, score {b['score']:.3f})"
                     + ("  ← WRONG MATCH" if o.wrong_match else ""))
        if b["reasons"]:
            lines.append(f"    reasons: {', '.join(b['reasons'])}")
        if o.second:
            s = o.second
            lines.append(f"    next: {s['code']}  {s['full_text']}  ({s['precision']}, score {s['score']:.3f})")
    else:
        lines.append(f"    got {o.status}, no candidate")
    if r.get("note"):
        lines.append(f"    note: {r['note']}")
    return "\n".join(lines)


def current_texts(codes: set[str]) -> dict[str, str]:
    """Standard texts of the current addresses with these codes (for printing, and to spot a set
    that no longer matches the register)."""
    from django.db import connection

    if not codes:
        return {}
    with connection.cursor() as cur:
        cur.execute("SELECT code, full_text FROM addresses_address WHERE valid_to IS NULL AND code = ANY(%s)",
                    [sorted(codes)])
        return dict(cur.fetchall())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET, help="the CSV to run (default eval/quality_set.csv)")
    parser.add_argument("--kind", action="append", help="only this kind (repeatable, or comma-separated)")
    parser.add_argument("--limit", type=int, help="at most N rows, taken in turn from every selected kind")
    parser.add_argument("--show-failures", type=int, default=0, metavar="N", help="print the N worst failing rows")
    parser.add_argument("--within", help="pass within=CODE to geocode (default: none)")
    parser.add_argument("--no-fail", action="store_true", help="always exit 0 (report only)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON summary goes (default var/eval/)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_mz.settings.dev")
    import django

    django.setup()
    try:
        from apps.addresses.matching.service import geocode
    except ImportError as exc:
        print(f"[eval] cannot import the matcher (apps.addresses.matching.service.geocode): {exc}", file=sys.stderr)
        return 2

    kinds = [k for arg in (args.kind or []) for k in arg.split(",") if k] or None
    all_rows = load_set(args.set)
    rows = select(all_rows, kinds, args.limit)
    if not rows:
        print("[eval] no rows selected", file=sys.stderr)
        return 2
    expected = {r["expected_code"] for r in rows if r["expected_code"]}
    texts = current_texts(expected)
    stale = sorted(expected - set(texts))
    if stale:
        print(f"[eval] WARNING: {len(stale)} expected code(s) are not current addresses in this database "
              f"(e.g. {', '.join(stale[:3])}): regenerate the set (eval/generate_set.py) or load the demo register.",
              file=sys.stderr)

    t0 = time.perf_counter()
    geocode("浙江省湖州市德清县", limit=5)  # warm-up: index building is not a per-query cost
    warmup = time.perf_counter() - t0
    print(f"[eval] {len(rows)} rows from {args.set.name} (warm-up {warmup:.1f} s)", file=sys.stderr)

    def progress(i: int) -> None:
        if sys.stderr.isatty() and (i % 100 == 0 or i == len(rows)):
            print(f"\r[eval] {i}/{len(rows)}", end="" if i < len(rows) else "\n", file=sys.stderr, flush=True)

    started = time.perf_counter()
    outcomes = evaluate(rows, geocode, within=args.within, progress=progress)
    elapsed = time.perf_counter() - started
    table = by_kind(outcomes)
    overall = table["OVERALL"]
    passed = overall["top1_accuracy"] >= MIN_ACCURACY and overall["wrong_match_rate"] <= MAX_WRONG_MATCH

    print(format_table(table))
    print(f"\nOverall top-1 accuracy {overall['top1_accuracy']:.2%} (target ≥ {MIN_ACCURACY:.0%}), wrong-match rate "
          f"{overall['wrong_match_rate']:.2%} of {overall['matched']} matched (target ≤ {MAX_WRONG_MATCH:.1%}): "
          f"{'PASS' if passed else 'FAIL'}  [{elapsed:.1f} s]")
    failures = worst_failures(outcomes)
    if args.show_failures and failures:
        print(f"\n{min(args.show_failures, len(failures))} of {len(failures)} failing rows "
              f"(wrong matches first, taking each kind in turn):")
        for o in failures[: args.show_failures]:
            print(describe_failure(o, texts))

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    summary = {
        "set": str(args.set), "set_sha256": hashlib.sha256(args.set.read_bytes()).hexdigest(),
        "rows_in_set": len(all_rows), "rows_run": len(rows), "kinds": kinds, "limit": args.limit,
        "within": args.within, "when": stamp, "seconds": round(elapsed, 2), "warmup_seconds": round(warmup, 2),
        "thresholds": {"min_top1_accuracy": MIN_ACCURACY, "max_wrong_match_rate": MAX_WRONG_MATCH},
        "passed": passed, "stale_expected_codes": stale, "by_kind": table,
        "failures": [{"id": o.row["id"], "kind": o.row["kind"], "query": o.row["query"],
                      "expected_code": o.row["expected_code"], "expected_precision": o.row["expected_precision"],
                      "source_code": o.row["source_code"], "status": o.status, "wrong_match": o.wrong_match,
                      "best": o.best, "second": o.second, "error": o.error} for o in failures],
    }
    path = args.out / f"quality-{stamp}.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    (args.out / "quality-latest.json").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"[eval] summary: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", file=sys.stderr)
    return 0 if passed or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
