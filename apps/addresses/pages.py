"""Server-rendered pages of the address register: the public plate scan page `/m/<token>` and
the staff pages (statistics, batch matching, review queue). Chinese UI; no personal data on the
public page. Staff pages need a staff login (the access middleware sends everyone else to the
login page); batches and review rows are limited to the jurisdiction, and resolving a row needs
an editor whose jurisdiction holds the address."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rest_framework.exceptions import APIException

from apps.accounts.context import current_principal
from apps.common.clients import client_hash
from apps.common.errors import DomainRuleError

from . import review, selectors, services
from .models import PlateState


def scan(request: HttpRequest, token: str) -> HttpResponse:
    """What a phone shows after scanning a plate: the standard address and its division, or
    that the plate was replaced/revoked. Never residents, households or anything personal."""
    plate = selectors.plate_by_token(token)
    if plate is None:
        return render(request, "addresses/scan.html", {"state": "unknown"}, status=404)
    if not plate.token_active:
        replaced = plate.state == PlateState.REPLACED
        return render(request, "addresses/scan.html",
                      {"state": "replaced" if replaced else "revoked", "plate": plate}, status=410)
    context: dict = {"state": "ok", "plate": plate}
    if request.method == "POST":
        # Spam guard: a honeypot field people never see; bots fill it in.
        if request.POST.get("website"):
            context["reported"] = True
        else:
            try:
                services.report_plate_problem(plate, request.POST.get("problem", ""), client_hash(request))
                context["reported"] = True
            except DomainRuleError as exc:
                context["report_error"] = str(exc.detail)
            except services.RateLimited as exc:
                context["report_error"] = "提交过于频繁，请稍后再试"
                context["retry_after"] = exc.retry_after
    address = selectors.get_address(plate.identity.code) or selectors.latest_version(plate.identity.code)
    chain = selectors.division_chain(address)
    context.update(address=address, chain=chain, nearby=selectors.nearby_services(address.location))
    response = render(request, "addresses/scan.html", context, status=429 if "retry_after" in context else 200)
    if "retry_after" in context:
        response["Retry-After"] = str(context["retry_after"])
    return response


def statistics(request: HttpRequest) -> HttpResponse:
    division = request.GET.get("division", "330521")
    if not division.isdigit() or len(division) > 12:
        division = "330521"
    rows = selectors.coverage_stats(division)
    totals = {
        "addresses": sum(r.addresses for r in rows), "door_addresses": sum(r.door_addresses for r in rows),
        "plates_installed": sum(r.plates_installed for r in rows),
        "plates_to_produce": sum(r.plates_to_produce for r in rows),
        "without_plate": sum(r.without_plate for r in rows),
    }
    totals["coverage"] = (sum(r.coverage * r.door_addresses for r in rows) / totals["door_addresses"]
                          if totals["door_addresses"] else 0.0)
    return render(request, "addresses/statistics.html", {"rows": rows, "totals": totals, "division": division})


def batches(request: HttpRequest) -> HttpResponse:
    """Upload a file for batch matching and watch the jobs' progress (the page polls the job API)."""
    principal = current_principal()
    recent = review.visible_batches(principal).select_related("job").order_by("-created_at")[:50]
    return render(request, "addresses/batches.html",
                  {"batches": recent, "history": review.department_history(principal)})


def review_queue(request: HttpRequest) -> HttpResponse:
    """Resolve unmatched/ambiguous batch rows: pick the candidate (becomes an alias) or none."""
    principal = current_principal()
    message, status = "", 200
    if request.method == "POST":
        item_id = request.POST.get("item", "")
        item = review.open_items(principal).filter(pk=int(item_id)).first() if item_id.isdigit() else None
        if item is not None:
            try:
                review.resolve(item, request.POST.get("code") or None, actor=request.user.get_username())
                message = f"第 {item.row_number} 行已处理"
            except DomainRuleError as exc:
                message, status = str(exc.detail), 400
            except APIException as exc:  # role or jurisdiction refused: say so, write nothing
                message, status = str(exc.detail), exc.status_code
        else:
            message, status = "没有该待复核行（或不在本辖区）", 404
    items = review.open_items(principal, request.GET.get("department"))[:50]
    return render(request, "addresses/review.html", {"items": items, "message": message}, status=status)
