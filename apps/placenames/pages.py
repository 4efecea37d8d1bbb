"""Server-rendered pages of the gazetteer (Chinese UI): search with a name's detail and its
announcement, the announcements, the heritage list (public) and the audit (staff)."""
from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.context import current_principal
from apps.accounts.reads import overlaps
from apps.divisions.models import Division

from . import selectors
from .audit import CHECK_LABELS, CHECKS, audit_report
from .models import PlaceNameCategory, Status

PAGE_ROWS = 200


def gazetteer(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    found = selectors.place_names()
    if status in Status.values:
        found = found.filter(status=status)
    else:
        status = ""
        found = found.exclude(status=Status.CANCELLED)
    if category:
        found = found.filter(Q(category__code=category) | Q(category__parent__code=category))
    found = selectors.ordered(selectors.search(found, q))
    place = selectors.get_place_name(request.GET.get("code", "")) if request.GET.get("code") else None
    context = {"q": q, "category": category, "status": status, "statuses": Status.values,
               "categories": PlaceNameCategory.objects.order_by("code"), "total": found.count(),
               "shown": list(found[:PAGE_ROWS]), "place": place,
               "division_path": selectors.division_path(place.division) if place else ""}
    return render(request, "placenames/gazetteer.html", context)


def announcements(request: HttpRequest) -> HttpResponse:
    return render(request, "placenames/announcements.html", {"notices": selectors.announcements()})


def heritage(request: HttpRequest) -> HttpResponse:
    return render(request, "placenames/heritage.html", {"entries": selectors.heritage_list()})


def audit(request: HttpRequest) -> HttpResponse:
    """Staff only (the access middleware admits no one else to pages), for a county that overlaps
    the account's jurisdiction."""
    code = request.GET.get("county", settings.GEO_MZ_HOME_COUNTY)
    county = Division.objects.filter(code=code, level="county", valid_to__isnull=True).first()
    if county is None:
        return HttpResponse("没有该县级区划", status=404, content_type="text/plain; charset=utf-8")
    if not overlaps(current_principal(), code):
        return HttpResponse(f"无权审查辖区外的县级区划 {code}", status=403, content_type="text/plain; charset=utf-8")
    report = audit_report(county.pk, code)
    rows = [{**r.as_dict(), "values": [r.counts[c] for c in CHECKS]} for r in report.categories]
    totals = report.totals()
    return render(request, "placenames/audit.html", {
        "report": report, "rows": rows, "checks": list(CHECK_LABELS.items()), "totals": totals,
        "total_values": [totals[c] for c in CHECKS], "findings": report.findings[:PAGE_ROWS]})
