"""`manage.py run_jobs`: the background worker of the PostgreSQL job queue (`--once`: run what is
queued, then exit). `make run` starts it beside gunicorn."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.common.jobs import work


class Command(BaseCommand):
    help = "运行后台任务（批量匹配等）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="处理完排队的任务后退出")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        # Handlers are registered by each app's AppConfig.ready().
        ran = work(once=once)
        self.stdout.write(f"[geo-mz] 后台任务：完成 {ran} 个")
