"""Reference data every installation needs (place-name categories, forbidden naming patterns)
and the change-history trigger on every place-name table. The rows are frozen here: later edits
are data, made through the admin, and recorded by the trigger."""
from django.db import migrations

# (code, name, parent code, audit class, pinyin kind, legal basis)
CATEGORIES = [
    ("1000", "自然地理实体", None, "", "feature", "条例第三条第（一）项"),
    ("1001", "山、山峰", "1000", "", "feature", ""),
    ("1002", "河流、溪", "1000", "", "feature", ""),
    ("1003", "湖泊、水荡", "1000", "", "feature", ""),
    ("1004", "湿地", "1000", "", "feature", ""),
    ("1009", "其他自然地理实体", "1000", "", "feature", ""),
    ("2000", "行政区划", None, "", "division", "条例第三条第（二）项"),
    ("2001", "县级行政区划", "2000", "", "division", ""),
    ("2002", "乡级行政区划（乡、镇、街道）", "2000", "", "division", ""),
    ("3000", "群众自治组织", None, "", "division", "条例第三条第（三）项"),
    ("3001", "村民委员会（行政村）", "3000", "", "division", ""),
    ("3002", "居民委员会（社区）", "3000", "", "division", ""),
    ("4000", "街路巷", None, "", "road", "条例第三条第（四）项"),
    ("4001", "道路", "4000", "", "road", ""),
    ("4002", "街、巷、弄", "4000", "", "road", ""),
    ("5000", "住宅区和建筑物", None, "建筑物", "feature", "条例第三条第（五）项"),
    ("5001", "住宅区（小区）", "5000", "建筑物", "feature", ""),
    ("5002", "楼宇", "5000", "建筑物", "feature", ""),
    ("6000", "交通运输设施", None, "交通运输设施", "feature", "条例第三条第（六）项"),
    ("6001", "桥梁", "6000", "交通运输设施", "feature", ""),
    ("6002", "隧道", "6000", "交通运输设施", "feature", ""),
    ("6003", "车站、码头", "6000", "交通运输设施", "feature", ""),
    ("6004", "公路（国道、省道、县道）", "6000", "交通运输设施", "road", ""),
    ("7000", "水利、电力、通信设施", None, "水利电力通信设施", "feature", "条例第三条第（六）项"),
    ("7001", "水库、堤坝", "7000", "水利电力通信设施", "feature", ""),
    ("7002", "渠道、水闸", "7000", "水利电力通信设施", "feature", ""),
    ("7003", "电站", "7000", "水利电力通信设施", "feature", ""),
    ("7004", "通信设施", "7000", "水利电力通信设施", "feature", ""),
    ("8000", "纪念地、旅游景点", None, "纪念地旅游景点", "feature", "条例第三条第（七）项"),
    ("8001", "纪念地、祠庙", "8000", "纪念地旅游景点", "feature", ""),
    ("8002", "风景名胜区", "8000", "纪念地旅游景点", "feature", ""),
    ("8003", "公园、广场", "8000", "纪念地旅游景点", "feature", ""),
    ("8004", "文化体育场所", "8000", "纪念地旅游景点", "feature", ""),
    ("9000", "非行政区域", None, "非行政区域", "feature", "条例第三条第（八）项"),
    ("9001", "自然村", "9000", "非行政区域", "natural_village", ""),
    ("9002", "开发区、产业园区", "9000", "非行政区域", "feature", ""),
    ("9003", "农林牧渔区", "9000", "非行政区域", "feature", ""),
]

# (pattern, is_regex, kind, reason)
PATTERNS = [
    ("有限公司", False, "企业名", "不得以企业名称命名地名"),
    ("集团", False, "企业名", "不得以企业名称命名地名"),
    ("股份", False, "企业名", "不得以企业名称命名地名"),
    ("万达", False, "商标", "不得以商标名称命名地名"),
    ("碧桂园", False, "商标", "不得以商标名称命名地名"),
    ("恒大", False, "商标", "不得以商标名称命名地名"),
    ("(先生|女士|同志|主席|书记)(路|街|桥|广场|公园|村)?$", True, "人名", "一般不以人名命名地名"),
    ("帝王", False, "夸大", "不得使用夸大、怪异的名称"),
    ("皇家", False, "夸大", "不得使用夸大、怪异的名称"),
    ("宇宙", False, "夸大", "不得使用夸大、怪异的名称"),
    ("天下第一", False, "夸大", "不得使用夸大、怪异的名称"),
    ("曼哈顿", False, "洋名", "不得使用外国人名、地名命名"),
    ("威尼斯", False, "洋名", "不得使用外国人名、地名命名"),
    ("维也纳", False, "洋名", "不得使用外国人名、地名命名"),
    ("巴黎", False, "洋名", "不得使用外国人名、地名命名"),
    ("罗马", False, "洋名", "不得使用外国人名、地名命名"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("placenames", "PlaceNameCategory")
    Pattern = apps.get_model("placenames", "ForbiddenNamePattern")
    by_code = {}
    for code, name, parent, audit, kind, basis in CATEGORIES:
        by_code[code] = Category.objects.create(code=code, name=name, parent=by_code.get(parent),
                                                audit_class=audit, pinyin_kind=kind, legal_basis=basis)
    for pattern, is_regex, kind, reason in PATTERNS:
        Pattern.objects.create(pattern=pattern, is_regex=is_regex, kind=kind, reason=reason)


class Migration(migrations.Migration):
    dependencies = [("placenames", "0001_initial"), ("common", "0002_history_uid_keys")]

    operations = [
        # Change history (who, when, before, after) for every place-name table.
        migrations.RunSQL('DROP TRIGGER IF EXISTS placenames_placenamecategory_history ON placenames_placenamecategory;CREATE TRIGGER placenames_placenamecategory_history AFTER INSERT OR UPDATE OR DELETE ON placenames_placenamecategory FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS placenames_placenamecategory_history ON placenames_placenamecategory;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS placenames_placename_history ON placenames_placename;CREATE TRIGGER placenames_placename_history AFTER INSERT OR UPDATE OR DELETE ON placenames_placename FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS placenames_placename_history ON placenames_placename;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS placenames_placenamealias_history ON placenames_placenamealias;CREATE TRIGGER placenames_placenamealias_history AFTER INSERT OR UPDATE OR DELETE ON placenames_placenamealias FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS placenames_placenamealias_history ON placenames_placenamealias;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS placenames_announcement_history ON placenames_announcement;CREATE TRIGGER placenames_announcement_history AFTER INSERT OR UPDATE OR DELETE ON placenames_announcement FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS placenames_announcement_history ON placenames_announcement;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS placenames_announcementitem_history ON placenames_announcementitem;CREATE TRIGGER placenames_announcementitem_history AFTER INSERT OR UPDATE OR DELETE ON placenames_announcementitem FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS placenames_announcementitem_history ON placenames_announcementitem;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS placenames_heritageentry_history ON placenames_heritageentry;CREATE TRIGGER placenames_heritageentry_history AFTER INSERT OR UPDATE OR DELETE ON placenames_heritageentry FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS placenames_heritageentry_history ON placenames_heritageentry;'),
        migrations.RunSQL('DROP TRIGGER IF EXISTS placenames_forbiddennamepattern_history ON placenames_forbiddennamepattern;CREATE TRIGGER placenames_forbiddennamepattern_history AFTER INSERT OR UPDATE OR DELETE ON placenames_forbiddennamepattern FOR EACH ROW EXECUTE FUNCTION geo_mz_record_change();', 'DROP TRIGGER IF EXISTS placenames_forbiddennamepattern_history ON placenames_forbiddennamepattern;'),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
