"""Exports read back with GDAL (pyogrio): the CRS of each file, Chinese names in shapefiles with
UTF-8 and GBK `.cpg`, coordinates against the transforms (pyproj for Gauss-Krüger, our GCJ-02
formula), the GCJ-02 README, the CSV formula-injection guard, and the refusals."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pyogrio
import pytest
from pyproj import CRS, Transformer

from apps.accounts.keys import issue_key
from apps.common.coords import wgs84_to_gcj02

pytestmark = pytest.mark.django_db
URL = "/api/v1/export/facilities"


def _unzip(content: bytes, folder: Path) -> dict[str, Path]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(folder)
        return {Path(n).suffix: folder / n for n in archive.namelist()}


def _by_name(frame) -> dict:  # type: ignore[no-untyped-def]
    return {row["name"]: row.geometry for _, row in frame.iterrows()}


@pytest.mark.parametrize("encoding", ["UTF-8", "GBK"])
def test_shapefile_keeps_chinese_names_in_the_chosen_encoding(staff_api, facilities, tmp_path, encoding) -> None:  # type: ignore[no-untyped-def]
    response = staff_api.get(URL, {"format": "shp", "encoding": encoding, "division": facilities[0].township.code})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    files = _unzip(response.content, tmp_path)
    assert files[".cpg"].read_text() == encoding
    assert "China_2000" in files[".prj"].read_text()
    raw = files[".dbf"].read_bytes()
    assert "武康老年食堂".encode(encoding.lower()) in raw
    frame = pyogrio.read_dataframe(files[".shp"])  # GDAL follows the .cpg
    assert set(frame["name"]) == {f.name for f in facilities}
    assert CRS.from_user_input(frame.crs).equals(CRS.from_epsg(4490), ignore_axis_order=True)
    point = _by_name(frame)["武康老年食堂"]
    assert (round(point.x, 7), round(point.y, 7)) == (round(facilities[0].location.x, 7), round(facilities[0].location.y, 7))


def test_gauss_kruger_export_matches_pyproj(staff_api, facilities, tmp_path) -> None:  # type: ignore[no-untyped-def]
    response = staff_api.get(URL, {"format": "gpkg", "crs": "EPSG:4549", "division": facilities[0].township.code})
    assert response.status_code == 200 and 'EPSG4549.gpkg' in response["Content-Disposition"]
    path = tmp_path / "out.gpkg"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path)
    assert CRS.from_user_input(frame.crs).to_epsg() == 4549
    x, y = Transformer.from_crs(4490, 4549, always_xy=True).transform(facilities[0].location.x, facilities[0].location.y)
    point = _by_name(frame)["武康老年食堂"]
    assert abs(point.x - x) < 0.01 and abs(point.y - y) < 0.01 and 300_000 < point.x < 700_000
    shp = staff_api.get(URL, {"format": "shp", "crs": "EPSG:4529", "division": facilities[0].township.code})
    files = _unzip(shp.content, tmp_path / "shp")
    assert "CGCS2000_3_Degree_GK_Zone_41" in files[".prj"].read_text()
    assert 41_000_000 < _by_name(pyogrio.read_dataframe(files[".shp"]))["武康老年食堂"].x < 42_000_000


def test_gcj02_export_says_so_and_matches_the_formula(staff_api, facilities, tmp_path) -> None:  # type: ignore[no-untyped-def]
    response = staff_api.get(URL, {"format": "shp", "crs": "GCJ-02", "division": facilities[0].township.code})
    assert "GCJ-02" in response["Content-Disposition"]
    files = _unzip(response.content, tmp_path)
    assert "GCJ-02" in files[".txt"].read_text(encoding="utf-8") and "WGS_1984" in files[".prj"].read_text()
    point = _by_name(pyogrio.read_dataframe(files[".shp"]))["武康老年食堂"]
    lon, lat = wgs84_to_gcj02(facilities[0].location.x, facilities[0].location.y)
    assert abs(point.x - lon) < 1e-7 and abs(point.y - lat) < 1e-7
    assert abs(point.x - facilities[0].location.x) > 1e-3  # really shifted (hundreds of metres)
    gpkg = staff_api.get(URL, {"format": "gpkg", "crs": "GCJ-02"})
    path = tmp_path / "gcj.gpkg"
    path.write_bytes(gpkg.content)
    assert "GCJ-02" in pyogrio.read_info(path)["layer_metadata"]["DESCRIPTION"]
    assert "GCJ-02" in gpkg["Content-Disposition"]


def test_csv_has_bom_projected_columns_and_the_injection_guard(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    response = staff_api.get(URL, {"format": "csv", "crs": "EPSG:4549", "division": facilities[0].township.code})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert {"x", "y", "wkt", "crs"} <= set(rows[0]) and rows[0]["crs"] == "EPSG:4549"
    names = {r["name"] for r in rows}
    assert "'=HYPERLINK(\"http://x\")" in names and "=HYPERLINK(\"http://x\")" not in names
    plain = staff_api.get(URL, {"format": "csv"}).content.decode("utf-8")
    assert "lon,lat" in plain.splitlines()[0]


def test_geojson_is_rfc7946_only(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    response = staff_api.get("/api/v1/export/facilities", {"division": facilities[0].township.code})
    body = json.loads(response.content)
    assert response["Content-Type"] == "application/geo+json" and "crs" not in body
    assert {f["properties"]["name"] for f in body["features"]} == {f.name for f in facilities}
    refused = staff_api.get(URL, {"format": "geojson", "crs": "EPSG:4549"})
    assert refused.status_code == 400 and "RFC 7946" in refused.json()["detail"]


def test_every_layer_and_empty_selections_export(staff_api) -> None:  # type: ignore[no-untyped-def]
    for layer in ["divisions", "addresses", "roads", "placenames", "facilities", "boundary-lines", "boundary-markers"]:
        response = staff_api.get(f"/api/v1/export/{layer}", {"format": "gpkg", "division": "330521"})
        assert response.status_code == 200, layer
    divisions = staff_api.get("/api/v1/export/divisions", {"format": "csv", "division": "330521"})
    assert divisions["X-Feature-Count"] == str(len(divisions.content.decode("utf-8").splitlines()) - 1)
    for fmt in ["csv", "gpkg", "shp", "geojson"]:
        empty = staff_api.get(URL, {"format": fmt, "division": "99"})
        assert empty.status_code == 200 and empty["X-Feature-Count"] == "0", fmt


@pytest.mark.parametrize("query, field", [
    ({"crs": "EPSG:3857", "format": "csv"}, "crs"), ({"crs": "EPSG:4512", "format": "csv"}, "crs"),
    ({"format": "kml"}, "format"), ({"format": "shp", "encoding": "latin1"}, "encoding"),
    ({"bbox": "1,2,3"}, "bbox"), ({"colour": "red"}, "colour"),
])
def test_bad_export_parameters(staff_api, query, field) -> None:  # type: ignore[no-untyped-def]
    response = staff_api.get(URL, query)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == field


def test_exports_need_a_login_or_a_key(anon_api, facilities) -> None:  # type: ignore[no-untyped-def]
    refused = anon_api.get(URL)
    assert refused.status_code == 401 and refused["Content-Type"].startswith("application/problem+json")
    assert anon_api.get("/api/v1/export/rivers").status_code == 401
    issued = issue_key("自然资源局", created_by="test-admin")
    anon_api.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued.secret}")
    exported = anon_api.get(URL, {"format": "csv"})  # a register read: department keys may export
    assert exported.status_code == 200 and "武康老年食堂" in exported.content.decode("utf-8-sig")


def test_big_selections_become_a_job_with_a_file(staff_api, facilities, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from apps.common.jobs import claim_next, run_job

    settings.EXCHANGE_SYNC_EXPORT_MAX = 2
    settings.MEDIA_ROOT = tmp_path / "media"
    queued = staff_api.get(URL, {"format": "gpkg", "crs": "EPSG:4549", "division": facilities[0].township.code})
    assert queued.status_code == 202 and queued["Location"].startswith("/api/v1/jobs/")
    assert staff_api.get(URL, {"format": "geojson", "crs": "GCJ-02"}).status_code == 400  # checked before queueing
    ran = run_job(claim_next())
    assert ran.status == "succeeded", ran.message
    job = staff_api.get(queued["Location"]).json()
    assert job["status"] == "succeeded" and job["result"]["count"] == 3
    download = staff_api.get(job["result"]["download"])
    assert download.status_code == 200 and "EPSG4549.gpkg" in download["Content-Disposition"]
    path = tmp_path / "job.gpkg"
    path.write_bytes(b"".join(download.streaming_content))
    frame = pyogrio.read_dataframe(path)
    assert sorted(frame["name"]) == sorted(f.name for f in facilities) and CRS.from_user_input(frame.crs).to_epsg() == 4549
    assert staff_api.get("/api/v1/export/jobs/999999/file").status_code == 404
