"""`manage.py derive_boundary_lines`: derive (or re-derive) boundary lines from the shared border
of two divisions' polygons and print what was snapped and dropped. Without arguments: the six
demo lines (with their demo markers); with `--name` and `--divisions A B`: one line."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.common.errors import ConflictError, DomainRuleError
from apps.divisions.models import Division

from ... import derivation, services
from ...demo import load_demo_boundaries
from ...models import BoundaryLine


class Command(BaseCommand):
    help = "由区划边界的公共部分推导界线（默认：六条演示界线及其演示界桩）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", help="界线名称，如 中芷线")
        parser.add_argument("--divisions", nargs=2, metavar="CODE", help="两个区划代码")
        parser.add_argument("--code", help="4 位界线代码（默认自动分配）")
        parser.add_argument("--tolerance", type=float, default=derivation.DEFAULT_TOLERANCE_M, help="吸附容差（米）")
        parser.add_argument("--min-fragment", type=float, default=derivation.DEFAULT_MIN_FRAGMENT_M,
                            help="短于此长度（米）的碎片舍弃")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["name"] and not options["divisions"]:
            report = load_demo_boundaries()
            self.stdout.write(f"[geo-mz] 界线：{report.summary()}")
            for note in report.skipped:
                self.stdout.write(f"  跳过：{note}")
            for line in BoundaryLine.objects.filter(is_demo=True).order_by("code"):
                self._print(line)
            return
        if not (options["name"] and options["divisions"]):
            raise CommandError("--name 与 --divisions 须同时给出")
        divisions = []
        for code in options["divisions"]:
            division = Division.objects.filter(code=code, valid_to__isnull=True).first()
            if division is None:
                raise CommandError(f"没有代码为 {code} 的现行区划")
            divisions.append(division)
        try:
            line, changed = services.derive_line(options["name"], *divisions, code=options["code"],
                                                 tolerance_m=options["tolerance"],
                                                 min_fragment_m=options["min_fragment"], actor="derive_boundary_lines")
        except (DomainRuleError, ConflictError) as exc:
            raise CommandError(str(exc.detail)) from exc
        self.stdout.write(("已推导" if changed else "无变化") + f"：{line}")
        self._print(line)

    def _print(self, line: BoundaryLine) -> None:
        r = line.derivation
        gaps = "、".join(f"{g:g}" for g in r.get("gaps_m", [])) or "无"
        self.stdout.write(
            f"  {line.name}（{line.code}）长 {line.length_m / 1000:.3f} km，{r.get('pieces')} 段；投影 {r.get('projection')}，"
            f"容差 {r.get('tolerance_m')} m：吸附顶点 {r.get('snapped_vertices')} 个（最大 {r.get('max_snap_m')} m），"
            f"舍弃碎片 {r.get('fragments_dropped')} 个（共 {r.get('dropped_length_m')} m），缺口 {gaps} m；"
            f"界桩 {line.markers.count()} 个")
