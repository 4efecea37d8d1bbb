"""Admin pages for divisions and their changes, with an offline map widget. Records are never
deleted here (retire them through a change instead); edits are recorded with the staff user."""
from __future__ import annotations

from typing import Any

from django.contrib import admin

from apps.accounts.jurisdiction import division_codes
from apps.common.admin_base import NoDeleteAuditedAdmin, RegisterAdmin

from .models import Division, DivisionChange


class DivisionChildInline(admin.TabularInline):
    model = Division
    fk_name = "parent"
    fields = ["code", "name", "level", "kind", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "下级区划"

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Division)
class DivisionAdmin(RegisterAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "status", "valid_from", "valid_to", "scope"]
    list_filter = ["level", "status", "scope", "code_assigned_locally", "geometry_synthesised"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["parent"]
    # Thousands of divisions: pick by id/search, never a giant select box.
    raw_id_fields = ["parent", "predecessors"]
    readonly_fields = ["uid", "created_at", "updated_at", "status", "valid_to"]
    fieldsets = [
        (None, {"fields": ["code", "name", "short_name", "level", "kind", "parent", "scope"]}),
        ("有效期", {"fields": ["status", "valid_from", "valid_to", "predecessors"]}),
        ("空间", {"fields": ["geometry", "seat"]}),
        ("来源", {"fields": ["source", "geometry_source", "code_assigned_locally", "geometry_synthesised",
                           "uid", "created_at", "updated_at"]}),
    ]
    inlines = [DivisionChildInline]


@admin.register(DivisionChange)
class DivisionChangeAdmin(NoDeleteAuditedAdmin, admin.ModelAdmin):
    list_display = ["effective_date", "kind", "before_text", "after_text", "approval_type", "authority"]
    list_filter = ["kind", "approval_type"]
    search_fields = ["before_text", "after_text", "document_no"]
    date_hierarchy = "effective_date"
    raw_id_fields = ["before", "after"]
    readonly_fields = ["natural_key", "recorded_by", "recorded_at"]

    def record_codes(self, obj: Any) -> list[str]:
        """A change belongs to the level above the divisions it changed."""
        if obj.pk is None:
            return []
        return [code for d in [*obj.before.all(), *obj.after.all()] for code in division_codes(d)]
