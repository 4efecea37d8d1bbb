"""GeoJSON output of lines and markers, JSON of campaigns, and validation of every request body.
Unknown body fields are rejected like unknown query parameters (api.md)."""
from __future__ import annotations

from typing import Any

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from apps.addresses.serializers import PointQuery
from apps.divisions.models import Division

from .displacement import ACCEPTED_CRS
from .models import (Action, BoundaryLine, BoundaryMarker, CampaignStatus, Condition, FindingKind, FollowUpItem,
                     FollowUpStatus, InspectionCampaign, LineStatus, MarkerInspection, MarkerKind, SegmentFinding, Side)

COORD_PRECISION = 7


class StrictSerializer(serializers.Serializer):
    """A request body whose unknown keys are a 400, not silently dropped."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({k: ["未知字段"] for k in unknown})
        return super().to_internal_value(data)


def _choices_text(choices: list[tuple[str, str]]) -> str:
    return "；".join(f"{value}（{label}）" for value, label in choices)


@extend_schema_field({"type": "string"})
class TextChoiceField(serializers.ChoiceField):
    """A choice validated as usual but documented as a string with its values in the help text:
    `status`/`kind` mean different sets here and in the division register, and OpenAPI enum
    components of one name would collide."""


def _status(choices: list[tuple[str, str]]) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=_choices_text(choices))


def _division(code: str) -> Division:
    division = Division.objects.filter(code=code, valid_to__isnull=True).first()
    if division is None:
        raise serializers.ValidationError(f"没有代码为 {code} 的现行区划")
    return division


class LineFeatureSerializer(GeoFeatureModelSerializer):
    geometry = GeometryField(precision=COORD_PRECISION, read_only=True)
    divisions = serializers.SerializerMethodField()
    marker_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    last_inspected = serializers.DateField(read_only=True, default=None, allow_null=True)
    length_m = serializers.SerializerMethodField()
    status = _status(LineStatus.choices)

    class Meta:
        model = BoundaryLine
        geo_field = "geometry"
        id_field = "code"
        fields = ["code", "geometry", "name", "divisions", "length_m", "direction", "status", "valid_from", "valid_to",
                  "marker_count", "last_inspected", "approval_documents", "derivation", "is_demo"]

    def get_divisions(self, obj: BoundaryLine) -> list[dict]:
        return [{"code": d.code, "name": d.name} for d in sorted(obj.divisions.all(), key=lambda d: d.code)]

    def get_length_m(self, obj: BoundaryLine) -> float:
        return round(obj.length_m, 1)


class MarkerFeatureSerializer(GeoFeatureModelSerializer):
    position = GeometryField(precision=COORD_PRECISION, read_only=True)
    line_code = serializers.CharField(source="line.code", read_only=True)
    line_name = serializers.CharField(source="line.name", read_only=True)
    side_division_code = serializers.CharField(source="side_division.code", default=None, allow_null=True,
                                               read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    kind = _status(MarkerKind.choices)

    class Meta:
        model = BoundaryMarker
        geo_field = "position"
        id_field = "number"
        fields = ["number", "position", "line_code", "line_name", "sequence", "type_code", "kind", "kind_label",
                  "side_division_code", "junction_codes", "elevation_m", "reference_objects", "material",
                  "buried_on", "photos", "state", "state_label", "surveyed_on", "remarks", "is_demo"]


class ReferenceObjectBody(StrictSerializer):
    name = serializers.CharField(max_length=50)
    azimuth_deg = serializers.FloatField(min_value=0.0, max_value=359.999999, help_text="方位角，自北顺时针，度")
    distance_m = serializers.FloatField(min_value=0.01, max_value=5000.0, help_text="距离（米）")


class MarkerBody(PointQuery, StrictSerializer):
    """Registering a 界桩: number, type, position in a stated CRS and at least 3 方位物."""

    line = serializers.CharField(max_length=4, help_text="界线代码")
    number = serializers.CharField(max_length=20, help_text="8 位界桩编号")
    kind = serializers.ChoiceField(choices=MarkerKind.choices)
    side_division = serializers.CharField(required=False, max_length=12, help_text="双立/三立界桩所在区划代码")
    junction_codes = serializers.ListField(child=serializers.RegexField(r"^[0-9]{6,12}$"), required=False,
                                           max_length=3, help_text="三立界桩：三方区划代码")
    elevation_m = serializers.FloatField(required=False, min_value=-500.0, max_value=9000.0)
    reference_objects = ReferenceObjectBody(many=True)
    material = serializers.CharField(required=False, max_length=30, default="")
    buried_on = serializers.DateField(required=False)
    photos = serializers.ListField(child=serializers.CharField(max_length=300), required=False, max_length=20)
    remarks = serializers.CharField(required=False, max_length=2000, default="", allow_blank=True)

    def validate_side_division(self, value: str) -> Division:
        return _division(value)


class DeriveBody(StrictSerializer):
    name = serializers.CharField(max_length=50)
    divisions = serializers.ListField(child=serializers.RegexField(r"^[0-9]{6,12}$"), min_length=2, max_length=2)
    code = serializers.RegexField(r"^[0-9]{4}$", required=False)
    tolerance_m = serializers.FloatField(required=False, default=5.0, min_value=0.0, max_value=100.0)
    min_fragment_m = serializers.FloatField(required=False, default=50.0, min_value=0.0, max_value=5000.0)

    def validate_divisions(self, value: list[str]) -> list[Division]:
        return [_division(code) for code in value]


class ParticipantBody(StrictSerializer):
    name = serializers.CharField(max_length=50)
    side = serializers.ChoiceField(choices=[("a", "甲方"), ("b", "乙方")])
    role = serializers.CharField(max_length=50, required=False, default="")


class CampaignBody(StrictSerializer):
    line = serializers.CharField(max_length=4)
    title = serializers.CharField(max_length=100)
    period_start = serializers.DateField()
    period_end = serializers.DateField(required=False)
    participants = ParticipantBody(many=True, required=False)
    plan = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)
    basis = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    ad_hoc = serializers.BooleanField(required=False, default=False)
    ad_hoc_reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)


class AdHocBody(StrictSerializer):
    reason = serializers.CharField(max_length=200)
    on = serializers.DateField(required=False, help_text="开始日期，默认今天")


class RecordBody(StrictSerializer):
    marker = serializers.CharField(max_length=8)
    condition = serializers.ChoiceField(choices=Condition.choices)
    inspected_on = serializers.DateField()
    lon = serializers.FloatField(required=False)
    lat = serializers.FloatField(required=False)
    crs = serializers.ChoiceField(choices=[(c, c) for c in ACCEPTED_CRS], required=False, default="EPSG:4490")
    action = serializers.ChoiceField(choices=Action.choices, required=False, default=Action.NONE)
    reference_objects_ok = serializers.BooleanField(required=False, default=True)
    photos = serializers.ListField(child=serializers.CharField(max_length=300), required=False, max_length=20)
    remarks = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("lon" in attrs) != ("lat" in attrs):
            raise serializers.ValidationError({"lat": "经度与纬度须同时填写"})
        return attrs


class FindingBody(StrictSerializer):
    kind = TextChoiceField(choices=FindingKind.choices, help_text=_choices_text(FindingKind.choices))
    description = serializers.CharField(max_length=2000)
    from_marker = serializers.CharField(max_length=8, required=False)
    to_marker = serializers.CharField(max_length=8, required=False)
    geometry = serializers.JSONField(required=False, help_text="GeoJSON 几何（EPSG:4490/4326）")
    action = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)

    def validate_geometry(self, value: Any) -> GEOSGeometry:
        import json

        try:
            geometry = GEOSGeometry(json.dumps(value))
        except (GEOSException, ValueError, TypeError, GDALException):
            raise serializers.ValidationError("不是有效的 GeoJSON 几何")
        geometry.srid = 4490  # GeoJSON is EPSG:4326, numerically CGCS2000 (api.md)
        if not geometry.valid:
            raise serializers.ValidationError(f"几何无效：{geometry.valid_reason}")
        min_x, min_y, max_x, max_y = geometry.extent
        if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
            raise serializers.ValidationError("坐标超出经纬度范围")
        return geometry


class FollowUpBody(StrictSerializer):
    description = serializers.CharField(max_length=2000)
    responsible = serializers.ChoiceField(choices=Side.choices)
    deadline = serializers.DateField()
    marker = serializers.CharField(max_length=8, required=False)
    finding = serializers.IntegerField(required=False, min_value=1)


class CloseBody(StrictSerializer):
    closed_on = serializers.DateField()
    resolution = serializers.CharField(max_length=2000)


class CompleteBody(StrictSerializer):
    completed_on = serializers.DateField()
    agreed_handling = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)


class RecordSerializer(serializers.ModelSerializer):
    marker = serializers.CharField(source="marker.number")
    measured_position = GeometryField(precision=COORD_PRECISION)
    registered_position = GeometryField(precision=COORD_PRECISION)
    condition_label = serializers.CharField(source="get_condition_display")
    action_label = serializers.CharField(source="get_action_display")

    class Meta:
        model = MarkerInspection
        fields = ["id", "marker", "inspected_on", "condition", "condition_label", "measured_position",
                  "measured_crs", "measured_converted", "registered_position", "displacement_m",
                  "displacement_azimuth_deg", "action", "action_label", "reference_objects_ok", "photos", "remarks",
                  "recorded_by", "recorded_at"]


class FindingSerializer(serializers.ModelSerializer):
    from_marker = serializers.CharField(source="from_marker.number", default=None, allow_null=True)
    to_marker = serializers.CharField(source="to_marker.number", default=None, allow_null=True)
    geometry = GeometryField(precision=COORD_PRECISION)
    kind_label = serializers.CharField(source="get_kind_display")
    kind = _status(FindingKind.choices)

    class Meta:
        model = SegmentFinding
        fields = ["id", "kind", "kind_label", "from_marker", "to_marker", "geometry", "description", "action"]


class FollowUpSerializer(serializers.ModelSerializer):
    marker = serializers.CharField(source="marker.number", default=None, allow_null=True)
    responsible_label = serializers.CharField(source="get_responsible_display")
    status_label = serializers.CharField(source="get_status_display")
    status = _status(FollowUpStatus.choices)

    class Meta:
        model = FollowUpItem
        fields = ["id", "description", "marker", "finding", "responsible", "responsible_label", "deadline", "status",
                  "status_label", "closed_on", "resolution"]


class CampaignSerializer(serializers.ModelSerializer):
    line_code = serializers.CharField(source="line.code")
    line_name = serializers.CharField(source="line.name")
    party_a = serializers.SerializerMethodField()
    party_b = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    status = _status(CampaignStatus.choices)

    class Meta:
        model = InspectionCampaign
        fields = ["id", "title", "line_code", "line_name", "period_start", "period_end", "party_a", "party_b",
                  "participants", "plan", "basis", "status", "status_label", "ad_hoc", "ad_hoc_reason",
                  "completed_on", "agreed_handling", "created_by"]

    def get_party_a(self, obj: InspectionCampaign) -> dict:
        return {"code": obj.party_a.code, "name": obj.party_a.name}

    def get_party_b(self, obj: InspectionCampaign) -> dict:
        return {"code": obj.party_b.code, "name": obj.party_b.name}


class CampaignDetailSerializer(CampaignSerializer):
    marker_records = RecordSerializer(many=True)
    findings = FindingSerializer(many=True)
    follow_ups = FollowUpSerializer(many=True)

    class Meta(CampaignSerializer.Meta):
        fields = CampaignSerializer.Meta.fields + ["marker_records", "findings", "follow_ups"]
