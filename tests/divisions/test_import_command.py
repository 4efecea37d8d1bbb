"""`manage.py import_division_boundaries` on real files written here: a tiny shapefile (GBK, no
.cpg) with one good polygon, one self-intersecting polygon and one without a code; a GeoJSON in
GCJ-02; a shapefile without .prj."""
from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import Polygon

from apps.common.coords import wgs84_to_gcj02
from apps.divisions.models import Division

pytestmark = pytest.mark.django_db

# Inside 德清县 (lon/lat, CGCS2000): a small square near 武康.
GOOD = Polygon([(119.95, 30.52), (119.97, 30.52), (119.97, 30.54), (119.95, 30.54)])
BOWTIE = Polygon([(119.90, 30.50), (119.92, 30.52), (119.92, 30.50), (119.90, 30.52)])


def _write_shapefile(folder: Path, *, prj: bool = True, cpg: bool = False) -> Path:
    frame = gpd.GeoDataFrame(
        {"code": ["330521990", "330521991", ""], "name": ["试验镇", "坏边界镇", "无代码镇"]},
        geometry=[GOOD, BOWTIE, GOOD], crs="EPSG:4490")
    path = folder / "towns.shp"
    frame.to_file(path, encoding="GBK", engine="pyogrio")
    cpg_path = path.with_suffix(".cpg")
    if cpg_path.exists() and not cpg:
        cpg_path.unlink()  # as agencies' files often come: GBK bytes and no .cpg
    if not prj:
        path.with_suffix(".prj").unlink()
    return path


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_division_boundaries", *args, stdout=out)
    return out.getvalue()


def test_dry_run_reports_every_rejected_feature_and_writes_nothing(tmp_path: Path) -> None:
    path = _write_shapefile(tmp_path)
    before = Division.objects.count()
    out = _run(str(path))
    assert "推断为 GBK" in out  # the encoding guess is shown, not silent
    assert "拒绝 第 2 个要素 代码=330521991 名称=坏边界镇：几何无效" in out  # GBK names decoded right
    assert "第 3 个要素" in out and "缺少代码字段" in out
    assert "新增 1" in out and "试运行" in out
    assert Division.objects.count() == before


def test_commit_writes_the_valid_feature_in_one_transaction(tmp_path: Path) -> None:
    path = _write_shapefile(tmp_path)
    out = _run(str(path), "--commit", "--actor", "测试员")
    assert "已写入" in out
    town = Division.objects.get(code="330521990")
    assert town.name == "试验镇" and town.level == "township" and town.parent.code == "330521"
    assert abs(town.geometry.extent[0] - 119.95) < 1e-9
    assert not Division.objects.filter(code="330521991").exists()


def test_strict_mode_writes_nothing_when_anything_is_rejected(tmp_path: Path) -> None:
    path = _write_shapefile(tmp_path)
    with pytest.raises(CommandError, match="严格模式"):
        _run(str(path), "--commit", "--strict")
    assert not Division.objects.filter(code="330521990").exists()


def test_missing_prj_is_refused_unless_the_crs_is_named(tmp_path: Path) -> None:
    path = _write_shapefile(tmp_path, prj=False)
    with pytest.raises(CommandError, match="无法确定坐标系"):
        _run(str(path))
    assert "按指定坐标系 EPSG:4490" in _run(str(path), "--crs", "EPSG:4490")


def test_missing_dbf_is_a_clear_error(tmp_path: Path) -> None:
    path = _write_shapefile(tmp_path)
    path.with_suffix(".dbf").unlink()
    with pytest.raises(CommandError, match="缺少 .dbf"):
        _run(str(path))


def test_gcj02_geojson_is_converted_on_import(tmp_path: Path) -> None:
    ring = [wgs84_to_gcj02(x, y) for x, y in GOOD.exterior.coords]
    path = tmp_path / "gcj.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": "330521992", "name": "网图镇"},
        "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}}]}), encoding="utf-8")
    out = _run(str(path), "--crs", "GCJ-02", "--commit")
    assert "按指定坐标系 GCJ-02" in out
    stored = Division.objects.get(code="330521992").geometry
    assert abs(stored.extent[0] - 119.95) < 1e-7 and abs(stored.extent[3] - 30.54) < 1e-7


def test_existing_division_gets_its_boundary_replaced_with_history(tmp_path: Path) -> None:
    from apps.common.models import ChangeRecord

    frame = gpd.GeoDataFrame({"code": ["330521"], "name": ["德清县"]}, geometry=[GOOD], crs="EPSG:4326")
    path = tmp_path / "county.gpkg"
    frame.to_file(path, driver="GPKG", engine="pyogrio")
    out = _run(str(path), "--commit")
    assert "更新 1" in out
    deqing = Division.objects.get(code="330521", valid_to__isnull=True)
    assert deqing.geometry.num_coords == 5
    assert ChangeRecord.objects.filter(table_name="divisions_division", row_id=str(deqing.pk),
                                       actor="import-command").exists()
