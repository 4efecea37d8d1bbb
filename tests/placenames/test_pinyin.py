"""Place-name romanisation by the 1984 rules (中地字第17号): pure functions, no database."""
from __future__ import annotations

import pytest

from apps.placenames.pinyin import initials, place_pinyin, split_name

CASES = [
    # rule 1: 专名 and 通名 written separately (the rules' own examples)
    ("太行山", "Taihang Shan"),
    ("松花江", "Songhua Jiang"),
    ("汾河", "Fen He"),
    ("太湖", "Tai Hu"),
    ("舟山群岛", "Zhoushan Qundao"),
    ("台湾海峡", "Taiwan Haixia"),
    ("青藏高原", "Qingzang Gaoyuan"),
    ("密云水库", "Miyun Shuiku"),
    ("大运河", "Da Yunhe"),
    ("西藏自治区", "Xizang Zizhiqu"),
    ("江苏省", "Jiangsu Sheng"),
    ("通县", "Tong Xian"),
    ("西峰镇", "Xifeng Zhen"),
    ("虹口区", "Hongkou Qu"),
    ("友谊乡", "Youyi Xiang"),
    ("京津公路", "Jingjin Gonglu"),
    ("南京路", "Nanjing Lu"),
    ("滨江道", "Binjiang Dao"),
    ("横街", "Heng Jie"),
    ("长安街", "Chang'an Jie"),
    ("大马路", "Da Malu"),
    ("梧桐巷", "Wutong Xiang"),
    ("门框胡同", "Menkuang Hutong"),
    # rule 2: single-syllable modifiers joined, longer ones separate
    ("西辽河", "Xiliao He"),
    ("潮白新河", "Chaobai Xinhe"),
    ("新通扬运河", "Xintongyang Yunhe"),
    ("北雁荡山", "Beiyandang Shan"),
    ("小金门岛", "Xiaojinmen Dao"),
    ("景山后街", "Jingshan Houjie"),
    ("造币左路", "Zaobi Zuolu"),
    ("清波门直街", "Qingbomen Zhijie"),
    ("朝阳门内大街", "Chaoyangmennei Dajie"),
    ("南横东街", "Nanheng Dongjie"),
    ("修文西小巷", "Xiuwen Xixiaoxiang"),
    ("东直门外南后街", "Dongzhimenwai Nanhoujie"),
    ("中山北路", "Zhongshan Beilu"),
    ("北京东路", "Beijing Donglu"),
    ("英溪南路", "Yingxi Nanlu"),
    ("长虹中路", "Changhong Zhonglu"),
    ("河南中路", "Henan Zhonglu"),
    ("湖北路", "Hubei Lu"),
    ("天马路", "Tianma Lu"),
    # rule 4: a 通名 that became part of the name stays with the 专名
    ("渤海湾", "Bohai Wan"),
    ("黑龙江省", "Heilongjiang Sheng"),
    ("景德镇市", "Jingdezhen Shi"),
    ("解放路南小街", "Jiefanglu Nanxiaojie"),
    ("莫干山镇", "Moganshan Zhen"),
    ("莫干山", "Mogan Shan"),
    ("黄山区", "Huangshan Qu"),
    ("新市镇", "Xinshi Zhen"),
    # rule 5: persons' names
    ("张之洞路", "Zhangzhidong Lu"),
    ("欧阳海水库", "Ouyanghai Shuiku"),
    # rules 6-7: numerals
    ("五指山", "Wuzhi Shan"),
    ("九龙江", "Jiulong Jiang"),
    ("三门峡", "Sanmen Xia"),
    ("第二松花江", "Di'er Songhua Jiang"),
    ("三眼井胡同", "Sanyanjing Hutong"),
    ("八角场东街", "Bajiaochang Dongjie"),
    ("三八路", "Sanba Lu"),
    ("五一广场", "Wuyi Guangchang"),
    ("1203高地", "1203 Gaodi"),
    ("二马路", "2 Malu"),
    ("经五路", "Jing 5 Lu"),
    ("三环路", "3 Huanlu"),
    ("大川淀一巷", "Dachuandian 1 Xiang"),
    ("第九弄", "Di-9 Long"),
    # natural villages (default from the suffix)
    ("王村", "Wangcun"),
    ("周口店", "Zhoukoudian"),
    ("三里桥", "Sanliqiao"),
    ("八里店", "Balidian"),
    ("十里堡", "Shilipu"),
    ("李庄", "Lizhuang"),
    ("铁匠营", "Tiejiangying"),
    ("龙王集", "Longwangji"),
    ("油坊桥", "Youfangqiao"),
    # rule 11: apostrophe
    ("西安", "Xi'an"),
    ("天峨县", "Tian'e Xian"),
    ("建瓯市", "Jian'ou Shi"),
    ("曹娥江", "Cao'e Jiang"),
    # erhua
    ("盆儿胡同", "Penr Hutong"),
    # 德清 and its surroundings
    ("浙江省", "Zhejiang Sheng"),
    ("湖州市", "Huzhou Shi"),
    ("德清县", "Deqing Xian"),
    ("武康街道", "Wukang Jiedao"),
    ("下渚湖", "Xiazhu Hu"),
    ("千秋街", "Qianqiu Jie"),
    ("长兴县", "Changxing Xian"),
    ("东苕溪", "Dongtiao Xi"),
    # polyphonic characters: standard place readings
    ("六安市", "Lu'an Shi"),
    ("蚌埠市", "Bengbu Shi"),
    ("厦门市", "Xiamen Shi"),
    ("番禺区", "Panyu Qu"),
    ("重庆市", "Chongqing Shi"),
    ("洪洞县", "Hongtong Xian"),
    ("莘县", "Shen Xian"),
    ("莘庄", "Xinzhuang"),
    ("乐清市", "Yueqing Shi"),
    ("乐山市", "Leshan Shi"),
    ("乐亭县", "Laoting Xian"),
    ("长子县", "Zhangzi Xian"),
    ("大埔县", "Dabu Xian"),
    ("台州市", "Taizhou Shi"),
    ("丽水市", "Lishui Shi"),
    ("吴堡县", "Wubu Xian"),
    ("大黄堡", "Dahuangbao"),
    ("单县", "Shan Xian"),
    ("吕梁市", "Lüliang Shi"),
    # autonomous areas: ethnic names are separate words
    ("芷江侗族自治县", "Zhijiang Dongzu Zizhixian"),
    ("湘西土家族苗族自治州", "Xiangxi Tujiazu Miaozu Zizhizhou"),
    ("广西壮族自治区", "Guangxi Zhuangzu Zizhiqu"),
    # official forms that are not plain Hanyu Pinyin
    ("内蒙古自治区", "Nei Mongol Zizhiqu"),
    ("新疆维吾尔自治区", "Xinjiang Uygur Zizhiqu"),
    ("陕西省", "Shaanxi Sheng"),
    ("山西省", "Shanxi Sheng"),
    ("乌鲁木齐市", "Ürümqi Shi"),
    ("拉萨", "Lhasa"),
]


@pytest.mark.parametrize(("name", "expected"), CASES)
def test_rules_examples(name: str, expected: str) -> None:
    assert place_pinyin(name) == expected


@pytest.mark.parametrize(("name", "kind", "expected"), [
    ("江镇", "natural_village", "Jiangzhen"),
    ("江镇", None, "Jiang Zhen"),
    ("文家市", "natural_village", "Wenjiashi"),
    ("三岔河", "natural_village", "Sanchahe"),
    ("大虎山", "village", "Dahushan"),
    ("第六屯", None, "Diliutun"),
    ("卢沟桥", "feature", "Lugou Qiao"),
    ("浙江", "division", "Zhejiang"),
    ("上海", "division", "Shanghai"),
    ("莫干山镇", "division", "Moganshan Zhen"),
])
def test_kind(name: str, kind: str | None, expected: str) -> None:
    assert place_pinyin(name, kind=kind) == expected


def test_unknown_kind() -> None:
    with pytest.raises(ValueError):
        place_pinyin("德清县", kind="planet")


@pytest.mark.parametrize(("name", "expected"), [
    ("西安", "Xī'ān"),
    ("天峨县", "Tiān'é Xiàn"),
    ("建瓯", "Jiàn'ōu"),
    ("十里堡", "Shílǐpù"),
    ("三环路", "3 Huánlù"),
    ("第九弄", "Dì-9 Lòng"),
    ("朝阳门内大街", "Cháoyángménnèi Dàjiē"),
    ("盆儿胡同", "Pénr Hútong"),
    ("吕梁市", "Lǚliáng Shì"),
    ("陕西省", "Shǎnxī Shěng"),
])
def test_tones(name: str, expected: str) -> None:
    assert place_pinyin(name, tones=True) == expected


def test_explicit_split() -> None:
    assert place_pinyin("莫干山", generic="") == "Moganshan"
    assert place_pinyin("莫干山", specific="莫干") == "Mogan Shan"
    assert place_pinyin("黄山", specific="黄山", generic="") == "Huangshan"
    assert place_pinyin("德清县", generic="县") == "Deqing Xian"
    with pytest.raises(ValueError):
        place_pinyin("德清县", specific="湖州")


def test_override() -> None:
    assert place_pinyin("十里堡", override="Shilipu") == "Shilipu"
    assert place_pinyin("东四十二条", override="Dongsi 12 Tiao") == "Dongsi 12 Tiao"
    # per-character readings, rules still applied
    assert place_pinyin("六安县", override="lu an xian") == "Lu'an Xian"
    assert place_pinyin("乐亭县", override="lao4 ting2 xian4", tones=True) == "Làotíng Xiàn"
    assert place_pinyin("大堡村", override={"堡": "pù"}) == "Dapucun"


@pytest.mark.parametrize(("name", "expected"), [
    ("莫干山镇", ("莫干山", "镇")),
    ("黑龙江省", ("黑龙江", "省")),
    ("芷江侗族自治县", ("芷江侗族", "自治县")),
    ("武康街道", ("武康", "街道")),
    ("朝阳门内大街", ("朝阳门内", "大街")),
    ("欧阳海水库", ("欧阳海", "水库")),
    ("三环路", ("三", "环路")),
    ("天马路", ("天马", "路")),
    ("西安", ("西安", "")),
    ("山", ("山", "")),
])
def test_split_name(name: str, expected: tuple[str, str]) -> None:
    assert split_name(name) == expected


def test_split_name_kind() -> None:
    assert split_name("王村", kind="natural_village") == ("王村", "")
    assert split_name("浙江", kind="division") == ("浙江", "")
    assert split_name("浙江") == ("浙", "江")


@pytest.mark.parametrize(("name", "expected"), [
    ("德清县", "DQX"), ("重庆", "CQ"), ("长虹中路", "CHZL"), ("1203高地", "1203GD"), ("厦门", "XM"),
])
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_module_is_pure() -> None:
    """Importing the module alone pulls in no Django."""
    import subprocess
    import sys

    code = ("import sys; import apps.placenames.pinyin; "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
