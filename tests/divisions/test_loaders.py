"""The real seed data as loaded: GCJ-02 conversion, areas, synthesised townships, idempotency."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import shapely
from django.conf import settings
from django.db import connection
from pyproj import Geod
from shapely.geometry import shape

from apps.common.models import DataSource
from apps.divisions.loaders import load_demo_divisions
from apps.divisions.models import Division, DivisionChange

pytestmark = pytest.mark.django_db
SEED = Path(settings.BASE_DIR) / "data" / "seed"
GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid, to the millimetre


def _gcj_feature(code: str) -> dict:
    features = json.loads((SEED / "divisions_gcj02.geojson").read_text(encoding="utf-8"))["features"]
    return next(f for f in features if f["properties"]["code"] == code)


def test_the_twelve_real_counties_are_loaded_with_polygons() -> None:
    counties = Division.objects.filter(level="county", geometry__isnull=False, valid_to__isnull=True)
    names = dict(counties.values_list("code", "name"))
    assert names == {
        "330521": "德清县", "341723": "青阳县", "431221": "中方县", "330482": "平湖市", "320681": "启东市",
        "431228": "芷江侗族自治县", "431223": "辰溪县", "431224": "溆浦县", "341003": "黄山区", "340223": "南陵县",
        "330483": "桐乡市", "330503": "南浔区"}
    assert set(counties.filter(scope="jurisdiction").values_list("code", flat=True)) == {
        "330521", "341723", "431221", "330482", "320681"}


def test_deqing_area_is_within_two_percent_of_936_km2() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT ST_Area(geometry::geography) / 1e6 FROM divisions_division "
                    "WHERE code = '330521' AND valid_to IS NULL")
        area = cur.fetchone()[0]
    assert abs(area - 936) / 936 < 0.02, area


def test_converted_polygon_sits_about_500_m_north_west_of_the_gcj02_input() -> None:
    gcj = shape(_gcj_feature("330521")["geometry"])
    stored = shapely.from_wkb(bytes(Division.objects.get(code="330521", valid_to__isnull=True).geometry.wkb))
    # Every vertex moved by the GCJ-02 offset, none re-digitised.
    assert shapely.get_num_coordinates(stored) == shapely.get_num_coordinates(gcj)
    (gx, gy), (sx, sy) = shapely.get_coordinates(gcj)[0], shapely.get_coordinates(stored)[0]
    azimuth, _, distance = GEOD.inv(gx, gy, sx, sy)
    assert 350 < distance < 700, distance
    assert 280 < azimuth % 360 < 320, azimuth
    c_az, _, c_dist = GEOD.inv(gcj.centroid.x, gcj.centroid.y, stored.centroid.x, stored.centroid.y)
    assert abs(c_dist - distance) < 50 and abs((c_az % 360) - (azimuth % 360)) < 5
    assert not stored.intersection(gcj).equals(gcj)  # not left on top of the input


def test_provenance_records_the_conversion() -> None:
    source = DataSource.objects.get(key="cnmaps-divisions-gcj02")
    assert source.source_crs == "GCJ-02"
    assert source.metadata["converted_to"] == "EPSG:4490"
    deqing = Division.objects.get(code="330521", valid_to__isnull=True)
    assert deqing.geometry_source == source


@pytest.mark.parametrize("county", ["330521", "431224", "320681", "330482"])
def test_synthesised_townships_partition_the_county_without_gaps(county: str) -> None:
    # Areas in the county's Gauss-Krüger zone (planar metres), after densifying to 1e-4° so a
    # straight lon/lat edge stays the same curve in metres. Without that, slivers along the
    # kilometre-long straight edges gain area in any metric CRS (and in geography) even though
    # the polygons tile the county exactly in lon/lat, the CRS they are stored and used in.
    with connection.cursor() as cur:
        cur.execute("""
            WITH pair AS (
              SELECT c.geometry AS county, ST_Union(t.geometry) AS towns, count(*) AS n,
                     bool_and(ST_IsValid(t.geometry)) AS valid, bool_and(t.geometry_synthesised) AS flagged,
                     sum(ST_Area(ST_Transform(ST_Segmentize(t.geometry, 0.0001), 4534 + round((ST_X(ST_Centroid(c.geometry)) - 75) / 3)::int)))
                       AS parts_m2,
                     4534 + round((ST_X(ST_Centroid(c.geometry)) - 75) / 3)::int AS zone
              FROM divisions_division c JOIN divisions_division t ON t.parent_id = c.id AND t.level = 'township'
              WHERE c.code = %s AND c.valid_to IS NULL GROUP BY c.id, c.geometry)
            SELECT ST_Area(ST_Transform(ST_Segmentize(ST_SymDifference(county, towns), 0.0001), zone)), valid, n, flagged,
                   parts_m2 - ST_Area(ST_Transform(ST_Segmentize(towns, 0.0001), zone))
            FROM pair""", [county])
        gap_m2, all_valid, count, flagged, overlap_m2 = cur.fetchone()
    assert all_valid and flagged and count >= 9
    assert gap_m2 < 1, gap_m2  # the union equals the county up to 1 m²-scale slivers
    assert abs(overlap_m2) < 1, overlap_m2  # and the parts do not overlap


def test_village_seats_lie_inside_their_township() -> None:
    with connection.cursor() as cur:
        cur.execute("""
            SELECT count(*), count(*) FILTER (WHERE ST_Contains(t.geometry, v.seat))
            FROM divisions_division v JOIN divisions_division t ON v.parent_id = t.id
            WHERE v.level = 'village' AND t.geometry IS NOT NULL""")
        total, inside = cur.fetchone()
    assert total > 2000 and inside == total


def test_national_gazetteer_quirks() -> None:
    # Municipalities: one division at province level, its districts directly below it.
    assert Division.objects.filter(code="310000").count() == 1
    assert Division.objects.get(code="310000").level == "province"
    assert Division.objects.get(code="310114", valid_to__isnull=True).parent.code == "310000"
    # Rows without a code (Taiwan's districts) stay out of the coded register.
    assert not Division.objects.filter(name="中正区", parent__code="710100").exists()
    assert Division.objects.filter(level="county", valid_to__isnull=True, code__isnull=False).count() > 2800


def test_loading_again_is_idempotent() -> None:
    before = (Division.objects.count(), DivisionChange.objects.count(),
              sorted(Division.objects.filter(level="township").values_list("code", "name")))
    assert load_demo_divisions().unchanged  # unchanged input: nothing to do
    report = load_demo_divisions(force=True)  # forced: everything re-applied, nothing duplicated
    assert not report.unchanged and sum(report.created.values()) == 0
    after = (Division.objects.count(), DivisionChange.objects.count(),
             sorted(Division.objects.filter(level="township").values_list("code", "name")))
    assert before == after


def test_real_change_list_is_loaded_with_history() -> None:
    haimen_old = Division.objects.get(name="海门市", level="county")
    assert haimen_old.status == "retired" and str(haimen_old.valid_to) == "2020-06-05" and haimen_old.code is None
    successor = haimen_old.successors.get()
    assert successor.name == "海门区" and successor.code == "320684"
    change = haimen_old.changes_out.get()
    assert change.kind == "to_district" and change.authority == "国务院"
    # 柳州地区 was never a current division in the national list: it is abolished with successors.
    liuzhou = Division.objects.get(name="柳州地区")
    assert liuzhou.status == "retired" and str(liuzhou.valid_to) == "2002-12-31"
    assert set(liuzhou.successors.values_list("name", flat=True)) == {"来宾市", "柳州市"}
    assert math.isclose(DivisionChange.objects.filter(source__key="jionlp-location-changes").count(), 110, abs_tol=15)
