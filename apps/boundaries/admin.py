"""Admin pages of lines, markers and inspections, with the offline map widget. Lines and markers
are never deleted (retire them); every save is recorded with the staff user. Editors change the
records `access` gives to their jurisdiction (a line: either party); new parties or a new side
division outside the jurisdiction are a form error, nothing is written."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from apps.accounts.admin_roles import admin_principal
from apps.accounts.jurisdiction import scope_q
from apps.accounts.principal import Principal, Role
from apps.common.admin_base import RegisterAdmin

from . import access

from .models import BoundaryLine, BoundaryMarker, FollowUpItem, InspectionCampaign, MarkerInspection, SegmentFinding


def parties_checked_form(form_class: type[forms.ModelForm], principal: Principal, fields: tuple[str, ...]) -> type:
    """The divisions named in `fields` (changed ones only) must include one inside the jurisdiction."""

    class Checked(form_class):  # type: ignore[valid-type, misc]
        def clean(self) -> dict[str, Any]:
            data = super().clean()
            changed = [name for name in fields if name in self.changed_data and data.get(name) is not None]
            if not changed:
                return data
            codes = []
            for name in fields:
                value = data.get(name)
                values = list(value) if hasattr(value, "__iter__") else [value] if value is not None else []
                codes += [d.code for d in values if d.code]
            if not (principal.at_least(Role.EDITOR) and principal.covers(codes)):
                self.add_error(changed[0], f"不在本账号辖区（{principal.jurisdiction}）内，不能在此修改")
            return data

    return Checked


class BoundaryAdmin(RegisterAdmin):
    """Object rights by `access` (lines have their parties as a many-to-many)."""

    party_fields: tuple[str, ...] = ()

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        principal = admin_principal(request)
        return principal.at_least(Role.EDITOR) if obj is None else access.can_change(principal, obj)

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> type:
        form = super().get_form(request, obj, change=change, **kwargs)
        return parties_checked_form(form, admin_principal(request), self.party_fields) if self.party_fields else form


@admin.register(BoundaryLine)
class BoundaryLineAdmin(BoundaryAdmin):
    list_display = ["code", "name", "length_m", "direction", "status", "valid_from", "valid_to", "is_demo"]
    list_filter = ["status", "is_demo"]
    search_fields = ["code", "name"]
    raw_id_fields = ["divisions"]
    party_fields = ("divisions",)
    readonly_fields = ["length_m", "direction", "derivation", "created_at", "updated_at"]


@admin.register(BoundaryMarker)
class BoundaryMarkerAdmin(BoundaryAdmin):
    list_display = ["number", "line", "kind", "state", "buried_on", "surveyed_on", "is_demo"]
    list_filter = ["line", "kind", "state", "is_demo"]
    search_fields = ["number"]
    raw_id_fields = ["side_division"]
    party_fields = ("side_division",)
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
class InspectionCampaignAdmin(BoundaryAdmin):
    list_display = ["title", "line", "period_start", "period_end", "status", "ad_hoc", "completed_on"]
    list_filter = ["status", "ad_hoc", "line"]
    search_fields = ["title"]
    raw_id_fields = ["party_a", "party_b"]
    party_fields = ("party_a", "party_b")

    def get_queryset(self, request: Any) -> Any:
        # Joint inspections are not public: each account sees its jurisdiction's.
        return super().get_queryset(request).filter(scope_q(admin_principal(request), "party_a", "party_b"))
    inlines = [MarkerInspectionInline, FindingInline, FollowUpInline]
