"""Writes to the division register. Every function here is one transaction and records who acted
(`apps.common.history.acting_as`); commands, admin actions and the API all call these. The acting
principal must be an editor whose jurisdiction holds the level above the division (a township's
record belongs to its county); loaders and commands act as the system."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from apps.accounts.jurisdiction import require_codes, require_edit
from apps.common.errors import ConflictError, DomainRuleError
from apps.common.history import acting_as
from apps.common.models import DataSource

from .codes import code_level_ok
from .models import ChangeKind, Division, DivisionChange, Level, Scope, Status


@dataclass
class NewDivision:
    """What a change creates: a new version of a division (or a brand-new one)."""

    name: str
    level: str
    code: str | None = None
    short_name: str = ""
    kind: str = ""
    parent: Division | None = None
    geometry: GEOSGeometry | None = None
    scope: str | None = None  # default: inherited from the first predecessor
    extra: dict = field(default_factory=dict)


def as_multipolygon(geom: GEOSGeometry | None) -> MultiPolygon | None:
    if geom is None:
        return None
    if geom.geom_type == "Polygon":
        geom = MultiPolygon(geom, srid=geom.srid)
    if geom.geom_type != "MultiPolygon":
        raise DomainRuleError(f"边界必须是面（Polygon/MultiPolygon），收到 {geom.geom_type}", "geometry")
    if not geom.valid:
        raise DomainRuleError(f"边界几何无效：{geom.valid_reason}", "geometry")
    return geom


def reserve_code(code: str, level: str, *, inherited_from: Sequence[Division] = ()) -> None:
    """Refuse a code that is malformed, or held now or ever by a division that is not one of
    `inherited_from` (a renamed division may keep its own code; nobody else may take it)."""
    if not code_level_ok(code, level):
        raise DomainRuleError(f"代码 {code} 与层级 {Level(level).label} 不符", "code")
    holders = Division.objects.filter(code=code).exclude(pk__in=[d.pk for d in inherited_from if d.pk])
    if holders.exists():
        holder = holders.order_by("-valid_from").first()
        raise ConflictError(f"代码 {code} 已被 {holder.name} 使用过，区划代码不得重复使用")


def create_division(spec: NewDivision, *, actor: str, valid_from: dt.date | None = None,
                    source: DataSource | None = None) -> Division:
    require_codes([spec.parent.code] if spec.parent is not None and spec.parent.code else [],
                  f"{spec.name}（上级区划决定）")
    with acting_as(actor):
        if spec.code:
            reserve_code(spec.code, spec.level)
        division = Division(
            code=spec.code or None, name=spec.name, short_name=spec.short_name, level=spec.level,
            kind=spec.kind, parent=spec.parent, geometry=as_multipolygon(spec.geometry),
            valid_from=valid_from, scope=spec.scope or Scope.GAZETTEER, source=source, **spec.extra,
        )
        division.full_clean(exclude=["uid"], validate_constraints=False)  # the database checks them
        division.save()
        return division


def apply_change(*, kind: str, effective_date: dt.date, before: Sequence[Division],
                 after_new: Sequence[NewDivision] = (), after_existing: Sequence[Division] = (),
                 actor: str, approval_type: str = "", authority: str = "", document_no: str = "",
                 description: str = "", before_text: str = "", after_text: str = "",
                 natural_key: str | None = None, source: DataSource | None = None,
                 successors_begin: bool = True) -> DivisionChange:
    """Apply an approved adjustment: retire `before` on `effective_date`, create `after_new`
    (new versions; a code may be inherited from a predecessor), link predecessors/successors,
    move the current children of a retired division to its single successor of the same level,
    and record the change event. Nothing is deleted and no code is reused.

    `successors_begin`: an existing successor whose start is unknown starts on this date (its
    current version dates from the change); False when it merely absorbs, e.g. an abolition."""
    if kind not in ChangeKind.values:
        raise DomainRuleError(f"未知的变更类型 {kind}", "kind")
    # Every division changed and every new one's parent must lie in the jurisdiction (a division's
    # record belongs to the level above it).
    for division in [*before, *after_existing]:
        require_edit(division, division.name)
    for spec in after_new:
        require_codes([spec.parent.code] if spec.parent is not None and spec.parent.code else [], spec.name)
    with acting_as(actor):
        if natural_key:
            found = DivisionChange.objects.filter(natural_key=natural_key).first()
            if found:
                return found  # idempotent re-import
        for old in before:
            old.refresh_from_db()
            if old.valid_to is not None:
                raise DomainRuleError(f"{old.name} 已于 {old.valid_to} 失效，不能再次变更", "before")
            if old.valid_from and old.valid_from >= effective_date:
                raise DomainRuleError(f"{old.name} 生效于 {old.valid_from}，变更日期必须晚于此日", "effective_date")
        created: list[Division] = []
        # Retire first so an inherited code is free under the "one current holder" constraint.
        for old in before:
            old.valid_to = effective_date
            old.status = Status.RETIRED
            old.save(update_fields=["valid_to", "status", "updated_at"])
        for spec in after_new:
            if spec.code:
                reserve_code(spec.code, spec.level, inherited_from=before)
            scope = spec.scope or (before[0].scope if before else Scope.GAZETTEER)
            division = Division(
                code=spec.code or None, name=spec.name, short_name=spec.short_name, level=spec.level,
                kind=spec.kind, parent=spec.parent, geometry=as_multipolygon(spec.geometry),
                valid_from=effective_date, scope=scope, source=source, **spec.extra,
            )
            division.full_clean(exclude=["uid"], validate_constraints=False)  # the database checks them
            division.save()
            created.append(division)
        for existing in after_existing:
            if existing.valid_to is not None:
                raise DomainRuleError(f"{existing.name} 已失效，不能作为变更后区划", "after")
            if existing.valid_from is None and successors_begin:
                # Its current version (extent or name) dates from this change.
                existing.valid_from = effective_date
                existing.save(update_fields=["valid_from", "updated_at"])
        successors = created + list(after_existing)
        for new in successors:
            new.predecessors.add(*before)
        for old in before:
            same_level = [s for s in successors if s.level == old.level]
            if len(same_level) == 1:
                Division.objects.filter(parent=old, valid_to__isnull=True).update(parent=same_level[0])
        change = DivisionChange.objects.create(
            kind=kind, effective_date=effective_date, approval_type=approval_type, authority=authority,
            document_no=document_no, description=description, natural_key=natural_key, source=source,
            before_text=before_text or "、".join(d.name for d in before),
            after_text=after_text or "、".join(d.name for d in successors), recorded_by=actor,
        )
        change.before.add(*before)
        change.after.add(*successors)
        return change


def infer_change_kind(before_names: Sequence[str], after_name: str, before_parent: str, after_parent: str) -> str:
    """Classify a change from names alone (the public change list has no kind column)."""
    if len(before_names) > 1:
        return ChangeKind.MERGE
    old = before_names[0]
    if old == after_name:
        return ChangeKind.TRANSFER if before_parent != after_parent else ChangeKind.OTHER
    if old.endswith("县") and after_name.endswith("市"):
        return ChangeKind.COUNTY_TO_CITY
    if old.endswith(("县", "市")) and after_name.endswith("区") and not old.endswith("区"):
        return ChangeKind.TO_DISTRICT
    if old.endswith("乡") and after_name.endswith("镇"):
        return ChangeKind.TOWNSHIP_TO_TOWN
    return ChangeKind.RENAME


