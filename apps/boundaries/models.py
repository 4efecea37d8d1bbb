"""界线 (boundary lines), 界桩 (boundary markers) and 界线联检 (joint inspections).

Lines and markers are registers: never deleted, a line is retired (valid_to) and a marker's
registered record is updated in place when it is rebuilt or restored, its history kept by the
change-history triggers (apps.common.history, attached in the migration). Inspection records
belong to a campaign; a completed campaign is not edited any more (services enforce it).
"""
from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Func, IntegerField, Q
from django.db.models.lookups import GreaterThanOrEqual

from apps.divisions.models import Division

from .numbering import KIND_LABELS

STORAGE_SRID = 4490


class LineStatus(models.TextChoices):
    CURRENT = "current", "现行"
    RETIRED = "retired", "已废止"


class BoundaryLine(models.Model):
    code = models.CharField("界线代码", max_length=4, unique=True,
                            help_text="4 位：省代码 2 位 + 省内界线序号 2 位，如 4301；界桩编号的前 4 位")
    name = models.CharField("界线名称", max_length=50, help_text="如 中芷线、嘉湖线德桐段")
    divisions = models.ManyToManyField(Division, verbose_name="相邻区划", related_name="boundary_lines")
    geometry = models.MultiLineStringField("界线", srid=STORAGE_SRID)
    length_m = models.FloatField("长度（米）", help_text="GRS80 椭球面测地线长度")
    direction = models.CharField("界桩编号方向", max_length=12,
                                 choices=[("west_east", "自西向东"), ("north_south", "自北向南")])
    derivation = models.JSONField("推导报告", default=dict, blank=True,
                                  help_text="容差、吸附的顶点、舍弃的碎片、缺口（米）")
    approval_documents = models.JSONField("批准文件", default=list, blank=True,
                                          help_text="[{title, number, date}]，如 界线协议书、勘界批复")
    status = models.CharField("状态", max_length=10, choices=LineStatus.choices, default=LineStatus.CURRENT)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("废止日期", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "界线"
        verbose_name_plural = "界线"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(geometry__isvalid=True), name="boundaryline_geometry_valid"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}(0[1-9]|[1-9][0-9])$"),
                                   name="boundaryline_code_format"),
            models.CheckConstraint(condition=Q(length_m__gt=0), name="boundaryline_length_positive"),
            models.CheckConstraint(condition=Q(status="current", valid_to__isnull=True)
                                   | Q(status="retired", valid_to__isnull=False), name="boundaryline_status_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class MarkerKind(models.TextChoices):
    SINGLE = "single", KIND_LABELS["single"]
    DOUBLE = "double", KIND_LABELS["double"]
    TRIPLE = "triple", KIND_LABELS["triple"]


class MarkerState(models.TextChoices):
    GOOD = "good", "完好"
    DAMAGED = "damaged", "损坏"
    LOST = "lost", "丢失"
    MOVED = "moved", "移位"
    RETIRED = "retired", "已撤除"


class BoundaryMarker(models.Model):
    number = models.CharField("界桩编号", max_length=8, unique=True)
    line = models.ForeignKey(BoundaryLine, verbose_name="界线", on_delete=models.PROTECT, related_name="markers")
    sequence = models.PositiveSmallIntegerField("序号")
    type_code = models.CharField("类型码", max_length=1)
    kind = models.CharField("类型", max_length=8, choices=MarkerKind.choices)
    side_division = models.ForeignKey(Division, verbose_name="所在一方", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      help_text="双立、三立界桩所在的区划")
    junction_codes = models.JSONField("交会区划代码", default=list, blank=True,
                                      help_text="三立界桩：三方区划代码")
    position = models.PointField("登记位置", srid=STORAGE_SRID)
    elevation_m = models.FloatField("高程（米）", null=True, blank=True)
    reference_objects = models.JSONField("方位物", default=list,
                                         help_text="至少 3 个：[{name, azimuth_deg, distance_m}]")
    material = models.CharField("材质", max_length=30, blank=True, help_text="如 花岗岩、钢筋混凝土")
    buried_on = models.DateField("埋设日期", null=True, blank=True)
    photos = models.JSONField("照片", default=list, blank=True, help_text="存储路径列表")
    state = models.CharField("状态", max_length=10, choices=MarkerState.choices, default=MarkerState.GOOD)
    surveyed_on = models.DateField("登记位置测定日期", null=True, blank=True)
    remarks = models.TextField("备注", blank=True)
    is_demo = models.BooleanField("演示数据", default=False, help_text="位置与方位物为示意，非实测")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "界桩"
        verbose_name_plural = "界桩"
        ordering = ["line__code", "sequence", "type_code"]
        constraints = [
            models.UniqueConstraint(fields=["line", "sequence", "type_code"], name="marker_line_seq_type_unique"),
            models.CheckConstraint(condition=Q(position__isvalid=True), name="marker_position_valid"),
            models.CheckConstraint(condition=Q(number__regex=r"^[0-9]{7}[QABCDE]$"), name="marker_number_format"),
            models.CheckConstraint(condition=Q(kind="single", type_code="Q") | Q(kind="double", type_code__in="AB")
                                   | Q(kind="triple", type_code__in="CDE"), name="marker_kind_matches_type"),
            models.CheckConstraint(condition=GreaterThanOrEqual(
                Func(F("reference_objects"), function="jsonb_array_length", output_field=IntegerField()), 3),
                name="marker_three_reference_objects"),
        ]

    def __str__(self) -> str:
        return self.number


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    IN_PROGRESS = "in_progress", "进行中"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


class InspectionCampaign(models.Model):
    line = models.ForeignKey(BoundaryLine, verbose_name="界线", on_delete=models.PROTECT, related_name="campaigns")
    title = models.CharField("名称", max_length=100)
    period_start = models.DateField("开始日期")
    period_end = models.DateField("结束日期", null=True, blank=True)
    party_a = models.ForeignKey(Division, verbose_name="甲方", on_delete=models.PROTECT, related_name="+")
    party_b = models.ForeignKey(Division, verbose_name="乙方", on_delete=models.PROTECT, related_name="+")
    participants = models.JSONField("参加人员", default=list, blank=True,
                                    help_text="[{name, side(a/b), role}]")
    plan = models.TextField("实施方案", blank=True)
    basis = models.TextField("依据文件", blank=True)
    agreed_handling = models.TextField("议定处理意见", blank=True)
    status = models.CharField("状态", max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED)
    ad_hoc = models.BooleanField("临时（专项）联检", default=False)
    ad_hoc_reason = models.CharField("临时联检原因", max_length=200, blank=True, help_text="如 洪水、河道变迁、道路施工")
    completed_on = models.DateField("完成日期", null=True, blank=True)
    created_by = models.CharField("创建人", max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "联检"
        verbose_name_plural = "联检"
        ordering = ["-period_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="completed", completed_on__isnull=False)
                                   | ~Q(status="completed"), name="campaign_completed_has_date"),
            models.CheckConstraint(condition=Q(ad_hoc=False) | ~Q(ad_hoc_reason=""), name="campaign_adhoc_reason"),
            models.CheckConstraint(condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                                   name="campaign_period_order"),
            models.CheckConstraint(condition=~Q(party_a=F("party_b")), name="campaign_two_parties"),
        ]

    def __str__(self) -> str:
        return self.title


class Condition(models.TextChoices):
    GOOD = "good", "完好"
    DAMAGED = "damaged", "损坏"
    LOST = "lost", "丢失"
    MOVED = "moved", "移位"


class Action(models.TextChoices):
    NONE = "none", "无需处理"
    REPAIRED = "repaired", "修复"
    REBUILT = "rebuilt", "重建"
    RESTORED = "restored", "复位"
    PENDING = "pending", "待处理"


class MarkerInspection(models.Model):
    campaign = models.ForeignKey(InspectionCampaign, verbose_name="联检", on_delete=models.PROTECT,
                                 related_name="marker_records")
    marker = models.ForeignKey(BoundaryMarker, verbose_name="界桩", on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField("检查日期")
    condition = models.CharField("状况", max_length=10, choices=Condition.choices)
    measured_position = models.PointField("实测位置（CGCS2000）", srid=STORAGE_SRID, null=True, blank=True)
    measured_crs = models.CharField("实测坐标原坐标系", max_length=12, blank=True)
    measured_converted = models.BooleanField("已由 GCJ-02 转换", default=False)
    displacement_m = models.FloatField("位移（米）", null=True, blank=True)
    displacement_azimuth_deg = models.FloatField("位移方位角", null=True, blank=True)
    registered_position = models.PointField("检查时的登记位置", srid=STORAGE_SRID)
    action = models.CharField("处理", max_length=10, choices=Action.choices, default=Action.NONE)
    reference_objects_ok = models.BooleanField("方位物完好", default=True)
    photos = models.JSONField("照片", default=list, blank=True)
    remarks = models.TextField("备注", blank=True)
    recorded_by = models.CharField("记录人", max_length=150, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "界桩检查记录"
        verbose_name_plural = "界桩检查记录"
        ordering = ["marker__sequence", "marker__type_code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "marker"], name="inspection_one_record_per_marker"),
            models.CheckConstraint(condition=Q(displacement_m__isnull=True) | Q(displacement_m__gte=0),
                                   name="inspection_displacement_non_negative"),
        ]


class FindingKind(models.TextChoices):
    LANDFORM = "landform", "地形地物变化"
    CONSTRUCTION = "construction", "跨界建设"
    DISPUTE = "dispute", "争议"
    REFERENCE = "reference", "方位物变化"
    OTHER = "other", "其他"


class SegmentFinding(models.Model):
    campaign = models.ForeignKey(InspectionCampaign, verbose_name="联检", on_delete=models.PROTECT,
                                 related_name="findings")
    kind = models.CharField("类型", max_length=12, choices=FindingKind.choices)
    from_marker = models.ForeignKey(BoundaryMarker, verbose_name="起始界桩", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    to_marker = models.ForeignKey(BoundaryMarker, verbose_name="终止界桩", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    geometry = models.GeometryField("位置", srid=STORAGE_SRID, null=True, blank=True)
    description = models.TextField("情况")
    action = models.TextField("处理措施", blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "界线段检查发现"
        verbose_name_plural = "界线段检查发现"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(geometry__isnull=True) | Q(geometry__isvalid=True),
                                   name="finding_geometry_valid"),
        ]


class Side(models.TextChoices):
    A = "a", "甲方"
    B = "b", "乙方"
    BOTH = "both", "双方"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "待办"
    CLOSED = "closed", "已办结"


class FollowUpItem(models.Model):
    campaign = models.ForeignKey(InspectionCampaign, verbose_name="联检", on_delete=models.PROTECT,
                                 related_name="follow_ups")
    marker = models.ForeignKey(BoundaryMarker, verbose_name="界桩", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="follow_ups")
    finding = models.ForeignKey(SegmentFinding, verbose_name="检查发现", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="follow_ups")
    description = models.TextField("事项")
    responsible = models.CharField("责任方", max_length=4, choices=Side.choices)
    deadline = models.DateField("期限")
    status = models.CharField("状态", max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    resolution = models.TextField("办理结果", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="open", closed_on__isnull=True)
                                   | Q(status="closed", closed_on__isnull=False) & ~Q(resolution=""),
                                   name="followup_closed_has_date_and_resolution"),
        ]
