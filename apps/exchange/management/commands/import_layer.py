"""`manage.py import_layer FILE --target facilities|placenames|addresses [--map name=MC] [--fixed kind=...]
[--encoding GBK] [--crs EPSG:4527|GCJ-02] [--commit [--skip-rejected]] [--user USERNAME]`

With `--user` the import runs with that staff account's rights (an editor, and only rows inside
its jurisdiction: one row outside refuses the whole import); without it, as the system.

Shows what was detected (encoding, CRS, fields, the first rows decoded), then dry-runs the import
(or commits it in one transaction) and lists every rejected row with its reason."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.exceptions import APIException

from apps.accounts.context import acting_principal
from apps.accounts.principal import SYSTEM, Principal
from apps.accounts.resolve import principal_for_user

from apps.exchange.importing import TARGETS, MappingError, guess_mapping, run_import
from apps.exchange.sources import SourceError, open_source


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CommandError(f"{option} 应写成 目标字段=值，如 {option} name=MC")
        out[key.strip()] = value.strip()
    return out


class Command(BaseCommand):
    help = "导入点/线/面图层（zip 打包的 shapefile、GeoPackage、GeoJSON、带坐标列的 CSV/XLSX）到民政服务设施或地名；默认试运行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--target", required=True, choices=sorted(TARGETS))
        parser.add_argument("--map", action="append", default=[], help="目标字段=源字段，可重复")
        parser.add_argument("--fixed", action="append", default=[], help="目标字段=统一取值（如 kind=elderly_home）")
        parser.add_argument("--encoding", help="属性编码（如 GBK）；不指定时按 .cpg 或内容推断")
        parser.add_argument("--crs", help="坐标系（EPSG:4490、EPSG:4513–4554、GCJ-02、BD-09）；不指定时按 .prj 或坐标量级")
        parser.add_argument("--x", dest="x_column", help="CSV/XLSX 的经度（东坐标）列")
        parser.add_argument("--y", dest="y_column", help="CSV/XLSX 的纬度（北坐标）列")
        parser.add_argument("--commit", action="store_true", help="写入（一个事务）；不加则只试运行")
        parser.add_argument("--skip-rejected", action="store_true", help="有被拒绝的行时仍写入其余行")
        parser.add_argument("--actor", default="import_layer", help="记录为操作人的名称（不指定 --user 时）")
        parser.add_argument("--user", help="以该工作人员账号的角色和辖区导入（操作人记为该账号）")

    def _principal(self, options: dict[str, Any]) -> Principal:
        if not options["user"]:
            return SYSTEM
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"没有启用的账号 {options['user']}")
        principal = principal_for_user(user)
        if not principal.is_staff:
            raise CommandError(f"账号 {options['user']} 没有分配角色，不能导入")
        options["actor"] = user.get_username()
        return principal

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_principal(self._principal(options)):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        target = TARGETS[options["target"]]
        with tempfile.TemporaryDirectory() as tmp:
            try:
                source = open_source(Path(options["file"]), Path(tmp), encoding=options["encoding"],
                                     crs=options["crs"], x_column=options["x_column"], y_column=options["y_column"])
            except SourceError as exc:
                raise CommandError(exc.message)
            self.stdout.write(f"编码：{source.encoding}（{source.encoding_note}）")
            self.stdout.write(f"坐标系：{source.crs}（{source.crs_note}）")
            self.stdout.write(f"字段：{'、'.join(source.fields)}；共 {len(source.features)} 行")
            for row in source.preview(5):
                self.stdout.write("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
            mapping = guess_mapping(target, source.fields) | _pairs(options["map"], "--map")
            fixed = _pairs(options["fixed"], "--fixed")
            self.stdout.write("字段对应：" + "、".join(f"{k}←{v}" for k, v in mapping.items()) +
                              ("；统一取值：" + "、".join(f"{k}={v}" for k, v in fixed.items()) if fixed else ""))
            try:
                report = run_import(source, target.id, mapping, fixed, actor=options["actor"],
                                    commit=options["commit"], skip_rejected=options["skip_rejected"])
            except MappingError as exc:
                raise CommandError(str(exc))
            except APIException as exc:  # the account may not import (role)
                raise CommandError(str(exc.detail))
        for row in report.rejected:
            self.stdout.write(f"  拒绝 第 {row.index} 行 {row.name}：{row.reason}")
        self.stdout.write(report.message)
        if options["commit"] and not report.committed:
            raise CommandError(report.message)
