"""The role rules every register admin follows: viewers look, editors add and change records
inside their jurisdiction, nobody deletes (records are retired)."""
from __future__ import annotations

from typing import Any

from .context import acting_principal
from .jurisdiction import can_edit
from .principal import Principal, Role
from .resolve import principal_for_user


def admin_principal(request: Any) -> Principal:
    return principal_for_user(request.user)


class RoleAdminMixin:
    """Mixed into `apps.common.admin_base.RegisterAdmin` (and any register admin not built on it)."""

    def has_module_permission(self, request: Any) -> bool:
        return admin_principal(request).is_staff

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return admin_principal(request).is_staff

    def has_add_permission(self, request: Any) -> bool:
        return admin_principal(request).at_least(Role.EDITOR)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        principal = admin_principal(request)
        if obj is None:
            return principal.at_least(Role.EDITOR)
        return can_edit(principal, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        # The services' own checks see the admin user too (e.g. when a save calls a service).
        with acting_principal(admin_principal(request)):
            super().save_model(request, obj, form, change)  # type: ignore[misc]
