"""The noise of the quality set: how people really write an address, as pure functions.

Every transform works on an address split into named segments (see `Segments`) so that one kind of
noise can be applied without touching the rest. Nothing here reads the database or imports Django;
`generate_set.py` feeds it the register's addresses and a seeded `random.Random`.

The tables (traditional characters, homophones, look-alikes) are written by hand for the
characters that occur in the demo county's names: they are deliberately small and independent of
the matcher's own normalisation tables, so the set does not merely replay the matcher's rules.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# Address segments
# ---------------------------------------------------------------------------------------------

PROVINCE, PREFECTURE, COUNTY = "浙江省", "湖州市", "德清县"


@dataclass
class Addr:
    """One register address, split into the parts people write (all texts in standard form)."""

    code: str
    full_text: str
    cls: str  # door (on a road) | gate (compound gate door) | room | rural (村 + 组 + 号)
    town: str  # 武康街道
    town_code: str
    village: str  # the address's 村/社区 (for road addresses too: the division it lies in)
    village_kind: str  # 村 | 社区
    road: str = ""
    road_code: str = ""
    compound: str = ""
    group: int | None = None  # 村民小组 number (rural)
    area_code: str = ""
    door: int = 0
    suffix: int = 0
    building: str = ""
    unit: str = ""
    room: str = ""
    level: str = "door"
    extra: dict = field(default_factory=dict)

    @property
    def precision(self) -> str:
        return {"room": "户室", "building": "楼栋"}.get(self.level, "门牌")

    def door_text(self) -> str:
        return f"{self.door}-{self.suffix}号" if self.suffix else f"{self.door}号"

    def head(self) -> list[str]:
        return [PROVINCE, PREFECTURE, COUNTY]

    def tail(self) -> list[str]:
        """The part below the township, as segments: road + door (+ compound + 幢/单元/室), or
        village + group + door."""
        if self.cls == "rural":
            return [self.village, f"{self.group}组", self.door_text()]
        parts = [self.road, self.door_text()]
        if self.compound:
            parts.append(self.compound)
        parts += self.room_parts()
        return parts

    def room_parts(self) -> list[str]:
        out = []
        if self.building:
            out.append(f"{self.building}幢")
        if self.unit:
            out.append(f"{self.unit}单元")
        if self.room:
            out.append(f"{self.room}室")
        return out

    def standard(self) -> str:
        return "".join(self.head() + [self.town] + self.tail())


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """Positional Chinese numeral as written on forms: 8 → 八, 10 → 十, 18 → 十八, 105 → 一百零五,
    110 → 一百一十, 1203 → 一千二百零三."""
    if not 0 <= n <= 9999:
        raise ValueError(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    units = [(1000, "千"), (100, "百"), (10, "十")]
    out, zero = "", False
    rest = n
    for value, name in units:
        d, rest = divmod(rest, value)
        if d:
            if zero:
                out += "零"
                zero = False
            out += _CN_DIGITS[d] + name
        elif out:
            zero = True
    if rest:
        if zero:
            out += "零"
        out += _CN_DIGITS[rest]
    return out


def cn_digits(s: str, zero: str = "零") -> str:
    """Digit by digit, as room numbers are read: 502 → 五零二 (or 五〇二)."""
    return "".join((zero if c == "0" else _CN_DIGITS[int(c)]) if c.isdigit() else c for c in s)


def fullwidth(s: str) -> str:
    """ASCII digits and letters → full-width forms (U+FF10…), as some IMEs and old systems type."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in s)


# ---------------------------------------------------------------------------------------------
# Traditional characters (simplified → traditional), for the characters of the county's names
# and of the address markers. One-to-many or name-dependent ones are left out on purpose
# (乾 stays in 乾元, 后 in 后皋/后坞, 沈 the surname, 谷 in 谷门, 斗 in 东坝斗, 才, 里, 干).
# ---------------------------------------------------------------------------------------------

_S2T_PAIRS = """
号號 楼樓 单單 层層 户戶 组組 区區 县縣 镇鎮 乡鄉 园園 湾灣 栋棟 门門 东東 长長 阳陽 龙龍 凤鳳 华華
兴興 广廣 场場 庄莊 桥橋 岭嶺 滨濱 坝壩 头頭 业業 丝絲 丰豐 临臨 丽麗 乐樂 书書 云雲 产產 兰蘭 农農
创創 动動 劳勞 卫衛 双雙 启啟 团團 国國 坞塢 孙孫 宝寶 宾賓 对對 寿壽 庆慶 庙廟 张張 晖暉 树樹 杨楊
枫楓 栎櫟 栖棲 樱櫻 泾涇 济濟 澜瀾 灯燈 狮獅 环環 瑶瑤 结結 绣繡 绸綢 绿綠 联聯 胜勝 荆荊 莲蓮 蚕蠶
观觀 设設 语語 贤賢 辉輝 达達 运運 进進 远遠 钟鍾 钱錢 银銀 锦錦 长長 陆陸 风風 鸣鳴 鹅鵝 鹤鶴 齐齊
马馬 万萬 汇匯 圆圓 宁寧 乔喬 顺順 凯凱 岗崗 师師 诗詩 湿濕 写寫 红紅 蓝藍 黄黃 绍紹 经經 纺紡 织織
浒滸 溪溪 苏蘇 县縣 厅廳 馆館 铁鐵 钢鋼 车車 开開 关關 坛壇 问問 际際 陈陳 刘劉 赵趙 吴吳 郑鄭 王王
""".split()
S2T = {p[0]: p[1] for p in _S2T_PAIRS if p[0] != p[1]}


def traditional(s: str) -> str:
    return "".join(S2T.get(c, c) for c in s)


# ---------------------------------------------------------------------------------------------
# Homophones (same pinyin, tone ignored) and look-alikes, for the characters of names.
# Written by hand; a typo is only used when it does not produce another real name.
# ---------------------------------------------------------------------------------------------

_HOMOPHONES = """
溪:西希熙 西:溪希 英:应鹰樱 樱:英鹰 虹:红宏洪 红:虹宏 长:常昌 常:长 昌:长常 安:庵鞍 康:慷糠 武:五午舞
舞:武五 阜:富福付 富:阜福 福:富付 德:得 兴:星新 星:兴 新:心欣 华:化花桦 花:华 明:名鸣 名:明 鸣:明名
祥:翔详 和:合禾河 合:和 平:苹坪 丰:峰风枫 风:丰峰 峰:丰风 枫:丰峰 春:椿 晖:辉徽 辉:晖 文:闻雯 业:叶页
源:元原园 元:源原 园:元源 云:芸耘 塔:踏 龙:隆珑 山:杉珊 秋:邱丘 中:钟忠 钟:中忠 振:镇震 民:敏
乐:勒 崇:重 余:于鱼渔 前:钱潜 钱:前潜 东:冬 凤:奉 栖:溪西 北:贝 湖:胡葫 永:勇咏 吉:集级 群:裙
五:伍午 居:菊 仁:人任 桥:乔侨 城:成诚程 迎:盈赢 宾:滨彬 滨:宾彬 商:尚 锦:金谨 绣:秀修 秀:绣修 太:泰
启:起企 航:杭 畔:盼 双:霜 临:林琳 林:临琳 澜:兰蓝 兰:澜蓝 朝:潮 阳:杨扬洋 杨:阳扬 青:清轻 清:青轻
白:柏百 柏:白百 金:今津 鹅:娥 杏:幸 幸:杏兴 桂:贵 紫:梓子 荆:京晶 梧:吾吴 桐:同童 翠:萃 惠:慧汇
利:力立 致:志智 志:致智 远:元原 求:球 育:玉 才:材财 书:舒 院:苑愿 苑:院 光:广 结:杰洁 胜:圣盛
盛:胜圣 工:公宫 农:浓 升:生声 寿:受授 宏:红洪 恒:横衡 旺:望 望:旺 聚:巨 贤:先仙 陵:林凌灵
劳:牢 嘉:家佳 佳:家嘉 禾:和河 稻:道 香:湘乡 荷:河和 莲:连联 庆:青 复:富福 睦:木牧 松:嵩
涛:滔桃 竹:珠朱 茶:查 丝:思斯 绸:筹稠 古:谷固 运:韵 济:吉计 观:关官 澄:成城程 碧:璧 薇:微威
渚:诸珠 杨:扬阳 唐:塘堂 塘:唐堂 琪:其棋奇 泾:京经晶 宝:保堡 介:界戒 界:介戒 朱:珠诸 沿:延严
狮:师诗 王:汪 郭:锅 肇:兆 进:晋 雁:燕 燕:雁 砂:沙 舍:社 庙:妙 造:灶 筏:伐 燎:辽 瑶:遥窑
蔡:菜彩 韶:绍 皋:高 坞:吴乌 仙:先 潭:谭坛 勾:沟 孙:荪 兜:斗 百:柏白 彪:标 梅:枚煤 栎:立历
孟:梦 宋:送 句:巨 加:佳家 勇:永 勤:琴芹 岭:领 佛:福 坑:吭 庾:雨 何:河和 夏:厦 殿:电店
代:岱 塍:成城 审:沈 戈:哥 干:甘 墩:敦 联:连 齐:奇 卫:魏 恒:衡 直:植 郊:交 翠:粹
秀:修 蠡:礼 锦:金 绿:律 月:悦 景:井 盛:胜 馨:新 岫:秀 怡:宜 美:梅 语:雨 府:富 庭:廷
"""
HOMOPHONES: dict[str, list[str]] = {}
for _item in _HOMOPHONES.split():
    _k, _v = _item.split(":")
    if len(_k) == 1:
        HOMOPHONES.setdefault(_k, [])
        HOMOPHONES[_k] += [c for c in _v if c not in HOMOPHONES[_k] and c != _k]

# Characters that look alike (a clerk misreading handwriting, or an OCR slip).
LOOKALIKES: dict[str, list[str]] = {
    "渚": ["诸"], "洛": ["络"], "琪": ["棋"], "塘": ["溏"], "泾": ["经"], "禹": ["离"], "莫": ["漠"],
    "雷": ["雪"], "甸": ["旬"], "钟": ["钏"], "阜": ["埠"], "溪": ["漠"], "苑": ["宛"], "园": ["圆"],
    "晖": ["辉"], "栖": ["洒"], "岫": ["袖"], "馨": ["磬"], "杏": ["否"],
    "翠": ["萃"], "澜": ["谰"], "宏": ["宠"], "苕": ["茗"], "祥": ["样"],
}


def typo_candidates(ch: str, *, lookalike: bool) -> list[str]:
    return list(LOOKALIKES.get(ch, [])) if lookalike else list(HOMOPHONES.get(ch, []))


# ---------------------------------------------------------------------------------------------
# Name stems
# ---------------------------------------------------------------------------------------------

ROAD_SUFFIXES = ("大道", "路", "街", "巷", "弄", "道")
DIRECTIONS = "东西南北中"
COMPOUND_SUFFIXES = ("花园", "家园", "小区", "公寓", "新村", "华庭", "名苑", "雅苑", "锦园", "嘉园", "佳苑",
                     "景苑", "新苑", "苑", "府")
TOWN_SUFFIXES = ("街道", "镇", "乡")


def split_road(name: str) -> tuple[str, str]:
    """英溪南路 → (英溪, 南路): the specific stem and the generic end (direction + kind)."""
    for suf in ROAD_SUFFIXES:
        if name.endswith(suf):
            stem = name[: -len(suf)]
            if len(stem) > 2 and stem[-1] in DIRECTIONS:
                return stem[:-1], stem[-1] + suf
            return stem, suf
    return name, ""


def split_compound(name: str) -> tuple[str, str]:
    for suf in sorted(COMPOUND_SUFFIXES, key=len, reverse=True):
        if name.endswith(suf) and len(name) > len(suf):
            return name[: -len(suf)], suf
    return name, ""


def town_stem(name: str) -> str:
    for suf in TOWN_SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    return name


def county_stem(name: str) -> str:
    """启东市 → 启东, 芷江侗族自治县 → 芷江, 南浔区 → 南浔; two-character names are kept whole."""
    for suf in ("侗族自治县", "自治县", "县", "市", "区"):
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    return name


def village_stem(name: str) -> str:
    """蔡界村 → 蔡界, 英溪社区 → 英溪; one-character stems (砂村, 韶村) are kept whole."""
    for suf in ("社区", "村"):
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    return name


# Characters that are also address markers or generic name parts: a typo never produces them
# (栋 for 东 would read as a building marker, 路 inside a stem as a road end, and so on).
MARKER_CHARS = set("号幢栋座楼单元室户层组队弄巷路街道村镇乡区县市省苑园府庭社")


def typo_name(name: str, stem: str, rng: random.Random, forbidden: set[str], *,
              lookalike: bool = False) -> tuple[str, str] | None:
    """Replace one character of `stem` (the start of `name`) by a homophone (or look-alike);
    returns (new name, "原→新") or None when no replacement gives a name outside `forbidden`."""
    positions = list(range(len(stem)))
    rng.shuffle(positions)
    for i in positions:
        options = [c for c in typo_candidates(stem[i], lookalike=lookalike) if c not in MARKER_CHARS]
        rng.shuffle(options)
        for ch in options:
            new = name[:i] + ch + name[i + 1:]
            if new not in forbidden:
                return new, f"{stem[i]}→{ch}"
    return None
