"""The place-name API over HTTP (test database): search by name, alias, pinyin with and without
tones and initials; filters; Chinese order; staff-only writes with validated geometry (bad
input is a 4xx and writes nothing); the lifecycle acts; announcements, heritage and audit."""
from __future__ import annotations

import csv
import io
import json

import pytest

from apps.placenames.models import PlaceName

pytestmark = pytest.mark.django_db
BASE = "/api/v1/placenames/"


def _propose(staff_api, **body):  # type: ignore[no-untyped-def]
    payload = {"name": "金鹅公园", "category": "8003", "division": "330521002", "location_description": "武康街道",
               "proposed_on": "2026-10-01", **body}
    return staff_api.post(BASE, payload, format="json")


def test_search_by_name_alias_pinyin_and_initials(api, demo) -> None:  # type: ignore[no-untyped-def]
    def names(**params):  # type: ignore[no-untyped-def]
        body = api.get(BASE, params).json()
        assert body["type"] == "FeatureCollection"
        return [f["properties"]["name"] for f in body["features"]]

    assert names(q="莫干山")[0] == "莫干山"          # exact name first
    assert "莫干山风景名胜区" in names(q="莫干山")
    assert names(q="防风湖") == ["下渚湖"]              # 俗称
    assert names(q="moganshan")[0] == "莫干山"
    assert names(q="Mogan Shan")[0] == "莫干山"
    assert names(q="Mògān Shān")[0] == "莫干山" and all(n.startswith("莫干山") for n in names(q="Mògān Shān"))
    assert names(q="Mógān Shān") == []                  # wrong tone
    assert names(q="XZH") == ["下渚湖"]
    assert names(q="lishancun") == ["蠡山村"]


def test_feature_shape_and_filters(api, demo) -> None:  # type: ignore[no-untyped-def]
    body = api.get(BASE, {"q": "莫干山", "category": "1001"}).json()
    feature = body["features"][0]
    assert feature["id"] == "33052110010001" and feature["geometry"]["type"] == "Point"
    assert feature["properties"]["pinyin"] == "Mogan Shan" and feature["properties"]["position_approximate"]
    assert body["count"] == 1
    roads = api.get(BASE, {"category": "2000"}).json()   # parent category includes its children
    assert {f["properties"]["category"] for f in roads["features"]} == {"2001", "2002"}
    assert api.get(BASE, {"division": "330521105", "register": "none"}).json()["count"] == 3
    box = api.get(BASE, {"bbox": "119.84,30.60,119.88,30.62", "register": "none"}).json()
    assert {f["properties"]["name"] for f in box["features"]} == {"莫干山", "剑池", "莫干山风景名胜区"}
    heritage = api.get(BASE, {"heritage": "true"}).json()
    assert {f["properties"]["name"] for f in heritage["features"]} == {"蠡山村", "新市镇", "防风祠"}


def test_cancelled_names_only_on_request(api, demo) -> None:  # type: ignore[no-untyped-def]
    assert api.get(BASE, {"q": "老虎桥"}).json()["count"] == 0
    cancelled = api.get(BASE, {"q": "老虎桥", "status": "注销"}).json()
    assert cancelled["count"] == 1 and cancelled["features"][0]["properties"]["cancelled_on"] == "2025-08-01"
    assert api.get(BASE, {"q": "老虎桥", "status": "all"}).json()["count"] == 1


def test_lists_are_in_chinese_order(api, demo) -> None:  # type: ignore[no-untyped-def]
    body = api.get(BASE, {"category": "2002", "limit": 50}).json()
    names = [f["properties"]["name"] for f in body["features"]]
    from pypinyin import lazy_pinyin

    assert names == sorted(names, key=lambda n: lazy_pinyin(n)) and names[0] == "阜溪街道"


@pytest.mark.parametrize(("params", "field"), [
    ({"colour": "red"}, "colour"), ({"bbox": "1,2,3"}, "bbox"), ({"status": "丢失"}, "status"),
    ({"division": "33x"}, "division"), ({"limit": "-1"}, "limit"), ({"heritage": "maybe"}, "heritage"),
])
def test_bad_parameters_are_400(api, params, field) -> None:  # type: ignore[no-untyped-def]
    response = api.get(BASE, params)
    assert response.status_code == 400 and response["Content-Type"].startswith("application/problem+json")
    assert field in json.dumps(response.json(), ensure_ascii=False)


def test_writes_are_for_staff(api, anon_api) -> None:  # type: ignore[no-untyped-def]
    # The public: nothing; a viewer: reads and the audit, no writes.
    assert anon_api.post(BASE, {"name": "英溪公园"}, format="json").status_code == 401
    assert anon_api.get(BASE + "audit").status_code == 401
    response = api.post(BASE, {"name": "英溪公园"}, format="json")
    assert response.status_code == 403 and response["Content-Type"].startswith("application/problem+json")
    assert api.get(BASE + "audit").status_code == 200


def test_propose_returns_warnings_and_the_romanisation(staff_api, demo) -> None:  # type: ignore[no-untyped-def]
    response = _propose(staff_api, name="英西公园")  # the demo has 英溪公园
    assert response.status_code == 201, response.json()
    body = response.json()["properties"]
    assert body["pinyin"] == "Yingxi Gongyuan" and body["status"] == "拟定"
    assert [w["code"] for w in body["check_warnings"]] == ["homophone"] and "英溪公园" in body["check_warnings"][0]["message"]
    check = staff_api.get(BASE + "check", {"name": "英溪公园", "category": "8003", "division": "330521002"}).json()
    assert check["warnings"] and check["pinyin"] == "Yingxi Gongyuan"
    check = staff_api.get(BASE + "check", {"name": "英西公园", "category": "8003", "division": "330521002"}).json()
    assert sorted(w["code"] for w in check["warnings"]) == ["duplicate_name", "homophone"]


def test_propose_with_gcj02_geometry_is_stored_in_cgcs2000(staff_api, township) -> None:  # type: ignore[no-untyped-def]
    inside = township.geometry.point_on_surface
    from apps.common.coords import wgs84_to_gcj02

    gx, gy = wgs84_to_gcj02(inside.x, inside.y)
    response = _propose(staff_api, geometry={"type": "Point", "coordinates": [gx, gy]}, crs="GCJ-02")
    assert response.status_code == 201, response.json()
    stored = PlaceName.objects.get(code=response.json()["id"]).geometry
    assert abs(stored.x - inside.x) < 1e-7 and abs(stored.y - inside.y) < 1e-7
    assert response.json()["properties"]["check_warnings"] == []


@pytest.mark.parametrize(("geometry", "message"), [
    ({"type": "Polygon", "coordinates": [[[120, 30.5], [120.01, 30.51], [120.01, 30.5], [120, 30.51], [120, 30.5]]]},
     "几何无效"),
    ({"type": "Polygon", "coordinates": [[[120, 30.5], [120.01, 30.5], [120.01, 30.51]]]}, "闭合"),
    ({"type": "Point", "coordinates": [120, 91]}, "91"),
    ({"type": "Point", "coordinates": [120, 30.5, 12]}, "二维"),
    ({"type": "Point", "coordinates": [120, 30.5], "crs": {"type": "name"}}, "RFC 7946"),
    ({"type": "Point", "coordinates": []}, "为空"),
    ({"type": "GeometryCollection", "geometries": []}, "不受支持"),
    ("POINT(120 30)", "GeoJSON"),
])
def test_bad_geometry_is_400_and_writes_nothing(staff_api, geometry, message) -> None:  # type: ignore[no-untyped-def]
    before = PlaceName.objects.count()
    response = _propose(staff_api, geometry=geometry)
    assert response.status_code == 400 and message in json.dumps(response.json(), ensure_ascii=False)
    assert PlaceName.objects.count() == before


def test_nan_coordinates_are_refused(staff_api) -> None:  # type: ignore[no-untyped-def]
    raw = '{"name": "英溪公园", "category": "8003", "division": "330521002", "geometry": {"type": "Point", "coordinates": [NaN, 30]}}'
    response = staff_api.post(BASE, raw, content_type="application/json")
    assert response.status_code == 400 and PlaceName.objects.count() == 0


def test_unknown_category_division_and_name_split(staff_api) -> None:  # type: ignore[no-untyped-def]
    assert "9999" in json.dumps(_propose(staff_api, category="9999").json(), ensure_ascii=False)
    assert _propose(staff_api, division="330521999").status_code == 400
    response = _propose(staff_api, specific="英溪", generic="园")
    assert response.status_code == 422 and "专名" in response.json()["detail"]


def test_lifecycle_through_the_api(staff_api, demo) -> None:  # type: ignore[no-untyped-def]
    code = _propose(staff_api).json()["id"]
    assert staff_api.post(f"{BASE}{code}/announce", {}, format="json").status_code == 404
    assert staff_api.post(f"{BASE}{code}/submit", {"on": "2026-11-01"}, format="json").status_code == 200
    wrong = staff_api.post(f"{BASE}{code}/submit", {"on": "2026-11-02"}, format="json")
    assert wrong.status_code == 422 and "审批中" in wrong.json()["detail"]
    approved = staff_api.post(f"{BASE}{code}/approve", {"on": "2026-11-10", "authority": "德清县人民政府",
                                                        "document": "德政地〔2026〕5号"}, format="json")
    assert approved.json()["properties"]["status"] == "已批准"
    notice = staff_api.post("/api/v1/placename-announcements/", {
        "number": "德民地公〔2026〕5号", "title": "命名公告", "issued_by": "德清县民政局", "on": "2026-11-15",
        "places": [code]}, format="json")
    assert notice.status_code == 201 and notice.json()["items"][0]["romanization"] == "Jin'e Gongyuan"
    renamed = staff_api.post(f"{BASE}{code}/rename", {"name": "金鹅山公园", "on": "2026-11-20", "authority": "德清县人民政府",
                                                      "document": "德政地〔2026〕8号"}, format="json").json()
    assert renamed["properties"]["name"] == "金鹅山公园"
    assert renamed["properties"]["aliases"][0] == {"name": "金鹅公园", "kind": "曾用名", "valid_from": "2026-11-10",
                                                   "valid_to": "2026-11-20", "note": "2026-11-20 更名"}
    history = staff_api.get(f"{BASE}{code}/history").json()
    assert any((c["before"] or {}).get("name") == "金鹅公园" for c in history["changes"])
    for q in ("金鹅公园", "金鹅山公园"):
        assert [f["id"] for f in staff_api.get(BASE, {"q": q}).json()["features"]] == [code]
    cancelled = staff_api.post(f"{BASE}{code}/cancel", {"on": "2026-11-22", "reason": "公园撤销"}, format="json")
    assert cancelled.json()["properties"]["status"] == "注销"
    assert staff_api.get(BASE, {"q": "金鹅山公园"}).json()["count"] == 0
    assert staff_api.get(BASE, {"q": "金鹅山公园", "status": "注销"}).json()["count"] == 1


def test_announcements_export_csv(api, demo) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/placename-announcements/").json()
    assert body["count"] == 1 and body["results"][0]["items"][0]["romanization"] == "Fengqi Yuan"
    response = api.get("/api/v1/placename-announcements/", {"format": "csv"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["标准名称"] == "凤栖苑" and rows[0]["罗马字母拼写"] == "Fengqi Yuan"
    assert set(["标准名称", "罗马字母拼写", "所属政区", "位置描述", "批准机关", "批准时间"]) <= set(rows[0])


def test_heritage_list_and_exports(api, staff_api, demo) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/placename-heritage/").json()
    assert [e["place_name"] for e in body["results"]] == ["防风祠", "蠡山村", "新市镇"]   # pinyin order
    geojson = json.loads(api.get("/api/v1/placename-heritage/", {"format": "geojson"}).content)
    by_name = {f["properties"]["place_name"]: f["geometry"] for f in geojson["features"]}
    assert by_name["防风祠"]["type"] == "Point" and by_name["新市镇"]["type"] == "MultiPolygon"
    gpkg = api.get("/api/v1/placename-heritage/", {"format": "gpkg"}).content
    assert gpkg[:16] == b"SQLite format 3\x00"
    code = api.get(BASE, {"q": "莫干山", "category": "1001"}).json()["features"][0]["id"]
    added = staff_api.post("/api/v1/placename-heritage/", {
        "place": code, "level": "县级", "listed_on": "2026-11-01", "reasons": "铸剑传说", "protection_measures": "名称不改"},
        format="json")
    assert added.status_code == 201
    again = staff_api.post("/api/v1/placename-heritage/", {
        "place": code, "level": "县级", "listed_on": "2026-11-01", "reasons": "x", "protection_measures": "y"}, format="json")
    assert again.status_code == 409


def test_categories_are_data(api) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/placename-categories/").json()
    audit_classes = {c["audit_class"] for c in body} - {""}
    assert audit_classes == {"非行政区域", "交通运输设施", "水利电力通信设施", "纪念地旅游景点", "建筑物"}
    assert {"1000", "2000", "3000", "4000"} <= {c["code"] for c in body}
