"""地名 (place names): categories held as data, the standard name with its legal lifecycle,
aliases with dates, announcements (备案公告) with their six fields, the heritage list (保护名录)
and the configurable list of forbidden naming patterns.

A place name keeps one row for its whole life: renames move the old name into an alias
(曾用名, with its end date) and cancellation (注销) sets a status and a date, never a delete.
Every change is also recorded by the history trigger (who, when, before, after).

Divisions and roads appear here as entries *linked* to their register record
(`register_kind` + `register_key`); their name and geometry are copied by the sync service,
never typed in by hand.
"""
from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q

from apps.divisions.models import Division

STORAGE_SRID = 4490


class PinyinKind(models.TextChoices):
    """How the 1984 rules treat names of a category (see `pinyin.place_pinyin`)."""
    FEATURE = "feature", "专名+通名分写"
    DIVISION = "division", "行政区划"
    ROAD = "road", "街路巷（序数用阿拉伯数字）"
    NATURAL_VILLAGE = "natural_village", "自然村镇（连写）"


class PlaceNameCategory(models.Model):
    """A class of place names. Seeded from the 条例 Art. 3 classes and the five audit classes;
    `gbt_code` leaves room for GB/T 18521-2001 small-class codes."""

    code = models.CharField("类别代码", max_length=8, unique=True)
    name = models.CharField("类别名称", max_length=40)
    parent = models.ForeignKey("self", verbose_name="上级类别", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    gbt_code = models.CharField("GB/T 18521 代码", max_length=8, blank=True)
    audit_class = models.CharField("数据质量审查类别", max_length=20, blank=True,
                                   help_text="非行政区域、交通运输设施、水利电力通信设施、纪念地旅游景点、建筑物之一，或空")
    pinyin_kind = models.CharField("拼写规则", max_length=16, choices=PinyinKind.choices, default=PinyinKind.FEATURE)
    legal_basis = models.CharField("依据", max_length=60, blank=True)

    class Meta:
        verbose_name = "地名类别"
        verbose_name_plural = "地名类别"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Status(models.TextChoices):
    PROPOSED = "拟定", "拟定"
    UNDER_REVIEW = "审批中", "审批中"
    APPROVED = "已批准", "已批准"
    ANNOUNCED = "已公告", "已公告"
    CANCELLED = "注销", "注销"


class RegisterKind(models.TextChoices):
    NONE = "", "独立地名"
    DIVISION = "division", "行政区划"
    ROAD = "road", "街路巷"


class PlaceName(models.Model):
    """One standard place name (标准地名) and its lifecycle."""

    code = models.CharField("地名代码", max_length=16, unique=True,
                            help_text="县级区划代码6位 + 类别代码4位 + 顺序号4位，注销后不再使用")
    name = models.CharField("标准名称", max_length=100)
    specific = models.CharField("专名", max_length=80)
    generic = models.CharField("通名", max_length=20, blank=True)
    category = models.ForeignKey(PlaceNameCategory, verbose_name="类别", on_delete=models.PROTECT,
                                 related_name="place_names")
    county = models.ForeignKey(Division, verbose_name="所属县级区划", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, verbose_name="所属政区", on_delete=models.PROTECT, related_name="place_names")
    geometry = models.GeometryField("空间位置", srid=STORAGE_SRID, null=True, blank=True)
    position_approximate = models.BooleanField("位置为近似", default=False)
    location_description = models.CharField("位置描述", max_length=300, blank=True)
    pinyin = models.CharField("罗马字母拼写", max_length=200, blank=True)
    pinyin_tones = models.CharField("带声调拼写", max_length=200, blank=True)
    pinyin_override = models.CharField("拼写人工指定", max_length=200, blank=True,
                                       help_text="多音字：整名拼写（首字母大写）或逐字音节，如 shi li pu")
    search_pinyin = models.CharField("检索拼音", max_length=200, blank=True, db_index=True)
    initials = models.CharField("拼音首字母", max_length=60, blank=True, db_index=True)
    origin = models.TextField("来历", blank=True)
    meaning = models.TextField("含义", blank=True)
    history = models.TextField("历史沿革", blank=True)
    status = models.CharField("状态", max_length=4, choices=Status.choices, default=Status.PROPOSED)
    proposed_on = models.DateField("拟定日期", null=True, blank=True)
    submitted_on = models.DateField("报批日期", null=True, blank=True)
    approving_authority = models.CharField("批准机关", max_length=100, blank=True)
    approval_document = models.CharField("批准文号", max_length=100, blank=True)
    approved_on = models.DateField("批准时间", null=True, blank=True)
    announced_on = models.DateField("公告日期", null=True, blank=True)
    cancelled_on = models.DateField("注销日期", null=True, blank=True)
    cancel_reason = models.CharField("注销原因", max_length=200, blank=True)
    successor = models.ForeignKey("self", verbose_name="继承地名", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="predecessors")
    check_warnings = models.JSONField("命名审查提示", default=list, blank=True)
    register_kind = models.CharField("关联登记", max_length=10, choices=RegisterKind.choices, blank=True, default="")
    register_key = models.CharField("关联登记标识", max_length=40, blank=True,
                                    help_text="行政区划的永久标识 uid，或道路编码")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "地名"
        verbose_name_plural = "地名"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(geometry__isnull=True) | Q(geometry__isvalid=True),
                                   name="placename_geometry_valid"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}[0-9A-Z]{4}[0-9]{4}$"), name="placename_code_format"),
            models.CheckConstraint(condition=~Q(status="注销") | Q(cancelled_on__isnull=False),
                                   name="placename_cancelled_has_date"),
            # A register record has one gazetteer entry.
            models.UniqueConstraint(fields=["register_kind", "register_key"], condition=~Q(register_kind=""),
                                    name="placename_register_unique"),
        ]
        indexes = [models.Index(fields=["county", "category", "status"])]

    def __str__(self) -> str:
        return self.name


class AliasKind(models.TextChoices):
    FORMER = "曾用名", "曾用名"
    SHORT = "简称", "简称"
    COLLOQUIAL = "俗称", "俗称"
    OTHER = "别名", "别名"


class PlaceNameAlias(models.Model):
    place = models.ForeignKey(PlaceName, verbose_name="地名", on_delete=models.PROTECT, related_name="aliases")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=4, choices=AliasKind.choices)
    valid_from = models.DateField("起用日期", null=True, blank=True)
    valid_to = models.DateField("停用日期", null=True, blank=True)
    search_pinyin = models.CharField("检索拼音", max_length=200, blank=True, db_index=True)
    initials = models.CharField("拼音首字母", max_length=60, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "地名别称"
        verbose_name_plural = "地名别称"
        ordering = ["place", "valid_to", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name", "kind"], name="placename_alias_unique"),
            models.CheckConstraint(condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                                   | Q(valid_to__gt=models.F("valid_from")), name="placename_alias_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.kind}）"


class Announcement(models.Model):
    """A 地名公告 (备案公告管理办法 2023): one notice listing one or more named/renamed places."""

    number = models.CharField("公告文号", max_length=60, unique=True)
    title = models.CharField("标题", max_length=200)
    issued_by = models.CharField("发布机关", max_length=100)
    announced_on = models.DateField("公告日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "地名公告"
        verbose_name_plural = "地名公告"
        ordering = ["-announced_on", "-id"]

    def __str__(self) -> str:
        return self.number


class AnnouncementItem(models.Model):
    """The six required fields, frozen as announced (a later rename does not rewrite a notice)."""

    announcement = models.ForeignKey(Announcement, verbose_name="公告", on_delete=models.PROTECT, related_name="items")
    place = models.ForeignKey(PlaceName, verbose_name="地名", on_delete=models.PROTECT, related_name="announcement_items")
    act = models.CharField("事项", max_length=4, choices=[("命名", "命名"), ("更名", "更名")])
    former_name = models.CharField("原名称", max_length=100, blank=True)
    standard_name = models.CharField("标准名称", max_length=100)
    romanization = models.CharField("罗马字母拼写", max_length=200)
    division_name = models.CharField("所属政区", max_length=200)
    location_description = models.CharField("位置描述", max_length=300)
    approving_authority = models.CharField("批准机关", max_length=100)
    approved_on = models.DateField("批准时间")

    class Meta:
        verbose_name = "公告事项"
        verbose_name_plural = "公告事项"
        ordering = ["announcement", "id"]


class HeritageLevel(models.TextChoices):
    COUNTY = "县级", "县级"
    CITY = "市级", "市级"
    PROVINCE = "省级", "省级"
    NATIONAL = "国家级", "国家级"


class HeritageEntry(models.Model):
    """An entry of the 地名文化遗产保护名录."""

    place = models.ForeignKey(PlaceName, verbose_name="地名", on_delete=models.PROTECT, related_name="heritage_entries")
    level = models.CharField("保护级别", max_length=4, choices=HeritageLevel.choices)
    heritage_type = models.CharField("遗产类型", max_length=30, blank=True, help_text="如 千年古镇、古村落、山川、历史街巷")
    listed_on = models.DateField("列入日期")
    listing_document = models.CharField("列入文号", max_length=100, blank=True)
    reasons = models.TextField("列入理由")
    protection_measures = models.TextField("保护措施")
    removed_on = models.DateField("移出日期", null=True, blank=True)
    removal_reason = models.CharField("移出原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "地名文化遗产"
        verbose_name_plural = "地名文化遗产保护名录"
        ordering = ["listed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place"], condition=Q(removed_on__isnull=True),
                                    name="heritage_one_current_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.place.name}（{self.level}）"


class PatternKind(models.TextChoices):
    PERSON = "人名", "人名"
    ENTERPRISE = "企业名", "企业名称"
    TRADEMARK = "商标", "商标名称"
    EXAGGERATED = "夸大", "夸大、怪异"
    FOREIGN = "洋名", "外国地名或洋化"


class ForbiddenNamePattern(models.Model):
    """A configurable rule of 实施办法 (2024): names after persons, enterprises or trademarks,
    and 大、洋、怪、重 names. `pattern` is a plain substring unless `is_regex`."""

    pattern = models.CharField("模式", max_length=100)
    is_regex = models.BooleanField("正则表达式", default=False)
    kind = models.CharField("类型", max_length=4, choices=PatternKind.choices)
    reason = models.CharField("理由", max_length=200)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "命名禁用模式"
        verbose_name_plural = "命名禁用模式"
        ordering = ["kind", "pattern"]
        constraints = [models.UniqueConstraint(fields=["pattern", "kind"], name="forbidden_pattern_unique")]

    def __str__(self) -> str:
        return self.pattern
