"""Readable register codes made of a prefix and a zero-padded sequence (地名代码, 设施编码…).

Rows are never deleted, so the highest code under a prefix + 1 is never a reused code. A
transaction-scoped advisory lock on the prefix serialises concurrent writers (the unique
constraint on the code is the last line of defence)."""
from __future__ import annotations

from django.db import connection
from django.db.models import Model

from .errors import ConflictError


def next_code(model: type[Model], prefix: str, digits: int, field: str = "code") -> str:
    """The next free `prefix + NNNN` code of `model` (call inside a transaction)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{model._meta.db_table}:{prefix}"])
    last = (model.objects.filter(**{f"{field}__startswith": prefix}).order_by(f"-{field}")
            .values_list(field, flat=True).first())
    seq = int(last[len(prefix):]) + 1 if last else 1
    if seq >= 10 ** digits:
        raise ConflictError(f"{prefix} 下的编码已用尽")
    return f"{prefix}{seq:0{digits}d}"
