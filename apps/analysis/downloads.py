"""Exports of stored analysis runs (staff only, runs inside the account's jurisdiction — checked by
`views.run_or_404`): every demand address with its nearest facility
and distance, the uncovered addresses, service areas, chosen sites and candidate cells, as GeoJSON
(RFC 7946) or CSV (UTF-8 BOM), and the downloadable folium map."""
from __future__ import annotations

import json

import numpy as np
import shapely
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.templatetags.static import static
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.accounts.permissions import StaffOnly
from apps.common.exports import FORMATS, to_csv, to_geojson
from apps.common.params import FileDownloadNegotiation, reject_unknown_params

from apps.facilities.models import Facility

from .coverage import load_result, nearest_beyond
from .models import AnalysisRun, RunKind, RunStatus
from .views import run_or_404

_FMT = ("geojson", "csv")


def _download(data: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=FORMATS[fmt][0])
    response["Content-Disposition"] = f'attachment; filename="{name}.{FORMATS[fmt][1]}"'
    return response


def _finished(pk: int, kind: str) -> AnalysisRun:
    run = run_or_404(pk)
    if run.kind != kind:
        raise exceptions.ValidationError({"run": [f"第 {pk} 号不是{RunKind(kind).label}"]})
    if run.status != RunStatus.DONE:
        raise exceptions.ValidationError({"run": [f"第 {pk} 号分析尚未完成（{run.get_status_display()}）"]})
    return run


def _address_rows(run: AnalysisRun, only_uncovered_at: float | None) -> tuple[list[dict], list]:
    result = load_result(run)
    radii = [r["radius_m"] for r in run.summary["radii"]]
    codes = run.inputs["facility_codes_used"]
    keep = np.ones(len(result["address_id"]), bool)
    if only_uncovered_at is not None:
        keep = result["distance_m"] > only_uncovered_at
    ids, index, distance = result["address_id"][keep], result["facility_index"][keep], result["distance_m"][keep]
    with connection.cursor() as cur:
        cur.execute("SELECT id, code, full_text, ST_X(location), ST_Y(location) FROM addresses_address "
                    "WHERE id = ANY(%s)", [ids.tolist()])
        info = {row[0]: row[1:] for row in cur.fetchall()}
    index, distance = index.copy(), distance.copy()
    beyond = np.flatnonzero(index < 0)
    if len(beyond) and run.summary["mode"] == "euclidean":  # the run stopped at its largest radius
        xy = np.array([info[int(i)][2:4] for i in ids[beyond]], dtype=float).reshape(-1, 2)
        far = nearest_beyond(run, xy[:, 0], xy[:, 1])
        index[beyond], distance[beyond] = far.index, far.distance_m
    rows, points = [], []
    weights = result["weight"][keep]
    for aid, fi, d, w in zip(ids.tolist(), index.tolist(), distance.tolist(), weights.tolist()):
        code, text, x, y = info[aid]
        row = {"code": code, "full_text": text, "weight": w,
               "nearest_facility": codes[fi] if fi >= 0 else None,
               "distance_m": round(d, 2) if np.isfinite(d) else None}
        row.update({f"covered_{int(r)}m": bool(d <= r) for r in radii})
        rows.append(row)
        points.append(shapely.Point(x, y))
    return rows, points


class AddressesExportView(APIView):
    """覆盖分析的逐地址结果：最近设施、距离、各半径是否覆盖（CSV 或 GeoJSON）。"""

    permission_classes = [StaffOnly]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=list(_FMT))], responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), {"format"})
        fmt = _format(request)
        rows, points = _address_rows(_finished(pk, RunKind.COVERAGE), None)
        data = to_csv(rows, points) if fmt == "csv" else to_geojson(rows, points, "code")
        return _download(data, fmt, f"coverage_{pk}_addresses")


class UncoveredExportView(APIView):
    """未覆盖地址清单（默认按最大半径；radius= 指定某一半径）。"""

    permission_classes = [StaffOnly]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=list(_FMT)), OpenApiParameter("radius", float)],
                   responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), {"format", "radius"})
        fmt = _format(request)
        run = _finished(pk, RunKind.COVERAGE)
        radius = _radius(request, run)
        rows, points = _address_rows(run, radius)
        data = to_csv(rows, points) if fmt == "csv" else to_geojson(rows, points, "code")
        return _download(data, fmt, f"coverage_{pk}_uncovered_{int(radius)}m")


def _format(request: Request) -> str:
    fmt = request.query_params.get("format", "geojson")
    if fmt not in _FMT:
        raise exceptions.ValidationError({"format": ["应为 geojson 或 csv"]})
    return fmt


def _radius(request: Request, run: AnalysisRun) -> float:
    radii = [r["radius_m"] for r in run.summary["radii"]]
    raw = request.query_params.get("radius")
    if raw is None:
        return max(radii)
    try:
        value = float(raw)
    except ValueError:
        raise exceptions.ValidationError({"radius": ["应为数字"]})
    if value not in radii:
        raise exceptions.ValidationError({"radius": [f"应为本次分析的半径之一：{radii}"]})
    return value


ROAD_BAND_M = 50.0  # a network service area is the reached road stretches widened by this much


def service_areas(run: AnalysisRun, radius: float) -> dict:
    """Euclidean: each facility's geodesic disc of `radius`. Network: the road stretches each
    facility reaches first within `radius` (exact part-way along edges), widened by 50 m on
    each side (geography buffer), i.e. the streets it serves."""
    codes = run.inputs["facility_codes_used"]
    rows = list(Facility.objects.filter(code__in=codes).order_by("code").values_list("code", "name", "location"))
    with connection.cursor() as cur:
        if run.summary["mode"] == "euclidean":
            cur.execute("""SELECT f.code, f.name, ST_AsGeoJSON(ST_Buffer(f.location::geography, %s, 32)::geometry, 7)
                           FROM facilities_facility f WHERE f.code = ANY(%s) ORDER BY f.code""", [radius, codes])
            found = cur.fetchall()
        else:
            from apps.roadnet.selectors import network_reach

            by_code = {code: k for k, code in enumerate(codes)}
            lonlat = [(loc.x, loc.y) for _, _, loc in sorted(rows, key=lambda r: by_code[r[0]])]
            stretches: dict[int, list] = {}
            for piece in network_reach(run.county.code, lonlat, max_distance_m=radius):
                if len(piece.lonlat) >= 2:
                    stretches.setdefault(piece.facility_index, []).append(shapely.LineString(piece.lonlat))
            found = []
            for k, lines in sorted(stretches.items()):
                cur.execute("SELECT ST_AsGeoJSON(ST_Buffer(ST_GeomFromText(%s, 4490)::geography, %s)::geometry, 7)",
                            [shapely.MultiLineString(lines).wkt, ROAD_BAND_M])
                found.append((codes[k], dict((c, n) for c, n, _ in rows)[codes[k]], cur.fetchone()[0]))
        features = [{"type": "Feature", "id": code, "geometry": json.loads(geom),
                     "properties": {"code": code, "name": name, "radius_m": radius, "mode": run.summary["mode"]}}
                    for code, name, geom in found]
    return {"type": "FeatureCollection", "features": features}


class ServiceAreaView(APIView):
    """服务范围（GeoJSON）：直线模式为各设施的椭球面圆；路网模式为各设施沿路网首先到达的路段两侧各 50 米。"""

    permission_classes = [StaffOnly]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[OpenApiParameter("radius", float)], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), {"radius"})
        run = _finished(pk, RunKind.COVERAGE)
        data = json.dumps(service_areas(run, _radius(request, run)), ensure_ascii=False).encode()
        return HttpResponse(data, content_type="application/geo+json")


class SitesView(APIView):
    """选址结果：选中站点（按边际增益排序）GeoJSON 或 CSV。"""

    permission_classes = [StaffOnly]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=list(_FMT))], responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), {"format"})
        fmt = _format(request)
        chosen = _finished(pk, RunKind.SITING).summary["chosen"]
        rows = [{k: c[k] for k in ("rank", "label", "marginal_gain", "removal_loss")} for c in chosen]
        points = [shapely.Point(c["lon"], c["lat"]) for c in chosen]
        data = to_csv(rows, points) if fmt == "csv" else to_geojson(rows, points, "rank")
        return _download(data, fmt, f"siting_{pk}_sites")


class CellsView(APIView):
    """公墓适宜性网格（GeoJSON）：是否适宜、排名、可达人口、排除理由。"""

    permission_classes = [StaffOnly]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), set())
        run = _finished(pk, RunKind.SUITABILITY)
        return HttpResponse(json.dumps(run.tables["cells"], ensure_ascii=False).encode(),
                            content_type="application/geo+json")


class MapView(APIView):
    """可下载的离线分析地图（folium HTML，脚本与样式指向本系统的静态文件）。"""

    permission_classes = [StaffOnly]
    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(responses={200: OpenApiTypes.STR})
    def get(self, request: Request, pk: int) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), set())
        run = run_or_404(pk)
        if run.status != RunStatus.DONE:
            raise exceptions.ValidationError({"run": [f"第 {pk} 号分析尚未完成"]})
        from .report_builders import build_map

        html = build_map(run, lambda path: request.build_absolute_uri(static(path)), settings.GEO_MZ_TILE_URL or None)
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="analysis_{pk}.html"'
        return response
