"""Export any layer (or a selection of it) in the CRS the caller chooses.

Formats: GeoJSON (RFC 7946: CGCS2000 lon/lat only), CSV (UTF-8 BOM, formula-injection guard
from apps.common.exports), GeoPackage, and zipped shapefile with `.cpg` (UTF-8 or GBK) and
`.prj`. CRSs: CGCS2000 (EPSG:4490), a Gauss-Krüger zone (EPSG:4513–4554) or GCJ-02. GCJ-02
has no EPSG code and a `.prj` cannot express it: the files carry the WGS84 definition, the
file name says `GCJ-02`, the GeoPackage layer description says so and the zip has a README.txt.
Reads only; the caller (a view or a command) decides who may export."""
from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from django.db.models import QuerySet
from pyproj import Transformer

from apps.common.coords import transform_geometry, wgs84_to_gcj02
from apps.common.crs import GCJ02, STORAGE_CRS, UnknownCRSError, normalise_crs
from apps.common.exports import FORMATS as COMMON_FORMATS
from apps.common.exports import csv_safe

from .layers import Layer, feature_text, geojson_rows, wkb_rows

# The shared formats' content types, plus the zipped shapefile only this exporter writes.
FORMATS = {**{fmt: content_type for fmt, (content_type, _ext) in COMMON_FORMATS.items()}, "shp": "application/zip"}
SHAPEFILE_ENCODINGS = {"UTF-8": "UTF-8", "GBK": "GBK"}
_SHP_KINDS = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
              "Polygon": "polygon", "MultiPolygon": "polygon"}


class ExportError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    count: int


def export_crs(name: str | None) -> str:
    """EPSG:4490 (default), a Gauss-Krüger zone EPSG:4513–4554, or GCJ-02; anything else is refused."""
    if not name:
        return STORAGE_CRS
    try:
        canon = normalise_crs(name)
    except UnknownCRSError:
        raise ExportError("crs", f"不支持的导出坐标系：{name}（可选 EPSG:4490、EPSG:4513–4554 高斯-克吕格分带、GCJ-02）")
    if canon == "EPSG:4326":
        return STORAGE_CRS
    if canon not in (STORAGE_CRS, GCJ02) and not canon.startswith("EPSG:45"):
        raise ExportError("crs", f"不支持的导出坐标系：{name}（可选 EPSG:4490、EPSG:4513–4554 高斯-克吕格分带、GCJ-02）")
    return canon


def reproject(geometries: np.ndarray, crs: str) -> np.ndarray:
    """Stored CGCS2000 lon/lat → `crs` (vectorised over the whole array)."""
    if crs == STORAGE_CRS:
        return geometries
    if crs == GCJ02:
        return transform_geometry(geometries, wgs84_to_gcj02)
    transformer = Transformer.from_crs(STORAGE_CRS, crs, always_xy=True)
    return transform_geometry(geometries, transformer.transform)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _read(layer: Layer, queryset: QuerySet, crs: str) -> tuple[list[dict[str, Any]], list[str], np.ndarray]:
    rows = list(wkb_rows(layer, queryset))
    ids = [row["fid"] for row in rows]
    props = [{key[4:]: _plain(value) for key, value in row.items() if key.startswith("out_")} for row in rows]
    geoms = shapely.from_wkb([bytes(row["geom_wkb"]) if row["geom_wkb"] is not None else None for row in rows])
    return props, ids, reproject(np.asarray(geoms, dtype=object), crs)


def _stem(layer: Layer, crs: str) -> str:
    return f"{layer.id}_{crs.replace(':', '')}"


def _geojson(layer: Layer, queryset: QuerySet) -> tuple[bytes, int]:
    rows = list(geojson_rows(layer, queryset))
    text = '{"type":"FeatureCollection","features":[' + ",".join(feature_text(r) for r in rows) + "]}"
    return text.encode("utf-8"), len(rows)


def _csv(props: list[dict[str, Any]], ids: list[str], geoms: np.ndarray, crs: str) -> bytes:
    geographic = crs in (STORAGE_CRS, GCJ02)
    x_name, y_name, digits = ("lon", "lat", 7) if geographic else ("x", "y", 3)
    columns = list(props[0]) if props else []
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["id", *columns, x_name, y_name, "wkt", "crs"])
    points = shapely.point_on_surface(geoms)
    xs, ys = shapely.get_x(points), shapely.get_y(points)
    wkts = shapely.to_wkt(geoms, rounding_precision=digits)
    for i, row in enumerate(props):
        writer.writerow([csv_safe(ids[i]), *(csv_safe(row[c]) for c in columns),
                         "" if geoms[i] is None else round(float(xs[i]), digits),
                         "" if geoms[i] is None else round(float(ys[i]), digits), wkts[i] or "", crs])
    return buffer.getvalue().encode("utf-8")


def _frame(props: list[dict[str, Any]], ids: list[str], geoms: np.ndarray, crs: str,
           short_names: bool = False) -> gpd.GeoDataFrame:
    columns = ["id", *(props[0] if props else [])]
    data = [{"id": ids[i], **row} for i, row in enumerate(props)]
    frame = gpd.GeoDataFrame(data, columns=columns, geometry=list(geoms),
                             crs="EPSG:4326" if crs == GCJ02 else crs)
    if short_names:  # dBASE field names are at most 10 bytes
        renamed: dict[str, str] = {}
        for name in columns:
            short = name[:10]
            n = 1
            while short in renamed.values():
                short, n = f"{name[:8]}_{n}", n + 1
            renamed[name] = short
        frame = frame.rename(columns=renamed)
    return frame


_GCJ_NOTE = ("本文件坐标为 GCJ-02（国测局加偏坐标，用于与高德/腾讯等网络地图叠加），"
             "不是 WGS84/CGCS2000；.prj 只能写 WGS84 定义，请勿用于测量与面积计算。\r\n"
             "Coordinates are GCJ-02 (obfuscated web-map datum), not WGS84/CGCS2000, although the .prj says WGS84.\r\n")


def _gpkg(frame: gpd.GeoDataFrame, layer: Layer, crs: str, tmp: Path) -> bytes:
    path = tmp / "out.gpkg"
    description = f"{layer.title}；坐标系 {crs}" + ("（GCJ-02 加偏坐标，非 WGS84）" if crs == GCJ02 else "")
    frame.to_file(path, layer=layer.id, driver="GPKG", engine="pyogrio", layer_options={"DESCRIPTION": description})
    return path.read_bytes()


def _shapefile_zip(frame: gpd.GeoDataFrame, layer: Layer, crs: str, encoding: str, tmp: Path) -> bytes:
    stem = _stem(layer, crs)
    kinds = frame.geometry.geom_type.map(_SHP_KINDS)
    groups = sorted(set(kinds.dropna()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind in groups or ["point"]:
            part = frame[kinds == kind] if groups else frame
            name = stem if len(groups) <= 1 else f"{stem}_{kind}"
            part.to_file(tmp / f"{name}.shp", driver="ESRI Shapefile", engine="pyogrio", encoding=encoding,
                         promote_to_multi=kind != "point")
            for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                if (tmp / f"{name}{suffix}").exists():
                    archive.write(tmp / f"{name}{suffix}", f"{name}{suffix}")
        if crs == GCJ02:
            archive.writestr("README.txt", _GCJ_NOTE.encode("utf-8"))
    return buffer.getvalue()


def check_request(fmt: str, crs: str, encoding: str) -> None:
    """Refuse a format/CRS/encoding combination before any work (or any queued job)."""
    if fmt not in FORMATS:
        raise ExportError("format", f"格式应为 {', '.join(FORMATS)} 之一")
    if fmt == "geojson" and crs != STORAGE_CRS:
        raise ExportError("crs", "GeoJSON（RFC 7946）只能是 CGCS2000/WGS84 经纬度；其他坐标系请选 csv、gpkg 或 shp")
    if encoding not in SHAPEFILE_ENCODINGS:
        raise ExportError("encoding", "编码应为 UTF-8 或 GBK")


def export_layer(layer: Layer, queryset: QuerySet, fmt: str, crs: str, encoding: str = "UTF-8") -> ExportFile:
    """The file for `fmt` (a FORMATS key) of the records in `queryset`, in `crs` (see export_crs)."""
    check_request(fmt, crs, encoding)
    if fmt == "geojson":
        data, count = _geojson(layer, queryset)
        return ExportFile(data, FORMATS[fmt], f"{layer.id}.geojson", count)
    props, ids, geoms = _read(layer, queryset, crs)
    if fmt == "csv":
        return ExportFile(_csv(props, ids, geoms, crs), FORMATS[fmt], f"{_stem(layer, crs)}.csv", len(ids))
    with tempfile.TemporaryDirectory() as tmpdir:
        if fmt == "gpkg":
            data = _gpkg(_frame(props, ids, geoms, crs), layer, crs, Path(tmpdir))
            return ExportFile(data, FORMATS[fmt], f"{_stem(layer, crs)}.gpkg", len(ids))
        frame = _frame(props, ids, geoms, crs, short_names=True)
        data = _shapefile_zip(frame, layer, crs, SHAPEFILE_ENCODINGS[encoding], Path(tmpdir))
        return ExportFile(data, FORMATS[fmt], f"{_stem(layer, crs)}_shp.zip", len(ids))
