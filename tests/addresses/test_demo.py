"""The synthetic demo address register (apps/addresses/demo/) on the real PostGIS test database,
at a small count: deterministic, idempotent, spatially consistent, Annex B numbering, well-formed
compound and rural addresses, plate states, and only its own rows deleted on regeneration."""
from __future__ import annotations

import re
from collections import Counter

import pytest
from django.contrib.gis.geos import Point as GeosPoint
from django.core.management import call_command
from django.db import connection
from shapely.geometry import Point

from apps.addresses import demo, numbering, services
from apps.addresses.components import build_code, build_full_text
from apps.addresses.models import Address, AddressIdentity, Area, DoorPlate, Road
from apps.common.models import ChangeRecord, DataSource
from apps.common.shapes import to_shapely

from .conftest import offset

pytestmark = pytest.mark.django_db
COUNT = 3000
SEED = 7
PREFIX = "浙江省湖州市德清县"


def generate(**kw) -> demo.GenerationReport:  # type: ignore[no-untyped-def]
    return demo.generate_demo_addresses("330521", **{"count": COUNT, "seed": SEED, **kw})


def snapshot() -> list[tuple]:
    return sorted(Address.objects.values_list("code", "full_text", "level", "stage", "door_number", "households"))


@pytest.fixture
def generated() -> demo.GenerationReport:
    return generate()


def test_exact_count_and_unique_codes(generated) -> None:  # type: ignore[no-untyped-def]
    assert generated.addresses == COUNT and Address.objects.count() == COUNT
    assert AddressIdentity.objects.count() == COUNT
    codes = list(Address.objects.values_list("code", flat=True))
    assert len(set(codes)) == COUNT
    assert set(generated.by_level) == {"door", "room"} and generated.by_kind["rural"] and generated.by_kind["gate"]
    assert Road.objects.filter(code="R0001").exists() and Area.objects.filter(code="A0001").exists()
    assert all(re.fullmatch(r"R[0-9]{4}", c) for c in Road.objects.values_list("code", flat=True))
    names = list(Road.objects.values_list("name", flat=True))
    assert len(names) == len(set(names)) and all(n.endswith(("路", "街", "大道", "巷")) for n in names)
    with connection.cursor() as cur:
        cur.execute("SELECT min(ST_Length(geometry::geography)), bool_and(GeometryType(geometry) = 'LINESTRING') "
                    "FROM addresses_road")
        shortest, single = cur.fetchone()
    assert shortest >= 199 and single


def test_same_seed_same_register_and_second_run_is_skipped() -> None:
    first = generate()
    before = snapshot()
    roads = list(Road.objects.order_by("code").values_list("code", "name"))
    again = generate()
    assert again.skipped and snapshot() == before and Address.objects.count() == COUNT
    forced = generate(force=True)
    assert not forced.skipped and forced.deleted["地址"] == COUNT
    assert snapshot() == before and list(Road.objects.order_by("code").values_list("code", "name")) == roads
    assert first.plates == forced.plates and AddressIdentity.objects.count() == COUNT
    assert DataSource.objects.filter(key="demo-addresses-330521").count() == 1
    other = generate(seed=SEED + 1)  # different parameters: the old generation is replaced, not added to
    assert other.deleted["地址"] == COUNT and Address.objects.count() == COUNT and snapshot() != before


def test_every_point_inside_its_township_and_texts_prefixed(generated) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM addresses_address a JOIN divisions_division t ON t.id = a.township_id "
                    "WHERE NOT ST_Contains(t.geometry, a.location)")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM addresses_address a JOIN divisions_division v ON v.id = a.village_id "
                    "WHERE v.parent_id <> a.township_id OR a.division_code <> v.code")
        assert cur.fetchone()[0] == 0
    texts = list(Address.objects.values_list("full_text", "township__name"))
    assert all(t.startswith(PREFIX + town) for t, town in texts)


def test_codes_and_texts_are_what_the_service_would_build(generated) -> None:  # type: ignore[no-untyped-def]
    sample = Address.objects.select_related("road", "area", "village", "township").order_by("?")[:200]
    for a in sample:
        data = services.AddressInput(location=a.location, door_number=a.door_number, road=a.road, area=a.area,
                                     village=a.village, door_suffix=a.door_suffix, building=a.building, unit=a.unit,
                                     room=a.room)
        comps = services.components_for(data, a.township, a.village)
        assert (build_code(comps), build_full_text(comps), comps.level, comps.floor) == (
            a.code, a.full_text, a.level, a.floor)
        assert a.identity.code == a.code and a.version == 1


def test_annex_b_odd_numbers_north_of_east_west_roads(generated) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for road in Road.objects.all():
        line = to_shapely(road.geometry)
        if numbering.classify_road(line).kind != "east_west":
            continue
        doors = list(Address.objects.filter(road=road, level="door").values_list("door_number", "location"))
        sides: dict[int, list[tuple[int, float]]] = {1: [], 0: []}
        for number, loc in doors:
            p = Point(loc.x, loc.y)
            foot = line.interpolate(line.project(p))
            assert (number % 2 == 1) == (p.y > foot.y), f"{road.name}{number}号 on the wrong side"
            sides[number % 2].append((number, foot.x))
            checked += 1
        for first, side in ((1, sides[1]), (2, sides[0])):  # 1, 3, 5… / 2, 4, 6… from the east end
            ordered = sorted(side)
            assert [n for n, _ in ordered] == list(range(first, first + 2 * len(side), 2)), road.name
            xs = [x for _, x in ordered]
            assert xs == sorted(xs, reverse=True), road.name
    assert checked > 50


def test_compound_room_addresses_are_well_formed(generated) -> None:  # type: ignore[no-untyped-def]
    rooms = list(Address.objects.filter(level="room").select_related("area", "road"))
    assert rooms
    pattern = re.compile(PREFIX + r".+(路|街|大道|巷)(\d+)号(.+?)(\d+)幢(\d)单元(\d+)室")
    code_pattern = re.compile(r"[0-9]{12}-R[0-9]{4}-[0-9]{4}-B[0-9]{2}-U[1-4]-[0-9]{4}")
    gates = {(a.road_id, a.door_number, a.area_id) for a in Address.objects.filter(level="door", area__kind="小区")}
    for a in rooms:
        m = pattern.fullmatch(a.full_text)
        assert m and code_pattern.fullmatch(a.code), a.full_text
        assert m.group(3) == a.area.name and a.area.kind == "小区" and a.area.geometry is not None
        assert (int(m.group(2)), m.group(4), m.group(5), m.group(6)) == (a.door_number, a.building, a.unit, a.room)
        assert a.floor == int(a.room[:-2]) and 1 <= a.floor <= 40 and 1 <= int(a.room[-2:]) <= 4
        assert (a.road_id, a.door_number, a.area_id) in gates
        assert a.area.geometry.contains(a.location)
        if a.stage == "current":
            assert a.households == 1 and 1 <= a.residents <= 4 and 0 <= a.residents_60plus <= a.residents
    gate = Address.objects.filter(level="door", area__kind="小区").first()
    assert gate.households is None and gate.full_text.endswith(f"{gate.door_number}号{gate.area.name}")


def test_rural_addresses_hang_from_villager_groups(generated) -> None:  # type: ignore[no-untyped-def]
    rural = list(Address.objects.filter(area__kind="村民小组").select_related("area", "village"))
    assert rural
    for a in rural:
        assert a.road_id is None and a.level == "door" and a.village_id == a.area.village_id
        assert re.fullmatch(PREFIX + r".+(镇|乡|街道)" + re.escape(a.village.name) + r"\d+组\d+号", a.full_text), a.full_text
        assert "组" in a.full_text and a.full_text.endswith("号") and a.area.name.endswith("组")
        assert re.fullmatch(r"[0-9]{12}-A[0-9]{4}-[0-9]{4}", a.code) and a.village.kind != "社区"
        assert a.location.distance(a.village.seat) < 0.0075  # ~600 m (in degrees, generously)
    per_group = Counter(a.area_id for a in rural)
    for area_id, n in per_group.items():  # numbered 1…n within each group
        numbers = sorted(a.door_number for a in rural if a.area_id == area_id)
        assert numbers == list(range(1, n + 1))


def test_plates_in_mixed_states_only_on_door_addresses(generated) -> None:  # type: ignore[no-untyped-def]
    states = Counter(DoorPlate.objects.values_list("state", flat=True))
    assert {"installed", "made", "to_make", "damaged"} <= set(states)
    current_doors = Address.objects.filter(level="door", stage="current").count()
    assert 0.6 < states["installed"] / current_doors < 0.8
    assert not DoorPlate.objects.filter(identity__versions__level="room").exists()
    plates = list(DoorPlate.objects.values_list("plate_no", "token", "size", "token_active", "state"))
    assert len({p[0] for p in plates}) == len(plates) and len({p[1] for p in plates}) == len(plates)
    assert all(re.fullmatch(r"330521(20[0-9]{2})[0-9]{6}", p[0]) for p in plates)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", p[1]) for p in plates)
    assert all(p[3] == (p[4] != "revoked") for p in plates)
    for made, installed, damaged, retired in DoorPlate.objects.values_list("made_on", "installed_on", "damaged_on",
                                                                          "retired_on"):
        dates = [d for d in (made, installed, damaged or retired) if d]
        assert dates == sorted(dates) and all(d <= demo.DEMO_TODAY for d in dates)
    sizes = dict(DoorPlate.objects.values_list("identity__versions__area__kind", "size").distinct())
    assert sizes.get("小区") == "large" and sizes.get("村民小组") == "small"


def test_stages_and_history(generated) -> None:  # type: ignore[no-untyped-def]
    stages = Counter(Address.objects.values_list("stage", flat=True))
    assert stages["current"] > 0.9 * COUNT and stages["planned"] and stages["abandoned"]
    assert not Address.objects.filter(stage="abandoned", valid_to__isnull=True).exists()
    assert not Address.objects.filter(stage="current", valid_to__isnull=False).exists()
    recorded = ChangeRecord.objects.filter(actor=demo.ACTOR, table_name="addresses_address", action="I").count()
    assert recorded == COUNT and generated.change_records >= 2 * COUNT


def test_force_deletes_only_generated_rows(wukang, ew_road) -> None:  # type: ignore[no-untyped-def]
    mine = services.allocate_door(ew_road, offset(wukang.seat, 0.003, 0.0002), actor="测试员")
    generate()
    generate(force=True)
    assert Address.objects.filter(pk=mine.pk).exists() and Road.objects.filter(pk=ew_road.pk).exists()
    assert Address.objects.count() == COUNT + 1
    # Someone's own address on a demo road: regeneration refuses rather than deleting it.
    demo_road = Road.objects.filter(county=wukang.parent).exclude(pk=ew_road.pk).filter(township=wukang).first()
    line = to_shapely(demo_road.geometry)
    mid = line.interpolate(0.5, normalized=True)
    services.create_address(services.AddressInput(location=GeosPoint(mid.x + 0.00005, mid.y + 0.00005, srid=4490),
                                                  road=demo_road, door_number=9001), actor="测试员")
    with pytest.raises(demo.ForeignDataError):
        generate(force=True)


def test_management_command_prints_counts(capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("generate_demo_addresses", "--count", "1500", "--seed", "3")
    out = capsys.readouterr().out
    assert "地址 1500" in out and "门牌" in out and "耗时" in out
    call_command("generate_demo_addresses", "--count", "1500", "--seed", "3")
    assert "跳过" in capsys.readouterr().out
