"""Generator of the binary and oversized members of the bad-input corpus (`cases.json` names them
by file name). Run by the corpus test into a temporary folder, or by hand:
`python tests/data/bad_inputs/make_files.py OUT_DIR`. Nothing here is committed as a binary."""
from __future__ import annotations

import io
import json
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path



def _shapefile_parts(encoding: str = "gbk") -> dict[str, bytes]:
    """A two-point shapefile with Chinese names, written by GDAL without a .cpg: {suffix: bytes}."""
    import tempfile

    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame({"name": ["武康老年食堂", "金鹅山助餐点"]},
                             geometry=[shapely.Point(119.97, 30.54), shapely.Point(119.971, 30.54)], crs="EPSG:4490")
    with tempfile.TemporaryDirectory() as tmp:
        frame.to_file(Path(tmp) / "points.shp", encoding=encoding, engine="pyogrio")
        return {p.suffix: p.read_bytes() for p in Path(tmp).iterdir() if p.suffix != ".cpg"}


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def zip_bomb(path: Path) -> None:
    """64 MB of zeros deflated to ~64 KB: a compression ratio no real data file has."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("data.csv", "w") as member:
        for _ in range(64):
            member.write(b"0" * (1 << 20))


def shp_missing_dbf(path: Path) -> None:
    parts = _shapefile_parts()
    _zip(path, {"points.shp": parts[".shp"], "points.shx": parts[".shx"], "points.prj": parts[".prj"]})


def shp_missing_shp(path: Path) -> None:
    parts = _shapefile_parts()
    _zip(path, {"points.dbf": parts[".dbf"], "points.shx": parts[".shx"]})


def gbk_no_cpg_bad_prj(path: Path) -> None:
    parts = _shapefile_parts("gbk")
    _zip(path, {"points.shp": parts[".shp"], "points.shx": parts[".shx"], "points.dbf": parts[".dbf"],
                "points.prj": b'PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 40",GEOGCS[broken'})


def not_a_zip(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")


def zip_slip(path: Path) -> None:
    _zip(path, {"../../escaped.csv": "name,lon,lat\n甲,119.97,30.54\n".encode()})


def two_datasets(path: Path) -> None:
    csv = "name,lon,lat\n甲,119.97,30.54\n".encode()
    _zip(path, {"a.csv": csv, "b.csv": csv})


def bare_shp(path: Path) -> None:
    path.write_bytes(_shapefile_parts()[".shp"])


def csv_no_crs(path: Path) -> None:
    path.write_text("name,lon,lat\n甲,119.97,30.54\n", encoding="utf-8")


def geojson_with_crs(path: Path) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:EPSG::99999"}}, "features": [{"type": "Feature", "properties": {"name": "甲"},
        "geometry": {"type": "Point", "coordinates": [119.97, 30.54]}}]}), encoding="utf-8")


def geojson_broken(path: Path) -> None:
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")


def exe_renamed(path: Path) -> None:
    path.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)


def batch_binary_csv(path: Path) -> None:
    path.write_bytes(b"\x00\xff\xfe\x00" * 64)


def batch_no_column(path: Path) -> None:
    path.write_text("名称,备注\n武康街道,无\n", encoding="utf-8")


def batch_empty(path: Path) -> None:
    path.write_bytes(b"")


def batch_long_cell(path: Path) -> None:
    path.write_text("地址\n" + "武康" * 400 + "\n", encoding="utf-8")


def mixed_rows(path: Path) -> None:
    """One good row and one at latitude 91: a commit without --skip-rejected must write neither."""
    path.write_text("name,lon,lat\n武康助餐点,119.97,30.54\n北极助餐点,119.97,91\n", encoding="utf-8")


def three_d(path: Path) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "三维点"}, "geometry": {"type": "Point", "coordinates": [119.97, 30.54, 12.0]}},
        {"type": "Feature", "properties": {"name": "无效点"}, "geometry": {"type": "Point", "coordinates": [119.97, 91.0, 3.0]}},
    ]}, ensure_ascii=False), encoding="utf-8")


def injection_rows(path: Path) -> None:
    """Names that are spreadsheet formulas, markup and SQL, with one impossible row."""
    path.write_text("name,lon,lat\n=cmd|' /C calc'!A0,119.97,30.54\n<script>alert(1)</script>,119.971,30.54\n"
                    "'); DROP TABLE facilities_facility;--,119.972,30.54\n坏行,abc,30.54\n", encoding="utf-8")


def million_vertex_polygon(path: Path) -> None:
    """A placename proposal whose polygon has a million vertices (a circle, closed, valid)."""
    import math

    n = 1_000_000
    ring = [[round(119.97 + 0.01 * math.cos(2 * math.pi * k / n), 7), round(30.54 + 0.01 * math.sin(2 * math.pi * k / n), 7)]
            for k in range(n)]
    ring.append(ring[0])
    body = {"name": "百万顶点公园", "category": "8003", "division": "330521002",
            "geometry": {"type": "Polygon", "coordinates": [ring]}}
    path.write_text(json.dumps(body, separators=(",", ":")), encoding="utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "zip_bomb.zip": zip_bomb, "shp_missing_dbf.zip": shp_missing_dbf, "shp_missing_shp.zip": shp_missing_shp,
    "gbk_no_cpg_bad_prj.zip": gbk_no_cpg_bad_prj, "not_a_zip.zip": not_a_zip, "zip_slip.zip": zip_slip,
    "two_datasets.zip": two_datasets, "bare.shp": bare_shp, "no_crs.csv": csv_no_crs,
    "with_crs.geojson": geojson_with_crs, "broken.geojson": geojson_broken, "program.exe": exe_renamed,
    "binary.csv": batch_binary_csv, "no_column.csv": batch_no_column, "empty.csv": batch_empty,
    "long_cell.csv": batch_long_cell, "mixed_rows.csv": mixed_rows, "three_d.geojson": three_d,
    "injection_rows.csv": injection_rows, "million_vertex_polygon.json": million_vertex_polygon,
}


def make(name: str, folder: Path) -> Path:
    """The file `name` in `folder`, generated on first use."""
    path = folder / name
    if not path.exists():
        GENERATORS[name](path)
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    for file_name in GENERATORS:
        print(make(file_name, out))
