"""`manage.py save_staff_account NAME --role editor --jurisdiction 330521100 [--password-stdin]`:
create or update a staff account with its role and jurisdiction (as the system)."""
from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.principal import Role
from apps.accounts.services import save_staff_account
from apps.common.errors import DomainRuleError

ROLES = {"viewer": Role.VIEWER, "editor": Role.EDITOR, "administrator": Role.ADMINISTRATOR}


class Command(BaseCommand):
    help = "创建或修改工作人员账号（角色、辖区）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--jurisdiction", required=True, help="辖区区划代码（6/9/12 位）")
        parser.add_argument("--department", default="")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")

    def handle(self, *args: Any, **options: Any) -> None:
        password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
        try:
            profile = save_staff_account(options["username"], role=ROLES[options["role"]],
                                         jurisdiction=options["jurisdiction"], password=password,
                                         department=options["department"])
        except DomainRuleError as exc:
            raise CommandError(str(exc.detail)) from exc
        self.stdout.write(f"已保存 {profile}")
