"""Server-rendered page of the rollout statistics (Chinese UI), exportable as CSV."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from . import selectors
from .models import Family
from .views import rollout_params


def rollout_page(request: HttpRequest) -> HttpResponse:
    params = {k: v for k, v in request.GET.items() if k != "format"}
    try:
        county, family, year = rollout_params(Request(request))
    except ValidationError as exc:
        return HttpResponse(f"参数错误：{exc.detail}", status=400, content_type="text/plain; charset=utf-8")
    rows, total = selectors.rollout(county, family, year)
    return render(request, "facilities/rollout.html", {
        "county": county, "family": family, "family_label": Family(family).label, "families": Family.choices,
        "rows": [r.as_dict() for r in rows], "total": total.as_dict(), "query": "&".join(f"{k}={v}" for k, v in params.items())})
