"""Service-radius presets from the norms (more are data, added per province or county) and the
change-history trigger on the analysis tables."""
from django.db import migrations

# (name, metres, family, region code prefix, source)
PRESETS = [
    ("5分钟生活圈", 300, "", "", "GB 50180-2018 城市居住区规划设计标准；TD/T 1062-2021"),
    ("10分钟生活圈", 500, "", "", "GB 50180-2018 城市居住区规划设计标准；TD/T 1062-2021"),
    ("15分钟生活圈（下限）", 800, "", "", "GB 50180-2018 城市居住区规划设计标准；TD/T 1062-2021"),
    ("15分钟生活圈（上限）", 1000, "", "", "GB 50180-2018 城市居住区规划设计标准；TD/T 1062-2021"),
    ("贵州省社区养老服务设施服务半径", 700, "community", "52", "贵州省社区居家养老服务设施服务半径 700 米"),
    ("贵州省社区养老服务设施服务半径（助餐）", 700, "meals", "52", "贵州省社区居家养老服务设施服务半径 700 米"),
]


def seed(apps, schema_editor):
    Preset = apps.get_model("analysis", "RadiusPreset")
    for name, metres, family, region, source in PRESETS:
        Preset.objects.create(name=name, radius_m=metres, family=family, region_code=region, source=source)


class Migration(migrations.Migration):
    dependencies = [("analysis", "0001_initial"), ("common", "0003_job")]

    operations = [
        migrations.RunSQL('DROP TRIGGER IF EXISTS analysis_analysisrun_history ON analysis_analysisrun;CREATE TRIGGER analysis_analysisrun_history AFTER INSERT OR UPDATE OR DELETE ON analysis_analysisrun FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS analysis_analysisrun_history ON analysis_analysisrun;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS analysis_radiuspreset_history ON analysis_radiuspreset;CREATE TRIGGER analysis_radiuspreset_history AFTER INSERT OR UPDATE OR DELETE ON analysis_radiuspreset FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS analysis_radiuspreset_history ON analysis_radiuspreset;'),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
