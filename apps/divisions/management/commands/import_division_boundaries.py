"""`manage.py import_division_boundaries FILE`: attach boundaries from a shapefile, GeoPackage or
GeoJSON to divisions by code. Dry run unless --commit; one transaction; every rejected feature is
listed with its reason. Thin wrapper around apps.divisions.importers."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.common.vector_io import VectorFileError
from apps.divisions.importers import import_division_boundaries


class Command(BaseCommand):
    help = "从 shapefile / GeoPackage / GeoJSON 导入行政区划边界（默认试运行，--commit 才写入）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="文件路径（.shp、.gpkg、.geojson）")
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只试运行并报告）")
        parser.add_argument("--strict", action="store_true", help="有任何被拒绝的要素时不写入")
        parser.add_argument("--code-field", default="code", help="区划代码字段名（默认 code）")
        parser.add_argument("--name-field", default="name", help="名称字段名（默认 name）")
        parser.add_argument("--layer", default=None, help="图层名（GeoPackage）")
        parser.add_argument("--crs", default=None,
                            help="坐标系：EPSG:4490、EPSG:4326、GCJ-02、BD-09、EPSG:4513–4554；缺 .prj 时必填")
        parser.add_argument("--encoding", default=None, help="属性编码，如 GBK（缺 .cpg 时会推断并提示）")
        parser.add_argument("--actor", default="import-command", help="记录在变更历史中的操作人")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            report = import_division_boundaries(
                opts["path"], actor=opts["actor"], commit=opts["commit"], strict=opts["strict"],
                code_field=opts["code_field"], name_field=opts["name_field"], layer=opts["layer"],
                crs=opts["crs"], encoding=opts["encoding"])
        except VectorFileError as exc:
            raise CommandError(str(exc)) from exc
        out = self.stdout.write
        out(f"文件：{report.path}")
        out(f"坐标系：{report.crs_note}；编码：{report.encoding_note}")
        out(f"要素 {report.total} 个：更新 {len(report.updated)}，新增 {len(report.created)}，拒绝 {len(report.rejected)}")
        for r in report.rejected:
            out(f"  拒绝 第 {r.index} 个要素 代码={r.code or '—'} 名称={r.name or '—'}：{r.reason}")
        if report.refused:
            out(self.style.ERROR(report.refused))
        elif report.committed:
            out(self.style.SUCCESS("已写入（一个事务）"))
        else:
            out(self.style.WARNING("试运行：未写入任何数据；确认无误后加 --commit"))
        if report.refused:
            raise CommandError(report.refused)
