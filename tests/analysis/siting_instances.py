"""Random siting instances for the tests: clustered demand with integer weights over a few km near 德清县."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apps.analysis.coverage_math import geodesic_matrix


@dataclass
class Instance:
    dlon: np.ndarray
    dlat: np.ndarray
    weight: np.ndarray
    clon: np.ndarray
    clat: np.ndarray
    elon: np.ndarray
    elat: np.ndarray
    radius: float

    @property
    def m(self) -> int:
        return len(self.clon)

    @property
    def e(self) -> int:
        return len(self.elon)

    def cost(self) -> np.ndarray:
        """Oracle geodesic matrix demand × (candidates then existing), pyproj.Geod per pair."""
        return geodesic_matrix(self.dlon, self.dlat, np.r_[self.clon, self.elon], np.r_[self.clat, self.elat])


def instance(seed: int, n: int, m: int, e: int = 0, radius: float = 900.0, extent: float = 0.06) -> Instance:
    rng = np.random.default_rng(seed)
    lon0, lat0 = 119.95 + rng.uniform(0, 0.2), 30.5 + rng.uniform(0, 0.15)
    centres = rng.uniform(0, extent, (5, 2))
    which = rng.integers(0, 5, n)
    spread = rng.uniform(0.002, 0.01, 5)[which]
    dlon = lon0 + centres[which, 0] + rng.normal(0, 1, n) * spread
    dlat = lat0 + centres[which, 1] + rng.normal(0, 1, n) * spread
    # a few duplicated addresses (same building), as in real registers
    dup = rng.choice(n, n // 10, replace=False)
    dlon[dup[1:]], dlat[dup[1:]] = dlon[dup[:-1]], dlat[dup[:-1]]
    weight = rng.integers(1, 20, n).astype(float)
    clon, clat = lon0 + rng.uniform(0, extent, m), lat0 + rng.uniform(0, extent, m)
    elon, elat = lon0 + rng.uniform(0, extent, e), lat0 + rng.uniform(0, extent, e)
    return Instance(dlon, dlat, weight, clon, clat, elon, elat, radius)
