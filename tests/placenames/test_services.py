"""The legal lifecycle through the services, on the real test database: propose with naming
checks, submit, approve, announce (six fields), rename (old name kept as a dated alias, still
found, in the history), cancel (out of default search), codes never reused."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from apps.common.errors import DomainRuleError
from apps.common.models import ChangeRecord
from apps.placenames import selectors, services
from apps.placenames.models import AliasKind, PlaceName, Status

pytestmark = pytest.mark.django_db
D = dt.date


def _propose(name, category, township, **kw):  # type: ignore[no-untyped-def]
    place, warnings = services.propose(name=name, category=category, division=township, actor="clerk",
                                       proposed_on=D(2026, 1, 5), **kw)
    return place, warnings


def _approved(name, category, township, **kw):  # type: ignore[no-untyped-def]
    place, _ = _propose(name, category, township, location_description="武康街道东部", **kw)
    services.submit(place, on=D(2026, 1, 10), actor="clerk")
    return services.approve(place, authority="德清县人民政府", document="德政地〔2026〕1号", on=D(2026, 2, 1),
                            actor="head")


def test_propose_codes_splits_and_romanises(category, township, deqing) -> None:  # type: ignore[no-untyped-def]
    place, warnings = _propose("英溪公园", category("8003"), township)
    assert warnings == [] and place.status == Status.PROPOSED
    assert place.code == "33052180030001" and place.county == deqing
    assert (place.specific, place.generic, place.pinyin, place.pinyin_tones) == (
        "英溪", "公园", "Yingxi Gongyuan", "Yīngxī Gōngyuán")
    second, _ = _propose("凤栖公园", category("8003"), township)
    assert second.code == "33052180030002"


def test_codes_are_never_reused_after_cancellation(category, township) -> None:  # type: ignore[no-untyped-def]
    place, _ = _propose("老虎桥", category("6001"), township)
    services.cancel(place, on=D(2026, 3, 1), reason="拆除", actor="clerk")
    again, _ = _propose("老虎桥", category("6001"), township)
    assert again.code == place.code[:-4] + "0002"


def test_same_sounding_name_warns_with_the_existing_one(category, township) -> None:  # type: ignore[no-untyped-def]
    first = _approved("英溪桥", category("6001"), township)
    _, warnings = _propose("英西桥", category("6001"), township)
    assert [w.code for w in warnings] == ["homophone"]
    assert "英溪桥" in warnings[0].message and first.code in warnings[0].message
    stored = PlaceName.objects.get(name="英西桥")
    assert stored.check_warnings[0]["related"] == first.code
    # Another category does not count.
    assert _propose("英西公园", category("8003"), township)[1] == []


def test_forbidden_pattern_and_position_outside_division(category, township) -> None:  # type: ignore[no-untyped-def]
    _, warnings = _propose("万达广场", category("8003"), township)
    assert [w.code for w in warnings] == ["forbidden_pattern"] and "商标" in warnings[0].message
    far = Point(121.5, 31.2, srid=4490)  # Shanghai
    _, warnings = _propose("远方公园", category("8003"), township, geometry=far)
    assert [w.code for w in warnings] == ["outside_division"] and "武康街道" in warnings[0].message
    inside = township.geometry.point_on_surface
    assert _propose("近处公园", category("8003"), township, geometry=inside)[1] == []


def test_transitions_are_checked(category, township) -> None:  # type: ignore[no-untyped-def]
    place, _ = _propose("英溪公园", category("8003"), township)
    with pytest.raises(DomainRuleError, match="当前状态为拟定，只有已批准状态的地名可以公告"):
        services.announce([place], number="N1", title="t", issued_by="县民政局", on=D(2026, 3, 1), actor="x")
    with pytest.raises(DomainRuleError, match="批准机关和批准文号"):
        services.approve(place, authority=" ", document="x", on=D(2026, 2, 1), actor="x")
    with pytest.raises(DomainRuleError, match="不能早于拟定日期"):
        services.approve(place, authority="县政府", document="x", on=D(2025, 2, 1), actor="x")
    services.cancel(place, on=D(2026, 2, 2), reason="撤回", actor="x")
    with pytest.raises(DomainRuleError, match="当前状态为注销"):
        services.submit(place, on=D(2026, 2, 3), actor="x")


def test_announcement_has_the_six_fields_and_the_romanisation(category, township) -> None:  # type: ignore[no-untyped-def]
    place = _approved("英溪公园", category("8003"), township)
    notice = services.announce([place], number="德民地公〔2026〕1号", title="命名公告", issued_by="德清县民政局",
                               on=D(2026, 2, 10), actor="clerk")
    item = notice.items.get()
    assert (item.standard_name, item.romanization, item.division_name, item.location_description,
            item.approving_authority, item.approved_on) == (
        "英溪公园", "Yingxi Gongyuan", "浙江省湖州市德清县武康街道", "武康街道东部", "德清县人民政府", D(2026, 2, 1))
    assert item.act == "命名"
    place.refresh_from_db()
    assert place.status == Status.ANNOUNCED and place.announced_on == D(2026, 2, 10)


def test_announcing_needs_a_location_description(category, township) -> None:  # type: ignore[no-untyped-def]
    place, _ = _propose("英溪公园", category("8003"), township)
    services.approve(place, authority="县政府", document="x", on=D(2026, 2, 1), actor="x")
    with pytest.raises(DomainRuleError, match="缺少位置描述"):
        services.announce([place], number="N2", title="t", issued_by="县民政局", on=D(2026, 3, 1), actor="x")


def test_rename_keeps_both_names_searchable_with_dates_and_history(category, township) -> None:  # type: ignore[no-untyped-def]
    place = _approved("英溪桥", category("6001"), township)
    services.announce([place], number="N3", title="t", issued_by="县民政局", on=D(2026, 2, 10), actor="clerk")
    services.rename(place, "科创桥", on=D(2026, 6, 1), authority="德清县人民政府", document="德政地〔2026〕9号",
                    actor="head")
    place.refresh_from_db()
    assert (place.name, place.pinyin, place.status, place.approved_on) == ("科创桥", "Kechuang Qiao", "已批准", D(2026, 6, 1))
    former = place.aliases.get(kind=AliasKind.FORMER)
    assert (former.name, former.valid_from, former.valid_to) == ("英溪桥", D(2026, 2, 1), D(2026, 6, 1))
    for query in ("英溪桥", "科创桥", "yingxiqiao", "Kēchuàng", "KCQ", "YXQ"):
        assert [p.code for p in selectors.search(PlaceName.objects.all(), query)] == [place.code], query
    names_in_history = [(r.before or {}).get("name") for r in ChangeRecord.objects.filter(
        table_name="placenames_placename", row_id=str(place.pk), action="U")]
    assert "英溪桥" in names_in_history
    notice = services.announce([place], number="N4", title="更名公告", issued_by="县民政局", on=D(2026, 6, 5),
                               actor="clerk")
    item = notice.items.get()
    assert (item.act, item.former_name, item.romanization) == ("更名", "英溪桥", "Kechuang Qiao")


def test_cancelled_name_is_kept_with_history(category, township) -> None:  # type: ignore[no-untyped-def]
    place = _approved("英溪桥", category("6001"), township)
    heir = _approved("科创桥", category("6001"), township)
    services.cancel(place, on=D(2026, 7, 1), reason="桥梁拆除重建", successor=heir, actor="clerk")
    place.refresh_from_db()
    assert (place.status, place.cancelled_on, place.successor) == ("注销", D(2026, 7, 1), heir)
    assert ChangeRecord.objects.filter(table_name="placenames_placename", row_id=str(place.pk)).count() == 4


def test_division_entries_are_renamed_by_division_changes_only(category, deqing) -> None:  # type: ignore[no-untyped-def]
    from apps.placenames.sync import sync_register_names

    sync_register_names("330521")
    entry = PlaceName.objects.get(register_kind="division", name="武康街道")
    with pytest.raises(DomainRuleError, match="区划变更"):
        services.rename(entry, "武康新街道", on=D(2026, 6, 1), authority="x", document="y", actor="x")


def test_update_details_rejects_names_and_re_romanises(category, township) -> None:  # type: ignore[no-untyped-def]
    place, _ = _propose("十里堡", category("9001"), township)
    assert place.pinyin == "Shilipu"  # the place table's reading
    services.update_details(place, pinyin_override="shi li bao", actor="clerk")
    assert place.pinyin == "Shilibao"
    with pytest.raises(DomainRuleError, match="更名请用更名"):
        services.update_details(place, name="别的名字", actor="clerk")


def test_aliases_are_validated(category, township) -> None:  # type: ignore[no-untyped-def]
    place = _approved("余英溪", category("1002"), township)
    services.add_alias(place, "英溪", AliasKind.SHORT, actor="clerk")
    with pytest.raises(DomainRuleError):
        services.add_alias(place, "余英溪", AliasKind.OTHER, actor="clerk")
    with pytest.raises(DomainRuleError, match="停用日期"):
        services.add_alias(place, "前溪", AliasKind.FORMER, valid_from=D(2000, 1, 1), valid_to=D(1990, 1, 1), actor="x")
    assert [p.name for p in selectors.search(PlaceName.objects.all(), "英溪")] == ["余英溪"]
