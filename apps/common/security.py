"""Security headers of every response: a Content-Security-Policy with a per-request nonce and a
Permissions-Policy (Referrer-Policy and X-Content-Type-Options come from Django's
SecurityMiddleware, `SECURE_REFERRER_POLICY` / `SECURE_CONTENT_TYPE_NOSNIFF`).

The policy allows our own origin only — scripts, styles, images, connections, fonts — plus the
configured tile server (`GEO_MZ_TILE_URL`, its scheme and host) for images. Inline `<script>` and
`<style>` elements of our templates carry `nonce="{{ csp_nonce }}"`; style *attributes* are not
allowed, so templates use classes. One exception: Redoc (/api/redoc/) builds its styles at run
time with styled-components, which inserts `<style>` elements without a nonce, and runs its search
in a worker made from a blob: URL — that page alone gets `style-src 'unsafe-inline'` and
`worker-src blob:`. `data:` images are allowed: Swagger UI, OpenLayers and Leaflet draw icons
from data: URLs in their stylesheets (not a foreign origin)."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Pages allowed to ask for the device position (the boundary field page).
GEOLOCATION_PATHS = ("/boundaries/field/",)
REDOC_PATH = "/api/redoc/"


def tile_origin(url: str) -> str:
    """`scheme://host[:port]` of an XYZ template; a first label with a
    placeholder (`{s}`, `{a-c}`, `t{0-7}`) becomes `*.`.
    Empty when the URL is empty or not http(s)."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    if parts.scheme not in ("http", "https") or not host:
        return ""
    first, dot, rest = host.partition(".")
    if "{" in first and dot:  # subdomain placeholder ({s}, {a-c}, t{0-7}): any subdomain of the rest
        host = "*." + rest
    if "{" in host or "}" in host or " " in host or ";" in host or "," in host:
        return ""  # a placeholder CSP cannot express: the tile server is not allowed
    return f"{parts.scheme}://{host}"


def content_security_policy(nonce: str, path: str) -> str:
    images = ["'self'", "data:"]
    tiles = tile_origin(getattr(settings, "GEO_MZ_TILE_URL", ""))
    if tiles:
        images.append(tiles)
    styles = ["'self'", f"'nonce-{nonce}'"]
    workers = ["'self'"]
    if path.startswith(REDOC_PATH):
        styles = ["'self'", "'unsafe-inline'"]  # see the module docstring
        workers.append("blob:")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": styles,
        "img-src": images,
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "worker-src": workers,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def permissions_policy(path: str) -> str:
    geolocation = "(self)" if path.startswith(GEOLOCATION_PATHS) else "()"
    return f"geolocation={geolocation}, camera=(), microphone=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Gives each request a CSP nonce (`request.csp_nonce`, `{{ csp_nonce }}` in templates) and
    adds the policy headers to the response unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(18)  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy",
                                    content_security_policy(request.csp_nonce, request.path))  # type: ignore[attr-defined]
        response.headers.setdefault("Permissions-Policy", permissions_policy(request.path))
        return response


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Template context processor: `{{ csp_nonce }}` for inline <script>/<style> elements."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
