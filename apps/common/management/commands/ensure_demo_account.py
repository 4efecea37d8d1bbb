"""`manage.py ensure_demo_account`: in demo mode only, make sure the demo accounts exist and print
their credentials: `demo` (superuser), and three staff accounts that show the roles and
jurisdictions — `demo-county` (德清县 administrator), `demo-clerk` (乾元镇 editor) and `demo-viewer`
(德清县 viewer). One password, generated once and kept in var/demo-account.txt (mode 600)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.principal import Role
from apps.accounts.services import save_staff_account

USERNAME = "demo"
STAFF = [("demo-county", Role.ADMINISTRATOR, "330521", "德清县民政局"),
         ("demo-clerk", Role.EDITOR, "330521100", "乾元镇人民政府"),
         ("demo-viewer", Role.VIEWER, "330521", "德清县民政局")]


class Command(BaseCommand):
    help = "演示模式下创建演示账号（超级管理员及各角色工作人员）并打印其登录信息"

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("只在演示模式（GEO_MZ_DEMO=1）下创建演示账号")
        store = Path(settings.BASE_DIR) / "var" / "demo-account.txt"
        password = store.read_text().strip() if store.exists() else ""
        if not password:
            password = secrets.token_urlsafe(12)
            store.parent.mkdir(parents=True, exist_ok=True)
            store.write_text(password + "\n")
            os.chmod(store, 0o600)
        user, _ = get_user_model().objects.get_or_create(username=USERNAME, defaults={"email": "demo@example.invalid"})
        if not user.check_password(password) or not user.is_staff or not user.is_superuser:
            user.set_password(password)
            user.is_staff = user.is_superuser = True
            user.save()
        for username, role, jurisdiction, department in STAFF:
            save_staff_account(username, role=role, jurisdiction=jurisdiction, department=department,
                               password=password)
        self.stdout.write(f"[geo-mz] 演示账号 demo account: 用户名 {USERNAME}  密码 {password}  （/accounts/login/）")
        self.stdout.write("[geo-mz] 角色演示账号（同一密码）: demo-county 德清县管理员 · demo-clerk 乾元镇编辑员 · "
                          "demo-viewer 德清县查看员")
