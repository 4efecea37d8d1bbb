"""Run the geo-mz benchmarks (all, or those named) and write one JSON result per benchmark.

Usage: ``.venv/bin/python bench/run.py [NAME ...]`` (names in ``BENCHMARKS``) (``make bench`` runs all,
with DATABASE_URL exported). Results go to ``bench/results/<name>-<UTC timestamp>.json``; a short
table is printed. See bench/README.md for how to read the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `apps.*` and `bench.*` import when run as bench/run.py

from bench._common import Result  # noqa: E402

BENCHMARKS = ("gcj02", "partition", "contains", "http_addresses", "geocode", "coverage_service", "network",
              "coverage_math", "siting", "exchange", "vector_tiles", "load")
RESULTS = ROOT / "bench" / "results"
MAX_EXTRA_CHARS = 600  # longer `extra` values are cut in the printed summary


def _seconds(s: float) -> str:
    return f"{s * 1e3:9.2f} ms" if s < 1 else f"{s:9.3f} s "


def _speed(ratio: float) -> str:
    if abs(ratio - 1) < 1e-12:
        return "reference"
    return f"{1 / ratio:,.1f}x faster" if ratio < 1 else f"{ratio:,.1f}x slower"


def summary(res: Result) -> str:
    lines = [f"== {res.benchmark}: {res.measures}", f"   sizes: {res.sizes}"]
    for v in res.variants:
        lines.append(f"   {v.name:<24}{_seconds(v.seconds)}  ratio {v.ratio:10.4g}  {_speed(v.ratio):<16} {v.note}")
    for key, value in res.extra.items():
        text = f"{value:.3g}" if isinstance(value, float) else str(value)
        if len(text) > MAX_EXTRA_CHARS:  # big tables (per-kind accuracy …) are in the JSON
            text = text[:MAX_EXTRA_CHARS] + " … (in full in the JSON)"
        lines.append(f"   {key}: {text}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    names = list(dict.fromkeys(args.names)) or list(BENCHMARKS)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in names:
        start = time.perf_counter()
        try:
            res: Result = importlib.import_module(f"bench.{name}").run()
        except Exception:  # report and go on with the other benchmarks
            traceback.print_exc()
            failed.append(name)
            continue
        path = RESULTS / f"{name}-{stamp}.json"
        record = {"timestamp_utc": stamp, **res.as_dict()}
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(summary(res))
        print(f"   -> {path.relative_to(ROOT)}  ({time.perf_counter() - start:.1f} s wall)\n", flush=True)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
