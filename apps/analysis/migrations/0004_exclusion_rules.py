"""Default cemetery exclusion distances (data: provinces and counties add their own rows) and the
change-history trigger on the suitability tables.

殡葬管理条例 Art. 10 names what a cemetery must keep away from but gives no distances; the defaults
are Shandong's published values (the domain notes), flagged as such in `source`."""
from django.db import migrations

RULES = [
    ("farmland", 0, "", "殡葬管理条例第十条：禁止在耕地建公墓（不退让，压占即排除）"),
    ("forest", 0, "", "殡葬管理条例第十条：禁止在林地建公墓（不退让，压占即排除）"),
    ("park_scenic_relic", 2000, "", "默认值取山东省规定：距城市公园、风景名胜区、文物保护区 2000 米"),
    ("water", 2000, "", "默认值取山东省规定：距水库、河流堤坝、水源保护区 2000 米"),
    ("rail_road", 500, "", "默认值取山东省规定：距铁路、公路主干线 500 米"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("analysis", "ExclusionRule")
    for category, buffer_m, region, source in RULES:
        Rule.objects.create(category=category, buffer_m=buffer_m, region_code=region, source=source)


class Migration(migrations.Migration):
    dependencies = [("analysis", "0003_constraint_layers")]

    operations = [
        migrations.RunSQL('DROP TRIGGER IF EXISTS analysis_constraintlayer_history ON analysis_constraintlayer;CREATE TRIGGER analysis_constraintlayer_history AFTER INSERT OR UPDATE OR DELETE ON analysis_constraintlayer FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS analysis_constraintlayer_history ON analysis_constraintlayer;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS analysis_exclusionrule_history ON analysis_exclusionrule;CREATE TRIGGER analysis_exclusionrule_history AFTER INSERT OR UPDATE OR DELETE ON analysis_exclusionrule FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS analysis_exclusionrule_history ON analysis_exclusionrule;'),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
