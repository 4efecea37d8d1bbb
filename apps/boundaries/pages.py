"""The field page: one marker's inspection recorded on a phone, the position taken from the
browser's geolocation (WGS84) or typed in, in CGCS2000/WGS84 or GCJ-02 when the device's map app
gave it. Staff only (the access middleware admits no one else to pages); recording needs an editor
whose jurisdiction covers the campaign's parties (a refusal is shown on the page, 403, nothing
stored); Chinese UI; posts to the same service as the API."""
from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from rest_framework.exceptions import APIException

from apps.common.errors import DomainRuleError

from . import access, photos, selectors, services
from .displacement import ACCEPTED_CRS
from .models import Action, CampaignStatus, Condition

CRS_LABELS = {"EPSG:4326": "WGS84（手机定位）", "EPSG:4490": "CGCS2000", "GCJ-02": "GCJ-02（高德/腾讯地图）"}


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def field_inspection(request: HttpRequest, number: str) -> HttpResponse:
    marker = selectors.marker_by_number(number)
    if marker is None:
        raise Http404("没有该界桩")
    campaigns = list(selectors.campaigns().filter(
        line=marker.line, status__in=[CampaignStatus.PLANNED, CampaignStatus.IN_PROGRESS]))
    context: dict = {"marker": marker, "campaigns": campaigns, "conditions": Condition.choices,
                     "actions": Action.choices, "crs_choices": [(c, CRS_LABELS[c]) for c in ACCEPTED_CRS],
                     "today": timezone.localdate().isoformat(), "form": request.POST}
    status = 200
    if request.method == "POST":
        try:
            context["record"] = _record(request, marker, campaigns)
            context["marker"] = selectors.marker_by_number(number)
        except DomainRuleError as exc:
            context["error"] = str(exc.detail)
            status = 422
        except APIException as exc:  # a role or jurisdiction refusal: shown, never a 500
            context["error"] = _first_message(exc.detail)
            status = exc.status_code
    return render(request, "boundaries/field.html", context, status=status)


def _record(request: HttpRequest, marker, campaigns):  # type: ignore[no-untyped-def]
    post = request.POST
    campaign = next((c for c in campaigns if str(c.pk) == post.get("campaign")), None)
    if campaign is None:
        raise DomainRuleError("请选择进行中的联检", "campaign")
    access.require_change(campaign)  # before any photo is stored
    lon, lat = _float(post.get("lon")), _float(post.get("lat"))
    if (lon is None) != (lat is None) or (post.get("lon") and lon is None) or (post.get("lat") and lat is None):
        raise DomainRuleError("经纬度应同时填写且为数字", "lon")
    crs = post.get("crs", "EPSG:4326")
    if crs not in ACCEPTED_CRS:
        raise DomainRuleError("坐标系无效", "crs")
    if post.get("condition") not in Condition.values:
        raise DomainRuleError("请选择界桩状况", "condition")
    if post.get("action", Action.NONE) not in Action.values:
        raise DomainRuleError("处理方式无效", "action")
    try:
        inspected_on = dt.date.fromisoformat(post.get("inspected_on") or timezone.localdate().isoformat())
    except ValueError:
        raise DomainRuleError("检查日期格式应为 YYYY-MM-DD", "inspected_on")
    uploads = request.FILES.getlist("photos")[:10]
    try:
        for upload in uploads:
            photos.check_photo(upload)
    except APIException as exc:
        raise DomainRuleError(_first_message(exc.detail), "photos") from exc
    stored = [photos.store_photo(upload, marker.number) for upload in uploads]
    try:
        return services.record_marker_inspection(campaign, services.InspectionInput(
            marker=marker, condition=post["condition"], inspected_on=inspected_on,
            measured=(lon, lat, crs) if lon is not None else None, action=post.get("action", Action.NONE),
            reference_objects_ok=post.get("reference_objects_ok") != "0", photos=stored,
            remarks=(post.get("remarks") or "")[:2000]), actor=request.user.get_username())
    except DomainRuleError:
        photos.discard(stored)
        raise


def _first_message(detail: object) -> str:
    while isinstance(detail, (dict, list)):
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail)
