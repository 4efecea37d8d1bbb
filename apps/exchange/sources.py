"""Opening an uploaded file for import, without guessing in silence.

Accepts a zipped shapefile (or a zip holding one GeoPackage/GeoJSON/CSV), a GeoPackage, a
GeoJSON file, or CSV/XLSX with coordinate columns. Zips are unpacked with limits (member count,
unpacked total, compression ratio, no paths outside the folder) so a zip bomb is refused, not
expanded. The text encoding and the CRS are detected and *how* is reported (apps.common.vector_io
for vector files): `.cpg`, else a UTF-8/GBK guess the user confirms on the decoded preview; `.prj`,
else a prefixed Gauss-Krüger zone read from the coordinate magnitudes, else an explicit choice
(always needed for GCJ-02/BD-09, which no file declares). Files whose CRS cannot be determined
are refused. Pure module: no Django import."""
from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyproj
import shapely

from apps.common.crs import UnknownCRSError, detect_gauss_kruger, normalise_crs
from apps.common.vector_io import VectorFeature, VectorFileError, read_vector_file

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 200
MAX_RATIO = 100  # a member that unpacks to more than 100× its compressed size is treated as a bomb
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
TABLE_SUFFIXES = (".csv", ".xlsx")
LON_NAMES = ("lon", "lng", "longitude", "经度", "x", "东坐标")
LAT_NAMES = ("lat", "latitude", "纬度", "y", "北坐标")


class SourceError(ValueError):
    """The upload cannot be imported as it is (with the reason in Chinese)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Source:
    path: Path
    kind: str  # "shapefile", "gpkg", "geojson", "csv", "xlsx"
    fields: list[str]
    features: list[VectorFeature]
    crs: str
    crs_note: str
    encoding: str
    encoding_note: str
    warnings: list[str] = field(default_factory=list)

    def preview(self, rows: int = 10) -> list[dict[str, Any]]:
        return [{"index": f.index, "geometry": f.geometry.geom_type if f.geometry is not None else "（无）",
                 **{k: ("" if v is None else v) for k, v in f.properties.items()}} for f in self.features[:rows]]


def unpack_zip(archive: Path, target: Path) -> None:
    """Extract `archive` into `target`, refusing bombs and path tricks before writing much."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise SourceError("不是有效的 zip 文件")
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise SourceError(f"压缩包内文件过多（{len(members)} 个，上限 {MAX_MEMBERS}）", 413)
        declared = sum(m.file_size for m in members)
        if declared > MAX_UNPACKED_BYTES:
            raise SourceError(f"压缩包解压后过大（{declared // 2**20} MB，上限 {MAX_UNPACKED_BYTES // 2**20} MB）", 413)
        root = target.resolve()
        written = 0
        for member in members:
            if member.file_size > MAX_RATIO * max(member.compress_size, 1) and member.file_size > 2**20:
                raise SourceError(f"{member.filename} 压缩比异常（疑似压缩炸弹），已拒绝", 413)
            destination = (root / member.filename).resolve()
            if root not in destination.parents:
                raise SourceError(f"压缩包内路径不安全：{member.filename}")
            destination.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(destination, "wb") as out:
                while chunk := src.read(1 << 20):  # the header's sizes may lie: count what really comes out
                    written += len(chunk)
                    if written > MAX_UNPACKED_BYTES:
                        raise SourceError(f"压缩包解压后超过 {MAX_UNPACKED_BYTES // 2**20} MB，已拒绝", 413)
                    out.write(chunk)


def _dataset(folder: Path) -> Path:
    found = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix.lower() in VECTOR_SUFFIXES + TABLE_SUFFIXES
             and not p.name.startswith(".") and "__MACOSX" not in p.parts]
    if not found:
        raise SourceError("未找到可导入的数据文件（支持 .shp、.gpkg、.geojson、.csv、.xlsx）")
    if len(found) > 1:
        raise SourceError("一次只能导入一个数据文件，压缩包内有：" + "、".join(p.name for p in found))
    return found[0]


def _gauss_kruger_guess(path: Path) -> str | None:
    """A prefixed Gauss-Krüger zone read from the coordinate magnitudes of the file's features."""
    _meta, _ids, geometries, _fields = pyogrio.raw.read(path, read_geometry=True, columns=[], max_features=1000)
    geoms = shapely.from_wkb([g for g in geometries if g is not None])
    if len(geoms) == 0:
        return None
    coords = shapely.get_coordinates(geoms)
    return detect_gauss_kruger(coords[:, 0], coords[:, 1])


def _choose_crs(crs: str | None) -> str | None:
    if not crs:
        return None
    try:
        return normalise_crs(crs)
    except UnknownCRSError as exc:
        raise SourceError(str(exc))


_NO_CRS = ("无法确定坐标系：文件没有可用的 .prj，坐标量级也不像带号的高斯-克吕格投影。"
           "请明确选择坐标系（CGCS2000 EPSG:4490、高斯-克吕格 EPSG:4513–4554、GCJ-02 或 BD-09）")


def _check_geojson_crs_member(path: Path) -> None:
    """GDAL reads a GeoJSON `crs` member (removed by RFC 7946) it cannot resolve as WGS 84 without
    a word; such a file would be imported in the wrong place, so it is refused instead."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            document = json.load(fh)
    except (ValueError, UnicodeDecodeError):
        return  # not JSON: GDAL's own reading error says so
    member = document.get("crs") if isinstance(document, dict) else None
    if member is None:
        return
    properties = member.get("properties") if isinstance(member, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    try:
        pyproj.CRS.from_user_input(name)
    except (pyproj.exceptions.CRSError, TypeError) as exc:
        raise SourceError(f"GeoJSON 的 crs 成员无法识别（{name!r}）：请删除它（RFC 7946 规定 GeoJSON 为 WGS 84 经纬度），"
                          "或在导入时明确选择坐标系") from exc


def _open_vector(path: Path, encoding: str | None, crs: str | None) -> Source:
    chosen = _choose_crs(crs)
    if chosen is None and path.suffix.lower() in (".geojson", ".json"):
        _check_geojson_crs_member(path)
    gk_note = None
    if chosen is None:
        try:
            info = pyogrio.read_info(path)
        except pyogrio.errors.CRSError as exc:  # a .prj is there but GDAL cannot parse it
            raise SourceError(f"坐标系定义文件 .prj 无法解析（{exc}）：请修正 .prj，或在导入时明确指定坐标系") from exc
        except pyogrio.errors.DataSourceError as exc:
            raise SourceError(f"无法读取文件：{exc}") from exc
        if not info.get("crs"):
            chosen = _gauss_kruger_guess(path)
            if chosen is None:
                raise SourceError(_NO_CRS)
            gk_note = f"文件无坐标系定义，按坐标量级（带号前缀的东坐标）推断为 {chosen} 高斯-克吕格投影，请核对"
    try:
        data = read_vector_file(path, encoding=encoding or None, crs=chosen)
    except VectorFileError as exc:
        raise SourceError(str(exc))
    names = list(data.features[0].properties) if data.features else \
        list(pyogrio.read_info(path, encoding=data.encoding if path.suffix.lower() == ".shp" else None)["fields"])
    kind = {".shp": "shapefile", ".gpkg": "gpkg"}.get(path.suffix.lower(), "geojson")
    return Source(path, kind, names, data.features, data.crs, gk_note or data.crs_note, data.encoding,
                  data.encoding_note, list(data.warnings))


def _read_csv(path: Path, encoding: str | None) -> tuple[pd.DataFrame, str, str]:
    if encoding:
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False), encoding, \
                f"按指定编码 {encoding} 读取"
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(f"无法按 {encoding} 解码：{exc}")
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
        guessed = "UTF-8-SIG" if raw.startswith(b"\xef\xbb\xbf") else "UTF-8"
    except UnicodeDecodeError:
        guessed = "GBK"
    try:
        frame = pd.read_csv(path, dtype=str, encoding=guessed.lower(), keep_default_na=False)
    except UnicodeDecodeError as exc:
        raise SourceError(f"无法识别文件编码（已试 UTF-8 与 GBK）：{exc}")
    return frame, guessed.replace("-SIG", ""), f"按内容推断为 {guessed.replace('-SIG', '')}（请核对预览中的名称）"


def _column(columns: list[str], wanted: str | None, names: tuple[str, ...], label: str) -> str:
    if wanted:
        if wanted not in columns:
            raise SourceError(f"没有名为 {wanted} 的{label}列（可选：{'、'.join(columns)}）")
        return wanted
    for column in columns:
        if column.strip().lower() in names:
            return column
    raise SourceError(f"找不到{label}列，请指明（可选：{'、'.join(columns)}）")


def _open_table(path: Path, encoding: str | None, crs: str | None, x_column: str | None,
                y_column: str | None) -> Source:
    if path.suffix.lower() == ".xlsx":
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl's errors on a broken workbook vary
            raise SourceError(f"无法读取 Excel 文件：{exc}")
        used_encoding, encoding_note = "UTF-8", "Excel 文件自带编码"
    else:
        frame, used_encoding, encoding_note = _read_csv(path, encoding)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    x_name = _column(columns, x_column, LON_NAMES, "经度/东坐标")
    y_name = _column(columns, y_column, LAT_NAMES, "纬度/北坐标")
    xs = pd.to_numeric(frame[x_name].str.strip(), errors="coerce").to_numpy(dtype=float)
    ys = pd.to_numeric(frame[y_name].str.strip(), errors="coerce").to_numpy(dtype=float)
    chosen = _choose_crs(crs)
    if chosen:
        crs_note = f"按指定坐标系 {chosen}"
    else:
        ok = np.isfinite(xs) & np.isfinite(ys)
        chosen = detect_gauss_kruger(xs[ok], ys[ok]) if ok.any() else None
        if chosen is None:
            raise SourceError("表格文件不带坐标系：请明确选择坐标系（经纬度可能是 CGCS2000、GCJ-02 或 BD-09，无法从数值区分）")
        crs_note = f"按坐标量级（带号前缀的东坐标）推断为 {chosen} 高斯-克吕格投影，请核对"
    features = []
    for i, row in enumerate(frame.to_dict("records")):
        geom = shapely.Point(xs[i], ys[i]) if np.isfinite(xs[i]) and np.isfinite(ys[i]) else None
        props = {k: v for k, v in row.items() if k not in (x_name, y_name)}
        features.append(VectorFeature(index=i + 1, properties=props, geometry=geom))
    fields = [c for c in columns if c not in (x_name, y_name)]
    return Source(path, path.suffix.lower()[1:], fields, features, chosen, crs_note, used_encoding, encoding_note)


def open_source(upload: Path, workdir: Path, *, encoding: str | None = None, crs: str | None = None,
                x_column: str | None = None, y_column: str | None = None) -> Source:
    """Read `upload` (unpacking a zip into `workdir`) with the encoding and CRS decided or refused."""
    if upload.stat().st_size > MAX_UPLOAD_BYTES:
        raise SourceError(f"文件过大（上限 {MAX_UPLOAD_BYTES // 2**20} MB）", 413)
    if upload.suffix.lower() == ".zip":
        folder = workdir / "unpacked"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        unpack_zip(upload, folder)
        path = _dataset(folder)
    elif upload.suffix.lower() in VECTOR_SUFFIXES + TABLE_SUFFIXES:
        path = upload
        if path.suffix.lower() == ".shp":
            raise SourceError("shapefile 请连同 .dbf、.shx、.prj、.cpg 一起打包成 zip 上传")
    else:
        raise SourceError("不支持的文件类型（支持 zip 打包的 shapefile、.gpkg、.geojson、.csv、.xlsx）")
    if path.suffix.lower() in TABLE_SUFFIXES:
        return _open_table(path, encoding, crs, x_column, y_column)
    return _open_vector(path, encoding, crs)
