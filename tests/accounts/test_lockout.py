"""Login lockout on the staff login page and the admin login: after the configured number of
failures the right password is refused too, until the window has passed; a success clears the
count."""
from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from apps.accounts.models import LoginFailure
from tests.conftest import make_staff

PASSWORD = "Qianyuan-镇-2026!"


@pytest.fixture
def clerk(db):  # type: ignore[no-untyped-def]
    return make_staff("lock-clerk", role="editor", jurisdiction="330521100", password=PASSWORD)


def _login(client: Client, password: str, url: str = "/accounts/login/", username: str = "lock-clerk"):  # type: ignore[no-untyped-def]
    return client.post(url, {"username": username, "password": password})


def test_right_password_logs_in_and_opens_the_map(clerk) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = _login(client, PASSWORD)
    assert response.status_code == 302
    assert client.get("/map/").status_code == 200


def test_lockout_after_repeated_failures_refuses_the_right_password(clerk) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(settings.GEO_MZ_LOGIN_MAX_FAILURES):
        assert _login(client, "wrong-password").status_code == 200
    assert LoginFailure.objects.filter(username="lock-clerk").count() == settings.GEO_MZ_LOGIN_MAX_FAILURES
    response = _login(client, PASSWORD)
    assert response.status_code == 200
    assert "已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The admin login uses the same lock.
    response = _login(Client(), PASSWORD, url="/admin/login/")
    assert response.status_code == 200 and "已临时锁定" in response.content.decode()


def test_lock_ends_after_the_window_and_success_clears_failures(clerk) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(settings.GEO_MZ_LOGIN_MAX_FAILURES):
        _login(client, "wrong-password")
    past = dt.timedelta(minutes=settings.GEO_MZ_LOGIN_LOCK_MINUTES + 1)
    for failure in LoginFailure.objects.filter(username="lock-clerk"):
        LoginFailure.objects.filter(pk=failure.pk).update(at=failure.at - past)
    assert _login(client, PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="lock-clerk").exists()


def test_fewer_failures_than_the_limit_do_not_lock(clerk) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(settings.GEO_MZ_LOGIN_MAX_FAILURES - 1):
        _login(client, "wrong-password")
    assert _login(client, PASSWORD).status_code == 302


def test_one_client_trying_many_usernames_is_locked(clerk) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for i in range(settings.GEO_MZ_LOGIN_MAX_FAILURES_PER_CLIENT):
        _login(client, "guess", username=f"nobody-{i}")
    response = _login(client, PASSWORD)
    assert response.status_code == 200 and "已临时锁定" in response.content.decode()
