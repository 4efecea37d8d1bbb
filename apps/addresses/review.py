"""Review of batch rows the matcher could not settle: staff pick the right address (the spelling
becomes an alias, so the same text matches next time) or confirm there is none. Also the
per-department match-rate history, and who may see which batch (and its job).

Batches are not public: an API key sees only its own; staff see the batches sent from inside
their jurisdiction (a county account sees its townships' batches, a township clerk only its own
township's); resolving a row writes an alias of an address, so it needs an editor whose
jurisdiction holds that address."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.jurisdiction import prefix_q, require_role
from apps.accounts.principal import Principal, Role
from apps.common.models import Job

from apps.common.errors import DomainRuleError
from apps.common.history import acting_as

from .matching.normalize import normalize
from .models import AddressAlias, AddressIdentity, MatchBatch, ReviewItem
from .services import require_identity_edit


def batch_jurisdiction(principal: Principal) -> str:
    """The jurisdiction a new batch is filed under: the sender's, or the home county for senders
    who cover everything (superusers and department keys)."""
    return principal.jurisdiction or settings.GEO_MZ_HOME_COUNTY


def visible_batches(principal: Principal) -> QuerySet:
    batches = MatchBatch.objects.all()
    if principal.is_api_key:
        return batches.filter(api_key_id=principal.api_key_id)
    return batches.filter(prefix_q(principal, lambda prefix: Q(jurisdiction__startswith=prefix)))


def visible_job(principal: Principal, job_id: int) -> Job | None:
    """The job if `principal` may see it: a batch job by its batch's visibility; any other job
    (e.g. a big export) by whoever sent it, or staff who cover everything."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return None
    batch = MatchBatch.objects.filter(job=job).first()
    if batch is not None:
        return job if visible_batches(principal).filter(pk=batch.pk).exists() else None
    if job.created_by == principal.name or (principal.is_staff and principal.jurisdiction == ""):
        return job
    return None


def open_items(principal: Principal, department: str | None = None) -> QuerySet:
    items = ReviewItem.objects.filter(resolved__isnull=True, no_match=False, batch__in=visible_batches(principal)
                                      ).select_related("batch")
    return items.filter(batch__department=department) if department else items


def resolve(item: ReviewItem, address_code: str | None, *, actor: str) -> ReviewItem:
    """`address_code`: the address the row means (it becomes an alias of that spelling), or None
    for "no such address"."""
    if item.resolved_id or item.no_match:
        raise DomainRuleError("该行已处理", "item")
    require_role(Role.EDITOR, "处理匹配复核")
    with acting_as(actor):
        if address_code:
            identity = AddressIdentity.objects.filter(code=address_code).first()
            if identity is None:
                raise DomainRuleError(f"没有编码为 {address_code} 的地址", "code")
            require_identity_edit(identity, f"地址 {identity.code} 的别名")
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


def department_history(principal: Principal) -> dict[str, list[dict[str, Any]]]:
    """Match rate of every finished batch the principal may see, by department (a key's batches
    under the key's department), oldest first (feeds the 86.85 %-style figures the bureau reports)."""
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for batch in visible_batches(principal).filter(job__status="succeeded").select_related("job").order_by("created_at"):
        history[batch.department].append({"batch": batch.pk, "date": batch.created_at.date().isoformat(),
                                          "rows": batch.rows, "matched": batch.matched,
                                          "match_rate": round(batch.match_rate, 4)})
    return dict(history)
