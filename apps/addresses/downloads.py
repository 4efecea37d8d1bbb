"""File downloads of the address register: exports by division and the plate production sheet
(PDF to print, CSV for the manufacturer) of a township. Exports are register reads (staff and
department API keys); the plate sheet is a staff page."""
from __future__ import annotations

import shapely
from django.http import HttpRequest, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.common.exports import FORMATS, export
from apps.common.params import FileDownloadNegotiation, reject_unknown_params

from . import selectors
from .plates_print import PlateToPrint, plates_csv, plates_pdf

EXPORT_FIELDS = ["code", "full_text", "level", "division_code", "door_number", "door_suffix", "building", "unit",
                 "floor", "room", "status", "stage", "valid_from", "households", "residents", "residents_60plus"]


def _division_param(request: Request, name: str, lengths: tuple[int, ...]) -> str:
    value = request.query_params.get(name, "")
    if not value.isdigit() or len(value) not in lengths:
        raise exceptions.ValidationError({name: [f"应为 {'/'.join(map(str, lengths))} 位区划代码"]})
    return value


class AddressExportView(APIView):
    """按区划导出现行标准地址：GeoJSON（RFC 7946）、CSV（UTF-8 BOM）、GeoPackage（EPSG:4490）。"""

    content_negotiation_class = FileDownloadNegotiation

    @extend_schema(parameters=[OpenApiParameter("division", str, required=True),
                               OpenApiParameter("format", str, enum=list(FORMATS))],
                   responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request) -> HttpResponse:
        reject_unknown_params(request.query_params.keys(), {"division", "format"})
        division = _division_param(request, "division", (6, 9, 12))
        fmt = request.query_params.get("format", "geojson")
        if fmt not in FORMATS:
            raise exceptions.ValidationError({"format": [f"应为 {', '.join(FORMATS)} 之一"]})
        rows, geometries = [], []
        for address in selectors.current_in_division(division).only(*EXPORT_FIELDS, "location").iterator(chunk_size=5000):
            rows.append({f: getattr(address, f) for f in EXPORT_FIELDS})
            geometries.append(shapely.Point(address.location.x, address.location.y))
        data, content_type, name = export(rows, geometries, fmt, layer=f"addresses_{division}", id_field="code")
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def plate_sheet(request: HttpRequest, township: str, fmt: str) -> HttpResponse:
    """Plates to produce (待制作 and 损坏) of a township, as a print-ready PDF or the CSV."""
    if not township.isdigit() or len(township) != 9 or fmt not in ("pdf", "csv"):
        return HttpResponse("需要 9 位乡镇代码，格式 pdf 或 csv", status=400, content_type="text/plain; charset=utf-8")
    plates = []
    for plate, address in selectors.plates_to_produce(township):
        plates.append(PlateToPrint(
            plate_no=plate.plate_no, size=plate.size,
            road_or_area=address.road.name if address.road else (address.area.name if address.area else ""),
            door=f"{address.door_number}-{address.door_suffix}号" if address.door_suffix else f"{address.door_number}号",
            full_text=address.full_text, url=request.build_absolute_uri(f"/m/{plate.token}")))
    if fmt == "pdf":
        response = HttpResponse(plates_pdf(plates, title=f"门牌制作单 {township}"), content_type="application/pdf")
    else:
        response = HttpResponse(plates_csv(plates), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plates-{township}.{fmt}"'
    return response
