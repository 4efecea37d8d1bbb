"""Demo facilities of 德清县 (synthetic, every row flagged `demo`): a 老年食堂 in every township and
助餐点 in about a third of the villages, in mixed states (规划/在建/建成/运营/停运); a 居家养老服务中心
per township and a 社区服务中心 per community (社区); the county 殡仪馆, 公益性公墓 in the rural towns,
a commercial cemetery and two 骨灰堂, some with safety hazards under rectification; and this
year's rollout tasks per township. Each facility stands at a real demo address of its village
(the first by code), so it is linked to a standard address. Seeded: the same every time.
Idempotent: nothing is created when the county already has demo facilities."""
from __future__ import annotations

import datetime as dt
import math
import random

from django.db import transaction

from apps.addresses.models import Address
from apps.divisions.models import Division

from . import services
from .models import Facility, FacilityKind, Family, OperatingModel, Status, UrbanRural

ACTOR = "demo-loader"
SEED = 20261123
# Share of meal facilities in each state (the rest operate).
_MEAL_STATES = [(Status.PLANNED, 0.10), (Status.BUILDING, 0.10), (Status.BUILT, 0.10), (Status.SUSPENDED, 0.05)]


def _first_address(division: Division) -> Address | None:
    field = "village" if division.level == "village" else "township"
    return (Address.objects.filter(**{field: division}, valid_to__isnull=True, door_number__isnull=False)
            .order_by("code").first())


def _state(rng: random.Random) -> str:
    roll, acc = rng.random(), 0.0
    for status, share in _MEAL_STATES:
        acc += share
        if roll < acc:
            return status
    return Status.OPERATING


def _create(kind: FacilityKind, name: str, where: Division, status: str, rng: random.Random, *,
            urban: bool, details: dict) -> Facility | None:
    address = _first_address(where)
    if address is None:
        return None
    since = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 600))
    return services.create_facility(services.FacilityInput(
        kind=kind, name=name, address=address.identity, status=status, status_since=since,
        urban_rural=UrbanRural.URBAN if urban else UrbanRural.RURAL, details=details, demo=True,
        note="演示数据：位置取所在村（社区）第一个门牌地址"), actor=ACTOR)


def _meal_details(rng: random.Random, canteen: bool, status: str) -> dict:
    seats = rng.randrange(40, 120) if canteen else rng.randrange(10, 40)
    per_day = seats * rng.randrange(1, 3)
    served = per_day * rng.randrange(20, 27) if status == Status.OPERATING else 0
    model = rng.choice(list(OperatingModel.values))
    return {"seats": seats, "meals_per_day": per_day, "meals_served_last_month": served, "operating_model": model,
            "opening_hours": "10:30-12:30" if canteen else "11:00-12:00", "floor_area_m2": float(seats * 2)}


@transaction.atomic
def load_demo_facilities(county_code: str = "330521") -> int:
    county = Division.objects.get(code=county_code, valid_to__isnull=True, level="county")
    if Facility.objects.filter(county=county, demo=True).exists():
        return 0
    rng = random.Random(SEED)
    kinds = {k.code: k for k in FacilityKind.objects.all()}
    made = 0
    townships = list(Division.objects.filter(parent=county, level="township", valid_to__isnull=True).order_by("code"))
    for town in townships:
        urban = town.name.endswith("街道")
        villages = list(town.children.filter(level="village", valid_to__isnull=True).order_by("code"))
        status = _state(rng)
        made += bool(_create(kinds["elderly_canteen"], f"{town.name}老年食堂", town, status, rng, urban=urban,
                             details=_meal_details(rng, True, status)))
        for village in villages[1::3]:
            status = _state(rng)
            made += bool(_create(kinds["meal_point"], f"{village.name}助餐点", village, status, rng,
                                 urban=village.name.endswith("社区"), details=_meal_details(rng, False, status)))
        made += bool(_create(kinds["home_care_centre"], f"{town.name}居家养老服务中心", town, Status.OPERATING, rng,
                             urban=urban, details={"level": "乡镇（街道）级", "floor_area_m2": 800.0 + rng.randrange(0, 800),
                                                   "services": ["日间照料", "助餐", "康复护理", "文化娱乐"],
                                                   "beds": rng.randrange(10, 40)}))
        for community in (v for v in villages if v.name.endswith("社区")):
            made += bool(_create(kinds["community_centre"], f"{community.name}服务中心", community, Status.OPERATING,
                                 rng, urban=True, details={"level": "村（社区）级",
                                                           "floor_area_m2": 300.0 + rng.randrange(0, 500),
                                                           "services": ["便民服务", "助老", "议事协商"]}))
        target = math.ceil(len(villages) / 3) + 1
        services.set_rollout_target(town, Family.MEALS, dt.date.today().year, target, actor=ACTOR,
                                    source="演示任务数：约三分之一的村（社区）加一个乡镇老年食堂")
        if not urban:
            cemetery = _create(kinds["cemetery"], f"{town.name}公益性公墓", villages[-1] if villages else town,
                               Status.OPERATING, rng, urban=False, details={
                                   "ownership": "公益性", "capacity_plots": 3000, "used_plots": rng.randrange(800, 2800),
                                   "capacity_niches": 0, "used_niches": 0, "eco_burial_types": ["树葬", "草坪葬"],
                                   "upgrade_status": rng.choice(["未启动", "实施中", "已完成"])})
            made += bool(cemetery)
            if cemetery and rng.random() < 0.4:
                found = dt.date(2026, 3, 1) + dt.timedelta(days=rng.randrange(0, 120))
                hazard = services.report_hazard(cemetery, description="护坡局部坍塌，存在滑坡隐患", level="较大",
                                                found_on=found, deadline=found + dt.timedelta(days=90), actor=ACTOR)
                services.update_hazard(hazard, "整改中", measures="设置警示标志，委托设计加固方案", actor=ACTOR)
    for i, (kind, name, details) in enumerate((
        ("funeral_home", "德清县殡仪馆", {"ownership": "公益性"}),
        ("columbarium", "德清县城东骨灰堂", {"ownership": "公益性", "capacity_niches": 8000, "used_niches": 5210}),
        ("columbarium", "德清县城西骨灰堂", {"ownership": "公益性", "capacity_niches": 5000, "used_niches": 4870}),
        ("cemetery", "德清县福寿园（经营性公墓）", {"ownership": "经营性", "capacity_plots": 12000, "used_plots": 9400,
                                                    "eco_burial_types": ["树葬", "花坛葬", "壁葬"],
                                                    "upgrade_status": "已完成"}),
    )):
        where = townships[(3 * i) % len(townships)]
        made += bool(_create(kinds[kind], name, where, Status.OPERATING, rng, urban=True, details=details))
    return made
