"""GeoJSON (RFC 7946) output of divisions and validation of the non-filter list parameters."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from .models import Division

COORD_PRECISION = 7  # api.md: at most 7 decimals (≈ 1 cm)


class DivisionOutputParams(serializers.Serializer):
    """Output options of the list and detail (filters live in filters.py)."""

    simplify = serializers.FloatField(required=False, min_value=0.0, max_value=100000.0,
                                      help_text="在服务端按米为单位简化边界（如 100）")
    geometry = serializers.BooleanField(required=False, default=True, help_text="false 时不返回边界（更快）")


class OutputGeometryField(GeometryField):
    """The stored boundary, or its simplified annotation `geom_out`; none when the caller asked
    for `geometry=false` (then the column was not even read)."""

    def get_attribute(self, instance: Division) -> Any:
        if not self.parent.context.get("with_geometry", True):
            return None
        return getattr(instance, "geom_out", None) or instance.geometry


class DivisionFeatureSerializer(GeoFeatureModelSerializer):
    public_id = serializers.CharField(read_only=True)
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None, allow_null=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None, allow_null=True)
    area_km2 = serializers.SerializerMethodField()
    geometry = OutputGeometryField(precision=COORD_PRECISION, read_only=True)
    uid = serializers.UUIDField(read_only=True)

    class Meta:
        model = Division
        geo_field = "geometry"
        id_field = "public_id"
        fields = ["public_id", "geometry", "code", "uid", "name", "short_name", "level", "kind", "parent_code",
                  "parent_name", "status", "valid_from", "valid_to", "scope", "area_km2",
                  "code_assigned_locally", "geometry_synthesised"]

    def get_area_km2(self, obj: Division) -> float | None:
        area = getattr(obj, "area_km2", None)
        return round(area, 3) if area is not None else None



class DivisionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["code", "name", "level"]


class DivisionDetailSerializer(DivisionFeatureSerializer):
    """One division with its parent chain, children counts, history links and seat."""

    parent_chain = serializers.SerializerMethodField()
    children_counts = serializers.SerializerMethodField()
    descendant_counts = serializers.SerializerMethodField()
    former_names = serializers.SerializerMethodField()
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()
    seat = serializers.SerializerMethodField()
    source = serializers.CharField(source="source.title", read_only=True, default=None, allow_null=True)
    geometry_source = serializers.CharField(source="geometry_source.title", read_only=True, default=None,
                                            allow_null=True)

    class Meta(DivisionFeatureSerializer.Meta):
        fields = DivisionFeatureSerializer.Meta.fields + [
            "parent_chain", "children_counts", "descendant_counts", "former_names", "predecessors",
            "successors", "seat", "source", "geometry_source"]

    def get_parent_chain(self, obj: Division) -> list[dict]:
        return DivisionRefSerializer(self.context["detail"].parent_chain, many=True).data

    def get_children_counts(self, obj: Division) -> dict[str, int]:
        return self.context["detail"].children_counts

    def get_descendant_counts(self, obj: Division) -> dict[str, int]:
        return self.context["detail"].descendant_counts

    def get_former_names(self, obj: Division) -> list[dict]:
        return self.context["detail"].former_names

    def _links(self, divisions: Any) -> list[dict]:
        return [{"id": d.public_id, "code": d.code, "name": d.name, "valid_from": d.valid_from,
                 "valid_to": d.valid_to} for d in divisions]

    def get_predecessors(self, obj: Division) -> list[dict]:
        return self._links(obj.predecessors.all())

    def get_successors(self, obj: Division) -> list[dict]:
        return self._links(obj.successors.all())

    def get_seat(self, obj: Division) -> Any:
        return GeometryField(precision=COORD_PRECISION).to_representation(obj.seat) if obj.seat else None
