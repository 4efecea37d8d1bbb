"""Seeded sampling for eval/generate_set.py: the round-robin source picker (over townships,
without replacement across the whole set), class mixes, weighted picks and group interleaving.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable

from querynoise import Addr
from source_register import Register


class Picker:
    def __init__(self, reg: Register, rng: random.Random):
        self.pools: dict[str, dict[str, list[Addr]]] = defaultdict(lambda: defaultdict(list))
        for a in reg.addresses:
            self.pools[a.cls][a.town_code].append(a)
        for by_town in self.pools.values():
            for pool in by_town.values():
                rng.shuffle(pool)
        self.turn: Counter = Counter()
        self.used: set[str] = set()

    def take(self, cls: str, accept: Callable[[Addr], bool] = lambda a: True) -> Addr | None:
        towns = sorted(t for t, pool in self.pools[cls].items() if pool)
        for k in range(len(towns)):
            town = towns[(self.turn[cls] + k) % len(towns)]
            pool = self.pools[cls][town]
            for i, a in enumerate(pool):
                if a.code not in self.used and accept(a):
                    pool.pop(i)
                    self.used.add(a.code)
                    self.turn[cls] += k + 1
                    return a
        return None

    def give_back(self, a: Addr) -> None:
        """A source the noise did not apply to: free for a later kind (at the end of its pool)."""
        self.used.discard(a.code)
        self.pools[a.cls][a.town_code].append(a)


def class_sequence(mix: dict[str, float], n: int, rng: random.Random) -> list[str]:
    """`n` address classes in the proportions of `mix` (largest remainder), interleaved."""
    raw = {c: w * n for c, w in mix.items()}
    counts = {c: int(v) for c, v in raw.items()}
    for c in sorted(raw, key=lambda c: raw[c] - counts[c], reverse=True)[: n - sum(counts.values())]:
        counts[c] += 1
    seq = [c for c, k in counts.items() for _ in range(k)]
    rng.shuffle(seq)
    return seq


def _pick(rng: random.Random, weighted: list[tuple[float, str]]) -> str:
    x = rng.random() * sum(w for w, _ in weighted)
    for w, v in weighted:
        x -= w
        if x <= 0:
            return v
    return weighted[-1][1]



def _round_robin(items: list, key: Callable) -> list:
    """Items interleaved over their `key` groups (each group in its given order)."""
    groups = defaultdict(list)
    for it in items:
        groups[key(it)].append(it)
    order = sorted(groups)
    out = []
    while any(groups.values()):
        for g in order:
            if groups[g]:
                out.append(groups[g].pop(0))
    return out
