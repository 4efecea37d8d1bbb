"""Synthetic but realistic demand and facility points over 德清县 for the coverage and siting benchmarks.

Addresses cluster in towns and villages: ``N_SETTLEMENTS`` centres over lon 119.8–120.3, lat
30.4–30.75 (德清县's bounding box), settlement sizes lognormal (a few towns, many villages),
each spread as a Gaussian of 150–1,200 m; weights are households per address (1–6). Candidate sites
sit near people (a jittered address: community centres, public buildings) or anywhere (a grid
over a township would be like that): ``NEAR_SHARE`` of each. Offsets are drawn in metres and turned
into lon/lat with ``pyproj.Geod.fwd`` (no degrees-per-metre factor). Seeded, so runs compare.
No Django import.
"""

from __future__ import annotations

import numpy as np
from pyproj import Geod

BBOX = (119.8, 30.4, 120.3, 30.75)  # 德清县: lon min, lat min, lon max, lat max
N_SETTLEMENTS = 180
NEAR_SHARE = 0.7
_GEOD = Geod(ellps="GRS80")


def _offset(rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, sigma_m: np.ndarray | float):
    """Points moved by a 2-D Gaussian of ``sigma_m`` metres (geodesic forward problem)."""
    n = len(lon)
    dx, dy = rng.normal(0, 1, n) * sigma_m, rng.normal(0, 1, n) * sigma_m
    az = np.degrees(np.arctan2(dx, dy))
    x, y, _ = _GEOD.fwd(lon, lat, az, np.hypot(dx, dy))
    return np.asarray(x), np.asarray(y)


def demand_points(n: int, seed: int = 20261123) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` clustered address points (lon, lat) with household weights 1–6."""
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = BBOX
    c_lon, c_lat = rng.uniform(lon0, lon1, N_SETTLEMENTS), rng.uniform(lat0, lat1, N_SETTLEMENTS)
    size = rng.lognormal(0.0, 1.1, N_SETTLEMENTS)
    which = rng.choice(N_SETTLEMENTS, n, p=size / size.sum())
    spread = rng.uniform(150.0, 1200.0, N_SETTLEMENTS) * np.sqrt(size / size.mean()).clip(0.5, 2.5)
    lon, lat = _offset(rng, c_lon[which], c_lat[which], spread[which])
    weight = rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.2, 0.3, 0.25, 0.15, 0.06, 0.04]).astype(float)
    return lon, lat, weight


def sites(n: int, demand_lon: np.ndarray, demand_lat: np.ndarray, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sites: ``NEAR_SHARE`` near a random address (within ~300 m), the rest uniform over the bbox."""
    rng = np.random.default_rng(seed)
    near = int(round(n * NEAR_SHARE))
    pick = rng.choice(len(demand_lon), near, replace=False)
    lon_n, lat_n = _offset(rng, demand_lon[pick], demand_lat[pick], 300.0)
    lon0, lat0, lon1, lat1 = BBOX
    lon_u, lat_u = rng.uniform(lon0, lon1, n - near), rng.uniform(lat0, lat1, n - near)
    return np.r_[lon_n, lon_u], np.r_[lat_n, lat_u]


def grid_sites(n_lon: int = 50, n_lat: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """A regular lon/lat grid of ``n_lon × n_lat`` candidate sites over the bbox (a planner's grid)."""
    lon0, lat0, lon1, lat1 = BBOX
    glon, glat = np.meshgrid(np.linspace(lon0, lon1, n_lon), np.linspace(lat0, lat1, n_lat))
    return glon.ravel(), glat.ravel()
