"""Admin pages of lines, markers and inspections, with the offline map widget. Lines and markers
are never deleted (retire them); every save is recorded with the staff user."""
from __future__ import annotations

from django.contrib import admin

from apps.common.admin_base import RegisterAdmin

from .models import BoundaryLine, BoundaryMarker, FollowUpItem, InspectionCampaign, MarkerInspection, SegmentFinding


@admin.register(BoundaryLine)
class BoundaryLineAdmin(RegisterAdmin):
    list_display = ["code", "name", "length_m", "direction", "status", "valid_from", "valid_to", "is_demo"]
    list_filter = ["status", "is_demo"]
    search_fields = ["code", "name"]
    raw_id_fields = ["divisions"]
    readonly_fields = ["length_m", "direction", "derivation", "created_at", "updated_at"]


@admin.register(BoundaryMarker)
class BoundaryMarkerAdmin(RegisterAdmin):
    list_display = ["number", "line", "kind", "state", "buried_on", "surveyed_on", "is_demo"]
    list_filter = ["line", "kind", "state", "is_demo"]
    search_fields = ["number"]
    raw_id_fields = ["side_division"]
    readonly_fields = ["number", "line", "sequence", "type_code", "kind", "created_at", "updated_at"]


class MarkerInspectionInline(admin.TabularInline):
    model = MarkerInspection
    fields = ["marker", "inspected_on", "condition", "displacement_m", "action", "remarks"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # recorded through the field page or the API (displacement is computed there)


class FollowUpInline(admin.TabularInline):
    model = FollowUpItem
    fields = ["description", "responsible", "deadline", "status", "closed_on", "resolution"]
    extra = 0
    can_delete = False


class FindingInline(admin.TabularInline):
    model = SegmentFinding
    fields = ["kind", "from_marker", "to_marker", "description", "action"]
    raw_id_fields = ["from_marker", "to_marker"]
    extra = 0
    can_delete = False


@admin.register(InspectionCampaign)
class InspectionCampaignAdmin(RegisterAdmin):
    list_display = ["title", "line", "period_start", "period_end", "status", "ad_hoc", "completed_on"]
    list_filter = ["status", "ad_hoc", "line"]
    search_fields = ["title"]
    raw_id_fields = ["party_a", "party_b"]
    inlines = [MarkerInspectionInline, FindingInline, FollowUpInline]
