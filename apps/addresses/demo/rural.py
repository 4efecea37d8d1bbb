"""Rural addresses: for every 村 (not 社区) with its seat in the township, 村民小组 areas (“1组”…)
and door addresses scattered within ~600 m of the village seat, off roads and compounds, numbered
clockwise round each group (…镇XX村3组12号). The layout of groups is fixed by the seed alone."""
from __future__ import annotations

import math
import random
from typing import Callable

import numpy as np
from shapely.geometry import Point

from apps.divisions.models import Division

from ..models import Area
from .draws import split_largest
from .plan import AreaPlan, Context, TownPlan
from .rows import draw_stage, draw_weights, emit, template


def village_layout(ctx: Context) -> list[tuple[TownPlan, Division, int]]:
    """(township, 村, number of 村民小组) — fixed by the seed, independent of the count."""
    rng = random.Random(f"geo-mz-demo:{ctx.seed}:villages")
    out = []
    for tp in ctx.towns:
        for v in tp.villages:
            if v.kind == "社区" or "社区" in v.name:
                continue
            seat = tp.frame.to_xy(Point(v.seat.x, v.seat.y))
            if not tp.inner_xy.contains(seat):
                continue
            out.append((tp, v, rng.randint(3, 10)))
    return out


def rural_target(ctx: Context, groups: list[tuple]) -> int:
    """How many of the count are rural addresses."""
    n_groups = sum(g for *_, g in groups)
    return min(round(n_groups * 50 * ctx.scale), n_groups * 120, ctx.count)


def plan_rural(ctx: Context, groups: list[tuple[TownPlan, Division, int]], target: int) -> None:
    """The 村民小组 areas and `target` rural door addresses, spread over the groups."""
    rng = ctx.rng
    if target <= 0 or not groups:
        return
    n_groups = sum(g for *_, g in groups)
    mean = target / n_groups
    active = groups
    if mean < 20:  # small counts: fewer, fuller groups
        active = [(tp, v, max(1, round(g * mean / 20))) for tp, v, g in groups]
    slots = [(tp, v, k) for tp, v, g in active for k in range(1, g + 1)]
    sizes = split_largest([1.0] * len(slots), target, rng, jitter=0.6)
    for (tp, v, k), n in zip(slots, sizes):
        if n <= 0:
            continue
        seat = tp.frame.to_xy(Point(v.seat.x, v.seat.y))
        sx, sy = seat.x, seat.y
        cx, cy = _rural_point(tp, sx, sy, lambda: (sx + (r := 450 * math.sqrt(rng.random())) *
                                                   math.cos(a := rng.uniform(0, 2 * math.pi)),
                                                   sy + r * math.sin(a)), sx, sy)
        code = next(ctx.area_codes)
        lon, lat = tp.frame.lonlat(cx, cy)
        ap = AreaPlan(code=code, name=f"{k}组", kind="村民小组", village=v, polygon_ll=None,
                      location_ll=(float(lon), float(lat)))
        ap.model = Area(code=code, name=ap.name, kind="村民小组", county=ctx.county, village=v)
        area_index = len(ctx.plan.areas)
        ctx.plan.areas.append(ap)
        pts = []
        for _ in range(n):
            pts.append(_rural_point(
                tp, sx, sy, lambda: (cx + rng.gauss(0, 110), cy + rng.gauss(0, 110)), cx, cy, limit=600))
        # Number the houses of the group going round its centre, clockwise from the north.
        pts.sort(key=lambda p: math.atan2(p[0] - cx, p[1] - cy) % (2 * math.pi))
        tpl = template(ctx, tp.town, v, None, ap)
        xs, ys = tp.frame.lonlat(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
        for number, (x, y) in enumerate(zip(xs, ys), start=1):
            stage = draw_stage(rng)
            emit(ctx, tpl, "rural", tp.town, v, None, area_index, float(x), float(y), number, stage=stage,
                 weights=draw_weights(rng, "rural", stage[0]))


def _rural_point(tp: TownPlan, sx: float, sy: float, draw: Callable[[], tuple[float, float]],
                 fx: float, fy: float, limit: float = 450) -> tuple[float, float]:
    """A point from `draw` within `limit` m of the seat, inside the township, off roads and
    compounds; relaxes the road/compound rule if it must; (fx, fy) as the last resort."""
    for attempt in range(300):
        x, y = draw()
        if math.hypot(x - sx, y - sy) > limit or not tp.inner_xy.contains(Point(x, y)):
            continue
        if attempt < 200:
            p = Point(x, y)
            if len(tp.road_tree.query(p, predicate="dwithin", distance=10.0)):
                continue
            if any(c.contains(p) for c in tp.compounds):
                continue
        return x, y
    return fx, fy
