"""Restoring a record to an earlier version from its trigger-written history (administrators only;
the views ask `audit.can_restore`).

`restore_version(change_record_id, actor)` sets the row back to the field values of that version
(the record's `after`; for a deletion its `before`, re-creating the row), in one transaction under
`acting_as(actor)`, validated with the model's `full_clean`, so the trigger records the restore
itself as a new change. What is never restored, and why:

* the primary key, public codes (`code`, `number`, `plate_no`: never reused, never rewritten),
  non-editable fields (uuids, QR tokens), generated columns and automatic timestamps;
* lifecycle fields (status, stage, validity dates, successor, retirement, approval and
  announcement data): they change only through the register's own acts (approve, rename,
  retire, …), which keep their own records. They stay as they are and the result names them;
* a row that is retired (失效/撤销/注销) is refused as a whole: restoring it would revive it;
* a record whose lifecycle froze fields (an announced place name's six announced fields) is refused
  when the restore would change one of them;
* a geometry kept only as a digest (more than `history.HISTORY_MAX_POINTS` vertices) cannot be
  brought back: if the current geometry differs from it the restore is refused (nothing changes);
  if it is the same geometry the attributes are restored.

Refusals raise `DomainRuleError` (422) or `ConflictError` (409) before anything is committed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models

from apps.accounts.jurisdiction import division_codes, require_codes
from apps.accounts.principal import Role

from .audit import UnknownRecord, is_digest
from .errors import ConflictError, DomainRuleError
from .history import HISTORY_MAX_POINTS, acting_as
from .models import ChangeRecord

CODE_FIELDS = frozenset({"code", "number", "plate_no"})
LIFECYCLE_FIELDS = frozenset({
    "status", "stage", "state", "valid_from", "valid_to", "successor", "predecessor", "replaced_by",
    "retired_on", "status_since", "token_active", "cancelled_on", "cancel_reason", "proposed_on", "submitted_on",
    "approving_authority", "approval_document", "approved_on", "announced_on"})
RETIREMENT_FIELDS = ("valid_to", "retired_on", "cancelled_on")


@dataclass(frozen=True)
class Freeze:
    """Fields a lifecycle state freezes: while `applies(row)`, a restore may not change them."""
    applies: Callable[[models.Model], bool]
    fields: tuple[str, ...]
    reason: str


# Per-model additions, by `app_label.model`.
EXTRA_KEPT: dict[str, frozenset[str]] = {
    "addresses.address": frozenset({"identity", "version"}),
    "placenames.placename": frozenset({"name", "specific", "generic", "pinyin", "pinyin_tones", "search_pinyin",
                                       "initials", "check_warnings", "register_kind", "register_key", "county"}),
}
FREEZES: dict[str, Freeze] = {
    "placenames.placename": Freeze(
        lambda row: row.status == "已公告",
        ("name", "pinyin", "division", "location_description", "approving_authority", "approved_on"),
        "已公告地名的六项公告内容（标准名称、罗马字母拼写、所属政区、位置描述、批准机关、批准时间）已冻结，"
        "只能通过更名等法定程序变更"),
}


def _placename_romanise(row: models.Model) -> None:
    from apps.placenames.services import _apply_romanisation  # the gazetteer's own spelling rule

    _apply_romanisation(row)


AFTER: dict[str, Callable[[models.Model], None]] = {"placenames.placename": _placename_romanise}


@dataclass
class RestoreResult:
    instance: models.Model
    restored: list[str] = field(default_factory=list)      # verbose names of the fields set back
    kept: list[str] = field(default_factory=list)          # differing fields deliberately left as they are
    created: bool = False
    change_record_id: int | None = None
    message: str = ""


def model_for_table(table: str) -> type[models.Model]:
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            return model
    raise UnknownRecord(f"数据表 {table} 已不存在")


def _never_restored(model: type[models.Model], f: models.Field) -> bool:
    return (f.primary_key or not f.editable or isinstance(f, models.GeneratedField)
            or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))


def _kept(model: type[models.Model], f: models.Field) -> bool:
    return (f.name in CODE_FIELDS or f.name in LIFECYCLE_FIELDS
            or f.name in EXTRA_KEPT.get(model._meta.label_lower, frozenset()))


def geometry_from_history(value: dict[str, Any]) -> GEOSGeometry:
    """A geometry as the trigger stored it (GeoJSON with a crs member) back as a GEOS geometry,
    parsed by PostGIS itself so the SRID and every digit come back as they were."""
    with connection.cursor() as cur:
        cur.execute("SELECT ST_GeomFromGeoJSON(%s::jsonb)::text", [json.dumps(value)])
        return GEOSGeometry(cur.fetchone()[0])


def _current_digest(model: type[models.Model], column: str, pk: Any) -> str | None:
    """md5 of the row's geometry as the trigger computes it, to compare with a stored digest."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT md5(coalesce(to_jsonb(t)->>%s, '')) FROM {table} t WHERE "
                    f"{connection.ops.quote_name(model._meta.pk.column)} = %s", [column, pk])
        row = cur.fetchone()
    return row[0] if row else None


def _value(model: type[models.Model], f: models.Field, raw: Any, pk: Any) -> tuple[bool, Any]:
    """(restore?, python value) for one stored jsonb value."""
    if isinstance(f, GeometryField):
        if raw is None:
            return True, None
        if is_digest(raw):
            digest = raw.get("md5") if isinstance(raw, dict) else raw
            if _current_digest(model, f.column, pk) == digest:
                return False, None  # the same geometry as now: nothing to bring back
            points = raw.get("npoints") if isinstance(raw, dict) else None
            raise DomainRuleError(
                f"该版本的{f.verbose_name}{f'有 {points} 个节点，' if points else ''}超过 {HISTORY_MAX_POINTS} 个节点，"
                f"历史中只保存了摘要，无法恢复；当前{f.verbose_name}已与该版本不同，本次未做任何修改。", f.name)
        return True, geometry_from_history(raw)
    if raw is None:
        return True, None
    if isinstance(f, models.ForeignKey):
        return True, f.target_field.to_python(raw)
    if isinstance(f, models.DecimalField):
        raw = str(raw)
    return True, f.to_python(raw)


def _refuse_retired(row: models.Model) -> None:
    for name in RETIREMENT_FIELDS:
        if getattr(row, name, None) is not None:
            label = row._meta.get_field(name).verbose_name
            raise DomainRuleError(f"该记录已失效（{label}：{getattr(row, name)}），不能恢复旧版本；"
                                  "如需重新启用，请按登记程序办理新的记录。", name)


def _check_freeze(label: str, row: models.Model, before: dict[str, Any]) -> None:
    freeze = FREEZES.get(label)
    if freeze is None or not freeze.applies(row):
        return
    changed = [str(row._meta.get_field(n).verbose_name) for n in freeze.fields
               if getattr(row, row._meta.get_field(n).attname) != before[n]]
    if changed:
        raise DomainRuleError(f"{freeze.reason}；恢复该版本会改变：{'、'.join(changed)}。本次未做任何修改。", "change_record")


def _apply(model: type[models.Model], row: models.Model, values: dict[str, Any], creating: bool,
           result: RestoreResult) -> None:
    for f in model._meta.concrete_fields:
        if f.column not in values or _never_restored(model, f):
            continue
        if not creating and _kept(model, f):
            stored = values[f.column]
            if not isinstance(f, GeometryField) and f.to_python(stored) != getattr(row, f.attname) \
                    and not (isinstance(f, models.ForeignKey) and str(stored) == str(getattr(row, f.attname))):
                result.kept.append(str(f.verbose_name))
            continue
        restore, value = _value(model, f, values[f.column], row.pk)
        if not restore:
            continue
        if getattr(row, f.attname) != value:
            result.restored.append(str(f.verbose_name))
        setattr(row, f.attname, value)


def _message(result: RestoreResult, record: ChangeRecord) -> str:
    text = f"已恢复到 {record.at:%Y-%m-%d %H:%M:%S} 的版本（变更记录 #{record.pk}）"
    text += f"：{'、'.join(result.restored)}" if result.restored else ""
    if result.kept:
        text += f"。以下字段属于编码或生命周期，须通过相应业务办理，未恢复：{'、'.join(result.kept)}"
    return text


def restore_version(change_record_id: int, actor: str) -> RestoreResult:
    """Set the row back to the version recorded by `change_record_id` (see the module docstring).
    Raises UnknownRecord (404), DomainRuleError (422) or ConflictError (409); nothing is written
    then."""
    record = ChangeRecord.objects.filter(pk=change_record_id).first()
    if record is None:
        raise UnknownRecord(f"没有这条变更记录：{change_record_id}")
    model = model_for_table(record.table_name)
    label = model._meta.label_lower
    values = record.before if record.action == "D" else record.after
    if not values:
        raise UnknownRecord(f"变更记录 {change_record_id} 没有可恢复的内容")
    try:
        with acting_as(actor):
            row = model._default_manager.select_for_update().filter(pk=record.row_id).first()
            creating = row is None
            if creating:
                row = model(pk=model._meta.pk.to_python(record.row_id))
            else:
                _refuse_retired(row)
                # Administrators restore inside their jurisdiction: the record as it is now …
                require_codes(division_codes(row), f"{model._meta.verbose_name} {row.pk}", role=Role.ADMINISTRATOR)
            before = {f.name: getattr(row, f.attname) for f in model._meta.concrete_fields}
            result = RestoreResult(instance=row, created=creating)
            _apply(model, row, values, creating, result)
            # … and as it would be after the restore.
            require_codes(division_codes(row), f"{model._meta.verbose_name} {row.pk}", role=Role.ADMINISTRATOR)
            if label in AFTER:
                AFTER[label](row)
            if not creating:
                _check_freeze(label, row, before)
                if not result.restored:
                    raise ConflictError("该版本与当前记录相同（可恢复的字段都没有变化），无需恢复。")
            try:
                # Django cannot evaluate ST_IsValid on an empty geometry: leave those to the database.
                empty_geometries = [f.name for f in model._meta.concrete_fields
                                    if isinstance(f, GeometryField) and getattr(row, f.attname) is None]
                row.full_clean(exclude=empty_geometries, validate_unique=True, validate_constraints=True)
            except ValidationError as exc:
                raise DomainRuleError("恢复后的记录未通过校验：" + "；".join(
                    f"{k}: {'、'.join(v)}" for k, v in exc.message_dict.items()), "change_record")
            row.save(force_insert=creating)
            latest = ChangeRecord.objects.filter(table_name=record.table_name, row_id=record.row_id).order_by("-id").first()
            result.change_record_id = latest.pk if latest else None
    except IntegrityError as exc:
        raise ConflictError(f"恢复该版本会与现有记录冲突（{str(exc).splitlines()[0]}），本次未做任何修改。")
    result.message = _message(result, record)
    return result
