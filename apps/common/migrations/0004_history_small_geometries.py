"""History trigger: keep geometries of up to 2000 vertices in full so old versions can be restored
(bigger ones stay a digest). Every table's trigger keeps calling the same function."""
from importlib import import_module

from django.db import migrations

# Frozen copy of apps.common.history.FUNCTION_SQL at the time of this migration.
FUNCTION_SQL = '''
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
'''

# The reverse: the function as 0002 left it, and no helper.
PREVIOUS_SQL = (import_module("apps.common.migrations.0002_history_uid_keys").FUNCTION_SQL
                + "DROP FUNCTION IF EXISTS geo_mz_history_geometry(jsonb);")


class Migration(migrations.Migration):
    dependencies = [("common", "0003_job")]
    operations = [migrations.RunSQL(FUNCTION_SQL, PREVIOUS_SQL)]
