"""Planning one run in memory, before anything is written: load the county's townships and 村,
set up each township's metric frame, then roads, door sites, compounds, Annex B road addresses,
rural addresses and plates — always in this order, which fixes the output for a seed and count."""
from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
import shapely
from shapely.geometry import Point

from apps.common.shapes import to_shapely
from apps.divisions.models import Division

from ..models import Area, Road
from .compounds import place_compounds
from .doors import number_road_addresses, road_sites
from .geometry import Frame
from .names import NameBook, free_codes
from .plan import Context, Plan, TownPlan
from .plates import plan_plates
from .roads import plan_roads
from .rural import plan_rural, rural_target, village_layout


def build_plan(county: Division, count: int, seed: int) -> tuple[Plan, dict[str, float]]:
    """The complete plan for `count` addresses of `county` with `seed`, and the planning timings
    (``plan`` in total, ``numbering`` for Annex B)."""
    started = time.monotonic()
    towns = list(Division.objects.filter(parent=county, level="township", valid_to__isnull=True,
                                         geometry__isnull=False, seat__isnull=False).order_by("code"))
    if not towns:
        raise ValueError(f"{county.name}（{county.code}）没有带边界和驻地的乡镇，无法生成演示地址")
    for t in towns:
        t.parent = county  # one shared instance: components_for walks the chain once
    villages = defaultdict(list)
    for v in Division.objects.filter(parent__in=towns, level="village", valid_to__isnull=True,
                                     seat__isnull=False).order_by("code"):
        villages[v.parent_id].append(v)
    names = NameBook(set(Road.objects.filter(county=county, valid_to__isnull=True).values_list("name", flat=True)),
                     set(Area.objects.filter(county=county).values_list("name", flat=True)))
    # Codes never used in the county (retired versions included), lowest first.
    ctx = Context(county, count, seed, names,
                  road_codes=free_codes("R", Road.objects.filter(county=county).values_list("code", flat=True)),
                  area_codes=free_codes("A", Area.objects.filter(county=county).values_list("code", flat=True)))

    for town in towns:
        tp = _town_plan(town, villages.get(town.pk, []))
        ctx.towns.append(tp)
        plan_roads(ctx, tp)

    groups = village_layout(ctx)
    rural = rural_target(ctx, groups)
    sites = road_sites(ctx, rural)
    place_compounds(ctx, sites, count - rural - sum(1 for s in sites if s["alive"]))
    ctx.timings["numbering"] = 0.0
    number_road_addresses(ctx, sites)
    plan_rural(ctx, groups, rural)
    plan_plates(ctx)
    ctx.timings["plan"] = time.monotonic() - started
    return ctx.plan, ctx.timings


def _town_plan(town: Division, villages: list[Division]) -> TownPlan:
    """A township in the local metric frame of its seat, with its 村 and their seats."""
    seat = town.seat
    frame = Frame(seat.x, seat.y)
    poly_xy = frame.to_xy(to_shapely(town.geometry))
    inner = poly_xy.buffer(-3.0)
    shapely.prepare(inner)
    tp = TownPlan(town=town, frame=frame, poly_xy=poly_xy, inner_xy=inner, dense=town.kind == "街道")
    for v in villages:
        v.parent = town
        tp.villages.append(v)
    if tp.villages:
        vx, vy = [], []
        for v in tp.villages:
            p = frame.to_xy(Point(v.seat.x, v.seat.y))
            vx.append(p.x)
            vy.append(p.y)
        tp.village_xy = np.column_stack((vx, vy))
    return tp
