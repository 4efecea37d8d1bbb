"""Department API keys end to end: a key reads registers, is refused writes and pages, is
rate-limited per minute with 429 + Retry-After, is counted, and stops working when revoked."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.accounts.keys import count_request, issue_key, revoke_key, usage_summary
from apps.accounts.models import ApiKey


@pytest.fixture
def police(db):  # type: ignore[no-untyped-def]
    return issue_key("县公安局", created_by="test-admin", name="户籍系统", rate_limit_per_minute=5)


def test_key_reads_a_register_with_either_header(police) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    response = client.get("/api/v1/divisions/?level=county", HTTP_AUTHORIZATION=f"Api-Key {police.secret}")
    assert response.status_code == 200 and response.json()["features"]
    assert client.get("/api/v1/divisions/?level=county", HTTP_X_API_KEY=police.secret).status_code == 200
    assert usage_summary(police.key)["requests"] == 2


def test_only_a_hash_is_stored(police) -> None:  # type: ignore[no-untyped-def]
    row = ApiKey.objects.get(pk=police.key.pk)
    assert police.secret not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    assert police.secret.startswith(f"gmz_{row.prefix}_")


def test_unknown_and_revoked_keys_are_401(police) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    response = client.get("/api/v1/divisions/", HTTP_AUTHORIZATION="Api-Key gmz_deadbeef_not-a-key")
    assert response.status_code == 401 and response["Content-Type"].startswith("application/problem+json")
    assert "Api-Key" in response["WWW-Authenticate"]
    revoke_key(police.key, revoked_by="test-admin")
    response = client.get("/api/v1/divisions/", HTTP_AUTHORIZATION=f"Api-Key {police.secret}")
    assert response.status_code == 401 and "吊销" in response.json()["detail"]


def test_key_cannot_write_or_open_staff_pages(police) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {police.secret}"}
    response = client.post("/api/v1/divisions/", {"name": "x"}, format="json", **headers)
    assert response.status_code == 403 and response["Content-Type"].startswith("application/problem+json")
    assert client.get("/map/", **headers).status_code == 403
    assert client.get("/admin/", **headers).status_code == 302  # the admin asks for a staff login


def test_rate_limit_answers_429_with_retry_after(police) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {police.secret}"}
    # 12 quick requests at 5 a minute: even if the minute rolls over once, one must be refused.
    responses = [client.get("/api/v1/divisions/?level=county", **headers) for _ in range(12)]
    refused = [r for r in responses if r.status_code == 429]
    assert refused and all(r.status_code in (200, 429) for r in responses)
    assert 1 <= int(refused[0]["Retry-After"]) <= 60
    assert refused[0].json()["status"] == 429 and "每分钟最多 5 次" in refused[0].json()["detail"]
    usage = usage_summary(police.key)
    assert usage["requests"] + usage["refused"] == 12 and usage["refused"] == len(refused)
    assert all(row.requests <= 5 for row in police.key.usage.all())


def test_window_counts_per_minute(police) -> None:  # type: ignore[no-untyped-def]
    start = dt.datetime(2026, 11, 23, 10, 15, 0, tzinfo=dt.timezone.utc)
    decisions = [count_request(police.key, start + dt.timedelta(seconds=s)) for s in (0, 5, 10, 20, 30, 40, 50)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False, False]
    assert decisions[5].retry_after == 20 and decisions[6].retry_after == 10
    assert count_request(police.key, start + dt.timedelta(seconds=61)).allowed  # the next minute
    usage = usage_summary(police.key)
    assert usage == {"requests": 6, "refused": 2, "last_used": start + dt.timedelta(minutes=1)}


def test_command_issues_and_revokes(db, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("issue_api_key", "--department", "县自来水公司", "--rate-limit", "30")
    secret = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(department="县自来水公司")
    assert secret.startswith(f"gmz_{key.prefix}_") and key.rate_limit_per_minute == 30
    call_command("issue_api_key", "--revoke", key.prefix)
    key.refresh_from_db()
    assert key.revoked_at is not None
