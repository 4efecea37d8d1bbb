"""Query-parameter discipline shared by the API views: unknown parameters are errors (api.md),
so a typo such as `levle=county` is answered 400 instead of silently returning everything."""
from __future__ import annotations

from collections.abc import Iterable

from rest_framework import exceptions

# Parameters every list understands (pagination, DRF's format switch).
COMMON_PARAMS = frozenset({"limit", "offset", "format"})


def reject_unknown_params(query_params: Iterable[str], allowed: Iterable[str]) -> None:
    allowed_set = set(allowed) | COMMON_PARAMS
    unknown = sorted(set(query_params) - allowed_set)
    if unknown:
        raise exceptions.ValidationError(
            {name: [f"未知参数（可用参数：{', '.join(sorted(allowed_set))}）"] for name in unknown}
        )
