"""Address rows of the plan: the components template per (township, 村, road, 片区) built exactly as
the register's `services.components_for` does, one row per address with its code and standard
text, and the per-address draws (lifecycle stage, status, demand weights)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid

from apps.divisions.models import Division

from ..components import Components, build_code, build_full_text, validate
from ..services import AddressInput, components_for
from .constants import DEMO_TODAY
from .draws import random_date
from .plan import AreaPlan, Context, RoadPlan


def draw_stage(rng: random.Random, built: dt.date | None = None) -> tuple[str, dt.date | None, dt.date | None]:
    r = rng.random()
    if r < 0.02:
        return "planned", None, None
    vf = built or random_date(rng, dt.date(2008, 1, 1), dt.date(2025, 12, 31))
    if r < 0.03:
        vf = min(vf, dt.date(2023, 1, 1))
        return "abandoned", vf, random_date(rng, vf + dt.timedelta(days=365), DEMO_TODAY)
    return "current", vf, None


def draw_status(rng: random.Random) -> str:
    r = rng.random()
    return "official" if r < 0.97 else ("unofficial" if r < 0.99 else "unknown")


def draw_weights(rng: random.Random, kind: str, stage: str) -> tuple:
    """(households, residents, residents 60+) of one address."""
    if kind == "gate":
        return (None, None, None)  # the households live in the compound's room addresses
    if stage != "current":
        return (0, 0, 0)
    if kind == "room":
        hh = 1
        res = rng.choices((1, 2, 3, 4), (15, 30, 35, 20))[0]
        share = rng.uniform(0.18, 0.28)
    elif kind == "rural":
        hh = rng.choices((1, 2, 3), (60, 30, 10))[0]
        res = max(1, min(8, hh * rng.randint(1, 4)))
        share = rng.uniform(0.28, 0.42)
    else:  # a building on a road: shops, houses, small blocks
        hh = min(20, 1 + int(rng.expovariate(1 / 2.5)))
        res = max(hh, round(hh * rng.uniform(1.5, 3.0)))
        share = rng.uniform(0.2, 0.3)
    r60 = sum(1 for _ in range(res) if rng.random() < share) if res <= 12 else round(res * share)
    return (hh, res, r60)


def template(ctx: Context, town: Division, village: Division | None, road: RoadPlan | None, area: AreaPlan | None
             ) -> Components:
    """Components exactly as the register's `components_for` builds them (names, division code,
    part code); per address only the numbers change."""
    key = (town.pk, village.pk if village else None, id(road), id(area))
    tpl = ctx.templates.get(key)
    if tpl is None:
        data = AddressInput(location=None, door_number=1, road=road.model if road else None,  # type: ignore[arg-type]
                            area=area.model if area else None, village=village)
        tpl = components_for(data, town, village)
        ctx.templates[key] = tpl
    return tpl


def emit(ctx: Context, tpl: Components, kind: str, town: Division, village: Division | None, road: int | None,
         area: int | None, x: float, y: float, number: int, suffix: int = 0, building: str = "",
         unit: str = "", room: str = "", stage: tuple = ("current", None, None),
         weights: tuple = (None, None, None)) -> None:
    """Append one address row (kind: road / gate / room / rural) to the plan."""
    c = validate(dataclasses.replace(tpl, door_number=number, door_suffix=suffix, building=building, unit=unit,
                                     room=room, floor=None))
    a = ctx.plan.addr
    a["code"].append(build_code(c))
    a["full_text"].append(build_full_text(c))
    a["division_code"].append(c.division_code)
    a["door_number"].append(number)
    a["door_suffix"].append(suffix)
    a["building"].append(building)
    a["unit"].append(unit)
    a["floor"].append(c.floor)
    a["room"].append(room)
    a["level"].append(c.level)
    a["x"].append(x)
    a["y"].append(y)
    a["status"].append(draw_status(ctx.rng))
    a["stage"].append(stage[0])
    a["valid_from"].append(stage[1])
    a["valid_to"].append(stage[2])
    a["households"].append(weights[0])
    a["residents"].append(weights[1])
    a["r60"].append(weights[2])
    a["township_id"].append(town.pk)
    a["village_id"].append(village.pk if village else None)
    a["area"].append(area)
    a["road"].append(road)
    a["uid"].append(uuid.UUID(int=ctx.rng.getrandbits(128), version=4))
    a["kind"].append(kind)
