"""Admin for facilities (offline map widget; status changes go through the services, so the
status history stays complete), kinds as data, hazards and rollout targets. Nothing is deleted."""
from __future__ import annotations

from typing import Any

from django.contrib import admin

from apps.common.admin_base import NoDeleteAuditedAdmin, RegisterAdmin

from .models import (BurialDetail, CommunityCentreDetail, Facility, FacilityKind, FacilityStatusEvent,
                     MealServiceDetail, RolloutTarget, SafetyHazard)


class _NoDelete:
    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class StatusEventInline(_NoDelete, admin.TabularInline):
    model = FacilityStatusEvent
    extra = 0
    fields = readonly_fields = ["status", "on", "note", "actor"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class BurialInline(_NoDelete, admin.StackedInline):
    model = BurialDetail


class MealInline(_NoDelete, admin.StackedInline):
    model = MealServiceDetail


class CentreInline(_NoDelete, admin.StackedInline):
    model = CommunityCentreDetail


class HazardInline(_NoDelete, admin.TabularInline):
    model = SafetyHazard
    extra = 0


@admin.register(Facility)
class FacilityAdmin(RegisterAdmin):
    list_display = ["code", "name", "kind", "status", "township", "urban_rural", "demo"]
    list_filter = ["kind", "status", "urban_rural", "demo"]
    search_fields = ["code", "name"]
    raw_id_fields = ["county", "township", "village", "address", "successor"]
    readonly_fields = ["code", "status", "status_since", "retired_on", "successor", "county", "township", "village"]

    def get_inlines(self, request: Any, obj: Facility | None) -> list:
        if obj is None:
            return []
        family = {"burial": [BurialInline, HazardInline], "meals": [MealInline], "community": [CentreInline]}
        return [*family[obj.kind.family], StatusEventInline]

    def has_add_permission(self, request: Any) -> bool:
        return False  # registration derives code, divisions and history: use the API (POST /api/v1/facilities/)


@admin.register(FacilityKind)
class KindAdmin(NoDeleteAuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "family", "code_letter"]


@admin.register(RolloutTarget)
class RolloutTargetAdmin(NoDeleteAuditedAdmin, admin.ModelAdmin):
    list_display = ["township", "family", "year", "tasks", "source"]
    list_filter = ["family", "year"]
    raw_id_fields = ["township"]
