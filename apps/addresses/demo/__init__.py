"""A deterministic generator of a plausible *synthetic* address register for one county (demo data).

Everything here is invented: roads, 小区, 村民小组, door numbers, households and plates. It exists so
that `make run` shows a county with a realistic volume of standard addresses (≈150,000 for 德清县
by default; `count` scales it, 1,000,000+ for benchmarks). Same county state + same `seed` + same
`count` → the same roads, codes and texts, byte for byte.

What is generated, per township polygon of the county (EPSG:4490 lon/lat, worked in a local
metric frame centred on the township seat):

* Roads (`Road`): main roads through the seat (split into 东/西 or 南/北 halves in 街道), a rotated
  grid of streets and a few lanes around it (dense in 街道, sparse in 镇/乡), clipped to the
  township polygon, single LineStrings ≥ 200 m, unique names in the county, codes R0001… (the
  lowest codes never used in the county; likewise A0001… for 片区).
* Door addresses on roads: building entrances on both sides, 10–25 m from the centre line, about
  20–60 m apart at the default count, numbered by GB/T 35639 Annex B (`numbering.number_new_road`,
  odd and even sides).
* Compounds (`Area` 小区, A####, rectangle polygon) behind some of those doors (mostly in 街道): the
  door is the compound gate (…路8号阳光花园) and each 幢/单元/室 is a room-level address
  (…路8号阳光花园3幢2单元502室). Compounds fill the count exactly after roads and villages.
* Rural addresses: for every 村 (not 社区) with its seat in the township, 村民小组 areas (“1组”…)
  and door addresses scattered within ~600 m of the seat (…镇XX村3组12号).
* One `AddressIdentity` and one `Address` (version 1) each, code and standard text built by
  `services.components_for` + `components.build_code/build_full_text`, like the register itself;
  ~2 % 规划, ~1 % 废弃 (valid_to set), demand weights (households, residents, 60+).
  Compound gates carry no demand weights (NULL): the households live in the room addresses,
  so sums over a division do not count them twice.
* `DoorPlate`s for door-level addresses (not rooms) in mixed states. Their QR tokens have the
  length and alphabet of `secrets.token_urlsafe(16)` but are drawn from the seeded generator,
  so they are NOT secret: anyone with the seed can compute them. Demo data only.

Writing is one transaction: ids are reserved from the table sequences, rows go in with
PostgreSQL COPY, the change-history triggers stay on (actor `demo-generator`), and a final SQL
check fails loudly if any address lies outside its township.

Idempotency: a `DataSource` row (key ``demo-addresses-<county>``) records the generator version,
seed, count, the transaction timestamp (every generated row has that ``created_at``), the codes
of the generated roads and 片区 and their id ranges. Generated addresses, identities and plates are
those hanging from these roads/片区 (every generated address has one) with that ``created_at``.
A second run with the same version/seed/count returns at once; otherwise (or with ``force``) the
previously generated rows — and only those — are deleted first, in the same transaction. If people
have since attached their own data to demo rows (addresses, plates, plate reports, entrances, or
road renames on demo roads), the generator refuses to delete rather than touch them.

Plates: current door addresses ~70 % 已安装, 10 % 已制作, 10 % 待制作, 5 % 损坏, 5 % none; 规划
ones none or 待制作; 废弃 ones a revoked plate (token inactive). Plate numbers continue after the
highest existing number of each ``<county><year>`` prefix, as `services.issue_plate` does.

Entry points: `generate_demo_addresses()` here, or ``manage.py generate_demo_addresses``.

The package, by idea: `constants`, `report` (GenerationReport); planning in memory — `planner`
(the order of the steps), `plan` (plan structures, shared Context), `names` (vocabulary, unique
names, free codes), `geometry` (local metric frame), `draws` (seeded draws), `roads`, `doors`
(road door sites and Annex B numbering), `compounds`, `rural`, `rows` (address rows, stage and
weights), `plates`; then `writer` (ids, EWKB, COPY) and `cleanup` (deleting a previous run).
"""
from __future__ import annotations

import time
from collections import Counter
from typing import Callable

from django.db import connection, transaction

from apps.common.models import DataSource
from apps.divisions.models import Division

from .cleanup import ForeignDataError, delete_generated, still_there
from .constants import (ACTOR, COPY_CHUNK, DEFAULT_COUNT, DEFAULT_COUNTY, DEFAULT_SEED, DEMO_TODAY,
                        GENERATOR_VERSION, SOURCE_KEY, SRID)
from .geometry import Frame, to_uv
from .names import COMPOUND_STEMS, COMPOUND_SUFFIXES, DIRECTIONS, ROAD_KIND, ROAD_STEMS
from .plan import AreaPlan, Plan, RoadPlan, TownPlan
from .planner import build_plan
from .report import GenerationReport
from .writer import write_plan

__all__ = [
    "ACTOR", "COMPOUND_STEMS", "COMPOUND_SUFFIXES", "COPY_CHUNK", "DEFAULT_COUNT", "DEFAULT_COUNTY", "DEFAULT_SEED",
    "DEMO_TODAY", "DIRECTIONS", "GENERATOR_VERSION", "ROAD_KIND", "ROAD_STEMS", "SOURCE_KEY", "SRID",
    "AreaPlan", "ForeignDataError", "Frame", "GenerationReport", "Plan", "RoadPlan", "TownPlan",
    "build_plan", "delete_generated", "generate_demo_addresses", "to_uv", "write_plan",
]


def generate_demo_addresses(county_code: str = DEFAULT_COUNTY, *, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED,
                            force: bool = False, log: Callable[[str], None] | None = None) -> GenerationReport:
    """Generate (or keep) the synthetic address register of one county; see the module docstring."""
    started = time.monotonic()
    report = GenerationReport(county=county_code, seed=seed, count=count)
    county = Division.objects.filter(code=county_code, level="county", valid_to__isnull=True).first()
    if county is None:
        raise ValueError(f"找不到现行县级区划 {county_code}")
    key = SOURCE_KEY.format(county=county_code)
    params = {"generator_version": GENERATOR_VERSION, "seed": seed, "count": count}
    source = DataSource.objects.filter(key=key).first()
    meta = source.metadata if source else {}
    if source and not force and all(meta.get(k) == v for k, v in params.items()) and still_there(county, meta):
        report.skipped = True
        report.message = (f"{county.name}演示地址已生成（版本 {GENERATOR_VERSION}，种子 {seed}，{count} 条），跳过"
                          f"（--force 可重新生成）")
        report.timings["total"] = time.monotonic() - started
        return report

    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('geo_mz.actor', %s, true)", [ACTOR])
            cur.execute("SELECT now(), now()::text, coalesce(max(id), 0) FROM common_changerecord")
            now, now_text, last_change = cur.fetchone()
        # Serialise generators and plate numbering for this county (as services.issue_plate does).
        Division.objects.select_for_update().filter(pk=county.pk).first()
        if source and meta.get("generated_at"):
            t0 = time.monotonic()
            report.deleted = delete_generated(county, meta, report.delete_tables)
            report.timings["delete"] = time.monotonic() - t0
            if log and report.deleted:
                log("已删除先前生成的数据：" + "，".join(f"{k} {v}" for k, v in report.deleted.items())
                    + f"（{report.timings['delete']:.1f} s）")
        plan, plan_timings = build_plan(county, count, seed)
        report.timings.update(plan_timings)
        if log:
            log(f"规划完成：{len(plan)} 条地址，{len(plan.roads)} 条街路巷，{len(plan.areas)} 个片区，"
                f"{len(plan.plates)} 块门牌（{plan_timings['plan']:.1f} s），开始 COPY 写入…")
        t0 = time.monotonic()
        ranges = write_plan(plan, county, now_text, report.copy_tables)
        report.timings["copy"] = time.monotonic() - t0

        t0 = time.monotonic()
        with connection.cursor() as cur:
            ids = ranges["address_ids"] or [0, -1]
            cur.execute(
                "SELECT count(*) FROM addresses_address a JOIN divisions_division t ON t.id = a.township_id "
                "WHERE a.id BETWEEN %s AND %s AND a.created_at = %s AND NOT ST_Contains(t.geometry, a.location)",
                [ids[0], ids[1], now])
            outside = cur.fetchone()[0]
            cur.execute(
                "SELECT count(*) FROM addresses_area a JOIN divisions_division v ON v.id = a.village_id "
                "JOIN divisions_division t ON t.id = v.parent_id WHERE a.id BETWEEN %s AND %s "
                "AND a.geometry IS NOT NULL AND NOT ST_Contains(t.geometry, a.geometry)",
                (ranges["area_ids"] or [0, -1]))
            outside_areas = cur.fetchone()[0]
            if outside or outside_areas:
                raise AssertionError(f"生成的地址有 {outside} 个、小区有 {outside_areas} 个不在所属乡镇范围内")
            cur.execute("SELECT action, count(*) FROM common_changerecord WHERE id > %s AND txid = txid_current() "
                        "GROUP BY action", [last_change])
            report.change_actions = dict(cur.fetchall())
            report.change_records = sum(report.change_actions.values())
        report.timings["check"] = time.monotonic() - t0

        a = plan.addr
        report.roads = len(plan.roads)
        report.compounds = sum(1 for ap in plan.areas if ap.kind == "小区")
        report.groups = sum(1 for ap in plan.areas if ap.kind == "村民小组")
        report.by_level = Counter(a["level"])
        report.by_kind = Counter(a["kind"])
        report.by_stage = Counter(a["stage"])
        report.plates = Counter(p[3] for p in plan.plates)
        DataSource.objects.update_or_create(key=key, defaults=dict(
            title=f"演示数据（合成地址与门牌）：{county.name}",
            origin="apps.addresses.demo（程序合成，种子确定）",
            licence="",
            notes="合成示意数据，不是真实地址：道路、小区、村民小组、门牌号、户数人口均为虚构；"
                  "门牌二维码令牌由种子推算，不保密，仅供演示。",
            metadata={**params, "generated_at": now.isoformat(), **ranges, "addresses": len(plan),
                      "by_level": dict(report.by_level), "plates": dict(report.plates), "roads": report.roads,
                      "compounds": report.compounds, "groups": report.groups}))
        commit_from = time.monotonic()
    # Leaving the block commits: the deferred foreign-key checks of every row run here.
    report.timings["commit"] = time.monotonic() - commit_from
    report.timings["total"] = time.monotonic() - started
    return report
