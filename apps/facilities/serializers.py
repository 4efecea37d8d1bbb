"""Input validation and output shapes of the facility API (GeoJSON Features out, JSON bodies in
with the position's CRS stated; kind-specific details validated per family)."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from apps.accounts.context import current_principal
from apps.accounts.jurisdiction import division_codes
from apps.addresses.models import AddressIdentity
from apps.addresses.serializers import PointQuery

from .models import (ECO_BURIAL_TYPES, BurialDetail, CommunityCentreDetail, Facility, FacilityKind,
                     Family, HazardLevel, HazardStatus, MealServiceDetail, SafetyHazard, Status, UrbanRural)

COORD_PRECISION = 7


class BurialDetailSerializer(serializers.ModelSerializer):
    eco_burial_types = serializers.ListField(child=serializers.ChoiceField(choices=ECO_BURIAL_TYPES), required=False)

    class Meta:
        model = BurialDetail
        exclude = ["facility"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for used, capacity in (("used_plots", "capacity_plots"), ("used_niches", "capacity_niches")):
            if attrs.get(used, 0) > attrs.get(capacity, 0):
                raise serializers.ValidationError({used: "已用数不能超过容量"})
        return attrs


class MealDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = MealServiceDetail
        exclude = ["facility"]


class CentreDetailSerializer(serializers.ModelSerializer):
    services = serializers.ListField(child=serializers.CharField(max_length=20), required=False)

    class Meta:
        model = CommunityCentreDetail
        exclude = ["facility"]


DETAIL_SERIALIZERS = {Family.BURIAL: BurialDetailSerializer, Family.MEALS: MealDetailSerializer,
                      Family.COMMUNITY: CentreDetailSerializer}
DETAIL_ATTRS = {Family.BURIAL: "burial", Family.MEALS: "meals", Family.COMMUNITY: "centre"}


class FacilityFeatureSerializer(GeoFeatureModelSerializer):
    location = GeometryField(precision=COORD_PRECISION, read_only=True)
    kind = serializers.CharField(source="kind.code", read_only=True)
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    family = serializers.CharField(source="kind.family", read_only=True)
    township = serializers.CharField(source="township.name", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True)
    village = serializers.CharField(source="village.name", default=None, read_only=True)
    address_code = serializers.CharField(source="address.code", default=None, read_only=True)

    class Meta:
        model = Facility
        geo_field = "location"
        id_field = "code"
        fields = ["code", "location", "name", "kind", "kind_name", "family", "status", "status_since", "township",
                  "township_code", "village", "address_code", "urban_rural", "operator", "demo", "retired_on"]


class FacilityDetailSerializer(FacilityFeatureSerializer):
    details = serializers.SerializerMethodField()
    status_history = serializers.SerializerMethodField()
    hazards = serializers.SerializerMethodField()
    expansions = serializers.SerializerMethodField()
    successor = serializers.CharField(source="successor.code", default=None, read_only=True)

    class Meta(FacilityFeatureSerializer.Meta):
        fields = FacilityFeatureSerializer.Meta.fields + ["phone", "note", "successor", "details", "status_history",
                                                          "hazards", "expansions"]

    def get_details(self, obj: Facility) -> dict[str, Any] | None:
        detail = getattr(obj, DETAIL_ATTRS[obj.kind.family], None)
        return DETAIL_SERIALIZERS[obj.kind.family](detail).data if detail is not None else None

    def get_status_history(self, obj: Facility) -> list[dict[str, Any]]:
        return [{"status": e.status, "on": e.on, "note": e.note, "actor": e.actor} for e in obj.status_events.all()]

    def get_hazards(self, obj: Facility) -> list[dict[str, Any]] | None:
        """Safety hazards are not public: null unless the reader is staff whose jurisdiction covers
        the facility."""
        principal = current_principal()
        if not (principal.is_staff and principal.covers(division_codes(obj))):
            return None
        return HazardSerializer(obj.hazards.all(), many=True).data

    def get_expansions(self, obj: Facility) -> list[dict[str, Any]]:
        return [{"name": p.name, "status": p.status, "added_area_m2": p.added_area_m2, "start_on": p.start_on,
                 "end_on": p.end_on} for p in obj.expansions.all()]


class HazardSerializer(serializers.ModelSerializer):
    class Meta:
        model = SafetyHazard
        fields = ["id", "description", "level", "found_on", "deadline", "status", "rectified_on", "measures"]


def _kind(code: str) -> FacilityKind:
    found = FacilityKind.objects.filter(code=code).first()
    if found is None:
        raise serializers.ValidationError(f"没有类型 {code}（见 /api/v1/facility-kinds/）")
    return found


class FacilityBody(serializers.Serializer):
    """POST body: the kind, the name, a position (lon/lat in `crs`) and/or a standard address code,
    the status, and the kind's details."""

    kind = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=100)
    lon = serializers.FloatField(required=False)
    lat = serializers.FloatField(required=False)
    crs = serializers.CharField(required=False, default="EPSG:4490")
    address = serializers.CharField(max_length=40, required=False, help_text="标准地址编码")
    status = serializers.ChoiceField(choices=[s for s in Status.values if s != Status.CLOSED], default=Status.PLANNED)
    status_since = serializers.DateField(required=False)
    urban_rural = serializers.ChoiceField(choices=UrbanRural.choices, required=False, default="")
    operator = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    details = serializers.DictField(required=False, default=dict)

    def validate_kind(self, value: str) -> FacilityKind:
        return _kind(value)

    def validate_address(self, value: str) -> AddressIdentity:
        found = AddressIdentity.objects.filter(code=value).first()
        if found is None:
            raise serializers.ValidationError(f"没有编码为 {value} 的标准地址")
        return found

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_lon, has_lat = "lon" in attrs, "lat" in attrs
        if has_lon != has_lat:
            raise serializers.ValidationError({"lat" if has_lon else "lon": "经纬度须同时给出"})
        if has_lon:
            point = PointQuery(data={"lon": attrs.pop("lon"), "lat": attrs.pop("lat"), "crs": attrs["crs"]})
            point.is_valid(raise_exception=True)
            attrs["location"] = (point.validated_data["x"], point.validated_data["y"])
        elif "address" not in attrs:
            raise serializers.ValidationError({"lon": "须给出经纬度或标准地址"})
        attrs.pop("crs")
        details = DETAIL_SERIALIZERS[attrs["kind"].family](data=attrs.get("details") or {})
        if not details.is_valid():
            raise serializers.ValidationError({"details": details.errors})
        attrs["details"] = dict(details.validated_data)
        return attrs


class StatusBody(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s for s in Status.values if s != Status.CLOSED])
    on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RetireBody(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=200)
    successor = serializers.CharField(max_length=16, required=False)


class HazardBody(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    level = serializers.ChoiceField(choices=HazardLevel.choices)
    found_on = serializers.DateField()
    deadline = serializers.DateField(required=False)


class HazardUpdateBody(serializers.Serializer):
    status = serializers.ChoiceField(choices=HazardStatus.choices)
    on = serializers.DateField(required=False)
    measures = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class KindSerializer(serializers.ModelSerializer):
    class Meta:
        model = FacilityKind
        fields = ["code", "name", "family", "code_letter"]


