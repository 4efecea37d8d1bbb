"""Models every app shares: where a dataset came from (provenance) and the change history that
database triggers write for every register table."""
from __future__ import annotations

from django.db import models


class DataSource(models.Model):
    """Provenance of an imported dataset: what, from where, under which licence, in which CRS,
    and what was done to it on the way in (e.g. GCJ-02 → CGCS2000 conversion)."""

    key = models.SlugField("标识", max_length=80, unique=True)
    title = models.CharField("名称", max_length=200)
    origin = models.TextField("来源", blank=True)
    licence = models.CharField("许可", max_length=100, blank=True)
    source_crs = models.CharField("源坐标系", max_length=40, blank=True)
    conversion = models.TextField("坐标转换说明", blank=True)
    notes = models.TextField("备注", blank=True)
    metadata = models.JSONField("元数据", default=dict, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "数据来源"
        verbose_name_plural = "数据来源"

    def __str__(self) -> str:
        return self.title


class ChangeRecord(models.Model):
    """One row per INSERT/UPDATE/DELETE on a tracked table, written by the trigger in
    `apps.common.history` so that bulk SQL updates are captured as well as ORM saves."""

    table_name = models.CharField(max_length=100)
    row_id = models.CharField(max_length=64)
    action = models.CharField(max_length=1, choices=[("I", "新增"), ("U", "修改"), ("D", "删除")])
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    actor = models.CharField("操作人", max_length=150, blank=True)
    at = models.DateTimeField("时间")
    txid = models.BigIntegerField()

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        indexes = [models.Index(fields=["table_name", "row_id"]), models.Index(fields=["at"])]
        ordering = ["-at", "-id"]


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    """Long work (batch matching, big exports) queued in PostgreSQL: a worker (`manage.py
    run_jobs`) takes the oldest queued job with SELECT … FOR UPDATE SKIP LOCKED, reports progress
    here, and stores the result; pages and the API poll it. No extra server is needed."""

    kind = models.CharField("类型", max_length=40)
    status = models.CharField("状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField("进度", default=0.0)
    message = models.TextField("消息", blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    input_file = models.FileField("输入文件", upload_to="jobs/input/", blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    result_file = models.FileField("结果文件", upload_to="jobs/result/", blank=True)
    created_by = models.CharField("提交人", max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(progress__gte=0) & models.Q(progress__lte=1),
                                              name="job_progress_range")]
