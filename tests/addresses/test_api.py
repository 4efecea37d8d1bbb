"""Address API, downloads and pages on a few real addresses made through the services."""
from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
from pypdf import PdfReader

from apps.addresses import services
from apps.addresses.models import PlateReport, PlateState
from apps.common.coords import wgs84_to_gcj02
from tests.conftest import make_staff

from .conftest import offset

pytestmark = pytest.mark.django_db


@pytest.fixture
def doors(ew_road):  # type: ignore[no-untyped-def]
    """Three doors on the test east–west road and a room address behind the first; plates."""
    made = []
    for dx, dy in ((0.003, 0.0002), (0.002, 0.0002), (0.003, -0.0002)):
        made.append(services.allocate_door(ew_road, offset(ew_road.township.seat, dx, dy), actor="t",
                                           households=3, residents=8, residents_60plus=2))
    room = services.create_address(services.AddressInput(
        location=offset(ew_road.township.seat, 0.003, 0.0004), road=ew_road, door_number=1, building="3", unit="2",
        room="502", households=1, residents=3), actor="t")
    plate = services.issue_plate(made[0].identity, actor="t")
    services.set_plate_state(plate, PlateState.MADE, actor="t")
    services.set_plate_state(plate, PlateState.INSTALLED, actor="t")
    services.issue_plate(made[1].identity, actor="t")  # 待制作
    return made + [room]


@pytest.fixture
def staff(client):  # type: ignore[no-untyped-def]
    """A page client logged in as an editor of 德清县."""
    client.force_login(make_staff("staff", role="editor", jurisdiction="330521"))
    return client


def test_detail_is_a_feature_with_components_chain_and_plates(api, doors) -> None:  # type: ignore[no-untyped-def]
    body = api.get(f"/api/v1/addresses/{doors[0].code}").json()
    assert body["type"] == "Feature" and body["id"] == doors[0].code
    props = body["properties"]
    assert props["full_text"] == "浙江省湖州市德清县武康街道测试东西路1号" and props["door"] == "1号"
    chain = [d["name"] for d in props["division_chain"]]
    assert chain[:4] == ["浙江省", "湖州市", "德清县", "武康街道"] and chain[4].endswith(("社区", "村"))
    assert body["id"][:12] == props["division_code"] and len(props["division_code"]) == 12
    assert props["plates"][0]["state_label"] == "已安装" and props["plates"][0]["qr_svg"].endswith("/qr.svg")
    assert "token" not in json.dumps(props["plates"])  # the token is the QR's secret, not API data
    room = api.get(f"/api/v1/addresses/{doors[3].code}/").json()["properties"]
    assert (room["building"], room["unit"], room["room"], room["floor"], room["level"]) == ("3", "2", "502", 5, "room")


def test_list_filters(api, doors) -> None:  # type: ignore[no-untyped-def]
    def codes(query: str) -> set[str]:
        response = api.get(f"/api/v1/addresses/?{query}")
        assert response.status_code == 200, response.content
        return {f["id"] for f in response.json()["features"]}

    everything = {d.code for d in doors}
    assert codes("road=R9001") == everything
    assert codes(f"division={doors[0].division_code[:9]}&level=door") == {d.code for d in doors[:3]}
    assert codes("road=R9001&level=room") == {doors[3].code}
    seat = doors[0].township.seat
    assert codes(f"bbox={seat.x + 0.0025},{seat.y},{seat.x + 0.0035},{seat.y + 0.001}&road=R9001") == {
        doors[0].code, doors[3].code}
    assert codes("road=R9001&as_of=2000-01-01") == set()
    for bad in ("road=9001", "division=x", "level=flat", "bbox=1,2", "foo=1", "as_of=2020-02-30"):
        assert api.get(f"/api/v1/addresses/?{bad}").status_code == 400, bad


def test_reverse_geocoding_with_a_gcj02_input(api, doors) -> None:  # type: ignore[no-untyped-def]
    target = doors[1].location
    lon, lat = wgs84_to_gcj02(target.x + 0.00005, target.y)  # ~5 m east, as a web map would give it
    body = api.get(f"/api/v1/reverse?lon={lon}&lat={lat}&crs=GCJ-02").json()
    assert body["count"] == 1 and body["features"][0]["id"] == doors[1].code
    assert 3 < body["features"][0]["properties"]["distance_m"] < 7
    # Read as if it were CGCS2000, the same numbers land ~500 m away: nothing within 200 m.
    assert api.get(f"/api/v1/reverse?lon={lon}&lat={lat}").json()["count"] == 0
    assert api.get(f"/api/v1/reverse?lon={lon}&lat=95").status_code == 400
    assert api.get(f"/api/v1/reverse?lon={lon}&lat={lat}&crs=EPSG:1").status_code == 400
    assert api.get(f"/api/v1/reverse?lon={lon}&lat={lat}&radius=0").status_code == 400


def test_qr_svg_encodes_the_scan_url(client, doors) -> None:  # type: ignore[no-untyped-def]
    from apps.addresses.models import DoorPlate

    plate = DoorPlate.objects.get(identity=doors[0].identity)
    response = client.get(f"/api/v1/plates/{plate.plate_no}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") or b"<svg" in response.content[:200]
    assert client.get("/api/v1/plates/nope/qr.svg").status_code == 404


def test_scan_page_shows_the_address_and_takes_error_reports(client, doors) -> None:  # type: ignore[no-untyped-def]
    from apps.addresses.models import DoorPlate

    plate = DoorPlate.objects.get(identity=doors[0].identity)
    page = client.get(f"/m/{plate.token}").content.decode()
    assert doors[0].full_text in page and "德清县" in page
    assert "residents" not in page and "户数" not in page  # no personal or demand data
    response = client.post(f"/m/{plate.token}", {"problem": "门牌号与实际不符"})
    assert response.status_code == 200 and "已收到" in response.content.decode()
    assert PlateReport.objects.filter(plate=plate).count() == 1
    client.post(f"/m/{plate.token}", {"problem": "广告", "website": "http://spam"})  # honeypot: dropped
    assert PlateReport.objects.filter(plate=plate).count() == 1
    statuses = [client.post(f"/m/{plate.token}", {"problem": f"第{i}次"}).status_code for i in range(6)]
    assert statuses[-1] == 429 and PlateReport.objects.filter(plate=plate).count() == 5


def test_coverage_statistics(api, doors) -> None:  # type: ignore[no-untyped-def]
    body = api.get(f"/api/v1/addresses/stats?division={doors[0].township.code}").json()
    row = body["results"][0]
    assert row["name"] == "武康街道" and row["door_addresses"] == 3 and row["plates_installed"] == 1
    assert row["coverage"] == pytest.approx(1 / 3, abs=1e-3) and row["plates_to_produce"] == 1
    assert row["without_plate"] == 1  # the third door has no plate yet
    assert api.get("/api/v1/addresses/stats?division=abc").status_code == 400


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_exports_read_back_by_gdal_equal_the_source(staff, doors, tmp_path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    division = doors[0].division_code[:9]
    response = staff.get(f"/api/v1/addresses/export?division={division}&format={fmt}")
    assert response.status_code == 200, response.content[:300]
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(response.content)
    if fmt == "csv":
        assert response.content.startswith("\ufeff".encode())
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"code": str, "division_code": str})
        got = {(r.code, r.full_text, round(r.lon, 7), round(r.lat, 7)) for r in frame.itertuples()}
    else:
        frame = gpd.read_file(path, engine="pyogrio")
        got = {(r.code, r.full_text, round(r.geometry.x, 7), round(r.geometry.y, 7)) for r in frame.itertuples()}
    want = {(d.code, d.full_text, round(d.location.x, 7), round(d.location.y, 7)) for d in doors}
    assert got == want


def test_exports_need_a_login_and_valid_parameters(anon_api, api, staff, doors) -> None:  # type: ignore[no-untyped-def]
    refused = anon_api.get("/api/v1/addresses/export?division=330521")
    assert refused.status_code == 401 and refused["Content-Type"].startswith("application/problem+json")
    assert api.get("/api/v1/addresses/export?division=330521&format=csv").status_code == 200  # a viewer reads
    assert staff.get("/api/v1/addresses/export?division=330521&format=xls").status_code == 400
    assert staff.get("/api/v1/addresses/export?division=33&format=csv").status_code == 400


def test_plate_sheet_pdf_and_csv(staff, doors) -> None:  # type: ignore[no-untyped-def]
    township = doors[0].township.code
    pdf = staff.get(f"/addresses/plates/{township}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "测试东西路" in text and "3号" in text
    csv = staff.get(f"/addresses/plates/{township}.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("门牌编号") and "测试东西路3号" in csv


def test_staff_allocates_a_door_through_the_api(api, ew_road) -> None:  # type: ignore[no-untyped-def]
    seat = ew_road.township.seat
    body = {"lon": seat.x + 0.001, "lat": seat.y + 0.0002}
    assert api.post("/api/v1/roads/R9001/doors", body, format="json").status_code == 403  # a viewer
    api.force_authenticate(make_staff("s2", role="editor", jurisdiction="330521"))
    created = api.post("/api/v1/roads/R9001/doors", body, format="json")
    assert created.status_code == 201 and created.json()["properties"]["door"] == "1号"
    outside = api.post("/api/v1/roads/R9001/doors", {"lon": 121.65, "lat": 31.81}, format="json")
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "location"


def test_statistics_page(staff, doors) -> None:  # type: ignore[no-untyped-def]
    page = staff.get(f"/addresses/stats/?division={doors[0].township.code}").content.decode()
    assert "数字门牌覆盖率统计" in page and "武康街道" in page and f"/addresses/plates/{doors[0].township.code}.pdf" in page
