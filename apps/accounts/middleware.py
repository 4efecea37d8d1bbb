"""Secure by default: every URL needs a staff login or an API key unless it is on the public list
(the plate scan page with its report form, the API docs, health checks, the login page).

For requests with an API key, the key is checked, rate-limited (429 + Retry-After) and counted
here, once per request; DRF then sees it through `ApiKeyAuthentication`. The acting principal is
made current for the services' jurisdiction checks and reset when the request ends."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from apps.common.errors import MACHINE_PREFIXES, problem_json

from .context import reset_principal, set_principal
from .authentication import KEY_CHALLENGE
from .keys import count_request, find_key
from .public import is_public_read
from .resolve import principal_for_key, principal_for_user

# URL names anyone may open. Everything else needs a principal.
PUBLIC_URL_NAMES = frozenset({"plate-scan", "schema", "api-docs", "api-redoc", "healthz", "readyz",
                              "login", "logout"})
NO_ROLE = "当前账号没有分配角色，请联系管理员"


def presented_key(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:8].lower() == "api-key ":
        return header[8:].strip()
    value = request.META.get("HTTP_X_API_KEY")
    return value.strip() if value is not None else None


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.api_key = None  # type: ignore[attr-defined]
        secret = presented_key(request)
        if secret is not None:
            key = find_key(secret)
            if key is None:
                return problem_json(401, "接口密钥无效或已吊销", {"WWW-Authenticate": KEY_CHALLENGE})
            decision = count_request(key)
            if not decision.allowed:
                return problem_json(429, f"该密钥每分钟最多 {key.rate_limit_per_minute} 次请求，"
                                         f"请 {decision.retry_after} 秒后再试", {"Retry-After": str(decision.retry_after)})
            request.api_key = key  # type: ignore[attr-defined]
            principal = principal_for_key(key)
        else:
            # DRF's test client authenticates by this attribute (set in-process, never from a request).
            principal = principal_for_user(getattr(request, "_force_auth_user", None) or request.user)
        request.principal = principal  # type: ignore[attr-defined]
        token = set_principal(principal)
        try:
            return self.get_response(request)
        finally:
            reset_principal(token)

    def process_view(self, request: HttpRequest, view_func: Callable, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and (match.url_name in PUBLIC_URL_NAMES or match.app_name == "admin"):
            return None  # the admin checks its own logins (same lockout form)
        if is_public_read(request):
            return None
        principal = request.principal  # type: ignore[attr-defined]
        if principal.is_staff:
            return None
        if principal.is_api_key:
            # Keys reach only DRF views, whose permission classes decide what a key may do.
            if getattr(view_func, "cls", None) is not None:
                return None
            return problem_json(403, "接口密钥只能访问数据接口")
        if request.path.startswith(MACHINE_PREFIXES):
            if request.user.is_authenticated or getattr(request, "_force_auth_user", None) is not None:
                return problem_json(403, NO_ROLE)
            return problem_json(401, "请登录或提供接口密钥（Authorization: Api-Key <key>）",
                                {"WWW-Authenticate": KEY_CHALLENGE})
        if request.user.is_authenticated:
            return problem_json(403, NO_ROLE)
        return HttpResponseRedirect(f"{settings.LOGIN_URL}?next={quote(request.get_full_path())}")
