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


class FileDownloadNegotiation:
    """Content negotiation for views that answer files themselves: their `format` parameter
    names the file format (api.md), not one of DRF's renderers, so it must not be matched."""

    def select_parser(self, request, parsers):  # type: ignore[no-untyped-def]
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):  # type: ignore[no-untyped-def]
        return renderers[0], renderers[0].media_type
