"""Department API keys: issue (shown once, stored hashed), look up, revoke, and the per-key rate
limit, counted per minute in PostgreSQL so every gunicorn worker shares one counter."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from apps.common.errors import DomainRuleError

from .models import ApiKey

KEY_PREFIX = "gmz"


def _hash(key: str) -> str:
    # Keys are 190 random bits: a fast hash cannot be brute-forced, and lookups stay one index probe.
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # the whole key, shown to the administrator once


def issue_key(department: str, *, created_by: str, name: str = "", rate_limit_per_minute: int = 120,
              jurisdiction: str = "") -> IssuedKey:
    department = department.strip()
    if not department:
        raise DomainRuleError("请填写部门名称", "department")
    if jurisdiction and not (jurisdiction.isdigit() and len(jurisdiction) in (6, 9, 12)):
        raise DomainRuleError("查询范围应为 6、9 或 12 位区划代码", "jurisdiction")
    if rate_limit_per_minute < 1:
        raise DomainRuleError("每分钟请求上限至少为 1", "rate_limit_per_minute")
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    key = ApiKey.objects.create(department=department, name=name, prefix=prefix, key_hash=_hash(secret),
                                rate_limit_per_minute=rate_limit_per_minute, jurisdiction=jurisdiction,
                                created_by=created_by)
    return IssuedKey(key, secret)


def revoke_key(key: ApiKey, *, revoked_by: str) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = revoked_by
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key


def find_key(secret: str) -> ApiKey | None:
    """The active key for a presented secret, or None (unknown or revoked)."""
    if not secret.startswith(KEY_PREFIX + "_") or len(secret) > 100:
        return None
    return ApiKey.objects.filter(key_hash=_hash(secret), revoked_at__isnull=True).first()


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # seconds until the window ends (only meaningful when refused)


def count_request(key: ApiKey, now: dt.datetime | None = None) -> RateDecision:
    """Count one request of `key` in the current minute; refuse it over the key's limit. One
    upsert, atomic across workers."""
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """INSERT INTO accounts_apikeyusage (key_id, minute, requests, refused) VALUES (%s, %s, 1, 0)
               ON CONFLICT (key_id, minute) DO UPDATE SET requests = accounts_apikeyusage.requests + 1
               RETURNING requests""", [key.pk, minute])
        requests = cur.fetchone()[0]
        if requests <= key.rate_limit_per_minute:
            return RateDecision(True, 0)
        # Refused requests do not count against the limit, but are kept for the statistics.
        cur.execute("UPDATE accounts_apikeyusage SET requests = requests - 1, refused = refused + 1 "
                    "WHERE key_id = %s AND minute = %s", [key.pk, minute])
    retry_after = max(1, int((minute + dt.timedelta(minutes=1) - now).total_seconds() + 0.999))
    return RateDecision(False, retry_after)


def usage_summary(key: ApiKey) -> dict:
    totals = key.usage.aggregate(requests=Sum("requests"), refused=Sum("refused"), last=Max("minute"))
    return {"requests": totals["requests"] or 0, "refused": totals["refused"] or 0, "last_used": totals["last"]}
