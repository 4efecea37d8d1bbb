"""The data-quality audit on the demo gazetteer: every count is recomputed here with plain ORM
queries and geometry tests done by shapely/pyproj, not by the audit's SQL."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pyproj
import pytest
import shapely

from apps.common.shapes import to_shapely
from apps.placenames.audit import audit_report
from apps.placenames.models import PlaceName, Status

pytestmark = pytest.mark.django_db


def _by_category(places) -> Counter:  # type: ignore[no-untyped-def]
    return Counter(p.category.code for p in places)


def _outside(place: PlaceName) -> bool:
    """The audit's rule, recomputed in a local azimuthal equidistant projection."""
    geom, division = to_shapely(place.geometry), to_shapely(place.division.geometry)
    if division.covers(geom):
        return False
    centre = division.centroid
    to_local = pyproj.Transformer.from_crs(
        "EPSG:4490", pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +ellps=GRS80"),
        always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_local.transform(xy[:, 0], xy[:, 1]))

    g, d = shapely.transform(geom, project), shapely.transform(division, project)
    if geom.geom_type == "Point":
        return g.distance(d) > 10
    if g.geom_type.endswith("LineString"):
        return g.difference(d).length > max(10, 0.01 * g.length)
    return g.difference(d).area > max(100, 0.01 * g.area)


def test_audit_counts_match_hand_queries(demo, deqing) -> None:  # type: ignore[no-untyped-def]
    report = audit_report(deqing.pk, "330521")
    in_force = list(PlaceName.objects.filter(county=deqing).exclude(status=Status.CANCELLED)
                    .select_related("category", "division"))
    by_category = {r.code: r for r in report.categories}
    assert {c: r.total for c, r in by_category.items()} == dict(_by_category(in_force))

    expected = {
        "missing_pinyin": [p for p in in_force if not p.pinyin],
        "missing_geometry": [p for p in in_force if p.geometry is None],
        "missing_origin": [p for p in in_force if not p.origin.strip()],
        "missing_approval": [p for p in in_force if p.status in ("已批准", "已公告")
                             and not (p.approving_authority and p.approval_document and p.approved_on)],
        "duplicate_name": [p for p in in_force if sum(
            1 for o in in_force if o.category_id == p.category_id and o.name == p.name) > 1],
        "homophone": [p for p in in_force if p.search_pinyin and any(
            o.category_id == p.category_id and o.search_pinyin == p.search_pinyin and o.name != p.name
            for o in in_force)],
        "outside_division": [p for p in in_force if p.geometry is not None and p.division.geometry is not None
                             and not p.division.geometry_synthesised and _outside(p)],
        "outside_synthesised_division": [p for p in in_force if p.geometry is not None
                                         and p.division.geometry is not None
                                         and p.division.geometry_synthesised and _outside(p)],
    }
    for check, places in expected.items():
        got = {c: r.counts[check] for c, r in by_category.items() if r.counts[check]}
        assert got == dict(_by_category(places)), check
        assert sorted(f["code"] for f in report.findings if f["check"] == check) == sorted(p.code for p in places)
    # The demo data does have gaps of each kind the audit is for.
    totals = report.totals()
    assert totals["missing_approval"] >= 7 and totals["duplicate_name"] >= 2 and totals["homophone"] >= 2
    assert totals["missing_geometry"] > 0 and totals["missing_origin"] > 0
    assert totals["outside_division"] + totals["outside_synthesised_division"] > 0


def test_audit_by_audit_class_and_the_api(staff_api, demo, deqing) -> None:  # type: ignore[no-untyped-def]
    only = audit_report(deqing.pk, "330521", audit_class="交通运输设施")
    assert {r.audit_class for r in only.categories} == {"交通运输设施"}
    assert all(f["category"].startswith("6") for f in only.findings)
    body = staff_api.get("/api/v1/placenames/audit", {"county": "330521"}).json()
    assert body["totals"] == audit_report(deqing.pk, "330521").totals()
    csv_text = staff_api.get("/api/v1/placenames/audit", {"format": "csv"}).content.decode("utf-8")
    assert csv_text.startswith("\ufeff问题,地名代码,名称,类别")
    assert staff_api.get("/api/v1/placenames/audit", {"county": "999999"}).status_code == 400


def test_outside_rule_sees_a_moved_point(demo, deqing) -> None:  # type: ignore[no-untyped-def]
    place = PlaceName.objects.get(name="余英溪")           # division: the county (real boundary)
    assert not _outside(place)
    place.geometry = shapely_to_geos(shapely.Point(121.5, 31.2))
    place.save()
    report = audit_report(deqing.pk, "330521")
    assert place.code in {f["code"] for f in report.findings if f["check"] == "outside_division"}


def shapely_to_geos(geom):  # type: ignore[no-untyped-def]
    from apps.common.shapes import to_geos

    return to_geos(geom)
