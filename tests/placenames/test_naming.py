"""The naming checks and search keys (pure module, no database)."""
from __future__ import annotations

import pytest

from apps.placenames.naming import (ExistingName, Pattern, check_name, fold_query, romanise, search_key,
                                    uncommon_characters)

EXISTING = [ExistingName("A1", "城头村", "chengtoucun", "3001"), ExistingName("A2", "云鹤路", "yunhelu", "4001"),
            ExistingName("A3", "城头桥", "chengtouqiao", "6001")]
PATTERNS = [Pattern("有限公司", False, "企业名", "不得以企业名称命名地名"),
            Pattern("(先生|同志)(路|街)?$", True, "人名", "一般不以人名命名地名")]


@pytest.mark.parametrize(("text", "key"), [
    ("经五路", "jingwulu"), ("西安", "xian"), ("莫干山", "mogan" "shan"), ("吕梁", "lvliang"), ("3号路", "3haolu"),
])
def test_search_key(text: str, key: str) -> None:
    assert search_key(text) == key


@pytest.mark.parametrize(("query", "key", "toned"), [
    ("Mogan Shan", "moganshan", False), ("Xi'an", "xian", False), ("Mògān Shān", "mògānshān", True),
    ("MGS", "mgs", False), ("Lüliang", "lvliang", False), ("Jing 5 Lu", "jing5lu", False),
])
def test_fold_query(query: str, key: str, toned: bool) -> None:
    assert fold_query(query) == (key, toned)


def test_romanise_uses_the_rules_and_gives_search_keys() -> None:
    roman = romanise("莫干山", kind="feature")
    assert (roman.pinyin, roman.pinyin_tones, roman.search_key, roman.initials) == (
        "Mogan Shan", "Mògān Shān", "moganshan", "MGS")
    assert romanise("经五路", kind="road").pinyin == "Jing 5 Lu"
    assert romanise("王村", kind="natural_village").pinyin == "Wangcun"
    assert romanise("十里堡", kind="natural_village", override="Shilipu").pinyin == "Shilipu"


def test_same_name_same_category_is_a_duplicate() -> None:
    warnings = check_name("城头村", "chengtoucun", "3001", EXISTING, [])
    assert [w.code for w in warnings] == ["duplicate_name"] and "城头村" in warnings[0].message
    assert warnings[0].related == "A1"


def test_same_sound_names_the_existing_one() -> None:
    warnings = check_name("塍头村", "chengtoucun", "3001", EXISTING, [])
    assert [w.code for w in warnings] == ["homophone"]
    assert "城头村" in warnings[0].message and "A1" in warnings[0].message


def test_other_categories_and_the_name_itself_do_not_count() -> None:
    assert check_name("城头村", "chengtoucun", "6001", EXISTING[:1], []) == []
    assert check_name("城头村", "chengtoucun", "3001", EXISTING, [], exclude_code="A1") == []


def test_forbidden_patterns_substring_and_regex() -> None:
    found = check_name("德清某某有限公司路", "x", "4001", [], PATTERNS)
    assert [w.code for w in found] == ["forbidden_pattern"] and "企业名" in found[0].message
    assert [w.related for w in check_name("张先生路", "x", "4001", [], PATTERNS)] == ["(先生|同志)(路|街)?$"]
    assert check_name("先生桥村", "x", "3001", [], PATTERNS) == []


def test_uncommon_characters() -> None:
    assert uncommon_characters("德清县武康街道") == []
    assert uncommon_characters("鄉村") == ["鄉"]          # traditional form
    assert uncommon_characters("㐀山") == ["㐀"]          # CJK extension A
    assert uncommon_characters("堃园") == []              # in the 通用规范汉字表, not in GB 2312
    warning = check_name("鄉村路", "xiangcunlu", "4001", [], [])
    assert warning[0].code == "uncommon_character" and "鄉" in warning[0].message


def test_module_is_pure() -> None:
    import apps.placenames.naming as module

    source = open(module.__file__, encoding="utf-8").read()
    assert "django" not in source
