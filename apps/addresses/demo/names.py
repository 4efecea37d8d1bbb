"""Names and codes of the demo generator: the vocabulary (road and compound name stems, suffixes,
directions), `NameBook` (road and 小区 names unique in the county), the stem of a township name,
and the lowest free R####/A#### codes of the county."""
from __future__ import annotations

import random
from typing import Iterator

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


class NameBook:
    """The road and compound names already taken in the county; hands out new unique ones."""

    def __init__(self, road_names: set[str], compound_names: set[str]):
        self.used_road_names = road_names
        self.used_compound_names = compound_names

    def road(self, rng: random.Random, suffix: str, direction: str = "", prefer: str = "") -> str:
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

    def compound(self, rng: random.Random) -> str:
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


def town_stem(name: str) -> str:
    """The township name without 街道/镇/乡 (武康街道 → 武康), kept whole if that would leave one character."""
    stem = name
    for suf in _TOWN_SUFFIXES:
        if stem.endswith(suf) and len(stem) > len(suf) + 1:
            stem = stem[: -len(suf)]
            break
    return stem


def free_codes(letter: str, used_codes) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Codes never used in the county (retired versions included), lowest first: R0001… on an empty
    register; codes held by people's own roads and 片区 are skipped, never reused."""
    used = set(used_codes)
    for n in range(1, 10000):
        code = f"{letter}{n:04d}"
        if code not in used:
            yield code
    raise ValueError(f"县内{'道路' if letter == 'R' else '片区'}编码已用尽（{letter}9999）")
