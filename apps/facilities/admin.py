"""Admin for facilities (offline map widget; status changes go through the services, so the
status history stays complete), kinds as data, hazards and rollout targets. Nothing is deleted.
Editors change facilities inside their jurisdiction; a new position outside it is a form error."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from rest_framework.exceptions import APIException

from apps.accounts.admin_roles import admin_principal
from apps.accounts.principal import Principal, Role
from apps.common.admin_base import NoDeleteAuditedAdmin, RegisterAdmin

from .models import (BurialDetail, CommunityCentreDetail, Facility, FacilityKind, FacilityStatusEvent,
                     MealServiceDetail, RolloutTarget, SafetyHazard)
from .services import _place


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


def location_checked_form(form_class: type[forms.ModelForm], principal: Principal) -> type:
    """A moved position must lie in a township inside the jurisdiction (the services' rule)."""

    class Checked(form_class):  # type: ignore[valid-type, misc]
        def clean(self) -> dict[str, Any]:
            data = super().clean()
            location = data.get("location")
            if location is None or "location" not in self.changed_data:
                return data
            try:
                codes = [d.code for d in _place(location) if d is not None]
            except APIException as exc:
                self.add_error("location", str(exc.detail))
                return data
            if not (principal.at_least(Role.EDITOR) and principal.covers(codes)):
                self.add_error("location", f"新位置不在本账号辖区（{principal.jurisdiction}）内")
            return data

    return Checked


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

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> type:
        return location_checked_form(super().get_form(request, obj, change=change, **kwargs), admin_principal(request))

    def has_add_permission(self, request: Any) -> bool:
        return False  # registration derives code, divisions and history: use the API (POST /api/v1/facilities/)

    def save_model(self, request: Any, obj: Facility, form: Any, change: bool) -> None:
        if change and "location" in form.changed_data:
            # The county, township and village follow the position, as in `services.update_facility`.
            obj.county, obj.township, obj.village = _place(obj.location)
        super().save_model(request, obj, form, change)


@admin.register(FacilityKind)
class KindAdmin(NoDeleteAuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "family", "code_letter"]


@admin.register(RolloutTarget)
class RolloutTargetAdmin(NoDeleteAuditedAdmin, admin.ModelAdmin):
    list_display = ["township", "family", "year", "tasks", "source"]
    list_filter = ["family", "year"]
    raw_id_fields = ["township"]
