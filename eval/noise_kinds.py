"""The positive noise kinds of the quality set: each `k_<kind>(addr, rng, ctx)` turns a current
address into a messy query and returns (query, note), or None when the kind does not apply.
Used by eval/generate_set.py and, through it, by bench/geocode.py's query maker.
"""
from __future__ import annotations

import random
from collections import Counter

import querynoise as qn
from querynoise import Addr
from sampling import _pick
from source_register import Register

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
