"""Importing the features of an opened upload (apps.exchange.sources) into a register, through
the register's own services so that codes, checks, history and the actor are recorded as for a
hand-made record: facilities via `apps.facilities.services.create_facility`, place names via
`apps.placenames.services.propose`, door addresses (surveyed building points on a road) via
`apps.addresses.services.allocate_door`.

The user maps source fields to the register's fields (or gives one fixed value for all rows).
Every row runs the real service inside a savepoint; a row the service refuses is rolled back and
listed with its reason. A dry run rolls the whole transaction back; a commit keeps it only if no
row was rejected (or the user chose to skip the rejected rows) — one transaction either way.
Division boundaries and constraint layers keep their own importers (apps.divisions.importers,
apps.analysis.constraint_import).

Imports write registers, so they need an editor, and every row's TARGET division (where the
feature lies, and the division a place name names) must be inside the acting principal's
jurisdiction (the page's user, or the command's `--user`). A row outside it is listed, and then
the whole import is refused — even with "skip rejected rows" — so nothing is written."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework.exceptions import APIException, PermissionDenied
from shapely.geometry.base import BaseGeometry

from apps.accounts.context import current_principal
from apps.accounts.jurisdiction import require_codes, require_edit, require_role
from apps.accounts.principal import Role
from apps.addresses.models import Road
from apps.addresses.services import allocate_door
from apps.common.crs import CoordinateRangeError, check_lonlat
from apps.common.vector_io import VectorFeature, to_storage
from apps.divisions.models import LEVEL_ORDER, Division
from apps.facilities.models import FacilityKind, Status as FacilityStatus
from apps.facilities.services import FacilityInput, create_facility
from apps.placenames.models import PlaceNameCategory
from apps.placenames.services import propose

from .sources import Source


class MappingError(ValueError):
    """The field mapping does not fit the target or the file."""


class RowError(ValueError):
    """One row cannot be imported (the reason is shown to the user)."""


@dataclass(frozen=True)
class TargetField:
    name: str
    label: str
    required: bool = False
    guesses: tuple[str, ...] = ()
    fixed_choices: Callable[[], list[tuple[str, str]]] | None = None  # a fixed value may replace the column


@dataclass(frozen=True)
class Target:
    id: str
    title: str
    geometry: str  # "point" or "any"
    fields: tuple[TargetField, ...]


def _kind_choices() -> list[tuple[str, str]]:
    return [(k.code, k.name) for k in FacilityKind.objects.order_by("code")]


def _category_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in PlaceNameCategory.objects.order_by("code")]


def _status_choices() -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in FacilityStatus if s != FacilityStatus.CLOSED]


TARGETS: dict[str, Target] = {t.id: t for t in [
    Target("facilities", "民政服务设施", "point", (
        TargetField("name", "名称", True, ("name", "名称", "mc", "设施名称")),
        TargetField("kind", "类型（代码或名称）", True, ("kind", "类型", "lx", "设施类型"), _kind_choices),
        TargetField("status", "状态（规划/在建/建成/运营/停运）", False, ("status", "状态", "zt"), _status_choices),
        TargetField("operator", "运营主体", False, ("operator", "运营主体", "运营单位")),
        TargetField("phone", "联系电话", False, ("phone", "电话", "联系电话", "tel")),
        TargetField("note", "备注", False, ("note", "备注", "bz")),
    )),
    Target("addresses", "门牌地址（按道路自动编号）", "point", (
        TargetField("name", "建筑名称或备注（可选）", False, ("name", "名称", "建筑名称", "jzmc")),
        TargetField("road", "街路巷（编码或现行名称）", True, ("road", "road_code", "道路", "街路巷", "道路编码", "dlbm", "dlmc")),
        TargetField("households", "户数", False, ("households", "户数", "hs")),
        TargetField("residents", "常住人口", False, ("residents", "人口", "常住人口", "rk")),
        TargetField("residents_60plus", "60岁以上人口", False, ("residents_60plus", "60岁以上人口", "老年人口")),
    )),
    Target("placenames", "地名（拟定）", "any", (
        TargetField("name", "标准名称", True, ("name", "名称", "地名", "标准名称", "bzmc", "mc")),
        TargetField("category", "类别（代码或名称）", True, ("category", "类别", "地名类别", "lb"), _category_choices),
        TargetField("division", "所属政区代码（不填则按位置确定）", False, ("division", "division_code", "所属政区", "区划代码")),
        TargetField("location_description", "位置描述", False, ("location_description", "位置描述", "位置")),
        TargetField("origin", "来历", False, ("origin", "来历")),
        TargetField("meaning", "含义", False, ("meaning", "含义")),
    )),
]}


def guess_mapping(target: Target, fields: list[str]) -> dict[str, str]:
    """Source field for each target field whose name is a usual one (case-insensitive)."""
    lowered = {f.strip().lower(): f for f in fields}
    mapping: dict[str, str] = {}
    for tf in target.fields:
        for guess in tf.guesses:
            if guess.lower() in lowered and tf.name not in mapping:
                mapping[tf.name] = lowered[guess.lower()]
    return mapping


def check_mapping(target: Target, source: Source, mapping: dict[str, str], fixed: dict[str, str]) -> None:
    names = {tf.name for tf in target.fields}
    for key in list(mapping) + list(fixed):
        if key not in names:
            raise MappingError(f"{target.title}没有字段 {key}（可用：{'、'.join(sorted(names))}）")
    for key, column in mapping.items():
        if column not in source.fields:
            raise MappingError(f"{key} 对应的源字段 {column} 不在文件中（文件字段：{'、'.join(source.fields)}）")
    for tf in target.fields:
        if tf.required and not mapping.get(tf.name) and not fixed.get(tf.name):
            raise MappingError(f"必须指定“{tf.label}”来自哪个源字段" + ("或给出统一取值" if tf.fixed_choices else ""))
        if fixed.get(tf.name) and tf.fixed_choices is None:
            raise MappingError(f"“{tf.label}”不能取统一值，请指定源字段")


@dataclass
class RowResult:
    index: int
    name: str
    reason: str


@dataclass
class ImportReport:
    target: str
    total: int
    accepted: list[str] = field(default_factory=list)  # codes of the records created
    rejected: list[RowResult] = field(default_factory=list)
    committed: bool = False
    message: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _storage_geometry(feature: VectorFeature, crs: str, target: Target) -> BaseGeometry:
    geom = feature.geometry
    if geom is None or geom.is_empty:
        raise RowError("缺少几何（坐标为空或无法解析）")
    if target.geometry == "point":
        if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if geom.geom_type != "Point":
            raise RowError(f"应为点，文件中是 {geom.geom_type}")
    stored = to_storage(geom, crs)
    coords = shapely.get_coordinates(stored)
    try:
        check_lonlat(coords[:, 0], coords[:, 1])
    except CoordinateRangeError as exc:
        raise RowError(f"坐标换算后超出经纬度范围（坐标系选错了？）：{exc}")
    if not stored.is_valid:
        raise RowError(f"几何无效：{shapely.is_valid_reason(stored)}")
    return stored


def _values(feature: VectorFeature, mapping: dict[str, str], fixed: dict[str, str]) -> dict[str, str]:
    values = {key: _text(feature.properties.get(column)) for key, column in mapping.items()}
    for key, value in fixed.items():
        if value and not values.get(key):
            values[key] = value
    return values


class _Lookups:
    """Cached lookups of kinds, categories and divisions by code or name."""

    def __init__(self) -> None:
        self.kinds = {k.code: k for k in FacilityKind.objects.all()} | {k.name: k for k in FacilityKind.objects.all()}
        cats = list(PlaceNameCategory.objects.all())
        self.categories = {c.code: c for c in cats} | {c.name: c for c in cats}
        self.roads: dict[str, Road] = {}

    def kind(self, value: str) -> FacilityKind:
        if value not in self.kinds:
            raise RowError(f"未知设施类型“{value}”")
        return self.kinds[value]

    def category(self, value: str) -> PlaceNameCategory:
        if value not in self.categories:
            raise RowError(f"未知地名类别“{value}”")
        return self.categories[value]

    def road(self, value: str) -> Road:
        """A current road by its code or, if the name is unique, by its name."""
        value = value.strip()
        if value not in self.roads:
            current = Road.objects.filter(valid_to__isnull=True)
            found = list(current.filter(code=value)[:2]) or list(current.filter(name=value)[:2])
            if not found:
                raise RowError(f"没有现行街路巷“{value}”")
            if len(found) > 1:  # codes and names are unique per county only
                raise RowError(f"街路巷“{value}”在多个县都有，无法确定是哪一条")
            self.roads[value] = found[0]
        return self.roads[value]


def _deepest_division_at(geom: GEOSGeometry) -> Division | None:
    point = geom.point_on_surface
    found = sorted(Division.objects.filter(valid_to__isnull=True, geometry__intersects=point),
                   key=lambda d: LEVEL_ORDER.index(d.level) if d.level in LEVEL_ORDER else -1)
    return found[-1] if found else None


def _division_at(geom: GEOSGeometry) -> Division:
    division = _deepest_division_at(geom)
    if division is None:
        raise RowError("位置不在任何现行行政区划内")
    return division


def _require_location(geom: GEOSGeometry) -> None:
    """A feature lying in a division must lie inside the acting principal's jurisdiction (a feature
    outside every division is left to the register's own checks, which give the clearer reason)."""
    if current_principal().jurisdiction == "":
        return  # covers everything (e.g. the system): no lookup needed
    division = _deepest_division_at(geom)
    if division is not None:
        require_codes([division.code], f"位于{division.name}（{division.code}）的记录")


def _facility(values: dict[str, str], geom: BaseGeometry, lookups: _Lookups, actor: str) -> str:
    status = values.get("status") or FacilityStatus.PLANNED
    data = FacilityInput(kind=lookups.kind(values.get("kind", "")), name=values.get("name", ""),
                         location=Point(geom.x, geom.y, srid=4490), status=status,
                         operator=values.get("operator", ""), phone=values.get("phone", ""), note=values.get("note", ""))
    facility = create_facility(data, actor=actor)
    require_edit(facility, f"{facility.name}")  # its township/village as the register placed it
    return facility.code


def _placename(values: dict[str, str], geom: BaseGeometry, lookups: _Lookups, actor: str) -> str:
    name = values.get("name", "")
    if not name:
        raise RowError("标准名称为空")
    geos = GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4490)
    code = values.get("division")
    if code:
        division = Division.objects.filter(code=code, valid_to__isnull=True).first()
        if division is None:
            raise RowError(f"没有现行区划 {code}")
        require_codes([division.code], f"{division.name}（{division.code}）的地名")
    else:
        division = _division_at(geos)
    _require_location(geos)
    place, _warnings = propose(name=name, category=lookups.category(values.get("category", "")), division=division,
                               actor=actor, geometry=geos, location_description=values.get("location_description", ""),
                               origin=values.get("origin", ""), meaning=values.get("meaning", ""))
    return place.code


def _count(values: dict[str, str], key: str, label: str) -> int | None:
    text = values.get(key, "")
    if not text:
        return None
    try:
        number = int(float(text))
    except ValueError:
        raise RowError(f"{label}“{text}”不是整数") from None
    if number < 0 or number != float(text):
        raise RowError(f"{label}“{text}”应为非负整数")
    return number


def _address(values: dict[str, str], geom: BaseGeometry, lookups: _Lookups, actor: str) -> str:
    """A surveyed building on a road: numbered by the register's rule (GB/T 35639 Annex B) as the
    door allocation of the API does; its township must lie in the importer's jurisdiction."""
    road = lookups.road(values.get("road", ""))
    location = Point(geom.x, geom.y, srid=4490)
    _require_location(location)
    address = allocate_door(road, location, actor=actor, households=_count(values, "households", "户数"),
                            residents=_count(values, "residents", "常住人口"),
                            residents_60plus=_count(values, "residents_60plus", "60岁以上人口"))
    return address.code


_HANDLERS = {"facilities": _facility, "placenames": _placename, "addresses": _address}


def run_import(source: Source, target_id: str, mapping: dict[str, str], fixed: dict[str, str], *, actor: str,
               commit: bool, skip_rejected: bool = False) -> ImportReport:
    """Dry run (commit=False) or commit the rows of `source` into the target register. Needs an
    editor; rows outside the jurisdiction make the whole import refused."""
    require_role(Role.EDITOR, "导入数据")
    target = TARGETS[target_id]
    mapping = {k: v for k, v in mapping.items() if v}
    fixed = {k: v for k, v in fixed.items() if v}
    check_mapping(target, source, mapping, fixed)
    report = ImportReport(target=target_id, total=len(source.features))
    handler = _HANDLERS[target_id]
    denied = 0
    with transaction.atomic():
        lookups = _Lookups()
        for feature in source.features:
            values = _values(feature, mapping, fixed)
            savepoint = transaction.savepoint()
            try:
                geom = _storage_geometry(feature, source.crs, target)
                report.accepted.append(handler(values, geom, lookups, actor))
                transaction.savepoint_commit(savepoint)
            except PermissionDenied as exc:  # outside the jurisdiction: refuses the whole import
                transaction.savepoint_rollback(savepoint)
                denied += 1
                report.rejected.append(RowResult(feature.index, values.get("name", ""), str(exc.detail)))
            except (RowError, APIException, DjangoValidationError, IntegrityError, ValueError) as exc:
                transaction.savepoint_rollback(savepoint)
                reason = str(exc.detail) if isinstance(exc, APIException) else \
                    "；".join(exc.messages) if isinstance(exc, DjangoValidationError) else str(exc)
                report.rejected.append(RowResult(feature.index, values.get("name", ""), reason))
        if not commit:
            report.message = f"试运行：{len(report.accepted)} 行可导入，{len(report.rejected)} 行被拒绝；未写入任何数据"
            transaction.set_rollback(True)
        elif denied:
            report.message = f"有 {denied} 行不在本账号辖区内，整批未写入（辖区外的数据须由其辖区的编辑员导入）"
            transaction.set_rollback(True)
        elif report.rejected and not skip_rejected:
            report.message = f"有 {len(report.rejected)} 行被拒绝，整批未写入（可修正后重试，或选择跳过被拒绝的行）"
            transaction.set_rollback(True)
        else:
            report.committed = True
            report.message = f"已导入 {len(report.accepted)} 行" + (f"，跳过 {len(report.rejected)} 行" if report.rejected else "")
    return report
