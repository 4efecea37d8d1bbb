"""The role rules every register admin follows: viewers look, editors add and change records
inside their jurisdiction, nobody deletes (records are retired)."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from .context import acting_principal
from .jurisdiction import division_codes
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

    def record_codes(self, obj: Any) -> list[str]:
        """The division codes deciding who may change `obj` (its foreign keys to Division unless a
        register says otherwise, e.g. a plate by its address's code)."""
        return division_codes(obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        principal = admin_principal(request)
        if obj is None or not principal.at_least(Role.EDITOR):
            return principal.at_least(Role.EDITOR)
        return principal.covers(self.record_codes(obj))

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        principal = admin_principal(request)
        # The record as it would be saved: moving it out of the jurisdiction is refused too.
        codes = self.record_codes(obj)
        if codes and not principal.covers(codes):
            raise PermissionDenied(f"无权把记录保存到辖区外：{'、'.join(codes)}（本账号辖区 {principal.jurisdiction}）")
        # The services' own checks see the admin user too (e.g. when a save calls a service).
        with acting_principal(principal):
            super().save_model(request, obj, form, change)  # type: ignore[misc]
