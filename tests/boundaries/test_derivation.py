"""Deriving lines from shared borders: synthetic slivers (pure), and the six real lines checked
against PostGIS's own computation of the shared border (length, Hausdorff distance in metres)."""
from __future__ import annotations

import pytest
from django.db import connection
from shapely.geometry import Polygon

from apps.boundaries.derivation import NORTH_SOUTH, WEST_EAST, NoSharedBorder, derive_shared_border, reproject
from apps.boundaries.demo import SIX_LINES
from apps.boundaries.models import BoundaryLine, BoundaryMarker
from apps.boundaries.numbering import validate_number
from apps.boundaries.placement import chainage

GK = "EPSG:4549"  # CM 120°E
X0, Y0 = 500_000.0, 3_380_000.0


def _pair(jitter: float = 1.5, notch: bool = True) -> tuple[Polygon, Polygon]:
    """A west and B east of x = X0 over 5 km (vertices every 100 m); B's edge zig-zags ±jitter m
    across A's (slivers), its vertices at 2.0–2.2 km back off 30 m (a real gap), and those at
    3.0–3.3 km too, except for a 20 m stretch that touches A's edge (a fragment to drop)."""
    ys = [Y0 + k * 100.0 for k in range(51)]
    a = Polygon([(X0 - 3000, Y0), *[(X0, y) for y in ys], (X0 - 3000, ys[-1])])
    edge = []
    for k, y in enumerate(ys):
        off = jitter if k % 2 else -jitter * 0.8
        if notch and (2000 <= y - Y0 <= 2200 or 3000 <= y - Y0 <= 3300):
            off = 30.0
        edge.append((X0 + off, y))
    if notch:
        edge = [p for p in edge if not 3100 <= p[1] - Y0 <= 3200]
        at = next(i for i, p in enumerate(edge) if p[1] - Y0 > 3200)
        edge[at:at] = [(X0 + 30.0, Y0 + 3130), (X0, Y0 + 3140), (X0, Y0 + 3160), (X0 + 30.0, Y0 + 3170)]
    b = Polygon([*edge, (X0 + 3000, ys[-1]), (X0 + 3000, Y0)])
    return reproject(a, GK, inverse=True), reproject(b, GK, inverse=True)


def test_slivers_are_snapped_and_reported() -> None:
    a, b = _pair()
    derived = derive_shared_border(a, b, tolerance_m=5.0, min_fragment_m=50.0)
    report = derived.report
    assert report.exact_shared_m < 100  # the zig-zag crosses A's edge: hardly anything is shared exactly
    assert report.snapped_vertices >= 40
    assert 1.0 < report.max_snap_m <= 5.0
    assert report.fragments_dropped == 1 and 19 < report.dropped_length_m < 21
    assert report.pieces == 3 and len(report.gaps_m) == 2
    # North first: 3.4 → 2.9 km (vertices 3.0–3.3 km are off; the 20 m fragment dropped), then 2.3 → 1.9 km.
    assert report.gaps_m[0] == pytest.approx(500, abs=1)
    assert report.gaps_m[1] == pytest.approx(400, abs=1)
    assert report.direction == NORTH_SOUTH
    line_m = reproject(derived.geometry, GK)
    assert line_m.geoms[0].coords[0][1] > line_m.geoms[-1].coords[-1][1]  # runs north → south
    assert line_m.length == pytest.approx(5000 - 500 - 400, abs=1)
    assert report.length_m == pytest.approx(line_m.length, rel=0.001)  # geodesic vs. projected (scale ≈ 1)
    # On A's border exactly, on B's within the tolerance.
    assert reproject(a, GK).boundary.hausdorff_distance(line_m) > 0
    assert max(reproject(a, GK).boundary.distance(reproject(p, GK)) for p in _vertices(derived.geometry)) < 1e-6
    assert max(reproject(b, GK).boundary.distance(reproject(p, GK)) for p in _vertices(derived.geometry)) <= 5.0


def _vertices(geometry):  # type: ignore[no-untyped-def]
    from shapely import get_coordinates, points

    return list(points(get_coordinates(geometry)))


def test_without_tolerance_the_zigzag_shares_nothing() -> None:
    a, b = _pair(notch=False)
    with pytest.raises(NoSharedBorder):
        derive_shared_border(a, b, tolerance_m=0.0)
    assert derive_shared_border(a, b, tolerance_m=2.0).report.pieces == 1


def test_a_wide_line_runs_west_to_east() -> None:
    a = reproject(Polygon([(X0, Y0), (X0 + 4000, Y0), (X0 + 4000, Y0 + 1000), (X0, Y0 + 1000)]), GK, inverse=True)
    b = reproject(Polygon([(X0 + 4000, Y0), (X0, Y0), (X0, Y0 - 800), (X0 + 4000, Y0 - 900)]), GK, inverse=True)
    derived = derive_shared_border(b, a)
    assert derived.report.direction == WEST_EAST
    coords = derived.geometry.geoms[0].coords
    assert coords[0][0] < coords[-1][0]
    assert derived.report.length_m == pytest.approx(4000, rel=0.002)


CHECK_SQL = """
WITH a AS (SELECT geometry g FROM divisions_division WHERE code = %s AND valid_to IS NULL),
     b AS (SELECT geometry g FROM divisions_division WHERE code = %s AND valid_to IS NULL),
     l AS (SELECT geometry g, 4534 + round((ST_X(ST_Centroid(geometry)) - 75.0) / 3.0)::int AS srid
           FROM boundaries_boundaryline WHERE name = %s),
     s AS (SELECT ST_CollectionExtract(ST_Intersection(ST_Boundary(a.g), ST_Boundary(b.g)), 2) AS g FROM a, b)
SELECT ST_Length(s.g::geography),
       ST_Length(l.g::geography),
       ST_HausdorffDistance(ST_Transform(l.g, l.srid), ST_Transform(s.g, l.srid), 0.2),
       (SELECT max(ST_Distance(ST_Transform(p.geom, l.srid), ST_Transform(ST_Boundary(a.g), l.srid)))
          FROM ST_DumpPoints(ST_Segmentize(l.g::geography, 10)::geometry) p),
       (SELECT max(ST_Distance(ST_Transform(p.geom, l.srid), ST_Transform(ST_Boundary(b.g), l.srid)))
          FROM ST_DumpPoints(ST_Segmentize(l.g::geography, 10)::geometry) p)
FROM a, b, l, s
"""


@pytest.mark.django_db
@pytest.mark.parametrize("name, code, counties", SIX_LINES)
def test_six_real_lines_lie_on_both_borders(demo_lines, name: str, code: str, counties: tuple[str, str]) -> None:
    line = BoundaryLine.objects.get(name=name)
    assert line.code == code
    assert sorted(d.code for d in line.divisions.all()) == sorted(counties)
    with connection.cursor() as cur:
        cur.execute(CHECK_SQL, [counties[0], counties[1], name])
        shared_m, line_m, hausdorff_m, off_a_m, off_b_m = cur.fetchone()
    assert 19_000 < shared_m < 120_000  # the work reports: 19–119 km
    assert abs(line.length_m - shared_m) / shared_m < 0.02
    assert abs(line_m - shared_m) / shared_m < 0.02  # PostGIS's own measure of our line agrees
    assert hausdorff_m < 20
    assert off_a_m < 20 and off_b_m < 20


@pytest.mark.django_db
def test_demo_markers_follow_the_rule(demo_lines) -> None:
    for line in demo_lines.values():
        markers = list(BoundaryMarker.objects.filter(line=line).order_by("sequence", "type_code"))
        assert len(markers) >= max(2, int(line.length_m // 4000))  # ends + at most ~3 km apart
        codes = sorted(d.code for d in line.divisions.all())
        from apps.common.shapes import to_shapely

        epsg = line.derivation["projection"]
        line_m = reproject(to_shapely(line.geometry), epsg)
        last = -1.0
        for marker in markers:
            side = marker.side_division.code if marker.side_division else None
            validate_number(marker.number, line_code=line.code, kind=marker.kind, side_code=side, division_codes=codes)
            at = chainage(line_m, reproject(to_shapely(marker.position), epsg))
            assert at >= last - 10  # sequence grows along the line (pairs stand side by side)
            last = at
            assert len(marker.reference_objects) >= 3 and marker.is_demo
        assert markers[0].position.distance(line.geometry) < 1e-6


@pytest.mark.django_db
def test_demo_load_is_idempotent(demo_lines) -> None:
    from django.core.management import call_command

    before = (BoundaryLine.objects.count(), BoundaryMarker.objects.count())
    call_command("derive_boundary_lines", stdout=open("/dev/null", "w"))
    assert (BoundaryLine.objects.count(), BoundaryMarker.objects.count()) == before
    assert before[0] == 6
