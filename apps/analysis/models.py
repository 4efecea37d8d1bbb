"""Stored analysis runs and the service-radius presets (norms as data).

An `AnalysisRun` keeps what was asked (inputs), by whom and when, how it went (status, timing,
the background job for long runs), and what came out: the summary and tables as JSON, and the
per-address arrays in a file under `ANALYSIS_RESULTS_DIR` (nearest facility and distance of
every demand address, or the chosen sites), from which exports and the folium map are made.
Runs are never edited after they finish, so scenarios stay comparable.
"""
from __future__ import annotations

from django.contrib.gis.db import models

from apps.common.models import Job
from apps.divisions.models import Division


class RunKind(models.TextChoices):
    COVERAGE = "coverage", "覆盖分析"
    SITING = "siting", "选址优化"
    SUITABILITY = "suitability", "公墓适宜性"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class AnalysisRun(models.Model):
    kind = models.CharField("类型", max_length=12, choices=RunKind.choices)
    name = models.CharField("方案名称", max_length=100, blank=True)
    county = models.ForeignKey(Division, verbose_name="县级区划", on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField("输入参数", default=dict)
    status = models.CharField("状态", max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    summary = models.JSONField("结果摘要", default=dict, blank=True)
    tables = models.JSONField("结果表", default=dict, blank=True)
    result_file = models.CharField("结果文件", max_length=300, blank=True)
    error = models.TextField("错误", blank=True)
    job = models.ForeignKey(Job, verbose_name="后台任务", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    created_by = models.CharField("提交人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField("耗时（秒）", null=True, blank=True)

    class Meta:
        verbose_name = "分析运行"
        verbose_name_plural = "分析运行"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.name}"


class RadiusPreset(models.Model):
    """A service radius from a norm: applies to a facility family (or all), nationally or in
    one province/county (`region_code` prefix, empty = national)."""

    name = models.CharField("名称", max_length=60)
    radius_m = models.PositiveIntegerField("半径（米）")
    family = models.CharField("设施类别", max_length=12, blank=True, help_text="burial/meals/community，空为通用")
    region_code = models.CharField("适用地区代码前缀", max_length=12, blank=True)
    source = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = "服务半径预设"
        verbose_name_plural = "服务半径预设"
        ordering = ["radius_m", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.radius_m} m"


class ConstraintCategory(models.TextChoices):
    """What 殡葬管理条例 Art. 10 keeps cemeteries away from."""
    FARMLAND = "farmland", "耕地"
    FOREST = "forest", "林地"
    PARK_SCENIC_RELIC = "park_scenic_relic", "城市公园、风景名胜区和文物保护区"
    WATER = "water", "水库、河流堤坝和水源保护区"
    RAIL_ROAD = "rail_road", "铁路和公路主干线"


class ConstraintLayer(models.Model):
    """A layer the user loads for the suitability analysis (farmland, forest, scenic areas…):
    one feature per row, any geometry type, EPSG:4490."""

    category = models.CharField("类别", max_length=20, choices=ConstraintCategory.choices)
    name = models.CharField("名称", max_length=100)
    geometry = models.GeometryField("几何", srid=4490)
    source = models.CharField("来源", max_length=200)
    synthetic = models.BooleanField("合成示意数据", default=False)
    county = models.ForeignKey(Division, verbose_name="县级区划", on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "限制图层要素"
        verbose_name_plural = "限制图层要素"
        ordering = ["category", "name", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(geometry__isvalid=True),
                                              name="constraint_geometry_valid")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.name}"


class ExclusionRule(models.Model):
    """Keep-away distance from one category, nationally (empty region) or for a province/county
    (`region_code` prefix; the longest matching prefix wins)."""

    category = models.CharField("类别", max_length=20, choices=ConstraintCategory.choices)
    buffer_m = models.FloatField("退让距离（米）")
    region_code = models.CharField("适用地区代码前缀", max_length=12, blank=True)
    source = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = "公墓选址排除规则"
        verbose_name_plural = "公墓选址排除规则"
        ordering = ["category", "region_code"]
        constraints = [models.UniqueConstraint(fields=["category", "region_code"], name="exclusion_rule_unique")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.buffer_m:g} m"
