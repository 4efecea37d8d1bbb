"""Tolerant name comparison for the matcher: characters and pronunciation. Homophone errors
(英溪→英西) are the commonest misspelling in typed Chinese, so two names that read the same in
pinyin count as close even when no character agrees. Pure module."""
from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

# Generic words (通名) carry no identity: 英溪南路 vs 英溪北路 differ in 南/北, not in 路.
_GENERIC_TAILS = ("大道", "路", "街", "巷", "弄", "道", "村", "社区", "花园", "家园", "小区", "苑", "组")


@lru_cache(maxsize=65536)
def pinyin_key(text: str) -> str:
    return " ".join(lazy_pinyin(text))


def similarity(query: str, name: str) -> float:
    """0–1: the better of character similarity and pinyin similarity; a differing generic tail
    (路 vs 街) costs a little, a differing specific part costs a lot."""
    if query == name:
        return 1.0
    chars = fuzz.ratio(query, name) / 100.0
    sound = fuzz.ratio(pinyin_key(query), pinyin_key(name)) / 100.0
    score = max(chars, sound * 0.97)  # same sound, other characters: nearly as good
    q_tail = next((t for t in _GENERIC_TAILS if query.endswith(t)), "")
    n_tail = next((t for t in _GENERIC_TAILS if name.endswith(t)), "")
    if q_tail and n_tail and q_tail != n_tail:
        score -= 0.1
    return max(0.0, min(1.0, score))


def best_matches(query: str, names: list[str], *, limit: int = 5, cutoff: float = 0.75) -> list[tuple[str, float]]:
    scored = sorted(((n, similarity(query, n)) for n in names), key=lambda p: -p[1])
    return [(n, s) for n, s in scored[:limit] if s >= cutoff]
