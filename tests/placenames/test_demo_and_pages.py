"""The demo gazetteer (idempotent, with the county's named places and stories) and the pages:
search with a name's announcement, announcements, heritage list, audit (staff), admin add."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.placenames.demo import load_demo_placenames
from apps.placenames.models import Announcement, HeritageEntry, PlaceName, PlaceNameAlias
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (PlaceName.objects.count(), PlaceNameAlias.objects.count(), Announcement.objects.count(),
            HeritageEntry.objects.count())


def test_demo_is_idempotent_and_holds_the_named_places(demo) -> None:  # type: ignore[no-untyped-def]
    first = _counts()
    report = load_demo_placenames()
    assert _counts() == first and sum(report.created.values()) == 0
    village = PlaceName.objects.get(register_kind="division", name="蠡山村")
    assert "范蠡" in village.origin and village.heritage_entries.get().level == "县级"
    shrine = PlaceName.objects.get(name="防风祠")
    assert "防风氏" in shrine.origin and shrine.position_approximate and shrine.pinyin == "Fangfeng Ci"
    assert PlaceName.objects.get(name="莫干山", category__code="1001").pinyin_tones == "Mògān Shān"
    assert set(PlaceName.objects.values_list("status", flat=True)) == {"拟定", "审批中", "已批准", "已公告", "注销"}


def test_gazetteer_page_shows_the_announcement_with_the_romanisation(client, demo) -> None:  # type: ignore[no-untyped-def]
    code = PlaceName.objects.get(name="凤栖苑").code
    page = client.get("/placenames/", {"code": code}).content.decode()
    assert "Fengqi Yuan" in page and "德民地公〔2026〕演示1号" in page and "浙江省湖州市德清县舞阳街道" in page
    results = client.get("/placenames/", {"q": "mgs"}).content.decode()
    assert "莫干山" in results
    assert "老虎桥" not in client.get("/placenames/", {"q": "老虎桥"}).content.decode().split("结果")[1]
    assert "老虎桥" in client.get("/placenames/", {"q": "老虎桥", "status": "注销"}).content.decode()


def test_announcement_heritage_and_audit_pages(client, anon_client, demo) -> None:  # type: ignore[no-untyped-def]
    notices = client.get("/placenames/announcements/").content.decode()
    for header in ("标准名称", "罗马字母拼写", "所属政区", "位置描述", "批准机关", "批准时间"):
        assert header in notices
    assert "凤栖苑" in notices
    heritage = client.get("/placenames/heritage/").content.decode()
    assert "蠡山村" in heritage and "保护措施" in heritage
    assert anon_client.get("/placenames/audit/").status_code == 302     # to the login page
    client.force_login(make_staff("auditor", jurisdiction="330521002"))  # a viewer of one township
    audit = client.get("/placenames/audit/").content.decode()
    assert "缺批准信息" in audit and "交通运输设施" in audit
    client.force_login(make_staff("other-auditor", jurisdiction="341723"))  # another county's viewer
    assert client.get("/placenames/audit/").status_code == 403


def test_admin_adds_a_name_through_the_service(client, township) -> None:  # type: ignore[no-untyped-def]
    admin = get_user_model().objects.create_superuser("boss", password="pw-不外传-123")
    client.force_login(admin)
    assert client.get("/admin/placenames/placename/add/").status_code == 200
    response = client.post("/admin/placenames/placename/add/", {
        "name": "英溪公园", "specific": "", "generic": "", "category": "", "division": township.pk,
        "location_description": "武康街道", "origin": "", "meaning": "", "history": "", "pinyin_override": "",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"})
    assert response.status_code == 200 and PlaceName.objects.count() == 0   # category is required
    from apps.placenames.models import PlaceNameCategory

    response = client.post("/admin/placenames/placename/add/", {
        "name": "英溪公园", "category": PlaceNameCategory.objects.get(code="8003").pk, "division": township.pk,
        "location_description": "武康街道", "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"})
    assert response.status_code == 302, [l for l in response.content.decode().splitlines() if "error" in l.lower()][:20]
    place = PlaceName.objects.get()
    assert place.code == "33052180030001" and place.pinyin == "Yingxi Gongyuan" and place.status == "拟定"
    change = client.get(f"/admin/placenames/placename/{place.pk}/change/")
    assert change.status_code == 200 and "Yingxi Gongyuan" in change.content.decode()
