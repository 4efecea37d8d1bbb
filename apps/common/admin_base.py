"""Base admin for registers: offline map widget, the role and jurisdiction rules (viewers look,
editors change records inside their jurisdiction), no deletion (records are retired, not deleted),
and every save recorded in the change history with the staff user as actor.

The jurisdiction is checked twice: on the record as it was (may this account open it for change —
`RoleAdminMixin`) and on the record as it would be saved (the TARGET: moving an address into
another township is refused with 403 and nothing is written)."""
from __future__ import annotations

from typing import Any

from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import PermissionDenied

from apps.accounts.admin_roles import RoleAdminMixin, admin_principal
from apps.accounts.jurisdiction import division_codes
from apps.accounts.principal import Role

from .history import acting_as
from .widgets import OfflineMapWidget


class RegisterAdmin(RoleAdminMixin, GISModelAdmin):
    gis_widget = OfflineMapWidget

    def record_codes(self, obj: Any) -> list[str]:
        """The division codes deciding who may change `obj` (its foreign keys to Division unless a
        register says otherwise, e.g. a plate by its address's code)."""
        return division_codes(obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        principal = admin_principal(request)
        if obj is None or not principal.at_least(Role.EDITOR):
            return principal.at_least(Role.EDITOR)
        return principal.covers(self.record_codes(obj))

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        principal = admin_principal(request)
        codes = self.record_codes(obj)
        if codes and not principal.covers(codes):
            raise PermissionDenied(f"无权把记录保存到辖区外：{'、'.join(codes)}（本账号辖区 {principal.jurisdiction}）")
        with acting_as(request.user.get_username()):
            super().save_model(request, obj, form, change)
