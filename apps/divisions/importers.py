"""Import division boundaries from a shapefile, GeoPackage or GeoJSON.

Every feature is checked (code present and well-formed, polygonal, valid, inside lon/lat range
after transformation to CGCS2000) and every rejection is reported with its reason; nothing stops
at the first bad row. The whole import is one transaction. A dry run (the default) performs the
same writes, so database constraints are exercised too, and then rolls them back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import DatabaseError, transaction
from shapely.validation import explain_validity

from apps.common.history import acting_as
from apps.common.models import DataSource
from apps.common.vector_io import VectorFeature, read_vector_file, to_storage

from .models import Division, Level, Scope
from .services import reserve_code

STORAGE_SRID = 4490


@dataclass
class RejectedFeature:
    index: int
    code: str
    name: str
    reason: str


@dataclass
class BoundaryImportReport:
    path: str
    crs_note: str
    encoding_note: str
    total: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[RejectedFeature] = field(default_factory=list)
    committed: bool = False
    refused: str = ""


class _DryRunRollback(Exception):
    """Raised to roll back a dry run after all writes were tried."""


def _level_for_code(code: str) -> str:
    if len(code) == 12:
        return Level.VILLAGE
    if len(code) == 9:
        return Level.TOWNSHIP
    if code.endswith("0000"):
        return Level.PROVINCE
    if code.endswith("00"):
        return Level.PREFECTURE
    return Level.COUNTY


def _parent_code(code: str, level: str) -> str | None:
    return {Level.VILLAGE: code[:9], Level.TOWNSHIP: code[:6], Level.COUNTY: code[:4] + "00",
            Level.PREFECTURE: code[:2] + "0000"}.get(level)


def _check_feature(feature: VectorFeature, crs: str, code_field: str) -> tuple[str, MultiPolygon]:
    """The feature's code and CGCS2000 MultiPolygon, or ValueError with the reason."""
    code = str(feature.properties.get(code_field) or "").strip()
    if not code:
        raise ValueError(f"缺少代码字段 {code_field}")
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise ValueError(f"代码 {code} 不是 6、9 或 12 位数字")
    geom = feature.geometry
    if geom is None or geom.is_empty:
        raise ValueError("几何为空")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"几何类型 {geom.geom_type} 不是面")
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    if not geom.is_valid:
        raise ValueError(f"几何无效：{explain_validity(geom)}")
    stored = to_storage(geom, crs)
    coords = shapely.get_coordinates(stored)
    if not np.isfinite(coords).all():
        raise ValueError("坐标包含 NaN 或无穷大")
    if (np.abs(coords[:, 0]) > 180).any() or (np.abs(coords[:, 1]) > 90).any():
        raise ValueError("转换后坐标超出经纬度范围：坐标系可能不对")
    if not stored.is_valid:
        raise ValueError(f"坐标转换后几何无效：{explain_validity(stored)}")
    result = GEOSGeometry(memoryview(shapely.to_wkb(stored)), srid=STORAGE_SRID)
    if result.geom_type == "Polygon":
        result = MultiPolygon(result, srid=STORAGE_SRID)
    return code, result


def import_division_boundaries(path: str | Path, *, actor: str, commit: bool = False, strict: bool = False,
                               code_field: str = "code", name_field: str = "name", layer: str | None = None,
                               crs: str | None = None, encoding: str | None = None,
                               source_title: str | None = None) -> BoundaryImportReport:
    """Attach boundaries to divisions by code (creating divisions whose code is new).

    `strict`: commit nothing if any feature is rejected. Raises VectorFileError when the file
    itself cannot be read or its CRS cannot be determined."""
    dataset = read_vector_file(path, layer=layer, encoding=encoding, crs=crs)
    report = BoundaryImportReport(str(path), dataset.crs_note, dataset.encoding_note, total=len(dataset.features))
    try:
        with acting_as(actor), transaction.atomic():
            source, _ = DataSource.objects.update_or_create(
                key=f"import-{Path(path).stem}"[:80],
                defaults={"title": source_title or f"边界导入：{Path(path).name}", "origin": str(path),
                          "source_crs": dataset.crs, "notes": f"{dataset.crs_note}；{dataset.encoding_note}"})
            for feature in dataset.features:
                name = str(feature.properties.get(name_field) or "").strip()
                try:
                    code, geometry = _check_feature(feature, dataset.crs, code_field)
                    _apply(code, name, geometry, source, report)
                except ValueError as exc:
                    report.rejected.append(RejectedFeature(feature.index, str(feature.properties.get(code_field) or ""),
                                                           name, str(exc)))
            if strict and report.rejected:
                report.refused = f"有 {len(report.rejected)} 个要素被拒绝，严格模式下不导入任何要素"
                raise _DryRunRollback
            if not commit:
                raise _DryRunRollback
            report.committed = True
    except _DryRunRollback:
        pass
    return report


def _apply(code: str, name: str, geometry: MultiPolygon, source: DataSource, report: BoundaryImportReport) -> None:
    division = Division.objects.filter(code=code, valid_to__isnull=True).first()
    if division is not None:
        division.geometry = geometry
        division.geometry_source = source
        division.geometry_synthesised = False
        _save(division)
        report.updated.append(code)
        return
    if not name:
        raise ValueError("新区划缺少名称")
    level = _level_for_code(code)
    try:
        reserve_code(code, level)
    except Exception as exc:  # ConflictError / DomainRuleError carry Chinese details
        raise ValueError(str(getattr(exc, "detail", exc))) from exc
    parent_code = _parent_code(code, level)
    parent = Division.objects.filter(code=parent_code, valid_to__isnull=True).first() if parent_code else None
    if parent_code and parent is None:
        raise ValueError(f"上级区划 {parent_code} 不存在")
    inherits_scope = parent is not None and level in (Level.TOWNSHIP, Level.VILLAGE)
    _save(Division(code=code, name=name, level=level, parent=parent, geometry=geometry, geometry_source=source,
                   source=source, scope=parent.scope if inherits_scope else Scope.GAZETTEER))
    report.created.append(code)


def _save(division: Division) -> None:
    """Save in a savepoint: a constraint the database enforces rejects this feature only."""
    try:
        with transaction.atomic():
            division.save()
    except DatabaseError as exc:
        raise ValueError(f"数据库拒绝：{str(exc).splitlines()[0]}") from exc
