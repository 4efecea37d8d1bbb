"""Roads (`Road`) of one township: main roads through the seat (split into 东/西 or 南/北 halves in
街道, a diagonal 大道), a rotated grid of streets and a few lanes (dense in 街道, sparse in 镇/乡),
clipped to the township polygon: single LineStrings ≥ 200 m, names unique in the county, codes
R0001…. Each township has its own random generator, so its roads do not depend on the count."""
from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
from shapely import ops as shapely_ops
from shapely.geometry import LineString, Point
from shapely.strtree import STRtree

from ..models import Road
from .draws import random_date
from .geometry import pieces, to_uv
from .names import DIRECTIONS, ROAD_KIND, town_stem
from .plan import Context, RoadPlan, TownPlan


def add_road(ctx: Context, tp: TownPlan, line_xy: LineString, name: str, suffix: str, rng: random.Random) -> None:
    code = next(ctx.road_codes)
    line_ll = tp.frame.to_lonlat(line_xy)
    rp = RoadPlan(code=code, name=name, kind=ROAD_KIND[suffix], township=tp.town, line_xy=line_xy, line_ll=line_ll,
                  valid_from=random_date(rng, dt.date(1988, 1, 1), dt.date(2020, 12, 31)))
    rp.model = Road(code=code, name=name, kind=rp.kind, county=ctx.county, township=tp.town)
    tp.roads.append(len(ctx.plan.roads))
    ctx.plan.roads.append(rp)


def plan_roads(ctx: Context, tp: TownPlan) -> None:
    """Main roads through the seat, a rotated grid and some lanes, clipped to the township."""
    rng = random.Random(f"geo-mz-demo:{ctx.seed}:roads:{tp.town.code}")
    names = ctx.names
    dense = tp.dense
    theta = math.radians(rng.uniform(-14, 14))
    c, s = math.cos(theta), math.sin(theta)
    spacing = rng.uniform(300, 370) if dense else rng.uniform(430, 520)
    extent = 2300.0 if dense else 1150.0
    main_len = 7000.0 if dense else 5500.0

    def to_xy(u: float, v: float) -> tuple[float, float]:
        return (u * c - v * s, u * s + v * c)

    def wiggly(u0: float, u1: float, v0: float, amp: float, along_u: bool, through_origin: bool = False
               ) -> LineString:
        n = max(2, int((u1 - u0) / 350) + 1)
        us = np.linspace(u0, u1, n)
        vs, walk = [], 0.0
        for u in us:
            walk = max(-amp, min(amp, walk + rng.uniform(-amp / 2, amp / 2)))
            vs.append(v0 + walk)
        if through_origin:  # pin the line to the seat
            k = int(np.argmin(np.abs(us)))
            us[k], vs[k] = 0.0, v0
        pts = [to_xy(u, v) if along_u else to_xy(v, u) for u, v in zip(us, vs)]
        return LineString(pts)

    def clip(line: LineString) -> LineString | None:
        kept = [p for p in pieces(line.intersection(tp.poly_xy)) if p.length >= 200]
        return max(kept, key=lambda p: p.length) if kept else None

    stem = town_stem(tp.town.name)

    # Main roads: east–west and north–south through the seat (+ a diagonal 大道 in 街道).
    mains = [("ew", wiggly(-main_len, main_len, 0.0, 40, True, True)),
             ("ns", wiggly(-main_len, main_len, 0.0, 40, False, True))]
    if dense:
        ang = rng.choice((1, -1)) * math.radians(rng.uniform(35, 55))
        diag = LineString([to_xy(-main_len * math.cos(ang), -main_len * math.sin(ang)),
                           to_xy(main_len * math.cos(ang), main_len * math.sin(ang))])
        mains.append(("diag", diag))
    for i, (orient, raw) in enumerate(mains):
        line = clip(raw)
        if line is None:
            continue
        suffix = "大道" if (orient == "diag" or (dense and i == 0)) else "路"
        prefer = stem if i == 0 and len(stem) <= 4 else ""  # 武康大道, not 某某旅游度假区大道
        if dense and orient != "diag" and rng.random() < 0.6:
            # Split at the seat: 英溪东路 / 英溪西路 (north/south for a north–south road).
            at = line.project(Point(0, 0))
            halves = [shapely_ops.substring(line, 0, at), shapely_ops.substring(line, at, line.length)]
            words = ("西", "东") if orient == "ew" else ("南", "北")
            first = line.coords[0]
            ends_low = (to_uv(first, c, s)[0] < 0) if orient == "ew" else (to_uv(first, c, s)[1] < 0)
            if not ends_low:
                words = words[::-1]
            if min(h.length for h in halves) >= 200:
                base = names.road(rng, "", "", prefer)  # reserve the stem itself
                for half, word in zip(halves, words):
                    suffix_h = "路" if suffix == "大道" else suffix
                    name = names.road(rng, suffix_h, word, base)
                    add_road(ctx, tp, half, name, suffix_h, rng)
                continue
        add_road(ctx, tp, line, names.road(rng, suffix, "", prefer), suffix, rng)

    # The grid: streets parallel to the main roads, of random extent.
    k_max = int(extent // spacing)
    for orient in ("ew", "ns"):
        for k in range(-k_max, k_max + 1):
            if k == 0 or rng.random() < (0.08 if dense else 0.2):
                continue
            off = k * spacing + rng.uniform(-25, 25)
            a = -extent * rng.uniform(0.45, 1.0)
            b = extent * rng.uniform(0.45, 1.0)
            raw = wiggly(a, b, off, 8, orient == "ew")
            line = clip(raw)
            if line is None:
                continue
            suffix = "路" if rng.random() < 0.65 else "街"
            direction = ""
            if rng.random() < 0.3:
                direction = DIRECTIONS[("ew_north" if off > 0 else "ew_south") if orient == "ew"
                                       else ("ns_east" if off > 0 else "ns_west")]
            add_road(ctx, tp, line, names.road(rng, suffix, direction), suffix, rng)

    # Lanes (巷): short streets half-way between two grid lines.
    roads = ctx.plan.roads
    for _ in range(rng.randint(6, 10) if dense else rng.randint(1, 3)):
        orient = rng.choice(("ew", "ns"))
        k = rng.randint(-k_max, k_max - 1) if k_max else 0
        off = (k + 0.5) * spacing
        i = rng.randint(-k_max, k_max - 1) if k_max else -1
        raw = wiggly(i * spacing + 20, (i + 1) * spacing - 20, off, 4, orient == "ew")
        line = clip(raw)
        if line is None:
            continue
        if tp.roads and any(roads[j].line_xy.distance(line) < 30 and
                            roads[j].line_xy.intersection(line.buffer(30)).length > 60
                            for j in tp.roads):
            continue  # would run along an existing road
        add_road(ctx, tp, line, names.road(rng, "巷"), "巷", rng)
    tp.road_tree = STRtree([roads[j].line_xy for j in tp.roads])
