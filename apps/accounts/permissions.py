"""DRF permission classes by role. Every API view uses one of them (a test walks the URL map):

- `StaffOrKeyRead` (the default): reads by staff of any role or by a department API key; writes by
  editors and administrators. A view lists extra methods keys may use in `api_key_methods`
  (the batch geocoder's POST).
- `LookupAccess`: lookups sent by POST (batch matching): staff of any role or API keys.
- `StaffOnly`: non-public data (analysis runs, history, jobs): staff of any role, no API keys.
- `EditorsOnly`, `AdministratorsOnly`: every method needs that role.

Each class also records the principal DRF authenticated (session or key) for the services'
jurisdiction checks (`context`), since the middleware only knows the session user."""
from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from .context import set_principal
from .public import is_public_read
from .models import ApiKey
from .principal import Principal, Role
from .resolve import principal_for_key, principal_for_user


def request_principal(request: Request) -> Principal:
    """The principal of a DRF request, made current for the services."""
    principal = principal_for_key(request.auth) if isinstance(request.auth, ApiKey) else principal_for_user(request.user)
    set_principal(principal)  # the middleware resets the context at the end of the request
    return principal


class _RoleAccess(BasePermission):
    message = "当前账号无权执行此操作"

    def allows(self, principal: Principal, request: Request, view: Any) -> bool:
        raise NotImplementedError

    def has_permission(self, request: Request, view: Any) -> bool:
        return self.allows(request_principal(request), request, view)


class StaffOrKeyRead(_RoleAccess):
    def allows(self, principal: Principal, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return principal.is_staff or principal.is_api_key or is_public_read(request._request)
        if principal.is_api_key:
            return request.method in getattr(view, "api_key_methods", ())
        return principal.at_least(Role.EDITOR)


class LookupAccess(_RoleAccess):
    """Lookups that are POSTed (a batch file to match): staff of any role or an API key; they
    change no register."""

    message = "请登录或使用部门接口密钥"

    def allows(self, principal: Principal, request: Request, view: Any) -> bool:
        return principal.is_staff or principal.is_api_key


class StaffOnly(_RoleAccess):
    message = "仅限工作人员（接口密钥不能访问此数据）"

    def allows(self, principal: Principal, request: Request, view: Any) -> bool:
        return principal.is_staff


class EditorsOnly(_RoleAccess):
    message = "需要编辑员及以上角色"

    def allows(self, principal: Principal, request: Request, view: Any) -> bool:
        return principal.at_least(Role.EDITOR)


class StaffReadEditorsWrite(_RoleAccess):
    """Staff-only data (no keys) that editors change: e.g. campaign records, hazards."""

    message = "读取需要工作人员账号，修改需要编辑员及以上角色"

    def allows(self, principal: Principal, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return principal.is_staff
        return principal.at_least(Role.EDITOR)


class AdministratorsOnly(_RoleAccess):
    message = "需要管理员角色"

    def allows(self, principal: Principal, request: Request, view: Any) -> bool:
        return principal.at_least(Role.ADMINISTRATOR)
