"""Reading vector files (shapefile, GeoPackage, GeoJSON) for the importers, without guessing in
silence: the text encoding and the CRS are detected, and *how* they were found is reported.

Chinese agencies' shapefiles are often GBK without a `.cpg`; GDAL then decodes them as
Latin-1 and produces mojibake with no error. We look at the DBF bytes ourselves: valid UTF-8 is
read as UTF-8, anything else as GBK, and the report says it was a guess. A file with no usable
CRS is refused unless the caller names one. Pure module: no Django import.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pyogrio.raw
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from .crs import UnknownCRSError, geometry_to_cgcs2000, normalise_crs

_IDENTITY_EPSG = {4490, 4326}


class VectorFileError(ValueError):
    """The file cannot be read as asked (missing parts, unknown CRS, bad encoding…)."""


@dataclass
class VectorFeature:
    index: int  # 1-based position in the file, for reports
    properties: dict[str, Any]
    geometry: BaseGeometry | None  # as stored in the file, in the file's CRS


@dataclass
class VectorDataset:
    features: list[VectorFeature]
    crs: str  # canonical name we transform from ("EPSG:4490", "GCJ-02", "EPSG:4528", or a WKT/EPSG)
    crs_note: str
    encoding: str
    encoding_note: str
    layer: str | None = None
    warnings: list[str] = field(default_factory=list)


def _dbf_text_encoding(dbf: Path) -> str:
    """UTF-8 if the DBF's records decode as UTF-8 (ASCII included), else GBK."""
    data = dbf.read_bytes()
    if len(data) < 32:
        return "UTF-8"
    header_len = struct.unpack("<H", data[8:10])[0]
    records = data[header_len:]
    try:
        records.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        return "GBK"


def detect_encoding(path: Path, declared: str | None) -> tuple[str | None, str]:
    """(encoding to pass to GDAL or None for its own, human-readable note)."""
    if declared:
        return declared, f"按指定编码 {declared} 读取"
    if path.suffix.lower() != ".shp":
        return None, "格式自带编码（UTF-8）"
    cpg = path.with_suffix(".cpg")
    if not cpg.exists():
        cpg = path.with_suffix(".CPG")
    if cpg.exists():
        value = cpg.read_text(errors="replace").strip()
        return value, f"由 .cpg 文件确定为 {value}"
    dbf = path.with_suffix(".dbf")
    if not dbf.exists():
        raise VectorFileError("shapefile 缺少 .dbf 文件")
    guessed = _dbf_text_encoding(dbf)
    return guessed, f"无 .cpg 文件，按内容推断为 {guessed}（请核对预览中的名称）"


def _file_crs(meta_crs: str | None) -> str | None:
    if not meta_crs:
        return None
    try:
        crs = CRS.from_user_input(meta_crs)
    except Exception:  # a malformed .prj: treat as missing
        return None
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}"
    return crs.to_wkt()


def read_vector_file(path: str | Path, *, layer: str | None = None, encoding: str | None = None,
                     crs: str | None = None) -> VectorDataset:
    """Read every feature with its properties and geometry; decide encoding and CRS or refuse."""
    path = Path(path)
    if not path.exists():
        raise VectorFileError(f"文件不存在：{path}")
    if path.suffix.lower() == ".shp":
        for part in (".shx", ".dbf"):
            if not path.with_suffix(part).exists() and not path.with_suffix(part.upper()).exists():
                raise VectorFileError(f"shapefile 缺少 {part} 文件")
    gdal_encoding, encoding_note = detect_encoding(path, encoding)
    try:
        meta, _fids, geometries, field_data = pyogrio.raw.read(path, layer=layer, encoding=gdal_encoding)
    except Exception as exc:  # GDAL's messages are the most precise we have
        raise VectorFileError(f"无法读取文件：{exc}") from exc
    file_crs = _file_crs(meta.get("crs"))
    if crs:
        try:
            chosen = normalise_crs(crs)
        except UnknownCRSError as exc:
            raise VectorFileError(str(exc)) from exc
        note = f"按指定坐标系 {chosen}" + (f"（文件声明为 {file_crs}）" if file_crs and file_crs != chosen else "")
    elif file_crs:
        chosen, note = file_crs, f"由文件确定为 {file_crs}"
    else:
        raise VectorFileError("无法确定坐标系（缺少或无法解析 .prj）：请用 --crs 指明，如 EPSG:4490 或 GCJ-02")
    names = list(meta["fields"])
    features = []
    for i, wkb in enumerate(geometries):
        props = {name: _plain(field_data[j][i]) for j, name in enumerate(names)}
        geom = shapely.from_wkb(wkb) if wkb is not None else None
        features.append(VectorFeature(index=i + 1, properties=props, geometry=geom))
    return VectorDataset(features, chosen, note, gdal_encoding or "UTF-8", encoding_note, layer)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


@lru_cache(maxsize=32)
def _generic_transformer(source: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(source), CRS.from_epsg(4490), always_xy=True)


def to_storage(geometry: BaseGeometry, crs: str) -> BaseGeometry:
    """Geometry in `crs` → CGCS2000 lon/lat. Our named CRSs (incl. GCJ-02/BD-09 and Gauss-Krüger)
    go through apps.common.crs; any other CRS pyproj understands is transformed by pyproj."""
    try:
        name = normalise_crs(crs)
    except UnknownCRSError:
        transformer = _generic_transformer(crs)
        return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    return geometry_to_cgcs2000(geometry, name)
