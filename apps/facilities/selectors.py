"""Reads of the facility register: lists, the nearest open facilities of some kinds (for the
plate scan page), and the rollout statistics (任务数/建成数/运营数/运营率/供餐人次) per township
and urban/rural."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Count, QuerySet, Sum

from apps.divisions.models import Division

from .models import Facility, Family, RolloutTarget, Status

OPEN = (Status.OPERATING,)
BUILT = (Status.BUILT, Status.OPERATING, Status.SUSPENDED)


def facilities() -> QuerySet[Facility]:
    return Facility.objects.select_related("kind", "township", "village", "address", "county")


def get_facility(code: str) -> Facility | None:
    return (facilities().select_related("burial", "meals", "centre")
            .prefetch_related("status_events", "hazards", "expansions").filter(code=code).first())


def nearest_by_kind(point: Point, kinds: list[str], radius_m: float) -> list[dict]:
    """For each kind, the nearest operating facility within `radius_m` (ellipsoidal metres)."""
    out = []
    for kind in kinds:
        # Distance on a geographic column is ellipsoidal (ST_DistanceSpheroid); the facility
        # table is small, so no index-friendly prefilter is needed.
        found = (Facility.objects.filter(kind__code=kind, status__in=OPEN)
                 .annotate(distance=Distance("location", point)).filter(distance__lte=D(m=radius_m))
                 .select_related("kind").order_by("distance").first())
        if found is not None:
            out.append({"kind": kind, "kind_label": found.kind.name, "name": found.name, "code": found.code,
                        "distance_m": found.distance.m})
    return out


@dataclass
class RolloutRow:
    code: str
    name: str
    tasks: int = 0
    planned: int = 0
    building: int = 0
    built: int = 0
    operating: int = 0
    meals_served_last_month: int = 0
    by_area: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def operating_rate(self) -> float | None:
        """运营率 = 运营数 ÷ 建成数 (建成、运营、停运 all count as built)."""
        return round(self.operating / self.built, 4) if self.built else None

    @property
    def completion_rate(self) -> float | None:
        """建成率 = 建成数 ÷ 任务数."""
        return round(self.built / self.tasks, 4) if self.tasks else None

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "tasks": self.tasks, "planned": self.planned,
                "building": self.building, "built": self.built, "operating": self.operating,
                "operating_rate": self.operating_rate, "completion_rate": self.completion_rate,
                "meals_served_last_month": self.meals_served_last_month, "by_urban_rural": self.by_area}


def _add(row: RolloutRow, status: str, n: int) -> None:
    if status == Status.PLANNED:
        row.planned += n
    elif status == Status.BUILDING:
        row.building += n
    if status in BUILT:
        row.built += n
    if status in OPEN:
        row.operating += n


def rollout(county: Division, family: str = Family.MEALS, year: int | None = None) -> tuple[list[RolloutRow], RolloutRow]:
    """Per-township rollout of one facility family in a county, and the county total."""
    year = year or dt.date.today().year
    townships = Division.objects.filter(parent=county, level="township", valid_to__isnull=True).order_by("code")
    rows = {t.pk: RolloutRow(t.code or "", t.name) for t in townships}
    total = RolloutRow(county.code or "", "合计")
    for target in RolloutTarget.objects.filter(township__in=townships, family=family, year=year):
        rows[target.township_id].tasks += target.tasks
        total.tasks += target.tasks
    counted = (Facility.objects.filter(county=county, kind__family=family).exclude(status=Status.CLOSED)
               .values("township_id", "status", "urban_rural").annotate(n=Count("id"), meals=Sum("meals__meals_served_last_month")))
    for group in counted:
        row = rows.get(group["township_id"])
        if row is None:
            continue
        area = group["urban_rural"] or "未分"
        for target_row in (row, total):
            _add(target_row, group["status"], group["n"])
            bucket = target_row.by_area.setdefault(area, {"built": 0, "operating": 0})
            bucket["built"] += group["n"] if group["status"] in BUILT else 0
            bucket["operating"] += group["n"] if group["status"] in OPEN else 0
            target_row.meals_served_last_month += group["meals"] or 0
    return list(rows.values()), total
