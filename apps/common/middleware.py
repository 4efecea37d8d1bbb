"""Request hygiene before any view runs: a NUL character (`%00`) in the path or the query string is
refused with 400. PostgreSQL text cannot hold NUL, so such a value reaching a query raised
`ValueError` deep in psycopg (a 500) on every view that looks a path code or a query value up; DRF's
serializer fields already refuse NUL in bodies."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from .errors import plain_problem

NUL_MESSAGE = "请求地址或参数中含有空字符（%00），已拒绝"


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                         for key, values in request.GET.lists()):
            return plain_problem(request, 400, NUL_MESSAGE) or HttpResponseBadRequest(
                NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
