"""RFC 9457 problem details for every API error, with Chinese messages and field names.

Views raise DRF exceptions (or `DomainRuleError` for well-formed input that breaks a domain
rule); this handler turns them into `application/problem+json` bodies:
`{"type", "title", "status", "detail", "errors": [{"field", "message"}]}`.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import bad_request as django_bad_request, page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: "请求参数错误",
    401: "未登录",
    403: "无权访问",
    404: "未找到",
    405: "不支持的请求方法",
    406: "不支持的响应格式",
    409: "数据冲突",
    413: "上传内容过大",
    415: "不支持的内容类型",
    422: "违反业务规则",
    429: "请求过于频繁",
}


class DomainRuleError(exceptions.APIException):
    """Well-formed input that breaks a domain rule (e.g. a point outside its stated division)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "违反业务规则"
    default_code = "domain_rule"

    def __init__(self, detail: str, field: str | None = None):
        super().__init__(detail)
        self.field = field


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "数据冲突"
    default_code = "conflict"


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF nests errors as dicts/lists; flatten them to [{field, message}]."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key not in ("non_field_errors", "__all__") else ""
            out.extend(_flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix)))
    elif isinstance(detail, (list, tuple)):
        for item in detail:
            out.extend(_flatten(item, prefix))
    else:
        out.append({"field": prefix, "message": str(detail)})
    return out


def problem_response(status_code: int, detail: str, errors: list[dict[str, str]] | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status_code, "错误"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        return problem_response(404, str(exc) or "未找到该资源")
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django produce its 500
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "；".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        return problem_response(response.status_code, detail, errors, headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    errors = None
    if isinstance(exc, DomainRuleError) and exc.field:
        errors = [{"field": exc.field, "message": str(detail)}]
    return problem_response(response.status_code, str(detail), errors, headers)


MACHINE_PREFIXES = ("/api/", "/ogc/", "/tiles/")


def problem_json(status_code: int, detail: str, headers: dict[str, str] | None = None,
                 field: str | None = None) -> HttpResponse:
    """A problem+json response built outside DRF (middleware, handlers, the OGC views)."""
    body: dict[str, Any] = {"type": "about:blank", "title": _TITLES.get(status_code, "错误"), "status": status_code,
                            "detail": detail}
    if field is not None:
        body["errors"] = [{"field": field, "message": detail}]
    response = JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE,
                            json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def plain_problem(request: HttpRequest, status_code: int, detail: str) -> HttpResponse | None:
    """A problem+json response outside DRF (middleware, handler404) for the machine interfaces;
    None for pages, which answer with their own HTML."""
    if not request.path.startswith(MACHINE_PREFIXES):
        return None
    return problem_json(status_code, detail)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler404`: a path no URL pattern matches (e.g. an address code with characters codes never
    have) is answered as problem+json under the machine interfaces and as Django's page elsewhere."""
    problem = plain_problem(request, 404, f"没有这个地址：{request.path}（请核对路径与编码，见 /api/docs/）")
    return problem or page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler400`: a request Django refuses before any view runs (a body too big for
    DATA_UPLOAD_MAX_MEMORY_SIZE, more fields or files than allowed, a malformed multipart body) is
    answered as problem+json under the machine interfaces (it was Django's HTML page), and as
    Django's page elsewhere."""
    if isinstance(exception, RequestDataTooBig):
        problem = plain_problem(request, 413, "请求内容过大（上传文件请用 multipart，见 /api/docs/）")
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        problem = plain_problem(request, 400, "请求的字段或文件数量过多（大量坐标请以 JSON 提交）")
    else:
        problem = plain_problem(request, 400, "请求无法解析（请核对请求体格式与 Content-Type）")
    return problem or django_bad_request(request, exception)
