"""Seeded random draws shared by the planning steps: splitting a total over weighted bins exactly,
a date in a range, and a plate token shaped like `secrets.token_urlsafe(16)` (but not secret)."""
from __future__ import annotations

import base64
import datetime as dt
import random


def split_largest(items: list[float], total: int, rng: random.Random, jitter: float = 0.0) -> list[int]:
    """Distribute `total` over bins proportionally to `items` (optionally jittered ±jitter),
    exactly (largest remainder)."""
    if total <= 0 or not items:
        return [0] * len(items)
    weights = [max(w, 0.0) * (1 + rng.uniform(-jitter, jitter)) if jitter else max(w, 0.0) for w in items]
    s = sum(weights)
    if s <= 0:
        return [0] * len(items)
    raw = [w * total / s for w in weights]
    out = [int(r) for r in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def token(rng: random.Random) -> str:
    """Same length and alphabet as secrets.token_urlsafe(16) — but seeded, hence not secret."""
    return base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).rstrip(b"=").decode("ascii")
