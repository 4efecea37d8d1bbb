"""Reading the trigger-written change history of one record: who may restore, which models have
a history, and each change as a field-level diff in Chinese (unchanged fields hidden, foreign keys
shown by name, geometry as “几何已变更”). Pages, the API and the admin all read through here.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import QuerySet

from apps.accounts.principal import Role
from apps.accounts.resolve import principal_for_user

from .models import ChangeRecord

ACTION_LABELS = {"I": "新增", "U": "修改", "D": "删除"}
GEOMETRY_CHANGED = "几何已变更"
EMPTY = "（空）"


def can_restore(user: Any) -> bool:
    """Whether `user` may restore an old version: administrators (the jurisdiction of the record
    is checked by `restore.restore_version`)."""
    return principal_for_user(user).at_least(Role.ADMINISTRATOR)


def can_view_history(user: Any) -> bool:
    """Staff of every role read the history (the same rule as the other staff pages)."""
    return principal_for_user(user).is_staff


class UnknownRecord(LookupError):
    """The model label or record key names nothing with a recorded history (a 404)."""


def tracked_tables() -> set[str]:
    """Tables that carry the history trigger (`<table>_history`, see `history.track_table_sql`)."""
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE NOT t.tgisinternal AND t.tgname = c.relname || '_history'")
        return {row[0] for row in cur.fetchall()}


def model_for_label(label: str) -> type[models.Model]:
    """`app_label.model` (e.g. `addresses.address`) → the model, if its table has a history."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise UnknownRecord(f"没有这个数据类型：{label}（格式为 app_label.model，如 addresses.address）")
    if model._meta.db_table not in tracked_tables():
        raise UnknownRecord(f"{model._meta.verbose_name}（{label}）没有变更历史")
    return model


def model_label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def records_of(model: type[models.Model], key: str) -> QuerySet[ChangeRecord]:
    """Every change of one row, newest first."""
    return ChangeRecord.objects.filter(table_name=model._meta.db_table, row_id=str(key)).order_by("-at", "-id")


def find_record(model: type[models.Model], key: str) -> models.Model | None:
    """The row as it is now, or None when it no longer exists (its history may still)."""
    try:
        return model._default_manager.filter(pk=key).first()
    except (ValueError, TypeError, ValidationError):  # a key of the wrong type (e.g. "abc" for an integer id)
        raise UnknownRecord(f"记录标识格式不对：{key}")


def resolve(label: str, key: str) -> tuple[type[models.Model], models.Model | None]:
    """The model and current row for a history request; UnknownRecord when neither the row nor
    any recorded change exists."""
    model = model_for_label(label)
    instance = find_record(model, key)
    if instance is None and not records_of(model, key).exists():
        raise UnknownRecord(f"没有这条记录：{label} {key}")
    return model, instance


def by_code(model: type[models.Model], code: str) -> models.Model | None:
    """The current row carrying a public code (`code`, `number` or `plate_no`), for links from
    pages that know codes, not keys (the staff map). Current versions win over retired ones."""
    names = {f.name for f in model._meta.concrete_fields}
    field_name = next((n for n in ("code", "number", "plate_no") if n in names), None)
    if field_name is None:
        return None
    found = model._default_manager.filter(**{field_name: code})
    if "valid_to" in names:
        found = found.order_by(models.F("valid_to").desc(nulls_first=True), "-pk")
    return found.first()


def is_digest(value: Any) -> bool:
    """A geometry kept only as a digest: `{"md5", "npoints"}` or (older records) a bare md5."""
    if isinstance(value, dict):
        return "md5" in value and "type" not in value
    return isinstance(value, str) and len(value) == 32


@dataclass
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    id: int
    action: str
    action_label: str
    actor: str
    at: dt.datetime
    txid: int
    changes: list[FieldChange] = field(default_factory=list)
    geometry_digested: bool = False


def _columns(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.column: f for f in model._meta.concrete_fields}


def _related_labels(model: type[models.Model], records: Iterable[ChangeRecord]) -> dict[str, dict[str, str]]:
    """One query per foreign key: the referenced rows' names, keyed by column and raw value."""
    labels: dict[str, dict[str, str]] = {}
    for column, model_field in _columns(model).items():
        if not isinstance(model_field, models.ForeignKey):
            continue
        keys = {str(row[column]) for r in records for row in (r.before, r.after)
                if row and row.get(column) is not None}
        if not keys:
            continue
        target = model_field.related_model
        try:
            labels[column] = {str(obj.pk): f"{obj}（{obj.pk}）" for obj in target._default_manager.filter(pk__in=keys)}
        except (ValueError, TypeError, ValidationError):  # keys of another type: show the raw values
            labels[column] = {}
    return labels


def display_value(model_field: models.Field | None, value: Any, related: dict[str, str] | None = None) -> str:
    """A stored (jsonb) value as a person reads it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(model_field, GeometryField):
        if is_digest(value):
            points = value.get("npoints") if isinstance(value, dict) else None
            return f"几何（仅存摘要{f'，{points} 个节点' if points else ''}）"
        return f"几何（{value.get('type', '')}）" if isinstance(value, dict) else "几何"
    if related is not None:
        return related.get(str(value), str(value))
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 300 else text[:300] + "…"
    return str(value)


def diff(model: type[models.Model], record: ChangeRecord, related: dict[str, dict[str, str]] | None = None
         ) -> list[FieldChange]:
    """The fields a change touched, in model order (a new or deleted row: every non-empty field)."""
    before, after = record.before or {}, record.after or {}
    related = related or {}
    columns = _columns(model)
    ordered = list(columns) + sorted((set(before) | set(after)) - set(columns))
    out: list[FieldChange] = []
    for column in ordered:
        if column not in before and column not in after:
            continue
        old, new = before.get(column), after.get(column)
        if record.action == "U" and old == new:
            continue
        if record.action != "U" and (old if record.action == "D" else new) in (None, ""):
            continue
        model_field = columns.get(column)
        if getattr(model_field, "auto_now", False):
            continue  # the time of every change: the record's own time says it
        label = str(model_field.verbose_name) if model_field is not None else column
        if isinstance(model_field, GeometryField) and record.action == "U":
            out.append(FieldChange(column, label, GEOMETRY_CHANGED, GEOMETRY_CHANGED))
            continue
        names = related.get(column)
        out.append(FieldChange(column, label,
                               display_value(model_field, old, names) if record.action != "I" else "",
                               display_value(model_field, new, names) if record.action != "D" else ""))
    return out


def history_entries(model: type[models.Model], records: Iterable[ChangeRecord]) -> list[HistoryEntry]:
    """Change records (one page of them) as entries with their diffs."""
    records = list(records)
    related = _related_labels(model, records)
    geometry_columns = {c for c, f in _columns(model).items() if isinstance(f, GeometryField)}
    entries = []
    for r in records:
        version = r.before if r.action == "D" else r.after
        digested = any(is_digest((version or {}).get(c)) for c in geometry_columns)
        entries.append(HistoryEntry(r.pk, r.action, ACTION_LABELS.get(r.action, r.action), r.actor, r.at, r.txid,
                                    diff(model, r, related), digested))
    return entries
