"""Demo constraint layers for the cemetery suitability analysis of 德清县. **Synthetic** (flagged
`synthetic`, source says so): no farmland, forest or protection-zone layers are public. Shapes are
placed where such land plausibly lies (forest in the western hills, farmland in the eastern
plain, the scenic areas around 莫干山 and 下渚湖, a reservoir and a river in the west, a railway
and a trunk road across the county) and clipped to the county; they are not real boundaries.
Idempotent."""
from __future__ import annotations

import random

import pyproj
import shapely
import shapely.affinity
from django.db import transaction
from shapely.geometry import LineString

from apps.common.shapes import to_geos, to_shapely
from apps.divisions.models import Division

from .models import ConstraintLayer

SOURCE = "演示：合成示意，非真实图层"
SEED = 20261123


def _disc(lon: float, lat: float, radius_m: float) -> shapely.Polygon:
    """A geodesic circle (64 vertices) around a point."""
    geod = pyproj.Geod(ellps="GRS80")
    angles = [360.0 * k / 64 for k in range(64)]
    lons, lats, _ = geod.fwd([lon] * 64, [lat] * 64, angles, [radius_m] * 64)
    return shapely.Polygon(list(zip(lons, lats)))


@transaction.atomic
def load_demo_constraints(county_code: str = "330521") -> int:
    county = Division.objects.get(code=county_code, level="county", valid_to__isnull=True)
    if ConstraintLayer.objects.filter(county=county, synthetic=True).exists():
        return 0
    boundary = to_shapely(county.geometry)
    x0, y0, x1, y1 = boundary.bounds
    rng = random.Random(SEED)
    shapes: list[tuple[str, str, shapely.Geometry]] = [
        ("forest", "西部山地林区（合成）", shapely.box(x0, y0, x0 + 0.42 * (x1 - x0), y1)),
        ("park_scenic_relic", "莫干山风景名胜区（合成范围）", _disc(119.865, 30.605, 3000)),
        ("park_scenic_relic", "下渚湖湿地（合成范围）", _disc(120.070, 30.525, 2000)),
        ("water", "对河口水库（合成范围）", _disc(119.905, 30.570, 800)),
        ("water", "余英溪（合成走向）", LineString([(119.85, 30.56), (119.93, 30.552), (120.0, 30.54)])),
        ("rail_road", "铁路（合成走向）", LineString([(120.035, y0), (120.02, (y0 + y1) / 2), (120.03, y1)])),
        ("rail_road", "公路主干线（合成走向）", LineString([(x0, 30.50), ((x0 + x1) / 2, 30.53), (x1, 30.55)])),
    ]
    east = x0 + 0.5 * (x1 - x0)
    for k in range(14):  # farmland patches in the eastern plain
        lon, lat = rng.uniform(east, x1), rng.uniform(y0, y1)
        radius = rng.uniform(600, 1500)
        stretch = rng.uniform(0.6, 1.6)
        disc = _disc(lon, lat, radius)
        patch = shapely.affinity.scale(disc, xfact=stretch, yfact=1 / stretch, origin=(lon, lat))
        shapes.append(("farmland", f"基本农田片{k + 1}（合成）", patch))
    made = 0
    for category, name, geometry in shapes:
        clipped = shapely.make_valid(geometry.intersection(boundary))
        if clipped.is_empty:
            continue
        if clipped.geom_type == "GeometryCollection":
            parts = [g for g in clipped.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            if not parts:
                continue
            clipped = shapely.union_all(parts)
        ConstraintLayer.objects.create(category=category, name=name, geometry=to_geos(clipped), source=SOURCE,
                                       synthetic=True, county=county)
        made += 1
    return made

