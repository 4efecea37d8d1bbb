"""A whole joint inspection of 青黄线 recorded through the API — a moved marker with its
displacement, a GCJ-02 reading converted, a rebuilt marker re-registered with history, a finding
and a follow-up closed — then its report PDF read back with pdftotext; and the API's refusals."""
from __future__ import annotations

import subprocess

import pytest

from apps.boundaries.displacement import destination
from apps.boundaries.models import BoundaryMarker, InspectionCampaign, MarkerInspection
from apps.common.coords import wgs84_to_gcj02
from apps.common.models import ChangeRecord

pytestmark = pytest.mark.django_db
LINE = "3401"  # 青黄线, 青阳县–黄山区


def pdftotext(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True,
                          check=True).stdout.decode("utf-8")


def _campaign(staff_api) -> dict:  # type: ignore[no-untyped-def]
    response = staff_api.post("/api/v1/inspections/", {
        "line": LINE, "title": "2026年青黄线联检", "period_start": "2026-10-08",
        "participants": [{"name": "张明", "side": "a", "role": "青阳县民政局"},
                         {"name": "李华", "side": "b", "role": "黄山区民政局"}],
        "plan": "分三段徒步检查全部界桩", "basis": "青黄线界线协议书"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_complete_campaign_through_the_api(demo_lines, staff_api) -> None:
    campaign = _campaign(staff_api)
    assert (campaign["party_a"]["code"], campaign["party_b"]["code"], campaign["status"]) == \
        ("341003", "341723", "planned")
    pk = campaign["id"]
    markers = list(BoundaryMarker.objects.filter(line__code=LINE).order_by("sequence", "type_code"))
    moved, gcj, rebuilt, *rest = markers
    url = f"/api/v1/inspections/{pk}/records"
    # A marker found 12.5 m east of its registered position, restored.
    lon, lat = destination((moved.position.x, moved.position.y), 90.0, 12.5)
    response = staff_api.post(url, {"marker": moved.number, "condition": "moved", "inspected_on": "2026-10-08",
                                    "lon": lon, "lat": lat, "crs": "EPSG:4326", "action": "restored",
                                    "remarks": "施工挖掘致偏移，已复位"}, format="json")
    assert response.status_code == 201, response.json()
    record = next(r for r in response.json()["marker_records"] if r["marker"] == moved.number)
    assert record["displacement_m"] == pytest.approx(12.5, abs=0.01)
    assert record["displacement_azimuth_deg"] == pytest.approx(90.0, abs=0.5)
    assert response.json()["status"] == "in_progress"
    # A phone map's GCJ-02 reading of an undisturbed marker: converted, so no false displacement.
    glon, glat = wgs84_to_gcj02(gcj.position.x, gcj.position.y)
    response = staff_api.post(url, {"marker": gcj.number, "condition": "good", "inspected_on": "2026-10-08",
                                    "lon": glon, "lat": glat, "crs": "GCJ-02"}, format="json")
    record = next(r for r in response.json()["marker_records"] if r["marker"] == gcj.number)
    assert record["measured_converted"] is True and record["displacement_m"] < 0.5
    # A lost marker rebuilt 3 m away: its registered record moves, the old one stays in history.
    new_lon, new_lat = destination((rebuilt.position.x, rebuilt.position.y), 0.0, 3.0)
    old = (rebuilt.position.x, rebuilt.position.y)
    response = staff_api.post(url, {"marker": rebuilt.number, "condition": "lost", "inspected_on": "2026-10-09",
                                    "lon": new_lon, "lat": new_lat, "action": "rebuilt"}, format="json")
    assert response.status_code == 201
    rebuilt.refresh_from_db()
    assert (rebuilt.position.x, rebuilt.position.y) == pytest.approx((new_lon, new_lat), abs=1e-9)
    assert rebuilt.state == "good" and str(rebuilt.buried_on) == "2026-10-09"
    history = ChangeRecord.objects.filter(table_name="boundaries_boundarymarker", row_id=str(rebuilt.pk),
                                          action="U").order_by("-at", "-id").first()
    assert history.actor == "boundary-staff" and history.before["position"] != history.after["position"]
    detail = staff_api.get(f"/api/v1/boundary-markers/{rebuilt.number}/").json()
    assert detail["geometry"]["coordinates"] == pytest.approx([new_lon, new_lat], abs=1e-7)
    assert any(h["action"] == "修改" or h["before"] for h in detail["properties"]["history"])
    assert old != (new_lon, new_lat)
    for marker in rest:
        assert staff_api.post(url, {"marker": marker.number, "condition": "good", "inspected_on": "2026-10-09"},
                              format="json").status_code == 201
    # A segment finding and its follow-up, closed.
    response = staff_api.post(f"/api/v1/inspections/{pk}/findings", {
        "kind": "construction", "description": "界线两侧新修村道跨界约 80 米", "from_marker": markers[1].number,
        "to_marker": markers[2].number, "action": "双方协商保留现状",
        "geometry": {"type": "Point", "coordinates": [markers[1].position.x, markers[1].position.y]}}, format="json")
    assert response.status_code == 201, response.json()
    finding = response.json()["findings"][0]["id"]
    response = staff_api.post(f"/api/v1/inspections/{pk}/follow-ups", {
        "description": "补设方位物标志", "responsible": "a", "deadline": "2026-12-31", "marker": moved.number,
        "finding": finding}, format="json")
    assert response.status_code == 201, response.json()
    item = response.json()["follow_ups"][0]["id"]
    response = staff_api.post(f"/api/v1/inspections/{pk}/follow-ups/{item}/close",
                              {"closed_on": "2026-11-20", "resolution": "已补设两处方位物"}, format="json")
    assert response.status_code == 200
    closed = response.json()["follow_ups"][0]
    assert (closed["status"], closed["closed_on"], closed["resolution"]) == ("closed", "2026-11-20", "已补设两处方位物")
    response = staff_api.post(f"/api/v1/inspections/{pk}/complete",
                              {"completed_on": "2026-10-10", "agreed_handling": "界线清楚，界桩完好率达标"},
                              format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed" and len(response.json()["marker_records"]) == len(markers)
    # The report PDF, read back as text.
    response = staff_api.get(f"/api/v1/inspections/{pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdftotext(response.content)
    for words in ("界线联合检查报告", "青黄线（3401）", "青阳县", "黄山区", moved.number, "移位", "12.50",
                  "跨界建设", "补设方位物标志", "已办结", "界线清楚，界桩完好率达标", "双方签字", "千米"):
        assert words in text, words
    # The marker's 登记表.
    response = staff_api.get(f"/api/v1/boundary-markers/{moved.number}/register.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdftotext(response.content)
    for words in ("界桩登记表", moved.number, "方位物", "方位角", "青黄线", "历次检查", "演示数据", "12.50", "复位"):
        assert words in text, words
    assert staff_api.get(f"/api/v1/inspections/{pk}/report.pdf", {"page": "2"}).status_code == 400
    assert staff_api.get("/api/v1/inspections/999999/report.pdf").status_code == 404
    assert staff_api.get("/api/v1/boundary-markers/4301999Q/register.pdf").status_code == 404


def test_completing_needs_every_marker_and_freezes_the_campaign(demo_lines, staff_api) -> None:
    pk = _campaign(staff_api)["id"]
    marker = BoundaryMarker.objects.filter(line__code=LINE).first()
    staff_api.post(f"/api/v1/inspections/{pk}/records",
                   {"marker": marker.number, "condition": "good", "inspected_on": "2026-10-08"}, format="json")
    response = staff_api.post(f"/api/v1/inspections/{pk}/complete", {"completed_on": "2026-10-10"}, format="json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "个界桩未检查" in response.json()["detail"]
    assert InspectionCampaign.objects.get(pk=pk).status == "in_progress"


def test_moved_needs_a_position_and_nothing_is_half_written(demo_lines, staff_api) -> None:
    pk = _campaign(staff_api)["id"]
    marker = BoundaryMarker.objects.filter(line__code=LINE).first()
    url = f"/api/v1/inspections/{pk}/records"
    response = staff_api.post(url, {"marker": marker.number, "condition": "moved", "inspected_on": "2026-10-08"},
                              format="json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "measured"
    response = staff_api.post(url, {"marker": marker.number, "condition": "good", "inspected_on": "2026-10-08",
                                    "lon": 117.9, "lat": 95.0}, format="json")
    assert response.status_code == 422 and "纬度" in response.json()["detail"]
    response = staff_api.post(url, {"marker": marker.number, "condition": "good", "inspected_on": "2026-10-08",
                                    "lon": 117.9, "lat": 30.2, "crs": "BD-09"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "crs"
    other = BoundaryMarker.objects.exclude(line__code=LINE).first()
    response = staff_api.post(url, {"marker": other.number, "condition": "good", "inspected_on": "2026-10-08"},
                              format="json")
    assert response.status_code == 422 and "不在本次联检的界线上" in response.json()["detail"]
    assert not MarkerInspection.objects.filter(campaign_id=pk).exists()
    assert InspectionCampaign.objects.get(pk=pk).status == "planned"


def test_registering_a_marker_checks_the_number(demo_lines, staff_api) -> None:
    line = demo_lines["中芷线"]
    last = BoundaryMarker.objects.filter(line=line).order_by("-sequence").first()
    refs = [{"name": "电杆", "azimuth_deg": 10, "distance_m": 30}, {"name": "独立树", "azimuth_deg": 130,
            "distance_m": 45.5}, {"name": "桥头", "azimuth_deg": 250, "distance_m": 80}]
    # Past the south end of the line (north → south): the next sequence number fits there.
    from apps.common.shapes import to_shapely

    end = to_shapely(line.geometry).geoms[-1].coords[-1]
    body = {"line": "4301", "kind": "single", "lon": end[0], "lat": end[1] - 0.0003, "reference_objects": refs,
            "material": "花岗岩", "elevation_m": 312.4}
    for number, part in [("430100Q", "编号长度"), ("4302099Q", "界线代码"), ("4301A99Q", "序号"),
                         ("4301099A", "类型码")]:
        response = staff_api.post("/api/v1/boundary-markers/", {**body, "number": number}, format="json")
        assert response.status_code == 422, number
        assert response.json()["errors"] == [{"field": "number", "message": response.json()["detail"]}]
        assert part in response.json()["detail"], (number, response.json()["detail"])
    response = staff_api.post("/api/v1/boundary-markers/", {**body, "number": "4301001Q"}, format="json")
    assert response.status_code == 409  # exists
    start = to_shapely(line.geometry).geoms[0].coords[0]
    response = staff_api.post("/api/v1/boundary-markers/", {**body, "number": f"4301{last.sequence + 1:03d}Q",
                                                            "lon": start[0], "lat": start[1]}, format="json")
    assert response.status_code == 422 and "与位置不符" in response.json()["detail"]  # north end: must be < 001
    response = staff_api.post("/api/v1/boundary-markers/",
                              {**body, "number": f"4301{last.sequence + 1:03d}Q", "reference_objects": refs[:2]},
                              format="json")
    assert response.status_code == 422 and "方位物至少 3 个" in response.json()["detail"]
    response = staff_api.post("/api/v1/boundary-markers/", {**body, "number": f"4301{last.sequence + 1:03d}Q",
                                                            "reference_objects": [{**refs[0], "azimuth_deg": 360}, *refs[1:]]},
                              format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"].startswith("reference_objects")
    response = staff_api.post("/api/v1/boundary-markers/", {**body, "number": f"4301{last.sequence + 1:03d}Q"},
                              format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["properties"]["elevation_m"] == 312.4
    # Far from the line: refused.
    response = staff_api.post("/api/v1/boundary-markers/", {**body, "number": f"4301{last.sequence + 2:03d}Q",
                                                            "lat": end[1] - 0.05}, format="json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "position"


def test_reads_are_open_writes_are_staff_and_params_are_checked(demo_lines, api) -> None:
    # `api` is a viewer of 德清县: it reads every register but writes nothing.
    response = api.get("/api/v1/boundary-lines/")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["count"] == 6
    feature = next(f for f in body["features"] if f["id"] == "4301")
    assert feature["properties"]["name"] == "中芷线" and feature["geometry"]["type"] == "MultiLineString"
    assert feature["properties"]["derivation"]["projection"] == "EPSG:4546"
    assert api.get("/api/v1/boundary-lines/", {"division": "3305"}).json()["count"] == 2
    assert api.get("/api/v1/boundary-lines/", {"bbox": "117.5,30.0,118.5,31.0"}).json()["count"] == 2
    assert api.get("/api/v1/boundary-markers/", {"line": "3401"}).json()["count"] == \
        BoundaryMarker.objects.filter(line__code="3401").count()
    bad = api.get("/api/v1/boundary-lines/", {"levle": "x"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert api.get("/api/v1/boundary-markers/", {"state": "broken"}).status_code == 400
    assert api.get("/api/v1/boundary-lines/", {"bbox": "1,2,3"}).status_code == 400
    assert api.get("/api/v1/boundary-lines/9999/").status_code == 404
    assert api.post("/api/v1/inspections/", {"line": LINE}, format="json").status_code == 403
    assert api.post("/api/v1/boundary-lines/3401/ad-hoc-inspection", {"reason": "洪水"}).status_code == 403


def test_field_page_is_for_staff(demo_lines, client, anon_client, staff_api) -> None:
    marker = BoundaryMarker.objects.filter(line__code=LINE).first()
    response = anon_client.get(f"/boundaries/field/{marker.number}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # A viewer sees the page but cannot record: refused on the page (403), nothing written.
    pk = _campaign(staff_api)["id"]
    assert client.get(f"/boundaries/field/{marker.number}/").status_code == 200
    response = client.post(f"/boundaries/field/{marker.number}/", {
        "campaign": pk, "condition": "good", "inspected_on": "2026-10-08"})
    assert response.status_code == 403 and "编辑员" in response.content.decode()
    assert not MarkerInspection.objects.filter(campaign_id=pk).exists()


def test_unknown_body_fields_are_refused(demo_lines, staff_api) -> None:
    response = staff_api.post("/api/v1/inspections/", {"line": LINE, "title": "x", "period_start": "2026-10-01",
                                                      "colour": "red"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "colour"
    response = staff_api.post("/api/v1/inspections/", {"line": LINE, "title": "x", "period_start": "2026-10-01",
                                                      "ad_hoc": True}, format="json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ad_hoc_reason"


def _image(fmt: str = "JPEG") -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (120, 160, 90)).save(buffer, fmt)
    return buffer.getvalue()


def test_marker_photos_are_uploaded_checked_and_kept(demo_lines, staff_api, settings, tmp_path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.boundaries import photos

    settings.MEDIA_ROOT = tmp_path
    marker = BoundaryMarker.objects.filter(line__code=LINE).first()
    url = f"/api/v1/boundary-markers/{marker.number}/photos"
    response = staff_api.post(url, {"photo": SimpleUploadedFile("界桩.jpg", _image(), "image/jpeg")},
                              format="multipart")
    assert response.status_code == 201, response.json()
    path = response.json()["path"]
    assert path.startswith(f"boundaries/{marker.number}/") and path.endswith(".jpg")
    assert (tmp_path / path).read_bytes()[:3] == b"\xff\xd8\xff"
    marker.refresh_from_db()
    assert marker.photos == [path]
    fake = staff_api.post(url, {"photo": SimpleUploadedFile("x.jpg", b"GIF89a not a photo", "image/jpeg")},
                          format="multipart")
    assert fake.status_code == 400 and "不是 JPEG 或 PNG" in fake.json()["detail"]
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * photos.MAX_BYTES, "image/png")
    assert staff_api.post(url, {"photo": big}, format="multipart").status_code == 413
    assert staff_api.post(url, {}, format="multipart").status_code == 400
    marker.refresh_from_db()
    assert len(marker.photos) == 1
