"""Admin of accounts: staff roles and jurisdictions on the user page, and department API keys (the
key is shown once when issued; keys are revoked, never deleted)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .admin_roles import admin_principal
from .keys import issue_key, revoke_key, usage_summary
from .lockout import LockoutAdminAuthenticationForm
from .models import ApiKey, StaffProfile
from .principal import Role
from .services import check_jurisdiction_code

admin.site.login_form = LockoutAdminAuthenticationForm


class _AdministratorsOnly:
    def _ok(self, request: Any) -> bool:
        return admin_principal(request).at_least(Role.ADMINISTRATOR)

    def has_module_permission(self, request: Any) -> bool:
        return self._ok(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._ok(request)

    def has_add_permission(self, request: Any) -> bool:
        return self._ok(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._ok(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class StaffProfileForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["role", "jurisdiction", "department"]

    def clean_jurisdiction(self) -> str:
        code = self.cleaned_data["jurisdiction"]
        try:
            check_jurisdiction_code(code)
        except Exception as exc:  # DomainRuleError → a form error
            raise forms.ValidationError(str(getattr(exc, "detail", exc))) from exc
        return code


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    form = StaffProfileForm
    can_delete = False
    verbose_name_plural = "角色与辖区"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(_AdministratorsOnly, UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ("username", "is_active", "is_superuser", "role", "jurisdiction", "last_login")

    @admin.display(description="角色")
    def role(self, user: Any) -> str:
        profile = getattr(user, "staff_profile", None)
        return Role(profile.role).label if profile else ("超级管理员" if user.is_superuser else "—")

    @admin.display(description="辖区")
    def jurisdiction(self, user: Any) -> str:
        profile = getattr(user, "staff_profile", None)
        return profile.jurisdiction if profile else ""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        obj.is_staff = True
        super().save_model(request, obj, form, change)


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["department", "name", "rate_limit_per_minute", "jurisdiction"]


@admin.register(ApiKey)
class ApiKeyAdmin(_AdministratorsOnly, admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("department", "name", "prefix", "rate_limit_per_minute", "created_by", "created_at",
                    "revoked_at", "requests")
    list_filter = ("department",)
    actions = ["revoke"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple:
        return ("prefix", "created_by", "created_at", "revoked_at", "revoked_by", "requests") if obj else ()

    @admin.display(description="累计请求（被拒）")
    def requests(self, key: ApiKey) -> str:
        usage = usage_summary(key)
        return f"{usage['requests']}（{usage['refused']}）"

    def save_model(self, request: Any, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = issue_key(obj.department, created_by=request.user.get_username(), name=obj.name,
                           rate_limit_per_minute=obj.rate_limit_per_minute, jurisdiction=obj.jurisdiction)
        obj.pk = issued.key.pk
        obj.prefix, obj.key_hash = issued.key.prefix, issued.key.key_hash
        messages.warning(request, f"新密钥（只显示这一次，请立即交给 {obj.department}）：{issued.secret}")

    @admin.action(description="吊销所选密钥")
    def revoke(self, request: Any, queryset: Any) -> None:
        for key in queryset:
            revoke_key(key, revoked_by=request.user.get_username())
        messages.success(request, f"已吊销 {queryset.count()} 个密钥")
