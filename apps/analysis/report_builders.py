"""What each kind of run puts on its downloadable folium map (layers from `report_map`)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from django.db import connection

from apps.facilities.models import Facility

from . import report_map
from .coverage import load_result
from .models import AnalysisRun, RunKind

FACILITY = "#1456a0"
UNCOVERED = "#c0392b"
AREA = "#2e86de"
CHOSEN = "#e67e22"
SUITABLE = "#27ae60"
EXCLUDED = "#7f8c8d"


def _facility_points(codes: list[str]) -> list[tuple[float, float, str]]:
    rows = Facility.objects.filter(code__in=codes).values_list("location", "name", "status")
    return [(loc.x, loc.y, f"{name}（{status}）") for loc, name, status in rows]


def _centre(run: AnalysisRun) -> tuple[float, float]:
    centroid = run.county.geometry.centroid
    return centroid.x, centroid.y


def _coverage(run: AnalysisRun, m) -> None:  # type: ignore[no-untyped-def]
    from .downloads import service_areas

    radius = max(r["radius_m"] for r in run.summary["radii"])
    m.add_child(report_map.polygons_layer(f"服务范围（{radius:g} 米）", service_areas(run, radius), AREA, ["name"]))
    result = load_result(run)
    uncovered = np.flatnonzero(result["distance_m"] > radius)
    shown = uncovered[:: max(1, len(uncovered) // report_map.MAX_POINTS)][: report_map.MAX_POINTS]
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(location), ST_Y(location), full_text FROM addresses_address WHERE id = ANY(%s)",
                    [result["address_id"][shown].tolist()])
        points = cur.fetchall()
    label = f"未覆盖地址（{len(uncovered)} 个，图上显示 {len(points)} 个）"
    m.add_child(report_map.points_layer(label, points, UNCOVERED, radius=2))
    m.add_child(report_map.points_layer("设施", _facility_points(run.inputs["facility_codes_used"]), FACILITY, 6))
    shares = "；".join(f"{r['radius_m']:g} 米 {r['share'] * 100:.1f}%" for r in run.summary["radii"])
    report_map.legend(m, f"覆盖分析 #{run.pk}：{shares}", [(FACILITY, "设施"), (AREA, "服务范围"), (UNCOVERED, "未覆盖地址")])


def _siting(run: AnalysisRun, m) -> None:  # type: ignore[no-untyped-def]
    chosen = [(c["lon"], c["lat"], f"第{c['rank']}名 {c['label']}（边际增益 {c['marginal_gain']:g}）")
              for c in run.summary["chosen"]]
    m.add_child(report_map.points_layer("现有设施", _facility_points(run.summary["existing"]), FACILITY, 5))
    m.add_child(report_map.points_layer("选中站点", chosen, CHOSEN, 9))
    result = run.summary["result"]
    proof = "已证明最优" if result["optimal"] else f"未证明最优（差距 {result['gap']:.2%}）"
    report_map.legend(m, f"选址 #{run.pk}（{run.summary['model']}，{proof}）", [(FACILITY, "现有设施"), (CHOSEN, "选中站点")])


def _suitability(run: AnalysisRun, m) -> None:  # type: ignore[no-untyped-def]
    cells = run.tables["cells"]["features"]
    good = {"type": "FeatureCollection", "features": [f for f in cells if f["properties"]["suitable"]]}
    bad = {"type": "FeatureCollection", "features": [f for f in cells if not f["properties"]["suitable"]]}
    m.add_child(report_map.polygons_layer("排除网格", bad, EXCLUDED, ["excluded_by"]))
    m.add_child(report_map.polygons_layer("适宜网格", good, SUITABLE, ["rank", "accessible_weight"]))
    note = "（限制图层含合成示意数据）" if run.summary.get("synthetic_layers") else ""
    report_map.legend(m, f"公墓适宜性 #{run.pk}{note}", [(SUITABLE, "适宜（按可达人口排名）"), (EXCLUDED, "排除")])


def build_map(run: AnalysisRun, static_url: Callable[[str], str], tiles: str | None) -> str:
    m = report_map.offline_map(_centre(run), static_url, tiles)
    {RunKind.COVERAGE: _coverage, RunKind.SITING: _siting, RunKind.SUITABILITY: _suitability}[run.kind](run, m)
    return report_map.render(m)
