"""Structured logs: a JSON formatter (one object per line, for the bureau's log collector) and the
request log — method, path, status, duration and user of every request that reaches Django.

The request log never records query strings (searches carry names and addresses), bodies or
headers. `GEO_MZ_LOG_FORMAT=json|text` chooses the formatter (settings: text in development and
tests, json in production)."""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

REQUEST_LOGGER = "geo_mz.request"
FORMATS = ("json", "text")
# Attributes every LogRecord has; anything else was passed with `extra=` and goes into the JSON.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

request_log = logging.getLogger(REQUEST_LOGGER)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the record's
    `extra` fields, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def logging_config(log_format: str, level: str) -> dict:
    """The LOGGING setting for `log_format` (json or text)."""
    if log_format not in FORMATS:
        raise ImproperlyConfigured(f"GEO_MZ_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "apps.common.logs.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "INFO"}},
    }


class RequestLogMiddleware:
    """Logs each request once it is answered: `GET /path 200 12.3ms user` with the same values
    as fields (method, path, status, duration_ms, user) for the JSON formatter."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        duration = round((time.perf_counter() - start) * 1000, 1)
        user = getattr(request, "user", None)
        name = user.get_username() if user is not None and user.is_authenticated else "-"
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        request_log.log(level, "%s %s %s %.1fms %s", request.method, request.path, response.status_code, duration,
                        name, extra={"method": request.method, "path": request.path,
                                     "status": response.status_code, "duration_ms": duration, "user": name})
        return response
