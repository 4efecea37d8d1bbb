"""Admin for the gazetteer: names (offline map widget; adding goes through the same `propose`
service as the API and descriptive edits through `update_details`; the lifecycle acts are API
calls), categories and forbidden naming patterns as editable data, aliases, announcements and
the heritage list. Nothing is deleted here. Editors change names inside their jurisdiction only: a
name's new division (and a heritage entry's name) outside it is a form error, nothing is written."""
from __future__ import annotations

from typing import Any

import datetime as dt

from django import forms
from django.contrib import admin, messages
from rest_framework.exceptions import APIException

from apps.accounts.admin_roles import admin_principal
from apps.accounts.context import acting_principal
from apps.accounts.jurisdiction import can_edit, division_codes
from apps.accounts.principal import Principal, Role
from apps.common.admin_base import NoDeleteAuditedAdmin, RegisterAdmin
from apps.divisions.models import Division

from . import services
from .models import (Announcement, AnnouncementItem, ForbiddenNamePattern, HeritageEntry, PlaceName, PlaceNameAlias,
                     PlaceNameCategory, Status)

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

    def clean(self) -> dict[str, Any]:
        """The services' rules as form errors (never a 500 on save): a cancelled name stays as it is,
        and a new name's 专名/通名 must make up the name."""
        data = super().clean()
        if self.instance.pk is not None and self.instance.status == Status.CANCELLED:
            self.add_error(None, "已注销的地名不能修改")
        if self.instance.pk is None and data.get("name") and data.get("category"):
            try:
                services.name_parts(data["name"], data["category"], data.get("specific") or None,
                                    data.get("generic") if data.get("specific") else None)
            except APIException as exc:
                self.add_error(None, str(exc.detail))
        return data


def _codes(value: Any) -> list[str]:
    return [value.code] if isinstance(value, Division) else division_codes(value)


def jurisdiction_form(form_class: type[forms.ModelForm], principal: Principal, fields: tuple[str, ...]) -> type:
    """`form_class` refusing (as a field error) a division or record outside the jurisdiction."""

    class Checked(form_class):  # type: ignore[valid-type, misc]
        def clean(self) -> dict[str, Any]:
            data = super().clean()
            for name in fields:
                value = data.get(name)
                if value is not None and not (principal.at_least(Role.EDITOR) and principal.covers(_codes(value))):
                    self.add_error(name, f"“{value}”不在本账号辖区（{principal.jurisdiction}）内，不能在此登记或修改")
            return data

    return Checked


@admin.register(PlaceName)
class PlaceNameAdmin(RegisterAdmin):
    form = PlaceNameForm
    list_display = ["code", "name", "pinyin", "category", "division", "status", "register_kind"]
    list_filter = ["status", "category", "register_kind", "position_approximate"]
    search_fields = ["code", "name", "search_pinyin", "initials", "aliases__name"]
    raw_id_fields = ["division", "county", "successor"]
    inlines = [AliasInline]
    actions = ["submit_selected"]

    @admin.action(description="报批所选地名（拟定 → 审批中）", permissions=["change"])
    def submit_selected(self, request: Any, queryset: Any) -> None:
        """Each name through `services.submit`; names outside the jurisdiction or in the wrong
        status are reported one by one and left as they were."""
        principal = admin_principal(request)
        done = 0
        for place in queryset.select_related("county", "division"):
            if not can_edit(principal, place):
                messages.error(request, f"{place.name}（{place.code}）不在本账号辖区内，未报批")
                continue
            try:
                with acting_principal(principal):
                    services.submit(place, on=dt.date.today(), actor=request.user.get_username())
            except APIException as exc:
                messages.error(request, f"{place.name}（{place.code}）：{exc.detail}")
                continue
            done += 1
        if done:
            messages.success(request, f"已报批 {done} 个地名")

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return _LIFECYCLE if obj is not None else [f for f in _LIFECYCLE if f not in ("name", "specific", "generic")]

    def get_fields(self, request: Any, obj: Any = None) -> list[str]:
        return (_LIFECYCLE if obj is not None else ["name", "specific", "generic"]) + _DESCRIPTIVE

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> type:
        form = super().get_form(request, obj, change=change, **kwargs)
        return jurisdiction_form(form, admin_principal(request), ("division",))

    def save_model(self, request: Any, obj: PlaceName, form: Any, change: bool) -> None:
        actor = request.user.get_username()
        with acting_principal(admin_principal(request)):  # the services check the jurisdiction again
            if change:
                services.update_details(obj, actor=actor, **{f: form.cleaned_data[f] for f in _DESCRIPTIVE
                                                             if f in form.changed_data})
                return
            place, _ = services.propose(
                name=form.cleaned_data["name"], specific=form.cleaned_data.get("specific") or None,
                generic=form.cleaned_data.get("generic") if form.cleaned_data.get("specific") else None,
                actor=actor, **{f: form.cleaned_data[f] for f in _DESCRIPTIVE})
        obj.pk, obj.code, obj.county = place.pk, place.code, place.county


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
    """The heritage list belongs to its names' divisions: editors change entries of names inside
    their jurisdiction."""

    list_display = ["place", "level", "heritage_type", "listed_on", "removed_on"]
    list_filter = ["level", "heritage_type"]
    search_fields = ["place__name"]
    raw_id_fields = ["place"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        principal = admin_principal(request)
        return principal.at_least(Role.EDITOR) if obj is None else can_edit(principal, obj.place)

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> type:
        form = super().get_form(request, obj, change=change, **kwargs)
        return jurisdiction_form(form, admin_principal(request), ("place",))
