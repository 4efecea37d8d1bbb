"""Tolerant name comparison for the matcher: characters and pronunciation. Homophone errors
(英溪→英西) are the commonest misspelling in typed Chinese, so two names that read the same in
pinyin count as close even when no character agrees. Pure module."""
from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

# Generic words (通名) carry no identity: 蓓蕾东街 and 紫薇东街 share only 东街, which says
# nothing about which street is meant. Names are compared on their specific part (专名).
_GENERIC_TAILS = ("大道", "路", "街", "巷", "弄", "道", "村", "社区", "花园", "家园", "小区", "名苑", "雅苑", "锦园",
                  "新苑", "新村", "华庭", "公寓", "嘉园", "佳苑", "景苑", "名园", "苑", "园", "府", "组")
_DIRECTIONS = "东西南北中"


@lru_cache(maxsize=65536)
def pinyin_key(text: str) -> str:
    return " ".join(lazy_pinyin(text))


def split_name(name: str) -> tuple[str, str, str]:
    """(specific part, direction, generic tail): 英溪南路 → (英溪, 南, 路)."""
    tail = next((t for t in _GENERIC_TAILS if name.endswith(t) and len(name) > len(t)), "")
    stem = name[: len(name) - len(tail)]
    direction = ""
    if len(stem) > 2 and stem[-1] in _DIRECTIONS:  # 英西路 is a name, 英溪西路 has a direction
        stem, direction = stem[:-1], stem[-1]
    return stem, direction, tail


def similarity(query: str, name: str) -> float:
    """0–1 on the specific parts: the better of character and pinyin similarity (same sound,
    other characters — a homophone typo — is nearly as good). A different direction (中山北路
    vs 中山路) or generic word (路 vs 街) lowers it: they are different streets."""
    if query == name:
        return 1.0
    q_stem, q_dir, q_tail = split_name(query)
    n_stem, n_dir, n_tail = split_name(name)
    chars = fuzz.ratio(q_stem, n_stem) / 100.0
    # Whole syllables, not letters: bei-lei vs zi-wei share letters but no sound.
    q_sound, n_sound = pinyin_key(q_stem).split(), pinyin_key(n_stem).split()
    sound = fuzz.ratio(q_sound, n_sound) / 100.0
    score = max(chars, sound * 0.97)
    if q_dir != n_dir:
        score -= 0.4
    if q_tail and n_tail and q_tail != n_tail:
        score -= 0.15
    return max(0.0, min(1.0, score))


def best_matches(query: str, names: list[str], *, limit: int = 5, cutoff: float = 0.75) -> list[tuple[str, float]]:
    scored = sorted(((n, similarity(query, n)) for n in names), key=lambda p: -p[1])
    return [(n, s) for n, s in scored[:limit] if s >= cutoff]
