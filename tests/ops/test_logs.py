"""Structured logs: every request is logged with method, path, status, duration and user — never
the query string — and production writes one JSON object per line (checked in a process started
with the production settings); a wrong GEO_MZ_LOG_FORMAT is refused."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings

from apps.common.logs import REQUEST_LOGGER, JsonFormatter

GOOD_SECRET = "x9!Kq2#vR7$mT4&wZ1*pL8^nB5@cH3%jD6(fG0)sA-yE+uI=oPzQ"


def _request_records(caplog) -> list[logging.LogRecord]:  # type: ignore[no-untyped-def]
    return [r for r in caplog.records if r.name == REQUEST_LOGGER]


@pytest.mark.django_db
def test_requests_are_logged_without_query_strings(client, caplog, django_user_model) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client.get("/api/v1/divisions/?q=张三家&limit=1")
    client.get("/api/v1/no-such-thing/?phone=13800000000")
    first, missing = _request_records(caplog)
    assert (first.method, first.path, first.status, first.user) == ("GET", "/api/v1/divisions/", 200, "test-page-viewer")
    assert isinstance(first.duration_ms, float) and first.duration_ms >= 0
    assert missing.status == 404 and missing.path == "/api/v1/no-such-thing/"
    text = caplog.text + "".join(JsonFormatter().format(r) for r in _request_records(caplog))
    assert "张三" not in text and "13800000000" not in text and "q=" not in text

    caplog.clear()
    clerk = django_user_model.objects.create_user("log-clerk", password="x-Passw0rd-123")
    client.force_login(clerk)
    client.get("/healthz")
    (record,) = _request_records(caplog)
    assert record.user == "log-clerk" and record.getMessage().startswith("GET /healthz 200 ")


def test_json_formatter_writes_one_object_with_the_fields() -> None:
    record = logging.makeLogRecord({"name": REQUEST_LOGGER, "levelname": "INFO", "levelno": 20,
                                    "msg": "GET %s", "args": ("/a",), "path": "/a", "status": 200, "user": "王"})
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET /a" and entry["level"] == "INFO" and entry["logger"] == REQUEST_LOGGER
    assert (entry["path"], entry["status"], entry["user"]) == ("/a", 200, "王")
    assert entry["time"].endswith("+00:00")
    try:
        raise ValueError("坏了")
    except ValueError:
        failed = logging.makeLogRecord({"msg": "boom", "exc_info": sys.exc_info()})
    assert "ValueError: 坏了" in json.loads(JsonFormatter().format(failed))["exception"]


def _prod(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GEO_MZ_LOG"))}
    return subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                          timeout=120, env={**clean, "DJANGO_SETTINGS_MODULE": "geo_mz.settings.prod",
                                            "DJANGO_SECRET_KEY": GOOD_SECRET, "DJANGO_ALLOWED_HOSTS": "geo.example.gov.cn",
                                            "DATABASE_URL": "postgres://u:p@127.0.0.1/x", **env})


LOG_ONE = "import django, logging; django.setup(); logging.getLogger('geo_mz.test').warning('门牌 %s', 7)"


def test_production_logs_json_and_text_on_request() -> None:
    result = _prod(LOG_ONE)
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "门牌 7" and entry["level"] == "WARNING" and entry["logger"] == "geo_mz.test"
    text = _prod(LOG_ONE, GEO_MZ_LOG_FORMAT="text")
    assert text.returncode == 0 and text.stderr.strip().endswith("WARNING geo_mz.test 门牌 7")
    wrong = _prod(LOG_ONE, GEO_MZ_LOG_FORMAT="xml")
    assert wrong.returncode != 0 and "GEO_MZ_LOG_FORMAT" in wrong.stderr
