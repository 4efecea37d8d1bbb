"""Admin for provenance records and the (read-only) change history; from a change record an
administrator goes to its record's history page to confirm a restore (`history_views`)."""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from . import audit
from .history_views import change_record_page_url
from .models import ChangeRecord, DataSource


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "licence", "source_crs", "imported_at"]
    search_fields = ["key", "title"]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "table_name", "row_id", "action", "actor", "history_link"]
    list_filter = ["table_name", "action"]
    search_fields = ["row_id", "actor"]
    actions = ["restore_this_version"]

    @admin.display(description="记录历史")
    def history_link(self, obj: ChangeRecord) -> str:
        url = change_record_page_url(obj)
        return format_html('<a href="{}">查看</a>', url.split("?")[0]) if url else "—"

    @admin.action(description="恢复到所选版本（管理员，需确认）")
    def restore_this_version(self, request: Any, queryset: Any) -> HttpResponseRedirect | None:
        if not audit.can_restore(request.user):
            self.message_user(request, "只有管理员可以恢复历史版本", messages.ERROR)
            return None
        if queryset.count() != 1:
            self.message_user(request, "请只选择一条变更记录", messages.ERROR)
            return None
        url = change_record_page_url(queryset.get())
        if url is None:
            self.message_user(request, "该记录的数据表已不存在", messages.ERROR)
            return None
        return HttpResponseRedirect(url)  # the history page asks to confirm, then restores (POST + CSRF)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
