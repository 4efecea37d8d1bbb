"""Romanisation keys and the naming checks (命名审查) for a proposed place name.

Pure: no Django import. The service gathers the county's existing names and the configured
patterns, this module says what is wrong and why. Checks only *warn*: approving a name stays a
human decision (条例 2022 Art. 10–12, 实施办法 2024 Art. 9).

* same name, or same sound (same toneless pinyin), already used in the county for the same
  category — "一地一名" and avoiding 重名/同音;
* forbidden patterns (a configurable list: persons, enterprises, trademarks, exaggerated or
  foreign-sounding names);
* characters outside the common-use set. The 通用规范汉字表 (2013, 8,105 characters) could not
  be obtained offline, so the set used is GB 2312-80 (6,763 simplified characters, from
  Python's codec) plus `EXTRA_COMMON`; traditional and rare characters fall outside it.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from .pinyin import initials as name_initials
from .pinyin import place_pinyin

#: Characters of the 通用规范汉字表 that GB 2312 lacks and place names in our counties use.
EXTRA_COMMON = frozenset("堃昇喆淼犇垚")


@dataclass(frozen=True)
class Romanisation:
    pinyin: str         # the standard spelling: "Mogan Shan"
    pinyin_tones: str   # with tone marks: "Mògān Shān"
    search_key: str     # toneless syllables run together, for search and homophones: "moganshan"
    initials: str       # "MGS"


@dataclass(frozen=True)
class ExistingName:
    code: str
    name: str
    search_key: str
    category_code: str


@dataclass(frozen=True)
class Pattern:
    pattern: str
    is_regex: bool
    kind: str
    reason: str


@dataclass(frozen=True)
class NamingWarning:
    code: str      # duplicate_name, homophone, forbidden_pattern, uncommon_character
    message: str
    related: str = ""  # the code of the existing name, the pattern or the characters

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "related": self.related}


def search_key(text: str) -> str:
    """Toneless pinyin of every character run together (no spaces, apostrophes or hyphens),
    lower case: what someone types to find 经五路 ("jingwulu") or 西安 ("xian")."""
    return "".join(lazy_pinyin(text, style=Style.NORMAL, v_to_u=False, errors=_keep_ascii)).lower()


def _keep_ascii(chars: str) -> list[str]:
    return [c.lower() for c in chars if c.isascii() and c.isalnum()]


def fold_query(text: str) -> tuple[str, bool]:
    """A Latin query as a search key: lower case, spaces/apostrophes/hyphens removed, ü → v.
    Returns (key, had_tone_marks); the key keeps tone marks when there were any."""
    low = unicodedata.normalize("NFC", text.strip().lower()).replace("ü", "v")
    decomposed = unicodedata.normalize("NFD", low)
    had_tones = any(unicodedata.category(c) == "Mn" and c != "\u0308" for c in decomposed)
    return re.sub(r"[\s'’\-·]+", "", low), had_tones


def tone_key(pinyin_tones: str) -> str:
    """The toned spelling folded like a query with tones ("Mògān Shān" → "mògānshān")."""
    return fold_query(pinyin_tones)[0]


def romanise(name: str, *, kind: str, specific: str | None = None, generic: str | None = None,
             override: str = "") -> Romanisation:
    """The standard spelling of `name` by the 1984 rules, plus the search keys."""
    args = {"kind": kind, "specific": specific, "generic": generic, "override": override or None}
    if specific is None or generic is None:
        args.pop("specific"), args.pop("generic")
    return Romanisation(
        pinyin=place_pinyin(name, **args),
        pinyin_tones=place_pinyin(name, tones=True, **args),
        search_key=search_key(name),
        initials=name_initials(name),
    )


def uncommon_characters(name: str) -> list[str]:
    """Han characters of `name` outside the common-use set (see module docstring)."""
    out = []
    for ch in name:
        if not ("\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f"):
            continue
        if ch in EXTRA_COMMON:
            continue
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            out.append(ch)
    return out


def check_name(name: str, key: str, category_code: str, existing: Iterable[ExistingName],
               patterns: Iterable[Pattern], *, exclude_code: str = "",
               category_names: Mapping[str, str] | None = None) -> list[NamingWarning]:
    """Every warning for proposing `name` (toneless key `key`) in `category_code`."""
    warnings: list[NamingWarning] = []
    label = (category_names or {}).get(category_code, category_code)
    for other in existing:
        if other.code == exclude_code or other.category_code != category_code:
            continue
        if other.name == name:
            warnings.append(NamingWarning(
                "duplicate_name", f"本县已有同类地名“{other.name}”（{other.code}），不得重名", other.code))
        elif key and other.search_key == key:
            warnings.append(NamingWarning(
                "homophone", f"与本县同类（{label}）地名“{other.name}”（{other.code}）同音，易混淆", other.code))
    for p in patterns:
        hit = re.search(p.pattern, name) if p.is_regex else (p.pattern in name)
        if hit:
            warnings.append(NamingWarning(
                "forbidden_pattern", f"含“{hit.group(0) if p.is_regex else p.pattern}”：{p.reason}（{p.kind}）",
                p.pattern))
    rare = uncommon_characters(name)
    if rare:
        warnings.append(NamingWarning(
            "uncommon_character", f"含非通用规范汉字：{'、'.join(rare)}，地名应使用规范汉字", "".join(rare)))
    return warnings
