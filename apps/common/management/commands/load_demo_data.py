"""`manage.py load_demo_data`: the demo data of every app, idempotently (a second run neither
duplicates nor fails, and returns at once when nothing changed): the real division seed data,
then the synthetic address register of 德清县 (150,000 addresses with door plates), then the
place-name gazetteer (every division and road of the county plus the named places), the boundary
lines with their markers and the demo facilities."""
from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.analysis.demo import load_demo_constraints
from apps.divisions.loaders import load_demo_divisions
from apps.facilities.demo import load_demo_facilities
from apps.placenames.demo import load_demo_placenames


class Command(BaseCommand):
    help = "加载演示数据（真实区划、乡镇村名称与区划变更；幂等）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="即使输入文件未变化也重新加载区划")
        parser.add_argument("--skip-addresses", action="store_true", help="不生成演示地址库")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        started = time.monotonic()
        report = load_demo_divisions(force=force)
        self.stdout.write(f"[geo-mz] 行政区划：{report.summary()}（{time.monotonic() - started:.1f} s）")
        verbose = options.get("verbosity", 1) > 1
        for line in report.notes[: None if verbose else 5]:
            self.stdout.write(f"  注：{line}")
        if len(report.notes) > 5 and not verbose:
            self.stdout.write(f"  …另有 {len(report.notes) - 5} 条说明（-v 2 查看）")
        call_command("derive_boundary_lines", stdout=self.stdout)
        if not options.get("skip_addresses"):
            call_command("generate_demo_addresses", stdout=self.stdout, verbosity=options.get("verbosity", 1))
            started = time.monotonic()
            made = load_demo_facilities()
            layers = load_demo_constraints()
            call_command("build_road_network", stdout=self.stdout)
            self.stdout.write(f"[geo-mz] 服务设施：新增 {made} 个演示设施，{layers} 个合成限制图层要素"
                              f"（{time.monotonic() - started:.1f} s）")
        started = time.monotonic()
        names = load_demo_placenames()
        self.stdout.write(f"[geo-mz] 地名：{names.summary()}（{time.monotonic() - started:.1f} s）")
