"""Imports from real files written here: a GBK shapefile without `.cpg` (encoding guessed, names
decoded in the preview), a Gauss-Krüger file without `.prj` (zone read from the eastings), a file
with neither (refused), CSV with GCJ-02 coordinates (explicit choice; refused without), a zip
bomb and an oversized upload (413); the dry run lists every rejected row with its reason; a commit
is one transaction through the registers' services (codes, history, actor); the staff page."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from django.contrib.gis.geos import Point
from pyproj import Transformer

from apps.common.coords import gcj02_to_wgs84, wgs84_to_gcj02
from apps.common.models import ChangeRecord
from apps.exchange.importing import MappingError, run_import
from apps.exchange.sources import SourceError, open_source
from apps.facilities.models import Facility, FacilityStatusEvent
from apps.placenames.models import PlaceName

pytestmark = pytest.mark.django_db


def _zip_shapefile(frame: gpd.GeoDataFrame, folder: Path, *, encoding: str, keep: tuple[str, ...]) -> Path:
    frame.to_file(folder / "src.shp", encoding=encoding, engine="pyogrio")
    archive = folder / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for suffix in keep:
            if (folder / f"src{suffix}").exists():
                zf.write(folder / f"src{suffix}", f"src{suffix}")
    return archive


def _facility_rows(seat: Point) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"MC": ["武康幸福食堂", "", "远方助餐点", "金鹅山助餐点"], "LX": ["老年食堂", "meal_point", "meal_point", "火箭站"]},
        geometry=[shapely.Point(seat.x + 0.001, seat.y), shapely.Point(seat.x + 0.002, seat.y),
                  shapely.Point(100.0, 25.0), shapely.Point(seat.x, seat.y + 0.001)], crs="EPSG:4490")


@pytest.fixture
def gbk_zip(wukang, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    return _zip_shapefile(_facility_rows(wukang.seat), tmp_path, encoding="GBK", keep=(".shp", ".shx", ".dbf", ".prj"))


def test_gbk_shapefile_without_cpg_is_guessed_and_decoded(gbk_zip, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = open_source(gbk_zip, tmp_path / "work")
    assert source.encoding == "GBK" and "推断" in source.encoding_note
    assert source.crs == "EPSG:4490" and source.fields == ["MC", "LX"]
    assert [row["MC"] for row in source.preview()][:1] == ["武康幸福食堂"]
    with pytest.raises(SourceError, match="无法读取"):  # a wrong override is an error, not mojibake
        open_source(gbk_zip, tmp_path / "work2", encoding="UTF-8")
    assert open_source(gbk_zip, tmp_path / "work3", encoding="GBK").encoding_note == "按指定编码 GBK 读取"


def test_dry_run_lists_every_rejected_row_and_writes_nothing(gbk_zip, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = open_source(gbk_zip, tmp_path / "work")
    before = Facility.objects.count()
    report = run_import(source, "facilities", {"name": "MC", "kind": "LX"}, {}, actor="clerk", commit=False)
    reasons = {row.index: row.reason for row in report.rejected}
    assert len(report.accepted) == 1 and set(reasons) == {2, 3, 4}
    assert "名称不能为空" in reasons[2] and "不在任何现行县级区划" in reasons[3] and "未知设施类型" in reasons[4]
    assert Facility.objects.count() == before and "未写入" in report.message


def test_commit_is_all_or_nothing_and_goes_through_the_service(gbk_zip, tmp_path, wukang) -> None:  # type: ignore[no-untyped-def]
    source = open_source(gbk_zip, tmp_path / "work")
    before = Facility.objects.count()
    refused = run_import(source, "facilities", {"name": "MC", "kind": "LX"}, {}, actor="clerk", commit=True)
    assert not refused.committed and Facility.objects.count() == before
    done = run_import(source, "facilities", {"name": "MC", "kind": "LX"}, {"status": "运营"}, actor="clerk",
                      commit=True, skip_rejected=True)
    assert done.committed and Facility.objects.count() == before + 1
    facility = Facility.objects.get(code=done.accepted[0])
    assert facility.name == "武康幸福食堂" and facility.township == wukang and facility.status == "运营"
    assert FacilityStatusEvent.objects.get(facility=facility).actor == "clerk"
    assert ChangeRecord.objects.filter(table_name="facilities_facility", row_id=str(facility.pk)).exists()


def test_mapping_is_checked(gbk_zip, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = open_source(gbk_zip, tmp_path / "work")
    with pytest.raises(MappingError, match="类型"):
        run_import(source, "facilities", {"name": "MC"}, {}, actor="t", commit=False)
    with pytest.raises(MappingError, match="不在文件中"):
        run_import(source, "facilities", {"name": "NAME", "kind": "LX"}, {}, actor="t", commit=False)
    fixed = run_import(source, "facilities", {"name": "MC"}, {"kind": "meal_point"}, actor="t", commit=False)
    assert len(fixed.accepted) == 2  # a fixed kind replaces the unknown ones


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_gauss_kruger_file_without_prj_is_read_from_the_eastings(wukang, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seat = wukang.seat
    to_gk = Transformer.from_crs(4490, 4528, always_xy=True)  # zone 40, eastings prefixed "40"
    corners = [to_gk.transform(seat.x + dx, seat.y + dy) for dx, dy in [(0, 0), (0.003, 0), (0.003, 0.002), (0, 0.002)]]
    frame = gpd.GeoDataFrame({"name": ["西山"], "lb": ["1001"]}, geometry=[shapely.Polygon(corners)])
    archive = _zip_shapefile(frame, tmp_path, encoding="UTF-8", keep=(".shp", ".shx", ".dbf", ".cpg"))
    source = open_source(archive, tmp_path / "work")
    assert source.crs == "EPSG:4528" and "坐标量级" in source.crs_note
    report = run_import(source, "placenames", {"name": "name", "category": "lb"}, {}, actor="clerk", commit=True)
    place = PlaceName.objects.get(code=report.accepted[0])
    assert place.name == "西山" and place.geometry.geom_type == "Polygon" and place.status == "拟定"
    first = place.geometry.coords[0][0]
    assert abs(first[0] - seat.x) < 1e-7 and abs(first[1] - seat.y) < 1e-7


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_lonlat_file_without_prj_is_refused(wukang, tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = gpd.GeoDataFrame({"name": ["某地"]}, geometry=[shapely.Point(wukang.seat.x, wukang.seat.y)])
    archive = _zip_shapefile(frame, tmp_path, encoding="UTF-8", keep=(".shp", ".shx", ".dbf", ".cpg"))
    with pytest.raises(SourceError, match="无法确定坐标系"):
        open_source(archive, tmp_path / "work")
    assert open_source(archive, tmp_path / "work", crs="EPSG:4490").crs == "EPSG:4490"


def test_csv_with_gcj02_coordinates_needs_the_choice_and_is_converted(wukang, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lon, lat = wgs84_to_gcj02(wukang.seat.x + 0.001, wukang.seat.y + 0.001)
    path = tmp_path / "canteens.csv"
    path.write_bytes(f"名称,类型,经度,纬度\n高德上的食堂,meal_point,{lon:.7f},{lat:.7f}\n".encode("gbk"))
    with pytest.raises(SourceError, match="请明确选择坐标系"):
        open_source(path, tmp_path / "work")
    source = open_source(path, tmp_path / "work", crs="GCJ-02")
    assert source.encoding == "GBK" and source.preview()[0]["名称"] == "高德上的食堂"
    report = run_import(source, "facilities", {"name": "名称", "kind": "类型"}, {}, actor="clerk", commit=True)
    location = Facility.objects.get(code=report.accepted[0]).location
    expected = gcj02_to_wgs84(lon, lat)
    assert abs(location.x - expected[0]) < 1e-7 and abs(location.y - expected[1]) < 1e-7
    assert abs(location.x - (wukang.seat.x + 0.001)) < 1e-5  # back where it really is


def test_zip_bomb_and_oversized_uploads_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("data.csv", "w") as member:
        for _ in range(20):
            member.write(b"0" * (1 << 20))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(SourceError, match="压缩炸弹") as caught:
        open_source(bomb, tmp_path / "work")
    assert caught.value.status == 413 and not (tmp_path / "work" / "unpacked" / "data.csv").exists()
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(201):
            zf.writestr(f"f{i}.txt", "x")
    with pytest.raises(SourceError, match="文件过多"):
        open_source(many, tmp_path / "work")
    escape = tmp_path / "escape.zip"
    with zipfile.ZipFile(escape, "w") as zf:
        zf.writestr("../evil.csv", "x")
    with pytest.raises(SourceError, match="路径不安全"):
        open_source(escape, tmp_path / "work")


def test_import_page_upload_preview_dry_run_commit(staff_client, gbk_zip) -> None:  # type: ignore[no-untyped-def]
    with open(gbk_zip, "rb") as fh:
        response = staff_client.post("/imports/", {"file": fh, "target": "facilities"})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = staff_client.get(preview_url).content.decode()
    assert "GBK" in page and "武康幸福食堂" in page and "推断" in page
    run_url = preview_url + "run"
    form = {"map_name": "MC", "map_kind": "LX", "action": "dry_run"}
    report = staff_client.post(run_url, form).content.decode()
    assert "试运行" in report and "名称不能为空" in report and "未知设施类型“火箭站”" in report
    before = Facility.objects.count()
    committed = staff_client.post(run_url, form | {"action": "commit", "skip_rejected": "1"}).content.decode()
    assert "导入完成" in committed and Facility.objects.count() == before + 1
    assert Facility.objects.filter(name="武康幸福食堂", status_events__actor="importer").exists()
    assert staff_client.get(preview_url).status_code == 404  # the upload is gone after the commit


def test_import_page_refusals(staff_client, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    big = io.BytesIO(os.urandom(1024) * (50 * 1024 + 1))
    big.name = "big.geojson"
    assert staff_client.post("/imports/", {"file": big, "target": "facilities"}).status_code == 413
    small = io.BytesIO(b"x")
    small.name = "a.csv"  # a declared length over the limit is refused before the body is read
    assert staff_client.post("/imports/", {"file": small, "target": "facilities"},
                             CONTENT_LENGTH=str(60 * 2**20)).status_code == 413
    no_crs = tmp_path / "points.csv"
    no_crs.write_text("name,lon,lat\n甲,120.0,30.5\n", encoding="utf-8")
    with open(no_crs, "rb") as fh:
        preview_url = staff_client.post("/imports/", {"file": fh, "target": "facilities"})["Location"]
    refused = staff_client.get(preview_url)
    assert refused.status_code == 400 and "请明确选择坐标系" in refused.content.decode()
    assert staff_client.get(preview_url + "?crs=EPSG:4490").status_code == 200
    client.logout()
    assert client.get("/imports/").status_code == 302  # staff only: to the login page


def test_gbk_gauss_kruger_shapefile_imports_and_a_broken_prj_is_refused(wukang, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: GBK without `.cpg`, zone-prefixed Gauss-Krüger coordinates. With its `.prj`
    it imports with the right Chinese names and positions once the guesses are confirmed; the same
    file with a broken `.prj` is refused with a message (no silent fallback to a guess)."""
    seat = wukang.seat
    to_gk = Transformer.from_crs(4490, 4528, always_xy=True)  # CGCS2000 3° zone 40, eastings prefixed "40"
    points = [shapely.Point(*to_gk.transform(seat.x + 0.001 * k, seat.y)) for k in (1, 2)]
    frame = gpd.GeoDataFrame({"MC": ["武康幸福食堂", "德清县城东助餐点"], "LX": ["elderly_canteen", "meal_point"]},
                             geometry=points, crs="EPSG:4528")
    folder = tmp_path / "gk"
    folder.mkdir()
    archive = _zip_shapefile(frame, folder, encoding="GBK", keep=(".shp", ".shx", ".dbf", ".prj"))
    source = open_source(archive, tmp_path / "work")
    assert source.encoding == "GBK" and "推断" in source.encoding_note           # guessed, shown to confirm
    assert source.crs == "EPSG:4528" and [r["MC"] for r in source.preview()] == ["武康幸福食堂", "德清县城东助餐点"]
    confirmed = open_source(archive, tmp_path / "work2", encoding="GBK", crs=source.crs)
    report = run_import(confirmed, "facilities", {"name": "MC", "kind": "LX"}, {}, actor="clerk", commit=True)
    made = {f.name: f.location for f in Facility.objects.filter(code__in=report.accepted)}
    assert set(made) == {"武康幸福食堂", "德清县城东助餐点"}
    assert abs(made["武康幸福食堂"].x - (seat.x + 0.001)) < 1e-7 and abs(made["武康幸福食堂"].y - seat.y) < 1e-7

    broken = tmp_path / "broken"
    broken.mkdir()
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(broken)
    (broken / "src.prj").write_text('PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 40",GEOGCS[', encoding="ascii")
    bad_zip = tmp_path / "broken.zip"
    with zipfile.ZipFile(bad_zip, "w") as zf:
        for part in ("src.shp", "src.shx", "src.dbf", "src.prj"):
            zf.write(broken / part, part)
    with pytest.raises(SourceError, match=r"\.prj"):
        open_source(bad_zip, tmp_path / "work3")
