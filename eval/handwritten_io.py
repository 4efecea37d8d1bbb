"""The CSV side of eval/generate_set.py: reading the hand-written rows (eval/handwritten.csv),
checking every row against the register, and writing eval/quality_set.csv.
"""
from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

from source_register import Register

HERE = Path(__file__).resolve().parent
OUT = HERE / "quality_set.csv"
HANDWRITTEN = HERE / "handwritten.csv"
COLUMNS = ["id", "kind", "query", "expected_code", "expected_precision", "source_code", "note"]


def read_handwritten(path: Path = HANDWRITTEN) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [dict(r) for r in csv.DictReader(f)]
    for r in rows:
        r["kind"] = "handwritten"
    return rows


def check_rows(rows: list[dict], reg: Register) -> list[str]:
    """Problems that make a row unusable: a missing expected address, a bad source, duplicates."""
    problems = []
    ids = Counter(r["id"] for r in rows)
    problems += [f"duplicate id {i}" for i, k in ids.items() if k > 1]
    by_query = defaultdict(set)
    for r in rows:
        by_query[r["query"]].add(r["expected_code"])
    problems += [f"same query, different answers: {q}" for q, codes in by_query.items() if len(codes) > 1]
    for r in rows:
        code, src, prec = r["expected_code"], r["source_code"], r["expected_precision"]
        if code and code not in reg.codes:
            problems.append(f"{r['id']}: expected code {code} is not a current address")
        if prec not in qn_precisions() and not (prec == "" and not code):
            problems.append(f"{r['id']}: unknown precision {prec!r}")
        if src and not (src in reg.codes or src in reg.road_names or src in reg.area_names
                        or src in reg.group_info or src in reg.division_codes):
            problems.append(f"{r['id']}: source code {src} not in the register")
        if not r["query"].strip():
            problems.append(f"{r['id']}: empty query")
    return problems


def qn_precisions() -> tuple[str, ...]:
    return ("户室", "楼栋", "门牌", "街路巷", "片区", "村社区", "乡镇", "区县")


def write(rows: list[dict], path: Path = OUT) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})

