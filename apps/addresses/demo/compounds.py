"""Compounds (`Area` 小区, A####, rectangle polygon) behind road door sites, mostly in 街道: the
site becomes the compound gate (…路8号阳光花园), its frontage and ground are cleared, and each
幢/单元/室 becomes a room address (…路8号阳光花园3幢2单元502室). Compounds are added until the
room addresses fill the count exactly; later passes build taller (only for huge counts)."""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from shapely.geometry import Polygon

from ..models import Area
from .draws import random_date
from .plan import AreaPlan, Context
from .rows import draw_stage


def place_compounds(ctx: Context, sites: list[dict], budget: int) -> None:
    """Turn road sites into compound gates until the room addresses fill the count exactly."""
    rng = ctx.rng
    if budget <= 0:
        return
    keyed = []
    for i, st in enumerate(sites):
        if not st["alive"]:
            continue
        tp = ctx.towns[st["town"]]
        d = math.hypot(st["x"], st["y"])
        if tp.dense and d <= 2400:
            w = 1.0
        elif d <= 900:
            w = 0.3
        else:
            continue
        keyed.append((rng.random() ** (1.0 / w), i))
    order = [i for _, i in sorted(keyed, reverse=True)]
    # Same-road same-side neighbours, to clear the frontage of a compound.
    by_road_side = defaultdict(list)
    for i, st in enumerate(sites):
        if st["alive"]:
            by_road_side[(st["road"], st["side"])].append(i)
    remaining = budget
    for pass_no in range(4):  # later passes: taller buildings (only needed for huge counts)
        for i in order:
            if remaining <= 0:
                return
            st = sites[i]
            if not st["alive"] or st["gate"] is not None:
                continue
            remaining = _try_compound(ctx, sites, i, remaining, by_road_side, pass_no)
        if remaining <= 0:
            return
    raise ValueError(f"无法在现有道路旁放下足够的小区来达到 {ctx.count} 个地址（还差 {remaining}）")


def _try_compound(ctx: Context, sites: list[dict], i: int, remaining: int, by_road_side: dict, pass_no: int) -> int:
    """Place a compound behind site `i` if it fits (inside the township, off roads, apart from other
    compounds and gates); returns the number of addresses still to place."""
    rng = ctx.rng
    st = sites[i]
    tp = ctx.towns[st["town"]]
    n_build = rng.randint(6, 30)
    cols = math.ceil(math.sqrt(n_build * 1.3))
    rows = math.ceil(n_build / cols)
    cell_w, cell_d = 45.0, 38.0
    width, depth = cols * cell_w + 10, rows * cell_d + 10
    tx, ty = st["tx"], st["ty"]
    nx, ny = -ty * st["side"], tx * st["side"]
    ox, oy = st["x"] - nx * st["off"], st["y"] - ny * st["off"]  # point on the centre line
    start = st["off"] + 3.0

    def at(a: float, d: float) -> tuple[float, float]:
        return (ox + tx * a + nx * d, oy + ty * a + ny * d)

    rect = Polygon([at(-width / 2, start), at(width / 2, start), at(width / 2, start + depth),
                    at(-width / 2, start + depth)])
    if not tp.inner_xy.contains(rect):
        return remaining
    if len(tp.road_tree.query(rect, predicate="intersects")):
        return remaining
    grown = rect.buffer(6.0)
    if any(grown.intersects(other) for other in tp.compounds):
        return remaining
    inside = [tp.site_index[k] for k in tp.site_tree.query(rect, predicate="intersects")]
    if any(sites[k]["gate"] is not None for k in inside):
        return remaining
    # Accept: the site becomes the gate; the frontage and the ground become the compound's.
    removed = 0
    for k in inside + [k for k in by_road_side[(st["road"], st["side"])]
                       if abs(sites[k]["s"] - st["s"]) <= width / 2 + 8]:
        if k != i and sites[k]["alive"] and sites[k]["gate"] is None:
            sites[k]["alive"] = False
            removed += 1
    remaining += removed
    tp.compounds.append(rect)
    name = ctx.names.compound(rng)
    village = tp.nearest_village(st["x"], st["y"])
    code = next(ctx.area_codes)
    built = random_date(rng, dt.date(1998, 1, 1), dt.date(2024, 6, 30))
    area_index = len(ctx.plan.areas)
    ll = tp.frame.to_lonlat(rect)
    ap = AreaPlan(code=code, name=name, kind="小区", village=village, polygon_ll=ll,
                  location_ll=tuple(tp.frame.lonlat(*rect.centroid.coords[0])))  # type: ignore[arg-type]
    ap.model = Area(code=code, name=name, kind="小区", county=ctx.county, village=village)
    ctx.plan.areas.append(ap)
    # Buildings (幢): floors and room counts grow in later passes for huge counts.
    lo, hi = 6 + 5 * pass_no, 18 + 8 * pass_no
    rooms = []  # (building, unit, room, x, y, stage, valid_from, valid_to)
    b = 0
    budget = remaining
    for r in range(rows):
        for cc in range(cols):
            if b >= n_build or len(rooms) >= budget:
                break
            b += 1
            units, floors, per_floor = rng.randint(1, 4), rng.randint(lo, min(hi, 40)), rng.randint(2, 4)
            stage, vf, vt = draw_stage(rng, built)
            a_c = -width / 2 + 5 + (cc + 0.5) * cell_w
            d_c = start + 5 + (r + 0.5) * cell_d
            for u in range(1, units + 1):
                ex, ey = at(a_c + (u - (units + 1) / 2) * (cell_w * 0.8 / units), d_c - cell_d * 0.25)
                for f in range(1, floors + 1):
                    for k in range(1, per_floor + 1):
                        if len(rooms) >= budget:
                            break
                        rooms.append((str(b), str(u), f"{f}{k:02d}", ex, ey, stage, vf, vt))
    remaining -= len(rooms)
    st["gate"] = {"area": area_index, "rooms": rooms, "built": built, "village": village}
    return remaining
