"""Hanyu Pinyin spelling of Chinese place names.

Implements the main rules of 《中国地名汉语拼音字母拼写规则（汉语地名部分）》
((84) 中地字第17号, 1984) on top of :mod:`pypinyin`. Pure Python, no Django import.

Rules implemented (numbers refer to the 1984 rules):

1. 专名 and 通名 are written separately: 太行山 ``Taihang Shan``, 南京路 ``Nanjing Lu``.
2. Single-syllable modifiers join the part they modify; longer ones are separate.
   Before a road or feature 通名, a run of single-syllable modifiers (东西南北中前后左右上下
   大小新老正直横) is joined to the 通名 (中山北路 ``Zhongshan Beilu``, 景山后街
   ``Jingshan Houjie``, 潮白新河 ``Chaobai Xinhe``) as long as at least two characters of
   专名 remain (so 湖北路 is ``Hubei Lu`` and 横街 is ``Heng Jie``). 内/外 are never moved: they
   qualify the preceding name, as in the rules' example 朝阳门内大街 ``Chaoyangmennei Dajie``.
   A leading 第+numeral (第二松花江 ``Di'er Songhua Jiang``) is a separate modifier.
3. Natural villages/towns (``kind="natural_village"``) are one word: 王村 ``Wangcun``,
   江镇 ``Jiangzhen``, 周口店 ``Zhoukoudian``.
4. The 专名 is always written as one word even when it contains a 通名 character, so a 通名
   that has become part of the name stays with it: 黑龙江省 ``Heilongjiang Sheng``,
   莫干山镇 ``Moganshan Zhen``; only the *last* 通名 (longest suffix in :data:`GENERIC_SUFFIXES`)
   is split off. Hence 莫干山 alone is the mountain ``Mogan Shan`` while 莫干山镇 is
   ``Moganshan Zhen``.
5. In road names, ordinals/codes become Arabic numerals: 经五路 ``Jing 5 Lu``,
   三环路 ``3 Huanlu``, 二马路 ``2 Malu``, 第九弄 ``Di-9 Long``. Only a single digit
   character or a well-formed 十/百 number is converted (三八路 stays ``Sanba Lu``,
   五一路 ``Wuyi Lu``); elsewhere numerals are spelled (三里桥 ``Sanliqiao``).
   Known limitation: 东四十二条 is read as 东 + 四十二 (use ``override``).
6. Apostrophe before a non-initial syllable starting with a/o/e: 西安 ``Xi'an``.
7. Each separately written part is capitalised; tones are omitted unless ``tones=True``.
   ü is kept (吕梁 ``Lüliang``). 儿 after a syllable is written ``r`` (盆儿胡同 ``Penr Hutong``).
8. Polyphonic characters: :data:`PLACE_READINGS` (longest-match phrase table) wins over
   pypinyin; the ``override`` argument wins over both.

``kind`` (see :func:`place_pinyin`):

* ``"natural_village"`` (alias ``"village"``): whole name joined, no 专名/通名 split.
* ``"division"``: only administrative suffixes (省 市 县 区 乡 镇 街道 社区 自治区 …) are
  split off; a bare name without one (浙江, 上海) is written as one word.
* ``"road"``: only road suffixes (路 街 巷 道 大街 胡同 …); numerals converted (rule 5).
* ``"feature"`` (aliases ``"natural"``, ``"structure"``, ``"other"``): any suffix except the
  village ones is split off (卢沟桥 with kind="feature" → ``Lugou Qiao``).
* ``None`` (default): inferred from the longest matching suffix: village suffixes (村 庄 店
  屯 寨 堡 集 营 铺 坊 桥 埠 …) → natural_village; road suffixes → road; administrative →
  division (so 新市镇 is ``Xinshi Zhen``; pass kind="natural_village" for 江镇 ``Jiangzhen``);
  others → feature. No known suffix → one word (西安 ``Xi'an``).

Official forms that are not plain Hanyu Pinyin (内蒙古 ``Nei Mongol``, 陕西 ``Shaanxi``,
乌鲁木齐 ``Ürümqi`` …) come from :data:`OFFICIAL_FORMS`.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from pypinyin import Style, pinyin
from pypinyin.contrib.tone_convert import to_tone

__all__ = [
    "GENERIC_SUFFIXES", "OFFICIAL_FORMS", "PLACE_READINGS",
    "initials", "place_pinyin", "split_name",
]

# ---------------------------------------------------------------------------------------------
# Tables

#: Generic (通名) suffixes and their category. The longest matching suffix wins.
GENERIC_SUFFIXES: dict[str, str] = {
    # administrative divisions / units
    **dict.fromkeys([
        "省", "市", "县", "区", "乡", "镇", "旗", "盟", "自治区", "自治州", "自治县", "自治旗",
        "特别行政区", "地区", "街道", "社区", "民族乡", "开发区", "新区",
    ], "division"),
    # roads and streets
    **dict.fromkeys([
        "路", "街", "巷", "道", "弄", "条", "胡同", "大街", "大道", "马路", "环路", "公路",
        "高速公路",
    ], "road"),
    # natural and artificial features
    **dict.fromkeys([
        "山", "河", "江", "湖", "海", "岛", "溪", "湾", "峡", "峰", "岭", "泉", "潭", "渠",
        "半岛", "群岛", "海峡", "高原", "平原", "盆地", "水库", "运河", "瀑布", "公园", "广场",
        "高地", "沙漠", "草原", "湿地", "风景区", "景区", "风景名胜区", "池", "祠", "寺", "庙", "塔", "亭",
        "苑", "园", "小区", "花园", "大厦", "公寓",
    ], "feature"),
    # natural villages (settlement words written together with the name, rule 3)
    **dict.fromkeys([
        "村", "庄", "店", "屯", "寨", "堡", "堡子", "集", "营", "铺", "坊", "桥", "埠", "棚",
        "圩", "坞", "岙", "荡",
    ], "natural_village"),
}

#: Suffixes only used when what precedes them is a single-syllable modifier or a numeral
#: (大马路 Da Malu, 二马路 2 Malu, 三环路 3 Huanlu; but 天马路 Tianma Lu).
_SHORT_ONLY = {"马路", "环路"}

#: Standard readings of place-name phrases (tone marks, one syllable per character).
PLACE_READINGS: dict[str, str] = {
    "十里堡": "shí lǐ pù", "吴堡": "wú bǔ", "大黄堡": "dà huáng bǎo", "堡子": "bǔ zi",
    "六安": "lù ān", "六合": "lù hé", "蚌埠": "bèng bù", "厦门": "xià mén", "番禺": "pān yú",
    "重庆": "chóng qìng", "洪洞": "hóng tóng", "莘县": "shēn xiàn", "莘庄": "xīn zhuāng",
    "乐清": "yuè qīng", "乐亭": "lào tíng", "乐山": "lè shān", "乐平": "lè píng",
    "长安": "cháng ān", "长虹": "cháng hóng", "长沙": "cháng shā", "长兴": "cháng xīng",
    "长子": "zhǎng zǐ", "大埔": "dà bù", "朝阳": "cháo yáng", "朝天门": "cháo tiān mén",
    "朝鲜": "cháo xiǎn", "台州": "tāi zhōu", "天台": "tiān tāi", "丽水": "lí shuǐ",
    "丽江": "lì jiāng", "亳州": "bó zhōu", "铅山": "yán shān", "蔚县": "yù xiàn",
    "单县": "shàn xiàn", "歙县": "shè xiàn", "涡阳": "guō yáng", "枞阳": "zōng yáng",
    "犍为": "qián wéi", "黄陂": "huáng pí", "华山": "huà shān", "华县": "huà xiàn",
    "华阴": "huà yīn", "东莞": "dōng guǎn", "盱眙": "xū yí", "尉犁": "yù lí",
    "莫干": "mò gān", "干将": "gān jiāng", "济南": "jǐ nán", "济宁": "jǐ níng", "苕溪": "tiáo xī", "胡同": "hú tong",
    "会稽": "kuài jī", "筠连": "jūn lián", "仡佬": "gē lǎo", "弄": "lòng",
}

#: Official romanisations that are not (plain) Hanyu Pinyin: name → (toneless, toned).
OFFICIAL_FORMS: dict[str, tuple[str, str]] = {
    "内蒙古": ("Nei Mongol", "Nèi Mongol"),
    "陕西": ("Shaanxi", "Shǎnxī"),
    "维吾尔": ("Uygur", "Uygur"),
    "乌鲁木齐": ("Ürümqi", "Ürümqi"),
    "拉萨": ("Lhasa", "Lhasa"),
    "呼和浩特": ("Hohhot", "Hohhot"),
    "日喀则": ("Xigazê", "Xigazê"),
    "吐鲁番": ("Turpan", "Turpan"),
    "和田": ("Hotan", "Hotan"),
    "阿勒泰": ("Altay", "Altay"),
    "锡林浩特": ("Xilinhot", "Xilinhot"),
    "海拉尔": ("Hailar", "Hailar"),
    "昌都": ("Qamdo", "Qamdo"),
    "林芝": ("Nyingchi", "Nyingchi"),
}

#: Ethnic groups, written as separate words before 自治区/自治州/自治县/自治旗.
ETHNIC_NAMES: tuple[str, ...] = tuple(sorted([
    "蒙古族", "回族", "藏族", "维吾尔族", "维吾尔", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族",
    "珞巴族", "基诺族",
], key=len, reverse=True))

#: Single-syllable modifiers joined to a following road/feature generic (rule 2).
_MODIFIERS = set("东西南北中前后左右上下大小新老正直横")

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_NUMERAL_CHARS = set(_DIGITS) | {"十", "百"}

_TONE_MARKS = {"\u0300", "\u0301", "\u0304", "\u030c"}  # grave, acute, macron, caron

_KIND_ALIASES = {
    "natural_village": "natural_village", "village": "natural_village",
    "division": "division", "road": "road", "street": "road",
    "feature": "feature", "natural": "feature", "structure": "feature", "other": "feature",
}


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch == "〇"


# ---------------------------------------------------------------------------------------------
# Splitting

def _normalise_kind(kind: str | None) -> str | None:
    if kind is None:
        return None
    try:
        return _KIND_ALIASES[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(_KIND_ALIASES)}") from None


def _find_generic(name: str, kind: str | None) -> str:
    """Longest suffix of ``name`` usable as 通名 for ``kind`` ('' if none)."""
    for size in range(min(len(name) - 1, 5), 0, -1):
        suffix = name[-size:]
        category = GENERIC_SUFFIXES.get(suffix)
        if category is None:
            continue
        rest = name[:-size]
        if suffix in _SHORT_ONLY and not (rest in _MODIFIERS or _parse_number(rest) is not None):
            continue
        if kind is None or kind == category or (kind == "feature" and category != "division"):
            return suffix
    return ""


def split_name(name: str, kind: str | None = None) -> tuple[str, str]:
    """Split ``name`` into (专名, 通名) by the longest suffix in :data:`GENERIC_SUFFIXES`.

    Only the last 通名 is split off (rule 4): 莫干山镇 → ('莫干山', '镇'). The 专名 is never
    empty: a name that is only a suffix (山) is returned as ('山', ''). With ``kind``, only
    suffixes of that category count (see the module docstring); ``natural_village`` never
    splits. Modifiers are not moved here (see :func:`place_pinyin`).
    """
    name = name.strip()
    kind = _normalise_kind(kind)
    if kind == "natural_village":
        return name, ""
    generic = _find_generic(name, kind)
    return (name[: len(name) - len(generic)], generic) if generic else (name, "")


def _infer_kind(generic: str) -> str:
    return GENERIC_SUFFIXES.get(generic, "feature") if generic else "feature"


# ---------------------------------------------------------------------------------------------
# Readings

def _tone(syllable: str) -> str:
    syllable = syllable.strip().lower()
    if syllable and syllable[-1].isdigit():
        return to_tone(syllable)
    return syllable.replace("v", "ü")


def _readings(text: str, extra: Mapping[str, str]) -> list[str | None]:
    """One tone-marked syllable per character of ``text`` (None for non-Han characters)."""
    table = {**PLACE_READINGS, **extra}
    longest = max((len(k) for k in table), default=1)
    out: list[str | None] = [None] * len(text)
    fixed = [False] * len(text)
    i = 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            reading = table.get(text[i:i + size])
            if reading is None:
                continue
            sylls = reading.split()
            if len(sylls) != size:
                raise ValueError(f"reading {reading!r} does not match {text[i:i + size]!r}")
            for j, s in enumerate(sylls):
                out[i + j] = _tone(s)
                fixed[i + j] = True
            i += size
            break
        else:
            i += 1
    # the rest: pypinyin on maximal runs of Han characters not fixed above
    i = 0
    while i < len(text):
        if fixed[i] or not _is_han(text[i]):
            i += 1
            continue
        j = i
        while j < len(text) and not fixed[j] and _is_han(text[j]):
            j += 1
        for k, item in enumerate(pinyin(text[i:j], style=Style.TONE, heteronym=False)):
            out[i + k] = item[0]
        i = j
    return out


def _strip_tones(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))


def _word(sylls: list[str], tones: bool) -> str:
    """Join syllables into one written word (rules 6, 7, 12)."""
    word = ""
    for s in sylls:
        if not tones:
            s = _strip_tones(s)
        if word and _strip_tones(s)[:1] in ("a", "o", "e"):
            word += "'"
        word += s
    return word[:1].upper() + word[1:]


# ---------------------------------------------------------------------------------------------
# Numbers

def _parse_number(s: str) -> int | None:
    """A single digit character or a well-formed 十/百 number (十二, 二十三, 一百零五)."""
    if not s or any(c not in _NUMERAL_CHARS for c in s):
        return None
    if len(s) == 1:
        return 10 if s == "十" else (_DIGITS.get(s) if s != "百" else None)
    m = re.fullmatch(r"(?:([一二两三四五六七八九])百)?(零)?(?:([一二三四五六七八九])?(十))?"
                     r"([一二三四五六七八九])?", s)
    if not m or not any(m.groups()):
        return None
    hundreds, zero, tens, ten, units = m.groups()
    if zero and not hundreds:
        return None
    if zero and ten:  # 一百零十 is not a number
        return None
    if hundreds and ten and not tens:  # 一百十 — accept as 110
        tens = "一"
    value = (_DIGITS[hundreds] * 100 if hundreds else 0)
    value += (_DIGITS[tens] if tens else 1) * 10 if ten else 0
    value += _DIGITS[units] if units else 0
    return value


def _trailing_number(s: str) -> tuple[str, int] | None:
    """Split a trailing well-formed numeral off ``s`` (经五 → ('经', 5))."""
    i = len(s)
    while i > 0 and s[i - 1] in _NUMERAL_CHARS:
        i -= 1
    if i in (0, len(s)):
        return None
    n = _parse_number(s[i:])
    return None if n is None else (s[:i], n)


# ---------------------------------------------------------------------------------------------
# Public API

_PINYIN_TOKEN = re.compile(r"^[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜv]+[1-5]?$")


def place_pinyin(name: str, *, kind: str | None = None, specific: str | None = None,
                 generic: str | None = None, tones: bool = False,
                 override: str | Mapping[str, str] | None = None) -> str:
    """Romanise a Chinese place name by the 1984 place-name spelling rules.

    ``kind``: see the module docstring (None = infer from the suffix).
    ``specific``/``generic``: force the 专名/通名 split (either one suffices; ``generic=""``
    means "no 通名", i.e. one word).
    ``tones``: write tone marks (Xī'ān).
    ``override``: a capitalised string is returned verbatim (``"Shilipu"``); a string of
    lowercase syllables, one per Han character (``"shi li pu"``, ``"lu4 an1"``), or a mapping
    {character or phrase: "syllables"} replaces the readings, the spelling rules still apply.
    """
    name = name.strip()
    if isinstance(override, str):
        tokens = override.split()
        if len(tokens) != sum(map(_is_han, name)) or not all(map(_PINYIN_TOKEN.match, tokens)):
            return override  # a whole romanisation, verbatim
        it = iter(tokens)
        readings = [(_tone(next(it)) if _is_han(c) else None) for c in name]
    else:
        readings = _readings(name, override or {})

    if name in OFFICIAL_FORMS:
        return OFFICIAL_FORMS[name][1 if tones else 0]

    kind = _normalise_kind(kind)
    # --- 专名 / 通名
    if specific is not None or generic is not None:
        if specific is not None:
            if not name.startswith(specific):
                raise ValueError(f"{specific!r} is not a prefix of {name!r}")
            gen = name[len(specific):]
            if generic is not None and generic != gen:
                raise ValueError(f"{specific!r} + {generic!r} != {name!r}")
        else:
            assert generic is not None
            if not name.endswith(generic):
                raise ValueError(f"{generic!r} is not a suffix of {name!r}")
            gen = generic
        spec = name[: len(name) - len(gen)]
        if kind is None:
            kind = _infer_kind(gen)
        if kind == "natural_village":
            spec, gen = name, ""
    else:
        spec, gen = split_name(name, kind)
        if kind is None:
            kind = _infer_kind(gen)
            if kind == "natural_village":
                spec, gen = name, ""

    # --- rule 2: single-syllable modifiers move from the 专名 to the 通名
    if gen and kind in ("road", "feature"):
        while len(spec) > 2 and spec[-1] in _MODIFIERS:
            gen = spec[-1] + gen
            spec = spec[:-1]

    parts: list[str] = []

    def emit(text: str, start: int) -> None:
        """Append the word(s) for ``text`` (starting at ``start`` in ``name``)."""
        if not text:
            return
        if text in OFFICIAL_FORMS:
            parts.append(OFFICIAL_FORMS[text][1 if tones else 0])
            return
        sylls: list[str] = []
        literal = ""
        for offset, ch in enumerate(text):
            r = readings[start + offset]
            if r is None:
                if ch.isascii() and ch.isalnum():  # codes such as 1203 are written as they are
                    if sylls:
                        parts.append(_word(sylls, tones))
                        sylls = []
                    literal += ch
                continue
            if literal:
                parts.append(literal)
                literal = ""
            if ch == "儿" and sylls:  # rule 12: erhua
                sylls[-1] += "r"
                continue
            sylls.append(r)
        if literal:
            parts.append(literal)
        if sylls:
            parts.append(_word(sylls, tones))

    pos = 0
    if kind == "road":
        whole = _parse_number(spec)
        tail = _trailing_number(spec) if whole is None else None
        if spec.startswith("第") and _parse_number(spec[1:]) is not None:
            di = _word([readings[0] or "dì"], tones)
            parts.append(f"{di}-{_parse_number(spec[1:])}")
        elif whole is not None:
            parts.append(str(whole))
        elif tail is not None and tail[0]:
            emit(tail[0], 0)
            parts.append(str(tail[1]))
        else:
            emit(spec, 0)
    else:
        m = re.match(r"第[零〇一二两三四五六七八九十百]+", spec)
        if kind != "natural_village" and m and m.end() < len(spec) and gen:
            emit(m.group(), 0)
            pos = m.end()
        body = spec[pos:]
        ethnic: list[str] = []
        if gen.startswith("自治"):
            while True:
                hit = next((e for e in ETHNIC_NAMES if body.endswith(e) and len(body) > len(e)),
                           None)
                if hit is None:
                    break
                ethnic.insert(0, hit)
                body = body[: -len(hit)]
        emit(body, pos)
        pos += len(body)
        for e in ethnic:
            emit(e, pos)
            pos += len(e)
    emit(gen, len(name) - len(gen))
    return " ".join(parts)


def initials(name: str) -> str:
    """Upper-case initials of every syllable, for search: 德清县 → 'DQX', 重庆 → 'CQ'."""
    out = []
    for ch, r in zip(name, _readings(name, {})):
        if r:
            out.append(_strip_tones(r)[0].upper())
        elif ch.isascii() and ch.isalnum():
            out.append(ch.upper())
    return "".join(out)
