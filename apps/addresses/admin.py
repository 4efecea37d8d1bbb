"""Admin for roads, 片区, address versions, plates and error reports (offline map widget).
Registers are never deleted here; edits are recorded with the staff user. Viewers look; editors
change records inside their jurisdiction (plates and reports by their address's code)."""
from __future__ import annotations

from typing import Any

from django.contrib import admin

from apps.common.admin_base import NoDeleteAuditedAdmin, RegisterAdmin

from .models import Address, Area, DoorPlate, PlateReport, Road
from .services import identity_codes


@admin.register(Road)
class RoadAdmin(RegisterAdmin):
    list_display = ["code", "name", "kind", "township", "valid_from", "valid_to"]
    list_filter = ["kind", "township"]
    search_fields = ["code", "name"]
    raw_id_fields = ["county", "township", "predecessor"]


@admin.register(Area)
class AreaAdmin(RegisterAdmin):
    list_display = ["code", "name", "kind", "village"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["county", "village"]


@admin.register(Address)
class AddressAdmin(RegisterAdmin):
    list_display = ["code", "full_text", "level", "stage", "status", "version", "valid_from", "valid_to"]
    list_filter = ["level", "stage", "status"]
    search_fields = ["code", "full_text"]
    raw_id_fields = ["identity", "township", "village", "road", "area", "successor"]
    readonly_fields = ["identity", "code", "version", "full_text", "created_at"]
    show_full_result_count = False  # 150,000+ rows: skip the extra COUNT(*)


@admin.register(DoorPlate)
class DoorPlateAdmin(NoDeleteAuditedAdmin, admin.ModelAdmin):
    list_display = ["plate_no", "identity", "size", "state", "installed_on", "token_active"]
    list_filter = ["state", "size", "token_active"]
    search_fields = ["plate_no", "identity__code"]
    raw_id_fields = ["identity", "replaced_by"]
    readonly_fields = ["token", "token_active", "replaced_by"]
    show_full_result_count = False

    def record_codes(self, obj: Any) -> list[str]:
        return identity_codes(obj.identity) if obj.identity_id else []


@admin.register(PlateReport)
class PlateReportAdmin(NoDeleteAuditedAdmin, admin.ModelAdmin):
    """Reports are marked handled, not deleted (a spam report too: the record of it stays)."""

    list_display = ["created_at", "plate", "message", "handled"]
    list_filter = ["handled"]
    raw_id_fields = ["plate"]
    readonly_fields = ["plate", "message", "created_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False  # reports come from the public scan page

    def record_codes(self, obj: Any) -> list[str]:
        return identity_codes(obj.plate.identity)
