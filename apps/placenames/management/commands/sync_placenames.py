"""`manage.py sync_placenames [county] [--romanise]`: bring the gazetteer's division and road entries in line
with their registers (new records get entries, renames become 曾用名, retirements cancel); with --romanise, recompute every stored spelling."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.divisions.models import Division
from apps.placenames.services import reromanise
from apps.placenames.sync import sync_register_names


class Command(BaseCommand):
    help = "同步地名库中的行政区划与街路巷条目（新增、随登记更名、注销）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("county", nargs="?", default=None, help="县级区划代码，默认本辖区 GEO_MZ_HOME_COUNTY")
        parser.add_argument("--romanise", action="store_true",
                            help="按现行拼写规则与多音字表重新生成全部地名的拼写（人工指定的拼写仍优先）")

    def handle(self, *args: Any, county: str | None = None, romanise: bool = False, **options: Any) -> None:
        code = county or settings.GEO_MZ_HOME_COUNTY
        if not Division.objects.filter(code=code, level="county", valid_to__isnull=True).exists():
            raise CommandError(f"没有代码为 {code} 的现行县级区划")
        report = sync_register_names(code)
        self.stdout.write(f"[geo-mz] 地名库同步（{code}）：{report.summary()}")
        if romanise:
            county_division = Division.objects.get(code=code, level="county", valid_to__isnull=True)
            changed = reromanise(county_division, actor="sync_placenames")
            self.stdout.write(f"[geo-mz] 重新生成拼写：{changed} 个地名的拼写有变化")
