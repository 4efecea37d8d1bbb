"""GeoJSON output of addresses and validation of the address endpoints' parameters and bodies."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from apps.common.crs import CoordinateRangeError, UnknownCRSError, check_lonlat, normalise_crs, to_cgcs2000

from .models import Address, AddressEntrance, DoorPlate

COORD_PRECISION = 7


class PlateSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    qr_svg = serializers.SerializerMethodField()

    class Meta:
        model = DoorPlate
        fields = ["plate_no", "size", "state", "state_label", "made_on", "installed_on", "damaged_on",
                  "retired_on", "qr_svg"]

    def get_qr_svg(self, plate: DoorPlate) -> str:
        return reverse("plate-qr", args=[plate.plate_no])


class AddressFeatureSerializer(GeoFeatureModelSerializer):
    """An address version as a GeoJSON Feature (id = the address code)."""

    location = GeometryField(precision=COORD_PRECISION, read_only=True)
    uid = serializers.UUIDField(source="identity_id", read_only=True)
    road = serializers.CharField(source="road.name", default=None, read_only=True)
    road_code = serializers.CharField(source="road.code", default=None, read_only=True)
    area = serializers.CharField(source="area.name", default=None, read_only=True)
    township = serializers.CharField(source="township.name", read_only=True)
    village = serializers.CharField(source="village.name", default=None, read_only=True)
    door = serializers.SerializerMethodField()

    class Meta:
        model = Address
        geo_field = "location"
        id_field = "code"
        fields = ["code", "location", "uid", "version", "full_text", "level", "division_code", "township",
                  "village", "road", "road_code", "area", "door_number", "door_suffix", "door", "building", "unit",
                  "floor", "room", "status", "stage", "valid_from", "valid_to", "households", "residents",
                  "residents_60plus"]

    def get_door(self, obj: Address) -> str | None:
        if obj.door_number is None:
            return None
        return f"{obj.door_number}-{obj.door_suffix}号" if obj.door_suffix else f"{obj.door_number}号"


class AddressDetailSerializer(AddressFeatureSerializer):
    division_chain = serializers.SerializerMethodField()
    plates = serializers.SerializerMethodField()
    entrances = serializers.SerializerMethodField()
    successor = serializers.SerializerMethodField()

    class Meta(AddressFeatureSerializer.Meta):
        fields = AddressFeatureSerializer.Meta.fields + ["division_chain", "plates", "entrances", "successor"]

    def get_division_chain(self, obj: Address) -> list[dict]:
        return [{"code": d.code, "name": d.name, "level": d.level} for d in self.context["chain"]]

    def get_plates(self, obj: Address) -> list[dict]:
        return PlateSerializer(self.context["plates"], many=True).data

    def get_entrances(self, obj: Address) -> list[dict]:
        field = GeometryField(precision=COORD_PRECISION)
        return [{"label": e.label, "location": field.to_representation(e.location)}
                for e in AddressEntrance.objects.filter(identity_id=obj.identity_id)]

    def get_successor(self, obj: Address) -> dict | None:
        if obj.successor_id is None:
            return None
        return {"version": obj.successor.version, "full_text": obj.successor.full_text}


class PointQuery(serializers.Serializer):
    """lon/lat in a stated CRS → a CGCS2000 point (validated)."""

    lon = serializers.FloatField()
    lat = serializers.FloatField()
    crs = serializers.CharField(required=False, default="EPSG:4490")

    def validate_crs(self, value: str) -> str:
        try:
            return normalise_crs(value)
        except UnknownCRSError as exc:
            raise serializers.ValidationError(str(exc))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            x, y = to_cgcs2000(attrs["lon"], attrs["lat"], attrs["crs"])
            check_lonlat(x, y)
        except CoordinateRangeError as exc:
            raise serializers.ValidationError({"lat": str(exc)})
        attrs["x"], attrs["y"] = float(x), float(y)
        return attrs


class ReverseQuery(PointQuery):
    radius = serializers.FloatField(required=False, default=200.0, min_value=1.0, max_value=5000.0,
                                    help_text="搜索半径（米），默认 200")
    limit = serializers.IntegerField(required=False, default=1, min_value=1, max_value=50)


class AddressRetireBody(serializers.Serializer):
    """POST body for retiring an address (the version in force ends on `effective`)."""

    effective = serializers.DateField(required=False, help_text="失效日期，默认今天")
    stage = serializers.ChoiceField(choices=[("abandoned", "废弃"), ("rejected", "拒绝")], required=False,
                                    default="abandoned")

    def validate(self, attrs: dict) -> dict:
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({k: ["未知字段"] for k in sorted(unknown)})
        return attrs


class AllocateDoorBody(PointQuery):
    """POST body for numbering a new building on a road."""

    households = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    residents = serializers.IntegerField(required=False, min_value=0, max_value=1000000)
    residents_60plus = serializers.IntegerField(required=False, min_value=0, max_value=1000000)
