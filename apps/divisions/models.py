"""行政区划 register: one row per *version* of a division, so history is never overwritten.

A rename, 撤县设市, merge or split retires the old rows (valid_to = the change date, status
retired) and links them to their successors; the old rows stay queryable by name, code and date.
Codes are never deleted or given to another division (see `services.reserve_code`). Historical
divisions whose official code is not known (the public change list gives only names) have no
code: they are addressed by their permanent `uid`.
"""
from __future__ import annotations

import uuid

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.db.models import Case, Q, Value, When

from apps.common.models import DataSource

STORAGE_SRID = 4490


class Level(models.TextChoices):
    PROVINCE = "province", "省级"
    PREFECTURE = "prefecture", "地级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"
    VILLAGE = "village", "村级"


# Digits of the code at each level (GB/T 2260 for county and above, statistical codes below).
CODE_LENGTH = {Level.PROVINCE: 6, Level.PREFECTURE: 6, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
LEVEL_ORDER = [Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]


class Status(models.TextChoices):
    CURRENT = "current", "现行"
    RETIRED = "retired", "已变更/撤销"


class Scope(models.TextChoices):
    """Why a division is in this register; also the default list order (our own counties first)."""

    JURISDICTION = "jurisdiction", "本辖区"
    NEIGHBOUR = "neighbour", "相邻区划"
    CONTEXT = "context", "上级区划"
    GAZETTEER = "gazetteer", "全国名录"


SCOPE_RANK = {Scope.JURISDICTION: 0, Scope.NEIGHBOUR: 1, Scope.CONTEXT: 2, Scope.GAZETTEER: 3}


class Division(models.Model):
    uid = models.UUIDField("永久标识", default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField("区划代码", max_length=12, null=True, blank=True, db_index=True,
                            help_text="县级及以上 6 位，乡级 9 位，村级 12 位；历史区划代码不详时为空")
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    level = models.CharField("层级", max_length=12, choices=Level.choices)
    kind = models.CharField("类型", max_length=20, blank=True, help_text="如 省、地级市、县、市辖区、街道、镇、乡、社区、村")
    parent = models.ForeignKey("self", verbose_name="上级区划", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    geometry = models.MultiPolygonField("边界", srid=STORAGE_SRID, null=True, blank=True)
    seat = models.PointField("驻地", srid=STORAGE_SRID, null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.CURRENT)
    valid_from = models.DateField("生效日期", null=True, blank=True, help_text="为空表示早于有记录的时间")
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="不含当日；为空表示现行")
    predecessors = models.ManyToManyField("self", verbose_name="前身", symmetrical=False,
                                          related_name="successors", blank=True)
    scope = models.CharField("收录范围", max_length=12, choices=Scope.choices, default=Scope.GAZETTEER)
    # Derived in the database so bulk inserts and SQL updates keep it right.
    scope_rank = models.GeneratedField(
        expression=Case(*[When(scope=s.value, then=Value(rank)) for s, rank in SCOPE_RANK.items()],
                        default=Value(9)),
        output_field=models.PositiveSmallIntegerField(), db_persist=True)
    code_assigned_locally = models.BooleanField("代码为本地编制", default=False)
    geometry_synthesised = models.BooleanField("边界为合成示意", default=False)
    source = models.ForeignKey(DataSource, verbose_name="数据来源", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="divisions")
    geometry_source = models.ForeignKey(DataSource, verbose_name="边界来源", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="division_geometries")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["scope_rank", "code", "id"]
        constraints = [
            # One current holder per code; retired versions keep theirs (never reused: services).
            models.UniqueConstraint(fields=["code"], condition=Q(valid_to__isnull=True) & Q(code__isnull=False),
                                    name="division_current_code_unique"),
            models.CheckConstraint(condition=Q(geometry__isnull=True) | Q(geometry__isvalid=True),
                                   name="division_geometry_valid"),
            models.CheckConstraint(
                condition=Q(code__isnull=True)
                | Q(level__in=["province", "prefecture", "county"], code__regex=r"^[0-9]{6}$")
                | Q(level="township", code__regex=r"^[0-9]{9}$")
                | Q(level="village", code__regex=r"^[0-9]{12}$"),
                name="division_code_matches_level"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True)
                                   | Q(valid_to__gt=models.F("valid_from")), name="division_valid_range"),
            models.CheckConstraint(condition=Q(status="current", valid_to__isnull=True)
                                   | Q(status="retired", valid_to__isnull=False), name="division_status_matches_dates"),
        ]
        indexes = [
            models.Index(fields=["level", "code"]),
            models.Index(fields=["parent", "level"]),
            models.Index(fields=["valid_to", "valid_from"]),
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="division_name_trgm"),
        ]

    def validate_constraints(self, exclude: object = None) -> None:
        """Form validation (the admin): Django cannot evaluate the geometry-validity check in Python
        when there is no geometry (IsValid(None) raises TypeError, a 500); the database still
        enforces it, so skip it for records without a boundary (villages have seats)."""
        skip = set(exclude or ()) | ({"geometry"} if self.geometry is None else set())  # type: ignore[call-overload]
        super().validate_constraints(exclude=skip)

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）" if self.code else f"{self.name}（历史）"

    @property
    def public_id(self) -> str:
        """The id the API uses: the code, or the permanent uid where the code is unknown."""
        return self.code or str(self.uid)


class ChangeKind(models.TextChoices):
    RENAME = "rename", "更名"
    TOWNSHIP_TO_TOWN = "township_to_town", "撤乡设镇"
    COUNTY_TO_CITY = "county_to_city", "撤县设市"
    TO_DISTRICT = "to_district", "撤县（市）设区"
    MERGE = "merge", "合并"
    SPLIT = "split", "拆分"
    TRANSFER = "transfer", "隶属变更"
    ESTABLISH = "establish", "新设"
    ABOLISH = "abolish", "撤销"
    OTHER = "other", "其他调整"


class DivisionChange(models.Model):
    """One approved adjustment (区划调整) with its before and after divisions."""

    kind = models.CharField("变更类型", max_length=20, choices=ChangeKind.choices)
    effective_date = models.DateField("生效日期")
    approval_type = models.CharField("审批类别", max_length=10, blank=True, help_text="国批（国务院）/ 民批（民政部）/ 省批")
    authority = models.CharField("批准机关", max_length=100, blank=True)
    document_no = models.CharField("批准文号", max_length=100, blank=True)
    description = models.TextField("说明", blank=True)
    before = models.ManyToManyField(Division, verbose_name="变更前", related_name="changes_out", blank=True)
    after = models.ManyToManyField(Division, verbose_name="变更后", related_name="changes_in", blank=True)
    before_text = models.TextField("变更前（原文）", blank=True)
    after_text = models.TextField("变更后（原文）", blank=True)
    natural_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False,
                                   help_text="为幂等导入而设的内容摘要")
    source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.PROTECT)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "区划变更"
        verbose_name_plural = "区划变更"
        ordering = ["-effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.effective_date} {self.get_kind_display()}：{self.before_text} → {self.after_text}"
