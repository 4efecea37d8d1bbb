"""Registers a deployment publishes to everyone (`GEO_MZ_PUBLIC_READS`, by URL name): their GETs
need no login. Shared by the access middleware and the DRF permission classes."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def is_public_read(request: HttpRequest) -> bool:
    match = request.resolver_match
    return (request.method in ("GET", "HEAD", "OPTIONS") and match is not None
            and match.url_name in settings.PUBLIC_READS)
