"""The negative kinds of the quality set: queries that must not match any address of the county
(a door number that does not exist, an invented road or 小区, an address in another county).
"""
from __future__ import annotations

import random

import querynoise as qn
from sampling import _pick, _round_robin
from source_register import COUNTY_CODE, Register

NEGATIVE_KINDS = ("nonexistent_door", "nonexistent_road", "outside_county")

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
