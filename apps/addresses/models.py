"""标准地址 (GB/T 35639) and 数字门牌: roads, 片区, address identities and versions, entrances, plates.

An address has a permanent identity (`AddressIdentity`: opaque uuid + readable code, never
reused) and one row per *version* (`Address`): a road rename or a correction retires the current
version (valid_to, successor) and creates the next, so `as_of` queries read the version in force.
The physical plate (`DoorPlate`) is a separate object pointing at the identity, with its own
state and a revocable QR token.
"""
from __future__ import annotations

import uuid

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.db.models import F, Q

from apps.divisions.models import Division

STORAGE_SRID = 4490


class RoadKind(models.TextChoices):
    ROAD = "路", "路"
    AVENUE = "大道", "大道"
    STREET = "街", "街"
    LANE = "巷", "巷"
    WAY = "道", "道"
    ALLEY = "弄", "弄"
    OTHER = "其他", "其他"


class Road(models.Model):
    """街路巷, one row per version; `code` (R + 4 digits, unique in its county) survives renames."""

    code = models.CharField("道路编码", max_length=5)
    county = models.ForeignKey(Division, verbose_name="所属县级区划", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Division, verbose_name="主要所在乡镇", on_delete=models.PROTECT, related_name="roads")
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("通名类型", max_length=4, choices=RoadKind.choices)
    geometry = models.LineStringField("中心线", srid=STORAGE_SRID)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    predecessor = models.OneToOneField("self", verbose_name="前一版本", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="successor")

    class Meta:
        verbose_name = "街路巷"
        verbose_name_plural = "街路巷"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], condition=Q(valid_to__isnull=True),
                                    name="road_current_code_unique"),
            models.UniqueConstraint(fields=["county", "name"], condition=Q(valid_to__isnull=True),
                                    name="road_current_name_unique"),
            models.CheckConstraint(condition=Q(geometry__isvalid=True), name="road_geometry_valid"),
            models.CheckConstraint(condition=Q(code__regex=r"^R[0-9]{4}$"), name="road_code_format"),
        ]

    def __str__(self) -> str:
        return self.name


class AreaKind(models.TextChoices):
    COMPOUND = "小区", "小区"
    NATURAL_VILLAGE = "自然村", "自然村"
    VILLAGER_GROUP = "村民小组", "村民小组"
    DEVELOPMENT_ZONE = "开发区", "开发区"
    OTHER = "其他", "其他片区"


class Area(models.Model):
    """片区: a compound (小区), natural village, villager group (组) or zone addresses hang from."""

    code = models.CharField("片区编码", max_length=5)
    county = models.ForeignKey(Division, verbose_name="所属县级区划", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Division, verbose_name="所属村/社区", on_delete=models.PROTECT, related_name="areas")
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=8, choices=AreaKind.choices)
    geometry = models.PolygonField("范围", srid=STORAGE_SRID, null=True, blank=True)
    location = models.PointField("中心点", srid=STORAGE_SRID, null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)

    class Meta:
        verbose_name = "片区"
        verbose_name_plural = "片区"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="area_code_unique"),
            models.CheckConstraint(condition=Q(geometry__isnull=True) | Q(geometry__isvalid=True),
                                   name="area_geometry_valid"),
            models.CheckConstraint(condition=Q(code__regex=r"^A[0-9]{4}$"), name="area_code_format"),
        ]

    def __str__(self) -> str:
        return self.name


class AddressIdentity(models.Model):
    """The permanent identity of an address: an opaque uuid and the readable code, both never
    reused. Versions, entrances and plates hang from it."""

    uid = models.UUIDField("永久标识", primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField("地址编码", max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "地址标识"
        verbose_name_plural = "地址标识"

    def __str__(self) -> str:
        return self.code


class AddressStatus(models.TextChoices):
    OFFICIAL = "official", "官方"
    UNOFFICIAL = "unofficial", "非官方"
    UNKNOWN = "unknown", "未知"


class Stage(models.TextChoices):
    PLANNED = "planned", "规划"
    CURRENT = "current", "现行"
    RESERVED = "reserved", "保留"
    ABANDONED = "abandoned", "废弃"
    REJECTED = "rejected", "拒绝"


class AddressLevel(models.TextChoices):
    """How fine the address is (GB/T 35639 levels; also the matcher's precision)."""

    DOOR = "door", "门牌"
    BUILDING = "building", "楼栋"
    ROOM = "room", "户室"


class Address(models.Model):
    """One version of a standard address."""

    identity = models.ForeignKey(AddressIdentity, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本", default=1)
    code = models.CharField("地址编码", max_length=40, db_index=True)
    division_code = models.CharField("所在区划代码", max_length=12, help_text="村/社区 12 位（或乡镇 9 位）")
    township = models.ForeignKey(Division, verbose_name="所在乡镇", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Division, verbose_name="所在村/社区", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    road = models.ForeignKey(Road, verbose_name="街路巷", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="addresses")
    area = models.ForeignKey(Area, verbose_name="片区", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="addresses")
    door_number = models.PositiveIntegerField("门牌号", null=True, blank=True)
    door_suffix = models.PositiveSmallIntegerField("附号", default=0)
    building = models.CharField("楼栋（幢）", max_length=10, blank=True)
    unit = models.CharField("单元", max_length=10, blank=True)
    floor = models.SmallIntegerField("楼层", null=True, blank=True)
    room = models.CharField("户室", max_length=10, blank=True)
    level = models.CharField("精度层级", max_length=10, choices=AddressLevel.choices)
    full_text = models.CharField("标准地址", max_length=200)
    location = models.PointField("出入口位置", srid=STORAGE_SRID)
    status = models.CharField("地址状态", max_length=12, choices=AddressStatus.choices, default=AddressStatus.OFFICIAL)
    stage = models.CharField("生命周期", max_length=10, choices=Stage.choices, default=Stage.CURRENT)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    successor = models.ForeignKey("self", verbose_name="后继版本", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="predecessors")
    households = models.PositiveIntegerField("户数", null=True, blank=True)
    residents = models.PositiveIntegerField("常住人口", null=True, blank=True)
    residents_60plus = models.PositiveIntegerField("60岁以上人口", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "标准地址"
        verbose_name_plural = "标准地址"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["identity"], condition=Q(valid_to__isnull=True),
                                    name="address_one_current_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(valid_to__isnull=True),
                                    name="address_current_code_unique"),
            # A door number is given once per road (and 附号 once per number).
            models.UniqueConstraint(fields=["road", "door_number", "door_suffix"],
                                    condition=Q(valid_to__isnull=True, level="door", road__isnull=False),
                                    name="address_door_unique_on_road"),
            models.UniqueConstraint(fields=["identity", "version"], name="address_version_unique"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True)
                                   | Q(valid_to__gt=F("valid_from")), name="address_valid_range"),
            models.CheckConstraint(condition=Q(division_code__regex=r"^[0-9]{9}([0-9]{3})?$"),
                                   name="address_division_code_format"),
        ]
        # Also (migration 0001): a GiST index on (location::geography) for metric radius and
        # nearest-neighbour queries (Django cannot declare a geography cast for SRID 4490).
        indexes = [
            models.Index(fields=["division_code"], opclasses=["varchar_pattern_ops"], name="address_division_prefix"),
            # `q=` searches the standard text anywhere (LIKE '%…%'): a trigram index instead of a scan
            # (150k addresses: 36 ms → 0.6 ms; measured under load it was half the server's time).
            GinIndex(fields=["full_text"], opclasses=["gin_trgm_ops"], name="address_full_text_trgm"),
            models.Index(fields=["road", "door_number"]),
            models.Index(fields=["identity", "valid_to"]),
        ]

    def __str__(self) -> str:
        return self.full_text


class AddressEntrance(models.Model):
    """Further labelled entrances of an address (the main one is Address.location)."""

    identity = models.ForeignKey(AddressIdentity, on_delete=models.CASCADE, related_name="entrances")
    label = models.CharField("名称", max_length=30, help_text="如 北门、车行入口")
    location = models.PointField("位置", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "出入口"
        verbose_name_plural = "出入口"


class PlateSize(models.TextChoices):
    LARGE = "large", "大号 570×370 mm（二维码 120 mm）"
    MEDIUM = "medium", "中号 270×170 mm（二维码 75 mm）"
    SMALL = "small", "小号 150×90 mm（二维码 40 mm）"


class PlateState(models.TextChoices):
    TO_MAKE = "to_make", "待制作"
    MADE = "made", "已制作"
    INSTALLED = "installed", "已安装"
    DAMAGED = "damaged", "损坏"
    REPLACED = "replaced", "已更换"
    REVOKED = "revoked", "已撤销"


class DoorPlate(models.Model):
    """The physical plate. Its QR token is unguessable; replacing or revoking the plate retires
    the token, and the scan page then says so instead of showing the address."""

    plate_no = models.CharField("门牌编号", max_length=20, unique=True)
    identity = models.ForeignKey(AddressIdentity, verbose_name="地址", on_delete=models.PROTECT, related_name="plates")
    size = models.CharField("规格", max_length=8, choices=PlateSize.choices, default=PlateSize.MEDIUM)
    state = models.CharField("状态", max_length=10, choices=PlateState.choices, default=PlateState.TO_MAKE)
    token = models.CharField("二维码令牌", max_length=40, unique=True, editable=False)
    token_active = models.BooleanField("令牌有效", default=True)
    made_on = models.DateField("制作日期", null=True, blank=True)
    installed_on = models.DateField("安装日期", null=True, blank=True)
    damaged_on = models.DateField("损坏日期", null=True, blank=True)
    retired_on = models.DateField("更换/撤销日期", null=True, blank=True)
    replaced_by = models.OneToOneField("self", verbose_name="更换为", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="replaces")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "数字门牌"
        verbose_name_plural = "数字门牌"
        ordering = ["plate_no"]
        constraints = [
            # A retired plate's token never works again.
            models.CheckConstraint(condition=~Q(state__in=["replaced", "revoked"]) | Q(token_active=False),
                                   name="plate_retired_token_inactive"),
        ]
        indexes = [models.Index(fields=["identity", "state"])]

    def __str__(self) -> str:
        return self.plate_no


class PlateReport(models.Model):
    """A "this plate is wrong" report sent from the public scan page. Keeps no personal data:
    the sender is a salted hash (for rate limiting only)."""

    plate = models.ForeignKey(DoorPlate, on_delete=models.PROTECT, related_name="reports")
    message = models.TextField("问题描述", max_length=500)
    sender_hash = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    handled = models.BooleanField("已处理", default=False)

    class Meta:
        verbose_name = "门牌报错"
        verbose_name_plural = "门牌报错"
        ordering = ["-created_at"]


class AddressAlias(models.Model):
    """A spelling staff confirmed for an address (from the review queue): the matcher answers it
    directly next time. Stored normalised."""

    spelling = models.CharField("写法（规范化后）", max_length=300, unique=True)
    identity = models.ForeignKey(AddressIdentity, on_delete=models.PROTECT, related_name="aliases")
    created_by = models.CharField("确认人", max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "地址别名"
        verbose_name_plural = "地址别名"


class MatchBatch(models.Model):
    """One batch-matching request of a department: its job, the column matched and the report.

    A batch sent with a department API key takes the key's department (and is seen only by that
    key and by staff); a staff batch keeps the department named in the form. `jurisdiction` is the
    sender's division-code prefix: staff see the batches inside their own jurisdiction."""

    job = models.OneToOneField("common.Job", on_delete=models.PROTECT, related_name="match_batch")
    department = models.CharField("提交部门", max_length=100)
    api_key = models.ForeignKey("accounts.ApiKey", verbose_name="接口密钥", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="match_batches")
    jurisdiction = models.CharField("提交人辖区", max_length=12, blank=True, default="")
    column = models.CharField("地址列", max_length=100)
    rows = models.PositiveIntegerField("行数", default=0)
    matched = models.PositiveIntegerField("匹配", default=0)
    ambiguous = models.PositiveIntegerField("多义", default=0)
    unmatched = models.PositiveIntegerField("未匹配", default=0)
    report = models.JSONField("报告", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "批量匹配"
        verbose_name_plural = "批量匹配"
        ordering = ["-created_at"]

    @property
    def match_rate(self) -> float:
        return self.matched / self.rows if self.rows else 0.0


class ReviewItem(models.Model):
    """An unmatched or ambiguous batch row waiting for staff to pick the right address."""

    batch = models.ForeignKey(MatchBatch, on_delete=models.CASCADE, related_name="review_items")
    row_number = models.PositiveIntegerField("行号")
    query = models.TextField("原始地址")
    status = models.CharField("匹配状态", max_length=10)
    candidates = models.JSONField("候选", default=list, blank=True)
    resolved = models.ForeignKey(AddressIdentity, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="确认的地址")
    resolved_by = models.CharField("处理人", max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    no_match = models.BooleanField("确认无对应地址", default=False)

    class Meta:
        verbose_name = "待复核地址"
        verbose_name_plural = "待复核地址"
        ordering = ["batch", "row_number"]
