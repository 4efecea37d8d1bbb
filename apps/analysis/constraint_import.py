"""Loading a constraint layer (farmland, forest, scenic areas…) for the cemetery suitability
analysis from a shapefile, GeoPackage or GeoJSON (service): encoding and CRS detected or stated
(apps.common.vector_io), every feature validated, a dry run unless committing, one transaction;
every rejected feature listed with its reason. Only an editor whose jurisdiction covers the layer's
county may load it (commands act as the system unless they name a user)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.db import transaction

from apps.common.history import acting_as
from apps.common.shapes import to_geos
from apps.common.vector_io import read_vector_file, to_storage
from apps.divisions.models import Division

from .access import require_layer_county
from .models import ConstraintCategory, ConstraintLayer


@dataclass
class ConstraintImportReport:
    path: str
    category: str
    crs_note: str
    encoding_note: str
    total: int = 0
    loaded: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    committed: bool = False


class _DryRun(Exception):
    pass


def _checked(geometry: shapely.Geometry | None, crs: str) -> shapely.Geometry:
    if geometry is None or geometry.is_empty:
        raise ValueError("几何为空")
    if geometry.has_z:
        geometry = shapely.force_2d(geometry)
    stored = to_storage(geometry, crs)
    xs, ys = shapely.get_coordinates(stored).T
    if not ((xs >= 73).all() and (xs <= 136).all() and (ys >= 3).all() and (ys <= 54).all()):
        raise ValueError("坐标转换后不在中国范围内（检查坐标系）")
    if not stored.is_valid:
        raise ValueError(f"几何无效：{shapely.is_valid_reason(stored)}")
    return stored


def import_constraint_layer(path: str | Path, *, category: str, county: Division, actor: str, name_field: str = "",
                            layer: str | None = None, encoding: str | None = None, crs: str | None = None,
                            source: str = "", commit: bool = False, replace: bool = False) -> ConstraintImportReport:
    if category not in ConstraintCategory.values:
        raise ValueError(f"类别应为 {', '.join(ConstraintCategory.values)} 之一")
    require_layer_county(county)
    dataset = read_vector_file(path, layer=layer, encoding=encoding, crs=crs)
    report = ConstraintImportReport(str(path), category, dataset.crs_note, dataset.encoding_note,
                                    total=len(dataset.features))
    try:
        with acting_as(actor), transaction.atomic():
            if replace:
                ConstraintLayer.objects.filter(county=county, category=category, synthetic=False).delete()
            for feature in dataset.features:
                try:
                    geometry = _checked(feature.geometry, dataset.crs)
                except ValueError as exc:
                    report.rejected.append((feature.index, str(exc)))
                    continue
                name = str(feature.properties.get(name_field) or "").strip() if name_field else ""
                ConstraintLayer.objects.create(category=category, name=name or f"{Path(path).stem}#{feature.index}",
                                               geometry=to_geos(geometry), county=county,
                                               source=source or f"导入：{Path(path).name}（{dataset.crs_note}）")
                report.loaded += 1
            if not commit:
                raise _DryRun
            report.committed = True
    except _DryRun:
        pass
    return report
