"""Base admin for registers: offline map widget, the role and jurisdiction rules (viewers look,
editors change records inside their jurisdiction), no deletion (records are retired, not deleted),
and every save recorded in the change history with the staff user as actor."""
from __future__ import annotations

from typing import Any

from django.contrib.gis.admin import GISModelAdmin

from apps.accounts.admin_roles import RoleAdminMixin

from .history import acting_as
from .widgets import OfflineMapWidget


class RegisterAdmin(RoleAdminMixin, GISModelAdmin):
    gis_widget = OfflineMapWidget

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        with acting_as(request.user.get_username()):
            super().save_model(request, obj, form, change)
