"""Change history written by PostgreSQL triggers (who, when, before, after).

The trigger function and each table's trigger are created in migrations (never outside them),
from the SQL below. The acting user is passed to the trigger through a transaction-local
setting, `geo_mz.actor`, which services set with `acting_as()`.

A column named `geometry` is kept in full (GeoJSON as `to_jsonb` writes it, with its crs) up to
`HISTORY_MAX_POINTS` vertices, so an old version can be restored (`apps.common.restore`); a
bigger one is replaced by `{"md5": …, "npoints": …}` to keep county polygons out of every record.
Records written before that rule hold a bare md5 string for every geometry.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from django.db import connection, transaction

# Geometries up to this many vertices are kept in full in the history (so an old version can be
# restored); bigger ones (county polygons) are kept as a digest only.
HISTORY_MAX_POINTS = 2000

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION geo_mz_history_geometry(value jsonb) RETURNS jsonb AS $$
DECLARE
  points integer;
BEGIN
  -- `value` is a geometry as to_jsonb writes it (GeoJSON with a crs member, full precision).
  IF value IS NULL OR jsonb_typeof(value) <> 'object' OR NOT value ? 'type' THEN
    RETURN value;
  END IF;
  -- A vertex takes at least 6 characters ("[0,0],"): short texts need no parsing.
  IF length(value::text) <= 6 * 2000 THEN
    RETURN value;
  END IF;
  points := ST_NPoints(ST_GeomFromGeoJSON(value));
  IF points <= 2000 THEN
    RETURN value;
  END IF;
  RETURN jsonb_build_object('md5', md5(value::text), 'npoints', points);
END;
$$ LANGUAGE plpgsql IMMUTABLE;

CREATE OR REPLACE FUNCTION geo_mz_record_change() RETURNS trigger AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
BEGIN
  -- Small geometries are kept in full (restorable); big ones (> 2000 vertices) as a digest only.
  -- Only the jsonb is touched: OLD.geometry would fail on tables without that column.
  IF old_row ? 'geometry' THEN old_row := old_row || jsonb_build_object('geometry', geo_mz_history_geometry(old_row->'geometry')); END IF;
  IF new_row ? 'geometry' THEN new_row := new_row || jsonb_build_object('geometry', geo_mz_history_geometry(new_row->'geometry')); END IF;
  IF TG_OP = 'UPDATE' AND old_row = new_row THEN
    RETURN NEW;
  END IF;
  INSERT INTO common_changerecord (table_name, row_id, action, before, after, actor, at, txid)
  -- The row's key: `id`, or `uid` for tables keyed by a permanent uuid.
  VALUES (TG_TABLE_NAME, coalesce(new_row->>'id', old_row->>'id', new_row->>'uid', old_row->>'uid'),
          left(TG_OP, 1), old_row, new_row,
          coalesce(nullif(current_setting('geo_mz.actor', true), ''), current_user), now(), txid_current());
  RETURN coalesce(NEW, OLD);
END;
$$ LANGUAGE plpgsql;
"""

DROP_FUNCTION_SQL = "DROP FUNCTION IF EXISTS geo_mz_record_change() CASCADE; DROP FUNCTION IF EXISTS geo_mz_history_geometry(jsonb);"


def track_table_sql(table: str) -> str:
    """SQL that attaches the history trigger to `table` (used by migrations)."""
    return (
        f"DROP TRIGGER IF EXISTS {table}_history ON {table};"
        f"CREATE TRIGGER {table}_history AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();"
    )


def untrack_table_sql(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_history ON {table};"


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Run the block in one transaction whose changes are recorded as made by `actor`."""
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('geo_mz.actor', %s, true)", [actor[:150]])
        yield
