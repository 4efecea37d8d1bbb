"""The committed quality set (eval/quality_set.csv) and its harness (eval/run.py).

What is checked here, and what is not: the test database has the real divisions but not the
150,000 synthetic demo addresses (regenerating them takes ~20 s and would tie this test to the
generator's code allocation), so every expected *address* code is checked for its format, its
division part (a current 德清县 village/township of the test database) and its road/片区 part,
not for its existence. Existence is enforced where the register is: eval/generate_set.py refuses to
write a set whose expected codes are not current addresses of the dev database, and eval/run.py
warns about stale codes before it scores anything (see eval/README.md).

The scoring rules of eval/run.py are exercised with a small stand-in geocoder defined here (never
the real matcher).
"""
from __future__ import annotations

import csv
import importlib.util
import random
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from apps.addresses.matching.result import Candidate, MatchResult

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "eval"
COLUMNS = ["id", "kind", "query", "expected_code", "expected_precision", "source_code", "note"]
GENERATED_KINDS = {
    "exact", "no_province_prefix", "extra_prefix", "short_names", "missing_township", "village_committee",
    "building_variants", "unit_room_forms", "fullwidth", "chinese_numerals", "traditional", "punctuation_noise",
    "homophone_typo", "swapped_order", "nonexistent_door", "nonexistent_road", "outside_county",
}
NEGATIVE_KINDS = {"nonexistent_door", "nonexistent_road", "outside_county"}
PRECISIONS = ("户室", "楼栋", "门牌", "街路巷", "片区", "村社区", "乡镇", "区县")
ADDRESS_CODE = re.compile(r"^(?P<div>330521[0-9]{3}(?:[0-9]{3})?)-(?P<part>[RA][0-9]{4})-(?P<door>[0-9]{4})"
                          r"(?:\.[0-9]+)?(?:-B[0-9A-Z]{2,6}(?:-U[0-9]{1,2})?(?:-[0-9A-Z]{4,6})?)?$")


def _load(module: str, path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(module, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[module] = mod
    spec.loader.exec_module(mod)
    return mod


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), [dict(r) for r in reader]


@pytest.fixture(scope="module")
def qset() -> list[dict]:
    header, rows = _read(EVAL / "quality_set.csv")
    assert header == COLUMNS
    return rows


@pytest.fixture(scope="module")
def runner():  # type: ignore[no-untyped-def]
    return _load("geo_mz_eval_run", EVAL / "run.py")


@pytest.fixture(scope="module")
def noise():  # type: ignore[no-untyped-def]
    return _load("querynoise", EVAL / "querynoise.py")


# ---------------------------------------------------------------------------------------------
# The committed CSV
# ---------------------------------------------------------------------------------------------

def test_size_and_coverage(qset: list[dict]) -> None:
    assert len(qset) >= 3300
    counts = Counter(r["kind"] for r in qset)
    assert set(counts) == GENERATED_KINDS | {"handwritten"}, "old_name is skipped: the register has no old names"
    for kind in GENERATED_KINDS:
        assert counts[kind] >= 200, kind
    assert counts["handwritten"] >= 300
    assert sum(1 for r in qset if r["kind"] == "handwritten" and not r["expected_code"]) >= 40
    assert sum(counts[k] for k in GENERATED_KINDS) >= 3000


def test_ids_unique_queries_consistent(qset: list[dict]) -> None:
    ids = Counter(r["id"] for r in qset)
    assert [i for i, k in ids.items() if k > 1] == []
    answers: dict[str, set[str]] = {}
    for r in qset:
        assert r["query"].strip(), r["id"]
        answers.setdefault(r["query"], set()).add(r["expected_code"])
    assert [q for q, codes in answers.items() if len(codes) > 1] == []


def test_rows_are_well_formed(qset: list[dict]) -> None:
    for r in qset:
        code, prec, src = r["expected_code"], r["expected_precision"], r["source_code"]
        if code:
            m = ADDRESS_CODE.match(code)
            assert m, (r["id"], code)
            assert prec == ("户室" if "-B" in code else "门牌"), r["id"]
            if r["kind"] != "handwritten":
                assert src == code, r["id"]  # generated from that very address
        else:
            assert r["kind"] in NEGATIVE_KINDS | {"handwritten"}, r["id"]
            assert prec in PRECISIONS or prec == "", r["id"]
            assert r["note"], r["id"]
    for r in qset:
        if r["kind"] in NEGATIVE_KINDS:
            assert not r["expected_code"] and r["source_code"], r["id"]


def test_every_township_and_level_is_covered(qset: list[dict]) -> None:
    towns = {r["expected_code"][:9] for r in qset if r["expected_code"]}
    assert len(towns) == 12  # every township of 德清县
    kinds = Counter("room" if "-B" in c else "rural" if "-A" in c else "door"
                    for c in (r["expected_code"] for r in qset) if c)
    assert min(kinds.values()) >= 500 and len(kinds) == 3


def test_handwritten_rows_are_merged_unchanged(qset: list[dict]) -> None:
    header, hand = _read(EVAL / "handwritten.csv")
    assert header == COLUMNS
    merged = {r["id"]: r for r in qset if r["kind"] == "handwritten"}
    assert len(hand) == len(merged) >= 300
    for r in hand:
        assert merged[r["id"]] == {**r, "kind": "handwritten"}
        assert r["note"], r["id"]  # the style is always said


@pytest.mark.django_db
def test_codes_refer_to_divisions_of_the_test_database(qset: list[dict]) -> None:
    """Division parts of expected codes are current 德清县 villages/townships; division source codes
    (townships, villages, the outside counties of `outside_county`) exist; road/片区 codes are
    well formed (their rows are demo data, absent from the test database)."""
    from apps.divisions.models import Division

    current = set(Division.objects.filter(valid_to__isnull=True, code__isnull=False).values_list("code", flat=True))
    assert "330521" in current
    for r in qset:
        if r["expected_code"]:
            div = ADDRESS_CODE.match(r["expected_code"])["div"]
            assert div in current, (r["id"], div)
        src = r["source_code"]
        if src.isdigit():
            assert src in current, (r["id"], src)
        elif src and not ADDRESS_CODE.match(src):
            assert re.fullmatch(r"[RA][0-9]{4}", src), (r["id"], src)
        if r["kind"] == "outside_county":
            assert src.isdigit() and not src.startswith("330521"), r["id"]


# ---------------------------------------------------------------------------------------------
# Noise helpers
# ---------------------------------------------------------------------------------------------

def test_chinese_numerals_and_character_forms(noise) -> None:  # type: ignore[no-untyped-def]
    cases = {1: "一", 10: "十", 18: "十八", 20: "二十", 35: "三十五", 100: "一百", 104: "一百零四", 110: "一百一十",
             123: "一百二十三", 1002: "一千零二", 1203: "一千二百零三"}
    assert {n: noise.cn_number(n) for n in cases} == cases
    assert noise.cn_digits("502") == "五零二" and noise.cn_digits("1002", "〇") == "一〇〇二"
    assert noise.fullwidth("8号3幢") == "８号３幢"
    assert noise.traditional("德清县武康街道英溪路8号3幢2单元") == "德清縣武康街道英溪路8號3幢2單元"
    assert noise.split_road("英溪南路") == ("英溪", "南路") and noise.split_road("阜溪大道") == ("阜溪", "大道")
    assert noise.town_stem("武康街道") == "武康" and noise.village_stem("蔡界村") == "蔡界"
    assert noise.village_stem("砂村") == "砂村"


def test_typos_never_spell_another_real_name(noise) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(1)
    forbidden = {"英西路", "英溪西路"}
    for _ in range(50):
        out = noise.typo_name("英溪路", "英溪", rng, forbidden)
        assert out is not None and out[0] not in forbidden and out[0] != "英溪路"
        assert not set(out[0]) & (noise.MARKER_CHARS - set("英溪路"))


# ---------------------------------------------------------------------------------------------
# Scoring, with a stand-in geocoder
# ---------------------------------------------------------------------------------------------

def _result(status: str, *cands: tuple[str, str]) -> MatchResult:
    return MatchResult(query="q", status=status,
                       candidates=[Candidate(code=c, full_text=c, score=0.9 - i / 10, precision=p)
                                   for i, (c, p) in enumerate(cands)])


ROWS = [
    {"id": "p1", "kind": "exact", "query": "A", "expected_code": "330521002001-R0001-0008",
     "expected_precision": "门牌", "source_code": "330521002001-R0001-0008", "note": ""},
    {"id": "p2", "kind": "exact", "query": "B", "expected_code": "330521002001-R0001-0010",
     "expected_precision": "门牌", "source_code": "330521002001-R0001-0010", "note": ""},
    {"id": "p3", "kind": "exact", "query": "C", "expected_code": "330521002001-R0001-0012",
     "expected_precision": "门牌", "source_code": "330521002001-R0001-0012", "note": ""},
    {"id": "n1", "kind": "nonexistent_door", "query": "D", "expected_code": "", "expected_precision": "街路巷",
     "source_code": "R0001", "note": ""},
    {"id": "n2", "kind": "nonexistent_door", "query": "E", "expected_code": "", "expected_precision": "街路巷",
     "source_code": "R0001", "note": ""},
    {"id": "n3", "kind": "nonexistent_door", "query": "F", "expected_code": "", "expected_precision": "街路巷",
     "source_code": "R0001", "note": ""},
    {"id": "o1", "kind": "outside_county", "query": "G", "expected_code": "", "expected_precision": "村社区",
     "source_code": "320681", "note": ""},
    {"id": "o2", "kind": "outside_county", "query": "H", "expected_code": "", "expected_precision": "村社区",
     "source_code": "320681", "note": ""},
    {"id": "x1", "kind": "handwritten", "query": "I", "expected_code": "", "expected_precision": "",
     "source_code": "", "note": "不是地址"},
]
ANSWERS = {
    "A": _result("matched", ("330521002001-R0001-0008", "门牌")),  # right
    "B": _result("ambiguous", ("330521002001-R0001-0010", "门牌"), ("330521002001-R0001-0011", "门牌")),  # right, unsure
    "C": _result("matched", ("330521002001-R0001-0013", "门牌")),  # wrong match
    "D": _result("matched", ("330521-R0001", "街路巷")),  # the road: allowed
    "E": _result("matched", ("330521002001-R0001-0099", "门牌")),  # a door that is not there: wrong
    "F": _result("matched", ("330521-R0002", "街路巷")),  # another road: wrong
    "G": _result("matched", ("320681100", "乡镇")),  # a township of that county: allowed
    "H": _result("matched", ("330521002", "乡镇")),  # a 德清 township for an outside query: wrong
    "I": _result("unmatched"),
}


def stand_in_geocode(q: str, *, limit: int = 5, within: str | None = None) -> MatchResult:
    if q == "boom":
        raise RuntimeError("stand-in failure")
    return ANSWERS[q]


def test_scoring_rules(runner) -> None:  # type: ignore[no-untyped-def]
    outcomes = {o.row["id"]: o for o in runner.evaluate(ROWS, stand_in_geocode)}
    assert {i: (o.correct, o.wrong_match) for i, o in outcomes.items()} == {
        "p1": (True, False), "p2": (True, False), "p3": (False, True),
        "n1": (True, False), "n2": (False, True), "n3": (False, True),
        "o1": (True, False), "o2": (False, True), "x1": (True, False),
    }
    table = runner.by_kind(list(outcomes.values()))
    overall = table["OVERALL"]
    assert overall["rows"] == 9 and overall["correct"] == 5 and overall["matched"] == 7
    assert overall["wrong_match_rate"] == pytest.approx(4 / 7)
    assert overall["ambiguous_rate"] == pytest.approx(1 / 9) and overall["unmatched_rate"] == pytest.approx(1 / 9)
    assert table["exact"]["top1_accuracy"] == pytest.approx(2 / 3)
    worst = runner.worst_failures(list(outcomes.values()))
    assert [o.wrong_match for o in worst] == [True] * 4
    assert {o.row["kind"] for o in worst[:3]} == {"exact", "nonexistent_door", "outside_county"}  # kinds in turn


def test_a_crash_is_a_failed_row_not_a_crashed_run(runner) -> None:  # type: ignore[no-untyped-def]
    row = {**ROWS[0], "id": "e1", "query": "boom"}
    (o,) = runner.evaluate([row], stand_in_geocode)
    assert o.status == "error" and not o.correct and "stand-in failure" in o.error


def test_limit_takes_rows_from_every_kind(runner, qset: list[dict]) -> None:  # type: ignore[no-untyped-def]
    picked = runner.select(qset, None, 36)
    assert len(picked) == 36 and len({r["kind"] for r in picked}) == 18
    assert {r["kind"] for r in runner.select(qset, ["fullwidth"], None)} == {"fullwidth"}
