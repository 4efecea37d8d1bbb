"""Admin for provenance records and the (read-only) change history."""
from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import ChangeRecord, DataSource


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "licence", "source_crs", "imported_at"]
    search_fields = ["key", "title"]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "table_name", "row_id", "action", "actor"]
    list_filter = ["table_name", "action"]
    search_fields = ["row_id", "actor"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
