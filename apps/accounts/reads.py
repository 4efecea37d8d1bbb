"""Jurisdiction checks for non-public reads that concern one record or one area (a change history,
an analysis run, a county's audit): refuse with 403 problem+json when it lies outside the acting
principal's jurisdiction. Lists of such data are filtered with `jurisdiction.scope_q` instead."""
from __future__ import annotations

from collections.abc import Iterable

from rest_framework import exceptions

from .context import current_principal
from .jurisdiction import JurisdictionDenied
from .principal import Principal


def overlaps(principal: Principal, code: str) -> bool:
    """True when the area `code` and the jurisdiction overlap: one lies inside the other (a county's
    clerk may read the county's own summaries, a township's clerk its county's)."""
    if principal.jurisdiction is None:
        return False
    return principal.jurisdiction == "" or code.startswith(principal.jurisdiction) or \
        principal.jurisdiction.startswith(code)


def require_read(codes: Iterable[str | None], what: str) -> Principal:
    """Refuse unless a staff principal's jurisdiction covers one of `codes` (a non-public record)."""
    principal = current_principal()
    if not principal.is_staff:
        raise exceptions.PermissionDenied("仅限工作人员")
    if not principal.covers(list(codes)):
        raise JurisdictionDenied(f"无权查看辖区外的数据：{what}（本账号辖区 {principal.jurisdiction}）")
    return principal
