"""/api/v1/divisions/: GeoJSON shape, filters, detail, and parameter validation."""
from __future__ import annotations

import json
import re

import pytest

from apps.common.coords import wgs84_to_gcj02

pytestmark = pytest.mark.django_db

SEED_POINTS = {"德清县": (119.97, 30.54), "青阳县": (117.85, 30.64), "中方县": (109.95, 27.44),
               "平湖市": (121.09, 30.70), "启东市": (121.65, 31.81)}


def features(api, query: str) -> list[dict]:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/divisions/?{query}")
    assert response.status_code == 200, response.content
    return response.json()["features"]


def test_county_list_is_rfc7946_with_our_counties_first(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/divisions/?level=county")
    body = response.json()
    assert body["type"] == "FeatureCollection" and "crs" not in body
    assert body["count"] > 2800 and len(body["features"]) == 100 and body["next"]
    first12 = {f["properties"]["name"] for f in body["features"][:12]}
    assert first12 == {"德清县", "青阳县", "中方县", "平湖市", "启东市", "芷江侗族自治县", "辰溪县", "溆浦县",
                       "黄山区", "南陵县", "桐乡市", "南浔区"}
    deqing = next(f for f in body["features"] if f["id"] == "330521")
    assert deqing["geometry"]["type"] == "MultiPolygon"
    assert abs(deqing["properties"]["area_km2"] - 936) / 936 < 0.02
    text = json.dumps(deqing["geometry"])
    assert not re.search(r"\d+\.\d{8,}", text)  # at most 7 decimals


@pytest.mark.parametrize("name", list(SEED_POINTS))
def test_contains_finds_each_seed_county(api, name: str) -> None:  # type: ignore[no-untyped-def]
    lon, lat = SEED_POINTS[name]
    assert [f["properties"]["name"] for f in features(api, f"contains={lon},{lat}&level=county&geometry=false")] == [name]


def test_contains_without_level_gives_the_whole_chain(api) -> None:  # type: ignore[no-untyped-def]
    found = {f["properties"]["level"]: f["properties"]["name"] for f in features(api, "contains=119.97,30.54&geometry=false")}
    assert found["province"] == "浙江省" and found["prefecture"] == "湖州市" and found["county"] == "德清县"
    assert "township" in found


def test_contains_in_gcj02(api) -> None:  # type: ignore[no-untyped-def]
    # A point near 德清县's western border, given as a web-map (GCJ-02) coordinate.
    lon, lat = wgs84_to_gcj02(119.97, 30.54)
    assert [f["properties"]["name"] for f in features(api, f"contains={lon},{lat}&crs=GCJ-02&level=county&geometry=false")] == ["德清县"]


def test_parent_and_division_prefix(api) -> None:  # type: ignore[no-untyped-def]
    towns = features(api, "parent=330521&geometry=false")
    assert len(towns) >= 10 and all(f["properties"]["level"] == "township" for f in towns)
    assert all(f["properties"]["code_assigned_locally"] and f["properties"]["geometry_synthesised"] for f in towns)
    everything = api.get("/api/v1/divisions/?division=330521&geometry=false&limit=5000").json()
    levels = {f["properties"]["level"] for f in everything["features"]}
    assert levels == {"county", "township", "village"} and everything["count"] > 150


def test_has_geometry(api) -> None:  # type: ignore[no-untyped-def]
    assert len(features(api, "has_geometry=true&level=county&geometry=false")) == 12
    unmapped = features(api, "has_geometry=false&level=county&limit=50")
    assert len(unmapped) == 50 and all(f["geometry"] is None for f in unmapped)


def test_bbox(api) -> None:  # type: ignore[no-untyped-def]
    names = {f["properties"]["name"] for f in features(api, "bbox=119.9,30.5,120.0,30.6&level=county&geometry=false")}
    assert "德清县" in names and "启东市" not in names


def test_as_of_returns_the_past(api) -> None:  # type: ignore[no-untyped-def]
    now = {f["properties"]["name"] for f in features(api, "level=county&division=3206&geometry=false")}
    then = {f["properties"]["name"] for f in features(api, "level=county&q=海门&as_of=2019-01-01&geometry=false")}
    assert "海门区" in now and "海门市" not in now
    assert then == {"海门市"}


def test_simplify_reduces_vertices_and_stays_valid(api) -> None:  # type: ignore[no-untyped-def]
    full = api.get("/api/v1/divisions/330521/").json()["geometry"]
    simple = api.get("/api/v1/divisions/330521/?simplify=500").json()["geometry"]
    count = lambda g: sum(len(ring) for poly in g["coordinates"] for ring in poly)  # noqa: E731
    assert simple["type"] == "MultiPolygon" and count(simple) < count(full) / 2


def test_detail_has_parent_chain_and_children_counts(api) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/divisions/330521/").json()
    assert body["type"] == "Feature" and body["id"] == "330521"
    props = body["properties"]
    assert [p["name"] for p in props["parent_chain"]] == ["浙江省", "湖州市"]
    assert props["children_counts"]["township"] >= 10
    assert props["descendant_counts"]["village"] > 100
    assert props["geometry_source"].startswith("县、市、省界")


def test_detail_of_unknown_code_is_404_problem(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/divisions/999999/")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("query,field", [
    ("level=city", "level"), ("levle=county", "levle"), ("bbox=1,2,3", "bbox"), ("bbox=a,b,c,d", "bbox"),
    ("bbox=121,30,120,31", "bbox"), ("contains=120,91", "contains"), ("contains=200,30", "contains"),
    ("contains=nan,30", "contains"), ("contains=120", "contains"), ("as_of=2020-13-01", "as_of"),
    ("as_of=yesterday", "as_of"), ("limit=0", "limit"), ("limit=99999", "limit"), ("offset=-1", "offset"),
    ("limit=abc", "limit"), ("crs=EPSG:9999&contains=1,2", "crs"), ("division=33x", "division"),
    ("simplify=-5", "simplify"), ("has_geometry=maybe", "has_geometry"), ("geometry=maybe", "geometry"), ("scope=mine", "scope"),
])
def test_bad_parameters_are_400_problem_details(api, query: str, field: str) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/divisions/?{query}")
    assert response.status_code == 400, (query, response.content)
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and body["title"]
    assert field in [e["field"] for e in body["errors"]], body


def test_detail_rejects_bad_parameters(api) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/api/v1/divisions/330521/?as_of=2020-02-30").status_code == 400
    assert api.get("/api/v1/divisions/330521/?foo=1").status_code == 400


def test_openapi_schema_documents_the_filters(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    params = {p["name"] for p in response.json()["paths"]["/api/v1/divisions/"]["get"]["parameters"]}
    assert {"level", "parent", "division", "bbox", "contains", "crs", "as_of", "limit", "offset", "simplify"} <= params


def test_docs_page_uses_local_assets_only(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html and "/static/drf_spectacular_sidecar/" in html
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)", html.replace("http://www.w3.org", ""))
