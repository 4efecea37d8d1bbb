#!/usr/bin/env python
"""Build eval/quality_set.csv: messy address queries for the demo county, each with its expected answer.

Usage (from the repository root, the dev database holding the demo register of 德清县)::

    DATABASE_URL=$(cat var/pg/database_url) .venv/bin/python eval/generate_set.py [--seed N] [--per-kind N]

Deterministic: the same register state and the same seed give the same file, byte for byte
(every query, sample and random draw is ordered and seeded; each noise kind has its own
`random.Random`). Sources are *current* (`valid_to` null, stage 现行) addresses of the county, drawn
round-robin over the townships for each address class (door on a road, compound gate, room in a
compound, rural 村+组+号). The hand-written rows of eval/handwritten.csv are checked against the
register and merged in. See eval/README.md for the kinds and how each row is scored.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import querynoise as qn  # noqa: E402
from querynoise import Addr  # noqa: E402

COUNTY_CODE = "330521"
DEFAULT_SEED = 20261123
DEFAULT_PER_KIND = 220
OUT = HERE / "quality_set.csv"
HANDWRITTEN = HERE / "handwritten.csv"
COLUMNS = ["id", "kind", "query", "expected_code", "expected_precision", "source_code", "note"]

# Noise kinds, in file order, with the mix of address classes each is drawn from.
POSITIVE_KINDS: dict[str, dict[str, float]] = {
    "exact": {"door": 0.30, "gate": 0.03, "room": 0.35, "rural": 0.32},
    "no_province_prefix": {"door": 0.30, "gate": 0.03, "room": 0.35, "rural": 0.32},
    "extra_prefix": {"door": 0.30, "gate": 0.03, "room": 0.35, "rural": 0.32},
    "short_names": {"door": 0.35, "room": 0.30, "rural": 0.35},
    "missing_township": {"door": 0.35, "gate": 0.03, "room": 0.30, "rural": 0.32},
    "village_committee": {"door": 0.25, "room": 0.25, "rural": 0.50},
    "building_variants": {"room": 1.0},
    "unit_room_forms": {"room": 1.0},
    "fullwidth": {"door": 0.30, "room": 0.40, "rural": 0.30},
    "chinese_numerals": {"door": 0.30, "room": 0.35, "rural": 0.35},
    "traditional": {"door": 0.30, "gate": 0.03, "room": 0.35, "rural": 0.32},
    "punctuation_noise": {"door": 0.30, "gate": 0.03, "room": 0.35, "rural": 0.32},
    "homophone_typo": {"door": 0.35, "room": 0.30, "rural": 0.35},
    "swapped_order": {"door": 0.35, "room": 0.30, "rural": 0.35},
}
NEGATIVE_KINDS = ("nonexistent_door", "nonexistent_road", "outside_county")
# Skipped on purpose (see README): the demo register has no renamed road, no retired 片区 name and
# no retired division inside 德清县, so an `old_name` query would have no true old name to use.
SKIPPED_KINDS = {"old_name": "登记库中德清县没有曾用名（道路、片区、乡镇均无更名记录），跳过"}
ALL_KINDS = (*POSITIVE_KINDS, *NEGATIVE_KINDS, "handwritten")

# Invented road/compound stems for `nonexistent_road`. At run time a stem is dropped if it shares
# a character with the stem of any real road, 小区, 村/社区 or township of the county, so that an
# invented name is never one slip away from a real one (that would be a typo, not a new road).
INVENTED_STEMS = ("玉泉 凌霄 凯旋 柳营 槐荫 蓬莱 嘉泰 琥珀 芙蓉 牡丹 鼓楼 听涛 枕流 鹭岛 雪松 芦苇 琴台 "
                  "棋盘 凯悦 玲珑 博雅 悦来 聆涛 麒麟 蓓蕾 菱角 驿站 邮电 粮站 供销 轮船 车站 机场 电厂 "
                  "纱厂 昆仑 泰岳 嵩岳 岱宗 潇湘 滇池 洞庭 汴梁 邯郸 姑苏 会稽 诸暨 普陀 嵊泗").split()

# Real township names of neighbouring counties that the register holds only at county level
# (typed from public gazetteers; they are only used to make outside-county queries look real).
OUTSIDE_TOWNS = {
    "安吉县": ["递铺街道", "孝丰镇", "天子湖镇", "梅溪镇"],
    "长兴县": ["雉城街道", "太湖街道", "泗安镇", "和平镇"],
    "吴兴区": ["爱山街道", "织里镇", "八里店镇", "妙西镇"],
    "余杭区": ["良渚街道", "仁和街道", "瓶窑镇", "径山镇"],
    "临平区": ["南苑街道", "塘栖镇", "崇贤街道"],
    "海宁市": ["海洲街道", "许村镇", "长安镇"],
}


# ---------------------------------------------------------------------------------------------
# Reading the register
# ---------------------------------------------------------------------------------------------

class Register:
    """What the generator needs from the dev database, read once, in code order."""

    def __init__(self) -> None:
        self.addresses: list[Addr] = []
        self.codes: set[str] = set()
        self.road_names: dict[str, str] = {}  # code → name (current)
        self.road_town: dict[str, tuple[str, str]] = {}  # road code → (town code, town name)
        self.area_names: dict[str, str] = {}  # code → name (小区 only)
        self.group_info: dict[str, tuple[str, str, str, str, int]] = {}  # A code → village, town, town code, village code, n
        self.road_doors: dict[str, set[tuple[int, int]]] = defaultdict(set)  # every version, every stage
        self.group_doors: dict[str, set[int]] = defaultdict(set)
        self.towns: list[tuple[str, str]] = []  # (code, name) of the county's townships
        self.villages: list[tuple[str, str, str, str]] = []  # (code, name, kind, town code)
        self.division_codes: set[str] = set()
        self.outside: list[dict] = []  # outside counties with townships and villages
        self.outside_all: dict[str, dict] = {}  # every current county outside, by code
        self.skipped_text = 0

    # names that a typo or an invented name must never produce
    def all_names(self) -> set[str]:
        names = set(self.road_names.values()) | set(self.area_names.values())
        names |= {n for _, n in self.towns} | {v[1] for v in self.villages}
        return names


def read_register() -> Register:
    from django.db import connection

    reg = Register()
    with connection.cursor() as cur:
        cur.execute("SELECT code, name FROM divisions_division WHERE level = 'township' AND valid_to IS NULL "
                    "AND code LIKE %s ORDER BY code", [COUNTY_CODE + "%"])
        reg.towns = list(cur.fetchall())
        cur.execute("SELECT v.code, v.name, v.kind, t.code FROM divisions_division v "
                    "JOIN divisions_division t ON t.id = v.parent_id WHERE v.level = 'village' "
                    "AND v.valid_to IS NULL AND v.code LIKE %s ORDER BY v.code", [COUNTY_CODE + "%"])
        reg.villages = list(cur.fetchall())
        cur.execute("SELECT code FROM divisions_division WHERE code IS NOT NULL AND valid_to IS NULL")
        reg.division_codes = {c for (c,) in cur.fetchall()}
        cur.execute("SELECT r.code, r.name, t.code, t.name FROM addresses_road r "
                    "JOIN divisions_division t ON t.id = r.township_id WHERE r.valid_to IS NULL ORDER BY r.code")
        for code, name, tcode, tname in cur.fetchall():
            reg.road_names[code] = name
            reg.road_town[code] = (tcode, tname)
        cur.execute("SELECT a.code, a.name, a.kind, v.name, v.code, t.name, t.code FROM addresses_area a "
                    "JOIN divisions_division v ON v.id = a.village_id JOIN divisions_division t ON t.id = v.parent_id "
                    "WHERE a.valid_to IS NULL ORDER BY a.code")
        for code, name, kind, vname, vcode, tname, tcode in cur.fetchall():
            if kind == "小区":
                reg.area_names[code] = name
            elif kind == "村民小组" and name.endswith("组") and name[:-1].isdigit():
                reg.group_info[code] = (vname, tname, tcode, vcode, int(name[:-1]))
        cur.execute("SELECT r.code, a.door_number, a.door_suffix FROM addresses_address a "
                    "JOIN addresses_road r ON r.id = a.road_id WHERE a.door_number IS NOT NULL")
        for rcode, n, s in cur.fetchall():
            reg.road_doors[rcode].add((n, s))
        cur.execute("SELECT ar.code, a.door_number FROM addresses_address a JOIN addresses_area ar ON ar.id = a.area_id "
                    "WHERE a.road_id IS NULL AND a.door_number IS NOT NULL")
        for acode, n in cur.fetchall():
            reg.group_doors[acode].add(n)
        cur.execute("""
            SELECT a.code, a.full_text, a.level, a.door_number, a.door_suffix, a.building, a.unit, a.room,
                   t.code, t.name, v.name, v.kind, r.code, r.name, ar.code, ar.name, ar.kind
            FROM addresses_address a
            JOIN divisions_division t ON t.id = a.township_id
            LEFT JOIN divisions_division v ON v.id = a.village_id
            LEFT JOIN addresses_road r ON r.id = a.road_id
            LEFT JOIN addresses_area ar ON ar.id = a.area_id
            WHERE a.valid_to IS NULL AND a.stage = 'current' AND a.code LIKE %s
            ORDER BY a.code""", [COUNTY_CODE + "%"])
        for (code, full, level, door, suffix, building, unit, room, tcode, tname, vname, vkind, rcode, rname,
             acode, aname, akind) in cur.fetchall():
            reg.codes.add(code)
            if vname is None or door is None:
                reg.skipped_text += 1
                continue
            if rcode is None:
                if akind != "村民小组" or acode not in reg.group_info:
                    reg.skipped_text += 1
                    continue
                cls = "rural"
            elif acode is None:
                cls = "door"
            else:
                cls = "room" if level == "room" else "gate"
            a = Addr(code=code, full_text=full, cls=cls, town=tname, town_code=tcode, village=vname,
                     village_kind=vkind or ("社区" if vname.endswith("社区") else "村"),
                     road=rname or "", road_code=rcode or "", compound=aname if akind == "小区" else "",
                     group=reg.group_info[acode][4] if cls == "rural" else None, area_code=acode or "",
                     door=door, suffix=suffix or 0, building=building or "", unit=unit or "", room=room or "",
                     level=level)
            if a.standard() != full:  # a text this generator cannot take apart: never sampled
                reg.skipped_text += 1
                continue
            reg.addresses.append(a)
        # Counties outside: names of the county, its prefecture and province; townships and villages.
        cur.execute("SELECT c.code, c.name, p.name, pp.name FROM divisions_division c "
                    "JOIN divisions_division p ON p.id = c.parent_id LEFT JOIN divisions_division pp ON pp.id = p.parent_id "
                    "WHERE c.level = 'county' AND c.valid_to IS NULL AND c.code IS NOT NULL ORDER BY c.code")
        counties = {}
        for code, name, pref, prov in cur.fetchall():
            counties[code] = {"code": code, "name": name, "pref": pref, "prov": prov or "", "towns": []}
        cur.execute("SELECT t.code, t.name, c.code FROM divisions_division t JOIN divisions_division c ON c.id = t.parent_id "
                    "WHERE t.level = 'township' AND t.valid_to IS NULL AND c.code <> %s ORDER BY t.code", [COUNTY_CODE])
        towns = {}
        for tcode, tname, ccode in cur.fetchall():
            if ccode in counties:
                entry = {"code": tcode, "name": tname, "villages": []}
                counties[ccode]["towns"].append(entry)
                towns[tcode] = entry
        cur.execute("SELECT v.name, t.code FROM divisions_division v JOIN divisions_division t ON t.id = v.parent_id "
                    "WHERE v.level = 'village' AND v.valid_to IS NULL AND t.code NOT LIKE %s ORDER BY v.code",
                    [COUNTY_CODE + "%"])
        for vname, tcode in cur.fetchall():
            if tcode in towns:
                towns[tcode]["villages"].append(vname)
        reg.outside = [c for c in counties.values() if c["towns"]]
        reg.outside_all = counties
    return reg


# ---------------------------------------------------------------------------------------------
# Picking sources: round-robin over townships, without replacement across the whole set
# ---------------------------------------------------------------------------------------------

class Picker:
    def __init__(self, reg: Register, rng: random.Random):
        self.pools: dict[str, dict[str, list[Addr]]] = defaultdict(lambda: defaultdict(list))
        for a in reg.addresses:
            self.pools[a.cls][a.town_code].append(a)
        for by_town in self.pools.values():
            for pool in by_town.values():
                rng.shuffle(pool)
        self.turn: Counter = Counter()
        self.used: set[str] = set()

    def take(self, cls: str, accept: Callable[[Addr], bool] = lambda a: True) -> Addr | None:
        towns = sorted(t for t, pool in self.pools[cls].items() if pool)
        for k in range(len(towns)):
            town = towns[(self.turn[cls] + k) % len(towns)]
            pool = self.pools[cls][town]
            for i, a in enumerate(pool):
                if a.code not in self.used and accept(a):
                    pool.pop(i)
                    self.used.add(a.code)
                    self.turn[cls] += k + 1
                    return a
        return None

    def give_back(self, a: Addr) -> None:
        """A source the noise did not apply to: free for a later kind (at the end of its pool)."""
        self.used.discard(a.code)
        self.pools[a.cls][a.town_code].append(a)


def class_sequence(mix: dict[str, float], n: int, rng: random.Random) -> list[str]:
    """`n` address classes in the proportions of `mix` (largest remainder), interleaved."""
    raw = {c: w * n for c, w in mix.items()}
    counts = {c: int(v) for c, v in raw.items()}
    for c in sorted(raw, key=lambda c: raw[c] - counts[c], reverse=True)[: n - sum(counts.values())]:
        counts[c] += 1
    seq = [c for c, k in counts.items() for _ in range(k)]
    rng.shuffle(seq)
    return seq


# ---------------------------------------------------------------------------------------------
# The positive noise kinds: each returns (query, note) or None when it does not apply
# ---------------------------------------------------------------------------------------------

class Context:
    def __init__(self, reg: Register):
        self.reg = reg
        self.names = reg.all_names()
        vnames = Counter(v[1] for v in reg.villages)
        self.unique_village = {n for n, k in vnames.items() if k == 1}
        stems = Counter(qn.village_stem(v[1]) for v in reg.villages)
        stems.update(qn.town_stem(n) for _, n in reg.towns)
        self.short_village = {v[1] for v in reg.villages
                              if v[2] == "村" and v[1] in self.unique_village and len(v[1]) >= 3
                              and stems[qn.village_stem(v[1])] == 1}


def _pick(rng: random.Random, weighted: list[tuple[float, str]]) -> str:
    x = rng.random() * sum(w for w, _ in weighted)
    for w, v in weighted:
        x -= w
        if x <= 0:
            return v
    return weighted[-1][1]


def k_exact(a: Addr, rng: random.Random, ctx: Context):
    return a.full_text, "标准地址原文"


def k_no_province_prefix(a: Addr, rng: random.Random, ctx: Context):
    body = a.town + "".join(a.tail())
    if rng.random() < 0.5:
        return qn.PREFECTURE + qn.COUNTY + body, "省略浙江省"
    return qn.COUNTY + body, "省略浙江省湖州市"


def k_extra_prefix(a: Addr, rng: random.Random, ctx: Context):
    body = a.town + "".join(a.tail())
    form = _pick(rng, [(0.3, "cn"), (0.1, "prc"), (0.25, "zjhzdq"), (0.1, "cnzjhzdqx"), (0.15, "zjsdqx"), (0.1, "post")])
    if form == "cn":
        return "中国" + a.full_text, "前加“中国”"
    if form == "prc":
        return "中华人民共和国" + a.full_text, "前加“中华人民共和国”"
    if form == "zjhzdq":
        return "浙江湖州德清" + body, "前缀写作“浙江湖州德清”（无省市县字）"
    if form == "cnzjhzdqx":
        return "中国浙江湖州德清县" + body, "前缀写作“中国浙江湖州德清县”"
    if form == "zjsdqx":
        return "浙江省德清县" + body, "前缀缺地级市：“浙江省德清县”"
    return "邮编313200 " + a.full_text, "前加邮编"


def k_short_names(a: Addr, rng: random.Random, ctx: Context):
    head = _pick(rng, [(0.3, "浙江湖州德清"), (0.15, "湖州德清"), (0.3, "德清"), (0.15, "浙江省湖州市德清县"),
                       (0.1, "德清县")])
    notes = []
    if "德清" in head and not head.endswith("县"):
        notes.append("德清县→德清")
    if head.startswith("浙江湖州"):
        notes.append("浙江省湖州市→浙江湖州")
    village_ok = a.cls == "rural" and a.village in ctx.short_village
    short_village = village_ok and rng.random() < 0.6
    short_town = rng.random() < 0.75 or not (notes or short_village)
    town = qn.town_stem(a.town) if short_town else a.town
    if short_town and town != a.town:
        notes.append(f"{a.town}→{town}")
    tail = a.tail()
    if short_village:
        stem = qn.village_stem(a.village)
        tail = [stem] + tail[1:]
        notes.append(f"{a.village}→{stem}")
    if not notes:
        return None
    return head + town + "".join(tail), "，".join(notes)


def k_missing_township(a: Addr, rng: random.Random, ctx: Context):
    if a.cls == "rural" and a.village not in ctx.unique_village:
        return None  # the village name alone would not say which one
    head = _pick(rng, [(0.6, "浙江省湖州市德清县"), (0.3, "德清县"), (0.1, "湖州市德清县")])
    return head + "".join(a.tail()), f"省略乡镇（{a.town}）"


def _committee(name: str, kind: str, rng: random.Random) -> str:
    if kind == "社区" or name.endswith("社区"):
        return name + ("居委会" if rng.random() < 0.7 else "居民委员会")
    stem = name[:-1] if name.endswith("村") else name
    return _pick(rng, [(0.5, stem + "村委会"), (0.3, name + "村委会"), (0.2, name + "民委员会")])


def k_village_committee(a: Addr, rng: random.Random, ctx: Context):
    committee = _committee(a.village, a.village_kind, rng)
    head = "".join(a.head()) + a.town
    if a.cls == "rural":
        return head + committee + "".join(a.tail()[1:]), f"{a.village}→{committee}"
    return head + committee + "".join(a.tail()), f"插入所在村/社区：{committee}"


def k_building_variants(a: Addr, rng: random.Random, ctx: Context):
    if not a.building:
        return None
    marker = _pick(rng, [(0.3, "栋"), (0.25, "号楼"), (0.1, "座"), (0.15, "#"), (0.1, "#楼"), (0.1, "号")])
    rooms = f"{a.building}{marker}" + (f"{a.unit}单元" if a.unit else "") + (f"{a.room}室" if a.room else "")
    body = "".join(a.head()) + a.town + a.road + a.door_text() + a.compound + rooms
    return body, f"幢→{marker}"


def k_unit_room_forms(a: Addr, rng: random.Random, ctx: Context):
    if not (a.building and a.unit and a.room):
        return None
    b, u, r = a.building, a.unit, a.room
    floor = r[:-2] if len(r) >= 3 else ""
    forms = [(0.25, f"{b}-{u}-{r}"), (0.1, f"{b}-{u}-{r}室"), (0.15, f"{b}幢{u}单元{r}"), (0.1, f"{b}栋{u}单元{r}"),
             (0.1, f"{b}幢{u}-{r}"), (0.05, f"{b}幢{u}单元{r}号"), (0.05, f"{b}幢{u}单元{r}房"),
             (0.1, f"{b}幢{u}单元{floor}楼{r}室" if floor else f"{b}-{u}-{r}"), (0.1, f"{b}#{u}-{r}")]
    rooms = _pick(rng, forms)
    head = "".join(a.head()) + a.town if rng.random() < 0.7 else qn.COUNTY + a.town
    return head + a.road + a.door_text() + a.compound + rooms, f"幢单元室写作“{rooms}”"


def k_fullwidth(a: Addr, rng: random.Random, ctx: Context):
    return qn.fullwidth(a.full_text), "数字为全角"


def k_chinese_numerals(a: Addr, rng: random.Random, ctx: Context):
    fields = ["door"] + (["group"] if a.cls == "rural" else []) + \
             [f for f in ("building", "unit", "room") if getattr(a, f)]
    chosen = [f for f in fields if rng.random() < 0.6] or [rng.choice(fields)]
    zero = "〇" if rng.random() < 0.4 else "零"

    def num(f: str, value) -> str:  # type: ignore[no-untyped-def]
        if f not in chosen:
            return str(value)
        return qn.cn_digits(str(value), zero) if f == "room" else qn.cn_number(int(value))

    door = num("door", a.door) + (f"-{a.suffix}" if a.suffix else "") + "号"
    head = "".join(a.head()) + a.town
    if a.cls == "rural":
        text = head + a.village + num("group", a.group) + "组" + door
    else:
        text = head + a.road + door + a.compound
        if a.building:
            text += num("building", a.building) + "幢"
        if a.unit:
            text += num("unit", a.unit) + "单元"
        if a.room:
            text += num("room", a.room) + "室"
    names = {"door": "门牌号", "group": "组号", "building": "幢号", "unit": "单元号", "room": "室号"}
    return text, "中文数字：" + "、".join(names[f] for f in fields if f in chosen)


def k_traditional(a: Addr, rng: random.Random, ctx: Context):
    text = a.full_text if rng.random() < 0.7 else qn.COUNTY + a.town + "".join(a.tail())
    trad = qn.traditional(text)
    changed = sorted({c for c in text if qn.S2T.get(c)})
    return (trad, "繁体：" + "".join(qn.S2T[c] for c in changed)) if trad != text else None


def k_punctuation_noise(a: Addr, rng: random.Random, ctx: Context):
    segs = a.head() + [a.town] + a.tail()
    notes = []
    town_i = 3
    if rng.random() < 0.3:
        left, right = rng.choice([("（", "）"), ("(", ")"), ("[", "]"), ("【", "】")])
        segs[town_i] = left + segs[town_i] + right
        notes.append("乡镇加括号")
    door_i = len(a.head()) + 1 + (2 if a.cls == "rural" else 1)
    if rng.random() < 0.3 and segs[door_i].endswith("号") and not a.suffix:
        segs[door_i] = rng.choice(["No.", "No. ", "NO.", "no."]) + segs[door_i][:-1]
        notes.append("门牌写作 No.")
    seps = [" ", " ", "，", ",", "、", "  ", "", "", "", "."]
    out, gaps = segs[0], 0
    for s in segs[1:]:
        sep = rng.choice(seps)
        if sep and not (sep == "." and (out[-1].isdigit() or s[:1].isdigit())):
            gaps += 1
            out += sep
        out += s
    if gaps < 2:  # make sure there is real noise between the parts
        out = " ".join(segs[:4]) + "，" + "".join(segs[4:])
    notes.append("分隔符（空格/逗号/顿号）")
    if rng.random() < 0.2:
        out = rng.choice(["地址：", "住址:", " "]) + out + rng.choice(["。", " ", ";"])
        notes.append("首尾标点")
    return out, "，".join(notes)


def k_homophone_typo(a: Addr, rng: random.Random, ctx: Context):
    if a.cls == "rural":
        target, name, stem = "village", a.village, qn.village_stem(a.village)
    elif a.cls == "room" and rng.random() < 0.6:
        target, name = "compound", a.compound
        stem = qn.split_compound(name)[0]
    else:
        target, name = "road", a.road
        stem = qn.split_road(name)[0]
    lookalike = rng.random() < 0.2
    typo = qn.typo_name(name, stem, rng, ctx.names, lookalike=lookalike) or \
        qn.typo_name(name, stem, rng, ctx.names, lookalike=not lookalike)
    if typo is None:
        return None
    new, change = typo
    if any(new in other or other in new for other in ctx.names if len(other) >= 3 and other != name):
        return None  # the typo would spell (or hide) another real name
    text = a.full_text.replace(name, new, 1)
    return text, f"{target}:{name}→{new}（{change}）"


def k_swapped_order(a: Addr, rng: random.Random, ctx: Context):
    tail = "".join(a.tail())
    form = _pick(rng, [(0.4, "a"), (0.3, "b"), (0.3, "c")])
    if form == "a":
        sep = rng.choice([" ", "，", ""])
        return tail + sep + a.town + sep + qn.COUNTY, "街路巷/村在前，乡镇、县在后"
    if form == "b":
        return qn.COUNTY + tail + a.town, "乡镇放在末尾"
    return tail + " " + "".join(a.head()) + a.town, "先写街路巷/村，再写省市县乡镇"


POSITIVE_FUNCS = {k: globals()["k_" + k] for k in POSITIVE_KINDS}


# ---------------------------------------------------------------------------------------------
# Negatives
# ---------------------------------------------------------------------------------------------

def _round_robin(items: list, key: Callable) -> list:
    """Items interleaved over their `key` groups (each group in its given order)."""
    groups = defaultdict(list)
    for it in items:
        groups[key(it)].append(it)
    order = sorted(groups)
    out = []
    while any(groups.values()):
        for g in order:
            if groups[g]:
                out.append(groups[g].pop(0))
    return out


def gen_nonexistent_door(reg: Register, n: int, rng: random.Random) -> list[dict]:
    rows = []
    roads = [c for c in sorted(reg.road_names) if reg.road_doors.get(c)]
    rng.shuffle(roads)
    roads = _round_robin(roads, key=lambda c: reg.road_town[c][0])
    groups = sorted(reg.group_info)
    rng.shuffle(groups)
    groups = _round_robin(groups, key=lambda c: reg.group_info[c][2])
    n_rural = n // 4
    ri = gi = 0
    while len(rows) < n - n_rural:
        code = roads[ri % len(roads)]
        ri += 1
        name = reg.road_names[code]
        tcode, tname = reg.road_town[code]
        doors = reg.road_doors[code]
        numbers = {d for d, _ in doors}
        top = max(numbers)
        form = _pick(rng, [(0.45, "beyond"), (0.45, "gap"), (0.1, "suffix")])
        gaps = [k for k in range(1, top) if k not in numbers]
        if form == "gap" and gaps:
            door, note = rng.choice(gaps), f"该路门牌号不连续，此号不存在（现有 1–{top} 号间有缺号）"
            text = f"{door}号"
        elif form == "suffix":
            base = rng.choice(sorted(numbers))
            sufs = {s for d, s in doors if d == base}
            s = next(k for k in range(1, 20) if k not in sufs)
            text, note = f"{base}-{s}号", f"{base}号存在，附号 {base}-{s}号不存在（不可匹配成 {base}号）"
        else:
            door = top + rng.randint(2, 120)
            text, note = f"{door}号", f"超出该路最大门牌号 {top}"
        head = _pick(rng, [(0.5, "浙江省湖州市德清县" + tname), (0.3, "德清县" + tname), (0.2, "德清")])
        rows.append({"kind": "nonexistent_door", "query": head + name + text, "expected_code": "",
                     "expected_precision": "街路巷", "source_code": code,
                     "note": f"道路“{name}”存在；{note}；返回该道路（街路巷级）或不匹配均算正确"})
    while len(rows) < n:
        code = groups[gi % len(groups)]
        gi += 1
        vname, tname, tcode, vcode, k = reg.group_info[code]
        top = max(reg.group_doors.get(code, {0}))
        door = top + rng.randint(3, 60)
        head = _pick(rng, [(0.6, "浙江省湖州市德清县" + tname), (0.4, "德清县" + tname)])
        rows.append({"kind": "nonexistent_door", "query": f"{head}{vname}{k}组{door}号", "expected_code": "",
                     "expected_precision": "片区", "source_code": code,
                     "note": f"{vname}{k}组存在（最大 {top} 号）；{door}号不存在；返回该组（片区级）或不匹配均算正确"})
    return rows


def gen_nonexistent_road(reg: Register, n: int, rng: random.Random) -> list[dict]:
    names = reg.all_names()
    real = {qn.split_road(n)[0] for n in reg.road_names.values()} | {qn.split_compound(n)[0] for n in reg.area_names.values()}
    real |= {qn.village_stem(v[1]) for v in reg.villages} | {qn.town_stem(t) for _, t in reg.towns}
    used_chars = set("".join(real))
    stems = [s for s in INVENTED_STEMS if not set(s) & used_chars]
    rows, seen = [], set()
    towns = sorted(reg.towns)
    i = 0
    while len(rows) < n:
        stem = rng.choice(stems)
        tcode, tname = towns[i % len(towns)]
        i += 1
        form = _pick(rng, [(0.6, "town"), (0.25, "county"), (0.15, "compound")])
        if form == "compound":
            cname = stem + rng.choice(["花园", "家园", "名苑", "公寓", "小区"])
            if cname in names:
                continue
            b, u, r = rng.randint(1, 20), rng.randint(1, 3), f"{rng.randint(1, 18)}0{rng.randint(1, 4)}"
            query = f"浙江省湖州市德清县{tname}{cname}{b}幢{u}单元{r}室"
            row = {"expected_precision": "乡镇", "source_code": tcode, "note": f"虚构小区“{cname}”（无道路）"}
        else:
            direction = rng.choice(["", "", "", "东", "西", "南", "北"])
            kind = _pick(rng, [(0.6, "路"), (0.25, "街"), (0.1, "大道"), (0.05, "巷")])
            rname = stem + direction + kind
            if rname in names:
                continue
            door = rng.randint(1, 220)
            if form == "town":
                query = f"{rng.choice(['浙江省湖州市德清县', '德清县'])}{tname}{rname}{door}号"
                row = {"expected_precision": "乡镇", "source_code": tcode, "note": f"虚构道路“{rname}”"}
            else:
                query = f"{rng.choice(['浙江省湖州市德清县', '德清县', '德清'])}{rname}{door}号"
                row = {"expected_precision": "区县", "source_code": COUNTY_CODE, "note": f"虚构道路“{rname}”（无乡镇）"}
        if query in seen:
            continue
        seen.add(query)
        row["note"] += "；不得匹配到任何地址或其他道路，只可返回所写乡镇/县或不匹配"
        rows.append({"kind": "nonexistent_road", "query": query, "expected_code": "", **row})
    return rows


def gen_outside_county(reg: Register, n: int, rng: random.Random) -> list[dict]:
    home_villages = {v[1] for v in reg.villages}
    road_codes = [c for c in sorted(reg.road_names) if reg.road_doors.get(c)]
    compounds = [a for a in reg.addresses if a.cls == "room"]
    rng.shuffle(compounds)
    outside = [c for c in reg.outside]
    gazetteer = []
    for cname, towns in OUTSIDE_TOWNS.items():
        for c in reg.outside_all.values():
            if c["name"] == cname and c["prov"] == "浙江省":
                gazetteer.append((c, towns))
    rows, seen = [], set()
    i = 0
    while len(rows) < n:
        i += 1
        form = _pick(rng, [(0.3, "village"), (0.25, "road"), (0.15, "compound"), (0.15, "gazetteer"), (0.15, "short")])
        if form == "gazetteer" and gazetteer:
            county, towns = gazetteer[i % len(gazetteer)]
            town = rng.choice(towns)
        else:
            county = outside[i % len(outside)]
            tlist = [t for t in county["towns"] if t["name"][-1] in "镇乡道"] or county["towns"]
            town_entry = rng.choice(tlist)
            town = town_entry["name"]
        full_head = f"{county['prov']}{county['pref']}{county['name']}"
        if form == "short":
            full_head = qn.county_stem(county["name"])
            full_head = county["prov"][:2] + full_head if rng.random() < 0.4 else full_head
        if form == "village" or (form == "gazetteer" and rng.random() < 0.3):
            villages = town_entry["villages"] if form == "village" else []
            pref = [v for v in villages if v in home_villages]
            vname = rng.choice(pref or villages) if villages else rng.choice(sorted(home_villages - {""}))
            if not vname.endswith("村"):
                vname = rng.choice(sorted(v for v in home_villages if v.endswith("村")))
            tail = f"{vname}{rng.randint(1, 9)}组{rng.randint(1, 60)}号"
            note = f"外县地址（{county['name']}），村名{'与德清同名' if vname in home_villages else '为外县村'}"
        elif form == "compound":
            a = compounds[i % len(compounds)]
            tail = a.compound + f"{a.building}幢{a.unit}单元{a.room}室"
            note = f"外县地址（{county['name']}），小区名借用德清小区“{a.compound}”"
        else:
            code = road_codes[(i * 7) % len(road_codes)]
            door = rng.choice(sorted(d for d, s in reg.road_doors[code] if s == 0))
            tail = f"{reg.road_names[code]}{door}号"
            note = f"外县地址（{county['name']}），路名与门牌号在德清确有同名地址"
        query = full_head + town + tail
        if query in seen:
            continue
        seen.add(query)
        rows.append({"kind": "outside_county", "query": query, "expected_code": "", "expected_precision": "村社区",
                     "source_code": county["code"],
                     "note": note + "；不得匹配德清县的任何对象，只可返回该外县区划或不匹配"})
    return rows


NEGATIVE_FUNCS = {"nonexistent_door": gen_nonexistent_door, "nonexistent_road": gen_nonexistent_road,
                  "outside_county": gen_outside_county}


# ---------------------------------------------------------------------------------------------
# Hand-written rows and checks
# ---------------------------------------------------------------------------------------------

def read_handwritten(path: Path = HANDWRITTEN) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [dict(r) for r in csv.DictReader(f)]
    for r in rows:
        r["kind"] = "handwritten"
    return rows


def check_rows(rows: list[dict], reg: Register) -> list[str]:
    """Problems that make a row unusable: a missing expected address, a bad source, duplicates."""
    problems = []
    ids = Counter(r["id"] for r in rows)
    problems += [f"duplicate id {i}" for i, k in ids.items() if k > 1]
    by_query = defaultdict(set)
    for r in rows:
        by_query[r["query"]].add(r["expected_code"])
    problems += [f"same query, different answers: {q}" for q, codes in by_query.items() if len(codes) > 1]
    for r in rows:
        code, src, prec = r["expected_code"], r["source_code"], r["expected_precision"]
        if code and code not in reg.codes:
            problems.append(f"{r['id']}: expected code {code} is not a current address")
        if prec not in qn_precisions() and not (prec == "" and not code):
            problems.append(f"{r['id']}: unknown precision {prec!r}")
        if src and not (src in reg.codes or src in reg.road_names or src in reg.area_names
                        or src in reg.group_info or src in reg.division_codes):
            problems.append(f"{r['id']}: source code {src} not in the register")
        if not r["query"].strip():
            problems.append(f"{r['id']}: empty query")
    return problems


def qn_precisions() -> tuple[str, ...]:
    return ("户室", "楼栋", "门牌", "街路巷", "片区", "村社区", "乡镇", "区县")


def build(seed: int, per_kind: int) -> tuple[list[dict], Register]:
    reg = read_register()
    ctx = Context(reg)
    picker = Picker(reg, random.Random(f"geo-mz-eval:{seed}:pools"))
    rows: list[dict] = []
    for kind, mix in POSITIVE_KINDS.items():
        rng = random.Random(f"geo-mz-eval:{seed}:{kind}")
        func = POSITIVE_FUNCS[kind]
        made, seen = 0, set()
        for cls in class_sequence(mix, per_kind, rng):
            for _attempt in range(50):
                a = picker.take(cls) or picker.take("door")  # the 56 compound gates can run out
                if a is None:
                    break
                out = func(a, rng, ctx)
                if out is None or out[0] in seen:
                    picker.give_back(a)
                    continue
                query, note = out
                seen.add(query)
                made += 1
                rows.append({"id": f"{kind}-{made:04d}", "kind": kind, "query": query, "expected_code": a.code,
                             "expected_precision": a.precision, "source_code": a.code, "note": note})
                break
    for kind in NEGATIVE_KINDS:
        rng = random.Random(f"geo-mz-eval:{seed}:{kind}")
        for k, row in enumerate(NEGATIVE_FUNCS[kind](reg, per_kind, rng), start=1):
            rows.append({"id": f"{kind}-{k:04d}", **row})
    rows += read_handwritten()
    return rows, reg


def write(rows: list[dict], path: Path = OUT) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--per-kind", type=int, default=DEFAULT_PER_KIND, help="rows per generated noise kind")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_mz.settings.dev")
    import django

    django.setup()
    rows, reg = build(args.seed, args.per_kind)
    problems = check_rows(rows, reg)
    if problems:
        print("\n".join(problems[:50]), file=sys.stderr)
        print(f"{len(problems)} problem(s); {args.out} not written", file=sys.stderr)
        return 1
    write(rows, args.out)
    counts = Counter(r["kind"] for r in rows)
    print(f"{len(rows)} rows → {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out} "
          f"(from {len(reg.addresses)} current addresses; {reg.skipped_text} not usable as sources)")
    for kind in ALL_KINDS:
        neg = sum(1 for r in rows if r["kind"] == kind and not r["expected_code"])
        print(f"  {kind:<20}{counts[kind]:>5}" + (f"  ({neg} should not match)" if neg else ""))
    for kind, why in SKIPPED_KINDS.items():
        print(f"  {kind:<20}    —  {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
