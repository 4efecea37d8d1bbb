"""Constants of the demo address generator: its version (part of the idempotency key), the default
county, count and seed, the change-history actor, the DataSource key, the SRID, the fixed demo
"today" and the COPY chunk size."""
from __future__ import annotations

import datetime as dt

GENERATOR_VERSION = 1
DEFAULT_COUNTY = "330521"
DEFAULT_COUNT = 150_000
DEFAULT_SEED = 20261123
ACTOR = "demo-generator"
SOURCE_KEY = "demo-addresses-{county}"
SRID = 4490
# A fixed "today" for generated dates, so the output does not depend on the day it is run.
DEMO_TODAY = dt.date(2026, 11, 1)
COPY_CHUNK = 100_000
