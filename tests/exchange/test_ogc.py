"""OGC API – Features on the real test database: landing page, conformance, collections with
Chinese titles and extents, items with limit/offset paging links, numberMatched/numberReturned,
bbox, datetime and division filters, HTML and content negotiation, single items, strict errors."""
from __future__ import annotations

import json

import pytest

from apps.divisions.models import Division

pytestmark = pytest.mark.django_db
GEOJSON = "application/geo+json"


def _json(response):  # type: ignore[no-untyped-def]
    return json.loads(response.content)


def test_landing_and_conformance(client) -> None:  # type: ignore[no-untyped-def]
    body = _json(client.get("/ogc"))
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert {"self", "conformance", "data", "service-desc"} <= set(rels)
    assert rels["service-desc"].endswith("/api/schema/") and rels["data"].endswith("/ogc/collections")
    conf = _json(client.get("/ogc/conformance"))["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf


def test_collections_list_the_layers_with_chinese_titles_and_extents(client) -> None:  # type: ignore[no-untyped-def]
    body = _json(client.get("/ogc/collections"))
    ids = [c["id"] for c in body["collections"]]
    assert ids == ["divisions", "addresses", "roads", "placenames", "facilities", "boundary-lines", "boundary-markers"]
    divisions = _json(client.get("/ogc/collections/divisions"))
    assert divisions["title"] == "行政区划（现行）" and divisions["itemType"] == "feature"
    min_x, min_y, max_x, max_y = divisions["extent"]["spatial"]["bbox"][0]
    assert divisions["extent"]["spatial"]["crs"].endswith("CRS84")
    assert 70 < min_x < max_x < 140 and 15 < min_y < max_y < 55


def test_items_page_with_next_and_prev_links(client) -> None:  # type: ignore[no-untyped-def]
    total = Division.objects.filter(valid_to__isnull=True, code__isnull=False, geometry__isnull=False).count()
    first = client.get("/ogc/collections/divisions/items?limit=5")
    assert first["Content-Type"] == GEOJSON
    body = _json(first)
    assert body["type"] == "FeatureCollection" and body["numberMatched"] == total and body["numberReturned"] == 5
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert "prev" not in links and "offset=5" in links["next"] and "limit=5" in links["next"]
    second = _json(client.get(links["next"].split("testserver")[1]))
    assert {link["rel"] for link in second["links"]} >= {"next", "prev"}
    assert not {f["id"] for f in body["features"]} & {f["id"] for f in second["features"]}
    last = _json(client.get(f"/ogc/collections/divisions/items?limit=5&offset={total - 2}"))
    assert last["numberReturned"] == 2 and "next" not in {link["rel"] for link in last["links"]}
    feature = body["features"][0]
    assert set(feature["properties"]) >= {"code", "name", "level"} and "crs" not in body
    coords = json.dumps(feature["geometry"]["coordinates"])
    assert max(len(part.split(".")[1]) for part in coords.replace("[", "").replace("]", "").split(",") if "." in part) <= 7


def test_bbox_datetime_division_and_kind_filters(client, facilities, wukang) -> None:  # type: ignore[no-untyped-def]
    seat = wukang.seat
    near = f"{seat.x - 0.0005},{seat.y - 0.0005},{seat.x + 0.0005},{seat.y + 0.0003}"
    body = _json(client.get(f"/ogc/collections/facilities/items?bbox={near}"))
    assert [f["properties"]["name"] for f in body["features"]] == ["武康老年食堂"]
    assert body["features"][0]["geometry"] == {"type": "Point", "coordinates": [round(seat.x, 7), round(seat.y, 7)]}
    assert _json(client.get(f"/ogc/collections/facilities/items?division={wukang.code}&kind=meal_point"))["numberMatched"] == 3
    assert _json(client.get("/ogc/collections/facilities/items?kind=cemetery"))["numberMatched"] == 0
    assert _json(client.get(f"/ogc/collections/divisions/items?division={wukang.code}"))["numberMatched"] >= 1
    later = _json(client.get("/ogc/collections/divisions/items?datetime=2999-01-01/..&limit=1"))
    assert later["numberMatched"] == 0
    every = _json(client.get("/ogc/collections/divisions/items?datetime=../2999-01-01&limit=1"))["numberMatched"]
    assert every == Division.objects.filter(valid_to__isnull=True, code__isnull=False, geometry__isnull=False,
                                            valid_from__lte="2999-01-01").count()


def test_single_item_and_html(client, facilities) -> None:  # type: ignore[no-untyped-def]
    code = facilities[0].code
    response = client.get(f"/ogc/collections/facilities/items/{code}")
    assert response["Content-Type"] == GEOJSON
    feature = _json(response)
    assert feature["id"] == code and feature["properties"]["name"] == "武康老年食堂"
    assert any(link["rel"] == "collection" for link in feature["links"])
    html = client.get("/ogc/collections/facilities/items", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert html["Content-Type"].startswith("text/html") and "武康老年食堂" in html.content.decode()
    assert client.get("/ogc/collections?f=html")["Content-Type"].startswith("text/html")
    assert client.get(f"/ogc/collections/facilities/items/{code}?f=html").status_code == 200
    assert client.get("/ogc/collections", HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"


@pytest.mark.parametrize("url, field", [
    ("/ogc/collections/divisions/items?limit=0", "limit"),
    ("/ogc/collections/divisions/items?limit=10001", "limit"),
    ("/ogc/collections/divisions/items?bbox=120,30,119,31", "bbox"),
    ("/ogc/collections/divisions/items?bbox=120,30,121", "bbox"),
    ("/ogc/collections/divisions/items?datetime=yesterday", "datetime"),
    ("/ogc/collections/divisions/items?division=33x", "division"),
    ("/ogc/collections/divisions/items?levle=county", "levle"),
    ("/ogc/collections/divisions/items?kind=x", "kind"),
    ("/ogc/collections?f=xml", "f"),
])
def test_bad_parameters_are_problems(client, url, field) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert _json(response)["errors"][0]["field"] == field


def test_unknown_collection_and_feature_are_404(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/ogc/collections/rivers/items").status_code == 404
    response = client.get("/ogc/collections/facilities/items/NOPE")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
