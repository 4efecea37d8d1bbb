"""The facility kinds every installation starts with (more can be added as data) and the
change-history trigger on every facility table."""
from django.db import migrations

# (code, name, family, code letter)
KINDS = [
    ("cemetery", "公墓", "burial", "C"),
    ("columbarium", "骨灰堂", "burial", "G"),
    ("funeral_home", "殡仪馆", "burial", "F"),
    ("elderly_canteen", "老年食堂", "meals", "K"),
    ("meal_point", "助餐点", "meals", "M"),
    ("community_centre", "社区服务中心", "community", "S"),
    ("home_care_centre", "居家养老服务中心", "community", "Y"),
]


def seed(apps, schema_editor):
    Kind = apps.get_model("facilities", "FacilityKind")
    for code, name, family, letter in KINDS:
        Kind.objects.create(code=code, name=name, family=family, code_letter=letter)


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial"), ("common", "0002_history_uid_keys")]

    operations = [
        migrations.RunSQL('DROP TRIGGER IF EXISTS facilities_facilitykind_history ON facilities_facilitykind;CREATE TRIGGER facilities_facilitykind_history AFTER INSERT OR UPDATE OR DELETE ON facilities_facilitykind FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS facilities_facilitykind_history ON facilities_facilitykind;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS facilities_facility_history ON facilities_facility;CREATE TRIGGER facilities_facility_history AFTER INSERT OR UPDATE OR DELETE ON facilities_facility FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS facilities_facility_history ON facilities_facility;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS facilities_facilitystatusevent_history ON facilities_facilitystatusevent;CREATE TRIGGER facilities_facilitystatusevent_history AFTER INSERT OR UPDATE OR DELETE ON facilities_facilitystatusevent FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS facilities_facilitystatusevent_history ON facilities_facilitystatusevent;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS facilities_burialdetail_history ON facilities_burialdetail;CREATE TRIGGER facilities_burialdetail_history AFTER INSERT OR UPDATE OR DELETE ON facilities_burialdetail FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS facilities_burialdetail_history ON facilities_burialdetail;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS facilities_safetyhazard_history ON facilities_safetyhazard;CREATE TRIGGER facilities_safetyhazard_history AFTER INSERT OR UPDATE OR DELETE ON facilities_safetyhazard FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS facilities_safetyhazard_history ON facilities_safetyhazard;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS facilities_mealservicedetail_history ON facilities_mealservicedetail;CREATE TRIGGER facilities_mealservicedetail_history AFTER INSERT OR UPDATE OR DELETE ON facilities_mealservicedetail FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS facilities_mealservicedetail_history ON facilities_mealservicedetail;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS facilities_communitycentredetail_history ON facilities_communitycentredetail;CREATE TRIGGER facilities_communitycentredetail_history AFTER INSERT OR UPDATE OR DELETE ON facilities_communitycentredetail FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS facilities_communitycentredetail_history ON facilities_communitycentredetail;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS facilities_expansionproject_history ON facilities_expansionproject;CREATE TRIGGER facilities_expansionproject_history AFTER INSERT OR UPDATE OR DELETE ON facilities_expansionproject FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS facilities_expansionproject_history ON facilities_expansionproject;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS facilities_rollouttarget_history ON facilities_rollouttarget;CREATE TRIGGER facilities_rollouttarget_history AFTER INSERT OR UPDATE OR DELETE ON facilities_rollouttarget FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS facilities_rollouttarget_history ON facilities_rollouttarget;'),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
