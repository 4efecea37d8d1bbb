"""`manage.py issue_api_key --department 公安局 [--name …] [--rate-limit 120] [--jurisdiction 330521]`:
issue a read-only department key and print it once; `--revoke PREFIX` revokes one."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.keys import issue_key, revoke_key
from apps.accounts.models import ApiKey
from apps.common.errors import DomainRuleError


class Command(BaseCommand):
    help = "发放或吊销部门接口密钥"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--department", help="部门名称")
        parser.add_argument("--name", default="", help="用途")
        parser.add_argument("--rate-limit", type=int, default=120, help="每分钟请求上限")
        parser.add_argument("--jurisdiction", default="", help="可查询范围（区划代码前缀，空 = 全部）")
        parser.add_argument("--revoke", metavar="PREFIX", help="吊销该前缀的密钥")
        parser.add_argument("--by", default="manage.py", help="操作人")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["revoke"]:
            key = ApiKey.objects.filter(prefix=options["revoke"]).first()
            if key is None:
                raise CommandError(f"没有前缀为 {options['revoke']} 的密钥")
            revoke_key(key, revoked_by=options["by"])
            self.stdout.write(f"已吊销 {key}")
            return
        if not options["department"]:
            raise CommandError("请用 --department 指定部门")
        try:
            issued = issue_key(options["department"], created_by=options["by"], name=options["name"],
                               rate_limit_per_minute=options["rate_limit"], jurisdiction=options["jurisdiction"])
        except DomainRuleError as exc:
            raise CommandError(str(exc.detail)) from exc
        self.stdout.write(issued.secret)
