"""Admin for the gazetteer: names (offline map widget; adding goes through the same `propose`
service as the API and descriptive edits through `update_details`; the lifecycle acts are API
calls), categories and forbidden naming patterns as editable data, aliases, announcements and
the heritage list. Nothing is deleted here."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from apps.common.admin_base import NoDeleteAuditedAdmin, RegisterAdmin

from . import services
from .models import (Announcement, AnnouncementItem, ForbiddenNamePattern, HeritageEntry, PlaceName, PlaceNameAlias,
                     PlaceNameCategory)

_LIFECYCLE = ["code", "name", "specific", "generic", "pinyin", "pinyin_tones", "search_pinyin", "initials", "status",
              "proposed_on", "submitted_on", "approving_authority", "approval_document", "approved_on",
              "announced_on", "cancelled_on", "cancel_reason", "successor", "check_warnings", "register_kind",
              "register_key", "county"]
_DESCRIPTIVE = ["geometry", "position_approximate", "location_description", "origin", "meaning", "history",
                "pinyin_override", "division", "category"]


class AliasInline(admin.TabularInline):
    model = PlaceNameAlias
    extra = 0
    fields = ["name", "kind", "valid_from", "valid_to", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class PlaceNameForm(forms.ModelForm):
    """Leaves the geometry check constraints to PostgreSQL: Django cannot evaluate ST_IsValid on
    an empty (None) geometry in Python, and the service validates what it writes."""

    class Meta:
        model = PlaceName
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "specific" in self.fields:  # derived from the name by the 1984 rules when left empty
            self.fields["specific"].required = False

    def _get_validation_exclusions(self) -> set[str]:
        return {*super()._get_validation_exclusions(), "geometry"}


@admin.register(PlaceName)
class PlaceNameAdmin(RegisterAdmin):
    form = PlaceNameForm
    list_display = ["code", "name", "pinyin", "category", "division", "status", "register_kind"]
    list_filter = ["status", "category", "register_kind", "position_approximate"]
    search_fields = ["code", "name", "search_pinyin", "initials", "aliases__name"]
    raw_id_fields = ["division", "county", "successor"]
    inlines = [AliasInline]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return _LIFECYCLE if obj is not None else [f for f in _LIFECYCLE if f not in ("name", "specific", "generic")]

    def get_fields(self, request: Any, obj: Any = None) -> list[str]:
        return (_LIFECYCLE if obj is not None else ["name", "specific", "generic"]) + _DESCRIPTIVE

    def save_model(self, request: Any, obj: PlaceName, form: Any, change: bool) -> None:
        actor = request.user.get_username()
        if change:
            services.update_details(obj, actor=actor, **{f: form.cleaned_data[f] for f in _DESCRIPTIVE
                                                         if f in form.changed_data})
            return
        place, _ = services.propose(
            name=form.cleaned_data["name"], specific=form.cleaned_data.get("specific") or None,
            generic=form.cleaned_data.get("generic") if form.cleaned_data.get("specific") else None,
            actor=actor, **{f: form.cleaned_data[f] for f in _DESCRIPTIVE})
        obj.pk, obj.code = place.pk, place.code


@admin.register(PlaceNameCategory)
class CategoryAdmin(NoDeleteAuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "parent", "audit_class", "pinyin_kind", "gbt_code"]
    list_filter = ["audit_class", "pinyin_kind"]
    search_fields = ["code", "name", "gbt_code"]


@admin.register(ForbiddenNamePattern)
class PatternAdmin(CategoryAdmin):
    list_display = ["pattern", "is_regex", "kind", "reason", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["pattern", "reason"]


class AnnouncementItemInline(admin.TabularInline):
    model = AnnouncementItem
    extra = 0
    readonly_fields = ["place", "act", "former_name", "standard_name", "romanization", "division_name",
                       "location_description", "approving_authority", "approved_on"]
    fields = readonly_fields
    can_delete = False  # an announced item is part of a published notice

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Announcement)
class AnnouncementAdmin(NoDeleteAuditedAdmin, admin.ModelAdmin):
    """Announcements are issued through the API (`services.announce`); here they are read."""

    list_display = ["number", "title", "issued_by", "announced_on"]
    readonly_fields = ["number", "title", "issued_by", "announced_on"]
    inlines = [AnnouncementItemInline]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(HeritageEntry)
class HeritageAdmin(CategoryAdmin):
    list_display = ["place", "level", "heritage_type", "listed_on", "removed_on"]
    list_filter = ["level", "heritage_type"]
    search_fields = ["place__name"]
    raw_id_fields = ["place"]
