"""Base admin for registers: offline map widget, the role and jurisdiction rules (viewers look,
editors change records inside their jurisdiction), no deletion (records are retired, not deleted),
every save recorded in the change history with the staff user as actor, and the admin's 历史
button showing the trigger-written history (`/history/…`, with restore) instead of Django's
LogEntry list, which misses every change made outside the admin.

The jurisdiction is checked twice: on the record as it was (may this account open it for change)
and on the record as it would be saved (the TARGET: moving an address into another township is
refused with 403 and nothing is written)."""
from __future__ import annotations

from typing import Any

from django.contrib.gis.admin import GISModelAdmin
from django.http import HttpResponse, HttpResponseRedirect

from apps.accounts.admin_roles import RoleAdminMixin

from .history import acting_as
from .widgets import OfflineMapWidget


class HistoryAdminMixin:
    """Admin 历史 → our history page of the object (tracked tables; others keep Django's)."""

    def history_view(self, request: Any, object_id: str, extra_context: Any = None) -> HttpResponse:
        from . import audit
        from .history_views import admin_history_url

        model = self.model  # type: ignore[attr-defined]
        if model._meta.db_table in audit.tracked_tables():
            obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
            if obj is not None:
                return HttpResponseRedirect(admin_history_url(obj))
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]


class NoDeleteAuditedAdmin(RoleAdminMixin, HistoryAdminMixin):
    """For admins of register-side data that is not a map layer: the role and jurisdiction rules,
    no deletion, saves recorded with the staff user, history from the triggers."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        with acting_as(request.user.get_username()):
            super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        with acting_as(request.user.get_username()):  # inlines are recorded with the staff user too
            super().save_related(request, form, formsets, change)  # type: ignore[misc]


class RegisterAdmin(NoDeleteAuditedAdmin, GISModelAdmin):
    gis_widget = OfflineMapWidget
