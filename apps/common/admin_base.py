"""Base admin for registers: offline map widget, no deletion (records are retired, not deleted),
and every save recorded in the change history with the staff user as actor."""
from __future__ import annotations

from typing import Any

from django.contrib.gis.admin import GISModelAdmin

from .history import acting_as
from .widgets import OfflineMapWidget


class RegisterAdmin(GISModelAdmin):
    gis_widget = OfflineMapWidget

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        with acting_as(request.user.get_username()):
            super().save_model(request, obj, form, change)
