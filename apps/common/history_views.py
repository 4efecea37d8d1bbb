"""The history of one record, for staff: a page (`/history/<app_label>.<model>/<key>/`, with a
restore button and confirm step for administrators), a redirect from a public code (the staff
map knows codes, not keys) and the read API `GET /api/v1/history/<app_label>.<model>/<key>/`
with its restore call `POST …/restore`. Reads go through `audit`, writes through `restore`.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import AdministratorsOnly, StaffOnly

from . import audit
from .models import ChangeRecord
from .pagination import StrictLimitOffsetPagination
from .params import reject_unknown_params
from .restore import restore_version

PAGE_ROWS = 100
PATH_PARAMETERS = [
    OpenApiParameter("label", str, OpenApiParameter.PATH, description="数据类型 app_label.model，如 addresses.address、facilities.facility"),
    OpenApiParameter("key", str, OpenApiParameter.PATH, description="记录的主键（id，或以 uuid 为主键的表的 uid）"),
]


def _page_url(label: str, key: str) -> str:
    return reverse("history-page", args=[label, key])


def _admin_url(instance: Any) -> str | None:
    if instance is None:
        return None
    meta = instance._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
    except NoReverseMatch:  # a model without an admin page
        return None


def _resolve_or_404(label: str, key: str) -> tuple[Any, Any]:
    try:
        return audit.resolve(label, key)
    except audit.UnknownRecord as exc:
        raise Http404(str(exc))


@staff_member_required
@require_http_methods(["GET", "POST"])
def history_page(request: HttpRequest, label: str, key: str) -> HttpResponse:
    """GET: the record's changes, newest first (`?offset=`); `?restore=<id>` asks to confirm a
    restore. POST (administrators): restore the version of `change_record`."""
    model, instance = _resolve_or_404(label, key)
    if request.method == "POST":
        return _restore_from_page(request, label, key)
    try:
        offset = max(0, int(request.GET.get("offset", "0") or 0))
    except ValueError:
        offset = 0
    records = audit.records_of(model, key)
    total = records.count()
    entries = audit.history_entries(model, records[offset:offset + PAGE_ROWS])
    confirm = None
    if request.GET.get("restore") and audit.can_restore(request.user):
        chosen = records.filter(pk=request.GET["restore"]).first() if request.GET["restore"].isdigit() else None
        confirm = audit.history_entries(model, [chosen])[0] if chosen else None
    context = {"model_name": model._meta.verbose_name, "label": label, "key": key, "instance": instance,
               "entries": entries, "total": total, "offset": offset, "page_rows": PAGE_ROWS,
               "next_offset": offset + PAGE_ROWS if offset + PAGE_ROWS < total else None,
               "prev_offset": max(0, offset - PAGE_ROWS) if offset else None,
               "can_restore": audit.can_restore(request.user), "confirm": confirm,
               "admin_url": _admin_url(instance)}
    return render(request, "common/history.html", context)


def _restore_from_page(request: HttpRequest, label: str, key: str) -> HttpResponse:
    if not audit.can_restore(request.user):
        return HttpResponseForbidden("只有管理员可以恢复历史版本", content_type="text/plain; charset=utf-8")
    record_id = request.POST.get("change_record", "")
    model = audit.model_for_label(label)
    if not record_id.isdigit() or not audit.records_of(model, key).filter(pk=record_id).exists():
        messages.error(request, "请选择这条记录的一条变更记录")
        return HttpResponseRedirect(_page_url(label, key))
    try:
        result = restore_version(int(record_id), request.user.get_username())
    except APIException as exc:  # a domain rule, a conflict, or outside the jurisdiction
        messages.error(request, f"未恢复：{exc.detail}")
    else:
        messages.success(request, result.message)
    return HttpResponseRedirect(_page_url(label, key))


@staff_member_required
def history_by_code(request: HttpRequest, label: str, code: str) -> HttpResponse:
    """From a public code to the record's history page (links from the staff map)."""
    try:
        model = audit.model_for_label(label)
    except audit.UnknownRecord as exc:
        raise Http404(str(exc))
    instance = audit.by_code(model, code)
    if instance is None:
        raise Http404(f"没有编码为 {code} 的{model._meta.verbose_name}")
    return HttpResponseRedirect(_page_url(label, str(instance.pk)))


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="字段（数据库列名）")
    label = serializers.CharField(help_text="字段中文名")
    before = serializers.CharField(help_text="变更前（可读文本；几何变更为“几何已变更”）")
    after = serializers.CharField(help_text="变更后")


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="变更记录编号（恢复时使用）")
    action = serializers.CharField(help_text="I 新增、U 修改、D 删除")
    action_label = serializers.CharField()
    actor = serializers.CharField(help_text="操作人")
    at = serializers.DateTimeField(help_text="时间")
    txid = serializers.IntegerField(help_text="数据库事务号（同一事务的变更相同）")
    geometry_digested = serializers.BooleanField(help_text="该版本的几何只存了摘要（节点过多），不能据此恢复几何")
    changes = FieldChangeSerializer(many=True)


class HistoryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HistoryEntrySerializer(many=True)


class RestoreRequestSerializer(serializers.Serializer):
    change_record = serializers.IntegerField(min_value=1, help_text="要恢复到的变更记录编号（该版本的内容）")


class RestoreResultSerializer(serializers.Serializer):
    change_record = serializers.IntegerField(help_text="恢复本身产生的新变更记录", allow_null=True)
    restored = serializers.ListField(child=serializers.CharField(), help_text="已恢复的字段")
    kept = serializers.ListField(child=serializers.CharField(), help_text="属于编码或生命周期、未恢复的字段")
    created = serializers.BooleanField(help_text="记录已被删除，恢复时重新建立")
    message = serializers.CharField()


def _api_resolve(label: str, key: str) -> tuple[Any, Any]:
    try:
        return audit.resolve(label, key)
    except audit.UnknownRecord as exc:
        raise exceptions.NotFound(str(exc))


class HistoryAPIView(APIView):
    """A record's change history, newest first, with field-level diffs."""

    permission_classes = [StaffOnly]
    pagination_class = StrictLimitOffsetPagination

    @extend_schema(tags=["history"], summary="记录的变更历史（谁、何时、改了什么）",
                   parameters=[*PATH_PARAMETERS, OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
                   responses=HistoryPageSerializer)
    def get(self, request: Request, label: str, key: str) -> Response:
        reject_unknown_params(request.query_params, [])
        model, _ = _api_resolve(label, key)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(audit.records_of(model, key), request, view=self)
        data = HistoryEntrySerializer(audit.history_entries(model, page or []), many=True).data
        return paginator.get_paginated_response(data)


class RestoreAPIView(APIView):
    """Restore the record to the version of one of its change records (administrators)."""

    permission_classes = [AdministratorsOnly]

    @extend_schema(tags=["history"], summary="恢复到历史版本（管理员）", request=RestoreRequestSerializer,
                   parameters=PATH_PARAMETERS,
                   responses={200: RestoreResultSerializer})
    def post(self, request: Request, label: str, key: str) -> Response:
        reject_unknown_params(request.query_params, [])
        model, _ = _api_resolve(label, key)
        body = RestoreRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record_id = body.validated_data["change_record"]
        if not audit.records_of(model, key).filter(pk=record_id).exists():
            raise exceptions.ValidationError({"change_record": ["不是这条记录的变更记录"]})
        try:
            result = restore_version(record_id, request.user.get_username())
        except audit.UnknownRecord as exc:
            raise exceptions.NotFound(str(exc))
        return Response(RestoreResultSerializer({
            "change_record": result.change_record_id, "restored": result.restored, "kept": result.kept,
            "created": result.created, "message": result.message}).data)


def admin_history_url(obj: Any) -> str:
    """The history page of an admin object (used by `admin_base.HistoryAdminMixin`)."""
    return _page_url(obj._meta.label_lower, str(obj.pk))


def change_record_page_url(record: ChangeRecord) -> str | None:
    """The history page (with the confirm step) of a change record's row, for the admin action."""
    from .restore import model_for_table

    try:
        model = model_for_table(record.table_name)
    except audit.UnknownRecord:
        return None
    return _page_url(model._meta.label_lower, record.row_id) + f"?restore={record.pk}#confirm"
