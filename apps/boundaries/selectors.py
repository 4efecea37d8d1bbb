"""Reads of the boundary registers and inspections: lines (current or on a date), the due list,
markers, campaigns with their records, and the report data the PDFs print. No writes here."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from apps.common.models import ChangeRecord
from apps.common.validity import valid_on

from .models import (BoundaryLine, BoundaryMarker, CampaignStatus, FollowUpItem, InspectionCampaign,
                     MarkerInspection, SegmentFinding)


def lines(day: dt.date | None = None) -> QuerySet:
    queryset = BoundaryLine.objects.all()
    if day is not None:
        queryset = valid_on(queryset, day)
    return (queryset.prefetch_related("divisions")
            .annotate(marker_count=Count("markers", distinct=True),
                      last_inspected=Max("campaigns__completed_on",
                                         filter=Q(campaigns__status=CampaignStatus.COMPLETED))))


def line_by_code(code: str) -> BoundaryLine | None:
    return lines().filter(code=code).first()


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


@dataclass
class DueLine:
    line: BoundaryLine
    last_inspected: dt.date | None
    due_since: dt.date | None  # None: never inspected
    open_campaign: InspectionCampaign | None


def due_lines(today: dt.date, cycle_years: int | None = None) -> list[DueLine]:
    """Current lines whose last completed joint inspection is older than the cycle, or never done
    (民政部令第28号 Art. 6: every five years; the cycle is `BOUNDARY_INSPECTION_CYCLE_YEARS`)."""
    cycle = cycle_years if cycle_years is not None else settings.BOUNDARY_INSPECTION_CYCLE_YEARS
    cutoff = add_years(today, -cycle)
    due = lines(today).filter(Q(last_inspected__isnull=True) | Q(last_inspected__lte=cutoff)).order_by("code")
    open_by_line = {c.line_id: c for c in InspectionCampaign.objects.filter(
        line__in=due, status__in=[CampaignStatus.PLANNED, CampaignStatus.IN_PROGRESS]).order_by("period_start")}
    out = []
    for line in due:
        last = line.last_inspected
        since = None if last is None else add_years(last, cycle)
        out.append(DueLine(line, last, since, open_by_line.get(line.pk)))
    return out


def markers() -> QuerySet:
    return BoundaryMarker.objects.select_related("line", "side_division")


def marker_by_number(number: str) -> BoundaryMarker | None:
    return markers().filter(number=number).first()


def marker_history(marker: BoundaryMarker) -> QuerySet:
    """Every change of the marker's registered record (position, state…), oldest first."""
    return ChangeRecord.objects.filter(table_name="boundaries_boundarymarker", row_id=str(marker.pk)).order_by("at", "id")


def campaigns() -> QuerySet:
    return InspectionCampaign.objects.select_related("line", "party_a", "party_b")


def campaign_detail(pk: int) -> InspectionCampaign | None:
    return (campaigns().filter(pk=pk).prefetch_related(
        Prefetch("marker_records", queryset=MarkerInspection.objects.select_related("marker")),
        Prefetch("findings", queryset=SegmentFinding.objects.select_related("from_marker", "to_marker")),
        Prefetch("follow_ups", queryset=FollowUpItem.objects.select_related("marker")),
    ).first())


def follow_up(campaign: InspectionCampaign, pk: int) -> FollowUpItem | None:
    return campaign.follow_ups.filter(pk=pk).select_related("campaign").first()
