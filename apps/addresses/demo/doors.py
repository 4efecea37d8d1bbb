"""Door addresses on roads: building entrances ("sites") on both sides of the urban part of every
road, 10–25 m from the centre line, their total following the count; then, once compounds have
claimed some of them as gates, numbering by GB/T 35639 Annex B (`numbering.number_new_road`, odd
and even sides) and one address row per door — plus the room rows behind each compound gate."""
from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.strtree import STRtree

from .. import numbering
from .draws import split_largest
from .plan import Context
from .rows import draw_stage, draw_weights, emit, template


def road_sites(ctx: Context, rural_target: int) -> list[dict]:
    """Building entrances along the urban part of every road, both sides; their total follows
    the count (mean spacing 40 m at the default count, never under 20 m)."""
    rng = ctx.rng
    roads = ctx.plan.roads
    intervals = []  # (town index, road index, side, a, b)
    for ti, tp in enumerate(ctx.towns):
        radius = 2600.0 if tp.dense else 1400.0
        for ri in tp.roads:
            line = roads[ri].line_xy
            ds = np.arange(0.0, line.length, 10.0)
            pts = shapely.line_interpolate_point(line, ds)
            d = np.hypot(shapely.get_x(pts), shapely.get_y(pts))
            inside = d <= radius
            start = None
            for i, flag in enumerate(inside):
                if flag and start is None:
                    start = ds[i]
                if (not flag or i == len(inside) - 1) and start is not None:
                    end = ds[i] if flag else ds[i - 1]
                    end = min(end, line.length)
                    if end - start >= 30:
                        for side in (1, -1):
                            intervals.append((ti, ri, side, start + 8, end - 8))
                    start = None
    total_len = sum(b - a for *_, a, b in intervals)
    target = round(total_len / 40.0 * ctx.scale)
    target = min(target, int(total_len / 20.0), max(0, ctx.count - rural_target))
    counts = split_largest([b - a for *_, a, b in intervals], target, rng)
    sites: list[dict] = []
    for (ti, ri, side, a, b), n in zip(intervals, counts):
        if n <= 0:
            continue
        line = roads[ri].line_xy
        step = (b - a) / n
        ss = np.array([a + (i + 0.5 + rng.uniform(-0.25, 0.25)) * step for i in range(n)])
        offs = np.array([rng.uniform(10, 25) for _ in range(n)])
        p = shapely.line_interpolate_point(line, ss)
        p1 = shapely.line_interpolate_point(line, np.maximum(ss - 2, 0))
        p2 = shapely.line_interpolate_point(line, np.minimum(ss + 2, line.length))
        tx, ty = shapely.get_x(p2) - shapely.get_x(p1), shapely.get_y(p2) - shapely.get_y(p1)
        norm = np.hypot(tx, ty)
        norm[norm == 0] = 1
        tx, ty = tx / norm, ty / norm
        nx, ny = -ty * side, tx * side  # left normal for side +1
        x = shapely.get_x(p) + nx * offs
        y = shapely.get_y(p) + ny * offs
        for i in range(n):
            sites.append({"town": ti, "road": ri, "side": side, "s": float(ss[i]), "off": float(offs[i]),
                          "x": float(x[i]), "y": float(y[i]), "tx": float(tx[i]), "ty": float(ty[i]),
                          "alive": True, "gate": None})
    # Drop sites outside the township, on top of another road (< 8 m) or of another site (< 6 m).
    by_town = defaultdict(list)
    for i, st in enumerate(sites):
        by_town[st["town"]].append(i)
    for ti, idx in by_town.items():
        tp = ctx.towns[ti]
        xs = np.array([sites[i]["x"] for i in idx])
        ys = np.array([sites[i]["y"] for i in idx])
        ok = shapely.contains_xy(tp.inner_xy, xs, ys)
        pts = shapely.points(xs, ys)
        near = tp.road_tree.query(pts, predicate="dwithin", distance=8.0)
        ok[np.unique(near[0])] = False
        tree = STRtree(pts)
        pairs = tree.query(pts, predicate="dwithin", distance=6.0)
        for a, b in zip(*pairs):
            if a < b and ok[a]:
                ok[b] = False
        for k, i in enumerate(idx):
            sites[i]["alive"] = bool(ok[k])
        tp.site_index = [i for k, i in enumerate(idx) if ok[k]]
        tp.site_tree = STRtree([Point(sites[i]["x"], sites[i]["y"]) for i in tp.site_index])
    return sites


def number_road_addresses(ctx: Context, sites: list[dict]) -> None:
    """Annex B door numbers for the live sites of every road, and their address rows (a compound
    gate is followed by the rooms behind it)."""
    rng = ctx.rng
    by_road = defaultdict(list)
    for i, st in enumerate(sites):
        if st["alive"]:
            by_road[st["road"]].append(i)
    for ri in sorted(by_road):
        rp = ctx.plan.roads[ri]
        idx = by_road[ri]
        tp = ctx.towns[sites[idx[0]]["town"]]
        xs, ys = tp.frame.lonlat(np.array([sites[i]["x"] for i in idx]), np.array([sites[i]["y"] for i in idx]))
        points = list(shapely.points(xs, ys))
        t0 = time.monotonic()
        doors = numbering.number_new_road(rp.line_ll, points)
        ctx.timings["numbering"] += time.monotonic() - t0
        # Emit in door-number order along the road (odd side, then even), as a register would.
        order = sorted(range(len(idx)), key=lambda k: (doors[k].number % 2 == 0, doors[k].number, doors[k].suffix))
        for k in order:
            st = sites[idx[k]]
            door = doors[k]
            x, y = float(xs[k]), float(ys[k])
            gate = st["gate"]
            if gate is None:
                village = tp.nearest_village(st["x"], st["y"])
                tpl = template(ctx, tp.town, village, rp, None)
                stage = draw_stage(rng)
                emit(ctx, tpl, "road", tp.town, village, ri, None, x, y, door.number, door.suffix, stage=stage,
                     weights=draw_weights(rng, "road", stage[0]))
                continue
            ap = ctx.plan.areas[gate["area"]]
            village = gate["village"]
            tpl = template(ctx, tp.town, village, rp, ap)
            stage = draw_stage(rng, gate["built"])
            emit(ctx, tpl, "gate", tp.town, village, ri, gate["area"], x, y, door.number, door.suffix,
                 stage=stage, weights=(None, None, None))
            for (b, u, room, ex, ey, r_stage, vf, vt) in gate["rooms"]:
                lon, lat = tp.frame.lonlat(ex, ey)
                st_tuple = (r_stage, vf, vt)
                emit(ctx, tpl, "room", tp.town, village, ri, gate["area"], float(lon), float(lat),
                     door.number, door.suffix, b, u, room, stage=st_tuple,
                     weights=draw_weights(rng, "room", r_stage))
