"""URL map of the HTTP benchmark: the project's own (``geo_mz.urls``) plus two baseline views.

The baselines are plain Django function views (no DRF, no serializer) asking the database the same
question as the real endpoints and answering with a small JsonResponse:

* ``/bench/address/<code>``: the current version of the address with this code, the same filter
  and order as ``apps.addresses.selectors.get_address(code)`` (``code = … AND valid_to IS NULL``,
  ordered by code, first row), but only the columns it returns and no joins;
* ``/bench/reverse?lon=&lat=``: the nearest current address within 200 m, the same SQL as
  ``apps.addresses.selectors.reverse`` (``ST_DWithin`` and ``<->`` on ``location::geography``,
  limit 1), selecting code, text and coordinates in that one query instead of fetching the
  address row afterwards.

Used only through ``bench.settings_bench``.
"""
from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import include, path

from apps.addresses.models import Address

RADIUS_M = 200.0  # the API's default radius (ReverseQuery.radius)
PRECISION = 7  # the API's coordinate precision (serializers.COORD_PRECISION)

_REVERSE_SQL = """
    SELECT code, full_text, ST_X(location), ST_Y(location),
           ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography) AS d
    FROM addresses_address
    WHERE valid_to IS NULL
      AND ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography, %s)
    ORDER BY location::geography <-> ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography
    LIMIT 1
"""


def address(request: HttpRequest, code: str) -> JsonResponse:
    row = (Address.objects.filter(code=code, valid_to__isnull=True)
           .values_list("code", "full_text", "location").first())
    if row is None:
        raise Http404(code)
    code, full_text, location = row
    return JsonResponse({"code": code, "full_text": full_text,
                         "lon": round(location.x, PRECISION), "lat": round(location.y, PRECISION)},
                        json_dumps_params={"ensure_ascii": False})


def reverse(request: HttpRequest) -> JsonResponse:
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (KeyError, ValueError):
        return JsonResponse({"detail": "lon and lat are required numbers"}, status=400)
    with connection.cursor() as cur:
        cur.execute(_REVERSE_SQL, [lon, lat, lon, lat, RADIUS_M, lon, lat])
        rows = cur.fetchall()
    found = [{"code": c, "full_text": t, "lon": round(x, PRECISION), "lat": round(y, PRECISION),
              "distance_m": round(d, 2)} for c, t, x, y, d in rows]
    return JsonResponse({"count": len(found), "results": found}, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("bench/address/<str:code>", address, name="bench-address"),
    path("bench/reverse", reverse, name="bench-reverse"),
    path("", include("geo_mz.urls")),
]
