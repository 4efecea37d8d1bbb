"""Accounts data: a staff member's role and jurisdiction, department API keys with their per-minute
usage (which is also the rate-limit counter), and failed logins (for the lockout)."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from .principal import Role


class StaffProfile(models.Model):
    """The role and jurisdiction of one staff account. Accounts without a profile (other than
    superusers) can log in to nothing: the role decides."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile",
                                verbose_name="账号")
    role = models.PositiveSmallIntegerField("角色", choices=[(r.value, r.label) for r in Role],
                                            default=Role.VIEWER.value)
    jurisdiction = models.CharField("辖区（区划代码）", max_length=12,
                                    help_text="6 位县级、9 位乡镇或 12 位村级区划代码；账号只能修改辖区内的记录")
    department = models.CharField("所在单位", max_length=100, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        constraints = [models.CheckConstraint(condition=models.Q(jurisdiction__regex=r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$"),
                                              name="staff_jurisdiction_is_division_code")]

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{Role(self.role).label}，{self.jurisdiction}）"


class ApiKey(models.Model):
    """A department's key. Only a hash is stored; the key is shown once, when created. Revoked
    keys stay (with who and when) so usage and batches keep their department."""

    department = models.CharField("部门", max_length=100)
    name = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    rate_limit_per_minute = models.PositiveIntegerField("每分钟请求上限", default=120)
    jurisdiction = models.CharField("可查询范围（区划代码前缀）", max_length=12, blank=True,
                                    help_text="空 = 全部")
    created_by = models.CharField("创建人", max_length=150)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.CharField("吊销人", max_length=150, blank=True)

    class Meta:
        verbose_name = "部门接口密钥"
        verbose_name_plural = "部门接口密钥"
        ordering = ["department", "-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(rate_limit_per_minute__gte=1),
                                              name="api_key_rate_limit_positive")]

    def __str__(self) -> str:
        return f"{self.department} {self.prefix}…"


class ApiKeyUsage(models.Model):
    """Requests of one key in one minute: the rate-limit window and the usage statistics at once
    (one upsert per request)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    minute = models.DateTimeField()
    requests = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "minute"], name="api_key_usage_one_row_per_minute")]


class LoginFailure(models.Model):
    """One failed login: the username tried and a salted hash of the client address."""

    username = models.CharField(max_length=150, db_index=True)
    client_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
