"""Typeahead suggestions from the in-memory index, cheap enough for every keystroke: while the
user types a name, matching roads, 小区, villages and townships (prefix before substring); once a
known road (or village + 组) is followed by digits, the registered door numbers starting with them."""
from __future__ import annotations

import re
from typing import Any

from .index import AddressIndex, get_index
from .normalize import normalize
from .service import home_county

_TRAILING_NUMBER = re.compile(r"([0-9]+)号?$")


def suggest(q: str, *, limit: int = 10, index: AddressIndex | None = None) -> list[dict[str, Any]]:
    idx = index or get_index(home_county())
    text = normalize(q)
    if not text:
        return []
    number = _TRAILING_NUMBER.search(text)
    if number:
        stem = text[: number.start()]
        road_ids = [rid for name, ids in idx.road_names.items() if stem.endswith(name) for rid in ids]
        if road_ids:
            return _doors(idx, road_ids, number.group(1), limit)
    return _names(idx, text, limit)


def _doors(idx: AddressIndex, road_ids: list[int], digits: str, limit: int) -> list[dict[str, Any]]:
    found = []
    for (rid, door, suffix), addresses in idx.by_road_door.items():
        if rid in road_ids and str(door).startswith(digits):
            doors = [a for a in addresses if a.level == "door"]
            if doors:
                found.append((door, suffix, doors[0]))
    found.sort(key=lambda t: (len(str(t[0])), t[0], t[1]))
    return [{"text": a.full_text, "code": a.code, "kind": "address", "precision": "门牌"} for _, _, a in found[:limit]]


def _names(idx: AddressIndex, text: str, limit: int) -> list[dict[str, Any]]:
    pool: list[tuple[int, int, dict[str, Any]]] = []
    for road in idx.roads.values():
        _offer(pool, text, road.name, {"text": road.name, "code": f"{idx.home_county}-{road.code}", "kind": "road",
                                       "precision": "街路巷"})
    for area in idx.areas.values():
        if area.kind != "村民小组":
            _offer(pool, text, area.name, {"text": area.name, "code": f"{area.village_code}-{area.code}",
                                           "kind": "area", "precision": "片区"})
    for code, name, level in idx.local_divisions:
        _offer(pool, text, name, {"text": name, "code": code, "kind": "division",
                                  "precision": "村社区" if level == "village" else "乡镇"})
    pool.sort(key=lambda t: (t[0], t[1], t[2]["text"]))
    return [item for _, _, item in pool[:limit]]


def _offer(pool: list, text: str, name: str, item: dict[str, Any]) -> None:
    """Rank 0: the name starts with what was typed; 1: contains it; 2: what was typed ends with
    the name (the user already typed it in full and is going on)."""
    if name.startswith(text):
        pool.append((0, len(name), item))
    elif text in name:
        pool.append((1, len(name), item))
    elif text.endswith(name):
        pool.append((2, len(name), item))
