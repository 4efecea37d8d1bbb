"""Shared helpers of the benchmarks: best-of-N timing, machine description, result records.

Every benchmark compares variants *in the same process* and reports ratios against a reference
variant, so results from different machines can be compared by ratio, never by seconds.
No Django import here.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

WARMUP = 1
REPEAT = 5


@dataclass
class Variant:
    """One timed variant: best-of-``repeat`` wall time in seconds (after ``warmup`` untimed runs)."""

    name: str
    seconds: float
    note: str = ""
    ratio: float = float("nan")  # seconds / reference seconds, filled by ``result``


@dataclass
class Result:
    """What one benchmark writes to ``bench/results/<name>-<UTC timestamp>.json``."""

    benchmark: str
    measures: str
    reference: str
    sizes: dict[str, Any]
    variants: list[Variant]
    extra: dict[str, Any] = field(default_factory=dict)
    warmup: int = WARMUP
    repeat: int = REPEAT
    machine: dict[str, Any] = field(default_factory=lambda: machine())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def best_of(fn: Callable[[], object], repeat: int = REPEAT, warmup: int = WARMUP) -> float:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times; return the fastest run in seconds."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def machine() -> dict[str, Any]:
    """The machine and library versions the figures were measured with."""
    import numpy
    import shapely

    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "shapely": shapely.__version__,
        "geos": ".".join(map(str, shapely.geos_version)),
    }
    try:
        import pyproj

        info["pyproj"] = pyproj.__version__
        info["proj"] = pyproj.proj_version_str
    except ImportError:  # pragma: no cover - pyproj is a project dependency
        pass
    return info


def result(benchmark: str, measures: str, reference: str, sizes: dict[str, Any],
           variants: list[Variant], **extra: Any) -> Result:
    """Build a ``Result``, setting every variant's ratio against the variant named ``reference``."""
    ref = next(v for v in variants if v.name == reference)
    for v in variants:
        v.ratio = v.seconds / ref.seconds
    return Result(benchmark, measures, reference, sizes, variants, extra)


def first_line(doc: str | None) -> str:
    """First line of a docstring (the one-sentence summary of what a benchmark measures)."""
    return (doc or "").strip().splitlines()[0] if doc else ""


def seed_shape(code: str):  # type: ignore[no-untyped-def]  # -> shapely Polygon | MultiPolygon
    """The GCJ-02 lon/lat polygon of division ``code`` from ``data/seed/divisions_gcj02.geojson``."""
    import json
    from pathlib import Path

    from shapely.geometry import shape

    path = Path(__file__).resolve().parent.parent / "data" / "seed" / "divisions_gcj02.geojson"
    with path.open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    for feature in features:
        if feature["properties"].get("code") == code:
            return shape(feature["geometry"])
    raise LookupError(f"division {code} not in {path}")
