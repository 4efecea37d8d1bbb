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
