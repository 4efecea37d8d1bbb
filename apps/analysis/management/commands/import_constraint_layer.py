"""`manage.py import_constraint_layer FILE --category farmland [--commit]`: load a constraint layer
for the cemetery suitability analysis (dry run by default)."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.exceptions import APIException

from apps.accounts.context import acting_principal
from apps.accounts.principal import SYSTEM
from apps.accounts.resolve import principal_for_user

from apps.analysis.constraint_import import import_constraint_layer
from apps.analysis.models import ConstraintCategory
from apps.common.vector_io import VectorFileError
from apps.divisions.models import Division


class Command(BaseCommand):
    help = "导入公墓选址限制图层（耕地、林地、风景名胜区、水源保护区、铁路公路等；默认试运行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--category", required=True, choices=ConstraintCategory.values)
        parser.add_argument("--county", default=None, help="县级区划代码，默认本辖区")
        parser.add_argument("--name-field", default="", help="要素名称字段")
        parser.add_argument("--layer", default=None)
        parser.add_argument("--encoding", default=None, help="如 GBK；默认按 .cpg 或自动判断")
        parser.add_argument("--crs", default=None, help="如 EPSG:4490、EPSG:4528、GCJ-02；默认读 .prj")
        parser.add_argument("--source", default="", help="数据来源说明")
        parser.add_argument("--replace", action="store_true", help="先删除本县该类别已导入的（非合成）要素")
        parser.add_argument("--commit", action="store_true", help="写入数据库（否则只报告）")
        parser.add_argument("--user", default=None,
                            help="以该工作人员账号导入（检查其角色与辖区）；默认以系统身份")

    def handle(self, *args: Any, **o: Any) -> None:
        code = o["county"] or settings.GEO_MZ_HOME_COUNTY
        county = Division.objects.filter(code=code, level="county", valid_to__isnull=True).first()
        if county is None:
            raise CommandError(f"没有代码为 {code} 的现行县级区划")
        principal, actor = SYSTEM, "import_command"
        if o["user"]:
            user = get_user_model().objects.filter(username=o["user"]).first()
            if user is None:
                raise CommandError(f"没有账号 {o['user']}")
            principal, actor = principal_for_user(user), o["user"]
        try:
            with acting_principal(principal):
                report = import_constraint_layer(o["path"], category=o["category"], county=county, actor=actor,
                                                 name_field=o["name_field"], layer=o["layer"], encoding=o["encoding"],
                                                 crs=o["crs"], source=o["source"], commit=o["commit"],
                                                 replace=o["replace"])
        except (VectorFileError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        except APIException as exc:  # a role or jurisdiction refusal
            raise CommandError(str(exc.detail)) from exc
        self.stdout.write(f"坐标系：{report.crs_note}；编码：{report.encoding_note}")
        self.stdout.write(f"要素 {report.total} 个，可导入 {report.loaded} 个，拒绝 {len(report.rejected)} 个"
                          + ("，已写入" if report.committed else "（试运行，未写入；加 --commit 写入）"))
        for index, reason in report.rejected:
            self.stdout.write(f"  第 {index} 个要素：{reason}")
