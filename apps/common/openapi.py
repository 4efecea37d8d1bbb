"""How the OpenAPI schema describes our authentication: the department API key header
(`Authorization: Api-Key <key>`), next to the session login drf-spectacular knows already.
Loaded by `CommonConfig.ready` (drf-spectacular registers extensions when they are defined)."""
from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ApiKeyAuthentication"
    name = "departmentApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "部门接口密钥：`Authorization: Api-Key <key>`（或 `X-API-Key: <key>`），只读，按分钟限流"}
