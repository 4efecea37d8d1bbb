"""Validation of analysis requests (bodies of POST /api/v1/analysis/…) into service requests, and
the shape of stored runs. A queued run keeps its validated body, so the worker rebuilds exactly
the same request."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.common.crs import CoordinateRangeError, UnknownCRSError, check_lonlat, normalise_crs, to_cgcs2000
from apps.divisions.codes import is_division_code
from apps.divisions.models import Division
from apps.facilities.models import FacilityKind, Status

from .coverage import MAX_RADII, MODES, CoverageRequest
from .demand import WEIGHTS
from .models import AnalysisRun, RadiusPreset
from .siting_service import MAX_CURVE, MODELS, SOURCES, SitingRequest

_OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]


def _county(code: str) -> Division:
    found = Division.objects.filter(code=code, level="county", valid_to__isnull=True).first()
    if found is None:
        raise serializers.ValidationError(f"没有代码为 {code} 的现行县级区划")
    return found


def _kinds(values: list[str]) -> list[str]:
    known = set(FacilityKind.objects.values_list("code", flat=True))
    unknown = sorted(set(values) - known)
    if unknown:
        raise serializers.ValidationError(f"未知的设施类型：{'、'.join(unknown)}（见 /api/v1/facility-kinds/）")
    return values


def _division_prefix(value: str) -> str:
    if value and not is_division_code(value):
        raise serializers.ValidationError("应为 6/9/12 位区划代码")
    return value


class _Common(serializers.Serializer):
    county = serializers.CharField(max_length=6, required=False, help_text="县级区划代码，默认本辖区")
    division = serializers.CharField(max_length=12, required=False, allow_blank=True, default="",
                                     help_text="需求（地址）范围：乡镇或村代码，默认全县")
    weight = serializers.ChoiceField(choices=list(WEIGHTS.items()), default="count")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="", help_text="方案名称")
    background = serializers.BooleanField(required=False, default=False, help_text="放入后台队列（返回 202）")

    def validate_county(self, value: str) -> Division:
        return _county(value)

    def validate_division(self, value: str) -> str:
        return _division_prefix(value)

    def with_county(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.conf import settings

        attrs.setdefault("county", _county(settings.GEO_MZ_HOME_COUNTY))
        if attrs["division"] and not attrs["division"].startswith(attrs["county"].code[:6]):
            raise serializers.ValidationError({"division": "须在所选县级区划内"})
        return attrs


class CoverageBody(_Common):
    radii_m = serializers.ListField(child=serializers.FloatField(min_value=1, max_value=50_000), required=False,
                                    max_length=MAX_RADII, help_text="半径（米），可多个")
    presets = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=MAX_RADII,
                                    help_text="半径预设的 id（见 /api/v1/analysis/radius-presets/）")
    mode = serializers.ChoiceField(choices=MODES, default="euclidean", help_text="euclidean 直线；network 沿路网")
    kinds = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list)
    statuses = serializers.ListField(child=serializers.ChoiceField(choices=_OPEN_STATUSES), required=False,
                                     default=lambda: [Status.OPERATING])
    facilities = serializers.ListField(child=serializers.CharField(max_length=16), required=False, default=list,
                                       max_length=5000, help_text="指定设施编码（优先于类型与状态）")

    def validate_kinds(self, value: list[str]) -> list[str]:
        return _kinds(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = self.with_county(attrs)
        radii = list(attrs.pop("radii_m", []))
        presets = attrs.pop("presets", [])
        found = dict(RadiusPreset.objects.filter(pk__in=presets).values_list("pk", "radius_m"))
        missing = sorted(set(presets) - set(found))
        if missing:
            raise serializers.ValidationError({"presets": f"没有这些预设：{missing}"})
        radii += [float(found[p]) for p in presets]
        if not radii:
            raise serializers.ValidationError({"radii_m": "须给出半径或预设"})
        if len(set(radii)) > MAX_RADII:
            raise serializers.ValidationError({"radii_m": f"最多 {MAX_RADII} 个半径"})
        attrs["radii_m"] = sorted(set(radii))
        return attrs

    def to_request(self) -> CoverageRequest:
        data = dict(self.validated_data)
        data.pop("background")
        data["facility_codes"] = data.pop("facilities")
        return CoverageRequest(**data)


class SitingBody(_Common):
    model = serializers.ChoiceField(choices=MODELS, help_text="mclp 最大覆盖；lscp 最少站点；pmedian 最小加权距离")
    candidate_source = serializers.ChoiceField(choices=SOURCES, help_text="facilities/addresses/grid/points")
    p = serializers.IntegerField(min_value=1, max_value=200, default=1, help_text="新增站点数（mclp、pmedian）")
    radius_m = serializers.FloatField(min_value=1, max_value=50_000, default=1000.0, help_text="服务半径（mclp、lscp）")
    target_share = serializers.FloatField(min_value=0.0001, max_value=1.0, default=1.0, help_text="lscp 目标覆盖率")
    target_of = serializers.ChoiceField(choices=[("coverable", "候选点全部开设时可覆盖的需求"), ("total", "全部需求")],
                                        default="coverable", help_text="lscp 目标覆盖率的分母")
    existing_kinds = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list,
                                           help_text="保持不变的现有设施类型")
    existing_statuses = serializers.ListField(child=serializers.ChoiceField(choices=_OPEN_STATUSES), required=False,
                                              default=lambda: [Status.OPERATING])
    candidate_kinds = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list,
                                            help_text="candidate_source=facilities 时作为候选的设施类型")
    candidate_division = serializers.CharField(max_length=12, required=False, allow_blank=True, default="",
                                               help_text="候选点范围（addresses、grid），默认同 division")
    grid_spacing_m = serializers.FloatField(min_value=50, max_value=10_000, default=500.0)
    points = serializers.ListField(child=serializers.ListField(child=serializers.FloatField(), min_length=2,
                                                              max_length=2), required=False, default=list,
                                   max_length=5000, help_text="[[lon, lat], …]，坐标系见 crs")
    crs = serializers.CharField(required=False, default="EPSG:4490")
    capacity = serializers.FloatField(min_value=0, required=False, allow_null=True, default=None,
                                      help_text="每个候选站点的容量（按权重计），空为不限")
    max_distance_m = serializers.FloatField(min_value=1, max_value=100_000, default=5000.0,
                                            help_text="pmedian 的最大服务距离")
    time_limit_s = serializers.FloatField(min_value=1, max_value=3600, default=60.0)
    curve_max_p = serializers.IntegerField(min_value=0, max_value=MAX_CURVE, default=0,
                                           help_text="mclp：给出 1..n 个站点的覆盖曲线")

    def validate_existing_kinds(self, value: list[str]) -> list[str]:
        return _kinds(value)

    def validate_candidate_kinds(self, value: list[str]) -> list[str]:
        return _kinds(value)

    def validate_candidate_division(self, value: str) -> str:
        return _division_prefix(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = self.with_county(attrs)
        try:
            crs = normalise_crs(attrs.pop("crs"))
            if attrs["points"]:
                xs, ys = to_cgcs2000([p[0] for p in attrs["points"]], [p[1] for p in attrs["points"]], crs)
                check_lonlat(xs, ys)
                attrs["points"] = [(float(x), float(y)) for x, y in zip(xs, ys)]
        except (UnknownCRSError, CoordinateRangeError) as exc:
            raise serializers.ValidationError({"points": str(exc)})
        if attrs["candidate_source"] == "points" and not attrs["points"]:
            raise serializers.ValidationError({"points": "candidate_source=points 时须给出候选点"})
        if attrs["candidate_source"] == "facilities" and not attrs["candidate_kinds"]:
            raise serializers.ValidationError({"candidate_kinds": "candidate_source=facilities 时须给出设施类型"})
        if attrs["curve_max_p"] and attrs["model"] != "mclp":
            raise serializers.ValidationError({"curve_max_p": "覆盖曲线只用于 mclp"})
        return attrs

    def to_request(self) -> SitingRequest:
        data = dict(self.validated_data)
        data.pop("background")
        return SitingRequest(**data)


class RunSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.code", read_only=True)
    progress = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = AnalysisRun
        fields = ["id", "kind", "name", "county", "status", "inputs", "summary", "tables", "error", "created_by",
                  "created_at", "finished_at", "seconds", "progress", "links"]

    def get_progress(self, obj: AnalysisRun) -> dict[str, Any] | None:
        if obj.job is None:
            return None
        return {"job": obj.job_id, "status": obj.job.status, "progress": obj.job.progress, "message": obj.job.message}

    def get_links(self, obj: AnalysisRun) -> dict[str, str]:
        base = f"/api/v1/analysis/runs/{obj.pk}"
        links = {"self": base, "map": f"{base}/map.html"}
        if obj.kind == "coverage":
            links.update({"uncovered": f"{base}/uncovered?format=geojson", "addresses": f"{base}/addresses?format=csv",
                          "service_areas": f"{base}/service-areas"})
        elif obj.kind == "siting":
            links["sites"] = f"{base}/sites"
        return links


class RunListSerializer(RunSerializer):
    class Meta(RunSerializer.Meta):
        fields = ["id", "kind", "name", "county", "status", "inputs", "created_by", "created_at", "seconds", "links"]


class PresetSerializer(serializers.ModelSerializer):
    class Meta:
        model = RadiusPreset
        fields = ["id", "name", "radius_m", "family", "region_code", "source"]
