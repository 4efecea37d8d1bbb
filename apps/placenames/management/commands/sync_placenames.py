"""`manage.py sync_placenames [county]`: bring the gazetteer's division and road entries in line
with their registers (new records get entries, renames become 曾用名, retirements cancel)."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.divisions.models import Division
from apps.placenames.sync import sync_register_names


class Command(BaseCommand):
    help = "同步地名库中的行政区划与街路巷条目（新增、随登记更名、注销）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("county", nargs="?", default=None, help="县级区划代码，默认本辖区 GEO_MZ_HOME_COUNTY")

    def handle(self, *args: Any, county: str | None = None, **options: Any) -> None:
        code = county or settings.GEO_MZ_HOME_COUNTY
        if not Division.objects.filter(code=code, level="county", valid_to__isnull=True).exists():
            raise CommandError(f"没有代码为 {code} 的现行县级区划")
        report = sync_register_names(code)
        self.stdout.write(f"[geo-mz] 地名库同步（{code}）：{report.summary()}")
