"""From a Django user or an API key to the `Principal` the checks use."""
from __future__ import annotations

from typing import Any

from .models import ApiKey, StaffProfile
from .principal import PUBLIC, Principal, Role


def principal_for_user(user: Any) -> Principal:
    if user is None or not user.is_authenticated or not user.is_active:
        return PUBLIC
    name = user.get_username()
    if user.is_superuser:
        return Principal(name, Role.ADMINISTRATOR, "", read_only=False)
    try:
        profile = user.staff_profile
    except StaffProfile.DoesNotExist:
        # Logged in without a role (e.g. a half-made account): may read nothing non-public.
        return Principal(name, None, None)
    role = Role(profile.role)
    return Principal(name, role, profile.jurisdiction, department=profile.department,
                     read_only=role < Role.EDITOR)


def principal_for_key(key: ApiKey) -> Principal:
    return Principal(f"apikey:{key.prefix}", None, key.jurisdiction, api_key_id=key.pk,
                     department=key.department)
