"""History trigger: also key rows by `uid` (tables whose primary key is a permanent uuid)."""
from django.db import migrations

FUNCTION_SQL = '''
CREATE OR REPLACE FUNCTION geo_mz_record_change() RETURNS trigger AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
BEGIN
  -- Geometry columns would bloat every record with full polygons: keep a digest instead.
  IF old_row ? 'geometry' THEN old_row := old_row || jsonb_build_object('geometry', md5(coalesce(old_row->>'geometry', ''))); END IF;
  IF new_row ? 'geometry' THEN new_row := new_row || jsonb_build_object('geometry', md5(coalesce(new_row->>'geometry', ''))); END IF;
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


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]
    operations = [migrations.RunSQL(FUNCTION_SQL, migrations.RunSQL.noop)]
