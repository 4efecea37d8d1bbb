"""`manage.py generate_demo_addresses`: a deterministic synthetic address register for one county
(roads, 小区, 村民小组, door and room addresses, door plates), written with COPY in one transaction.
Idempotent: the same generator version, seed and count is skipped at once; anything else (or
--force) first deletes the previously generated rows, and only those. See apps/addresses/demo/."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.addresses import demo


class Command(BaseCommand):
    help = "生成演示用合成地址库（道路、小区、村民小组、门牌/户室地址、数字门牌；确定性、幂等）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--county", default=demo.DEFAULT_COUNTY, help="县级区划代码（默认 330521 德清县）")
        parser.add_argument("--count", type=int, default=demo.DEFAULT_COUNT,
                            help=f"地址总数（默认 {demo.DEFAULT_COUNT}；基准测试可用 1000000）")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help=f"随机种子（默认 {demo.DEFAULT_SEED}）")
        parser.add_argument("--force", action="store_true", help="删除先前生成的数据后重新生成")

    def handle(self, *args: Any, county: str, count: int, seed: int, force: bool, **options: Any) -> None:
        if count < 1:
            raise CommandError("--count 至少为 1")
        try:
            report = demo.generate_demo_addresses(
                county, count=count, seed=seed, force=force,
                log=(lambda line: self.stdout.write(f"  {line}")) if options.get("verbosity", 1) > 1 else None)
        except (ValueError, demo.ForeignDataError) as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(f"[geo-mz] 演示地址：{line}")
