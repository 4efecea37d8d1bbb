"""Review of batch rows the matcher could not settle: staff pick the right address (the spelling
becomes an alias, so the same text matches next time) or confirm there is none. Also the
per-department match-rate history."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.common.errors import DomainRuleError
from apps.common.history import acting_as

from .matching.normalize import normalize
from .models import AddressAlias, AddressIdentity, MatchBatch, ReviewItem


def open_items(department: str | None = None) -> QuerySet:
    items = ReviewItem.objects.filter(resolved__isnull=True, no_match=False).select_related("batch")
    return items.filter(batch__department=department) if department else items


def resolve(item: ReviewItem, address_code: str | None, *, actor: str) -> ReviewItem:
    """`address_code`: the address the row means (it becomes an alias of that spelling), or None
    for "no such address"."""
    if item.resolved_id or item.no_match:
        raise DomainRuleError("该行已处理", "item")
    with acting_as(actor):
        if address_code:
            identity = AddressIdentity.objects.filter(code=address_code).first()
            if identity is None:
                raise DomainRuleError(f"没有编码为 {address_code} 的地址", "code")
            spelling = normalize(item.query)
            if spelling:
                AddressAlias.objects.update_or_create(spelling=spelling[:300],
                                                      defaults={"identity": identity, "created_by": actor})
            item.resolved = identity
        else:
            item.no_match = True
        item.resolved_by, item.resolved_at = actor, timezone.now()
        item.save()
        return item


def department_history() -> dict[str, list[dict[str, Any]]]:
    """Match rate of every finished batch, by department, oldest first (feeds the 86.85 %-style
    figures the bureau reports)."""
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for batch in MatchBatch.objects.filter(job__status="succeeded").select_related("job").order_by("created_at"):
        history[batch.department].append({"batch": batch.pk, "date": batch.created_at.date().isoformat(),
                                          "rows": batch.rows, "matched": batch.matched,
                                          "match_rate": round(batch.match_rate, 4)})
    return dict(history)
