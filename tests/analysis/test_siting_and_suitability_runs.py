"""Siting and suitability runs through the API, on the small real register: the MCLP optimum
equals brute force over all site pairs computed with pyproj; LSCP reaches its target with the
fewest sites; p-median and the coverage curve are proven optimal; suitability names the rule
behind every excluded cell (rechecked with shapely in the projected plane), a regional rule beats
the default, and the rest are ranked by reachable population."""
from __future__ import annotations

import itertools

import numpy as np
import pyproj
import pytest
import shapely

from apps.addresses.models import Address
from apps.analysis.models import AnalysisRun, ConstraintLayer, ExclusionRule
from apps.common.shapes import to_geos
from apps.divisions.models import Division

pytestmark = pytest.mark.django_db
GEOD = pyproj.Geod(ellps="GRS80")


def _points(candidates: list) -> np.ndarray:
    return np.array([[c.location.x, c.location.y] for c in candidates])


def test_mclp_equals_brute_force(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    doors = list(Address.objects.filter(level="door", valid_to__isnull=True).order_by("code"))
    candidates = doors[3::97][:24]
    body = {"model": "mclp", "candidate_source": "points", "p": 2, "radius_m": 600, "weight": "residents",
            "points": [[c.location.x, c.location.y] for c in candidates], "existing_kinds": ["elderly_canteen"],
            "curve_max_p": 4}
    run = staff_api.post("/api/v1/analysis/siting", body, format="json")
    assert run.status_code == 201, run.json()
    summary = run.json()["summary"]
    demand = list(Address.objects.filter(valid_to__isnull=True).values_list("location", "residents"))
    pts = np.array([[p.x, p.y] for p, _ in demand])
    w = np.array([r or 0 for _, r in demand], dtype=float)

    def within(sites: np.ndarray) -> np.ndarray:
        n, m = len(pts), len(sites)
        _, _, d = GEOD.inv(np.repeat(pts[:, 0], m), np.repeat(pts[:, 1], m), np.tile(sites[:, 0], n),
                           np.tile(sites[:, 1], n))
        return (d.reshape(n, m) <= 600)

    existing = _points([f for f in facilities if f.kind.code == "elderly_canteen"])
    base = within(existing).any(axis=1)
    cover = within(_points(candidates))
    best = max(float(w[base | cover[:, list(pair)].any(axis=1)].sum()) for pair in itertools.combinations(range(len(candidates)), 2))
    result = summary["result"]
    assert result["optimal"] and result["gap"] == 0 and result["objective"] == best
    assert result["covered_weight_before"] == float(w[base].sum())
    chosen = summary["chosen"]
    assert len(chosen) <= 2 and chosen == sorted(chosen, key=lambda c: -c["marginal_gain"])
    curve = [p["covered_weight"] for p in summary["curve"]]
    assert curve[1] == best and curve == sorted(curve) and all(p["optimal"] for p in summary["curve"])
    sites = staff_api.get(f"/api/v1/analysis/runs/{run.json()['id']}/sites", {"format": "geojson"}).json()
    assert [f["properties"]["rank"] for f in sites["features"]] == [c["rank"] for c in chosen]


def test_lscp_and_p_median(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    lscp = staff_api.post("/api/v1/analysis/siting", {
        "model": "lscp", "candidate_source": "grid", "grid_spacing_m": 1500, "radius_m": 1500, "target_share": 0.5,
        "weight": "count"}, format="json").json()
    result = lscp["summary"]["result"]
    assert result["optimal"] and result["covered_weight_after"] >= 0.5 * result["total_weight"] - 1e-9
    assert result["objective"] == len(lscp["summary"]["chosen"])
    median = staff_api.post("/api/v1/analysis/siting", {
        "model": "pmedian", "candidate_source": "facilities", "candidate_kinds": ["elderly_canteen", "meal_point"],
        "p": 2, "max_distance_m": 60000, "weight": "households"}, format="json").json()
    assert median["summary"]["result"]["optimal"] and len(median["summary"]["chosen"]) == 2
    bad = staff_api.post("/api/v1/analysis/siting", {"model": "lscp", "candidate_source": "points", "points": [[120, 30.5]],
                                                     "radius_m": 10, "target_share": 1.0, "target_of": "total"},
                         format="json")
    assert bad.status_code == 422 and AnalysisRun.objects.filter(kind="siting").count() == 2


def test_siting_bad_input(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    for body, field in [({"model": "mclp", "candidate_source": "points"}, "points"),
                        ({"model": "mclp", "candidate_source": "facilities"}, "candidate_kinds"),
                        ({"model": "pmedian", "candidate_source": "grid", "curve_max_p": 3}, "curve_max_p"),
                        ({"model": "magic", "candidate_source": "grid"}, "model"),
                        ({"model": "mclp", "candidate_source": "points", "points": [[120, 95]]}, "points")]:
        response = staff_api.post("/api/v1/analysis/siting", body, format="json")
        assert response.status_code == 400 and field in response.content.decode(), body


def _plane_forward(lon: float):  # type: ignore[no-untyped-def]
    zone = min(4554, max(4534, 4534 + round((lon - 75.0) / 3.0)))
    t = pyproj.Transformer.from_crs("EPSG:4490", f"EPSG:{zone}", always_xy=True)
    return lambda g: shapely.transform(g, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def test_suitability_names_the_rule_behind_each_exclusion(staff_api, facilities) -> None:  # type: ignore[no-untyped-def]
    town = Division.objects.get(name="武康街道", valid_to__isnull=True)
    county = town.parent
    seat = town.seat
    water = shapely.Point(seat.x + 0.01, seat.y)
    forest = shapely.box(seat.x - 0.03, seat.y - 0.02, seat.x - 0.01, seat.y + 0.02)
    ConstraintLayer.objects.create(category="water", name="测试水库", geometry=to_geos(water), source="测试",
                                   county=county, synthetic=True)
    ConstraintLayer.objects.create(category="forest", name="测试林地", geometry=to_geos(forest), source="测试",
                                   county=county, synthetic=True)
    ExclusionRule.objects.create(category="water", buffer_m=1200, region_code="3305", source="测试：浙江 1200 米")
    run = staff_api.post("/api/v1/analysis/suitability", {"division": town.code, "cell_m": 400,
                                                          "access_radius_m": 3000}, format="json").json()
    cells = run["tables"]["cells"]["features"]
    forward = _plane_forward(seat.x)
    zone_water = forward(water).buffer(1200)
    zone_forest = forward(forest)
    for cell in cells:
        geom = forward(shapely.geometry.shape(cell["geometry"]))
        reasons = cell["properties"]["excluded_by"]
        assert geom.intersects(zone_water) == any("测试水库" in r and "1200 米" in r for r in reasons)
        assert geom.intersects(zone_forest) == any("测试林地" in r for r in reasons)
        assert cell["properties"]["suitable"] == (not reasons)
    assert run["summary"]["rules"]["水库、河流堤坝和水源保护区"]["buffer_m"] == 1200
    ranked = sorted((c for c in cells if c["properties"]["suitable"]), key=lambda c: c["properties"]["rank"])
    scores = [c["properties"]["accessible_weight"] for c in ranked]
    assert scores == sorted(scores, reverse=True) and len(ranked) == run["summary"]["suitable"] > 0
    assert run["summary"]["excluded"] == sum(1 for c in cells if not c["properties"]["suitable"]) > 0
    html = staff_api.get(f"/api/v1/analysis/runs/{run['id']}/map.html").content.decode()
    assert "公墓适宜性" in html and "合成示意" in html


def test_constraint_layer_import_command(tmp_path, facilities) -> None:  # type: ignore[no-untyped-def]
    import io
    import json as _json

    from django.core.management import CommandError, call_command

    town = Division.objects.get(name="武康街道", valid_to__isnull=True)
    s = town.seat
    layer = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "某林场"},
         "geometry": {"type": "Polygon", "coordinates": [[[s.x, s.y], [s.x + 0.01, s.y], [s.x + 0.01, s.y + 0.01],
                                                          [s.x, s.y + 0.01], [s.x, s.y]]]}},
        {"type": "Feature", "properties": {"名称": "坏要素"},
         "geometry": {"type": "Polygon", "coordinates": [[[s.x, s.y], [s.x + 0.01, s.y + 0.01], [s.x + 0.01, s.y],
                                                          [s.x, s.y + 0.01], [s.x, s.y]]]}}]}
    path = tmp_path / "forest.geojson"
    path.write_text(_json.dumps(layer, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_constraint_layer", str(path), "--category", "forest", "--name-field", "名称", stdout=out)
    assert "可导入 1 个，拒绝 1 个" in out.getvalue() and "试运行" in out.getvalue()
    assert "Self-intersection" in out.getvalue() and not ConstraintLayer.objects.exists()
    call_command("import_constraint_layer", str(path), "--category", "forest", "--name-field", "名称", "--commit",
                 stdout=io.StringIO())
    assert list(ConstraintLayer.objects.values_list("name", "category", "synthetic")) == [("某林场", "forest", False)]
    with pytest.raises(CommandError):
        call_command("import_constraint_layer", str(path), "--category", "lava", stdout=io.StringIO())
