"""Service facilities of the civil-affairs bureau: one model family with kind-specific details.

* `FacilityKind` is data (seeded: 公墓, 骨灰堂, 殡仪馆, 老年食堂, 助餐点, 社区服务中心, 居家养老服务中心),
  grouped in families (burial, meals, community) that decide which detail record applies and
  which analysis presets fit.
* `Facility` holds what every kind has: code, name, position (EPSG:4490), division, the linked
  standard address, status with its dates (`FacilityStatusEvent` keeps the whole history), and
  retirement with a successor (never deleted).
* Details: `BurialDetail` (public/commercial, plots and niches, eco-burial types, 提档升级) with
  `SafetyHazard` records; `MealServiceDetail` (urban/rural, seats, meals per day, operating model,
  hours, meals served last month); `CommunityCentreDetail` (level, floor area, services) with
  `ExpansionProject` records.
* `RolloutTarget`: the tasks (任务数) per township and family a year, for the rollout statistics.
"""
from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import F, Q

from apps.addresses.models import AddressIdentity
from apps.divisions.models import Division

STORAGE_SRID = 4490


class Family(models.TextChoices):
    BURIAL = "burial", "殡葬设施"
    MEALS = "meals", "老年助餐"
    COMMUNITY = "community", "社区与养老服务"


class FacilityKind(models.Model):
    code = models.CharField("类型代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30)
    family = models.CharField("类别", max_length=12, choices=Family.choices)
    code_letter = models.CharField("编码字母", max_length=1, unique=True,
                                   help_text="设施编码中的类型字母，如 C 公墓、K 老年食堂")

    class Meta:
        verbose_name = "设施类型"
        verbose_name_plural = "设施类型"
        ordering = ["family", "code"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    PLANNED = "规划", "规划"
    BUILDING = "在建", "在建"
    BUILT = "建成", "建成"
    OPERATING = "运营", "运营"
    SUSPENDED = "停运", "停运"
    CLOSED = "撤销", "撤销"


class UrbanRural(models.TextChoices):
    URBAN = "城镇", "城镇"
    RURAL = "农村", "农村"


class Facility(models.Model):
    code = models.CharField("设施编码", max_length=16, unique=True,
                            help_text="县级区划代码6位 + 类型字母 + 4位顺序号，不重复使用")
    name = models.CharField("名称", max_length=100)
    kind = models.ForeignKey(FacilityKind, verbose_name="类型", on_delete=models.PROTECT, related_name="facilities")
    county = models.ForeignKey(Division, verbose_name="所属县级区划", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Division, verbose_name="所在乡镇（街道）", on_delete=models.PROTECT,
                                 related_name="facilities")
    village = models.ForeignKey(Division, verbose_name="所在村（社区）", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="village_facilities")
    address = models.ForeignKey(AddressIdentity, verbose_name="标准地址", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="facilities")
    location = models.PointField("位置", srid=STORAGE_SRID)
    urban_rural = models.CharField("城乡", max_length=2, choices=UrbanRural.choices, blank=True)
    status = models.CharField("状态", max_length=2, choices=Status.choices, default=Status.PLANNED)
    status_since = models.DateField("状态起始日期", null=True, blank=True)
    operator = models.CharField("运营主体", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    note = models.TextField("备注", blank=True)
    demo = models.BooleanField("演示数据", default=False)
    retired_on = models.DateField("撤销日期", null=True, blank=True)
    successor = models.ForeignKey("self", verbose_name="接替设施", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="predecessors")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "服务设施"
        verbose_name_plural = "服务设施"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(location__isvalid=True), name="facility_location_valid"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}[A-Z][0-9]{4}$"), name="facility_code_format"),
            models.CheckConstraint(condition=~Q(status="撤销") | Q(retired_on__isnull=False),
                                   name="facility_closed_has_date"),
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.name


class FacilityStatusEvent(models.Model):
    """One status change: what it became, from when, and why (the status history)."""

    facility = models.ForeignKey(Facility, verbose_name="设施", on_delete=models.PROTECT, related_name="status_events")
    status = models.CharField("状态", max_length=2, choices=Status.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)
    actor = models.CharField("操作人", max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "设施状态记录"
        verbose_name_plural = "设施状态记录"
        ordering = ["facility", "on", "id"]


class Ownership(models.TextChoices):
    PUBLIC = "公益性", "公益性"
    COMMERCIAL = "经营性", "经营性"


class UpgradeStatus(models.TextChoices):
    NOT_STARTED = "未启动", "未启动"
    IN_PROGRESS = "实施中", "实施中"
    DONE = "已完成", "已完成"


ECO_BURIAL_TYPES = ["树葬", "草坪葬", "花坛葬", "壁葬", "海葬", "深埋", "骨灰撒散"]


class BurialDetail(models.Model):
    facility = models.OneToOneField(Facility, verbose_name="设施", on_delete=models.PROTECT, related_name="burial")
    ownership = models.CharField("性质", max_length=3, choices=Ownership.choices)
    capacity_plots = models.PositiveIntegerField("墓穴容量", default=0)
    used_plots = models.PositiveIntegerField("已用墓穴", default=0)
    capacity_niches = models.PositiveIntegerField("格位容量", default=0)
    used_niches = models.PositiveIntegerField("已用格位", default=0)
    eco_burial_types = ArrayField(models.CharField(max_length=6), verbose_name="生态葬式", default=list, blank=True)
    upgrade_status = models.CharField("提档升级", max_length=3, choices=UpgradeStatus.choices,
                                      default=UpgradeStatus.NOT_STARTED)
    area_m2 = models.FloatField("占地面积（平方米）", null=True, blank=True)

    class Meta:
        verbose_name = "殡葬设施信息"
        verbose_name_plural = "殡葬设施信息"
        constraints = [
            models.CheckConstraint(condition=Q(used_plots__lte=F("capacity_plots")), name="burial_plots_within_capacity"),
            models.CheckConstraint(condition=Q(used_niches__lte=F("capacity_niches")),
                                   name="burial_niches_within_capacity"),
        ]


class HazardStatus(models.TextChoices):
    OPEN = "待整改", "待整改"
    IN_PROGRESS = "整改中", "整改中"
    DONE = "已整改", "已整改"


class HazardLevel(models.TextChoices):
    ORDINARY = "一般", "一般"
    LARGER = "较大", "较大"
    MAJOR = "重大", "重大"


class SafetyHazard(models.Model):
    facility = models.ForeignKey(Facility, verbose_name="设施", on_delete=models.PROTECT, related_name="hazards")
    description = models.CharField("隐患描述", max_length=300)
    level = models.CharField("等级", max_length=4, choices=HazardLevel.choices)
    found_on = models.DateField("发现日期")
    deadline = models.DateField("整改期限", null=True, blank=True)
    status = models.CharField("整改状态", max_length=3, choices=HazardStatus.choices, default=HazardStatus.OPEN)
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)
    measures = models.TextField("整改措施", blank=True)

    class Meta:
        verbose_name = "安全隐患"
        verbose_name_plural = "安全隐患"
        ordering = ["facility", "found_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="已整改") | Q(rectified_on__isnull=False),
                                   name="hazard_done_has_date"),
        ]


class OperatingModel(models.TextChoices):
    SOCIAL_WORK = "社工站+公益组织", "社工站+公益组织"
    CATERING = "餐饮企业", "餐饮企业"
    MUTUAL = "互助式", "互助式"
    INSTITUTION = "养老机构延伸", "养老机构延伸"
    OTHER = "其他", "其他"


class MealServiceDetail(models.Model):
    facility = models.OneToOneField(Facility, verbose_name="设施", on_delete=models.PROTECT, related_name="meals")
    seats = models.PositiveIntegerField("座位数", default=0)
    meals_per_day = models.PositiveIntegerField("日供餐能力（人次）", default=0)
    meals_served_last_month = models.PositiveIntegerField("上月供餐人次", default=0)
    operating_model = models.CharField("运营模式", max_length=10, choices=OperatingModel.choices,
                                       default=OperatingModel.OTHER)
    opening_hours = models.CharField("开放时间", max_length=60, blank=True)
    floor_area_m2 = models.FloatField("面积（平方米）", null=True, blank=True)

    class Meta:
        verbose_name = "助餐服务信息"
        verbose_name_plural = "助餐服务信息"


class CentreLevel(models.TextChoices):
    COUNTY = "县级", "县级"
    TOWNSHIP = "乡镇（街道）级", "乡镇（街道）级"
    COMMUNITY = "村（社区）级", "村（社区）级"


class CommunityCentreDetail(models.Model):
    facility = models.OneToOneField(Facility, verbose_name="设施", on_delete=models.PROTECT, related_name="centre")
    level = models.CharField("层级", max_length=8, choices=CentreLevel.choices)
    floor_area_m2 = models.FloatField("建筑面积（平方米）", null=True, blank=True)
    services = ArrayField(models.CharField(max_length=20), verbose_name="服务项目", default=list, blank=True)
    beds = models.PositiveIntegerField("床位", default=0)

    class Meta:
        verbose_name = "服务中心信息"
        verbose_name_plural = "服务中心信息"


class ExpansionProject(models.Model):
    facility = models.ForeignKey(Facility, verbose_name="设施", on_delete=models.PROTECT, related_name="expansions")
    name = models.CharField("项目名称", max_length=100)
    added_area_m2 = models.FloatField("新增面积（平方米）", null=True, blank=True)
    status = models.CharField("状态", max_length=3, choices=[("计划", "计划"), ("实施中", "实施中"), ("已完成", "已完成")])
    start_on = models.DateField("开工日期", null=True, blank=True)
    end_on = models.DateField("完工日期", null=True, blank=True)

    class Meta:
        verbose_name = "扩建项目"
        verbose_name_plural = "扩建项目"
        ordering = ["facility", "start_on", "id"]


class RolloutTarget(models.Model):
    """任务数: how many facilities of a family a township is to have (by a year)."""

    township = models.ForeignKey(Division, verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    family = models.CharField("类别", max_length=12, choices=Family.choices)
    year = models.PositiveSmallIntegerField("年度")
    tasks = models.PositiveIntegerField("任务数")
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "建设任务"
        verbose_name_plural = "建设任务"
        ordering = ["year", "township", "family"]
        constraints = [models.UniqueConstraint(fields=["township", "family", "year"], name="rollout_target_unique")]
