"""OpenAPI description of the API-key scheme (`Authorization: Api-Key <key>`), so the docs show
how other departments authenticate; loaded from `AccountsConfig.ready`."""
from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "部门接口密钥：`Authorization: Api-Key <key>`（也可用 `X-API-Key: <key>`）；只读，按分钟限流（429 + Retry-After）。"}
