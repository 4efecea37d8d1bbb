"""A salted hash of the client address: enough to rate-limit and lock out, useless to identify
anyone (no raw IP addresses are stored)."""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest


def client_hash(request: HttpRequest | None) -> str:
    client = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{client}".encode()).hexdigest()
