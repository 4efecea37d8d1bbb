"""`manage.py build_road_network [county]`: (re)build the routable road network of a county from its
current roads (default 德清县 330521, the demo county) and print the build report."""
from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.common.history import acting_as
from apps.roadnet.services import CONNECTOR_TOLERANCE_M, SNAP_TOLERANCE_M, NetworkError, build_network


class Command(BaseCommand):
    help = "由县内现行道路构建（或重建）可路由路网：在交叉口与共享端点处打断，报告连通性"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("county", nargs="?", default="330521", help="县级区划代码（默认 330521 德清县）")
        parser.add_argument("--snap-tolerance", type=float, default=SNAP_TOLERANCE_M,
                            help=f"近失端点捕捉容差，米（默认 {SNAP_TOLERANCE_M:g}）")
        parser.add_argument("--connector-tolerance", type=float, default=CONNECTOR_TOLERANCE_M,
                            help=f"连通分量之间补连接边的最大间距，米（默认 {CONNECTOR_TOLERANCE_M:g}；0 = 不连接）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出报告")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            with acting_as("manage.py build_road_network"):
                report = build_network(opts["county"], snap_tolerance_m=opts["snap_tolerance"],
                                       connector_tolerance_m=opts["connector_tolerance"])
        except NetworkError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(report.summary())
