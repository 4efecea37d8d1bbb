"""Validity in time shared by every versioned register: a row is in force on a day when
valid_from ≤ day < valid_to, an open end being unbounded."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet


def valid_on(queryset: QuerySet, day: dt.date) -> QuerySet:
    return queryset.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day),
                           Q(valid_to__isnull=True) | Q(valid_to__gt=day))
