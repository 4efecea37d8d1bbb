"""DRF authentication by department API key (`Authorization: Api-Key <key>` or `X-API-Key`).

The key itself is checked, rate-limited and counted once per request by `AccessMiddleware`, which
leaves it on the request; this class only hands it to DRF, so DRF views see `request.auth`."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from .models import ApiKey

# The WWW-Authenticate challenge of a 401: names the scheme other systems should use.
KEY_CHALLENGE = 'Api-Key realm="geo-mz"'


class ApiKeyUser(AnonymousUser):
    """The user of a key-authenticated request: authenticated, never staff, owns nothing."""

    def __init__(self, key: ApiKey):
        self.key = key
        self.username = f"apikey:{key.prefix}"

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return f"{self.key.department}（接口密钥 {self.key.prefix}）"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        key = getattr(request._request, "api_key", None)
        if key is None:
            return None
        return ApiKeyUser(key), key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to unauthenticated requests, naming the scheme to use.
        return KEY_CHALLENGE
