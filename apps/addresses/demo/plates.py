"""`DoorPlate`s for door-level addresses (not rooms), in mixed states: current addresses ~70 %
已安装, 10 % 已制作, 10 % 待制作, 5 % 损坏, 5 % none; 规划 ones none or 待制作; 废弃 ones a revoked
plate (token inactive). Plate numbers continue after the highest existing number of each
``<county><year>`` prefix, as `services.issue_plate` does. The QR tokens are drawn from the seeded
generator, so they are NOT secret: demo data only."""
from __future__ import annotations

import datetime as dt
import random

from ..models import DoorPlate
from .constants import DEMO_TODAY
from .draws import random_date, token
from .plan import Context


def plan_plates(ctx: Context) -> None:
    """Plates for door-level addresses: 已安装 70 %, 已制作 10 %, 待制作 10 %, 损坏 5 %, none 5 %
    (current addresses); 规划 ones have none or 待制作; 废弃 ones a revoked plate."""
    rng = random.Random(f"geo-mz-demo:{ctx.seed}:{ctx.count}:plates")
    a = ctx.plan.addr
    county = ctx.county.code
    seq: dict[int, int] = {}
    existing = {}
    for i in range(len(a["code"])):
        if a["level"][i] != "door":
            continue
        kind, stage = a["kind"][i], a["stage"][i]
        size = {"gate": "large", "road": "medium"}.get(kind, "small")
        made = installed = damaged = retired = None
        active = True
        if stage == "planned":
            if rng.random() < 0.5:
                continue
            state = "to_make"
        elif stage == "abandoned":
            state, active = "revoked", False
            retired = a["valid_to"][i]
            made = random_date(rng, a["valid_from"][i], retired - dt.timedelta(days=60))
            installed = min(made + dt.timedelta(days=rng.randint(5, 50)), retired)
        else:
            state = rng.choices(("installed", "made", "to_make", "damaged", None), (70, 10, 10, 5, 5))[0]
            if state is None:
                continue
            if state in ("installed", "damaged"):
                made = random_date(rng, dt.date(2021, 3, 1), dt.date(2026, 6, 30))
                installed = made + dt.timedelta(days=rng.randint(5, 60))
                if state == "damaged":
                    damaged = random_date(rng, installed + dt.timedelta(days=30), DEMO_TODAY)
            elif state == "made":
                made = random_date(rng, dt.date(2026, 5, 1), dt.date(2026, 10, 31))
        year = (made or DEMO_TODAY).year
        if year not in seq:
            prefix = f"{county}{year}"
            if prefix not in existing:
                existing[prefix] = _max_plate_seq(prefix)
            seq[year] = existing[prefix]
        seq[year] += 1
        ctx.plan.plates.append((i, f"{county}{year}{seq[year]:06d}", size, state, token(rng), active,
                                made, installed, damaged, retired))


def _max_plate_seq(prefix: str) -> int:
    last = DoorPlate.objects.filter(plate_no__startswith=prefix).order_by("-plate_no").values_list(
        "plate_no", flat=True).first()
    if last and last[len(prefix):].isdigit():
        return int(last[len(prefix):])
    return 0
