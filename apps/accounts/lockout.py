"""Login lockout: after repeated failures an account (and, separately, a client address) is refused
for a while, whatever the password. Applies to the staff login page and the admin login alike,
since both use `LockoutAuthenticationForm`; failures are counted from Django's signals."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from apps.common.clients import client_hash

from .models import LoginFailure


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.GEO_MZ_LOGIN_LOCK_MINUTES)


def locked_for(username: str, client: str) -> int:
    """Minutes until `username` (or this client) may try again; 0 when not locked."""
    since = timezone.now() - _window()
    recent = LoginFailure.objects.filter(at__gte=since)
    by_user = recent.filter(username=username.strip().lower()).order_by("-at")
    by_client = recent.filter(client_hash=client).order_by("-at")
    for failures, limit in ((by_user, settings.GEO_MZ_LOGIN_MAX_FAILURES),
                            (by_client, settings.GEO_MZ_LOGIN_MAX_FAILURES_PER_CLIENT)):
        times = list(failures.values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            # Locked until the window has passed since the limit-th most recent failure.
            until = times[-1] + _window()
            return max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    return 0


@receiver(user_login_failed)
def _record_failure(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150].strip().lower()
    LoginFailure.objects.create(username=username, client_hash=client_hash(request))


@receiver(user_logged_in)
def _forget_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    LoginFailure.objects.filter(username=user.get_username().lower()).delete()


class _LockoutMixin:
    """Checks the lock before the password, so a locked account cannot be probed."""

    request: Any

    def clean(self) -> dict:
        username = self.data.get("username", "") if hasattr(self, "data") else ""
        minutes = locked_for(str(username), client_hash(self.request))
        if minutes:
            raise forms.ValidationError(f"登录失败次数过多，已临时锁定，请 {minutes} 分钟后再试。", code="locked")
        return super().clean()  # type: ignore[misc]


class LockoutAuthenticationForm(_LockoutMixin, AuthenticationForm):
    pass


class LockoutAdminAuthenticationForm(_LockoutMixin, AdminAuthenticationForm):
    pass
