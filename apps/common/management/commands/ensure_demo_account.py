"""`manage.py ensure_demo_account`: in demo mode only, make sure a staff account exists and print
its credentials. The password is generated once and kept in var/demo-account.txt (mode 600)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "demo"


class Command(BaseCommand):
    help = "演示模式下创建演示管理员账号并打印其登录信息"

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
        self.stdout.write(f"[geo-mz] 演示账号 demo account: 用户名 {USERNAME}  密码 {password}  （/admin/）")
