#!/usr/bin/env python
"""Build eval/quality_set.csv: messy address queries for the demo county, each with its expected answer.

Usage (from the repository root, the dev database holding the demo register of 德清县)::

    DATABASE_URL=$(cat var/pg/database_url) .venv/bin/python eval/generate_set.py [--seed N] [--per-kind N]

Deterministic: the same register state and the same seed give the same file, byte for byte
(every query, sample and random draw is ordered and seeded; each noise kind has its own
`random.Random`). Sources are *current* (`valid_to` null, stage 现行) addresses of the county, drawn
round-robin over the townships for each address class (door on a road, compound gate, room in a
compound, rural 村+组+号). The hand-written rows of eval/handwritten.csv are checked against the
register and merged in. See eval/README.md for the kinds and how each row is scored.

This file is the entry point (`build`, `main`); the parts live beside it: source_register.py (reading the
register), sampling.py (seeded source picking), noise_kinds.py (the positive kinds), negative_kinds.py
(the negatives) and handwritten_io.py (hand-written rows, checks, CSV output). Their names are
re-exported here, as bench/geocode_speed.py loads this file for `Register`, `Context` and `POSITIVE_FUNCS`.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import querynoise as qn  # noqa: E402,F401
from querynoise import Addr  # noqa: E402,F401
from handwritten_io import COLUMNS, HANDWRITTEN, OUT, check_rows, qn_precisions, read_handwritten, write  # noqa: E402,F401
from negative_kinds import (INVENTED_STEMS, NEGATIVE_FUNCS, NEGATIVE_KINDS, OUTSIDE_TOWNS,  # noqa: E402,F401
                            gen_nonexistent_door, gen_nonexistent_road, gen_outside_county)
from noise_kinds import POSITIVE_FUNCS, POSITIVE_KINDS, Context  # noqa: E402,F401
from noise_kinds import (k_exact, k_no_province_prefix, k_extra_prefix, k_short_names,
                        k_missing_township, k_village_committee, k_building_variants,
                        k_unit_room_forms, k_fullwidth, k_chinese_numerals, k_traditional,
                        k_punctuation_noise, k_homophone_typo, k_swapped_order, _committee)  # noqa: E402,F401  (the kinds, as before)
from sampling import Picker, _pick, _round_robin, class_sequence  # noqa: E402,F401
from source_register import COUNTY_CODE, Register, read_register, read_towns_and_villages  # noqa: E402,F401

DEFAULT_SEED = 20261123
DEFAULT_PER_KIND = 220
# Skipped on purpose (see README): the demo register has no renamed road, no retired 片区 name and
# no retired division inside 德清县, so an `old_name` query would have no true old name to use.
SKIPPED_KINDS = {"old_name": "登记库中德清县没有曾用名（道路、片区、乡镇均无更名记录），跳过"}
ALL_KINDS = (*POSITIVE_KINDS, *NEGATIVE_KINDS, "handwritten")


def build(seed: int, per_kind: int) -> tuple[list[dict], Register]:
    reg = read_register()
    ctx = Context(reg)
    picker = Picker(reg, random.Random(f"geo-mz-eval:{seed}:pools"))
    rows: list[dict] = []
    for kind, mix in POSITIVE_KINDS.items():
        rng = random.Random(f"geo-mz-eval:{seed}:{kind}")
        func = POSITIVE_FUNCS[kind]
        made, seen = 0, set()
        for cls in class_sequence(mix, per_kind, rng):
            for _attempt in range(50):
                a = picker.take(cls) or picker.take("door")  # the 56 compound gates can run out
                if a is None:
                    break
                out = func(a, rng, ctx)
                if out is None or out[0] in seen:
                    picker.give_back(a)
                    continue
                query, note = out
                seen.add(query)
                made += 1
                rows.append({"id": f"{kind}-{made:04d}", "kind": kind, "query": query, "expected_code": a.code,
                             "expected_precision": a.precision, "source_code": a.code, "note": note})
                break
    for kind in NEGATIVE_KINDS:
        rng = random.Random(f"geo-mz-eval:{seed}:{kind}")
        for k, row in enumerate(NEGATIVE_FUNCS[kind](reg, per_kind, rng), start=1):
            rows.append({"id": f"{kind}-{k:04d}", **row})
    rows += read_handwritten()
    return rows, reg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--per-kind", type=int, default=DEFAULT_PER_KIND, help="rows per generated noise kind")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_mz.settings.dev")
    import django

    django.setup()
    rows, reg = build(args.seed, args.per_kind)
    problems = check_rows(rows, reg)
    if problems:
        print("\n".join(problems[:50]), file=sys.stderr)
        print(f"{len(problems)} problem(s); {args.out} not written", file=sys.stderr)
        return 1
    write(rows, args.out)
    counts = Counter(r["kind"] for r in rows)
    print(f"{len(rows)} rows → {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out} "
          f"(from {len(reg.addresses)} current addresses; {reg.skipped_text} not usable as sources)")
    for kind in ALL_KINDS:
        neg = sum(1 for r in rows if r["kind"] == kind and not r["expected_code"])
        print(f"  {kind:<20}{counts[kind]:>5}" + (f"  ({neg} should not match)" if neg else ""))
    for kind, why in SKIPPED_KINDS.items():
        print(f"  {kind:<20}    —  {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
