"""The staff import page /imports/: upload → preview (detected encoding and CRS, the first rows
decoded, the fields, a mapping form) → dry-run report (every rejected row with its reason) →
commit. The upload is kept under var/imports/<token>/ for the session that sent it; oversized
uploads and zip bombs are refused with 413. Imports write registers: the page is for editors
(viewers get 403), and rows outside the user's jurisdiction refuse the whole import."""
from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import APIException

from apps.accounts.context import current_principal
from apps.accounts.principal import Role

from .importing import TARGETS, MappingError, guess_mapping, run_import
from .sources import MAX_UPLOAD_BYTES, Source, SourceError, open_source

_SESSION_KEY = "exchange_imports"
_CRS_CHOICES = [("", "自动（.prj 或坐标量级）"), ("EPSG:4490", "CGCS2000 经纬度 EPSG:4490"),
                ("GCJ-02", "GCJ-02（高德/腾讯）"), ("BD-09", "BD-09（百度）")] + \
               [(f"EPSG:{c}", f"高斯-克吕格 EPSG:{c}") for c in range(4513, 4555)]
_ENCODING_CHOICES = [("", "自动（.cpg 或按内容推断）"), ("UTF-8", "UTF-8"), ("GBK", "GBK")]


def _root() -> Path:
    return Path(getattr(settings, "EXCHANGE_IMPORT_DIR", Path(settings.BASE_DIR) / "var" / "imports"))


def _upload(request: HttpRequest, token: str) -> dict[str, str]:
    entry = request.session.get(_SESSION_KEY, {}).get(token)
    if entry is None:
        raise Http404("没有这次上传（可能已过期），请重新上传")
    return entry


def _options(request: HttpRequest) -> dict[str, str]:
    data = request.POST if request.method == "POST" else request.GET
    crs = data.get("crs", "")
    encoding = data.get("encoding", "")
    return {"crs": crs if crs in dict(_CRS_CHOICES) else "", "encoding": encoding if encoding in dict(_ENCODING_CHOICES) else "",
            "x": data.get("x", "")[:60], "y": data.get("y", "")[:60]}


def _open(entry: dict[str, str], options: dict[str, str]) -> Source:
    path = Path(entry["path"])
    return open_source(path, path.parent / "work", encoding=options["encoding"] or None, crs=options["crs"] or None,
                       x_column=options["x"] or None, y_column=options["y"] or None)


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    base = {"targets": TARGETS.values(), "crs_choices": _CRS_CHOICES, "encoding_choices": _ENCODING_CHOICES,
            "max_mb": MAX_UPLOAD_BYTES // 2**20}
    return render(request, "exchange/imports.html", base | context, status=status)


def _refused(request: HttpRequest) -> HttpResponse | None:
    """403 for staff below editor: importing writes registers."""
    if current_principal().at_least(Role.EDITOR):
        return None
    return _page(request, {"stage": "upload", "error": "导入数据需要编辑员及以上角色"}, 403)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if (refused := _refused(request)) is not None:
        return refused
    if request.method == "GET":
        return _page(request, {"stage": "upload"})
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + 2**20:  # refuse before reading the body
        return _page(request, {"stage": "upload", "error": f"文件过大（上限 {MAX_UPLOAD_BYTES // 2**20} MB）"}, 413)
    file = request.FILES.get("file")
    target = request.POST.get("target", "")
    if file is None or target not in TARGETS:
        return _page(request, {"stage": "upload", "error": "请选择文件和导入目标"}, 400)
    if file.size > MAX_UPLOAD_BYTES:
        return _page(request, {"stage": "upload", "error": f"文件过大（上限 {MAX_UPLOAD_BYTES // 2**20} MB）"}, 413)
    token = uuid.uuid4().hex
    name = re.sub(r"[^0-9A-Za-z._\-\u4e00-\u9fff]", "_", Path(file.name).name)[-120:] or "upload"
    folder = _root() / token
    folder.mkdir(parents=True)
    with open(folder / name, "wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    uploads = request.session.get(_SESSION_KEY, {})
    uploads[token] = {"path": str(folder / name), "target": target, "name": file.name}
    request.session[_SESSION_KEY] = uploads
    return redirect("exchange-import-preview", token=token)


def _context(request: HttpRequest, token: str, stage: str) -> dict[str, Any]:
    """The upload of this session, the reading options sent and the import target."""
    entry = _upload(request, token)
    return {"stage": stage, "token": token, "entry": entry, "target": TARGETS[entry["target"]],
            "options": _options(request)}


def preview(request: HttpRequest, token: str) -> HttpResponse:
    if (refused := _refused(request)) is not None:
        return refused
    context = _context(request, token, "preview")
    entry, options, target = context["entry"], context["options"], context["target"]
    try:
        source = _open(entry, options)
    except SourceError as exc:
        return _page(request, context | {"error": exc.message}, exc.status)
    mapping = guess_mapping(target, source.fields)
    fields = [{"field": tf, "mapped": mapping.get(tf.name, ""),
               "choices": tf.fixed_choices() if tf.fixed_choices else None} for tf in target.fields]
    return _page(request, context | {"source": source, "rows": source.preview(10), "columns": ["index", "geometry", *source.fields],
                                     "mapping_fields": fields})


@require_POST
def run(request: HttpRequest, token: str) -> HttpResponse:
    if (refused := _refused(request)) is not None:
        return refused
    context = _context(request, token, "report")
    entry, options, target = context["entry"], context["options"], context["target"]
    mapping = {tf.name: request.POST.get(f"map_{tf.name}", "") for tf in target.fields}
    fixed = {tf.name: request.POST.get(f"fixed_{tf.name}", "") for tf in target.fields if tf.fixed_choices}
    commit = request.POST.get("action") == "commit"
    try:
        source = _open(entry, options)
        report = run_import(source, target.id, mapping, fixed, actor=request.user.get_username(), commit=commit,
                            skip_rejected=request.POST.get("skip_rejected") == "1")
    except SourceError as exc:
        return _page(request, context | {"error": exc.message}, exc.status)
    except MappingError as exc:
        return _page(request, context | {"error": str(exc)}, 400)
    except APIException as exc:  # role refused by the import itself
        return _page(request, context | {"error": str(exc.detail)}, exc.status_code)
    if report.committed:
        shutil.rmtree(Path(entry["path"]).parent, ignore_errors=True)
        uploads = request.session.get(_SESSION_KEY, {})
        uploads.pop(token, None)
        request.session[_SESSION_KEY] = uploads
    return _page(request, context | {"report": report, "mapping": mapping, "fixed": fixed, "committed": report.committed})
