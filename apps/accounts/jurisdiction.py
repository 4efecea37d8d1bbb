"""Jurisdiction checks the services and selectors share: may the acting principal change this
record, and which rows may it read where reads are not public.

Services call `require_edit(record, what)` before writing; selectors of non-public data filter with
`scope_q(...)`. Both take the principal from `context.current_principal()`.
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from functools import reduce
from typing import Any

from django.db.models import Q
from rest_framework import exceptions

from .context import current_principal
from .principal import Principal, Role


class JurisdictionDenied(exceptions.PermissionDenied):
    default_code = "jurisdiction"


def division_codes(record: Any) -> list[str]:
    """The division codes a record belongs to: the codes of its foreign keys to Division (county,
    township, village, parties of a boundary line …). A division itself belongs to its parent: the
    level above decides on a township's record."""
    from apps.divisions.models import Division

    if isinstance(record, Division):
        parent = record.parent
        return [parent.code] if parent is not None and parent.code else []
    codes = []
    for field in record._meta.concrete_fields:
        # The id first: an unsaved record may not have every required division set yet.
        if field.is_relation and field.related_model is Division and getattr(record, field.attname) is not None:
            division = getattr(record, field.name)
            if division is not None and division.code:
                codes.append(division.code)
    return codes


def _denied(principal: Principal, what: str) -> JurisdictionDenied:
    return JurisdictionDenied(f"无权修改辖区外的记录：{what}（本账号辖区 {principal.jurisdiction}）")


def require_role(role: Role, action: str = "修改数据") -> Principal:
    principal = current_principal()
    if not principal.at_least(role):
        raise exceptions.PermissionDenied(f"当前账号无权{action}（需要{role.label}及以上角色）")
    return principal


def require_codes(codes: Iterable[str | None], what: str, role: Role = Role.EDITOR) -> None:
    """Refuse unless the principal has `role` and the codes lie inside its jurisdiction."""
    principal = require_role(role)
    if not principal.covers(list(codes)):
        raise _denied(principal, what)


def require_edit(record: Any, what: str | None = None) -> None:
    """Refuse unless the acting principal may change `record` (editor inside its jurisdiction)."""
    require_codes(division_codes(record), what or str(record))


def can_edit(principal: Principal, record: Any) -> bool:
    return principal.at_least(Role.EDITOR) and principal.covers(division_codes(record))


def prefix_q(principal: Principal, build: Callable[[str], Q]) -> Q:
    """The filter of a non-public read: `build(prefix)` with the jurisdiction's code prefix;
    everything for "" (superusers, the system) and nothing without a jurisdiction or for a
    principal that is not staff."""
    if principal.jurisdiction == "":
        return Q()
    if principal.prefix is None or not principal.is_staff:
        return Q(pk__in=[])
    return build(principal.prefix)


def scope_q(principal: Principal, *paths: str) -> Q:
    """Rows whose division (through any of `paths`, each ending at a Division) lies inside the
    jurisdiction: for non-public reads."""
    return prefix_q(principal, lambda prefix: reduce(
        operator.or_, (Q(**{f"{path}__code__startswith": prefix}) for path in paths), Q(pk__in=[])))
