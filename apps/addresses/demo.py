"""A deterministic generator of a plausible *synthetic* address register for one county (demo data).

Everything here is invented: roads, 小区, 村民小组, door numbers, households and plates. It exists so
that `make run` shows a county with a realistic volume of standard addresses (≈150,000 for 德清县
by default; `count` scales it, 1,000,000+ for benchmarks). Same county state + same `seed` + same
`count` → the same roads, codes and texts, byte for byte.

What is generated, per township polygon of the county (EPSG:4490 lon/lat, worked in a local
metric frame centred on the township seat):

* Roads (`Road`): main roads through the seat (split into 东/西 or 南/北 halves in 街道), a rotated
  grid of streets and a few lanes around it (dense in 街道, sparse in 镇/乡), clipped to the
  township polygon, single LineStrings ≥ 200 m, unique names in the county, codes R0001… after
  the county's highest existing road code.
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
seed, count, the transaction timestamp (every generated row has that ``created_at``) and the
road/area code and id ranges. A second run with the same version/seed/count returns at once;
otherwise (or with ``force``) the previously generated rows — and only those — are deleted first.
If people have since attached their own data to demo rows (addresses, plates, reports, entrances
or road renames on demo roads), the generator refuses to delete rather than touch them.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import math
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import shapely
from shapely import ops as shapely_ops
from shapely.geometry import LineString, Point, Polygon
from shapely.strtree import STRtree

from django.db import connection, transaction

from apps.common.models import DataSource
from apps.common.shapes import to_shapely
from apps.divisions.models import Division

from . import numbering
from .components import Components, build_code, build_full_text, validate
from .models import Area, Road
from .services import AddressInput, components_for

GENERATOR_VERSION = 1
DEFAULT_COUNTY = "330521"
DEFAULT_COUNT = 150_000
DEFAULT_SEED = 20261123
ACTOR = "demo-generator"
SOURCE_KEY = "demo-addresses-{county}"
SRID = 4490
# A fixed "today" for generated dates, so the output does not depend on the day it is run.
DEMO_TODAY = dt.date(2026, 11, 1)
COPY_CHUNK = 100_000

# ----------------------------------------------------------------------------- vocabulary
ROAD_STEMS = (
    "人民 建设 解放 文化 新华 永安 兴业 阜溪 英溪 千秋 长虹 春晖 志远 科源 丰庆 武源 云岫 塔山 龙山 秋山 "
    "和平 中兴 振兴 富民 康乐 明德 崇德 兴安 余英 前溪 东溪 苕溪 凤栖 北湖 永兴 新丰 吉祥 祥和 群安 五龙 "
    "居仁 丰桥 城西 迎宾 商城 锦绣 华兴 新港 太平 环城 创业 启航 湖畔 双桥 仁和 临溪 安澜 朝阳 青龙 "
    "白云 金鹅 银杏 桂花 紫荆 梧桐 樱花 翠柏 清溪 德兴 惠民 利民 新民 致远 求是 育才 书院 光明 幸福 "
    "团结 胜利 工农 春风 东升 旭日 长寿 永康 宏达 恒升 兴旺 聚贤 文昌 武陵 龙溪 凤鸣 乐安 景福 "
    "中山 劳动 嘉禾 丰收 稻香 荷花 莲花 长安 长丰 庆丰 兴国 复兴 和睦 安乐 福寿 东湖 西湖 南湖 "
    "云鹤 松涛 竹海 茶园 桑园 蚕花 丝绸 古镇 运河 通济 广济 望湖 观澜 澄溪 秀水 青山 碧云 紫薇"
).split()
DIRECTIONS = {"ew_north": "北", "ew_south": "南", "ns_east": "东", "ns_west": "西"}
ROAD_KIND = {"路": "路", "街": "街", "大道": "大道", "巷": "巷"}
COMPOUND_STEMS = (
    "阳光 英溪 春晖 锦绣 金色 碧水 绿城 翠湖 紫金 东方 银河 香樟 桂语 云溪 枫林 凤凰 怡景 "
    "和美 康城 龙湖 滨江 湖畔 山水 星河 盛世 名都 华府 景湖 望江 秋水 兰亭 栖溪 月湖 御景 "
    "书香 花语 千秋 阜溪 余英 塔山 春江 丽都 馨港 尚城 新城 清风 晨光 云岫 梧桐 银杏"
).split()
COMPOUND_SUFFIXES = "花园 家园 苑 小区 公寓 新村 华庭 名苑 雅苑 锦园 府 嘉园 佳苑 景苑 新苑".split()
_TOWN_SUFFIXES = ("街道", "镇", "乡")
_ACTIONS = {"I": "新增", "D": "删除", "U": "修改"}


# ----------------------------------------------------------------------------- report
@dataclass
class GenerationReport:
    county: str
    seed: int
    count: int
    skipped: bool = False
    message: str = ""
    roads: int = 0
    compounds: int = 0
    groups: int = 0
    by_level: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)  # road / gate / room / rural
    by_stage: Counter = field(default_factory=Counter)
    plates: Counter = field(default_factory=Counter)
    deleted: dict = field(default_factory=dict)
    change_records: int = 0
    change_actions: dict = field(default_factory=dict)  # I/D → rows written by the history triggers
    timings: dict = field(default_factory=dict)
    copy_tables: dict = field(default_factory=dict)  # seconds per table inside the COPY phase
    delete_tables: dict = field(default_factory=dict)  # seconds per DELETE of a previous generation

    @property
    def addresses(self) -> int:
        return sum(self.by_level.values())

    def lines(self) -> list[str]:
        if self.skipped:
            return [self.message]
        t = self.timings
        out = []
        if self.deleted:
            out.append("删除先前生成的数据：" + "，".join(f"{k} {v}" for k, v in self.deleted.items())
                       + f"（{t.get('delete', 0):.1f} s：" + "，".join(
                           f"{k} {v:.1f} s" for k, v in self.delete_tables.items()) + "）")
        out += [
            f"地址 {self.addresses}（按层级：" + "，".join(f"{k} {v}" for k, v in sorted(self.by_level.items()))
            + "；按来源：" + "，".join(f"{k} {v}" for k, v in sorted(self.by_kind.items()))
            + "；按生命周期：" + "，".join(f"{k} {v}" for k, v in sorted(self.by_stage.items())) + "）",
            f"街路巷 {self.roads}，小区 {self.compounds}，村民小组 {self.groups}",
            "门牌 " + str(sum(self.plates.values())) + "（" + "，".join(
                f"{k} {v}" for k, v in sorted(self.plates.items())) + "）",
            f"变更记录（触发器写入 common_changerecord）{self.change_records} 行（"
            + "，".join(f"{_ACTIONS.get(k, k)} {v}" for k, v in sorted(
                self.change_actions.items(), reverse=True)) + "）",
            f"耗时 {t.get('total', 0):.1f} s：规划 {t.get('plan', 0):.1f} s（其中 Annex B 编号 {t.get('numbering', 0):.1f} s），"
            f"COPY 写入 {t.get('copy', 0):.1f} s，校验 {t.get('check', 0):.1f} s",
        ]
        if self.copy_tables:
            out.append("COPY 分表（含触发器与索引）：" + "，".join(
                f"{k.removeprefix('addresses_')} {v:.1f} s" for k, v in self.copy_tables.items()))
        return out


# ----------------------------------------------------------------------------- geometry helpers
class Frame:
    """A local metric frame (metres east/north of an origin) on the GRS80/CGCS2000 ellipsoid;
    accurate to ~0.1 % over a township, which is all synthetic geometry needs."""

    def __init__(self, lon0: float, lat0: float):
        phi = math.radians(lat0)
        self.lon0, self.lat0 = lon0, lat0
        self.kx = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)
        self.ky = 111132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)

    def to_xy(self, geom):  # type: ignore[no-untyped-def]
        return shapely.transform(geom, lambda c: np.column_stack(((c[:, 0] - self.lon0) * self.kx,
                                                                  (c[:, 1] - self.lat0) * self.ky)))

    def to_lonlat(self, geom):  # type: ignore[no-untyped-def]
        return shapely.transform(geom, lambda c: np.column_stack((c[:, 0] / self.kx + self.lon0,
                                                                  c[:, 1] / self.ky + self.lat0)))

    def lonlat(self, x: np.ndarray | float, y: np.ndarray | float):  # type: ignore[no-untyped-def]
        return np.asarray(x) / self.kx + self.lon0, np.asarray(y) / self.ky + self.lat0


def _pieces(geom) -> list[LineString]:  # type: ignore[no-untyped-def]
    if geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [geom]
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type == "LineString"]
    merged = shapely.line_merge(shapely.MultiLineString(parts)) if len(parts) > 1 else (parts[0] if parts else None)
    if merged is None:
        return []
    return [merged] if merged.geom_type == "LineString" else list(merged.geoms)


def _split_largest(items: list[float], total: int, rng: random.Random, jitter: float = 0.0) -> list[int]:
    """Distribute `total` over bins proportionally to `items` (optionally jittered ±jitter),
    exactly (largest remainder)."""
    if total <= 0 or not items:
        return [0] * len(items)
    weights = [max(w, 0.0) * (1 + rng.uniform(-jitter, jitter)) if jitter else max(w, 0.0) for w in items]
    s = sum(weights)
    if s <= 0:
        return [0] * len(items)
    raw = [w * total / s for w in weights]
    out = [int(r) for r in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def _token(rng: random.Random) -> str:
    """Same length and alphabet as secrets.token_urlsafe(16) — but seeded, hence not secret."""
    return base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).rstrip(b"=").decode("ascii")


# ----------------------------------------------------------------------------- plan structures
@dataclass
class RoadPlan:
    code: str
    name: str
    kind: str
    township: Division
    line_xy: LineString
    line_ll: LineString
    valid_from: dt.date
    model: Road | None = None  # unsaved stand-in for components_for


@dataclass
class AreaPlan:
    code: str
    name: str
    kind: str
    village: Division
    polygon_ll: Polygon | None
    location_ll: tuple[float, float] | None
    model: Area | None = None


@dataclass
class TownPlan:
    town: Division
    frame: Frame
    poly_xy: object
    inner_xy: object  # polygon shrunk by a safety margin: generated points are strictly inside
    dense: bool
    roads: list[int] = field(default_factory=list)  # indexes into Plan.roads
    road_tree: STRtree | None = None
    villages: list[Division] = field(default_factory=list)
    village_xy: np.ndarray | None = None
    compounds: list[Polygon] = field(default_factory=list)  # xy


class Plan:
    """Column-wise rows ready for COPY; roads/areas referenced by index until ids are reserved."""

    ADDRESS_COLUMNS = ("code", "division_code", "door_number", "door_suffix", "building", "unit", "floor", "room",
                       "level", "full_text", "x", "y", "status", "stage", "valid_from", "valid_to", "households",
                       "residents", "r60", "township_id", "village_id", "area", "road", "uid", "kind")

    def __init__(self) -> None:
        self.roads: list[RoadPlan] = []
        self.areas: list[AreaPlan] = []
        self.addr: dict[str, list] = {c: [] for c in self.ADDRESS_COLUMNS}
        self.plates: list[tuple] = []  # (address index, plate_no, size, state, token, active, made, installed, damaged, retired)

    def __len__(self) -> int:
        return len(self.addr["code"])


# ----------------------------------------------------------------------------- the generator
class Generator:
    def __init__(self, county: Division, count: int, seed: int):
        self.county, self.count, self.seed = county, count, seed
        self.scale = count / DEFAULT_COUNT
        self.plan = Plan()
        self.used_road_names: set[str] = set()
        self.used_compound_names: set[str] = set()
        self.towns: list[TownPlan] = []
        self.templates: dict[tuple, Components] = {}
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ entry
    def build(self) -> Plan:
        started = time.monotonic()
        county = self.county
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
        self.used_road_names = set(Road.objects.filter(county=county, valid_to__isnull=True).values_list("name", flat=True))
        self.used_compound_names = set(Area.objects.filter(county=county).values_list("name", flat=True))
        self.next_road = _next_code(Road.objects.filter(county=county).values_list("code", flat=True))
        self.next_area = _next_code(Area.objects.filter(county=county).values_list("code", flat=True))

        for town in towns:
            seat = town.seat
            frame = Frame(seat.x, seat.y)
            poly_xy = frame.to_xy(to_shapely(town.geometry))
            inner = poly_xy.buffer(-3.0)
            shapely.prepare(inner)
            tp = TownPlan(town=town, frame=frame, poly_xy=poly_xy, inner_xy=inner, dense=town.kind == "街道")
            for v in villages.get(town.pk, []):
                v.parent = town
                tp.villages.append(v)
            if tp.villages:
                vx, vy = [], []
                for v in tp.villages:
                    p = frame.to_xy(Point(v.seat.x, v.seat.y))
                    vx.append(p.x)
                    vy.append(p.y)
                tp.village_xy = np.column_stack((vx, vy))
            self.towns.append(tp)
            self._roads_for(tp)

        rng = random.Random(f"geo-mz-demo:{self.seed}:{self.count}:content")
        self.rng = rng
        groups = self._village_layout()
        rural_target = self._rural_target(groups)
        sites = self._road_sites(rural_target)
        self._compounds(sites, self.count - rural_target - sum(1 for s in sites if s["alive"]))
        self.timings["numbering"] = 0.0
        self._number_and_emit_road_addresses(sites)
        self._rural(groups, rural_target)
        self._plates()
        self.timings["plan"] = time.monotonic() - started
        return self.plan

    # ------------------------------------------------------------------ roads
    def _road_name(self, rng: random.Random, suffix: str, direction: str = "", prefer: str = "") -> str:
        if prefer:
            name = f"{prefer}{direction}{suffix}"
            if name not in self.used_road_names:
                self.used_road_names.add(name)
                return name
        for attempt in range(400):
            stem = rng.choice(ROAD_STEMS)
            d = direction if attempt < 200 else rng.choice("东西南北中")
            name = f"{stem}{d}{suffix}"
            if name not in self.used_road_names:
                self.used_road_names.add(name)
                return name
        n = 1
        while True:  # exhausted stems: numbered roads (e.g. 人民二路 would also do)
            name = f"{rng.choice(ROAD_STEMS)}{n}{suffix}"
            n += 1
            if name not in self.used_road_names:
                self.used_road_names.add(name)
                return name

    def _add_road(self, tp: TownPlan, line_xy: LineString, name: str, suffix: str, rng: random.Random) -> None:
        code = f"R{self.next_road:04d}"
        if self.next_road > 9999:
            raise ValueError("县内道路编码已用尽（R9999）")
        self.next_road += 1
        line_ll = tp.frame.to_lonlat(line_xy)
        rp = RoadPlan(code=code, name=name, kind=ROAD_KIND[suffix], township=tp.town, line_xy=line_xy, line_ll=line_ll,
                      valid_from=_date(rng, dt.date(1988, 1, 1), dt.date(2020, 12, 31)))
        rp.model = Road(code=code, name=name, kind=rp.kind, county=self.county, township=tp.town)
        tp.roads.append(len(self.plan.roads))
        self.plan.roads.append(rp)

    def _roads_for(self, tp: TownPlan) -> None:
        """Main roads through the seat, a rotated grid and some lanes, clipped to the township."""
        rng = random.Random(f"geo-mz-demo:{self.seed}:roads:{tp.town.code}")
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
            pieces = [p for p in _pieces(line.intersection(tp.poly_xy)) if p.length >= 200]
            return max(pieces, key=lambda p: p.length) if pieces else None

        stem = tp.town.name
        for suf in _TOWN_SUFFIXES:
            if stem.endswith(suf) and len(stem) > len(suf) + 1:
                stem = stem[: -len(suf)]
                break

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
            prefer = stem if i == 0 else ""
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
                    base = self._road_name(rng, "", "", prefer)  # reserve the stem itself
                    for half, word in zip(halves, words):
                        suffix_h = "路" if suffix == "大道" else suffix
                        name = self._road_name(rng, suffix_h, word, base)
                        self._add_road(tp, half, name, suffix_h, rng)
                    continue
            self._add_road(tp, line, self._road_name(rng, suffix, "", prefer), suffix, rng)

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
                self._add_road(tp, line, self._road_name(rng, suffix, direction), suffix, rng)

        # Lanes (巷): short streets half-way between two grid lines.
        for _ in range(rng.randint(6, 10) if dense else rng.randint(1, 3)):
            orient = rng.choice(("ew", "ns"))
            k = rng.randint(-k_max, k_max - 1) if k_max else 0
            off = (k + 0.5) * spacing
            i = rng.randint(-k_max, k_max - 1) if k_max else -1
            raw = wiggly(i * spacing + 20, (i + 1) * spacing - 20, off, 4, orient == "ew")
            line = clip(raw)
            if line is None:
                continue
            if tp.roads and any(self.plan.roads[j].line_xy.distance(line) < 30 and
                                self.plan.roads[j].line_xy.intersection(line.buffer(30)).length > 60
                                for j in tp.roads):
                continue  # would run along an existing road
            self._add_road(tp, line, self._road_name(rng, "巷"), "巷", rng)
        tp.road_tree = STRtree([self.plan.roads[j].line_xy for j in tp.roads])

    # ------------------------------------------------------------------ road door sites
    def _road_sites(self, rural_target: int) -> list[dict]:
        """Building entrances along the urban part of every road, both sides; their total follows
        the count (mean spacing 40 m at the default count, never under 20 m)."""
        rng = self.rng
        intervals = []  # (town index, road index, side, a, b)
        for ti, tp in enumerate(self.towns):
            radius = 2600.0 if tp.dense else 1400.0
            for ri in tp.roads:
                line = self.plan.roads[ri].line_xy
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
        target = round(total_len / 40.0 * self.scale)
        target = min(target, int(total_len / 20.0), max(0, self.count - rural_target))
        counts = _split_largest([b - a for *_, a, b in intervals], target, rng)
        sites: list[dict] = []
        for (ti, ri, side, a, b), n in zip(intervals, counts):
            if n <= 0:
                continue
            tp = self.towns[ti]
            line = self.plan.roads[ri].line_xy
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
            tp = self.towns[ti]
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
            tp.site_index = [i for k, i in enumerate(idx) if ok[k]]  # type: ignore[attr-defined]
            tp.site_tree = STRtree([Point(sites[i]["x"], sites[i]["y"]) for i in tp.site_index])  # type: ignore[attr-defined]
        return sites

    # ------------------------------------------------------------------ compounds
    def _compounds(self, sites: list[dict], budget: int) -> None:
        """Turn road sites into compound gates until the room addresses fill the count exactly."""
        rng = self.rng
        self.compound_rows: list[dict] = []
        if budget <= 0:
            return
        keyed = []
        for i, st in enumerate(sites):
            if not st["alive"]:
                continue
            tp = self.towns[st["town"]]
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
                remaining = self._try_compound(sites, i, remaining, by_road_side, pass_no)
            if remaining <= 0:
                return
        raise ValueError(f"无法在现有道路旁放下足够的小区来达到 {self.count} 个地址（还差 {remaining}）")

    def _try_compound(self, sites: list[dict], i: int, remaining: int, by_road_side: dict, pass_no: int) -> int:
        rng = self.rng
        st = sites[i]
        tp = self.towns[st["town"]]
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
        name = self._compound_name(rng)
        village = self._nearest_village(tp, st["x"], st["y"])
        code = f"A{self.next_area:04d}"
        if self.next_area > 9999:
            raise ValueError("县内片区编码已用尽（A9999）")
        self.next_area += 1
        built = _date(rng, dt.date(1998, 1, 1), dt.date(2024, 6, 30))
        area_index = len(self.plan.areas)
        ll = tp.frame.to_lonlat(rect)
        ap = AreaPlan(code=code, name=name, kind="小区", village=village, polygon_ll=ll,
                      location_ll=tuple(tp.frame.lonlat(*rect.centroid.coords[0])))  # type: ignore[arg-type]
        ap.model = Area(code=code, name=name, kind="小区", county=self.county, village=village)
        self.plan.areas.append(ap)
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
                stage, vf, vt = self._stage(rng, built)
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

    def _compound_name(self, rng: random.Random) -> str:
        for attempt in range(300):
            name = rng.choice(COMPOUND_STEMS) + rng.choice(COMPOUND_SUFFIXES)
            if attempt > 150:
                name += rng.choice(("二期", "三期", "东区", "西区", "南区", "北区"))
            if name not in self.used_compound_names:
                self.used_compound_names.add(name)
                return name
        n = 2
        while True:
            name = f"{rng.choice(COMPOUND_STEMS)}{rng.choice(COMPOUND_SUFFIXES)}{n}期"
            n += 1
            if name not in self.used_compound_names:
                self.used_compound_names.add(name)
                return name

    def _nearest_village(self, tp: TownPlan, x: float, y: float) -> Division | None:
        if tp.village_xy is None:
            return None
        d = (tp.village_xy[:, 0] - x) ** 2 + (tp.village_xy[:, 1] - y) ** 2
        return tp.villages[int(np.argmin(d))]

    # ------------------------------------------------------------------ stage, weights, rows
    @staticmethod
    def _stage(rng: random.Random, built: dt.date | None = None) -> tuple[str, dt.date | None, dt.date | None]:
        r = rng.random()
        if r < 0.02:
            return "planned", None, None
        vf = built or _date(rng, dt.date(2008, 1, 1), dt.date(2025, 12, 31))
        if r < 0.03:
            vf = min(vf, dt.date(2023, 1, 1))
            return "abandoned", vf, _date(rng, vf + dt.timedelta(days=365), DEMO_TODAY)
        return "current", vf, None

    @staticmethod
    def _status(rng: random.Random) -> str:
        r = rng.random()
        return "official" if r < 0.97 else ("unofficial" if r < 0.99 else "unknown")

    def _template(self, town: Division, village: Division | None, road: RoadPlan | None, area: AreaPlan | None
                  ) -> Components:
        """Components exactly as the register's `components_for` builds them (names, division code,
        part code); per address only the numbers change."""
        key = (town.pk, village.pk if village else None, id(road), id(area))
        tpl = self.templates.get(key)
        if tpl is None:
            data = AddressInput(location=None, door_number=1, road=road.model if road else None,  # type: ignore[arg-type]
                                area=area.model if area else None, village=village)
            tpl = components_for(data, town, village)
            self.templates[key] = tpl
        return tpl

    def _emit(self, tpl: Components, kind: str, town: Division, village: Division | None, road: int | None,
              area: int | None, x: float, y: float, number: int, suffix: int = 0, building: str = "",
              unit: str = "", room: str = "", stage: tuple = ("current", None, None),
              weights: tuple = (None, None, None)) -> None:
        c = validate(dataclasses.replace(tpl, door_number=number, door_suffix=suffix, building=building, unit=unit,
                                         room=room, floor=None))
        a = self.plan.addr
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
        a["status"].append(self._status(self.rng))
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
        a["uid"].append(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        a["kind"].append(kind)

    def _weights(self, kind: str, stage: str) -> tuple:
        rng = self.rng
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

    # ------------------------------------------------------------------ road addresses (Annex B)
    def _number_and_emit_road_addresses(self, sites: list[dict]) -> None:
        by_road = defaultdict(list)
        for i, st in enumerate(sites):
            if st["alive"]:
                by_road[st["road"]].append(i)
        self.gate_of: dict[int, int] = {}
        for ri in sorted(by_road):
            rp = self.plan.roads[ri]
            idx = by_road[ri]
            tp = self.towns[sites[idx[0]]["town"]]
            xs, ys = tp.frame.lonlat(np.array([sites[i]["x"] for i in idx]), np.array([sites[i]["y"] for i in idx]))
            points = list(shapely.points(xs, ys))
            t0 = time.monotonic()
            doors = numbering.number_new_road(rp.line_ll, points)
            self.timings["numbering"] += time.monotonic() - t0
            # Emit in door-number order along the road (odd side, then even), as a register would.
            order = sorted(range(len(idx)), key=lambda k: (doors[k].number % 2 == 0, doors[k].number, doors[k].suffix))
            for k in order:
                st = sites[idx[k]]
                door = doors[k]
                x, y = float(xs[k]), float(ys[k])
                gate = st["gate"]
                if gate is None:
                    village = self._nearest_village(tp, st["x"], st["y"])
                    tpl = self._template(tp.town, village, rp, None)
                    stage = self._stage(self.rng)
                    self._emit(tpl, "road", tp.town, village, ri, None, x, y, door.number, door.suffix, stage=stage,
                               weights=self._weights("road", stage[0]))
                    continue
                ap = self.plan.areas[gate["area"]]
                village = gate["village"]
                tpl = self._template(tp.town, village, rp, ap)
                stage = self._stage(self.rng, gate["built"])
                self._emit(tpl, "gate", tp.town, village, ri, gate["area"], x, y, door.number, door.suffix,
                           stage=stage, weights=(None, None, None))
                for (b, u, room, ex, ey, r_stage, vf, vt) in gate["rooms"]:
                    lon, lat = tp.frame.lonlat(ex, ey)
                    st_tuple = (r_stage, vf, vt)
                    self._emit(tpl, "room", tp.town, village, ri, gate["area"], float(lon), float(lat),
                               door.number, door.suffix, b, u, room, stage=st_tuple,
                               weights=self._weights("room", r_stage))

    # ------------------------------------------------------------------ villages
    def _village_layout(self) -> list[tuple[TownPlan, Division, int]]:
        """(township, 村, number of 村民小组) — fixed by the seed, independent of the count."""
        rng = random.Random(f"geo-mz-demo:{self.seed}:villages")
        out = []
        for tp in self.towns:
            for v in tp.villages:
                if v.kind == "社区" or "社区" in v.name:
                    continue
                seat = tp.frame.to_xy(Point(v.seat.x, v.seat.y))
                if not tp.inner_xy.contains(seat):
                    continue
                out.append((tp, v, rng.randint(3, 10)))
        return out

    def _rural_target(self, groups: list[tuple]) -> int:
        n_groups = sum(g for *_, g in groups)
        return min(round(n_groups * 50 * self.scale), n_groups * 120, self.count)

    def _rural(self, groups: list[tuple[TownPlan, Division, int]], target: int) -> None:
        rng = self.rng
        if target <= 0 or not groups:
            return
        n_groups = sum(g for *_, g in groups)
        mean = target / n_groups
        active = groups
        if mean < 20:  # small counts: fewer, fuller groups
            active = [(tp, v, max(1, round(g * mean / 20))) for tp, v, g in groups]
        slots = [(tp, v, k) for tp, v, g in active for k in range(1, g + 1)]
        sizes = _split_largest([1.0] * len(slots), target, rng, jitter=0.6)
        for (tp, v, k), n in zip(slots, sizes):
            if n <= 0:
                continue
            seat = tp.frame.to_xy(Point(v.seat.x, v.seat.y))
            sx, sy = seat.x, seat.y
            cx, cy = self._rural_point(tp, sx, sy, lambda: (sx + (r := 450 * math.sqrt(rng.random())) *
                                                            math.cos(a := rng.uniform(0, 2 * math.pi)),
                                                            sy + r * math.sin(a)), sx, sy)
            code = f"A{self.next_area:04d}"
            if self.next_area > 9999:
                raise ValueError("县内片区编码已用尽（A9999）")
            self.next_area += 1
            lon, lat = tp.frame.lonlat(cx, cy)
            ap = AreaPlan(code=code, name=f"{k}组", kind="村民小组", village=v, polygon_ll=None,
                          location_ll=(float(lon), float(lat)))
            ap.model = Area(code=code, name=ap.name, kind="村民小组", county=self.county, village=v)
            area_index = len(self.plan.areas)
            self.plan.areas.append(ap)
            pts = []
            for _ in range(n):
                pts.append(self._rural_point(
                    tp, sx, sy, lambda: (cx + rng.gauss(0, 110), cy + rng.gauss(0, 110)), cx, cy, limit=600))
            # Number the houses of the group going round its centre, clockwise from the north.
            pts.sort(key=lambda p: math.atan2(p[0] - cx, p[1] - cy) % (2 * math.pi))
            tpl = self._template(tp.town, v, None, ap)
            xs, ys = tp.frame.lonlat(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
            for number, (x, y) in enumerate(zip(xs, ys), start=1):
                stage = self._stage(rng)
                self._emit(tpl, "rural", tp.town, v, None, area_index, float(x), float(y), number, stage=stage,
                           weights=self._weights("rural", stage[0]))
        self.groups = len([1 for ap in self.plan.areas if ap.kind == "村民小组"])

    def _rural_point(self, tp: TownPlan, sx: float, sy: float, draw: Callable[[], tuple[float, float]],
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

    # ------------------------------------------------------------------ plates
    def _plates(self) -> None:
        """Plates for door-level addresses: 已安装 70 %, 已制作 10 %, 待制作 10 %, 损坏 5 %, none 5 %
        (current addresses); 规划 ones have none or 待制作; 废弃 ones a revoked plate."""
        rng = random.Random(f"geo-mz-demo:{self.seed}:{self.count}:plates")
        a = self.plan.addr
        county = self.county.code
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
                made = _date(rng, dt.date(2019, 1, 1), a["valid_to"][i] - dt.timedelta(days=60))
                installed = made + dt.timedelta(days=rng.randint(5, 50))
                retired = a["valid_to"][i]
            else:
                state = rng.choices(("installed", "made", "to_make", "damaged", None), (70, 10, 10, 5, 5))[0]
                if state is None:
                    continue
                if state in ("installed", "damaged"):
                    made = _date(rng, dt.date(2021, 3, 1), dt.date(2026, 6, 30))
                    installed = made + dt.timedelta(days=rng.randint(5, 60))
                    if state == "damaged":
                        damaged = _date(rng, installed + dt.timedelta(days=30), DEMO_TODAY)
                elif state == "made":
                    made = _date(rng, dt.date(2026, 5, 1), dt.date(2026, 10, 31))
            year = (made or DEMO_TODAY).year
            if year not in seq:
                prefix = f"{county}{year}"
                if prefix not in existing:
                    existing[prefix] = _max_plate_seq(prefix)
                seq[year] = existing[prefix]
            seq[year] += 1
            self.plan.plates.append((i, f"{county}{year}{seq[year]:06d}", size, state, _token(rng), active,
                                     made, installed, damaged, retired))


def to_uv(pt: tuple[float, float], c: float, s: float) -> tuple[float, float]:
    """Inverse of the grid rotation (x, y) → (u, v)."""
    x, y = pt[0], pt[1]
    return (x * c + y * s, -x * s + y * c)


def _next_code(codes) -> int:  # type: ignore[no-untyped-def]
    best = 0
    for code in codes:
        if code and code[1:].isdigit():
            best = max(best, int(code[1:]))
    return best + 1


def _max_plate_seq(prefix: str) -> int:
    from .models import DoorPlate

    last = DoorPlate.objects.filter(plate_no__startswith=prefix).order_by("-plate_no").values_list(
        "plate_no", flat=True).first()
    if last and last[len(prefix):].isdigit():
        return int(last[len(prefix):])
    return 0


# ----------------------------------------------------------------------------- writing (COPY)
def _nullable(v: object) -> str:
    return "\\N" if v is None else str(v)


def _reserve_ids(cur, table: str, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    if n == 0:
        return []
    cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
    return [r[0] for r in cur.fetchall()]


def _copy(cur, table: str, columns: tuple[str, ...], lines) -> None:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    n = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    for line in lines:
        buf.write(line)
        n += 1
        if n % COPY_CHUNK == 0:
            buf.seek(0)
            cur.copy_expert(sql, buf)
            buf = io.StringIO()
    if buf.tell():
        buf.seek(0)
        cur.copy_expert(sql, buf)


def _ewkb_hex(geoms) -> list[str]:  # type: ignore[no-untyped-def]
    arr = shapely.set_srid(np.asarray(geoms, dtype=object), SRID)
    return list(shapely.to_wkb(arr, hex=True, include_srid=True))


def write_plan(plan: Plan, county: Division, created_at: str, timings: dict | None = None) -> dict:
    """COPY the plan into the tables in the current transaction; returns the id ranges.
    `timings` (if given) receives the seconds spent per table."""
    raw = connection.cursor().cursor  # the psycopg2 cursor, for copy_expert
    timings = timings if timings is not None else {}
    clock = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        timings[name] = timings.get(name, 0.0) + now - clock[0]
        clock[0] = now

    a = plan.addr
    n = len(plan)
    road_ids = _reserve_ids(raw, "addresses_road", len(plan.roads))
    area_ids = _reserve_ids(raw, "addresses_area", len(plan.areas))
    addr_ids = _reserve_ids(raw, "addresses_address", n)
    plate_ids = _reserve_ids(raw, "addresses_doorplate", len(plan.plates))
    lap("ids")

    road_geoms = _ewkb_hex([r.line_ll for r in plan.roads])
    _copy(raw, "addresses_road", ("id", "code", "county_id", "township_id", "name", "kind", "geometry", "valid_from"),
          (f"{road_ids[i]}\t{r.code}\t{county.pk}\t{r.township.pk}\t{r.name}\t{r.kind}\t{road_geoms[i]}\t"
           f"{r.valid_from.isoformat()}\n" for i, r in enumerate(plan.roads)))
    lap("addresses_road")

    polys = _ewkb_hex([ap.polygon_ll if ap.polygon_ll is not None else None for ap in plan.areas])
    locs = _ewkb_hex([Point(ap.location_ll) if ap.location_ll else None for ap in plan.areas])
    _copy(raw, "addresses_area", ("id", "code", "county_id", "village_id", "name", "kind", "geometry", "location"),
          (f"{area_ids[i]}\t{ap.code}\t{county.pk}\t{ap.village.pk}\t{ap.name}\t{ap.kind}\t"
           f"{polys[i] or chr(92) + 'N'}\t{locs[i] or chr(92) + 'N'}\n" for i, ap in enumerate(plan.areas)))
    lap("addresses_area")

    uids = a["uid"]
    _copy(raw, "addresses_addressidentity", ("uid", "code", "created_at"),
          (f"{uids[i]}\t{a['code'][i]}\t{created_at}\n" for i in range(n)))
    lap("addresses_addressidentity")

    locations = list(shapely.to_wkb(shapely.set_srid(shapely.points(np.array(a["x"]), np.array(a["y"])), SRID),
                                    hex=True, include_srid=True))
    cols = ("id", "version", "code", "division_code", "door_number", "door_suffix", "building", "unit", "floor",
            "room", "level", "full_text", "location", "status", "stage", "valid_from", "valid_to", "households",
            "residents", "residents_60plus", "created_at", "township_id", "village_id", "identity_id", "area_id",
            "road_id")

    def address_lines():  # type: ignore[no-untyped-def]
        N = "\\N"
        for i in range(n):
            area, road = a["area"][i], a["road"][i]
            vf, vt = a["valid_from"][i], a["valid_to"][i]
            yield (f"{addr_ids[i]}\t1\t{a['code'][i]}\t{a['division_code'][i]}\t{a['door_number'][i]}\t"
                   f"{a['door_suffix'][i]}\t{a['building'][i]}\t{a['unit'][i]}\t{_nullable(a['floor'][i])}\t"
                   f"{a['room'][i]}\t{a['level'][i]}\t{a['full_text'][i]}\t{locations[i]}\t{a['status'][i]}\t"
                   f"{a['stage'][i]}\t{vf.isoformat() if vf else N}\t{vt.isoformat() if vt else N}\t"
                   f"{_nullable(a['households'][i])}\t{_nullable(a['residents'][i])}\t{_nullable(a['r60'][i])}\t"
                   f"{created_at}\t{a['township_id'][i]}\t{_nullable(a['village_id'][i])}\t{uids[i]}\t"
                   f"{area_ids[area] if area is not None else N}\t{road_ids[road] if road is not None else N}\n")

    _copy(raw, "addresses_address", cols, address_lines())
    lap("addresses_address")

    def plate_lines():  # type: ignore[no-untyped-def]
        N = "\\N"
        for j, (i, plate_no, size, state, token, active, made, installed, damaged, retired) in enumerate(plan.plates):
            yield (f"{plate_ids[j]}\t{plate_no}\t{uids[i]}\t{size}\t{state}\t{token}\t{'t' if active else 'f'}\t"
                   f"{made.isoformat() if made else N}\t{installed.isoformat() if installed else N}\t"
                   f"{damaged.isoformat() if damaged else N}\t{retired.isoformat() if retired else N}\t{created_at}\n")

    _copy(raw, "addresses_doorplate", ("id", "plate_no", "identity_id", "size", "state", "token", "token_active",
                                       "made_on", "installed_on", "damaged_on", "retired_on", "created_at"),
          plate_lines())
    lap("addresses_doorplate")
    return {
        "road_codes": [plan.roads[0].code, plan.roads[-1].code] if plan.roads else None,
        "road_ids": [min(road_ids), max(road_ids)] if road_ids else None,
        "area_codes": [plan.areas[0].code, plan.areas[-1].code] if plan.areas else None,
        "area_ids": [min(area_ids), max(area_ids)] if area_ids else None,
        "address_ids": [min(addr_ids), max(addr_ids)] if addr_ids else None,
    }


# ----------------------------------------------------------------------------- delete previous run
_GENERATED_SQL = """
CREATE TEMP TABLE demo_gen_roads ON COMMIT DROP AS
  SELECT id FROM addresses_road WHERE county_id = %(county)s AND code BETWEEN %(rc0)s AND %(rc1)s
     AND id BETWEEN %(ri0)s AND %(ri1)s;
CREATE TEMP TABLE demo_gen_areas ON COMMIT DROP AS
  SELECT id FROM addresses_area WHERE county_id = %(county)s AND code BETWEEN %(ac0)s AND %(ac1)s
     AND id BETWEEN %(ai0)s AND %(ai1)s;
CREATE TEMP TABLE demo_gen_addr ON COMMIT DROP AS
  SELECT id, identity_id, created_at FROM addresses_address
   WHERE road_id IN (SELECT id FROM demo_gen_roads) OR area_id IN (SELECT id FROM demo_gen_areas);
CREATE TEMP TABLE demo_gen_ident ON COMMIT DROP AS SELECT DISTINCT identity_id AS uid FROM demo_gen_addr;
"""

_FOREIGN_SQL = {
    "其他版本或人工新增的地址": "SELECT count(*) FROM addresses_address WHERE (identity_id IN (SELECT uid FROM demo_gen_ident) "
                        "OR id IN (SELECT id FROM demo_gen_addr)) AND created_at <> %(at)s",
    "人工新增或更换的门牌": "SELECT count(*) FROM addresses_doorplate WHERE identity_id IN (SELECT uid FROM demo_gen_ident) "
                    "AND created_at <> %(at)s",
    "门牌报错": "SELECT count(*) FROM addresses_platereport WHERE plate_id IN (SELECT id FROM addresses_doorplate "
            "WHERE identity_id IN (SELECT uid FROM demo_gen_ident))",
    "出入口": "SELECT count(*) FROM addresses_addressentrance WHERE identity_id IN (SELECT uid FROM demo_gen_ident)",
    "更名后的道路版本": "SELECT count(*) FROM addresses_road WHERE county_id = %(county)s AND code BETWEEN %(rc0)s AND %(rc1)s "
                "AND id > %(ri1)s",
}


class ForeignDataError(RuntimeError):
    pass


def delete_generated(county: Division, meta: dict, timings: dict | None = None) -> dict:
    """Delete exactly the rows of the previous generation recorded in `meta` (same transaction)."""
    if not meta.get("road_codes") and not meta.get("area_codes"):
        return {}
    rc = meta.get("road_codes") or ["R0000", "R0000"]
    ri = meta.get("road_ids") or [0, 0]
    ac = meta.get("area_codes") or ["A0000", "A0000"]
    ai = meta.get("area_ids") or [0, 0]
    params = {"county": county.pk, "rc0": rc[0], "rc1": rc[1], "ri0": ri[0], "ri1": ri[1],
              "ac0": ac[0], "ac1": ac[1], "ai0": ai[0], "ai1": ai[1], "at": meta.get("generated_at")}
    with connection.cursor() as cur:
        cur.execute(_GENERATED_SQL, params)
        problems = {}
        tables = set(connection.introspection.table_names(cur))
        for label, sql in _FOREIGN_SQL.items():
            if "addresses_platereport" in sql and "addresses_platereport" not in tables:
                continue  # table not migrated yet
            cur.execute(sql, params)
            n = cur.fetchone()[0]
            if n:
                problems[label] = n
        if problems:
            raise ForeignDataError(
                "演示道路/片区上已有非生成器写入的数据，为免误删而停止："
                + "，".join(f"{k} {v}" for k, v in problems.items())
                + "。请先处理这些数据（或换一个库）再重新生成。")
        cur.execute("ANALYZE demo_gen_roads; ANALYZE demo_gen_areas; ANALYZE demo_gen_addr; ANALYZE demo_gen_ident")
        deleted = {}
        for label, sql in (
                ("门牌", "DELETE FROM addresses_doorplate WHERE identity_id IN (SELECT uid FROM demo_gen_ident)"),
                ("地址", "DELETE FROM addresses_address WHERE id IN (SELECT id FROM demo_gen_addr)"),
                ("地址标识", "DELETE FROM addresses_addressidentity WHERE uid IN (SELECT uid FROM demo_gen_ident)"),
                ("片区", "DELETE FROM addresses_area WHERE id IN (SELECT id FROM demo_gen_areas)"),
                ("街路巷", "DELETE FROM addresses_road WHERE id IN (SELECT id FROM demo_gen_roads)")):
            t0 = time.monotonic()
            cur.execute(sql)
            deleted[label] = cur.rowcount
            if timings is not None:
                timings[label] = time.monotonic() - t0
        cur.execute("DROP TABLE demo_gen_roads, demo_gen_areas, demo_gen_addr, demo_gen_ident")
    return deleted


# ----------------------------------------------------------------------------- entry point
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
    if source and not force and all(meta.get(k) == v for k, v in params.items()) and _still_there(county, meta):
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
        gen = Generator(county, count, seed)
        plan = gen.build()
        report.timings.update(gen.timings)
        if log:
            log(f"规划完成：{len(plan)} 条地址，{len(plan.roads)} 条街路巷，{len(plan.areas)} 个片区，"
                f"{len(plan.plates)} 块门牌（{gen.timings['plan']:.1f} s），开始 COPY 写入…")
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
    report.timings["total"] = time.monotonic() - started
    return report


def _still_there(county: Division, meta: dict) -> bool:
    """Quick sanity check that the recorded generation is still in the database."""
    rc, ri = meta.get("road_codes"), meta.get("road_ids")
    if not rc or not ri:
        return False
    n = Road.objects.filter(county=county, code__gte=rc[0], code__lte=rc[1], id__gte=ri[0], id__lte=ri[1]).count()
    return n == meta.get("roads")
