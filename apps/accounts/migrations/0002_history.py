"""Who was given which role, jurisdiction or API key is part of the audit trail: attach the
change-history trigger to the staff profile and API key tables."""
from django.db import migrations

TABLES = ["accounts_staffprofile", "accounts_apikey"]


def _track(table: str) -> str:
    return (f"DROP TRIGGER IF EXISTS {table}_history ON {table};"
            f"CREATE TRIGGER {table}_history AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("common", "0002_history_uid_keys")]

    operations = [migrations.RunSQL(_track(t), f"DROP TRIGGER IF EXISTS {t}_history ON {t};") for t in TABLES]
