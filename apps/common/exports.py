"""Layer exports shared by every register: GeoJSON (RFC 7946, EPSG:4326, ≤ 7 decimals), CSV
(UTF-8 with BOM for Excel, lon/lat columns, guarded against formula injection) and GeoPackage
(EPSG:4490, via GDAL). Pure module: rows in, bytes out."""
from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Spreadsheet formula injection guard: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is not None and not isinstance(value, (str, int, float, bool)):
        return str(value)
    return value


def to_geojson(rows: Iterable[dict[str, Any]], geometries: Iterable[BaseGeometry | None], id_field: str) -> bytes:
    features = []
    for row, geom in zip(rows, geometries):
        geometry = None
        if geom is not None:
            geometry = json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-7)))
        features.append({"type": "Feature", "id": row.get(id_field), "geometry": geometry,
                         "properties": {k: _plain(v) for k, v in row.items()}})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def to_csv(rows: Sequence[dict[str, Any]], geometries: Sequence[BaseGeometry | None]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    columns = list(rows[0].keys()) if rows else []
    writer = csv.writer(buffer)
    writer.writerow(columns + ["lon", "lat", "wkt"])
    for row, geom in zip(rows, geometries):
        point = geom.representative_point() if geom is not None and geom.geom_type != "Point" else geom
        writer.writerow([csv_safe(_plain(row[c])) for c in columns]
                        + ([round(point.x, 7), round(point.y, 7), geom.wkt] if geom is not None else ["", "", ""]))
    return buffer.getvalue().encode("utf-8")


def to_gpkg(rows: Sequence[dict[str, Any]], geometries: Sequence[BaseGeometry | None], layer: str) -> bytes:
    frame = gpd.GeoDataFrame([{k: _plain(v) for k, v in row.items()} for row in rows],
                             geometry=list(geometries), crs="EPSG:4490")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{layer}.gpkg"
        frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def export(rows: Sequence[dict[str, Any]], geometries: Sequence[BaseGeometry | None], fmt: str, *,
           layer: str, id_field: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) for `fmt` in FORMATS."""
    content_type, extension = FORMATS[fmt]
    if fmt == "geojson":
        data = to_geojson(rows, geometries, id_field)
    elif fmt == "csv":
        data = to_csv(rows, geometries)
    else:
        data = to_gpkg(rows, geometries, layer)
    return data, content_type, f"{layer}.{extension}"
