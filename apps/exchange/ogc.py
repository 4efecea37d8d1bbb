"""OGC API – Features Part 1 (Core, GeoJSON, HTML) under /ogc/, for QGIS, GDAL and ArcGIS.

Views over the layer registry (apps.exchange.layers): the features are built by PostGIS
(ST_AsGeoJSON, 7 decimals) and joined as text, so a 10,000-feature page costs one query.
Coordinates are CRS84 (CGCS2000 lon/lat, numerically WGS84 at our scales). Read-only register
reads like the rest of the read API: each view runs inside a DRF view with the default accounts
permission, so staff (session) and department API keys (`Authorization: Api-Key …`, which GDAL
and QGIS send as a configured header) may read, the public gets 401. Bad parameters are 400
problem+json (apps.exchange.params)."""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.common.params import FileDownloadNegotiation

from . import params
from .layers import LAYERS, Layer, extent, feature_text, filtered, geojson_rows

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MAX_LIMIT = 10_000
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
]
GEOJSON = "application/geo+json"
_BASE_PARAMS = {"f"}
_ITEMS_PARAMS = {"f", "bbox", "limit", "offset", "datetime", "division"}


def _wants_html(request: HttpRequest) -> bool:
    fmt = request.GET.get("f")
    if fmt is not None:
        if fmt not in ("json", "html"):
            raise params.ParamError("f", "f 应为 json 或 html")
        return fmt == "html"
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "json" not in accept.split("text/html")[0]


def ogc_view(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only; a ParamError becomes a 400 problem; unknown collections a 404 problem. Wrapped in
    a DRF view for authentication (session or API key) and the accounts permission; the function
    itself gets the plain Django request and answers JSON, GeoJSON or HTML as OGC asks."""
    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return func(request, *args, **kwargs)
        except params.ParamError as exc:
            return params.problem(exc.status, exc.message, exc.field)
        except Http404 as exc:
            return params.problem(404, str(exc) or "未找到")

    class OgcView(APIView):
        content_negotiation_class = FileDownloadNegotiation  # OGC chooses its own formats (f=, Accept)

        @extend_schema(exclude=True)  # documented by its own landing page and /ogc/conformance
        def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
            return wrapper(request._request, *args, **kwargs)

    OgcView.__name__ = OgcView.__qualname__ = f"Ogc_{func.__name__}"
    return OgcView.as_view()


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/ogc")


def _answer(request: HttpRequest, body: dict[str, Any], template: str, html: bool,
            content_type: str = "application/json") -> HttpResponse:
    if html:
        return render(request, f"exchange/{template}", {"doc": body, "base": _base(request)})
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type=content_type)


def _links(url: str, title: str, html: bool, json_type: str = "application/json") -> list[dict[str, str]]:
    this, other = ("text/html", json_type) if html else (json_type, "text/html")
    sep = "&" if "?" in url else "?"
    return [{"href": f"{url}{sep}f={'html' if html else 'json'}", "rel": "self", "type": this, "title": title},
            {"href": f"{url}{sep}f={'json' if html else 'html'}", "rel": "alternate", "type": other,
             "title": title}]


def _layer(collection_id: str) -> Layer:
    try:
        return LAYERS[collection_id]
    except KeyError:
        raise Http404(f"没有名为 {collection_id} 的数据集（可用：{'、'.join(LAYERS)}）")


@ogc_view
def landing(request: HttpRequest) -> HttpResponse:
    params.reject_unknown(request.GET, _BASE_PARAMS)
    html, base = _wants_html(request), _base(request)
    body = {
        "title": "geo-mz 民政地理信息 OGC API – Features",
        "description": "行政区划、标准地址、街路巷、地名、民政服务设施、界线与界桩（CGCS2000 经纬度）",
        "links": _links(base, "本页", html) + [
            {"href": request.build_absolute_uri("/api/schema/"), "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0", "title": "geo-mz API 的 OpenAPI 定义"},
            {"href": request.build_absolute_uri("/api/docs/"), "rel": "service-doc", "type": "text/html",
             "title": "API 文档"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json", "title": "符合性声明"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json", "title": "数据集"},
        ],
    }
    return _answer(request, body, "ogc_landing.html", html)


@ogc_view
def conformance(request: HttpRequest) -> HttpResponse:
    params.reject_unknown(request.GET, _BASE_PARAMS)
    html = _wants_html(request)
    return _answer(request, {"conformsTo": CONFORMANCE, "links": _links(f"{_base(request)}/conformance", "符合性声明", html)},
                   "ogc_conformance.html", html)


def _collection(request: HttpRequest, layer: Layer) -> dict[str, Any]:
    base = f"{_base(request)}/collections/{layer.id}"
    box = extent(layer)
    body: dict[str, Any] = {
        "id": layer.id, "title": layer.title, "description": layer.description, "itemType": "feature",
        "crs": [CRS84], "storageCrs": "http://www.opengis.net/def/crs/EPSG/0/4490",
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": layer.title},
            {"href": f"{base}/items?f=json", "rel": "items", "type": GEOJSON, "title": f"{layer.title}（GeoJSON）"},
            {"href": f"{base}/items?f=html", "rel": "items", "type": "text/html", "title": f"{layer.title}（网页）"},
        ],
    }
    if box is not None:
        body["extent"] = {"spatial": {"bbox": [list(box)], "crs": CRS84}}
    return body


@ogc_view
def collections(request: HttpRequest) -> HttpResponse:
    params.reject_unknown(request.GET, _BASE_PARAMS)
    html = _wants_html(request)
    body = {"links": _links(f"{_base(request)}/collections", "数据集", html),
            "collections": [_collection(request, layer) for layer in LAYERS.values()]}
    return _answer(request, body, "ogc_collections.html", html)


@ogc_view
def collection(request: HttpRequest, collection_id: str) -> HttpResponse:
    params.reject_unknown(request.GET, _BASE_PARAMS)
    layer, html = _layer(collection_id), _wants_html(request)
    return _answer(request, _collection(request, layer), "ogc_collection.html", html)


def _page_link(request: HttpRequest, offset: int, rel: str, title: str) -> dict[str, str]:
    query = {k: v for k, v in request.GET.items() if k != "f"}
    query.update({"offset": str(offset), "f": "json"})
    url = request.build_absolute_uri(request.path) + "?" + urlencode(query)
    return {"href": url, "rel": rel, "type": GEOJSON, "title": title}


@ogc_view
def items(request: HttpRequest, collection_id: str) -> HttpResponse:
    layer = _layer(collection_id)
    params.reject_unknown(request.GET, _ITEMS_PARAMS | set(layer.extra_filters))
    html = _wants_html(request)
    limit = params.integer(request.GET, "limit", 100, 1, MAX_LIMIT)
    offset = params.integer(request.GET, "offset", 0, 0, 10**9)
    queryset = filtered(layer, bbox=params.bbox(request.GET), division=params.division(request.GET),
                        interval=params.interval(request.GET),
                        extra={k: request.GET[k] for k in layer.extra_filters if request.GET.get(k)})
    matched = queryset.count()
    rows = list(geojson_rows(layer, queryset)[offset:offset + limit])
    query = {k: v for k, v in request.GET.items() if k != "f"}
    self_url = request.build_absolute_uri(request.path) + ("?" + urlencode(query) if query else "")
    links = _links(self_url, layer.title, html, GEOJSON)
    links.append({"href": f"{_base(request)}/collections/{layer.id}", "rel": "collection",
                  "type": "application/json", "title": layer.title})
    if offset + len(rows) < matched:
        links.append(_page_link(request, offset + limit, "next", "下一页"))
    if offset > 0:
        links.append(_page_link(request, max(offset - limit, 0), "prev", "上一页"))
    meta = {"numberMatched": matched, "numberReturned": len(rows),
            "timeStamp": timezone.now().isoformat(timespec="seconds"), "links": links}
    if html:
        features = [json.loads(feature_text(row)) for row in rows]
        return render(request, "exchange/ogc_items.html",
                      {"layer": layer, "doc": meta, "features": features, "keys": list(layer.properties),
                       "base": _base(request)})
    head = json.dumps({"type": "FeatureCollection", **meta}, ensure_ascii=False)[:-1]
    text = head + ',"features":[' + ",".join(feature_text(row) for row in rows) + "]}"
    return HttpResponse(text, content_type=GEOJSON)


@ogc_view
def item(request: HttpRequest, collection_id: str, feature_id: str) -> HttpResponse:
    layer = _layer(collection_id)
    params.reject_unknown(request.GET, _BASE_PARAMS)
    html = _wants_html(request)
    row = geojson_rows(layer, filtered(layer).filter(fid=feature_id)).first()
    if row is None:
        raise Http404(f"{layer.title}中没有 {feature_id}")
    feature = json.loads(feature_text(row))
    url = f"{_base(request)}/collections/{layer.id}/items/{feature_id}"
    feature["links"] = _links(url, str(feature_id), html, GEOJSON) + [
        {"href": f"{_base(request)}/collections/{layer.id}", "rel": "collection", "type": "application/json",
         "title": layer.title}]
    if html:
        return render(request, "exchange/ogc_item.html", {"layer": layer, "feature": feature,
                                                          "base": _base(request)})
    return HttpResponse(json.dumps(feature, ensure_ascii=False), content_type=GEOJSON)
