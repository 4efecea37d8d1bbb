"""Address text normalisation (pure: no database, no Django)."""
from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from apps.addresses.matching.normalize import T2S, cn_to_int, fold, normalize, normalize_with_corrections

# (messy input, canonical text)
CASES = [
    # Already canonical: unchanged.
    ("浙江省湖州市德清县武康街道英溪南路8号", "浙江省湖州市德清县武康街道英溪南路8号"),
    ("浙江省湖州市德清县武康街道英溪南路8号阳光花园3幢2单元502室", "浙江省湖州市德清县武康街道英溪南路8号阳光花园3幢2单元502室"),
    ("浙江省湖州市德清县新市镇蔡界村3组12号", "浙江省湖州市德清县新市镇蔡界村3组12号"),
    ("英溪南路8-1号", "英溪南路8-1号"),
    # Full-width digits, letters, punctuation, ideographic space.
    ("英溪南路８号", "英溪南路8号"),
    ("阳光花园３幢２单元５０２室", "阳光花园3幢2单元502室"),
    ("阳光花园Ａ座１２０１室", "阳光花园A幢1201室"),
    ("英溪南路８－１号", "英溪南路8-1号"),
    ("英溪南路　８号", "英溪南路8号"),
    ("阳光花园b座", "阳光花园B幢"),
    # Traditional characters.
    ("德清縣武康街道英溪南路8號", "德清县武康街道英溪南路8号"),
    ("陽光花園3棟2單元502室", "阳光花园3幢2单元502室"),
    ("新市鎮蔡界村3組12號", "新市镇蔡界村3组12号"),
    ("長虹中路8號樓", "长虹中路8幢"),
    ("某某鄉某某灣村", "某某乡某某湾村"),
    ("乾元鎮", "乾元镇"),  # 乾 is not 干 in a name
    # Chinese numerals where they are numbers.
    ("英溪南路十八号", "英溪南路18号"),
    ("英溪南路二十号", "英溪南路20号"),
    ("英溪南路十号", "英溪南路10号"),
    ("英溪南路一百零二号", "英溪南路102号"),
    ("阳光花园三单元五〇二室", "阳光花园3单元502室"),
    ("阳光花园3幢2单元五零二", "阳光花园3幢2单元502室"),
    ("阳光花园3幢二单元五○二", "阳光花园3幢2单元502室"),
    ("蔡界村第3组", "蔡界村3组"),
    ("蔡界村三组", "蔡界村3组"),
    ("蔡界村第三组十二号", "蔡界村3组12号"),
    ("蔡界村第三村民小组", "蔡界村3组"),
    ("蔡界村3小组", "蔡界村3组"),
    ("阳光花园三栋", "阳光花园3幢"),
    ("阳光花园三号楼", "阳光花园3幢"),
    ("阳光花园3幢五楼", "阳光花园3幢5层"),
    ("英溪南路八号之一", "英溪南路8-1号"),
    ("英溪南路8号之1", "英溪南路8-1号"),
    ("英溪南路8号附1号", "英溪南路8-1号"),
    ("英溪南路十二弄三号", "英溪南路12弄3号"),
    # Numerals inside names stay.
    ("三里桥村十二号", "三里桥村12号"),
    ("五龙社区", "五龙社区"),
    ("千秋街道千秋街十八号", "千秋街道千秋街18号"),
    ("十字街三号", "十字街3号"),
    ("八里店村五组", "八里店村5组"),
    ("二号桥村三组", "二号桥村3组"),
    ("三座桥", "三座桥"),
    ("六一路", "六一路"),
    # Building / unit / floor / room forms.
    ("英溪南路8号3-2-502", "英溪南路8号3幢2单元502室"),
    ("阳光花园3-2-502", "阳光花园3幢2单元502室"),
    ("3-2-502", "3幢2单元502室"),
    ("阳光花园3栋2单元502", "阳光花园3幢2单元502室"),
    ("阳光花园3号楼2单元502室", "阳光花园3幢2单元502室"),
    ("阳光花园3#2-502", "阳光花园3幢2单元502室"),
    ("阳光花园3#楼502", "阳光花园3幢502室"),
    ("阳光花园3单元502", "阳光花园3单元502室"),
    ("阳光花园3-502", "阳光花园3幢502室"),
    ("阳光花园3幢502", "阳光花园3幢502室"),
    ("阳光花园3幢2单元502户", "阳光花园3幢2单元502室"),
    ("阳光花园3幢2单元502号", "阳光花园3幢2单元502室"),
    ("阳光花园3幢502号房", "阳光花园3幢502室"),
    ("阳光花园3幢5F", "阳光花园3幢5层"),
    ("阳光花园3幢负1层", "阳光花园3幢-1层"),
    ("阳光花园3幢地下1层", "阳光花园3幢-1层"),
    ("阳光花园3幢5楼502", "阳光花园3幢5层502室"),
    ("阳光花园A栋", "阳光花园A幢"),
    ("阳光花园A楼", "阳光花园A幢"),
    ("502室", "502室"),
    # Dash groups after a road or group are door numbers with 附号.
    ("英溪南路8-1", "英溪南路8-1号"),
    ("蔡界村3组12-1", "蔡界村3组12-1号"),
    ("英溪南路8-3-502", "英溪南路8号3幢502室"),
    ("英溪南路8", "英溪南路8号"),
    ("英溪南路8号502", "英溪南路8号502室"),
    # Whitespace, punctuation, brackets.
    ("浙江省, 湖州市, 德清县, 英溪南路 8 号", "浙江省湖州市德清县英溪南路8号"),
    ("英溪南路8号、阳光花园", "英溪南路8号阳光花园"),
    ("英溪南路8号（阳光花园）3幢", "英溪南路8号阳光花园3幢"),
    ("英溪南路8号【阳光花园】", "英溪南路8号阳光花园"),
    ("英溪南路8号(原城关镇)", "英溪南路8号"),
    ("英溪南路8号（附近）", "英溪南路8号"),
    ("英溪南路No.8", "英溪南路8号"),
    ("英溪南路 NO 8", "英溪南路8号"),
    ("英溪南路#8", "英溪南路8号"),
    ("阳光花园 3 2 502", "阳光花园3幢2单元502室"),
    ("英溪南路—8号", "英溪南路8号"),
    ("阳光花园3/502", "阳光花园3幢502室"),
    # Location noise.
    ("英溪南路8号附近", "英溪南路8号"),
    ("英溪南路8号对面", "英溪南路8号"),
    ("英溪南路8号斜对面", "英溪南路8号"),
    ("阳光花园旁", "阳光花园"),
    ("阳光花园旁边", "阳光花园"),
    ("英溪南路8号隔壁", "英溪南路8号"),
    ("英溪南路8号往东50米", "英溪南路8号"),
    ("英溪南路与武康东路交叉口", "英溪南路"),
    ("阳光花园东侧", "阳光花园"),
    ("阳光花园内3幢", "阳光花园3幢"),
    # Phone numbers and names pasted in.
    ("英溪南路8号 张三 13812345678", "英溪南路8号"),
    ("英溪南路8号 13812345678 张三", "英溪南路8号"),
    ("阳光花园3幢502室张三13812345678", "阳光花园3幢502室"),
    ("英溪南路8号 联系电话：0572-8012345", "英溪南路8号"),
    ("英溪南路8号 电话 8012345", "英溪南路8号"),
    ("收件人：李四，英溪南路8号", "英溪南路8号"),
    ("英溪南路8号王先生", "英溪南路8号"),
    ("英溪南路8号 +86 138 1234 5678", "英溪南路8号"),
    # Labels, country, committees.
    ("地址：浙江省湖州市德清县", "浙江省湖州市德清县"),
    ("户籍地址:中国浙江省", "浙江省"),
    ("蔡界村委会", "蔡界村"),
    ("蔡界村村委会3组", "蔡界村3组"),
    ("蔡界村民委员会", "蔡界村"),
    ("五龙社区居委会", "五龙社区"),
    ("五龙社区居民委员会", "五龙社区"),
    ("五龙居民委员会", "五龙居委会"),
    ("武康街道办事处", "武康街道"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize("text, _", CASES)
def test_normalize_is_idempotent_on_cases(text: str, _: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def test_normalize_is_idempotent_on_random_noise() -> None:
    fragments = ["浙江省", "德清县", "武康街道", "英溪南路", "8", "号", "號", "8-1", "-", "3", "#", "幢", "栋", "号楼", "楼",
                 "单元", "單元", "502", "室", "户", "五〇二", "十八", "三", "二", "第", "组", "村委会", "蔡界村", "五龙社区",
                 " ", "，", "、", "(", ")", "（", "）", "附近", "对面", "旁", "No.", "之一", "附", "A", "座", "F", "层", "负",
                 "地下", "13812345678", "张三", "联系电话:", "0572-8012345", "十字街", "三里桥", "千秋", "八里店", "12",
                 "弄", "队", "小组", "往东50米", "交叉口", "与", "路口", "原", "　", "８", "Ａ", "—", "~", "/", "百", "零",
                 "路", "街", "村", "道", "园", "区"]
    rng = random.Random(20240607)
    for _ in range(3000):
        text = "".join(rng.choice(fragments) for _ in range(rng.randint(1, 8)))
        once = normalize(text)
        assert normalize(once) == once, text


NAMES_WITH_NUMERALS = ["三里桥", "五龙社区", "千秋街", "千秋街道", "十字街", "八里店", "二号桥", "三座桥", "六一路", "七星村",
                       "九龙山", "百富兜村", "二都村", "四都村", "八字桥村", "万三村"]
CONTEXTS = ["{}", "德清县{}", "{}8号", "{}十八号", "武康街道{}3幢", "{}三组", "{}旁", "（{}）", "{}，", "英溪南路8号{}"]


@pytest.mark.parametrize("name", NAMES_WITH_NUMERALS)
def test_numerals_inside_names_are_kept(name: str) -> None:
    for context in CONTEXTS:
        assert name in normalize(context.format(name)), context.format(name)


def test_protected_names_keep_their_numerals() -> None:
    assert normalize("三号路五号") == "三号路5号"  # 号 + 路: a name, by rule
    assert normalize("英溪三号5号") == "英溪3号5号"
    assert normalize("英溪三号5号", protect=["英溪三号"]) == "英溪三号5号"  # the gazetteer protects its names


@pytest.mark.parametrize("text, value", [
    ("十", 10), ("十八", 18), ("二十", 20), ("二十一", 21), ("一百", 100), ("一百零二", 102), ("二百五", 250),
    ("一千二百三十四", 1234), ("五〇二", 502), ("五零二", 502), ("一二〇一", 1201), ("两", 2), ("叁拾", 30),
    ("十十", None), ("五五十", None), ("", None), ("三里", None),
])
def test_cn_to_int(text: str, value: int | None) -> None:
    assert cn_to_int(text) == value


def test_corrections_list_what_changed() -> None:
    text, notes = normalize_with_corrections("德清縣蔡界村委会第三組十二號3棟 附近 张三 13812345678")
    assert text == "德清县蔡界村3组12号3幢"
    assert notes == ["縣→县", "組→组", "號→号", "棟→栋", "删除 张三 13812345678", "删除 附近", "村委会→村",
                     "第三组→3组", "十二号→12号", "3栋→3幢"]


def test_corrections_chain_into_one_note_per_fragment() -> None:
    _, notes = normalize_with_corrections("阳光花园三栋二单元五〇二")
    assert notes == ["三栋→3幢", "二单元→2单元", "五〇二→502室"]


def test_canonical_text_has_no_corrections() -> None:
    assert normalize_with_corrections("浙江省湖州市德清县武康街道英溪南路8-1号阳光花园3幢2单元502室")[1] == []


def test_traditional_table_is_one_way() -> None:
    # A simplified character is never itself mapped (else folding would not be idempotent), and
    # word-dependent characters are left out on purpose.
    assert not set(T2S) & set(T2S.values())
    for kept in "乾於徵藉":
        assert kept not in T2S
    assert fold("號樓單元層戶組區縣鎮鄉園灣") == "号楼单元层户组区县镇乡园湾"


def test_modules_are_pure() -> None:
    """No Django (or any third-party) import in the text modules: they must unit-test in
    milliseconds (other modules of the package, such as the database index, may use Django)."""
    package = Path(__file__).resolve().parents[2] / "apps" / "addresses" / "matching"
    allowed = {"__future__", "re", "unicodedata", "collections", "functools", "dataclasses", "typing"}
    for path in (package / name for name in ("__init__.py", "normalize.py", "gazetteer.py", "parse.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = set() if node.level else {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= allowed, f"{path.name} imports {roots - allowed}"
