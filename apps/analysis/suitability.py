"""Cemetery suitability (service): candidate cells over a township or county, minus the zones
the exclusion rules draw around the constraint layers the user loaded (farmland, forest,
parks/scenic/relic areas, water, railways and trunk roads), each excluded cell saying which
rules excluded it; the remaining cells ranked by the population they are within reach of."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from apps.common.errors import DomainRuleError
from apps.common.coords import transform_geometry
from apps.common.shapes import gauss_kruger_plane, to_shapely
from apps.divisions.models import Division

from .demand import WEIGHTS, demand_for
from .models import AnalysisRun, ConstraintCategory, ConstraintLayer, ExclusionRule, RunKind, RunStatus
from .suitability_math import ConstraintFeature, accessibility, exclusions, grid_cells

MAX_CELLS = 20_000
TOP = 20


@dataclass
class SuitabilityRequest:
    county: Division
    division: str = ""
    cell_m: float = 500.0
    access_radius_m: float = 5000.0
    weight: str = "residents"
    name: str = ""

    def as_inputs(self) -> dict:
        return {"county": self.county.code, "division": self.division or self.county.code, "cell_m": self.cell_m,
                "access_radius_m": self.access_radius_m, "weight": self.weight}


class SuitabilityBody(serializers.Serializer):
    county = serializers.CharField(max_length=6, required=False)
    division = serializers.CharField(max_length=12, required=False, allow_blank=True, default="",
                                     help_text="候选范围：乡镇或县代码，默认全县")
    cell_m = serializers.FloatField(min_value=100, max_value=5000, default=500.0, help_text="候选网格边长（米）")
    access_radius_m = serializers.FloatField(min_value=500, max_value=50_000, default=5000.0,
                                             help_text="可达人口的统计半径（米）")
    weight = serializers.ChoiceField(choices=list(WEIGHTS.items()), default="residents")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    background = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict) -> dict:
        from django.conf import settings

        code = attrs.pop("county", settings.GEO_MZ_HOME_COUNTY)
        county = Division.objects.filter(code=code, level="county", valid_to__isnull=True).first()
        if county is None:
            raise serializers.ValidationError({"county": f"没有代码为 {code} 的现行县级区划"})
        if attrs["division"] and not (attrs["division"].isdigit() and attrs["division"].startswith(code)):
            raise serializers.ValidationError({"division": "须为所选县内的区划代码"})
        attrs["county"] = county
        return attrs

    def to_request(self) -> SuitabilityRequest:
        data = dict(self.validated_data)
        data.pop("background")
        return SuitabilityRequest(**data)


def rules_for(region_code: str) -> dict[str, ExclusionRule]:
    """The rule of each category for a region: the longest matching region prefix wins."""
    best: dict[str, ExclusionRule] = {}
    for rule in ExclusionRule.objects.all():
        if region_code.startswith(rule.region_code) and (
                rule.category not in best or len(rule.region_code) > len(best[rule.category].region_code)):
            best[rule.category] = rule
    return best


@transaction.atomic
def run_suitability(request: SuitabilityRequest, *, actor: str, run: AnalysisRun | None = None) -> AnalysisRun:
    area_division = Division.objects.filter(code=request.division or request.county.code, valid_to__isnull=True).first()
    if area_division is None or area_division.geometry is None:
        raise DomainRuleError("候选范围没有边界", "division")
    if run is None:
        run = AnalysisRun.objects.create(kind=RunKind.SUITABILITY, name=request.name, county=request.county,
                                         inputs=request.as_inputs(), created_by=actor, status=RunStatus.RUNNING)
    started = time.perf_counter()
    area_ll = to_shapely(area_division.geometry)
    forward, back = gauss_kruger_plane(area_ll.centroid.x)
    area = transform_geometry(area_ll, forward.transform)
    cells = grid_cells(area, request.cell_m)
    if len(cells) > MAX_CELLS:
        raise DomainRuleError("候选网格过多，请加大网格边长或缩小范围", "cell_m")
    rules = rules_for(request.county.code)
    labels = dict(ConstraintCategory.choices)
    features = [ConstraintFeature(layer.category, labels[layer.category], layer.name,
                                  transform_geometry(to_shapely(layer.geometry), forward.transform),
                                  rules[layer.category].buffer_m,
                                  rules[layer.category].source)
                for layer in ConstraintLayer.objects.filter(county=request.county) if layer.category in rules]
    excluded = exclusions(cells, features)
    centres = np.array([[c.centroid.x, c.centroid.y] for c in cells]).reshape(-1, 2)
    demand = demand_for(request.county.code)
    dx, dy = forward.transform(demand.lon, demand.lat)
    score = accessibility(centres, np.column_stack([dx, dy]), demand.weights(request.weight), request.access_radius_m)
    free = [i for i, why in enumerate(excluded) if not why]
    order = sorted(free, key=lambda i: (-score[i], i))
    rank = {i: k + 1 for k, i in enumerate(order)}
    features_out = []
    cells_ll = shapely.set_precision(transform_geometry(np.array(cells, dtype=object), back.transform), 1e-7)
    for i, geometry in enumerate(cells_ll):
        features_out.append({"type": "Feature", "id": i + 1,
                             "geometry": shapely.geometry.mapping(geometry),
                             "properties": {"suitable": not excluded[i], "rank": rank.get(i),
                                            "accessible_weight": round(float(score[i]), 1),
                                            "excluded_by": [e.reason for e in excluded[i]],
                                            "excluded_categories": sorted({e.category for e in excluded[i]})}})
    by_category = {labels[c]: sum(1 for why in excluded if any(e.category == c for e in why)) for c in rules}
    run.summary = {"area": area_division.name, "cells": len(cells), "excluded": len(cells) - len(free),
                   "suitable": len(free), "excluded_by_category": by_category,
                   "rules": {labels[c]: {"buffer_m": r.buffer_m, "source": r.source} for c, r in rules.items()},
                   "constraint_features": len(features),
                   "synthetic_layers": ConstraintLayer.objects.filter(county=request.county, synthetic=True).exists(),
                   "weight_label": WEIGHTS[request.weight],
                   "top": [{"rank": rank[i], "cell": i + 1, "lon": float(back.transform(*centres[i])[0]),
                            "lat": float(back.transform(*centres[i])[1]), "accessible_weight": float(score[i])}
                           for i in order[:TOP]]}
    run.tables = {"cells": {"type": "FeatureCollection", "features": features_out}}
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.seconds = round(time.perf_counter() - started, 4)
    run.save()
    return run
