"""Writes of the accounts register (admin, commands and the API call these): staff accounts with
role and jurisdiction, and API keys (see `keys`). Administrators only; one transaction each."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.common.errors import DomainRuleError
from apps.divisions.codes import is_division_code
from apps.divisions.models import Division

from .jurisdiction import require_codes
from .models import StaffProfile
from .principal import Role


def check_jurisdiction_code(code: str) -> Division:
    """The division a jurisdiction code names (current or not: old codes are never reused)."""
    if not is_division_code(code):
        raise DomainRuleError("辖区应为 6、9 或 12 位区划代码", "jurisdiction")
    division = Division.objects.filter(code=code).order_by("-valid_from").first()
    if division is None:
        raise DomainRuleError(f"区划代码 {code} 不存在", "jurisdiction")
    return division


@transaction.atomic
def save_staff_account(username: str, *, role: Role, jurisdiction: str, password: str | None = None,
                       department: str = "") -> StaffProfile:
    """Create or update a staff account. The acting administrator may only hand out jurisdictions
    inside its own."""
    check_jurisdiction_code(jurisdiction)
    require_codes([jurisdiction], f"账号 {username}", role=Role.ADMINISTRATOR)
    user, created = get_user_model().objects.get_or_create(username=username)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainRuleError("；".join(exc.messages), "password") from exc
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.is_staff = True  # every role may open the admin; what it may do there is the role's
    user.save()
    profile, _ = StaffProfile.objects.update_or_create(
        user=user, defaults={"role": int(role), "jurisdiction": jurisdiction, "department": department})
    return profile
