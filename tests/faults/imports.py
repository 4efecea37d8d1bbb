"""The import the fault tests interrupt, and how they see from the database that it is mid-write.

The import: ``manage.py import_layer FILE --target facilities --commit`` (apps/exchange), the
importer of the registers that writes the most rows per input: each feature runs the facility
service (division lookup, a code under an advisory lock, the facility, its service detail, its
status event, and the change-record triggers' rows), all in one transaction. The input is a
GeoJSON of ``N_ROWS`` points inside 德清县's townships, big enough that the import spends seconds
writing, so a fault can land in the middle.

"Mid-write" is read from PostgreSQL, not guessed with a sleep: the import's session (found by
its ``application_name``, set with libpq's ``PGAPPNAME``) is inside a transaction that has an
xid (it wrote), holds ``RowExclusiveLock`` on ``facilities_facility``, and has drawn at least
``CAUGHT_AT`` facility ids from the table's sequence (sequence values are visible to every
session at once, the uncommitted rows are not), fewer than ``N_ROWS``; and no imported row is
visible yet (nothing committed).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

from .cluster import query, wait_until

ROOT = Path(__file__).resolve().parents[2]
N_ROWS = 150
CAUGHT_AT = 30  # facility ids drawn by the open transaction before the fault is injected
MARKER = "故障演练设施"
ACTOR = "fault-drill"
SETTINGS = "geo_mz.settings.test"

_POINTS = """
SELECT ST_X(g), ST_Y(g) FROM (
  SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geometry), %s, 20261123))).geom AS g
  FROM divisions_division WHERE level = 'township' AND code LIKE '330521%%' AND valid_to IS NULL) s
"""

_IN_FLIGHT = """
SELECT a.pid, a.state, a.backend_xid IS NOT NULL AS wrote,
       EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND l.mode = 'RowExclusiveLock'
               AND l.relation = 'facilities_facility'::regclass) AS table_lock,
       coalesce(pg_sequence_last_value(pg_get_serial_sequence('facilities_facility', 'id')::regclass), 0) AS last_id
FROM pg_stat_activity a
WHERE a.application_name = %s AND a.datname = current_database() AND a.xact_start IS NOT NULL
"""

_COMMITTED = "SELECT count(*) FROM facilities_facility WHERE name LIKE %s"


def make_layer(url: str, path: Path, n: int = N_ROWS) -> Path:
    """A GeoJSON of ``n`` canteen points (seeded) inside 德清县's townships of the database at ``url``."""
    points = query(url, _POINTS, [n])
    assert len(points) == n, f"{len(points)} points generated, expected {n}"
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]},
                 "properties": {"name": f"{MARKER}{i:04d}", "kind": "elderly_canteen", "status": "运营"}}
                for i, (x, y) in enumerate(points, 1)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def _env(url: str, app: str, tmp: Path) -> dict[str, str]:
    # TMPDIR: import_layer unpacks into a temporary directory, which a SIGKILL leaves behind.
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": SETTINGS, "DJANGO_CONN_MAX_AGE": "0",
            "PGAPPNAME": app, "TMPDIR": str(tmp)}


def _command(layer: Path) -> list[str]:
    return [sys.executable, "manage.py", "import_layer", str(layer), "--target", "facilities", "--commit",
            "--actor", ACTOR]


@dataclass
class ImportRun:
    """An import started in the background, with the sequence mark and committed count before it."""

    proc: subprocess.Popen
    url: str
    app: str
    tmp: Path
    mark: int
    baseline: int

    def __enter__(self) -> "ImportRun":
        return self

    def __exit__(self, *exc: object) -> None:
        """Never leave the import running when a test fails half-way."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


def start_import(url: str, layer: Path, app: str, tmp: Path) -> ImportRun:
    """The import as a child process; its output goes to ``tmp/<app>.log`` (read by ``output``)."""
    mark, baseline = id_mark(url), imported(url)
    log = open(tmp / f"{app}.log", "w", encoding="utf-8")
    try:
        proc = subprocess.Popen(_command(layer), cwd=ROOT, env=_env(url, app, tmp), stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()
    return ImportRun(proc, url, app, tmp, mark, baseline)


def output(tmp: Path, app: str) -> str:
    return (tmp / f"{app}.log").read_text(encoding="utf-8", errors="replace")


def run_import(url: str, layer: Path, app: str, tmp: Path) -> subprocess.CompletedProcess:
    """The same import, run to its end."""
    return subprocess.run(_command(layer), cwd=ROOT, env=_env(url, app, tmp), capture_output=True, text=True,
                          timeout=300)


def id_mark(url: str) -> int:
    """The last facility id drawn so far (the sequence, committed or not)."""
    return query(url, "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('facilities_facility', 'id')"
                      "::regclass), 0)")[0][0]


def imported(url: str) -> int:
    """Committed facilities of the drill (visible rows)."""
    return query(url, _COMMITTED, [MARKER + "%"])[0][0]


def wait_mid_write(run: ImportRun) -> dict[str, Any]:
    """Poll the database (one autocommit connection, so every poll sees fresh statistics) until
    the import is caught mid-write (see the module docstring); return what was seen. Fails if the
    import ends first."""
    conn = psycopg2.connect(run.url)
    conn.autocommit = True

    def caught() -> dict[str, Any] | None:
        if run.proc.poll() is not None:
            raise AssertionError(f"the import ended (exit {run.proc.returncode}) before it was caught mid-write:\n"
                                 f"{output(run.tmp, run.app)[-2000:]}")
        with conn.cursor() as cur:
            cur.execute(_IN_FLIGHT, [run.app])
            for pid, state, wrote, table_lock, last_id in cur.fetchall():
                if wrote and table_lock and last_id - run.mark >= CAUGHT_AT:
                    cur.execute(_COMMITTED, [MARKER + "%"])
                    return {"pid": pid, "state": state, "ids_drawn": last_id - run.mark,
                            "committed": cur.fetchone()[0] - run.baseline}
        return None

    try:
        seen = wait_until(caught, "the import to be mid-write", timeout=120, step=0.01)
    finally:
        conn.close()
    assert seen["committed"] == 0 and seen["ids_drawn"] < N_ROWS, seen
    return seen
