"""Input validation and output shapes of the place-name API: GeoJSON Features out (RFC 7946,
7 decimals), plain JSON bodies in with the geometry's CRS stated."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from apps.common.crs import UnknownCRSError, normalise_crs
from apps.common.geometry_input import GeometryInputField
from apps.divisions.models import Division

from .models import (AliasKind, Announcement, AnnouncementItem, HeritageEntry, HeritageLevel, PlaceName,
                     PlaceNameAlias, PlaceNameCategory, Status)

COORD_PRECISION = 7


class AliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlaceNameAlias
        fields = ["name", "kind", "valid_from", "valid_to", "note"]


class PlaceNameFeatureSerializer(GeoFeatureModelSerializer):
    """A place name as a GeoJSON Feature (id = the place-name code)."""

    geometry = GeometryField(precision=COORD_PRECISION, read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    division_code = serializers.CharField(source="division.code", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)

    class Meta:
        model = PlaceName
        geo_field = "geometry"
        id_field = "code"
        fields = ["code", "geometry", "name", "specific", "generic", "pinyin", "pinyin_tones", "initials",
                  "category", "category_name", "division_code", "division_name", "status", "position_approximate",
                  "location_description", "approved_on", "announced_on", "cancelled_on", "register_kind"]


class PlaceNameDetailSerializer(PlaceNameFeatureSerializer):
    aliases = AliasSerializer(many=True, read_only=True)
    announcements = serializers.SerializerMethodField()
    heritage = serializers.SerializerMethodField()
    successor = serializers.CharField(source="successor.code", default=None, allow_null=True, read_only=True)

    class Meta(PlaceNameFeatureSerializer.Meta):
        fields = PlaceNameFeatureSerializer.Meta.fields + [
            "origin", "meaning", "history", "pinyin_override", "proposed_on", "submitted_on", "approving_authority",
            "approval_document", "cancel_reason", "successor", "check_warnings", "register_key", "aliases",
            "announcements", "heritage"]

    def get_announcements(self, obj: PlaceName) -> list[dict[str, Any]]:
        return [{"number": i.announcement.number, "announced_on": i.announcement.announced_on, "act": i.act,
                 "standard_name": i.standard_name, "romanization": i.romanization}
                for i in obj.announcement_items.select_related("announcement")]

    def get_heritage(self, obj: PlaceName) -> list[dict[str, Any]]:
        return [HeritageSerializer(e).data for e in obj.heritage_entries.all()]


class _CRSMixin(serializers.Serializer):
    crs = serializers.CharField(required=False, default="EPSG:4490",
                                help_text="geometry 的坐标系：EPSG:4490（默认）、EPSG:4326、GCJ-02、BD-09、EPSG:4513–4554")

    def validate_crs(self, value: str) -> str:
        try:
            return normalise_crs(value)
        except UnknownCRSError as exc:
            raise serializers.ValidationError(str(exc))

    def _geometry(self, attrs: dict[str, Any]) -> None:
        if attrs.get("geometry") is not None:
            attrs["geometry"] = self.fields["geometry"].to_storage(attrs["geometry"], attrs.get("crs", "EPSG:4490"))
        attrs.pop("crs", None)


def _category(code: str) -> PlaceNameCategory:
    found = PlaceNameCategory.objects.filter(code=code).first()
    if found is None:
        raise serializers.ValidationError(f"没有代码为 {code} 的地名类别（见 /api/v1/placename-categories/）")
    return found


def _division(code: str) -> Division:
    found = Division.objects.filter(code=code, valid_to__isnull=True).first()
    if found is None:
        raise serializers.ValidationError(f"没有代码为 {code} 的现行行政区划")
    return found


class ProposeBody(_CRSMixin):
    name = serializers.CharField(max_length=100)
    specific = serializers.CharField(max_length=80, required=False)
    generic = serializers.CharField(max_length=20, required=False, allow_blank=True)
    category = serializers.CharField(max_length=8)
    division = serializers.CharField(max_length=12, help_text="所属政区代码")
    geometry = GeometryInputField(required=False, allow_null=True)
    position_approximate = serializers.BooleanField(required=False, default=False)
    location_description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    origin = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    meaning = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    history = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    pinyin_override = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    proposed_on = serializers.DateField(required=False)

    def validate_category(self, value: str) -> PlaceNameCategory:
        return _category(value)

    def validate_division(self, value: str) -> Division:
        return _division(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        self._geometry(attrs)
        return attrs


class CheckQuery(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    category = serializers.CharField(max_length=8)
    division = serializers.CharField(max_length=12)

    def validate_category(self, value: str) -> PlaceNameCategory:
        return _category(value)

    def validate_division(self, value: str) -> Division:
        return _division(value)


class UpdateBody(_CRSMixin):
    geometry = GeometryInputField(required=False, allow_null=True)
    position_approximate = serializers.BooleanField(required=False)
    location_description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    origin = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    meaning = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    history = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    pinyin_override = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.CharField(max_length=8, required=False)
    division = serializers.CharField(max_length=12, required=False)

    def validate_category(self, value: str) -> PlaceNameCategory:
        return _category(value)

    def validate_division(self, value: str) -> Division:
        return _division(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "geometry" in attrs:
            self._geometry(attrs)
        attrs.pop("crs", None)
        if not attrs:
            raise serializers.ValidationError("没有要修改的字段")
        return attrs


class DateBody(serializers.Serializer):
    on = serializers.DateField(help_text="日期 YYYY-MM-DD")


class ApproveBody(DateBody):
    authority = serializers.CharField(max_length=100, help_text="批准机关")
    document = serializers.CharField(max_length=100, help_text="批准文号")


class RenameBody(ApproveBody):
    name = serializers.CharField(max_length=100, help_text="新标准名称")
    specific = serializers.CharField(max_length=80, required=False)
    generic = serializers.CharField(max_length=20, required=False, allow_blank=True)


class CancelBody(DateBody):
    reason = serializers.CharField(max_length=200)
    successor = serializers.CharField(max_length=16, required=False, help_text="继承地名的代码")


class AliasBody(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=AliasKind.choices)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AnnounceBody(DateBody):
    number = serializers.CharField(max_length=60, help_text="公告文号")
    title = serializers.CharField(max_length=200)
    issued_by = serializers.CharField(max_length=100, help_text="发布机关")
    places = serializers.ListField(child=serializers.CharField(max_length=16), min_length=1, max_length=500,
                                   help_text="地名代码")


class HeritageBody(serializers.Serializer):
    place = serializers.CharField(max_length=16, help_text="地名代码")
    level = serializers.ChoiceField(choices=HeritageLevel.choices)
    heritage_type = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    listed_on = serializers.DateField()
    listing_document = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    reasons = serializers.CharField(max_length=5000)
    protection_measures = serializers.CharField(max_length=5000)


class AnnouncementItemSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True)

    class Meta:
        model = AnnouncementItem
        fields = ["place", "act", "former_name", "standard_name", "romanization", "division_name",
                  "location_description", "approving_authority", "approved_on"]


class AnnouncementSerializer(serializers.ModelSerializer):
    items = AnnouncementItemSerializer(many=True, read_only=True)

    class Meta:
        model = Announcement
        fields = ["id", "number", "title", "issued_by", "announced_on", "items"]


class HeritageSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    pinyin = serializers.CharField(source="place.pinyin", read_only=True)

    class Meta:
        model = HeritageEntry
        fields = ["id", "place", "place_name", "pinyin", "level", "heritage_type", "listed_on", "listing_document",
                  "reasons", "protection_measures", "removed_on", "removal_reason"]


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, allow_null=True, read_only=True)

    class Meta:
        model = PlaceNameCategory
        fields = ["code", "name", "parent", "gbt_code", "audit_class", "pinyin_kind", "legal_basis"]


STATUS_CHOICES = [*Status.values, "all"]
